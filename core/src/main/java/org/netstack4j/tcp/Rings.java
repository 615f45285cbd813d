package org.netstack4j.tcp;

import java.util.Map;
import java.util.function.IntFunction;

/**
 * The rings of one kind (send or receive) for the stack's buffer size: the empty stand-in
 * all idle connections share, and one drained ring kept for the next connection that needs
 * one. A connection whose application drains its buffer and then receives (or queues) more,
 * as every bulk transfer does, would otherwise allocate a new array and grow it from 256
 * bytes each time. At most one spare per kind; idle connections still hold none. Connections
 * with their own buffer size get rings of that size and no spare.
 */
final class Rings {
    private final int size;
    private final RingBuffer empty;
    /** Shared empty rings of the sizes that per-connection configurations use (send and receive alike). */
    private final Map<Integer, RingBuffer> otherEmpty;
    /** Makes the rings connections own, charged to the layer's buffer memory (Hardening). */
    private final IntFunction<RingBuffer> factory;
    private RingBuffer spare;

    Rings(int size, Map<Integer, RingBuffer> otherEmpty, IntFunction<RingBuffer> factory) {
        this.size = size;
        this.empty = RingBuffer.sharedEmpty(size);
        this.otherEmpty = otherEmpty;
        this.factory = factory;
    }

    /** The shared empty ring for a connection whose buffer holds {@code capacity} bytes. */
    RingBuffer empty(int capacity) {
        return capacity == size ? empty : otherEmpty.computeIfAbsent(capacity, RingBuffer::sharedEmpty);
    }

    /** A ring for a connection's first byte: the spare one if there is one (stack-sized connections). */
    RingBuffer take(int capacity) {
        if (capacity != size) return factory.apply(capacity);
        RingBuffer r = spare;
        spare = null;
        return r != null ? r : factory.apply(size);
    }

    /** A connection gives back its empty ring; returns the shared empty ring to use instead. */
    RingBuffer recycle(RingBuffer r, int capacity) {
        if (r.isEmpty() && r.isCharged() && r.capacity() == size && (spare == null || r.allocated() > spare.allocated())) {
            if (spare != null) spare.uncharge();
            spare = r;
        } else if (r.isEmpty() && r != spare) {
            r.uncharge(); // dropped (a ring still holding bytes stays with its caller)
        }
        return empty(capacity);
    }
}
