package org.netstack4j.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.netstack4j.wire.Packets.hex;

import org.junit.jupiter.api.Test;

/** The zero-copy views read the same values as the records, and refuse what would read out of bounds. */
class ViewTest {

    @Test void viewsAgreeWithReprsOnTheDataSegment() {
        byte[] f = hex(Packets.DATA);
        Ipv4HeaderView ip = Ipv4HeaderView.of(f, 14, f.length - 14).value();
        Ipv4Repr ipr = Ipv4Repr.parse(f, 14, f.length - 14).value();
        assertEquals(4, ip.version());
        assertEquals(ipr.headerLength(), ip.headerLength());
        assertEquals(ipr.totalLength(), ip.totalLength());
        assertEquals(ipr.identification(), ip.identification());
        assertEquals(ipr.dontFragment(), ip.dontFragment());
        assertFalse(ip.moreFragments());
        assertEquals(ipr.ttl(), ip.ttl());
        assertEquals(Ipv4Repr.PROTO_TCP, ip.protocol());
        assertTrue(ip.checksumValid());
        assertEquals(ip.checksum(), ip.expectedChecksum());
        assertEquals(ipr.src(), ip.src());
        assertEquals(ipr.dst(), ip.dst());
        assertEquals(34, ip.payloadOffset());
        assertEquals(69, ip.payloadLength());

        TcpHeaderView t = TcpHeaderView.of(f, ip.payloadOffset(), ip.payloadLength()).value();
        TcpRepr tr = TcpRepr.parse(ip.src(), ip.dst(), f, 34, 69, true).value();
        assertEquals(tr.srcPort(), t.srcPort());
        assertEquals(tr.dstPort(), t.dstPort());
        assertEquals(tr.seq(), t.seq());
        assertEquals(tr.ack(), t.ack());
        assertEquals(tr.flags(), t.flags());
        assertTrue(t.has(TcpRepr.PSH));
        assertEquals(tr.window(), t.window());
        assertEquals(tr.headerLength(), t.headerLength());
        assertEquals(12, t.optionsLength());
        assertTrue(t.checksumValid(ip.src(), ip.dst()));
        assertEquals(34 + 32, t.payloadOffset());
        assertEquals(37, t.payloadLength());
    }

    @Test void udpView() {
        byte[] f = hex(Packets.DNS_QUERY);
        UdpHeaderView u = UdpHeaderView.of(f, 34, f.length - 34).value();
        assertEquals(53001, u.srcPort());
        assertEquals(53, u.dstPort());
        assertEquals(37, u.length());
        assertTrue(u.hasChecksum());
        Ipv4Address src = Ipv4Address.parse("192.168.1.10"), dst = Ipv4Address.parse("192.168.1.1");
        assertTrue(u.checksumValid(src, dst));
        assertEquals(u.checksum(), u.expectedChecksum(src, dst));
        assertFalse(u.checksumValid(Ipv4Address.parse("1.2.3.4"), dst), "wrong pseudo-header");
        assertEquals(29, u.payloadLength());
    }

    @Test void checkedFactoriesRefuseBadStructure() {
        byte[] f = hex(Packets.SYN);
        assertInstanceOf(Parsed.Malformed.class, Ipv4HeaderView.of(f, 14, 19));
        assertInstanceOf(Parsed.Malformed.class, TcpHeaderView.of(f, 34, 39));
        assertInstanceOf(Parsed.Malformed.class, UdpHeaderView.of(f, 34, 7));
        f[25] ^= 1; // a bad IPv4 checksum is visible through the view, not refused by it
        Ipv4HeaderView ip = Ipv4HeaderView.of(f, 14, f.length - 14).value();
        assertFalse(ip.checksumValid());
    }
}
