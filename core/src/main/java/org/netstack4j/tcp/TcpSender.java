package org.netstack4j.tcp;

import static org.netstack4j.time.Time.NEVER;

import java.util.ArrayList;
import java.util.List;
import org.netstack4j.tcp.recovery.LossRecovery;
import org.netstack4j.tcp.recovery.RecoverySender;
import org.netstack4j.tcp.seqnum.Seq;
import org.netstack4j.trace.TimerAction;
import org.netstack4j.wire.TcpEncoder;
import org.netstack4j.wire.TcpOption;
import org.netstack4j.wire.IpMeta;
import org.netstack4j.wire.TcpRepr;

/**
 * The sending half of a {@link TcpConnection} (gVisor's snd.go): what goes out and when. Builds
 * segments (options, window, payload straight from the send ring), applies the congestion and
 * peer windows, Nagle (RFC 896, Minshall's variant), sender SWS avoidance, TCP_CORK and MSG_MORE,
 * runs the persist timer and its window probes (RFC 9293 3.8.6.1), and takes the acknowledgment
 * of new data (RTT samples, RFC 6298 timer, loss recovery). The send sequence variables stay in
 * the connection's control block; this reads and moves them there. It is the connection's
 * {@link RecoverySender}.
 */
final class TcpSender implements RecoverySender {
    private final TcpConnection c;

    boolean noDelay;
    /** TCP_CORK: hold back partial segments until uncorked (or the persist timer, Linux's 200 ms ceiling). */
    boolean corked;
    /** The SEND being processed said more follows (MSG_MORE): its partial tail waits like corked data. */
    boolean moreComing;
    /** One output pass that sends partial segments whatever cork or MSG_MORE say (TCP_NODELAY set). */
    boolean pushOnce;
    /** Window probes sent in a row: the persist timer backs off (RFC 9293 3.8.6.1). */
    int persistBackoff;
    /** End of the last short data segment sent (Minshall's Nagle, {@link TcpConfig#nagleMinshall()}). */
    int sndSml;
    // TcpConfig.cwndValidation: the most data in flight since cwndUsageSeq was sent, and whether a
    // send in that window found cwnd full (Linux max_packets_out, cwnd_usage_seq, is_cwnd_limited);
    // an int: a flight is a sequence-space distance, below 2^31
    int maxFlightInWindow;
    int cwndUsageSeq;
    boolean cwndLimited;
    /** When data was last sent (TcpConfig.slowStartAfterIdle). */
    long lastDataSentAt = NEVER;
    long bytesSent, retransmissions;
    /** SO_SNDBUF of this connection when set on it ({@link TcpConnection#setSendBufferSize}); 0 = the layer's. */
    int sndBufLimit;
    /** Our SYN was retransmitted (RFC 6298 5.7: the RTO after the handshake). */
    boolean synRetransmitted;
    /** Our SYN is retransmitted with the MSS option only ({@link TcpConfig.OsQuirks#bareSynAfterRetries()}). */
    boolean synOptionsDropped;

    TcpSender(TcpConnection c, TcpConfig config, int iss) {
        this.c = c;
        this.noDelay = config.sending().noDelay();
        this.cwndUsageSeq = iss;
        this.sndSml = iss;
    }

    private TcpConfig cfg() { return c.config(); }

    /** The RST of an ABORT: <SEQ=SND.NXT><CTL=RST>, with <ACK=RCV.NXT> when the config says so. */
    void sendAbortRst(long now) { sendAbortRst(now, false); }

    /** {@code userAbort}: the application's ABORT, whose RST Linux sends with the window (tcp_send_active_reset). */
    void sendAbortRst(long now, boolean userAbort) {
        // RFC 7323 3.2: once timestamps are in use, every segment of the connection carries them,
        // the RST of an abort included (Linux tcp_send_active_reset, FreeBSD tcp_drop via tcp_output)
        List<TcpOption> opts = c.tsOk
                ? List.of(TcpOption.NOP, TcpOption.NOP, new TcpOption.Timestamps(c.tsNow(now), c.tsRecent)) : List.of();
        // Linux's user abort (tcp_send_active_reset through tcp_transmit_skb) fills in the window it
        // advertises now; the RSTs it sends for a segment (tcp_v4_send_reset) carry none
        if (cfg().quirks().abortRstWithAck())
            c.layer.sendRst(now, c.localAddress, c.localPort, c.remoteAddress, c.remotePort, c.sndMax, c.rcvNxt, true,
                    userAbort ? c.rcv.windowField() : 0, opts);
        else
            c.layer.sendRst(now, c.localAddress, c.localPort, c.remoteAddress, c.remotePort, c.sndMax, 0, false, opts);
    }

