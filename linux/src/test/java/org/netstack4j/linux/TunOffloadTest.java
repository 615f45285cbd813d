package org.netstack4j.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.netstack4j.device.FrameSink;
import org.netstack4j.device.offload.Segmentation;
import org.netstack4j.device.offload.VirtioNetHeader;
import org.netstack4j.wire.Checksum;

/** The offload logic of the TUN device without a TUN: coalescing what the stack writes, decoding what the kernel hands over. */
class TunOffloadTest {
    private static final int MSS = 1448;

    /** An IPv4 (or IPv6) TCP segment with a 12-byte timestamp option, valid checksums, flags ACK (+PSH). */
    static byte[] segment(boolean v6, int srcPort, long seq, int ipId, byte[] payload, int payloadOff, int len, boolean psh) {
        int ip = v6 ? 40 : 20, tcp = 32;
        byte[] p = new byte[ip + tcp + len];
        if (v6) {
            p[0] = 0x60;
            put16(p, 4, tcp + len);
            p[6] = 6;
            p[7] = 64;
            p[23] = 1;  // src ::1 style addresses, different
            p[39] = 2;
        } else {
            p[0] = 0x45;
            put16(p, 2, p.length);
            put16(p, 4, ipId);
            p[6] = 0x40; // DF
            p[8] = 64;
            p[9] = 6;
            p[12] = 10; p[13] = 7; p[15] = 2;
            p[16] = 10; p[17] = 7; p[19] = 1;
            put16(p, 10, Checksum.compute(p, 0, 20));
        }
        put16(p, ip, srcPort);
        put16(p, ip + 2, 80);
        put16(p, ip + 4, (int) (seq >>> 16));
        put16(p, ip + 6, (int) seq);
        put16(p, ip + 8, 0x1234);
        put16(p, ip + 10, 0x5678);
        p[ip + 12] = (byte) (8 << 4);
        p[ip + 13] = (byte) (0x10 | (psh ? 0x08 : 0));
        put16(p, ip + 14, 65535);
        p[ip + 20] = 1; p[ip + 21] = 1; p[ip + 22] = 8; p[ip + 23] = 10; // NOP NOP TS
        p[ip + 27] = 42;
        System.arraycopy(payload, payloadOff, p, ip + tcp, len);
        long sum = v6 ? Checksum.sum(0, p, 8, 32) : Checksum.sum(0, p, 12, 8);
        put16(p, ip + 16, Checksum.finish(Checksum.sum(sum + 6 + tcp + len, p, ip, tcp + len)));
        return p;
    }

