package org.netstack4j.tcp.cc;

import org.netstack4j.tcp.Seq;

/**
 * NewReno: RFC 5681 slow start and congestion avoidance, fast retransmit/fast recovery with the
 * RFC 6582 partial-ACK rule, and the RFC 6928 initial window. Limited transmit (RFC 3042) needs
 * no state here: the connection lets the first two duplicate ACKs each send one new segment.
 */
public final class NewReno implements CongestionControl {
    private int smss;
    private long cwnd;
    private long ssthresh = Long.MAX_VALUE / 4; // RFC 5681 3.1: "arbitrarily high"
    private boolean inRecovery;
    private int recover; // RFC 6582 "recover"
    private boolean recoverValid;
    private long bytesAckedInCa; // appropriate byte counting for congestion avoidance (RFC 3465)
    private final int initialWindowSegments;
    /** RFC 3465 L: slow start grows cwnd by at most L * SMSS per ACK; 0 = by all the bytes acked. */
    private final int abcLimit;

    /** RFC 5681 slow start: at most one SMSS per ACK. */
    public NewReno(int smss, int initialWindowSegments) { this(smss, initialWindowSegments, 1); }

    public NewReno(int smss, int initialWindowSegments, int abcLimit) {
        if (abcLimit < 0) throw new IllegalArgumentException("abcLimit >= 0");
        this.initialWindowSegments = initialWindowSegments;
        this.abcLimit = abcLimit;
        setMss(smss);
        cwnd = initialWindow();
    }

    /** RFC 6928 2: IW = min(10 * SMSS, max(2 * SMSS, 14600)), generalised to N segments. */
    private long initialWindow() {
        return Math.min((long) initialWindowSegments * smss, Math.max(2L * smss, 14600));
    }

    @Override public void setMss(int mss) {
        boolean initial = cwnd == 0 || cwnd == initialWindow();
        this.smss = Math.max(1, mss);
        if (initial) cwnd = initialWindow();
    }

    @Override public Action onAck(int sndUna, long bytesAcked, long flightSize, long now) {
        return onAck(sndUna, bytesAcked, flightSize, now, true);
    }

    /**
     * RFC 5681 4.1 restart window RW = min(IW, cwnd); cwnd is halved once per RTO of idleness
     * but not below RW (Linux tcp_cwnd_restart), and ssthresh keeps at least 3/4 of the old cwnd
     * so that slow start climbs back towards it.
     */
    @Override public void restartAfterIdle(long idleNs, long rtoNs) {
        if (inRecovery || rtoNs <= 0) return;
        ssthresh = Math.max(ssthresh, (cwnd >> 1) + (cwnd >> 2));
        long restart = Math.min(initialWindow(), cwnd);
        long c = cwnd;
        for (long d = idleNs - rtoNs; d > 0 && c > restart; d -= rtoNs) c >>= 1;
        cwnd = Math.max(c, restart);
        bytesAckedInCa = 0;
    }

    @Override public Action onAck(int sndUna, long bytesAcked, long flightSize, long now, boolean mayGrow) {
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
            // RFC 5681 3.1 congestion avoidance: cwnd += SMSS*SMSS/cwnd per ACK, here as byte
            // counting: one SMSS per cwnd bytes acknowledged (RFC 3465 2.1)
            bytesAckedInCa += bytesAcked;
            if (bytesAckedInCa >= cwnd) {
                bytesAckedInCa -= cwnd;
                cwnd += smss;
            }
        }
        return Action.NONE;
    }

    @Override public Action onDuplicateAck(int dupAcks, int sndUna, int sndMax, long flightSize, long now) {
        if (inRecovery) {
            // RFC 6582 3.2 step 4 / RFC 5681 3.2 step 4: inflate by SMSS per further duplicate
            cwnd += smss;
            return Action.NONE;
        }
        if (dupAcks != 3) return Action.NONE;
        // RFC 6582 3.2 step 2: only start recovery if the ACK covers more than "recover"
        // (avoids multiple fast retransmits from one window of losses).
        if (recoverValid && !Seq.gt(sndUna, recover)) return Action.NONE;
        // RFC 5681 3.2 step 2: ssthresh = max(FlightSize / 2, 2 * SMSS)
        ssthresh = Math.max(flightSize / 2, 2L * smss);
        recover = sndMax;
        recoverValid = true;
        // step 3: cwnd = ssthresh + 3 * SMSS (the three segments that left the network)
        cwnd = ssthresh + 3L * smss;
        inRecovery = true;
        return Action.RETRANSMIT_FIRST_UNACKED;
    }

    @Override public void onRetransmissionTimeout(int sndMax, long flightSize, long now) {
        // RFC 5681 3.1 (4): ssthresh = max(FlightSize / 2, 2 * SMSS); cwnd = LW = 1 SMSS
        ssthresh = Math.max(flightSize / 2, 2L * smss);
        cwnd = smss;
        inRecovery = false;
        bytesAckedInCa = 0;
        // RFC 6582 3.2 step 4 (timeout): recover = highest sequence number transmitted
        recover = sndMax;
        recoverValid = true;
    }

    @Override public long window() { return cwnd; }
    @Override public long ssthresh() { return ssthresh; }
    @Override public boolean inRecovery() { return inRecovery; }
}
