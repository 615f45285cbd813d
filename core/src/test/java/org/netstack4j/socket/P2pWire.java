package org.netstack4j.socket;

import java.util.ArrayDeque;
import org.netstack4j.device.Device;
import org.netstack4j.device.FramePool;
import org.netstack4j.device.FrameSink;
import org.netstack4j.device.Medium;
import org.netstack4j.time.Pollable;
import org.netstack4j.time.Time;

/**
 * Test wire: two raw-IP devices joined back to back; a frame sent on one end is received by
 * the other at its owner's next poll (the owning host polls its devices).
 */
final class P2pWire {
    final End a;
    final End b;

    P2pWire() { this(null); }

    /**
     * With a pool, both ends opt in to frame recycling ({@link Device#framePool}): a frame is
     * only queued until the other end's host has received it (both hosts on one thread).
     */
    P2pWire(FramePool pool) {
        a = new End(pool);
        b = new End(pool);
        a.peer = b;
        b.peer = a;
    }

    static final class End implements Device {
        End peer;
        private final FramePool pool;

        End(FramePool pool) { this.pool = pool; }

        @Override public FramePool framePool() { return pool; }
        private FrameSink sink = FrameSink.DISCARD;
        private final ArrayDeque<byte[]> inbox = new ArrayDeque<>();

        @Override public Medium medium() { return Medium.IP; }
        @Override public int mtu() { return 1500; }
        @Override public void transmit(long now, byte[] frame) { peer.inbox.add(frame); }
        @Override public void attach(FrameSink s) { sink = s; }
        @Override public long pollAt() { return inbox.isEmpty() ? Time.NEVER : 0; }

        @Override public void poll(long now) {
            for (int n = inbox.size(); n > 0; n--) sink.receive(now, inbox.poll());
        }
    }

    /** Two stacks as one Pollable for one loop. */
    static Pollable both(Pollable x, Pollable y) {
        return new Pollable() {
            @Override public long pollAt() { return Math.min(x.pollAt(), y.pollAt()); }

            @Override public void poll(long now) {
                if (x.pollAt() <= now) x.poll(now);
                if (y.pollAt() <= now) y.poll(now);
            }
        };
    }
}
