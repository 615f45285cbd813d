package org.netstack4j.time;

/**
 * Anything driven by time passed in: a stack, a link, a middleware with queued frames.
 * A runtime calls {@link #poll(long)} at or after {@link #pollAt()}; the simulator jumps
 * virtual time straight to the earliest pollAt of everything it drives.
 */
public interface Pollable {
    /** The next time this needs {@link #poll(long)}, or {@link Time#NEVER}. */
    long pollAt();

    /** Do whatever is due at {@code now} (nanoseconds). */
    void poll(long now);
}
