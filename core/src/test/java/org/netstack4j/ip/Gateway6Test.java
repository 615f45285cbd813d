package org.netstack4j.ip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.netstack4j.ip.Forwarding6Test.A;
import static org.netstack4j.ip.Forwarding6Test.B;
import static org.netstack4j.ip.Forwarding6Test.RA;
import static org.netstack4j.ip.Forwarding6Test.RB;
import static org.netstack4j.ip.Forwarding6Test.echo6;
import static org.netstack4j.ip.Forwarding6Test.icmp;
import static org.netstack4j.ip.Forwarding6Test.packet;
import static org.netstack4j.ip.Forwarding6Test.parse;
import static org.netstack4j.ip.Forwarding6Test.quotedDst;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.netstack4j.device.Medium;
import org.netstack4j.filter.ConnTrackConfig;
import org.netstack4j.filter.Endpoint;
import org.netstack4j.filter.NatConfig;
import org.netstack4j.filter.Netfilter;
import org.netstack4j.filter.Npt6;
import org.netstack4j.filter.RuleSet;
import org.netstack4j.time.Time;
import org.netstack4j.trace.Counters;
import org.netstack4j.wire.Icmpv6Repr;
import org.netstack4j.wire.Ipv4Repr;
import org.netstack4j.wire.Ipv6Address;
import org.netstack4j.wire.Ipv6Repr;
import org.netstack4j.wire.Parsed;
import org.netstack4j.wire.UdpRepr;

/**
 * Issue 14's IPv6 gateway: a router R between A (fd00:1::2) and B (fd00:2::2), both links MTU
 * 1500, with a netfilter: fragments reassembled for the hooks and forwarded as they came (or cut
 * again after NAT), the INPUT and OUTPUT chains on R's own IPv6, "beyond scope of source address"
 * for link-local sources, NAT66 (masquerade, ICMPv6 errors, port forwards), and NPTv6 (RFC 6296:
 * fd00:1::/48 inside is fd00:3::/48 on rb, so A, fd00:1::2, is {@link #EXT_A} there).
 */
class Gateway6Test {
    final TestLink l1 = new TestLink(Medium.IP, 1500), l2 = new TestLink(Medium.IP, 1500);
    final Counters cr = new Counters(), cb = new Counters();
    final IpStack a = new IpStack(null, new Counters(), 1), r = new IpStack(null, cr, 2), b = new IpStack(null, cb, 3);
    long now;

    Gateway6Test() {
        Forwarding6Test.connect(a, r, b, l1, l2, false);
        a.routes().add(new RoutingTable.Route6(Ipv6Address.ANY, 0, null, a.interfaces().getFirst()));
        b.routes().add(new RoutingTable.Route6(Ipv6Address.ANY, 0, null, b.interfaces().getFirst()));
        r.setIpv6Forwarding(true);
    }

    void settle() {
        for (int i = 0; i < 100; i++) if (l1.drain(now) + l2.drain(now) == 0) return;
    }

    Netfilter netfilter(String rules, List<NatConfig> nat) {
        return netfilter(rules, nat, List.of());
    }

    Netfilter netfilter(String rules, List<NatConfig> nat, List<Npt6.Config> npt) {
        RuleSet rs = ((RuleSet.Loaded.Ok) RuleSet.parse(rules)).rules();
        Netfilter nf = new Netfilter(rs, ConnTrackConfig.defaults(), nat, npt, Map.of(), Map.of("ra", RA, "rb", RB), cr);
        r.setNetfilter(nf);
        return nf;
    }

    static byte[] data(int n) {
        byte[] d = new byte[n];
        for (int i = 0; i < n; i++) d[i] = (byte) (i * 31 + 7);
        return d;
    }

    static boolean isFragment(byte[] p) { return parse(p).nextHeader() == Ipv6Repr.NH_FRAGMENT; }

    // ---------------------------------------------------------------- 1. fragments and the netfilter

