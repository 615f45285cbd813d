package org.netstack4j.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Codec properties: parse(emit(x)) == x, and no parser ever throws on arbitrary bytes. Seeds are fixed. */
class WireProperties {

    // ---- generators -------------------------------------------------------------------------

    @Provide Arbitrary<Ipv4Address> addresses() { return Arbitraries.integers().map(Ipv4Address::new); }

    @Provide Arbitrary<MacAddress> macs() { return Arbitraries.longs().between(0, 0xffff_ffff_ffffL).map(MacAddress::new); }

    static Arbitrary<Integer> u16() { return Arbitraries.integers().between(0, 0xffff); }
    static Arbitrary<Integer> u8() { return Arbitraries.integers().between(0, 0xff); }
    static Arbitrary<byte[]> bytes(int min, int max) { return Arbitraries.bytes().array(byte[].class).ofMinSize(min).ofMaxSize(max); }

    @Provide Arbitrary<EthernetRepr> ethernets() {
        return Combinators.combine(macs(), macs(), u16()).as(EthernetRepr::new);
    }

    @Provide Arbitrary<ArpRepr> arps() {
        return Combinators.combine(u16(), macs(), addresses(), macs(), addresses()).as(ArpRepr::new);
    }

    @Provide Arbitrary<Ipv4Repr> ipv4s() {
        Arbitrary<byte[]> options = Arbitraries.integers().between(0, 10).flatMap(n -> bytes(4 * n, 4 * n));
        Arbitrary<int[]> numbers = Combinators.combine(u8(), u16(), Arbitraries.integers().between(0, 0x1fff), u8(), u8())
                .as((tos, id, frag, ttl, proto) -> new int[] {tos, id, frag * 8, ttl, proto});
        return Combinators.combine(numbers, Arbitraries.of(true, false), Arbitraries.of(true, false), addresses(), addresses(),
                        options, Arbitraries.integers().between(0, 65535 - 60))
                .as((n, df, mf, src, dst, opt, plen) -> new Ipv4Repr(n[0], n[1], df, mf, n[2], n[3], n[4], src, dst, opt, plen));
    }

    @Provide Arbitrary<IcmpRepr> icmps() {
        Arbitrary<byte[]> data = bytes(0, 64);
        Arbitrary<IcmpRepr> req = Combinators.combine(u16(), u16(), data).as(IcmpRepr.EchoRequest::new);
        Arbitrary<IcmpRepr> rep = Combinators.combine(u16(), u16(), data).as(IcmpRepr.EchoReply::new);
        Arbitrary<IcmpRepr> du = Combinators.combine(u8(), u16(), data).as(IcmpRepr.DestinationUnreachable::new);
        Arbitrary<IcmpRepr> te = Combinators.combine(u8(), data).as(IcmpRepr.TimeExceeded::new);
        Arbitrary<IcmpRepr> other = Combinators.combine(u8(), u8(), bytes(4, 64))
                .filter((t, c, r) -> t != IcmpRepr.TYPE_DEST_UNREACHABLE && t != IcmpRepr.TYPE_TIME_EXCEEDED
                        && !((t == IcmpRepr.TYPE_ECHO_REQUEST || t == IcmpRepr.TYPE_ECHO_REPLY) && c == 0))
                .as(IcmpRepr.Other::new);
        return Arbitraries.oneOf(req, rep, du, te, other);
    }

    @Provide Arbitrary<UdpRepr> udps() { return Combinators.combine(u16(), u16()).as(UdpRepr::new); }

    static Arbitrary<TcpOption> option() {
        Arbitrary<TcpOption.SackBlock> block = Combinators.combine(Arbitraries.integers(), Arbitraries.integers())
                .as(TcpOption.SackBlock::new);
        return Arbitraries.oneOf(
                Arbitraries.just(new TcpOption.Nop()),
                u16().map(TcpOption.Mss::new),
                u8().map(TcpOption.WindowScale::new),
                Arbitraries.just(new TcpOption.SackPermitted()),
                block.list().ofMinSize(1).ofMaxSize(4).map(TcpOption.Sack::new),
                Combinators.combine(Arbitraries.integers(), Arbitraries.integers()).as(TcpOption.Timestamps::new),
                Combinators.combine(u8().filter(k -> k > 5 && k != 8), bytes(0, 8)).as(TcpOption.Unknown::new));
    }

