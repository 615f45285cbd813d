package org.netstack4j.device.offload;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import net.jqwik.api.*;
import org.junit.jupiter.api.Test;
import org.netstack4j.wire.Checksum;

class SegmentationProperties {
    /** An IPv4 or IPv6 TCP packet with timestamps, ACK (+PSH/FIN/CWR as asked), correct checksums. */
    static byte[] tcp(boolean v6, int payload, long seq, int flags, long fill) {
        int ip = v6 ? 40 : 20, tcp = 32;
        byte[] p = new byte[ip + tcp + payload];
        if (v6) {
            p[0] = 0x60; p[1] = 0x01; p[2] = 0x23; p[3] = 0x45;
            Segmentation.put16(p, 4, tcp + payload);
            p[6] = 6; p[7] = 64;
            p[8] = (byte) 0xfd; p[23] = 1; p[24] = (byte) 0xfd; p[39] = 2;
        } else {
            p[0] = 0x45;
            Segmentation.put16(p, 2, p.length);
            Segmentation.put16(p, 4, 0x1234);
            p[6] = 0x40; p[8] = 64; p[9] = 6;
            p[12] = 10; p[15] = 1; p[16] = 10; p[19] = 2;
            Segmentation.put16(p, 10, Checksum.compute(p, 0, 20));
        }
        Segmentation.put16(p, ip, 40000);
        Segmentation.put16(p, ip + 2, 80);
        Segmentation.put32(p, ip + 4, seq);
        Segmentation.put32(p, ip + 8, 777);
        p[ip + 12] = (byte) ((tcp / 4) << 4);
        p[ip + 13] = (byte) flags;
        Segmentation.put16(p, ip + 14, 502);
        p[ip + 20] = 1; p[ip + 21] = 1; p[ip + 22] = 8; p[ip + 23] = 10; // NOP NOP TS
        Segmentation.put32(p, ip + 24, 1000); Segmentation.put32(p, ip + 28, 2000);
        java.util.SplittableRandom r = new java.util.SplittableRandom(fill);
        for (int i = ip + tcp; i < p.length; i++) p[i] = (byte) r.nextInt();
        return seal(p, v6);
    }

    static byte[] seal(byte[] p, boolean v6) {
        Segmentation.Layout l = Segmentation.layout(p, p.length);
        int t = l.ipLen();
        Segmentation.put16(p, t + 16, 0);
        long sum = v6 ? Checksum.sum(0, p, 8, 32) : Checksum.sum(0, p, 12, 8);
        sum += 6 + (p.length - t);
        Segmentation.put16(p, t + 16, Checksum.finish(Checksum.sum(sum, p, t, p.length - t)));
        return p;
    }

    @Property(tries = 300) void segmentThenMergeIsTheIdentity(@ForAll boolean v6, @ForAll("payloads") int payload,
                                                               @ForAll("mss") int mss, @ForAll long seq, @ForAll boolean psh) {
        seq &= 0xffff_ffffL;
        byte[] big = tcp(v6, payload, seq, 0x10 | (psh ? 0x08 : 0), seq);
        Segmentation.Result r = Segmentation.segment(big, big.length, mss);
        assertTrue(r.ok(), r.error());
        int n = (payload + mss - 1) / mss;
        assertEquals(Math.max(1, n), r.packets().size());
        long expectSeq = seq;
        for (int i = 0; i < r.packets().size(); i++) {
            byte[] s = r.packets().get(i);
            assertTrue(Segmentation.checksumOk(s, s.length), "segment " + i + " checksum");
            if (!v6) assertEquals(0, Checksum.compute(s, 0, 20), "IPv4 header checksum");
            int t = v6 ? 40 : 20;
            assertEquals(expectSeq, Segmentation.u32(s, t + 4));
            expectSeq = (expectSeq + s.length - t - 32) & 0xffff_ffffL;
            boolean last = i == r.packets().size() - 1;
            assertEquals(psh && last, (s[t + 13] & 0x08) != 0, "PSH only on the last");
            assertTrue(s.length - t - 32 <= mss);
        }
        List<Segmentation.Merged> m = Segmentation.merge(r.packets(), 65535);
        assertEquals(1, m.size(), "one run");
        byte[] back = m.getFirst().packet();
        assertArrayEquals(big, back, "the merged packet keeps the first segment's IPv4 ID, as GRO does");
    }