    @Test void fragmentsAreReassembledForTheFirewallAndForwardedAsTheyCame() {
        netfilter("""
                chain forward policy drop
                accept udp to port 9
                """, List.of());
        UdpSocket sink = b.udpBind(Ipv6Address.ANY, 9);
        UdpSocket src = a.udpBind(Ipv6Address.ANY, 0);
        byte[] d = data(3000);
        src.sendTo(now, B, 9, d, 0, d.length);
        settle();
        UdpDatagram got = sink.receive();
        assertNotNull(got, "the firewall saw the port in the reassembled packet; every fragment passed");
        assertArrayEquals(d, got.data());
        List<byte[]> sent = l1.a.sent.stream().filter(Gateway6Test::isFragment).toList();
        List<byte[]> forwarded = l2.a.sent.stream().filter(Gateway6Test::isFragment).toList();
        assertEquals(3, sent.size());
        assertEquals(sent.size(), forwarded.size(), "the fragments themselves, not one big packet (RFC 8200 5)");
        for (int i = 0; i < sent.size(); i++) {
            byte[] expect = sent.get(i).clone();
            expect[7]--; // only the hop limit changed
            assertArrayEquals(expect, forwarded.get(i));
        }
        assertEquals(1, cr.get("ipv6.defrag.oks"));
        assertEquals(1, cr.get("ipv6.fwd.defrag_passed"));
        assertEquals(0, cr.get("nf.malformed"));
        assertEquals(0, r.reassemblyMemory(), "nothing held once forwarded");

        // a port the rules refuse: no fragment at all gets through, the later ones included
        UdpSocket other = b.udpBind(Ipv6Address.ANY, 10);
        int before = l2.a.sent.size();
        src.sendTo(now, B, 10, d, 0, d.length);
        settle();
        assertNull(other.receive());
        assertEquals(before, l2.a.sent.size());
        assertEquals(1, cr.get("ipv6.filtered.forward"));
    }

    @Test void fragmentsWaitBoundedAndExpireAfterSixtySeconds() {
        netfilter("", List.of());
        // the first fragment only, of a datagram that never completes
        Ipv6Repr ip = new Ipv6Repr(0, 0, 8 + 1000, Ipv6Repr.NH_FRAGMENT, 64, A, B);
        byte[] p = new byte[ip.totalLength()];
        ip.emit(p, 0);
        new org.netstack4j.wire.Ipv6ExtensionHeader.Fragment(Ipv6Repr.NH_UDP, 0, true, 0x99).emit(p, Ipv6Repr.HEADER_LENGTH);
        l1.b.inject(now, p);
        assertTrue(l2.a.sent.isEmpty(), "held until the rest comes");
        assertTrue(r.reassemblyMemory() >= 1048, "data and the fragment itself are charged: " + r.reassemblyMemory());
        now += Time.s(60);
        r.poll(now);
        assertEquals(0, r.reassemblyMemory());
        assertEquals(1, cr.get("ipv6.defrag.timeout"));
        assertTrue(l1.b.sent.isEmpty(), "a router sends no reassembly time exceeded for packets not its own");
        // a flood of distinct first fragments stops at the shared budget, counted
        for (int id = 0; id < 400; id++) {
            byte[] q = p.clone();
            q[Ipv6Repr.HEADER_LENGTH + 7] = (byte) id;
            q[Ipv6Repr.HEADER_LENGTH + 6] = (byte) (id >> 8);
            l1.b.inject(now, q);
        }
        assertTrue(r.reassemblyMemory() <= Reassembler.MAX_MEMORY);
        assertTrue(cr.get("ipv6.defrag.memory_full") > 0);
    }