    /** Option lists that fit in 40 bytes; EOL is appended when the length is not a multiple of 4 (see TcpRepr). */
    @Provide Arbitrary<List<TcpOption>> optionLists() {
        return Combinators.combine(option().list().ofMaxSize(8), Arbitraries.of(true, false)).as((list, eol) -> {
            List<TcpOption> out = new ArrayList<>();
            int total = 0;
            for (TcpOption o : list) {
                if (total + o.length() > 39) break;
                out.add(o);
                total += o.length();
            }
            if (total % 4 != 0 || eol) out.add(new TcpOption.EndOfList());
            return out;
        });
    }

    @Provide Arbitrary<TcpRepr> tcps() {
        Arbitrary<int[]> head = Combinators.combine(u16(), u16(), Arbitraries.integers(), Arbitraries.integers())
                .as((s, d, seq, ack) -> new int[] {s, d, seq, ack});
        return Combinators.combine(head, u8(), u16(), u16(), optionLists())
                .as((h, flags, win, urg, opts) -> new TcpRepr(h[0], h[1], h[2], h[3], flags, win, urg, opts));
    }

    // ---- parse(emit(x)) == x ----------------------------------------------------------------

    @Property(seed = "42") void ethernetRoundTrips(@ForAll("ethernets") EthernetRepr e) {
        byte[] b = new byte[14];
        assertEquals(14, e.emit(b, 0));
        assertEquals(e, EthernetRepr.parse(b, 0, b.length).value());
    }

    @Property(seed = "42") void arpRoundTrips(@ForAll("arps") ArpRepr a) {
        byte[] b = new byte[28];
        a.emit(b, 0);
        assertEquals(a, ArpRepr.parse(b, 0, 28).value());
    }

    @Property(seed = "42") void ipv4RoundTrips(@ForAll("ipv4s") Ipv4Repr ip) {
        byte[] b = new byte[ip.totalLength() + 3];
        int o = 3;
        assertEquals(ip.headerLength(), ip.emit(b, o));
        assertEquals(ip, Ipv4Repr.parse(b, o, ip.totalLength()).value());
        assertEquals(0, Checksum.compute(b, o, ip.headerLength()));
    }

    @Property(seed = "42") void icmpRoundTrips(@ForAll("icmps") IcmpRepr m) {
        byte[] b = new byte[m.length() + 1];
        assertEquals(m.length(), m.emit(b, 1));
        assertEquals(m, IcmpRepr.parse(b, 1, m.length()).value());
    }

    @Property(seed = "42") void udpRoundTrips(@ForAll("udps") UdpRepr u, @ForAll("addresses") Ipv4Address src,
                                              @ForAll("addresses") Ipv4Address dst, @ForAll @Size(max = 100) byte[] payload) {
        byte[] b = new byte[8 + payload.length];
        assertEquals(b.length, u.emit(src, dst, b, 0, payload, 0, payload.length));
        assertTrue(Bytes.u16(b, 6) != 0, "emit never writes a zero checksum");
        assertEquals(u, UdpRepr.parse(src, dst, b, 0, b.length).value());
        assertEquals(payload.length, UdpRepr.payloadLength(b, 0));
    }

    @Property(seed = "42") void tcpRoundTrips(@ForAll("tcps") TcpRepr t, @ForAll("addresses") Ipv4Address src,
                                              @ForAll("addresses") Ipv4Address dst, @ForAll @Size(max = 64) byte[] payload) {
        byte[] b = new byte[t.headerLength() + payload.length];
        assertEquals(b.length, t.emit(src, dst, b, 0, payload, 0, payload.length));
        assertEquals(t, TcpRepr.parse(src, dst, b, 0, b.length, true).value());
        assertFalse(t.toString().contains("\n"));
        Dissection d = Dissector.dissect(ipPacket(src, dst, Ipv4Repr.PROTO_TCP, b), 0, 20 + b.length, LinkType.RAW_IP);
        assertTrue(d.error().isEmpty(), () -> d.render());
    }

