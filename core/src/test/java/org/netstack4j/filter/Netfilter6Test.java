package org.netstack4j.filter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.netstack4j.filter.Pkts.ip;
import static org.netstack4j.wire.TcpRepr.ACK;
import static org.netstack4j.wire.TcpRepr.PSH;
import static org.netstack4j.wire.TcpRepr.RST;
import static org.netstack4j.wire.TcpRepr.SYN;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.netstack4j.time.Time;
import org.netstack4j.trace.Counters;
import org.netstack4j.wire.Icmpv6Repr;
import org.netstack4j.wire.Ipv6Address;
import org.netstack4j.wire.Ipv6Repr;
import org.netstack4j.wire.Parsed;
import org.netstack4j.wire.TcpRepr;

/**
 * The hooks with IPv6 packets, as {@link NetfilterTest} drives them for IPv4: a router between
 * lan (fd00:1::/64, its address fd00:1::1) and wan (2001:db8::/64, 2001:db8::1) with a stateful
 * forward chain, masquerade on wan (IPv4's only: IPv6 passes it untranslated).
 */
class Netfilter6Test {
    static final String A = "fd00:1::2", R = "2001:db8:99::80", LAN6 = "fd00:1::1", WAN6 = "2001:db8::1";
    static final String RULES = """
            chain forward policy drop
            drop state invalid
            accept state established,related
            accept in lan out wan ip6 from fd00::/8
            accept icmp6 type echo-request in wan to fd00:1::2
            reject with tcp-reset in wan tcp to port 23
            reject with icmp admin-prohibited in wan udp
            """;

    final Counters counters = new Counters();
    final Netfilter nf = new Netfilter(FirewallTest.load(RULES), ConnTrackConfig.defaults(),
            List.of(NatConfig.masquerade("wan", ip("203.0.113.1"))), Map.of("lan", ip("10.0.0.1"), "wan", ip("203.0.113.1")),
            Map.of("lan", Ipv6Address.parse(LAN6), "wan", Ipv6Address.parse(WAN6)), counters);
    long now = Time.s(5);

    /** Forwards b from {@code in}: FORWARD, then post-routing; "lan" / "wan" where it left, or the outcome that stopped it. */
    Netfilter.Outcome forward(byte[] b, String in) {
        String out = in.equals("lan") ? "wan" : "lan";
        Netfilter.Outcome o = nf.filter(Chain.FORWARD, b, 0, b.length, in, out, now);
        if (!(o instanceof Netfilter.Outcome.Pass)) return o;
        return nf.postRouting(b, 0, b.length, out, now);
    }

    static byte[] tcp(String s, int sp, String d, int dp, int flags, int seq, int ack, int plen) {
        return Pkts.tcpBytes(s, sp, d, dp, flags, seq, ack, 1000, plen, List.of());
    }

    static final Netfilter.Outcome PASS = new Netfilter.Outcome.Pass();

    @Test void aStatefulIpv6RouterAllowsOutRepliesInAndNothingUnsolicited() {
        byte[] syn = tcp(A, 40000, R, 80, SYN, 100, 0, 0);
        byte[] copy = syn.clone();
        assertEquals(PASS, forward(syn, "lan"));
        assertArrayEquals(copy, syn, "masquerade is IPv4's: the IPv6 packet leaves as it came");
        assertEquals(PASS, forward(tcp(R, 80, A, 40000, SYN | ACK, 900, 101, 0), "wan"));
        assertEquals(PASS, forward(tcp(A, 40000, R, 80, ACK, 101, 901, 0), "lan"));
        assertEquals(PASS, forward(tcp(A, 40000, R, 80, PSH | ACK, 101, 901, 100), "lan"));
        assertEquals(PASS, forward(tcp(R, 80, A, 40000, PSH | ACK, 901, 201, 500), "wan"));
        Connection c = nf.conntrack().lookup(Pkts.parse(tcp(A, 40000, R, 80, ACK, 0, 0, 0)).key()).orElseThrow();
        assertEquals(TcpCtState.ESTABLISHED, c.tcpState());
        assertEquals("tcp [fd00:1::2]:40000 > [2001:db8:99::80]:80", c.original().toString());

        // a blind RST far outside the window: INVALID, dropped; the flow lives on
        assertInstanceOf(Netfilter.Outcome.Drop.class, forward(tcp(R, 80, A, 40000, RST, 0x5eed_0000, 0, 0), "wan"));
        assertEquals(TcpCtState.ESTABLISHED, c.tcpState());
        assertEquals(1, counters.get("ct.invalid.out_of_window") + counters.get("ct.invalid.rst"));
        assertEquals(PASS, forward(tcp(R, 80, A, 40000, PSH | ACK, 1401, 201, 10), "wan"));

        // unsolicited from outside: dropped by the policy
        assertInstanceOf(Netfilter.Outcome.Drop.class, forward(tcp(R, 5555, A, 22, SYN, 1, 0, 0), "wan"));
        // a source outside fd00::/8 from lan: no rule allows it
        assertInstanceOf(Netfilter.Outcome.Drop.class, forward(tcp("2001:db8:5::5", 1, R, 80, SYN, 1, 0, 0), "lan"));
    }

