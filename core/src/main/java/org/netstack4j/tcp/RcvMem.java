package org.netstack4j.tcp;

import org.netstack4j.tcp.seqnum.Seq;

/**
 * Linux's receive-memory accounting ({@link TcpConfig.Buffers#receiveTruesize}): every segment
 * queued, in order or not, is charged its skb truesize in {@code sk_rmem_alloc}, and the charge
 * is freed when the application has read the whole segment. The buffer ({@code sk_rcvbuf}) is
 * twice the SO_RCVBUF value, as Linux's setsockopt keeps it; the window is the free part of it
 * scaled by the ratio of data to truesize last measured (tcp_win_from_space with
 * {@code tp->scaling_ratio}, 1/2 until a segment is measured, as tcp_adv_win_scale = 1 was).
 * <ul>
 * <li>Window selection (__tcp_select_window without window-shrinking): free space below half the
 *     full space, and below 1/16 of it or one receive MSS, offers zero; without window scaling
 *     the window is the last one while it is within one MSS of the free space, else the free
 *     space rounded down to the MSS; with scaling the free space rounded up to the scale.
 *     tcp_select_window never moves an advertised right edge left (tcp_shrink_window = 0)...</li>
 * <li>...unless {@link TcpConfig.Buffers#shrinkWindow} (tcp_shrink_window = 1) with a window
 *     scale: the free space rounded down to the scale is offered as it is, zero when under half
 *     the full space and under 1/16 of it, one MSS or one scale unit (shrink_window_allowed).</li>
 * <li>...except when a segment could not be queued for lack of memory (ICSK_ACK_NOMEM): the
 *     next ACK offers zero and the current window becomes zero at RCV.NXT; segments are still
 *     checked against the largest right edge (rcv_mwnd_seq), data against the current window
 *     (tcp_data_queue: TCPZeroWindowDrop at RCV.NXT, an out-of-order start past it dropped).</li>
 * <li>Memory (tcp_try_rmem_schedule, tcp_prune_queue): a segment is queued while the charge does
 *     not exceed sk_rcvbuf, so one segment may pass it. Past it the queue is "pruned"
 *     (TcpExtPruneCalled): nothing here is collapsible (each segment is already charged as one
 *     buffer) and the out-of-order ranges are not thrown away, so pruning fails
 *     (TcpExtRcvPruned) and the segment is dropped (TcpExtTCPRcvQDrop), or taken anyway when
 *     nothing is queued (sk_forced_mem_schedule).</li>
 * </ul>
 * Kept in the connection's rare part, created with the first segment charged. The charges are
 * a bounded list ({@link #MAX_ENTRIES}); past it the two neighbours with the smallest charge
 * merge, so a charge may be freed late, never early.
 * <p>A buffer SO_RCVBUF did not lock ({@link TcpConfig.Buffers#truesizeUnlocked}) is accounted the
 * same way with sk_rcvbuf = tcp_rmem[1] (not doubled), and the window is also capped by
 * rcv_ssthresh ({@link #growSsthresh}) and by window_clamp, as Linux does for every socket.
 * Not modelled: rcv_ssthresh for a locked buffer, buffer auto-tuning (tcp_rcv_space_adjust: an
 * unlocked sk_rcvbuf stays at tcp_rmem[1]), tcp_collapse's copying.
 */
final class RcvMem {
    /** The most charges kept apart; past it the two oldest merge. */
    static final int MAX_ENTRIES = 256;
    /** TCP_RMEM_TO_WIN_SCALE: the scaling ratio is a fraction of 256. */
    static final int RATIO_SHIFT = 8;
    /** TCP_DEFAULT_SCALING_RATIO: half of the buffer, until a segment is measured. */
    static final int DEFAULT_RATIO = 1 << (RATIO_SHIFT - 1);
    /** SOCK_MIN_RCVBUF: 2048 + the aligned struct sk_buff (TCP_SKB_MIN_TRUESIZE). */
    static final int SOCK_MIN_RCVBUF = 2048 + 256;

