package org.netstack4j.device;

import java.util.ArrayDeque;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import org.netstack4j.time.Time;
import org.netstack4j.trace.DropReason;
import org.netstack4j.trace.TraceEvent;
import org.netstack4j.trace.Tracer;

/**
 * Middleware that loses, duplicates, reorders, corrupts, delays and rate-limits frames
 * ({@link FaultConfig}) on their way out of a device, and optionally on their way in.
 * Randomness comes from a {@link SplittableRandom} seeded by the caller, so a run with the same
 * seed and the same frames does exactly the same thing.
 *
 * <p>Order of the stages for each frame: drop filter, loss, corruption, duplication, reorder
 * (hold back), then the delay/rate queue. Frames held by the reorder stage or the queue are
 * released from {@link #poll}; {@link #pollAt} reports when. This device polls the device it
 * wraps.
 */
public final class FaultInjector implements Device {
    private final Device inner;
    private FaultConfig config;
    private final Lane out;
    private final Lane in;
    private FrameSink sink = FrameSink.DISCARD;
    private Predicate<byte[]> dropFilter;
    private long dropFilterBudget;
    private Tracer tracer = Tracer.NONE;

    /** No faults until {@link #setConfig} or a drop filter says otherwise. */
    public FaultInjector(Device inner, long seed) { this(inner, FaultConfig.NONE, seed); }

    public FaultInjector(Device inner, FaultConfig config, long seed) {
        this.inner = inner;
        this.config = config;
        SplittableRandom root = new SplittableRandom(seed);
        this.out = new Lane("out", root.split(), inner::transmit);
        this.in = new Lane("in", root.split(), new FrameSink() {
            @Override public void receive(long now, byte[] frame) { sink.receive(now, frame); }
            @Override public void receive(long now, byte[] frame, int info) { sink.receive(now, frame, info); }
        });
        inner.attach(new FrameSink() {
            @Override public void receive(long now, byte[] frame) { receive(now, frame, 0); }

            // what the device said of the frame goes on with it, unless the frame is altered,
            // copied or held here (Lane#offer)
            @Override public void receive(long now, byte[] frame, int info) {
                if (config.bothDirections()) in.offer(now, frame, info);
                else sink.receive(now, frame, info);
            }
        });
    }

    public Device inner() { return inner; }

    /**
     * Reports what the injector does: drops as {@code TraceEvent.Drop} (layer "fault"; reasons
     * "lost (random)", "dropped by filter", "queue full"), duplications, reorders and corruptions
     * as {@code TraceEvent.Note}, each with the direction ("out"/"in") and the frame length.
     */
    public void setTracer(Tracer tracer) { this.tracer = tracer == null ? Tracer.NONE : tracer; }

    public FaultConfig config() { return config; }

    /** Changes the faults from now on; frames already held keep their release times. */
    public void setConfig(FaultConfig config) { this.config = config; }

    /**
     * Drops every frame for which {@code filter} returns true (it is called once per frame, in
     * order, so a counting predicate can pick "the third data segment"). Applies to transmitted
     * frames, and to received frames when {@link FaultConfig#bothDirections}. Null removes it.
     */
    public void setDropFilter(Predicate<byte[]> filter) { setDropFilter(filter, Long.MAX_VALUE); }

    /** Like {@link #setDropFilter(Predicate)} but removes itself after dropping {@code maxDrops} frames. */
    public void setDropFilter(Predicate<byte[]> filter, long maxDrops) {
        if (maxDrops < 1) throw new IllegalArgumentException("maxDrops must be >= 1: " + maxDrops);
        this.dropFilter = filter;
        this.dropFilterBudget = filter == null ? 0 : maxDrops;
    }

    /** Drops only the first frame that matches, then lets everything through (loses one chosen segment). */
    public void dropOnce(Predicate<byte[]> filter) { setDropFilter(filter, 1); }

    /** What happened to transmitted frames. */
    public FaultStats outgoingStats() { return out.stats(); }

    /** What happened to received frames (all zero unless bothDirections). */
    public FaultStats incomingStats() { return in.stats(); }

