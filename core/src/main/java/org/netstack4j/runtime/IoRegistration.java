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
 *
 * <p>Shedding behind the source (issue 20): while the loop is free the reader delivers its batch
 * itself (inline, see {@link EventLoop}), so under a flood the frames wait not in this queue but in
 * the source's (the kernel's TUN ring), where nothing tells a legitimate frame from the flood's and
 * the overflow drops both alike. The reader therefore also counts how long it has been behind the
 * source: frames read in consecutive runs (frames ready one after another, until the source has
 * none ready) of at least {@link #FULL_RUN} frames each. Once that reaches {@code shedAt}, sheddable
 * frames are shed as if {@code shedAt} frames waited here, until a short run shows the source has
 * caught up: a sheddable frame then costs the read alone, not the read, the stack's work and the
 * answer, so the reader drains the source's backlog before it overflows. Counted in
 * {@link #shedBehind}. System property {@code netstack4j.rx.shedBehind=false} turns it off.
 */
public final class IoRegistration implements AutoCloseable {
    /** Frames the reader gathers before handing them to the loop, at most. */
    static final int BATCH = 64;
    /**
     * A run of at least this many frames ready at once means frames waited at the source (a
     * reader that keeps up finds a few at a time): see the class comment.
     */
    static final int FULL_RUN = 16;
    /** Whether sheddable frames are shed while the reader is behind its source (class comment). */
    private static final boolean SHED_BEHIND = Boolean.parseBoolean(System.getProperty("netstack4j.rx.shedBehind", "true"));

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
    private long received, dropped, shed, shedBehind;
    // written by the loop thread only
    private long delivered, maxWaitNanos, slowBatches;
    private static final VarHandle RECEIVED, DROPPED, SHED, SHED_BEHIND_COUNT, DELIVERED, MAX_WAIT, SLOW;
    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            RECEIVED = l.findVarHandle(IoRegistration.class, "received", long.class);
            DROPPED = l.findVarHandle(IoRegistration.class, "dropped", long.class);
            SHED = l.findVarHandle(IoRegistration.class, "shed", long.class);
            SHED_BEHIND_COUNT = l.findVarHandle(IoRegistration.class, "shedBehind", long.class);
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

    /**
     * Of {@link #shed}, the frames shed while the reader was behind its source (frames waiting
     * there, not in this queue: see the class comment).
     */
    public long shedBehind() { return (long) SHED_BEHIND_COUNT.getAcquire(this); }

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

    // the reader thread's own state (only it reads and writes these)
    private Batch batch = new Batch();
    private long rx, drops, sheds, behindSheds;
    /** Frames of the current run, and read in the consecutive full runs before it (class comment). */
    private long run, behind;

    private void readLoop() {
        try {
            // The loop's body is a method of its own that returns at each hand-over: code compiled
            // for it elsewhere (an earlier registration, e.g. a warm-up before a flood) serves this
            // reader at its next call, where a loop running in one long interpreted frame would wait
            // for an on-stack replacement of its own (issue 20).
            while (!closed && readBatch()) {
                // the batch was handed over
            }
        } catch (IOException | RuntimeException e) {
            if (!closed && !(e instanceof RejectedExecutionException)) loop.reportFailure(new IOException("reader " + name + " failed", e));
        } finally {
            publish();
            if (batch.size > 0 && !closed) {
                try {
                    handOver(batch);
                } catch (RejectedExecutionException ignored) {
                    // the loop is gone
                }
            }
        }
    }

    /**
     * Reads frames until a batch is ready to hand over (full, or the source has none ready) and
     * hands it over; false at the end of the source's input.
     */
    private boolean readBatch() throws IOException {
        boolean shedWhenBehind = SHED_BEHIND && sheddable != null;
        while (true) {
            byte[] frame = source.read();
            if (frame == null) return false;
            rx++;
            run++;
            int waiting = queued.get() + batch.size;
            if (waiting >= queueLimit) {
                drops++;
            } else if (sheddable != null && (waiting >= shedAt || shedWhenBehind && behind >= shedAt) && sheddable.test(frame)) {
                // A falling-behind loop keeps the rest of its queue beyond shedAt (by default the
                // second half) for frames that must not be shed (e.g. the segments of connections
                // already open, under a SYN flood): they then always get in, and wait behind at
                // most shedAt sheddable ones. The same once shedAt frames waited at the source.
                drops++;
                sheds++;
                if (waiting < shedAt) behindSheds++;
            } else {
                batch.frames[batch.size] = frame;
                batch.infos[batch.size++] = source.lastFrameInfo();
            }
            boolean dry = !source.hasReadyFrames();
            if (dry) {
                behind = run >= FULL_RUN ? behind + run : 0;
                run = 0;
            }
            if (batch.size == BATCH || dry) {
                publish();
                if (batch.size > 0) {
                    handOver(batch);
                    batch = new Batch();
                }
                return true;
            }
        }
    }

    private void publish() {
        RECEIVED.setRelease(this, rx);
        DROPPED.setRelease(this, drops);
        SHED.setRelease(this, sheds);
        SHED_BEHIND_COUNT.setRelease(this, behindSheds);
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
