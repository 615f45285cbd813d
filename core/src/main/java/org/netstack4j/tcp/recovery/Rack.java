package org.netstack4j.tcp.recovery;

import java.util.ArrayList;
import java.util.List;
import org.netstack4j.tcp.seqnum.Seq;
import org.netstack4j.wire.TcpOption;

/**
 * RACK, the time-based loss detection of RFC 8985 6 (Linux tcp_recovery.c): every segment
 * sent keeps its transmit time; the most recently sent segment the peer has delivered
 * (RACK.xmit_ts, RACK.end_seq) and its RTT tell which earlier segments should have arrived by
 * now, allowing a reordering window (RACK.reo_wnd, a quarter of the minimum RTT, scaled up by
 * D-SACKs, 6.2 step 4). A segment sent before it and unacknowledged for longer than RACK.rtt +
 * reo_wnd is lost; one that may still arrive arms the reordering timer. A retransmission that
 * is lost again is detected the same way, which three duplicate ACKs never could. Pure
 * bookkeeping: {@link SackRecovery} feeds it and acts on its marks.
 */
final class Rack {
    /** A segment sent and not yet cumulatively acknowledged: [start, end) of sequence space. */
    private static final class Seg {
        int start, end;
        long xmitTs;
        /** Which send this was (a count): orders sends within one clock tick, a retransmission after its originals. */
        long xmitOrder;
        /**
         * As Linux's skb flags: {@code lost} TCPCB_LOST (marked lost, until SACKed or ACKed, also
         * once resent), {@code rtxOut} TCPCB_SACKED_RETRANS (a retransmission in flight),
         * {@code retransmitted} TCPCB_EVER_RETRANS.
         */
        boolean sacked, lost, rtxOut, retransmitted;

        Seg(int start, int end, long xmitTs, long xmitOrder) {
            this.start = start;
            this.end = end;
            this.xmitTs = xmitTs;
            this.xmitOrder = xmitOrder;
        }

        Seg split(int at) { // this keeps [start, at), the result is [at, end)
            Seg tail = new Seg(at, end, xmitTs, xmitOrder);
            tail.sacked = sacked;
            tail.lost = lost;
            tail.rtxOut = rtxOut;
            tail.retransmitted = retransmitted;
            end = at;
            return tail;
        }
    }

    /** RFC 8985 6.2: DupThresh, the SACKed segments after which a window without reordering is 0. */
    private static final int DUP_THRESH = LossRecovery.DUP_THRESH;
    /** RFC 8985 6.2 step 4: recoveries without a D-SACK after which the window scaling resets. */
    private static final int REO_WND_PERSIST = 16;
    /** Linux sysctl tcp_max_reordering: the largest reordering degree believed. */
    private static final int MAX_REORDERING = 300;

    private final List<Seg> segs = new ArrayList<>(); // in sequence order, above SND.UNA
    private boolean haveXmit;    // RACK.xmit_ts and RACK.end_seq are set
    private long xmitTs;         // RACK.xmit_ts
    private long xmitOrder;      // which send RACK.xmit_ts belongs to (sends in the same tick are ordered)
    private long sends;          // sends so far
    private int endSeq;          // RACK.end_seq
    private long rtt;            // RACK.rtt
    private long minRtt = Long.MAX_VALUE; // RACK.min_RTT (over samples of segments sent once)
    private boolean reorderingSeen;
    private int reoWndMult = 1, reoWndPersist = REO_WND_PERSIST;
    private boolean dsackRoundValid;
    private int dsackRound;
    /** Linux tp->reordering: how many segments deep reordering was seen (tcpi_reordering), DupThresh at first. */
    private int reordering = DUP_THRESH;

    /** RFC 8985 6.1: a segment [seq, end) went out at {@code now}; below the highest sent it is a retransmission. */
    void sent(long now, int seq, int end) {
        if (!Seq.lt(seq, end)) return;
        long order = ++sends;
        int high = segs.isEmpty() ? seq : segs.get(segs.size() - 1).end;
        if (Seq.lt(seq, high)) {
            int to = Seq.min(end, high);
            for (int i = indexAt(seq); i < segs.size(); i++) {
                Seg s = segs.get(i);
                if (!Seq.lt(s.start, to)) break;
                if (Seq.lt(s.start, seq)) { // cut off the part before the retransmission
                    segs.add(i + 1, s.split(seq));
                    continue;
                }
                if (Seq.gt(s.end, to)) segs.add(i + 1, s.split(to));
                s.xmitTs = now;
                s.xmitOrder = order;
                s.retransmitted = true;
                s.rtxOut = true; // a lost segment stays lost (counted) until SACKed or ACKed, as in Linux
            }
        }
        if (Seq.gt(end, high)) segs.add(new Seg(Seq.max(seq, high), end, now, order));
    }

