package org.netstack4j.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.netstack4j.wire.Ipv6Address;
import org.netstack4j.wire.TcpOption;
import org.netstack4j.wire.TcpRepr;

/**
 * A spoofed-source SYN flood in virtual time (issue 20): 20,000 SYNs a second for 5 s from
 * random addresses and ports at a server whose listener holds 1,024 half-open connections (as
 * {@code serve} configures it), while a legitimate client connects every 100 ms over a 5 ms link.
 * With SYN cookies every client connects within 1 s; without them the flood keeps the queue
 * full and they do not.
 */
class SynFloodTest {
    static final Ipv4Address CLIENT = Ipv4Address.parse("10.0.0.1"), SERVER = Ipv4Address.parse("10.0.0.2");
    static final Ipv6Address CLIENT6 = Ipv6Address.parse("fd00::1"), SERVER6 = Ipv6Address.parse("fd00::2");
    static final long LATENCY = Time.ms(5), FLOOD_GAP = Time.us(50), DURATION = Time.s(5), CONNECT_EVERY = Time.ms(100);

    record Event(long at, long order, Runnable run) {}

    static final class Result {
        final List<Long> connectTimes = new ArrayList<>(); // per attempt: ns to ESTABLISHED, -1 = not within the run
        Counters server;
        int floodSyns, maxHalfOpen, maxConnections;
        long withinOneSecond() { return connectTimes.stream().filter(t -> t >= 0 && t <= Time.s(1)).count(); }
    }

    static Result flood(Hardening.SynCookieMode mode) { return flood(mode, false); }

    /** {@code ipv6}: the client, the server and the flood's spoofed sources are IPv6 (the listener on ::). */
    static Result flood(Hardening.SynCookieMode mode, boolean ipv6) {
        IpAddress clientAddr = ipv6 ? CLIENT6 : CLIENT, serverAddr = ipv6 ? SERVER6 : SERVER;
        PriorityQueue<Event> q = new PriorityQueue<>((a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.order, b.order));
        long[] order = {0};
        long[] now = {0};
        Result res = new Result();
        TcpLayer[] layers = new TcpLayer[2];
        TcpConfig serverCfg = TcpConfig.defaults().withLimits(lm -> lm.withSynQueueLimit(1024)).withHardening(Hardening.defaults().withSynCookies(mode));
        res.server = new Counters();
        // server -> client segments travel the link; those to spoofed sources vanish
        layers[1] = new TcpLayer(serverCfg, (t, src, dst, tcp, p, off, len) -> {
            if (!dst.equals(clientAddr)) return;
            byte[] copy = Arrays.copyOfRange(p, off, off + len);
            TcpRepr seg = tcp;
            q.add(new Event(t + LATENCY, order[0]++, () -> layers[0].segmentArrives(now[0], serverAddr, clientAddr, seg, copy, 0, copy.length)));
        }, Tracer.NONE, res.server, 1);
        layers[0] = new TcpLayer(TcpConfig.defaults(), (t, src, dst, tcp, p, off, len) -> {
            byte[] copy = Arrays.copyOfRange(p, off, off + len);
            TcpRepr seg = tcp;
            q.add(new Event(t + LATENCY, order[0]++, () -> layers[1].segmentArrives(now[0], clientAddr, serverAddr, seg, copy, 0, copy.length)));
        }, Tracer.NONE, new Counters(), 2);
        TcpLayer server = layers[1], client = layers[0];
        server.listen(0, ipv6 ? Ipv6Address.ANY : Ipv4Address.ANY, 80, 128, l -> {
            TcpConnection c;
            while ((c = l.accept()) != null) c.abort(now[0]); // the application serves and closes
        });

        SplittableRandom rnd = new SplittableRandom(20);
        // the flood: each SYN schedules the next
        Runnable[] syn = new Runnable[1];
        syn[0] = () -> {
            IpAddress src = ipv6 ? new Ipv6Address(0x2001_0db8_0000_0000L | rnd.nextInt(1 << 16), rnd.nextLong())
                    : Ipv4Address.of(rnd.nextBoolean() ? 74 : 198, rnd.nextInt(256), rnd.nextInt(256), 1 + rnd.nextInt(254));
            List<TcpOption> opts = rnd.nextBoolean() ? List.of() : List.of(new TcpOption.Mss(1460), new TcpOption.SackPermitted(),
                    new TcpOption.Timestamps(rnd.nextInt(), 0), new TcpOption.WindowScale(7));
            TcpRepr s = new TcpRepr(1024 + rnd.nextInt(64000), 80, rnd.nextInt(), 0, TcpRepr.SYN, 512, 0, opts);
            server.segmentArrives(now[0], src, serverAddr, s, new byte[0], 0, 0);
            res.floodSyns++;
            res.maxHalfOpen = Math.max(res.maxHalfOpen, server.halfOpenCount());
            res.maxConnections = Math.max(res.maxConnections, server.connectionCount());
            if (now[0] + FLOOD_GAP < DURATION) q.add(new Event(now[0] + FLOOD_GAP, order[0]++, syn[0]));
        };
        q.add(new Event(0, order[0]++, syn[0]));
        // the legitimate client: a connect every 100 ms from 50 ms on
        for (long at = Time.ms(50); at < DURATION; at += CONNECT_EVERY) {
            long start = at;
            int slot = res.connectTimes.size();
            res.connectTimes.add(-1L);
            q.add(new Event(at, order[0]++, () -> client.connect(now[0], clientAddr, 0, serverAddr, 80, new TcpEventListener() {
                @Override public void onEstablished(TcpConnection c) {
                    res.connectTimes.set(slot, now[0] - start);
                    c.abort(now[0]);
                }
            })));
        }
        long end = DURATION + Time.s(2);
        while (true) {
            long t = Math.min(q.isEmpty() ? Long.MAX_VALUE : q.peek().at, Math.min(server.pollAt(), client.pollAt()));
            if (t > end) break;
            now[0] = t;
            if (!q.isEmpty() && q.peek().at == t) q.poll().run.run();
            if (server.pollAt() <= t) server.poll(t);
            if (client.pollAt() <= t) client.poll(t);
        }
        return res;
    }

