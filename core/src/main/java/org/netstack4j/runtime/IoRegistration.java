package org.netstack4j.runtime;

import java.io.IOException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.netstack4j.device.FrameSink;

/**
 * An {@link IoSource} attached to an {@link EventLoop}: a platform reader thread blocks in
 * {@link IoSource#read()} and queues frames; the loop delivers them to the sink, all frames
 * queued so far in one task, with one wakeup per burst. The queue is bounded like a NIC
 * receive ring: when the stack falls behind by {@code queueLimit} frames, new frames are
 * dropped and counted, so a flood cannot grow memory without bound.
 */
public final class IoRegistration implements AutoCloseable {
    private final EventLoop loop;
    private final String name;
    private final IoSource source;
    private final FrameSink sink;
    private final int queueLimit;
    /** Frames that may be dropped once the queue is half full (null: none). */
    private final java.util.function.Predicate<byte[]> sheddable;
    /** byte[] frames, and {@link Merged} ones for super-packets. */
    private final ConcurrentLinkedQueue<Object> queue = new ConcurrentLinkedQueue<>();

    /** A super-packet and the payload size of the segments it was merged from ({@link IoSource#lastSegmentSize}). */
    private record Merged(byte[] frame, int segmentSize) {}
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong shed = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private final Thread thread;
    private volatile boolean closed;

    IoRegistration(EventLoop loop, String name, IoSource source, FrameSink sink, int queueLimit,
                   java.util.function.Predicate<byte[]> sheddable) {
        if (queueLimit <= 0) throw new IllegalArgumentException("queueLimit must be > 0: " + queueLimit);
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
    public long received() { return received.get(); }

    /** Frames dropped because {@code queueLimit} frames were already waiting for the loop (sheddable ones: half of it). */
    public long dropped() { return dropped.get(); }

    /** Of {@link #dropped}, the sheddable frames dropped while the queue was between half and full. */
    public long shed() { return shed.get(); }

    /** Frames handed to the sink on the loop thread. */
    public long delivered() { return delivered.get(); }

    /** True once the reader thread has finished (end of input, error or close). */
    public boolean finished() { return !thread.isAlive(); }

    private void readLoop() {
        try {
            while (!closed) {
                byte[] frame = source.read();
                if (frame == null) break;
                received.incrementAndGet();
                int waiting = queued.get();
                if (waiting >= queueLimit) {
                    dropped.incrementAndGet();
                    continue;
                }
                // A falling-behind loop keeps the second half of its queue for frames that must
                // not be shed (e.g. the segments of connections already open, under a SYN flood):
                // they then always get in, and sheddable ones wait at most half a queue.
                if (sheddable != null && waiting >= queueLimit / 2 && sheddable.test(frame)) {
                    dropped.incrementAndGet();
                    shed.incrementAndGet();
                    continue;
                }
                int seg = source.lastSegmentSize();
                queue.add(seg > 0 ? new Merged(frame, seg) : frame);
                // Only the frame that makes the queue non-empty schedules a drain; the drain
                // takes everything queued by then (frames added during it are polled too).
                if (queued.getAndIncrement() == 0) loop.execute(this::drain);
            }
        } catch (IOException | RuntimeException e) {
            if (!closed && !(e instanceof RejectedExecutionException)) loop.reportFailure(new IOException("reader " + name + " failed", e));
        }
    }

    /** Runs on the loop thread. */
    private void drain() {
        long now = loop.now();
        Object next;
        while ((next = queue.poll()) != null) {
            queued.decrementAndGet();
            delivered.incrementAndGet();
            if (next instanceof Merged m) sink.receive(now, m.frame(), m.segmentSize());
            else sink.receive(now, (byte[]) next);
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
