package org.netstack4j.tcp.recovery;

import org.netstack4j.tcp.cc.CongestionControl;
import org.netstack4j.tcp.seqnum.Seq;
import org.netstack4j.trace.Counters.Counter;
import org.netstack4j.wire.TcpRepr;

/**
 * Loss recovery without SACK (gVisor's reno_recovery.go): RFC 5681 2 duplicate ACKs (no data,
 * SND.UNA and the window unchanged), RFC 3042 limited transmit, the fast retransmit on the
 * third and NewReno's fast recovery (RFC 6582, {@link FastRecovery}): each partial ACK resends
 * the segment at SND.UNA. {@link SackRecovery} builds on it.
 */
public sealed class RenoRecovery implements LossRecovery permits SackRecovery {
    final RecoverySender snd;
    final FastRecovery fr;
    final RecoveryCounters counters;
    int dupAcks;
    /** RFC 6675 HighRxt: the highest sequence resent in this recovery (the first unacknowledged segment without SACK). */
    int highRxt;

    /** {@code iss}: nothing resent yet. */
    public RenoRecovery(RecoverySender snd, CongestionControl cc, RecoveryCounters counters, int iss) {
        this.snd = snd;
        this.fr = new FastRecovery(cc, snd.mss());
        this.counters = counters;
        this.highRxt = iss;
    }

    @Override public final CongestionControl cc() { return fr.cc(); }
    @Override public final long cwnd() { return fr.window(); }
    @Override public final boolean inRecovery() { return fr.inRecovery(); }
    @Override public final int dupAcks() { return dupAcks; }

    @Override public final long sendWindow() {
        // RFC 3042 limited transmit: each of the first two duplicate ACKs lets one new segment out
        long lt = !fr.inRecovery() && dupAcks >= 1 && dupAcks <= 2 ? (long) dupAcks * snd.mss() : 0;
        return fr.window() + lt;
    }

    @Override public long cwndRoom(long flight) { return sendWindow() - flight; }
    @Override public long sackedBytes() { return 0; }
    @Override public int lostSegments() { return 0; }
    @Override public int retransmittedInFlight() { return 0; }
    @Override public int reordering() { return DUP_THRESH; }
    @Override public boolean holdsNewData() { return false; }
    @Override public int skipSacked(int seq) { return seq; }
    @Override public int sackedFrom(int seq, int end) { return end; }

    /** RFC 5681 2: a duplicate ACK repeats the window. */
    @Override public boolean ackArrives(TcpRepr seg, int ack, long segWnd) { return segWnd == snd.sndWnd(); }

    @Override public long sndUnaAdvanced(int from, int to) { return 0; }

    @Override public final void newDataAcked(long now, long bytes, long flightBefore, boolean mayGrow) {
        int una = snd.sndUna();
        FastRecovery.Action a = fr.onAck(una, bytes, flightBefore, now, mayGrow);
        // (skipped when SACK recovery already resent the segment at SND.UNA)
        if (a == FastRecovery.Action.RETRANSMIT_FIRST_UNACKED && partialAckResends() && una != snd.sndMax() && !Seq.lt(una, highRxt)) {
            counters.partialAckRetransmits().increment();
            highRxt = Seq.max(highRxt, Seq.add(una, snd.retransmitFirst(now)));
        }
    }

    /** RFC 6582 3.2 step 3: a partial ACK resends the segment at SND.UNA (RACK decides by itself what is lost). */
    boolean partialAckResends() { return true; }

    @Override public void ackedUpTo(int sndUna, boolean outstanding) { dupAcks = 0; }

    @Override public void duplicateAck(long now) {
        dupAcks++;
        counters.dupAcks().increment();
        fastRetransmit(now, dupAcks, counters.fastRetransmits(), 0, 0, 0);
    }

    /**
     * Tells the recovery of the {@code n}-th duplicate ACK (RFC 5681 3.2); on a fast
     * retransmit (the third, RFC 6582 3.2 step 2) counts it in {@code counter}, resends the
     * segment at SND.UNA and returns true. The rest as in {@link #recoveryStarted}.
     */
    final boolean fastRetransmit(long now, int n, Counter counter, int unaBefore, long cwndBefore, long ssthreshBefore) {
        if (!startRecovery(now, n, counter, unaBefore, cwndBefore, ssthreshBefore)) return false;
        highRxt = Seq.add(snd.sndUna(), snd.retransmitFirst(now));
        return true;
    }

    /** {@link #fastRetransmit} without the retransmission: whether the recovery started; {@code n} 0: a loss RACK found. */
    final boolean startRecovery(long now, int n, Counter counter, int unaBefore, long cwndBefore, long ssthreshBefore) {
        int una = snd.sndUna(), max = snd.sndMax();
        FastRecovery.Action a = n > 0 ? fr.onDuplicateAck(n, una, max, Seq.sub(max, una), now) : fr.lossDetected(max, Seq.sub(max, una), now);
        if (a != FastRecovery.Action.RETRANSMIT_FIRST_UNACKED) return false;
        counter.increment();
        snd.stopRttTiming();
        recoveryStarted(unaBefore, cwndBefore, ssthreshBefore);
        return true;
    }

    /**
     * A fast recovery has just begun (the fast retransmit is about to go out): {@code unaBefore}
     * is SND.UNA before the ACK that started it, cwnd and ssthresh the values from before it.
     */
    void recoveryStarted(int unaBefore, long cwndBefore, long ssthreshBefore) {}

    @Override public void ackProcessed(long now) {}
    @Override public void segmentSent(long now, int seq, int len, boolean fin, boolean rtx, boolean newData) {}
    @Override public void outputDone(long now) {}

    @Override public void retransmissionTimeout(long now, int retries) {
        int max = snd.sndMax();
        fr.onRetransmissionTimeout(max, Seq.sub(max, snd.sndUna()), now);
        dupAcks = 0;
    }

    @Override public void earlyRetransmitTimeout(long now) {}
    @Override public void tailLossProbeTimeout(long now) {}
    @Override public final void setMss(int mss) { fr.setMss(mss); }
}
