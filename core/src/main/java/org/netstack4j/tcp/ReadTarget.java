package org.netstack4j.tcp;

/**
 * A blocked read's buffer, offered by the socket layer while its reader waits
 * ({@link TcpConnection#offerReadBuffer}): in-order text that arrives while nothing is queued
 * (the receive buffer empty, no holes) is copied straight into it rather than into the receive
 * buffer, from which the read would copy it again. One copy per byte instead of two for an
 * application that keeps up, and the ring is never taken. Linux had the same shortcut until 4.14
 * (tcp_rcv_established's direct copy to the waiting reader's iovec, "ucopy", with the prequeue).
 *
 * <p>The bytes placed count as read the moment they are placed: they never occupy the buffer, so
 * the window offered stays as open as if the application had read them at once (RFC 9293
 * 3.8.6.2.2 leaves the window to the receiver's free space). Only the plain stream takes the
 * shortcut: not with urgent data pending, receive timestamps, Linux's receive-memory accounting,
 * records or an interception, whose bookkeeping follows the receive buffer.
 */
final class ReadTarget {
    private final byte[] b;
    private final int off;
    private final int len;
    private int placed;

    ReadTarget(byte[] b, int off, int len) {
        this.b = b;
        this.off = off;
        this.len = len;
    }

    /**
     * On arrival of in-order text {@code buf[off, off+len)} at RCV.NXT: copies what fits into the
     * offered buffer when nothing is queued before it; returns how many bytes it took (0: all go
     * to the receive buffer).
     */
    static int place(TcpConnection c, byte[] buf, int off, int len) {
        Rare r = c.rare;
        if (r == null || r.readTarget == null || len <= 0) return 0;
        if (c.rcvBuf.size() > 0 || !c.ooo.isEmpty()) return 0; // bytes before these, or held after them
        if (r.urgData != 0 || r.timestamping != null || r.rcvMem != null || r.records != null || r.intercept != null) return 0;
        ReadTarget t = r.readTarget;
        int n = Math.min(len, t.len - t.placed);
        System.arraycopy(buf, off, t.b, t.off + t.placed, n);
        t.placed += n;
        c.layer.counters().readDirectBytes.add(n);
        return n;
    }

    /** Bytes wait in the offered buffer: the connection is readable though its receive buffer is empty. */
    static boolean holds(TcpConnection c) {
        return c.rare != null && c.rare.readTarget != null && c.rare.readTarget.placed > 0;
    }

    /** Withdraws the offered buffer; returns how many bytes were placed in it. */
    static int withdraw(TcpConnection c) {
        Rare r = c.rare;
        if (r == null || r.readTarget == null) return 0;
        int n = r.readTarget.placed;
        r.readTarget = null;
        return n;
    }
}