    /** Both directions summed. */
    public FaultStats stats() { return out.stats().plus(in.stats()); }

    public long lost() { return stats().lost(); }
    public long filtered() { return stats().filtered(); }
    public long duplicated() { return stats().duplicated(); }
    public long reordered() { return stats().reordered(); }
    public long corrupted() { return stats().corrupted(); }
    public long queueDropped() { return stats().queueDropped(); }
    /** ECN-capable packets marked CE ({@link FaultConfig#ceMark}), both directions. */
    public long ceMarked() { return out.ceMarked + in.ceMarked; }

    @Override public Medium medium() { return inner.medium(); }

    @Override public int mtu() { return inner.mtu(); }

    @Override public void transmit(long now, byte[] frame) { out.offer(now, frame, 0); }

    /**
     * None by default (a wrapper does not inherit the pool: {@link Device#framePool}); the inner
     * device's after {@link #passFramePool}.
     */
    @Override public FramePool framePool() { return passPool ? inner.framePool() : null; }

    private boolean passPool;

    /**
     * Opt-in, before the stack adds this device (it asks for the pool once): {@link #framePool}
     * is the inner device's. Sound because the injector hands each frame on at most once and keeps
     * no reference after that (a held or delayed frame is handed on later, a duplicate is a copy, a
     * dropped frame is forgotten); for a device that recycles received frames, as TunHost's TUN does.
     */
    public void passFramePool(boolean on) { this.passPool = on; }

    /**
     * TSO passes through while the injector does nothing to transmitted frames (no faults, no
     * filter, nothing held): then the wrapped device may cut super-segments itself.
     */
    @Override public int gsoMaxSize() { return passesOut() ? inner.gsoMaxSize() : 0; }

    /** Cut here into segments (each then meets the faults) unless nothing would happen to them. */
    @Override public void transmitSegments(long now, byte[] packet, int segmentSize) {
        if (passesOut() && inner.gsoMaxSize() >= packet.length) inner.transmitSegments(now, packet, segmentSize);
        else Device.super.transmitSegments(now, packet, segmentSize);
    }


    private boolean passesOut() { return config.passesAll() && dropFilter == null && out.pollAt() == Time.NEVER; }

    @Override public void attach(FrameSink sink) { this.sink = sink == null ? FrameSink.DISCARD : sink; }

    @Override public long pollAt() { return Math.min(inner.pollAt(), Math.min(out.pollAt(), in.pollAt())); }

    @Override public void poll(long now) {
        inner.poll(now);
        out.poll(now);
        in.poll(now);
    }

    private boolean filterDrops(byte[] frame) {
        if (dropFilter == null || !dropFilter.test(frame)) return false;
        if (--dropFilterBudget <= 0) dropFilter = null;
        return true;
    }

    /** One direction's pipeline, ending in {@code next}. */
    private final class Lane {
        private record Timed(long release, byte[] frame) {}

        private final String direction;
        private final SplittableRandom random;
        private final FrameSink next;
        private final ArrayDeque<Timed> queue = new ArrayDeque<>();
        private byte[] held;
        private long heldUntil = Time.NEVER;
        private long lastTxEnd = Long.MIN_VALUE;
        private long offered, passed, lost, filtered, duplicated, reordered, corrupted, queueDropped, ceMarked;

        Lane(String direction, SplittableRandom random, FrameSink next) {
            this.direction = direction;
            this.random = random;
            this.next = next;
        }

        FaultStats stats() {
            return new FaultStats(offered, passed, lost, filtered, duplicated, reordered, corrupted, queueDropped);
        }

        private boolean chance(double p) { return p > 0 && random.nextDouble() < p; }

