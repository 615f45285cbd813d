package org.netstack4j.runtime;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.netstack4j.device.FrameSink;

/**
 * An {@link IoSource} attached to an {@link EventLoop}: a platform reader thread blocks in
 * {@link IoSource#read()} and queues frames; the loop delivers them to the sink, all frames
 * queued so far in one task, with one wakeup per burst. The queue is bounded like a NIC
 * receive ring: when the stack falls behind by {@code queueLimit} frames, new frames are
 * dropped and counted, so a flood cannot grow memory without bound.
 *
 * <p>Frames go to the loop in batches: while the source says more frames are ready
 * ({@link IoSource#hasReadyFrames}) the reader gathers them (up to {@link #BATCH} at a time) and
 * hands the batch over with one queue node and one atomic update of the queued count; the
 * counters are plain fields of the thread that changes them, published with release stores.
 */
public final class IoRegistration implements AutoCloseable {
    /** Frames the reader gathers before handing them to the loop, at most. */
    static final int BATCH = 64;

    private final EventLoop loop;
    private final String name;
    private final IoSource source;
    private final FrameSink sink;
    private final int queueLimit;
    /** Frames that may be dropped once {@link #shedAt} frames wait (null: none). */
    private final java.util.function.Predicate<byte[]> sheddable;
    private final int shedAt;
    private final ConcurrentLinkedQueue<Batch> queue = new ConcurrentLinkedQueue<>();

    /** Frames read together and what the source said of each ({@link IoSource#lastFrameInfo}). */
    private static final class Batch {
        final byte[][] frames = new byte[BATCH][];
        final int[] infos = new int[BATCH];
        int size;
        /** System.nanoTime() when handed to the loop. */
        long handedAt;
    }

    /** A batch that waited at least this long for the loop counts in {@link #slowBatches}. */
    public static final long SLOW_BATCH_NANOS = 100_000_000L;

