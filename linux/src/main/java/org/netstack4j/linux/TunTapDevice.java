package org.netstack4j.linux;

import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.locks.ReentrantLock;

import org.netstack4j.device.Device;
import org.netstack4j.device.FrameSink;
import org.netstack4j.device.Medium;
import org.netstack4j.device.offload.VirtioNetHeader;
import org.netstack4j.time.Time;

/**
 * A Linux TUN (raw IP) or TAP (Ethernet) interface driven through its file descriptor.
 *
 * <p>The descriptor is non-blocking. {@link #transmit} writes at once; if the kernel says
 * EAGAIN/ENOBUFS the frame waits in a small bounded queue that {@link #poll} retries (see
 * {@link #pollAt}), and frames beyond the bound are dropped and counted. Receiving is
 * pull-based: the device never reads on its own.
 *
 * <p>Two ways to drive it:
 * <ul>
 *   <li>one thread (like every {@link Device}): the loop waits with {@link #awaitReadable} or its
 *       own poll set on {@link #fd()}, then calls {@link #readAvailable}; frames go to the sink;</li>
 *   <li>a reader thread plus the loop thread: the reader calls {@link #readBlocking()} (which
 *       returns frames instead of using the sink) while the loop thread transmits; {@link #close()}
 *       from any thread wakes the reader, waits for it to leave, then closes the descriptor.</li>
 * </ul>
 * The receive side and the transmit side have separate buffers and errno slots, so one reader
 * and one writer may run at the same time; nothing else is thread-safe. Closing the descriptor
 * deletes a non-persistent interface.
 */
public abstract sealed class TunTapDevice implements Device, AutoCloseable permits TunDevice, TapDevice {
    // <linux/if_tun.h>: _IOW('T', 202, int)
    static final long TUNSETIFF = 0x400454caL;
    static final short IFF_TUN = 0x0001;
    static final short IFF_TAP = 0x0002;
    static final short IFF_NO_PI = 0x1000;
    /** {@code <linux/if_tun.h>}: one interface, several descriptors (queues); TUNSETIFF once per descriptor. */
    static final short IFF_MULTI_QUEUE = 0x0100;
    // <linux/sockios.h>
    static final long SIOCGIFMTU = 0x8921L;
    static final long SIOCSIFMTU = 0x8922L;
    static final long SIOCGIFHWADDR = 0x8927L;
    /** sizeof(struct ifreq) on 64-bit Linux: char ifr_name[16] + a 24-byte union. */
    static final int IFREQ_SIZE = 40;
    static final int IFR_UNION_OFFSET = 16;

    /** Packets handed to the sink per {@link #readAvailable} call unless changed. */
    public static final int DEFAULT_READ_BATCH = 64;
    /** Frames held while the kernel refuses writes, unless changed. */
    public static final int DEFAULT_TX_QUEUE_LIMIT = 64;
    /** How long to wait before retrying queued writes. */
    public static final long TX_RETRY_NS = Time.ms(1);
    /** Read buffer: the largest packet a TUN/TAP read can return (64 KiB IP packet plus headers). */
    static final int BUFFER_SIZE = 65536 + 64;

    private final Medium medium;
    private final String name;
    private final int fd;
    private final int mtu;
    private final Arena arena;
    private final MemorySegment rxErrno;
    private final MemorySegment txErrno;
    private final MemorySegment rxPollFds;
    private final Wakeup closeWakeup;
    private final ReentrantLock readerLock = new ReentrantLock();
    private final MemorySegment rxBuf;
    private final MemorySegment txBuf;
    private final MemorySegment pollFds;

    private FrameSink sink = FrameSink.DISCARD;
    private final ArrayDeque<byte[]> txQueue = new ArrayDeque<>();
    private int txQueueLimit = DEFAULT_TX_QUEUE_LIMIT;
    private int readBatch = DEFAULT_READ_BATCH;
    private long retryAt = Time.NEVER;
    private volatile boolean closed;

    private long rxPackets, rxBytes, txPackets, txBytes, txQueued, txDropped, txErrors;
    private int lastTxErrno;

    // Offload mode (IFF_VNET_HDR): reads decode into rxPending; writes wait in txBatch until poll.
    private final TunOffload.Offloads offloads;
    private final TunOffload.Inbound inbound;
    private final ArrayDeque<byte[]> rxPending = new ArrayDeque<>();
    private final byte[] rxHeader = new byte[VirtioNetHeader.LENGTH];
    private final java.util.ArrayList<byte[]> txBatch = new java.util.ArrayList<>();
    private long txBatchAt = Time.NEVER;
    /** TCP super-packets written and the segments in them; USO super-packets and the datagrams in them. */
    private final long[] coalesced = new long[4];
    /** Packets per coalescing batch at most: a batch is written at once when it reaches this. */
    static final int TX_BATCH_LIMIT = 64;

    TunTapDevice(Medium medium, Opened o) {
        this(medium, o.name(), o.fd(), o.mtu(), o.arena(), o.errnoState(), o.closeWakeup(), o.offloads());
        this.uringAllowed = o.uring() && IoUring.enabled();
    }

    private TunTapDevice(Medium medium, String name, int fd, int mtu, Arena arena, MemorySegment errnoState,
                         Wakeup closeWakeup, TunOffload.Offloads offloads) {
        this.offloads = offloads;
        this.inbound = offloads.vnetHeader() ? new TunOffload.Inbound(true) : null;
        this.medium = medium;
        this.name = name;
        this.fd = fd;
        this.mtu = mtu;
        this.arena = arena;
        this.rxErrno = errnoState;
        this.txErrno = LibC.errnoState(arena);
        this.closeWakeup = closeWakeup;
        this.rxBuf = arena.allocate(BUFFER_SIZE, 16);
        this.txBuf = arena.allocate(BUFFER_SIZE, 16);
        // pollFds serves awaitReadable (single-thread mode), rxPollFds readBlocking (reader thread)
        this.pollFds = arena.allocate(2 * LibC.POLLFD_SIZE, 8);
        this.rxPollFds = arena.allocate(2 * LibC.POLLFD_SIZE, 8);
    }

