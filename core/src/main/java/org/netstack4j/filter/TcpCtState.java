package org.netstack4j.filter;

/**
 * The states a tracker in the middle guesses for a TCP connection, as Linux's
 * nf_conntrack_proto_tcp names them. They follow both peers: SYN_SENT (a SYN seen), SYN_SENT2
 * (SYNs both ways, simultaneous open), SYN_RECV (the SYN,ACK seen), ESTABLISHED (the ACK of the
 * SYN,ACK), FIN_WAIT (a FIN one way), CLOSE_WAIT (that FIN acknowledged), LAST_ACK (FINs both
 * ways), TIME_WAIT (the last ACK), CLOSE (a RST). IGNORE and INVALID are the two markers of the
 * transition table, never the state of a connection.
 */
public enum TcpCtState {
    NONE, SYN_SENT, SYN_RECV, ESTABLISHED, FIN_WAIT, CLOSE_WAIT, LAST_ACK, TIME_WAIT, CLOSE, SYN_SENT2,
    /** Table marker: the segment may be valid or not; let it pass without changing the state. */
    IGNORE,
    /** Table marker: no state takes this segment. */
    INVALID;

    /** States in which Linux's early drop may also evict an assured connection (tcp_can_early_drop). */
    boolean closing() {
        return switch (this) {
            case FIN_WAIT, CLOSE_WAIT, LAST_ACK, TIME_WAIT, CLOSE -> true;
            case NONE, SYN_SENT, SYN_RECV, ESTABLISHED, SYN_SENT2, IGNORE, INVALID -> false;
        };
    }
}
