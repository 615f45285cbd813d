package org.netstack4j.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** IPv6, extension header, ICMPv6 and ND codec properties: parse(emit(x)) == x; untrusted bytes never throw. Seeds fixed. */
class Ipv6Properties {

    // ---- generators -------------------------------------------------------------------------

    @Provide Arbitrary<Ipv6Address> addresses() {
        Arbitrary<Ipv6Address> any = Combinators.combine(Arbitraries.longs(), Arbitraries.longs()).as(Ipv6Address::new);
        Arbitrary<Ipv6Address> linkLocal = Arbitraries.longs().map(lo -> new Ipv6Address(0xfe80L << 48, lo));
        Arbitrary<Ipv6Address> multicast = Arbitraries.longs().map(lo -> new Ipv6Address(0xff02L << 48, lo & 0xffff));
        return Arbitraries.oneOf(any, linkLocal, multicast, Arbitraries.just(Ipv6Address.ANY));
    }

    static Arbitrary<Integer> u8() { return Arbitraries.integers().between(0, 0xff); }
    static Arbitrary<Integer> u16() { return Arbitraries.integers().between(0, 0xffff); }
    static Arbitrary<Long> u32() { return Arbitraries.longs().between(0, 0xffff_ffffL); }
    static Arbitrary<byte[]> bytes(int min, int max) { return Arbitraries.bytes().array(byte[].class).ofMinSize(min).ofMaxSize(max); }
    static Arbitrary<byte[]> units(int minUnits, int maxUnits, int minus) {
        return Arbitraries.integers().between(minUnits, maxUnits).flatMap(n -> bytes(8 * n - minus, 8 * n - minus));
    }

    @Provide Arbitrary<Ipv6Repr> headers() {
        return Combinators.combine(u8(), Arbitraries.integers().between(0, 0xf_ffff), u16(), u8(), u8(), addresses(), addresses())
                .as(Ipv6Repr::new);
    }

    static Arbitrary<Ipv6Option> option() {
        return Arbitraries.oneOf(
                Arbitraries.just(new Ipv6Option.Pad1()),
                Arbitraries.integers().between(0, 5).map(Ipv6Option.PadN::new),
                u16().map(Ipv6Option.RouterAlert::new),
                Combinators.combine(u8(), bytes(0, 12)).filter((t, d) -> t > 1 && !(t == 5 && d.length == 2))
                        .as(Ipv6Option.Unknown::new));
    }

    @Provide Arbitrary<Ipv6ExtensionHeader> extensionHeaders() {
        Arbitrary<List<Ipv6Option>> opts = option().list().ofMaxSize(6);
        return Arbitraries.oneOf(
                Combinators.combine(u8(), opts).as(Ipv6ExtensionHeader.HopByHop::padded),
                Combinators.combine(u8(), opts).as(Ipv6ExtensionHeader.DestinationOptions::padded),
                Combinators.combine(u8(), u8(), u8(), units(1, 4, 4)).as(Ipv6ExtensionHeader.Routing::new),
                Combinators.combine(u8(), Arbitraries.integers().between(0, 0x1fff), Arbitraries.of(true, false), Arbitraries.integers())
                        .as((nh, o, m, id) -> new Ipv6ExtensionHeader.Fragment(nh, o * 8, m, id)));
    }

    @Provide Arbitrary<List<Ipv6ExtensionHeader>> chains() { return extensionHeaders().list().ofMaxSize(10); }

    static Arbitrary<MacAddress> macs() { return Arbitraries.longs().between(0, 0xffff_ffff_ffffL).map(MacAddress::new); }

    Arbitrary<NdOption> ndOption() {
        return Arbitraries.oneOf(
                macs().map(NdOption.SourceLinkLayerAddress::new),
                macs().map(NdOption.TargetLinkLayerAddress::new),
                Combinators.combine(u8(), Arbitraries.of(true, false), Arbitraries.of(true, false), u32(), u32(), addresses())
                        .as(NdOption.PrefixInformation::new),
                units(0, 3, 0).map(NdOption.RedirectedHeader::new),
                u32().map(NdOption.Mtu::new),
                Combinators.combine(u8().filter(t -> t < 1 || t > 5), units(1, 3, 2)).as(NdOption.Unknown::new));
    }

