package org.netstack4j.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.netstack4j.time.Time;
import org.netstack4j.trace.Counters;
import org.netstack4j.trace.Tracer;
import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.TcpRepr;

/**
 * Two TcpLayers back to back through a lossy, duplicating, reordering virtual wire. Each
 * TcpOutput only enqueues; the loop jumps virtual time to the next delivery or timer.
 */
class TcpTwoLayerTest {
    static final Ipv4Address CLIENT = Ipv4Address.parse("10.0.0.1"), SERVER = Ipv4Address.parse("10.0.0.2");

    record Faults(double loss, double duplicate, double reorder, long latencyNs, long jitterNs) {
        static final Faults NONE = new Faults(0, 0, 0, Time.ms(5), 0);
    }

    /** A packet in flight. */
    record Pkt(long at, long order, boolean toServer, IpAddress src, IpAddress dst, TcpRepr tcp, byte[] payload) {}

    static final class Net {
        final PriorityQueue<Pkt> q = new PriorityQueue<>((x, y) -> x.at != y.at ? Long.compare(x.at, y.at) : Long.compare(x.order, y.order));
        final SplittableRandom rnd;
        final Faults faults;
        long order;
        long delivered, lost, duplicated;

        Net(long seed, Faults faults) {
            this.rnd = new SplittableRandom(seed);
            this.faults = faults;
        }

        TcpOutput output(boolean toServer) {
            return (now, src, dst, tcp, p, off, len) -> {
                if (rnd.nextDouble() < faults.loss) { lost++; return; }
                byte[] copy = Arrays.copyOfRange(p, off, off + len);
                int copies = rnd.nextDouble() < faults.duplicate ? 2 : 1;
                if (copies == 2) duplicated++;
                for (int i = 0; i < copies; i++) {
                    long delay = faults.latencyNs;
                    if (rnd.nextDouble() < faults.reorder) delay += rnd.nextLong(Math.max(1, faults.jitterNs));
                    q.add(new Pkt(now + delay, order++, toServer, src, dst, tcp, copy));
                }
            };
        }
    }

    /** One side's application: writes its data, reads the peer's, closes after writing everything. */
    static final class App {
        final byte[] toSend;
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        TcpConnection conn;
        int sent;
        boolean closed, eof;
        final byte[] buf = new byte[16384];
        int maxReadPerPump = Integer.MAX_VALUE;

        App(byte[] toSend) { this.toSend = toSend; }

        boolean wantsToRead() {
            return conn != null && !eof && (conn.readable() > 0 || conn.state() == TcpState.CLOSE_WAIT
                    || conn.state() == TcpState.TIME_WAIT || conn.state() == TcpState.LAST_ACK || conn.state() == TcpState.CLOSING);
        }

        void pump(long now) {
            if (conn == null) return;
            TcpState s = conn.state();
            if (s == TcpState.SYN_SENT || s == TcpState.SYN_RECEIVED || s == TcpState.CLOSED && conn.error() == null && eof) return;
            if (conn.error() != null) fail(conn.id() + " failed: " + conn.error() + " " + conn.status());
            while (sent < toSend.length && conn.writable() > 0) {
                int n = conn.send(now, toSend, sent, Math.min(toSend.length - sent, 7000));
                if (n == 0) break;
                sent += n;
            }
            if (sent == toSend.length && !closed) {
                closed = true;
                conn.close(now);
            }
            int budget = maxReadPerPump;
            while (!eof && budget > 0) {
                int n = conn.receive(now, buf, 0, Math.min(buf.length, budget));
                budget -= Math.max(n, 0);
                if (n > 0) received.write(buf, 0, n);
                else {
                    if (n < 0) eof = true;
                    break;
                }
            }
        }
    }

    record Result(long finishedAt, Counters clientCounters, Counters serverCounters, Net net, App client, App server,
                  TcpLayer a, TcpLayer b) {}

    static Result run(long seed, int bytes, Faults faults, TcpConfig cfg, long limitNs) {
        return run(seed, bytes, faults, cfg, limitNs, Integer.MAX_VALUE, Tracer.NONE);
    }

