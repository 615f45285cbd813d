package org.netstack4j.tcp;

import static org.netstack4j.time.Time.NEVER;

import org.netstack4j.tcp.recovery.LossRecovery;
import org.netstack4j.tcp.seqnum.Seq;
import org.netstack4j.trace.DropReason;
import org.netstack4j.wire.TcpOption;
import org.netstack4j.wire.TcpRepr;

/**
 * The SEGMENT ARRIVES event of a {@link TcpConnection} past LISTEN (RFC 9293 3.10.7): the
 * SYN-SENT state (3.10.7.3) and the other, synchronized states and SYN-RECEIVED (3.10.7.4), step
 * by step: PAWS (RFC 7323 5.3), the sequence number check, RST and SYN with RFC 5961's
 * challenge ACKs, the ACK field (RFC 5961 5.2, duplicate ACKs for loss recovery, the window
 * update), the text and the FIN. The connection's {@link TcpConnection#segmentArrives} dispatches
 * here by state. Stateless: the control block stays in the connection, passed in, so nothing is
 * allocated per segment or per connection.
 */
final class SegmentArrives {
    private SegmentArrives() { }

    // RFC 9293 3.10.7.3, SYN-SENT STATE
    static void synSentArrives(TcpConnection c, long now, TcpRepr seg, byte[] buf, int off, int len, int ecn) {
        int ack = seg.ack();
        boolean ackAcceptable = false;
        // RFC 9293 3.10.7.3, first check the ACK bit
        if (seg.has(TcpRepr.ACK)) {
            if (Seq.le(ack, c.iss) || Seq.gt(ack, c.sndMax)) {
                c.layer.drop(now, DropReason.BAD_ACK, "bad_ack_syn_sent", "unacceptable ACK in SYN-SENT", c, seg, len);
                if (!seg.has(TcpRepr.RST)) c.layer.sendRst(now, c.localAddress, c.localPort, c.remoteAddress, c.remotePort, ack, 0, false);
                return;
            }
            ackAcceptable = Seq.le(c.sndUna, ack) && Seq.le(ack, c.sndMax);
        }
        // RFC 9293 3.10.7.3, second check the RST bit
        if (seg.has(TcpRepr.RST)) {
            if (ackAcceptable) {
                c.layer.counters().inRsts.increment();
                c.enterClosed(now, "rcv RST,ACK", TcpError.CONNECTION_REFUSED);
            } else {
                c.layer.drop(now, DropReason.BAD_ACK, "rst_without_ack", "RST without an acceptable ACK in SYN-SENT", c, seg, len);
            }
            return;
        }
        // RFC 9293 3.10.7.3, third check security: not implemented (no IP security compartments)
        // RFC 9293 3.10.7.3, fourth check the SYN bit
        if (seg.has(TcpRepr.SYN)) {
            c.irs = seg.seq();
            c.rcvNxt = Seq.add(c.irs, 1);
            c.negotiate(seg, ecn);
            c.rcvAdvRight = Seq.add(c.rcvNxt, c.synWindow(false)); // our SYN's window
            c.sndWnd = seg.window(); // never scaled in a SYN
            c.maxSndWnd = Math.max(c.maxSndWnd, c.sndWnd);
            c.sndWl1 = seg.seq();
            c.sndWl2 = ack;
            if (ackAcceptable) {
                c.snd.ackNewData(now, ack, seg);
                FastOpen.synAckArrives(c, now, seg); // RFC 7413: cache the cookie; SYN data not acknowledged goes again
                c.establish(now, "rcv SYN,ACK");
                c.rcv.ackPending = true;
                // "If there are other controls or text in the segment, then continue processing at the
                // sixth step": the segment's data starts after the SYN.
                // The window our SYN offered bounds it as in any state (3.10.7.4's first check: "only
                // the new parts are processed"): text past it, and a FIN after that text, are trimmed.
                // Without this a SYN,ACK carrying 13,312 bytes filled a 4,096-byte receive buffer
                // (TcpConnectionFuzzer). Linux drops a SYN,ACK's text altogether (tcp_rcv_state_process
                // frees the skb after tcp_urg); a Fast Open server never sends any.
                boolean fin = seg.has(TcpRepr.FIN);
                if (len > 0 || fin) {
                    int start = Seq.add(seg.seq(), 1);
                    int room = (int) Math.max(0, Seq.sub(c.rcvAdvRight, start));
                    if (len > room) {
                        len = room;
                        fin = false;
                    }
                    if (len > 0 || fin) processTextAndFin(c, now, seg, start, buf, off, len, fin);
                }
            } else {
                // simultaneous open: <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>; text is dropped (the peer retransmits it)
                c.setState(now, TcpState.SYN_RECEIVED, "rcv SYN (simultaneous open)");
                c.snd.sendSyn(now, true);
                c.armRto(now);
            }
            return;
        }
        // RFC 9293 3.10.7.3, fifth, neither SYN nor RST: drop
        c.layer.drop(now, DropReason.UNEXPECTED, "no_syn_in_syn_sent", "segment without SYN or RST in SYN-SENT", c, seg, len);
    }

