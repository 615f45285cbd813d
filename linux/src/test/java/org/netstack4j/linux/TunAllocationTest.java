package org.netstack4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.nio.ByteOrder;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.netstack4j.device.offload.VirtioNetHeader;

/**
 * Issue 15: the TUN reader's and writer's per-packet work allocates nothing beyond the frame
 * array itself (a small frame's new array; a large one comes back recycled). Bytes allocated by
 * this thread (ThreadMXBean) over many reads of three kinds as the kernel hands them over in the
 * offload mode (a plain ACK behind an all-zero header, a NEEDS_CSUM data packet, a 64 KB TCP GSO
 * super-packet), and over writes of plain and lone offload packets. Before: a MemorySegment.ofArray
 * wrapper per copy, a header record (and its constructor's int[]) per non-zero header, a framed
 * copy and a list per lone offload write. No root: the device adopts one end of a socket pair.
 */
class TunAllocationTest {
    private static final int ROUNDS = 20_000;
    private static final ValueLayout.OfShort LE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final com.sun.management.ThreadMXBean MX = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Test
    void readsAllocateOnlyTheFrameArrays() throws Exception {
        try (SeqpacketPair pair = new SeqpacketPair(); Arena arena = Arena.ofConfined();
             TunDevice dev = new TunDevice(TunOpen.adopt(pair.deviceFd, "pair", 65535,
                     new TunOffload.Offloads(true, TunOffload.OFFLOAD_ATTEMPTS[0])))) {
            dev.setRecycling(true);
            byte[] ack = tcp(0), data = tcp(1440), superPacket = tcp(64_000);
            MemorySegment reads = arena.allocate(3 * TunTapDevice.BUFFER_SIZE, 16);
            long[] at = {0, TunTapDevice.BUFFER_SIZE, 2L * TunTapDevice.BUFFER_SIZE};
            int[] len = {put(reads, at[0], 0, 0, 0, 0, ack), put(reads, at[1], VirtioNetHeader.F_NEEDS_CSUM, 0, 0, 20, data),
                    put(reads, at[2], VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_TCPV4, 1448, 20, superPacket)};
            long[] frameBytes = new long[1];
            readRounds(dev, reads, at, len, ROUNDS, frameBytes); // warm-up (the JIT)
            frameBytes[0] = 0;
            long before = MX.getCurrentThreadAllocatedBytes();
            readRounds(dev, reads, at, len, ROUNDS, frameBytes);
            long allocated = MX.getCurrentThreadAllocatedBytes() - before;
            double extra = (allocated - frameBytes[0]) / (3.0 * ROUNDS);
            System.out.printf(Locale.ROOT, "[alloc] reads: %d B allocated for %d frames, %d B of them new frame arrays: %.2f B more per frame; "
                    + "%d reads into recycled arrays%n", allocated, 3 * ROUNDS, frameBytes[0], extra, dev.rxFramesReused());
            assertTrue(extra < 4, "bytes allocated per frame beyond the frame array: " + extra);
            assertTrue(dev.rxFramesReused() > ROUNDS, "the super-packets were copied into recycled arrays");
            assertEquals(2L * 2 * ROUNDS, dev.offloadStats().rxChecksumsCompleted(), "every NEEDS_CSUM checksum completed");
        }
    }

