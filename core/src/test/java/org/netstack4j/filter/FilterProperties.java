package org.netstack4j.filter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.netstack4j.time.Time;
import org.netstack4j.trace.Counters;
import org.netstack4j.wire.Checksum;
import org.netstack4j.wire.IcmpRepr;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv4Repr;
import org.netstack4j.wire.TcpRepr;

/** Properties of the filter package over thousands of generated cases (jqwik, fixed seeds). */
class FilterProperties {

    @Provide Arbitrary<Endpoint> endpoints() {
        return Combinators.combine(Arbitraries.integers().map(Ipv4Address::new), Arbitraries.integers().between(0, 0xffff))
                .as(Endpoint::new);
    }

    static byte[] datagram(int kind, Endpoint s, Endpoint d, int plen) {
        String src = s.address().toString(), dst = d.address().toString();
        return switch (kind) {
            case 0 -> Pkts.udpBytes(src, s.port(), dst, d.port(), plen);
            case 1 -> Pkts.tcpBytes(src, s.port(), dst, d.port(), TcpRepr.ACK | TcpRepr.PSH, plen * 7919, plen * 31, 1000, plen, List.of());
            default -> Pkts.icmpBytes(src, dst, new IcmpRepr.EchoRequest(s.port(), d.port(), new byte[plen]));
        };
    }

    /** Checks every checksum a rewrite must keep right, including the quote of an error. */
    static void assertChecksumsVerify(byte[] b, boolean error, boolean fullQuote) {
        Packet p = Pkts.parse(b);
        if (error) {
            int q = p.l4Offset() + 8;
            assertEquals(0, Checksum.compute(b, q, (b[q] & 0xf) * 4), "quoted IP header checksum");
            if (fullQuote) Packet.parse(b, q, b.length - q, true).value();
        }
    }

    @Property(tries = 3000, seed = "4787")
    void rewritingAnEndpointAndBackIsTheIdentityAndChecksumsAlwaysVerify(
            @ForAll @IntRange(min = 0, max = 2) int kind, @ForAll("endpoints") Endpoint s, @ForAll("endpoints") Endpoint d,
            @ForAll("endpoints") Endpoint to, @ForAll @IntRange(min = 0, max = 40) int plen,
            @ForAll @IntRange(min = 0, max = 2) int wrap, @ForAll boolean source) {
        byte[] inner = datagram(kind, s, d, plen);
        // wrap 0: the datagram itself; 1: an ICMP error quoting all of it; 2: quoting header + 8 bytes
        byte[] b = wrap == 0 ? inner : Pkts.icmpBytes("192.0.2.1", "192.0.2.2", new IcmpRepr.DestinationUnreachable(3, 0,
                wrap == 1 ? inner.clone() : IcmpRepr.quote(inner, 0, inner.length)));
        byte[] original = b.clone();
        Endpoint back = source ? s : d;
        if (kind == 2) back = new Endpoint(back.address(), s.port()); // an echo's "port" on either side is its identifier
        if (wrap == 0) NatRewrite.rewrite(b, 0, source, to);
        else NatRewrite.rewriteQuoted(b, 0, source, to);
        assertChecksumsVerify(b, wrap != 0, wrap == 1);
        FlowKey k = wrap == 0 ? Pkts.parse(b).key() : Pkts.parse(b).quotedKey().orElseThrow();
        Endpoint now = source ? k.src() : k.dst();
        assertEquals(to.address(), now.address());
        assertEquals(to.port(), now.port());
        if (wrap == 0) NatRewrite.rewrite(b, 0, source, back);
        else NatRewrite.rewriteQuoted(b, 0, source, back);
        assertArrayEquals(original, b);
    }

