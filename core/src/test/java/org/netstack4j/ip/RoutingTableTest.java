package org.netstack4j.ip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;
import org.netstack4j.device.Medium;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv6Address;
import org.netstack4j.wire.MacAddress;

class RoutingTableTest {
    final IpInterface eth0 = new IpInterface("eth0", new TestLink(Medium.ETHERNET, 1500).a,
            MacAddress.parse("02:00:00:00:00:01"), Ipv4Address.parse("10.0.0.1"), 24);
    final IpInterface eth1 = new IpInterface("eth1", new TestLink(Medium.ETHERNET, 1500).a,
            MacAddress.parse("02:00:00:00:00:02"), Ipv4Address.parse("10.1.0.1"), 16);

    RoutingTable table() {
        RoutingTable t = new RoutingTable();
        t.add(new RoutingTable.Route(eth0.network(), 24, null, eth0));
        t.add(new RoutingTable.Route(eth1.network(), 16, null, eth1));
        return t;
    }

    static Ipv4Address ip(String s) { return Ipv4Address.parse(s); }

    @Test void connectedRouteIsOnLink() {
        RoutingTable.NextHop nh = table().lookup(ip("10.0.0.7"));
        assertSame(eth0, nh.iface());
        assertEquals(ip("10.0.0.7"), nh.address());
    }

    @Test void noRouteIsNull() { assertNull(table().lookup(ip("192.168.1.1"))); }

    @Test void theRememberedLastLookupFollowsRouteChanges() {
        RoutingTable t = table();
        assertNull(t.lookup(ip("192.168.1.1")));
        assertNull(t.lookup(ip("192.168.1.1")), "asked twice");
        t.add(new RoutingTable.Route(Ipv4Address.ANY, 0, ip("10.1.2.3"), null));
        assertEquals(ip("10.1.2.3"), t.lookup(ip("192.168.1.1")).address(), "a route added after the lookup");
        t.add(new RoutingTable.Route(ip("192.168.1.0"), 24, null, eth0));
        assertEquals(ip("192.168.1.1"), t.lookup(ip("192.168.1.1")).address(), "a more specific route added after it");
        t.remove(ip("192.168.1.0"), 24);
        t.remove(Ipv4Address.ANY, 0);
        assertNull(t.lookup(ip("192.168.1.1")), "both removed");
        assertSame(eth0, t.lookup(ip("10.0.0.9")).iface(), "another destination");
    }

    @Test void theRememberedLastIpv6LookupFollowsRouteChanges() {
        RoutingTable t = new RoutingTable();
        Ipv6Address dst = Ipv6Address.parse("2001:db8:1::7");
        assertNull(t.lookup(dst));
        assertNull(t.lookup(dst), "asked twice");
        t.add(new RoutingTable.Route6(Ipv6Address.parse("fd00::"), 64, null, eth0));
        t.add(new RoutingTable.Route6(Ipv6Address.ANY, 0, Ipv6Address.parse("fd00::1"), null));
        assertEquals(Ipv6Address.parse("fd00::1"), t.lookup(dst).address(), "a default route added after the lookup");
        t.add(new RoutingTable.Route6(Ipv6Address.parse("2001:db8:1::"), 48, null, eth1));
        assertSame(eth1, t.lookup(dst).iface(), "a more specific route added after it");
        assertEquals(dst, t.lookup(Ipv6Address.parse("2001:db8:1::7")).address(), "an equal address, another object");
        t.remove6(Ipv6Address.parse("2001:db8:1::"), 48);
        assertSame(eth0, t.lookup(dst).iface(), "the specific one removed: the default again");
        t.remove6(Ipv6Address.ANY, 0);
        assertNull(t.lookup(dst), "both removed");
        assertSame(eth0, t.lookup(Ipv6Address.parse("fd00::9")).iface(), "another destination");
    }

    @Test void defaultRouteGoesViaTheGatewaysInterface() {
        RoutingTable t = table();
        t.add(new RoutingTable.Route(Ipv4Address.ANY, 0, ip("10.1.2.3"), null));
        RoutingTable.NextHop nh = t.lookup(ip("8.8.8.8"));
        assertSame(eth1, nh.iface());
        assertEquals(ip("10.1.2.3"), nh.address());
    }

    @Test void longestPrefixWins() {
        RoutingTable t = table();
        t.add(new RoutingTable.Route(Ipv4Address.ANY, 0, ip("10.1.0.254"), null));
        t.add(new RoutingTable.Route(ip("10.1.5.0"), 24, ip("10.0.0.254"), null));
        assertEquals(ip("10.0.0.254"), t.lookup(ip("10.1.5.9")).address());
        assertEquals(ip("10.1.6.9"), t.lookup(ip("10.1.6.9")).address());
        assertEquals(ip("10.1.0.254"), t.lookup(ip("1.2.3.4")).address());
    }

    @Test void gatewayNotOnLinkGivesNoRoute() {
        RoutingTable t = table();
        t.add(new RoutingTable.Route(Ipv4Address.ANY, 0, ip("172.16.0.1"), null));
        assertNull(t.lookup(ip("8.8.8.8")));
    }

    @Test void removeDropsTheRoute() {
        RoutingTable t = table();
        t.add(new RoutingTable.Route(Ipv4Address.ANY, 0, ip("10.0.0.254"), null));
        t.remove(Ipv4Address.ANY, 0);
        assertNull(t.lookup(ip("8.8.8.8")));
        assertEquals("10.0.0.0/24 dev eth0\n10.1.0.0/16 dev eth1\n", t.toString());
    }

    @Test void interfaceAddressMath() {
        assertEquals(ip("10.0.0.255"), eth0.broadcast());
        assertEquals(ip("10.1.0.0"), eth1.network());
        IpInterface p2p = new IpInterface("tun0", new TestLink(Medium.IP, 1500).a, null, ip("10.9.0.1"), 31);
        assertNull(p2p.broadcast());
        assertEquals(true, p2p.onLink(ip("10.9.0.0")));
    }
}
