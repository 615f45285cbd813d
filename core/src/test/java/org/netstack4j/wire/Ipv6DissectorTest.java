package org.netstack4j.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.netstack4j.wire.DissectorTest.note;
import static org.netstack4j.wire.DissectorTest.value;
import static org.netstack4j.wire.Packets.hex;

import java.util.List;
import org.junit.jupiter.api.Test;

class Ipv6DissectorTest {

    static Dissection raw(String hex) { return DissectorTest.dissect(hex, LinkType.RAW_IP); }

    static List<String> layers(Dissection d) { return d.layers().stream().map(Dissection.Layer::name).toList(); }

    /** The router advertisement, every field of every layer, in RFC diagram order. */
    @Test void routerAdvertisementNamesEveryField() {
        Dissection d = DissectorTest.dissect(Packets6.ROUTER_ADVERTISEMENT_ETH, LinkType.ETHERNET);
        assertTrue(d.error().isEmpty(), d.render());
        assertEquals("""
                Frame
                    Length: 118 bytes
                    Link type: ETHERNET (1)
                Ethernet II
                    Destination: 33:33:00:00:00:01 [multicast]
                    Source: 02:00:00:00:00:01
                    Type: IPv6 (0x86dd)
                IPv6
                    Version: 6
                    Traffic class: 0x00 (DSCP 0, ECN 0)
                    Flow label: 0x00000
                    Payload length: 64
                    Next header: ICMPv6 (58)
                    Hop limit: 255
                    Source address: fe80::1 [link-local]
                    Destination address: ff02::1 [multicast]
                ICMPv6
                    Type: 134 (router advertisement)
                    Code: 0
                    Checksum: 0x7448 [correct]
                    Cur hop limit: 64
                    Flags: 0x88 (M)
                        Managed address configuration (M): Set
                        Other configuration (O): Not set
                        Home agent (H): Not set
                        Default router preference (Prf): high (1)
                        Proxy (P): Not set
                    Router lifetime: 1800 s
                    Reachable time: 30000 ms
                    Retrans timer: 1000 ms
                    Source link-layer address: 02:00:00:00:00:01 [type 1, 8 bytes]
                    MTU: 1500 [type 5, 8 bytes]
                    Prefix information: 2001:db8:1::/64 [type 3, 32 bytes]
                        Prefix length: 64
                        On-link (L): Set
                        Autonomous address configuration (A): Set
                        Valid lifetime: 2592000 s
                        Preferred lifetime: 604800 s
                        Prefix: 2001:db8:1::
                """, d.render());
    }

    @Test void echoAndHeaderFields() {
        Dissection d = raw(Packets6.ECHO_REQUEST);
        assertTrue(d.error().isEmpty(), d.render());
        assertEquals(List.of("Frame", "IPv6", "ICMPv6", "Payload"), layers(d));
        assertEquals("0xb8 (DSCP 46, ECN 0)", value(d, "IPv6", "Traffic class"));
        assertEquals("0x12345", value(d, "IPv6", "Flow label"));
        assertEquals("128 (echo request)", value(d, "ICMPv6", "Type"));
        assertEquals("0x1f2e (7982)", value(d, "ICMPv6", "Identifier"));
        assertEquals("correct", note(d, "ICMPv6", "Checksum"));
        assertEquals("101112131415161718191a1b1c1d1e1f", value(d, "Payload", "Bytes"));
    }

    @Test void neighborDiscoveryMessages() {
        Dissection ns = raw(Packets6.NEIGHBOR_SOLICITATION);
        assertTrue(ns.error().isEmpty(), ns.render());
        assertEquals("fe80::2", value(ns, "ICMPv6", "Target address"));
        assertEquals("02:00:00:00:00:01", value(ns, "ICMPv6", "Source link-layer address"));
        Dissection na = raw(Packets6.NEIGHBOR_ADVERTISEMENT);
        assertEquals("0x60000000 (S,O)", value(na, "ICMPv6", "Flags"));
        assertEquals("Not set", value(na, "ICMPv6", "Router (R)"));
        assertEquals("Set", value(na, "ICMPv6", "Override (O)"));
        assertEquals("02:00:00:00:00:02", value(na, "ICMPv6", "Target link-layer address"));
        Dissection rd = raw(Packets6.REDIRECT);
        assertEquals("fe80::3 [link-local]", value(rd, "ICMPv6", "Target address") + " [" + note(rd, "ICMPv6", "Target address") + "]");
        assertEquals("2001:db8:9::9", value(rd, "ICMPv6", "Destination address"));
        Dissection rs = raw(Packets6.ROUTER_SOLICITATION);
        assertEquals("133 (router solicitation)", value(rs, "ICMPv6", "Type"));
        assertEquals("0x00000000", value(rs, "ICMPv6", "Reserved"));
    }

