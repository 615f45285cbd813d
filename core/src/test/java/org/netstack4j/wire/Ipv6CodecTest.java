package org.netstack4j.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.netstack4j.wire.Packets.hex;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The IPv6, ICMPv6 and Neighbor Discovery codecs against Scapy's bytes, both ways. */
class Ipv6CodecTest {
    static final Ipv6Address HOST = Ipv6Address.parse("2001:db8::1"), PEER = Ipv6Address.parse("2001:db8::2"),
            ROUTER = Ipv6Address.parse("2001:db8::fe"), LL1 = Ipv6Address.parse("fe80::1"), LL2 = Ipv6Address.parse("fe80::2");
    static final Ipv6Address SOLICITED_LL2 = Ipv6Address.parse("ff02::1:ff00:2");
    static final MacAddress MAC1 = MacAddress.parse("02:00:00:00:00:01"), MAC2 = MacAddress.parse("02:00:00:00:00:02");

    /** Parses the packet's IPv6 header and its ICMPv6 message, and checks that emitting both gives the same bytes. */
    static Icmpv6Repr icmp(String hexPacket) {
        byte[] p = hex(hexPacket);
        Ipv6Repr ip = Ipv6Repr.parse(p, 0, p.length).value();
        assertEquals(Ipv6Repr.NH_ICMPV6, ip.nextHeader());
        Icmpv6Repr m = Icmpv6Repr.parse(ip.src(), ip.dst(), p, 40, ip.payloadLength()).value();
        assertEquals(ip.payloadLength(), m.length());
        byte[] out = new byte[p.length];
        assertEquals(40, ip.emit(out, 0));
        assertEquals(m.length(), m.emit(ip.src(), ip.dst(), out, 40));
        assertArrayEquals(p, out, () -> "re-emitted " + m + "\n" + Bytes.hex(out));
        return m;
    }

    @Test void ipv6HeaderFields() {
        byte[] p = hex(Packets6.ECHO_REQUEST);
        Ipv6Repr ip = Ipv6Repr.parse(p, 0, p.length).value();
        assertEquals(new Ipv6Repr(0xb8, 0x12345, 24, 58, 64, HOST, PEER), ip);
        assertEquals(46, ip.dscp());
        assertEquals(0, ip.ecn());
        assertEquals(64, ip.totalLength());
        Ipv6HeaderView v = Ipv6HeaderView.of(p, 0, p.length).value();
        assertEquals(6, v.version());
        assertEquals(0xb8, v.trafficClass());
        assertEquals(0x12345, v.flowLabel());
        assertEquals(24, v.payloadLength());
        assertEquals(40, v.payloadOffset());
        assertEquals("2001:db8::1 > 2001:db8::2: ICMPv6, hlim 64, tc 0xb8, flow 0x12345, payload length 24", ip.toString());
    }

    @Test void malformedIpv6HeadersAreValues() {
        byte[] p = hex(Packets6.ECHO_REQUEST);
        assertEquals("ipv6: truncated: 39 bytes, header needs 40 (at byte 39)", Ipv6Repr.parse(p, 0, 39).toString());
        assertEquals("ipv6: payload length 24 exceeds the 23 bytes after the header (at byte 4)", Ipv6Repr.parse(p, 0, 63).toString());
        byte[] v4 = p.clone();
        v4[0] = 0x45;
        assertEquals("ipv6: version 4 is not 6 (at byte 0)", Ipv6Repr.parse(v4, 0, v4.length).toString());
        assertEquals(MalformedKind.BAD_HEADER, ((Parsed.Malformed<?>) Ipv6Repr.parse(v4, 0, v4.length)).kind());
        assertEquals(MalformedKind.TRUNCATED, ((Parsed.Malformed<?>) Ipv6Repr.parse(p, 0, 63)).kind());
        assertEquals(MalformedKind.BAD_RANGE, ((Parsed.Malformed<?>) Ipv6Repr.parse(p, 10, p.length)).kind());
        assertFalse(Ipv6Repr.parse(null, 0, 0).isOk());
        // trailing bytes (Ethernet padding) are not part of the packet
        byte[] padded = Arrays.copyOf(p, p.length + 6);
        assertEquals(24, Ipv6Repr.parse(padded, 0, padded.length).value().payloadLength());
    }

