package org.netstack4j.tcp;

/**
 * A fixed-capacity byte ring for the send and receive queues. The array is allocated on first
 * write (4 KiB, doubling as needed up to the capacity) so an idle connection costs no buffer
 * memory and a short exchange only a small one (DESIGN.md 10). Besides append/consume it
 * can write beyond the committed end ({@link #writeAt}) so out-of-order TCP data is stored in
 * place and later {@link #commit committed} when the hole before it fills.
 */
final class RingBuffer {
    private final int capacity;
    private byte[] buf;
    private int head;
    private int size;

    RingBuffer(int capacity) { this.capacity = capacity; }

    int capacity() { return capacity; }
    int size() { return size; }
    int free() { return capacity - size; }
    boolean isEmpty() { return size == 0; }

    /** First allocation; the array then doubles as data needs it, up to the capacity. */
    static final int INITIAL_ARRAY = 4096;

    private byte[] array() {
        if (buf == null) buf = new byte[Math.min(capacity, INITIAL_ARRAY)];
        return buf;
    }

    /**
     * Makes the array hold at least {@code need} bytes from the head. The ring is copied out in
     * order (head first), including bytes written beyond the committed end, so positions
     * relative to the head are unchanged. A connection that only ever exchanges a few bytes
     * never pays for (nor zeroes) a full-window array.
     */
    private byte[] arrayFor(long need) {
        byte[] a = array();
        if (need <= a.length) return a;
        int n = a.length;
        while (n < need) n = (int) Math.min(capacity, 2L * n);
        byte[] b = new byte[n];
        int first = a.length - head;
        System.arraycopy(a, head, b, 0, first);
        System.arraycopy(a, 0, b, first, head);
        head = 0;
        buf = b;
        return b;
    }

    /** Appends up to len bytes; returns how many fit. */
    int write(byte[] src, int off, int len) {
        int n = Math.min(len, free());
        writeAt(0, src, off, n);
        size += n;
        return n;
    }

    /** Copies len bytes to the position {@code offset} bytes past the committed end (must fit). */
    void writeAt(int offset, byte[] src, int off, int len) {
        if (len <= 0) return;
        if (offset < 0 || (long) size + offset + len > capacity) throw new IndexOutOfBoundsException("ring overflow");
        byte[] a = arrayFor((long) size + offset + len);
        int cap = a.length;
        int pos = (int) (((long) head + size + offset) % cap);
        int first = Math.min(len, cap - pos);
        System.arraycopy(src, off, a, pos, first);
        if (first < len) System.arraycopy(src, off + first, a, 0, len - first);
    }

    /** Makes n bytes written with {@link #writeAt} part of the readable data. */
    void commit(int n) {
        if (n < 0 || n > free()) throw new IndexOutOfBoundsException("commit " + n);
        size += n;
    }

    /** Copies len bytes starting offset bytes from the head, without consuming. */
    void peek(int offset, byte[] dst, int off, int len) {
        if (len <= 0) return;
        if (offset < 0 || offset + len > size) throw new IndexOutOfBoundsException("peek beyond data");
        int cap = buf.length;
        int pos = (int) (((long) head + offset) % cap);
        int first = Math.min(len, cap - pos);
        System.arraycopy(buf, pos, dst, off, first);
        if (first < len) System.arraycopy(buf, 0, dst, off + first, len - first);
    }

    /** Consumes up to len bytes into dst; returns how many. */
    int read(byte[] dst, int off, int len) {
        int n = Math.min(len, size);
        peek(0, dst, off, n);
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