    /** SND.UNA < SEG.ACK <= SND.NXT: drop what is acknowledged, measure RTT, drive cc and the RTO. */
    void ackNewData(long now, int ack, TcpRepr seg) {
        boolean synWasUnacked = !c.synAcked();
        long acked = Seq.sub(ack, c.sndUna);
        long flightBefore = Seq.sub(c.sndMax, c.sndUna);
        int dataAcked = (int) Math.max(0, Math.min(Seq.sub(ack, c.sndBufSeq), c.sendBuf.size()));
        c.sendBuf.discard(dataAcked);
        if (c.sendBuf.isEmpty()) c.sendBuf = c.layer.sendRings().recycle(c.sendBuf, cfg().buffers().sendBufferSize()); // all acknowledged: back to idle cost
        c.sndBufSeq = Seq.add(c.sndBufSeq, dataAcked);
        Records records = c.records();
        if (records != null) records.ackedUpTo(c.sndBufSeq);
        SkbQueue skbs = SkbQueue.ifAny(c);
        if (skbs != null) skbs.ackedTo(c.sndBufSeq);
        c.bytesAcked += dataAcked;
        int unaBefore = c.sndUna;
        c.sndUna = ack;
        Urgent.acked(c, unaBefore, ack);
        Timestamping.acked(c, now, ack);
        if (Seq.lt(c.sndNxt, c.sndUna)) c.sndNxt = c.sndUna;
        long sackedNowAcked = c.recovery != null ? c.recovery.sndUnaAdvanced(unaBefore, c.sndUna) : 0;
        c.retries = 0;
        // RTT: RFC 7323 4 with timestamps, else RFC 6298 with Karn's rule (timing only non-retransmitted segments)
        TcpOption.Timestamps ts = c.tsOk ? c.timestampsOf(seg) : null;
        if (ts != null && ts.tsEcr() != 0) {
            int ms = Seq.sub(c.tsNow(now), ts.tsEcr());
            if (ms >= 0 && ms < 3_600_000) c.rttSample(ms * 1_000_000L);
            c.rtt.timing = false;
        } else if (c.rtt.timing && Seq.gt(ack, c.rtt.timedSeq)) {
            c.rttSample(now - c.rtt.timedAt);
            c.rtt.timing = false;
        }
        long ccBytes = acked - (synWasUnacked ? 1 : 0);
        if (cfg().recovery().slowStartAbcLimit() == 0 && ccBytes > c.effMss && !c.inRecovery()) {
            // Linux grows cwnd by what this ACK delivered: segments already reported by SACK blocks
            // or (without SACK) by duplicate ACKs were delivered then ("one ACK acked hole, the rest
            // eat duplicate ACKs", tcp_remove_reno_sacks)
            long earlier = c.sackOk ? sackedNowAcked : (long) (c.recovery != null ? c.recovery.dupAcks() : 0) * c.effMss;
            ccBytes = Math.max(c.effMss, ccBytes - earlier);
        }
        if (ccBytes > 0) c.recovery().newDataAcked(now, ccBytes, flightBefore, cwndInUse());
        // RFC 6298 5.2 / 5.3
        if (c.sndUna == c.sndMax) {
            c.cancelRto(now);
            c.unackedSince = NEVER;
        } else {
            c.rtoAt = NEVER;
            c.timersChanged();
            c.armRto(now);
            c.unackedSince = now;
        }
        if (c.recovery != null) c.recovery.ackedUpTo(c.sndUna, c.sndUna != c.sndMax);
        c.lastAckAt = now;
        if (dataAcked > 0) c.nWritable = true;
        // Linux tcp_check_space: a waiting writer is woken (and no longer sndbuf-limited) once the
        // free space is at least half what is queued (sk_stream_wspace >= sk_stream_min_wspace)
        if (writerWaiting && dataAcked > 0 && (skbs != null ? skbs.writeable(c, c.sendBufferSize())
                : c.sendBuf.capacity() - c.sendBuf.size() >= c.sendBuf.size() / 2)) {
            writerWaiting = false;
            if (c.chrono != null) c.chrono.stop(now, Chrono.SNDBUF_LIMITED, c.sendBuf.isEmpty() && c.sndMax == c.sndUna);
        }
        if (c.chrono != null && c.sendBuf.isEmpty() && c.sndMax == c.sndUna) c.chrono.stop(now, Chrono.BUSY, true);
    }

    RingBuffer writableSendBuf(int len) {
        if (len > 0 && c.sendBuf.isShared())
            c.sendBuf = SkbQueue.on(c) ? c.layer.newRing(SkbQueue.ringCapacity(c.sendBufferSize()))
                    : sndBufLimit == 0 ? c.layer.sendRings().take(cfg().buffers().sendBufferSize()) : c.layer.newRing(sndBufLimit);
        return c.sendBuf;
    }

