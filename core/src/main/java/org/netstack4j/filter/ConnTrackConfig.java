package org.netstack4j.filter;

import org.netstack4j.time.Time;

/**
 * Connection tracking limits and timeouts (nanoseconds). {@link #defaults()} takes Linux's
 * defaults (net.netfilter.nf_conntrack_*, Documentation/networking/nf_conntrack-sysctl.rst):
 * TCP syn_sent 120 s, syn_recv 60 s, established 5 days, fin_wait 120 s, close_wait 60 s,
 * last_ack 30 s, time_wait 120 s, close 10 s, max_retrans 300 s, unacknowledged 300 s;
 * udp 30 s, udp_stream 120 s; icmp 30 s; generic 600 s.
 *
 * @param maxEntries      the table bound (nf_conntrack_max)
 * @param tcpLoose        pick up connections already established when first seen (nf_conntrack_tcp_loose)
 * @param tcpBeLiberal    only out-of-window RSTs are INVALID (nf_conntrack_tcp_be_liberal)
 * @param tcpMaxRetrans   retransmissions of one segment after which the max_retrans timeout applies
 */
public record ConnTrackConfig(int maxEntries, boolean tcpLoose, boolean tcpBeLiberal, int tcpMaxRetrans,
                              long tcpSynSent, long tcpSynRecv, long tcpEstablished, long tcpFinWait,
                              long tcpCloseWait, long tcpLastAck, long tcpTimeWait, long tcpClose,
                              long tcpTimeoutMaxRetrans, long tcpUnacknowledged,
                              long udp, long udpStream, long icmp, long generic) {
    public ConnTrackConfig {
        if (maxEntries < 1) throw new IllegalArgumentException("maxEntries must be >= 1, was " + maxEntries);
    }

    public static ConnTrackConfig defaults() {
        return new ConnTrackConfig(65536, true, false, 3,
                Time.s(120), Time.s(60), Time.s(432_000), Time.s(120), Time.s(60), Time.s(30), Time.s(120), Time.s(10),
                Time.s(300), Time.s(300), Time.s(30), Time.s(120), Time.s(30), Time.s(600));
    }

    public ConnTrackConfig withMaxEntries(int n) {
        return new ConnTrackConfig(n, tcpLoose, tcpBeLiberal, tcpMaxRetrans, tcpSynSent, tcpSynRecv, tcpEstablished,
                tcpFinWait, tcpCloseWait, tcpLastAck, tcpTimeWait, tcpClose, tcpTimeoutMaxRetrans, tcpUnacknowledged,
                udp, udpStream, icmp, generic);
    }

    public ConnTrackConfig withTcpLoose(boolean loose) {
        return new ConnTrackConfig(maxEntries, loose, tcpBeLiberal, tcpMaxRetrans, tcpSynSent, tcpSynRecv, tcpEstablished,
                tcpFinWait, tcpCloseWait, tcpLastAck, tcpTimeWait, tcpClose, tcpTimeoutMaxRetrans, tcpUnacknowledged,
                udp, udpStream, icmp, generic);
    }

    /** The idle timeout of a TCP connection in a state (nf_conntrack_tcp_timeout_*). */
    public long tcpTimeout(TcpCtState s) {
        return switch (s) {
            case SYN_SENT, SYN_SENT2 -> tcpSynSent;
            case SYN_RECV -> tcpSynRecv;
            case ESTABLISHED -> tcpEstablished;
            case FIN_WAIT -> tcpFinWait;
            case CLOSE_WAIT -> tcpCloseWait;
            case LAST_ACK -> tcpLastAck;
            case TIME_WAIT -> tcpTimeWait;
            case CLOSE -> tcpClose;
            case NONE, IGNORE, INVALID -> throw new IllegalArgumentException("no connection is in state " + s);
        };
    }
}
