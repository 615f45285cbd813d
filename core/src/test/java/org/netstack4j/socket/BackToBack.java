package org.netstack4j.socket;

import java.util.ArrayDeque;
import java.util.Arrays;
import org.netstack4j.runtime.EventLoop;
import org.netstack4j.tcp.TcpConfig;
import org.netstack4j.tcp.TcpLayer;
import org.netstack4j.time.Pollable;
import org.netstack4j.trace.Counters;
import org.netstack4j.trace.Tracer;
import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.TcpRepr;

/**
 * Two TCP layers wired back to back through an in-memory link: what one layer outputs is
 * queued and handed to the other's segmentArrives at the next poll, on the loop thread.
 * Segments to any other address vanish (a black hole). Loop-thread only, like any stack.
 */
final class BackToBack implements Pollable {
    static final Ipv4Address A = Ipv4Address.of(10, 0, 0, 1);
    static final Ipv4Address B = Ipv4Address.of(10, 0, 0, 2);
    static final Ipv4Address BLACK_HOLE = Ipv4Address.of(10, 0, 0, 99);

    private record Segment(IpAddress src, IpAddress dst, TcpRepr tcp, byte[] payload) {}

    final TcpLayer a;
    final TcpLayer b;
    private final ArrayDeque<Segment> toA = new ArrayDeque<>();
    private final ArrayDeque<Segment> toB = new ArrayDeque<>();
    long delivered;
    long blackHoled;

    BackToBack(TcpConfig config, long seed) {
        a = new TcpLayer(config, this::route, Tracer.NONE, new Counters(), seed);
        b = new TcpLayer(config, this::route, Tracer.NONE, new Counters(), seed + 1);
    }

    private void route(long now, IpAddress src, IpAddress dst, TcpRepr tcp, byte[] payload, int off, int len) {
        Segment s = new Segment(src, dst, tcp, Arrays.copyOfRange(payload, off, off + len));
        if (dst.equals(A)) toA.add(s);
        else if (dst.equals(B)) toB.add(s);
        else blackHoled++;
    }

    @Override public long pollAt() {
        if (!toA.isEmpty() || !toB.isEmpty()) return 0; // due at once
        return Math.min(a.pollAt(), b.pollAt());
    }

    @Override public void poll(long now) {
        // Deliver what is queued now; what the receivers answer waits for the next turn,
        // so the loop's tasks interleave with a busy transfer.
        int n = toA.size() + toB.size();
        for (int i = 0; i < n; i++) {
            Segment s = !toA.isEmpty() ? toA.poll() : toB.poll();
            TcpLayer to = s.dst.equals(A) ? a : b;
            delivered++;
            to.segmentArrives(now, s.src, s.dst, s.tcp, s.payload, 0, s.payload.length);
        }
        if (a.pollAt() <= now) a.poll(now);
        if (b.pollAt() <= now) b.poll(now);
    }

    /** The two ends as NetStacks on one loop: host A (10.0.0.1) and host B (10.0.0.2). */
    NetStack stackA(EventLoop loop) { return NetStack.of(loop, a, dst -> A); }

    NetStack stackB(EventLoop loop) { return NetStack.of(loop, b, dst -> B); }
}