    @Test void fragmentsOfAMasqueradedFlowAreCutAgainAfterTranslation() {
        netfilter("", List.of(NatConfig.masquerade("rb", RB)));
        UdpSocket sink = b.udpBind(Ipv6Address.ANY, 9);
        UdpSocket src = a.udpBind(Ipv6Address.ANY, 5000);
        byte[] d = data(3000);
        src.sendTo(now, B, 9, d, 0, d.length);
        settle();
        UdpDatagram got = sink.receive();
        assertNotNull(got);
        assertArrayEquals(d, got.data());
        assertEquals(RB, got.src(), "B sees R's address");
        int maxIn = l1.a.sent.stream().filter(Gateway6Test::isFragment).mapToInt(f -> f.length).max().orElseThrow();
        List<byte[]> out = l2.a.sent.stream().filter(Gateway6Test::isFragment).toList();
        assertEquals(3, out.size());
        for (byte[] f : out) {
            assertTrue(f.length <= maxIn, "no piece bigger than the largest that came");
            assertEquals(RB, parse(f).src());
        }
        assertEquals(1, cr.get("ipv6.fwd.defrag_refragmented"));
    }

    // ---------------------------------------------------------------- 2. INPUT and OUTPUT

    @Test void theInputAndOutputChainsFilterTheRoutersOwnIpv6() {
        netfilter("""
                chain input policy drop
                accept state established,related
                accept icmp6 type echo-request in rb
                chain output policy drop
                accept state established,related
                accept ip6 to fd00:2::/64
                """, List.of());
        List<Ipv6Address> atA = new ArrayList<>(), atB = new ArrayList<>(), atR = new ArrayList<>();
        a.setEchoReplyListener(echo6((from, hl) -> atA.add(from)));
        b.setEchoReplyListener(echo6((from, hl) -> atB.add(from)));
        r.setEchoReplyListener(echo6((from, hl) -> atR.add(from)));
        a.ping6(now, RA, 1, 1, new byte[8], -1);
        settle();
        assertEquals(List.of(), atA, "A's ping to R refused by INPUT");
        assertEquals(1, cr.get("ipv6.filtered.input"));
        b.ping6(now, RB, 2, 1, new byte[8], -1);
        settle();
        assertEquals(List.of(RB), atB, "B's allowed, and R's reply allowed by state");
        r.ping6(now, A, 3, 1, new byte[8], -1);
        settle();
        assertEquals(List.of(), atR, "R's own ping to A refused by OUTPUT");
        assertEquals(1, cr.get("ipv6.filtered.output"));
        r.ping6(now, B, 4, 1, new byte[8], -1);
        settle();
        assertEquals(List.of(B), atR, "to B allowed, the reply in by state");
    }

    // ---------------------------------------------------------------- 3. link-local sources

    @Test void linkLocalSourcesHearBeyondScopeRateLimited() {
        Ipv6Address ll = Ipv6Address.parse("fe80::2");
        for (int i = 0; i < IpStack.ICMP_ERROR_BURST + 10; i++) l1.b.inject(now, packet(ll, B, 64, 40));
        assertTrue(l2.a.sent.isEmpty(), "never forwarded (RFC 4291 2.5.6)");
        assertEquals(IpStack.ICMP_ERROR_BURST, l1.b.sent.size(), "one error each up to the burst, then rate limited");
        for (byte[] f : l1.b.sent) {
            Icmpv6Repr.DestinationUnreachable du = assertInstanceOf(Icmpv6Repr.DestinationUnreachable.class, icmp(f));
            assertEquals(Icmpv6Repr.CODE_BEYOND_SCOPE, du.code());
            assertEquals(ll, parse(f).dst());
            assertTrue(parse(f).src().isLinkLocal(), "from R's link-local address on the incoming link");
        }
        assertEquals(10, cr.get("icmp6.out.rate_limited"));
    }

    // ---------------------------------------------------------------- 5. NAT66