    @Provide Arbitrary<Integer> payloads() { return Arbitraries.integers().between(0, 65000); }

    @Provide Arbitrary<Integer> mss() { return Arbitraries.integers().between(500, 9000); }

    @Test void finAndCwrGoWhereTcpSaysAndIpIdsCount() {
        byte[] big = tcp(false, 3000, 5, 0x80 | 0x10 | 0x08 | 0x01, 1);
        List<byte[]> s = Segmentation.segment(big, big.length, 1448).packets();
        assertEquals(3, s.size());
        assertEquals(0x90, s.get(0)[33] & 0xff, "CWR only on the first");
        assertEquals(0x10, s.get(1)[33] & 0xff);
        assertEquals(0x19, s.get(2)[33] & 0xff, "FIN and PSH on the last");
        assertEquals(0x1234, Segmentation.u16(s.get(0), 4));
        assertEquals(0x1236, Segmentation.u16(s.get(2), 4));
    }

    @Test void runsBreakAtGapsFlagsAndOtherFlows() {
        List<byte[]> segs = new ArrayList<>();
        segs.add(tcp(false, 1000, 0, 0x10, 1));
        segs.add(tcp(false, 1000, 1000, 0x10, 2));
        segs.add(tcp(false, 1000, 3000, 0x10, 3));   // a gap: a new run
        segs.add(tcp(false, 1000, 4000, 0x18, 4));   // PSH ends that run
        segs.add(tcp(false, 1000, 5000, 0x10, 5));
        byte[] bad = tcp(false, 1000, 6000, 0x10, 6);
        bad[bad.length - 1] ^= 1;                    // a corrupted segment is never merged
        segs.add(bad);
        byte[] syn = tcp(false, 0, 7000, 0x02, 7);
        segs.add(syn);
        List<Segmentation.Merged> m = Segmentation.merge(segs, 65535);
        assertEquals(List.of(2, 2, 1, 1, 1), m.stream().map(Segmentation.Merged::segments).toList());
        assertSame(bad, m.get(3).packet());
        assertEquals(0x18, m.get(1).packet()[33] & 0xff);
        assertTrue(Segmentation.checksumOk(m.get(0).packet(), m.get(0).packet().length));
    }

    @Test void mergedPacketsStayWithinTheLimit() {
        List<byte[]> segs = new ArrayList<>();
        for (int i = 0; i < 60; i++) segs.add(tcp(true, 1440, 1440L * i, 0x10, i));
        List<Segmentation.Merged> m = Segmentation.merge(segs, 65535);
        assertTrue(m.size() >= 2);
        for (Segmentation.Merged x : m) assertTrue(x.packet().length <= 65535);
        assertEquals(60, m.stream().mapToInt(Segmentation.Merged::segments).sum());
    }

    @Test void udpIsCutIntoDatagrams() {
        // IPv4 UDP 10.0.0.1:5000 -> 10.0.0.2:53, 3000 bytes of payload, checksum over the whole.
        byte[] p = new byte[20 + 8 + 3000];
        p[0] = 0x45; Segmentation.put16(p, 2, p.length); p[8] = 64; p[9] = 17;
        p[12] = 10; p[15] = 1; p[16] = 10; p[19] = 2;
        Segmentation.put16(p, 10, Checksum.compute(p, 0, 20));
        Segmentation.put16(p, 20, 5000); Segmentation.put16(p, 22, 53); Segmentation.put16(p, 24, 3008);
        Segmentation.Result r = Segmentation.segment(p, p.length, 1400);
        assertEquals(List.of(1428, 1428, 228), r.packets().stream().map(x -> x.length).toList());
        for (byte[] d : r.packets()) {
            assertTrue(Segmentation.checksumOk(d, d.length));
            assertEquals(d.length - 20, Segmentation.u16(d, 24));
        }
    }

