package org.netstack4j.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.netstack4j.wire.Packets.hex;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the receive walk (RFC 8200 4) tells the IP layer to do. */
class Ipv6ChainTest {
    static final Ipv6Address SRC = Ipv6Address.parse("2001:db8::1"), DST = Ipv6Address.parse("2001:db8::2");
    static final Ipv6Address ALL_NODES = Ipv6Address.parse("ff02::1");
    static final byte[] UDP = hex("0001000200090000" + "7a");

    /** An IPv6 packet to dst with these extension headers (chained in order), then the upper-layer bytes. */
    static byte[] packet(Ipv6Address dst, int upper, byte[] upperBytes, Ipv6ExtensionHeader... headers) {
        int len = upperBytes.length;
        for (Ipv6ExtensionHeader h : headers) len += h.length();
        byte[] p = new byte[40 + len];
        new Ipv6Repr(0, 0, len, headers.length == 0 ? upper : headers[0].protocol(), 64, SRC, dst).emit(p, 0);
        int at = 40;
        for (Ipv6ExtensionHeader h : headers) at += h.emit(p, at);
        System.arraycopy(upperBytes, 0, p, at, upperBytes.length);
        return p;
    }

    static Ipv6Chain.Verdict walk(byte[] p) { return Ipv6Chain.walk(p, 0, p.length); }

    static Ipv6ExtensionHeader.DestinationOptions dest(int nh, Ipv6Option... o) {
        return Ipv6ExtensionHeader.DestinationOptions.padded(nh, List.of(o));
    }

    static void parameterProblem(Ipv6Chain.Verdict v, int code, int pointer) {
        var pp = assertInstanceOf(Ipv6Chain.Verdict.ParameterProblem.class, v, v::toString);
        assertEquals(code, pp.code(), pp::toString);
        assertEquals(pointer, pp.pointer(), pp::toString);
    }

    @Test void noExtensionHeadersDeliversAt40() {
        var d = assertInstanceOf(Ipv6Chain.Verdict.Deliver.class, walk(packet(DST, 17, UDP)));
        assertEquals(new Ipv6Chain.Verdict.Deliver(List.of(), 17, 40, 9), d);
    }

    @Test void scapyPackets() {
        byte[] p = hex(Packets6.DESTINATION_OPTIONS_UDP);
        var d = assertInstanceOf(Ipv6Chain.Verdict.Deliver.class, walk(p));
        assertEquals(17, d.nextHeader());
        assertEquals(48, d.offset());
        assertEquals(9, d.length());
        assertEquals(40, d.headers().getFirst().offset());
        // RFC 5095: type 0 with segments left is refused, pointing at the Routing Type byte
        parameterProblem(walk(hex(Packets6.ROUTING_TYPE_0)), Ipv6Chain.CODE_ERRONEOUS_HEADER, 42);
        var hbh = assertInstanceOf(Ipv6Chain.Verdict.Deliver.class, walk(hex(Packets6.HOP_BY_HOP_MLD)));
        assertEquals(58, hbh.nextHeader());
        assertEquals(48, hbh.offset());
        var frag = assertInstanceOf(Ipv6Chain.Verdict.Reassemble.class, walk(hex(Packets6.FRAGMENT_FIRST)));
        assertEquals(new Ipv6ExtensionHeader.Fragment(17, 0, true, 0x12345678), frag.fragment());
        assertEquals(40, frag.fragmentHeaderOffset());
        assertEquals(48, frag.dataOffset());
        assertEquals(16, frag.dataLength());
        // RFC 6946: an atomic fragment is delivered whole
        var atomic = assertInstanceOf(Ipv6Chain.Verdict.Deliver.class, walk(hex(Packets6.ATOMIC_FRAGMENT)));
        assertEquals(17, atomic.nextHeader());
        assertEquals(48, atomic.offset());
        assertTrue(((Ipv6ExtensionHeader.Fragment) atomic.headers().getFirst().header()).isAtomic());
    }

    @Test void routingHeadersWithNoSegmentsLeftAreIgnored() {
        byte[] data = new byte[20]; // 4 reserved + one address
        for (int type : new int[] {0, 2, 3, 4, 200}) {
            var r = new Ipv6ExtensionHeader.Routing(17, type, 0, data);
            var d = assertInstanceOf(Ipv6Chain.Verdict.Deliver.class, walk(packet(DST, 17, UDP, r)), "type " + type);
            assertEquals(64, d.offset());
            // RFC 8200 4.4: with segments left, an unrecognised type is a parameter problem at the type byte
            parameterProblem(walk(packet(DST, 17, UDP, new Ipv6ExtensionHeader.Routing(17, type, 1, data))),
                    Ipv6Chain.CODE_ERRONEOUS_HEADER, 42);
        }
        // behind a destination options header, the pointer moves with it
        parameterProblem(walk(packet(DST, 17, UDP, dest(43), new Ipv6ExtensionHeader.Routing(17, 0, 1, data))),
                Ipv6Chain.CODE_ERRONEOUS_HEADER, 50);
    }

