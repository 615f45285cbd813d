package org.netstack4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv6Address;

/** IPv6 interface addresses, and which address sets a dual-stack TUN accepts ({@link TunHost#checkAddresses}). */
class Ipv6CidrTest {
    @Test
    void parsesAddressAndPrefix() {
        Ipv6Cidr c = Ipv6Cidr.parse(" FD00:7:0::2/64 ");
        assertEquals(Ipv6Address.parse("fd00:7::2"), c.address());
        assertEquals(64, c.prefixLength());
        assertEquals(Ipv6Address.parse("fd00:7::"), c.network());
        assertEquals("fd00:7::2/64", c.toString());
        assertTrue(c.contains(Ipv6Address.parse("fd00:7::ffff:1")));
        assertFalse(c.contains(Ipv6Address.parse("fd00:8::1")));
        assertFalse(c.contains(Ipv4Address.parse("10.7.0.1")), "the other family is never inside");
        assertEquals(Ipv6Address.parse("fd00:7::1"), c.suggestPeer());
        assertEquals(Ipv6Address.parse("fd00:7::2"), Ipv6Cidr.parse("fd00:7::1/64").suggestPeer());
        assertEquals(Ipv6Address.parse("fd00:7:0:ff00::"), Ipv6Cidr.parse("fd00:7:0:ffee::1/56").network());
        assertEquals(Ipv6Address.parse("fd00:7::1:0:0"), Ipv6Cidr.parse("fd00:7::1:2:3/96").network());
        assertEquals(Ipv6Address.parse("fd00:7::5"), Ipv6Cidr.parse("fd00:7::5/128").network());
        assertInstanceOf(Ipv6Cidr.class, Cidr.parse("fd00:7::2/64"));
        assertInstanceOf(Ipv4Cidr.class, Cidr.parse("10.7.0.2/24"));
    }

    @Test
    void rejectsWhatNoHostCanUseWithAReason() {
        assertMessage("no prefix length", "fd00:7::2");
        assertMessage("not x:x::x/len", "fd00:7:::2/64");
        assertMessage("prefix length must be a number from 1 to 128", "fd00:7::2/129");
        assertMessage("prefix length must be a number from 1 to 128", "fd00:7::2/0");
        assertMessage("not a unicast host address", "ff02::1/64");
        assertMessage("not a unicast host address", "::/64");
        assertMessage("not a unicast host address", "::1/128");
        assertMessage("not a unicast host address", "::ffff:10.7.0.2/120");
    }

    @Test
    void peersPairWithinOneFamilyAndPrefix() {
        Ipv6Cidr ours = Ipv6Cidr.parse("fd00:7::2/64");
        assertNull(ours.peerProblem(Cidr.parse("fd00:7::1/64")));
        assertTrue(ours.peerProblem(Cidr.parse("fd00:7::2/64")).contains("the same as"));
        assertTrue(ours.peerProblem(Cidr.parse("fd00:8::1/64")).contains("use an address such as fd00:7::1/64"));
        assertTrue(ours.peerProblem(Cidr.parse("fd00:7::1/48")).contains("not in netstack4j's prefix"));
        assertTrue(ours.peerProblem(Cidr.parse("10.7.0.1/24")).contains("pair addresses of one family"));
        assertTrue(Ipv4Cidr.parse("10.7.0.2/24").peerProblem(Cidr.parse("fd00:7::1/64")).contains("pair addresses of one family"));
    }

    @Test
    void aDualStackTunHasOneIpv4AddressAndAnyIpv6Ones() {
        List<Cidr> ours = List.of(Cidr.parse("10.7.0.2/24"), Cidr.parse("fd00:7::2/64"), Cidr.parse("fd00:9::2/64"));
        TunHost.checkAddresses(ours, List.of());
        TunHost.checkAddresses(ours, List.of(Cidr.parse("10.7.0.1/24"), Cidr.parse("fd00:7::1/64"), Cidr.parse("fd00:9::1/64")));
        assertProblem("needs an address", List.of(), List.of());
        // IPv6 only (issue 13): no IPv4 address at all is fine, and an IPv4 kernel address then has no partner
        TunHost.checkAddresses(List.of(Cidr.parse("fd00:7::2/64")), List.of(Cidr.parse("fd00:7::1/64")));
        assertProblem("no netstack4j address of its family (IPv4)", List.of(Cidr.parse("fd00:7::2/64")), List.of(Cidr.parse("10.7.0.1/24")));
        assertProblem("one IPv4 address per TUN", List.of(Cidr.parse("10.7.0.2/24"), Cidr.parse("10.8.0.2/24")), List.of());
        assertProblem("given twice", List.of(Cidr.parse("10.7.0.2/24"), Cidr.parse("fd00:7::2/64"), Cidr.parse("fd00:7::2/48")), List.of());
        assertProblem("no netstack4j address of its family (IPv6)", List.of(Cidr.parse("10.7.0.2/24")), List.of(Cidr.parse("fd00:7::1/64")));
        assertProblem("is the same as netstack4j's address fd00:9::2/64", ours, List.of(Cidr.parse("fd00:9::2/64")));
        assertProblem("use an address such as fd00:7::1/64", ours, List.of(Cidr.parse("fd00:8::1/64")));
    }

    private static void assertProblem(String expected, List<Cidr> ours, List<Cidr> kernel) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TunHost.checkAddresses(ours, kernel));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    private static void assertMessage(String expected, String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ipv6Cidr.parse(text));
        assertTrue(e.getMessage().contains(expected), text + ": " + e.getMessage());
    }
}
