package org.netstack4j.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.netstack4j.wire.Packets.hex;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each kind of bad input gives a Malformed with a reason a person can act on, and the right offset. */
class MalformedTest {
    static final Ipv4Address A = Ipv4Address.parse("10.0.0.1"), B = Ipv4Address.parse("10.0.0.2");

    static Parsed.Malformed<?> malformed(Parsed<?> p) { return assertInstanceOf(Parsed.Malformed.class, p); }

    static void assertMalformed(Parsed<?> p, String layer, String reasonPart, int offset) {
        Parsed.Malformed<?> m = malformed(p);
        assertEquals(layer, m.layer(), m.toString());
        assertTrue(m.reason().contains(reasonPart), () -> "reason '" + m.reason() + "' lacks '" + reasonPart + "'");
        assertEquals(offset, m.offset(), m.toString());
    }

    /** A TCP segment with the given raw option bytes (already a multiple of 4) and a correct checksum. */
    static byte[] tcpWithOptions(int... options) {
        byte[] b = new byte[20 + options.length];
        Bytes.put16(b, 0, 1234);
        Bytes.put16(b, 2, 80);
        Bytes.put8(b, 12, (b.length / 4) << 4);
        Bytes.put8(b, 13, TcpRepr.SYN);
        Bytes.put16(b, 14, 1000);
        for (int i = 0; i < options.length; i++) b[20 + i] = (byte) options[i];
        fixTcpChecksum(b);
        return b;
    }

    static void fixTcpChecksum(byte[] b) {
        Bytes.put16(b, 16, 0);
        Bytes.put16(b, 16, Checksum.finish(Checksum.sum(Checksum.pseudoHeaderSum(A, B, 6, b.length), b, 0, b.length)));
    }

    // ---- TCP ------------------------------------------------------------------------------------

    @Test void tcpTruncated() {
        byte[] b = tcpWithOptions();
        assertMalformed(TcpRepr.parse(A, B, b, 0, 19, true), "tcp", "truncated: 19 bytes, header needs 20", 19);
    }

    @Test void tcpDataOffsetBelowFive() {
        byte[] b = tcpWithOptions();
        b[12] = 0x40;
        assertMalformed(TcpRepr.parse(A, B, b, 0, b.length, false), "tcp", "data offset 4 (16 bytes) < 5", 12);
    }

    @Test void tcpDataOffsetPastPacket() {
        byte[] b = tcpWithOptions(1, 1, 1, 1);
        b[12] = (byte) 0xf0;
        assertMalformed(TcpRepr.parse(A, B, b, 0, b.length, false), "tcp",
                "data offset 15 (60 bytes) runs past the 24-byte segment", 12);
    }

    @Test void tcpOptionRunsPastHeader() {
        byte[] b = tcpWithOptions(1, 2, 8, 0x05, 0xb4, 0, 0, 0); // NOP, MSS with length 8 overrunning
        assertMalformed(TcpRepr.parse(A, B, b, 0, b.length, true), "tcp", "option kind 2 length 8 runs past the header end", 22);
        // the same check holds when the option's length is correct but the header ends early
        byte[] c = tcpWithOptions(1, 1, 8, 10, 0, 0, 0, 1); // timestamps need 10 bytes, only 6 are left
        assertMalformed(TcpRepr.parse(A, B, c, 0, c.length, true), "tcp", "option kind 8 length 10 runs past", 23);
    }

    @Test void tcpOptionWithoutLengthByte() {
        byte[] b = tcpWithOptions(1, 1, 1, 2); // MSS kind in the last byte
        assertMalformed(TcpRepr.parse(A, B, b, 0, b.length, true), "tcp", "option kind 2 has no length byte", 23);
    }

    @Test void tcpOptionLengthBelowTwo() {
        byte[] b = tcpWithOptions(99, 1, 0, 0);
        assertMalformed(TcpRepr.parse(A, B, b, 0, b.length, true), "tcp", "option kind 99 has length 1 < 2", 21);
        byte[] c = tcpWithOptions(99, 0, 0, 0); // length 0 would loop forever in a naive parser
        assertMalformed(TcpRepr.parse(A, B, c, 0, c.length, true), "tcp", "length 0 < 2", 21);
    }

