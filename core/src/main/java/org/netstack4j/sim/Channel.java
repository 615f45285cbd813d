package org.netstack4j.sim;

import java.util.ArrayDeque;
import java.util.SplittableRandom;
import org.netstack4j.device.Corruption;
import org.netstack4j.device.EcnMarking;
import org.netstack4j.device.FaultInjector;
import org.netstack4j.trace.DropReason;
import org.netstack4j.trace.TraceEvent;

/**
 * One direction of a simulated medium: the sending endpoint's transmit queue, the wire's
 * serialization and latency, and the faults. Where the frames end up is up to the owner
 * ({@link SimLink}: the other endpoint; {@link SimSegment}: every other port).
 */
final class Channel {
    /** Hands a frame that came off the wire to its receiver(s). */
    @FunctionalInterface
    interface Fanout {
        void deliver(long now, byte[] frame);
    }

    private final Simulator sim;
    private final String name;
    private final SplittableRandom random;
    private final Fanout fanout;
    LinkConfig config;
    boolean up = true;

    private final ArrayDeque<Long> inSerialization = new ArrayDeque<>();
    private long lastTxEnd = Long.MIN_VALUE;
    private long nextSeq;
    private Held held;
    private long transmitted, delivered, lost, duplicated, reordered, corrupted, mtuDropped, queueDropped, downDropped, ceMarked;

    /** A frame held back by reordering; released after any later frame arrives, or at its deadline. */
    private static final class Held {
        final long seq;
        final byte[] frame;
        boolean released;

        Held(long seq, byte[] frame) {
            this.seq = seq;
            this.frame = frame;
        }
    }

    Channel(Simulator sim, String name, LinkConfig config, SplittableRandom random, Fanout fanout) {
        this.sim = sim;
        this.name = name;
        this.config = config;
        this.random = random;
        this.fanout = fanout;
    }

    LinkStats stats() {
        return new LinkStats(transmitted, delivered, lost, duplicated, reordered, corrupted, mtuDropped, queueDropped,
                downDropped, ceMarked);
    }

    private boolean chance(double p) { return p > 0 && random.nextDouble() < p; }

    void transmit(long now, byte[] frame) {
        LinkConfig c = config;
        transmitted++;
        if (!up) {
            downDropped++;
            drop(now, DropReason.LINK_DOWN, "link down", frame);
            return;
        }
        if (frame.length > c.mtu() + c.linkHeaderBytes()) {
            mtuDropped++;
            drop(now, DropReason.TOO_BIG, "frame of " + frame.length + " bytes exceeds MTU " + c.mtu(), frame);
            return;
        }
        long txEnd = now;
        if (c.bandwidthBitsPerSec() > 0) {
            while (!inSerialization.isEmpty() && inSerialization.peekFirst() <= now) inSerialization.pollFirst();
            if (c.queueLimit() > 0 && inSerialization.size() >= c.queueLimit()) {
                queueDropped++;
                drop(now, DropReason.QUEUE_FULL, "queue full (" + c.queueLimit() + " frames)", frame);
                return;
            }
            // an ECN-marking queue (RFC 3168 5): a standing queue marks ECN-capable frames
            if (c.ceThreshold() > 0 && inSerialization.size() >= c.ceThreshold() && EcnMarking.markCe(frame, c.medium())) ceMarked++;
            long start = Math.max(now, lastTxEnd);
            txEnd = start + FaultInjector.serializationNs(frame.length, c.bandwidthBitsPerSec());
            lastTxEnd = txEnd;
            inSerialization.addLast(txEnd);
        }
        long arrival = txEnd + c.latencyNs();
        long seq = nextSeq++;
        // The random draws happen in a fixed order for every frame, so a seed replays exactly.
        if (chance(c.loss())) {
            lost++;
            drop(now, DropReason.LOST, "lost in flight (random)", frame);
            return;
        }
        if (chance(c.ceMark()) && EcnMarking.markCe(frame, c.medium())) ceMarked++;
        if (chance(c.corrupt())) {
            Corruption.corrupt(frame, c.medium(), c.corruptBytes(), random);
            corrupted++;
        }
        boolean dup = chance(c.duplicate());
        if (held == null && chance(c.reorder())) {
            reordered++;
            Held h = new Held(seq, frame);
            held = h;
            sim.schedule(arrival + c.reorderHoldNs(), t -> release(t, h));
        } else {
            sim.schedule(arrival, t -> arrive(t, seq, frame));
        }
        if (dup) {
            duplicated++;
            byte[] copy = frame.clone();
            sim.schedule(arrival, t -> arrive(t, seq, copy));
        }
    }

    private void arrive(long now, long seq, byte[] frame) {
        delivered++;
        fanout.deliver(now, frame);
        Held h = held;
        if (h != null && seq > h.seq) release(now, h);
    }

    private void release(long now, Held h) {
        if (h.released) return;
        h.released = true;
        if (held == h) held = null;
        delivered++;
        fanout.deliver(now, h.frame);
    }

    private void drop(long now, DropReason kind, String reason, byte[] frame) {
        if (sim.tracer().enabled())
            sim.tracer().event(new TraceEvent.Drop(now, "link", kind, reason, name + " " + frame.length + " bytes"));
    }
}