    @Test void errorsShowTheQuotedPacket() {
        Dissection d = raw(Packets6.PACKET_TOO_BIG);
        assertTrue(d.error().isEmpty(), d.render());
        assertEquals("1400", value(d, "ICMPv6", "MTU"));
        assertEquals("TCP (6)", value(d, "Quoted IPv6 packet", "Next header"));
        assertEquals("80", value(d, "Quoted IPv6 packet", "Destination port"));
        Dissection pp = raw(Packets6.PARAMETER_PROBLEM);
        assertEquals("1 (unrecognized Next Header type encountered)", value(pp, "ICMPv6", "Code"));
        assertEquals("40", value(pp, "ICMPv6", "Pointer"));
        Dissection te = raw(Packets6.TIME_EXCEEDED);
        assertEquals("0 (hop limit exceeded in transit)", value(te, "ICMPv6", "Code"));
        assertEquals("9999", value(te, "Quoted IPv6 packet", "Destination port"));
        assertEquals("4 (port unreachable)", value(raw(Packets6.PORT_UNREACHABLE), "ICMPv6", "Code"));
    }

    @Test void tcpAndUdpChecksumsUseTheIpv6PseudoHeader() {
        Dissection t = DissectorTest.dissect(Packets6.TCP_SYN_ETH, LinkType.ETHERNET);
        assertTrue(t.error().isEmpty(), t.render());
        assertEquals("correct", note(t, "TCP", "Checksum"));
        assertEquals("1440", value(t, "TCP", "MSS"));
        Dissection u = raw(Packets6.UDP);
        assertTrue(u.error().isEmpty(), u.render());
        assertEquals("correct", note(u, "UDP", "Checksum"));
        // one bit of the source address changed: every checksum is wrong
        byte[] p = hex(Packets6.UDP);
        p[23] ^= 1;
        Dissection bad = Dissector.dissect(p, 0, p.length, LinkType.RAW_IP);
        assertEquals("INCORRECT, should be 0x7301", note(bad, "UDP", "Checksum"));
        assertEquals("udp", bad.error().orElseThrow().layer());
        assertEquals(46, bad.error().orElseThrow().offset());
        // RFC 8200 8.1: no zero UDP checksum over IPv6
        byte[] zero = hex(Packets6.UDP);
        Bytes.put16(zero, 46, 0);
        Dissection z = Dissector.dissect(zero, 0, zero.length, LinkType.RAW_IP);
        assertTrue(note(z, "UDP", "Checksum").startsWith("none: not allowed over IPv6 (RFC 8200 8.1), should be 0x7300"), z.render());
        assertTrue(z.error().isPresent());
    }

    @Test void badIcmpv6ChecksumIsShownAndReportedButTheMessageStillRead() {
        byte[] p = hex(Packets6.NEIGHBOR_ADVERTISEMENT);
        p[43] ^= 0x10;
        Dissection d = Dissector.dissect(p, 0, p.length, LinkType.RAW_IP);
        assertEquals("INCORRECT, should be 0x181a", note(d, "ICMPv6", "Checksum"));
        assertEquals("fe80::2", value(d, "ICMPv6", "Target address"));
        assertEquals("icmpv6: bad checksum 0x180a, should be 0x181a (at byte 42)", d.error().orElseThrow().toString());
    }

