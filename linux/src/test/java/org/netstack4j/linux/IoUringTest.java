package org.netstack4j.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.netstack4j.device.FrameSink;
import org.netstack4j.device.offload.VirtioNetHeader;
import org.netstack4j.time.Time;

/**
 * The TUN devices' io_uring path ({@link IoUring}) without root: one end of an AF_UNIX
 * SOCK_SEQPACKET pair stands in for the TUN, with io_uring turned on for it. Reads come from
 * reads kept outstanding in the ring, many per io_uring_enter; writes are staged and submitted
 * together when the device is polled; close cancels what is in flight.
 */
class IoUringTest {
    private static TunDevice device(SeqpacketPair pair, TunOffload.Offloads offloads) throws TunException {
        return new TunDevice(TunOpen.adopt(pair.deviceFd, "pair", 1500, offloads).withUring(true));
    }

    private static byte[] packet(int n, int size) {
        byte[] p = new byte[size];
        p[0] = 0x45;
        for (int i = 1; i < size; i++) p[i] = (byte) (n * 31 + i);
        return p;
    }

    /** An IPv4 TCP segment without payload (a pure ACK, or a SYN-ACK with {@code flags} 0x12): staged in the ring. */
    static byte[] bare(int n, int flags) {
        byte[] p = new byte[40];
        p[0] = 0x45;
        p[3] = 40; // total length: headers only
        p[9] = 6;
        p[20] = (byte) (n >>> 8);
        p[21] = (byte) n;
        p[32] = 0x50; // data offset 5
        p[33] = (byte) flags;
        return p;
    }

    private static void assumeRing(TunDevice dev) {
        assumeTrue(IoUring.enabled(), "io_uring turned off with -D" + IoUring.PROPERTY + "=false");
        try (java.lang.foreign.Arena a = java.lang.foreign.Arena.ofShared()) {
            IoUring probe = IoUring.open(2, a);
            assumeTrue(probe != null, "the kernel refuses io_uring here (seccomp, io_uring_disabled, old kernel)");
            probe.close();
        }
    }