    @Test void icmpv6ErrorsAboutATrackedFlowAreRelatedAndOthersAreNot() {
        byte[] syn = tcp(A, 40000, R, 80, SYN, 100, 0, 0);
        assertEquals(PASS, forward(syn.clone(), "lan"));
        // a router on the way: Packet Too Big about A's segment, back to A
        byte[] ptb = Pkts.icmp6ErrorBytes("2001:db8::fe", A, new Icmpv6Repr.PacketTooBig(1280, new byte[0]), syn);
        assertEquals(PASS, forward(ptb, "wan"));
        assertEquals(1, counters.get("ct.related"));
        // the same error about a flow nobody opened: INVALID
        byte[] other = tcp(A, 40001, R, 80, SYN, 100, 0, 0);
        assertInstanceOf(Netfilter.Outcome.Drop.class,
                forward(Pkts.icmp6ErrorBytes("2001:db8::fe", A, new Icmpv6Repr.PacketTooBig(1280, new byte[0]), other), "wan"));
        // an error about A's flow addressed to someone else than the quoted source: INVALID
        assertInstanceOf(Netfilter.Outcome.Drop.class,
                forward(Pkts.icmp6ErrorBytes("2001:db8::fe", "fd00:1::9", new Icmpv6Repr.DestinationUnreachable(4, new byte[0]), syn), "wan"));
    }

    @Test void icmpv6EchoIsTrackedByIdentifierAndTypeRulesMatchIcmpv6Types() {
        byte[] req = Pkts.icmp6Bytes(R, A, new Icmpv6Repr.EchoRequest(7, 1, new byte[4]));
        assertEquals(PASS, forward(req, "wan"), "accept icmp6 type echo-request in wan to fd00:1::2");
        assertEquals(PASS, forward(Pkts.icmp6Bytes(A, R, new Icmpv6Repr.EchoReply(7, 1, new byte[4])), "lan"));
        // a reply nobody asked for, to a port-less protocol: INVALID
        assertInstanceOf(Netfilter.Outcome.Drop.class, forward(Pkts.icmp6Bytes(R, A, new Icmpv6Repr.EchoReply(9, 1, new byte[4])), "wan"));
        // the type rule is ICMPv6's 128, not ICMP's 8: an echo to another host is not allowed
        assertInstanceOf(Netfilter.Outcome.Drop.class, forward(Pkts.icmp6Bytes(R, "fd00:1::3", new Icmpv6Repr.EchoRequest(8, 1, new byte[4])), "wan"));
    }

    @Test void rejectsAnswerWithAnIpv6ResetOrAnIcmpv6Error() {
        byte[] telnet = tcp(R, 5555, A, 23, SYN, 77, 0, 0);
        Netfilter.Outcome.Reject r = assertInstanceOf(Netfilter.Outcome.Reject.class, forward(telnet, "wan"));
        Packet rst = Pkts.parse(r.answer()); // checksums verified
        assertTrue(rst.isIpv6());
        assertEquals(Ipv6Address.parse(A), rst.src());
        assertEquals(Ipv6Address.parse(R), rst.dst());
        TcpRepr h = assertInstanceOf(Packet.Transport.Tcp.class, rst.transport()).header();
        assertEquals(RST | ACK, h.flags());
        assertEquals(78, h.ack(), "RFC 9293 3.10.7.1: SEG.SEQ + SEG.LEN of the SYN");

        byte[] udp = Pkts.udpBytes(R, 5000, A, 53, 20);
        r = assertInstanceOf(Netfilter.Outcome.Reject.class, forward(udp, "wan"));
        Packet err = Pkts.parse(r.answer());
        assertEquals(Ipv6Address.parse(WAN6), err.src(), "from the rejecting interface's IPv6 address");
        assertEquals(Ipv6Address.parse(R), err.dst());
        Icmpv6Repr.DestinationUnreachable du = assertInstanceOf(Icmpv6Repr.DestinationUnreachable.class,
                assertInstanceOf(Packet.Transport.Icmp6.class, err.transport()).message());
        assertEquals(Icmpv6Repr.CODE_ADMIN_PROHIBITED, du.code());
        assertArrayEquals(udp, du.data(), "the whole rejected packet quoted (it fits in 1280 bytes)");
        assertEquals(2, counters.get("nf.rejected"));
    }