    @Property(tries = 1000, seed = "5382")
    void natThenReverseNatGivesTheRemoteAndTheHostTheBytesTheyWouldSeeWithoutIt(
            @ForAll @IntRange(min = 0, max = 2) int kind, @ForAll @IntRange(min = 1, max = 65535) int port,
            @ForAll("endpoints") Endpoint remote, @ForAll @IntRange(min = 0, max = 40) int plen,
            @ForAll @IntRange(min = 0, max = 2) int filtering, @ForAll @IntRange(min = 0, max = 20) int busy) {
        Ipv4Address x = Ipv4Address.parse("203.0.113.1");
        NatConfig.Filtering f = NatConfig.Filtering.values()[filtering];
        Nat nat = new Nat(NatConfig.masquerade("wan", x).withFiltering(f, f), new Counters());
        Endpoint a = new Endpoint(Ipv4Address.parse("10.0.0.2"), port);
        // other hosts already hold ports, so the mapping may or may not keep the port
        for (int i = 0; i < busy; i++) {
            byte[] o = datagram(kind, new Endpoint(Ipv4Address.parse("10.0.0.9"), port + i > 65535 ? i : port + i), remote, 0);
            nat.outbound(Pkts.parse(o), "wan", 0);
        }
        int remotePort = kind == 2 ? port : remote.port(); // an echo's "ports" are both its identifier
        Endpoint r = new Endpoint(remote.address(), remotePort);
        byte[] outb = datagram(kind, a, r, plen);
        assertEquals(Nat.Action.TRANSLATED, nat.outbound(Pkts.parse(outb), "wan", Time.s(1)));
        FlowKey seen = Pkts.parse(outb).key();
        assertEquals(x, seen.src().address());
        Endpoint ext = seen.src();
        // the remote's answer to what it saw, and what the host would have got without NAT
        byte[] reply = kind == 2 ? Pkts.icmpBytes(r.address().toString(), x.toString(), new IcmpRepr.EchoReply(ext.port(), port, new byte[plen]))
                : datagram(kind, kind == 2 ? r : new Endpoint(r.address(), r.port()), ext, plen);
        byte[] direct = kind == 2 ? Pkts.icmpBytes(r.address().toString(), "10.0.0.2", new IcmpRepr.EchoReply(port, port, new byte[plen]))
                : datagram(kind, r, a, plen);
        assertEquals(Nat.Action.TRANSLATED, nat.inbound(Pkts.parse(reply), "wan", Time.s(2)));
        assertArrayEquals(direct, reply);
    }

    static Arbitrary<Object> o(Arbitrary<?> a) { return a.map(x -> (Object) x); }

    @Provide Arbitrary<Match> matches() {
        Arbitrary<Optional<String>> iface = Arbitraries.of("eth0", "wan", "lan1").optional(0.3);
        Arbitrary<Integer> proto = Arbitraries.of(-1, Ipv4Repr.PROTO_TCP, Ipv4Repr.PROTO_UDP, Ipv4Repr.PROTO_ICMP, 47);
        Arbitrary<List<Prefix>> prefixes = Combinators.combine(Arbitraries.integers(), Arbitraries.integers().between(0, 32))
                .as((bits, len) -> new Prefix(new Ipv4Address(bits & Prefix.mask(len)), len)).list().ofMaxSize(3);
        Arbitrary<List<PortRange>> ports = Combinators.combine(Arbitraries.integers().between(0, 65535), Arbitraries.integers().between(0, 100))
                .as((lo, n) -> new PortRange(lo, Math.min(65535, lo + n))).list().ofMaxSize(3);
        Arbitrary<EnumSet<CtState>> states = Arbitraries.of(CtState.class).set().ofMaxSize(4)
                .map(s -> s.isEmpty() ? EnumSet.noneOf(CtState.class) : EnumSet.copyOf(s));
        return Combinators.combine(List.of(o(iface), o(iface), o(proto), o(prefixes), o(ports), o(prefixes), o(ports),
                o(Arbitraries.integers().between(0, 255)), o(Arbitraries.integers().between(0, 255)), o(states),
                o(Arbitraries.integers().between(-1, 255)))).as(v -> {
            int p = (Integer) v.get(2);
            boolean ported = p == Ipv4Repr.PROTO_TCP || p == Ipv4Repr.PROTO_UDP;
            int mask = p == Ipv4Repr.PROTO_TCP ? (Integer) v.get(7) : 0;
            int icmp = (Integer) v.get(10);
            @SuppressWarnings("unchecked") Optional<String> in = (Optional<String>) v.get(0), out = (Optional<String>) v.get(1);
            @SuppressWarnings("unchecked") List<Prefix> src = (List<Prefix>) v.get(3), dst = (List<Prefix>) v.get(5);
            @SuppressWarnings("unchecked") List<PortRange> sp = (List<PortRange>) v.get(4), dp = (List<PortRange>) v.get(6);
            @SuppressWarnings("unchecked") EnumSet<CtState> st = (EnumSet<CtState>) v.get(9);
            return new Match(in, out, Optional.empty(), p < 0 ? OptionalInt.empty() : OptionalInt.of(p),
                    src.stream().filter(x -> x.length() > 0).toList(), ported ? sp : List.of(),
                    dst.stream().filter(x -> x.length() > 0).toList(), ported ? dp : List.of(),
                    mask, mask & (Integer) v.get(8), st,
                    p == Ipv4Repr.PROTO_ICMP && icmp >= 0 ? OptionalInt.of(icmp) : OptionalInt.empty());
        });
    }

