package org.netstack4j.bench;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** Runs a client loop on its own thread and samples its counter over a warm-up and a measured window. */
final class Measure {
    /** How long to warm up and how long to measure. */
    record Durations(long warmupNs, long measureNs) {
        static Durations of(boolean quick) {
            return quick ? new Durations(1_000_000_000L, 1_000_000_000L) : new Durations(2_000_000_000L, 5_000_000_000L);
        }
    }

    /** A client loop: adds completed units to {@code counter} until {@code stop}. */
    @FunctionalInterface
    interface ClientLoop {
        void run(AtomicLong counter, AtomicBoolean stop) throws Exception;
    }

    private Measure() {}

    /** Units per second counted during the measured window (the warm-up is not counted). */
    static double rate(Durations d, ClientLoop loop) {
        AtomicLong counter = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = Thread.ofPlatform().daemon(true).name("bench-client").start(() -> {
            try {
                loop.run(counter, stop);
            } catch (Throwable e) {
                if (!stop.get()) failure.set(e);
            }
        });
        sleepNs(d.warmupNs(), failure);
        long c0 = counter.get();
        long t0 = System.nanoTime();
        sleepNs(d.measureNs(), failure);
        long c1 = counter.get();
        long t1 = System.nanoTime();
        stop.set(true);
        try {
            t.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        check(failure);
        if (t.isAlive()) throw new IllegalStateException("the client loop did not stop within 30 s");
        return (c1 - c0) / ((t1 - t0) / 1e9);
    }

    private static void sleepNs(long ns, AtomicReference<Throwable> failure) {
        long end = System.nanoTime() + ns;
        while (true) {
            check(failure);
            long left = end - System.nanoTime();
            if (left <= 0) return;
            try {
                Thread.sleep(Math.min(50, Math.max(1, left / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted");
            }
        }
    }

    private static void check(AtomicReference<Throwable> failure) {
        Throwable f = failure.get();
        if (f != null) throw new IllegalStateException("client failed: " + f, f);
    }

    /** Starts a daemon thread. */
    static Thread daemon(String name, Runnable r) { return Thread.ofPlatform().daemon(true).name(name).start(r); }

    static void closeQuietly(AutoCloseable c) {
        try {
            if (c != null) c.close();
        } catch (Exception ignored) {
            // cleanup
        }
    }

    static IOException io(String what, Throwable cause) { return new IOException(what, cause); }
}
