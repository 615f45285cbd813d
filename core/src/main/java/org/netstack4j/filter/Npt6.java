package org.netstack4j.filter;

import java.util.Objects;
import org.netstack4j.trace.Counters;
import org.netstack4j.wire.Bytes;
import org.netstack4j.wire.Icmpv6Repr;
import org.netstack4j.wire.Ipv6Address;
import org.netstack4j.wire.Ipv6Repr;

/**
 * IPv6-to-IPv6 network prefix translation (NPTv6, RFC 6296) on one external interface:
 * stateless, one internal address to one external address, checksum-neutral. What leaves by the
 * external interface with a source in the internal prefix gets the external prefix instead; what
 * comes in by it to an address in the external prefix gets the internal prefix. No table, no
 * timeout, any transport (ESP and SCTP as well as TCP, UDP and ICMPv6), no checksum touched.
 *
 * <p>The mapping (RFC 6296 3.1, 3.2): replacing the prefix changes the one's complement sum of
 * the address by ESum - ISum (the sums of the two prefixes' words); one other 16-bit word of
 * the address is changed by the opposite amount, so the sum of the address, and with it every
 * checksum whose pseudo-header covers it (TCP, UDP, ICMPv6), is unchanged. With prefixes of /48
 * or shorter that word is bits 48-63, the subnet ID (3.4); with longer prefixes (up to /64 here)
 * it is the first of bits 64-79, 80-95, 96-111, 112-127 that is not 0xFFFF (3.5). A result of
 * 0xFFFF is written 0x0000, the same one's complement number (3.4), so a word of 0xFFFF never
 * comes out of a translation: an address with 0xFFFF in the word to adjust (/48: subnet
 * 0xFFFF; longer: all four IID words) has no counterpart and its packet is dropped, counted.
 * Prefixes of different lengths are both taken at the longer one, the shorter padded with zero
 * bits (as Linux's NPT target does), so the mapping stays 1:1 on the addresses it matches.
 *
 * <p>ICMPv6 errors (RFC 6296 5.3 leaves them to the translator; done here as RFC 5508 does for
 * NAT): the packet an error quotes is translated too, the reverse of its outer header, which
 * keeps the ICMPv6 checksum right as well since the quote's words change checksum-neutrally.
 * Hairpinning: a packet from an inside interface to an address of the external prefix has its
 * destination mapped in and its source mapped out, so the inside peer sees and answers the
 * external address.
 *
 * <p>Where the hooks run it ({@link Netfilter}): inbound at pre-routing, outbound at
 * post-routing, so the firewall's FORWARD and INPUT chains and connection tracking see internal
 * addresses in both directions (and a hairpinned packet with the external source), as Linux's
 * DNPT in mangle PREROUTING and SNPT in mangle POSTROUTING. Counters (under "npt6."):
 * out.translated, in.translated, hairpinned, icmp_errors, untranslatable.
 */
public final class Npt6 {

    /**
     * One translation: {@code internal} inside, {@code external} on the wire of {@code externalIface}.
     * Both IPv6, /1 to /64.
     */
    public record Config(String externalIface, Prefix internal, Prefix external) {
        public Config {
            Objects.requireNonNull(externalIface, "externalIface");
            for (Prefix p : new Prefix[] {internal, external}) {
                if (!(Objects.requireNonNull(p, "prefix").network() instanceof Ipv6Address))
                    throw new IllegalArgumentException("NPTv6 prefixes are IPv6: " + p);
                if (p.length() < 1 || p.length() > 64)
                    throw new IllegalArgumentException("NPTv6 prefix lengths are /1 to /64 (RFC 6296 3.4, 3.5): " + p);
            }
            int len = Math.max(internal.length(), external.length());
            if (new Prefix(internal.network(), len).contains(external.network()) || new Prefix(external.network(), len).contains(internal.network()))
                throw new IllegalArgumentException("NPTv6 internal and external prefixes must differ: " + internal + ", " + external);
        }