    /**
     * Queues what the send buffer takes of a SEND: as much as fits (RFC 9293 3.10.2), or in the
     * Linux profile what Linux's per-skb accounting takes ({@link SkbQueue}).
     */
    int queue(long now, byte[] b, java.nio.ByteBuffer bb, int off, int len, boolean established) { // bb non-null: from its position, not b
        if (!SkbQueue.on(c)) return bb != null ? writableSendBuf(len).write(bb, len) : writableSendBuf(len).write(b, off, len);
        SkbQueue q = SkbQueue.of(c);
        int done = 0;
        while (done < len) {
            int n = Math.min(len - done, q.nextRoom(c));
            if (n <= 0) break;
            int w = bb != null ? writableSendBuf(n).write(bb, n) : writableSendBuf(n).write(b, off + done, n);
            q.queued(c, w);
            done += w;
            if (w < n) break;
            // tcp_sendmsg_locked: an skb filled to the size goal goes out at once (tcp_push_one,
            // forced_push) while the write goes on; the unsent rest the window split off is the
            // tail that the next bytes fill before a new skb is opened
            if (established && done < len && q.tailFull(c)) output(now);
        }
        return done;
    }

    /** Persist timer (RFC 9293 3.8.6.1): probe a zero window, or override sender SWS avoidance. */
    void persistTimeout(long now) {
        c.persistAt = NEVER;
        c.timersChanged();
        c.timer(now, TcpTimer.PERSIST, TimerAction.FIRED, now);
        int unsent = unsent();
        if (unsent > 0 && sendsData()) {
            long usable = Math.min(c.sndWnd, c.recovery().cwnd()) - Seq.sub(c.sndNxt, c.sndUna);
            if (usable > 0) {
                int n = (int) Math.min(Math.min(unsent, maxSegmentData()), usable);
                sendData(now, c.sndNxt, n, false);
                c.sndNxt = Seq.add(c.sndNxt, n);
            } else {
                c.layer.counters().outWindowProbes.increment();
                Rare.of(c).windowProbesOut++;
                if (cfg().sending().zeroWindowProbeData()) sendData(now, c.sndNxt, 1, false); // one octet past the window (RFC 9293 3.8.6.1)
                else emit(now, TcpRepr.ACK, Seq.add(c.sndUna, -1), 0); // old sequence number, no data: the peer must ACK (Linux)
                c.cancelRto(now); // the probe is governed by the persist timer, not the RTO
            }
            persistBackoff++;
        }
        updatePersist(now);
    }

    @Override public boolean sendsData() {
        return switch (c.state) {
            case ESTABLISHED, FIN_WAIT_1, CLOSE_WAIT, CLOSING, LAST_ACK -> true;
            case CLOSED, LISTEN, SYN_SENT, SYN_RECEIVED, FIN_WAIT_2, TIME_WAIT -> false;
        };
    }

    @Override public int unsent() {
        return Math.max(0, Seq.sub(Seq.add(c.sndBufSeq, c.sendBuf.size()), c.sndNxt));
    }

    /** Largest payload in one segment: the effective MSS less the SACK blocks we would carry. */
    @Override public int maxSegmentData() {
        int blocks = Math.min(c.ooo.sackBlockCount(), Md5.sackBlocks(c));
        int sack = c.sackOk && blocks > 0 ? 2 + 2 + 8 * blocks : 0;
        return Math.max(1, c.effMss - sack);
    }