    @Test void echo() {
        byte[] data = new byte[16];
        for (int i = 0; i < 16; i++) data[i] = (byte) (0x10 + i);
        assertEquals(new Icmpv6Repr.EchoRequest(0x1f2e, 1, data), icmp(Packets6.ECHO_REQUEST));
        assertEquals(new Icmpv6Repr.EchoReply(0x1f2e, 1, data), icmp(Packets6.ECHO_REPLY));
    }

    @Test void errorsQuoteTheInvokingPacket() {
        byte[] quoted = Arrays.copyOfRange(hex(Packets6.PORT_UNREACHABLE), 48, 101);
        assertEquals(new Icmpv6Repr.DestinationUnreachable(Icmpv6Repr.CODE_PORT_UNREACHABLE, quoted), icmp(Packets6.PORT_UNREACHABLE));
        assertEquals(new Icmpv6Repr.TimeExceeded(Icmpv6Repr.CODE_HOP_LIMIT_EXCEEDED, quoted), icmp(Packets6.TIME_EXCEEDED));
        assertEquals(new Icmpv6Repr.ParameterProblem(Ipv6Chain.CODE_UNRECOGNIZED_NEXT_HEADER, 40, quoted), icmp(Packets6.PARAMETER_PROBLEM));
        Icmpv6Repr ptb = icmp(Packets6.PACKET_TOO_BIG);
        assertEquals(1400, assertInstanceOf(Icmpv6Repr.PacketTooBig.class, ptb).mtu());
        assertEquals(100, ((Icmpv6Repr.PacketTooBig) ptb).data().length);
        assertTrue(ptb.isError());
        // RFC 4443 2.4 (c): at most 1280 bytes in all
        assertEquals(1280 - 48, Icmpv6Repr.quote(new byte[3000], 0, 3000).length);
        assertEquals(100, Icmpv6Repr.quote(new byte[3000], 5, 100).length);
    }

    @Test void routerSolicitation() {
        assertEquals(new Icmpv6Repr.RouterSolicitation(List.of(new NdOption.SourceLinkLayerAddress(MAC1))),
                icmp(Packets6.ROUTER_SOLICITATION));
    }

    @Test void routerAdvertisement() {
        String pkt = Packets6.ROUTER_ADVERTISEMENT_ETH.substring(28);
        Icmpv6Repr m = icmp(pkt);
        Icmpv6Repr.RouterAdvertisement ra = assertInstanceOf(Icmpv6Repr.RouterAdvertisement.class, m);
        assertEquals(64, ra.curHopLimit());
        assertTrue(ra.managed());
        assertFalse(ra.other());
        assertEquals(1, ra.preference()); // Scapy's default: high
        assertEquals(1800, ra.routerLifetime());
        assertEquals(30000, ra.reachableTime());
        assertEquals(1000, ra.retransTimer());
        assertEquals(List.of(new NdOption.SourceLinkLayerAddress(MAC1), new NdOption.Mtu(1500),
                new NdOption.PrefixInformation(64, true, true, 2592000, 604800, Ipv6Address.parse("2001:db8:1::"))), ra.options());
    }

    @Test void neighborSolicitationAndAdvertisement() {
        assertEquals(new Icmpv6Repr.NeighborSolicitation(LL2, List.of(new NdOption.SourceLinkLayerAddress(MAC1))),
                icmp(Packets6.NEIGHBOR_SOLICITATION));
        assertEquals(new Icmpv6Repr.NeighborAdvertisement(false, true, true, LL2, List.of(new NdOption.TargetLinkLayerAddress(MAC2))),
                icmp(Packets6.NEIGHBOR_ADVERTISEMENT));
    }

    @Test void redirect() {
        assertEquals(new Icmpv6Repr.Redirect(Ipv6Address.parse("fe80::3"), Ipv6Address.parse("2001:db8:9::9"),
                List.of(new NdOption.TargetLinkLayerAddress(MacAddress.parse("02:00:00:00:00:03")))), icmp(Packets6.REDIRECT));
    }

