package org.netstack4j.tcp.cc;

import org.netstack4j.tcp.Seq;

/**
 * What NewReno and CUBIC share: the RFC 6928 initial window, RFC 5681 slow start (with RFC
 * 3465's L), fast retransmit and fast recovery with the RFC 6582 partial-ACK rule, the RFC
 * 5681 4.1 restart after idle, and one SMSS after a retransmission timeout. Subclasses decide
 * how congestion avoidance grows cwnd and what ssthresh becomes at a congestion event.
 */
abstract sealed class RenoFamily implements CongestionControl permits NewReno, Cubic {
    protected int smss;
    protected long cwnd;
    protected long ssthresh = Long.MAX_VALUE / 4; // RFC 5681 3.1: "arbitrarily high"
    private boolean inRecovery;
    private int recover; // RFC 6582 "recover"
    private boolean recoverValid;
    private final int initialWindowSegments;
    /** RFC 3465 L: slow start grows cwnd by at most L * SMSS per ACK; 0 = by all the bytes acked. */
    private final int abcLimit;

    RenoFamily(int smss, int initialWindowSegments, int abcLimit) {
        if (abcLimit < 0) throw new IllegalArgumentException("abcLimit >= 0");
        this.initialWindowSegments = initialWindowSegments;
        this.abcLimit = abcLimit;
        setMss(smss);
        cwnd = initialWindow();
    }

    /** Congestion avoidance (cwnd >= ssthresh, not in recovery): grow cwnd for {@code bytesAcked}. */
    abstract void congestionAvoidance(long bytesAcked, long now);

    /**
     * A congestion event (third duplicate ACK, or a retransmission timeout): the new ssthresh.
     * {@code flightSize} is the data outstanding, {@link #cwnd} still the window before it.
     */
    abstract long ssthreshAfterLoss(long flightSize);

    /** cwnd was set back (a timeout, a restart after idle): growth starts over from it. */
    abstract void windowReset();

    /** RFC 6928 2: IW = min(10 * SMSS, max(2 * SMSS, 14600)), generalised to N segments. */
    final long initialWindow() {
        return Math.min((long) initialWindowSegments * smss, Math.max(2L * smss, 14600));
    }

    @Override public final void setMss(int mss) {
        boolean initial = cwnd == 0 || cwnd == initialWindow();
        this.smss = Math.max(1, mss);
        if (initial) cwnd = initialWindow();
    }

    @Override public final Action onAck(int sndUna, long bytesAcked, long flightSize, long now) {
        return onAck(sndUna, bytesAcked, flightSize, now, true);
    }

    @Override public final Action onAck(int sndUna, long bytesAcked, long flightSize, long now, boolean mayGrow) {
        if (inRecovery) {
            if (Seq.ge(sndUna, recover)) {
                // RFC 6582 3.2 step 3, full acknowledgment: cwnd = min(ssthresh, max(FlightSize, SMSS) + SMSS)
                long flightAfter = Math.max(0, flightSize - bytesAcked);
                cwnd = Math.min(ssthresh, Math.max(flightAfter, smss) + smss);
                inRecovery = false;
                return Action.NONE;
            }
            // RFC 6582 3.2 step 3, partial acknowledgment: retransmit the first unacknowledged segment,
            // deflate cwnd by the amount acked, add back SMSS if that was at least SMSS.
            cwnd = Math.max(smss, cwnd - bytesAcked + (bytesAcked >= smss ? smss : 0));
            return Action.RETRANSMIT_FIRST_UNACKED;
        }
        if (!mayGrow) return Action.NONE;
        if (cwnd < ssthresh) {
            // RFC 5681 3.1 slow start: cwnd += min(N, SMSS); RFC 3465 2.2 (ABC): min(N, L * SMSS)
            cwnd += abcLimit == 0 ? bytesAcked : Math.min(bytesAcked, (long) abcLimit * smss);
        } else {
            congestionAvoidance(bytesAcked, now);
        }
        return Action.NONE;
    }

    @Override public final Action onDuplicateAck(int dupAcks, int sndUna, int sndMax, long flightSize, long now) {
        if (inRecovery) {
            // RFC 6582 3.2 step 4 / RFC 5681 3.2 step 4: inflate by SMSS per further duplicate
            cwnd += smss;
            return Action.NONE;
        }
        if (dupAcks != 3) return Action.NONE;
        // RFC 6582 3.2 step 2: only start recovery if the ACK covers more than "recover"
        // (avoids multiple fast retransmits from one window of losses).
        if (recoverValid && !Seq.gt(sndUna, recover)) return Action.NONE;
        ssthresh = ssthreshAfterLoss(flightSize);
        recover = sndMax;
        recoverValid = true;
        // RFC 5681 3.2 step 3: cwnd = ssthresh + 3 * SMSS (the three segments that left the network)
        cwnd = ssthresh + 3L * smss;
        inRecovery = true;
        return Action.RETRANSMIT_FIRST_UNACKED;
    }

    @Override public final void onRetransmissionTimeout(int sndMax, long flightSize, long now) {
        // RFC 5681 3.1 (4): ssthresh from the flight (NewReno: half of it); cwnd = LW = 1 SMSS
        ssthresh = ssthreshAfterLoss(flightSize);
        cwnd = smss;
        inRecovery = false;
        windowReset();
        // RFC 6582 3.2 step 4 (timeout): recover = highest sequence number transmitted
        recover = sndMax;
        recoverValid = true;
    }

    /**
     * RFC 5681 4.1 restart window RW = min(IW, cwnd); cwnd is halved once per RTO of idleness
     * but not below RW (Linux tcp_cwnd_restart), and ssthresh keeps at least 3/4 of the old cwnd
     * so that slow start climbs back towards it.
     */
    @Override public final void restartAfterIdle(long idleNs, long rtoNs) {
        if (inRecovery || rtoNs <= 0) return;
        ssthresh = Math.max(ssthresh, (cwnd >> 1) + (cwnd >> 2));
        long restart = Math.min(initialWindow(), cwnd);
        long c = cwnd;
        for (long d = idleNs - rtoNs; d > 0 && c > restart; d -= rtoNs) c >>= 1;
        cwnd = Math.max(c, restart);
        windowReset();
    }

    @Override public final void setRecoveryWindow(long cwnd) { this.cwnd = Math.max(0, cwnd); }

    @Override public final void undoReduction(long priorCwnd, long priorSsthresh) {
        cwnd = Math.max(cwnd, priorCwnd);
        ssthresh = Math.max(ssthresh, priorSsthresh);
    }

    @Override public final long window() { return cwnd; }
    @Override public final long ssthresh() { return ssthresh; }
    @Override public final boolean inRecovery() { return inRecovery; }
}
