package org.netstack4j.tcp;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The ByteBuffer calls the gateway's relay uses (issue 14: no heap array between the rings and
 * the host sockets): {@link RingBuffer#read(ByteBuffer)}, {@link RingBuffer#write(ByteBuffer, int)},
 * {@link TcpConnection#receive(long, ByteBuffer)} and {@link TcpConnection#send(long, ByteBuffer)}.
 */
class ByteBufferIoTest {
    /** Seeded writes and reads through direct and heap buffers, crossing the ring's end, against a plain model. */
    @Test void ringReadsAndWritesByteBuffersAcrossTheWrap() {
        int wraps = 0;
        for (long seed = 1; seed <= 200; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            RingBuffer ring = new RingBuffer(1 + r.nextInt(20_000));
            ByteArrayOutputStream model = new ByteArrayOutputStream();
            int next = 0;
            for (int step = 0; step < 300; step++) {
                boolean direct = r.nextBoolean();
                if (r.nextBoolean()) {
                    int len = 1 + r.nextInt(9000);
                    ByteBuffer src = direct ? ByteBuffer.allocateDirect(len + 7) : ByteBuffer.allocate(len + 7);
                    src.position(3);
                    for (int i = 0; i < len; i++) src.put((byte) (next + i));
                    src.flip().position(3);
                    int limit = r.nextInt(len + 1);
                    int w = ring.write(src, limit);
                    assertEquals(Math.min(limit, ring.capacity() - model.size()), w, "seed " + seed);
                    assertEquals(3 + w, src.position(), "the source advances by what was taken");
                    for (int i = 0; i < w; i++) model.write((byte) (next + i));
                    next += w;
                } else if (ring.size() > 0) {
                    byte[] all = model.toByteArray();
                    int want = 1 + r.nextInt(ring.size() + 100); // sometimes more than is held: a partial read
                    ByteBuffer dst = direct ? ByteBuffer.allocateDirect(want + 5) : ByteBuffer.allocate(want + 5);
                    dst.position(5);
                    int headBefore = ring.contiguousAt(0, ring.size());
                    int n = r.nextBoolean() ? ring.read(dst) : ring.read(dst, want);
                    if (headBefore < 0) wraps++;
                    assertEquals(Math.min(want, all.length), n, "seed " + seed);
                    assertEquals(5 + n, dst.position());
                    for (int i = 0; i < n; i++) assertEquals(all[i], dst.get(5 + i), "seed " + seed + " step " + step + " byte " + i);
                    model.reset();
                    model.write(all, n, all.length - n);
                }
                assertEquals(model.size(), ring.size());
            }
        }
        assertTrue(wraps > 100, "reads crossed the ring's end: " + wraps);
    }

    /**
     * A receiver reading with {@code receive(now, ByteBuffer)} answers exactly as one reading with
     * the array call: the same ACKs and window updates, segment for segment, as reads open a
     * small, full window bit by bit.
     */
    @Test void byteBufferReceiveSendsTheSameAcksAndWindowUpdatesAsTheArrayCall() {
        List<String> withArray = readScenario(false), withBuffer = readScenario(true);
        assertEquals(withArray, withBuffer);
        assertTrue(withArray.stream().anyMatch(s -> s.startsWith("wu ")), "the scenario sends window updates: " + withArray);
    }

    private static List<String> readScenario(boolean byteBuffer) {
        TcpConfig cfg = TcpConfig.defaults().withBuffers(b -> b.withReceiveBufferSize(8192)).withOptions(o -> o.withWindowScale(false));
        TcpHarness h = new TcpHarness(cfg).established();
        List<String> seen = new ArrayList<>();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] data = TcpHarness.bytes(8000, 9);
        int seq = 1;
        for (int i = 0; i < 8; i++) {
            h.inject(TcpHarness.A, seq, 1, Arrays.copyOfRange(data, seq - 1, seq - 1 + 1000));
            seq += 1000;
            drain(h, seen, "in ");
        }
        for (int chunk : new int[] {700, 1500, 2500, 100, 4000}) {
            long updates = h.counters.get("tcp.out.window_updates");
            int n;
            if (byteBuffer) {
                ByteBuffer dst = ByteBuffer.allocateDirect(chunk);
                n = h.conn.receive(h.now, dst);
                assertEquals(n, dst.position());
                dst.flip();
                byte[] b = new byte[n];
                dst.get(b);
                got.writeBytes(b);
            } else {
                byte[] b = new byte[chunk];
                n = h.conn.receive(h.now, b, 0, chunk);
                got.write(b, 0, n);
            }
            seen.add("read " + n + " of " + chunk + ", readable " + h.conn.readable());
            drain(h, seen, h.counters.get("tcp.out.window_updates") > updates ? "wu " : "out ");
            h.advance(50);
            drain(h, seen, "timer ");
        }
        assertArrayEquals(data, got.toByteArray());
        assertEquals(0, h.conn.receive(h.now, ByteBuffer.allocate(10)), "nothing left, no FIN: 0");
        h.inject(TcpHarness.F | TcpHarness.A, seq, 1);
        assertEquals(-1, h.conn.receive(h.now, ByteBuffer.allocate(10)), "end of stream: -1");
        return seen;
    }

    private static void drain(TcpHarness h, List<String> seen, String tag) {
        for (TcpHarness.Out o; (o = h.out.pollFirst()) != null; ) seen.add(tag + h.describe(o));
    }

    /** send(ByteBuffer) from a direct buffer: the bytes go out intact, the position advances, a full buffer takes part. */
    @Test void sendFromADirectBufferQueuesWhatFitsAndAdvances() {
        TcpConfig cfg = TcpConfig.defaults().withBuffers(b -> b.withSendBufferSize(5000));
        TcpHarness h = new TcpHarness(cfg).established();
        byte[] data = TcpHarness.bytes(8000, 3);
        ByteBuffer src = ByteBuffer.allocateDirect(data.length).put(data).flip();
        int w = h.conn.send(h.now, src);
        assertEquals(5000, w, "the send buffer takes what fits");
        assertEquals(5000, src.position());
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        for (TcpHarness.Out o; (o = h.out.pollFirst()) != null; ) sent.writeBytes(o.payload());
        assertArrayEquals(Arrays.copyOf(data, sent.size()), sent.toByteArray());
        assertTrue(sent.size() > 0);
        assertEquals(0, h.conn.send(h.now, ByteBuffer.allocateDirect(0)));
    }

    /**
     * A sender writing with {@code send(now, ByteBuffer)} (direct buffers, at an offset) sends
     * exactly the segments of one writing the same chunks with the array call: chunk sizes up to
     * twice the send buffer, so that writes are partial while the buffer is full, and ACKs that
     * free it bit by bit, so that the send ring wraps many times.
     */
    @Test void byteBufferSendSendsTheSameSegmentsAsTheArrayCallThroughPartialWritesAndWraps() {
        List<String> withArray = sendScenario(false), withBuffer = sendScenario(true);
        assertEquals(withArray, withBuffer);
        assertTrue(withArray.stream().anyMatch(s -> s.startsWith("partial ")), "some writes were partial: " + withArray);
    }

    private static List<String> sendScenario(boolean byteBuffer) {
        int sndBuf = 7000;
        TcpConfig cfg = TcpConfig.defaults().withBuffers(b -> b.withSendBufferSize(sndBuf));
        TcpHarness h = new TcpHarness(cfg).established();
        byte[] data = TcpHarness.bytes(200_000, 17);
        byte[] wire = new byte[data.length];
        int[] sentUpTo = {0};
        SplittableRandom r = new SplittableRandom(5);
        List<String> seen = new ArrayList<>();
        int written = 0, acked = 0;
        while (written < data.length) {
            int want = Math.min(data.length - written, 1 + r.nextInt(2 * sndBuf));
            int w;
            if (byteBuffer) {
                ByteBuffer src = ByteBuffer.allocateDirect(want + 11);
                src.position(11);
                src.put(data, written, want).flip().position(11);
                w = h.conn.send(h.now, src);
                assertEquals(11 + w, src.position(), "the source advances by what was taken");
            } else {
                w = h.conn.send(h.now, data, written, want);
            }
            seen.add((w < want ? "partial " : "write ") + w + " of " + want);
            written += w;
            drainSent(h, seen, "", wire, sentUpTo);
            // the peer acknowledges part of what is on the wire: the ring frees space at its head
            acked = Math.max(acked, sentUpTo[0] - r.nextInt(Math.min(sentUpTo[0], 3000) + 1));
            h.inject(TcpHarness.A, 1, 1 + acked);
            drainSent(h, seen, "after ack ", wire, sentUpTo);
            h.advance(1);
            drainSent(h, seen, "timer ", wire, sentUpTo);
        }
        for (int round = 0; round < 100 && acked < data.length; round++) { // the rest, acknowledged as it goes
            h.inject(TcpHarness.A, 1, 1 + (acked = sentUpTo[0]));
            drainSent(h, seen, "end ", wire, sentUpTo);
        }
        assertEquals(data.length, sentUpTo[0]);
        assertArrayEquals(data, wire, "the bytes on the wire");
        return seen;
    }

    /** Records what was sent and puts each payload at its place in {@code wire}. */
    private static void drainSent(TcpHarness h, List<String> seen, String tag, byte[] wire, int[] sentUpTo) {
        for (TcpHarness.Out o; (o = h.out.pollFirst()) != null; ) {
            seen.add(tag + h.describe(o));
            int at = (int) (o.tcp().seq() - h.iss - 1);
            byte[] p = o.payload();
            System.arraycopy(p, 0, wire, at, p.length);
            sentUpTo[0] = Math.max(sentUpTo[0], at + p.length);
        }
    }
}
