package org.netstack4j.host;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.netstack4j.device.Device;
import org.netstack4j.device.FaultConfig;
import org.netstack4j.device.FaultInjector;
import org.netstack4j.device.FramePool;
import org.netstack4j.device.FrameSink;
import org.netstack4j.device.Medium;
import org.netstack4j.tcp.TcpConfig;
import org.netstack4j.tcp.TcpConnection;
import org.netstack4j.tcp.TcpEventListener;
import org.netstack4j.tcp.TcpListener;
import org.netstack4j.tcp.TcpState;
import org.netstack4j.time.Time;
import org.netstack4j.trace.Tracer;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv4Repr;
import org.netstack4j.wire.Parsed;
import org.netstack4j.wire.TcpRepr;

/** Opt-in frame recycling ({@link Device#framePool}): the pool itself and a stack over it. */
class FrameRecyclingTest {
    static final Ipv4Address A = Ipv4Address.of(10, 9, 0, 1);
    static final Ipv4Address B = Ipv4Address.of(10, 9, 0, 2);

    // ------------------------------------------------------------------ the pool

    @Test void poolReusesArraysOfExactlyTheRequestedLength() {
        FramePool pool = new FramePool(4, 2000);
        byte[] a = pool.take(1500);
        assertEquals(1500, a.length);
        pool.release(a);
        assertEquals(1, pool.available(1500));
        byte[] other = pool.take(1499);
        assertNotSame(a, other);
        assertEquals(1499, other.length);
        assertSame(a, pool.take(1500));
        assertEquals(0, pool.available(1500));
        assertEquals(3, pool.taken());
        assertEquals(1, pool.reused());
    }

    @Test void poolKeepsABoundedNumberPerLengthAndNothingTooLong() {
        FramePool pool = new FramePool(2, 100);
        for (int i = 0; i < 5; i++) pool.release(new byte[60]);
        pool.release(new byte[101]);
        assertEquals(2, pool.available(60));
        assertEquals(0, pool.available(101));
        assertEquals(2, pool.released());
        assertEquals(4, pool.discarded());
        pool.take(60);
        pool.take(60);
        byte[] fresh = pool.take(60);
        assertEquals(2, pool.reused());
        assertArrayEquals(new byte[60], fresh);
        assertThrows(IllegalArgumentException.class, () -> new FramePool(0, 100));
        assertThrows(IllegalArgumentException.class, () -> new FramePool(1, 70_000));
    }

    // ------------------------------------------------------------------ a stack over a recycling link

    @Test void tenMegabytesOverARecyclingLinkArriveIntactWhileFramesAreReused() throws Exception {
        FramePool pool = new FramePool();
        // Every length a segment can have, pre-filled with garbage: a byte the stack forgets to
        // write shows up as a bad checksum on the wire (or as corrupt data).
        for (int n = 20; n <= 1500; n++) {
            for (int i = 0; i < 2; i++) {
                byte[] junk = new byte[n];
                Arrays.fill(junk, (byte) 0xA5);
                pool.release(junk);
            }
        }
        Wire w = new Wire(pool);
        Transfer t = transfer(w.a, w.b, w, 10_000_000);
        assertTrue(t.done, "transfer finished");
        assertArrayEquals(t.sent, t.received, "SHA-256 of what arrived equals what was sent");
        assertEquals(0, w.badFrames, "every frame on the wire parses with valid checksums");
        assertTrue(pool.reused() > 5_000, "frames were reused: " + pool.reused());
        assertTrue(pool.released() > 5_000, "received frames went back to the pool: " + pool.released());
    }

    @Test void aWrapperThatDuplicatesDoesNotInheritThePoolAndDeliversIntactDuplicates() throws Exception {
        FramePool pool = new FramePool();
        Wire w = new Wire(pool);
        FaultInjector dupA = new FaultInjector(w.a, FaultConfig.builder().duplicate(1.0).build(), 7);
        FaultInjector dupB = new FaultInjector(w.b, FaultConfig.builder().duplicate(1.0).build(), 8);
        Transfer t = transfer(dupA, dupB, w, 1_000_000);
        assertTrue(t.done, "transfer finished");
        assertArrayEquals(t.sent, t.received);
        assertTrue(dupA.duplicated() > 500 && dupB.duplicated() > 500, "frames were duplicated");
        assertEquals(0, w.badFrames, "the duplicates are intact");
        assertEquals(0, pool.taken(), "nothing taken from the pool through a device that does not opt in");
        assertEquals(0, pool.released(), "nothing released through a device that does not opt in");
    }

