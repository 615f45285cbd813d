package org.netstack4j.tcp;

import static org.netstack4j.time.Time.NEVER;

import org.netstack4j.tcp.seqnum.Assembler;
import org.netstack4j.tcp.seqnum.Seq;
import org.netstack4j.trace.DropReason;
import org.netstack4j.trace.TimerAction;
import org.netstack4j.trace.TraceEvent;

/**
 * The receiving half of a {@link TcpConnection} (gVisor's rcv.go): the segment text into the
 * receive ring and the out-of-order ranges (RFC 9293 3.10.7.4 seventh step), when to ACK
 * (delayed ACKs, RFC 5681 4.2 and RFC 9293 3.8.6.3, Linux's quick-ACK mode, ACKs at the end of a
 * burst), the receiver-side RTT estimate, and the window we advertise (receiver SWS avoidance,
 * RFC 9293 3.8.6.2.2). The receive sequence variables stay in the connection's control block.
 */
final class TcpReceiver {
    private final TcpConnection c;

    boolean ackPending;
    // shorts (saturating): only "at least 2" and "any left" matter, and an idle endpoint stays at
    // 72 bytes here with rcvSsthresh (IdleBytesTest)
    short fullSegmentsUnacked;
    boolean batchAckQueued;   // with TcpLayer's burst list (TcpConfig.coalesceAcks)
    short quickAcksLeft;      // TcpConfig.quickAcks: data segments still to be ACKed at once
    boolean interactive;      // quick-ACK mode ended by the peer's FIN (Linux "pingpong")
    long lastDataAt = NEVER;  // when the last data segment arrived
    int rcvMss;
    // receiver-side RTT estimate (status only; Linux rcv_rtt_est): 8 x the estimate in ns, the
    // sequence number that ends the current measurement window and when it began, the TSecr of
    // the segment being processed
    long rcvRtt8;
    int rcvRttSeq;
    long rcvRttStart = NEVER;
    int segTsEcr;
    long bytesReceived;
    int rcvSsthresh = -1;     // TcpConfig.growWindow: Linux's rcv_ssthresh (at most the buffer), -1 until first used

    TcpReceiver(TcpConnection c, TcpConfig config) {
        this.c = c;
        this.rcvMss = Math.min(c.advMss, 536);
    }

    private TcpConfig cfg() { return c.config(); }