    @Test
    void aBurstIsReadInOrderWithFarFewerEntersThanPackets() throws Exception {
        try (SeqpacketPair pair = new SeqpacketPair(); TunDevice dev = device(pair, TunOffload.Offloads.OFF)) {
            assumeRing(dev);
            List<byte[]> sent = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                byte[] p = packet(i, 60 + i);
                sent.add(p);
                pair.write(p);
            }
            List<byte[]> got = new ArrayList<>();
            for (int i = 0; i < 100; i++) got.add(dev.readBlocking());
            assertTrue(dev.ioUringReads(), "the kernel here offers io_uring: reads go through the ring");
            for (int i = 0; i < 100; i++) assertArrayEquals(sent.get(i), got.get(i), "packet " + i + " in order");
            assertEquals(100, dev.stats().rxPackets());
            assertTrue(dev.ioUringEnters() <= 100 / 8, "one io_uring_enter per burst, not per packet: " + dev.ioUringEnters());
            assertFalse(dev.hasReadyFrames());
        }
    }

    /** A trickle of single packets keeps few reads outstanding (each waiting read is woken by every packet); a burst brings the depth back. */
    @Test
    void theReadDepthFollowsTheBursts() throws Exception {
        try (SeqpacketPair pair = new SeqpacketPair(); TunDevice dev = device(pair, TunOffload.Offloads.OFF)) {
            assumeRing(dev);
            dev.setMultishot(false); // the per-slot reads (the fallback when the kernel refuses multishot)
            for (int i = 0; i < 40; i++) {
                byte[] p = packet(i, 60);
                pair.write(p);
                assertArrayEquals(p, dev.readBlocking());
            }
            assertEquals(TunRings.RX_MIN_DEPTH, dev.ioUringReadDepth(), "one packet per wait: the fewest reads outstanding");
            List<byte[]> sent = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                byte[] p = packet(1000 + i, 80);
                sent.add(p);
                pair.write(p);
            }
            int deepest = 0;
            for (int i = 0; i < 100; i++) {
                assertArrayEquals(sent.get(i), dev.readBlocking(), "packet " + i + " in order");
                deepest = Math.max(deepest, dev.ioUringReadDepth());
            }
            assertEquals(TunRings.RX_DEPTH, deepest, "bursts that fill every read: the full depth again");
        }
    }

    @Test
    void closeWakesAReaderWaitingInTheRing() throws Exception {
        try (SeqpacketPair pair = new SeqpacketPair()) {
            TunDevice dev = device(pair, TunOffload.Offloads.OFF);
            assumeRing(dev);
            CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
                try {
                    return dev.readBlocking();
                } catch (TunException e) {
                    throw new RuntimeException(e);
                }
            });
            pair.write(packet(1, 80));
            assertArrayEquals(packet(1, 80), read.get(10, TimeUnit.SECONDS));
            CompletableFuture<byte[]> blocked = CompletableFuture.supplyAsync(() -> {
                try {
                    return dev.readBlocking();
                } catch (TunException e) {
                    throw new RuntimeException(e);
                }
            });
            dev.close(); // signals the wakeup the ring has a read on, cancels the reads in flight
            assertNull(blocked.get(10, TimeUnit.SECONDS));
            assertTrue(dev.isClosed());
        }
    }

    @Test
    void writesOfOneBurstGoOutAtPollInOneEnter() throws Exception {
        try (SeqpacketPair pair = new SeqpacketPair(); TunDevice dev = device(pair, TunOffload.Offloads.OFF)) {
            assumeRing(dev);
            dev.setBatchedWrites(true);
            List<byte[]> sent = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                byte[] p = bare(i, i % 2 == 0 ? 0x10 : 0x12);
                sent.add(p);
                dev.transmit(Time.ms(2), p);
            }
            assertTrue(dev.ioUringWrites());
            assertTrue(pair.drain(2048).isEmpty(), "staged, not yet submitted");
            assertEquals(Time.ms(2), dev.pollAt(), "the device asks to be polled at once");
            dev.poll(Time.ms(2));
            assertEquals(Time.NEVER, dev.pollAt());
            List<byte[]> wire = pair.drain(2048);
            assertEquals(50, wire.size());
            for (int i = 0; i < 50; i++) assertArrayEquals(sent.get(i), wire.get(i), "packet " + i + " in order");
            assertEquals(1, dev.ioUringEnters(), "50 writes, one io_uring_enter");
            assertEquals(50, dev.stats().txPackets());
            // a frame larger than a ring slot is written with write(2), after what is staged
            dev.transmit(Time.ms(3), bare(99, 0x04));
            byte[] big = packet(100, TunTxRing.TX_SLOT_SIZE + 1);
            dev.transmit(Time.ms(3), big);
            wire = pair.drain(8192);
            assertEquals(2, wire.size(), "the staged frame went first");
            assertArrayEquals(big, wire.get(1));
        }
    }

    /**
     * Only frames whose order does not matter are staged (TCP without payload or FIN): a data
     * segment or a FIN goes by write(2) at once, after what is staged, so a flow's bytes never
     * overtake each other (a TUN write io_uring cannot finish at once completes on a worker).
     */
    @Test
    void dataAndFinsAreWrittenAtOnceInOrder() throws Exception {
        try (SeqpacketPair pair = new SeqpacketPair(); TunDevice dev = device(pair, TunOffload.Offloads.OFF)) {
            assumeRing(dev);
            dev.setBatchedWrites(true);
            byte[] ack = bare(1, 0x10);
            dev.transmit(Time.ms(1), ack);
            assertTrue(pair.drain(2048).isEmpty(), "a pure ACK is staged");
            byte[] data = TunOffloadTest.segment(false, 5000, 1, 1, TunOffloadTest.data(100), 0, 100, true);
            dev.transmit(Time.ms(1), data);
            List<byte[]> wire = pair.drain(2048);
            assertEquals(2, wire.size(), "a data segment is written at once, after what was staged");
            assertArrayEquals(ack, wire.get(0));
            assertArrayEquals(data, wire.get(1));
            byte[] fin = bare(2, 0x11);
            dev.transmit(Time.ms(2), fin);
            assertArrayEquals(fin, pair.drain(2048).getFirst(), "a FIN is written at once");
            assertTrue(TunTxRing.orderFree(bare(3, 0x12), 0), "a SYN-ACK is order-free");
            assertTrue(TunTxRing.orderFree(bare(3, 0x04), 0), "a RST is order-free");
            assertFalse(TunTxRing.orderFree(packet(3, 60), 0), "not TCP");
        }
    }

    @Test
    void offloadReadsCarryTheirChecksumWordThroughTheRing() throws Exception {
        try (SeqpacketPair pair = new SeqpacketPair();
             TunDevice dev = device(pair, new TunOffload.Offloads(true, TunOffload.OFFLOAD_ATTEMPTS[0]))) {
            assumeRing(dev);
            byte[] d = TunOffloadTest.data(2000);
            byte[] valid = TunOffloadTest.segment(false, 5000, 1, 1, d, 0, 100, false);
            byte[] plain = TunOffloadTest.segment(false, 5000, 1, 1, d, 100, 100, false);
            pair.write(TunOffloadTest.frame(new VirtioNetHeader(VirtioNetHeader.F_DATA_VALID, 0, 0, 0, 0, 0), valid));
            pair.write(TunOffloadTest.frame(VirtioNetHeader.NONE, plain));
            assertArrayEquals(valid, dev.readBlocking());
            assertEquals(FrameSink.CHECKSUM_VERIFIED, dev.lastReadInfo(), "DATA_VALID: vouched for");
            assertArrayEquals(plain, dev.readBlocking());
            assertEquals(0, dev.lastReadInfo(), "nothing said: TCP checks");
        }
    }

    /**
     * One multishot read with provided buffers: a burst of more packets than the ring has buffers
     * arrives intact and in order; the request ends when the kernel finds no buffer (ENOBUFS, no
     * F_MORE) and is made again, a handful of times rather than once per packet.
     */
    @Test
    void aMultishotReadTakesABurstLargerThanItsBuffers() throws Exception {
        try (SeqpacketPair pair = new SeqpacketPair(); TunDevice dev = device(pair, TunOffload.Offloads.OFF)) {
            assumeRing(dev);
            assumeTrue(!"false".equals(System.getProperty(TunRings.MULTISHOT_PROPERTY)), "multishot turned off");
            int n = TunRings.RX_BUFFERS + 36; // more than the buffers, less than the pair's socket buffer holds
            List<byte[]> sent = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                byte[] p = packet(i, 60 + i % 200);
                sent.add(p);
                pair.write(p);
            }
            for (int i = 0; i < n; i++) assertArrayEquals(sent.get(i), dev.readBlocking(), "packet " + i + " in order");
            assertTrue(dev.ioUringMultishot(), "this kernel (>= 6.7) takes IORING_OP_READ_MULTISHOT");
            assertEquals(0, TunRings.multishotFallbacks());
            assertEquals(n, dev.stats().rxPackets());
            assertTrue(dev.multishotArms() >= 1 && dev.multishotArms() <= n / 16, "made again only when it ended: " + dev.multishotArms());
            assertTrue(dev.ioUringEnters() <= n / 8, "one io_uring_enter per burst: " + dev.ioUringEnters());
            // a trickle after the burst: the request stays armed, one completion per packet
            for (int i = 0; i < 20; i++) {
                byte[] p = packet(9000 + i, 100);
                pair.write(p);
                assertArrayEquals(p, dev.readBlocking());
            }
            assertFalse(dev.hasReadyFrames());
        }
    }

    /** Offload reads through the multishot read: the header decoded from the provided buffer, the buffer reused. */
    @Test
    void multishotOffloadReadsDecodeFromTheProvidedBuffer() throws Exception {
        try (SeqpacketPair pair = new SeqpacketPair();
             TunDevice dev = device(pair, new TunOffload.Offloads(true, TunOffload.OFFLOAD_ATTEMPTS[0]))) {
            assumeRing(dev);
            byte[] d = TunOffloadTest.data(2000);
            for (int round = 0; round < 3 * TunRings.RX_BUFFERS; round++) {
                byte[] valid = TunOffloadTest.segment(false, 5000, 1 + round * 100, 1, d, 0, 100, false);
                pair.write(TunOffloadTest.frame(new VirtioNetHeader(VirtioNetHeader.F_DATA_VALID, 0, 0, 0, 0, 0), valid));
                assertArrayEquals(valid, dev.readBlocking(), "round " + round);
                assertEquals(FrameSink.CHECKSUM_VERIFIED, dev.lastReadInfo());
            }
            assertEquals(dev.ioUringMultishot(), !"false".equals(System.getProperty(TunRings.MULTISHOT_PROPERTY)));
        }
    }

    /** Close cancels the multishot read and wakes the reader. */
    @Test
    void closeCancelsTheMultishotRead() throws Exception {
        SeqpacketPair pair = new SeqpacketPair();
        TunDevice dev = device(pair, TunOffload.Offloads.OFF);
        try (pair) {
            assumeRing(dev);
            byte[] p = packet(1, 64);
            pair.write(p);
            assertArrayEquals(p, dev.readBlocking());
            CompletableFuture<byte[]> waiting = CompletableFuture.supplyAsync(() -> {
                try {
                    return dev.readBlocking();
                } catch (TunException e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.onSpinWait();
            dev.close();
            assertNull(waiting.get(10, TimeUnit.SECONDS), "close wakes the reader: null");
        } finally {
            dev.close();
        }
    }
}
