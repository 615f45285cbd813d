package org.netstack4j.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The io_uring read side of a {@link TunTapDevice} (its reader thread only): per-slot reads or
 * one multishot read with provided buffers, the adaptive read depth, and the read on the close
 * wakeup's eventfd.
 *
 * <p>The reader thread keeps {@link #RX_DEPTH} reads outstanding on the descriptor (each into its
 * own buffer) plus one on the close wakeup's eventfd, and waits for completions in
 * io_uring_enter, which also submits the reads it re-armed: one system call per burst of packets
 * instead of a read(2) per packet (and a poll(2) whenever the queue runs dry). The kernel writes
 * into the buffers of requests in flight, so the buffers are freed only after every request was
 * seen to complete or be cancelled ({@link #close}).
 *
 * <p>Multishot: one IORING_OP_READ_MULTISHOT request (Linux 6.7) on the descriptor, with buffers
 * the kernel picks from a provided-buffer ring ({@link BufferRing}): every packet is a completion
 * that names its buffer, with no request made again per read, and a single waiter (per-slot reads
 * are each woken by every packet). A buffer goes back to the ring as soon as its packet was
 * decoded. The request ends (a completion without F_MORE: no buffer left, the completion queue
 * full) and is made again before the next wait. When the kernel refuses it (register, or the
 * first completion says EINVAL), the device falls back to per-slot reads, counted and logged once.
 */
final class TunRings {
    /** Reads kept outstanding on the descriptor at most, and at least. */
    static final int RX_DEPTH = 32;
    static final int RX_MIN_DEPTH = 2;
    /** User data of the read on the close wakeup's eventfd. */
    private static final long WAKE = RX_DEPTH;
    /** User data of the multishot read. */
    private static final long MSHOT = RX_DEPTH + 1;

    /** System property: {@code false} keeps reads on read(2)/poll(2) while writes may use io_uring (measurements). */
    static final String READS_PROPERTY = "netstack4j.tun.iouring.reads";
    private static final boolean RING_READS = !"false".equals(System.getProperty(READS_PROPERTY));
    /** System property: {@code false} keeps the per-slot io_uring reads instead of one multishot read. */
    static final String MULTISHOT_PROPERTY = "netstack4j.tun.iouring.multishot";
    static final boolean MULTISHOT = !"false".equals(System.getProperty(MULTISHOT_PROPERTY));
    /** Buffers of the provided-buffer ring (a power of two), and its group id. */
    static final int RX_BUFFERS = 64;
    static final int RX_BUFFER_GROUP = 0;
    private static final java.util.concurrent.atomic.AtomicLong MULTISHOT_FALLBACKS = new java.util.concurrent.atomic.AtomicLong();
    private static volatile boolean multishotLogged;

    private final TunTapDevice dev;
    private final int fd;
    private final Wakeup closeWakeup;
    private final IoUring ring;
    private final Arena arena;
    private final MemorySegment wakeBuf;
    private MemorySegment slots;
    private BufferRing buffers;

    private final boolean[] armed = new boolean[RX_DEPTH];
    /**
     * How many reads to keep outstanding now. Every read waiting on an empty TUN is woken by each
     * packet that arrives (io_uring's poll on the queue is not exclusive): all retry, one gets the
     * packet, the others re-arm. With 32 outstanding that cost per packet dominated the trickle of
     * ACKs of a bulk send. So the depth follows the bursts: doubled when a wait returned as many
     * completions as reads were outstanding (a flood: the queue has more), halved when a burst
     * used a quarter or less; the reads not wanted wait unarmed in idle.
     */
    private int target = RX_DEPTH;
    private int armedCount;
    private final int[] idle = new int[RX_DEPTH];
    private int idleCount;
    private boolean wakeArmed;
    private boolean mshotArmed, mshotWorked;
    private long mshotArms;
    private final long[] readyData = new long[4 * RX_DEPTH + 8];
    private final int[] readyRes = new int[4 * RX_DEPTH + 8];
    private final int[] readyFlags = new int[4 * RX_DEPTH + 8];
    private int readyHead, readyCount;
    private final IoUring.Completion completion = (userData, res, flags) -> {
        if (userData < 0 || readyCount == readyData.length) return; // a cancel's own completion
        readyData[readyCount] = userData;
        readyFlags[readyCount] = flags;
        readyRes[readyCount++] = res;
    };

    private TunRings(TunTapDevice dev, Wakeup closeWakeup, IoUring.Owned o) {
        this.dev = dev;
        this.fd = dev.fd();
        this.closeWakeup = closeWakeup;
        this.ring = o.ring();
        this.arena = o.arena();
        this.wakeBuf = arena.allocate(8, 8);
    }

    /** The read rings of {@code dev}, reads armed; null if io_uring reads are off or the kernel refused a ring. */
    static TunRings open(TunTapDevice dev, Wakeup closeWakeup, boolean multishot) {
        if (!RING_READS) return null;
        IoUring.Owned o = IoUring.openOwned(2 * RX_DEPTH + 2);
        if (o == null) return null;
        TunRings r = new TunRings(dev, closeWakeup, o);
        if (multishot) {
            int[] why = new int[1];
            r.buffers = BufferRing.register(r.ring, RX_BUFFERS, TunTapDevice.BUFFER_SIZE, RX_BUFFER_GROUP, r.arena, why);
            if (r.buffers != null) {
                r.armMultishot();
                r.armWake();
                return r;
            }
            multishotRefused("IORING_REGISTER_PBUF_RING failed: " + Errno.describe(why[0]));
        }
        r.setupSlotReads();
        return r;
    }

    /** The read(2)-like path: RX_DEPTH reads outstanding, each into its own slot. */
    private void setupSlotReads() {
        slots = arena.allocate((long) RX_DEPTH * TunTapDevice.BUFFER_SIZE, 4096);
        for (int i = 0; i < RX_DEPTH; i++) armRead(i);
        if (!wakeArmed) armWake();
    }

    private static void multishotRefused(String why) {
        MULTISHOT_FALLBACKS.incrementAndGet();
        if (!multishotLogged) {
            multishotLogged = true;
            System.getLogger(TunTapDevice.class.getName()).log(System.Logger.Level.INFO,
                    "io_uring multishot reads unavailable (" + why + "): TUN devices keep one read per buffer; -D"
                            + MULTISHOT_PROPERTY + "=false silences this");
        }
    }

    /** Devices whose kernel refused multishot reads since the JVM started (they use per-slot reads). */
    static long multishotFallbacks() { return MULTISHOT_FALLBACKS.get(); }

    /** Whether reads go through one multishot read with provided buffers. */
    boolean multishot() { return buffers != null; }

    /** How often the multishot read was made (once, then again each time it ended). */
    long multishotArms() { return mshotArms; }

    /** Reads outstanding now (tests). */
    int depth() { return target; }

    long enters() { return ring.enters(); }

    /** True if completions wait to be handed on, so the next read needs no system call. */
    boolean hasReady() {
        return readyHead < readyCount || ring.ready() > 0;
    }

    private void armMultishot() {
        mshotArmed = ring.prepareMultishotRead(fd, RX_BUFFER_GROUP, MSHOT);
        if (mshotArmed) mshotArms++;
    }

    private void armRead(int slot) {
        armed[slot] = ring.prepare(IoUring.OP_READ, fd, slots.address() + (long) slot * TunTapDevice.BUFFER_SIZE,
                TunTapDevice.BUFFER_SIZE, slot);
        if (armed[slot]) armedCount++;
        else idle[idleCount++] = slot;
    }

    /** A slot whose read completed: armed again if fewer than {@link #target} are outstanding, else idle. */
    private void rearm(int slot) {
        if (armedCount < target) armRead(slot);
        else idle[idleCount++] = slot;
    }

    /** Before waiting: the depth after a burst of {@code burst} completions, and the idle slots armed up to it. */
    private void adaptDepth(int burst) {
        if (burst >= target && target < RX_DEPTH) target = Math.min(RX_DEPTH, target * 2);
        else if (burst * 4 <= target && target > RX_MIN_DEPTH) target = Math.max(RX_MIN_DEPTH, target / 2);
        while (armedCount < target && idleCount > 0) armRead(idle[--idleCount]);
    }

    private void armWake() {
        wakeArmed = ring.prepare(IoUring.OP_READ, closeWakeup.fd(), wakeBuf.address(), 8, WAKE);
    }

    /**
     * Nothing completed is left to hand on: takes what completed since, or else submits the reads
     * made (again) since the last call, the multishot read if it ended, and waits for one completion.
     * Per-slot reads first adapt their depth to the burst just handed on.
     */
    private void waitForCompletions() throws TunException {
        if (buffers == null && readyCount > 0) adaptDepth(readyCount);
        readyHead = readyCount = 0;
        if (ring.reap(completion) > 0) return;
        if (buffers != null && !mshotArmed) armMultishot();
        int r = ring.submit(1);
        if (r < 0 && r != -Errno.EINTR && r != -Errno.EAGAIN && r != -Errno.EBUSY) {
            throw new TunException("io_uring_enter on '" + dev.name() + "' failed: " + Errno.describe(-r), -r);
        }
        ring.reap(completion);
    }

    /** What a completion handler returns at end of input (a closed socket pair peer in tests). */
    private static final byte[] END = new byte[0];

    /**
     * {@link TunTapDevice#readBlocking} with the ring: the frames of reads already decoded, then the
     * completions in order, one io_uring_enter when none is left. Null once closed or at end of input.
     */
    byte[] read() throws TunException {
        while (!dev.isClosed()) {
            byte[] pending = dev.pendingFrame();
            if (pending != null) return pending;
            if (readyHead == readyCount) {
                waitForCompletions();
                continue;
            }
            long data = readyData[readyHead];
            int res = readyRes[readyHead];
            int flags = readyFlags[readyHead++];
            if (data == WAKE) {
                wakeArmed = false;
                if (!dev.isClosed()) armWake();
                continue;
            }
            byte[] frame = buffers != null ? multishotCompleted(data, res, flags) : slotCompleted(data, res);
            if (frame != null) return frame == END ? null : frame;
        }
        return null;
    }

    /** A per-slot read completed: its frame (or null: none to return yet, or {@link #END}); the slot armed again or idle. */
    private byte[] slotCompleted(long data, int res) throws TunException {
        if (data >= RX_DEPTH) return null; // the multishot read's last word after a fallback
        int i = (int) data;
        armed[i] = false;
        armedCount--;
        if (res > 0) {
            byte[] frame = dev.received(slots, (long) i * TunTapDevice.BUFFER_SIZE, res);
            rearm(i); // copied out: the kernel may fill the buffer again
            return frame;
        }
        if (res == 0) return END;
        if (res == -Errno.ECANCELED) {
            idle[idleCount++] = i;
            return null;
        }
        if (res == -Errno.EINTR || res == -Errno.EAGAIN) {
            rearm(i);
            return null;
        }
        throw dev.readError(-res);
    }

    /** A completion of the multishot read: its buffer decoded, then given back; as {@link #slotCompleted}. */
    private byte[] multishotCompleted(long data, int res, int flags) throws TunException {
        if (data != MSHOT) return null;
        if ((flags & IoUring.CQE_F_MORE) == 0) mshotArmed = false;
        if ((flags & IoUring.CQE_F_BUFFER) != 0) {
            int id = flags >>> 16;
            byte[] frame = null;
            if (res > 0) {
                mshotWorked = true;
                frame = dev.received(buffers.buffers(), buffers.offset(id), res);
            }
            // decoded or copied out: the kernel may fill the buffer again
            buffers.recycle(id);
            buffers.publish();
            if (frame != null || res > 0) return frame;
        }
        if (res > 0) return null;
        if (res == 0) return END;
        if (res == -Errno.ENOBUFS || res == -Errno.ECANCELED || res == -Errno.EINTR || res == -Errno.EAGAIN) {
            return null; // made again before the next wait
        }
        if (!mshotWorked && !mshotArmed && (res == -Errno.EINVAL || res == -Errno.EOPNOTSUPP || res == -Errno.EBADFD)) {
            // the kernel does not know the opcode (before 6.7) or cannot poll this file: per-slot reads from now on
            multishotRefused("IORING_OP_READ_MULTISHOT failed: " + Errno.describe(-res));
            buffers = null;
            setupSlotReads();
            return null;
        }
        throw dev.readError(-res);
    }

    /** Closes the ring; its buffers are freed only if all its requests are known to be done. */
    void close() {
        boolean quiet = ring.quiesce(u -> u == WAKE ? wakeArmed : u == MSHOT ? mshotArmed : armed[(int) u],
                RX_DEPTH, new long[] {WAKE, MSHOT}, (u, res, flags) -> {
                    if (u == WAKE) wakeArmed = false;
                    else if (u == MSHOT) { if ((flags & IoUring.CQE_F_MORE) == 0) mshotArmed = false; }
                    else if (u < RX_DEPTH) armed[(int) u] = false;
                });
        ring.close();
        if (quiet) arena.close(); // else left to the process: the kernel might still write there
    }
}