    void receiveText(long now, int dataSeq, byte[] buf, int off, int len, boolean fin) {
        if (cfg().acks().quickAcks() > 0) {
            // Linux quick-ACK mode (tcp_event_data_recv, tcp_incr_quickack): the first data of a
            // connection, or data after a silence longer than the RTO, is ACKed at once for a
            // while, rcv window / (2 * rcv MSS) segments, at least 2, at most quickAcks.
            if (lastDataAt == NEVER || now - lastDataAt > c.rtt.rto()) {
                int n = (int) Math.min(cfg().acks().quickAcks(), Math.max(2, rcvWnd() / (2L * rcvMss)));
                quickAcksLeft = (short) Math.min(Short.MAX_VALUE, Math.max(quickAcksLeft, n));
            }
        }
        lastDataAt = now;
        boolean fullSized = len >= rcvMss;
        int offset = Seq.sub(dataSeq, c.rcvNxt); // >= 0 after trimming
        // in order with nothing queued: straight into a blocked read's buffer, as far as it goes
        int placed = offset == 0 ? ReadTarget.place(c, buf, off, len) : 0;
        if (len > placed) ownReceiveBuffer().writeAt(offset, buf, off + placed, len - placed);
        if (RcvMem.on(c)) {
            // Linux tcp_measure_rcv_mss: a segment longer than our MSS is an aggregate (GRO, or a
            // GSO packet) of the peer's segments, measured by their size (gso_size); a segment of
            // a new size at least the receive MSS measures the data/truesize ratio too. (A segment
            // longer than the peer's MSS can only be such an aggregate: gso_size is its MSS.)
            int sample = len > Math.min(c.advMss, c.effMss) ? c.effMss : len;
            boolean measure = sample >= rcvMss && sample != rcvMss;
            RcvMem m = RcvMem.of(c);
            m.charge(Seq.add(dataSeq, len), len, measure);
            if (sample >= rcvMss) rcvMss = Math.min(sample, c.advMss);
        } else if (growsWindow()) {
            // the same tcp_measure_rcv_mss with Linux's window model: an aggregate is measured by
            // the peer's segment size (tcpi_rcv_mss; out-of-order text too since Linux 6.17)
            int sample = len > c.advMss ? c.effMss : len;
            if (sample >= rcvMss) rcvMss = Math.min(sample, c.advMss);
        } else if (len > rcvMss) rcvMss = Math.min(len, Math.max(c.advMss, c.effMss));
        if (offset == 0) {
            boolean hadHoles = !c.ooo.isEmpty();
            int end = Seq.add(c.rcvNxt, len);
            if (hadHoles) {
                // RFC 2883 4.1.2: the segment also brought bytes held out of order; their first
                // duplicate run joins the D-SACK block (Linux tcp_ofo_queue: tcp_dsack_extend)
                int[] dup = c.ooo.firstOverlap(c.rcvNxt, end);
                if (dup != null) duplicate(dup[0], dup[1], true);
            }
            int newNxt = c.ooo.advance(end);
            int n = Seq.sub(newNxt, c.rcvNxt);
            if (n > placed) c.rcvBuf.commit(n - placed);
            c.rcvNxt = newNxt;
            Timestamping.arrived(c, now);
            measureReceiverRtt(now, fullSized);
            bytesReceived += n;
            c.nReadable = true;
            // Linux tcp_event_data_recv: "if (skb->len >= 128) tcp_grow_window(sk, skb, true)"
            if (len >= 128 && growsWindow()) growWindow(len);
            else if (len >= 128 && RcvMem.on(c)) RcvMem.of(c).growSsthresh(len, c.advMss, rcvMss, cfg().buffers().maxReceiveBufferSize(), false);
            if (hadHoles) {
                ackPending = true; // RFC 5681 4.2: ACK at once when a segment fills (part of) a gap
            } else {
                // RFC 9293 3.8.6.3 / RFC 5681 4.2: ACK at least every second full-sized segment
                // "or 2*RMSS bytes of new data" (SHLD-19): a segment of several MSS counts as several.
                // delayedAckAnySize (FreeBSD's DELAY_ACK): every second segment whatever its size,
                // and at once for a segment longer than the MSS.
                if (RcvMem.on(c)) {
                    linuxAckCheck(now);
                    return;
                }
                if (cfg().acks().delayedAckAnySize()) countFullSegments(len > c.effMss ? 2 : 1);
                else if (len >= rcvMss) countFullSegments(len / rcvMss);
                if (quickAcksLeft > 0 && !interactive) {
                    quickAcksLeft--;
                    ackPending = true;
                } else if (fullSegmentsUnacked >= 2 && cfg().acks().coalesceAcks() && cfg().acks().delayedAckNs() > 0) {
                    // TcpConfig.coalesceAcks: one ACK once the burst this segment came in is processed
                    if (!batchAckQueued) {
                        batchAckQueued = true;
                        c.layer.ackAtBatchEnd(now, c);
                    }
                } else if (fullSegmentsUnacked >= 2 || cfg().acks().delayedAckNs() <= 0) {
                    ackPending = true;
                } else {
                    scheduleDelayedAck(now);
                }
            }
        } else {
            // RFC 2883 4.1.1, 4.1.3: (part of) an out-of-order segment held already; the block
            // holding it follows as the first SACK block (Linux tcp_data_queue_ofo)
            int[] dup = c.ooo.firstOverlap(dataSeq, Seq.add(dataSeq, len));
            if (dup != null) duplicate(dup[0], dup[1], false);
            if (!ownOoo().add(dataSeq, Seq.add(dataSeq, len))) {
                c.layer.counters().oooRangesFull.increment();
                if (c.layer.tracer().enabled())
                    c.layer.tracer().event(new TraceEvent.Drop(now, "tcp", DropReason.QUEUE_FULL, "out-of-order queue full (too many holes)", c.id()));
            } else {
                c.layer.counters().inOutOfOrder.increment();
                if (fin) c.rememberOooFin(Seq.add(dataSeq, len));
                // Linux tcp_data_queue_ofo: "For non sack flows, do not grow window to force
                // DUPACK and trigger fast retransmit."
                if (c.sackOk && growsWindow()) growWindow(len);
                else if (c.sackOk && RcvMem.on(c)) RcvMem.of(c).growSsthresh(len, c.advMss, rcvMss, cfg().buffers().maxReceiveBufferSize(), true);
            }
            ackPending = true; // RFC 5681 4.2: an out-of-order segment is ACKed at once (a duplicate ACK)
        }
    }

