package org.netstack4j.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** The pseudo-header by family: IPv4's (RFC 9293 3.1) and IPv6's (RFC 8200 8.1), chosen by the address type. */
class PseudoHeaderTest {
    private static final Ipv6Address S6 = Ipv6Address.parse("2001:db8::1"), D6 = Ipv6Address.parse("2001:db8:ffff::abcd:2");
    private static final Ipv4Address S4 = Ipv4Address.parse("10.0.0.1"), D4 = Ipv4Address.parse("10.0.0.2");

    /** RFC 8200 8.1's layout written out as bytes: source, destination, 32-bit length, 3 zero bytes, next header. */
    private static byte[] ipv6PseudoHeader(Ipv6Address s, Ipv6Address d, int nextHeader, int length) {
        byte[] b = new byte[40];
        s.write(b, 0);
        d.write(b, 16);
        Bytes.put32(b, 32, length);
        b[39] = (byte) nextHeader;
        return b;
    }

    private static byte[] ipv4PseudoHeader(Ipv4Address s, Ipv4Address d, int protocol, int length) {
        byte[] b = new byte[12];
        s.write(b, 0);
        d.write(b, 4);
        b[9] = (byte) protocol;
        Bytes.put16(b, 10, length);
        return b;
    }

    @Property(tries = 500) void ipv6SumIsTheSumOfTheLayout(@ForAll long h1, @ForAll long l1, @ForAll long h2, @ForAll long l2,
                                                         @ForAll @IntRange(min = 0, max = 0x7fffffff) int length,
                                                         @ForAll @IntRange(min = 0, max = 255) int nh) {
        Ipv6Address s = new Ipv6Address(h1, l1), d = new Ipv6Address(h2, l2);
        byte[] b = ipv6PseudoHeader(s, d, nh, length);
        assertEquals(Checksum.finish(Checksum.sum(0, b, 0, b.length)), Checksum.finish(Checksum.pseudoHeaderSum(s, d, nh, length)));
        // through the family-blind entry point too
        assertEquals(Checksum.finish(Checksum.pseudoHeaderSum(s, d, nh, length)),
                Checksum.finish(Checksum.pseudoHeaderSum((IpAddress) s, (IpAddress) d, nh, length)));
    }

    @Property(tries = 500) void ipv4SumIsTheSumOfTheLayout(@ForAll int a, @ForAll int c,
                                                         @ForAll @IntRange(min = 0, max = 0xffff) int length) {
        Ipv4Address s = new Ipv4Address(a), d = new Ipv4Address(c);
        byte[] b = ipv4PseudoHeader(s, d, 6, length);
        assertEquals(Checksum.finish(Checksum.sum(0, b, 0, b.length)),
                Checksum.finish(Checksum.pseudoHeaderSum((IpAddress) s, (IpAddress) d, 6, length)));
    }

    @Test void tcpOverIpv6RoundTrips() {
        TcpRepr seg = new TcpRepr(40000, 80, 1, 0, TcpRepr.SYN, 65535, 0, List.of(new TcpOption.Mss(1440)));
        byte[] buf = new byte[seg.headerLength() + 3];
        seg.emit(S6, D6, buf, 0, new byte[] {1, 2, 3}, 0, 3);
        assertInstanceOf(Parsed.Ok.class, TcpRepr.parse(S6, D6, buf, 0, buf.length, true));
        // the checksum covers the IPv6 addresses: another source fails it, and so does the IPv4 view
        assertInstanceOf(Parsed.Malformed.class, TcpRepr.parse(Ipv6Address.parse("2001:db8::2"), D6, buf, 0, buf.length, true));
        assertInstanceOf(Parsed.Malformed.class, TcpRepr.parse(S4, D4, buf, 0, buf.length, true));
        TcpEncoder enc = new TcpEncoder();
        enc.set(40000, 80, 5, 6, TcpRepr.ACK, 100, true, 7, 8);
        byte[] b2 = new byte[enc.headerLength()];
        enc.emit(S6, D6, b2, 0, null, 0, 0);
        assertInstanceOf(Parsed.Ok.class, TcpRepr.parse(S6, D6, b2, 0, b2.length, true));
    }

    @Test void udpOverIpv6RoundTrips() {
        byte[] buf = new byte[UdpRepr.HEADER_LENGTH + 4];
        new UdpRepr(5353, 53).emit(S6, D6, buf, 0, new byte[] {9, 8, 7, 6}, 0, 4);
        assertInstanceOf(Parsed.Ok.class, UdpRepr.parse(S6, D6, buf, 0, buf.length));
        assertInstanceOf(Parsed.Malformed.class, UdpRepr.parse(Ipv6Address.parse("2001:db8::3"), D6, buf, 0, buf.length));
    }

    @Test void mixedFamiliesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Checksum.pseudoHeaderSum((IpAddress) S4, (IpAddress) D6, 6, 20));
    }
}