    /** What {@link #openFd} found: the descriptor, the name the kernel used and its MTU. */
    record Opened(int fd, String name, int mtu, Arena arena, MemorySegment errnoState, Wakeup closeWakeup,
                  TunOffload.Offloads offloads, boolean uring) {
        Opened(int fd, String name, int mtu, Arena arena, MemorySegment errnoState, Wakeup closeWakeup,
               TunOffload.Offloads offloads) {
            this(fd, name, mtu, arena, errnoState, closeWakeup, offloads, true);
        }

        /** The same descriptor, with io_uring allowed or not (an adopted socket pair: off unless a test asks). */
        Opened withUring(boolean on) {
            return new Opened(fd, name, mtu, arena, errnoState, closeWakeup, offloads, on);
        }
    }

    /**
     * Opens /dev/net/tun, creates or attaches interface {@code name} (IFF_NO_PI) as TUN or TAP,
     * non-blocking and close-on-exec, and sets its MTU when {@code mtu > 0}.
     */
    static Opened openFd(String name, Medium medium, int mtu) throws TunException {
        return openFd(name, medium, mtu, false);
    }

    /**
     * Like {@link #openFd(String, Medium, int)}; with {@code offload} (TUN only) it asks for
     * IFF_VNET_HDR, a 10-byte header (TUNSETVNETHDRSZ) and the offloads of
     * {@link TunOffload#OFFLOAD_ATTEMPTS} (TUNSETOFFLOAD), falling back step by step, down to the
     * plain mode when the kernel refuses the header (EINVAL). {@link Opened#offloads} says what was agreed.
     */
    static Opened openFd(String name, Medium medium, int mtu, boolean offload) throws TunException {
        return openFd(name, medium, mtu, offload, false);
    }

    /**
     * Like {@link #openFd(String, Medium, int, boolean)}; with {@code multiQueue} the interface is
     * created (or attached, for the second and later queues) with IFF_MULTI_QUEUE: each call then
     * opens one more queue of the same interface.
     */
    static Opened openFd(String name, Medium medium, int mtu, boolean offload, boolean multiQueue) throws TunException {
        TunException bad = TunException.checkName(name);
        if (bad != null) {
            throw bad;
        }
        Arena arena = Arena.ofShared();
        int fd = -1;
        boolean ok = false;
        try {
            MemorySegment errno = LibC.errnoState(arena);
            fd = LibC.open(errno, arena.allocateFrom("/dev/net/tun"), LibC.O_RDWR | LibC.O_NONBLOCK | LibC.O_CLOEXEC);
            if (fd < 0) {
                throw TunException.openControlDevice(LibC.errno(errno));
            }
            MemorySegment ifr = ifreq(arena, name);
            short mode = switch (medium) {
                case IP -> IFF_TUN;
                case ETHERNET -> IFF_TAP;
            };
            boolean vnet = offload && medium == Medium.IP;
            short mq = multiQueue ? IFF_MULTI_QUEUE : 0;
            ifr.set(ValueLayout.JAVA_SHORT, IFR_UNION_OFFSET, (short) (mode | IFF_NO_PI | mq | (vnet ? TunOffload.IFF_VNET_HDR : 0)));
            int set = LibC.ioctl(errno, fd, TUNSETIFF, ifr);
            if (set < 0 && vnet && LibC.errno(errno) == Errno.EINVAL) {
                vnet = false; // a kernel (or an existing persistent interface) without IFF_VNET_HDR: the plain mode
                ifr.set(ValueLayout.JAVA_SHORT, IFR_UNION_OFFSET, (short) (mode | IFF_NO_PI | mq));
                set = LibC.ioctl(errno, fd, TUNSETIFF, ifr);
            }
            if (set < 0) {
                throw TunException.setInterface(name.isEmpty() ? "(kernel-chosen)" : name, medium, LibC.errno(errno));
            }
            TunOffload.Offloads agreed = vnet ? negotiate(arena, errno, fd) : TunOffload.Offloads.OFF;
            String actual = ifr.getString(0, StandardCharsets.UTF_8);
            int actualMtu = mtu > 0 ? setMtu(arena, errno, actual, mtu) : getMtu(arena, errno, actual);
            Opened o = new Opened(fd, actual, actualMtu, arena, errno, closeWakeup(), agreed);
            ok = true;
            return o;
        } finally {
            if (!ok) {
                if (fd >= 0) {
                    LibC.close(LibC.errnoState(arena), fd);
                }
                arena.close();
            }
        }
    }

    /**
     * TUNSETVNETHDRSZ(10), then TUNSETOFFLOAD with the best set of flags the kernel accepts. The
     * header stays on even if no offload is accepted (reads then never need completing).
     */
    private static TunOffload.Offloads negotiate(Arena arena, MemorySegment errno, int fd) throws TunException {
        MemorySegment size = arena.allocate(ValueLayout.JAVA_INT);
        size.set(ValueLayout.JAVA_INT, 0, VirtioNetHeader.LENGTH);
        if (LibC.ioctl(errno, fd, TunOffload.TUNSETVNETHDRSZ, size) < 0) {
            int e = LibC.errno(errno);
            throw new TunException("TUNSETVNETHDRSZ failed: " + Errno.describe(e), e);
        }
        for (int flags : TunOffload.OFFLOAD_ATTEMPTS) {
            if (LibC.ioctl(errno, fd, TunOffload.TUNSETOFFLOAD, (long) flags) == 0) {
                return new TunOffload.Offloads(true, flags);
            }
            int e = LibC.errno(errno);
            if (e != Errno.EINVAL) throw new TunException("TUNSETOFFLOAD failed: " + Errno.describe(e), e);
        }
        return new TunOffload.Offloads(true, 0);
    }

    /**
     * Wraps an already open non-blocking descriptor that behaves like a TUN/TAP one (one packet per
     * read/write), e.g. one end of an AF_UNIX SOCK_SEQPACKET pair in tests. The device owns it.
     */
    static Opened adopt(int fd, String name, int mtu) throws TunException {
        return adopt(fd, name, mtu, TunOffload.Offloads.OFF);
    }

    /** {@link #adopt(int, String, int)} for a descriptor whose peer speaks the vnet-header mode (tests). */
    static Opened adopt(int fd, String name, int mtu, TunOffload.Offloads offloads) throws TunException {
        Arena arena = Arena.ofShared();
        // a socket pair is not a TUN: a full one would hold io_uring writes in the kernel instead of
        // saying EAGAIN, which the queueing tests look at; a test turns it on with withUring(true)
        return new Opened(fd, name, mtu, arena, LibC.errnoState(arena), closeWakeup(), offloads, false);
    }

