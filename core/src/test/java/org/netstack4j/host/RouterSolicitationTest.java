package org.netstack4j.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.netstack4j.ip.Ipv6AddressState;
import org.netstack4j.time.Time;
import org.netstack4j.wire.EthernetRepr;
import org.netstack4j.wire.Icmpv6Repr;
import org.netstack4j.wire.Ipv6Address;
import org.netstack4j.wire.Ipv6Repr;
import org.netstack4j.wire.NdOption;
import org.netstack4j.wire.Parsed;

/**
 * Router solicitation (RFC 4861 6.3.7) on an interface doing SLAAC, in virtual time: the first
 * after a random delay up to MAX_RTR_SOLICITATION_DELAY (1 s), then every RTR_SOLICITATION_INTERVAL
 * (4 s), at most MAX_RTR_SOLICITATIONS (3); from :: without a source link-layer address before DAD
 * gave a link-local address (4.1), from the link-local with it after; none after a router's
 * advertisement, whose prefix then gives the SLAAC address.
 */
class RouterSolicitationTest {
    record Rs(long time, Ipv6Address src, Icmpv6Repr.RouterSolicitation msg, int hopLimit, Ipv6Address dst) {}

    /** An IPv6-only pair (the server plays the router) whose client's sent router solicitations land in {@code out}. */
    static TwoHostNetwork net(long seed, List<Rs> out) {
        return TwoHostNetwork.builder().seed(seed).ipv6Only(true).observeFrames((now, host, sent, frame) -> {
            if (!sent || !host.equals("client") || ((frame[12] & 0xff) << 8 | frame[13] & 0xff) != EthernetRepr.ETHERTYPE_IPV6) return;
            if (!(Ipv6Repr.parse(frame, 14, frame.length - 14) instanceof Parsed.Ok<Ipv6Repr> ip) || ip.value().nextHeader() != Ipv6Repr.NH_ICMPV6) return;
            Ipv6Repr h = ip.value();
            if (Icmpv6Repr.parse(h.src(), h.dst(), frame, 14 + Ipv6Repr.HEADER_LENGTH, h.payloadLength()) instanceof Parsed.Ok<Icmpv6Repr> m
                    && m.value() instanceof Icmpv6Repr.RouterSolicitation rs)
                out.add(new Rs(now, h.src(), rs, h.hopLimit(), h.dst()));
        }).build();
    }

    @Test void threeSolicitationsFourSecondsApartThenNoRouter() {
        for (long seed = 1; seed <= 5; seed++) {
            List<Rs> rs = new ArrayList<>();
            try (TwoHostNetwork net = net(seed, rs)) {
                long start = net.now();
                net.client().ip().enableSlaac("eth0");
                net.runUntil(start + Time.s(30));
                assertEquals(3, rs.size(), "seed " + seed + ": " + rs);
                long delay = rs.get(0).time() - start;
                assertTrue(delay >= 0 && delay <= Time.s(1), "first after at most MAX_RTR_SOLICITATION_DELAY: " + delay);
                assertEquals(Time.s(4), rs.get(1).time() - rs.get(0).time());
                assertEquals(Time.s(4), rs.get(2).time() - rs.get(1).time());
                for (Rs r : rs) {
                    assertEquals(255, r.hopLimit());
                    assertEquals(Ipv6Address.parse("ff02::2"), r.dst(), "to all-routers");
                    // the network's set-up ran DAD to the end, so they come from the link-local address, with our MAC
                    assertTrue(r.src().isLinkLocal(), r.toString());
                    assertEquals(List.of(new NdOption.SourceLinkLayerAddress(TwoHostNetwork.CLIENT_MAC)), r.msg().options());
                }
                assertEquals(3, net.client().counters().get("nd.out.router_solicits"));
                assertEquals(1, net.client().counters().get("nd.rs.no_router"), "gave up one interval after the last");
            }
        }
    }

    @Test void delayIsRandomPerSeed() {
        List<Long> delays = new ArrayList<>();
        for (long seed = 1; seed <= 6; seed++) {
            List<Rs> rs = new ArrayList<>();
            try (TwoHostNetwork net = net(seed, rs)) {
                long start = net.now();
                net.client().ip().enableSlaac("eth0");
                net.runUntil(start + Time.s(2));
                delays.add(rs.getFirst().time() - start);
            }
        }
        assertTrue(delays.stream().distinct().count() > 3, "random delays: " + delays);
    }