    /**
     * Linux's __tcp_ack_snd_check for in-order data under its receive-memory accounting
     * ({@link RcvMem}): ACK at once in quick-ACK mode, or when more than one receive MSS came since
     * the last ACK and the window to offer is no smaller than the last (else the read that frees
     * the buffer sends it), or when the charge is now past sk_rcvbuf (Linux 6.17-6.19 took such a
     * segment by force with ICSK_ACK_NOW; tcp_rcv_toobig expects that ACK). Selecting the window
     * with the free space under half the buffer ends quick-ACK mode (__tcp_select_window).
     */
    private void linuxAckCheck(long now) {
        RcvMem m = RcvMem.of(c);
        boolean advance = false;
        if (Seq.sub(c.rcvNxt, c.lastAckSent) > rcvMss) {
            if (m.space() < m.fullSpace() >> 1) quickAcksLeft = 0;
            advance = m.select(rcvMss, c.rcvWscale) >= m.lastWnd;
        }
        if (quickAcksLeft > 0 && !interactive) {
            quickAcksLeft--;
            ackPending = true;
        } else if (advance || m.rmem > m.rcvbuf) {
            ackPending = true;
        } else {
            scheduleDelayedAck(now);
        }
    }

    /**
     * Linux tcp_enter_quickack_mode after text dropped outside the window (tcp_data_queue's
     * out_of_window): the next data is ACKed at once, current window / (2 x receive MSS) segments,
     * at least 2, at most {@code quickAcks}.
     */
    void enterQuickAck(long window) {
        if (cfg().acks().quickAcks() <= 0) return;
        int n = (int) Math.min(cfg().acks().quickAcks(), Math.max(2, window / (2L * rcvMss)));
        quickAcksLeft = (short) Math.min(Short.MAX_VALUE, Math.max(quickAcksLeft, n));
        interactive = false;
    }

    /**
     * Receiver-side RTT (Linux tcp_rcv_rtt_measure_ts / tcp_rcv_rtt_measure): with timestamps,
     * the age of the TSecr of a full-sized segment, smoothed by 1/8; without, the time the peer
     * takes to send one window of data, the smallest seen.
     */
    void measureReceiverRtt(long now, boolean fullSized) {
        if (c.tsOk) {
            if (segTsEcr == 0 || !fullSized) return;
            long ms = Seq.sub(c.tsNow(now), segTsEcr);
            if (ms < 0 || ms > 3_600_000) return;
            long sample = ms * 1_000_000L;
            rcvRtt8 = rcvRtt8 == 0 ? sample << 3 : rcvRtt8 + sample - (rcvRtt8 >> 3);
            return;
        }
        if (rcvRttStart == NEVER) {
            rcvRttStart = now;
            rcvRttSeq = Seq.add(c.rcvNxt, (int) Math.min(Integer.MAX_VALUE, rcvWnd()));
            return;
        }
        if (Seq.lt(c.rcvNxt, rcvRttSeq)) return;
        long sample = (now - rcvRttStart) << 3;
        if (sample > 0 && (rcvRtt8 == 0 || sample < rcvRtt8)) rcvRtt8 = sample;
        rcvRttStart = now;
        rcvRttSeq = Seq.add(c.rcvNxt, (int) Math.min(Integer.MAX_VALUE, rcvWnd()));
    }

    void scheduleDelayedAck(long now) {
        if (c.delackAt != NEVER) return;
        c.delackAt = now + cfg().acks().delayedAckNs();
        c.timersChanged();
        c.timer(now, TcpTimer.DELAYED_ACK, TimerAction.SET, c.delackAt);
    }

    RingBuffer ownReceiveBuffer() {
        if (c.rcvBuf.isShared()) c.rcvBuf = c.layer.receiveRings().take(RcvMem.ringCapacity(cfg()));
        return c.rcvBuf;
    }

    /**
     * RFC 2883 4.1: [left, right) arrived again: the next ACK reports it in a D-SACK block, with
     * SACK agreed and D-SACK on (Linux tcp_dsack_set, or tcp_dsack_extend when {@code extend}:
     * a further duplicate of the same segment joins the pending block if it touches it).
     */
    void duplicate(int left, int right, boolean extend) {
        // (Linux's TIME-WAIT socket answers with a bare ACK)
        if (!c.sackOk || !cfg().options().dsack() || c.state == TcpState.TIME_WAIT) return;
        if (extend && c.ooo.hasDsack()) {
            c.ooo.duplicateToo(left, right);
            return;
        }
        // below RCV.NXT, or over held data that this segment makes in order: Linux's TCPDSACKOldSent
        (extend || Seq.lt(left, c.rcvNxt) ? c.layer.counters().dsackOldSent : c.layer.counters().dsackOfoSent).increment();
        ownOoo().duplicate(left, right);
    }

