package org.netstack4j.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * A provided-buffer ring of an {@link IoUring} (IORING_REGISTER_PBUF_RING, Linux 5.19): {@code
 * count} buffers of {@code size} bytes that the kernel picks from for requests made with
 * IOSQE_BUFFER_SELECT in its group, such as {@link IoUring#prepareMultishotRead}. The ring is an
 * array of {@code struct io_uring_buf} (addr u64, len u32, bid u16, resv u16) shared with the
 * kernel; the tail is the {@code resv} field of the first entry, written with release semantics
 * after the entries (<linux/io_uring.h>, io_uring_register_buf_ring(3)). The buffers are the
 * receive frame pool: a completion names the buffer it filled, and the reader gives the buffer
 * back ({@link #recycle}, then {@link #publish}) once the frame in it has been consumed.
 * One thread at a time, like its ring.
 */
final class BufferRing {
    private static final int ENTRY = 16;
    private static final VarHandle SHORT = ValueLayout.JAVA_SHORT.varHandle();

    private final MemorySegment ring;
    private final MemorySegment buffers;
    private final int count, size, group, mask;
    private int tail;

    private BufferRing(MemorySegment ring, MemorySegment buffers, int count, int size, int group) {
        this.ring = ring;
        this.buffers = buffers;
        this.count = count;
        this.size = size;
        this.group = group;
        this.mask = count - 1;
    }

    /**
     * Registers {@code count} (a power of two, at most 32768) buffers of {@code size} bytes as group
     * {@code group} of {@code uring}, all given to the kernel; or null with the errno in {@code why[0]}
     * when the kernel refuses (EINVAL before Linux 5.19).
     */
    static BufferRing register(IoUring uring, int count, int size, int group, Arena arena, int[] why) {
        if (Integer.bitCount(count) != 1 || count > 32768) throw new IllegalArgumentException("count must be a power of two <= 32768: " + count);
        MemorySegment ring = arena.allocate((long) count * ENTRY, 4096);
        MemorySegment buffers = arena.allocate((long) count * size, 4096);
        // struct io_uring_buf_reg: ring_addr u64, ring_entries u32, bgid u16, flags u16, resv u64[3]
        MemorySegment reg = arena.allocate(40, 8);
        reg.set(JAVA_LONG, 0, ring.address());
        reg.set(JAVA_INT, 8, count);
        reg.set(JAVA_SHORT, 12, (short) group);
        int r = uring.register(IoUring.REGISTER_PBUF_RING, reg, 1);
        if (r < 0) {
            why[0] = -r;
            return null;
        }
        BufferRing b = new BufferRing(ring, buffers, count, size, group);
        for (int i = 0; i < count; i++) b.recycle(i);
        b.publish();
        return b;
    }

    /** The buffer group id (sqe.buf_group). */
    int group() { return group; }

    /** Bytes per buffer. */
    int size() { return size; }

    /** Buffers in the ring. */
    int count() { return count; }

    /** All buffers, one after the other ({@link #offset} of buffer {@code id}). */
    MemorySegment buffers() { return buffers; }

    /** Where buffer {@code id} starts in {@link #buffers}. */
    long offset(int id) { return (long) id * size; }

    /** Puts buffer {@code id} back in the ring (seen by the kernel after {@link #publish}). */
    void recycle(int id) {
        long at = (long) (tail & mask) * ENTRY;
        ring.set(JAVA_LONG, at, buffers.address() + (long) id * size);
        ring.set(JAVA_INT, at + 8, size);
        ring.set(JAVA_SHORT, at + 12, (short) id);
        tail++;
    }

    /** Makes the recycled buffers visible to the kernel: the entries are written before the new tail. */
    void publish() {
        SHORT.setRelease(ring, 14L, (short) tail);
    }
}