    @Test void extensionHeadersAndWhatAReceiverDoes() {
        Dissection h = raw(Packets6.HOP_BY_HOP_MLD);
        assertTrue(h.error().isEmpty(), h.render());
        assertEquals(List.of("Frame", "IPv6", "Hop-by-Hop Options", "ICMPv6", "Payload"), layers(h));
        assertEquals("0 (MLD)", value(h, "Hop-by-Hop Options", "Option Router Alert"));
        assertEquals("8 bytes (Hdr Ext Len 0)", value(h, "Hop-by-Hop Options", "Header length"));

        Dissection rh = raw(Packets6.ROUTING_TYPE_0);
        assertTrue(rh.error().isEmpty(), rh.render()); // well formed, refused: not malformed
        assertEquals("0 (source route, deprecated by RFC 5095)", value(rh, "Routing", "Routing type"));
        assertEquals("2", value(rh, "Routing", "Segments left"));
        assertEquals("2001:db8::4", value(rh, "Routing", "Address[1]"));
        assertEquals("parameter problem, code 0 (erroneous header field encountered), pointer 42",
                value(rh, "Receiver action", "Action"));

        Dissection dst = raw(Packets6.DESTINATION_OPTIONS_UDP);
        assertEquals("2 data bytes 6162", value(dst, "Destination Options", "Option type 0x1e"));
        assertEquals("skip if unrecognised", note(dst, "Destination Options", "Option type 0x1e"));
        assertEquals("correct", note(dst, "UDP", "Checksum"));

        Dissection f = raw(Packets6.FRAGMENT_FIRST);
        assertEquals(List.of("Frame", "IPv6", "Fragment", "Fragment data"), layers(f));
        assertEquals("0x12345678 (305419896)", value(f, "Fragment", "Identification"));
        assertEquals("Set", value(f, "Fragment", "More fragments"));
        assertEquals("0-15 of the fragmentable part (16 bytes)", value(f, "Fragment data", "Bytes"));

        Dissection a = raw(Packets6.ATOMIC_FRAGMENT);
        assertEquals("atomic fragment, processed whole (RFC 6946)", note(a, "Fragment", "Identification"));
        assertEquals("correct", note(a, "UDP", "Checksum"));

        byte[] unknown = hex(Packets6.UDP);
        unknown[6] = (byte) 253;
        Dissection u = Dissector.dissect(unknown, 0, unknown.length, LinkType.RAW_IP);
        assertEquals("parameter problem, code 1 (unrecognized Next Header type encountered), pointer 6",
                value(u, "Receiver action", "Action"));
        assertEquals("not dissected", note(u, "Payload", "Length"));
    }

    @Test void malformedIpv6IsReportedWithFrameOffsets() {
        Dissection d = DissectorTest.dissect(Packets6.ROUTER_ADVERTISEMENT_ETH.substring(0, 2 * 60), LinkType.ETHERNET);
        assertEquals("ipv6: payload length 64 exceeds the 6 bytes after the header (at byte 18)", d.error().orElseThrow().toString());
        byte[] p = hex(Packets6.ROUTING_TYPE_0);
        Bytes.put8(p, 41, 9); // Hdr Ext Len 9: 80 bytes, 48 available
        Dissection r = Dissector.dissect(p, 0, p.length, LinkType.RAW_IP);
        assertEquals("ipv6-routing: header length 80 (Hdr Ext Len 9) runs past the 48 bytes left in the packet (at byte 41)",
                r.error().orElseThrow().toString());
        assertFalse(r.internalError());
        // a short ND option list: the message layer is shown, then the reason
        byte[] ns = hex(Packets6.NEIGHBOR_SOLICITATION);
        ns[65] = 0;
        Ipv6CodecTest.fixChecksum(ns);
        Dissection n = Dissector.dissect(ns, 0, ns.length, LinkType.RAW_IP);
        assertEquals("icmpv6: option type 1 has length 0 (at byte 65)", n.error().orElseThrow().toString());
        assertEquals("correct", note(n, "ICMPv6", "Checksum"));
    }

    @Test void ethernetPaddingIsATrailer() {
        String padded = Packets6.TCP_SYN_ETH + "000000000000";
        Dissection d = DissectorTest.dissect(padded, LinkType.ETHERNET);
        assertTrue(d.error().isEmpty(), d.render());
        assertEquals("6 bytes", value(d, "Trailer", "Length"));
    }
}