    @Test void unknownOptionsGetTheActionOfTheirTwoHighBits() {
        byte[] two = {1, 2};
        // 00 skip
        assertInstanceOf(Ipv6Chain.Verdict.Deliver.class, walk(packet(DST, 17, UDP, dest(17, new Ipv6Option.Unknown(0x1e, two)))));
        // 01 discard
        var drop = assertInstanceOf(Ipv6Chain.Verdict.Drop.class, walk(packet(DST, 17, UDP, dest(17, new Ipv6Option.Unknown(0x5e, two)))));
        assertTrue(drop.reason().contains("action 01"), drop.reason());
        // 10 discard + parameter problem code 2 at the option type, even for multicast
        parameterProblem(walk(packet(DST, 17, UDP, dest(17, new Ipv6Option.Pad1(), new Ipv6Option.Unknown(0x9e, two)))),
                Ipv6Chain.CODE_UNRECOGNIZED_OPTION, 43);
        parameterProblem(walk(packet(ALL_NODES, 17, UDP, dest(17, new Ipv6Option.Unknown(0x9e, two)))),
                Ipv6Chain.CODE_UNRECOGNIZED_OPTION, 42);
        // 11 as 10, but only when the destination is not multicast
        parameterProblem(walk(packet(DST, 17, UDP, dest(17, new Ipv6Option.Unknown(0xde, two)))), Ipv6Chain.CODE_UNRECOGNIZED_OPTION, 42);
        assertInstanceOf(Ipv6Chain.Verdict.Drop.class, walk(packet(ALL_NODES, 17, UDP, dest(17, new Ipv6Option.Unknown(0xde, two)))));
        // the same rules in a hop-by-hop header; Router Alert is known
        var hbh = Ipv6ExtensionHeader.HopByHop.padded(17, List.of(new Ipv6Option.RouterAlert(0), new Ipv6Option.Unknown(0xc2, new byte[4])));
        parameterProblem(walk(packet(DST, 17, UDP, hbh)), Ipv6Chain.CODE_UNRECOGNIZED_OPTION, 46);
    }

    @Test void unknownNextHeaderPointsAtTheFieldThatNamedIt() {
        // in the fixed header: byte 6
        parameterProblem(walk(packet(DST, 253, UDP)), Ipv6Chain.CODE_UNRECOGNIZED_NEXT_HEADER, 6);
        // after a destination options header at 40: its Next Header byte, 40
        parameterProblem(walk(packet(DST, 253, UDP, dest(253))), Ipv6Chain.CODE_UNRECOGNIZED_NEXT_HEADER, 40);
        // after two: 48
        parameterProblem(walk(packet(DST, 253, UDP, dest(60), dest(253))), Ipv6Chain.CODE_UNRECOGNIZED_NEXT_HEADER, 48);
        // the caller decides what it knows
        var v = Ipv6Chain.walk(packet(DST, 253, UDP, dest(253)), 0, 57, Ipv6Chain.Limits.DEFAULT, nh -> nh == 253);
        assertEquals(253, assertInstanceOf(Ipv6Chain.Verdict.Deliver.class, v).nextHeader());
        // No Next Header: nothing to deliver, no error (RFC 8200 4.7)
        assertEquals(59, assertInstanceOf(Ipv6Chain.Verdict.Deliver.class, walk(packet(DST, 59, UDP, dest(59)))).nextHeader());
    }

    @Test void hopByHopOnlyFirst() {
        var hbh = Ipv6ExtensionHeader.HopByHop.padded(17, List.of());
        assertInstanceOf(Ipv6Chain.Verdict.Deliver.class, walk(packet(DST, 17, UDP, hbh)));
        parameterProblem(walk(packet(DST, 17, UDP, dest(0), hbh)), Ipv6Chain.CODE_UNRECOGNIZED_NEXT_HEADER, 40);
    }