    // RFC 9293 3.10.7.4, Other States
    static void otherStatesArrive(TcpConnection c, long now, TcpRepr seg, byte[] buf, int off, int len, int ecn) {
        final int seq = seg.seq();
        final boolean rst = seg.has(TcpRepr.RST), syn = seg.has(TcpRepr.SYN);
        boolean fin = seg.has(TcpRepr.FIN);
        TcpOption.Timestamps ts = c.tsOk ? TcpConnection.timestampsOf(seg) : null;
        c.rcv.segTsEcr = ts != null ? ts.tsEcr() : 0;

        if (c.state == TcpState.TIME_WAIT && !seg.has(TcpRepr.ACK) && !rst && !syn && c.cfg().quirks().timeWaitIgnoresNonAck()) {
            // FreeBSD (tcp_twcheck): in TIME-WAIT a segment without ACK bit is dropped before any
            // answer; RFC 9293 3.10.7.4 would ACK it when it is outside the window.
            c.layer.drop(now, DropReason.NO_ACK, "time_wait_no_ack", "segment without ACK in TIME-WAIT ignored", c, seg, len);
            return;
        }

        if (c.tsOk && ts == null && !rst && !syn && c.cfg().quirks().dropMissingTimestamps()) {
            // RFC 7323 3.2: "If a non-<RST> segment is received without a TSopt, a TCP SHOULD
            // silently drop the segment"
            c.layer.drop(now, DropReason.TIMESTAMP, "missing_ts", "no timestamp option although timestamps are in use (RFC 7323 3.2)", c, seg, len);
            return;
        }

        // RFC 7323 5.3, PAWS: before the sequence number check, reject old duplicates by timestamp
        if (ts != null && !rst && Seq.lt(ts.tsVal(), c.tsRecent)) {
            c.layer.drop(now, DropReason.TIMESTAMP, "paws", "PAWS: timestamp older than TS.Recent (RFC 7323 5.3)", c, seg, len);
            boolean pureAck = len == 0 && !syn && !fin;
            if (pureAck && now - Rare.lastOutOfWindowAck(c) < TcpConnection.OUT_OF_WINDOW_ACK_INTERVAL_NS) {
                // Two ends that each hold a TS.Recent ahead of the other's clock would otherwise
                // answer each other's duplicate ACKs forever; rate-limited like out-of-window ACKs
                // (Linux tcp_oow_rate_limited).
                c.layer.counters().pawsAcksRateLimited.increment();
                return;
            }
            if (pureAck) Rare.outOfWindowAckSent(c, now);
            c.snd.sendAck(now);
            return;
        }

        // RFC 9768 3.2.2.2, 3.2.3: Accurate ECN counts every segment's IP-ECN field, duplicates too
        if (AccEcn.on(c) && !rst && !syn) AccEcn.received(c, ecn, len);

        // RFC 9293 3.10.7.4, first check sequence number (the four cases of the acceptability table)
        long wnd = c.rcv.acceptanceWindow();
        int segLen = len + (syn ? 1 : 0) + (fin ? 1 : 0);
        boolean acceptable;
        if (segLen == 0) {
            acceptable = wnd == 0 ? seq == c.rcvNxt : Seq.inWindow(seq, c.rcvNxt, wnd);
        } else if (wnd == 0) {
            // "special allowance should be made to accept valid ACKs, URGs, and RSTs" even with a
            // zero window: a segment exactly at RCV.NXT is processed with its text trimmed away.
            acceptable = seq == c.rcvNxt;
        } else {
            acceptable = Seq.inWindow(seq, c.rcvNxt, wnd) || Seq.inWindow(Seq.add(seq, segLen - 1), c.rcvNxt, wnd);
        }
        // Linux (TcpConfig.Buffers.acceptWholeSegment; tcp_sequence, tcp_data_queue): text ending past
        // the largest right edge advertised (ours never moves left, RFC 9293 3.8.6.2.2) drops the whole
        // segment, ACK fields included, while unread data is queued; with none queued and the window
        // open, a segment that starts inside the window is taken whole, in order or not (tcp_sequence:
        // only a start past the window is invalid; tcp_data_queue_ofo queues it as it is). A FIN alone
        // may pass the edge.
        boolean whole = false;
        int limit = Seq.add(c.rcvNxt, (int) Math.min(wnd, Integer.MAX_VALUE));
        if (acceptable && len > 0 && c.cfg().buffers().acceptWholeSegment()
                && Seq.gt(Seq.add(seq, segLen - (fin ? 1 : 0)), limit)) {
            if (c.rcvBuf.isEmpty() && wnd > 0 && Seq.lt(syn ? Seq.add(seq, 1) : seq, limit)
                    && Seq.sub(Seq.add(seq, segLen), c.rcvNxt) <= c.rcvBuf.hardLimit()) {
                whole = true;
            } else if (wnd > 0 || !c.rcvBuf.isEmpty()) {
                acceptable = false; // (at a zero window with nothing queued, the text is trimmed away below)
            }
        }
        if (!acceptable && len > 0 && Seq.ge(Seq.add(seq, segLen), limit)) c.layer.counters().beyondWindow.increment();
        if (!acceptable) {
            if (c.state == TcpState.SYN_RECEIVED && syn && seg.has(TcpRepr.ACK) && seq == c.irs
                    && Seq.lt(c.sndUna, seg.ack()) && Seq.le(seg.ack(), c.sndMax)) {
                // simultaneous open (RFC 9293 Figure 7, line 5): the peer's SYN,ACK repeats its SYN and
                // acknowledges ours; its ACK completes our handshake even though the SYN is old.
                c.sndWnd = seg.window(); // a SYN's window is never scaled
                c.maxSndWnd = Math.max(c.maxSndWnd, c.sndWnd);
                c.sndWl1 = seq;
                c.sndWl2 = seg.ack();
                c.establish(now, "rcv SYN,ACK (simultaneous open)");
                c.snd.ackNewData(now, seg.ack(), seg);
                c.rcv.ackPending = true;
                return;
            }
            if (c.state == TcpState.SYN_RECEIVED && syn && !seg.has(TcpRepr.ACK) && seq == c.irs) {
                // a retransmitted SYN: our SYN,ACK was lost, send it again
                c.layer.drop(now, DropReason.OUT_OF_WINDOW, "dup_syn", "retransmitted SYN in SYN-RECEIVED: SYN,ACK repeated", c, seg, len);
                if (AccEcn.on(c)) AccEcn.synAgain(c, seg, ecn, true);
                c.snd.sendSyn(now, true);
                return;
            }
            c.layer.drop(now, DropReason.OUT_OF_WINDOW, "out_of_window", "sequence number outside the receive window", c, seg, len);
            if (!rst && segLen == 0 && now - Rare.lastOutOfWindowAck(c) < TcpConnection.OUT_OF_WINDOW_ACK_INTERVAL_NS) {
                // a pure ACK out of the window: answer at most every 500 ms so two confused ends
                // cannot ping-pong ACKs forever (Linux tcp_invalid_ratelimit)
                c.layer.counters().outOfWindowAcksRateLimited.increment();
                return;
            }
            if (!rst) {
                // only pure ACKs can loop, so only they start the interval (Linux tcp_oow_rate_limited)
                if (segLen == 0) Rare.outOfWindowAckSent(c, now);
                if (AccEcn.on(c) && syn) AccEcn.synAgain(c, seg, ecn, false);
                else if (AccEcn.on(c) && len > 0) AccEcn.duplicateArrives(c);
                // RFC 2883 4.1.1: a segment already received is reported in a D-SACK block (Linux
                // tcp_send_dupack: the part below RCV.NXT; an old SYN draws a challenge ACK instead)
                if (!syn && segLen > 0 && Seq.lt(seq, c.rcvNxt)) c.rcv.duplicate(seq, Seq.min(Seq.add(seq, segLen), c.rcvNxt), false);
                c.snd.sendAck(now); // <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>
                if (c.state == TcpState.TIME_WAIT && fin) TimeWait.restart(c, now); // retransmitted FIN
            }
            return;
        }

        // trim to the window: "only the new parts are processed"
        int dataSeq = syn ? Seq.add(seq, 1) : seq;
        int dOff = off, dLen = len;
        int before = Seq.sub(c.rcvNxt, dataSeq);
        if (before > 0) {
            int cut = Math.min(before, dLen);
            dOff += cut;
            dLen -= cut;
            dataSeq = Seq.add(dataSeq, cut);
        }
        if (dLen > 0 && RcvMem.on(c) && c.canReceiveData() && !queueable(c, dataSeq)) {
            dLen = 0;
            fin = false;
            c.rcv.ackPending = true;
            c.rcv.enterQuickAck(RcvMem.of(c).currentWindow(c.rcvNxt));
        }
        int room = (int) Math.max(0, Seq.sub(Seq.add(c.rcvNxt, wnd), dataSeq));
        if (dLen > room && !whole) {
            // text at RCV.NXT with the window closed (Linux TCPZeroWindowDrop)
            if (room == 0 && dataSeq == c.rcvNxt) c.layer.counters().zeroWindowDrop.increment();
            dLen = room;
            fin = false;
            c.rcv.ackPending = true; // part of the text fell outside the window
        }
        if (fin && Seq.lt(Seq.add(dataSeq, dLen), c.rcvNxt)) fin = false; // an old FIN
        // Linux (tcp_data_queue: ICSK_ACK_NOW once over the receive buffer): text or a FIN taken while
        // the buffer holds a segment past its size is ACKed at once, not after the delayed-ACK timer
        boolean over = RcvMem.on(c) ? RcvMem.of(c).rmem > RcvMem.of(c).rcvbuf : c.rcvBuf.size() > c.rcvBuf.capacity();
        if ((dLen > 0 || fin) && over) c.rcv.ackPending = true;

        // RFC 9293 3.10.7.4, second check the RST bit (RFC 5961 3.2: exact match, else challenge ACK)
        if (rst) {
            if (seq != c.rcvNxt && c.cfg().quirks().challengeAckOnRst()) {
                c.layer.drop(now, DropReason.CHALLENGE_ACK, "rst_not_exact", "RST in window but not at RCV.NXT: challenge ACK (RFC 5961 3.2)", c, seg, len);
                c.snd.challengeAck(now);
                return;
            }
            c.layer.counters().inRsts.increment();
            switch (c.state) {
                case SYN_RECEIVED -> {
                    // a Fast Open child is already the application's (Linux: accept returns it, its data
                    // can be read, then ECONNRESET)
                    if (FastOpen.child(c)) c.enterClosed(now, "rcv RST (Fast Open child)", TcpError.CONNECTION_RESET);
                    else if (c.parent != null) c.enterClosed(now, "rcv RST (passive open: back to LISTEN)", null);
                    else c.enterClosed(now, "rcv RST", TcpError.CONNECTION_REFUSED);
                }
                case ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT -> {
                    c.layer.counters().estabResets.increment();
                    c.enterClosed(now, "rcv RST", TcpError.CONNECTION_RESET);
                }
                // RFC 9293 only says "enter CLOSED"; like Linux (tcp_reset) the application is told of
                // the reset: its FIN was never acknowledged, so the close was not clean.
                case CLOSING, LAST_ACK -> c.enterClosed(now, "rcv RST", TcpError.CONNECTION_RESET);
                case TIME_WAIT -> {
                    if (c.cfg().quirks().rstInTimeWait()) c.enterClosed(now, "rcv RST", null);
                    else c.layer.drop(now, DropReason.UNEXPECTED, "rst_in_time_wait", "RST in TIME-WAIT ignored (RFC 1337)", c, seg, len);
                }
                case CLOSED, LISTEN, SYN_SENT -> c.layer.drop(now, DropReason.UNEXPECTED, "unexpected_state", "RST in " + c.state, c, seg, len);
            }
            return;
        }

        // RFC 9293 3.10.7.4, third check security: not implemented (no IP security compartments)

        // RFC 9293 3.10.7.4, fourth check the SYN bit (RFC 5961 4.2: challenge ACK, never reset)
        if (syn) {
            if (c.state == TcpState.SYN_RECEIVED && c.parent != null) {
                // "If the connection was initiated with a passive OPEN, then return this connection to LISTEN"
                c.layer.drop(now, DropReason.UNEXPECTED, "syn_in_syn_received", "new SYN in SYN-RECEIVED: back to LISTEN", c, seg, len);
                c.enterClosed(now, "rcv SYN (passive open: back to LISTEN)", null);
                return;
            }
            if (!c.cfg().quirks().challengeAckOnSyn() && c.state == TcpState.TIME_WAIT) {
                // FreeBSD (tcp_twcheck, insecure_syn=1): a SYN in the window of TIME-WAIT is answered
                // with a RST, and TIME-WAIT stays
                c.layer.drop(now, DropReason.UNEXPECTED, "syn_in_time_wait", "SYN in the window of TIME-WAIT: RST", c, seg, len);
                c.snd.sendAbortRst(now);
                return;
            }
            if (!c.cfg().quirks().challengeAckOnSyn() && c.state != TcpState.TIME_WAIT) {
                // RFC 793 3.9 (before RFC 5961): a SYN in the window is an error; reset the connection
                c.layer.counters().inSynResets.increment();
                c.snd.sendAbortRst(now);
                c.enterClosed(now, "rcv SYN in window", TcpError.CONNECTION_RESET);
                return;
            }
            c.layer.drop(now, DropReason.CHALLENGE_ACK, "syn_in_window", "SYN in a synchronized state: challenge ACK (RFC 5961 4.2)", c, seg, len);
            if (AccEcn.on(c)) AccEcn.synAgain(c, seg, ecn, false);
            c.snd.challengeAck(now);
            if (AccEcn.on(c)) AccEcn.of(c).reflect = false; // a rate-limited challenge ACK reflects nothing later
            return;
        }

        // RFC 9293 3.10.7.4, fifth check the ACK field
        if (!seg.has(TcpRepr.ACK)) {
            c.layer.drop(now, DropReason.NO_ACK, "no_ack", "segment without ACK bit", c, seg, len);
            return;
        }
        int ack = seg.ack();
        if (c.state == TcpState.SYN_RECEIVED) {
            if (Seq.lt(c.sndUna, ack) && Seq.le(ack, c.sndMax)) {
                if (c.parent != null && len == 0 && !fin && c.retries < c.parent.deferAccept() && !FastOpen.child(c)) {
                    // TCP_DEFER_ACCEPT: wait for data; the bare ACK is remembered, not taken
                    c.deferredAckSeen = true;
                    c.layer.drop(now, DropReason.POLICY, "deferred_accept", "bare ACK while accepting is deferred (TCP_DEFER_ACCEPT)", c, seg, len);
                    return;
                }
                // a Fast Open child is in the accept queue already: its own place there does not count
                if (c.parent != null && !FastOpen.child(c) && c.parent.acceptQueueFull()) {
                    c.layer.drop(now, DropReason.QUEUE_FULL, "accept_queue_full", "accept queue full: handshake ACK dropped", c, seg, len);
                    return;
                }
                c.sndWnd = (long) seg.window() << c.sndWscale;
                c.maxSndWnd = Math.max(c.maxSndWnd, c.sndWnd);
                c.sndWl1 = seq;
                c.sndWl2 = ack;
                if (AccEcn.on(c)) AccEcn.handshakeAckArrives(c, seg, len);
                c.establish(now, "rcv ACK of SYN");
            } else {
                // <SEQ=SEG.ACK><CTL=RST>
                c.layer.drop(now, DropReason.BAD_ACK, "bad_ack_syn_received", "unacceptable ACK in SYN-RECEIVED: RST", c, seg, len);
                c.layer.sendRst(now, c.localAddress, c.localPort, c.remoteAddress, c.remotePort, ack, 0, false);
                return;
            }
        }
        if (!processAck(c, now, seg, len, fin)) return;
        switch (c.state) {
            case FIN_WAIT_1 -> {
                if (c.finAcked()) {
                    c.setState(now, TcpState.FIN_WAIT_2, "rcv ACK of FIN");
                    if (c.finWait2TimeoutNs > 0) c.armFinWait2Timeout(now);
                }
            }
            case CLOSING -> {
                if (c.finAcked()) TimeWait.enter(c, now, "rcv ACK of FIN");
                else c.layer.drop(now, DropReason.UNEXPECTED, "closing_no_fin_ack", "CLOSING: ACK does not cover our FIN", c, seg, len);
                return;
            }
            case LAST_ACK -> {
                if (c.finAcked()) c.enterClosed(now, "rcv ACK of FIN", null);
                return;
            }
            case TIME_WAIT -> {
                // RFC 9293: "The only thing that can arrive in this state is a retransmission of the
                // remote FIN" (handled below). Anything else but a bare ACK at RCV.NXT comes from a
                // confused peer: answer with an ACK so it learns where we are (Linux
                // tcp_timewait_state_process, FreeBSD tcp_twcheck both do).
                if (segLen > 0 || seq != c.rcvNxt) c.rcv.ackPending = true;
            }
            case ESTABLISHED, CLOSE_WAIT, FIN_WAIT_2 -> { }
            case CLOSED, LISTEN, SYN_SENT, SYN_RECEIVED -> { return; }
        }
        if (c.ecnFlags != 0) Ecn.received(c, seg, ecn);
        processTextAndFin(c, now, seg, dataSeq, buf, dOff, dLen, fin);
    }