    @Test void tcpKnownOptionsWithWrongLengths() {
        assertMalformed(TcpRepr.parse(A, B, tcpWithOptions(2, 3, 5, 0), 0, 24, true), "tcp", "MSS option has length 3, should be 4", 21);
        assertMalformed(TcpRepr.parse(A, B, tcpWithOptions(3, 4, 7, 0), 0, 24, true), "tcp", "window scale option has length 4", 21);
        assertMalformed(TcpRepr.parse(A, B, tcpWithOptions(4, 3, 0, 0), 0, 24, true), "tcp", "SACK-permitted option has length 3", 21);
        assertMalformed(TcpRepr.parse(A, B, tcpWithOptions(8, 8, 0, 0, 0, 0, 0, 0), 0, 28, true), "tcp", "timestamps option has length 8", 21);
        assertMalformed(TcpRepr.parse(A, B, tcpWithOptions(5, 6, 0, 0, 0, 0, 0, 0), 0, 28, true), "tcp", "SACK option has length 6", 21);
        assertMalformed(TcpRepr.parse(A, B, tcpWithOptions(5, 2, 0, 0), 0, 24, true), "tcp", "SACK option has length 2", 21);
    }

    @Test void tcpBadChecksum() {
        byte[] b = tcpWithOptions(2, 4, 5, 0xb4);
        int good = Bytes.u16(b, 16);
        b[23] ^= 0x01; // flip a bit in the MSS value
        Parsed.Malformed<?> m = malformed(TcpRepr.parse(A, B, b, 0, b.length, true));
        assertEquals(16, m.offset());
        assertEquals(String.format("bad checksum 0x%04x, should be 0x%04x", good, TcpRepr.expectedChecksum(A, B, b, 0, b.length)), m.reason());
        assertTrue(TcpRepr.parse(A, B, b, 0, b.length, false).isOk(), "checksum not verified when not asked");
        // wrong pseudo-header (another destination) is a bad checksum too
        b[23] ^= 0x01;
        assertTrue(TcpRepr.parse(A, B, b, 0, b.length, true).isOk());
        assertInstanceOf(Parsed.Malformed.class, TcpRepr.parse(A, Ipv4Address.parse("10.0.0.3"), b, 0, b.length, true));
    }

    @Test void offsetsAreRelativeToTheParsersStart() {
        byte[] seg = tcpWithOptions();
        seg[12] = 0x30;
        byte[] b = new byte[100];
        System.arraycopy(seg, 0, b, 50, seg.length);
        assertMalformed(TcpRepr.parse(A, B, b, 50, seg.length, false), "tcp", "data offset 3", 12);
    }

    // ---- IPv4 -----------------------------------------------------------------------------------

    static byte[] ipv4() {
        byte[] b = new byte[40];
        Ipv4Repr.of(A, B, 6, 64, 20).emit(b, 0);
        return b;
    }

    static void fixIpChecksum(byte[] b) {
        Bytes.put16(b, 10, 0);
        Bytes.put16(b, 10, Checksum.compute(b, 0, (b[0] & 0xf) * 4));
    }

    @Test void ipv4Truncated() { assertMalformed(Ipv4Repr.parse(ipv4(), 0, 12), "ipv4", "truncated: 12 bytes, header needs 20", 12); }

    @Test void ipv4WrongVersion() {
        byte[] b = ipv4();
        b[0] = 0x65;
        assertMalformed(Ipv4Repr.parse(b, 0, b.length), "ipv4", "version 6 is not 4", 0);
    }

    @Test void ipv4IhlBelowFive() {
        byte[] b = ipv4();
        b[0] = 0x44;
        fixIpChecksum(b);
        assertMalformed(Ipv4Repr.parse(b, 0, b.length), "ipv4", "IHL 4 (16 bytes) < 5", 0);
    }

