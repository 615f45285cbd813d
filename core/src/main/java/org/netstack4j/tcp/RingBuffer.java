package org.netstack4j.tcp;

import java.nio.ByteBuffer;

/**
 * A fixed-capacity byte ring for the send and receive queues. The array is allocated on first
 * write so an idle connection costs no buffer memory (DESIGN.md 10), starts small and doubles
 * as the data held needs it, up to the capacity: its size follows what the window actually
 * used, not the configured maximum. Besides append/consume it
 * can write beyond the committed end ({@link #writeAt}) so out-of-order TCP data is stored in
 * place and later {@link #commit committed} when the hole before it fills.
 */
final class RingBuffer {
    private final int capacity;
    private final boolean shared;
    /** Where the array's bytes are charged (the layer's buffer memory, Hardening); null: nowhere. */
    private Account account;
    private byte[] buf;
    private int head;
    private int size;

    RingBuffer(int capacity) { this(capacity, false); }

    private RingBuffer(int capacity, boolean shared) {
        this.capacity = capacity;
        this.shared = shared;
    }

    /**
     * An empty ring that is never written: one per layer stands in for the buffers of every
     * connection that has not queued or received a byte yet (its size, free space and capacity
     * read like a fresh ring's). Writing to it throws.
     */
    static RingBuffer sharedEmpty(int capacity) { return new RingBuffer(capacity, true); }

    boolean isShared() { return shared; }

    int capacity() { return capacity; }
    int size() { return size; }
    int free() { return Math.max(0, capacity - size); }

    /**
     * How far past its capacity a receive ring may be filled: one segment taken whole while
     * nothing unread was held (Linux's sk_forced_mem_schedule, {@link TcpConfig.Buffers#acceptWholeSegment}).
     * The hard limit of a ring is its capacity plus this; the send side never goes past capacity.
     */
    static final int MAX_OVERCOMMIT = 65535;

    /** The most bytes this ring can ever hold. */
    long hardLimit() { return (long) capacity + MAX_OVERCOMMIT; }
    boolean isEmpty() { return size == 0; }

    /** A running total of array bytes (TcpLayer's buffer memory, Linux tcp_mem's count). */
    static final class Account {
        long bytes;
    }

    /** From now on this ring's array, as it is and as it grows, counts in {@code a}. */
    void chargeTo(Account a) {
        if (account != null || shared) return;
        account = a;
        a.bytes += allocated();
    }

    /** Takes this ring's array off its account (the ring is dropped, or its connection is CLOSED). */
    void uncharge() {
        if (account == null) return;
        account.bytes -= allocated();
        account = null;
    }

    boolean isCharged() { return account != null; }

    /** The smallest array: the first one fits the first data, rounded up to a power of two, at least this. */
    static final int MIN_ARRAY = 256;

    /** Bytes of array held (0 before the first write). */
    int allocated() { return buf == null ? 0 : buf.length; }

    /** The array, grown so that {@code needed} bytes from the head fit; every byte keeps its offset from the head. */
    private byte[] array(int needed) {
        if (buf != null && buf.length >= needed) return buf;
        int n = buf == null ? Math.min(capacity, MIN_ARRAY) : buf.length;
        int max = Math.max(capacity, needed); // needed <= hardLimit(), checked by the callers
        while (n < needed) n = (int) Math.min(max, 2L * n);
        byte[] a = new byte[n];
        if (buf != null) {
            int tail = buf.length - head;
            System.arraycopy(buf, head, a, 0, tail);
            System.arraycopy(buf, 0, a, tail, head);
        }
        if (account != null) account.bytes += a.length - (buf == null ? 0 : buf.length);
        buf = a;
        head = 0;
        return a;
    }

    /** Appends up to len bytes; returns how many fit. */
    int write(byte[] src, int off, int len) {
        int n = Math.min(len, free());
        writeAt(0, src, off, n);
        size += n;
        return n;
    }

    /**
     * Appends up to {@code len} bytes from {@code src}'s position (a direct buffer a host socket
     * filled: one copy into the ring, none through a heap array); advances the position by the
     * count, which it returns.
     */
    int write(ByteBuffer src, int len) {
        int n = Math.min(Math.min(len, src.remaining()), free());
        if (n <= 0) return 0;
        if (shared) throw new IllegalStateException("write to the shared empty ring");
        byte[] a = array(size + n);
        int pos = (int) (((long) head + size) % a.length);
        int first = Math.min(n, a.length - pos);
        src.get(a, pos, first);
        if (first < n) src.get(a, 0, n - first);
        size += n;
        return n;
    }

    /** Copies len bytes to the position {@code offset} bytes past the committed end (must fit). */
    void writeAt(int offset, byte[] src, int off, int len) {
        if (len <= 0) return;
        if (shared) throw new IllegalStateException("write to the shared empty ring");
        if (offset < 0 || (long) size + offset + len > hardLimit()) throw new IndexOutOfBoundsException("ring overflow");
        byte[] a = array(size + offset + len);
        int pos = (int) (((long) head + size + offset) % a.length);
        int first = Math.min(len, a.length - pos);
        System.arraycopy(src, off, a, pos, first);
        if (first < len) System.arraycopy(src, off + first, a, 0, len - first);
    }

    /** Makes n bytes written with {@link #writeAt} part of the readable data. */
    void commit(int n) {
        if (n == 0) return;
        if (shared) throw new IllegalStateException("commit to the shared empty ring");
        if (n < 0 || (long) size + n > hardLimit()) throw new IndexOutOfBoundsException("commit " + n);
        size += n;
    }

    /** Copies len bytes starting offset bytes from the head, without consuming. */
    void peek(int offset, byte[] dst, int off, int len) {
        if (len <= 0) return;
        if (offset < 0 || offset + len > size) throw new IndexOutOfBoundsException("peek beyond data");
        int pos = (int) (((long) head + offset) % buf.length);
        int first = Math.min(len, buf.length - pos);
        System.arraycopy(buf, pos, dst, off, first);
        if (first < len) System.arraycopy(buf, 0, dst, off + first, len - first);
    }

    /**
     * Where the len bytes starting offset bytes from the head lie in {@link #array()} when they
     * are one run (no wrap), else -1: a reader may then use them in place instead of a
     * {@link #peek} copy, until the ring is next written or grown.
     */
    int contiguousAt(int offset, int len) {
        if (len <= 0 || offset < 0 || offset + len > size) return -1;
        int pos = (int) (((long) head + offset) % buf.length);
        return pos + len <= buf.length ? pos : -1;
    }

    /** The array behind the ring (null before the first write); see {@link #contiguousAt}. */
    byte[] array() { return buf; }

    /** Consumes up to len bytes into dst; returns how many. */
    int read(byte[] dst, int off, int len) {
        int n = Math.min(len, size);
        peek(0, dst, off, n);
        discard(n);
        return n;
    }

    /**
     * Consumes up to {@code dst.remaining()} bytes into {@code dst} (e.g. a direct buffer a host
     * socket then writes without another copy); returns how many.
     */
    int read(ByteBuffer dst) { return read(dst, dst.remaining()); }

    /** {@link #read(ByteBuffer)} of at most {@code len} bytes. */
    int read(ByteBuffer dst, int len) {
        int n = Math.min(Math.min(len, dst.remaining()), size);
        if (n <= 0) return 0;
        int first = Math.min(n, buf.length - head);
        dst.put(buf, head, first);
        if (first < n) dst.put(buf, 0, n - first);
        discard(n);
        return n;
    }

    void discard(int n) {
        n = Math.min(n, size);
        if (n == 0) return;
        head = (head + n) % buf.length;
        size -= n;
    }
}