    /** RFC 9293 3.10.7.4 fifth step for ESTABLISHED and later states. Returns false to stop processing. */
    static boolean processAck(TcpConnection c, long now, TcpRepr seg, int len, boolean fin) {
        int ack = seg.ack();
        // RFC 5961 5.2: acceptable iff (SND.UNA - MAX.SND.WND) <= SEG.ACK <= SND.NXT
        if (Seq.gt(ack, c.sndMax)) {
            c.layer.drop(now, DropReason.BAD_ACK, "ack_unsent", "ACK of data not yet sent: " + (c.cfg().quirks().ackUnsentAck() ? "ACK and drop" : "drop"), c, seg, len);
            if (c.cfg().quirks().ackUnsentAck()) c.snd.sendAck(now);
            return false;
        }
        if (Seq.lt(ack, Seq.add(c.sndUna, -Math.max(c.maxSndWnd, 1)))) {
            c.layer.drop(now, DropReason.CHALLENGE_ACK, "ack_too_old", "ACK below SND.UNA - MAX.SND.WND: challenge ACK (RFC 5961 5.2)", c, seg, len);
            c.snd.challengeAck(now);
            return false;
        }
        // RFC 7323 4.3 (2): TS.Recent <- SEG.TSval when SEG.SEQ <= Last.ACK.sent. Done only now that
        // the ACK was found acceptable, and before anything it makes us send (as Linux's tcp_ack with
        // FLAG_UPDATE_TS_RECENT): a segment with a forged ACK must not move TS.Recent, or PAWS would
        // then drop the peer's real segments; a retransmission this ACK triggers echoes its TSval.
        TcpOption.Timestamps ts = c.tsOk ? TcpConnection.timestampsOf(seg) : null;
        boolean tsProgress = ts != null && Seq.gt(ts.tsVal(), c.tsRecent);
        if (ts != null && Seq.le(seg.seq(), c.lastAckSent)) {
            c.tsRecent = ts.tsVal();
            c.tsRecentAt = now;
        }
        long segWnd = (long) seg.window() << c.sndWscale;
        LossRecovery r = c.recovery; // null until data flows (DESIGN.md 10); SACK blocks need the scoreboard
        if (r == null && c.sackOk && hasSackBlocks(seg)) r = c.recovery();
        final int prevUna = c.sndUna;
        final long sackedBefore = r != null ? r.sackedBytes() : 0;
        boolean dupCandidate = r != null ? r.ackArrives(seg, ack, segWnd) : !c.sackOk && segWnd == c.sndWnd;
        if (Seq.gt(ack, c.sndUna)) {
            c.snd.ackNewData(now, ack, seg);
        } else if (ack == c.sndUna && len == 0 && !fin && !seg.has(TcpRepr.SYN) && Seq.gt(c.sndNxt, c.sndUna) && dupCandidate) {
            // RFC 5681 2: a duplicate ACK (same window); with SACK, RFC 6675 2: an ACK whose SACK
            // blocks cover bytes not SACKed before, whatever its window (Linux grows its advertised
            // window while it receives out of order, so its duplicate ACKs rarely repeat the window),
            // and only such an ACK (one repeating known SACK blocks tells nothing new)
            if (r == null) {
                r = c.recovery();
                r.ackArrives(seg, ack, segWnd);
            }
            r.duplicateAck(now);
        }
        if (AccEcn.on(c)) accEcnAck(c, now, seg, prevUna, sackedBefore, tsProgress);
        else if (seg.has(TcpRepr.ECE) && c.ecnFlags != 0) Ecn.eceArrives(c, now, ack);
        if (c.recovery != null) c.recovery.ackProcessed(now);
        // window update: if SND.WL1 < SEG.SEQ or (SND.WL1 = SEG.SEQ and SND.WL2 =< SEG.ACK)
        if (Seq.le(c.sndUna, ack) && (Seq.lt(c.sndWl1, seg.seq()) || (c.sndWl1 == seg.seq() && Seq.le(c.sndWl2, ack)))) {
            if (segWnd > 0 && c.sndWnd == 0) c.snd.persistBackoff = 0;
            c.sndWnd = segWnd;
            c.maxSndWnd = Math.max(c.maxSndWnd, c.sndWnd);
            c.sndWl1 = seg.seq();
            c.sndWl2 = ack;
        }
        return true;
    }