    /**
     * Sends what the windows, Nagle and sender SWS avoidance allow, the FIN when it is due, and
     * an ACK if one is pending and nothing else carried it.
     */
    void output(long now) {
        if ((sendsData() && c.synAcked()) || c.sendsBeforeEstablished()) {
            int sentFrom = c.sndMax;
            boolean windowFull = false, rwndLimited = false;
            LossRecovery r = c.recovery;
            while (true) {
                rwndLimited = false;
                int unsent = unsent();
                long flight = Seq.sub(c.sndNxt, c.sndUna);
                if (unsent > 0 && r == null) r = c.recovery();
                if (unsent > 0 && Seq.lt(c.sndNxt, c.sndMax)) {
                    // resending after a timeout: skip what the peer has SACKed
                    int skip = r.skipSacked(c.sndNxt);
                    if (skip != c.sndNxt) {
                        c.sndNxt = Seq.min(skip, c.sndMax);
                        continue;
                    }
                }
                if (unsent > 0 && r.holdsNewData() && !Seq.lt(c.sndNxt, c.sndMax)) break;
                if (unsent > 0 && Pacing.hold(c, now)) break; // tcp_write_xmit: tcp_pacing_check
                if (unsent > 0) {
                    // the congestion window (RFC 3042 limited transmit beyond it after one or two
                    // duplicate ACKs; with PRR, RFC 6937, the flight measured as pipe against it),
                    // and SND.NXT - SND.UNA against the peer's window
                    // A Fast Open child's SYN,ACK takes no room in cwnd (Linux sends it from the request
                    // socket: packets_out counts the data only)
                    long usable = Math.min(c.sndWnd - flight, r.cwndRoom(c.synAcked() ? flight : flight - 1));
                    int maxData = maxSegmentData();
                    // Linux tcp_snd_wnd_test (after the cwnd test): the next segment does not fit
                    // in the peer's window
                    rwndLimited = c.sndWnd - flight < Math.min(unsent, maxData) && r.cwndRoom(c.synAcked() ? flight : flight - 1) > 0;
                    if (usable <= 0) {
                        windowFull = r.sendWindow() <= c.sndWnd;
                        break;
                    }
                    long room = Math.min(unsent, usable);
                    Records records = c.records();
                    // MSG_EOR: not past the end of a record; one that ends there with more data
                    // queued goes now, as Linux sends every skb but the last
                    long inRecord = records == null ? room : records.limit(c.sndNxt, room);
                    boolean recordEnds = records != null && inRecord < unsent && records.endsAt(Seq.add(c.sndNxt, (int) inRecord));
                    room = inRecord;
                    int len = (int) Math.min(room, maxData);
                    boolean resend = Seq.lt(c.sndNxt, c.sndMax);
                    if (resend) // do not resend into a SACKed range
                        len = Math.min(len, Math.max(1, Seq.sub(r.sackedFrom(c.sndNxt, Seq.add(c.sndNxt, len)), c.sndNxt)));
                    boolean full = len == maxData;
                    int segments = full && !resend ? superSegments(maxData, room) : 1;
                    if (segments > 1) len = segments * maxData;
                    boolean all = len == unsent;
                    // RFC 896 / RFC 9293 3.7.4 Nagle: a short segment waits while data is unacknowledged
                    // (a Fast Open child's SYN,ACK still unacknowledged is no data: Linux sends at once)
                    boolean nagleOk = noDelay || flight == (c.synAcked() ? 0 : 1) || c.finQueued
                            || cfg().sending().nagleMinshall() && !Seq.gt(sndSml, c.sndUna); // only a short segment waits for a short one

                    // RFC 9293 3.8.6.2.1 sender SWS avoidance: full segment, all data (Nagle permitting),
                    // or at least half the largest window the peer ever offered
                    // TCP_CORK / MSG_MORE: a partial segment waits (Linux tcp_nagle_check, TCP_NAGLE_CORK)
                    boolean hold = (corked || moreComing) && !pushOnce && !(c.finQueued && all);
                    // urgent data goes whatever Nagle or cork say (Linux tcp_nagle_test)
                    boolean swsOk = full || recordEnds && len == room || Urgent.on(c) || !hold && ((all && nagleOk) || (nagleOk && len >= c.maxSndWnd / 2));
                    if (!swsOk && !resend) break; // resent data goes as it was cut before
                    boolean fin = c.finQueued && all && Seq.add(c.sndNxt, len) == c.finSeq;
                    if (segments > 1) sendSegments(now, c.sndNxt, len, fin, maxData);
                    else sendData(now, c.sndNxt, len, fin);
                    if (!full) sndSml = Seq.add(c.sndNxt, len);
                    c.sndNxt = Seq.add(c.sndNxt, len + (fin ? 1 : 0));
                    if (fin) break;
                    continue;
                }
                if (c.finQueued && c.sndNxt == c.finSeq) {
                    sendData(now, c.sndNxt, 0, true);
                    c.sndNxt = Seq.add(c.sndNxt, 1);
                }
                break;
            }
            SkbQueue skbs = SkbQueue.ifAny(c);
            if (skbs != null && c.sndMax != sentFrom) skbs.sentTo(c, c.sndMax);
            if (cfg().recovery().cwndValidation()) noteCwndUse(c.sndMax != sentFrom, windowFull);
            chronoAfterOutput(now, rwndLimited, c.sndMax != sentFrom);
            updatePersist(now);
            if (c.recovery != null) c.recovery.outputDone(now);
        }
        if (c.rcv.ackPending) sendAck(now);
    }

    /**
     * Linux tcp_chrono after tcp_write_xmit: busy while data is queued or in flight, rwnd-limited
     * while the peer's window holds the next segment back (stopped as soon as it no longer does).
     */
    private void chronoAfterOutput(long now, boolean rwndLimited, boolean sent) {
        boolean empty = unsent() == 0 && c.sndMax == c.sndUna;
        if (empty) {
            if (c.chrono != null) c.chrono.stop(now, Chrono.BUSY, true);
            return;
        }
        Chrono ch = c.chrono();
        ch.start(now, Chrono.BUSY);
        if (rwndLimited) ch.start(now, Chrono.RWND_LIMITED);
        else ch.stop(now, Chrono.RWND_LIMITED, false);
        // Linux tcp_cwnd_validate: data just went out, cwnd is not what limits, nothing is left
        // to send and the application waits for buffer space: the send buffer is the bottleneck
        if (sent && writerWaiting && unsent() == 0 && Seq.sub(c.sndMax, c.sndUna) < c.recovery().cwnd()
                && (c.state == TcpState.ESTABLISHED || c.state == TcpState.CLOSE_WAIT))
            ch.start(now, Chrono.SNDBUF_LIMITED);
    }