    @Test void masqueradeTranslatesUdpAndEchoAndTheRepliesComeBack() {
        netfilter("", List.of(NatConfig.masquerade("rb", RB)));
        UdpSocket echo = b.udpBind(Ipv6Address.ANY, 7);
        UdpSocket src = a.udpBind(Ipv6Address.ANY, 5000);
        src.sendTo(now, B, 7, new byte[] {1, 2, 3}, 0, 3);
        settle();
        UdpDatagram got = echo.receive();
        assertEquals(new Endpoint(RB, 5000), new Endpoint(got.src(), got.srcPort()),
                "source RB, the port kept (RFC 4787 port preservation)");
        echo.sendTo(now, RB, 5000, new byte[] {4}, 0, 1);
        settle();
        UdpDatagram back = src.receive();
        assertNotNull(back, "the reply translated back to A");
        assertEquals(B, back.src());

        List<Ipv6Address> replies = new ArrayList<>();
        a.setEchoReplyListener(echo6((from, hl) -> replies.add(from)));
        a.ping6(now, B, 0x4242, 1, new byte[8], -1);
        settle();
        assertEquals(List.of(B), replies, "ICMPv6 echo through the identifier mapping");
        assertTrue(l2.a.sent.stream().allMatch(f -> parse(f).src().equals(RB)), "no internal address on B's link");
        assertEquals(2, cr.get("nat.out.translated"));
        assertEquals(2, cr.get("nat.in.translated"));
    }

    @Test void icmpv6ErrorsAboutAMasqueradedFlowAreTranslatedBack() {
        netfilter("", List.of(NatConfig.masquerade("rb", RB)));
        UdpSocket src = a.udpBind(Ipv6Address.ANY, 5000);
        src.sendTo(now, B, 4444, new byte[] {1}, 0, 1); // nothing listens at B: port unreachable to RB
        settle();
        byte[] err = l1.b.sent.stream().filter(f -> parse(f).nextHeader() == Ipv6Repr.NH_ICMPV6).findFirst().orElseThrow();
        Icmpv6Repr.DestinationUnreachable du = assertInstanceOf(Icmpv6Repr.DestinationUnreachable.class, icmp(err)); // checksum verified
        assertEquals(Icmpv6Repr.CODE_PORT_UNREACHABLE, du.code());
        assertEquals(A, parse(err).dst());
        assertEquals(A, Ipv6Address.read(du.data(), 8), "the quote names A again (RFC 5508 7.1)");
        UdpRepr q = ((Parsed.Ok<UdpRepr>) UdpRepr.parse(A, B, du.data(), Ipv6Repr.HEADER_LENGTH, du.data().length - Ipv6Repr.HEADER_LENGTH)).value();
        assertEquals(5000, q.srcPort(), "and its port, with the quoted checksum still right");
        UdpError e = src.error();
        assertNotNull(e, "A's socket hears it");
        assertEquals(1, cr.get("nat.icmp_errors"));
    }

    @Test void portForwardsReachAnInternalIpv6Server() {
        netfilter("", List.of(NatConfig.masquerade("rb", RB).withForwards(
                List.of(new NatConfig.PortForward(Ipv4Repr.PROTO_UDP, 8080, new Endpoint(A, 9))))));
        UdpSocket server = a.udpBind(Ipv6Address.ANY, 9);
        UdpSocket client = b.udpBind(Ipv6Address.ANY, 6000);
        client.sendTo(now, RB, 8080, new byte[] {9, 9}, 0, 2);
        settle();
        UdpDatagram got = server.receive();
        assertNotNull(got, "RB:8080 went to A:9");
        assertEquals(B, got.src());
        server.sendTo(now, B, 6000, new byte[] {1}, 0, 1);
        settle();
        UdpDatagram back = client.receive();
        assertNotNull(back);
        assertEquals(new Endpoint(RB, 8080), new Endpoint(back.src(), back.srcPort()), "the answer from the forward's address");
    }