    @Test void ipv4IhlPastPacket() {
        byte[] b = ipv4();
        b[0] = 0x4f;
        assertMalformed(Ipv4Repr.parse(b, 0, 30), "ipv4", "IHL 15 (60 bytes) runs past the 30 bytes available", 0);
    }

    @Test void ipv4TotalLengthLies() {
        byte[] b = ipv4();
        Bytes.put16(b, 2, 41);
        fixIpChecksum(b);
        assertMalformed(Ipv4Repr.parse(b, 0, b.length), "ipv4", "total length 41 exceeds the 40 bytes available", 2);
        Bytes.put16(b, 2, 19);
        fixIpChecksum(b);
        assertMalformed(Ipv4Repr.parse(b, 0, b.length), "ipv4", "total length 19 < header length 20", 2);
    }

    @Test void ipv4BadChecksumSaysWhatItShouldBe() {
        byte[] b = ipv4();
        int good = Bytes.u16(b, 10);
        Bytes.put16(b, 10, good ^ 0x0101);
        assertMalformed(Ipv4Repr.parse(b, 0, b.length), "ipv4",
                String.format("bad header checksum 0x%04x, should be 0x%04x", good ^ 0x0101, good), 10);
    }

    @Test void ipv4EthernetPaddingIsIgnored() {
        byte[] b = Arrays.copyOf(ipv4(), 46);
        assertEquals(20, Ipv4Repr.parse(b, 0, b.length).value().payloadLength());
    }

    // ---- UDP, ICMP, ARP, Ethernet ---------------------------------------------------------------

    static byte[] udp(int plen) {
        byte[] b = new byte[8 + plen];
        new UdpRepr(1000, 53).emit(A, B, b, 0, new byte[plen], 0, plen);
        return b;
    }

    @Test void udpProblems() {
        assertMalformed(UdpRepr.parse(A, B, udp(4), 0, 7), "udp", "truncated: 7 bytes, header needs 8", 7);
        byte[] b = udp(4);
        Bytes.put16(b, 4, 7);
        assertMalformed(UdpRepr.parse(A, B, b, 0, b.length), "udp", "length field 7 < 8", 4);
        Bytes.put16(b, 4, 13);
        assertMalformed(UdpRepr.parse(A, B, b, 0, b.length), "udp", "length field 13 exceeds the 12 bytes available", 4);
        byte[] c = udp(4);
        c[9] = 1;
        assertMalformed(UdpRepr.parse(A, B, c, 0, c.length), "udp", "bad checksum", 6);
    }

    @Test void udpZeroChecksumMeansNone() {
        byte[] b = udp(4);
        b[9] = 1;
        Bytes.put16(b, 6, 0);
        assertEquals(new UdpRepr(1000, 53), UdpRepr.parse(A, B, b, 0, b.length).value());
    }

    @Test void udpComputedZeroIsSentAsAllOnes() {
        // find a payload whose checksum computes to zero, then check emit writes 0xffff and parse accepts it
        byte[] b = new byte[10];
        UdpRepr u = new UdpRepr(1, 2);
        u.emit(A, B, b, 0, new byte[2], 0, 2);
        int c = Bytes.u16(b, 6);
        // choose payload word = c (in one's complement, adding c makes the sum all ones: checksum 0)
        byte[] p = {(byte) (c >>> 8), (byte) c};
        u.emit(A, B, b, 0, p, 0, 2);
        assertEquals(0xffff, Bytes.u16(b, 6));
        assertTrue(UdpRepr.parse(A, B, b, 0, b.length).isOk());
    }

    @Test void icmpProblems() {
        byte[] b = new byte[12];
        new IcmpRepr.EchoRequest(1, 1, new byte[4]).emit(b, 0);
        assertMalformed(IcmpRepr.parse(b, 0, 7), "icmp", "truncated: 7 bytes, header needs 8", 7);
        b[11] = 9;
        assertMalformed(IcmpRepr.parse(b, 0, b.length), "icmp", "bad checksum", 2);
    }