    @Test void fragmentsFollowRfc8200Section45() {
        byte[] data16 = new byte[16];
        var first = new Ipv6ExtensionHeader.Fragment(17, 0, true, 9);
        var r = assertInstanceOf(Ipv6Chain.Verdict.Reassemble.class, walk(packet(DST, 17, data16, first)));
        assertEquals(48, r.dataOffset());
        assertEquals(16, r.dataLength());
        // M set and a length that is not a multiple of 8: pointer to Payload Length
        parameterProblem(walk(packet(DST, 17, new byte[13], first)), Ipv6Chain.CODE_ERRONEOUS_HEADER, 4);
        // the last fragment may have any length
        var last = new Ipv6ExtensionHeader.Fragment(17, 1024, false, 9);
        assertInstanceOf(Ipv6Chain.Verdict.Reassemble.class, walk(packet(DST, 17, new byte[13], last)));
        // offset + length beyond 65535: pointer to the Fragment Offset field
        var far = new Ipv6ExtensionHeader.Fragment(17, 65528, false, 9);
        parameterProblem(walk(packet(DST, 17, new byte[8], far)), Ipv6Chain.CODE_ERRONEOUS_HEADER, 42);
        assertInstanceOf(Ipv6Chain.Verdict.Reassemble.class, walk(packet(DST, 17, new byte[7], far)));
        // RFC 7112: a first fragment must hold the whole header chain (code 3, pointer 0)
        var firstOfChain = new Ipv6ExtensionHeader.Fragment(60, 0, true, 9);
        byte[] truncatedDestOpts = hex("1101000000000000"); // says 16 bytes, has 8
        parameterProblem(walk(packet(DST, 60, truncatedDestOpts, firstOfChain)), Ipv6Chain.CODE_INCOMPLETE_HEADER_CHAIN, 0);
        assertInstanceOf(Ipv6Chain.Verdict.Reassemble.class, walk(packet(DST, 60, hex("1100000000000000"), firstOfChain)));
    }

    @Test void limitsBoundTheWalk() {
        List<Ipv6ExtensionHeader> many = new ArrayList<>();
        for (int i = 0; i < 9; i++) many.add(dest(i == 8 ? 17 : 60));
        var d = assertInstanceOf(Ipv6Chain.Verdict.Drop.class, walk(packet(DST, 17, UDP, many.toArray(Ipv6ExtensionHeader[]::new))));
        assertEquals("more than 8 extension headers", d.reason());
        assertEquals(8, d.headers().size());
        assertInstanceOf(Ipv6Chain.Verdict.Deliver.class,
                walk(packet(DST, 17, UDP, many.subList(1, 9).toArray(Ipv6ExtensionHeader[]::new))));
        // long chains
        var big = Ipv6ExtensionHeader.DestinationOptions.padded(17, List.of(new Ipv6Option.Unknown(0x1e, new byte[255]),
                new Ipv6Option.Unknown(0x1e, new byte[255]), new Ipv6Option.Unknown(0x1e, new byte[255]),
                new Ipv6Option.Unknown(0x1e, new byte[255]), new Ipv6Option.Unknown(0x1e, new byte[255])));
        assertEquals("extension headers longer than 1024 bytes",
                assertInstanceOf(Ipv6Chain.Verdict.Drop.class, walk(packet(DST, 17, UDP, big))).reason());
        var loose = new Ipv6Chain.Limits(8, 2048, 8, 7);
        assertInstanceOf(Ipv6Chain.Verdict.Deliver.class, Ipv6Chain.walk(packet(DST, 17, UDP, big), 0, 40 + big.length() + 9, loose, nh -> true));
        // more than 7 bytes of padding in a row (RFC 8504 5.3)
        var padded = new Ipv6ExtensionHeader.DestinationOptions(17, List.of(new Ipv6Option.PadN(4), new Ipv6Option.PadN(0),
                new Ipv6Option.Unknown(0x1e, new byte[4])));
        assertTrue(assertInstanceOf(Ipv6Chain.Verdict.Drop.class, walk(packet(DST, 17, UDP, padded))).reason().contains("padding"));
        // more than 8 options in one header
        List<Ipv6Option> nine = new ArrayList<>();
        for (int i = 0; i < 9; i++) nine.add(new Ipv6Option.Unknown(0x1e, new byte[0]));
        assertEquals("more than 8 options in one header",
                assertInstanceOf(Ipv6Chain.Verdict.Drop.class, walk(packet(DST, 17, UDP, dest(17, nine.toArray(Ipv6Option[]::new))))).reason());
    }

    @Test void brokenPacketsAreInvalid() {
        byte[] p = hex(Packets6.ROUTING_TYPE_0);
        var v = assertInstanceOf(Ipv6Chain.Verdict.Invalid.class, Ipv6Chain.walk(p, 0, 39));
        assertEquals("ipv6", v.problem().layer());
        byte[] cut = java.util.Arrays.copyOf(p, 70);
        Bytes.put16(cut, 4, 30);
        var in = assertInstanceOf(Ipv6Chain.Verdict.Invalid.class, walk(cut));
        assertEquals("ipv6-routing: header length 40 (Hdr Ext Len 4) runs past the 30 bytes left in the packet (at byte 41)",
                in.problem().toString());
    }
}
