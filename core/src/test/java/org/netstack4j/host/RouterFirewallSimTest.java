package org.netstack4j.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.netstack4j.host.RouterSimTest.addr;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.netstack4j.filter.ConnTrackConfig;
import org.netstack4j.filter.NatConfig;
import org.netstack4j.filter.Netfilter;
import org.netstack4j.filter.Npt6;
import org.netstack4j.filter.RuleSet;
import org.netstack4j.tcp.TcpConnection;
import org.netstack4j.tcp.TcpError;
import org.netstack4j.tcp.TcpEventListener;
import org.netstack4j.tcp.TcpState;
import org.netstack4j.time.Time;
import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.Ipv6Address;

/**
 * A — R — B in the simulator ({@link RouterSimTest#chain}) with a {@link Netfilter} on R:
 * a rule file (docs/firewall.md) that lets A reach B:80, rejects B:81 with a RST and drops the
 * rest; and masquerade on R's B-side interface (e1r, 10.2.0.1).
 */
class RouterFirewallSimTest {
    static final String RULES = """
            chain forward policy drop
            accept state established,related
            reject with tcp-reset tcp in e0l to 10.2.0.2 port 81
            accept in e0l out e1r tcp to 10.2.0.2 port 80 state new
            """;

    static Netfilter netfilter(RouterSimTest.Net net, String rules, List<NatConfig> nat) {
        Host r = net.nodes()[1];
        RuleSet rs = ((RuleSet.Loaded.Ok) RuleSet.parse(rules)).rules();
        Netfilter nf = new Netfilter(rs, ConnTrackConfig.defaults(), nat,
                Map.of("e0l", addr(0, 2), "e1r", addr(1, 1)), r.counters());
        r.ip().setNetfilter(nf);
        return nf;
    }

    @Test void allowedFlowAndItsRepliesPass() {
        RouterSimTest.Net net = RouterSimTest.chain(null, 1500, 1500);
        netfilter(net, RULES, List.of());
        List<IpAddress> peers = new ArrayList<>();
        RouterSimTest.transfer(net, 500_000, peers);
        assertEquals(List.of(addr(0, 1)), peers, "no NAT: B sees A");
        assertEquals(0, net.nodes()[1].counters().get("ipv4.filtered.forward"));
    }

    @Test void unsolicitedSynFromBIsDropped() {
        RouterSimTest.Net net = RouterSimTest.chain(null, 1500, 1500);
        netfilter(net, RULES, List.of());
        int[] accepted = {0};
        net.a().listen(0, 80, 4, l -> { while (l.accept() != null) accepted[0]++; });
        TcpConnection c = net.b().connect(0, addr(0, 1), 80, new TcpEventListener() {});
        net.sim().runUntil(Time.s(5));
        assertEquals(0, accepted[0]);
        assertNotEquals(TcpState.ESTABLISHED, c.state());
        assertTrue(net.nodes()[1].counters().get("ipv4.filtered.forward") >= 2, "the SYN and its retransmissions");
        assertEquals(0, net.a().counters().get("tcp.in.segments"), "nothing reached A");
    }

    @Test void rejectRuleGivesTheClientARstAtOnce() {
        RouterSimTest.Net net = RouterSimTest.chain(null, 1500, 1500);
        netfilter(net, RULES, List.of());
        long[] closedAt = {-1};
        TcpError[] err = {null};
        TcpConnection c = net.a().connect(0, net.bAddr(), 81, new TcpEventListener() {
            @Override public void onClosed(TcpConnection conn, TcpError e) {
                closedAt[0] = net.sim().now();
                err[0] = e;
            }
        });
        net.sim().runUntil(Time.ms(50));
        assertEquals(TcpState.CLOSED, c.state());
        assertTrue(closedAt[0] >= 0 && closedAt[0] < Time.ms(5), "refused within one round trip: " + closedAt[0]);
        assertTrue(err[0] != null, "an error (connection refused)");
        assertEquals(1, net.nodes()[1].counters().get("ipv4.filtered.rejects_sent"));
        assertEquals(0, net.b().counters().get("tcp.in.segments"), "the SYN never reached B");
    }

    @Test void masqueradeOnTheBSideInterface() {
        RouterSimTest.Net net = RouterSimTest.chain(null, 1500, 1500);
        netfilter(net, RULES, List.of(NatConfig.masquerade("e1r", addr(1, 1))));
        List<IpAddress> peers = new ArrayList<>();
        RouterSimTest.transfer(net, 500_000, peers);
        assertEquals(List.of(addr(1, 1)), peers, "B sees R's address");
    }

