package org.netstack4j.tcp.seqnum;

/**
 * Sequence number arithmetic modulo 2^32 (RFC 9293 3.4, RFC 1982 style). Sequence numbers are
 * plain {@code int}s holding the raw 32 bits; every comparison of two of them goes through here
 * ({@code a - b} as a signed 32-bit difference), never a raw {@code <}.
 */
public final class Seq {
    private Seq() {}

    /** a &lt; b in sequence space. */
    public static boolean lt(int a, int b) { return a - b < 0; }
    /** a &lt;= b in sequence space. */
    public static boolean le(int a, int b) { return a - b <= 0; }
    /** a &gt; b in sequence space. */
    public static boolean gt(int a, int b) { return a - b > 0; }
    /** a &gt;= b in sequence space. */
    public static boolean ge(int a, int b) { return a - b >= 0; }

    /** a + n (wraps). */
    public static int add(int a, long n) { return (int) (a + n); }

    /** The signed distance a - b (meaningful when |a - b| &lt; 2^31). */
    public static int sub(int a, int b) { return a - b; }

    public static int max(int a, int b) { return gt(a, b) ? a : b; }
    public static int min(int a, int b) { return lt(a, b) ? a : b; }

    /** start &lt;= x &lt; start + len (len up to 2^32 - 1; len 0 holds nothing). */
    public static boolean inWindow(int x, int start, long len) {
        return Integer.toUnsignedLong(x - start) < len;
    }

    /** low &lt;= x &lt;= high in sequence space (assuming low &lt;= high). */
    public static boolean between(int low, int x, int high) {
        return Integer.toUnsignedLong(x - low) <= Integer.toUnsignedLong(high - low);
    }

    /** The unsigned text form used in traces. */
    public static String str(int s) { return Integer.toUnsignedString(s); }
}