        /**
         * {@code info}: what the device said of the frame ({@link FrameSink#receive(long, byte[], int)}),
         * handed on only with a frame that passes at once; a corrupted frame loses
         * {@link FrameSink#CHECKSUM_VERIFIED} (corruption is in place), a duplicate is a copy.
         */
        void offer(long now, byte[] frame, int info) {
            FaultConfig c = config;
            offered++;
            if (filterDrops(frame)) {
                filtered++;
                drop(now, DropReason.FILTERED, "dropped by filter", frame);
                return;
            }
            if (chance(c.loss())) {
                lost++;
                drop(now, DropReason.LOST, "lost (random)", frame);
                return;
            }
            if (chance(c.ceMark()) && EcnMarking.markCe(frame, inner.medium())) {
                ceMarked++;
                note(now, "marked CE (congestion experienced)", frame);
            }
            if (chance(c.corrupt())) {
                info = FrameSink.completePartial(frame, FrameSink.ipOffset(inner.medium()), info); // then TCP sees the damage
                int at = Corruption.corrupt(frame, inner.medium(), c.corruptBytes(), random);
                corrupted++;
                info &= ~FrameSink.CHECKSUM_VERIFIED;
                note(now, "corrupted " + c.corruptBytes() + " byte(s) from offset " + at, frame);
            }
            if (chance(c.duplicate())) {
                duplicated++;
                note(now, "duplicated", frame);
                info = FrameSink.completePartial(frame, FrameSink.ipOffset(inner.medium()), info); // the copy is checked in full
                byte[] copy = frame.clone();
                reorderStage(now, frame, c, info);
                reorderStage(now, copy, c, info & ~FrameSink.CHECKSUM_VERIFIED);
            } else {
                reorderStage(now, frame, c, info);
            }
        }

        private void reorderStage(long now, byte[] frame, FaultConfig c, int info) {
            if (held == null && chance(c.reorder())) {
                held = frame;
                heldUntil = now + c.reorderHoldNs();
                reordered++;
                note(now, "held back (reorder)", frame);
                return;
            }
            shape(now, frame, c, info);
            releaseHeld(now, c);
        }

        private void releaseHeld(long now, FaultConfig c) {
            if (held == null) return;
            byte[] h = held;
            held = null;
            heldUntil = Time.NEVER;
            shape(now, h, c, 0); // held back: the device's word is not kept
        }

        /** Delay and rate limit; frames leave in order. */
        private void shape(long now, byte[] frame, FaultConfig c, int info) {
            if (c.delayNs() == 0 && c.rateBitsPerSec() == 0 && queue.isEmpty()) {
                passed++;
                if (info == 0) next.receive(now, frame);
                else next.receive(now, frame, info);
                return;
            }
            if (c.queueLimit() > 0 && queue.size() >= c.queueLimit()) {
                queueDropped++;
                drop(now, DropReason.QUEUE_FULL, "queue full", frame);
                return;
            }
            long release = now;
            if (c.rateBitsPerSec() > 0) {
                long start = Math.max(now, lastTxEnd);
                lastTxEnd = start + serializationNs(frame.length, c.rateBitsPerSec());
                release = lastTxEnd;
            }
            release += c.delayNs();
            // Keep FIFO even if the config changed to a shorter delay meanwhile.
            Timed last = queue.peekLast();
            if (last != null && last.release() > release) release = last.release();
            queue.add(new Timed(release, frame));
        }

        private void drop(long now, DropReason kind, String reason, byte[] frame) {
            if (tracer.enabled())
                tracer.event(new TraceEvent.Drop(now, "fault", kind, reason, direction + " " + frame.length + " bytes"));
        }

        private void note(long now, String what, byte[] frame) {
            if (tracer.enabled())
                tracer.event(new TraceEvent.Note(now, "fault", what + ": " + direction + " " + frame.length + " bytes"));
        }

        long pollAt() {
            Timed head = queue.peek();
            return Math.min(heldUntil, head == null ? Time.NEVER : head.release());
        }

        void poll(long now) {
            if (held != null && heldUntil <= now) releaseHeld(now, config);
            while (!queue.isEmpty() && queue.peek().release() <= now) {
                passed++;
                next.receive(now, queue.poll().frame());
            }
        }
    }

    /** Time to clock {@code bytes} onto a wire of {@code bitsPerSec}, rounded up to whole ns. */
    public static long serializationNs(int bytes, long bitsPerSec) {
        if (bitsPerSec <= 0) return 0;
        return Math.ceilDiv(Math.multiplyExact((long) bytes * 8, 1_000_000_000L), bitsPerSec);
    }
}