    @Test void familyWordsAndPrefixesMatchTheirOwnFamilyOnly() {
        Firewall fw = new Firewall(FirewallTest.load("""
                chain forward policy drop
                accept ip
                accept ip6 to 2001:db8::/32 port 443 tcp
                """));
        Packet v6 = Pkts.tcp(A, 1, "2001:db8::5", 443, SYN, 1, 0, 1000, 0);
        Packet v6other = Pkts.tcp(A, 1, "2001:db9::5", 443, SYN, 1, 0, 1000, 0);
        Packet v4 = Pkts.tcp("10.0.0.2", 1, "192.0.2.1", 443, SYN, 1, 0, 1000, 0);
        assertEquals(3, fw.filter(Chain.FORWARD, v6, CtState.NEW, "lan", "wan").rule().orElseThrow().line());
        assertEquals(Verdict.DROP, fw.filter(Chain.FORWARD, v6other, CtState.NEW, "lan", "wan").verdict());
        assertEquals(2, fw.filter(Chain.FORWARD, v4, CtState.NEW, "lan", "wan").rule().orElseThrow().line());
        assertTrue(new Prefix(Ipv6Address.parse("2001:db8::"), 32).contains(Ipv6Address.parse("2001:db8:ffff::1")));
        assertTrue(!new Prefix(Ipv6Address.parse("::"), 0).contains(ip("10.0.0.1")), "::/0 holds no IPv4 address");
        assertTrue(!Prefix.ANY.contains(Ipv6Address.parse("::1")), "0.0.0.0/0 holds no IPv6 address");
        assertTrue(new Prefix(Ipv6Address.parse("fd00::1:0"), 112).contains(Ipv6Address.parse("fd00::1:ffff")));
        assertTrue(!new Prefix(Ipv6Address.parse("fd00::1:0"), 112).contains(Ipv6Address.parse("fd00::2:0")));
    }

    @Test void ipv6RulesParseAndPrintBack() {
        String text = """
                chain forward policy drop
                accept in lan out wan ip6 tcp from fd00::/8,2001:db8::1 to any port 80,443 state new
                accept icmp6 type packet-too-big
                accept icmp6 type nd-neighbor-solicit
                drop ip6 from ::/0
                """;
        RuleSet rs = FirewallTest.load(text);
        List<String> printed = rs.chains().get(Chain.FORWARD).stream().map(x -> x.match().toString()).toList();
        assertEquals(List.of("in lan out wan ip6 tcp from fd00::/8,2001:db8::1 to any port 80,443 state new",
                "icmp6 type packet-too-big", "icmp6 type nd-neighbor-solicit", "ip6 from ::/0"), printed);
        assertEquals(2, rs.chains().get(Chain.FORWARD).get(1).match().icmpType().getAsInt(), "ICMPv6 type 2");
        List<String> errors = FirewallTest.errors("""
                chain forward
                accept ip from fd00::/8
                accept ip6 to 10.0.0.0/8
                accept icmp6 type echo-requets
                accept from fd00::1/129
                accept from fd00::1/64
                accept tcp type echo-request
                """).stream().map(e -> e.line() + ": " + e.message()).toList();
        assertEquals(List.of(
                "2: 'ip' with fd00::/8, an address of the other family",
                "3: 'ip6' with 10.0.0.0/8, an address of the other family",
                "4: unknown ICMPv6 type 'echo-requets' (want echo-request, echo-reply, destination-unreachable, packet-too-big,"
                        + " time-exceeded, parameter-problem, nd-router-solicit, nd-router-advert, nd-neighbor-solicit,"
                        + " nd-neighbor-advert, nd-redirect or a number)",
                "5: prefix length must be 0 to 128: fd00::1/129",
                "6: host bits set in fd00::1/64 (did you mean fd00::/64?)",
                "7: type needs 'icmp' or 'icmp6' in the rule"), errors);
    }

    @Test void fragmentsAndMalformedIpv6AreDroppedAndCounted() {
        byte[] b = tcp(A, 40000, R, 80, SYN, 100, 0, 0);
        b[Ipv6Repr.HEADER_LENGTH + 16] ^= 0x55; // the TCP checksum
        assertEquals(PASS, forward(b.clone(), "lan"), "the forward chain does not check transport checksums");
        assertInstanceOf(Netfilter.Outcome.Drop.class, nf.preRouting(b, 0, b.length, "lan", now), "pre-routing does");
        // a fragment: only whole packets are filtered
        org.netstack4j.wire.Ipv6ExtensionHeader.Fragment fh = new org.netstack4j.wire.Ipv6ExtensionHeader.Fragment(Ipv6Repr.NH_UDP, 0, true, 5);
        Ipv6Repr ip = new Ipv6Repr(0, 0, 8 + 16, Ipv6Repr.NH_FRAGMENT, 64, Ipv6Address.parse(A), Ipv6Address.parse(R));
        byte[] f = new byte[ip.totalLength()];
        ip.emit(f, 0);
        fh.emit(f, Ipv6Repr.HEADER_LENGTH);
        assertInstanceOf(Parsed.Malformed.class, Packet.parse(f, 0, f.length, false));
        assertInstanceOf(Netfilter.Outcome.Drop.class, forward(f, "lan"));
        assertEquals(2, counters.get("nf.malformed"));
    }
}
