package org.netstack4j.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.netstack4j.ip.Ipv6AddressState;
import org.netstack4j.time.Time;
import org.netstack4j.wire.Icmpv6Repr;
import org.netstack4j.wire.Ipv6Address;
import org.netstack4j.wire.Ipv6Repr;
import org.netstack4j.wire.NdOption;

/**
 * Router advertisement lifetimes in virtual time (issue 13): the router lifetime removes the
 * default route when it runs out (RFC 4861 6.3.4), a SLAAC address is deprecated when its
 * preferred lifetime ends and removed with its on-link prefix when its valid lifetime ends
 * (RFC 4862 5.5.4), and an RA can cut a valid lifetime only down to two hours (RFC 4862 5.5.3 e).
 */
class RouterLifetimesTest {
    static final Ipv6Address PREFIX = Ipv6Address.parse("2001:db8:1::"), FAR = Ipv6Address.parse("2001:db8:99::1");

    /** The server plays the router: an RA to all-nodes from its link-local address. */
    static void advertise(TwoHostNetwork net, int routerLifetime, long valid, long preferred) {
        Ipv6Address router = DualStackTest.linkLocal(net.server());
        Icmpv6Repr ra = new Icmpv6Repr.RouterAdvertisement(64, 0, routerLifetime, 0, 0, List.of(
                new NdOption.SourceLinkLayerAddress(TwoHostNetwork.SERVER_MAC),
                new NdOption.PrefixInformation(64, true, true, valid, preferred, PREFIX)));
        Ipv6Address allNodes = Ipv6Address.parse("ff02::1");
        assertTrue(net.server().ip().send(net.now(), router, allNodes, Ipv6Repr.NH_ICMPV6, 0, 255, false, ra.length(),
                (b, o) -> ra.emit(router, allNodes, b, o)));
    }

    static Optional<Ipv6AddressState> slaac(TwoHostNetwork net) {
        return net.client().ip().ipv6Addresses().stream().filter(a -> a.address().high() == PREFIX.high()).findFirst();
    }

    static boolean hasDefaultRoute(TwoHostNetwork net) { return net.client().ip().routes().toString().contains("default via"); }

    @Test void theDefaultRouteGoesWhenTheRouterLifetimeEnds() {
        try (TwoHostNetwork net = DualStackTest.net()) {
            long start = net.now();
            advertise(net, 30, 86400, 14400);
            net.runUntil(start + Time.s(2));
            assertTrue(hasDefaultRoute(net), net.client().ip().routes().toString());
            net.runUntil(start + Time.s(29));
            assertTrue(hasDefaultRoute(net), "still within the 30 s");
            assertEquals(slaac(net).orElseThrow().address(), net.client().ip().sourceAddressFor(FAR));
            net.runUntil(start + Time.s(31));
            assertFalse(hasDefaultRoute(net), net.client().ip().routes().toString());
            assertNull(net.client().ip().sourceAddressFor(FAR), "no route off the link any more");
            assertTrue(DualStackTest.notes(net.clientLog(), "nd").stream().anyMatch(n -> n.contains("router lifetime over")));
            // a new RA brings it back; one with lifetime 0 takes it away at once
            advertise(net, 600, 86400, 14400);
            net.runUntil(net.now() + Time.ms(10));
            assertTrue(hasDefaultRoute(net));
            advertise(net, 0, 86400, 14400);
            net.runUntil(net.now() + Time.ms(10));
            assertFalse(hasDefaultRoute(net));
        }
    }

    @Test void aSlaacAddressIsDeprecatedThenRemovedWithItsPrefix() {
        try (TwoHostNetwork net = DualStackTest.net()) {
            long start = net.now();
            advertise(net, 1800, 60, 20);
            net.runUntil(start + Time.s(2));
            Ipv6AddressState a = slaac(net).orElseThrow();
            assertEquals(Ipv6AddressState.State.PREFERRED, a.state());
            net.runUntil(start + Time.s(21));
            assertEquals(Ipv6AddressState.State.DEPRECATED, slaac(net).orElseThrow().state());
            assertTrue(slaac(net).orElseThrow().toString().endsWith(" deprecated"));
            assertTrue(net.client().ip().isLocalAddress(a.address()), "a deprecated address is still ours");
            assertEquals(TwoHostNetwork.CLIENT_ADDRESS6, net.client().ip().sourceAddressFor(FAR),
                    "new connections take the preferred fd00::1 over the deprecated one, longer prefix or not (RFC 6724 rule 3)");
            net.runUntil(start + Time.s(61));
            assertTrue(slaac(net).isEmpty(), net.client().ip().ipv6Addresses().toString());
            assertFalse(net.client().ip().isLocalAddress(a.address()));
            assertFalse(net.client().ip().routes().toString().contains(PREFIX + "/64"), net.client().ip().routes().toString());
            // a later RA makes it again, preferred
            advertise(net, 1800, 600, 300);
            net.runUntil(net.now() + Time.s(2));
            assertEquals(Ipv6AddressState.State.PREFERRED, slaac(net).orElseThrow().state());
        }
    }

    @Test void anRaRefreshesLifetimesButCannotCutTheValidOneBelowTwoHours() {
        try (TwoHostNetwork net = DualStackTest.net()) {
            long start = net.now();
            advertise(net, 9000, 86400, 10);
            net.runUntil(start + Time.s(11));
            assertEquals(Ipv6AddressState.State.DEPRECATED, slaac(net).orElseThrow().state());
            // a preferred lifetime again: preferred again; a 60 s valid lifetime becomes two hours (RFC 4862 5.5.3 e)
            long refreshed = net.now();
            advertise(net, 9000, 60, 30);
            net.runUntil(refreshed + Time.s(5));
            assertEquals(Ipv6AddressState.State.PREFERRED, slaac(net).orElseThrow().state());
            net.runUntil(refreshed + Time.s(120));
            assertEquals(Ipv6AddressState.State.DEPRECATED, slaac(net).orElseThrow().state(), "30 s preferred, still valid after 60 s");
            net.runUntil(refreshed + Time.s(7199));
            assertTrue(slaac(net).isPresent(), "valid for two hours");
            net.runUntil(refreshed + Time.s(7201));
            assertTrue(slaac(net).isEmpty(), "gone after two hours");
        }
    }
}