    /** sk_rcvbuf. */
    int rcvbuf;
    /** sk_rmem_alloc: the truesize of every segment held. */
    long rmem;
    /** tp->scaling_ratio: data bytes per 256 bytes of truesize, last measured. */
    int ratio = DEFAULT_RATIO;
    /** tp->rcv_wnd: the window selected last (the MSS rounding keeps it while it fits). */
    long lastWnd = -1;
    /** rcv_wup + rcv_wnd: the current right edge (below the largest one after a memory squeeze). */
    int curRight;
    /** ICSK_ACK_NOMEM: a segment was refused for memory; the next ACK offers zero. */
    boolean nomem;
    /** net.ipv4.tcp_shrink_window (TcpConfig.Buffers#shrinkWindow). */
    final boolean shrink;
    /** tp->rcv_ssthresh for an unlocked buffer (tcp_grow_window), -1 for a locked one (not modelled). */
    long ssthresh = -1;
    /** tp->window_clamp for an unlocked buffer (tcp_init_buffer_space, tcp_set_window_clamp). */
    long clamp = Long.MAX_VALUE;
    /** The truesize of the last segment charged (tcp_data_queue_ofo grows the window before charging it). */
    private int lastCharge;
    private int[] ends = new int[8];
    private int[] sizes = new int[8];
    private int count;

    private RcvMem(int rcvbuf, int right, boolean shrink) {
        this.rcvbuf = rcvbuf;
        this.curRight = right;
        this.shrink = shrink;
    }

    static boolean on(TcpConnection c) { return on(c.config()); }

    static boolean on(TcpConfig cfg) { return cfg.buffers().receiveTruesize() || cfg.buffers().truesizeUnlocked(); }

    /** The connection's accounting, created on first use (the buffer from its config). */
    static RcvMem of(TcpConnection c) {
        Rare r = Rare.of(c);
        if (r.rcvMem == null) {
            TcpConfig.Buffers b = c.config().buffers();
            int buf = b.receiveTruesize() ? rcvbuf(b.receiveBufferSize()) : Math.max(SOCK_MIN_RCVBUF, b.receiveBufferSize());
            RcvMem m = new RcvMem(buf, c.rcvAdvRight, b.shrinkWindow());
            m.lastWnd = Math.max(0, Seq.sub(c.rcvAdvRight, c.rcvNxt)); // the SYN's window
            if (!b.receiveTruesize()) {
                // tcp_init_buffer_space: window_clamp is the full space less one MSS (tcp_app_win
                // 31: "force reservation of one segment"), at least two; rcv_ssthresh starts at
                // the SYN's window (rsk_rcv_wnd), at most the clamp
                long full = m.winFromSpace(buf);
                m.clamp = full > 2L * c.advMss ? Math.max(2L * c.advMss, full - c.advMss) : full;
                m.ssthresh = Math.min(m.lastWnd, m.clamp);
            }
            r.rcvMem = m;
        }
        return r.rcvMem;
    }

    /** sk_rcvbuf for an SO_RCVBUF of {@code bytes}: doubled, at least SOCK_MIN_RCVBUF. */
    static int rcvbuf(int bytes) { return (int) Math.max(SOCK_MIN_RCVBUF, Math.min(Integer.MAX_VALUE / 2, 2L * bytes)); }

    /** The ring a connection with this accounting needs: sk_rcvbuf (the window never offers more). */
    static int ringCapacity(TcpConfig cfg) {
        int b = cfg.buffers().receiveBufferSize();
        return cfg.buffers().receiveTruesize() ? rcvbuf(b) : cfg.buffers().truesizeUnlocked() ? Math.max(SOCK_MIN_RCVBUF, b) : b;
    }