        /** "fd00:1::/48,2001:db8:1::/48": internal, then external. */
        public static Config parse(String externalIface, String text) {
            String[] two = text.split(",", -1);
            if (two.length != 2) throw new IllegalArgumentException("expected INTERNAL/LEN,EXTERNAL/LEN, e.g. fd00:1::/48,2001:db8:1::/48");
            return new Config(externalIface, prefix(two[0].trim()), prefix(two[1].trim()));
        }

        private static Prefix prefix(String s) {
            StringBuilder why = new StringBuilder();
            if (!s.contains(":") || !s.contains("/")) throw new IllegalArgumentException("not an IPv6 prefix: " + s);
            return Prefix.parse(s, why).orElseThrow(() -> new IllegalArgumentException(why.toString()));
        }

        @Override public String toString() { return externalIface + "=" + internal + "," + external; }
    }

    /** What a hook did with a packet. */
    public enum Action {
        /** Not this translator's: passed on as it was. */
        UNCHANGED,
        /** Addresses rewritten in place. */
        TRANSLATED,
        /** Inside to inside through an external address: both addresses rewritten. */
        HAIRPINNED,
        /** An address with no counterpart (0xFFFF in the word to adjust): drop. */
        UNTRANSLATABLE
    }

    private static final int SRC = 8, DST = 24;
    private static final int NONE = -1;

    private final Config cfg;
    /** The longer length; both prefixes taken at it. */
    private final int length;
    private final Prefix inside, outside;
    /** Words 0..7 of the two prefixes, zero past {@link #length}. */
    private final int[] inWords = new int[8], outWords = new int[8];
    /** Added to the adjusted word going out (ISum - ESum) and coming in (ESum - ISum), one's complement. */
    private final int outAdjust, inAdjust;
    private final Counters.Counter outTranslated, inTranslated, hairpinned, icmpErrors, untranslatable;

    public Npt6(Config cfg, Counters counters) {
        this.cfg = cfg;
        this.length = Math.max(cfg.internal().length(), cfg.external().length());
        this.inside = new Prefix(cfg.internal().network(), length);
        this.outside = new Prefix(cfg.external().network(), length);
        int iSum = words((Ipv6Address) inside.network(), inWords), eSum = words((Ipv6Address) outside.network(), outWords);
        // RFC 6296 3.2: the adjustment is the difference of the two sums, one's complement
        outAdjust = add(iSum, ~eSum & 0xffff);
        inAdjust = add(eSum, ~iSum & 0xffff);
        outTranslated = counters.counter("npt6.out.translated");
        inTranslated = counters.counter("npt6.in.translated");
        hairpinned = counters.counter("npt6.hairpinned");
        icmpErrors = counters.counter("npt6.icmp_errors");
        untranslatable = counters.counter("npt6.untranslatable");
    }

    public Config config() { return cfg; }

    /**
     * Pre-routing: from the external interface, a destination in the external prefix is mapped
     * in (and an ICMPv6 error's quoted source with it); from another interface, a packet from
     * the internal prefix to the external one is hairpinned.
     */
    public Action inbound(Packet p, String inIface) {
        if (!p.isIpv6()) return Action.UNCHANGED;
        byte[] b = p.buf();
        int ip = p.off();
        boolean fromOutside = inIface.equals(cfg.externalIface());
        if (!in(outside, b, ip + DST)) return Action.UNCHANGED;
        boolean hairpin = !fromOutside && in(inside, b, ip + SRC);
        if (!fromOutside && !hairpin) return Action.UNCHANGED;
        int q = quote(p);
        // the quote travelled the other way: its source is our destination, its destination our source
        int qSrc = q != NONE && in(outside, b, q + SRC) ? q + SRC : NONE;
        int qDst = hairpin && q != NONE && in(inside, b, q + DST) ? q + DST : NONE;
        if (!translatable(b, ip + DST) || hairpin && !translatable(b, ip + SRC)
                || qSrc != NONE && !translatable(b, qSrc) || qDst != NONE && !translatable(b, qDst)) {
            untranslatable.increment();
            return Action.UNTRANSLATABLE;
        }
        map(b, ip + DST, inWords, inAdjust);
        if (qSrc != NONE) map(b, qSrc, inWords, inAdjust);
        if (hairpin) map(b, ip + SRC, outWords, outAdjust);
        if (qDst != NONE) map(b, qDst, outWords, outAdjust);
        if (q != NONE) icmpErrors.increment();
        (hairpin ? hairpinned : inTranslated).increment();
        return hairpin ? Action.HAIRPINNED : Action.TRANSLATED;
    }

