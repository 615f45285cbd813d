package org.netstack4j.device.offload;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.*;
import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv4Repr;
import org.netstack4j.wire.Ipv6Address;
import org.netstack4j.wire.Ipv6Repr;
import org.netstack4j.wire.TcpEncoder;

/**
 * The TSO output codec: a super-segment written with {@link TcpEncoder#emitPartial} (checksum
 * field = folded pseudo-header sum) completes ({@link Segmentation#completeChecksum}, as a device
 * does for NEEDS_CSUM) to exactly the bytes {@link TcpEncoder#emit} writes, and cutting it gives
 * segments whose checksums all verify and which merge back into that packet.
 */
class PartialChecksumProperties {
    static final Ipv4Address S4 = Ipv4Address.of(10, 1, 2, 3), D4 = Ipv4Address.of(192, 168, 7, 9);
    static final Ipv6Address S6 = Ipv6Address.parse("fd00::1:2"), D6 = Ipv6Address.parse("2001:db8::77");

    static byte[] packet(boolean v6, TcpEncoder e, byte[] payload, boolean partial) {
        IpAddress src = v6 ? S6 : S4, dst = v6 ? D6 : D4;
        int ip = v6 ? Ipv6Repr.HEADER_LENGTH : Ipv4Repr.MIN_HEADER_LENGTH;
        int len = e.headerLength() + payload.length;
        byte[] p = new byte[ip + len];
        if (v6) Ipv6Repr.of(S6, D6, 6, 64, len).emit(p, 0);
        else Ipv4Repr.of(S4, D4, 6, 64, len).emit(p, 0);
        if (partial) e.emitPartial(src, dst, p, ip, payload, 0, payload.length);
        else e.emit(src, dst, p, ip, payload, 0, payload.length);
        return p;
    }

    @Property(tries = 300) void partialCompletesToTheFullChecksumAndCutsIntoValidSegments(
            @ForAll boolean v6, @ForAll boolean timestamps, @ForAll int seq, @ForAll int ack,
            @ForAll("segments") int segments, @ForAll("mss") int mss, @ForAll long fill) {
        int tcpHeader = 20 + (timestamps ? 12 : 0);
        int mssFit = Math.min(mss, (65535 - 40 - tcpHeader) / segments);
        byte[] payload = new byte[segments * mssFit];
        new SplittableRandom(fill).nextBytes(payload);
        TcpEncoder e = new TcpEncoder().set(40000, 443, seq, ack, 0x10 | 0x08, 1000, timestamps, (int) fill, (int) (fill >>> 32));
        byte[] full = packet(v6, e, payload, false);
        byte[] partial = packet(v6, e, payload, true);
        int ip = v6 ? 40 : 20;

        byte[] completed = partial.clone();
        assertTrue(Segmentation.completeChecksum(completed, completed.length, ip, 16));
        assertArrayEquals(full, completed, "NEEDS_CSUM completion gives the emit bytes");

        Segmentation.Result r = Segmentation.segment(partial, partial.length, mssFit);
        assertTrue(r.ok(), r.error());
        assertEquals(segments, r.packets().size());
        for (byte[] s : r.packets()) assertTrue(Segmentation.checksumOk(s, s.length), "every cut segment verifies");
        List<Segmentation.Merged> m = Segmentation.merge(r.packets(), 65535);
        assertEquals(1, m.size());
        assertArrayEquals(full, m.getFirst().packet(), "merging the cuts gives the full packet back");
    }

    @Provide Arbitrary<Integer> segments() { return Arbitraries.integers().between(1, 45); }

    @Provide Arbitrary<Integer> mss() { return Arbitraries.integers().between(1, 1460); }

    /**
     * A frame received with FrameSink#CHECKSUM_PARTIAL: completing it where it is written out (a
     * capture, forwarding) gives the emit bytes, behind an Ethernet header too, and the bit goes;
     * the capture tap does it and hands the frame on verified and no longer partial.
     */
    @Property(tries = 100) void aPartialFrameIsCompletedWhereItIsWrittenOut(
            @ForAll boolean v6, @ForAll boolean ethernet, @ForAll("mss") int length, @ForAll long fill) throws Exception {
        byte[] payload = new byte[length];
        new SplittableRandom(fill).nextBytes(payload);
        TcpEncoder e = new TcpEncoder().set(40000, 443, (int) fill, 7, 0x10 | 0x08, 1000, false, 0, 0);
        byte[] full = packet(v6, e, payload, false);
        byte[] partial = packet(v6, e, payload, true);
        int at = ethernet ? 14 : 0;
        byte[] frame = new byte[at + partial.length];
        System.arraycopy(partial, 0, frame, at, partial.length);
        int info = org.netstack4j.device.FrameSink.CHECKSUM_VERIFIED | org.netstack4j.device.FrameSink.CHECKSUM_PARTIAL;
        assertEquals(org.netstack4j.device.FrameSink.CHECKSUM_VERIFIED, org.netstack4j.device.FrameSink.completePartial(frame, at, info));
        assertArrayEquals(full, java.util.Arrays.copyOfRange(frame, at, frame.length), "completed to the emit bytes");
        byte[] again = frame.clone();
        assertEquals(0, org.netstack4j.device.FrameSink.completePartial(again, at, 0));
        assertArrayEquals(frame, again, "nothing said: nothing done");

        if (ethernet) return;
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        org.netstack4j.device.PcapWriter w = new org.netstack4j.device.PcapWriter(out, org.netstack4j.wire.LinkType.RAW_IP);
        Wire inner = new Wire();
        org.netstack4j.device.PcapTap tap = new org.netstack4j.device.PcapTap(inner, w);
        int[] seen = new int[1];
        byte[][] got = new byte[1][];
        tap.attach(new org.netstack4j.device.FrameSink() {
            @Override public void receive(long now, byte[] f) { receive(now, f, 0); }
            @Override public void receive(long now, byte[] f, int i) { got[0] = f; seen[0] = i; }
        });
        inner.sink.receive(1, partial.clone(), info);
        w.flush();
        assertEquals(org.netstack4j.device.FrameSink.CHECKSUM_VERIFIED, seen[0], "handed on verified, no longer partial");
        assertArrayEquals(full, got[0]);
        org.netstack4j.device.PcapReader.Record r = new org.netstack4j.device.PcapReader(new java.io.ByteArrayInputStream(out.toByteArray())).next();
        assertTrue(Segmentation.checksumOk(r.data(), r.data().length), "the capture holds a complete checksum");
    }

    /** A device whose received frames the test hands in itself, with their word. */
    static final class Wire implements org.netstack4j.device.Device {
        org.netstack4j.device.FrameSink sink = org.netstack4j.device.FrameSink.DISCARD;
        @Override public org.netstack4j.device.Medium medium() { return org.netstack4j.device.Medium.IP; }
        @Override public int mtu() { return 65535; }
        @Override public void transmit(long now, byte[] frame) {}
        @Override public void attach(org.netstack4j.device.FrameSink s) { sink = s; }
    }
}