    /**
     * Our estimate of the truesize Linux x86-64 gives a received segment of {@code payload}
     * bytes: 256 for the struct sk_buff (232 bytes, cache aligned) plus the head buffer. A packet
     * under a page (headers counted as 64 bytes) is one kmalloc'd head: its bytes aligned to 64
     * plus the 320-byte skb_shared_info, rounded up to the slab (640 for the small-head cache,
     * then powers of two) - 8,448 for 4,000 bytes. A larger one (a GSO packet, as a tun device
     * builds it: tun_alloc_skb) fills a one-page head (4,096, SKB_MAX_HEAD: 3,712 bytes of packet)
     * and puts the rest in page fragments allocated as alloc_skb_with_frags does (compound pages
     * of at most order 3, PAGE_ALLOC_COSTLY_ORDER, each the largest not above the page-aligned
     * rest), charged whole: 12,544 for 9,000 or 10,000 bytes, 20,736 for 20,000.
     */
    static int truesize(int payload) {
        final int head = 64, shinfo = 320, skbuff = 256, smallHead = 640, page = 4096;
        if (payload + head < page) {
            int obj = ((payload + head + 63) & ~63) + shinfo;
            int slab = obj <= smallHead ? smallHead : Integer.highestOneBit(obj - 1) << 1;
            return slab + skbuff;
        }
        long rest = (long) payload + head - (page - head - shinfo), pages = 0;
        while (rest > 0) {
            long aligned = (rest + page - 1) & -page;
            int order = 3;
            while (order > 0 && aligned < ((long) page << order)) order--;
            long chunk = (long) page << order;
            pages += chunk;
            rest -= chunk;
        }
        return (int) Math.min(Integer.MAX_VALUE, page + skbuff + pages);
    }

    /** tcp_win_from_space. */
    long winFromSpace(long space) { return space <= 0 ? space : (space * ratio) >> RATIO_SHIFT; }

    /** Whether a segment may be queued now (tcp_try_rmem_schedule: the charge is within sk_rcvbuf). */
    boolean canQueue() { return rmem <= rcvbuf; }

    /**
     * A segment of {@code len} bytes ending at {@code end} is queued: its truesize is charged and,
     * for a segment of a new size, the scaling ratio measured (tcp_measure_rcv_mss).
     */
    void charge(int end, int len, boolean measure) {
        int t = truesize(len);
        rmem += t;
        lastCharge = t;
        if (measure) {
            int old = ratio;
            ratio = (int) Math.max(1, Math.min(255, ((long) len << RATIO_SHIFT) / t));
            if (ssthresh >= 0 && ratio != old) {
                // tcp_measure_rcv_mss -> tcp_set_window_clamp(tcp_win_from_space(sk_rcvbuf)): a
                // larger clamp lifts rcv_ssthresh to min(rcv_wnd, clamp), a smaller one lowers it
                long nc = Math.max(SOCK_MIN_RCVBUF / 2, winFromSpace(rcvbuf));
                if (nc > clamp) ssthresh = Math.max(ssthresh, Math.min(Math.max(0, lastWnd), nc));
                clamp = nc;
                ssthresh = Math.min(ssthresh, clamp);
            }
        }
        if (count == MAX_ENTRIES) {
            // merge the neighbours with the smallest charge together: freed when the later is read
            int best = 0;
            for (int i = 1; i + 1 < count; i++) if ((long) sizes[i] + sizes[i + 1] < (long) sizes[best] + sizes[best + 1]) best = i;
            sizes[best + 1] += sizes[best];
            ends[best + 1] = Seq.max(ends[best], ends[best + 1]);
            System.arraycopy(ends, best + 1, ends, best, count - best - 1);
            System.arraycopy(sizes, best + 1, sizes, best, count - best - 1);
            count--;
        }
        if (count == ends.length) {
            ends = java.util.Arrays.copyOf(ends, count * 2);
            sizes = java.util.Arrays.copyOf(sizes, count * 2);
        }
        ends[count] = end;
        sizes[count] = t;
        count++;
    }

    /** The application has read up to {@code copied}: segments it has read whole are freed. */
    void release(int copied) {
        int j = 0;
        for (int i = 0; i < count; i++) {
            if (Seq.le(ends[i], copied)) rmem -= sizes[i];
            else {
                ends[j] = ends[i];
                sizes[j] = sizes[i];
                j++;
            }
        }
        count = j;
        if (count == 0) rmem = 0;
    }

    /** tcp_space: the free part of sk_rcvbuf as window. */
    long space() { return winFromSpace(rcvbuf - rmem); }