    @Test void withSynCookiesEveryLegitimateConnectSucceedsWithinOneSecond() {
        checkCookiesHold(flood(Hardening.SynCookieMode.WHEN_FULL));
    }

    /** The same flood over IPv6 (issue 13): cookies keyed on 128-bit addresses, the same bounds. */
    @Test void anIpv6FloodIsHeldOffTheSameWay() {
        checkCookiesHold(flood(Hardening.SynCookieMode.WHEN_FULL, true));
        Result r = flood(Hardening.SynCookieMode.NEVER, true);
        assertTrue(r.withinOneSecond() < r.connectTimes.size() / 10, "clients connected within 1 s: " + r.withinOneSecond());
        assertTrue(r.server.get("tcp.drop.syn_queue_full") > 95_000);
    }

    private static void checkCookiesHold(Result r) {
        assertEquals(100_000, r.floodSyns);
        assertEquals(r.connectTimes.size(), r.withinOneSecond(), "connect times (ns): " + r.connectTimes);
        assertTrue(r.connectTimes.stream().allMatch(t -> t <= Time.ms(20)), "one round trip each: " + r.connectTimes);
        assertTrue(r.server.get("tcp.syncookies.sent") > 95_000, "cookies sent: " + r.server.get("tcp.syncookies.sent"));
        assertEquals(r.connectTimes.size(), r.server.get("tcp.syncookies.valid"), "every client came in by a cookie");
        assertTrue(r.maxHalfOpen <= 1024, "half-open bounded: " + r.maxHalfOpen);
        assertTrue(r.maxConnections <= 1024 + 2, "state bounded: " + r.maxConnections);
    }

    @Test void withoutSynCookiesTheFloodLocksClientsOut() {
        Result r = flood(Hardening.SynCookieMode.NEVER);
        assertTrue(r.withinOneSecond() < r.connectTimes.size() / 10, "clients connected within 1 s: " + r.withinOneSecond());
        assertTrue(r.server.get("tcp.drop.syn_queue_full") > 95_000);
        assertEquals(0, r.server.get("tcp.syncookies.sent"));
    }
}
