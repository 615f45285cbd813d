package org.netstack4j.tcp;

import org.netstack4j.tcp.seqnum.Seq;

/**
 * Linux's send-buffer accounting ({@link TcpConfig.OsQuirks#linuxSendBuffer()}, the Linux
 * profile). Linux queues data in skbs and charges each one its truesize, the data plus a fixed
 * head ({@code sk_wmem_queued}); SO_SNDBUF ({@code sk_sndbuf}) bounds that charge, not the bytes:
 * <ul>
 * <li>a write fills the unsent tail skb up to the size goal (tcp_xmit_size_goal: the largest GSO
 *     size bounded by half the largest window the peer offered, in whole MSS) without looking at
 *     the buffer, and opens a new skb only while the charge is below sk_sndbuf
 *     (tcp_sendmsg_locked's sk_stream_memory_free). One skb may so overshoot sk_sndbuf;</li>
 * <li>sending part of an skb splits it (tso_fragment), and the new skb is charged its head too;</li>
 * <li>an ACK frees the skbs it covers whole and trims the data of one it covers in part;</li>
 * <li>the socket is writable (POLLOUT, a waiting writer woken: sk_stream_write_space, tcp_poll)
 *     when the free space is at least half the charge (sk_stream_wspace >= sk_stream_min_wspace)
 *     and the charge is below sk_sndbuf.</li>
 * </ul>
 * Kept in the connection's rare part: created with the first byte a Linux-profile connection
 * queues. What this does not model: TSO autosizing's further splits of sent skbs, sk_sndbuf
 * auto-tuning (tcp_sndbuf_expand) and the global tcp_mem pressure.
 */
final class SkbQueue {
    /**
     * What Linux charges an skb besides its data: SKB_TRUESIZE of tcp_stream_alloc_skb's head
     * (a 1 KB kmalloc for MAX_TCP_HEADER plus the skb_shared_info, and the struct sk_buff).
     */
    static final int SKB_HEAD_TRUESIZE = 1280;
    /** SOCK_MIN_SNDBUF: 2 * TCP_SKB_MIN_TRUESIZE (2048 + the aligned struct sk_buff). */
    static final int SOCK_MIN_SNDBUF = 2 * (2048 + 256);
    /** sk_gso_max_size (GSO_LEGACY_MAX_SIZE): the largest skb tcp_xmit_size_goal aims at. */
    static final int GSO_MAX_SIZE = 65536;

    /** End sequence numbers of the queued skbs, oldest first; the first starts at the connection's sndBufSeq. */
    private int[] ends = new int[8];
    private int first, count;

    private SkbQueue() {}

    /** The connection's queue, created on first use. */
    static SkbQueue of(TcpConnection c) {
        Rare r = Rare.of(c);
        if (r.skbs == null) r.skbs = new SkbQueue();
        return r.skbs;
    }

    /** The queue of a Linux-profile connection that has one, else null. */
    static SkbQueue ifAny(TcpConnection c) { return c.rare != null ? c.rare.skbs : null; }

    static boolean on(TcpConnection c) { return c.config().quirks().linuxSendBuffer(); }

    /** sk_sndbuf for what SO_SNDBUF set (the caller has already doubled it, as Linux's setsockopt does). */
    static int sndbuf(int bytes) { return Math.max(bytes, SOCK_MIN_SNDBUF); }

    /** Ring capacity for a send buffer of {@code sndbuf}: room for the one skb that may overshoot it. */
    static int ringCapacity(int sndbuf) { return (int) Math.min(Integer.MAX_VALUE - 8, (long) sndbuf + GSO_MAX_SIZE); }

    /** tcp_xmit_size_goal: the GSO size bounded by half the largest window offered (tcp_bound_to_half_wnd), in whole MSS. */
    static int sizeGoal(TcpConnection c) {
        int mss = c.snd.maxSegmentData();
        long maxWnd = c.maxSndWnd;
        long cutoff = maxWnd > 536 ? maxWnd >> 1 : maxWnd;
        long goal = cutoff > 0 && GSO_MAX_SIZE > cutoff ? cutoff : GSO_MAX_SIZE;
        return (int) Math.max(mss, goal / mss * mss);
    }

    /** sk_wmem_queued: the bytes queued plus a head per skb. */
    long charge(TcpConnection c) { return (long) c.sendBuf.size() + (long) SKB_HEAD_TRUESIZE * count; }

