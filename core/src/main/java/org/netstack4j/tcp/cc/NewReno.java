package org.netstack4j.tcp.cc;

/**
 * NewReno: RFC 5681 slow start and congestion avoidance and the RFC 6928 initial window (see
 * {@link RenoFamily}); its fast retransmit and fast recovery with the RFC 6582 partial-ACK rule
 * are org.netstack4j.tcp.recovery.FastRecovery. Limited transmit (RFC 3042) needs no state
 * here: the connection lets the first two duplicate ACKs each send one new segment.
 */
public final class NewReno extends RenoFamily {
    private long bytesAckedInCa; // appropriate byte counting for congestion avoidance (RFC 3465)

    /** RFC 5681 slow start: at most one SMSS per ACK. */
    public NewReno(int smss, int initialWindowSegments) { this(smss, initialWindowSegments, 1); }

    public NewReno(int smss, int initialWindowSegments, int abcLimit) { super(smss, initialWindowSegments, abcLimit); }

    @Override void congestionAvoidance(long bytesAcked, long now) {
        // RFC 5681 3.1 congestion avoidance: cwnd += SMSS*SMSS/cwnd per ACK, here as byte
        // counting: one SMSS per cwnd bytes acknowledged (RFC 3465 2.1)
        bytesAckedInCa += bytesAcked;
        if (bytesAckedInCa >= cwnd) {
            bytesAckedInCa -= cwnd;
            cwnd += smss;
        }
    }

    /** RFC 5681 3.1 (4) and 3.2 step 2: ssthresh = max(FlightSize / 2, 2 * SMSS). */
    @Override long ssthreshAfterLoss(long flightSize) { return Math.max(flightSize / 2, 2L * smss); }

    @Override void windowReset() { bytesAckedInCa = 0; }
}