    static final Set<Integer> CODE_ZERO_TYPES = Set.of(2, 128, 129, 133, 134, 135, 136, 137);

    @Provide Arbitrary<Icmpv6Repr> messages() {
        Arbitrary<byte[]> data = bytes(0, 64);
        Arbitrary<List<NdOption>> opts = ndOption().list().ofMaxSize(4);
        return Arbitraries.oneOf(List.of(
                Combinators.combine(u16(), u16(), data).as(Icmpv6Repr.EchoRequest::new),
                Combinators.combine(u16(), u16(), data).as(Icmpv6Repr.EchoReply::new),
                Combinators.combine(u8(), data).as(Icmpv6Repr.DestinationUnreachable::new),
                Combinators.combine(u32(), data).as(Icmpv6Repr.PacketTooBig::new),
                Combinators.combine(u8(), data).as(Icmpv6Repr.TimeExceeded::new),
                Combinators.combine(u8(), u32(), data).as(Icmpv6Repr.ParameterProblem::new),
                opts.map(Icmpv6Repr.RouterSolicitation::new),
                Combinators.combine(u8(), u8(), u16(), u32(), u32(), opts).as(Icmpv6Repr.RouterAdvertisement::new),
                Combinators.combine(addresses(), opts).as(Icmpv6Repr.NeighborSolicitation::new),
                Combinators.combine(Arbitraries.of(true, false), Arbitraries.of(true, false), Arbitraries.of(true, false), addresses(), opts)
                        .as(Icmpv6Repr.NeighborAdvertisement::new),
                Combinators.combine(addresses(), addresses(), opts).as(Icmpv6Repr.Redirect::new),
                Combinators.combine(u8(), u8(), bytes(4, 40))
                        .filter((t, c, r) -> t != 1 && t != 3 && t != 4 && !(CODE_ZERO_TYPES.contains(t) && c == 0))
                        .as(Icmpv6Repr.Other::new)));
    }

    // ---- parse(emit(x)) == x ----------------------------------------------------------------

    @Property(seed = "42") void ipv6HeaderRoundTrips(@ForAll("headers") Ipv6Repr ip) {
        byte[] b = new byte[3 + ip.totalLength()];
        assertEquals(40, ip.emit(b, 3));
        assertEquals(ip, Ipv6Repr.parse(b, 3, ip.totalLength()).value());
        Ipv6HeaderView v = Ipv6HeaderView.of(b, 3, ip.totalLength()).value();
        assertEquals(ip.flowLabel(), v.flowLabel());
        assertEquals(ip.dscp(), v.dscp());
        assertEquals(ip.ecn(), v.ecn());
        assertFalse(ip.toString().contains("\n"));
    }

    @Property(seed = "42") void extensionHeadersRoundTrip(@ForAll("extensionHeaders") Ipv6ExtensionHeader h) {
        byte[] b = new byte[1 + h.length()];
        assertEquals(h.length(), h.emit(b, 1));
        assertEquals(0, h.length() % 8);
        assertEquals(h, Ipv6ExtensionHeader.parse(h.protocol(), b, 1, b.length).value());
    }

    @Property(seed = "42") void icmpv6RoundTrips(@ForAll("messages") Icmpv6Repr m, @ForAll("addresses") Ipv6Address src,
                                                 @ForAll("addresses") Ipv6Address dst) {
        byte[] p = new byte[40 + m.length()];
        Ipv6Repr.of(src, dst, Ipv6Repr.NH_ICMPV6, 255, m.length()).emit(p, 0);
        assertEquals(m.length(), m.emit(src, dst, p, 40));
        assertEquals(m, Icmpv6Repr.parse(src, dst, p, 40, m.length()).value());
        assertFalse(m.toString().contains("\n"));
        // the dissector reads the same packet without complaint (quoted data is whatever was generated)
        Dissection d = Dissector.dissect(p, 0, p.length, LinkType.RAW_IP);
        assertTrue(d.error().isEmpty(), d::render);
        assertEquals("correct", d.layer("ICMPv6").orElseThrow().field("Checksum").orElseThrow().note());
    }

