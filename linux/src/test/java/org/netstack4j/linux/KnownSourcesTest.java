package org.netstack4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.netstack4j.host.Host;
import org.netstack4j.runtime.EventLoop;
import org.netstack4j.runtime.IoRegistration;
import org.netstack4j.runtime.IoSource;
import org.netstack4j.tcp.TcpConfig;
import org.netstack4j.trace.Tracer;
import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv4Repr;
import org.netstack4j.wire.Ipv6Address;
import org.netstack4j.wire.Ipv6Repr;
import org.netstack4j.wire.TcpOption;
import org.netstack4j.wire.TcpRepr;

/**
 * Issue 20's fair shed: a SYN flood from random sources teaches {@link KnownSources} nothing, a
 * source that sent an ACK is known, and the receive queue keeps a known source's SYN that a
 * falling-behind loop would otherwise shed behind the flood's.
 */
class KnownSourcesTest {
    private static final Ipv4Address US = Ipv4Address.parse("10.0.0.2");
    private static final Ipv4Address CLIENT = Ipv4Address.parse("10.0.0.1");

    private static byte[] segment(IpAddress src, IpAddress dst, int flags) {
        TcpRepr t = new TcpRepr(40000, 80, 1, (flags & TcpRepr.ACK) == 0 ? 0 : 1, flags, 512, 0,
                (flags & TcpRepr.SYN) != 0 ? List.of(new TcpOption.Mss(1460)) : List.of());
        if (src instanceof Ipv4Address s4 && dst instanceof Ipv4Address d4) {
            Ipv4Repr ip = new Ipv4Repr(0, 1, false, false, 0, 64, Ipv4Repr.PROTO_TCP, s4, d4, new byte[0], t.headerLength());
            byte[] b = new byte[ip.totalLength()];
            ip.emit(b, 0);
            t.emit(s4, d4, b, ip.headerLength(), new byte[0], 0, 0);
            return b;
        }
        Ipv6Repr ip = new Ipv6Repr(0, 0, t.headerLength(), Ipv6Repr.NH_TCP, 64, (Ipv6Address) src, (Ipv6Address) dst);
        byte[] b = new byte[ip.totalLength()];
        ip.emit(b, 0);
        t.emit(src, dst, b, Ipv6Repr.HEADER_LENGTH, new byte[0], 0, 0);
        return b;
    }

    private static Ipv4Address random(SplittableRandom r) { return new Ipv4Address(r.nextInt()); }

    @Test
    void aSynFloodTeachesNothingAndAnAckMakesItsSourceKnown() {
        KnownSources known = new KnownSources(7);
        SplittableRandom r = new SplittableRandom(20);
        for (int i = 0; i < 200_000; i++) assertFalse(known.observe(segment(random(r), US, TcpRepr.SYN)), "flood SYN " + i);
        byte[] clientSyn = segment(CLIENT, US, TcpRepr.SYN);
        assertFalse(known.known(clientSyn), "a client never seen");
        assertFalse(known.observe(clientSyn), "its SYN teaches nothing either");
        assertFalse(known.known(clientSyn));
        assertFalse(known.observe(segment(CLIENT, US, TcpRepr.SYN | TcpRepr.ACK)), "a SYN,ACK is no proof");
        assertFalse(known.known(clientSyn));
        assertFalse(known.observe(segment(CLIENT, US, TcpRepr.ACK)), "an ACK is not a connection request");
        assertTrue(known.known(clientSyn), "the ACK made the source known");
        assertTrue(known.observe(clientSyn), "its next SYN is a known source's");
        // the table stays exact: random flood sources are (almost) never taken for the client
        int hits = 0;
        for (int i = 0; i < 200_000; i++) if (known.known(segment(random(r), US, TcpRepr.SYN))) hits++;
        assertEquals(0, hits);
        // a SYN flood after the ACK does not evict the client
        for (int i = 0; i < 200_000; i++) known.observe(segment(random(r), US, TcpRepr.SYN));
        assertTrue(known.known(clientSyn));
    }

