package org.netstack4j.device;

import java.util.ArrayDeque;
import org.netstack4j.time.Time;

/**
 * A device whose transmitted frames come back to its own sink, like {@code lo}. Frames are
 * queued and delivered at the next {@link #poll}, never from inside {@link #transmit}, so a
 * stack that answers its own packets does not recurse.
 */
public final class LoopbackDevice implements Device {
    private record Queued(long time, byte[] frame) {}

    private final Medium medium;
    private final int mtu;
    private final ArrayDeque<Queued> queue = new ArrayDeque<>();
    private FrameSink sink = FrameSink.DISCARD;

    public LoopbackDevice(Medium medium, int mtu) {
        if (mtu <= 0) throw new IllegalArgumentException("mtu must be positive: " + mtu);
        this.medium = medium;
        this.mtu = mtu;
    }

    @Override public Medium medium() { return medium; }

    @Override public int mtu() { return mtu; }

    @Override public void transmit(long now, byte[] frame) { queue.add(new Queued(now, frame)); }

    @Override public void attach(FrameSink sink) { this.sink = sink == null ? FrameSink.DISCARD : sink; }

    /** The time of the oldest queued frame (it is due at once), or NEVER. */
    @Override public long pollAt() {
        Queued head = queue.peek();
        return head == null ? Time.NEVER : head.time();
    }

    /** Delivers the frames queued before this call; frames sent in reply wait for the next poll. */
    @Override public void poll(long now) {
        for (int n = queue.size(); n > 0; n--) {
            Queued q = queue.poll();
            sink.receive(now, q.frame());
        }
    }

    /** Frames waiting to be looped back. */
    public int queued() { return queue.size(); }
}
