package org.netstack4j.tcp;

import org.netstack4j.tcp.cc.CongestionControl;
import org.netstack4j.tcp.recovery.LossRecovery;
import org.netstack4j.tcp.seqnum.Seq;
import org.netstack4j.wire.IpMeta;
import org.netstack4j.wire.TcpRepr;

/**
 * Explicit Congestion Notification for TCP (RFC 3168 6.1), the connection's side of it: the
 * negotiation on SYN and SYN,ACK, the codepoint and CWR of what we send, the ECE we echo after a
 * CE mark, and the congestion response to the peer's ECE. The state is a few bits of
 * {@link TcpConnection#ecnFlags} and one sequence number (in the connection's rarely used part); static over the connection like
 * {@link SegmentArrives}.
 *
 * <pre>
 *   A (tcp_ecn=1)                                   B (tcp_ecn=1 or 2)
 *   SYN + ECE + CWR ("ECN-setup SYN")          ->
 *                                              <-   SYN,ACK + ECE ("ECN-setup SYN-ACK")
 *   data, IP ECT(0)                            ->   router marks it CE
 *                                              <-   ACK + ECE, on every ACK until ...
 *   cwnd reduced once; next new data + CWR     ->   ... CWR arrives
 * </pre>
 */
final class Ecn {
    /** Our SYN asked for ECN (active open). */
    static final byte REQUESTED = 1;
    /** ECN agreed: new data goes out ECT(0); CE marks are echoed; ECE reduces cwnd. */
    static final byte OK = 2;
    /** A CE mark arrived: every ACK carries ECE until the peer's CWR (RFC 3168 6.1.3). */
    static final byte ECHO = 4;
    /** cwnd was reduced on ECE: the next new data segment carries CWR (RFC 3168 6.1.2). */
    static final byte SEND_CWR = 8;
    /** {@link Rare#ecnRecover} is set: ECEs for data sent before it cause no new reduction. */
    static final byte RECOVER = 16;
    /** Accurate ECN (RFC 9768) is in use: {@link AccEcn} has the counters; ECE and CWR are part of ACE. */
    static final byte ACCURATE = 32;
    /** One of our SYNs asked for Accurate ECN (active open), even if a retransmission no longer does. */
    static final byte ACCURATE_REQUESTED = 64;

    private Ecn() {}

    /** An "ECN-setup SYN": SYN with ECE and CWR (RFC 3168 6.1.1). */
    static boolean synRequests(TcpRepr syn) { return syn.has(TcpRepr.ECE) && syn.has(TcpRepr.CWR); }

    /** The flags our SYN (or SYN,ACK) adds; {@code retransmissions}: times this SYN was sent before. */
    static int synFlags(TcpConnection c, boolean synAck, int retransmissions) {
        if (synAck && (c.ecnFlags & ACCURATE) != 0) return AccEcn.synAckFlags(c, retransmissions);
        if (synAck) return (c.ecnFlags & OK) != 0 ? TcpRepr.ECE : 0; // ECE without CWR
        int mode = c.cfg().options().ecn();
        if (mode == TcpConfig.Options.ECN_ACCURATE) {
            // RFC 9768 3.1.4.1: the first retransmission still asks for AccECN; later ones do not
            // (Linux, with tcp_ecn_fallback), though a SYN,ACK that agrees is still taken
            c.ecnFlags |= ACCURATE_REQUESTED;
            return retransmissions < 2 || !c.cfg().options().ecnFallback() ? TcpRepr.ACE_FLAGS : 0;
        }
        if (retransmissions > 0 && c.cfg().options().ecnFallback()) {
            // RFC 3168 6.1.1.1: a SYN that went unanswered may have met a middlebox that drops
            // ECN-setup SYNs; the retransmission goes without (Linux tcp_ecn_clear_syn)
            c.ecnFlags &= ~REQUESTED;
            return 0;
        }
        if (retransmissions > 0) return (c.ecnFlags & REQUESTED) != 0 ? TcpRepr.ECE | TcpRepr.CWR : 0;
        if (mode != TcpConfig.Options.ECN_ON && mode != TcpConfig.Options.ECN_ACCURATE_IN) return 0;
        c.ecnFlags |= REQUESTED;
        return TcpRepr.ECE | TcpRepr.CWR;
    }