    Assembler ownOoo() {
        if (c.ooo == Assembler.EMPTY) c.ooo = new Assembler(cfg().buffers().maxOutOfOrderRanges());
        return c.ooo;
    }

    /** An ACK of RCV.NXT goes out: nothing is left to acknowledge. */
    void ackSent(long now) {
        c.lastAckSent = c.rcvNxt;
        ackPending = false;
        fullSegmentsUnacked = 0;
        if (c.delackAt != NEVER) {
            c.delackAt = NEVER;
            c.timersChanged();
            c.timer(now, TcpTimer.DELAYED_ACK, TimerAction.CANCEL, NEVER);
        }
    }

    private boolean growsWindow() { return cfg().buffers().growWindow() && !RcvMem.on(c); }

    /**
     * Linux's rcv_ssthresh ({@link TcpConfig.Buffers#growWindow}): a passive child starts with the
     * window of its SYN,ACK (tcp_minisocks.c: rcv_ssthresh = rsk_rcv_wnd), which
     * tcp_select_initial_window takes from tcp_full_space at the default scaling ratio (half of
     * sk_rcvbuf, TCP_DEFAULT_SCALING_RATIO), rounded down to the MSS the SYN,ACK offers, at most
     * 65535. (tcp_init_buffer_space clamps it by one MSS less than that space; the first segment
     * measured raises the clamp with the ratio and tcp_set_window_clamp lifts it back to rcv_wnd.)
     */
    long ssthresh() {
        if (rcvSsthresh < 0) {
            long space = cfg().buffers().receiveBufferSize() / 2;
            int mss = c.tsOk ? c.advMss - TcpConnection.TS_OPTION_SPACE : c.advMss;
            if (mss > 0 && space > mss) space -= space % mss;
            rcvSsthresh = (int) Math.min(space, 65535);
        }
        return rcvSsthresh;
    }

    /**
     * Linux tcp_grow_window for a segment of {@code len} bytes just queued: room is
     * min(window_clamp, tcp_space) - rcv_ssthresh, here the free buffer (the byte model's clamp is
     * the buffer); check #2 (the segment's truesize fits the window it takes) holds in the byte
     * model, so the step is 2 * advmss, at least twice the segment ("incr = max_t(int, incr,
     * 2 * skb->len)"), at most the room.
     */
    private void growWindow(int len) {
        long room = c.rcvBuf.free() - ssthresh();
        if (room <= 0) return;
        rcvSsthresh += (int) Math.min(room, Math.max(2L * c.advMss, 2L * len)); // room < the buffer: an int
    }

    private void countFullSegments(int n) {
        fullSegmentsUnacked = (short) Math.min(Short.MAX_VALUE, fullSegmentsUnacked + n);
    }

    /** {@link TcpConnection#receiveStream}: reads into {@code b} at off, or (non-null) into {@code bb} at its position. */
    int read(long now, byte[] b, java.nio.ByteBuffer bb, int off, int len) {
        if (c.rcvBuf.size() > 0) {
            long oldWnd = rcvWnd();
            int n = bb != null ? c.rcvBuf.read(bb, len) : c.rcvBuf.read(b, off, len);
            Timestamping.read(c, Seq.sub(c.rcvNxt, c.rcvBuf.size()));
            if (c.rare != null && c.rare.rcvMem != null) c.rare.rcvMem.release(Seq.sub(c.rcvNxt, c.rcvBuf.size()));
            if (c.rcvBuf.isEmpty() && c.ooo.isEmpty()) c.rcvBuf = c.layer.receiveRings().recycle(c.rcvBuf, RcvMem.ringCapacity(cfg())); // drained: back to idle cost
            // only data taken with a Fast Open SYN (no data segment since): the window we offered is
            // the SYN,ACK's, which Linux grows only as data arrives (rcv_ssthresh): no update for it
            if (c.canReceiveData() && lastDataAt != NEVER && windowUpdateDue(oldWnd, windowCandidate())) {
                c.layer.counters().windowUpdates.increment();
                c.snd.sendAck(now);
            }
            c.deliverEvents();
            return n;
        }
        if (c.finReceived) return -1;
        if (c.state == TcpState.CLOSED) {
            if (c.error() != null) throw new TcpException(c.error());
            return -1;
        }
        return 0;
    }

    /** RCV.WND: what is left of the advertised window. */
    long rcvWnd() { return Math.max(0, Seq.sub(c.rcvAdvRight, c.rcvNxt)); }