    static List<byte[]> run(boolean v6, int srcPort, int segments, int lastLen, byte[] data) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < segments; i++) {
            boolean last = i == segments - 1;
            int len = last ? lastLen : MSS;
            out.add(segment(v6, srcPort, 1000L + (long) i * MSS, 7 + i, data, i * MSS, len, last));
        }
        return out;
    }

    static byte[] data(int n) {
        byte[] d = new byte[n];
        new Random(15).nextBytes(d);
        return d;
    }

    @Test
    void aRunOfOneFlowBecomesOneGsoSuperPacketThatCutsBackIntoTheSameSegments() {
        for (boolean v6 : new boolean[] {false, true}) {
            List<byte[]> batch = run(v6, 5000, 20, 300, data(20 * MSS));
            long[] counts = new long[2];
            List<byte[]> frames = TunOffload.coalesce(batch, counts);
            assertEquals(1, frames.size());
            assertEquals(1, counts[0]);
            assertEquals(20, counts[1]);
            byte[] f = frames.get(0);
            VirtioNetHeader h = VirtioNetHeader.read(f, 0, f.length);
            int ip = v6 ? 40 : 20;
            assertEquals(VirtioNetHeader.F_NEEDS_CSUM, h.flags());
            assertEquals(v6 ? VirtioNetHeader.GSO_TCPV6 : VirtioNetHeader.GSO_TCPV4, h.gsoType());
            assertEquals(MSS, h.gsoSize());
            assertEquals(ip + 32, h.hdrLen());
            assertEquals(ip, h.csumStart());
            assertEquals(16, h.csumOffset());

            // the kernel's view: cut at gso_size (tcp_gso_segment); every segment is what the stack sent
            List<byte[]> cut = new ArrayList<>();
            TunOffload.Inbound in = new TunOffload.Inbound(false);
            assertTrue(in.decode(f, f.length, cut));
            assertEquals(batch.size(), cut.size());
            for (int i = 0; i < batch.size(); i++) assertArrayEquals(batch.get(i), cut.get(i), "segment " + i + " v6=" + v6);

            // the checksum field holds the pseudo-header sum: completing it (CHECKSUM_PARTIAL) gives a valid checksum
            byte[] whole = Arrays.copyOfRange(f, VirtioNetHeader.LENGTH, f.length);
            assertTrue(Segmentation.completeChecksum(whole, whole.length, h.csumStart(), h.csumOffset()));
            assertTrue(Segmentation.checksumOk(whole, whole.length), "v6=" + v6);
        }
    }

    @Test
    void separateFlowsAndLonePacketsKeepTheirOrderWithPlainHeaders() {
        byte[] d = data(10 * MSS);
        List<byte[]> batch = new ArrayList<>(run(false, 5000, 3, MSS, d));
        batch.add(segment(false, 6000, 1, 1, d, 0, 100, true));   // another flow, alone
        batch.addAll(run(false, 7000, 4, 10, d));
        long[] counts = new long[2];
        List<byte[]> frames = TunOffload.coalesce(batch, counts);
        assertEquals(3, frames.size());
        assertEquals(2, counts[0]);
        assertEquals(7, counts[1]);
        VirtioNetHeader lone = VirtioNetHeader.read(frames.get(1), 0, frames.get(1).length);
        assertEquals(VirtioNetHeader.NONE, lone);
        assertArrayEquals(batch.get(3), Arrays.copyOfRange(frames.get(1), 10, frames.get(1).length));
        List<byte[]> back = new ArrayList<>();
        TunOffload.Inbound in = new TunOffload.Inbound(false);
        for (byte[] f : frames) assertTrue(in.decode(f, f.length, back));
        assertEquals(batch.size(), back.size());
        for (int i = 0; i < batch.size(); i++) assertArrayEquals(batch.get(i), back.get(i), "packet " + i);

        long[] one = new long[2];
        List<byte[]> single = TunOffload.coalesce(List.of(batch.get(0)), one);
        assertEquals(VirtioNetHeader.NONE, VirtioNetHeader.read(single.get(0), 0, single.get(0).length));
        assertEquals(0, one[0]);
    }

    @Test
    void inboundCompletesPartialChecksumsAndHandsSuperPacketsWholeWhenMerging() {
        byte[] d = data(30 * MSS);
        byte[] big = Segmentation.merge(run(false, 5000, 30, MSS, d), 65535).get(0).packet();
        assertEquals(20 + 32 + 30 * MSS, big.length);
        byte[] f = TunOffload.gso(big, MSS); // what the kernel hands over: pseudo-header sum only
        byte[] partial = Arrays.copyOfRange(f, 10, f.length);
        assertFalse(Segmentation.checksumOk(partial, partial.length));
        TunOffload.Inbound merging = new TunOffload.Inbound(true);
        List<byte[]> out = new ArrayList<>();
        assertTrue(merging.decode(f, f.length, out));
        assertEquals(1, out.size());
        assertArrayEquals(big, out.get(0));
        assertEquals(1, merging.superPackets);

        // a non-GSO CHECKSUM_PARTIAL packet
        byte[] small = segment(false, 5000, 1, 1, d, 0, 500, true);
        byte[] g = TunOffload.gso(small, MSS);
        new VirtioNetHeader(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_NONE, 0, 0, 20, 16).write(g, 0);
        out.clear();
        assertTrue(merging.decode(g, g.length, out));
        assertArrayEquals(small, out.get(0));
    }

    /**
     * Issue 14 (route): a router without filter or NAT leaves a super-packet's partial checksum as
     * the kernel wrote it (no pass over the payload), since forwarding it whole puts the very same
     * pseudo-header sum there again; a plain NEEDS_CSUM packet, written out as it is, is still completed.
     */
    @Test
    void aRouterLeavesSuperPacketChecksumsPartialAndCompletesPlainOnes() {
        byte[] d = data(30 * MSS);
        for (boolean v6 : new boolean[] {false, true}) {
            byte[] big = Segmentation.merge(run(v6, 5000, 30, MSS, d), 65535).get(0).packet();
            byte[] f = TunOffload.gso(big, MSS);
            byte[] partial = Arrays.copyOfRange(f, 10, f.length);
            TunOffload.Inbound in = new TunOffload.Inbound(true);
            in.leaveSuperPartial = true;
            List<byte[]> out = new ArrayList<>();
            assertTrue(in.decode(f, f.length, out));
            assertArrayEquals(partial, out.get(0), "left as read: the pseudo-header sum only");
            assertFalse(Segmentation.checksumOk(out.get(0), out.get(0).length));
            assertEquals(MSS | FrameSink.CHECKSUM_VERIFIED, in.lastInfo(), "handed on whole, vouched for");
            assertEquals(1, in.checksumsLeftPartial);
            assertEquals(0, in.checksumsCompleted);
            byte[] forwarded = out.get(0).clone();
            assertTrue(Segmentation.toPartialChecksum(forwarded, forwarded.length));
            assertArrayEquals(partial, forwarded, "what forwarding writes for the GSO write is what was read");
            for (byte[] seg : Segmentation.segment(out.get(0), out.get(0).length, MSS).packets())
                assertTrue(Segmentation.checksumOk(seg, seg.length), "cut for a next hop without TSO: each segment summed anew");

            byte[] small = segment(v6, 5000, 1, 1, d, 0, 500, true);
            byte[] g = TunOffload.gso(small, MSS);
            new VirtioNetHeader(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_NONE, 0, 0, v6 ? 40 : 20, 16).write(g, 0);
            out.clear();
            assertTrue(in.decode(g, g.length, out));
            assertArrayEquals(small, out.get(0), "a plain packet goes out as it is: completed");
            assertEquals(1, in.checksumsCompleted);
        }
    }

    /** Issue 15: what the device completed or was told is valid is vouched for, so TCP does not sum it a second time. */
    @Test
    void completedAndValidTcpChecksumsAreVouchedForNothingElse() {
        byte[] d = data(30 * MSS);
        TunOffload.Inbound in = new TunOffload.Inbound(true);
        List<byte[]> out = new ArrayList<>();
        byte[] big = Segmentation.merge(run(false, 5000, 30, MSS, d), 65535).get(0).packet();
        assertTrue(in.decode(TunOffload.gso(big, MSS), 10 + big.length, out));         // GSO, NEEDS_CSUM: completed here
        assertTrue(in.vouched, "vouched for");
        assertEquals(MSS | FrameSink.CHECKSUM_VERIFIED, in.lastInfo(), "the segment size and the word travel together");
        byte[] small = segment(true, 5000, 1, 1, d, 0, 500, true);
        byte[] g = TunOffload.gso(small, MSS);
        new VirtioNetHeader(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_NONE, 0, 0, 40, 16).write(g, 0);
        assertTrue(in.decode(g, g.length, out));                                        // IPv6, NEEDS_CSUM, no GSO
        assertTrue(in.vouched, "vouched for");
        assertEquals(FrameSink.CHECKSUM_VERIFIED, in.lastInfo());
        byte[] valid = segment(false, 5000, 1, 1, d, 0, 100, false);
        assertTrue(in.decode(frame(new VirtioNetHeader(VirtioNetHeader.F_DATA_VALID, 0, 0, 0, 0, 0), valid), 110, out));
        assertTrue(in.vouched, "vouched for");
        assertEquals(3, out.size());
        assertEquals(3, in.checksumsVouched);
        assertTrue(Segmentation.checksumOk(out.get(0), out.get(0).length) && Segmentation.checksumOk(out.get(1), out.get(1).length),
                "a vouched checksum is complete (pcap, forwarding)");

        out.clear();
        byte[] plain = segment(false, 5000, 1, 1, d, 0, 100, false);
        assertTrue(in.decode(frame(VirtioNetHeader.NONE, plain), 110, out));                      // nothing said: TCP checks
        assertFalse(in.vouched, "not vouched for");
        assertEquals(0, in.lastInfo());
        byte[] udpLike = segment(false, 5000, 1, 1, d, 0, 100, false);
        assertTrue(in.decode(frame(new VirtioNetHeader(VirtioNetHeader.F_NEEDS_CSUM, 0, 0, 0, 20, 6), udpLike), 110, out)); // not the TCP field
        assertFalse(in.vouched, "not vouched for");
        byte[] options = segment(false, 5000, 1, 1, d, 0, 100, false);
        options[9] = 17;                                                                            // not TCP at all
        assertTrue(in.decode(frame(new VirtioNetHeader(VirtioNetHeader.F_DATA_VALID, 0, 0, 0, 0, 0), options), 110, out));
        assertFalse(in.vouched, "not vouched for");
        assertEquals(3, out.size());
        assertEquals(3, in.checksumsVouched);
    }

    @Test
    void malformedHeadersAreDroppedAndCounted() {
        byte[] p = segment(false, 5000, 1, 1, data(100), 0, 100, false);
        byte[] v6 = segment(true, 5000, 1, 1, data(100), 0, 100, false);
        TunOffload.Inbound in = new TunOffload.Inbound(false);
        List<byte[]> out = new ArrayList<>();
        assertFalse(in.decode(new byte[5], 5, out));                                              // shorter than the header
        assertFalse(in.decode(new byte[10], 10, out));                                            // header, no packet
        assertFalse(in.decode(frame(new VirtioNetHeader(0, VirtioNetHeader.GSO_TCPV4, 52, 0, 0, 0), p), p.length + 10, out)); // gso_size 0
        assertFalse(in.decode(frame(new VirtioNetHeader(0, VirtioNetHeader.GSO_TCPV4, 72, 10, 0, 0), v6), v6.length + 10, out)); // v4 type, v6 packet
        assertFalse(in.decode(frame(new VirtioNetHeader(0, VirtioNetHeader.GSO_UDP, 52, 10, 0, 0), p), p.length + 10, out)); // UFO never agreed
        assertFalse(in.decode(frame(new VirtioNetHeader(VirtioNetHeader.F_NEEDS_CSUM, 0, 0, 0, 200, 16), p), p.length + 10, out)); // csum outside
        byte[] truncated = Arrays.copyOf(p, 60);                                                   // IP length says more
        assertFalse(in.decode(frame(new VirtioNetHeader(0, VirtioNetHeader.GSO_TCPV4, 52, 4, 0, 0), truncated), 70, out));
        assertEquals(7, in.malformed);
        assertTrue(out.isEmpty());
    }

    /** A UDP datagram 10.7.0.2:srcPort -> 10.7.0.1:9 (IPv6: ::1 -> ::2 style) with IP ID {@code id} and a valid checksum. */
    static byte[] datagram(boolean v6, int srcPort, int id, byte[] data, int off, int len) {
        byte[] tcpLike = segment(v6, srcPort, 0, id, data, off, len, false); // the same IP header, then 32 TCP bytes
        int ip = v6 ? 40 : 20;
        byte[] p = new byte[ip + 8 + len];
        System.arraycopy(tcpLike, 0, p, 0, ip);
        System.arraycopy(data, off, p, ip + 8, len);
        if (v6) {
            put16(p, 4, 8 + len);
            p[6] = 17;
        } else {
            put16(p, 2, p.length);
            p[9] = 17;
            put16(p, 10, 0);
            put16(p, 10, Checksum.compute(p, 0, 20));
        }
        put16(p, ip, srcPort);
        put16(p, ip + 2, 9);
        put16(p, ip + 4, 8 + len);
        long sum = (v6 ? Checksum.sum(0, p, 8, 32) : Checksum.sum(0, p, 12, 8)) + 17 + 8 + len;
        int c = Checksum.finish(Checksum.sum(sum, p, ip, 8 + len));
        put16(p, ip + 6, c == 0 ? 0xffff : c);
        return p;
    }

    /** Issue 15: with USO agreed a run of equal-sized datagrams of one flow is one GSO_UDP_L4 write the kernel cuts back. */
    @Test
    void aRunOfDatagramsBecomesOneUsoSuperPacketThatCutsBackIntoTheSameDatagrams() {
        byte[] d = data(40 * 1200);
        for (boolean v6 : new boolean[] {false, true}) {
            List<byte[]> batch = new ArrayList<>();
            for (int i = 0; i < 40; i++) batch.add(datagram(v6, 4000, 100 + i, d, i * 1200, i == 39 ? 333 : 1200));
            batch.add(datagram(v6, 4001, 140, d, 0, 1200));                    // another flow: alone
            batch.addAll(run(v6, 5000, 3, MSS, d));                            // TCP still merges as before
            long[] counts = new long[4];
            List<byte[]> frames = TunOffload.coalesce(batch, counts, !v6, v6);
            assertEquals(3, frames.size());
            assertEquals(1, counts[0]);
            assertEquals(3, counts[1]);
            assertEquals(1, counts[2]);
            assertEquals(40, counts[3]);
            byte[] f = frames.get(0);
            VirtioNetHeader h = VirtioNetHeader.read(f, 0, f.length);
            int ip = v6 ? 40 : 20;
            assertEquals(new VirtioNetHeader(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_UDP_L4, ip + 8, 1200, ip, 6), h);
            assertEquals(VirtioNetHeader.NONE, VirtioNetHeader.read(frames.get(1), 0, 10));
            byte[] whole = Arrays.copyOfRange(f, VirtioNetHeader.LENGTH, f.length);
            assertTrue(Segmentation.completeChecksum(whole, whole.length, h.csumStart(), h.csumOffset()));
            assertTrue(Segmentation.checksumOk(whole, whole.length), "the pseudo-header sum completes to a valid checksum");

            // the kernel's view (__udp_gso_segment): cut at gso_size, every datagram as the stack sent it
            List<byte[]> back = new ArrayList<>();
            TunOffload.Inbound in = new TunOffload.Inbound(false);
            for (byte[] x : frames) assertTrue(in.decode(x, x.length, back));
            assertEquals(batch.size(), back.size());
            for (int i = 0; i < batch.size(); i++) assertArrayEquals(batch.get(i), back.get(i), "packet " + i + " v6=" + v6);

            // not agreed for this family: every datagram is written on its own
            long[] none = new long[4];
            List<byte[]> plain = TunOffload.coalesce(batch, none, v6, !v6);
            assertEquals(41 + 1, plain.size());
            assertEquals(0, none[2]);
            for (int i = 0; i < 41; i++) assertArrayEquals(batch.get(i), Arrays.copyOfRange(plain.get(i), 10, plain.get(i).length));
        }
    }

    @Test
    void offloadsSayWhatWasAgreed() {
        assertEquals("off", TunOffload.Offloads.OFF.toString());
        TunOffload.Offloads all = new TunOffload.Offloads(true, TunOffload.OFFLOAD_ATTEMPTS[0]);
        assertEquals("vnet_hdr+csum+tso4+tso6+uso4+uso6", all.toString());
        assertTrue(all.has(TunOffload.TUN_F_TSO4 | TunOffload.TUN_F_CSUM));
        assertFalse(all.has(TunOffload.TUN_F_UFO));
        assertEquals("vnet_hdr", new TunOffload.Offloads(true, 0).toString());
    }

    static byte[] frame(VirtioNetHeader h, byte[] p) {
        byte[] f = new byte[10 + p.length];
        h.write(f, 0);
        System.arraycopy(p, 0, f, 10, p.length);
        return f;
    }

    private static void put16(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }
}
