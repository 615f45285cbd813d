package org.netstack4j.bench;

import java.util.ArrayDeque;
import org.netstack4j.device.Device;
import org.netstack4j.device.FramePool;
import org.netstack4j.device.FrameSink;
import org.netstack4j.device.Medium;
import org.netstack4j.host.Host;
import org.netstack4j.tcp.TcpConfig;
import org.netstack4j.time.Pollable;
import org.netstack4j.time.Time;
import org.netstack4j.trace.Tracer;
import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv6Address;

/**
 * Two complete netstack4j hosts ({@link Host}: IPv4 + TCP, real encoding and checksums as on a
 * wire) joined by an in-memory point-to-point link with MTU 1500. A packet one host transmits
 * is queued and handed to the other host at its next poll, so nothing recurses. Single-threaded:
 * either an {@link org.netstack4j.runtime.EventLoop} drives it as one {@link Pollable}, or a
 * benchmark thread calls {@link #pump(long)} itself.
 *
 * <p>The link opts in to frame recycling ({@link Device#framePool}): it keeps a frame only until
 * the other host has received it and never copies or captures one, so both ends share one pool
 * (both hosts run on the same thread).
 */
final class MemNet implements Pollable {
    static final Ipv4Address A = Ipv4Address.of(10, 213, 0, 1);
    static final Ipv4Address B = Ipv4Address.of(10, 213, 0, 2);
    /** The hosts' IPv6 addresses, with {@link #MemNet(TcpConfig, boolean)} (the {@code *6} rows). */
    static final Ipv6Address A6 = Ipv6Address.parse("fd00:213::1");
    static final Ipv6Address B6 = Ipv6Address.parse("fd00:213::2");
    static final int MTU = 1500;

    final FramePool pool = new FramePool();
    final End wireA = new End(pool);
    final End wireB = new End(pool);
    final Host a;
    final Host b;

    MemNet(TcpConfig config) { this(config, Tracer.NONE); }

    /** With {@code ipv6}, both hosts also get A6/B6 (usable at once: a point-to-point link runs no DAD). */
    MemNet(TcpConfig config, boolean ipv6) {
        this(config, Tracer.NONE);
        if (ipv6) {
            a.addIpv6Address("mem0", A6, 64);
            b.addIpv6Address("mem0", B6, 64);
        }
    }

    /** B's address in the family of the run. */
    static IpAddress serverAddress(boolean ipv6) { return ipv6 ? B6 : B; }

    MemNet(TcpConfig config, Tracer tracer) {
        wireA.peer = wireB;
        wireB.peer = wireA;
        a = new Host("a", config, tracer, 1).addInterface("mem0", wireA, null, A, 24);
        b = new Host("b", config, tracer, 2).addInterface("mem0", wireB, null, B, 24);
    }

    /** Frames waiting on the link (both directions). */
    boolean idle() { return wireA.inbox.isEmpty() && wireB.inbox.isEmpty(); }

    /**
     * Delivers queued packets until the link is quiet, running TCP timers that are due.
     * Used by the single-threaded benchmarks; never touches the EventLoop.
     */
    void pump(long now) {
        int rounds = 0;
        do {
            if (++rounds > 1_000_000) throw new IllegalStateException("the hosts keep answering each other (1,000,000 rounds)");
            if (!wireA.inbox.isEmpty()) a.ip().poll(now);
            if (!wireB.inbox.isEmpty()) b.ip().poll(now);
        } while (!idle());
    }

    /** {@link #pump} plus the TCP timers of both hosts (an O(connections) scan in TcpLayer). */
    void pumpWithTimers(long now) {
        pump(now);
        if (a.tcp().pollAt() <= now) a.tcp().poll(now);
        if (b.tcp().pollAt() <= now) b.tcp().poll(now);
        pump(now);
    }

    @Override public long pollAt() { return Math.min(a.pollAt(), b.pollAt()); }

    @Override public void poll(long now) {
        if (a.pollAt() <= now) a.poll(now);
        if (b.pollAt() <= now) b.poll(now);
    }

    /** One end of the link: a raw-IP device (like a TUN or point-to-point interface). */
    static final class End implements Device {
        End peer;
        private FrameSink sink = FrameSink.DISCARD;
        final ArrayDeque<byte[]> inbox = new ArrayDeque<>();
        private final FramePool pool;

        End(FramePool pool) { this.pool = pool; }

        @Override public FramePool framePool() { return pool; }

        @Override public Medium medium() { return Medium.IP; }
        @Override public int mtu() { return MTU; }
        @Override public void transmit(long now, byte[] frame) { peer.inbox.add(frame); }
        @Override public void attach(FrameSink s) { sink = s; }
        @Override public long pollAt() { return inbox.isEmpty() ? Time.NEVER : Long.MIN_VALUE / 2; }

        @Override public void poll(long now) {
            for (int n = inbox.size(); n > 0; n--) sink.receive(now, inbox.poll());
        }
    }
}
