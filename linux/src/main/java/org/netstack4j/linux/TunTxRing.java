package org.netstack4j.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import org.netstack4j.time.Time;

/**
 * The staged writes of a {@link TunTapDevice} (its loop thread only): the loop thread stages its
 * writes (frames up to {@link #TX_SLOT_SIZE}) in an io_uring and submits them together when the
 * stack polls the device at the end of its burst: one io_uring_enter per burst instead of a
 * write(2) per packet. Larger frames (TSO super-segments) are written with write(2) after what is
 * staged. The kernel reads the buffers of requests in flight, so they are freed only after every
 * request was seen to complete or be cancelled ({@link #close}). The ring is made at the first
 * staged write.
 */
final class TunTxRing {
    /** Writes staged or in flight at most; the buffer of each. */
    static final int TX_SLOTS = 128;
    static final int TX_SLOT_SIZE = 2048;

    /**
     * Staged writes may reach the kernel out of order: a TUN write the kernel cannot finish at
     * once runs on an io_uring worker thread, after a write(2) issued later. So only frames whose
     * order does not matter are staged: TCP segments without payload and without FIN (a flood's
     * SYN-ACKs and RSTs, pure ACKs); data, FINs and everything else go by write(2) in order.
     * Measured (tun15c, offload nsj->kernel, 1 flow): staging every small frame, 0.3 Gbit/s against
     * 1.4-4.4 with write(2) (retransmissions from reordering). -D{@value #STAGE_PROPERTY}=all stages every small frame again.
     */
    static final String STAGE_PROPERTY = "netstack4j.tun.iouring.stage";
    private static final boolean STAGE_ALL = "all".equals(System.getProperty(STAGE_PROPERTY));

    private final TunTapDevice dev;
    /** Where the IP packet starts in a frame as written: after the vnet header, or the Ethernet header of a TAP. */
    private final int wireOffset;
    private boolean tried;
    private IoUring ring;
    private Arena arena;
    private MemorySegment slots;
    private final int[] free = new int[TX_SLOTS];
    private final int[] slotLength = new int[TX_SLOTS];
    private int freeCount;
    private long stagedAt = Time.NEVER;
    private final IoUring.Completion completion = this::completed;

    TunTxRing(TunTapDevice dev, int wireOffset) {
        this.dev = dev;
        this.wireOffset = wireOffset;
    }

    /** Whether writes go through io_uring (false until the first staged write set it up). */
    boolean active() { return ring != null; }

    long enters() { return ring == null ? 0 : ring.enters(); }

    /** The time of the oldest write staged and not submitted, or {@link Time#NEVER}. */
    long stagedAt() { return stagedAt; }

    /**
     * Stages a write of {@code zeros} zero bytes (an all-zero vnet header, or 0) and {@code frame}
     * in the ring (copied into a free slot), to be submitted with the others of this burst by
     * {@link #submit}. False if the frame does not fit a slot, its order matters, or the ring is not
     * in use: the caller writes it with write(2).
     */
    boolean stage(long now, byte[] frame, int zeros) {
        if (!(STAGE_ALL || orderFree(frame, wireOffset - zeros))) return false;
        if (!tried) setup();
        int length = zeros + frame.length;
        if (ring == null || length > TX_SLOT_SIZE) return false;
        if (freeCount == 0 || ring.freeSlots() == 0) {
            submit();
            if (freeCount == 0 || ring.freeSlots() == 0) return false;
        }
        int slot = free[--freeCount];
        long at = (long) slot * TX_SLOT_SIZE;
        for (int z = 0; z < zeros; z++) slots.set(java.lang.foreign.ValueLayout.JAVA_BYTE, at + z, (byte) 0);
        // the array form of copy: no MemorySegment.ofArray wrapper per write (issue 15)
        MemorySegment.copy(frame, 0, slots, java.lang.foreign.ValueLayout.JAVA_BYTE, at + zeros, frame.length);
        slotLength[slot] = length;
        ring.prepare(IoUring.OP_WRITE, dev.fd(), slots.address() + at, length, slot);
        if (now < stagedAt) stagedAt = now;
        return true;
    }

    /** A TCP segment (IPv4, or IPv6 without extension headers) with no payload and no FIN. */
    static boolean orderFree(byte[] f, int at) {
        if (f.length < at + 20) return false;
        int version = (f[at] & 0xff) >>> 4;
        int ipLen, total;
        if (version == 4) {
            if (f[at + 9] != 6) return false;
            ipLen = (f[at] & 0x0f) * 4;
            total = ((f[at + 2] & 0xff) << 8) | (f[at + 3] & 0xff);
        } else if (version == 6) {
            if (f.length < at + 40 || f[at + 6] != 6) return false;
            ipLen = 40;
            total = 40 + (((f[at + 4] & 0xff) << 8) | (f[at + 5] & 0xff));
        } else {
            return false;
        }
        int tcp = at + ipLen;
        if (f.length < tcp + 20) return false;
        int tcpLen = ((f[tcp + 12] & 0xff) >>> 4) * 4;
        return total == ipLen + tcpLen && (f[tcp + 13] & 0x01) == 0; // no payload, no FIN
    }

    private void setup() {
        tried = true;
        if (!dev.ioUringAllowed() || dev.isClosed()) return;
        IoUring.Owned o = IoUring.openOwned(TX_SLOTS);
        if (o == null) return;
        arena = o.arena();
        ring = o.ring();
        slots = arena.allocate((long) TX_SLOTS * TX_SLOT_SIZE, 4096);
        for (int i = 0; i < TX_SLOTS; i++) free[i] = i;
        freeCount = TX_SLOTS;
    }

    /** Submits the staged writes in one io_uring_enter and takes back the slots of those completed. */
    void submit() {
        if (ring == null) return;
        int r = ring.submit(0);
        ring.reap(completion);
        if (r >= 0 && ring.freeSlots() == TX_SLOTS) stagedAt = Time.NEVER;
    }

    private void completed(long userData, int res, int flags) {
        if (userData < 0 || userData >= TX_SLOTS) return;
        int slot = (int) userData;
        free[freeCount++] = slot;
        if (res < 0) dev.stagedWriteFailed(slotLength[slot], -res);
    }

    /** Closes the ring; its buffers are freed only if all its requests are known to be done. */
    void close() {
        if (ring == null) return;
        boolean[] busy = new boolean[TX_SLOTS];
        java.util.Arrays.fill(busy, true);
        for (int i = 0; i < freeCount; i++) busy[free[i]] = false;
        boolean quiet = ring.quiesce(u -> busy[(int) u], TX_SLOTS, new long[0],
                (u, res, flags) -> { if (u < TX_SLOTS) busy[(int) u] = false; });
        ring.close();
        if (quiet) arena.close();
    }
}
