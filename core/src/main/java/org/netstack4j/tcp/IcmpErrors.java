package org.netstack4j.tcp;

import org.netstack4j.tcp.seqnum.Seq;
import org.netstack4j.wire.IpAddress;

/**
 * ICMP errors quoting a segment of a {@link TcpConnection} (RFC 9293 3.9.2.2, RFC 1122
 * 4.2.3.9): only errors quoting a sequence number in flight are believed (RFC 5927 4.1); a
 * fragmentation needed or packet too big lowers the effective MSS (path MTU discovery, RFC 9293
 * 3.7.2, RFC 1191, RFC 8201) with a floor against forged tiny MTUs (RFC 5927 7.2) and resends
 * what was in flight at once (RFC 1191 6.5); unreachable, administratively prohibited (RFC 1812
 * 5.2.7.1) and time exceeded are soft errors, or end a connection in SYN-SENT when the config
 * says so. Called by the layer (TcpLayer) with the connection the quoted segment belongs to;
 * stateless: the state it reads and changes stays in the connection.
 */
final class IcmpErrors {
    private IcmpErrors() { }

    /** The smallest path MTU believed from an ICMP error (Linux net.ipv4.route.min_pmtu). */
    static final int MIN_PMTU_IPV4 = 552;
    /** IPv6's minimum link MTU (RFC 8200 5): the floor of a learnt IPv6 path MTU (RFC 8201 4). */
    static final int MIN_PMTU_IPV6 = 1280;

    static void icmpUnreachable(TcpConnection c, long now, int code, int nextHopMtu, int seq) {
        // RFC 5927 4.1: only believe errors quoting a sequence number we have in flight,
        // SND.UNA =< SEG.SEQ < SND.NXT (the highest sent here, as after a timeout SND.NXT goes back)
        if (!Seq.le(c.sndUna, seq) || !Seq.lt(seq, c.sndMax)) {
            c.layer.counters().icmpOutOfWindow.increment();
            return;
        }
        switch (code) {
            case 4 -> { // fragmentation needed (RFC 1191); for IPv6 a packet too big (RFC 8201)
                if (nextHopMtu >= 68) {
                    // RFC 5927 7.2: a forged tiny MTU must not shrink segments to nothing; floored
                    // as Linux's min_pmtu (552 for IPv4; IPv6's minimum link MTU is 1280, RFC 8200 5)
                    if (nextHopMtu < MIN_PMTU_IPV4) c.layer.counters().pmtuBelowFloor.increment();
                    // the stack's path MTU cache is the IP layer's too: an IPv6 entry never goes under
                    // IPv6's minimum link MTU (RFC 8201 4), whatever this connection makes of the error
                    boolean ipv6 = c.remoteAddress.family() == IpAddress.Family.IPV6;
                    int floor = ipv6 ? MIN_PMTU_IPV6 : MIN_PMTU_IPV4;
                    // an IPv4 report under the floor locks the path's MTU (Linux __ip_rt_update_pmtu):
                    // WANT sockets then send without DF and let the path fragment
                    c.layer.learnPathMtu(now, c.remoteAddress, Math.max(nextHopMtu, floor), !ipv6 && nextHopMtu < floor);
                    // IP_MTU_DISCOVER: DONT (IPv4), INTERFACE and OMIT keep the MSS (tcp_v4_mtu_reduced, ip_sk_accept_pmtu)
                    if (!Rare.pmtu(c).tcpAcceptsPathMtu(ipv6)) break;
                    int ipTcp = c.remoteAddress.family().minHeaderLength() + 20;
                    int mss = Math.max(64, Math.max(nextHopMtu, MIN_PMTU_IPV4) - ipTcp - (c.tsOk ? TcpConnection.TS_OPTION_SPACE : 0));
                    if (mss < c.effMss) {
                        c.effMss = mss;
                        if (c.recovery != null) c.recovery.setMss(mss);
                        c.layer.counters().pmtuReductions.increment();
                        // RFC 1191 6.5: the segments in flight were too big and are lost; resend
                        // them at once in the new size rather than at the RTO (Linux
                        // tcp_simple_retransmit, FreeBSD tcp_mtudisc), cwnd untouched
                        if (c.snd.sendsData() && c.synAcked() && c.sndMax != c.sndUna) {
                            c.sndNxt = c.sndUna;
                            c.snd.output(now);
                        }
                    }
                }
            }
            case 2, 3 -> {
                if (fastOpenChildEnds(c)) c.enterClosed(now, "ICMP unreachable", TcpError.CONNECTION_REFUSED);
                else if (c.state == TcpState.SYN_SENT && c.cfg().quirks().icmpHardErrorsInSynSent())
                    c.enterClosed(now, "ICMP unreachable", TcpError.CONNECTION_REFUSED);
                else c.softError = TcpError.CONNECTION_REFUSED;
            }
            case 9, 10, 13 -> { // administratively prohibited (RFC 1812 5.2.7.1)
                if (c.state == TcpState.SYN_SENT && c.cfg().quirks().icmpHardErrorsInSynSent() && c.cfg().quirks().icmpProhibitedIsHard())
                    c.enterClosed(now, "ICMP administratively prohibited", TcpError.CONNECTION_REFUSED);
                else c.softError = TcpError.HOST_UNREACHABLE;
            }
            case 0 -> {
                if (fastOpenChildEnds(c)) c.enterClosed(now, "ICMP network unreachable", TcpError.NETWORK_UNREACHABLE);
                else c.softError = TcpError.NETWORK_UNREACHABLE;
            }
            default -> {
                if (fastOpenChildEnds(c)) c.enterClosed(now, "ICMP host unreachable", TcpError.HOST_UNREACHABLE);
                else c.softError = TcpError.HOST_UNREACHABLE;
            }
        }
        c.deliverEvents();
    }

    /**
     * A Fast Open child still in SYN-RECEIVED is a full socket (RFC 7413 4.2.2), in the accept
     * queue since its SYN: Linux (tcp_v4_err/tcp_v6_err, SYN-RECV with fastopen_rsk) ends it on
     * any unreachable, as in SYN-SENT; it stays queued, so accept hands it over closed, with its
     * data and the error. Under the same quirk as SYN-SENT's hard errors.
     */
    private static boolean fastOpenChildEnds(TcpConnection c) {
        return c.state == TcpState.SYN_RECEIVED && FastOpen.child(c) && c.cfg().quirks().icmpHardErrorsInSynSent();
    }

    /** ICMP time exceeded quoting our segment: a soft error (RFC 1122 4.2.3.9) unless the config says otherwise. */
    static void icmpTimeExceeded(TcpConnection c, long now, int seq) {
        if (!Seq.le(c.sndUna, seq) || !Seq.lt(seq, c.sndMax)) { // RFC 5927 4.1
            c.layer.counters().icmpOutOfWindow.increment();
            return;
        }
        if (c.state == TcpState.SYN_SENT && c.cfg().quirks().icmpHardErrorsInSynSent() && c.cfg().quirks().icmpProhibitedIsHard())
            c.enterClosed(now, "ICMP time exceeded", TcpError.HOST_UNREACHABLE);
        else c.softError = TcpError.HOST_UNREACHABLE;
        c.deliverEvents();
    }
}