    /**
     * Issue 14 over IPv6 on Ethernet: R's input chain drops everything (Neighbor Discovery still
     * works: it skips INPUT, as ARP does), the forward chain lets A's TCP out, and NAT66 on e1r
     * makes B see R's address; 500 kB intact both ways through the translation.
     */
    @Test void tcpOverIpv6ThroughNat66WithAClosedInputChain() {
        RouterSimTest.Net net = ipv6Chain();
        Host r = net.nodes()[1];
        netfilter6(net, """
                chain input policy drop
                chain forward policy drop
                accept state established,related
                accept in e0l out e1r ip6 tcp to port 80
                """, List.of(NatConfig.masquerade("e1r", RB6)), List.of());
        List<IpAddress> peers = new ArrayList<>();
        RouterSimTest.transfer(net, 500_000, peers, B6);
        assertEquals(List.of(RB6), peers, "B sees R's IPv6 address");
        assertTrue(r.counters().get("nat.out.translated") > 100, "every segment of A's translated");
        assertEquals(0, r.counters().get("ipv6.filtered.forward"));
    }

    /**
     * NPTv6 (RFC 6296) on e1r, fd00:1::/48 inside as fd00:3::/48 outside, over Ethernet with the
     * forward chain closed but for A's TCP by its internal source: 500 kB intact, B sees A's
     * external address, and every segment and ACK went through the stateless mapping.
     */
    @Test void tcpOverIpv6ThroughNptv6() {
        RouterSimTest.Net net = ipv6Chain();
        Host r = net.nodes()[1];
        netfilter6(net, """
                chain forward policy drop
                accept state established,related
                accept in e0l out e1r ip6 tcp from fd00:1::/48 to port 80
                """, List.of(), List.of(Npt6.Config.parse("e1r", "fd00:1::/48,fd00:3::/48")));
        List<IpAddress> peers = new ArrayList<>();
        RouterSimTest.transfer(net, 500_000, peers, B6);
        assertEquals(List.of(Ipv6Address.parse("fd00:3:0:fffd::1")), peers,
                "B sees A's external address (fd00:1::1 with the subnet word adjusted by 0xfffd)");
        assertTrue(r.counters().get("npt6.out.translated") > 300, "A's segments mapped out: " + r.counters().get("npt6.out.translated"));
        assertTrue(r.counters().get("npt6.in.translated") > 100, "B's ACKs mapped in: " + r.counters().get("npt6.in.translated"));
        assertEquals(0, r.counters().get("ipv6.filtered.forward"));
        assertEquals(0, r.counters().get("nf.malformed"), "every checksum still right after translation");
    }

    /** The IPv6 chain's addresses: A, R on A's side, R on B's side, B. */
    static final Ipv6Address A6 = Ipv6Address.parse("fd00:1::1"), RA6 = Ipv6Address.parse("fd00:1::2"),
            RB6 = Ipv6Address.parse("fd00:2::1"), B6 = Ipv6Address.parse("fd00:2::2");

    /** R's netfilter on the IPv6 chain: {@code rules}, NAT and NPTv6, R's interface addresses RA6 (e0l) and RB6 (e1r). */
    static void netfilter6(RouterSimTest.Net net, String rules, List<NatConfig> nat, List<Npt6.Config> npt6) {
        Host r = net.nodes()[1];
        RuleSet rs = ((RuleSet.Loaded.Ok) RuleSet.parse(rules)).rules();
        r.ip().setNetfilter(new Netfilter(rs, ConnTrackConfig.defaults(), nat, npt6, Map.of(), Map.of("e0l", RA6, "e1r", RB6), r.counters()));
    }

    /** A - R - B over Ethernet with fd00:1::/64 (A ::1, R ::2) and fd00:2::/64 (R ::1, B ::2), R forwarding IPv6, DAD done. */
    static RouterSimTest.Net ipv6Chain() {
        RouterSimTest.Net net = RouterSimTest.chain(null, 1500, 1500);
        Host a = net.a(), r = net.nodes()[1], b = net.b();
        a.addIpv6Address("e0r", A6, 64);
        r.addIpv6Address("e0l", RA6, 64);
        r.addIpv6Address("e1r", RB6, 64);
        b.addIpv6Address("e1l", B6, 64);
        a.ip().routes().add(new org.netstack4j.ip.RoutingTable.Route6(Ipv6Address.ANY, 0, RA6, null));
        b.ip().routes().add(new org.netstack4j.ip.RoutingTable.Route6(Ipv6Address.ANY, 0, RB6, null));
        r.ip().setIpv6Forwarding(true);
        net.sim().runUntil(Time.s(3)); // DAD
        return net;
    }
}
