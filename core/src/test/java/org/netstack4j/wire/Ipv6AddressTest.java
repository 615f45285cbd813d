package org.netstack4j.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class Ipv6AddressTest {

    /** RFC 5952 4 and its examples: the text form is unique. */
    @Test void formatsAsRfc5952Says() {
        String[][] cases = {
            {"2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"},   // 4.1 leading zeros, 4.2.1 longest run
            {"2001:db8:0:0:0:0:2:1", "2001:db8::2:1"},
            {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"},             // 4.2.2 a single zero group stays
            {"2001:0:0:1:0:0:0:1", "2001:0:0:1::1"},                      // 4.2.3 the longest run
            {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},                // 4.2.3 the first of equal runs
            {"2001:DB8::ABCD", "2001:db8::abcd"},                          // 4.3 lower case
            {"0:0:0:0:0:0:0:0", "::"},
            {"0:0:0:0:0:0:0:1", "::1"},
            {"1:0:0:0:0:0:0:0", "1::"},
            {"fe80::0200:00ff:fe00:0001", "fe80::200:ff:fe00:1"},
            {"::ffff:192.0.2.1", "::ffff:192.0.2.1"},                     // 5 IPv4-mapped
            {"0:0:0:0:0:ffff:c000:0201", "::ffff:192.0.2.1"},
            {"64:ff9b::192.0.2.33", "64:ff9b::c000:221"},
            {"[2001:db8::7]", "2001:db8::7"},
        };
        for (String[] c : cases) assertEquals(c[1], Ipv6Address.parse(c[0]).toString(), c[0]);
    }

    @Test void refusesWhatIsNotAnAddress() {
        for (String bad : new String[] {"", ":", ":::", "1::2::3", "12345::", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9",
                "g::", "::1.2.3", "1.2.3.4", "::1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::8", "::ffff:256.0.0.1", "fe80::1%eth0"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ipv6Address.parse(bad), bad);
            assertTrue(e.getMessage().contains("not an IPv6 address"), e.getMessage());
        }
    }

    @Test void classifiesAddresses() {
        assertTrue(Ipv6Address.parse("fe80::1").isLinkLocal());
        assertTrue(Ipv6Address.parse("febf:ffff::1").isLinkLocal());
        assertFalse(Ipv6Address.parse("fec0::1").isLinkLocal());
        assertTrue(Ipv6Address.parse("ff02::1").isMulticast());
        assertFalse(Ipv6Address.parse("fe80::1").isMulticast());
        assertTrue(Ipv6Address.parse("::").isUnspecified());
        assertTrue(Ipv6Address.parse("::1").isLoopback());
        assertTrue(Ipv6Address.parse("::ffff:10.0.0.1").isIpv4Mapped());
        assertEquals(Ipv4Address.of(10, 0, 0, 1), Ipv6Address.parse("::ffff:10.0.0.1").toIpv4());
        assertEquals(Ipv6Address.parse("::ffff:10.0.0.1"), Ipv6Address.ipv4Mapped(Ipv4Address.of(10, 0, 0, 1)));
        assertThrows(IllegalStateException.class, () -> Ipv6Address.parse("::10.0.0.1").toIpv4());
        // RFC 4291 2.7.1: ff02::1:ff + the low 24 bits
        assertEquals(Ipv6Address.parse("ff02::1:ff00:2"), Ipv6Address.parse("fe80::2").solicitedNode());
        assertEquals(Ipv6Address.parse("ff02::1:ffab:cdef"), Ipv6Address.parse("2001:db8::12ab:cdef").solicitedNode());
        assertEquals("ff02::1", Ipv6Address.ALL_NODES.toString());
        assertEquals("ff02::2", Ipv6Address.ALL_ROUTERS.toString());
    }

    @Test void comparesAsUnsigned128BitNumbers() {
        assertTrue(Ipv6Address.parse("ff02::1").compareTo(Ipv6Address.parse("2001:db8::1")) > 0);
        assertTrue(Ipv6Address.parse("::1").compareTo(Ipv6Address.parse("::ffff:0:0")) < 0);
        assertTrue(Ipv6Address.parse("1::8000:0:0:0").compareTo(Ipv6Address.parse("1::1")) > 0);
        assertEquals(0, Ipv6Address.parse("1::1").compareTo(Ipv6Address.parse("1:0::1")));
    }

    @Test void readsAndWritesNetworkOrder() {
        byte[] b = Packets.hex("00" + "20010db8000000000000000000000001" + "00");
        Ipv6Address a = Ipv6Address.read(b, 1);
        assertEquals("2001:db8::1", a.toString());
        byte[] out = new byte[18];
        a.write(out, 1);
        assertArrayEquals(b, out);
        assertEquals(0x2001, a.group(0));
        assertEquals(1, a.group(7));
    }

    /** The JDK's parser (independent of ours) agrees on the bytes; text -> address -> text is stable. */
    @Property(seed = "42", tries = 2000) void agreesWithTheJdk(@ForAll long hi, @ForAll long lo) throws Exception {
        Ipv6Address a = new Ipv6Address(hi, lo);
        String text = a.toString();
        assertEquals(a, Ipv6Address.parse(text));
        if (!a.isIpv4Mapped()) // the JDK turns mapped addresses into 4-byte IPv4 ones
            assertArrayEquals(InetAddress.getByName(text).getAddress(), a.toBytes(), text);
        assertEquals(a, Ipv6Address.parse(new Ipv6Address(hi, lo).toString().toUpperCase()));
    }

    @Property(seed = "42", tries = 500) void sparseAddressesRoundTrip(@ForAll int pattern, @ForAll short value) {
        // mostly-zero addresses exercise the "::" choice
        long hi = 0, lo = 0;
        for (int i = 0; i < 8; i++) {
            long g = ((pattern >>> i) & 1) != 0 ? value & 0xffff : 0;
            if (i < 4) hi |= g << (48 - 16 * i); else lo |= g << (48 - 16 * (i - 4));
        }
        Ipv6Address a = new Ipv6Address(hi, lo);
        assertEquals(a, Ipv6Address.parse(a.toString()));
        assertFalse(a.toString().contains(":::"), a.toString());
    }
}