    /**
     * Accurate ECN's sender side of an acceptable ACK: the bytes it newly delivers (acknowledged or
     * SACKed), whether it shows progress (those, or a newer timestamp: Linux FLAG_TS_PROGRESS), and
     * the congestion response to the CE marks its ACE counter reports.
     */
    private static void accEcnAck(TcpConnection c, long now, TcpRepr seg, int prevUna, long sackedBefore, boolean tsProgress) {
        int ack = seg.ack();
        boolean synAcked = prevUna == c.iss && Seq.gt(ack, prevUna);
        long sackedAfter = c.recovery != null ? c.recovery.sackedBytes() : 0;
        long delivered = Math.max(0, Seq.sub(ack, prevUna)) - (synAcked ? 1 : 0) + sackedAfter - sackedBefore;
        boolean progress = Seq.gt(ack, prevUna) || sackedAfter > sackedBefore || tsProgress;
        if (AccEcn.ackArrives(c, seg, Math.max(0, delivered), progress, synAcked) > 0) Ecn.reduce(c, now, ack);
    }

    private static boolean hasSackBlocks(TcpRepr seg) {
        for (TcpOption o : seg.options()) if (o instanceof TcpOption.Sack) return true;
        return false;
    }

    /**
     * Linux's tcp_data_queue with its receive-memory accounting ({@link RcvMem}): whether the text
     * of an acceptable segment, starting at {@code dataSeq} (at or after RCV.NXT), is queued. The
     * sequence check passed against the largest right edge advertised; the text is checked against
     * the current window, which a memory squeeze retracts to zero: at RCV.NXT a zero window drops
     * it (TCPZeroWindowDrop), out of order a start past the window does (SKB_DROP_REASON_TCP_OVERWINDOW,
     * counted as beyond the window). Then memory: past sk_rcvbuf the queue is pruned in vain
     * (PruneCalled, RcvPruned) and out-of-order text is dropped; in order, the next ACK offers a
     * zero window and the text is dropped (TCPRcvQDrop) unless nothing is queued (sk_forced_mem_schedule).
     */
    private static boolean queueable(TcpConnection c, int dataSeq) {
        RcvMem m = RcvMem.of(c);
        long cur = m.currentWindow(c.rcvNxt);
        if (dataSeq == c.rcvNxt && cur == 0) {
            c.layer.counters().zeroWindowDrop.increment();
            return false;
        }
        if (dataSeq != c.rcvNxt && Seq.ge(dataSeq, Seq.add(c.rcvNxt, (int) Math.min(cur, Integer.MAX_VALUE)))) {
            c.layer.counters().beyondWindow.increment();
            return false;
        }
        if (m.canQueue()) return true;
        c.layer.counters().pruneCalled.increment();
        c.layer.counters().rcvPruned.increment();
        if (dataSeq != c.rcvNxt) return false; // tcp_data_queue_ofo: dropped (TCPOFODrop), the window stays
        m.nomem = true;
        if (c.rcvBuf.isEmpty()) return true;
        c.layer.counters().rcvQDrop.increment();
        return false;
    }

