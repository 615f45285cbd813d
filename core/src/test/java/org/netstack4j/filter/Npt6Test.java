package org.netstack4j.filter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.netstack4j.filter.Pkts.icmp6ErrorBytes;
import static org.netstack4j.filter.Pkts.parse;
import static org.netstack4j.filter.Pkts.tcpBytes;
import static org.netstack4j.filter.Pkts.udpBytes;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.netstack4j.trace.Counters;
import org.netstack4j.wire.Icmpv6Repr;
import org.netstack4j.wire.Ipv6Address;
import org.netstack4j.wire.Ipv6Repr;
import org.netstack4j.wire.Parsed;
import org.netstack4j.wire.TcpRepr;
import org.netstack4j.wire.UdpRepr;

/** RFC 6296's checksum-neutral prefix translation, packet by packet ({@link Npt6}). */
class Npt6Test {
    final Counters counters = new Counters();

    Npt6 npt(String internal, String external) {
        return new Npt6(Npt6.Config.parse("wan", internal + "," + external), counters);
    }

    static Ipv6Address src(byte[] p) { return Ipv6Address.read(p, 8); }
    static Ipv6Address dst(byte[] p) { return Ipv6Address.read(p, 24); }
    static int u16(byte[] p, int off) { return (p[off] & 0xff) << 8 | p[off + 1] & 0xff; }

    /** RFC 6296 3.6's example: fd01:203:405:1::1234 behind fd01:203:405::/48 is 2001:db8:1:d550::1234 outside. */
    @Test void theRfcExampleBothWays() {
        Npt6 n = npt("fd01:203:405::/48", "2001:db8:1::/48");
        byte[] out = udpBytes("fd01:203:405:1::1234", 5000, "2001:db8:99::9", 53, 20);
        assertEquals(Npt6.Action.TRANSLATED, n.outbound(parse(out), "wan"));
        assertEquals(Ipv6Address.parse("2001:db8:1:d550::1234"), src(out));
        assertEquals(Ipv6Address.parse("2001:db8:99::9"), dst(out), "the other address untouched");
        byte[] in = udpBytes("2001:db8:99::9", 53, "2001:db8:1:d550::1234", 5000, 20);
        assertEquals(Npt6.Action.TRANSLATED, n.inbound(parse(in), "wan"));
        assertEquals(Ipv6Address.parse("fd01:203:405:1::1234"), dst(in));
        assertEquals(1, counters.get("npt6.out.translated"));
        assertEquals(1, counters.get("npt6.in.translated"));
    }

    /** Nothing but the address changes: the TCP checksum field is the same bytes, and still verifies. */
    @Test void checksumsAreLeftAloneAndStillRight() {
        Npt6 n = npt("fd00:1::/48", "2001:db8:7::/48");
        byte[] seg = tcpBytes("fd00:1:0:5::2", 40000, "2001:db8:99::1", 80, TcpRepr.SYN | TcpRepr.ACK, 7, 9, 1000, 300, List.of());
        byte[] before = seg.clone();
        assertEquals(Npt6.Action.TRANSLATED, n.outbound(parse(seg), "wan"));
        for (int i = 0; i < seg.length; i++)
            if (i < 8 || i >= 24) assertEquals(before[i], seg[i], "byte " + i + " outside the source address changed");
        assertEquals(u16(before, 40 + 16), u16(seg, 40 + 16), "TCP checksum field not rewritten");
        assertInstanceOf(Parsed.Ok.class, TcpRepr.parse(src(seg), dst(seg), seg, 40, seg.length - 40, true),
                "and it verifies against the new pseudo-header");
        byte[] reply = swap(seg);
        assertEquals(Npt6.Action.TRANSLATED, n.inbound(parse(reply), "wan"));
        assertArrayEquals(swap(before), reply, "the reply mapped in: the original address, every other byte the same");
    }

    private static byte[] swap(byte[] p) {
        byte[] q = p.clone();
        System.arraycopy(p, 8, q, 24, 16);
        System.arraycopy(p, 24, q, 8, 16);
        return q;
    }

    @Test void otherInterfacesAndOtherPrefixesPassUntouched() {
        Npt6 n = npt("fd00:1::/48", "2001:db8:7::/48");
        byte[] p = udpBytes("fd00:1::2", 1, "2001:db8:99::1", 2, 4);
        byte[] same = p.clone();
        assertEquals(Npt6.Action.UNCHANGED, n.outbound(parse(p), "lan"), "leaving by another interface");
        byte[] other = udpBytes("fd00:9::2", 1, "2001:db8:99::1", 2, 4);
        assertEquals(Npt6.Action.UNCHANGED, n.outbound(parse(other), "wan"), "a source outside the internal prefix");
        byte[] in = udpBytes("2001:db8:99::1", 2, "2001:db8:8::5", 1, 4);
        assertEquals(Npt6.Action.UNCHANGED, n.inbound(parse(in), "wan"), "a destination outside the external prefix");
        assertArrayEquals(same, p);
        assertEquals(Npt6.Action.UNCHANGED, n.outbound(Pkts.udp("10.0.0.1", 1, "10.0.0.2", 2, 4), "wan"), "IPv4");
    }