    @Test void checksumCoversThePseudoHeader() {
        byte[] p = hex(Packets6.ECHO_REQUEST);
        // the same bytes from another source fail: the addresses are in the sum (RFC 4443 2.3)
        assertEquals("icmpv6: bad checksum 0x4c48, should be 0x4c49 (at byte 2)",
                Icmpv6Repr.parse(Ipv6Address.parse("2001:db8::"), PEER, p, 40, 24).toString());
        assertEquals(MalformedKind.CHECKSUM, ((Parsed.Malformed<?>) Icmpv6Repr.parse(Ipv6Address.parse("2001:db8::"), PEER, p, 40, 24)).kind());
        p[50] ^= 1;
        assertFalse(Icmpv6Repr.parse(HOST, PEER, p, 40, 24).isOk());
        // RFC 8200 8.1 pseudo-header, summed by hand: addresses, 32-bit length, zeros, next header
        byte[] ph = new byte[40];
        HOST.write(ph, 0);
        PEER.write(ph, 16);
        Bytes.put32(ph, 32, 70000);
        Bytes.put32(ph, 36, 58);
        assertEquals(Checksum.finish(Checksum.sum(0, ph, 0, 40)), Checksum.finish(Checksum.pseudoHeaderSum(HOST, PEER, 58, 70000)));
    }

    @Test void ndOptionsOfLengthZeroOrRunningOverAreMalformed() {
        byte[] p = hex(Packets6.NEIGHBOR_SOLICITATION);
        byte[] zero = p.clone();
        zero[65] = 0; // option length
        fixChecksum(zero);
        assertEquals("icmpv6: option type 1 has length 0 (at byte 25)", Icmpv6Repr.parse(LL1, srcDst(zero)[1], zero, 40, 32).toString());
        assertEquals(MalformedKind.BAD_OPTION, ((Parsed.Malformed<?>) Icmpv6Repr.parse(LL1, srcDst(zero)[1], zero, 40, 32)).kind());
        byte[] over = p.clone();
        over[65] = 2;
        fixChecksum(over);
        assertEquals("icmpv6: option type 1 length 16 runs past the 8 bytes left (at byte 25)",
                Icmpv6Repr.parse(LL1, srcDst(over)[1], over, 40, 32).toString());
        // an NS shorter than 24 bytes
        assertEquals("icmpv6: neighbor solicitation of 16 bytes, needs at least 24 (at byte 16)",
                Icmpv6Repr.parseBody(p, 40, 16).toString());
    }

    @Test void unknownNdOptionsAreSkippedByLength() {
        NdOption nonce = new NdOption.Unknown(14, new byte[] {1, 2, 3, 4, 5, 6});
        var ns = new Icmpv6Repr.NeighborSolicitation(LL2, List.of(nonce, new NdOption.SourceLinkLayerAddress(MAC1)));
        byte[] b = new byte[ns.length()];
        ns.emit(Ipv6Address.ANY, SOLICITED_LL2, b, 0);
        assertEquals(ns, Icmpv6Repr.parse(Ipv6Address.ANY, SOLICITED_LL2, b, 0, b.length).value());
    }

    @Test void ndMessagesWithANonZeroCodeAreOther() {
        byte[] p = hex(Packets6.NEIGHBOR_ADVERTISEMENT);
        p[41] = 1;
        fixChecksum(p);
        Icmpv6Repr m = Icmpv6Repr.parse(LL2, LL1, p, 40, 32).value();
        assertEquals(136, assertInstanceOf(Icmpv6Repr.Other.class, m).type());
        assertEquals(1, m.code());
    }

    static Ipv6Address[] srcDst(byte[] p) { return new Ipv6Address[] {Ipv6Address.read(p, 8), Ipv6Address.read(p, 24)}; }

    /** Recomputes the ICMPv6 checksum of a raw packet after a test changed a byte. */
    static void fixChecksum(byte[] p) {
        int len = Bytes.u16(p, 4);
        Bytes.put16(p, 42, 0);
        Bytes.put16(p, 42, Checksum.finish(Checksum.sum(
                Checksum.pseudoHeaderSum(Ipv6Address.read(p, 8), Ipv6Address.read(p, 24), 58, len), p, 40, len)));
    }

