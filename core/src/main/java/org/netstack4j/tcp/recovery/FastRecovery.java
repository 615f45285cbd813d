package org.netstack4j.tcp.recovery;

import org.netstack4j.tcp.cc.CongestionControl;
import org.netstack4j.tcp.seqnum.Seq;

/**
 * RFC 5681 3.2 fast retransmit and fast recovery with RFC 6582's NewReno modification, over a
 * {@link CongestionControl}: the third duplicate ACK starts a recovery (unless it does not
 * cover RFC 6582's "recover" point), the recovery owns the window while it runs (ssthresh + 3
 * SMSS, inflated by each further duplicate ACK, deflated by partial ACKs, or set by PRR), and a
 * full acknowledgment hands cwnd back to the controller. Pure arithmetic, no timers, no IO;
 * {@link RenoRecovery} and {@link SackRecovery} both drive one.
 */
public final class FastRecovery {
    /** What the sender should do after an ACK. */
    public enum Action { NONE, RETRANSMIT_FIRST_UNACKED }

    private final CongestionControl cc;
    private int smss;
    private boolean inRecovery;
    private long window;  // cwnd while in recovery (the controller's cwnd is the one from before it)
    private int recover;  // RFC 6582 "recover"
    private boolean recoverValid;

    public FastRecovery(CongestionControl cc, int smss) {
        this.cc = cc;
        this.smss = Math.max(1, smss);
    }

    public CongestionControl cc() { return cc; }

    /** In fast recovery (RFC 6582). */
    public boolean inRecovery() { return inRecovery; }

    /** The window to send with: the recovery's while it runs, else the controller's cwnd. */
    public long window() { return inRecovery ? window : cc.window(); }

    public long ssthresh() { return cc.ssthresh(); }

    /** RFC 6937 (PRR): cwnd = pipe + sndcnt during the recovery; ignored outside one. */
    void setRecoveryWindow(long cwnd) { if (inRecovery) window = Math.max(0, cwnd); }

    /**
     * New data acknowledged: {@code sndUna} is the new SND.UNA, {@code bytesAcked} how far it
     * moved, {@code flightSize} the data outstanding before this ACK.
     */
    public Action onAck(int sndUna, long bytesAcked, long flightSize, long now) {
        return onAck(sndUna, bytesAcked, flightSize, now, true);
    }

    /** {@link #onAck(int, long, long, long)}; {@code mayGrow} as in {@link CongestionControl#onAck}. */
    public Action onAck(int sndUna, long bytesAcked, long flightSize, long now, boolean mayGrow) {
        if (inRecovery) {
            if (Seq.ge(sndUna, recover)) {
                // RFC 6582 3.2 step 3, full acknowledgment: cwnd = min(ssthresh, max(FlightSize, SMSS) + SMSS)
                long flightAfter = Math.max(0, flightSize - bytesAcked);
                inRecovery = false;
                cc.setCwnd(Math.min(cc.ssthresh(), Math.max(flightAfter, smss) + smss));
                return Action.NONE;
            }
            // RFC 6582 3.2 step 3, partial acknowledgment: retransmit the first unacknowledged segment,
            // deflate cwnd by the amount acked, add back SMSS if that was at least SMSS.
            window = Math.max(smss, window - bytesAcked + (bytesAcked >= smss ? smss : 0));
            return Action.RETRANSMIT_FIRST_UNACKED;
        }
        cc.onAck(bytesAcked, now, mayGrow);
        return Action.NONE;
    }

    /**
     * The {@code dupAcks}-th consecutive duplicate ACK. {@code sndMax} is the highest sequence
     * number sent so far. Returns RETRANSMIT_FIRST_UNACKED to fast-retransmit.
     */
    public Action onDuplicateAck(int dupAcks, int sndUna, int sndMax, long flightSize, long now) {
        if (inRecovery) {
            // RFC 6582 3.2 step 4 / RFC 5681 3.2 step 4: inflate by SMSS per further duplicate
            window += smss;
            return Action.NONE;
        }
        if (dupAcks != 3) return Action.NONE;
        // RFC 6582 3.2 step 2: only start recovery if the ACK covers more than "recover"
        // (avoids multiple fast retransmits from one window of losses).
        if (recoverValid && !Seq.gt(sndUna, recover)) return Action.NONE;
        return lossDetected(sndMax, flightSize, now);
    }

    /**
     * A loss found by other means than duplicate ACKs (RACK, RFC 8985 6.2): starts a recovery
     * unless one runs, without RFC 6582's test against "recover" (RACK marks only segments it
     * knows lost, also those sent after the last recovery began).
     */
    public Action lossDetected(int sndMax, long flightSize, long now) {
        if (inRecovery) return Action.NONE;
        cc.onCongestionEvent(flightSize, now);
        recover = sndMax;
        recoverValid = true;
        // RFC 5681 3.2 step 3: cwnd = ssthresh + 3 * SMSS (the three segments that left the network)
        window = cc.ssthresh() + 3L * smss;
        inRecovery = true;
        return Action.RETRANSMIT_FIRST_UNACKED;
    }

    /** The retransmission timer fired: the recovery ends; {@code sndMax} as above. */
    public void onRetransmissionTimeout(int sndMax, long flightSize, long now) {
        if (inRecovery) cc.setCwnd(window); // the controller reacts to the timeout from the window in use
        inRecovery = false;
        cc.onRetransmissionTimeout(flightSize, now);
        // RFC 6582 3.2 step 4 (timeout): recover = highest sequence number transmitted
        recover = sndMax;
        recoverValid = true;
    }

    /** The sender MSS changed. */
    public void setMss(int mss) {
        if (inRecovery) {
            // the controller's MSS rule looks at the window in use (an initial window follows the MSS)
            cc.setCwnd(window);
            cc.setMss(mss);
            window = cc.window();
        } else {
            cc.setMss(mss);
        }
        this.smss = Math.max(1, mss);
    }
}
