package org.netstack4j.linux;

import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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
    /** The device's word on each frame of rxPending (FrameSink#receive's info), a ring in step with it. */
    private int[] rxPendingInfo = new int[16];
    private int rxInfoHead, rxInfoCount;
    /** The word on the frame {@link #takePending} returned last. */
    private int takenInfo;
    /** A virtio-net header's 16-bit fields (little-endian on the hosts we run on; TUNSETVNETLE elsewhere). */
    private static final ValueLayout.OfShort LE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
    private final java.util.ArrayList<byte[]> txBatch = new java.util.ArrayList<>();
    private long txBatchAt = Time.NEVER;
    /** TCP super-packets written and the segments in them; USO super-packets and the datagrams in them. */
    private final long[] coalesced = new long[4];
    /** Packets per coalescing batch at most: a batch is written at once when it reaches this. */
    static final int TX_BATCH_LIMIT = 64;

    TunTapDevice(Medium medium, TunOpen.Opened o) {
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
        this.txRing = new TunTxRing(this, (offloads.vnetHeader() ? VirtioNetHeader.LENGTH : 0) + (medium == Medium.ETHERNET ? 14 : 0));
        this.rxPollFds = arena.allocate(2 * LibC.POLLFD_SIZE, 8);
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
        if (!txQueue.isEmpty()) flush(now);
        txRing.submit(); // what is staged goes first
        if (txQueue.isEmpty() && packet.length + VirtioNetHeader.LENGTH <= txBuf.byteSize()) {
            TunOffload.writeGsoHeader(packet, segmentSize, txHeader, 0);
            MemorySegment.copy(txHeader, 0, txBuf, ValueLayout.JAVA_BYTE, 0, VirtioNetHeader.LENGTH);
            MemorySegment.copy(packet, 0, txBuf, ValueLayout.JAVA_BYTE, VirtioNetHeader.LENGTH, packet.length);
            int e = writeBuffer(VirtioNetHeader.LENGTH + packet.length);
            if (e != Errno.EAGAIN && e != Errno.ENOBUFS) return;
        }
        byte[] f = TunOffload.plain(packet);
        TunOffload.writeGsoHeader(packet, segmentSize, f, 0);
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
        if (txBatch.size() == 1) {
            // a lone packet (the ACK of a bulk receive, a request): nothing to coalesce
            byte[] p = txBatch.get(0);
            txBatch.clear();
            txBatchAt = Time.NEVER;
            writeBare(now, p);
            return;
        }
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

    /**
     * Offload mode: {@code packet} behind an all-zero vnet header, as {@code writeWire(TunOffload.plain(packet))}
     * but without making that framed copy (an array and a pass over the bytes per write): the header
     * and the packet go straight into the write buffer or a ring slot. Only a refused write keeps a framed copy.
     */
    private void writeBare(long now, byte[] packet) {
        int hdr = VirtioNetHeader.LENGTH, length = hdr + packet.length;
        if (!txQueue.isEmpty() || length > txBuf.byteSize()) {
            writeWire(now, TunOffload.plain(packet));
            return;
        }
        if (batchedWrites && txRing.stage(now, packet, hdr)) {
            txPackets++;
            txBytes += length;
            return;
        }
        txRing.submit(); // what is staged goes first
        txBuf.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, 0L);
        txBuf.set(ValueLayout.JAVA_SHORT_UNALIGNED, 8, (short) 0);
        MemorySegment.copy(packet, 0, txBuf, ValueLayout.JAVA_BYTE, hdr, packet.length);
        int e = writeBuffer(length);
        if (e == Errno.EAGAIN || e == Errno.ENOBUFS) enqueue(now, TunOffload.plain(packet));
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
        if (batchedWrites && txRing.stage(now, frame, 0)) {
            // counted when staged (as a write(2) is when it returns); a failed completion takes it back
            txPackets++;
            txBytes += frame.length;
            return 0;
        }
        txRing.submit(); // what is staged goes first
        if (frame.length > txBuf.byteSize()) {
            txErrors++;
            lastTxErrno = Errno.EMSGSIZE;
            return Errno.EMSGSIZE;
        }
        MemorySegment.copy(frame, 0, txBuf, ValueLayout.JAVA_BYTE, 0, frame.length); // array form, no wrapper: see copyOut
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
        return Math.min(Math.min(txBatchAt, txRing.stagedAt()), txQueue.isEmpty() ? Time.NEVER : retryAt);
    }

    @Override
    public final void poll(long now) {
        if (!closed && !txBatch.isEmpty()) flushBatch(now);
        if (!closed && !txQueue.isEmpty() && now >= retryAt) {
            flush(now);
        }
        // the end of the stack's burst: the writes staged in the ring go in one io_uring_enter
        if (!closed && txRing.stagedAt() != Time.NEVER) txRing.submit();
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
                byte[] f = takePending();
                int info = takenInfo;
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

    /** The head of rxPending; its word (what the device knows of it) goes to {@link #takenInfo}. */
    private byte[] takePending() {
        takenInfo = rxPendingInfo[rxInfoHead];
        rxInfoHead = (rxInfoHead + 1) & (rxPendingInfo.length - 1);
        rxInfoCount--;
        return rxPending.pollFirst();
    }

    /**
     * After a read was decoded into rxPending: the word of each frame it added, for
     * {@link FrameSink#receive(long, byte[], int)}. A read that decoded into one packet hands on its
     * merged segment size and whether its TCP checksum was completed or verified
     * ({@link TunOffload.Inbound#lastInfo}); the segments of a read cut here carry nothing (their
     * checksums were computed whole, TCP checks them). Kept per frame, so a frame never takes
     * another read's word.
     */
    private void pendInfos(int added) {
        int info = added == 1 ? inbound.lastInfo() : 0;
        for (int i = 0; i < added; i++) {
            if (rxInfoCount == rxPendingInfo.length) {
                int[] grown = new int[rxPendingInfo.length * 2];
                for (int j = 0; j < rxInfoCount; j++) grown[j] = rxPendingInfo[(rxInfoHead + j) & (rxPendingInfo.length - 1)];
                rxPendingInfo = grown;
                rxInfoHead = 0;
            }
            rxPendingInfo[(rxInfoHead + rxInfoCount++) & (rxPendingInfo.length - 1)] = info;
        }
    }

    /** Packets whose TCP checksum the stack was told not to sum again ({@link FrameSink#CHECKSUM_VERIFIED}). */
    public final long rxChecksumsVouched() {
        return inbound == null ? 0 : inbound.checksumsVouched;
    }

    /**
     * For a device whose stack terminates TCP and never forwards it (the gateway): received TCP
     * packets with a checksum to complete (NEEDS_CSUM) are vouched for ({@link org.netstack4j.device.FrameSink#CHECKSUM_VERIFIED})
     * and left with the partial checksum the kernel wrote, so their payload is not summed at all.
     * Their word says so ({@link org.netstack4j.device.FrameSink#CHECKSUM_PARTIAL}): a capture
     * ({@link org.netstack4j.device.PcapTap}) or a forwarding stack completes the checksum first.
     * {@link TunHost} turns it on.
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
        byte[] packet = copyOut(buf, base + VirtioNetHeader.LENGTH, r - VirtioNetHeader.LENGTH);
        // the common small packet (a SYN, an ACK): an all-zero header says nothing is to be done
        // (no GSO, no checksum to complete); it needs no header record and no decoding
        if (buf.get(ValueLayout.JAVA_LONG_UNALIGNED, base) == 0 && buf.get(ValueLayout.JAVA_SHORT_UNALIGNED, base + 8) == 0) {
            inbound.plain();
            rxPending.addLast(packet);
            pendInfos(1);
            return;
        }
        // the header's fields read in place (little-endian, virtio 1.x 5.1.6): no header record, no copy
        int before = rxPending.size();
        inbound.decode(buf.get(ValueLayout.JAVA_BYTE, base) & 0xff, buf.get(ValueLayout.JAVA_BYTE, base + 1) & 0xff,
                buf.get(LE16, base + 4) & 0xffff, buf.get(LE16, base + 6) & 0xffff, buf.get(LE16, base + 8) & 0xffff,
                packet, rxPending);
        pendInfos(rxPending.size() - before);
    }

    final TunException readError(int e) {
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
            if (!rxRingTried) {
                rxRingTried = true;
                if (uringAllowed && !closed) rings = TunRings.open(this, closeWakeup, multishotAllowed);
            }
            if (rings != null) return rings.read();
            while (!closed) {
                // a merged read is one packet, returned before the next read is decoded
                byte[] f = pendingFrame();
                if (f != null) return f;
                long r = LibC.read(rxErrno, fd, rxBuf, rxBuf.byteSize());
                if (r > 0) {
                    f = received(rxBuf, 0, (int) r);
                    if (f != null) return f;
                    continue;
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
        return !rxPending.isEmpty() || (rings != null && rings.hasReady());
    }

    // ------------------------------------------------------------------ io_uring (IoUring)
    //
    // Reads: TunRings (the reader thread's ring). Writes: TunTxRing (the loop thread's staged writes).

    private boolean uringAllowed;
    private boolean rxRingTried;
    private TunRings rings;
    private final TunTxRing txRing;
    private boolean batchedWrites;
    private boolean multishotAllowed = TunRings.MULTISHOT;

    /**
     * Turns io_uring on or off for this device before its first read or write (default: on for a
     * TUN/TAP descriptor unless {@code -D}{@value IoUring#PROPERTY}{@code =false}; off for an adopted
     * descriptor). When the kernel refuses io_uring the device uses read(2)/write(2) anyway.
     */
    public final void setIoUring(boolean on) {
        this.uringAllowed = on && IoUring.enabled();
    }

    final boolean ioUringAllowed() { return uringAllowed; }

    /**
     * Batched writes (default off): {@link #transmit} stages frames in an io_uring and the next
     * {@link #poll} (which {@link #pollAt} asks for at once) submits them in one io_uring_enter.
     * Only for a runtime that polls the device after each burst of transmits, as a stack's event
     * loop does ({@link TunHost} turns it on); without io_uring it changes nothing.
     */
    public final void setBatchedWrites(boolean on) {
        this.batchedWrites = on;
    }

    /** Whether reads go through io_uring (false until the first {@link #readBlocking} set it up). */
    public final boolean ioUringReads() { return rings != null; }

    /** Whether writes go through io_uring (false until the first write set it up). */
    public final boolean ioUringWrites() { return txRing.active(); }

    /** io_uring_enter calls made for reads and for writes (0 when not used). */
    public final long ioUringEnters() {
        TunRings r = rings;
        return (r == null ? 0 : r.enters()) + txRing.enters();
    }

    /**
     * Before the first {@link #readBlocking}: one multishot io_uring read with provided buffers
     * (true, default unless -D{@value TunRings#MULTISHOT_PROPERTY}=false) or one read per buffer
     * (measurements).
     */
    public final void setMultishot(boolean on) { this.multishotAllowed = on && TunRings.MULTISHOT; }

    /** Whether reads go through one multishot io_uring read with provided buffers. */
    public final boolean ioUringMultishot() { return rings != null && rings.multishot(); }

    /** How often the multishot read was made (once, then again each time it ended). */
    final long multishotArms() { return rings == null ? 0 : rings.multishotArms(); }

    /** Reads outstanding now (tests). */
    final int ioUringReadDepth() { return rings == null ? TunRings.RX_DEPTH : rings.depth(); }

    /** TunRings, reader thread: the next frame of a read already decoded (with its word in lastReadInfo), or null. */
    final byte[] pendingFrame() {
        if (!rxPending.isEmpty()) {
            byte[] f = takePending();
            lastReadInfo = takenInfo;
            return f;
        }
        lastReadInfo = 0;
        return null;
    }

    /**
     * Reader thread: a read of {@code length} bytes at {@code base} in {@code buf} counted, then
     * decoded into rxPending (offload mode; null returned) or copied out and returned. The caller
     * may let the kernel fill the buffer again afterwards.
     */
    final byte[] received(MemorySegment buf, long base, int length) {
        rxPackets++;
        rxBytes += length;
        if (inbound != null) {
            decodeRead(buf, base, length);
            return null;
        }
        return copyOut(buf, base, length);
    }

    /** Received frames given back by the loop thread ({@link #recycle}), or null: every read into a new array. */
    private volatile TunRxPool rxPool;

    /**
     * Before the first read: received frames are copied into arrays the loop thread gave back with
     * {@link #recycle} (true) or into new ones (false, default). Only for a runtime whose stack
     * tells it when a frame is no longer referred to ({@link org.netstack4j.device.FramePool}, as {@link TunHost} does).
     */
    final void setRecycling(boolean on) { this.rxPool = on ? new TunRxPool() : null; }

    /**
     * Whoever holds the stack's event loop (one thread at a time): a received frame's array that
     * nothing refers to any more, for the reader to fill again; ignored unless {@link #setRecycling} is on.
     */
    final void recycle(byte[] frame) {
        TunRxPool pool = rxPool;
        if (pool != null) pool.giveBack(frame);
    }

    /** Reads copied into a recycled array (reader thread's count; 0 without recycling). */
    final long rxFramesReused() {
        TunRxPool pool = rxPool;
        return pool == null ? 0 : pool.reused();
    }

    /** TunTxRing: a staged write failed; it was counted as written when staged. */
    final void stagedWriteFailed(int length, int errno) {
        txPackets--;
        txBytes -= length;
        if (errno == Errno.EAGAIN || errno == Errno.ENOBUFS) {
            txDropped++;
        } else {
            txErrors++;
            lastTxErrno = errno;
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
            if (rings != null) rings.close();
            txRing.close();
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
     * reader thread's hottest Java frame in a JFR profile of TunBench. Nor a segment-to-segment copy
     * into {@code MemorySegment.ofArray(frame)}: that wrapper is 72 bytes per read that escape
     * analysis did not remove in this method (JFR issue 15: asSlice/ofArray among the reader's top
     * frames). The array form of {@code MemorySegment.copy} allocates nothing (measured on JDK 25,
     * also interpreted; TunAllocationTest). With recycling on ({@link #setRecycling}) a large
     * frame goes into an array the stack gave back.
     */
    private byte[] copyOut(MemorySegment buf, long base, int length) {
        TunRxPool pool = rxPool;
        byte[] frame = pool == null ? new byte[length] : pool.take(length);
        MemorySegment.copy(buf, ValueLayout.JAVA_BYTE, base, frame, 0, length);
        return frame;
    }
}
