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
    private final EventLoop loop;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();

    public Signal(EventLoop loop) { this.loop = Objects.requireNonNull(loop, "loop"); }

    /** Runs {@code change} under the lock, then wakes all waiters so they re-check their condition. */
    public void update(Runnable change) {
        lock.lock();
        try {
            change.run();
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
