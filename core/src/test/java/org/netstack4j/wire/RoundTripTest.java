package org.netstack4j.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Basic emit-then-parse round trips, one per codec. */
class RoundTripTest {
    static final Ipv4Address A = Ipv4Address.parse("10.0.0.1"), B = Ipv4Address.parse("10.0.0.2");

    /** Accurate ECN's AE flag (RFC 9768 3.2.1) is the lowest bit beside the data offset, in the checksum too. */
    @Test void tcpAeFlagAndAccEcnOption() {
        var t = new TcpRepr(1000, 80, 1, 2, TcpRepr.AE | TcpRepr.ECE | TcpRepr.ACK, 100, 0,
                List.of(new TcpOption.Unknown(174, new byte[] {0, 0, 1, 0, 3, (byte) 0xe8, 0, 0, 1}), TcpOption.NOP));
        byte[] b = new byte[t.headerLength()];
        t.emit(A, B, b, 0, null, 0, 0);
        assertEquals(0x81, b[12] & 0xff, "data offset 8 words, and AE");
        assertEquals(0x50, b[13] & 0xff, "ACK and ECE");
        assertEquals(t, TcpRepr.parse(A, B, b, 0, b.length, true).value());
        assertEquals(TcpRepr.AE | TcpRepr.ECE | TcpRepr.ACK, TcpHeaderView.of(b, 0, b.length).value().flags());
        byte[] e = new byte[32];
        int n = new TcpEncoder().set(1000, 80, 1, 2, TcpRepr.AE | TcpRepr.CWR | TcpRepr.ACK, 100, false, 0, 0).emit(A, B, e, 0, null, 0, 0);
        assertEquals(TcpRepr.AE | TcpRepr.CWR | TcpRepr.ACK, TcpRepr.parse(A, B, e, 0, n, true).value().flags());
    }

    @Test void ethernet() {
        var e = new EthernetRepr(MacAddress.parse("02:00:00:00:00:02"), MacAddress.parse("02:00:00:00:00:01"), 0x0800);
        byte[] b = new byte[14];
        assertEquals(14, e.emit(b, 0));
        assertEquals(e, EthernetRepr.parse(b, 0, 14).value());
    }

    @Test void arp() {
        var a = new ArpRepr(ArpRepr.OP_REQUEST, MacAddress.parse("02:00:00:00:00:01"), A, MacAddress.ZERO, B);
        byte[] b = new byte[28];
        assertEquals(28, a.emit(b, 0));
        assertEquals(a, ArpRepr.parse(b, 0, 28).value());
    }

    @Test void ipv4() {
        var ip = new Ipv4Repr(0x10, 1234, true, false, 0, 64, 6, A, B, new byte[] {1, 1, 1, 0}, 100);
        byte[] b = new byte[24 + 100];
        assertEquals(24, ip.emit(b, 0));
        assertEquals(ip, Ipv4Repr.parse(b, 0, b.length).value());
    }

    @Test void icmpEcho() {
        IcmpRepr e = new IcmpRepr.EchoRequest(1, 2, "hello".getBytes());
        byte[] b = new byte[e.length()];
        e.emit(b, 0);
        assertEquals(e, IcmpRepr.parse(b, 0, b.length).value());
    }

    @Test void udp() {
        var u = new UdpRepr(5353, 53);
        byte[] p = "query".getBytes();
        byte[] b = new byte[8 + p.length];
        assertEquals(13, u.emit(A, B, b, 0, p, 0, p.length));
        assertEquals(u, UdpRepr.parse(A, B, b, 0, b.length).value());
        assertEquals(5, UdpRepr.payloadLength(b, 0));
    }

    @Test void tcpSyn() {
        var t = new TcpRepr(40000, 80, 1000, 0, TcpRepr.SYN, 65535, 0, List.of(
                new TcpOption.Mss(1460), new TcpOption.SackPermitted(), new TcpOption.Timestamps(1, 0),
                new TcpOption.Nop(), new TcpOption.WindowScale(7)));
        assertEquals(40, t.headerLength());
        byte[] b = new byte[40 + 3];
        assertEquals(43, t.emit(A, B, b, 0, new byte[] {1, 2, 3}, 0, 3));
        Parsed<TcpRepr> p = TcpRepr.parse(A, B, b, 0, b.length, true);
        assertEquals(t, p.value());
        b[41] ^= 1;
        assertInstanceOf(Parsed.Malformed.class, TcpRepr.parse(A, B, b, 0, b.length, true));
    }

    @Test void tcpToStringIsOneTcpdumpLine() {
        var t = new TcpRepr(40000, 80, 1000, 2001, TcpRepr.SYN | TcpRepr.ACK, 65535, 0, List.of(
                new TcpOption.Mss(1460), new TcpOption.SackPermitted(), new TcpOption.Timestamps(1, 0),
                new TcpOption.Nop(), new TcpOption.WindowScale(7)));
        assertEquals("Flags [S.], seq 1000, ack 2001, win 65535, options [mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7]",
                t.toString());
        assertEquals("Flags [F], seq 4294967295, win 0", new TcpRepr(1, 2, -1, 5, TcpRepr.FIN, 0, 0, List.of()).toString());
    }
}
