package org.netstack4j.wire;

import java.util.HexFormat;

/**
 * Big-endian (network order) field access on byte arrays; callers check bounds first. Public for
 * the packages that read and rewrite headers in place ({@code filter}'s NAT and NPTv6).
 */
public final class Bytes {
    private Bytes() {}

    public static int u8(byte[] b, int off) { return b[off] & 0xff; }

    public static int u16(byte[] b, int off) { return (b[off] & 0xff) << 8 | (b[off + 1] & 0xff); }

    public static int i32(byte[] b, int off) {
        return (b[off] & 0xff) << 24 | (b[off + 1] & 0xff) << 16 | (b[off + 2] & 0xff) << 8 | (b[off + 3] & 0xff);
    }

    public static long i64(byte[] b, int off) { return (long) i32(b, off) << 32 | (i32(b, off + 4) & 0xffff_ffffL); }

    public static void put64(byte[] b, int off, long v) {
        put32(b, off, (int) (v >>> 32));
        put32(b, off + 4, (int) v);
    }

    public static void put8(byte[] b, int off, int v) { b[off] = (byte) v; }

    public static void put16(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }

    public static void put32(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    /** True when [off, off+len) is a valid range of b (no overflow). */
    static boolean inBounds(byte[] b, int off, int len) {
        return b != null && off >= 0 && len >= 0 && off <= b.length - len;
    }

    static String hex(byte[] b) { return HexFormat.of().formatHex(b); }

    static void checkRange(String what, int v, int min, int max) {
        if (v < min || v > max)
            throw new IllegalArgumentException(what + " must be in [" + min + ", " + max + "], was " + v);
    }
}
