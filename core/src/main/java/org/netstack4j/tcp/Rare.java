package org.netstack4j.tcp;

import static org.netstack4j.time.Time.NEVER;

/**
 * The fields of {@link TcpConnection} that keep their defaults in nearly every connection, out
 * of the control block so that an idle connection does not pay for them (DESIGN.md 10): created
 * when first set ({@link #of}); a connection whose {@code rare} is null has every default.
 */
final class Rare {
    /** USER TIMEOUT of this connection when set on it ({@link TcpConnection#setUserTimeout}); -1 = the layer's. */
    long userTimeoutOverrideNs = -1;
    /** Connection establishment deadline (TCP_KEEPINIT, {@link TcpConnection#setConnectTimeout}); NEVER = by SYN retries only. */
    long establishDeadline = NEVER;
    /** When an out-of-window segment was last answered (RFC 9293 3.10.7.4, RFC 5961 rate limit). */
    long lastOutOfWindowAck = Long.MIN_VALUE / 2;
    /** Keepalive probes sent since the peer was last heard (RFC 9293 3.8.4). */
    int keepalivesSent;
    /** Zero-window probes sent since the peer was last heard (with keepalivesSent: Linux icsk_probes_out, tcpi_probes). */
    int windowProbesOut;
    /** Accepted from a held SYN ({@link TcpIntercept}), else null. */
    TcpIntercept intercept;
    /** SND.MAX when cwnd was last reduced on ECE ({@link Ecn#RECOVER}). */
    int ecnRecover;
    /** Accurate ECN's counters ({@link Ecn#ACCURATE}), else null. */
    AccEcn accEcn;
    /** RFC 7413: a listener's Fast Open child not yet established; the SYN's data was taken or acknowledged. */
    boolean fastOpenChild, synData;
    /** The stack's Fast Open state, for a client connection that used it (its SYN,ACK updates the cache). */
    FastOpen fastOpen;
    /**
     * RFC 7413: the Fast Open option of our next SYN or SYN,ACK (first transmission only, as
     * Linux), or null; bytes of data our first SYN carries (retransmitted SYNs carry none).
     * Here, not in TcpSender, so a connection without Fast Open pays nothing for them.
     */
    FastOpen.Option synFo;
    int synDataLen;
    /** MSG_EOR record ends ({@link TcpConnection#sendRecord}), else null. */
    Records records;
    /** SND.UP and whether urgent mode is on ({@link Urgent}). */
    int sndUp;
    boolean urgentMode;
    /** A FIN that came ahead of a hole ({@link TcpConnection#rememberOooFin}): processed once the hole fills. */
    boolean oooFinValid;
    int oooFinSeq;
    /** The MSS a path MTU learnt earlier allows (TcpLayer's PathMtuCache), 0 if none: caps effMss. */
    int pathMss;
    /** SO_TIMESTAMPING ({@link Timestamping}), else null. */
    Timestamping timestamping;
    /** Received urgent data ({@link Urgent}): Linux's urg_seq and urg_data; SO_OOBINLINE. */
    int urgSeq, urgData;
    boolean oobInline;
    /** The TCP-MD5 key for this connection's peer ({@link Md5}), else null. */
    TcpMd5Key md5;
    /** IP_TOS / IPV6_TCLASS without the ECN bits ({@link TcpConnection#setTrafficClass}). */
    int tos;
    /** Linux's per-skb send-buffer accounting ({@link SkbQueue}), else null. */
    SkbQueue skbs;
    /** Linux's receive-memory accounting ({@link RcvMem}), else null. */
    RcvMem rcvMem;
    /** IP_MTU_DISCOVER set on this connection ({@link TcpConnection#setPmtuDiscovery}), else null: the configuration's. */
    org.netstack4j.path.PmtuDiscovery pmtu;
    /** Internal pacing's departure time and timer ({@link Pacing}), else null. */
    Pacing pacing;
    /** A blocked read's buffer ({@link ReadTarget}), else null. */
    ReadTarget readTarget;

    private Rare() {}

    /** The connection's rare part, created on first use. */
    static Rare of(TcpConnection c) {
        if (c.rare == null) c.rare = new Rare();
        return c.rare;
    }

    /** When an out-of-window segment was last answered with an ACK ({@link TcpConnection#OUT_OF_WINDOW_ACK_INTERVAL_NS}). */
    static long lastOutOfWindowAck(TcpConnection c) { return c.rare != null ? c.rare.lastOutOfWindowAck : Long.MIN_VALUE / 2; }

    static void outOfWindowAckSent(TcpConnection c, long now) { of(c).lastOutOfWindowAck = now; }

    /** The DSCP bits of every segment of this connection (IP_TOS without ECN), 0 by default. */
    static int tos(TcpConnection c) { return c.rare != null ? c.rare.tos : 0; }

    /** The connection's path MTU discovery mode: its own ({@link #pmtu}) or its configuration's. */
    static org.netstack4j.path.PmtuDiscovery pmtu(TcpConnection c) {
        return c.rare != null && c.rare.pmtu != null ? c.rare.pmtu : c.cfg().quirks().pmtuDiscovery();
    }

    /** The MSS a path MTU learnt earlier allows this connection, 0 if none ({@link #pathMss}). */
    static int pathMss(TcpConnection c) { return c.rare != null ? c.rare.pathMss : 0; }
}
