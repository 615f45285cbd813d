package org.netstack4j.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.netstack4j.tcp.seqnum.Seq;
import org.netstack4j.time.Time;
import org.netstack4j.trace.Counters;
import org.netstack4j.trace.TraceEvent;
import org.netstack4j.trace.Tracer;
import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.TcpOption;
import org.netstack4j.wire.TcpRepr;

/**
 * The TSval offset comes from the address pair (RFC 7323 7.1 with Linux's choice of input), so
 * a client that reconnects from the same port right after a close reaches the server's
 * TIME-WAIT connection with a newer TSval and is let in (RFC 6191 2).
 */
class TimestampOffsetTest {
    static final Ipv4Address CLIENT = Ipv4Address.parse("10.0.0.1"), SERVER = Ipv4Address.parse("10.0.0.2");
    static final Ipv4Address OTHER = Ipv4Address.parse("10.0.0.3");

    record Pkt(boolean toServer, IpAddress src, IpAddress dst, TcpRepr tcp, byte[] payload) {}

    /** Two layers joined by a wire that delivers in order, {@link #LATENCY} later; records what it carries. */
    static final class Wire {
        static final long LATENCY = Time.ms(1);
        final ArrayDeque<Pkt> q = new ArrayDeque<>();
        final List<Pkt> log = new ArrayList<>();
        final List<String> trace = new ArrayList<>();
        final TcpLayer client, server;
        long now = Time.s(5);

        Wire(long clientSeed, long serverSeed) {
            Tracer tr = new Tracer() {
                @Override public boolean enabled() { return true; }
                @Override public void event(TraceEvent e) {
                    if (e instanceof TraceEvent.StateChange sc) trace.add(sc.to() + " " + sc.cause());
                }
            };
            client = new TcpLayer(TcpConfig.defaults(), out(true), tr, new Counters(), clientSeed);
            server = new TcpLayer(TcpConfig.defaults(), out(false), tr, new Counters(), serverSeed);
        }

        TcpOutput out(boolean toServer) {
            return (at, src, dst, tcp, p, off, len) -> {
                Pkt x = new Pkt(toServer, src, dst, tcp, Arrays.copyOfRange(p, off, off + len));
                q.add(x);
                log.add(x);
            };
        }

        /** Delivers everything in flight (each hop LATENCY later) and fires due timers up to {@code until}. */
        void run(long until) {
            while (true) {
                if (!q.isEmpty()) {
                    now += LATENCY;
                    Pkt p = q.poll();
                    (p.toServer() ? server : client).segmentArrives(now, p.src(), p.dst(), p.tcp(), p.payload(), 0, p.payload().length);
                    continue;
                }
                long next = Math.min(client.pollAt(), server.pollAt());
                if (next > until) break;
                now = Math.max(now, next);
                if (client.pollAt() <= now) client.poll(now);
                if (server.pollAt() <= now) server.poll(now);
            }
            now = Math.max(now, until);
        }
    }

    static long tsVal(TcpRepr t) {
        for (TcpOption o : t.options()) if (o instanceof TcpOption.Timestamps ts) return ts.tsVal() & 0xffffffffL;
        throw new AssertionError("no timestamps on " + t);
    }

    static Pkt lastSyn(Wire w) {
        Pkt syn = null;
        for (Pkt p : w.log) if (p.toServer() && p.tcp().has(TcpRepr.SYN)) syn = p;
        return syn;
    }

    @Test void quickReconnectFromTheSamePortReplacesTheServersTimeWait() {
        Wire w = new Wire(11, 12);
        TcpListener l = w.server.listen(w.now, Ipv4Address.ANY, 80, 8, x -> {});
        TcpConnection c1 = w.client.connect(w.now, CLIENT, 40000, SERVER, 80, null);
        w.run(w.now);
        TcpConnection s1 = l.accept();
        assertNotNull(s1);
        assertEquals(TcpState.ESTABLISHED, c1.state());
        // the server closes first, so the server keeps the pair in TIME-WAIT
        s1.close(w.now);
        w.run(w.now);
        assertEquals(TcpState.CLOSE_WAIT, c1.state());
        c1.close(w.now);
        w.run(w.now);
        assertEquals(TcpState.CLOSED, c1.state());
        assertEquals(TcpState.TIME_WAIT, s1.state());
        long oldSynTs = tsVal(lastSyn(w).tcp());

        // 50 ms later, well inside 2*MSL, the same client port again
        w.run(w.now + Time.ms(50));
        TcpConnection c2 = w.client.connect(w.now, CLIENT, 40000, SERVER, 80, null);
        long newSynTs = tsVal(lastSyn(w).tcp());
        assertTrue(Seq.gt((int) newSynTs, (int) oldSynTs), "new SYN's TSval " + newSynTs + " above the old " + oldSynTs);
        w.run(w.now);
        assertEquals(TcpState.CLOSED, s1.state(), "TIME-WAIT gave way to the new incarnation");
        assertTrue(w.trace.contains("CLOSED new SYN in TIME-WAIT"), w.trace.toString());
        TcpConnection s2 = l.accept();
        assertNotNull(s2, "the new SYN was accepted, not left to time out");
        assertEquals(TcpState.ESTABLISHED, c2.state());
        assertEquals(TcpState.ESTABLISHED, s2.state());
        // one SYN only: no retransmission was needed
        assertEquals(2, w.log.stream().filter(p -> p.toServer() && p.tcp().has(TcpRepr.SYN)).count());
    }

    @Test void connectionsBetweenTheSameHostsShareOneTimestampClock() {
        Wire w = new Wire(21, 22);
        w.server.listen(w.now, Ipv4Address.ANY, 80, 8, x -> {});
        w.client.connect(w.now, CLIENT, 40001, SERVER, 80, null);
        long a = tsVal(lastSyn(w).tcp());
        w.client.connect(w.now, CLIENT, 40002, SERVER, 80, null);
        long b = tsVal(lastSyn(w).tcp());
        w.client.connect(w.now, CLIENT, 40003, SERVER, 81, null);
        long c = tsVal(lastSyn(w).tcp());
        assertEquals(a, b, "same address pair, other port: same offset");
        assertEquals(a, c, "same address pair, other remote port: same offset");
        w.client.connect(w.now, CLIENT, 40004, OTHER, 80, null);
        Pkt other = w.log.get(w.log.size() - 1);
        assertEquals(OTHER, other.dst());
        assertNotEquals(a, tsVal(other.tcp()), "another peer sees another offset (RFC 7323 7.1: no shared uptime)");
        // the offset is keyed: another layer secret gives another offset for the same pair
        Wire w2 = new Wire(31, 32);
        w2.client.connect(w2.now, CLIENT, 40001, SERVER, 80, null);
        assertNotEquals(a, tsVal(lastSyn(w2).tcp()));
    }
}
