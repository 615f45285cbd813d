package org.netstack4j.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class IpAddressTest {

    // ---- RFC 5952 canonical text

    /** RFC 5952 2.1: eight spellings of one address, 4.2.3: the first of two equal runs is the one compressed. */
    @Test void rfc5952Section2Spellings() {
        for (String s : List.of("2001:db8:0:0:1:0:0:1", "2001:0db8:0:0:1:0:0:1", "2001:db8::1:0:0:1",
                "2001:db8::0:1:0:0:1", "2001:0db8::1:0:0:1", "2001:db8:0:0:1::1", "2001:db8:0000:0:1::1",
                "2001:DB8:0:0:1::1"))
            assertEquals("2001:db8::1:0:0:1", Ipv6Address.parse(s).toString(), s);
    }

    @Test void rfc5952Section4Rules() {
        assertEquals("2001:db8::1", Ipv6Address.parse("2001:0db8::0001").toString()); // 4.1 leading zeros
        assertEquals("2001:db8::2:1", Ipv6Address.parse("2001:db8:0:0:0:0:2:1").toString()); // 4.2.1 shorten as much as possible
        assertEquals("2001:db8:0:1:1:1:1:1", Ipv6Address.parse("2001:db8::1:1:1:1:1").toString()); // 4.2.2 not one group
        assertEquals("2001:0:0:1::1", Ipv6Address.parse("2001:0:0:1:0:0:0:1").toString()); // 4.2.3 the longest run
        assertEquals("2001:db8::abcd", Ipv6Address.parse("2001:DB8::ABCD").toString()); // 4.3 lowercase
        assertEquals("::ffff:192.0.2.1", Ipv6Address.parse("::ffff:c000:201").toString()); // 5 IPv4-mapped
    }

    @Test void specialForms() {
        assertEquals("::", Ipv6Address.ANY.toString());
        assertEquals("::1", Ipv6Address.LOOPBACK.toString());
        assertEquals("1::", Ipv6Address.parse("1:0:0:0:0:0:0:0").toString());
        assertEquals("fe80::1", Ipv6Address.parse("fe80:0:0:0:0:0:0:1").toString());
        assertEquals("1:2:3:4:5:6:7:8", Ipv6Address.parse("1:2:3:4:5:6:7:8").toString());
        assertEquals("0:2:3:4:5:6:7:8", Ipv6Address.parse("0:2:3:4:5:6:7:8").toString()); // 4.2.2: one zero group stays
        assertEquals("::3:4:5:6:7:8", Ipv6Address.parse("0:0:3:4:5:6:7:8").toString());
        assertEquals(Ipv6Address.of(0, 0, 0, 0, 0, 0, 0x0102, 0x0304), Ipv6Address.parse("::1.2.3.4"));
        assertEquals(Ipv6Address.of(0x64, 0xff9b, 0, 0, 0, 0, 0xc000, 0x0221), Ipv6Address.parse("64:ff9b::192.0.2.33"));
    }

    @Test void rejectsBadText() {
        for (String s : List.of("", ":", ":::", "1::2::3", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "12345::",
                "g::", "1:2:3:4:5:6:7::8", ":1::", "1::2:", "fe80::1%eth0", "::1.2.3", "::256.1.1.1",
                "1.2.3.4::", "1:2:3:4:5:6:7:1.2.3.4", "\uff11::", "+1::", "-1::"))
            assertThrows(IllegalArgumentException.class, () -> Ipv6Address.parse(s), s);
    }

    // ---- classification

    @Test void classification() {
        Ipv6Address ll = Ipv6Address.parse("fe80::1");
        assertTrue(ll.isLinkLocal());
        assertTrue(Ipv6Address.parse("febf:ffff::1").isLinkLocal());
        assertFalse(Ipv6Address.parse("fec0::1").isLinkLocal());
        assertTrue(Ipv6Address.parse("ff02::1").isMulticast());
        assertFalse(Ipv6Address.parse("fe80::1").isMulticast());
        assertTrue(Ipv6Address.LOOPBACK.isLoopback());
        assertTrue(Ipv6Address.ANY.isUnspecified());
        assertFalse(Ipv6Address.LOOPBACK.isUnspecified());
        assertTrue(Ipv4Address.parse("127.0.0.1").isLoopback());
        assertFalse(Ipv4Address.parse("128.0.0.1").isLoopback());
        assertEquals(IpAddress.Family.IPV6, ll.family());
        assertEquals(IpAddress.Family.IPV4, Ipv4Address.ANY.family());
    }

    @Test void ipv4MappedConversion() {
        Ipv4Address v4 = Ipv4Address.parse("192.0.2.1");
        Ipv6Address mapped = v4.toMapped();
        assertTrue(mapped.isIpv4Mapped());
        assertEquals("::ffff:192.0.2.1", mapped.toString());
        assertEquals(v4, mapped.toIpv4());
        assertEquals(mapped, Ipv6Address.parse("::ffff:192.0.2.1"));
        assertNotEquals(v4, mapped); // different on the wire, different values
        assertFalse(Ipv6Address.parse("::192.0.2.1").isIpv4Mapped()); // IPv4-compatible (deprecated) is not mapped
        assertThrows(IllegalStateException.class, () -> Ipv6Address.LOOPBACK.toIpv4());
    }

    @Test void parseEitherFamily() {
        assertEquals(Ipv4Address.of(10, 0, 0, 1), IpAddress.parse("10.0.0.1"));
        assertEquals(Ipv6Address.parse("2001:db8::1"), IpAddress.parse("2001:db8::1"));
        assertEquals(Ipv4Address.ANY, IpAddress.any(IpAddress.Family.IPV4));
        assertEquals(Ipv6Address.ANY, IpAddress.any(IpAddress.Family.IPV6));
    }

    @Test void orderPutsIpv4FirstThenNumeric() {
        List<IpAddress> l = new ArrayList<>(List.of(Ipv6Address.parse("::1"), Ipv4Address.parse("10.0.0.2"),
                Ipv6Address.parse("8000::"), Ipv4Address.parse("200.0.0.1"), Ipv4Address.parse("10.0.0.1"), Ipv6Address.ANY));
        l.sort(null);
        assertEquals(List.of(Ipv4Address.parse("10.0.0.1"), Ipv4Address.parse("10.0.0.2"), Ipv4Address.parse("200.0.0.1"),
                Ipv6Address.ANY, Ipv6Address.parse("::1"), Ipv6Address.parse("8000::")), l);
    }

    // ---- java.net

    @Test void javaNetConversions() throws Exception {
        InetAddress v4 = InetAddress.getByName("192.0.2.7");
        assertEquals(Ipv4Address.parse("192.0.2.7"), IpAddress.of(v4));
        assertEquals(v4, Ipv4Address.parse("192.0.2.7").toInetAddress());
        Inet6Address ll = Inet6Address.getByAddress(null, Ipv6Address.parse("fe80::1").toBytes(), 3);
        assertEquals(Ipv6Address.parse("fe80::1"), IpAddress.of(ll)); // the scope id stays with the socket address
        InetAddress back = Ipv6Address.parse("2001:db8::5").toInetAddress();
        assertInstanceOf(Inet6Address.class, back);
        assertEquals(InetAddress.getByName("2001:db8::5"), back);
        // java.net turns a mapped address given as bytes into IPv4; ours stays IPv6
        assertInstanceOf(Inet6Address.class, Ipv6Address.parse("::ffff:1.2.3.4").toInetAddress());
        assertInstanceOf(Inet4Address.class, InetAddress.getByAddress(Ipv6Address.parse("::ffff:1.2.3.4").toBytes()));
    }

    @Test void bytesRoundTrip() {
        Ipv6Address a = Ipv6Address.parse("2001:db8:1234:5678:9abc:def0:1122:3344");
        byte[] b = a.toBytes();
        assertEquals("20010db8123456789abcdef011223344", java.util.HexFormat.of().formatHex(b));
        assertEquals(a, Ipv6Address.read(b, 0));
        for (int g = 0; g < 8; g++) assertEquals(Integer.parseInt(a.toString().split(":")[g], 16), a.group(g));
    }

    // ---- properties

    @Provide Arbitrary<Ipv6Address> v6() {
        // zero groups are common in real addresses and are what compression is about: bias towards them
        Arbitrary<Integer> group = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.just(0)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(1, 0xffff)),
                net.jqwik.api.Tuple.of(1, Arbitraries.of(1, 0xffff, 0x8000)));
        return group.list().ofSize(8).map(g -> Ipv6Address.of(g.get(0), g.get(1), g.get(2), g.get(3),
                g.get(4), g.get(5), g.get(6), g.get(7)));
    }

    @Property(tries = 3000) void formatThenParseIsIdentity(@ForAll("v6") Ipv6Address a) {
        String text = a.toString();
        assertEquals(a, Ipv6Address.parse(text));
        assertEquals(text, Ipv6Address.parse(text).toString());
        assertEquals(text.toLowerCase(java.util.Locale.ROOT), text);
        assertTrue(text.length() <= 45, text);
        assertTrue(text.indexOf("::") == text.lastIndexOf("::"), text);
    }

    @Property(tries = 2000) void fullAndUppercaseFormsParseToTheSameAddress(@ForAll("v6") Ipv6Address a) {
        StringBuilder full = new StringBuilder();
        for (int g = 0; g < 8; g++) full.append(g == 0 ? "" : ":").append(String.format("%04X", a.group(g)));
        assertEquals(a, Ipv6Address.parse(full.toString()));
    }

    /** Our text agrees with java.net's parser, and our canonical form is never longer than any spelling. */
    @Property(tries = 2000) void agreesWithJavaNet(@ForAll("v6") Ipv6Address a) throws Exception {
        InetAddress j = InetAddress.getByName(a.toString()); // a literal: no lookup
        if (j instanceof Inet4Address) { // java.net makes IPv4-mapped text an IPv4 address
            assertTrue(a.isIpv4Mapped(), a.toString());
            assertEquals(a.toIpv4(), IpAddress.of(j));
            return;
        }
        assertTrue(Arrays.equals(a.toBytes(), j.getAddress()), a.toString());
        assertEquals(a, IpAddress.of(j));
        assertTrue(a.toString().length() <= j.getHostAddress().length(), a + " vs " + j.getHostAddress());
    }

    /** RFC 5952 4.2.2/4.2.3: "::" stands for the longest run of two or more zero groups, the first of equal ones. */
    @Property(tries = 2000) void compressesTheFirstLongestZeroRun(@ForAll("v6") Ipv6Address a) {
        if (a.isIpv4Mapped()) return;
        int bestStart = -1, bestLen = 0;
        for (int g = 0; g < 8; g++) {
            int len = 0;
            while (g + len < 8 && a.group(g + len) == 0) len++;
            if (len > bestLen) { bestLen = len; bestStart = g; }
        }
        String text = a.toString();
        if (bestLen < 2) {
            assertFalse(text.contains("::"), text);
            return;
        }
        String[] halves = text.split("::", -1);
        int before = halves[0].isEmpty() ? 0 : halves[0].split(":").length;
        assertEquals(bestStart, before, text);
    }

    @Provide Arbitrary<IpAddress> any() {
        return Arbitraries.oneOf(Arbitraries.integers().map(Ipv4Address::new).map(x -> (IpAddress) x),
                v6().map(x -> (IpAddress) x));
    }

    @Property(tries = 2000) void orderIsFamilyThenUnsignedBytes(@ForAll("any") IpAddress a, @ForAll("any") IpAddress b) {
        int expected = a.family() != b.family() ? a.family().compareTo(b.family())
                : Arrays.compareUnsigned(a.toBytes(), b.toBytes());
        assertEquals(Integer.signum(expected), Integer.signum(a.compareTo(b)));
        assertEquals(a.compareTo(b) == 0, a.equals(b));
        assertEquals(a, IpAddress.parse(a.toString()));
        assertEquals(a, IpAddress.of(a.toInetAddress()));
    }

    @Property(tries = 500) void mappedRoundTrip(@ForAll int bits) {
        Ipv4Address v4 = new Ipv4Address(bits);
        assertEquals(v4, v4.toMapped().toIpv4());
        assertEquals("::ffff:" + v4, v4.toMapped().toString());
        assertEquals(v4.toMapped(), Ipv6Address.parse(v4.toMapped().toString()));
        assertEquals(v4.low64(), v4.toMapped().low64());
    }
}
