package org.netstack4j.tcp.cc;

/**
 * A sender's congestion control (RFC 5681 terms): how cwnd grows as data is acknowledged, and
 * what a congestion event and a retransmission timeout do to cwnd and ssthresh. Windows and
 * sizes in bytes. Loss detection and fast recovery are not here but in
 * {@code org.netstack4j.tcp.recovery}: while a recovery runs it owns the window it sends with
 * (RFC 6582 inflation, RFC 6937 PRR) and hands cwnd back with {@link #setCwnd} when it ends.
 */
public interface CongestionControl {
    /**
     * {@code bytesAcked} of new data acknowledged outside recovery: slow start or congestion
     * avoidance. {@code mayGrow} false means the sender has not been using its window (RFC
     * 7661's idea): cwnd stays.
     */
    void onAck(long bytesAcked, long now, boolean mayGrow);

    /**
     * A congestion event (the fast retransmit, RFC 5681 3.2 step 2): ssthresh from
     * {@code flightSize} and from cwnd, which is still the window before the event.
     */
    void onCongestionEvent(long flightSize, long now);

    /** The retransmission timer fired (RFC 5681 3.1 (4)): ssthresh from {@code flightSize}, cwnd = 1 SMSS. */
    void onRetransmissionTimeout(long flightSize, long now);

    /** A round-trip time measurement (ns) of the connection (RFC 6298 or RFC 7323 4). Default: not used. */
    default void onRttSample(long rttNs) {}

    /**
     * Nothing was sent for {@code idleNs}, longer than the RTO {@code rtoNs}: restart cwnd
     * (RFC 5681 4.1). Never called during a recovery. Default: keep it.
     */
    default void restartAfterIdle(long idleNs, long rtoNs) {}

    /** The sender MSS changed (e.g. after the handshake or PMTU discovery). */
    void setMss(int mss);

    /** cwnd in bytes (outside a recovery the window the sender uses). */
    long window();

    long ssthresh();

    /** A recovery ended or was undone: cwnd is {@code cwnd} from now on (never below 0). */
    void setCwnd(long cwnd);

    /** A spurious recovery was undone (RFC 2883 4.2): ssthresh goes back to {@code ssthresh}. */
    void setSsthresh(long ssthresh);
}