    // RFC 9293 3.10.7.4, sixth to eighth steps
    static void processTextAndFin(TcpConnection c, long now, TcpRepr seg, int dataSeq, byte[] buf, int off, int len, boolean fin) {
        // RFC 9293 3.10.7.4, sixth check the URG bit: the urgent byte is read out of band or in
        // line as the application chose (RFC 6093, Linux semantics: Urgent)
        if (seg.has(TcpRepr.URG) && c.canReceiveData()) {
            int up = Seq.add(seg.seq(), seg.urgentPointer());
            if (Seq.gt(up, c.rcvUp)) c.rcvUp = up;
            Urgent.pointerArrives(c, seg);
        }
        if (c.rare != null && len > 0) Urgent.textArrives(c, dataSeq, buf, off, len);
        // RFC 9293 3.10.7.4, seventh process the segment text
        int sentSeq = seg.has(TcpRepr.SYN) ? Seq.add(seg.seq(), 1) : seg.seq();
        if (Seq.lt(sentSeq, dataSeq) && c.canReceiveData()) {
            // RFC 2883 4.1.2: the front of the segment was a duplicate (Linux tcp_data_queue: seq < rcv_nxt)
            c.rcv.duplicate(sentSeq, dataSeq, false);
        }
        if (len > 0 && c.orphan && (c.state == TcpState.FIN_WAIT_1 || c.state == TcpState.FIN_WAIT_2)) {
            // RFC 1122 4.2.2.13: new data after CLOSE that nobody will read: a RST tells the peer it was lost
            c.layer.counters().outRstDataAfterClose.increment();
            c.layer.sendRst(now, c.localAddress, c.localPort, c.remoteAddress, c.remotePort, seg.ack(), 0, false);
            c.enterClosed(now, "rcv data after close", TcpError.CONNECTION_RESET);
            return;
        }
        if (len > 0) {
            switch (c.state) {
                case ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2 -> c.rcv.receiveText(now, dataSeq, buf, off, len, fin);
                case CLOSE_WAIT, CLOSING, LAST_ACK, TIME_WAIT ->
                        c.layer.drop(now, DropReason.UNEXPECTED, "data_after_fin", "text after the remote FIN ignored", c, seg, len);
                case CLOSED, LISTEN, SYN_SENT, SYN_RECEIVED ->
                        c.layer.drop(now, DropReason.UNEXPECTED, "data_unexpected", "text in " + c.state.rfcName() + " ignored", c, seg, len);
            }
        } else if (fin && dataSeq != c.rcvNxt) {
            c.rememberOooFin(Seq.add(dataSeq, len));
            c.rcv.ackPending = true;
        }
        // RFC 9293 3.10.7.4, eighth check the FIN bit
        if (fin && Seq.add(dataSeq, len) == c.rcvNxt) processFin(c, now, "rcv FIN");
        else if (c.rare != null && c.rare.oooFinValid && c.rare.oooFinSeq == c.rcvNxt) processFin(c, now, "rcv FIN (reassembled)");
    }

