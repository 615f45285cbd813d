package org.netstack4j.tcp;

/**
 * The timers of a connection as traces name them ({@code TraceEvent.Timer<TcpTimer>});
 * {@link #toString()} is the name people read.
 */
public enum TcpTimer {
    /** Retransmission timeout (RFC 6298). */
    RTO("RTO"),
    /** Delayed ACK (RFC 1122 4.2.3.2, RFC 9293 3.8.6.3). */
    DELAYED_ACK("delayed-ACK"),
    /** Zero-window probe (RFC 9293 3.8.6.1). */
    PERSIST("persist"),
    /** Keep-alive (RFC 1122 4.2.3.6). */
    KEEPALIVE("keepalive"),
    /** Tail loss probe (RFC 8985 7). */
    TLP("TLP"),
    /** TIME-WAIT, 2 MSL (RFC 9293 3.10.7.4). */
    TWO_MSL("2MSL"),
    /** An orphaned FIN-WAIT-2 giving up (Linux tcp_fin_timeout). */
    FIN_WAIT_2("FIN-WAIT-2");

    private final String label;

    TcpTimer(String label) { this.label = label; }

    @Override public String toString() { return label; }
}