    /** An IPv4 or IPv6 UDP datagram 10.0.0.1:5000 -> 10.0.0.2:53 (fd..1 -> fd..2) with IP ID {@code id}, a full checksum. */
    static byte[] udp(boolean v6, int payload, int id, long fill) {
        int ip = v6 ? 40 : 20;
        byte[] p = new byte[ip + 8 + payload];
        if (v6) {
            p[0] = 0x60; p[1] = 0x01;
            Segmentation.put16(p, 4, 8 + payload);
            p[6] = 17; p[7] = 64;
            p[8] = (byte) 0xfd; p[23] = 1; p[24] = (byte) 0xfd; p[39] = 2;
        } else {
            p[0] = 0x45;
            Segmentation.put16(p, 2, p.length);
            Segmentation.put16(p, 4, id);
            p[8] = 64; p[9] = 17;
            p[12] = 10; p[15] = 1; p[16] = 10; p[19] = 2;
            Segmentation.put16(p, 10, Checksum.compute(p, 0, 20));
        }
        Segmentation.put16(p, ip, 5000);
        Segmentation.put16(p, ip + 2, 53);
        Segmentation.put16(p, ip + 4, 8 + payload);
        java.util.SplittableRandom r = new java.util.SplittableRandom(fill);
        for (int i = ip + 8; i < p.length; i++) p[i] = (byte) r.nextInt();
        long sum = (v6 ? Checksum.sum(0, p, 8, 32) : Checksum.sum(0, p, 12, 8)) + 17 + 8 + payload;
        int c = Checksum.finish(Checksum.sum(sum, p, ip, 8 + payload));
        Segmentation.put16(p, ip + 6, c == 0 ? 0xffff : c);
        return p;
    }

    @Property(tries = 200) void datagramsMergedThenSegmentedAreTheSameDatagrams(@ForAll boolean v6, @ForAll("datagramSizes") int size,
                                                                                 @ForAll("datagramCounts") int count, @ForAll("tails") int tail) {
        List<byte[]> ds = new ArrayList<>();
        for (int i = 0; i < count; i++) ds.add(udp(v6, i == count - 1 ? Math.min(size, tail) : size, 0x4000 + i, i));
        List<Segmentation.Merged> m = Segmentation.mergeDatagrams(ds, 65535, 64);
        assertEquals(count, m.stream().mapToInt(Segmentation.Merged::segments).sum());
        List<byte[]> back = new ArrayList<>();
        for (Segmentation.Merged x : m) {
            byte[] p = x.packet();
            assertTrue(p.length <= 65535 && x.segments() <= 64);
            if (x.segments() == 1) {
                back.add(p);
                continue;
            }
            int t = v6 ? 40 : 20;
            assertEquals(p.length - t, Segmentation.u16(p, t + 4), "the UDP length covers the whole super-packet");
            assertEquals(size, x.segmentSize());
            // the checksum field holds the pseudo-header sum: completing it gives a valid checksum
            byte[] whole = p.clone();
            assertTrue(Segmentation.completeChecksum(whole, whole.length, t, 6));
            assertTrue(Segmentation.checksumOk(whole, whole.length));
            Segmentation.Result r = Segmentation.segment(p, p.length, x.segmentSize());
            assertTrue(r.ok(), r.error());
            assertEquals(x.segments(), r.packets().size());
            back.addAll(r.packets());
        }
        assertEquals(ds.size(), back.size());
        for (int i = 0; i < ds.size(); i++) assertArrayEquals(ds.get(i), back.get(i), "datagram " + i);
    }