    @Test void anInsideHostsIcmpv6ErrorAboutAForwardedFlowLeavesTranslated() {
        netfilter("", List.of(NatConfig.masquerade("rb", RB).withForwards(
                List.of(new NatConfig.PortForward(Ipv4Repr.PROTO_UDP, 8080, new Endpoint(A, 9))))));
        UdpSocket client = b.udpBind(Ipv6Address.ANY, 6000);
        client.sendTo(now, RB, 8080, new byte[] {1}, 0, 1); // to A:9, where nothing listens
        settle();
        byte[] err = l2.a.sent.stream().filter(f -> parse(f).nextHeader() == Ipv6Repr.NH_ICMPV6).findFirst().orElseThrow();
        assertEquals(RB, parse(err).src(), "no internal address leaves (RFC 5508 7.2)");
        Icmpv6Repr.DestinationUnreachable du = assertInstanceOf(Icmpv6Repr.DestinationUnreachable.class, icmp(err));
        assertEquals(RB, Ipv6Address.read(du.data(), 24), "the quote names the forward's address");
        UdpRepr q = ((Parsed.Ok<UdpRepr>) UdpRepr.parse(B, RB, du.data(), Ipv6Repr.HEADER_LENGTH, du.data().length - Ipv6Repr.HEADER_LENGTH)).value();
        assertEquals(8080, q.dstPort(), "and its port, with the quoted checksum still right");
        assertNotNull(client.error(), "B's socket hears it");
    }

    @Test void anIpv4NatLeavesIpv6AloneAndTheOtherWayRound() {
        netfilter("", List.of(NatConfig.masquerade("rb", org.netstack4j.wire.Ipv4Address.parse("10.2.0.1"))));
        UdpSocket sink = b.udpBind(Ipv6Address.ANY, 9);
        a.udpBind(Ipv6Address.ANY, 5000).sendTo(now, B, 9, new byte[] {1}, 0, 1);
        settle();
        assertEquals(A, sink.receive().src(), "IPv6 untranslated by an IPv4 NAT");
    }

    // ---------------------------------------------------------------- 6. NPTv6

    /** A's address outside: fd00:1::/48 (word sum 0xfd01) to fd00:3::/48 (0xfd03) adds 0xfffd to the subnet word (RFC 6296 3.2, 3.4). */
    static final Ipv6Address EXT_A = Ipv6Address.parse("fd00:3:0:fffd::2");
    static final Npt6.Config NPT = Npt6.Config.parse("rb", "fd00:1::/48,fd00:3::/48");

    /** A UDP packet with a right checksum (pre-routing checks it). */
    static byte[] udp(Ipv6Address src, Ipv6Address dst, int hopLimit) {
        Ipv6Repr ip = Ipv6Repr.of(src, dst, Ipv6Repr.NH_UDP, hopLimit, UdpRepr.HEADER_LENGTH + 8);
        byte[] p = new byte[ip.totalLength()];
        ip.emit(p, 0);
        new UdpRepr(4000, 9).emit(src, dst, p, Ipv6Repr.HEADER_LENGTH, new byte[8], 0, 8);
        return p;
    }

    @Test void nptMapsUdpAndEchoBothWaysWithoutTouchingChecksums() {
        netfilter("", List.of(), List.of(NPT));
        UdpSocket echo = b.udpBind(Ipv6Address.ANY, 7);
        UdpSocket src = a.udpBind(Ipv6Address.ANY, 5000);
        src.sendTo(now, B, 7, new byte[] {1, 2, 3}, 0, 3);
        settle();
        UdpDatagram got = echo.receive();
        assertNotNull(got);
        assertEquals(new Endpoint(EXT_A, 5000), new Endpoint(got.src(), got.srcPort()), "B sees A's external address, the port as it was");
        byte[] sent = l1.a.sent.getLast(), forwarded = l2.a.sent.getLast();
        assertEquals(sent[Ipv6Repr.HEADER_LENGTH + 6], forwarded[Ipv6Repr.HEADER_LENGTH + 6], "UDP checksum bytes as A sent them");
        assertEquals(sent[Ipv6Repr.HEADER_LENGTH + 7], forwarded[Ipv6Repr.HEADER_LENGTH + 7]);
        echo.sendTo(now, EXT_A, 5000, new byte[] {4}, 0, 1);
        settle();
        UdpDatagram back = src.receive();
        assertNotNull(back, "the answer to the external address reaches A");
        assertEquals(B, back.src());

        List<Ipv6Address> replies = new ArrayList<>();
        a.setEchoReplyListener(echo6((from, hl) -> replies.add(from)));
        a.ping6(now, B, 0x4242, 1, new byte[8], -1);
        settle();
        assertEquals(List.of(B), replies, "ping through, both ways");
        assertTrue(l2.a.sent.stream().allMatch(f -> parse(f).src().equals(EXT_A)), "no internal address on B's link");
        assertEquals(2, cr.get("npt6.out.translated"));
        assertEquals(2, cr.get("npt6.in.translated"));
        assertEquals(0, cr.get("nat.out.translated"), "no NAT: stateless");
    }

