package org.netstack4j.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;
import org.netstack4j.wire.SipHash;
import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv6Address;

/**
 * TCP names addresses as {@link IpAddress} and nothing in it depends on the family: two layers
 * talk over IPv6 addresses as they do over IPv4 ones, and connections of both families share a
 * table. (IPv6 packets do not reach TCP through IpStack yet; here the layers are wired directly.)
 */
class FamilyBlindTcpTest {
    private static final Ipv6Address C6 = Ipv6Address.parse("2001:db8::1"), S6 = Ipv6Address.parse("2001:db8::2");

    @Test void handshakeDataAndCloseOverIpv6() {
        TimestampOffsetTest.Wire w = new TimestampOffsetTest.Wire(21, 22);
        TcpListener l = w.server.listen(w.now, Ipv6Address.ANY, 80, 8, x -> {});
        TcpConnection c = w.client.connect(w.now, C6, 0, S6, 80, null);
        w.run(w.now);
        TcpConnection s = l.accept();
        assertNotNull(s);
        assertEquals(TcpState.ESTABLISHED, c.state());
        assertEquals(S6, s.localAddress());
        assertEquals(C6, s.remoteAddress());
        byte[] data = new byte[10_000];
        for (int i = 0; i < data.length; i++) data[i] = (byte) (i * 7);
        byte[] got = new byte[data.length];
        int sent = 0, received = 0;
        for (int round = 0; received < data.length && round < 100; round++) {
            sent += c.send(w.now, data, sent, data.length - sent);
            w.run(w.now);
            received += s.receive(w.now, got, received, got.length - received);
        }
        assertArrayEquals(data, got);
        c.close(w.now);
        s.close(w.now);
        w.run(w.now);
        assertEquals(TcpState.TIME_WAIT, c.state());
        for (TimestampOffsetTest.Pkt p : w.log) {
            assertEquals(IpAddress.Family.IPV6, p.src().family());
            assertEquals(IpAddress.Family.IPV6, p.dst().family());
        }
    }

    @Test void bothFamiliesShareTheTableWithTheSamePorts() {
        TimestampOffsetTest.Wire w = new TimestampOffsetTest.Wire(31, 32);
        Ipv4Address c4 = Ipv4Address.parse("10.0.0.1"), s4 = Ipv4Address.parse("10.0.0.2");
        TcpListener l4 = w.server.listen(w.now, s4, 80, 8, x -> {});
        TcpListener l6 = w.server.listen(w.now, S6, 80, 8, x -> {});
        TcpConnection a = w.client.connect(w.now, c4, 40000, s4, 80, null);
        TcpConnection b = w.client.connect(w.now, C6, 40000, S6, 80, null);
        w.run(w.now);
        assertEquals(2, w.client.connectionCount());
        assertEquals(2, w.server.connectionCount());
        assertEquals(TcpState.ESTABLISHED, a.state());
        assertEquals(TcpState.ESTABLISHED, b.state());
        assertSame(a, w.client.find(c4, 40000, s4, 80));
        assertSame(b, w.client.find(C6, 40000, S6, 80));
        assertNotNull(l4.accept());
        assertNotNull(l6.accept());
        // the IPv4-mapped form is another address: no connection there
        assertEquals(null, w.client.find(c4.toMapped(), 40000, s4.toMapped(), 80));
    }

    /** An IPv4 pair hashes as before IPv6 existed (ISNs, ports, TSval offsets of every trace stay as they were). */
    @Test void ipv4PairsHashAsBefore() {
        SipHash f = new SipHash(0x0123456789abcdefL, 0x0fedcba987654321L);
        Ipv4Address a = Ipv4Address.parse("10.0.0.1"), b = Ipv4Address.parse("192.168.1.200");
        long ports = (40000L << 16) | 80;
        assertEquals(f.hash(((long) a.bits() << 32) | (b.bits() & 0xffffffffL), ports), f.hash(a, b, ports));
        // an IPv6 pair uses all 128 bits of both: a different low half gives another value
        assertNotEquals(f.hash(C6, S6, ports), f.hash(C6, Ipv6Address.parse("2001:db8::3"), ports));
        assertNotEquals(f.hash(C6, S6, ports), f.hash(Ipv6Address.parse("2001:db9::1"), S6, ports));
    }
}