    /** The reused encoder writes exactly what TcpRepr writes for the same header, whatever the buffer held before. */
    @Property(seed = "42") void tcpEncoderWritesTheSameBytesAsTheRecord(
            @ForAll @IntRange(max = 0xffff) int sp, @ForAll @IntRange(max = 0xffff) int dp, @ForAll int seq, @ForAll int ack,
            @ForAll @IntRange(max = 0xff) int flags, @ForAll @IntRange(max = 0xffff) int win, @ForAll boolean ts, @ForAll int tsVal, @ForAll int tsEcr,
            @ForAll("addresses") Ipv4Address src, @ForAll("addresses") Ipv4Address dst,
            @ForAll @Size(max = 1500) byte[] payload, @ForAll byte fill) {
        TcpEncoder e = new TcpEncoder().set(sp, dp, seq, ack, flags, win, ts, tsVal, tsEcr);
        TcpRepr r = e.toRepr();
        assertEquals(r.headerLength(), e.headerLength());
        int off = 1 + (fill & 3), poff = payload.length > 0 ? fill & 1 : 0, plen = payload.length - poff;
        byte[] viaRecord = new byte[off + r.headerLength() + plen], viaEncoder = new byte[viaRecord.length];
        java.util.Arrays.fill(viaRecord, fill);
        java.util.Arrays.fill(viaEncoder, (byte) ~fill);
        assertEquals(r.emit(src, dst, viaRecord, off, payload, poff, plen), e.emit(src, dst, viaEncoder, off, payload, poff, plen));
        assertArrayEquals(java.util.Arrays.copyOfRange(viaRecord, off, viaRecord.length),
                java.util.Arrays.copyOfRange(viaEncoder, off, viaEncoder.length));
        assertEquals(r, TcpRepr.parse(src, dst, viaEncoder, off, viaEncoder.length - off, true).value());
        assertEquals(r.toString(), e.toString());
    }

    private static byte[] ipPacket(Ipv4Address src, Ipv4Address dst, int proto, byte[] payload) {
        Ipv4Repr ip = Ipv4Repr.of(src, dst, proto, 64, payload.length);
        byte[] p = new byte[20 + payload.length];
        ip.emit(p, 0);
        System.arraycopy(payload, 0, p, 20, payload.length);
        return p;
    }

    // ---- untrusted bytes never throw --------------------------------------------------------

    @Property(seed = "42", tries = 3000) void randomBytesNeverThrow(@ForAll @Size(max = 120) byte[] b,
                                                                   @ForAll("addresses") Ipv4Address src,
                                                                   @ForAll("addresses") Ipv4Address dst) {
        parseEverything(b, src, dst);
    }

    /** Random bytes behind a plausible IPv4 header reach the transport parsers too. */
    @Property(seed = "42", tries = 3000) void randomTransportBytesNeverThrow(@ForAll @Size(max = 100) byte[] payload,
                                                                            @ForAll("protocols") int proto) {
        byte[] p = ipPacket(Ipv4Address.of(10, 0, 0, 1), Ipv4Address.of(10, 0, 0, 2), proto, payload);
        parseEverything(p, Ipv4Address.of(10, 0, 0, 1), Ipv4Address.of(10, 0, 0, 2));
    }

    @Provide Arbitrary<Integer> protocols() { return Arbitraries.of(Ipv4Repr.PROTO_TCP, Ipv4Repr.PROTO_UDP, Ipv4Repr.PROTO_ICMP); }

    @Provide Arbitrary<String> realPackets() {
        return Arbitraries.of("SYN", "SYN_ACK", "DATA", "DNS_QUERY", "ECHO_REQUEST", "ECHO_REPLY", "PORT_UNREACHABLE",
                "ARP_REQUEST", "ARP_REPLY", "FRAGMENT_FIRST", "FRAGMENT_LAST");
    }

