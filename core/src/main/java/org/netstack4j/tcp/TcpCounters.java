package org.netstack4j.tcp;

import org.netstack4j.tcp.recovery.RecoveryCounters;
import org.netstack4j.trace.Counters;
import org.netstack4j.trace.Counters.Counter;

/**
 * The TCP counters of one stack (netstat -s names, see the constructor), looked up by name once
 * when the layer is built; connections increment fields. A counter still at 0 does not show in
 * {@link Counters#snapshot()}, so registering them all up front changes nothing visible.
 */
final class TcpCounters {
    final Counter inSegments, outSegments, outRsts, windowUpdates, delayedAcks, activeOpens, passiveOpens, established,
            estabResets, inRsts, inSynResets, inOutOfOrder, oooRangesFull, outKeepalives, outRstDataAfterClose,
            outWindowProbes, outOfWindowAcksRateLimited, pawsAcksRateLimited, retransmits, timeouts, timeoutsInRecovery,
            timeoutsRepeated, timedOut, connectTimeouts, userTimeouts, cwndRestarts, pmtuReductions, icmpOutOfWindow,
            icmpNoConnection, challengeAcks, challengeAcksRateLimited, timeWaitReused;
    /** Hardening (SYN cookies, limits, buffer memory, PMTU floor). */
    final Counter syncookiesSent, syncookiesValid, syncookiesFailed, syncookiesExpired, connectionLimit, memoryRefused,
            memoryPressure, memoryWindowClamped, timeWaitOverflow, orphansOverflow, pmtuBelowFloor;
    /** ECN (RFC 3168): connections that agreed on it, ECT segments sent, CE marks received, ECE reductions, CWRs sent and received. */
    final Counter ecnNegotiated, outEct, inCe, ecnReductions, outCwr, inCwr;
    /**
     * Accurate ECN (RFC 9768): connections in AccECN mode, fallbacks to classic ECN and to none,
     * CE-marked packets counted (r.cep), CE packets the peer's ACE fed back (delivered CE), AccECN
     * options sent and received, and the failure modes entered (bleached or wrong ACE, options lost).
     */
    final Counter accEcnNegotiated, accEcnFallbackClassic, accEcnFallbackNone, accEcnInCe, accEcnDeliveredCe,
            accEcnOptionsSent, accEcnOptionsReceived, accEcnAceFailed, accEcnOptionFailed;
    /** D-SACK blocks reported (RFC 2883) for a duplicate below RCV.NXT and above it (Linux TCPDSACKOldSent, TCPDSACKOfoSent). */
    final Counter dsackOldSent, dsackOfoSent;
    /**
     * Segments dropped for text past the advertised right edge (Linux LINUX_MIB_BEYOND_WINDOW) and
     * text at RCV.NXT dropped for a zero window (LINUX_MIB_TCPZEROWINDOWDROP).
     */
    final Counter beyondWindow, zeroWindowDrop;
    /**
     * Receive memory ({@link RcvMem}): the queue pruned for a segment past sk_rcvbuf (Linux
     * PruneCalled), pruning that freed too little (RcvPruned), and text dropped for it (TCPRcvQDrop).
     */
    final Counter pruneCalled, rcvPruned, rcvQDrop;
    /** Bytes copied straight into a blocked read's array ({@link ReadTarget}), not through the receive buffer. */
    final Counter readDirectBytes;
    final RecoveryCounters recovery;