    @Test void arpProblems() {
        byte[] b = hex(Packets.ARP_REQUEST);
        assertMalformed(ArpRepr.parse(b, 14, 27), "arp", "truncated: 27 bytes, ARP needs 28", 27);
        b[15] = 6;
        assertMalformed(ArpRepr.parse(b, 14, 28), "arp", "hardware type 6 is not Ethernet (1)", 0);
        b = hex(Packets.ARP_REQUEST);
        b[16] = (byte) 0x86;
        b[17] = (byte) 0xdd;
        assertMalformed(ArpRepr.parse(b, 14, 28), "arp", "protocol type 0x86dd is not IPv4", 2);
        b = hex(Packets.ARP_REQUEST);
        b[18] = 8;
        assertMalformed(ArpRepr.parse(b, 14, 28), "arp", "hardware address length 8 is not 6", 4);
    }

    @Test void ethernetTruncated() {
        assertMalformed(EthernetRepr.parse(new byte[13], 0, 13), "ethernet", "truncated: 13 bytes, header needs 14", 13);
    }

    @Test void badRangesAreMalformedNotExceptions() {
        byte[] b = new byte[10];
        assertInstanceOf(Parsed.Malformed.class, EthernetRepr.parse(b, 5, 10));
        assertInstanceOf(Parsed.Malformed.class, Ipv4Repr.parse(null, 0, 0));
        assertInstanceOf(Parsed.Malformed.class, TcpRepr.parse(A, B, b, -1, 4, true));
        assertInstanceOf(Parsed.Malformed.class, UdpRepr.parse(A, B, b, Integer.MAX_VALUE, 10));
    }

    // ---- construction errors are programmer errors: IllegalArgumentException -------------------

    @Test void outOfRangeValuesAreRejectedAtConstruction() {
        assertThrows(IllegalArgumentException.class, () -> new UdpRepr(65536, 1));
        assertThrows(IllegalArgumentException.class, () -> new TcpRepr(1, -1, 0, 0, 0, 0, 0, List.of()));
        assertThrows(IllegalArgumentException.class, () -> new TcpRepr(1, 1, 0, 0, 0x200, 0, 0, List.of())); // 0x100 is AE (RFC 9768)
        assertThrows(IllegalArgumentException.class, () -> new TcpRepr(1, 1, 0, 0, 0, 70000, 0, List.of()));
        assertThrows(IllegalArgumentException.class, () -> new TcpRepr(1, 1, 0, 0, 0, 0, 0,
                List.of(new TcpOption.EndOfList(), new TcpOption.Nop())));
        assertThrows(IllegalArgumentException.class, () -> new TcpRepr(1, 1, 0, 0, 0, 0, 0,
                List.of(new TcpOption.Timestamps(1, 1), new TcpOption.Timestamps(1, 1), new TcpOption.Timestamps(1, 1),
                        new TcpOption.Timestamps(1, 1), new TcpOption.Nop())));
        assertThrows(IllegalArgumentException.class, () -> new TcpOption.Mss(65536));
        assertThrows(IllegalArgumentException.class, () -> new TcpOption.Sack(List.of()));
        assertThrows(IllegalArgumentException.class, () -> new TcpOption.Unknown(2, new byte[2]));
        assertThrows(IllegalArgumentException.class, () -> new Ipv4Repr(0, 0, false, false, 7, 64, 6, A, B, new byte[0], 0));
        assertThrows(IllegalArgumentException.class, () -> new Ipv4Repr(0, 0, false, false, 0, 256, 6, A, B, new byte[0], 0));
        assertThrows(IllegalArgumentException.class, () -> new Ipv4Repr(0, 0, false, false, 0, 64, 6, A, B, new byte[3], 0));
        assertThrows(IllegalArgumentException.class, () -> new Ipv4Repr(0, 0, false, false, 0, 64, 6, A, B, new byte[0], 65516));
        assertThrows(IllegalArgumentException.class, () -> new IcmpRepr.EchoRequest(70000, 0, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> new IcmpRepr.Other(5, 0, new byte[3]));
        assertThrows(IllegalArgumentException.class, () -> new EthernetRepr(MacAddress.ZERO, MacAddress.ZERO, 0x10000));
        assertThrows(IllegalArgumentException.class, () -> LinkType.ofCode(105));
    }
}
