package org.netstack4j.wire;

/**
 * An IPv6 address (RFC 4291) held as its 128 bits in two longs, network order: {@code hi} is
 * bytes 0-7, {@code lo} bytes 8-15. {@link #toString} is the RFC 5952 text form (lower case,
 * leading zeros dropped, the longest run of two or more zero groups as "::", the first one on
 * a tie, IPv4-mapped addresses as ::ffff:a.b.c.d).
 */
public record Ipv6Address(long hi, long lo) implements Comparable<Ipv6Address> {
    public static final Ipv6Address UNSPECIFIED = new Ipv6Address(0, 0);
    public static final Ipv6Address LOOPBACK = new Ipv6Address(0, 1);
    /** ff02::1, all nodes on the link (RFC 4291 2.7.1). */
    public static final Ipv6Address ALL_NODES = new Ipv6Address(0xff02L << 48, 1);
    /** ff02::2, all routers on the link. */
    public static final Ipv6Address ALL_ROUTERS = new Ipv6Address(0xff02L << 48, 2);
    public static final int LENGTH = 16;

    /**
     * Parses RFC 4291 2.2 text: eight groups of up to four hex digits, at most one "::", and
     * optionally a dotted IPv4 address as the last 32 bits. Throws IllegalArgumentException
     * with a clear message.
     */
    public static Ipv6Address parse(String text) {
        String t = text.trim();
        if (t.startsWith("[") && t.endsWith("]")) t = t.substring(1, t.length() - 1);
        int[] groups = new int[8];
        int dbl = t.indexOf("::");
        if (dbl >= 0 && t.indexOf("::", dbl + 1) >= 0) throw bad(text, "more than one '::'");
        String head = dbl < 0 ? t : t.substring(0, dbl);
        String tail = dbl < 0 ? "" : t.substring(dbl + 2);
        int[] h = groups(head, text, dbl < 0);
        int[] tl = groups(tail, text, true);
        int n = h.length + tl.length;
        if (dbl < 0 && n != 8) throw bad(text, "want 8 groups of hex digits, found " + n);
        if (dbl >= 0 && n > 7) throw bad(text, "'::' must stand for at least one group");
        System.arraycopy(h, 0, groups, 0, h.length);
        System.arraycopy(tl, 0, groups, 8 - tl.length, tl.length);
        long hi = 0, lo = 0;
        for (int i = 0; i < 4; i++) hi = hi << 16 | groups[i];
        for (int i = 4; i < 8; i++) lo = lo << 16 | groups[i];
        return new Ipv6Address(hi, lo);
    }

    /** The 16-bit groups of one side of "::"; a dotted IPv4 address may end the last side. */
    private static int[] groups(String s, String text, boolean last) {
        if (s.isEmpty()) return new int[0];
        String[] parts = s.split(":", -1);
        boolean v4 = last && parts[parts.length - 1].contains(".");
        int[] out = new int[parts.length + (v4 ? 1 : 0)];
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            if (v4 && i == parts.length - 1) {
                int bits;
                try { bits = Ipv4Address.parse(p).bits(); } catch (IllegalArgumentException e) { throw bad(text, "bad IPv4 tail '" + p + "'"); }
                out[i] = bits >>> 16;
                out[i + 1] = bits & 0xffff;
                break;
            }
            if (p.isEmpty() || p.length() > 4) throw bad(text, "group '" + p + "' must be 1 to 4 hex digits");
            int v = 0;
            for (int k = 0; k < p.length(); k++) {
                int d = Character.digit(p.charAt(k), 16);
                if (d < 0) throw bad(text, "'" + p.charAt(k) + "' is not a hex digit");
                v = v << 4 | d;
            }
            out[i] = v;
        }
        if (out.length > 8) throw bad(text, "more than 8 groups");
        return out;
    }

    private static IllegalArgumentException bad(String text, String why) {
        return new IllegalArgumentException("not an IPv6 address (" + why + "): " + text);
    }

    public static Ipv6Address read(byte[] buf, int off) {
        return new Ipv6Address(readLong(buf, off), readLong(buf, off + 8));
    }

    private static long readLong(byte[] b, int off) {
        return (Bytes.i32(b, off) & 0xffff_ffffL) << 32 | (Bytes.i32(b, off + 4) & 0xffff_ffffL);
    }

    public void write(byte[] buf, int off) {
        Bytes.put32(buf, off, (int) (hi >>> 32));
        Bytes.put32(buf, off + 4, (int) hi);
        Bytes.put32(buf, off + 8, (int) (lo >>> 32));
        Bytes.put32(buf, off + 12, (int) lo);
    }

    public byte[] toBytes() {
        byte[] b = new byte[LENGTH];
        write(b, 0);
        return b;
    }

    /** ::ffff:a.b.c.d (RFC 4291 2.5.5.2). */
    public static Ipv6Address ipv4Mapped(Ipv4Address v4) {
        return new Ipv6Address(0, 0xffff_0000_0000L | (v4.bits() & 0xffff_ffffL));
    }

    /** The 16-bit group i (0..7). */
    public int group(int i) {
        return (int) ((i < 4 ? hi >>> (48 - 16 * i) : lo >>> (48 - 16 * (i - 4))) & 0xffff);
    }

    public boolean isUnspecified() { return hi == 0 && lo == 0; }
    public boolean isLoopback() { return hi == 0 && lo == 1; }
    /** ff00::/8 (RFC 4291 2.7). */
    public boolean isMulticast() { return (hi >>> 56) == 0xff; }
    /** fe80::/10 (RFC 4291 2.5.6). */
    public boolean isLinkLocal() { return (hi >>> 54) == (0xfe80L >>> 6); }
    /** ::ffff:0:0/96. */
    public boolean isIpv4Mapped() { return hi == 0 && (lo >>> 32) == 0xffff; }
    /** The IPv4 address of an IPv4-mapped address; IllegalStateException otherwise. */
    public Ipv4Address toIpv4() {
        if (!isIpv4Mapped()) throw new IllegalStateException(this + " is not IPv4-mapped");
        return new Ipv4Address((int) lo);
    }
    /** ff02::1:ffXX:XXXX, the solicited-node multicast address (RFC 4291 2.7.1). */
    public Ipv6Address solicitedNode() {
        return new Ipv6Address(0xff02L << 48, 0x1_ff00_0000L | (lo & 0xff_ffffL));
    }

    @Override public int compareTo(Ipv6Address o) {
        int c = Long.compareUnsigned(hi, o.hi);
        return c != 0 ? c : Long.compareUnsigned(lo, o.lo);
    }

    @Override public String toString() {
        if (isIpv4Mapped()) return "::ffff:" + toIpv4();
        // RFC 5952 4.2: the longest run of at least two zero groups becomes "::", the first on a tie
        int bestStart = -1, bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (group(i) != 0) { i++; continue; }
            int j = i;
            while (j < 8 && group(j) == 0) j++;
            if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
            i = j;
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (!sb.isEmpty() && sb.charAt(sb.length() - 1) != ':') sb.append(':');
            sb.append(Integer.toHexString(group(i)));
        }
        return sb.toString();
    }
}