    @Test void nptTranslatesIcmpv6ErrorsBothWaysIncludingTheRoutersOwn() {
        netfilter("", List.of(), List.of(NPT));
        UdpSocket src = a.udpBind(Ipv6Address.ANY, 5000);
        src.sendTo(now, B, 4444, new byte[] {1}, 0, 1); // nothing listens at B: port unreachable to EXT_A
        settle();
        byte[] err = l1.b.sent.stream().filter(f -> parse(f).nextHeader() == Ipv6Repr.NH_ICMPV6).findFirst().orElseThrow();
        Icmpv6Repr.DestinationUnreachable du = assertInstanceOf(Icmpv6Repr.DestinationUnreachable.class, icmp(err)); // checksum verified
        assertEquals(A, parse(err).dst());
        assertEquals(A, Ipv6Address.read(du.data(), 8), "the quote names A again");
        assertNotNull(src.error(), "A's socket hears it");

        // B's packet to A's external address with hop limit 1: R's own Time Exceeded quotes it as B sent it
        l2.a.inject(now, udp(B, EXT_A, 1));
        settle();
        byte[] te = l2.a.sent.stream().filter(f -> parse(f).nextHeader() == Ipv6Repr.NH_ICMPV6
                && icmp(f) instanceof Icmpv6Repr.TimeExceeded).findFirst().orElseThrow();
        assertEquals(EXT_A, quotedDst(((Icmpv6Repr.TimeExceeded) icmp(te)).data()), "no internal address in R's quote");
        assertEquals(2, cr.get("npt6.icmp_errors"));
    }

    /** The rules see internal addresses both ways (inbound mapped at pre-routing, outbound at post-routing), as Linux's mangle-table NPT. */
    @Test void theFirewallSeesInternalAddresses() {
        netfilter("""
                chain forward policy drop
                accept state established,related
                accept udp from fd00:1::/48 to port 7 out rb
                accept udp in rb to fd00:1::2 port 9
                drop udp to fd00:3::/48
                """, List.of(), List.of(NPT));
        UdpSocket echo = b.udpBind(Ipv6Address.ANY, 7);
        UdpSocket src = a.udpBind(Ipv6Address.ANY, 5000);
        src.sendTo(now, B, 7, new byte[] {1}, 0, 1);
        settle();
        assertNotNull(echo.receive(), "allowed by its internal source");
        echo.sendTo(now, EXT_A, 5000, new byte[] {2}, 0, 1);
        settle();
        assertNotNull(src.receive(), "the reply matched the tracked flow by A's internal address");
        UdpSocket server = a.udpBind(Ipv6Address.ANY, 9);
        b.udpBind(Ipv6Address.ANY, 6000).sendTo(now, EXT_A, 9, new byte[] {3}, 0, 1);
        settle();
        assertNotNull(server.receive(), "a rule naming A's internal address admits what was sent to its external one");
        assertEquals(0, cr.get("ipv6.filtered.forward"), "the rule on the external prefix never matched");
    }

    @Test void nptDropsAnAddressWithNoCounterpart() {
        netfilter("", List.of(), List.of(NPT));
        // subnet 0xffff inside has no external address (RFC 6296 3.4: 0xFFFF is never produced)
        l1.b.inject(now, udp(Ipv6Address.parse("fd00:1:0:ffff::2"), B, 64));
        settle();
        assertTrue(l2.a.sent.isEmpty());
        assertEquals(1, cr.get("npt6.untranslatable"));
        assertEquals(1, cr.get("ipv6.filtered.postrouting"));
    }
}
