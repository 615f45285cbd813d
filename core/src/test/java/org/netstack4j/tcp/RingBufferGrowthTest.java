package org.netstack4j.tcp;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The ring starts small and grows; seeded random writes, out-of-order writes and reads against a plain model. */
class RingBufferGrowthTest {
    @Test void growingRingKeepsEveryByteInOrder() {
        for (long seed = 1; seed <= 200; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            int capacity = 1 + r.nextInt(40_000);
            RingBuffer ring = new RingBuffer(capacity);
            ByteArrayOutputStream model = new ByteArrayOutputStream();
            int next = 0;
            for (int step = 0; step < 300; step++) {
                int op = r.nextInt(3);
                if (op == 0 && ring.free() > 0) {
                    byte[] b = new byte[1 + r.nextInt(Math.min(ring.free(), 9000))];
                    for (int i = 0; i < b.length; i++) b[i] = (byte) next++;
                    assertEquals(b.length, ring.write(b, 0, b.length));
                    model.writeBytes(b);
                } else if (op == 1 && ring.free() > 1) {
                    // out of order: second half first, then the first half, then commit both
                    int len = 2 + r.nextInt(Math.min(ring.free() - 1, 9000));
                    byte[] b = new byte[len];
                    for (int i = 0; i < len; i++) b[i] = (byte) next++;
                    int half = len / 2;
                    ring.writeAt(half, b, half, len - half);
                    ring.writeAt(0, b, 0, half);
                    ring.commit(len);
                    model.writeBytes(b);
                } else if (ring.size() > 0) {
                    byte[] out = new byte[1 + r.nextInt(ring.size())];
                    int n = ring.read(out, 0, out.length);
                    byte[] all = model.toByteArray();
                    for (int i = 0; i < n; i++) assertEquals(all[i], out[i], "seed " + seed + " step " + step);
                    model.reset();
                    model.write(all, n, all.length - n);
                }
                assertEquals(model.size(), ring.size());
            }
        }
    }

    /**
     * A drained ring goes back to the layer and the next connection needing one gets it, already
     * grown; a ring still holding bytes is never kept, and the layer keeps at most one per kind.
     */
    @Test void layerKeepsOneDrainedRingForTheNextConnection() {
        TcpLayer layer = new TcpLayer(TcpConfig.defaults(), (now, s, d, t, p, o, l) -> {},
                org.netstack4j.trace.Tracer.NONE, new org.netstack4j.trace.Counters(), 3);
        RingBuffer rcv = layer.newReceiveBuffer(layer.config());
        byte[] data = new byte[20_000];
        for (int i = 0; i < data.length; i++) data[i] = (byte) i;
        rcv.writeAt(0, data, 0, data.length);
        rcv.commit(data.length);
        int grown = rcv.allocated();
        assertTrue(grown >= 20_000);
        assertSame(layer.emptyReceiveBuffer(layer.config()), layer.recycleReceiveBuffer(rcv, layer.config()), "not empty: the caller keeps it");
        assertNotSame(rcv, layer.newReceiveBuffer(layer.config()), "a ring with data is not recycled");
        byte[] out = new byte[data.length];
        assertEquals(data.length, rcv.read(out, 0, out.length));
        assertArrayEquals(data, out);
        assertSame(layer.emptyReceiveBuffer(layer.config()), layer.recycleReceiveBuffer(rcv, layer.config()));
        RingBuffer again = layer.newReceiveBuffer(layer.config());
        assertSame(rcv, again, "the drained ring comes back");
        assertEquals(grown, again.allocated(), "already grown");
        assertTrue(again.isEmpty());
        assertNotSame(again, layer.newReceiveBuffer(layer.config()), "only one spare");
        // the send side
        RingBuffer snd = layer.newSendBuffer(layer.config());
        assertEquals(5, snd.write(data, 0, 5));
        snd.discard(5);
        assertSame(layer.emptySendBuffer(layer.config()), layer.recycleSendBuffer(snd, layer.config()));
        assertSame(snd, layer.newSendBuffer(layer.config()));
        assertEquals(TcpConfig.defaults().buffers().sendBufferSize(), snd.capacity());
    }

    /** contiguousAt names the bytes in place exactly when they do not wrap; peek agrees with them. */
    @Test void contiguousSlicesAreTheBytesPeekReturns() {
        SplittableRandom r = new SplittableRandom(11);
        RingBuffer ring = new RingBuffer(4096);
        assertEquals(-1, ring.contiguousAt(0, 1), "empty");
        int next = 0, wraps = 0, inPlace = 0;
        for (int step = 0; step < 5000; step++) {
            if (r.nextBoolean() && ring.free() > 0) {
                byte[] b = new byte[1 + r.nextInt(Math.min(ring.free(), 1500))];
                for (int i = 0; i < b.length; i++) b[i] = (byte) next++;
                ring.write(b, 0, b.length);
            } else if (ring.size() > 0) {
                ring.discard(1 + r.nextInt(ring.size()));
            }
            if (ring.size() == 0) continue;
            int offset = r.nextInt(ring.size()), len = 1 + r.nextInt(ring.size() - offset);
            byte[] peeked = new byte[len];
            ring.peek(offset, peeked, 0, len);
            int at = ring.contiguousAt(offset, len);
            if (at < 0) {
                wraps++;
                continue;
            }
            inPlace++;
            assertArrayEquals(peeked, java.util.Arrays.copyOfRange(ring.array(), at, at + len), "step " + step);
        }
        assertTrue(wraps > 100 && inPlace > 1000, wraps + " wrapped, " + inPlace + " in place");
        assertEquals(-1, ring.contiguousAt(0, ring.size() + 1), "beyond the data");
        assertEquals(-1, ring.contiguousAt(0, 0), "nothing");
    }
}