    TcpCounters(Counters c) {
        inSegments = c.counter("tcp.in.segments");
        readDirectBytes = c.counter("tcp.in.read_direct_bytes");
        outSegments = c.counter("tcp.out.segments");
        outRsts = c.counter("tcp.out.rsts");
        windowUpdates = c.counter("tcp.out.window_updates");
        delayedAcks = c.counter("tcp.delayed_acks");
        activeOpens = c.counter("tcp.active_opens");
        passiveOpens = c.counter("tcp.passive_opens");
        established = c.counter("tcp.established");
        estabResets = c.counter("tcp.estab_resets");
        inRsts = c.counter("tcp.in.rsts");
        inSynResets = c.counter("tcp.in.syn_resets");
        inOutOfOrder = c.counter("tcp.in.out_of_order");
        oooRangesFull = c.counter("tcp.drop.ooo_ranges_full");
        beyondWindow = c.counter("tcp.drop.beyond_window");
        zeroWindowDrop = c.counter("tcp.drop.zero_window");
        pruneCalled = c.counter("tcp.rcv.prune_called");
        rcvPruned = c.counter("tcp.rcv.pruned");
        rcvQDrop = c.counter("tcp.drop.rcvq_full");
        outKeepalives = c.counter("tcp.out.keepalives");
        outRstDataAfterClose = c.counter("tcp.out.rst_data_after_close");
        outWindowProbes = c.counter("tcp.out.window_probes");
        outOfWindowAcksRateLimited = c.counter("tcp.out_of_window_acks_rate_limited");
        pawsAcksRateLimited = c.counter("tcp.paws_acks_rate_limited");
        retransmits = c.counter("tcp.retransmits");
        timeouts = c.counter("tcp.timeouts");
        timeoutsInRecovery = c.counter("tcp.timeouts_in_recovery");
        timeoutsRepeated = c.counter("tcp.timeouts_repeated");
        timedOut = c.counter("tcp.timed_out");
        connectTimeouts = c.counter("tcp.connect_timeouts");
        userTimeouts = c.counter("tcp.user_timeouts");
        cwndRestarts = c.counter("tcp.cwnd_restarts");
        pmtuReductions = c.counter("tcp.pmtu_reductions");
        icmpOutOfWindow = c.counter("tcp.icmp.out_of_window");
        icmpNoConnection = c.counter("tcp.icmp.no_connection");
        challengeAcks = c.counter("tcp.out.challenge_acks");
        challengeAcksRateLimited = c.counter("tcp.challenge_acks_rate_limited");
        timeWaitReused = c.counter("tcp.time_wait_reused");
        ecnNegotiated = c.counter("tcp.ecn.negotiated");
        outEct = c.counter("tcp.ecn.out_ect");
        inCe = c.counter("tcp.ecn.in_ce");
        ecnReductions = c.counter("tcp.ecn.cwnd_reductions");
        outCwr = c.counter("tcp.ecn.out_cwr");
        inCwr = c.counter("tcp.ecn.in_cwr");
        accEcnNegotiated = c.counter("tcp.accecn.negotiated");
        accEcnFallbackClassic = c.counter("tcp.accecn.fallback_classic");
        accEcnFallbackNone = c.counter("tcp.accecn.fallback_none");
        accEcnInCe = c.counter("tcp.accecn.in_ce");
        accEcnDeliveredCe = c.counter("tcp.accecn.delivered_ce");
        accEcnOptionsSent = c.counter("tcp.accecn.options_sent");
        accEcnOptionsReceived = c.counter("tcp.accecn.options_received");
        accEcnAceFailed = c.counter("tcp.accecn.ace_failed");
        accEcnOptionFailed = c.counter("tcp.accecn.option_failed");
        dsackOldSent = c.counter("tcp.out.dsack_old");
        dsackOfoSent = c.counter("tcp.out.dsack_ofo");
        syncookiesSent = c.counter("tcp.syncookies.sent");
        syncookiesValid = c.counter("tcp.syncookies.valid");
        syncookiesFailed = c.counter("tcp.syncookies.failed");
        syncookiesExpired = c.counter("tcp.syncookies.expired");
        connectionLimit = c.counter("tcp.connection_limit");
        memoryRefused = c.counter("tcp.memory.refused");
        memoryPressure = c.counter("tcp.memory.pressure");
        memoryWindowClamped = c.counter("tcp.memory.window_clamped");
        timeWaitOverflow = c.counter("tcp.time_wait_overflow");
        orphansOverflow = c.counter("tcp.orphans_overflow");
        pmtuBelowFloor = c.counter("tcp.icmp.pmtu_below_floor");
        recovery = RecoveryCounters.of(c);
    }
}