    @Provide Arbitrary<Integer> datagramSizes() { return Arbitraries.integers().between(1, 9000); }

    @Provide Arbitrary<Integer> datagramCounts() { return Arbitraries.integers().between(1, 150); }

    @Provide Arbitrary<Integer> tails() { return Arbitraries.integers().between(1, 9000); }

    @Test void datagramRunsBreakAtOtherFlowsLongerDatagramsAndTheSegmentLimit() {
        List<byte[]> ds = new ArrayList<>();
        ds.add(udp(false, 1000, 1, 1));
        ds.add(udp(false, 1000, 2, 2));
        ds.add(udp(false, 400, 3, 3));                // short: ends the run
        ds.add(udp(false, 1000, 4, 4));
        ds.add(udp(false, 1200, 5, 5));               // longer than the first: a new run
        byte[] other = udp(false, 1200, 6, 6);
        Segmentation.put16(other, 20, 5001);          // another source port
        ds.add(other);
        ds.add(tcp(false, 1200, 0, 0x10, 7));         // not UDP: passes
        for (int i = 0; i < 70; i++) ds.add(udp(true, 100, 0, 10 + i));
        List<Segmentation.Merged> m = Segmentation.mergeDatagrams(ds, 65535, 64);
        assertEquals(List.of(3, 1, 1, 1, 1, 64, 6), m.stream().map(Segmentation.Merged::segments).toList());
        assertSame(other, m.get(3).packet());
        assertEquals(List.of(1000, 1000, 1200, 1200, 1200, 100, 100),
                m.stream().map(Segmentation.Merged::segmentSize).toList());
        // the byte limit: 10 datagrams of 9000 bytes do not fit one IPv4 packet
        List<byte[]> big = new ArrayList<>();
        for (int i = 0; i < 10; i++) big.add(udp(false, 9000, i, i));
        for (Segmentation.Merged x : Segmentation.mergeDatagrams(big, 65535, 64)) assertTrue(x.packet().length <= 65535);
        assertEquals(2, Segmentation.mergeDatagrams(big, 65535, 64).size());
    }

    @Test void partialChecksumsAreCompleted() {
        byte[] p = tcp(false, 100, 1, 0x10, 9);
        int want = Segmentation.u16(p, 36);
        // What a kernel hands over with NEEDS_CSUM: the folded pseudo-header sum, not complemented.
        long pseudo = Checksum.sum(0, p, 12, 8) + 6 + (p.length - 20);
        while ((pseudo >>> 16) != 0) pseudo = (pseudo & 0xffff) + (pseudo >>> 16);
        Segmentation.put16(p, 36, (int) pseudo);
        assertTrue(Segmentation.completeChecksum(p, p.length, 20, 16));
        assertEquals(want, Segmentation.u16(p, 36));
        assertFalse(Segmentation.completeChecksum(p, p.length, p.length - 1, 16));
    }

    @Test void virtioHeaderRoundTripsLittleEndian() {
        VirtioNetHeader h = new VirtioNetHeader(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_TCPV4 | VirtioNetHeader.GSO_ECN, 66, 1448, 20, 16);
        byte[] b = new byte[10];
        h.write(b, 0);
        assertEquals("01814200a80514001000", HexFormat.of().formatHex(b));
        assertEquals(h, VirtioNetHeader.read(b, 0, 10));
        assertEquals(VirtioNetHeader.GSO_TCPV4, h.gso());
        assertTrue(h.ecn() && h.needsChecksum());
        assertNull(VirtioNetHeader.read(b, 0, 9));
    }

    @Property(tries = 1000) void garbageNeverThrows(@ForAll byte[] junk, @ForAll("mss") int mss) {
        Segmentation.segment(junk, junk.length, mss);
        Segmentation.merge(List.of(junk, junk), 65535);
        Segmentation.mergeDatagrams(List.of(junk, junk), 65535, 64);
        Segmentation.checksumOk(junk, junk.length);
    }
}