    @Property(seed = "42", tries = 5000) void mutatedRealPacketsNeverThrow(@ForAll("realPackets") String name,
                                                                          @ForAll @IntRange(max = 200) int where,
                                                                          @ForAll byte value,
                                                                          @ForAll @IntRange(max = 200) int cut) throws Exception {
        byte[] f = Packets.hex((String) Packets.class.getDeclaredField(name).get(null));
        f[where % f.length] = value;
        int len = Math.min(f.length, cut);
        Dissection d = Dissector.dissect(f, 0, len, LinkType.ETHERNET);
        assertFalse(d.internalError(), () -> d.render());
        assertNotNull(d.render());
        if (len > 14) parseEverything(java.util.Arrays.copyOfRange(f, 14, len), Ipv4Address.ANY, Ipv4Address.ANY);
    }

    /** Every codec and both dissector link types on the same bytes (and at every offset of them). */
    static void parseEverything(byte[] b, Ipv4Address src, Ipv4Address dst) {
        for (int off = 0; off <= b.length; off += Math.max(1, b.length / 7)) {
            int len = b.length - off;
            EthernetRepr.parse(b, off, len);
            ArpRepr.parse(b, off, len);
            Ipv4Repr.parse(b, off, len);
            IcmpRepr.parse(b, off, len);
            UdpRepr.parse(src, dst, b, off, len);
            TcpRepr.parse(src, dst, b, off, len, true);
            TcpRepr.parse(src, dst, b, off, len, false).toString();
            Ipv4HeaderView.of(b, off, len);
            TcpHeaderView.of(b, off, len);
            UdpHeaderView.of(b, off, len);
            for (LinkType link : LinkType.values()) {
                Dissection d = Dissector.dissect(b, off, len, link);
                assertFalse(d.internalError(), d::render);
                d.render();
            }
        }
        // nonsense ranges are Malformed too, not exceptions
        assertFalse(Ipv4Repr.parse(b, -1, 5).isOk());
        assertFalse(TcpRepr.parse(src, dst, b, 0, b.length + 1, true).isOk());
        assertTrue(Dissector.dissect(b, 2, b.length, LinkType.ETHERNET).error().isPresent());
    }

    /** Deterministic sweep: every byte of every real frame set to a handful of values, and every truncation. */
    @Property(seed = "42", tries = 1) void everySingleByteMutationAndTruncationIsHandled() throws Exception {
        sweep(Packets.class, name -> name.endsWith("_RAW") ? LinkType.RAW_IP : LinkType.ETHERNET,
                new int[] {0x00, 0xff, 0x01, 0x80, 0x45, 0x05, 0x0f, 0x7f}, (f, link) -> { });
    }

    /**
     * Every real frame held by the String constants of {@code holder} dissects cleanly; with any
     * one byte set to any of {@code values} the dissector (and {@code also}) survives; cut
     * short anywhere, it reports an error.
     */
    static void sweep(Class<?> holder, java.util.function.Function<String, LinkType> linkOf, int[] values,
                      java.util.function.BiConsumer<byte[], LinkType> also) throws Exception {
        for (java.lang.reflect.Field fld : holder.getDeclaredFields()) {
            if (fld.getType() != String.class) continue;
            byte[] orig = Packets.hex((String) fld.get(null));
            LinkType link = linkOf.apply(fld.getName());
            assertTrue(Dissector.dissect(orig, 0, orig.length, link).error().isEmpty(), fld.getName());
            for (int i = 0; i < orig.length; i++) {
                for (int v : values) {
                    byte[] f = orig.clone();
                    f[i] = (byte) v;
                    Dissection d = Dissector.dissect(f, 0, f.length, link);
                    assertFalse(d.internalError(), d::render);
                    if (link == LinkType.ETHERNET) assertArrayEquals(orig, orig.clone()); // input untouched
                    also.accept(f, link);
                }
                int cut = i;
                Dissection d = Dissector.dissect(orig, 0, cut, link);
                assertFalse(d.internalError(), d::render);
                assertTrue(d.error().isPresent(), () -> fld.getName() + " cut at " + cut + "\n" + d.render());
            }
        }
    }
}