    /** A write took less than it was given and the application waits for space (Linux SOCK_NOSPACE). */
    boolean writerWaiting;

    /**
     * After a send: remember how much of cwnd the flight uses, per window of data (Linux
     * tcp_cwnd_validate). A new window starts once SND.UNA passes the end of the last one.
     */
    void noteCwndUse(boolean sent, boolean windowFull) {
        long flight = Seq.sub(c.sndMax, c.sndUna);
        long cwnd = c.recovery().cwnd();
        // Linux counts cwnd in packets (packets_out >= cwnd); ours is in bytes and need not be a
        // multiple of the segment size (beta * cwnd after a loss), so data also waits on cwnd when
        // the next segment does not fit in what is left of it. Without this a cwnd of, say, 2.1
        // segments never counts as used and congestion avoidance never grows it again.
        int unsent = unsent();
        boolean limited = windowFull || flight >= cwnd
                || unsent > 0 && flight + Math.min(unsent, maxSegmentData()) > cwnd;
        if (!sent && !limited) return;
        if (!Seq.lt(c.sndUna, cwndUsageSeq) || limited || (!cwndLimited && flight > maxFlightInWindow)) {
            cwndLimited = limited;
            maxFlightInWindow = (int) flight;
            cwndUsageSeq = c.sndMax;
        }
    }

    /**
     * Whether an ACK may grow cwnd ({@link TcpConfig#cwndValidation()}): the last window filled
     * it, or, in slow start, cwnd is below twice the largest flight of that window, so that slow
     * start still doubles what the application actually sends (Linux tcp_is_cwnd_limited).
     */
    boolean cwndInUse() {
        if (!cfg().recovery().cwndValidation() || cwndLimited) return true;
        LossRecovery r = c.recovery();
        if (r.cwnd() < r.cc().ssthresh()) return r.cwnd() < 2L * maxFlightInWindow;
        return false;
    }

    /**
     * RFC 5681 4.1: before sending after an idle period longer than the RTO, cwnd restarts
     * from at most the initial window; Linux halves it per idle RTO down to that (tcp_cwnd_restart).
     */
    void restartAfterIdle(long now) {
        if (!cfg().recovery().slowStartAfterIdle() || c.recovery == null || c.sndMax != c.sndUna || lastDataSentAt == NEVER) return;
        long idle = now - lastDataSentAt;
        if (idle <= c.rtt.rto()) return;
        if (!c.recovery.inRecovery()) c.recovery.cc().restartAfterIdle(idle, c.rtt.rto());
        c.layer.counters().cwndRestarts.increment();
    }

    void updatePersist(long now) {
        boolean need = sendsData() && unsent() > 0 && c.sndNxt == c.sndUna && c.rtoAt == NEVER;
        if (need && c.persistAt == NEVER) {
            long interval = Math.min(c.rtt.rto() << Math.min(persistBackoff, 20), cfg().timers().maxRtoNs());
            c.persistAt = now + interval;
            c.timersChanged();
            c.timer(now, TcpTimer.PERSIST, TimerAction.SET, c.persistAt);
        } else if (!need && c.persistAt != NEVER) {
            c.persistAt = NEVER;
            c.timersChanged();
            c.timer(now, TcpTimer.PERSIST, TimerAction.CANCEL, NEVER);
        }
    }

    /** Retransmits the segment at SND.UNA (SYN, data and/or FIN); returns the sequence space it covers. */
    @Override public int retransmitFirst(long now) {
        if (!c.synAcked()) {
            retransmissions++;
            c.layer.counters().retransmits.increment();
            c.retransmitted(now, c.iss, 1);
            sendSyn(now, c.state != TcpState.SYN_SENT);
            return 1;
        }
        int dataEnd = Seq.add(c.sndBufSeq, c.sendBuf.size());
        int len = Math.max(0, Math.min(Seq.sub(Seq.min(dataEnd, c.sndMax), c.sndUna), maxSegmentData()));
        Records records = c.records();
        if (records != null) len = (int) records.limit(c.sndUna, len); // MSG_EOR: never merged with the next record
        boolean fin = c.finQueued && Seq.gt(c.sndMax, c.finSeq) && Seq.add(c.sndUna, len) == c.finSeq;
        if (len == 0 && !fin) return 0;
        sendData(now, c.sndUna, len, fin);
        return len + (fin ? 1 : 0);
    }

