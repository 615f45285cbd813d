package org.netstack4j.tcp;

/**
 * RFC 6298 retransmission timer computation, in nanoseconds.
 * <pre>
 *   first sample R:   SRTT = R, RTTVAR = R/2
 *   later samples R': RTTVAR = (1 - beta) * RTTVAR + beta * |SRTT - R'|
 *                     SRTT   = (1 - alpha) * SRTT + alpha * R'
 *   RTO = SRTT + max(G, K * RTTVAR), clamped to [min RTO, max RTO]
 * </pre>
 * Karn's rule (RFC 6298 3) is the caller's job: never sample a retransmitted segment
 * (unless timestamps disambiguate it, RFC 7323 4).
 */
public final class RttEstimator {
    /** alpha = 1/8, as a shift. */
    public static final int ALPHA_SHIFT = 3;
    /** beta = 1/4, as a shift. */
    public static final int BETA_SHIFT = 2;
    public static final int K = 4;

    /** The configured constants, shared by all estimators of a layer. */
    record Bounds(long clockGranularityNs, long minRtoNs, long maxRtoNs, boolean minRtoOnVariance) {}

    private final Bounds bounds; // G, min RTO, max RTO
    private long srtt, rttvar;
    private boolean hasSample;
    private long rto;
    // The segment being timed without timestamps (RFC 6298 3, one at a time; Karn's rule clears
    // it): kept here by TcpConnection and TcpSender, beside the estimate it feeds.
    boolean timing;
    int timedSeq;
    long timedAt;

    public RttEstimator(long initialRtoNs, long minRtoNs, long maxRtoNs, long clockGranularityNs) {
        this(initialRtoNs, new Bounds(clockGranularityNs, minRtoNs, maxRtoNs, false));
    }

    RttEstimator(long initialRtoNs, Bounds bounds) {
        this.bounds = bounds;
        this.rto = Math.min(initialRtoNs, bounds.maxRtoNs()); // RFC 6298 2.1
    }

    static Bounds boundsOf(TcpConfig c) { return new Bounds(c.timers().clockGranularityNs(), c.timers().minRtoNs(), c.timers().maxRtoNs(), c.timers().minRtoOnVariance()); }

    public static RttEstimator of(TcpConfig c) {
        return new RttEstimator(c.timers().initialRtoNs(), c.timers().minRtoNs(), c.timers().maxRtoNs(), c.timers().clockGranularityNs());
    }

    /** A round-trip measurement R in ns (RFC 6298 2.2 and 2.3). */
    public void sample(long r) {
        if (r < 0) return;
        if (!hasSample) {
            srtt = r;
            rttvar = r / 2;
            hasSample = true;
        } else {
            long err = Math.abs(srtt - r);
            rttvar = rttvar - (rttvar >> BETA_SHIFT) + (err >> BETA_SHIFT);
            srtt = srtt - (srtt >> ALPHA_SHIFT) + (r >> ALPHA_SHIFT);
        }
        long variance = Math.max(bounds.clockGranularityNs(), K * rttvar);
        // Linux floors the variance term, not the sum (tcp_rtt_estimator: rttvar >= rto_min), so
        // its RTO stays above SRTT + min RTO
        if (bounds.minRtoOnVariance()) variance = Math.max(variance, bounds.minRtoNs());
        rto = clamp(srtt + variance); // RFC 6298 2.4, 2.5
    }

    /** RFC 6298 5.5: back off the timer (RTO = RTO * 2), bounded by the maximum. */
    public void backoff() { rto = Math.min(rto * 2, bounds.maxRtoNs()); }

    /**
     * RFC 6298 5.7: if the SYN or SYN,ACK was retransmitted and no RTT sample was taken, RTO
     * "MUST be re-initialized to 3 seconds when data transmission begins".
     */
    public void reinitializeAfterSynTimeout(long rtoNs) {
        if (!hasSample) rto = Math.min(rtoNs, bounds.maxRtoNs());
    }

    private long clamp(long v) { return Math.max(bounds.minRtoNs(), Math.min(bounds.maxRtoNs(), v)); }

    public long rto() { return rto; }
    public long srtt() { return srtt; }
    public long rttvar() { return rttvar; }
    public boolean hasSample() { return hasSample; }
}