    /** A chain of harmless headers (skip-only options, no segments left, atomic fragments) is delivered past all of them. */
    @Property(seed = "42") void harmlessChainsAreDeliveredAtTheirEnd(@ForAll("chains") List<Ipv6ExtensionHeader> raw,
                                                                     @ForAll @Size(max = 40) byte[] upper, @ForAll("addresses") Ipv6Address dst) {
        List<Ipv6ExtensionHeader> chain = new ArrayList<>();
        for (Ipv6ExtensionHeader h : raw) {
            if (chain.size() == 8) break;
            int nh = 60; // placeholder, fixed below
            Ipv6ExtensionHeader safe = switch (h) {
                case Ipv6ExtensionHeader.HopByHop x -> chain.isEmpty() ? Ipv6ExtensionHeader.HopByHop.padded(nh, skipOnly(x.options())) : null;
                case Ipv6ExtensionHeader.DestinationOptions x -> Ipv6ExtensionHeader.DestinationOptions.padded(nh, skipOnly(x.options()));
                case Ipv6ExtensionHeader.Routing x -> new Ipv6ExtensionHeader.Routing(nh, x.routingType(), 0, x.data());
                case Ipv6ExtensionHeader.Fragment x -> new Ipv6ExtensionHeader.Fragment(nh, 0, false, x.identification());
            };
            if (safe != null) chain.add(safe);
        }
        byte[] p = Ipv6ChainTest.packet(dst, 17, upper, relink(chain, 17).toArray(Ipv6ExtensionHeader[]::new));
        int headerBytes = chain.stream().mapToInt(Ipv6ExtensionHeader::length).sum();
        Ipv6Chain.Verdict v = Ipv6Chain.walk(p, 0, p.length, new Ipv6Chain.Limits(8, 65535, 8, 7), nh -> nh == 17);
        var deliver = assertInstanceOf(Ipv6Chain.Verdict.Deliver.class, v, v::toString);
        assertEquals(40 + headerBytes, deliver.offset());
        assertEquals(upper.length, deliver.length());
        assertEquals(chain.size(), deliver.headers().size());
    }

    private static List<Ipv6Option> skipOnly(List<Ipv6Option> options) {
        return options.stream().filter(o -> !(o instanceof Ipv6Option.Unknown u) || Ipv6Option.action(u.type()) == Ipv6Option.Action.SKIP)
                .filter(o -> !o.isPadding()).toList();
    }

    /** The same headers with each Next Header naming the one after it, the last naming upper. */
    private static List<Ipv6ExtensionHeader> relink(List<Ipv6ExtensionHeader> chain, int upper) {
        List<Ipv6ExtensionHeader> out = new ArrayList<>();
        for (int i = 0; i < chain.size(); i++) {
            int nh = i + 1 < chain.size() ? chain.get(i + 1).protocol() : upper;
            out.add(switch (chain.get(i)) {
                case Ipv6ExtensionHeader.HopByHop x -> Ipv6ExtensionHeader.HopByHop.padded(nh, x.options().stream().filter(o -> !o.isPadding()).toList());
                case Ipv6ExtensionHeader.DestinationOptions x -> Ipv6ExtensionHeader.DestinationOptions.padded(nh, x.options().stream().filter(o -> !o.isPadding()).toList());
                case Ipv6ExtensionHeader.Routing x -> new Ipv6ExtensionHeader.Routing(nh, x.routingType(), x.segmentsLeft(), x.data());
                case Ipv6ExtensionHeader.Fragment x -> new Ipv6ExtensionHeader.Fragment(nh, x.fragmentOffset(), x.more(), x.identification());
            });
        }
        return out;
    }

    // ---- untrusted bytes never throw --------------------------------------------------------

    @Property(seed = "42", tries = 3000) void randomBytesNeverThrow(@ForAll @Size(max = 160) byte[] b,
                                                                   @ForAll("addresses") Ipv6Address src, @ForAll("addresses") Ipv6Address dst) {
        parseEverything(b, src, dst);
        if (b.length > 0) {
            b[0] = (byte) (0x60 | (b[0] & 0xf)); // so the dissector takes the IPv6 path
            parseEverything(b, src, dst);
        }
    }

