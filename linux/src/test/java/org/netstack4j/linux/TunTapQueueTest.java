package org.netstack4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.netstack4j.time.Time;

/**
 * The device's read batching and write queue, on an AF_UNIX SOCK_SEQPACKET pair standing in for a
 * TUN descriptor (one packet per read/write, EAGAIN when full). Needs no root; time is virtual.
 */
class TunTapQueueTest {
    private SeqpacketPair pair;
    private TunDevice dev;

    @BeforeEach
    void pair() throws TunException {
        pair = new SeqpacketPair();
        dev = new TunDevice(TunOpen.adopt(pair.deviceFd, "pair", 1500));
    }

    @AfterEach
    void close() {
        dev.close();
        pair.close();
    }

    /** Reads everything the device wrote to the peer; returns the packet sizes. */
    private List<Long> peerDrain() {
        List<Long> sizes = new ArrayList<>();
        for (byte[] p : pair.drain(65536)) sizes.add((long) p.length);
        return sizes;
    }

    @Test
    void readAvailableDeliversEachPacketUpToTheBatch() {
        List<byte[]> got = new ArrayList<>();
        List<Long> times = new ArrayList<>();
        dev.attach((now, f) -> { got.add(f); times.add(now); });
        for (int i = 1; i <= 5; i++) {
            pair.write(new byte[] {(byte) i, (byte) i, (byte) i});
        }
        dev.setReadBatch(3);
        assertTrue(dev.awaitReadable(0));
        assertEquals(3, dev.readAvailable(Time.ms(7)));
        assertEquals(2, dev.readAvailable(Time.ms(8)));
        assertEquals(0, dev.readAvailable(Time.ms(9)));
        assertFalse(dev.awaitReadable(0));
        assertEquals(5, got.size());
        for (int i = 0; i < 5; i++) {
            assertEquals(3, got.get(i).length, "exact packet length, not the buffer size");
            assertEquals(i + 1, got.get(i)[0]);
        }
        assertEquals(List.of(Time.ms(7), Time.ms(7), Time.ms(7), Time.ms(8), Time.ms(8)), times);
        assertEquals(5, dev.stats().rxPackets());
        assertEquals(15, dev.stats().rxBytes());
    }

    @Test
    void eagainQueuesThenDropsThenRetriesAtPollAt() {
        dev.setTxQueueLimit(4);
        long now = Time.s(1);
        int sent = 0;
        while (dev.stats().txQueued() == 0 && sent < 100_000) {
            dev.transmit(now, new byte[1500]);
            sent++;
        }
        assertEquals(1, dev.stats().txQueued(), "the kernel said EAGAIN once");
        assertTrue(dev.hasQueuedWrites());
        assertEquals(now + TunTapDevice.TX_RETRY_NS, dev.pollAt());
        long accepted = dev.stats().txPackets();

        for (int i = 0; i < 5; i++) {
            dev.transmit(now, new byte[1500]); // 3 more fit in the queue, 2 are dropped
        }
        assertEquals(4, dev.stats().txQueueLength());
        assertEquals(2, dev.stats().txDropped());

        dev.poll(now + TunTapDevice.TX_RETRY_NS - 1); // not due: nothing happens
        assertEquals(4, dev.stats().txQueueLength());

        assertEquals(accepted, peerDrain().size(), "everything written before EAGAIN arrived whole");
        dev.poll(now + TunTapDevice.TX_RETRY_NS);
        assertEquals(0, dev.stats().txQueueLength());
        assertEquals(Time.NEVER, dev.pollAt());
        assertEquals(accepted + 4, dev.stats().txPackets());
        assertEquals(List.of(1500L, 1500L, 1500L, 1500L), peerDrain(), "queued frames went out in order");
        assertEquals(0, dev.stats().txErrors());
    }

    @Test
    void pollOutFlushesTheQueueDuringAwait() {
        long now = Time.s(1);
        int guard = 0;
        while (dev.stats().txQueued() == 0 && guard++ < 100_000) {
            dev.transmit(now, new byte[1500]);
        }
        peerDrain();
        assertTrue(dev.hasQueuedWrites());
        assertFalse(dev.awaitReadable(Time.s(5)), "POLLOUT only: nothing to read");
        assertFalse(dev.hasQueuedWrites(), "the queue was written when the descriptor became writable");
        assertEquals(Time.NEVER, dev.pollAt());
        assertEquals(List.of(1500L), peerDrain());
    }

    @Test
    void readerThreadGetsFramesWhileLoopTransmitsAndCloseEndsIt() throws Exception {
        BlockingQueue<Object> out = new ArrayBlockingQueue<>(16);
        Thread reader = Thread.ofPlatform().name("nsj-test-reader").start(() -> {
            try {
                byte[] f;
                while ((f = dev.readBlocking()) != null) {
                    out.add(f);
                }
                out.add("end");
            } catch (TunException e) {
                out.add(e);
            }
        });
        pair.write(new byte[] {1, 2});
        pair.write(new byte[] {3, 4, 5});
        assertEquals(2, ((byte[]) out.poll(10, TimeUnit.SECONDS)).length);
        assertEquals(3, ((byte[]) out.poll(10, TimeUnit.SECONDS)).length);

        dev.transmit(0, new byte[] {9, 9, 9, 9}); // the loop side writes while the reader is blocked
        assertEquals(List.of(4L), peerDrain());

        dev.close(); // from this thread: wakes the reader, waits for it, then closes the descriptor
        assertEquals("end", out.poll(10, TimeUnit.SECONDS));
        reader.join(10_000);
        assertFalse(reader.isAlive());
        assertTrue(dev.isClosed());
        assertEquals(2, dev.stats().rxPackets());
    }
}
