package org.netstack4j.wire;

/**
 * SipHash-2-4 (Aumasson and Bernstein) over a few 64-bit words: the keyed hash F of RFC 6528/6056
 * (ISNs, ephemeral ports), of SYN cookies (RFC 4987) and of IPv4 identification (RFC 7739 4.3).
 */
public final class SipHash {
    private final long k0, k1;

    public SipHash(long k0, long k1) { this.k0 = k0; this.k1 = k1; }

    /**
     * F over an address pair and one more word, for either family: an IPv4 pair packed into one
     * word as before IPv6 existed (so IPv4 ISNs, ports and table slots are what they were),
     * otherwise the 128-bit forms of both (IPv4 as IPv4-mapped).
     */
    public long hash(IpAddress a, IpAddress b, long word) {
        if (a instanceof Ipv4Address a4 && b instanceof Ipv4Address b4)
            return hash(((long) a4.bits() << 32) | (b4.bits() & 0xffffffffL), word);
        return hash(a.high64(), a.low64(), b.high64(), b.low64(), word);
    }

    /**
     * F over two words: the same value as {@code hash(new long[] {m0, m1})}, without the array
     * (the varargs array cost 32 bytes per IPv4 packet, ISN, port choice and table lookup).
     */
    public long hash(long m0, long m1) {
        long v0 = k0 ^ 0x736f6d6570736575L, v1 = k1 ^ 0x646f72616e646f6dL;
        long v2 = k0 ^ 0x6c7967656e657261L, v3 = k1 ^ 0x7465646279746573L;
        for (int w = 0; w < 2; w++) {
            long m = w == 0 ? m0 : m1;
            v3 ^= m;
            for (int i = 0; i < 2; i++) {
                v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
                v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
                v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
                v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
            }
            v0 ^= m;
        }
        return finish(v0, v1, v2, v3, 2);
    }

    public long hash(long... words) {
        long v0 = k0 ^ 0x736f6d6570736575L, v1 = k1 ^ 0x646f72616e646f6dL;
        long v2 = k0 ^ 0x6c7967656e657261L, v3 = k1 ^ 0x7465646279746573L;
        for (long m : words) {
            v3 ^= m;
            for (int i = 0; i < 2; i++) {
                v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
                v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
                v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
                v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
            }
            v0 ^= m;
        }
        return finish(v0, v1, v2, v3, words.length);
    }

    /** The length block and the four finalization rounds. */
    private static long finish(long v0, long v1, long v2, long v3, int words) {
        long b = ((long) words * 8) << 56;
        v3 ^= b;
        for (int i = 0; i < 2; i++) {
            v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
            v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
            v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
            v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
        }
        v0 ^= b;
        v2 ^= 0xff;
        for (int i = 0; i < 4; i++) {
            v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
            v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
            v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
            v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
        }
        return v0 ^ v1 ^ v2 ^ v3;
    }
}