    /**
     * TSO (a device that cuts super-segments, {@link ConnectionContext#gsoMaxSize}): how many
     * full segments of {@code maxData} to send as one, at most what {@code room} (the unsent data
     * the windows let out) holds and what fits 64 KiB with headers, as Linux's tcp_tso_segs; 1
     * when there is no such device, SACK blocks ride on the segments (their options vary), or tracing.
     */
    private int superSegments(int maxData, long room) {
        if (gsoMaxPlus1 == 0) gsoMaxPlus1 = (char) (Math.min(Math.max(c.layer.gsoMaxSize(c.remoteAddress), 0), 0xFFFE) + 1);
        int gsoMax = gsoMaxPlus1 - 1;
        if (gsoMax == 0 || c.sackOk && c.ooo.sackBlockCount() > 0) return 1;
        int headers = (c.remoteAddress instanceof org.netstack4j.wire.Ipv6Address ? 40 : 20) + 20 + (c.tsOk ? 12 : 0);
        long fit = Math.min(room, gsoMax - headers);
        return Pacing.autosize(c, (int) Math.max(1, fit / maxData), maxData);
    }

    /**
     * The route's TSO size ({@link ConnectionContext#gsoMaxSize}) plus one, asked once per
     * connection; 0 until then. A char, not an int, so TcpSender stays 72 bytes (bench
     * IdleBytesTest's bound on an idle connection).
     */
    private char gsoMaxPlus1;

    /**
     * New data of {@code len} bytes (a multiple of {@code segmentSize} but for a FIN-carrying or
     * final tail) sent as one super-segment the device cuts; loss recovery, RTT timing and the
     * counters see the {@code segmentSize} segments the wire carries, one by one.
     */
    void sendSegments(long now, int seq, int len, boolean fin, int segmentSize) {
        emit(now, dataFlags(seq, len, fin), seq, len, segmentSize);
        for (int at = 0; at < len; at += segmentSize) {
            int n = Math.min(segmentSize, len - at);
            dataSent(now, Seq.add(seq, at), n, fin && at + n == len);
        }
    }

    private int dataFlags(int seq, int len, boolean fin) {
        int flags = TcpRepr.ACK | (fin ? TcpRepr.FIN : 0);
        if (len > 0 && Seq.add(seq, len) == Seq.add(c.sndBufSeq, c.sendBuf.size())) flags |= TcpRepr.PSH;
        Records records = c.records();
        if (len > 0 && records != null && records.endsAt(Seq.add(seq, len))) flags |= TcpRepr.PSH; // each record pushed (MSG_EOR)
        return flags;
    }

    @Override public void sendData(long now, int seq, int len, boolean fin) {
        Records records = c.records();
        if (records != null) {
            // a retransmission cut from SND.UNA or a SACK hole may span records: one segment each
            int first;
            while ((first = (int) records.limit(seq, len)) < len) {
                emit(now, dataFlags(seq, first, false), seq, first);
                dataSent(now, seq, first, false);
                seq = Seq.add(seq, first);
                len -= first;
            }
        }
        emit(now, dataFlags(seq, len, fin), seq, len);
        dataSent(now, seq, len, fin);
    }

    /** What sending [seq, seq + len (+ FIN)) changes: SND.MAX, loss recovery, RTT timing, the RTO. */
    private void dataSent(long now, int seq, int len, boolean fin) {
        int end = Seq.add(seq, len + (fin ? 1 : 0));
        boolean rtx = Seq.lt(seq, c.sndMax);
        if (len > 0) lastDataSentAt = now;
        c.recovery().segmentSent(now, seq, len, fin, rtx, Seq.gt(end, c.sndMax));
        if (rtx) {
            retransmissions++;
            c.layer.counters().retransmits.increment();
            c.retransmitted(now, seq, Seq.sub(end, seq));
            if (c.rtt.timing && Seq.ge(c.rtt.timedSeq, seq) && Seq.lt(c.rtt.timedSeq, end)) c.rtt.timing = false; // Karn
        }
        if (Seq.gt(end, c.sndMax)) {
            bytesSent += Math.max(0, Seq.sub(Seq.add(seq, len), Seq.max(seq, c.sndMax)));
            c.sndMax = end;
            if (!c.rtt.timing && !c.tsOk) c.startRttTiming(now, seq);
        }
        if (c.rtoAt == NEVER) {
            c.armRto(now); // RFC 6298 5.1
            if (c.unackedSince == NEVER) c.unackedSince = now;
        }
    }

    /**
     * A segment without data: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>. SND.NXT is the highest sequence
     * sent ({@code sndMax}; {@code sndNxt} may have been pulled back to resend after a timeout), kept
     * inside the peer's window like Linux's tcp_acceptable_seq so the peer finds it acceptable.
     * With {@link TcpConfig#repeatFinOnAck()} and our FIN outstanding, the FIN is sent again instead.
     */
    void sendAck(long now) {
        if (cfg().quirks().repeatFinOnAck() && c.finQueued && Seq.gt(c.sndMax, c.finSeq) && !c.finAcked() && c.sndNxt == c.sndMax) {
            // FreeBSD (tcp_output in a FIN-sending state): the ACK repeats the unacknowledged FIN
            sendData(now, c.finSeq, 0, true);
            return;
        }
        sendBareAck(now);
    }