    /**
     * The peer's SYN or SYN,ACK decides (RFC 3168 6.1.1): a passive open agrees when the SYN asks
     * and ECN is not off; an active open when the SYN,ACK has ECE without CWR and our SYN asked. A
     * simultaneous open (a SYN without ACK in SYN-SENT) has no ECN: RFC 3168 does not define it.
     */
    static void negotiate(TcpConnection c, TcpRepr seg, int ipEcn) {
        boolean ok;
        int mode = c.cfg().options().ecn();
        if (seg.has(TcpRepr.ACK) && (c.ecnFlags & ACCURATE_REQUESTED) != 0) {
            int bits = AccEcn.synAckArrives(c, seg, ipEcn);
            c.ecnFlags = (byte) bits;
            if ((bits & OK) != 0) c.layer.counters().ecnNegotiated.increment();
            return;
        }
        if (!seg.has(TcpRepr.ACK) && c.state != TcpState.SYN_SENT && AccEcn.synRequests(seg) && AccEcn.accepts(mode)) {
            c.ecnFlags = OK | ACCURATE;
            AccEcn.passiveAgreed(c, ipEcn);
            c.layer.counters().ecnNegotiated.increment();
            return;
        }
        if (seg.has(TcpRepr.ACK)) {
            ok = (c.ecnFlags & REQUESTED) != 0 && seg.has(TcpRepr.ECE) && !seg.has(TcpRepr.CWR);
        } else {
            ok = c.state != TcpState.SYN_SENT && synRequests(seg) && c.cfg().options().ecn() != TcpConfig.Options.ECN_OFF;
        }
        if (ok) {
            c.ecnFlags |= OK;
            c.layer.counters().ecnNegotiated.increment();
        } else {
            c.ecnFlags &= ~OK;
        }
    }

    /**
     * The flags and IP codepoint of a non-SYN segment we send. New data is ECT(0) and carries the
     * pending CWR; retransmissions, pure ACKs and window probes are Not-ECT (RFC 3168 6.1.5, 6.1.6).
     * Every ACK carries ECE while we echo a CE mark. Returns the TCP flags with the IP codepoint
     * above them: {@code r & 0xffff} are the flags, {@code r >>> 16} the codepoint.
     */
    static int outgoing(TcpConnection c, int flags, int seq, int len) {
        if ((c.ecnFlags & OK) == 0) return flags;
        if ((c.ecnFlags & ACCURATE) != 0) {
            // RFC 9768 3.2.2.1: every ACK carries ACE; Linux sends all segments ECT(0) (3.3.1 allows it)
            flags &= ~TcpRepr.ACE_FLAGS;
            if ((flags & TcpRepr.ACK) != 0) flags |= AccEcn.aceOut(c);
            return flags | AccEcn.ipEcn(c) << 16;
        }
        int ecn = IpMeta.NOT_ECT;
        if (len > 0 && !Seq.lt(seq, c.sndMax) && !(len == 1 && c.sndWnd == 0)) {
            ecn = IpMeta.ECT0;
            if ((c.ecnFlags & SEND_CWR) != 0) {
                flags |= TcpRepr.CWR;
                c.ecnFlags &= ~SEND_CWR;
                c.layer.counters().outCwr.increment();
            }
        }
        if ((flags & TcpRepr.ACK) != 0 && (c.ecnFlags & ECHO) != 0) flags |= TcpRepr.ECE;
        return flags | ecn << 16;
    }

    /**
     * An acceptable segment of an ECN connection, before its text is processed (RFC 3168 6.1.3):
     * CWR ends our echo; a CE mark starts it (again), and is ACKed at once so that a sender with a
     * small window learns soon (Linux enters quick-ACK mode).
     */
    static void received(TcpConnection c, TcpRepr seg, int ipEcn) {
        if ((c.ecnFlags & OK) == 0 || (c.ecnFlags & ACCURATE) != 0) return;
        if (seg.has(TcpRepr.CWR)) {
            c.ecnFlags &= ~ECHO;
            c.layer.counters().inCwr.increment();
        }
        if (ipEcn == IpMeta.CE) {
            c.layer.counters().inCe.increment();
            if ((c.ecnFlags & ECHO) == 0) c.rcv.ackPending = true;
            c.ecnFlags |= ECHO;
        }
    }

    /**
     * An acceptable ACK with ECE (RFC 3168 6.1.2): the network marked our data. cwnd and ssthresh
     * go down as for a loss, once per window of data (ECEs for data sent before the last reduction
     * change nothing), and not during a loss recovery, which has already reduced; no retransmission.
     */
    static void eceArrives(TcpConnection c, long now, int ack) {
        if ((c.ecnFlags & OK) == 0) return;
        reduce(c, now, ack);
    }

    /**
     * The congestion response to CE marks the peer fed back, classic ECE or an Accurate ECN ACE
     * increase (Linux drives non-DCTCP congestion control from delivered CE as from ECE): once per
     * window; an AccECN connection sends no CWR (RFC 9768 3.2.2: ACE takes the flag).
     */
    static void reduce(TcpConnection c, long now, int ack) {
        if ((c.ecnFlags & RECOVER) != 0 && Seq.le(ack, c.rare.ecnRecover)) return;
        LossRecovery r = c.recovery();
        if (r.inRecovery()) return;
        CongestionControl cc = r.cc();
        // ssthresh from the window in use, as Linux's tcp_enter_cwr (RFC 3168 6.1.2: "halve cwnd")
        cc.onCongestionEvent(Math.max(Seq.sub(c.sndMax, c.sndUna), r.cwnd()), now);
        cc.setCwnd(Math.max(cc.ssthresh(), c.effMss));
        Rare.of(c).ecnRecover = c.sndMax;
        c.ecnFlags |= (c.ecnFlags & ACCURATE) != 0 ? RECOVER : RECOVER | SEND_CWR;
        c.layer.counters().ecnReductions.increment();
    }
}