    /** Runs one transfer; {@code tracer} (shared by both layers) helps when debugging a seed. */
    static Result run(long seed, int bytes, Faults faults, TcpConfig cfg, long limitNs, int maxReadPerPump, Tracer tracer) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] c2s = new byte[bytes], s2c = new byte[bytes];
        r.nextBytes(c2s);
        r.nextBytes(s2c);
        Net net = new Net(seed * 31 + 7, faults);
        Counters ca = new Counters(), cb = new Counters();
        TcpLayer a = new TcpLayer(cfg, net.output(true), tracer, ca, seed);
        TcpLayer b = new TcpLayer(cfg, net.output(false), tracer, cb, seed + 1);
        if (seed % 3 == 0) { // make both directions cross 2^32 mid-transfer
            a.setIsnForTests(() -> -bytes / 2);
            b.setIsnForTests(() -> -bytes / 3);
        }
        App client = new App(c2s), server = new App(s2c);
        client.maxReadPerPump = maxReadPerPump;
        server.maxReadPerPump = maxReadPerPump;
        long now = Time.s(1);
        TcpListener l = b.listen(now, Ipv4Address.ANY, 80, 16, x -> {});
        client.conn = a.connect(now, CLIENT, 0, SERVER, 80, null);
        long end = now + limitNs;
        while (now < end) {
            if (server.conn == null) server.conn = l.accept();
            client.pump(now);
            server.pump(now);
            if (client.eof && server.eof && client.sent == bytes && server.sent == bytes && net.q.isEmpty()
                    && !isActive(client.conn) && !isActive(server.conn)) break;
            long next = Math.min(Math.min(a.pollAt(), b.pollAt()), net.q.isEmpty() ? Time.NEVER : net.q.peek().at());
            if (client.wantsToRead() || server.wantsToRead()) next = Math.min(next, now + Time.ms(5)); // slow readers read again later
            if (next == Time.NEVER) break;
            now = Math.max(now, next);
            Pkt p;
            while ((p = net.q.peek()) != null && p.at() <= now) {
                net.q.poll();
                net.delivered++;
                (p.toServer() ? b : a).segmentArrives(now, p.src(), p.dst(), p.tcp(), p.payload(), 0, p.payload().length);
            }
            if (a.pollAt() <= now) a.poll(now);
            if (b.pollAt() <= now) b.poll(now);
        }
        return new Result(now, ca, cb, net, client, server, a, b);
    }

    /** Still exchanging segments: anything but CLOSED or TIME-WAIT. */
    static boolean isActive(TcpConnection c) {
        return c != null && c.state() != TcpState.CLOSED && c.state() != TcpState.TIME_WAIT;
    }

    static void check(long seed, Result res, int bytes) {
        String ctx = "seed " + seed + " lost " + res.net.lost + " dup " + res.net.duplicated + " client " + res.client.conn
                + " " + res.client.conn.status() + " server " + res.server.conn + (res.server.conn == null ? "" : " " + res.server.conn.status());
        assertNotNull(res.server.conn, ctx);
        assertTrue(res.client.eof && res.server.eof, "both sides saw EOF: " + ctx);
        assertEquals(bytes, res.server.received.size(), "bytes at server: " + ctx);
        assertEquals(bytes, res.client.received.size(), "bytes at client: " + ctx);
        assertArrayEquals(res.client.toSend, res.server.received.toByteArray(), "client->server integrity: " + ctx);
        assertArrayEquals(res.server.toSend, res.client.received.toByteArray(), "server->client integrity: " + ctx);
    }

    @Test void cleanTransferBothWaysAndTimeWaitExpires() {
        int bytes = 1 << 20;
        Result res = run(1, bytes, Faults.NONE, TcpConfig.defaults(), Time.s(600));
        check(1, res, bytes);
        assertEquals(0, res.clientCounters.get("tcp.retransmits"));
        assertTrue(res.finishedAt < Time.s(10), "clean 1 MB each way in well under 10 virtual seconds: " + res.finishedAt);
        // the active closer (whoever sent FIN first) sits in TIME-WAIT; drive time past 2MSL
        long t = res.finishedAt + 2 * TcpConfig.defaults().timers().mslNs();
        res.a.poll(t);
        res.b.poll(t);
        assertEquals(0, res.a.connectionCount() + res.b.connectionCount());
    }

    @Test void lossyDuplicatingReorderingTransfersOverManySeeds() {
        int seeds = 300, bytes = 1 << 20;
        List<String> failures = new ArrayList<>();
        long retransmits = 0;
        for (long seed = 1; seed <= seeds; seed++) {
            SplittableRandom r = new SplittableRandom(seed * 1_000_003);
            Faults f = new Faults(r.nextDouble(0, 0.05), r.nextDouble(0, 0.03), r.nextDouble(0, 0.2),
                    Time.ms(1 + r.nextInt(30)), Time.ms(1 + r.nextInt(20)));
            TcpConfig cfg = TcpConfig.defaults();
            if (seed % 4 == 1) cfg = cfg.withOptions(o -> o.withTimestamps(false));
            if (seed % 4 == 2) cfg = cfg.withOptions(o -> o.withSack(false).withWindowScale(false));
            if (seed % 5 == 3) cfg = cfg.withSending(sd -> sd.withNoDelay(true)).withAcks(ak -> ak.withDelayedAckNs(0));
            if (seed % 7 == 5) cfg = cfg.withOptions(o -> o.withMss(536)).withRecovery(rc -> rc.withInitialWindowSegments(2)).withOptions(o -> o.withOptionLayout(OptionLayout.freebsdLike()));
            if (seed % 11 == 4) cfg = cfg.withBuffers(bf -> bf.withReceiveBufferSize(16384));
            if (seed % 13 == 6) // FreeBSD's knobs
                cfg = cfg.withBuffers(bf -> bf.withReceiveWindowPolicy(TcpConfig.ReceiveWindowPolicy.FREE_SPACE)).withAcks(ak -> ak.withDelayedAckAnySize(true))
                        .withQuirks(qk -> qk.withRepeatFinOnAck(true).withTimeWaitIgnoresNonAck(true).withRstInTimeWait(false));
            if (seed % 13 == 7) cfg = cfg.withAcks(ak -> ak.withQuickAcks(16)).withQuirks(qk -> qk.withAckUnsentAck(false).withAbortRstWithAck(true)); // Linux's
            try {
                Result res = run(seed, bytes, f, cfg, Time.s(3600));
                check(seed, res, bytes);
                retransmits += res.clientCounters.get("tcp.retransmits") + res.serverCounters.get("tcp.retransmits");
            } catch (AssertionError e) {
                failures.add("seed " + seed + " " + f + " " + cfg.options().timestamps() + cfg.options().sack() + ": " + e.getMessage());
                if (failures.size() > 3) break;
            }
        }
        assertTrue(failures.isEmpty(), failures.size() + " seeds failed, first: " + (failures.isEmpty() ? "" : failures.get(0)));
        assertTrue(retransmits > 0, "the faults did cause retransmissions");
    }

    @Test void smallBuffersAndSlowReadersOverSeeds() {
        int bytes = 200_000;
        long windowUpdates = 0, probes = 0;
        for (long seed = 1; seed <= 150; seed++) {
            SplittableRandom r = new SplittableRandom(seed * 7919);
            Faults f = new Faults(r.nextDouble(0, 0.05), r.nextDouble(0, 0.02), r.nextDouble(0, 0.1),
                    Time.ms(1 + r.nextInt(20)), Time.ms(1 + r.nextInt(10)));
            long s = seed;
            TcpConfig cfg = TcpConfig.defaults().withBuffers(bf -> bf.withReceiveBufferSize(4096).withSendBufferSize(3000 + r.nextInt(10000)))
                    .withOptions(o -> o.withWindowScale(s % 2 == 0).withTimestamps(s % 3 != 0));
            Result res = run(seed, bytes, f, cfg, Time.s(3600), 500 + r.nextInt(2000), Tracer.NONE);
            check(seed, res, bytes);
            windowUpdates += res.clientCounters.get("tcp.out.window_updates") + res.serverCounters.get("tcp.out.window_updates");
            probes += res.clientCounters.get("tcp.out.window_probes") + res.serverCounters.get("tcp.out.window_probes");
        }
        assertTrue(windowUpdates > 0, "receivers reopened windows");
        System.out.println("slow readers: window updates " + windowUpdates + ", zero-window probes " + probes);
    }

    @Test void connectToClosedPortIsRefused() {
        Net net = new Net(1, Faults.NONE);
        TcpLayer a = new TcpLayer(TcpConfig.defaults(), net.output(true), Tracer.NONE, new Counters(), 1);
        TcpLayer b = new TcpLayer(TcpConfig.defaults(), net.output(false), Tracer.NONE, new Counters(), 2);
        TcpConnection c = a.connect(0, CLIENT, 0, SERVER, 81, null);
        long now = 0;
        Pkt p;
        while ((p = net.q.poll()) != null) {
            now = p.at();
            (p.toServer() ? b : a).segmentArrives(now, p.src(), p.dst(), p.tcp(), p.payload(), 0, p.payload().length);
        }
        assertEquals(TcpState.CLOSED, c.state());
        assertEquals(TcpError.CONNECTION_REFUSED, c.error());
    }
}