    /** The bare ACK of {@link #sendAck}, never with the FIN: also the RFC 5961 challenge ACK. */
    void sendBareAck(long now) {
        int seq = c.sndMax;
        int windowEnd = Seq.add(c.sndUna, c.sndWnd);
        if (c.synAcked() && Seq.gt(seq, windowEnd)) seq = windowEnd;
        emit(now, TcpRepr.ACK, seq, 0);
    }

    void challengeAck(long now) {
        if (c.layer.allowChallengeAck(now)) sendBareAck(now);
    }

    void sendSyn(long now, boolean synAck) {
        int flags = TcpRepr.SYN | (synAck ? TcpRepr.ACK : 0) | Ecn.synFlags(c, synAck, (int) retransmissions);
        // RFC 7413: the cookie option and the data only on the first SYN; a retransmitted SYN is a
        // plain one (Linux tcp_send_syn_data, "exclude Fast Open option for SYN retries")
        boolean first = retransmissions == 0;
        FastOpen.Option fo = FastOpen.synOption(c);
        if (fo == null) {
            emit(now, flags, c.iss, first && !synAck ? c.synDataLength() : 0);
        } else {
            // the option rides only this transmission (synOptions reads it while emit runs)
            if (!first) FastOpen.synOption(c, null);
            try {
                emit(now, flags, c.iss, first && !synAck ? c.synDataLength() : 0);
            } finally {
                FastOpen.synOption(c, null);
            }
        }
        if (first && !synAck && c.synDataLength() > 0) bytesSent += c.synDataLength();
    }

    /** Builds and transmits one segment; payload comes from the send buffer at seq. */
    void emit(long now, int flags, int seq, int len) {
        emit(now, flags, seq, len, 0);
    }

    /** {@code segmentSize > 0}: a super-segment of the common form that the device cuts into segments of that size. */
    private void emit(long now, int flags, int seq, int len, int segmentSize) {
        boolean syn = (flags & TcpRepr.SYN) != 0;
        int ecn = IpMeta.NOT_ECT;
        if (!syn && c.ecnFlags != 0) { // RFC 3168 6.1: ECT(0), CWR and ECE
            int fe = Ecn.outgoing(c, flags, seq, len);
            flags = fe & 0xffff;
            ecn = fe >>> 16;
        }
        boolean ack = (flags & TcpRepr.ACK) != 0;
        Timestamping.transmitted(c, now, seq, len);
        if (!syn && len > 0) Pacing.sent(c, now, len, segmentSize > 0 ? Math.ceilDiv(len, segmentSize) : 1);
        int urgentPointer = syn ? -1 : Urgent.pointer(c, seq);
        if (urgentPointer >= 0) flags |= TcpRepr.URG;
        List<TcpOption> options; // null: the common segment, no options or NOP, NOP, TS
        int window;
        boolean sackNow = c.sackOk && ack && c.ooo.sackBlockCount() > 0 && Md5.sackBlocks(c) > 0;
        boolean accEcnOption = !syn && ack && AccEcn.on(c) && AccEcn.wantsOption(c, len);
        if (syn) {
            options = synOptions(now, ack);
            if (ack && AccEcn.on(c)) options = AccEcn.synAckOptions(c, options);
            window = c.synWindow(ack); // RFC 7323 2.2: never scaled on a SYN
            if (ack) c.rcvAdvRight = Seq.add(c.rcvNxt, window);
        } else if (!sackNow && !accEcnOption) {
            options = null;
            window = c.rcv.windowField();
        } else {
            options = new ArrayList<>(8);
            if (c.tsOk) {
                options.add(TcpOption.NOP);
                options.add(TcpOption.NOP);
                options.add(new TcpOption.Timestamps(c.tsNow(now), c.tsRecent));
            }
            List<TcpOption.SackBlock> blocks = sackNow ? c.ooo.sackBlocks(Md5.sackBlocks(c)) : List.of();
            // RFC 9768 3.2.3: the AccECN option goes before the SACK blocks, which may give it room
            if (!(accEcnOption && AccEcn.addOption(c, options, c.tsOk ? 12 : 0, blocks)) && sackNow) {
                options.add(TcpOption.NOP);
                options.add(TcpOption.NOP);
                options.add(new TcpOption.Sack(blocks));
            }
            if (options.isEmpty()) options = null;
            window = c.rcv.windowField();
        }
        if (ack && AccEcn.on(c)) AccEcn.ackSent(c);
        if ((urgentPointer >= 0 || Md5.on(c)) && options == null) // the reused encoder has no urgent pointer nor signature
            options = c.tsOk ? List.of(TcpOption.NOP, TcpOption.NOP, new TcpOption.Timestamps(c.tsNow(now), c.tsRecent)) : List.of();
        // The payload straight from the send ring when it does not wrap there (TcpOutput only
        // reads it during the call), else copied out into the layer's scratch array.
        int pseq = syn && len > 0 ? Seq.add(seq, 1) : seq; // RFC 7413: a SYN's data follows the SYN
        int at = c.sendBuf.contiguousAt(Seq.sub(pseq, c.sndBufSeq), len);
        byte[] payload = at >= 0 ? c.sendBuf.array() : c.layer.scratch(len);
        if (at < 0 && len > 0) c.sendBuf.peek(Seq.sub(pseq, c.sndBufSeq), payload, 0, len);
        int payloadOff = Math.max(at, 0);
        int ackField = ack ? c.rcvNxt : 0;
        if (ack) c.rcv.ackSent(now);
        if (options == null) {
            // the layer's reused encoder: the same bytes as the TcpRepr, without the objects
            TcpEncoder t = c.layer.encoder().set(c.localPort, c.remotePort, seq, ackField, flags, window, c.tsOk, c.tsOk ? c.tsNow(now) : 0, c.tsRecent);
            if (segmentSize > 0) c.layer.transmitSegmented(now, c, c.localAddress, c.remoteAddress, t, payload, payloadOff, len, ecn, segmentSize);
            else c.layer.transmit(now, c, c.localAddress, c.remoteAddress, t, payload, payloadOff, len, ecn);
        } else {
            TcpRepr t = new TcpRepr(c.localPort, c.remotePort, seq, ackField, flags, window, Math.max(urgentPointer, 0), options);
            c.layer.transmit(now, c, c.localAddress, c.remoteAddress, t, payload, payloadOff, len, ecn);
        }
    }