    @Test
    void ipv6SourcesToo() {
        KnownSources known = new KnownSources(7);
        Ipv6Address client = Ipv6Address.parse("fd00::1"), us = Ipv6Address.parse("fd00::2");
        byte[] syn = segment(client, us, TcpRepr.SYN);
        assertFalse(known.known(syn));
        known.observe(segment(client, us, TcpRepr.ACK | TcpRepr.PSH));
        assertTrue(known.known(syn));
        assertFalse(known.known(segment(Ipv6Address.parse("fd00::3"), us, TcpRepr.SYN)));
        assertFalse(known.known(segment(CLIENT, US, TcpRepr.SYN)), "the families do not mix");
    }

    @Test
    void theShedRuleSparesAKnownSourcesSynOnly() {
        KnownSources known = new KnownSources(7);
        known.observe(segment(CLIENT, US, TcpRepr.ACK));
        assertFalse(TunHost.shed(segment(CLIENT, US, TcpRepr.SYN), known));
        assertTrue(TunHost.shed(segment(Ipv4Address.parse("198.51.100.9"), US, TcpRepr.SYN), known));
        assertFalse(TunHost.shed(segment(Ipv4Address.parse("198.51.100.9"), US, TcpRepr.ACK), known), "never an ACK");
    }

    /** Frames the test queues; each read teaches the table, as {@link TunHost.TunSource} does. */
    private static final class FloodSource implements IoSource {
        static final byte[] EOF = new byte[0];
        final LinkedBlockingQueue<byte[]> frames = new LinkedBlockingQueue<>();
        final KnownSources known;
        volatile CountDownLatch readCalled = new CountDownLatch(0);
        volatile int readCalledAt = Integer.MAX_VALUE;
        int reads;

        FloodSource(KnownSources known) { this.known = known; }

        @Override public byte[] read() throws IOException {
            if (++reads == readCalledAt) readCalled.countDown();
            try {
                byte[] f = frames.take();
                if (f == EOF) return null;
                known.observe(f);
                return f;
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
        }

        @Override public void close() { frames.add(EOF); }
    }

    @Test
    void aFallingBehindLoopKeepsAKnownClientsSynAndShedsTheFloods() throws Exception {
        KnownSources known = new KnownSources(7);
        Host host = new Host("h", TcpConfig.defaults(), Tracer.NONE, 1);
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        // not inline: the held task must hold the loop thread, not the test's
        EventLoop loop = EventLoop.start("known-sources", host, failures::add, false);
        try {
            FloodSource src = new FloodSource(known);
            List<byte[]> got = new CopyOnWriteArrayList<>();
            IoRegistration reg = loop.register("t", src, (now, f) -> got.add(f), 16, f -> TunHost.shed(f, known));
            CountDownLatch release = new CountDownLatch(1), blocked = new CountDownLatch(1);
            loop.execute(() -> {
                blocked.countDown();
                try { release.await(); } catch (InterruptedException e) { throw new AssertionError(e); }
            });
            assertTrue(blocked.await(10, TimeUnit.SECONDS));
            SplittableRandom r = new SplittableRandom(20);
            byte[] clientAck = segment(CLIENT, US, TcpRepr.ACK), clientSyn = segment(CLIENT, US, TcpRepr.SYN);
            // the client's earlier connection's ACK, then a flood that fills half the queue and is shed
            // past it, then the client's new SYN
            List<byte[]> order = new java.util.ArrayList<>();
            order.add(clientAck);
            for (int i = 0; i < 40; i++) order.add(segment(random(r), US, TcpRepr.SYN));
            order.add(clientSyn);
            src.readCalled = new CountDownLatch(1);
            src.readCalledAt = order.size() + 1;
            src.frames.addAll(order);
            assertTrue(src.readCalled.await(10, TimeUnit.SECONDS));
            assertEquals(40 - 7, reg.shed(), "the ACK and 7 flood SYNs filled the first half; the other 33 were shed");
            assertEquals(reg.shed(), reg.dropped());
            release.countDown();
            loop.call(() -> null);
            assertEquals(9, got.size());
            assertTrue(got.get(0) == clientAck && got.get(8) == clientSyn, "the client's SYN got in behind the flood's");
            src.frames.add(FloodSource.EOF);
            reg.close();
            assertTrue(failures.isEmpty(), failures.toString());
        } finally {
            loop.close();
        }
    }
}
