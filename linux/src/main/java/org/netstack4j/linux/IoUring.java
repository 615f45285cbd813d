package org.netstack4j.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A minimal io_uring(7) through {@code java.lang.foreign}: no JNI, no liburing. {@code
 * io_uring_setup} and {@code io_uring_enter} are called through libc's {@code syscall} symbol, the
 * submission and completion rings and the SQE array are mmap(2)ed, and the ring indexes are read
 * with acquire and written with release semantics through {@link VarHandle}s (the kernel is the
 * other side of each ring: <linux/io_uring.h>, "memory ordering" in io_uring(7)).
 *
 * <p>Only what the TUN devices need: READ and WRITE on a descriptor (opcodes 22/23, Linux 5.6),
 * ASYNC_CANCEL by user data (5.5), no SQPOLL, no registered buffers. One thread at a time submits
 * and reaps; a ring is not thread-safe. {@link #open} returns null when io_uring is unavailable
 * (ENOSYS on an old kernel, EPERM from seccomp or {@code kernel.io_uring_disabled}): the caller
 * then uses read(2)/write(2); {@link #fallbacks()} counts those, and the first one is logged.
 */
@SuppressWarnings("restricted")
final class IoUring implements AutoCloseable {
    /** System property: {@code false} turns io_uring off for the TUN devices (read(2)/write(2) as before). */
    static final String PROPERTY = "netstack4j.tun.iouring";

    // asm-generic syscall numbers: the same on x86_64 and aarch64 (added after the tables were unified)
    static final long SYS_IO_URING_SETUP = 425;
    static final long SYS_IO_URING_ENTER = 426;
    static final long SYS_IO_URING_REGISTER = 427;

    static final byte OP_READ = 22;
    static final byte OP_WRITE = 23;
    static final byte OP_ASYNC_CANCEL = 14;
    /** IORING_OP_READ_MULTISHOT (Linux 6.7): one request, a completion per read, each into a provided buffer. */
    static final byte OP_READ_MULTISHOT = 49;
    /** sqe.flags IOSQE_BUFFER_SELECT: the kernel picks the buffer from the group in sqe.buf_group. */
    static final byte SQE_BUFFER_SELECT = 1 << 5;
    /** cqe.flags: IORING_CQE_F_BUFFER (the buffer id is in the upper 16 bits), IORING_CQE_F_MORE (the multishot request goes on). */
    static final int CQE_F_BUFFER = 1, CQE_F_MORE = 2;
    /** io_uring_register opcodes: IORING_REGISTER_PBUF_RING / IORING_UNREGISTER_PBUF_RING (Linux 5.19). */
    static final int REGISTER_PBUF_RING = 22, UNREGISTER_PBUF_RING = 23;
    static final int ENTER_GETEVENTS = 1;

    static final long OFF_SQ_RING = 0L;
    static final long OFF_CQ_RING = 0x8000000L;
    static final long OFF_SQES = 0x10000000L;

    static final int SQE_SIZE = 64;
    static final int CQE_SIZE = 16;
    /** sizeof(struct io_uring_params). */
    static final int PARAMS_SIZE = 120;

    private static final int PROT_READ = 1, PROT_WRITE = 2, MAP_SHARED = 1, MAP_POPULATE = 0x8000;

    // libc's syscall(2) wrapper for the two io_uring calls (variadic after the number), mmap and munmap
    private static final MethodHandle SYSCALL3 = LibC.bind("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(1));
    private static final MethodHandle SYSCALL6 = LibC.bind("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG),
            Linker.Option.firstVariadicArg(1));
    private static final MethodHandle SYSCALL5 = LibC.bind("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG),
            Linker.Option.firstVariadicArg(1));
    private static final MethodHandle MMAP = LibC.bind("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = LibC.bindWithoutErrno("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));

    /** Ring indexes shared with the kernel: plain int var handle used with acquire/release modes. */
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    private static final AtomicLong FALLBACKS = new AtomicLong();
    private static final AtomicLong OPENED = new AtomicLong();
    private static volatile boolean logged;

    private final int ringFd;
    private final MemorySegment errno;
    private final MemorySegment sqRing, cqRing, sqes;
    private final long sqRingSize, cqRingSize, sqesSize;
    private final int sqMask, sqEntries, cqMask;
    private final long sqHeadOff, sqTailOff, sqArrayOff, cqHeadOff, cqTailOff, cqesOff;
    /** Our copy of the SQ tail (only we write it) and how many SQEs are filled but not yet submitted. */
    private int sqTail, unsubmitted;
    private int cqHead;
    private boolean closed;
    private long enters;

    private IoUring(int ringFd, MemorySegment params, Arena arena) throws TunException {
        this.ringFd = ringFd;
        this.errno = arena.allocate(LibC.CAPTURE_LAYOUT);
        this.sqEntries = params.get(JAVA_INT, 0);
        int cqEntries = params.get(JAVA_INT, 4);
        // struct io_sqring_offsets at 40: head, tail, ring_mask, ring_entries, flags, dropped, array
        this.sqHeadOff = Integer.toUnsignedLong(params.get(JAVA_INT, 40));
        this.sqTailOff = Integer.toUnsignedLong(params.get(JAVA_INT, 44));
        long sqMaskOff = Integer.toUnsignedLong(params.get(JAVA_INT, 48));
        this.sqArrayOff = Integer.toUnsignedLong(params.get(JAVA_INT, 64));
        // struct io_cqring_offsets at 80: head, tail, ring_mask, ring_entries, overflow, cqes
        this.cqHeadOff = Integer.toUnsignedLong(params.get(JAVA_INT, 80));
        this.cqTailOff = Integer.toUnsignedLong(params.get(JAVA_INT, 84));
        long cqMaskOff = Integer.toUnsignedLong(params.get(JAVA_INT, 88));
        this.cqesOff = Integer.toUnsignedLong(params.get(JAVA_INT, 100));
        this.sqRingSize = sqArrayOff + 4L * sqEntries;
        this.cqRingSize = cqesOff + (long) CQE_SIZE * cqEntries;
        this.sqesSize = (long) SQE_SIZE * sqEntries;
        MemorySegment sq = null, cq = null, se = null;
        try {
            sq = mmap(sqRingSize, OFF_SQ_RING);
            cq = mmap(cqRingSize, OFF_CQ_RING);
            se = mmap(sqesSize, OFF_SQES);
        } catch (TunException e) {
            unmap(sq, sqRingSize);
            unmap(cq, cqRingSize);
            LibC.close(errno, ringFd);
            throw e;
        }
        this.sqRing = sq;
        this.cqRing = cq;
        this.sqes = se;
        this.sqMask = sq.get(JAVA_INT, sqMaskOff);
        this.cqMask = cq.get(JAVA_INT, cqMaskOff);
        this.sqTail = (int) INT.getAcquire(sqRing, sqTailOff);
        this.cqHead = (int) INT.getAcquire(cqRing, cqHeadOff);
    }

    /** Whether the TUN devices should try io_uring at all ({@value #PROPERTY}, default true). */
    static boolean enabled() {
        return !"false".equalsIgnoreCase(System.getProperty(PROPERTY, "true"));
    }

    /**
     * A ring of at least {@code entries} submission slots (the completion ring is twice that), or
     * null when the kernel refuses io_uring (counted in {@link #fallbacks()}, the first logged).
     */
    static IoUring open(int entries, Arena arena) {
        MemorySegment params = arena.allocate(PARAMS_SIZE, 8);
        MemorySegment err = arena.allocate(LibC.CAPTURE_LAYOUT);
        long fd;
        try {
            fd = (long) SYSCALL3.invokeExact(err, SYS_IO_URING_SETUP, (long) entries, params);
        } catch (Throwable t) {
            fallback("io_uring_setup could not be called: " + t);
            return null;
        }
        if (fd < 0) {
            fallback("io_uring_setup failed: " + Errno.describe(LibC.errno(err)));
            return null;
        }
        try {
            IoUring r = new IoUring((int) fd, params, arena);
            OPENED.incrementAndGet();
            return r;
        } catch (TunException e) {
            fallback(e.getMessage());
            return null;
        }
    }

    /** A ring with the arena that holds it and its buffers (closed by whoever closes the ring, once nothing is in flight). */
    record Owned(IoUring ring, Arena arena) {}

    /** {@link #open} in a new shared arena, or null (the arena closed again) when the kernel refuses io_uring. */
    static Owned openOwned(int entries) {
        Arena a = Arena.ofShared();
        IoUring r = open(entries, a);
        if (r == null) {
            a.close();
            return null;
        }
        return new Owned(r, a);
    }

    private static void fallback(String why) {
        FALLBACKS.incrementAndGet();
        if (!logged) {
            logged = true;
            System.getLogger(IoUring.class.getName()).log(System.Logger.Level.WARNING,
                    "io_uring unavailable (" + why + "): TUN devices use read(2)/write(2); -D" + PROPERTY + "=false silences this");
        }
    }

    /** Rings the TUN devices could not get (kernel refused io_uring) since the JVM started. */
    static long fallbacks() { return FALLBACKS.get(); }

    /** Rings opened since the JVM started. */
    static long opened() { return OPENED.get(); }

    private MemorySegment mmap(long size, long offset) throws TunException {
        MemorySegment p;
        try {
            p = (MemorySegment) MMAP.invokeExact(errno, MemorySegment.NULL, size, PROT_READ | PROT_WRITE,
                    MAP_SHARED | MAP_POPULATE, ringFd, offset);
        } catch (Throwable t) {
            throw new TunException("mmap of the io_uring failed: " + t, 0);
        }
        if (p.address() == -1L) {
            int e = LibC.errno(errno);
            throw new TunException("mmap of the io_uring failed: " + Errno.describe(e), e);
        }
        return p.reinterpret(size);
    }

    private static void unmap(MemorySegment s, long size) {
        if (s == null) return;
        try {
            int ignored = (int) MUNMAP.invokeExact(s, size);
        } catch (Throwable ignored) {
            // nothing more to do
        }
    }

    /** Submission slots not yet filled (the kernel consumes all submitted ones in {@link #submit}). */
    int freeSlots() { return sqEntries - unsubmitted; }

    /**
     * Fills the next SQE: {@code op} on {@code fd} for {@code len} bytes at native address
     * {@code addr}; {@code userData} comes back in its completion. False if the ring is full
     * (call {@link #submit} first).
     */
    boolean prepare(byte op, int fd, long addr, int len, long userData) {
        return prepare(op, fd, addr, len, userData, (byte) 0, 0);
    }

    /**
     * A multishot read on {@code fd} into buffers of the provided-buffer ring {@code group}
     * ({@link BufferRing}): completions come with {@link #CQE_F_BUFFER} and the buffer id in
     * their flags, and {@link #CQE_F_MORE} while the request stays armed.
     */
    boolean prepareMultishotRead(int fd, int group, long userData) {
        return prepare(OP_READ_MULTISHOT, fd, 0L, 0, userData, SQE_BUFFER_SELECT, group);
    }

    private boolean prepare(byte op, int fd, long addr, int len, long userData, byte sqeFlags, int bufGroup) {
        if (unsubmitted == sqEntries) return false;
        int idx = sqTail & sqMask;
        long at = (long) idx * SQE_SIZE;
        // zeroed with absolute stores, not asSlice(..).fill: a slice object per request (issue 15's JFR
        // profile: asSlice among the reader thread's top frames)
        for (long z = 0; z < SQE_SIZE; z += 8) sqes.set(JAVA_LONG, at + z, 0L);
        sqes.set(ValueLayout.JAVA_BYTE, at, op);
        sqes.set(ValueLayout.JAVA_BYTE, at + 1, sqeFlags);
        sqes.set(JAVA_INT, at + 4, fd);
        sqes.set(JAVA_LONG, at + 8, 0L); // offset: ignored by a TUN, a socket or an eventfd (stream files)
        sqes.set(JAVA_LONG, at + 16, addr);
        sqes.set(JAVA_INT, at + 24, len);
        sqes.set(JAVA_LONG, at + 32, userData);
        sqes.set(ValueLayout.JAVA_SHORT, at + 40, (short) bufGroup); // buf_index / buf_group
        sqRing.setAtIndex(JAVA_INT, (sqArrayOff >>> 2) + idx, idx);
        sqTail++;
        unsubmitted++;
        // the SQE and its array slot are written before the kernel can see the new tail
        INT.setRelease(sqRing, sqTailOff, sqTail);
        return true;
    }

    /** Asks the kernel to cancel the request submitted with {@code userData} (its completion still comes). */
    boolean prepareCancel(long userData) {
        return prepare(OP_ASYNC_CANCEL, -1, userData, 0, -1L);
    }

    /**
     * One io_uring_enter: submits what {@link #prepare} filled and, if {@code waitFor > 0}, blocks
     * until that many completions are ready. Returns the number submitted, or a negative errno
     * (EINTR: try again; the SQEs stay queued).
     */
    int submit(int waitFor) {
        int n = unsubmitted;
        if (n == 0 && waitFor == 0) return 0;
        long r;
        try {
            r = (long) SYSCALL6.invokeExact(errno, SYS_IO_URING_ENTER, (long) ringFd, (long) n, (long) waitFor,
                    (long) (waitFor > 0 ? ENTER_GETEVENTS : 0), MemorySegment.NULL, 0L);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        enters++;
        if (r < 0) return -LibC.errno(errno);
        unsubmitted -= (int) r;
        return (int) r;
    }

    /** io_uring_enter calls made (each submits a batch and/or waits). */
    long enters() { return enters; }

    /**
     * A completion: what {@link #prepare} was given as user data, the result (bytes, or -errno)
     * and the CQE flags ({@link #CQE_F_BUFFER} with the buffer id in the upper 16 bits, {@link #CQE_F_MORE}).
     */
    interface Completion {
        void complete(long userData, int result, int flags);
    }

    /** Completions ready now (none reaped yet). */
    int ready() {
        return (int) INT.getAcquire(cqRing, cqTailOff) - cqHead;
    }

    /** Hands every completion ready now to {@code c} (no system call) and returns how many. */
    int reap(Completion c) {
        int tail = (int) INT.getAcquire(cqRing, cqTailOff);
        int n = 0;
        while (cqHead != tail) {
            long at = cqesOff + (long) (cqHead & cqMask) * CQE_SIZE;
            long userData = cqRing.get(JAVA_LONG, at);
            int res = cqRing.get(JAVA_INT, at + 8);
            int flags = cqRing.get(JAVA_INT, at + 12);
            cqHead++;
            n++;
            c.complete(userData, res, flags);
        }
        // the entries are read before the kernel may overwrite them
        if (n > 0) INT.setRelease(cqRing, cqHeadOff, cqHead);
        return n;
    }

    /**
     * io_uring_register(2) with {@code arg} ({@code nrArgs} of them): 0, or a negative errno.
     */
    int register(int opcode, MemorySegment arg, int nrArgs) {
        long r;
        try {
            r = (long) SYSCALL5.invokeExact(errno, SYS_IO_URING_REGISTER, (long) ringFd, (long) opcode, arg, (long) nrArgs);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        return r < 0 ? -LibC.errno(errno) : (int) r;
    }

    /**
     * Cancels the requests for which {@code inFlight} holds (user data 0 until {@code slots}, and
     * {@code extras}) and waits, bounded, for their completions (handed to {@code done}); true if
     * none is left, so their buffers may be freed.
     */
    boolean quiesce(java.util.function.LongPredicate inFlight, int slots, long[] extras, Completion done) {
        Completion c = (u, res, flags) -> { if (u >= 0) done.complete(u, res, flags); };
        submit(0);
        reap(c);
        for (int round = 0; round < 100; round++) {
            boolean any = false;
            for (long i = 0; i < slots; i++) {
                if (inFlight.test(i)) {
                    any = true;
                    if (!prepareCancel(i)) submit(0);
                }
            }
            for (long extra : extras) {
                if (inFlight.test(extra)) {
                    any = true;
                    if (!prepareCancel(extra)) submit(0);
                }
            }
            if (!any) return true;
            int r = submit(1);
            if (r < 0 && r != -Errno.EINTR && r != -Errno.EAGAIN && r != -Errno.EBUSY) return false;
            reap(c);
        }
        return false;
    }

    /** Unmaps the rings and closes the ring descriptor; requests still in flight are cancelled by the kernel. */
    @Override public void close() {
        if (closed) return;
        closed = true;
        unmap(sqes, sqesSize);
        unmap(cqRing, cqRingSize);
        unmap(sqRing, sqRingSize);
        LibC.close(errno, ringFd);
    }
}