    /**
     * After a read: is the window that opened worth an ACK of its own (RFC 9293 3.8.6.2.2 leaves
     * when to the receiver)? SWS_AVOIDANCE (Linux's rule): the window at least doubles from at
     * most half the buffer. FREE_SPACE (FreeBSD tcp_output): the right edge moves by two
     * segments and a quarter of the buffer (or the buffer is small), or by half the buffer.
     */
    boolean windowUpdateDue(long oldWnd, long cand) {
        if (RcvMem.on(c)) {
            // Linux tcp_cleanup_rbuf: the current window is at most half the clamp and the window
            // to offer now at least doubles it
            RcvMem m = RcvMem.of(c);
            long now = m.currentWindow(c.rcvNxt);
            if (2 * now > m.fullSpace()) return false;
            long w = m.select(rcvMss, c.rcvWscale);
            return w != 0 && w >= 2 * now;
        }
        if (cand <= oldWnd) return false;
        int cap = c.rcvBuf.capacity();
        return switch (cfg().buffers().receiveWindowPolicy()) {
            case SWS_AVOIDANCE -> oldWnd <= cap / 2 && cand >= 2 * oldWnd;
            case FREE_SPACE -> {
                long adv = cand - oldWnd;
                if (oldWnd >> c.rcvWscale >= cand >> c.rcvWscale) yield false; // the field would not change
                yield adv >= 2L * c.effMss && (adv >= cap / 4 || cand <= cap / 8 || cap <= 8L * c.effMss
                        || adv >= 65535L << c.rcvWscale) || 2 * adv >= cap;
            }
        };
    }

    /**
     * The window we would advertise now; the right edge never moves left (RFC 9293 3.8.6.2.2).
     * SWS_AVOIDANCE, RFC 9293 3.8.6.2.2 receiver SWS avoidance: the right edge moves only when
     * RCV.BUFF - RCV.USER - RCV.WND >= min(Fr * RCV.BUFF, Eff.snd.MSS), Fr = 1/2.
     * FREE_SPACE: all free space, unless it is below both RCV.BUFF / 4 and one MSS.
     */
    long windowCandidate() {
        long cur = rcvWnd();
        long avail = c.layer.memoryClampedWindow(Math.min(c.rcvBuf.free(), 65535L << c.rcvWscale), c.rcvBuf, c.effMss);
        avail = (avail >> c.rcvWscale) << c.rcvWscale;
        if (growsWindow()) {
            // __tcp_select_window: "if (free_space > tp->rcv_ssthresh) free_space = tp->rcv_ssthresh",
            // then with window scaling ALIGN(free_space, 1 << rcv_wscale), rounded up
            long unit = 1L << c.rcvWscale;
            avail = Math.min(avail, (ssthresh() + unit - 1) & -unit);
        }
        return switch (cfg().buffers().receiveWindowPolicy()) {
            case SWS_AVOIDANCE -> {
                if (avail <= cur) yield cur;
                long threshold = Math.min(c.rcvBuf.capacity() / 2, rcvMss);
                yield avail - cur >= threshold ? avail : cur;
            }
            case FREE_SPACE -> {
                if (avail < c.rcvBuf.capacity() / 4 && avail < c.effMss) avail = 0;
                yield Math.max(avail, cur);
            }
        };
    }

    /**
     * The window a segment's sequence number is checked against (RFC 9293 3.10.7.4 first step):
     * RCV.WND. With FREE_SPACE it is the free buffer space when that is larger than what the
     * 16-bit field could advertise (FreeBSD: rcv_wnd = max(sbspace, rcv_adv - rcv_nxt)).
     */
    long acceptanceWindow() {
        long adv = rcvWnd();
        // a half-open connection has only the window of its SYN,ACK (FreeBSD's syncache: sc_wnd)
        if (c.state == TcpState.SYN_RECEIVED) return adv;
        return switch (cfg().buffers().receiveWindowPolicy()) {
            case SWS_AVOIDANCE -> adv;
            case FREE_SPACE -> Math.max(adv, c.rcvBuf.free());
        };
    }

    /** The 16-bit window field for a non-SYN segment; updates the advertised right edge. */
    int windowField() {
        long w = RcvMem.on(c) ? RcvMem.of(c).windowToOffer(c.rcvNxt, rcvMss, c.rcvWscale) : windowCandidate();
        int right = Seq.add(c.rcvNxt, w);
        if (Seq.gt(right, c.rcvAdvRight)) c.rcvAdvRight = right;
        return (int) Math.min(65535, w >> c.rcvWscale);
    }
}