    /** ROUNDS x the three reads, each decoded and taken as the reader thread would, large frames given back. */
    private static void readRounds(TunDevice dev, MemorySegment reads, long[] at, int[] len, int rounds, long[] frameBytes) {
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < at.length; i++) {
                assertEquals(null, dev.received(reads, at[i], len[i]));
                byte[] f = dev.pendingFrame();
                assertNotNull(f);
                if (f.length < TunRxPool.MIN_LENGTH) frameBytes[0] += (16 + f.length + 7) & ~7L; // header + bytes, 8-aligned
                else dev.recycle(f);
            }
        }
    }

    @Test
    void writesAllocateNothing() throws Exception {
        for (boolean offload : new boolean[] {false, true}) {
            try (SeqpacketPair pair = new SeqpacketPair(); Arena arena = Arena.ofConfined();
                 TunDevice dev = new TunDevice(TunOpen.adopt(pair.deviceFd, "pair", 1500,
                         offload ? new TunOffload.Offloads(true, TunOffload.OFFLOAD_ATTEMPTS[0]) : TunOffload.Offloads.OFF))) {
                MemorySegment sink = arena.allocate(TunTapDevice.BUFFER_SIZE);
                byte[] packet = offload ? tcp(0) : tcp(1400); // offload: a lone ACK, written behind a zero header
                writeRounds(dev, pair, sink, packet, ROUNDS); // warm-up
                long allocated = writeRounds(dev, pair, sink, packet, ROUNDS);
                System.out.printf(Locale.ROOT, "[alloc] writes (offload %s): %d B allocated for %d writes%n", offload, allocated, ROUNDS);
                // at most the JDK's own slice of the errno capture segment per write(2) (SharedUtils.checkCaptureSegment,
                // 40 B, gone when C2 inlines the downcall into the caller): the device adds nothing
                assertTrue(allocated / (double) ROUNDS <= 40, "bytes allocated per write: " + allocated / (double) ROUNDS);
                assertEquals(2L * ROUNDS, dev.stats().txPackets());
                assertEquals(0, dev.stats().txQueued());
            }
        }
    }

    /**
     * ROUNDS writes, each read back at the peer: a lone offload packet must arrive behind ten zero
     * bytes. Returns the bytes allocated in transmit and poll (the peer's read is not counted: its
     * errno capture slice comes and goes with the JIT's inlining, as the write's own does).
     */
    private static long writeRounds(TunDevice dev, SeqpacketPair pair, MemorySegment sink, byte[] packet, int rounds) {
        int hdr = dev.offloads().vnetHeader() ? VirtioNetHeader.LENGTH : 0;
        long allocated = 0;
        for (int r = 0; r < rounds; r++) {
            long a0 = MX.getCurrentThreadAllocatedBytes();
            dev.transmit(r, packet);
            dev.poll(r);
            allocated += MX.getCurrentThreadAllocatedBytes() - a0;
            long n = LibC.read(pair.errno, pair.peer, sink, sink.byteSize());
            assertEquals(hdr + packet.length, n);
            if (hdr > 0) assertEquals(0L, sink.get(ValueLayout.JAVA_LONG_UNALIGNED, 0) | sink.get(ValueLayout.JAVA_SHORT_UNALIGNED, 8));
            assertEquals(packet[packet.length - 1], sink.get(ValueLayout.JAVA_BYTE, n - 1));
        }
        return allocated;
    }

    /** An IPv4 TCP ACK segment 10.0.0.1:1000 -> 10.0.0.2:2000 with {@code payload} bytes (checksum field left 0). */
    private static byte[] tcp(int payload) {
        byte[] p = new byte[40 + payload];
        p[0] = 0x45;
        Packets.put16(p, 2, p.length);
        p[8] = 64;
        p[9] = 6;
        p[12] = 10; p[15] = 1;
        p[16] = 10; p[19] = 2;
        Packets.put16(p, 20, 1000);
        Packets.put16(p, 22, 2000);
        p[32] = 0x50;
        p[33] = 0x10;
        for (int i = 40; i < p.length; i++) p[i] = (byte) i;
        return p;
    }

    /** A read as the kernel hands it over: virtio-net header (csum_offset 16 when NEEDS_CSUM) and the packet; its length. */
    private static int put(MemorySegment s, long at, int flags, int gsoType, int gsoSize, int csumStart, byte[] packet) {
        s.set(ValueLayout.JAVA_BYTE, at, (byte) flags);
        s.set(ValueLayout.JAVA_BYTE, at + 1, (byte) gsoType);
        s.set(LE16, at + 2, (short) (gsoType == 0 ? 0 : 40));
        s.set(LE16, at + 4, (short) gsoSize);
        s.set(LE16, at + 6, (short) csumStart);
        s.set(LE16, at + 8, (short) (flags == 0 ? 0 : 16));
        MemorySegment.copy(packet, 0, s, ValueLayout.JAVA_BYTE, at + VirtioNetHeader.LENGTH, packet.length);
        return VirtioNetHeader.LENGTH + packet.length;
    }
}