    @Test void beforeDadTheSolicitationComesFromUnspecifiedWithoutLinkLayerOption() {
        List<Rs> rs = new ArrayList<>();
        try (TwoHostNetwork net = net(3, rs)) {
            net.client().ip().addInterface(org.netstack4j.ip.IpInterface.ipv6Only("eth1",
                    new org.netstack4j.device.FaultInjector(net.sim().link(org.netstack4j.sim.LinkConfig.builder()
                            .medium(org.netstack4j.device.Medium.ETHERNET).build()).a(), org.netstack4j.device.FaultConfig.NONE, 1),
                    TwoHostNetwork.CLIENT_MAC));
            // eth1's link-local is tentative for DAD's RetransTimer (1 s); the first RS comes within 1 s
            List<Ipv6AddressState> before = net.client().ip().ipv6Addresses();
            assertTrue(before.stream().anyMatch(a -> a.iface().equals("eth1") && a.state() == Ipv6AddressState.State.TENTATIVE), before.toString());
            // (frames on eth1 are not observed by the network: the counters and the trace say what went out)
            long start = net.now();
            net.client().ip().enableSlaac("eth1");
            net.runUntil(() -> net.client().counters().get("nd.out.router_solicits") == 1, Time.s(2));
            assertTrue(net.now() - start <= Time.s(1));
            assertTrue(DualStackTest.notes(net.clientLog(), "nd").stream().anyMatch(n -> n.equals("router solicitation 1 of 3 from ::")),
                    DualStackTest.notes(net.clientLog(), "nd").toString());
            assertTrue(rs.isEmpty(), "nothing on eth0, which does not do SLAAC: " + rs);
        }
    }

    @Test void anAdvertisementStopsThemAndGivesTheSlaacAddress() {
        List<Rs> rs = new ArrayList<>();
        try (TwoHostNetwork net = net(2, rs)) {
            net.client().ip().enableSlaac("eth0");
            net.runUntil(() -> rs.size() == 1, Time.s(2));
            assertEquals(1, rs.size());
            // the server answers the first solicitation as a router: an RA to all-nodes with a prefix
            Ipv6Address router = DualStackTest.linkLocal(net.server());
            Ipv6Address allNodes = Ipv6Address.parse("ff02::1");
            Icmpv6Repr ra = new Icmpv6Repr.RouterAdvertisement(64, 0, 1800, 0, 0, List.of(
                    new NdOption.SourceLinkLayerAddress(TwoHostNetwork.SERVER_MAC),
                    new NdOption.PrefixInformation(64, true, true, 86400, 14400, Ipv6Address.parse("2001:db8:7::"))));
            net.server().ip().send(net.now(), router, allNodes, Ipv6Repr.NH_ICMPV6, 0, 255, false, ra.length(),
                    (b, o) -> ra.emit(router, allNodes, b, o));
            net.runUntil(net.now() + Time.s(30));
            assertEquals(1, rs.size(), "no solicitation after the advertisement: " + rs);
            assertEquals(1, net.client().counters().get("nd.out.router_solicits"));
            assertEquals(0, net.client().counters().get("nd.rs.no_router"));
            Ipv6AddressState slaac = net.client().ip().ipv6Addresses().stream()
                    .filter(a -> a.address().high() == Ipv6Address.parse("2001:db8:7::").high()).findFirst().orElseThrow();
            assertEquals(Ipv6AddressState.State.PREFERRED, slaac.state());
            assertEquals(1, net.client().counters().get("nd.slaac.addresses"));
            assertTrue(net.client().ip().routes().toString().contains("default via " + router), net.client().ip().routes().toString());
            // the server, not soliciting, sent none
            assertEquals(0, net.server().counters().get("nd.out.router_solicits"));
        }
    }

    @Test void aRouterDoesNotSolicit() {
        List<Rs> rs = new ArrayList<>();
        try (TwoHostNetwork net = net(4, rs)) {
            net.client().ip().setIpv6Forwarding(true);
            net.client().ip().enableSlaac("eth0");
            net.runUntil(net.now() + Time.s(20));
            assertTrue(rs.isEmpty(), rs.toString());
            assertEquals(0, net.client().counters().get("nd.out.router_solicits"));
        }
    }
}
