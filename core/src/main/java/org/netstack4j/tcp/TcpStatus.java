package org.netstack4j.tcp;

/**
 * A TCP_INFO-like snapshot. Sequence numbers are raw 32-bit values, windows in bytes (scaled),
 * times in nanoseconds.
 */
public record TcpStatus(TcpState state, int sndUna, int sndNxt, long sndWnd, int rcvNxt, long rcvWnd,
                        long cwnd, long ssthresh, long srttNs, long rttvarNs, long rtoNs,
                        int effectiveMss, int sndWscale, int rcvWscale, boolean timestamps, boolean sack,
                        long retransmissions, long bytesSent, long bytesAcked, long bytesReceived,
                        int sendQueued, int receiveQueued, TcpError error) {}
