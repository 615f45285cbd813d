package org.netstack4j.linux;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * An eventfd(2) that another thread signals to wake a loop blocked in
 * {@link TunTapDevice#awaitReadable(long, Wakeup)} (or in its own poll set through {@link #fd()}).
 * {@link #signal()} may be called from any thread; {@link #drain()} only from the loop thread.
 */
public final class Wakeup implements AutoCloseable {
    private final Arena arena = Arena.ofShared();
    private final int fd;
    private final MemorySegment one;
    private final MemorySegment scratch;
    private volatile boolean closed;

    private Wakeup(int fd) {
        this.fd = fd;
        this.one = arena.allocate(ValueLayout.JAVA_LONG);
        this.one.set(ValueLayout.JAVA_LONG, 0, 1L);
        this.scratch = arena.allocate(ValueLayout.JAVA_LONG);
    }

    public static Wakeup create() throws IOException {
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment errno = LibC.errnoState(tmp);
            int fd = LibC.eventfd(errno, 0, LibC.EFD_NONBLOCK | LibC.EFD_CLOEXEC);
            if (fd < 0) {
                int e = LibC.errno(errno);
                throw new TunException("eventfd failed: " + Errno.describe(e), e);
            }
            return new Wakeup(fd);
        }
    }

    public int fd() {
        return fd;
    }

    /** Wakes the waiting thread; cheap, any thread, any number of times. */
    public void signal() {
        if (closed) {
            return;
        }
        // A fresh errno segment per call keeps concurrent signallers apart; the value is ignored
        // (the only failure, EAGAIN at a counter of 2^64-2, still leaves the eventfd readable).
        try (Arena call = Arena.ofConfined()) {
            LibC.write(LibC.errnoState(call), fd, one, 8);
        } catch (IllegalStateException closedMeanwhile) {
            // close() won the race: nobody is left to wake.
        }
    }

    /** Resets the eventfd after a wakeup (loop thread only). */
    public void drain() {
        if (closed) {
            return;
        }
        try (Arena call = Arena.ofConfined()) {
            LibC.read(LibC.errnoState(call), fd, scratch, 8);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try (Arena call = Arena.ofConfined()) {
            LibC.close(LibC.errnoState(call), fd);
        }
        arena.close();
    }
}
