package org.netstack4j.tcp;

/**
 * A TCP_INFO-like snapshot. Sequence numbers are raw 32-bit values, windows in bytes (scaled),
 * times in nanoseconds ({@code ...AtNs}: the time of an event, Long.MAX_VALUE when it has not
 * happened). {@code backoff} counts the retransmission timeouts since data was last acknowledged.
 * {@code lostSegments}, {@code retransmittedInFlight} and {@code reordering} are Linux's lost_out,
 * retrans_out and reordering (segments; see {@link org.netstack4j.tcp.recovery.LossRecovery}).
 */
public record TcpStatus(TcpState state, int sndUna, int sndNxt, long sndWnd, int rcvNxt, long rcvWnd,
                        long cwnd, long ssthresh, long srttNs, long rttvarNs, long rtoNs,
                        int effectiveMss, int sndWscale, int rcvWscale, boolean timestamps, boolean sack,
                        long retransmissions, long bytesSent, long bytesAcked, long bytesReceived,
                        int sendQueued, int receiveQueued, TcpError error,
                        int backoff, boolean inRecovery, int duplicateAcks, long sackedBytes,
                        long establishedAtNs, long lastDataReceivedAtNs, long lastDataSentAtNs, long lastAckReceivedAtNs,
                        long receiverRttNs, int lostSegments, int retransmittedInFlight, int reordering) {}
