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

    private final EventLoop loop;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Bumped by every update: a spinning waiter re-checks its condition when it changes. */
    private volatile int version;

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
        if (SPIN_NS > 0 && spinUntilReady(ready, Math.min(deadline, loop.now() + SPIN_NS))) return true;
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

    /** Called by the loop when it stops. */
    void wake() { signal(); }
}
