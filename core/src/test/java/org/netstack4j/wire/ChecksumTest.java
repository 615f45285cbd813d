package org.netstack4j.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HexFormat;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class ChecksumTest {

    /** RFC 1071 section 3: bytes 00 01 f2 03 f4 f5 f6 f7 sum to 0xddf2 (one's complement 0x220d). */
    @Test void rfc1071Example() {
        byte[] b = HexFormat.of().parseHex("0001f203f4f5f6f7");
        assertEquals(0xddf2, fold(Checksum.sum(0, b, 0, b.length)));
        assertEquals(0x220d, Checksum.compute(b, 0, b.length));
    }

    /** A classic IPv4 header whose checksum is 0xb861. */
    @Test void ipv4HeaderChecksum() {
        byte[] h = HexFormat.of().parseHex("450000730000400040110000c0a80001c0a800c7");
        assertEquals(0xb861, Checksum.compute(h, 0, h.length));
        h[10] = (byte) 0xb8;
        h[11] = 0x61;
        assertEquals(0, Checksum.compute(h, 0, h.length));
    }

    @Test void oddLengthPadsWithZero() {
        byte[] b = {0x12, 0x34, 0x56};
        assertEquals(fold(0x1234 + 0x5600), fold(Checksum.sum(0, b, 0, 3)));
    }

    @Test void emptyDataChecksumIsAllOnes() {
        assertEquals(0xffff, Checksum.compute(new byte[0], 0, 0));
    }

    @Test void unalignedOffsetsAgreeWithNaiveSum() {
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 2000; i++) {
            byte[] b = new byte[r.nextInt(1, 200)];
            r.nextBytes(b);
            int off = r.nextInt(b.length);
            int len = r.nextInt(b.length - off + 1);
            assertEquals(naive(b, off, len), Checksum.compute(b, off, len));
        }
    }

    /** Frame-sized and jumbo inputs at every alignment, with initial sums: the vector path and its tails. */
    @Test void frameSizedInputsAgreeWithNaiveSumAtEveryAlignment() {
        SplittableRandom r = new SplittableRandom(11);
        for (int i = 0; i < 3000; i++) {
            byte[] b = new byte[r.nextInt(48, 9100)];
            r.nextBytes(b);
            int off = r.nextInt(Math.min(16, b.length));
            int len = b.length - off - r.nextInt(Math.min(16, b.length - off) + 1);
            long initial = r.nextInt(4) == 0 ? r.nextLong() & Long.MAX_VALUE : r.nextInt(0x10000);
            long expected = fold(initial);
            for (int j = 0; j < len; j += 2)
                expected += ((b[off + j] & 0xff) << 8) | (j + 1 < len ? b[off + j + 1] & 0xff : 0);
            assertEquals(fold(expected), fold(Checksum.sum(initial, b, off, len)), "off " + off + " len " + len);
        }
    }

    /** Longer than one accumulation chunk (256 KiB), all 0xff: the worst case for lane overflow. */
    @Test void largeBuffersFoldCorrectly() {
        byte[] ones = new byte[(1 << 20) + 13];
        java.util.Arrays.fill(ones, (byte) 0xff);
        assertEquals(naive(ones, 0, ones.length), Checksum.compute(ones, 0, ones.length));
        assertEquals(naive(ones, 5, ones.length - 5), Checksum.compute(ones, 5, ones.length - 5));
        byte[] r = new byte[(1 << 20) + 7];
        new SplittableRandom(3).nextBytes(r);
        assertEquals(naive(r, 1, r.length - 1), Checksum.compute(r, 1, r.length - 1));
        assertEquals(fold(0xffffffffffffL), fold(Checksum.sum(0xffffffffffffL, new byte[0], 0, 0)));
        assertEquals(fold(Long.MAX_VALUE) , fold(Checksum.sum(Long.MAX_VALUE, new byte[0], 0, 0)));
    }

    /** Every length either side of the short-input loop's limit, all 0xff, with the largest initial sums. */
    @Test void shortAndLongPathsAgreeAtTheirBoundary() {
        byte[] ones = new byte[80];
        java.util.Arrays.fill(ones, (byte) 0xff);
        for (long initial : new long[] {0, 0xffff, 0xffff_ffffL, Long.MAX_VALUE, -1L})
            for (int off = 0; off < 4; off++)
                for (int len = 0; len <= 70; len++) {
                    long expected = fold(initial) + 0xffffL * (len / 2) + (len % 2 == 1 ? 0xff00 : 0);
                    assertEquals(fold(expected), fold(Checksum.sum(initial, ones, off, len)), "off " + off + " len " + len);
                }
    }

    @Property(seed = "42") void matchesSixteenBitReference(@ForAll @Size(max = 300) byte[] data,
                                                           @ForAll @IntRange(max = 0xffff) int initial) {
        long expected = initial;
        for (int i = 0; i < data.length; i += 2)
            expected += ((data[i] & 0xff) << 8) | (i + 1 < data.length ? data[i + 1] & 0xff : 0);
        assertEquals(fold(expected), fold(Checksum.sum(initial, data, 0, data.length)));
    }

    /** RFC 1624: updating a 16-bit field incrementally gives the same checksum as recomputing. */
    @Property(seed = "42") void incrementalUpdateEqualsRecompute(@ForAll @Size(min = 2, max = 60) byte[] data,
                                                                 @ForAll @IntRange(max = 0xffff) int newValue,
                                                                 @ForAll @IntRange(max = 1000) int where) {
        byte[] h = new byte[data.length + (data.length & 1) + 2];
        System.arraycopy(data, 0, h, 2, data.length);
        h[2] |= 0x40; // never all-zero data (the one case where 0x0000 and 0xffff differ)
        int before = Checksum.compute(h, 0, h.length);
        int field = 2 + 2 * (where % ((h.length - 2) / 2));
        int oldValue = Bytes.u16(h, field);
        Bytes.put16(h, field, newValue);
        if (Checksum.compute(h, 0, h.length) == 0xffff) return; // data became all zero
        assertEquals(Checksum.compute(h, 0, h.length), Checksum.update(before, oldValue, newValue));
    }

    @Property(seed = "42") void incrementalUpdate32EqualsRecompute(@ForAll @Size(min = 8, max = 40) byte[] data,
                                                                   @ForAll int newValue) {
        byte[] h = new byte[(data.length + 3) & ~3];
        System.arraycopy(data, 0, h, 0, data.length);
        h[0] |= 0x40;
        int before = Checksum.compute(h, 0, h.length);
        int oldValue = Bytes.i32(h, 4);
        Bytes.put32(h, 4, newValue);
        assertEquals(Checksum.compute(h, 0, h.length), Checksum.update32(before, oldValue, newValue));
    }

    @Test void pseudoHeaderSum() {
        long s = Checksum.pseudoHeaderSum(Ipv4Address.parse("10.0.0.1"), Ipv4Address.parse("10.0.0.2"), 6, 40);
        assertEquals(fold(0x0a00 + 0x0001 + 0x0a00 + 0x0002 + 6 + 40), fold(s));
    }

    private static int fold(long s) {
        while ((s >>> 16) != 0) s = (s & 0xffff) + (s >>> 16);
        return (int) s;
    }

    private static int naive(byte[] b, int off, int len) {
        long s = 0;
        for (int i = 0; i < len; i += 2)
            s += ((b[off + i] & 0xff) << 8) | (i + 1 < len ? b[off + i + 1] & 0xff : 0);
        return ~fold(s) & 0xffff;
    }
}
