package org.netstack4j.linux;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Received frame arrays recycled from the stack back to the device's reader thread, so a large
 * read (a 64 KiB TCP super-packet) is copied into an array the stack is done with instead of a
 * new one (allocated and zeroed: a second pass over the bytes, and young-GC work at 1 GB/s).
 *
 * <p>Ownership: only the stack knows when it keeps no reference to a frame (IP
 * releases a frame a protocol handler merely borrowed to the device's
 * {@link org.netstack4j.device.FramePool}, {@code Ipv4.input}), and it hands such arrays here with
 * {@link #giveBack}; the reader thread takes them with {@link #take}. A frame the stack keeps
 * (UDP, ICMP, a reassembly, forwarding) is never released, so never comes back here.
 *
 * <p>Threads: one producer at a time (whichever thread holds the device's event loop: the loop
 * thread, or a reader or application thread that runs the stack inline, {@code EventLoop#execute};
 * the loop's hand-over orders them) and one consumer (the reader thread): a single-producer
 * single-consumer ring of {@link #RETURNS} arrays between them; the
 * reader keeps up to {@link #KEPT} of them, looked up by exact length (a bulk flow's super-packets
 * have few lengths). Arrays shorter than {@link #MIN_LENGTH} are not recycled: allocating them is
 * cheap. At most (RETURNS + KEPT) x 64 KiB, about 6 MiB, is held per device.
 */
final class TunRxPool {
    /** Shorter arrays are allocated afresh. */
    static final int MIN_LENGTH = 2048;
    /** The loop-to-reader ring (a power of two). */
    static final int RETURNS = 64;
    /** Arrays the reader keeps for reuse. */
    static final int KEPT = 32;

    private final AtomicReferenceArray<byte[]> returns = new AtomicReferenceArray<>(RETURNS);
    /** Next slot the reader takes (written by the reader only), next slot the loop fills (loop only). */
    private final AtomicLong head = new AtomicLong(), tail = new AtomicLong();

    // reader thread only
    private final byte[][] kept = new byte[KEPT][];
    private int keptCount, evictAt;
    private long reused;

    /** Holding the loop: an array of a received frame that nothing refers to any more; dropped when the ring is full. */
    void giveBack(byte[] frame) {
        if (frame.length < MIN_LENGTH) return;
        long t = tail.get();
        if (t - head.get() == RETURNS) return; // the reader is behind: let the GC have it
        returns.lazySet((int) t & (RETURNS - 1), frame);
        tail.lazySet(t + 1); // publishes the slot (release store; the reader's get is an acquire)
    }

    /** Reader thread: an array of exactly {@code length} bytes, recycled (old contents: write every byte) or new. */
    byte[] take(int length) {
        if (length < MIN_LENGTH) return new byte[length];
        drain();
        for (int i = 0; i < keptCount; i++) {
            byte[] a = kept[i];
            if (a.length == length) {
                kept[i] = kept[--keptCount];
                kept[keptCount] = null;
                reused++;
                return a;
            }
        }
        return new byte[length];
    }

    /** Moves the arrays the loop gave back into {@link #kept}, evicting round-robin when full (lengths change). */
    private void drain() {
        long h = head.get();
        long t = tail.get();
        if (h == t) return;
        for (; h < t; h++) {
            int i = (int) h & (RETURNS - 1);
            byte[] a = returns.get(i);
            returns.lazySet(i, null);
            if (keptCount < KEPT) {
                kept[keptCount++] = a;
            } else {
                kept[evictAt] = a;
                evictAt = (evictAt + 1) % KEPT;
            }
        }
        head.lazySet(h);
    }

    /** Reads copied into a recycled array (reader thread's count). */
    long reused() { return reused; }
}