    /** RFC 6296 3.4: the subnet word gets the adjustment; a result of 0xFFFF is written 0x0000, and subnet 0xFFFF has no counterpart. */
    @Test void theFfffRule() {
        // internal fd00:1::/48 (sum 0xfd01), external fd00:2::/48 (0xfd02): going out adds 0xfffe
        Npt6 n = npt("fd00:1::/48", "fd00:2::/48");
        byte[] p = udpBytes("fd00:1:0:1::2", 1, "2001:db8::1", 2, 4);
        assertEquals(Npt6.Action.TRANSLATED, n.outbound(parse(p), "wan"));
        assertEquals(Ipv6Address.parse("fd00:2:0:0::2"), src(p), "1 + 0xfffe = 0xffff, written as 0");
        byte[] back = udpBytes("2001:db8::1", 2, "fd00:2::2", 1, 4);
        assertEquals(Npt6.Action.TRANSLATED, n.inbound(parse(back), "wan"));
        assertEquals(Ipv6Address.parse("fd00:1:0:1::2"), dst(back), "0 + 1 = 1: the same host again");
        byte[] ffff = udpBytes("fd00:1:0:ffff::2", 1, "2001:db8::1", 2, 4);
        byte[] same = ffff.clone();
        assertEquals(Npt6.Action.UNTRANSLATABLE, n.outbound(parse(ffff), "wan"));
        assertArrayEquals(same, ffff, "left as it was, for the caller to drop");
        assertEquals(1, counters.get("npt6.untranslatable"));
    }

    /** RFC 6296 3.5: longer prefixes adjust the first interface-identifier word that is not 0xFFFF. */
    @Test void longerPrefixesAdjustTheFirstIidWordNotFfff() {
        Npt6 n = npt("fd00:1:2:3300::/56", "2001:db8:1:ab00::/56");
        byte[] p = udpBytes("fd00:1:2:3345:ffff:1:2:3", 1, "2001:db8::1", 2, 4);
        byte[] before = p.clone();
        assertEquals(Npt6.Action.TRANSLATED, n.outbound(parse(p), "wan"));
        Ipv6Address out = src(p);
        assertEquals(0x2001, out.group(0));
        assertEquals(0xab45, out.group(3), "the /56 replaced, the subnet's last 8 bits kept");
        assertEquals(0xffff, out.group(4), "0xFFFF skipped");
        assertEquals(sum(before, 8), sum(p, 8), "the address's one's complement sum is unchanged");
        byte[] back = swap(p);
        assertEquals(Npt6.Action.TRANSLATED, n.inbound(parse(back), "wan"));
        assertEquals(Ipv6Address.parse("fd00:1:2:3345:ffff:1:2:3"), dst(back));
        byte[] allOnes = udpBytes("fd00:1:2:3300:ffff:ffff:ffff:ffff", 1, "2001:db8::1", 2, 4);
        assertEquals(Npt6.Action.UNTRANSLATABLE, n.outbound(parse(allOnes), "wan"));
    }

    @Test void prefixesOfDifferentLengthsAreTakenAtTheLonger() {
        Npt6 n = npt("fd00:1::/48", "2001:db8:1:500::/56");
        byte[] p = udpBytes("fd00:1:0:7::9", 1, "2001:db8::1", 2, 4);
        assertEquals(Npt6.Action.TRANSLATED, n.outbound(parse(p), "wan"));
        assertEquals(0x0507, src(p).group(3), "the /48 padded with zeros to /56: the low 8 bits of the subnet kept");
        byte[] notMatched = udpBytes("fd00:1:0:107::9", 1, "2001:db8::1", 2, 4);
        assertEquals(Npt6.Action.UNCHANGED, n.outbound(parse(notMatched), "wan"), "outside fd00:1::/56: no 1:1 counterpart");
        byte[] back = swap(p);
        n.inbound(parse(back), "wan");
        assertEquals(Ipv6Address.parse("fd00:1:0:7::9"), dst(back));
    }

