package org.netstack4j.tcp.cc;

/**
 * What NewReno and CUBIC share: the RFC 6928 initial window, RFC 5681 slow start (with RFC
 * 3465's L), the RFC 5681 4.1 restart after idle, and one SMSS after a retransmission timeout.
 * Subclasses decide how congestion avoidance grows cwnd and what ssthresh becomes at a
 * congestion event. Fast recovery (RFC 5681 3.2, RFC 6582) is org.netstack4j.tcp.recovery's.
 */
abstract sealed class RenoFamily implements CongestionControl permits NewReno, Cubic {
    protected int smss;
    protected long cwnd;
    protected long ssthresh = Long.MAX_VALUE / 4; // RFC 5681 3.1: "arbitrarily high"
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

    @Override public final void onAck(long bytesAcked, long now, boolean mayGrow) {
        if (!mayGrow) return;
        if (cwnd < ssthresh) {
            // RFC 5681 3.1 slow start: cwnd += min(N, SMSS); RFC 3465 2.2 (ABC): min(N, L * SMSS)
            cwnd += abcLimit == 0 ? bytesAcked : Math.min(bytesAcked, (long) abcLimit * smss);
        } else {
            congestionAvoidance(bytesAcked, now);
        }
    }

    @Override public final void onCongestionEvent(long flightSize, long now) {
        ssthresh = ssthreshAfterLoss(flightSize);
    }

    @Override public final void onRetransmissionTimeout(long flightSize, long now) {
        // RFC 5681 3.1 (4): ssthresh from the flight (NewReno: half of it); cwnd = LW = 1 SMSS
        ssthresh = ssthreshAfterLoss(flightSize);
        cwnd = smss;
        windowReset();
    }

    /**
     * RFC 5681 4.1 restart window RW = min(IW, cwnd); cwnd is halved once per RTO of idleness
     * but not below RW (Linux tcp_cwnd_restart), and ssthresh keeps at least 3/4 of the old cwnd
     * so that slow start climbs back towards it.
     */
    @Override public final void restartAfterIdle(long idleNs, long rtoNs) {
        if (rtoNs <= 0) return;
        ssthresh = Math.max(ssthresh, (cwnd >> 1) + (cwnd >> 2));
        long restart = Math.min(initialWindow(), cwnd);
        long c = cwnd;
        for (long d = idleNs - rtoNs; d > 0 && c > restart; d -= rtoNs) c >>= 1;
        cwnd = Math.max(c, restart);
        windowReset();
    }

    @Override public final void setCwnd(long cwnd) { this.cwnd = Math.max(0, cwnd); }

    @Override public final void setSsthresh(long ssthresh) { this.ssthresh = ssthresh; }

    @Override public final long window() { return cwnd; }
    @Override public final long ssthresh() { return ssthresh; }
}