    /** sk_stream_wspace >= sk_stream_min_wspace and below sk_sndbuf: POLLOUT, a waiting writer is woken. */
    boolean writeable(TcpConnection c, int sndbuf) {
        long q = charge(c);
        return q < sndbuf && sndbuf - q >= q >> 1;
    }

    /** sk_stream_writeable for a connection with nothing queued under this model yet. */
    static boolean writeable(TcpConnection c) {
        SkbQueue q = ifAny(c);
        return q == null || q.writeable(c, c.sendBufferSize());
    }

    private int start(int i) { return i == 0 ? -1 : ends[first + i - 1]; }

    /** Bytes room in the unsent tail skb (tcp_write_queue_tail), 0 if there is none. */
    private int tailRoom(TcpConnection c, int goal) {
        if (count == 0) return 0;
        int s = count == 1 ? c.sndBufSeq : start(count - 1);
        if (Seq.lt(s, c.sndMax)) return 0; // part of it was sent: not in the write queue
        return Math.max(0, goal - Seq.sub(ends[first + count - 1], s));
    }

    /**
     * What {@link TcpConnection#writable()} reports: the bytes a write is sure to queue now (its
     * first step, {@link #nextRoom}); the write may take more (further skbs, a refilled tail).
     */
    static int writableRoom(TcpConnection c) {
        SkbQueue q = ifAny(c);
        if (q != null) return q.nextRoom(c);
        int ringFree = c.sendBuf.isShared() ? ringCapacity(c.sendBufferSize()) : c.sendBuf.free();
        return c.sendBuf.size() < c.sendBufferSize() ? Math.min(sizeGoal(c), ringFree) : 0;
    }

    /** Bytes the next step of a write may queue: the tail skb's room, else a new skb's if the charge allows it. */
    int nextRoom(TcpConnection c) {
        int ringFree = c.sendBuf.isShared() ? ringCapacity(c.sendBufferSize()) : c.sendBuf.free();
        int goal = sizeGoal(c);
        int t = tailRoom(c, goal);
        if (t > 0) return Math.min(t, ringFree);
        return charge(c) < c.sendBufferSize() ? Math.min(goal, ringFree) : 0;
    }

    /** The write queue's tail skb is full (at the size goal). */
    boolean tailFull(TcpConnection c) { return count > 0 && tailRoom(c, sizeGoal(c)) == 0; }

    /** Takes {@code len} bytes just queued at the end of the send buffer into skbs (at most {@link #room}). */
    void queued(TcpConnection c, int len) {
        int goal = sizeGoal(c);
        int end = Seq.add(c.sndBufSeq, c.sendBuf.size() - len);
        // bytes queued before this model saw them (before the handshake): one skb of their own
        if (count > 0 ? ends[first + count - 1] != end : c.sendBuf.size() > len) {
            add(end);
        }
        int t = Math.min(len, tailRoom(c, goal));
        if (t > 0) {
            end = Seq.add(end, t);
            ends[first + count - 1] = end;
            len -= t;
        }
        while (len > 0) {
            int n = Math.min(goal, len);
            end = Seq.add(end, n);
            add(end);
            len -= n;
        }
    }

    private void add(int end) {
        if (first + count == ends.length) grow();
        ends[first + count++] = end;
    }

    private void grow() {
        if (first > 0) {
            System.arraycopy(ends, first, ends, 0, count);
            first = 0;
            if (count < ends.length) return;
        }
        ends = java.util.Arrays.copyOf(ends, ends.length * 2);
    }

    /** Frees the skbs the cumulative ACK covers whole (tcp_clean_rtx_queue); partly covered ones lose their acked bytes with the buffer. */
    void ackedTo(int ack) {
        while (count > 0 && !Seq.gt(ends[first], ack)) { first++; count--; }
        if (count == 0) first = 0;
    }

    /** Data up to {@code sentTo} went out: an skb sent in part is split there (tso_fragment, a new head charged). */
    void sentTo(TcpConnection c, int sentTo) {
        for (int i = 0; i < count; i++) {
            int e = ends[first + i];
            if (!Seq.gt(e, sentTo)) continue;
            int s = i == 0 ? c.sndBufSeq : start(i);
            if (Seq.lt(s, sentTo)) {
                if (first + count == ends.length) grow();
                System.arraycopy(ends, first + i, ends, first + i + 1, count - i);
                ends[first + i] = sentTo;
                count++;
            }
            return;
        }
    }

    int skbs() { return count; }
}