    /** SYN / SYN,ACK options in the configured layout (see {@link OptionLayout}). */
    List<TcpOption> synOptions(long now, boolean synAck) {
        if (c.noOptions) return List.of();
        List<TcpOption> opts = layoutSynOptions(now, synAck);
        FastOpen.Option fo = FastOpen.synOption(c);
        if (fo == null) return opts;
        // Linux tcp_options_write: the Fast Open option after the others
        List<TcpOption> all = new ArrayList<>(opts);
        all.addAll(fo.wire());
        return all;
    }

    private List<TcpOption> layoutSynOptions(long now, boolean synAck) {
        return cfg().options().optionLayout().arrange(synAck, kind -> switch (kind) {
            case TcpOption.KIND_MSS -> new TcpOption.Mss(c.advMss);
            case TcpOption.KIND_WSCALE -> cfg().options().windowScale() && !synOptionsDropped && (!synAck || c.peerOfferedWs)
                    ? new TcpOption.WindowScale(InitialWindow.shift(cfg())) : null;
            case TcpOption.KIND_SACK_PERMITTED -> cfg().options().sack() && !synOptionsDropped && (!synAck || c.peerOfferedSack)
                    ? new TcpOption.SackPermitted() : null;
            case TcpOption.KIND_TIMESTAMPS -> cfg().options().timestamps() && !synOptionsDropped && (!synAck || c.peerOfferedTs) && Md5.timestampsAllowed(c, synAck)
                    ? new TcpOption.Timestamps(c.tsNow(now), synAck || c.synEchoesTsRecent ? c.tsRecent : 0) : null;
            default -> null;
        });
    }

    // ------------------------------------------------------------------ RecoverySender

    @Override public int sndUna() { return c.sndUna; }
    @Override public int sndNxt() { return c.sndNxt; }
    @Override public void setSndNxt(int seq) { c.sndNxt = seq; }
    @Override public int sndMax() { return c.sndMax; }
    @Override public long sndWnd() { return c.sndWnd; }
    @Override public int mss() { return c.effMss; }
    @Override public int dataEnd() { return Seq.add(c.sndBufSeq, c.sendBuf.size()); }
    @Override public boolean finQueued() { return c.finQueued; }
    @Override public int finSeq() { return c.finSeq; }
    @Override public int retries() { return c.retries; }
    @Override public long srtt() { return c.rtt.srtt(); }
    @Override public boolean hasRttSample() { return c.rtt.hasSample(); }
    @Override public void stopRttTiming() { c.rtt.timing = false; }
    @Override public long rtoDeadline() { return c.rtoAt; }

    @Override public void restartRto(long now) {
        c.rtoAt = NEVER;
        c.armRto(now);
    }

    @Override public void armTailLossProbe(long now, long at) {
        c.tlpAt = at;
        c.timersChanged();
        c.timer(now, TcpTimer.TLP, TimerAction.SET, c.tlpAt);
    }

    @Override public void cancelTailLossProbe() { c.cancelTlp(); }

    @Override public void armEarlyRetransmit(long at) {
        c.erAt = at;
        c.timersChanged();
    }

    @Override public void cancelEarlyRetransmit() {
        if (c.erAt == NEVER) return;
        c.erAt = NEVER;
        c.timersChanged();
    }
}