    /** An error from outside about a translated packet: the outer destination and the quoted source mapped in, no checksum touched. */
    @Test void icmpv6ErrorsHaveTheQuotedPacketTranslated() {
        Npt6 n = npt("fd00:1::/48", "2001:db8:7::/48");
        byte[] sent = udpBytes("fd00:1::2", 5000, "2001:db8:99::1", 4444, 10);
        n.outbound(parse(sent), "wan");
        Ipv6Address external = src(sent);
        byte[] err = icmp6ErrorBytes("2001:db8:99::1", external.toString(),
                new Icmpv6Repr.DestinationUnreachable(Icmpv6Repr.CODE_PORT_UNREACHABLE, new byte[0]), sent);
        int cks = u16(err, 42);
        assertEquals(Npt6.Action.TRANSLATED, n.inbound(parse(err), "wan"));
        assertEquals(Ipv6Address.parse("fd00:1::2"), dst(err));
        assertEquals(Ipv6Address.parse("fd00:1::2"), Ipv6Address.read(err, 48 + 8), "the quoted source mapped in too");
        assertEquals(cks, u16(err, 42), "ICMPv6 checksum field not rewritten");
        Packet p = Packet.parse(err, 0, err.length, true).value(); // verifies the ICMPv6 checksum
        byte[] quote = ((Icmpv6Repr.DestinationUnreachable) ((Packet.Transport.Icmp6) p.transport()).message()).data();
        assertInstanceOf(Parsed.Ok.class, UdpRepr.parse(Ipv6Address.read(quote, 8), Ipv6Address.read(quote, 24), quote,
                Ipv6Repr.HEADER_LENGTH, quote.length - Ipv6Repr.HEADER_LENGTH), "the quoted UDP checksum right for the quoted addresses");
        assertEquals(1, counters.get("npt6.icmp_errors"));

        // the other way: an inside host's error about a packet that came in translated leaves with the quote mapped out
        byte[] came = udpBytes("2001:db8:99::1", 53, "fd00:1::2", 7777, 10);
        byte[] err2 = icmp6ErrorBytes("fd00:1::2", "2001:db8:99::1",
                new Icmpv6Repr.DestinationUnreachable(Icmpv6Repr.CODE_PORT_UNREACHABLE, new byte[0]), came);
        assertEquals(Npt6.Action.TRANSLATED, n.outbound(parse(err2), "wan"));
        assertEquals(external, src(err2));
        assertEquals(external, Ipv6Address.read(err2, 48 + 24), "no internal address leaves in the quote either");
        Packet.parse(err2, 0, err2.length, true).value();
        assertEquals(2, counters.get("npt6.icmp_errors"));
    }

    /** From an inside interface to an external address of an inside host: both ends rewritten, so the answer comes back the same way. */
    @Test void hairpinning() {
        Npt6 n = npt("fd00:1::/48", "2001:db8:7::/48");
        byte[] toB = udpBytes("fd00:1::3", 1, "fd00:1::2", 2, 4);
        n.outbound(parse(toB), "wan");
        Ipv6Address extB = src(toB);
        byte[] toA = udpBytes("fd00:1::2", 2, "fd00:1::3", 1, 4);
        n.outbound(parse(toA), "wan");
        Ipv6Address extA = src(toA);
        byte[] p = udpBytes("fd00:1::2", 2, extB.toString(), 1, 4);
        assertEquals(Npt6.Action.HAIRPINNED, n.inbound(parse(p), "lan"));
        assertEquals(Ipv6Address.parse("fd00:1::3"), dst(p));
        assertEquals(extA, src(p), "the inside peer sees the sender's external address");
        Packet.parse(p, 0, p.length, true).value();
        assertEquals(1, counters.get("npt6.hairpinned"));
    }

    @Test void configurationChecks() {
        assertThrows(IllegalArgumentException.class, () -> Npt6.Config.parse("wan", "fd00:1::/48"));
        assertThrows(IllegalArgumentException.class, () -> Npt6.Config.parse("wan", "fd00:1::/48,10.0.0.0/8"));
        assertThrows(IllegalArgumentException.class, () -> Npt6.Config.parse("wan", "fd00:1::/96,fd00:2::/96"), "longer than /64");
        assertThrows(IllegalArgumentException.class, () -> Npt6.Config.parse("wan", "fd00:1::/48,fd00:1::/48"), "the same prefix");
        assertThrows(IllegalArgumentException.class, () -> Npt6.Config.parse("wan", "fd00:1::1/48,fd00:2::/48"), "host bits");
        assertEquals("wan=fd00:1::/48,fd00:2::/48", Npt6.Config.parse("wan", "fd00:1::/48, fd00:2::/48").toString());
    }

    private static int sum(byte[] p, int off) {
        int s = 0;
        for (int i = 0; i < 8; i++) {
            s += u16(p, off + 2 * i);
            s = (s & 0xffff) + (s >>> 16);
        }
        return s;
    }
}