    @Test void extensionHeadersRoundTrip() {
        byte[] p = hex(Packets6.ROUTING_TYPE_0);
        var r = assertInstanceOf(Ipv6ExtensionHeader.Routing.class, Ipv6ExtensionHeader.parse(43, p, 40, p.length).value());
        assertEquals(0, r.routingType());
        assertEquals(2, r.segmentsLeft());
        assertEquals(17, r.nextHeader());
        assertEquals(40, r.length());
        byte[] out = new byte[40];
        r.emit(out, 0);
        assertArrayEquals(Arrays.copyOfRange(p, 40, 80), out);

        p = hex(Packets6.FRAGMENT_FIRST);
        var f = assertInstanceOf(Ipv6ExtensionHeader.Fragment.class, Ipv6ExtensionHeader.parse(44, p, 40, p.length).value());
        assertEquals(new Ipv6ExtensionHeader.Fragment(17, 0, true, 0x12345678), f);
        assertFalse(f.isAtomic());
        out = new byte[8];
        f.emit(out, 0);
        assertArrayEquals(Arrays.copyOfRange(p, 40, 48), out);

        p = hex(Packets6.HOP_BY_HOP_MLD);
        var h = assertInstanceOf(Ipv6ExtensionHeader.HopByHop.class, Ipv6ExtensionHeader.parse(0, p, 40, p.length).value());
        assertEquals(Ipv6ExtensionHeader.HopByHop.padded(58, List.of(new Ipv6Option.RouterAlert(0))), h);
        out = new byte[8];
        h.emit(out, 0);
        assertArrayEquals(Arrays.copyOfRange(p, 40, 48), out);

        p = hex(Packets6.DESTINATION_OPTIONS_UDP);
        var d = assertInstanceOf(Ipv6ExtensionHeader.DestinationOptions.class, Ipv6ExtensionHeader.parse(60, p, 40, p.length).value());
        assertEquals(List.of(new Ipv6Option.Unknown(0x1e, new byte[] {'a', 'b'}), new Ipv6Option.PadN(0)), d.options());
        assertEquals(Ipv6Option.Action.SKIP, Ipv6Option.action(0x1e));
        // fragment offsets are 13 bits of 8-byte units
        Ipv6ExtensionHeader.Fragment last = new Ipv6ExtensionHeader.Fragment(6, 0x1fff * 8, false, -1);
        out = new byte[8];
        last.emit(out, 0);
        assertEquals("0600fff8ffffffff", Bytes.hex(out));
        assertEquals(last, Ipv6ExtensionHeader.parse(44, out, 0, 8).value());
    }

    @Test void optionActionsFollowTheTwoHighBits() {
        assertEquals(Ipv6Option.Action.SKIP, Ipv6Option.action(0x3f));
        assertEquals(Ipv6Option.Action.DISCARD, Ipv6Option.action(0x40));
        assertEquals(Ipv6Option.Action.DISCARD_AND_REPORT, Ipv6Option.action(0x80));
        assertEquals(Ipv6Option.Action.DISCARD_AND_REPORT_UNLESS_MULTICAST, Ipv6Option.action(0xc2));
        assertTrue(Ipv6Option.mayChange(0x26));
        assertFalse(Ipv6Option.mayChange(0x05));
    }

    @Test void truncatedExtensionHeadersAreMalformed() {
        byte[] p = hex(Packets6.ROUTING_TYPE_0);
        assertEquals("ipv6-routing: header length 40 (Hdr Ext Len 4) runs past the 39 bytes left in the packet (at byte 1)",
                Ipv6ExtensionHeader.parse(43, p, 40, 79).toString());
        assertEquals("ipv6-fragment: truncated: 7 bytes, header needs at least 8 (at byte 7)",
                Ipv6ExtensionHeader.parse(44, p, 40, 47).toString());
        byte[] opt = hex("3a00" + "c204000000"); // jumbo option of 4 data bytes in a 7-byte region
        assertEquals("ipv6-hop-by-hop: header length 8 (Hdr Ext Len 0) runs past the 7 bytes left in the packet (at byte 1)",
                Ipv6ExtensionHeader.parse(0, opt, 0, opt.length).toString());
        byte[] over = hex("3a00" + "1e05000000000000"); // option data length 5 in a header ending 4 bytes later
        assertEquals("ipv6-hop-by-hop: option type 0x1e data length 5 runs 1 bytes past the end of the header (at byte 3)",
                Ipv6ExtensionHeader.parse(0, over, 0, over.length).toString());
    }
}
