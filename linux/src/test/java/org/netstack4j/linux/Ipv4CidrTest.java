package org.netstack4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.netstack4j.wire.Ipv4Address;

class Ipv4CidrTest {
    @Test
    void parsesAddressAndPrefix() {
        Ipv4Cidr c = Ipv4Cidr.parse(" 10.7.0.2/24 ");
        assertEquals(Ipv4Address.parse("10.7.0.2"), c.address());
        assertEquals(24, c.prefixLength());
        assertEquals(Ipv4Address.parse("10.7.0.0"), c.network());
        assertEquals(Ipv4Address.parse("10.7.0.255"), c.broadcast());
        assertEquals("10.7.0.2/24", c.toString());
        assertTrue(c.contains(Ipv4Address.parse("10.7.0.200")));
        assertEquals(32, Ipv4Cidr.parse("10.7.0.0/32").prefixLength()); // a /32 has no network address to avoid
        assertEquals(31, Ipv4Cidr.parse("10.7.0.0/31").prefixLength()); // RFC 3021 point-to-point
    }

    @Test
    void rejectsWhatNoHostCanUseWithAReason() {
        assertMessage("no prefix length", "10.7.0.2");
        assertMessage("not a.b.c.d/len", "10.7.0/24");
        assertMessage("not a.b.c.d/len", "10.7.0.256/24");
        assertMessage("prefix length must be a number from 1 to 32", "10.7.0.2/33");
        assertMessage("prefix length must be a number from 1 to 32", "10.7.0.2/x");
        assertMessage("network address", "10.7.0.0/24");
        assertMessage("broadcast address", "10.7.0.255/24");
        assertMessage("not a unicast host address", "127.0.0.2/8");
        assertMessage("not a unicast host address", "224.0.0.1/24");
        assertMessage("empty address", " ");
    }

    @Test
    void peerMustShareTheSubnetAndDiffer() {
        Ipv4Cidr us = Ipv4Cidr.parse("10.7.0.2/24");
        assertNull(us.peerProblem(Ipv4Cidr.parse("10.7.0.1/24")));
        String other = us.peerProblem(Ipv4Cidr.parse("10.8.0.1/24"));
        assertTrue(other.contains("not in netstack4j's subnet 10.7.0.0/24") && other.contains("10.7.0.1/24"), other);
        assertTrue(us.peerProblem(Ipv4Cidr.parse("10.7.0.1/16")).contains("not in netstack4j's subnet"));
        assertTrue(us.peerProblem(Ipv4Cidr.parse("10.7.0.2/24")).contains("the same as"));
        assertTrue(Ipv4Cidr.parse("10.7.0.1/24").peerProblem(Ipv4Cidr.parse("10.9.0.1/24")).contains("10.7.0.2/24"));
    }

    private static void assertMessage(String part, String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ipv4Cidr.parse(text));
        assertTrue(e.getMessage().contains(part), "'" + text + "': " + e.getMessage());
    }
}