    private static Wakeup closeWakeup() throws TunException {
        try {
            return Wakeup.create();
        } catch (TunException e) {
            throw e;
        } catch (java.io.IOException e) {
            throw new TunException(e.getMessage(), 0);
        }
    }

    private static MemorySegment ifreq(Arena arena, String name) {
        MemorySegment ifr = arena.allocate(IFREQ_SIZE, 8);
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        MemorySegment.copy(n, 0, ifr, ValueLayout.JAVA_BYTE, 0, n.length);
        return ifr;
    }

    private static int mtuIoctl(Arena arena, MemorySegment errno, String name, long request, int value)
            throws TunException {
        int sock = LibC.socket(errno, LibC.AF_INET, LibC.SOCK_DGRAM | LibC.O_CLOEXEC, 0);
        if (sock < 0) {
            throw new TunException("cannot open an AF_INET socket to read or set the MTU of '" + name + "': "
                    + Errno.describe(LibC.errno(errno)), LibC.errno(errno));
        }
        try {
            MemorySegment ifr = ifreq(arena, name);
            ifr.set(ValueLayout.JAVA_INT, IFR_UNION_OFFSET, value);
            if (LibC.ioctl(errno, sock, request, ifr) < 0) {
                int e = LibC.errno(errno);
                if (request == SIOCSIFMTU && e == Errno.EINVAL) {
                    throw new TunException("MTU " + value + " is out of range for '" + name
                            + "' (TUN/TAP accept 68..65535)", e);
                }
                throw new TunException((request == SIOCSIFMTU ? "setting" : "reading") + " the MTU of '" + name
                        + "' failed: " + Errno.describe(e), e);
            }
            return ifr.get(ValueLayout.JAVA_INT, IFR_UNION_OFFSET);
        } finally {
            LibC.close(errno, sock);
        }
    }

