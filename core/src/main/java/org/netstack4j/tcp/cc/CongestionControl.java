package org.netstack4j.tcp.cc;

/**
 * A sender's congestion control (RFC 5681 terms). Windows and sizes in bytes. The connection
 * decides what an ACK is (new data, duplicate per RFC 5681 2) and asks this what to do.
 */
public interface CongestionControl {
    /** What the connection should do after an ACK. */
    enum Action { NONE, RETRANSMIT_FIRST_UNACKED }

    /**
     * New data acknowledged. {@code sndUna} is the new snd.una, {@code bytesAcked} how far it moved,
     * {@code flightSize} the data outstanding before this ACK.
     */
    Action onAck(int sndUna, long bytesAcked, long flightSize, long now);

    /**
     * {@link #onAck} where {@code mayGrow} false means the sender has not been using its window
     * (RFC 7661's idea): recovery proceeds as usual but cwnd does not grow.
     */
    default Action onAck(int sndUna, long bytesAcked, long flightSize, long now, boolean mayGrow) {
        return onAck(sndUna, bytesAcked, flightSize, now);
    }

    /**
     * Nothing was sent for {@code idleNs}, longer than the RTO {@code rtoNs}: restart cwnd
     * (RFC 5681 4.1). Default: keep it.
     */
    default void restartAfterIdle(long idleNs, long rtoNs) {}

    /**
     * The {@code dupAcks}-th consecutive duplicate ACK. {@code sndMax} is the highest sequence
     * number sent so far. Returns RETRANSMIT_FIRST_UNACKED to fast-retransmit.
     */
    Action onDuplicateAck(int dupAcks, int sndUna, int sndMax, long flightSize, long now);

    /** A round-trip time measurement (ns) of the connection (RFC 6298 or RFC 7323 4). Default: not used. */
    default void onRttSample(long rttNs) {}

    /** The retransmission timer fired; {@code sndMax} as above. */
    void onRetransmissionTimeout(int sndMax, long flightSize, long now);

    /**
     * Sets cwnd during fast recovery, or at its end, for Proportional Rate Reduction (RFC 6937),
     * which the connection computes from its scoreboard: cwnd = pipe + sndcnt on each ACK,
     * ssthresh on leaving recovery. Default: ignored.
     */
    default void setRecoveryWindow(long cwnd) {}

    /**
     * A fast recovery turned out to be spurious (every retransmission was reported as a
     * duplicate, RFC 2883 4.2): cwnd and ssthresh go back to at least what they were before it
     * (Linux tcp_undo_cwnd_reduction). Default: ignored.
     */
    default void undoReduction(long priorCwnd, long priorSsthresh) {}

    /** cwnd in bytes. */
    long window();

    long ssthresh();

    /** In fast recovery (RFC 6582). */
    boolean inRecovery();

    /** The sender MSS changed (e.g. after the handshake or PMTU discovery). */
    void setMss(int mss);
}