    @Property(tries = 2000, seed = "1624")
    void ruleTextParsesBackToTheSameRule(@ForAll("matches") Match m, @ForAll @IntRange(min = 0, max = 3) int v) {
        Verdict verdict = switch (v) {
            case 0 -> Verdict.ACCEPT;
            case 1 -> Verdict.DROP;
            case 2 -> new Verdict.Reject(Verdict.RejectWith.HOST_PROHIBITED);
            default -> new Verdict.Reject(m.protocol().orElse(-1) == Ipv4Repr.PROTO_TCP ? Verdict.RejectWith.TCP_RESET
                    : Verdict.RejectWith.PORT_UNREACHABLE);
        };
        Rule r = new Rule(verdict, m, 2);
        RuleSet.Loaded l = RuleSet.parse("chain forward policy drop\n" + r + "\n");
        RuleSet rs = assertInstanceOf(RuleSet.Loaded.Ok.class, l, () -> r + " -> " + l).rules();
        assertEquals(List.of(r), rs.rules(Chain.FORWARD));
    }

    @Property(tries = 3000, seed = "793")
    void theParserNeverThrowsAndEveryErrorHasALine(@ForAll("junk") String text) {
        RuleSet.Loaded l = RuleSet.parse(text);
        int lines = text.split("\r?\n", -1).length;
        if (l instanceof RuleSet.Loaded.Failed f) {
            assertTrue(!f.errors().isEmpty());
            for (RuleSet.Error e : f.errors()) assertTrue(e.line() >= 1 && e.line() <= lines, e.toString());
        }
    }

    @Provide Arbitrary<String> junk() {
        Arbitrary<String> word = Arbitraries.oneOf(Arbitraries.of("chain", "input", "forward", "output", "policy", "accept", "drop",
                "reject", "with", "tcp-reset", "icmp", "port-unreachable", "in", "out", "ip", "ip6", "tcp", "udp", "proto", "from",
                "to", "any", "port", "flags", "syn,!ack", "type", "echo-request", "state", "new,established", "10.0.0.0/8",
                "1.2.3.4/33", "80,443", "5-1", "#", ",", "!", "\n", "\n", "\n"), Arbitraries.strings().ofMaxLength(6));
        return word.list().ofMaxSize(40).map(ws -> String.join(" ", ws));
    }

    @Property(tries = 200, seed = "9293")
    void conntrackNeverThrowsAndStaysWithinItsBound(@ForAll("segments") List<byte[]> segments) {
        Counters counters = new Counters();
        ConnTrack ct = new ConnTrack(ConnTrackConfig.defaults().withMaxEntries(16), counters);
        long now = 0;
        for (byte[] s : segments) {
            now += Time.ms(500);
            ConnTrack.Result r = ct.track(Pkts.parse(s), now);
            if (r.needsConfirm()) ct.confirm(r, now);
            assertTrue(ct.size() <= 16);
            ct.poll(now);
        }
        ct.poll(Long.MAX_VALUE - 1);
        assertEquals(0, ct.size(), "every connection expires");
    }

    @Provide Arbitrary<List<byte[]>> segments() {
        Arbitrary<String> host = Arbitraries.of("10.0.0.1", "10.0.0.2", "192.0.2.1");
        Arbitrary<Integer> sport = Arbitraries.of(80, 1000, 1001);
        Arbitrary<byte[]> seg = Combinators.combine(List.of(o(host), o(sport), o(host), o(sport), o(Arbitraries.integers().between(0, 0x3f)),
                o(Arbitraries.of(0, 1, 1000, 5000, 100_000, -1)), o(Arbitraries.of(0, 1, 1001, 5001, -7)), o(Arbitraries.integers().between(0, 64))))
                .as(v -> Pkts.tcpBytes((String) v.get(0), (Integer) v.get(1), (String) v.get(2), (Integer) v.get(3), (Integer) v.get(4),
                        (Integer) v.get(5), (Integer) v.get(6), 1000, (Integer) v.get(7), List.of()));
        return seg.list().ofMaxSize(200);
    }

}