    // ------------------------------------------------------------------ harness

    record Transfer(boolean done, byte[] sent, byte[] received) {}

    /** Host a on devA sends {@code bytes} seeded bytes to host b on devB; virtual time, one thread. */
    static Transfer transfer(Device devA, Device devB, Wire w, int bytes) throws Exception {
        Host a = new Host("a", TcpConfig.defaults(), Tracer.NONE, 1).addInterface("w0", devA, null, A, 24);
        Host b = new Host("b", TcpConfig.defaults(), Tracer.NONE, 2).addInterface("w0", devB, null, B, 24);
        long now = Time.ms(1);
        TcpConnection[] server = new TcpConnection[1];
        TcpListener l = b.listen(now, 80, 8, x -> {});
        TcpConnection c = a.connect(now, B, 80, TcpEventListener.NONE);
        MessageDigest sent = MessageDigest.getInstance("SHA-256");
        MessageDigest received = MessageDigest.getInstance("SHA-256");
        SplittableRandom random = new SplittableRandom(42);
        byte[] chunk = new byte[64 * 1024];
        byte[] in = new byte[64 * 1024];
        int chunkLen = 0, chunkOff = 0;
        long queued = 0, got = 0;
        for (int round = 0; round < 2_000_000 && got < bytes; round++) {
            now += Time.us(10);
            if (server[0] == null) server[0] = l.accept();
            if (c.state() == TcpState.ESTABLISHED && queued < bytes) {
                if (chunkOff == chunkLen) {
                    chunkLen = (int) Math.min(chunk.length, bytes - queued);
                    for (int i = 0; i < chunkLen; i++) chunk[i] = (byte) random.nextInt();
                    sent.update(chunk, 0, chunkLen);
                    chunkOff = 0;
                }
                int n = c.send(now, chunk, chunkOff, chunkLen - chunkOff);
                chunkOff += n;
                if (chunkOff == chunkLen) queued += chunkLen;
            }
            w.pump(now, a, b);
            if (server[0] != null) {
                int n;
                while ((n = server[0].receive(now, in, 0, in.length)) > 0) {
                    received.update(in, 0, n);
                    got += n;
                }
            }
        }
        return new Transfer(got == bytes, sent.digest(), received.digest());
    }

    /** Two raw-IP ends back to back that opt in to recycling with one shared pool. */
    static final class Wire {
        final End a, b;
        long badFrames;

        Wire(FramePool pool) {
            a = new End(pool);
            b = new End(pool);
            a.peer = b;
            b.peer = a;
        }

        void pump(long now, Host x, Host y) {
            for (int i = 0; i < 10_000 && !(a.inbox.isEmpty() && b.inbox.isEmpty()); i++) {
                x.poll(now);
                y.poll(now);
            }
            if (x.pollAt() <= now) x.poll(now);
            if (y.pollAt() <= now) y.poll(now);
        }

        final class End implements Device {
            End peer;
            private FrameSink sink = FrameSink.DISCARD;
            final ArrayDeque<byte[]> inbox = new ArrayDeque<>();
            private final FramePool pool;

            End(FramePool pool) { this.pool = pool; }

            @Override public FramePool framePool() { return pool; }
            @Override public Medium medium() { return Medium.IP; }
            @Override public int mtu() { return 1500; }

            @Override public void transmit(long now, byte[] frame) {
                if (!valid(frame)) badFrames++;
                peer.inbox.add(frame);
            }

            @Override public void attach(FrameSink s) { sink = s; }
            @Override public long pollAt() { return inbox.isEmpty() ? Time.NEVER : Long.MIN_VALUE / 2; }

            @Override public void poll(long now) {
                for (int n = inbox.size(); n > 0; n--) {
                    byte[] f = inbox.poll();
                    if (!valid(f)) badFrames++;
                    sink.receive(now, f);
                }
            }
        }

        /** The whole frame is one IPv4 packet with valid header and TCP checksums. */
        static boolean valid(byte[] f) {
            if (!(Ipv4Repr.parse(f, 0, f.length) instanceof Parsed.Ok<Ipv4Repr> ok)) return false;
            Ipv4Repr ip = ok.value();
            if (ip.totalLength() != f.length) return false;
            return TcpRepr.parse(ip.src(), ip.dst(), f, ip.headerLength(), ip.payloadLength(), true) instanceof Parsed.Ok<TcpRepr>;
        }
    }
}