    /** Random bytes behind a valid IPv6 header that names an extension header or an upper layer reach every walker. */
    @Property(seed = "42", tries = 1000) void randomBytesBehindAnIpv6HeaderNeverThrow(@ForAll @Size(max = 120) byte[] payload,
            @ForAll("nextHeaders") int nh, @ForAll("addresses") Ipv6Address dst) {
        byte[] p = new byte[40 + payload.length];
        Ipv6Address src = Ipv6Address.parse("2001:db8::1");
        Ipv6Repr.of(src, dst, nh, 64, payload.length).emit(p, 0);
        System.arraycopy(payload, 0, p, 40, payload.length);
        parseEverything(p, src, dst);
        assertNotNull(Ipv6Chain.walk(p, 0, p.length));
    }

    @Provide Arbitrary<Integer> nextHeaders() { return Arbitraries.of(0, 6, 17, 43, 44, 58, 59, 60, 253); }

    @Provide Arbitrary<String> realPackets() throws Exception {
        List<String> names = new ArrayList<>();
        for (java.lang.reflect.Field f : Packets6.class.getDeclaredFields()) if (f.getType() == String.class) names.add(f.getName());
        return Arbitraries.of(names);
    }

    @Property(seed = "42", tries = 3000) void mutatedRealPacketsNeverThrow(@ForAll("realPackets") String name,
            @ForAll @IntRange(max = 200) int where, @ForAll byte value, @ForAll @IntRange(max = 200) int cut) throws Exception {
        byte[] f = Packets.hex((String) Packets6.class.getDeclaredField(name).get(null));
        f[where % f.length] = value;
        int len = Math.min(f.length, cut);
        LinkType link = name.endsWith("_ETH") ? LinkType.ETHERNET : LinkType.RAW_IP;
        Dissection d = Dissector.dissect(f, 0, len, link);
        assertFalse(d.internalError(), d::render);
        int ip = link == LinkType.ETHERNET ? 14 : 0;
        if (len > ip) parseEverything(java.util.Arrays.copyOfRange(f, ip, len), Ipv6Address.ANY, Ipv6ChainTest.ALL_NODES);
    }

    /** Deterministic sweep: every byte of every real packet set to a handful of values, and every truncation an error. */
    @Property(seed = "42", tries = 1) void everySingleByteMutationAndTruncationIsHandled() throws Exception {
        WireProperties.sweep(Packets6.class, name -> name.endsWith("_ETH") ? LinkType.ETHERNET : LinkType.RAW_IP,
                new int[] {0x00, 0xff, 0x01, 0x80, 0x60, 0x05, 0x2c, 0x3a}, (f, link) -> {
                    int ip = link == LinkType.ETHERNET ? 14 : 0;
                    if (f.length > ip) Ipv6Chain.walk(f, ip, f.length - ip);
                });
    }

    /** Every IPv6 codec and the dissector on the same bytes, at several offsets. */
    static void parseEverything(byte[] b, Ipv6Address src, Ipv6Address dst) {
        for (int off = 0; off <= b.length; off += Math.max(1, b.length / 7)) {
            int len = b.length - off;
            Ipv6Repr.parse(b, off, len);
            Ipv6HeaderView.of(b, off, len);
            Icmpv6Repr.parse(src, dst, b, off, len);
            Icmpv6Repr.parseBody(b, off, len);
            for (int nh : new int[] {0, 43, 44, 60, 6}) Ipv6ExtensionHeader.parse(nh, b, off, off + len);
            Ipv6Chain.walk(b, off, len);
            Ipv6Chain.walk(b, off, len, new Ipv6Chain.Limits(0, 0, 0, 0), nh -> false);
            List<NdOption> out = new ArrayList<>();
            NdOption.parseAll(b, off, len, out);
            for (LinkType link : LinkType.values()) {
                Dissection d = Dissector.dissect(b, off, len, link);
                assertFalse(d.internalError(), d::render);
                d.render();
            }
        }
        assertFalse(Ipv6Repr.parse(b, -1, 5).isOk());
        assertFalse(Icmpv6Repr.parse(src, dst, b, 0, b.length + 1).isOk());
        assertInstanceOf(Ipv6Chain.Verdict.Invalid.class, Ipv6Chain.walk(b, 0, b.length + 1));
    }
}
