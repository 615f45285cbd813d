package org.netstack4j.sim;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;
import org.netstack4j.time.Pollable;
import org.netstack4j.time.Time;
import org.netstack4j.trace.Tracer;

/**
 * Runs stacks ({@link Pollable}s) and simulated links in virtual time. The loop: find the
 * earliest of the pending link events and every added Pollable's {@code pollAt()}, jump the
 * clock there, then process everything due at that instant (link events in the order they
 * were scheduled, then Pollables in the order they were added) until nothing more is due.
 * Idle time costs nothing; the same seed, the same Pollables and the same calls give the same
 * run: identical frames at identical nanoseconds. Nothing here reads a clock.
 *
 * <p>Time starts at 0 and never goes backwards: a pollAt in the past is served at {@link #now}.
 * Durations passed to {@link #runUntil(BooleanSupplier, long)} and {@link #runUntilIdle} count
 * from {@link #now}; {@link #runUntil(long)} takes an absolute time.
 */
public final class Simulator implements Pollable {
    private record Event(long time, long seq, LongConsumer action) implements Comparable<Event> {
        @Override public int compareTo(Event o) {
            int c = Long.compare(time, o.time);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    private final long seed;
    private final List<Pollable> pollables = new ArrayList<>();
    private final PriorityQueue<Event> events = new PriorityQueue<>();
    private final Set<String> names = new HashSet<>();
    private long now;
    private long nextSeq;
    private long instants;
    private long maxIterationsPerInstant = 10_000_000L;
    private int autoNames;
    private Tracer tracer = Tracer.NONE;

    public Simulator(long seed) { this.seed = seed; }

    public long seed() { return seed; }

    /** Virtual time in ns. */
    public long now() { return now; }

    /** Drives {@code p} from now on (after those added before it at the same instant). */
    public void add(Pollable p) { pollables.add(p); }

    public boolean remove(Pollable p) { return pollables.remove(p); }

    /** Link drops are reported here as {@code TraceEvent.Drop} with layer "link". */
    public void setTracer(Tracer tracer) { this.tracer = tracer == null ? Tracer.NONE : tracer; }

    public Tracer tracer() { return tracer; }

    /** A link named "link0", "link1", ... */
    public SimLink link(LinkConfig config) {
        String n;
        do n = "link" + autoNames++; while (names.contains(n));
        return link(n, config);
    }

    /** A link with a name of your choice (unique; it also picks the link's random stream). */
    public SimLink link(String name, LinkConfig config) {
        claim(name);
        return new SimLink(this, name, config, random("link:" + name));
    }

    /** A shared segment (hub) that hosts join with {@link SimSegment#port()}. */
    public SimSegment segment(String name, LinkConfig config) {
        claim(name);
        return new SimSegment(this, name, config, random("segment:" + name));
    }

    private void claim(String name) {
        if (!names.add(name)) throw new IllegalArgumentException("a link or segment named " + name + " exists already");
    }

    /** Runs {@code action} at virtual time {@code timeNs} (at once if that is past), after events scheduled earlier for the same time. */
    public void at(long timeNs, Runnable action) { schedule(timeNs, t -> action.run()); }

    void schedule(long timeNs, LongConsumer action) {
        events.add(new Event(Math.max(timeNs, now), nextSeq++, action));
    }

    /**
     * A random stream derived from the seed and {@code purpose} alone: the same pair always
     * gives the same sequence, different purposes give independent ones.
     */
    public SplittableRandom random(String purpose) {
        long h = 0xcbf29ce484222325L; // FNV-1a 64 over the UTF-8 bytes of the purpose
        for (byte b : purpose.getBytes(StandardCharsets.UTF_8)) h = (h ^ (b & 0xff)) * 0x100000001b3L;
        return new SplittableRandom(mix(mix(seed) ^ h));
    }

    /** MurmurHash3's 64-bit finalizer. */
    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }

    /** The earliest time anything wants attention (NEVER if nothing does). */
    public long nextEventTime() {
        long t = events.isEmpty() ? Time.NEVER : events.peek().time();
        for (int i = 0, n = pollables.size(); i < n; i++) t = Math.min(t, pollables.get(i).pollAt());
        return t;
    }

    /**
     * As a {@link Pollable} the whole simulated network can be driven by a real-time runtime
     * ({@code EventLoop.start(sim)}): virtual time then follows the wall clock, so blocking
     * sockets can run across simulated links with their latency and faults.
     */
    @Override public long pollAt() { return nextEventTime(); }

    @Override public void poll(long nowNs) { runUntil(nowNs); }

    /** True if nothing is scheduled and no Pollable wants a poll. */
    public boolean idle() { return nextEventTime() == Time.NEVER; }

    /** Distinct instants processed so far (a measure of work, not of time). */
    public long instantsProcessed() { return instants; }

    /** Guard against a Pollable that stays due after being polled (default 10 million rounds at one instant). */
    public void setMaxIterationsPerInstant(long max) { this.maxIterationsPerInstant = max; }

    /** Processes everything due up to and including {@code timeNs}, then sets the clock to it. */
    public void runUntil(long timeNs) {
        while (step(timeNs)) { }
        if (now < timeNs) now = timeNs;
    }

    /**
     * Runs until {@code done} is true (checked before starting and after every instant) or
     * {@code timeoutNs} of virtual time has passed; returns done's last answer. On timeout the
     * clock stands at the deadline.
     */
    public boolean runUntil(BooleanSupplier done, long timeoutNs) {
        long deadline = deadline(timeoutNs);
        if (done.getAsBoolean()) return true;
        while (step(deadline)) {
            if (done.getAsBoolean()) return true;
        }
        if (now < deadline) now = deadline;
        return done.getAsBoolean();
    }

    /**
     * Runs until nothing is left to do or {@code maxTimeNs} of virtual time has passed, and
     * returns the time of the last instant processed (the clock stays there). Use
     * {@link #idle()} to tell the two apart.
     */
    public long runUntilIdle(long maxTimeNs) {
        long deadline = deadline(maxTimeNs);
        while (step(deadline)) { }
        return now;
    }

    private long deadline(long duration) {
        if (duration < 0) throw new IllegalArgumentException("negative duration: " + duration);
        long d = now + duration;
        return d < now ? Time.NEVER - 1 : d; // saturate
    }

    /** Jumps to the next instant at or before {@code limit} and processes it; false if there is none. */
    private boolean step(long limit) {
        long t = nextEventTime();
        if (t == Time.NEVER || t > limit) return false;
        if (t > now) now = t;
        instants++;
        long rounds = 0;
        boolean any = true;
        while (any) {
            any = false;
            while (!events.isEmpty() && events.peek().time() <= now) {
                events.poll().action().accept(now);
                any = true;
            }
            for (int i = 0; i < pollables.size(); i++) {
                Pollable p = pollables.get(i);
                if (p.pollAt() <= now) {
                    p.poll(now);
                    any = true;
                }
            }
            if (++rounds > maxIterationsPerInstant)
                throw new IllegalStateException("simulation stuck at t=" + now + " ns: still due after "
                        + maxIterationsPerInstant + " rounds: " + dueNames());
        }
        return true;
    }

    private String dueNames() {
        List<String> due = new ArrayList<>();
        for (Pollable p : pollables) if (p.pollAt() <= now) due.add(p.toString());
        if (!events.isEmpty() && events.peek().time() <= now) due.add("link events");
        return due.toString();
    }
}