    static void processFin(TcpConnection c, long now, String cause) {
        if (c.rare != null) c.rare.oooFinValid = false;
        if (c.finReceived) {
            // RFC 9293 3.10.7.4 eighth step, TIME-WAIT: "Remain in the TIME-WAIT state. Restart the
            // 2 MSL time-wait timeout", and the FIN is acknowledged (RCV.NXT already covers one FIN).
            if (c.state == TcpState.TIME_WAIT) {
                c.rcv.ackPending = true;
                TimeWait.restart(c, now);
            }
            return;
        }
        c.finReceived = true;
        c.rcvNxt = Seq.add(c.rcvNxt, 1);
        c.ooo.forgetDuplicate(); // Linux tcp_fin: tcp_sack_reset drops a pending D-SACK
        // the FIN takes a sequence number but no buffer space: keep the window's size
        c.rcvAdvRight = Seq.add(c.rcvAdvRight, 1);
        c.nRemoteClosed = true;
        c.nReadable = true;
        c.rcv.ackPending = true;
        switch (c.state) {
            case SYN_RECEIVED, ESTABLISHED -> {
                c.setState(now, TcpState.CLOSE_WAIT, cause);
                if (c.cfg().acks().quickAcks() > 0) {
                    // Linux (tcp_fin): the peer's FIN makes the exchange interactive; quick-ACK mode
                    // ends and the FIN is ACKed like data, by the delayed-ACK timer, once data has
                    // flowed (before any data Linux's ACK timeout is still 0: at once), unless
                    // more than one MSS of sequence space, the FIN included, awaits an ACK
                    // (__tcp_ack_snd_check: rcv_nxt - rcv_wup > rcv_mss) or the buffer holds more
                    // than its size (tcp_data_queue: ICSK_ACK_NOW).
                    c.rcv.interactive = true;
                    if (c.rcv.lastDataAt != NEVER && c.cfg().acks().delayedAckNs() > 0 && c.rcv.fullSegmentsUnacked < 2 && c.ooo.isEmpty()
                            && Seq.sub(c.rcvNxt, c.lastAckSent) <= c.rcv.rcvMss && c.rcvBuf.size() <= c.rcvBuf.capacity()) {
                        c.rcv.ackPending = false;
                        c.rcv.scheduleDelayedAck(now);
                    }
                }
            }
            case FIN_WAIT_1 -> {
                if (c.finAcked()) {
                    c.snd.sendAck(now);
                    TimeWait.enter(c, now, cause);
                } else {
                    c.setState(now, TcpState.CLOSING, cause);
                }
            }
            case FIN_WAIT_2 -> {
                c.snd.sendAck(now);
                TimeWait.enter(c, now, cause);
            }
            case CLOSE_WAIT, CLOSING, LAST_ACK -> { }
            case TIME_WAIT -> TimeWait.restart(c, now);
            case CLOSED, LISTEN, SYN_SENT -> { }
        }
    }
}