    /** The index of the first segment ending after {@code seq}. */
    private int indexAt(int seq) {
        int lo = 0, hi = segs.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (Seq.le(segs.get(mid).end, seq)) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    /**
     * RFC 8985 6.2 steps 1 and 2 on an ACK: every segment newly delivered, cumulatively (below
     * {@code una}) or by one of the {@code blocks}, updates RACK.xmit_ts/end_seq/rtt (a
     * retransmitted one only if its RTT is not shorter than the minimum RTT, which would mean
     * the original was ACKed); a segment newly delivered below the highest one SACKed before this
     * ACK, never retransmitted, shows reordering and measures how deep it is ({@link #reordering()}).
     */
    void ackReceived(long now, int una, List<TcpOption.SackBlock> blocks, int mss) {
        // Linux tcp_sacktag_one/tcp_clean_rtx_queue: reordering is a hole filled below the
        // highest SACKed edge as it was before this ACK (none SACKed: nothing to measure against)
        int last = lastSacked();
        boolean measure = last >= 0;
        int priorFack = measure ? segs.get(last).end : una;
        boolean reordered = false;
        int low = una;
        for (TcpOption.SackBlock b : inSequenceOrder(blocks)) {
            if (!Seq.lt(b.left(), b.right()) || !Seq.gt(b.right(), una)) continue;
            for (int i = indexAt(b.left()); i < segs.size(); i++) {
                Seg s = segs.get(i);
                if (!Seq.lt(s.start, b.right())) break;
                if (s.sacked) continue;
                // SACK blocks cover whole segments as sent; a part is marked as a segment of its own
                if (Seq.lt(s.start, b.left())) {
                    segs.add(i + 1, s.split(b.left()));
                    continue;
                }
                if (Seq.gt(s.end, b.right())) segs.add(i + 1, s.split(b.right()));
                if (measure && !s.retransmitted && Seq.lt(s.start, priorFack) && (!reordered || Seq.lt(s.start, low))) {
                    low = s.start;
                    reordered = true;
                }
                s.sacked = true;
                s.lost = false;
                s.rtxOut = false;
                delivered(now, s);
            }
        }
        if (reordered) checkReordering(low, una, mss);
        reordered = false;
        int removed = 0;
        for (; removed < segs.size(); removed++) {
            Seg s = segs.get(removed);
            if (!Seq.lt(s.start, una)) break;
            if (!s.sacked && measure && !s.retransmitted && Seq.lt(s.start, priorFack) && !reordered) {
                low = s.start; // the first in sequence is the lowest
                reordered = true;
            }
            if (Seq.gt(s.end, una)) { // partly acknowledged
                if (!s.sacked) delivered(now, s);
                s.start = una;
                break;
            }
            if (!s.sacked) delivered(now, s);
        }
        if (removed > 0) segs.subList(0, removed).clear();
        if (reordered) checkReordering(low, una, mss);
    }

    /** The blocks lowest first, as Linux's tcp_sacktag_write_queue walks them. */
    private static List<TcpOption.SackBlock> inSequenceOrder(List<TcpOption.SackBlock> blocks) {
        if (blocks.size() < 2) return blocks;
        List<TcpOption.SackBlock> sorted = new ArrayList<>(blocks);
        sorted.sort((a, b) -> Integer.compare(Seq.sub(a.left(), blocks.get(0).left()), Seq.sub(b.left(), blocks.get(0).left())));
        return sorted;
    }

    /** The index of the highest segment SACKed, -1 for none. */
    private int lastSacked() {
        for (int i = segs.size() - 1; i >= 0; i--) if (segs.get(i).sacked) return i;
        return -1;
    }

    /**
     * Linux tcp_check_sack_reordering: a segment at {@code low} arrived after data up to the
     * highest SACKed edge (the forward-most ACK, FACK; SND.UNA {@code una} when nothing above it
     * is SACKed); when that distance is more segments than the current degree, the degree grows
     * to it (up to {@link #MAX_REORDERING}).
     */
    private void checkReordering(int low, int una, int mss) {
        if (mss <= 0) return;
        int last = lastSacked();
        int fack = last >= 0 ? segs.get(last).end : una;
        if (!Seq.lt(low, fack)) return;
        // RFC 8985 6.2 step 2 (RACK.reordering_seen) as Linux keeps it: tp->reord_seen counts these
        // events only, a hole filled below the highest edge SACKed *before* the ACK. RFC 8985's
        // per-segment RACK.fack also counts an ACK whose cumulative part lies below SACK blocks it
        // brings itself (a loss, not reordering): that kept the window open for a recovery Linux
        // starts at once (selftest sack-route-refresh-ip-tos).
        reorderingSeen = true;
        long metric = Seq.sub(fack, low);
        if (metric > (long) reordering * mss) reordering = (int) Math.min(Math.ceilDiv(metric, mss), MAX_REORDERING);
    }

    private void delivered(long now, Seg s) {
        long sample = now - s.xmitTs;
        // RFC 8985 6.2 step 1: an ACK of a retransmission faster than the minimum RTT is the original's
        if (s.retransmitted && minRtt != Long.MAX_VALUE && sample < minRtt) return;
        if (!s.retransmitted) minRtt = Math.min(minRtt, sample);
        // Linux tcp_rack_advance (since 4.14): RACK.rtt is the sample of every segment delivered,
        // the last in the order of processing (SACK blocks in sequence order, then the cumulative
        // ACK), while RACK.xmit_ts and end_seq only move forward. RFC 8985 6.2 step 2 takes the RTT
        // of the most recently sent one only: an ACK that delivers a retransmission and an older
        // original in one go keeps the original's longer RTT here, as in Linux.
        rtt = sample;
        if (!haveXmit || sentAfter(s, xmitTs, xmitOrder, endSeq)) {
            xmitTs = s.xmitTs;
            xmitOrder = s.xmitOrder;
            endSeq = s.end;
            haveXmit = true;
        }
    }

    /**
     * RFC 8985 6.2: was {@code s} sent after (t2, order2, seq2)? Ties in time go by the order of
     * the sends (a clock tick holds several: a retransmission made in the same tick as originals
     * went after them, as the finer clock of a real stack would tell), then by sequence (the
     * pieces of one send, as Linux's tcp_skb_sent_after).
     */
    private static boolean sentAfter(Seg s, long t2, long order2, int seq2) {
        return s.xmitTs > t2 || s.xmitTs == t2 && (s.xmitOrder > order2 || s.xmitOrder == order2 && Seq.gt(s.end, seq2));
    }

    /** The RACK reference (its time, send and end) was sent after {@code s}. */
    private boolean rackSentAfter(Seg s) {
        return xmitTs > s.xmitTs || xmitTs == s.xmitTs && (xmitOrder > s.xmitOrder || xmitOrder == s.xmitOrder && Seq.gt(endSeq, s.end));
    }

    /**
     * RFC 8985 6.2 step 4: a D-SACK (once per round trip, until SND.UNA passes what was sent
     * when it came) widens the window by one more quarter of the minimum RTT for the next 16
     * recoveries.
     */
    void dsackReceived(int sndUna, int sndNxt) {
        if (dsackRoundValid && !Seq.lt(sndUna, dsackRound)) dsackRoundValid = false;
        if (dsackRoundValid) return;
        dsackRoundValid = true;
        dsackRound = sndNxt;
        reoWndMult++;
        reoWndPersist = REO_WND_PERSIST;
        reorderingSeen = true; // a D-SACK of an original means it was reordered, not lost (Linux tcp_check_dsack)
    }

    /** RFC 8985 6.2 step 4: a recovery ended; after 16 without D-SACK the window scaling resets. */
    void recoveryEnded() {
        if (--reoWndPersist <= 0) {
            reoWndMult = 1;
            reoWndPersist = REO_WND_PERSIST;
        }
    }

    /**
     * RFC 8985 6.2 step 4, RACK.reo_wnd: 0 while no reordering was seen and either a recovery
     * runs or DupThresh segments are SACKed; else min(reo_wnd_mult * min_RTT / 4, SRTT).
     */
    long reoWnd(boolean inRecovery, long srtt) {
        if (!reorderingSeen && (inRecovery || sackedSegments() >= DUP_THRESH)) return 0;
        long base = minRtt != Long.MAX_VALUE ? minRtt : srtt;
        return Math.min(reoWndMult * base / 4, srtt > 0 ? srtt : Long.MAX_VALUE);
    }

    private int sackedSegments() {
        int n = 0;
        for (Seg s : segs) if (s.sacked && ++n >= DUP_THRESH) break;
        return n;
    }

    /**
     * RFC 8985 6.2 step 5, RACK_detect_loss: marks lost every segment neither SACKed nor
     * already marked that was sent before RACK.xmit_ts and has been out for longer than
     * RACK.rtt + {@code reoWnd}. Returns how long until the next one would be (the reordering
     * timer, 6.3), 0 for none; {@link #newlyLost()} tells how many were marked.
     */
    long detectLoss(long now, long reoWnd) {
        newlyLost = 0;
        if (!haveXmit) return 0;
        long timeout = 0;
        for (Seg s : segs) {
            // skipped: SACKed, or marked lost and not resent since (Linux tcp_rack_detect_loss)
            if (s.sacked || s.lost && !s.rtxOut || !rackSentAfter(s)) continue;
            long remaining = s.xmitTs + rtt + reoWnd - now;
            if (remaining <= 0) {
                // Linux tcp_mark_skb_lost: a lost retransmission is no longer in flight; the segment stays marked
                s.lost = true;
                s.rtxOut = false;
                newlyLost++;
            } else {
                timeout = Math.max(timeout, remaining);
            }
        }
        return timeout;
    }

    private int newlyLost;

    /** Segments {@link #detectLoss} marked lost. */
    int newlyLost() { return newlyLost; }

    /** RFC 8985 6.3 / Linux tcp_timeout_mark_lost: after a retransmission timeout everything not SACKed is lost. */
    void markAllLost() {
        for (Seg s : segs) {
            if (s.sacked) continue;
            s.lost = true;
            s.rtxOut = false;
        }
    }

    /**
     * Linux tcp_enter_loss: a timeout while no recovery ran and with at least DupThresh segments
     * SACKed suggests the reordering degree was overestimated: it falls back to DupThresh.
     */
    void timeoutInDisorder() {
        if (sackedSegments() >= DUP_THRESH) reordering = Math.min(reordering, DUP_THRESH);
    }

    /** The peer may have reneged (RFC 2018 8): SACK marks are forgotten with the scoreboard. */
    void forgetSacks() {
        for (Seg s : segs) s.sacked = false;
    }

    /** Bytes marked lost and not resent since (RFC 6675 pipe leaves them out). */
    long lostBytes() {
        long n = 0;
        for (Seg s : segs) if (s.lost && !s.rtxOut) n += Seq.sub(s.end, s.start);
        return n;
    }

    /**
     * Linux tp->lost_out (tcpi_lost): segments of {@code mss} bytes marked lost, resent or not,
     * that the peer has neither SACKed nor acknowledged.
     */
    int lostSegments(int mss) {
        long n = 0;
        for (Seg s : segs) if (s.lost) n += Math.ceilDiv(Seq.sub(s.end, s.start), Math.max(1, mss));
        return (int) Math.min(n, Integer.MAX_VALUE);
    }

    /** Linux tp->retrans_out (tcpi_retrans): segments of {@code mss} bytes resent and still in flight. */
    int retransmittedInFlight(int mss) {
        long n = 0;
        for (Seg s : segs) if (s.rtxOut) n += Math.ceilDiv(Seq.sub(s.end, s.start), Math.max(1, mss));
        return (int) Math.min(n, Integer.MAX_VALUE);
    }

    /** Linux tp->reordering (tcpi_reordering): the reordering degree in segments, DupThresh (3) until more is seen. */
    int reordering() { return reordering; }

    /** The first segment marked lost and not resent at or after {@code from}: its start, or {@code none}. */
    int firstLost(int from, int none) {
        for (int i = indexAt(from); i < segs.size(); i++) {
            Seg s = segs.get(i);
            if (s.lost && !s.rtxOut) return Seq.max(s.start, from);
        }
        return none;
    }

    /** The end of the segment holding {@code seq}. */
    int segmentEnd(int seq) {
        int i = indexAt(seq);
        return i < segs.size() ? segs.get(i).end : seq;
    }

    boolean reorderingSeen() { return reorderingSeen; }
    int reoWndMult() { return reoWndMult; }
}
