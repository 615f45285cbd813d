package org.netstack4j.runtime;

import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.netstack4j.time.Time;

/**
 * How a thread outside the loop waits for something the loop will do: the loop (usually a
 * stack callback) changes shared state inside {@link #update} and the waiter blocks in
 * {@link #await} until its condition, read under the same lock, holds. Deadlines are on the
 * loop's clock ({@link EventLoop#now()}). Closing the loop wakes every waiter, so nobody
 * waits forever on a dead stack. Works for platform and virtual threads alike.
 */
public final class Signal {
    /**
     * Before parking, a waiter watches for an update this long (ns; loop clock): the thread
     * that will answer usually runs on another core and answers within microseconds, and a
     * waiter that sees the answer while spinning saves the park, the waker's unpark call and
     * the scheduler's wake-up latency (like Linux's busy polling of sockets). Bounded, so an
     * idle wait costs at most this much CPU, and the spin yields the core to any other runnable
     * thread between its checks. System property {@code netstack4j.signal.spinNanos}
     * (0 disables). Measured with bench connect/pingpong on 2 shared cores: see the README's
     * benchmark section.
     */
    private static final long SPIN_NS = Long.getLong("netstack4j.signal.spinNanos", Time.us(20));
    /**
     * After this many waits in a row that the spin did not end (nor a wake within the spin time
     * after it), the signal stops spinning: its waiter waits for things that come late (a
     * keep-alive connection's next request, milliseconds away) and each spin would only burn
     * its 20 us. Every {@link #PROBE_EVERY}th wait spins again, and a wait ended by a wake within
     * the spin time turns spinning back on (adaptive, like the JVM's spinning before it inflates
     * a monitor).
     */
    static final int SPIN_MISSES_BEFORE_PARK = 4;
    static final int PROBE_EVERY = 16;

    private final EventLoop loop;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Bumped by every update: a spinning waiter re-checks its condition when it changes. */
    private volatile int version;
    /** Waits in a row that spinning did not help (racy among waiters: a hint, not a count). */
    private int spinMisses;
    /** Waits that skipped the spin since the last probe. */
    private int unspun;

    public Signal(EventLoop loop) { this.loop = Objects.requireNonNull(loop, "loop"); }

    /** Spins until {@code ready} holds (true) or {@code until} passes (false); checks {@code ready} under the lock after each update. */
    private boolean spinUntilReady(BooleanSupplier ready, long until) {
        int seen = -1;
        while (true) {
            int v = version;
            if (v != seen) {
                seen = v;
                lock.lock();
                try {
                    if (ready.getAsBoolean()) return true;
                } finally {
                    lock.unlock();
                }
            }
            for (int i = 0; i < 32 && version == seen; i++) Thread.onSpinWait();
            if (version != seen) continue;
            if (loop.now() >= until || loop.isClosed()) return false;
            // Let a runnable thread have this core: when cores are oversubscribed, the
            // thread we wait for may be the one waiting for a core.
            Thread.yield();
        }
    }

    /** Runs {@code change} under the lock, then wakes all waiters so they re-check their condition. */
    public void update(Runnable change) {
        lock.lock();
        try {
            change.run();
            version++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Wakes all waiters (state changed elsewhere, e.g. in a volatile field). */
    public void signal() { update(() -> {}); }

    /**
     * Blocks until {@code ready} (evaluated under the lock) is true, the loop's clock reaches
     * {@code deadline} ({@link Time#NEVER}: no limit) or the loop closes. Returns the last
     * value of {@code ready}: false means timed out or loop closed ({@link EventLoop#isClosed()}).
     */
    public boolean await(BooleanSupplier ready, long deadline) throws InterruptedException {
        if (SPIN_NS <= 0) return parkUntil(ready, deadline);
        long start = loop.now();
        boolean spin = spinMisses < SPIN_MISSES_BEFORE_PARK || ++unspun >= PROBE_EVERY;
        if (spin) {
            unspun = 0;
            if (spinUntilReady(ready, Math.min(deadline, start + SPIN_NS))) {
                spinMisses = 0;
                return true;
            }
        }
        boolean woken = parkUntil(ready, deadline);
        // a wait that did not spin but was woken within the spin time: spinning would have paid
        boolean wouldHavePaid = !spin && woken && loop.now() - start < SPIN_NS;
        spinMisses = wouldHavePaid ? 0 : Math.min(spinMisses + 1, SPIN_MISSES_BEFORE_PARK);
        return woken;
    }

    /** The parking part of {@link #await}. */
    private boolean parkUntil(BooleanSupplier ready, long deadline) throws InterruptedException {
        lock.lock();
        try {
            if (ready.getAsBoolean()) return true;
            loop.addWaiter(this);
            try {
                while (true) {
                    if (ready.getAsBoolean()) return true;
                    if (loop.isClosed()) return false;
                    if (deadline == Time.NEVER) {
                        changed.await();
                    } else {
                        long left = deadline - loop.now();
                        if (left <= 0) return false;
                        changed.awaitNanos(left);
                    }
                }
            } finally {
                loop.removeWaiter(this);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Whether the next wait spins before parking (not after {@link #SPIN_MISSES_BEFORE_PARK} useless spins). */
    boolean spinsFirst() { return SPIN_NS > 0 && spinMisses < SPIN_MISSES_BEFORE_PARK; }

    /** Called by the loop when it stops. */
    void wake() { signal(); }
}