    /**
     * Post-routing: leaving by the external interface, a source in the internal prefix is mapped
     * out; an ICMPv6 error's quoted destination in the internal prefix too (an error about a
     * packet that came in translated, sent by an inside host or by the router itself).
     */
    public Action outbound(Packet p, String outIface) {
        if (!p.isIpv6() || !outIface.equals(cfg.externalIface())) return Action.UNCHANGED;
        byte[] b = p.buf();
        int src = p.off() + SRC;
        int q = quote(p);
        int qDst = q != NONE && in(inside, b, q + DST) ? q + DST : NONE;
        if (!in(inside, b, src)) src = NONE;
        if (src == NONE && qDst == NONE) return Action.UNCHANGED;
        if (src != NONE && !translatable(b, src) || qDst != NONE && !translatable(b, qDst)) {
            untranslatable.increment();
            return Action.UNTRANSLATABLE;
        }
        if (src != NONE) map(b, src, outWords, outAdjust);
        if (qDst != NONE) {
            map(b, qDst, outWords, outAdjust);
            icmpErrors.increment();
        }
        outTranslated.increment();
        return Action.TRANSLATED;
    }

    /** Where the IPv6 header an ICMPv6 error quotes starts, or NONE (no error, or too short to hold the addresses). */
    private static int quote(Packet p) {
        if (!(p.transport() instanceof Packet.Transport.Icmp6) || !p.isIcmpError()) return NONE;
        int q = p.l4Offset() + Icmpv6Repr.HEADER_LENGTH;
        return q + Ipv6Repr.HEADER_LENGTH <= p.l4Offset() + p.l4Length() && (p.buf()[q] & 0xf0) == 0x60 ? q : NONE;
    }

    private static boolean in(Prefix prefix, byte[] b, int pos) {
        return prefix.contains(new Ipv6Address(Bytes.i64(b, pos), Bytes.i64(b, pos + 8)));
    }

    /** The word RFC 6296 3.4 or 3.5 adjusts in the address at pos, or NONE when there is none (0xFFFF). */
    private int adjusted(byte[] b, int pos) {
        if (length <= 48) return Bytes.u16(b, pos + 6) == 0xffff ? NONE : 3;
        for (int w = 4; w < 8; w++) if (Bytes.u16(b, pos + 2 * w) != 0xffff) return w;
        return NONE;
    }

    private boolean translatable(byte[] b, int pos) { return adjusted(b, pos) != NONE; }

    /** Replaces the first {@link #length} bits of the address at pos by {@code to}'s and adjusts one word. */
    private void map(byte[] b, int pos, int[] to, int adjust) {
        int w = adjusted(b, pos);
        for (int i = 0; i * 16 < length; i++) {
            int keep = length >= (i + 1) * 16 ? 0 : 0xffff >>> (length - i * 16);
            Bytes.put16(b, pos + 2 * i, Bytes.u16(b, pos + 2 * i) & keep | to[i]);
        }
        int v = add(Bytes.u16(b, pos + 2 * w), adjust);
        Bytes.put16(b, pos + 2 * w, v == 0xffff ? 0 : v); // RFC 6296 3.4: 0xFFFF is written as 0x0000
    }

    /** One's complement sum of the address's words, each also stored in {@code into}. */
    private static int words(Ipv6Address a, int[] into) {
        int sum = 0;
        for (int i = 0; i < 8; i++) {
            into[i] = a.group(i);
            sum = add(sum, into[i]);
        }
        return sum;
    }

    /** One's complement addition of two 16-bit words. */
    private static int add(int a, int b) {
        int s = a + b;
        return (s & 0xffff) + (s >>> 16);
    }
}
