package org.netstack4j.wire;

/**
 * An IPv6 address ({@link IpAddress}) held as its 128 bits in two longs, network order: the
 * first eight bytes in {@code high}, the last eight in {@code low}. Parses every text form of
 * RFC 4291 2.2 (including a trailing dotted quad) and prints the canonical one of RFC 5952 4:
 * lowercase hex, no leading zeros, the longest run of two or more zero groups (the first of
 * equal runs) as "::", and IPv4-mapped addresses as {@code ::ffff:a.b.c.d} (RFC 5952 5).
 * No scope id (RFC 4007 11): that belongs to a socket address.
 */
public record Ipv6Address(long high, long low) implements IpAddress {
    /** :: (RFC 4291 2.5.2). */
    public static final Ipv6Address ANY = new Ipv6Address(0, 0);
    /** ::1 (RFC 4291 2.5.3). */
    public static final Ipv6Address LOOPBACK = new Ipv6Address(0, 1);

    /** Parses RFC 4291 2.2 text; throws IllegalArgumentException with a clear message. */
    public static Ipv6Address parse(String text) {
        String s = text.trim();
        if (s.indexOf('%') >= 0) throw bad(text, "a scope id belongs to a socket address, not to the address");
        int[] groups = new int[8];
        int n = 0, gap = -1; // gap: the group index where "::" stands
        int i = 0, len = s.length();
        if (len == 0) throw bad(text, "empty");
        if (s.startsWith("::")) { gap = 0; i = 2; }
        else if (s.charAt(0) == ':') throw bad(text, "a leading single ':'");
        while (i < len) {
            int start = i;
            while (i < len && s.charAt(i) != ':' && s.charAt(i) != '.') i++;
            if (i < len && s.charAt(i) == '.') {
                // RFC 4291 2.2 (3): the low 32 bits as a dotted quad, only at the end
                if (n > 6) throw bad(text, "too many groups before the dotted quad");
                int v4 = Ipv4Address.parse(s.substring(start)).bits();
                groups[n++] = v4 >>> 16;
                groups[n++] = v4 & 0xffff;
                i = len;
                break;
            }
            int digits = i - start;
            if (digits == 0 || digits > 4) throw bad(text, "each group is 1 to 4 hex digits");
            if (n == 8) throw bad(text, "more than 8 groups");
            int v = 0;
            for (int k = start; k < i; k++) {
                char ch = s.charAt(k);
                int d = ch < 128 ? Character.digit(ch, 16) : -1; // ASCII only (Character.digit takes other scripts' digits)
                if (d < 0) throw bad(text, "not a hex digit: '" + s.charAt(k) + "'");
                v = v << 4 | d;
            }
            groups[n++] = v;
            if (i == len) break;
            i++; // the ':'
            if (i < len && s.charAt(i) == ':') {
                if (gap >= 0) throw bad(text, "'::' more than once");
                gap = n;
                i++;
            } else if (i == len) {
                throw bad(text, "a trailing single ':'");
            }
        }
        if (gap < 0 && n != 8) throw bad(text, "8 groups, or '::' for the zeros");
        if (gap >= 0 && n > 7) throw bad(text, "'::' must stand for at least one group");
        int[] full = new int[8];
        if (gap < 0) {
            System.arraycopy(groups, 0, full, 0, 8);
        } else {
            System.arraycopy(groups, 0, full, 0, gap);
            int tail = n - gap;
            System.arraycopy(groups, gap, full, 8 - tail, tail);
        }
        long hi = 0, lo = 0;
        for (int g = 0; g < 4; g++) hi = hi << 16 | full[g];
        for (int g = 4; g < 8; g++) lo = lo << 16 | full[g];
        return new Ipv6Address(hi, lo);
    }

    private static IllegalArgumentException bad(String text, String why) {
        return new IllegalArgumentException("not an IPv6 address (" + why + "): " + text);
    }

    /** Eight 16-bit groups, as written a:b:c:d:e:f:g:h. */
    public static Ipv6Address of(int a, int b, int c, int d, int e, int f, int g, int h) {
        return new Ipv6Address(
                (long) (a & 0xffff) << 48 | (long) (b & 0xffff) << 32 | (long) (c & 0xffff) << 16 | (d & 0xffff),
                (long) (e & 0xffff) << 48 | (long) (f & 0xffff) << 32 | (long) (g & 0xffff) << 16 | (h & 0xffff));
    }

    public static Ipv6Address read(byte[] buf, int off) {
        return new Ipv6Address(Bytes.i64(buf, off), Bytes.i64(buf, off + 8));
    }

    @Override public void write(byte[] buf, int off) {
        Bytes.put64(buf, off, high);
        Bytes.put64(buf, off + 8, low);
    }

    @Override public Family family() { return Family.IPV6; }

    @Override public long high64() { return high; }

    @Override public long low64() { return low; }

    /** Group {@code i} (0..7) of a:b:c:d:e:f:g:h. */
    public int group(int i) {
        if (i < 0 || i > 7) throw new IndexOutOfBoundsException(i);
        return (int) ((i < 4 ? high >>> (48 - 16 * i) : low >>> (48 - 16 * (i - 4))) & 0xffff);
    }

    @Override public boolean isUnspecified() { return high == 0 && low == 0; }

    @Override public boolean isLoopback() { return high == 0 && low == 1; }

    /** ff00::/8 (RFC 4291 2.7). */
    @Override public boolean isMulticast() { return (high >>> 56) == 0xff; }

    /** fe80::/10 (RFC 4291 2.5.6): meaningful only with the interface (scope) it is used on. */
    public boolean isLinkLocal() { return (high >>> 54) == (0xfe80L >>> 6); }

    /** ::ffff:0:0/96 (RFC 4291 2.5.5.2): an IPv4 address in IPv6 clothing. */
    public boolean isIpv4Mapped() { return high == 0 && (low >>> 32) == 0xffffL; }

    /** ::ffff:a.b.c.d, the IPv4-mapped form of {@code v4} (RFC 4291 2.5.5.2). */
    public static Ipv6Address mapped(Ipv4Address v4) { return new Ipv6Address(0, 0xffff_0000_0000L | (v4.bits() & 0xffff_ffffL)); }

    /** The IPv4 address of an IPv4-mapped address; throws if it is not one. */
    public Ipv4Address toIpv4() {
        if (!isIpv4Mapped()) throw new IllegalStateException("not an IPv4-mapped address: " + this);
        return new Ipv4Address((int) low);
    }

    @Override public String toString() {
        if (isIpv4Mapped()) return "::ffff:" + new Ipv4Address((int) low);
        // RFC 5952 4.2.1-4.2.3: the longest run of >= 2 zero groups, the first of equal ones
        int bestStart = -1, bestLen = 1;
        for (int g = 0; g < 8; ) {
            if (group(g) != 0) { g++; continue; }
            int start = g;
            while (g < 8 && group(g) == 0) g++;
            if (g - start > bestLen) { bestStart = start; bestLen = g - start; }
        }
        StringBuilder sb = new StringBuilder(39);
        for (int g = 0; g < 8; g++) {
            if (g == bestStart) {
                sb.append("::");
                g += bestLen - 1;
                continue;
            }
            if (!sb.isEmpty() && sb.charAt(sb.length() - 1) != ':') sb.append(':');
            sb.append(Integer.toHexString(group(g))); // RFC 5952 4.1, 4.3: no leading zeros, lowercase
        }
        return sb.toString();
    }
}