    /** tcp_full_space capped by window_clamp (__tcp_select_window's full_space). */
    long fullSpace() { return Math.min(clamp, winFromSpace(rcvbuf)); }

    /**
     * Linux tcp_grow_window for a segment of {@code len} bytes, unlocked buffers only: in order
     * after the segment is charged (tcp_event_data_recv), out of order before
     * ({@code beforeCharge}, tcp_data_queue_ofo). Room is min(window_clamp, tcp_space) -
     * rcv_ssthresh; the step is two MSS when the segment's truesize fits the window it takes
     * (check #2), else __tcp_grow_window's halving search up to tcp_rmem[2] {@code rmemMax}; at
     * least twice the segment, at most the room.
     */
    void growSsthresh(int len, int advMss, int rcvMss, long rmemMax, boolean beforeCharge) {
        if (ssthresh < 0) return;
        long space = winFromSpace(rcvbuf - rmem + (beforeCharge ? lastCharge : 0));
        long room = Math.min(clamp, space) - ssthresh;
        if (room <= 0) return;
        int t = lastCharge;
        long incr;
        if (winFromSpace(t) <= len) incr = 2L * advMss;
        else {
            incr = 0;
            long ts = winFromSpace(t) >> 1, window = winFromSpace(rmemMax) >> 1;
            while (ssthresh <= window) {
                if (ts <= len) { incr = 2L * rcvMss; break; }
                ts >>= 1;
                window >>= 1;
            }
        }
        if (incr == 0) return;
        ssthresh += Math.min(room, Math.max(incr, 2L * len));
    }

    /** Segments charged and not yet freed (tests). */
    int segments() { return count; }

    /** Whether the window may shrink: tcp_shrink_window and a window scale (__tcp_select_window). */
    boolean shrinks(int wscale) { return shrink && wscale != 0; }

    /**
     * __tcp_select_window: the window for free space {@code sk_rcvbuf - sk_rmem_alloc}, for
     * receive MSS {@code mss} and our shift {@code wscale}.
     */
    long select(int mss, int wscale) {
        long allowed = winFromSpace(rcvbuf);
        long full = Math.min(clamp, allowed);
        long free = winFromSpace(rcvbuf - rmem);
        if (mss > full) {
            mss = (int) full;
            if (mss <= 0) return 0;
        }
        if (shrinks(wscale)) {
            // shrink_window_allowed: always a whole number of scale units, rounded down (rounding
            // up could grow the window the rule lets shrink); rcv_ssthresh is not modelled
            free = free & -(1L << wscale);
            if (free < full >> 1 && (free < allowed >> 4 || free < mss || free < 1L << wscale)) return 0;
            return ssthresh >= 0 ? Math.min(free, ssthresh) : free;
        }
        if (free < full >> 1) {
            free = free & -(1L << wscale);
            if (free < allowed >> 4 || free < mss) return 0;
        }
        if (ssthresh >= 0) free = Math.min(free, ssthresh);
        if (wscale != 0) return (free + (1L << wscale) - 1) & -(1L << wscale);
        long w = Math.max(0, lastWnd);
        if (w <= free - mss || w > free) w = free - free % mss;
        else if (mss == full && free > w + (full >> 1)) w = free;
        return w;
    }

    /**
     * tcp_select_window: the window our next segment offers from RCV.NXT {@code rcvNxt}; the
     * current right edge never moves left except after a memory squeeze, or with {@link #shrinks}.
     */
    long windowToOffer(int rcvNxt, int mss, int wscale) {
        long w;
        if (nomem) {
            nomem = false;
            w = 0;
        } else {
            long cur = Math.max(0, Seq.sub(curRight, rcvNxt));
            w = select(mss, wscale);
            if (w < cur && !shrinks(wscale)) w = (cur + (1L << wscale) - 1) & -(1L << wscale);
        }
        w = Math.min(w, 65535L << wscale);
        lastWnd = w;
        curRight = Seq.add(rcvNxt, (int) w);
        return w;
    }

    /** The current window from RCV.NXT (tcp_receive_window). */
    long currentWindow(int rcvNxt) { return Math.max(0, Seq.sub(curRight, rcvNxt)); }
}