    /** Frames handed over and not yet delivered: changed once per batch on each side. */
    private final AtomicInteger queued = new AtomicInteger();
    // written by the reader thread only (plain increments, published per batch)
    private long received, dropped, shed;
    // written by the loop thread only
    private long delivered, maxWaitNanos, slowBatches;
    private static final VarHandle RECEIVED, DROPPED, SHED, DELIVERED, MAX_WAIT, SLOW;
    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            RECEIVED = l.findVarHandle(IoRegistration.class, "received", long.class);
            DROPPED = l.findVarHandle(IoRegistration.class, "dropped", long.class);
            SHED = l.findVarHandle(IoRegistration.class, "shed", long.class);
            DELIVERED = l.findVarHandle(IoRegistration.class, "delivered", long.class);
            MAX_WAIT = l.findVarHandle(IoRegistration.class, "maxWaitNanos", long.class);
            SLOW = l.findVarHandle(IoRegistration.class, "slowBatches", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
    private final Thread thread;
    private volatile boolean closed;

    IoRegistration(EventLoop loop, String name, IoSource source, FrameSink sink, int queueLimit,
                   java.util.function.Predicate<byte[]> sheddable, int shedAt) {
        if (queueLimit <= 0) throw new IllegalArgumentException("queueLimit must be > 0: " + queueLimit);
        if (shedAt < 0 || shedAt > queueLimit) throw new IllegalArgumentException("shedAt must be in 0.." + queueLimit + ": " + shedAt);
        this.shedAt = shedAt;
        this.sheddable = sheddable;
        this.loop = loop;
        this.name = name;
        this.source = source;
        this.sink = sink;
        this.queueLimit = queueLimit;
        this.thread = Thread.ofPlatform().name("netstack4j-rx-" + name).daemon(true).unstarted(this::readLoop);
    }

    void start() { thread.start(); }

    public String name() { return name; }

    /** Frames read from the source. */
    public long received() { return (long) RECEIVED.getAcquire(this); }

    /** Frames dropped because {@code queueLimit} frames were already waiting for the loop (sheddable ones: {@code shedAt}). */
    public long dropped() { return (long) DROPPED.getAcquire(this); }

    /** Of {@link #dropped}, the sheddable frames dropped while the queue was between {@code shedAt} and full. */
    public long shed() { return (long) SHED.getAcquire(this); }

    /** Frames handed to the sink on the loop thread. */
    public long delivered() { return (long) DELIVERED.getAcquire(this); }

    /**
     * The longest a batch of frames waited between the reader's hand-over and the loop's drain
     * (queueing delay: how far the loop was behind), in nanoseconds.
     */
    public long maxWaitNanos() { return (long) MAX_WAIT.getAcquire(this); }

    /** Batches that waited {@link #SLOW_BATCH_NANOS} or more for the loop. */
    public long slowBatches() { return (long) SLOW.getAcquire(this); }

    /** True once the reader thread has finished (end of input, error or close). */
    public boolean finished() { return !thread.isAlive(); }

    private void readLoop() {
        Batch batch = new Batch();
        long rx = 0, drops = 0, sheds = 0;
        try {
            while (!closed) {
                byte[] frame = source.read();
                if (frame == null) break;
                rx++;
                int waiting = queued.get() + batch.size;
                if (waiting >= queueLimit) {
                    drops++;
                } else if (sheddable != null && waiting >= shedAt && sheddable.test(frame)) {
                    // A falling-behind loop keeps the rest of its queue beyond shedAt (by default the
                    // second half) for frames that must not be shed (e.g. the segments of connections
                    // already open, under a SYN flood): they then always get in, and wait behind at
                    // most shedAt sheddable ones.
                    drops++;
                    sheds++;
                } else {
                    batch.frames[batch.size] = frame;
                    batch.infos[batch.size++] = source.lastFrameInfo();
                }
                if (batch.size == BATCH || !source.hasReadyFrames()) {
                    RECEIVED.setRelease(this, rx);
                    DROPPED.setRelease(this, drops);
                    SHED.setRelease(this, sheds);
                    if (batch.size > 0) {
                        handOver(batch);
                        batch = new Batch();
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            if (!closed && !(e instanceof RejectedExecutionException)) loop.reportFailure(new IOException("reader " + name + " failed", e));
        } finally {
            RECEIVED.setRelease(this, rx);
            DROPPED.setRelease(this, drops);
            SHED.setRelease(this, sheds);
            if (batch.size > 0 && !closed) {
                try {
                    handOver(batch);
                } catch (RejectedExecutionException ignored) {
                    // the loop is gone
                }
            }
        }
    }

    private void handOver(Batch batch) {
        batch.handedAt = System.nanoTime();
        queue.add(batch);
        // Only the batch that makes the queue non-empty schedules a drain; the drain takes
        // everything queued by then (batches added during it are polled too).
        if (queued.getAndAdd(batch.size) == 0) loop.execute(this::drain);
    }

    /** Runs on the loop thread. */
    private void drain() {
        long now = loop.now();
        long n = delivered;
        Batch b;
        while ((b = queue.poll()) != null) {
            long waited = System.nanoTime() - b.handedAt;
            if (waited > maxWaitNanos) MAX_WAIT.setRelease(this, waited);
            if (waited >= SLOW_BATCH_NANOS) SLOW.setRelease(this, slowBatches + 1);
            for (int i = 0; i < b.size; i++) {
                int info = b.infos[i];
                if (info == 0) sink.receive(now, b.frames[i]);
                else sink.receive(now, b.frames[i], info);
            }
            n += b.size;
            DELIVERED.setRelease(this, n);
            queued.addAndGet(-b.size);
        }
    }

    /** Closes the source (which must unblock the reader) and waits up to 5 s for the reader thread. */
    @Override public void close() {
        if (closed) return;
        closed = true;
        try {
            source.close();
        } catch (IOException e) {
            loop.reportFailure(e);
        }
        if (Thread.currentThread() != thread) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        loop.unregister(this);
    }
}
