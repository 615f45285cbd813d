package org.netstack4j.tcp.cc;

/**
 * CUBIC (RFC 9438): after a congestion event the window grows along a cubic function of the
 * time since it, W_cubic(t) = C * (t - K)^3 + W_max (4.2), concave up to the window where the
 * loss happened and convex beyond it, so it regains a lost window in about K seconds
 * whatever the RTT. It never grows slower than Reno would (the "Reno-friendly" estimate,
 * 4.3), and multiplicative decrease keeps beta_cubic = 0.7 of the window (4.6) instead of a
 * half, with fast convergence (4.7). Slow start, fast retransmit and fast recovery with
 * partial ACKs are NewReno's (RFC 5681, RFC 6582), as RFC 9438 4.9/4.10 allow; the RFC 6928
 * initial window likewise. Windows are in bytes; the cubic arithmetic runs in segments.
 */
public final class Cubic extends RenoFamily {
    /** RFC 9438 5: C = 0.4 (segments per second cubed). */
    static final double C = 0.4;
    /** RFC 9438 4.6: beta_cubic = 0.7. */
    static final double BETA = 0.7;
    /** RFC 9438 4.3: alpha_cubic = 3 * (1 - beta) / (1 + beta), so the Reno-friendly window grows like Reno's. */
    static final double ALPHA = 3 * (1 - BETA) / (1 + BETA);

    /** W_max in segments (4.2): the window before the last reduction; 0 before any. */
    private double wMax;
    /** K in seconds (4.2): when W_cubic reaches W_max again. */
    private double k;
    /** When the current congestion avoidance epoch began (ns), or -1: not in one yet. */
    private long epochStart = -1;
    /** The Reno-friendly window estimate W_est in segments (4.3). */
    private double wEst;
    /** Growth owed to cwnd below one byte, carried to the next ACK. */
    private double pendingBytes;
    /** The smallest RTT seen (ns), 0 until the first sample; W_cubic is aimed one RTT ahead. */
    private long minRttNs;

    public Cubic(int smss, int initialWindowSegments, int abcLimit) { super(smss, initialWindowSegments, abcLimit); }

    @Override public void onRttSample(long rttNs) {
        if (rttNs > 0 && (minRttNs == 0 || rttNs < minRttNs)) minRttNs = rttNs;
    }

    @Override void congestionAvoidance(long bytesAcked, long now) {
        double segs = (double) cwnd / smss;
        if (epochStart < 0) {
            // RFC 9438 4.2: a new epoch; K from the window it starts at (cwnd_epoch)
            epochStart = now;
            if (wMax <= segs) {
                wMax = segs; // no reduction behind us (or already past it): start on the plateau
                k = 0;
            } else {
                k = Math.cbrt((wMax - segs) / C);
            }
            wEst = segs;
        }
        // RFC 9438 4.2: target = W_cubic(t + RTT), bounded to [cwnd, 1.5 * cwnd] (4.4)
        double t = (now - epochStart + minRttNs) / 1e9;
        double cubic = C * Math.pow(t - k, 3) + wMax;
        double target = Math.max(segs, Math.min(cubic, 1.5 * segs));
        // RFC 9438 4.3: the Reno-friendly estimate grows by alpha_cubic segments per window acked
        wEst += ALPHA * (bytesAcked / (double) smss) / segs;
        if (cubic < wEst) {
            // the Reno-friendly region: "cwnd SHOULD be set to W_est at each reception of a new ACK"
            long est = (long) (wEst * smss);
            if (est > cwnd) cwnd = est;
            pendingBytes = 0;
            return;
        }
        // RFC 9438 4.4: cwnd grows by (target - cwnd) / cwnd per SMSS acknowledged
        pendingBytes += (target - segs) / segs * bytesAcked;
        long grow = (long) pendingBytes;
        if (grow > 0) {
            cwnd += grow;
            pendingBytes -= grow;
        }
    }

    /** RFC 9438 4.6 and 4.7: W_max with fast convergence; ssthresh = beta * cwnd; a new epoch follows. */
    @Override long ssthreshAfterLoss(long flightSize) {
        double segs = (double) cwnd / smss;
        // 4.7 fast convergence: a window lower than the last W_max releases bandwidth to new flows
        wMax = segs < wMax ? segs * (1 + BETA) / 2 : segs;
        windowReset();
        return Math.max((long) (cwnd * BETA), 2L * smss);
    }

    /** The next congestion avoidance ACK starts a new epoch (K from the window then). */
    @Override void windowReset() {
        epochStart = -1;
        pendingBytes = 0;
    }

    /** W_max in segments (tests and status). */
    double wMaxSegments() { return wMax; }

    /** K in seconds (tests). */
    double kSeconds() { return k; }
}