    /** SIOCGIFHWADDR: the interface's own MAC (ifr_hwaddr is a struct sockaddr: family, then the address). */
    static byte[] hardwareAddress(String name) throws TunException {
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment errno = LibC.errnoState(tmp);
            int sock = LibC.socket(errno, LibC.AF_INET, LibC.SOCK_DGRAM | LibC.O_CLOEXEC, 0);
            if (sock < 0) {
                int e = LibC.errno(errno);
                throw new TunException("cannot open an AF_INET socket to read the MAC of '" + name + "': "
                        + Errno.describe(e), e);
            }
            try {
                MemorySegment ifr = ifreq(tmp, name);
                if (LibC.ioctl(errno, sock, SIOCGIFHWADDR, ifr) < 0) {
                    int e = LibC.errno(errno);
                    throw new TunException("reading the MAC of '" + name + "' failed: " + Errno.describe(e), e);
                }
                return ifr.asSlice(IFR_UNION_OFFSET + 2, 6).toArray(ValueLayout.JAVA_BYTE);
            } finally {
                LibC.close(errno, sock);
            }
        }
    }

    private static int setMtu(Arena arena, MemorySegment errno, String name, int mtu) throws TunException {
        mtuIoctl(arena, errno, name, SIOCSIFMTU, mtu);
        return getMtu(arena, errno, name);
    }

    private static int getMtu(Arena arena, MemorySegment errno, String name) throws TunException {
        return mtuIoctl(arena, errno, name, SIOCGIFMTU, 0);
    }

    /** The interface name the kernel uses (chosen by the kernel if the requested name was empty). */
    public final String name() {
        return name;
    }

    /** The descriptor, for a runtime's own poll/epoll set (wait for POLLIN, then {@link #readAvailable}). */
    public final int fd() {
        return fd;
    }

    @Override
    public final Medium medium() {
        return medium;
    }

    /** The interface MTU as the kernel reported it when the device was opened. */
    @Override
    public final int mtu() {
        return mtu;
    }

    @Override
    public final void attach(FrameSink sink) {
        this.sink = sink == null ? FrameSink.DISCARD : sink;
    }

    /** Changes how many packets one {@link #readAvailable} call hands over at most (at least 1). */
    public final void setReadBatch(int packets) {
        if (packets < 1) {
            throw new IllegalArgumentException("read batch must be at least 1: " + packets);
        }
        this.readBatch = packets;
    }

    /** Changes how many frames may wait while the kernel refuses writes (0 = drop at once). */
    public final void setTxQueueLimit(int frames) {
        if (frames < 0) {
            throw new IllegalArgumentException("queue limit must be >= 0: " + frames);
        }
        this.txQueueLimit = frames;
    }

    /**
     * Writes one packet (TUN: an IP packet; TAP: an Ethernet frame). EAGAIN/ENOBUFS: queued for
     * retry, or dropped and counted if the queue is full; other errors are counted
     * ({@link Stats#txErrors()}, {@link #lastTxErrno()}) and the frame is dropped, since a
     * device must not throw at the stack for one bad frame.
     */
    @Override
    public final void transmit(long now, byte[] frame) {
        if (closed) {
            txDropped++;
            return;
        }
        if (offloads.vnetHeader()) {
            // held until the next poll (the stack's current burst), then coalesced per flow
            if (txBatch.isEmpty()) txBatchAt = now;
            txBatch.add(frame);
            if (txBatch.size() >= TX_BATCH_LIMIT) flushBatch(now);
            return;
        }
        writeWire(now, frame);
    }

    /**
     * Offload mode with TSO agreed (TUN, vnet header, CSUM+TSO4+TSO6): the stack may hand whole
     * 64 KiB TCP super-segments to {@link #transmitSegments}; the kernel cuts them.
     */
    @Override
    public final int gsoMaxSize() {
        return offloads.vnetHeader() && medium == Medium.IP
                && offloads.has(TunOffload.TUN_F_CSUM | TunOffload.TUN_F_TSO4 | TunOffload.TUN_F_TSO6) ? TunOffload.MAX_SUPER : 0;
    }

    /**
     * Writes a TCP super-segment (checksum partial) with a GSO header in one write: the frames
     * {@link #transmit} held go first (order), and the header goes straight into the write
     * buffer before the packet, so the packet is copied once. A CWR-carrying packet is cut here
     * (no GSO_ECN negotiated).
     */
    @Override
    public final void transmitSegments(long now, byte[] packet, int segmentSize) {
        if (closed) {
            txDropped++;
            return;
        }
        if (gsoMaxSize() == 0 || TunOffload.hasCwr(packet)) {
            Device.super.transmitSegments(now, packet, segmentSize);
            return;
        }
        if (!txBatch.isEmpty()) flushBatch(now);
        tsoWrites++;
        coalesced[0]++;
        coalesced[1] += (TunOffload.payloadLength(packet) + segmentSize - 1) / segmentSize;
        VirtioNetHeader h = TunOffload.gsoHeader(packet, segmentSize);
        if (!txQueue.isEmpty()) flush(now);
        if (txRing != null) submitWrites(); // what is staged goes first
        if (txQueue.isEmpty() && packet.length + VirtioNetHeader.LENGTH <= txBuf.byteSize()) {
            h.write(txHeader, 0);
            MemorySegment.copy(MemorySegment.ofArray(txHeader), 0, txBuf, 0, VirtioNetHeader.LENGTH);
            MemorySegment.copy(MemorySegment.ofArray(packet), 0, txBuf, VirtioNetHeader.LENGTH, packet.length);
            int e = writeBuffer(VirtioNetHeader.LENGTH + packet.length);
            if (e != Errno.EAGAIN && e != Errno.ENOBUFS) return;
        }
        byte[] f = TunOffload.plain(packet);
        h.write(f, 0);
        enqueue(now, f);
    }

    private final byte[] txHeader = new byte[VirtioNetHeader.LENGTH];
    private long tsoWrites;

    /** Super-segments the stack handed over whole ({@link #transmitSegments}); also counted in {@link #offloadStats}. */
    final long tsoWrites() {
        return tsoWrites;
    }

    /**
     * Offload mode: writes what {@link #transmit} held, each run of one TCP flow as one GSO
     * super-packet, with USO agreed each run of equal-sized UDP datagrams of one flow as one
     * GSO_UDP_L4 super-packet, everything else with a plain header. Called by {@link #poll}; a runtime that
     * drives the device itself may call it after a burst of transmits.
     */
    public final void flushBatch(long now) {
        if (txBatch.isEmpty()) return;
        java.util.List<byte[]> frames = TunOffload.coalesce(txBatch, coalesced,
                offloads.has(TunOffload.TUN_F_CSUM | TunOffload.TUN_F_USO4), offloads.has(TunOffload.TUN_F_CSUM | TunOffload.TUN_F_USO6));
        txBatch.clear();
        txBatchAt = Time.NEVER;
        for (byte[] f : frames) writeWire(now, f);
    }

    /** What the kernel agreed to when the device was opened ({@link TunOffload.Offloads#OFF} in the plain mode). */
    public final TunOffload.Offloads offloads() {
        return offloads;
    }

    /** Counters of the offload paths. */
    public final TunOffload.Stats offloadStats() {
        return inbound == null ? new TunOffload.Stats(0, 0, 0, coalesced[0], coalesced[1], coalesced[2], coalesced[3])
                : new TunOffload.Stats(inbound.superPackets, inbound.checksumsCompleted, inbound.malformed,
                        coalesced[0], coalesced[1], coalesced[2], coalesced[3]);
    }

    /** Offload mode: hand TCP super-packets read from the kernel to the stack whole (true, default) or cut into MSS segments. */
    public final void setMergeReceived(boolean merge) {
        if (inbound != null) inbound.mergeRuns = merge;
    }

    /** Writes bytes as they go to write(2) (with the vnet header in the offload mode), queueing on EAGAIN/ENOBUFS. */
    private void writeWire(long now, byte[] frame) {
        if (!txQueue.isEmpty()) {
            flush(now);
            if (!txQueue.isEmpty()) {
                enqueue(now, frame);
                return;
            }
        }
        int e = writeOnce(now, frame);
        if (e == Errno.EAGAIN || e == Errno.ENOBUFS) {
            enqueue(now, frame);
        }
    }

    /** 0 on success (or staged in the ring), else the errno (already counted unless it is a retryable EAGAIN/ENOBUFS). */
    private int writeOnce(long now, byte[] frame) {
        if (stageWrite(now, frame)) return 0;
        if (txRing != null) submitWrites(); // what is staged goes first
        if (frame.length > txBuf.byteSize()) {
            txErrors++;
            lastTxErrno = Errno.EMSGSIZE;
            return Errno.EMSGSIZE;
        }
        MemorySegment.copy(MemorySegment.ofArray(frame), 0, txBuf, 0, frame.length); // segment to segment: see copyOut
        return writeBuffer(frame.length);
    }

    /** write(2) of the first {@code length} bytes of txBuf: 0, or the errno as {@link #writeOnce}. */
    private int writeBuffer(int length) {
        while (true) {
            long r = LibC.write(txErrno, fd, txBuf, length);
            if (r >= 0) {
                txPackets++;
                txBytes += length;
                return 0;
            }
            int e = LibC.errno(txErrno);
            if (e == Errno.EINTR) {
                continue;
            }
            if (e != Errno.EAGAIN && e != Errno.ENOBUFS) {
                txErrors++;
                lastTxErrno = e;
            }
            return e;
        }
    }

    private void enqueue(long now, byte[] frame) {
        if (txQueue.size() >= txQueueLimit) {
            txDropped++;
            return;
        }
        if (txQueue.isEmpty()) {
            retryAt = now + TX_RETRY_NS;
        }
        txQueue.addLast(frame);
        txQueued++;
    }

    private void flush(long now) {
        while (!txQueue.isEmpty()) {
            int e = writeOnce(now, txQueue.peekFirst());
            if (e == Errno.EAGAIN || e == Errno.ENOBUFS) {
                retryAt = now + TX_RETRY_NS;
                return;
            }
            txQueue.pollFirst();
        }
        retryAt = Time.NEVER;
    }

    /** The descriptor said POLLOUT: write what it takes now; if it refuses again, the retry time stays. */
    private void flushWritable(long now) {
        while (!txQueue.isEmpty()) {
            int e = writeOnce(now, txQueue.peekFirst());
            if (e == Errno.EAGAIN || e == Errno.ENOBUFS) {
                return;
            }
            txQueue.pollFirst();
        }
        retryAt = Time.NEVER;
    }

    /** When queued writes should be retried; {@link Time#NEVER} when nothing waits. */
    @Override
    public final long pollAt() {
        return Math.min(Math.min(txBatchAt, txStagedAt), txQueue.isEmpty() ? Time.NEVER : retryAt);
    }

    @Override
    public final void poll(long now) {
        if (!closed && !txBatch.isEmpty()) flushBatch(now);
        if (!closed && !txQueue.isEmpty() && now >= retryAt) {
            flush(now);
        }
        // the end of the stack's burst: the writes staged in the ring go in one io_uring_enter
        if (!closed && txStagedAt != Time.NEVER) submitWrites();
    }

    /** True while frames wait for the kernel to accept writes (a runtime may then also wait for POLLOUT). */
    public final boolean hasQueuedWrites() {
        return !txQueue.isEmpty();
    }

    /**
     * Reads every pending packet, up to the read batch, and hands each to the sink with time
     * {@code now}. Returns how many were delivered; 0 when nothing was pending (EAGAIN).
     *
     * @throws UncheckedIOException wrapping a {@link TunException} when the descriptor is broken,
     *         e.g. EBADFD after the interface was deleted; the device is then useless
     */
    public final int readAvailable(long now) {
        int n = 0;
        while (n < readBatch && !closed) {
            if (!rxPending.isEmpty()) {
                n++;
                int info = pendingInfo();
                byte[] f = rxPending.pollFirst();
                if (info == 0) sink.receive(now, f);
                else sink.receive(now, f, info);
                continue;
            }
            long r = LibC.read(rxErrno, fd, rxBuf, rxBuf.byteSize());
            if (r < 0) {
                int e = LibC.errno(rxErrno);
                if (e == Errno.EAGAIN) {
                    break;
                }
                if (e == Errno.EINTR) {
                    continue;
                }
                throw new UncheckedIOException(readError(e));
            }
            if (r == 0) {
                break;
            }
            rxPackets++;
            rxBytes += r;
            if (inbound != null) {
                decodeRead(rxBuf, 0, (int) r);
                continue;
            }
            byte[] frame = copyOut(rxBuf, 0, (int) r);
            n++;
            sink.receive(now, frame);
        }
        return n;
    }

    /**
     * What the device knows of the packet at the head of rxPending, for {@link FrameSink#receive(long, byte[], int)}:
     * a read that decoded into one packet hands on its merged segment size and whether its TCP
     * checksum was completed or verified ({@link TunOffload.Inbound#lastInfo}); the segments of a
     * read cut here carry nothing.
     */
    private int pendingInfo() {
        return inbound == null || rxPending.size() > 1 ? 0 : inbound.lastInfo();
    }

    /** Packets whose TCP checksum the stack was told not to sum again ({@link FrameSink#CHECKSUM_VERIFIED}). */
    public final long rxChecksumsVouched() {
        return inbound == null ? 0 : inbound.checksumsVouched;
    }

    /**
     * For a device whose stack terminates TCP and never forwards it (the gateway): received TCP
     * packets with a checksum to complete (NEEDS_CSUM) are vouched for ({@link org.netstack4j.device.FrameSink#CHECKSUM_VERIFIED})
     * and left with the partial checksum the kernel wrote, so their payload is not summed at all.
     * Such a packet must not be written out again (forwarding would need the full checksum).
     */
    public final void leaveVouchedChecksumsPartial(boolean on) {
        if (inbound != null) inbound.leaveVouchedPartial = on;
    }

    /**
     * For a router without filter or NAT: TCP super-packets read whole keep the kernel's partial
     * checksum (vouched for) instead of being summed, since forwarding writes them on whole with
     * a partial checksum again or cuts and sums each segment; plain packets are completed.
     */
    public final void leaveSuperPacketChecksumsPartial(boolean on) {
        if (inbound != null) inbound.leaveSuperPartial = on;
    }

    /** Received TCP checksums left partial ({@link #leaveVouchedChecksumsPartial}, {@link #leaveSuperPacketChecksumsPartial}). */
    public final long rxChecksumsLeftPartial() {
        return inbound == null ? 0 : inbound.checksumsLeftPartial;
    }

    /** Offload mode: the read at {@code base} in {@code buf} (header + packet) into rxPending, or dropped and counted. */
    private void decodeRead(MemorySegment buf, long base, int r) {
        if (r <= VirtioNetHeader.LENGTH) {
            inbound.drop();
            return;
        }
        byte[] packet = new byte[r - VirtioNetHeader.LENGTH];
        MemorySegment.copy(buf, base + VirtioNetHeader.LENGTH, MemorySegment.ofArray(packet), 0, packet.length);
        // the common small packet (a SYN, an ACK): an all-zero header says nothing is to be done
        // (no GSO, no checksum to complete); it needs no header record and no decoding
        if (buf.get(ValueLayout.JAVA_LONG_UNALIGNED, base) == 0 && buf.get(ValueLayout.JAVA_SHORT_UNALIGNED, base + 8) == 0) {
            inbound.plain();
            rxPending.addLast(packet);
            return;
        }
        MemorySegment.copy(buf, base, MemorySegment.ofArray(rxHeader), 0, VirtioNetHeader.LENGTH);
        inbound.decode(VirtioNetHeader.read(rxHeader, 0, VirtioNetHeader.LENGTH), packet, rxPending);
    }

    private TunException readError(int e) {
        String kind = TunException.kind(medium);
        if (e == Errno.EBADFD || e == Errno.EIO) {
            return new TunException("reading from " + kind + " interface '" + name + "' failed: " + Errno.describe(e)
                    + "; the interface was probably deleted (ip link del, or its network namespace was removed)", e);
        }
        return new TunException("reading from " + kind + " interface '" + name + "' failed: " + Errno.describe(e), e);
    }

    /**
     * Blocks in poll(2) until a packet can be read or the timeout passes (negative = forever).
     * Returns true if {@link #readAvailable} should be called now (also on POLLERR/POLLHUP, so the
     * read reports the error). May return false early if a signal interrupts the wait.
     * While writes are queued it also waits for POLLOUT and then writes them itself.
     */
    public final boolean awaitReadable(long timeoutNs) {
        return await(timeoutNs, null);
    }

    /**
     * Like {@link #awaitReadable(long)}, but also returns when {@code wakeup} is signalled from
     * another thread (the signal is consumed). Returns true only if this device is readable.
     */
    public final boolean awaitReadable(long timeoutNs, Wakeup wakeup) {
        return await(timeoutNs, wakeup);
    }

    private boolean await(long timeoutNs, Wakeup wakeup) {
        if (closed) {
            throw new IllegalStateException(TunException.kind(medium) + " device '" + name + "' is closed");
        }
        if (!rxPending.isEmpty()) {
            return true; // segments of a super-packet already read wait for readAvailable
        }
        short events = (short) (LibC.POLLIN | (txQueue.isEmpty() ? 0 : LibC.POLLOUT));
        pollFds.set(ValueLayout.JAVA_INT, 0, fd);
        pollFds.set(ValueLayout.JAVA_SHORT, 4, events);
        pollFds.set(ValueLayout.JAVA_SHORT, 6, (short) 0);
        int nfds = 1;
        if (wakeup != null) {
            pollFds.set(ValueLayout.JAVA_INT, LibC.POLLFD_SIZE, wakeup.fd());
            pollFds.set(ValueLayout.JAVA_SHORT, LibC.POLLFD_SIZE + 4, LibC.POLLIN);
            pollFds.set(ValueLayout.JAVA_SHORT, LibC.POLLFD_SIZE + 6, (short) 0);
            nfds = 2;
        }
        int r = LibC.poll(rxErrno, pollFds, nfds, LibC.pollTimeoutMs(timeoutNs));
        if (r < 0) {
            int e = LibC.errno(rxErrno);
            if (e == Errno.EINTR) {
                return false;
            }
            throw new UncheckedIOException(new TunException("poll on '" + name + "' failed: " + Errno.describe(e), e));
        }
        if (r == 0) {
            return false;
        }
        if (wakeup != null && pollFds.get(ValueLayout.JAVA_SHORT, LibC.POLLFD_SIZE + 6) != 0) {
            wakeup.drain();
        }
        short revents = pollFds.get(ValueLayout.JAVA_SHORT, 6);
        if ((revents & LibC.POLLOUT) != 0 && !txQueue.isEmpty()) {
            flushWritable(0);
        }
        return (revents & (LibC.POLLIN | LibC.POLLERR | LibC.POLLHUP | LibC.POLLNVAL)) != 0;
    }

    /**
     * For a dedicated reader thread: blocks until one packet arrives and returns it (the caller
     * owns the array), or returns null once {@link #close()} was called (from any thread) or at
     * end of input. The
     * sink is not used. Do not mix with {@link #readAvailable}/{@link #awaitReadable}.
     *
     * @throws TunException when the descriptor is broken, e.g. EBADFD after the interface was deleted
     */
    public final byte[] readBlocking() throws TunException {
        readerLock.lock();
        try {
            if (!rxRingTried) setupRxRing();
            if (rxRing != null) return readRing();
            while (!closed) {
                if (!rxPending.isEmpty()) {
                    // a merged read is one packet, returned before the next read is decoded
                    lastReadInfo = pendingInfo();
                    return rxPending.pollFirst();
                }
                lastReadInfo = 0;
                long r = LibC.read(rxErrno, fd, rxBuf, rxBuf.byteSize());
                if (r > 0) {
                    rxPackets++;
                    rxBytes += r;
                    if (inbound != null) {
                        decodeRead(rxBuf, 0, (int) r);
                        continue;
                    }
                    return copyOut(rxBuf, 0, (int) r);
                }
                if (r == 0) {
                    return null; // end of input (never from a TUN/TAP; a closed socketpair peer in tests)
                }
                int e = LibC.errno(rxErrno);
                if (e == Errno.EINTR) {
                    continue;
                }
                if (e != Errno.EAGAIN) {
                    throw readError(e);
                }
                rxPollFds.set(ValueLayout.JAVA_INT, 0, fd);
                rxPollFds.set(ValueLayout.JAVA_SHORT, 4, LibC.POLLIN);
                rxPollFds.set(ValueLayout.JAVA_SHORT, 6, (short) 0);
                rxPollFds.set(ValueLayout.JAVA_INT, LibC.POLLFD_SIZE, closeWakeup.fd());
                rxPollFds.set(ValueLayout.JAVA_SHORT, LibC.POLLFD_SIZE + 4, LibC.POLLIN);
                rxPollFds.set(ValueLayout.JAVA_SHORT, LibC.POLLFD_SIZE + 6, (short) 0);
                if (LibC.poll(rxErrno, rxPollFds, 2, -1) < 0 && LibC.errno(rxErrno) != Errno.EINTR) {
                    int pe = LibC.errno(rxErrno);
                    throw new TunException("poll on '" + name + "' failed: " + Errno.describe(pe), pe);
                }
                // POLLERR/POLLHUP on the device: the next read reports why
            }
            return null;
        } finally {
            readerLock.unlock();
        }
    }

    private int lastReadInfo;

    /**
     * On the reader thread, after {@link #readBlocking()}: what the device knows of the packet it
     * returned, as {@link FrameSink#receive(long, byte[], int)} takes it: the payload size of the
     * segments it was merged from (a TCP GSO read handed on whole; 0 for a plain packet) and
     * {@link FrameSink#CHECKSUM_VERIFIED} when its TCP checksum was completed or verified.
     */
    public final int lastReadInfo() {
        return lastReadInfo;
    }

    /**
     * On the reader thread: true if the next {@link #readBlocking()} returns at once, without a
     * system call (packets of a read already decoded, or io_uring reads already completed).
     */
    public final boolean hasReadyFrames() {
        return !rxPending.isEmpty() || rxReadyHead < rxReadyCount || (rxRing != null && rxRing.ready() > 0);
    }

    // ------------------------------------------------------------------ io_uring (IoUring)
    //
    // The reader thread keeps RX_DEPTH reads outstanding on the descriptor (each into its own
    // buffer) plus one on the close wakeup's eventfd, and waits for completions in io_uring_enter,
    // which also submits the reads it re-armed: one system call per burst of packets instead of a
    // read(2) per packet (and a poll(2) whenever the queue runs dry). The loop thread stages its
    // writes (frames up to TX_SLOT_SIZE) in a second ring and submits them together when the stack
    // polls the device at the end of its burst: one io_uring_enter per burst instead of a write(2)
    // per packet. Larger frames (TSO super-segments) are written with write(2) after what is
    // staged. The kernel writes into the buffers of requests in flight, so each ring's buffers are
    // freed only after every request was seen to complete or be cancelled.

    /** Reads kept outstanding on the descriptor. */
    static final int RX_DEPTH = 32;
    /** Writes staged or in flight at most; the buffer of each. */
    static final int TX_SLOTS = 128;
    static final int TX_SLOT_SIZE = 2048;
    /** User data of the read on the close wakeup's eventfd. */
    private static final long WAKE = RX_DEPTH;

    private boolean uringAllowed;
    private boolean rxRingTried, txRingTried;
    private IoUring rxRing, txRing;
    private Arena rxArena, txArena;
    private MemorySegment rxSlots, wakeBuf, txSlots;
    private final boolean[] rxArmed = new boolean[RX_DEPTH];
    private boolean wakeArmed;
    private final long[] rxReadyData = new long[4 * RX_DEPTH + 8];
    private final int[] rxReadyRes = new int[4 * RX_DEPTH + 8];
    private int rxReadyHead, rxReadyCount;
    private final IoUring.Completion rxCompletion = (userData, res) -> {
        if (userData < 0 || rxReadyCount == rxReadyData.length) return; // a cancel's own completion
        rxReadyData[rxReadyCount] = userData;
        rxReadyRes[rxReadyCount++] = res;
    };
    private final int[] txFree = new int[TX_SLOTS];
    private final int[] txSlotLength = new int[TX_SLOTS];
    private int txFreeCount;
    private long txStagedAt = Time.NEVER;
    private final IoUring.Completion txCompletion = this::txCompleted;

    /**
     * Turns io_uring on or off for this device before its first read or write (default: on for a
     * TUN/TAP descriptor unless {@code -D}{@value IoUring#PROPERTY}{@code =false}; off for an adopted
     * descriptor). When the kernel refuses io_uring the device uses read(2)/write(2) anyway.
     */
    public final void setIoUring(boolean on) {
        this.uringAllowed = on && IoUring.enabled();
    }

    /**
     * Batched writes (default off): {@link #transmit} stages frames in an io_uring and the next
     * {@link #poll} (which {@link #pollAt} asks for at once) submits them in one io_uring_enter.
     * Only for a runtime that polls the device after each burst of transmits, as a stack's event
     * loop does ({@link TunHost} turns it on); without io_uring it changes nothing.
     */
    public final void setBatchedWrites(boolean on) {
        this.batchedWrites = on;
    }

    private boolean batchedWrites;

    /** Whether reads go through io_uring (false until the first {@link #readBlocking} set it up). */
    public final boolean ioUringReads() { return rxRing != null; }

    /** Whether writes go through io_uring (false until the first write set it up). */
    public final boolean ioUringWrites() { return txRing != null; }

    /** io_uring_enter calls made for reads and for writes (0 when not used). */
    public final long ioUringEnters() {
        IoUring r = rxRing, t = txRing;
        return (r == null ? 0 : r.enters()) + (t == null ? 0 : t.enters());
    }

    private void setupRxRing() {
        rxRingTried = true;
        if (!uringAllowed || closed) return;
        Arena a = Arena.ofShared();
        IoUring r = IoUring.open(2 * RX_DEPTH + 2, a);
        if (r == null) {
            a.close();
            return;
        }
        rxArena = a;
        rxRing = r;
        rxSlots = a.allocate((long) RX_DEPTH * BUFFER_SIZE, 4096);
        wakeBuf = a.allocate(8, 8);
        for (int i = 0; i < RX_DEPTH; i++) armRead(i);
        armWake();
    }

    private void armRead(int slot) {
        rxArmed[slot] = rxRing.prepare(IoUring.OP_READ, fd, rxSlots.address() + (long) slot * BUFFER_SIZE, BUFFER_SIZE, slot);
    }

    private void armWake() {
        wakeArmed = rxRing.prepare(IoUring.OP_READ, closeWakeup.fd(), wakeBuf.address(), 8, WAKE);
    }

    /** {@link #readBlocking} with the ring: completed reads in order, one io_uring_enter when none is left. */
    private byte[] readRing() throws TunException {
        while (!closed) {
            if (!rxPending.isEmpty()) {
                lastReadInfo = pendingInfo();
                return rxPending.pollFirst();
            }
            lastReadInfo = 0;
            if (rxReadyHead == rxReadyCount) {
                rxReadyHead = rxReadyCount = 0;
                if (rxRing.reap(rxCompletion) == 0) {
                    // submits the reads re-armed since the last call and waits for one completion
                    int r = rxRing.submit(1);
                    if (r < 0 && r != -Errno.EINTR && r != -Errno.EAGAIN && r != -Errno.EBUSY) {
                        throw new TunException("io_uring_enter on '" + name + "' failed: " + Errno.describe(-r), -r);
                    }
                    rxRing.reap(rxCompletion);
                }
                continue;
            }
            long slot = rxReadyData[rxReadyHead];
            int res = rxReadyRes[rxReadyHead++];
            if (slot == WAKE) {
                wakeArmed = false;
                if (!closed) armWake();
                continue;
            }
            int i = (int) slot;
            rxArmed[i] = false;
            if (res > 0) {
                rxPackets++;
                rxBytes += res;
                long base = (long) i * BUFFER_SIZE;
                byte[] frame = null;
                if (inbound != null) decodeRead(rxSlots, base, res);
                else frame = copyOut(rxSlots, base, res);
                armRead(i); // copied out: the kernel may fill the buffer again
                if (frame != null) return frame;
                continue;
            }
            if (res == 0) return null; // end of input (a closed socket pair peer in tests)
            if (res == -Errno.ECANCELED) continue;
            if (res == -Errno.EINTR || res == -Errno.EAGAIN) {
                armRead(i);
                continue;
            }
            throw readError(-res);
        }
        return null;
    }

    /**
     * Loop thread: stages a write of {@code frame} in the ring (copied into a free slot), to be
     * submitted with the others of this burst by {@link #submitWrites}. False if the frame does
     * not fit a slot or the ring is not in use: the caller writes it with write(2).
     */
    private boolean stageWrite(long now, byte[] frame) {
        if (!batchedWrites) return false;
        if (!txRingTried) setupTxRing();
        if (txRing == null || frame.length > TX_SLOT_SIZE) return false;
        if (txFreeCount == 0 || txRing.freeSlots() == 0) {
            submitWrites();
            if (txFreeCount == 0 || txRing.freeSlots() == 0) return false;
        }
        int slot = txFree[--txFreeCount];
        long at = (long) slot * TX_SLOT_SIZE;
        MemorySegment.copy(MemorySegment.ofArray(frame), 0, txSlots, at, frame.length);
        txSlotLength[slot] = frame.length;
        txRing.prepare(IoUring.OP_WRITE, fd, txSlots.address() + at, frame.length, slot);
        // counted when staged (as a write(2) is when it returns); a failed completion takes it back
        txPackets++;
        txBytes += frame.length;
        if (now < txStagedAt) txStagedAt = now;
        return true;
    }

    private void setupTxRing() {
        txRingTried = true;
        if (!uringAllowed || closed) return;
        Arena a = Arena.ofShared();
        IoUring r = IoUring.open(TX_SLOTS, a);
        if (r == null) {
            a.close();
            return;
        }
        txArena = a;
        txRing = r;
        txSlots = a.allocate((long) TX_SLOTS * TX_SLOT_SIZE, 4096);
        for (int i = 0; i < TX_SLOTS; i++) txFree[i] = i;
        txFreeCount = TX_SLOTS;
    }

    /** Submits the staged writes in one io_uring_enter and takes back the slots of those completed. */
    private void submitWrites() {
        if (txRing == null) return;
        int r = txRing.submit(0);
        txRing.reap(txCompletion);
        if (r >= 0 && txRing.freeSlots() == TX_SLOTS) txStagedAt = Time.NEVER;
    }

    private void txCompleted(long userData, int res) {
        if (userData < 0 || userData >= TX_SLOTS) return;
        int slot = (int) userData;
        txFree[txFreeCount++] = slot;
        if (res >= 0) return;
        txPackets--;
        txBytes -= txSlotLength[slot];
        if (res == -Errno.EAGAIN || res == -Errno.ENOBUFS) {
            txDropped++;
        } else {
            txErrors++;
            lastTxErrno = -res;
        }
    }

    /**
     * Cancels the requests of {@code ring} for which {@code inFlight} holds (user data 0 until
     * {@code slots}, and {@code extra}) and waits, bounded, for their completions; true if none
     * is left, so their buffers may be freed.
     */
    private static boolean quiesce(IoUring ring, java.util.function.LongPredicate inFlight, int slots, long extra,
                                   java.util.function.LongConsumer done) {
        IoUring.Completion c = (u, res) -> { if (u >= 0) done.accept(u); };
        ring.submit(0);
        ring.reap(c);
        for (int round = 0; round < 100; round++) {
            boolean any = false;
            for (long i = 0; i < slots; i++) {
                if (inFlight.test(i)) {
                    any = true;
                    if (!ring.prepareCancel(i)) ring.submit(0);
                }
            }
            if (extra >= 0 && inFlight.test(extra)) {
                any = true;
                if (!ring.prepareCancel(extra)) ring.submit(0);
            }
            if (!any) return true;
            int r = ring.submit(1);
            if (r < 0 && r != -Errno.EINTR && r != -Errno.EAGAIN && r != -Errno.EBUSY) return false;
            ring.reap(c);
        }
        return false;
    }

    /** Closes both rings; a ring's buffers are freed only if all its requests are known to be done. */
    private void closeRings() {
        if (rxRing != null) {
            boolean quiet = quiesce(rxRing, u -> u == WAKE ? wakeArmed : rxArmed[(int) u], RX_DEPTH, WAKE,
                    u -> { if (u == WAKE) wakeArmed = false; else if (u < RX_DEPTH) rxArmed[(int) u] = false; });
            rxRing.close();
            if (quiet) rxArena.close(); // else left to the process: the kernel might still write there
        }
        if (txRing != null) {
            boolean[] busy = new boolean[TX_SLOTS];
            java.util.Arrays.fill(busy, true);
            for (int i = 0; i < txFreeCount; i++) busy[txFree[i]] = false;
            boolean quiet = quiesce(txRing, u -> busy[(int) u], TX_SLOTS, -1,
                    u -> { if (u < TX_SLOTS) busy[(int) u] = false; });
            txRing.close();
            if (quiet) txArena.close();
        }
    }

    /** Whether the descriptor is in non-blocking mode (it always should be). */
    final boolean isNonBlocking() {
        int flags = LibC.fcntl(txErrno, fd, LibC.F_GETFL, 0);
        return flags >= 0 && (flags & LibC.O_NONBLOCK) != 0;
    }

    /** The errno of the last failed write other than EAGAIN/ENOBUFS, or 0. */
    public final int lastTxErrno() {
        return lastTxErrno;
    }

    /** Packet and byte counts since open. */
    public record Stats(long rxPackets, long rxBytes, long txPackets, long txBytes,
                        long txQueued, long txDropped, long txErrors, int txQueueLength) {}

    public final Stats stats() {
        return new Stats(rxPackets, rxBytes, txPackets, txBytes, txQueued, txDropped, txErrors, txQueue.size());
    }

    public final boolean isClosed() {
        return closed;
    }

    /**
     * Closes the descriptor (a non-persistent interface disappears) and frees the buffers.
     * Idempotent. From another thread, it first wakes a {@link #readBlocking()} in progress and
     * waits for it to return null.
     */
    @Override
    public final void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        closeWakeup.signal();
        readerLock.lock();
        try {
            closeRings();
            txDropped += txQueue.size() + txBatch.size();
            txQueue.clear();
            txBatch.clear();
            LibC.close(txErrno, fd);
            closeWakeup.close();
            arena.close();
        } finally {
            readerLock.unlock();
        }
    }

    @Override
    public String toString() {
        return TunException.kind(medium) + "(" + name + ", fd " + fd + ", mtu " + mtu + (closed ? ", closed" : "") + ")";
    }

    /**
     * The first {@code length} bytes of {@code buf} as a new array. Not {@code asSlice(..).toArray(..)}:
     * on JDK 25 that computes {@code Class.getSimpleName()} on every call, which showed up as the
     * reader thread's hottest Java frame in a JFR profile of TunBench. Nor the array form of
     * {@code MemorySegment.copy}: on JDK 25 its index check built a StringBuilder per call
     * (JFR, the offload rows); the segment-to-segment copy has no such check.
     */
    private static byte[] copyOut(MemorySegment buf, long base, int length) {
        byte[] frame = new byte[length];
        MemorySegment.copy(buf, base, MemorySegment.ofArray(frame), 0, length);
        return frame;
    }
}
