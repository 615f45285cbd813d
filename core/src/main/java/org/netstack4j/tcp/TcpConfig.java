package org.netstack4j.tcp;

import java.util.Objects;
import org.netstack4j.time.Time;
/**
 * TCP tunables, immutable. {@link #defaults()} take Linux's values (buffers, RTO floor, option
 * layout) and the RFC rule wherever an RFC gives one; {@link #linuxLike()} and
 * {@link #freebsdLike()} add the behaviours where those stacks choose differently within (or,
 * documented per field, beside) the RFCs. Build variations with
 * {@code TcpConfig.builder()...build()} or {@code config.toBuilder()}. Two fields are lab-only
 * switches that break the protocol on purpose: {@code timeWaitEnabled=false} and
 * {@code twoWayHandshake=true}.
 *
 * @param mss The most we announce as MSS (RFC 9293 3.7.1; TCP_MAXSEG): a connection announces
 *        the smaller of this and its route's MSS ({@link PathInfo}), and also caps its effective
 *        send MSS with it. 0: no cap, the route's MSS alone ({@link #DEFAULT_ROUTELESS_MSS} when
 *        the layer knows no route).
 * @param receiveBufferSize Receive buffer bytes; the advertised window comes from its free space.
 * @param sendBufferSize Send buffer bytes (unacknowledged + unsent).
 * @param windowScale Offer window scaling (RFC 7323 2).
 * @param windowScaleShift Our shift when window scaling is agreed (0..14).
 * @param timestamps Offer timestamps (RFC 7323 3): RTTM and PAWS.
 * @param sack Offer SACK-permitted (RFC 2018); we generate SACK blocks.
 * @param initialRtoNs RFC 6298 2.1: 1 s.
 * @param minRtoNs Lower bound on the RTO (Linux 200 ms; RFC 6298 2.4 says 1 s).
 * @param maxRtoNs Upper bound on the RTO (RFC 6298 2.5: at least 60 s).
 * @param clockGranularityNs G of RFC 6298 2: the timer granularity.
 * @param mslNs Maximum segment lifetime; TIME-WAIT lasts 2*MSL.
 * @param delayedAckNs Delayed ACK timeout (RFC 9293 3.8.6.3: at most 500 ms); 0 = ACK every segment.
 * @param noDelay Disable Nagle (RFC 896) for new connections.
 * @param synRetries SYN retransmissions before TIMED_OUT.
 * @param synAckRetries SYN-ACK retransmissions before a half-open connection is dropped.
 * @param dataRetries Retransmissions of data/FIN before TIMED_OUT.
 * @param userTimeoutNs RFC 9293 3.10.8 USER TIMEOUT: abort when data stays unacknowledged this long; 0 = off.
 * @param keepalive Send keep-alives (RFC 9293 3.8.4); off by default.
 * @param keepaliveIdleNs Idle time before the first keep-alive.
 * @param keepaliveIntervalNs Between unanswered keep-alives.
 * @param keepaliveProbes Unanswered keep-alives before TIMED_OUT.
 * @param optionLayout Option order on SYN and SYN-ACK.
 * @param initialWindowSegments RFC 6928 initial congestion window, in segments.
 * @param rstInTimeWait RST in TIME-WAIT closes it (RFC 9293); false = ignore it (RFC 1337 remedy).
 * @param synQueueLimit Half-open (SYN-RECEIVED) connections per listener.
 * @param ephemeralPortMin RFC 6056 ephemeral range (IANA default).
 * @param ephemeralPortMax inclusive upper bound of the ephemeral range.
 * @param challengeAckLimit RFC 5961 10: challenge ACKs per second for the whole layer.
 * @param maxOutOfOrderRanges Bound on holes kept for reassembly (the bytes are bounded by the window).
 * @param timeWaitEnabled LAB ONLY. false: skip TIME-WAIT, go CLOSED at once and forget the connection.
 * @param twoWayHandshake LAB ONLY, deliberately broken: a passive open becomes ESTABLISHED on the SYN alone.
 * @param receiveWindowPolicy How the advertised receive window follows the free buffer space.
 * @param quickAcks Linux's quick-ACK mode: the first this many data segments of a connection
 *        (and the first after a silence longer than the RTO) are ACKed at once, not delayed;
 *        a FIN received in ESTABLISHED ends the mode (the exchange is taken as interactive). 0 = off.
 * @param delayedAckAnySize true: a delayed ACK is sent on the second data segment whatever its
 *        size, at once for a segment longer than the MSS (FreeBSD); false: on the second
 *        full-sized segment (RFC 5681 4.2 / RFC 9293 3.8.6.3 SHOULD).
 * @param repeatFinOnAck true: while our FIN is unacknowledged, an ACK we send (not a challenge
 *        ACK) carries the FIN again at its sequence number (FreeBSD tcp_output); false: a bare ACK.
 * @param resetSynAckInListen true: a SYN,ACK arriving at a listener gets a RST (RFC 9293 3.10.7.2
 *        second check); false: it is dropped silently (FreeBSD).
 * @param resetHalfOpenOnListenerClose true: closing a listener resets its SYN-RECEIVED connections;
 *        false: they are forgotten silently and the peer's next segment meets a closed port (Linux, gVisor).
 * @param ackUnsentAck true: a segment acknowledging data not yet sent (SEG.ACK > SND.NXT) is
 *        answered with an ACK and dropped (RFC 9293 3.10.7.4 fifth step, RFC 5961 5.2; FreeBSD);
 *        false: dropped silently (Linux tcp_ack).
 * @param abortRstWithAck true: the RST of an ABORT (or a close with unread data) carries
 *        &lt;ACK=RCV.NXT&gt; (Linux, FreeBSD); false: the RFC 9293 3.10.5 form &lt;SEQ=SND.NXT&gt;&lt;CTL=RST&gt;.
 * @param timeWaitIgnoresNonAck true: in TIME-WAIT a segment with neither ACK, SYN nor RST is
 *        dropped without an answer (FreeBSD tcp_twcheck); false: RFC 9293 3.10.7.4 (an ACK when
 *        it is outside the window).
 * @param zeroWindowProbeData true: a zero-window probe carries one octet of new data past the
 *        window (RFC 9293 3.8.6.1; FreeBSD); false: it is an empty segment with SEG.SEQ =
 *        SND.UNA - 1, which the receiver must answer with an ACK showing its window (RFC 1122
 *        4.2.2.17 leaves the probe's form open; Linux tcp_write_wakeup / tcp_xmit_probe_skb).
 * @param nagleMinshall true: Minshall's variant of Nagle (draft-minshall-nagle; Linux
 *        tcp_minshall_check): a short segment waits only while an earlier short segment is
 *        unacknowledged, so the tail of a large write goes out with the full segments before it;
 *        false: RFC 896 / RFC 9293 3.7.4, a short segment waits while any data is unacknowledged.
 * @param challengeAckOnRst true: a RST in the window but not at RCV.NXT gets a challenge ACK
 *        (RFC 5961 3.2); false: any RST in the window resets the connection (RFC 793 3.4,
 *        FreeBSD net.inet.tcp.insecure_rst=1).
 * @param challengeAckOnSyn true: a SYN in a synchronized state gets a challenge ACK (RFC 5961
 *        4.2); false: a SYN in the window resets the connection with a RST (RFC 793 3.9,
 *        FreeBSD net.inet.tcp.insecure_syn=1).
 * @param icmpHardErrorsInSynSent true: an ICMP protocol or port unreachable quoting our SYN
 *        ends a connection in SYN-SENT (RFC 1122 4.2.3.9 hard errors; FreeBSD icmp_may_rst=1);
 *        false: every ICMP error is soft and only named if the connection later times out.
 * @param icmpProhibitedIsHard true: in SYN-SENT, "administratively prohibited" unreachables
 *        (codes 9, 10, 13; RFC 1812 5.2.7.1) end the connection as refused and a time exceeded
 *        in transit as host unreachable (FreeBSD tcp_drop_syn_sent); false: they are soft
 *        errors (RFC 1122 4.2.3.9, RFC 5461).
 * @param slowStartAbcLimit how much one ACK may grow cwnd in slow start, in segments: 1 = RFC
 *        5681 3.1 (at most SMSS per ACK); 2 = RFC 3465's L = 2 (FreeBSD tcp_abc_l_var); 0 = by
 *        everything the ACK covers (Linux tcp_slow_start counts the segments acknowledged), so a
 *        receiver that ACKs every second segment still doubles cwnd per round trip.
 * @param bareSynAfterRetries from this retransmission of a SYN on, it carries the MSS option
 *        only, in case a middlebox drops SYNs with options it does not know (FreeBSD
 *        net.inet.tcp.rexmit_drop_options: from the third); 0 = never.
 * @param cwndValidation true: cwnd grows only while the sender uses it: in slow start while
 *        cwnd is below twice the most data in flight during the last window, in congestion
 *        avoidance only when the flight filled cwnd (RFC 7661's idea, in Linux's form,
 *        tcp_is_cwnd_limited); false: every ACK of new data may grow cwnd (RFC 5681 3.1).
 * @param slowStartAfterIdle true: after sending nothing for an RTO, cwnd restarts from at
 *        most the initial window (RFC 5681 4.1), halved once per idle RTO as Linux does
 *        (tcp_cwnd_restart); false: cwnd survives idle periods.
 * @param dropMissingTimestamps true: once timestamps are agreed, a non-RST segment without a
 *        TSopt is dropped (RFC 7323 3.2 SHOULD; FreeBSD tolerate_missing_ts=0); false: it is
 *        processed as if timestamps were not in use for it.
 * @param connectTimeoutNs an active open still in SYN-SENT or SYN-RECEIVED this long after it
 *        began ends TIMED_OUT, SYN retries left or not (FreeBSD net.inet.tcp.keepinit, 75 s;
 *        RFC 1122 4.2.3.5 R2 for a SYN: at least 3 minutes); 0 = bounded by synRetries only.
 * @param tailLossProbe true: with SACK, outside recovery, a tail loss probe goes out 2 SRTT
 *        after the last transmission (plus the worst-case delayed ACK, 200 ms, when one
 *        segment is in flight), earlier than the RTO: one new segment, or the last one again
 *        (RFC 8985 7; Linux tcp_schedule_loss_probe); false: only the RTO recovers a lost tail.
 * @param earlyRetransmit RFC 5827 early retransmit with SACK: when fewer than four segments
 *        are outstanding, no new data can be sent and all but one are SACKed, fast retransmit
 *        starts without waiting for three duplicates: 0 = off, 1 = at once, 2 = after a quarter
 *        of SRTT (at least 2 ms) without a further ACK (RFC 5827 A.3; Linux tcp_early_retrans).
 * @param timeWaitReuseDelayNs an active open may take over the 4-tuple of a connection in
 *        TIME-WAIT that used timestamps once its TS.Recent is this old (Linux tcp_tw_reuse with
 *        tcp_tw_reuse_delay; RFC 6191's idea on the active side); negative = never.
 * @param minRtoOnVariance true: the minimum RTO bounds the variance term, RTO = SRTT +
 *        max(K * RTTVAR, min RTO) (Linux tcp_rtt_estimator / __tcp_set_rto); false: it bounds
 *        the whole RTO (RFC 6298 2.4).
 * @param coalesceAcks in-order full-sized segments that arrive in one burst (one poll of the
 *        devices, as from one read of a TUN device or one delivery instant of a link) are
 *        acknowledged by one ACK sent when the burst has been processed, instead of one ACK per
 *        second segment: what Linux's GRO does before TCP sees the segments. Out-of-order,
 *        gap-filling and quick ACKs still go at once. The ACK is not delayed in time (it leaves
 *        in the same instant); it only covers more. Off in the Linux- and FreeBSD-like profiles,
 *        where packetdrill scripts count ACKs per injected segment.
 * @param congestionControl the sender's congestion control: NEWRENO (RFC 5681, RFC 6582; the
 *        default) or CUBIC (RFC 9438, Linux's default), both with NewReno's loss recovery.
 * @param proportionalRateReduction true: with SACK, fast recovery sends by Proportional Rate
 *        Reduction (RFC 6937 with the slow-start reduction bound): on each ACK cwnd = pipe +
 *        sndcnt, one segment out per segment delivered once pipe is down to ssthresh, cwnd =
 *        ssthresh on leaving recovery (Linux since 3.2, tcp_cwnd_reduction); false: NewReno's
 *        cwnd = ssthresh + 3 * SMSS, inflated per duplicate ACK (RFC 5681 3.2, RFC 6582).
 * @param dsackUndo true: with SACK, a fast recovery all of whose retransmissions the peer
 *        reports as duplicates by D-SACK (RFC 2883 4.2) before it ends is undone when it ends:
 *        cwnd and ssthresh go back to at least their values before it (Linux
 *        tcp_try_undo_recovery, without its timestamp-based test); false: never undone.
 * @param hardening defences against hostile peers and the stack-wide resource limits (SYN
 *        cookies, half-open, connection, orphan and TIME-WAIT limits), kept together in one
 *        record (issue 20).
 */
public record TcpConfig(
        int mss,
        int receiveBufferSize,
        int sendBufferSize,
        boolean windowScale,
        int windowScaleShift,
        boolean timestamps,
        boolean sack,
        long initialRtoNs,
        long minRtoNs,
        long maxRtoNs,
        long clockGranularityNs,
        long mslNs,
        long delayedAckNs,
        boolean noDelay,
        int synRetries,
        int synAckRetries,
        int dataRetries,
        long userTimeoutNs,
        boolean keepalive,
        long keepaliveIdleNs,
        long keepaliveIntervalNs,
        int keepaliveProbes,
        OptionLayout optionLayout,
        int initialWindowSegments,
        boolean rstInTimeWait,
        int synQueueLimit,
        int ephemeralPortMin,
        int ephemeralPortMax,
        int challengeAckLimit,
        int maxOutOfOrderRanges,
        boolean timeWaitEnabled,
        boolean twoWayHandshake,
        ReceiveWindowPolicy receiveWindowPolicy,
        int quickAcks,
        boolean delayedAckAnySize,
        boolean repeatFinOnAck,
        boolean resetSynAckInListen,
        boolean resetHalfOpenOnListenerClose,
        boolean ackUnsentAck,
        boolean abortRstWithAck,
        boolean timeWaitIgnoresNonAck,
        boolean zeroWindowProbeData,
        boolean nagleMinshall,
        boolean challengeAckOnRst,
        boolean challengeAckOnSyn,
        boolean icmpHardErrorsInSynSent,
        boolean icmpProhibitedIsHard,
        int slowStartAbcLimit,
        int bareSynAfterRetries,
        boolean cwndValidation,
        boolean slowStartAfterIdle,
        boolean dropMissingTimestamps,
        boolean minRtoOnVariance,
        long connectTimeoutNs,
        boolean tailLossProbe,
        int earlyRetransmit,
        long timeWaitReuseDelayNs,
        boolean coalesceAcks,
        CongestionControlKind congestionControl,
        boolean proportionalRateReduction,
        boolean dsackUndo,
        Hardening hardening) {
    /** With {@code mss} 0 and no route known: RFC 9293 3.7.1's default send MSS for IPv4 (576 - 40). */
    public static final int DEFAULT_ROUTELESS_MSS = 536;

    /** The congestion control algorithms a connection can use (TcpConfig.congestionControl). */
    public enum CongestionControlKind { NEWRENO, CUBIC }

    /**
     * How the receive window is advertised (both keep the right edge from moving left,
     * RFC 9293 3.8.6.2.2 "shrinking the window is strongly discouraged").
     */
    public enum ReceiveWindowPolicy {
        /**
         * RFC 9293 3.8.6.2.2 receiver SWS avoidance: the right edge moves only when it can move
         * by at least min(RCV.BUFF / 2, Eff.snd.MSS).
         */
        SWS_AVOIDANCE,
        /**
         * Advertise all free space, max(min(free, 65535 &lt;&lt; Rcv.Wind.Shift), current right
         * edge), the shift rounding down; a window smaller than both RCV.BUFF / 4 and one MSS
         * is advertised as 0 (FreeBSD tcp_output's receiver SWS avoidance).
         */
        FREE_SPACE
    }

    public TcpConfig {
        Objects.requireNonNull(optionLayout, "optionLayout");
        Objects.requireNonNull(receiveWindowPolicy, "receiveWindowPolicy");
        Objects.requireNonNull(hardening, "hardening");
        if (quickAcks < 0) throw new IllegalArgumentException("quickAcks >= 0");
        if (slowStartAbcLimit < 0) throw new IllegalArgumentException("slowStartAbcLimit >= 0");
        if (bareSynAfterRetries < 0) throw new IllegalArgumentException("bareSynAfterRetries >= 0");
        if (mss < 0 || mss > 65495) throw new IllegalArgumentException("mss out of range: " + mss); // IPv4 allows an MTU of 68: MSS 28 (RFC 791, RFC 9293 3.7.1)
        if (windowScaleShift < 0 || windowScaleShift > 14) throw new IllegalArgumentException("window scale shift 0..14: " + windowScaleShift);
        if (receiveBufferSize < mss || sendBufferSize < 1) throw new IllegalArgumentException("buffers too small");
        if (!windowScale && receiveBufferSize > 65535) receiveBufferSize = 65535;
        if (minRtoNs <= 0 || maxRtoNs < minRtoNs || initialRtoNs <= 0) throw new IllegalArgumentException("bad RTO bounds");
        if (ephemeralPortMin < 1 || ephemeralPortMax > 65535 || ephemeralPortMin > ephemeralPortMax)
            throw new IllegalArgumentException("bad ephemeral port range");
        if (initialWindowSegments < 1) throw new IllegalArgumentException("initialWindowSegments >= 1");
        if (connectTimeoutNs < 0) throw new IllegalArgumentException("connectTimeoutNs >= 0");
        if (earlyRetransmit < 0 || earlyRetransmit > 2) throw new IllegalArgumentException("earlyRetransmit 0..2");
    }

    /** Linux-like defaults. */
    public static TcpConfig defaults() { return builder().build(); }

    public static Builder builder() { return new Builder(); }

    /**
     * The defaults with Linux's behaviour where the RFCs leave a choice: its SYN option layout,
     * quick-ACK mode (16 segments, TCP_MAX_QUICKACKS), half-open connections of a closed
     * listener forgotten silently, an ACK of unsent data dropped without an answer, RST,ACK on
     * abort, zero-window probes without data below SND.UNA, Minshall's Nagle, CUBIC (Linux's
     * default congestion control), Linux's RTO floor, tail loss probes, cwnd validation,
     * Proportional Rate Reduction in fast recovery (RFC 6937, Linux since 3.2) and its undo when
     * D-SACKs show every retransmission of the recovery to have been unnecessary.
     */
    public static TcpConfig linuxLike() { return linuxLikeBuilder().build(); }

    /** {@link #linuxLike()} as a builder. */
    public static Builder linuxLikeBuilder() {
        return builder().optionLayout(OptionLayout.linuxLike())
                .quickAcks(16)
                .resetHalfOpenOnListenerClose(false)
                .ackUnsentAck(false)
                .abortRstWithAck(true)
                .zeroWindowProbeData(false)
                .nagleMinshall(true)
                .slowStartAbcLimit(0)
                .cwndValidation(true)
                .slowStartAfterIdle(true)
                .minRtoOnVariance(true)
                .tailLossProbe(true)
                .coalesceAcks(false)
                .congestionControl(CongestionControlKind.CUBIC)
                .proportionalRateReduction(true)
                .dsackUndo(true);
    }

    /**
     * The defaults with FreeBSD's behaviour where the RFCs leave a choice: its SYN option layout,
     * the window as all free space, a delayed ACK on every second segment whatever its size, the
     * FIN repeated on ACKs while unacknowledged, RST in TIME-WAIT ignored (RFC 1337), no RST for
     * a SYN,ACK to a listener, half-open connections of a closed listener forgotten silently,
     * RST,ACK on abort, segments without ACK ignored in TIME-WAIT.
     */
    public static TcpConfig freebsdLike() { return freebsdLikeBuilder().build(); }

    /** {@link #freebsdLike()} as a builder. */
    public static Builder freebsdLikeBuilder() {
        return builder().optionLayout(OptionLayout.freebsdLike())
                .windowScaleShift(6)
                .receiveWindowPolicy(ReceiveWindowPolicy.FREE_SPACE)
                .delayedAckAnySize(true)
                .repeatFinOnAck(true)
                .rstInTimeWait(false)
                .resetSynAckInListen(false)
                .resetHalfOpenOnListenerClose(false)
                .abortRstWithAck(true)
                .timeWaitIgnoresNonAck(true)
                .icmpProhibitedIsHard(true)
                .slowStartAbcLimit(2)
                .coalesceAcks(false);
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.mss = mss;
        b.receiveBufferSize = receiveBufferSize;
        b.sendBufferSize = sendBufferSize;
        b.windowScale = windowScale;
        b.windowScaleShift = windowScaleShift;
        b.timestamps = timestamps;
        b.sack = sack;
        b.initialRtoNs = initialRtoNs;
        b.minRtoNs = minRtoNs;
        b.maxRtoNs = maxRtoNs;
        b.clockGranularityNs = clockGranularityNs;
        b.mslNs = mslNs;
        b.delayedAckNs = delayedAckNs;
        b.noDelay = noDelay;
        b.synRetries = synRetries;
        b.synAckRetries = synAckRetries;
        b.dataRetries = dataRetries;
        b.userTimeoutNs = userTimeoutNs;
        b.keepalive = keepalive;
        b.keepaliveIdleNs = keepaliveIdleNs;
        b.keepaliveIntervalNs = keepaliveIntervalNs;
        b.keepaliveProbes = keepaliveProbes;
        b.optionLayout = optionLayout;
        b.initialWindowSegments = initialWindowSegments;
        b.rstInTimeWait = rstInTimeWait;
        b.synQueueLimit = synQueueLimit;
        b.ephemeralPortMin = ephemeralPortMin;
        b.ephemeralPortMax = ephemeralPortMax;
        b.challengeAckLimit = challengeAckLimit;
        b.maxOutOfOrderRanges = maxOutOfOrderRanges;
        b.timeWaitEnabled = timeWaitEnabled;
        b.twoWayHandshake = twoWayHandshake;
        b.receiveWindowPolicy = receiveWindowPolicy;
        b.quickAcks = quickAcks;
        b.delayedAckAnySize = delayedAckAnySize;
        b.repeatFinOnAck = repeatFinOnAck;
        b.resetSynAckInListen = resetSynAckInListen;
        b.resetHalfOpenOnListenerClose = resetHalfOpenOnListenerClose;
        b.ackUnsentAck = ackUnsentAck;
        b.abortRstWithAck = abortRstWithAck;
        b.timeWaitIgnoresNonAck = timeWaitIgnoresNonAck;
        b.zeroWindowProbeData = zeroWindowProbeData;
        b.nagleMinshall = nagleMinshall;
        b.challengeAckOnRst = challengeAckOnRst;
        b.challengeAckOnSyn = challengeAckOnSyn;
        b.icmpHardErrorsInSynSent = icmpHardErrorsInSynSent;
        b.icmpProhibitedIsHard = icmpProhibitedIsHard;
        b.slowStartAbcLimit = slowStartAbcLimit;
        b.bareSynAfterRetries = bareSynAfterRetries;
        b.cwndValidation = cwndValidation;
        b.slowStartAfterIdle = slowStartAfterIdle;
        b.dropMissingTimestamps = dropMissingTimestamps;
        b.minRtoOnVariance = minRtoOnVariance;
        b.connectTimeoutNs = connectTimeoutNs;
        b.tailLossProbe = tailLossProbe;
        b.earlyRetransmit = earlyRetransmit;
        b.timeWaitReuseDelayNs = timeWaitReuseDelayNs;
        b.coalesceAcks = coalesceAcks;
        b.congestionControl = congestionControl;
        b.proportionalRateReduction = proportionalRateReduction;
        b.dsackUndo = dsackUndo;
        b.hardening = hardening;
        return b;
    }

    /** Mutable builder; starts from the defaults. */
    public static final class Builder {
        private int mss = 1460;
        private int receiveBufferSize = 131072;
        private int sendBufferSize = 131072;
        private boolean windowScale = true;
        private int windowScaleShift = 7;
        private boolean timestamps = true;
        private boolean sack = true;
        private long initialRtoNs = Time.s(1);
        private long minRtoNs = Time.ms(200);
        private long maxRtoNs = Time.s(120);
        private long clockGranularityNs = Time.ms(1);
        private long mslNs = Time.s(30);
        private long delayedAckNs = Time.ms(40);
        private boolean noDelay = false;
        private int synRetries = 6;
        private int synAckRetries = 5;
        private int dataRetries = 15;
        private long userTimeoutNs = 0;
        private boolean keepalive = false;
        private long keepaliveIdleNs = Time.s(7200);
        private long keepaliveIntervalNs = Time.s(75);
        private int keepaliveProbes = 9;
        private OptionLayout optionLayout = OptionLayout.linuxLike();
        private int initialWindowSegments = 10;
        private boolean rstInTimeWait = true;
        private int synQueueLimit = 256;
        private int ephemeralPortMin = 49152;
        private int ephemeralPortMax = 65535;
        private int challengeAckLimit = 1000;
        private int maxOutOfOrderRanges = 64;
        private boolean timeWaitEnabled = true;
        private boolean twoWayHandshake = false;
        private ReceiveWindowPolicy receiveWindowPolicy = ReceiveWindowPolicy.SWS_AVOIDANCE;
        private int quickAcks = 0;
        private boolean delayedAckAnySize = false;
        private boolean repeatFinOnAck = false;
        private boolean resetSynAckInListen = true;
        private boolean resetHalfOpenOnListenerClose = true;
        private boolean ackUnsentAck = true;
        private boolean abortRstWithAck = false;
        private boolean timeWaitIgnoresNonAck = false;
        private boolean zeroWindowProbeData = true;
        private boolean nagleMinshall = false;
        private boolean challengeAckOnRst = true;
        private boolean challengeAckOnSyn = true;
        private boolean icmpHardErrorsInSynSent = true;
        private boolean icmpProhibitedIsHard = false;
        private int slowStartAbcLimit = 1;
        private int bareSynAfterRetries = 0;
        private boolean cwndValidation = false;
        private boolean slowStartAfterIdle = false;
        private boolean dropMissingTimestamps = false;
        private boolean minRtoOnVariance = false;
        private long connectTimeoutNs = 0;
        private boolean tailLossProbe = false;
        private int earlyRetransmit = 0;
        private long timeWaitReuseDelayNs = -1;
        private boolean coalesceAcks = true;
        private CongestionControlKind congestionControl = CongestionControlKind.NEWRENO;
        private boolean proportionalRateReduction = false;
        private boolean dsackUndo = false;
        private Hardening hardening = Hardening.defaults();

        private Builder() {}

        public Builder mss(int v) { this.mss = v; return this; }
        public Builder receiveBufferSize(int v) { this.receiveBufferSize = v; return this; }
        public Builder sendBufferSize(int v) { this.sendBufferSize = v; return this; }
        public Builder windowScale(boolean v) { this.windowScale = v; return this; }
        public Builder windowScaleShift(int v) { this.windowScaleShift = v; return this; }
        public Builder timestamps(boolean v) { this.timestamps = v; return this; }
        public Builder sack(boolean v) { this.sack = v; return this; }
        public Builder initialRtoNs(long v) { this.initialRtoNs = v; return this; }
        public Builder minRtoNs(long v) { this.minRtoNs = v; return this; }
        public Builder maxRtoNs(long v) { this.maxRtoNs = v; return this; }
        public Builder clockGranularityNs(long v) { this.clockGranularityNs = v; return this; }
        public Builder mslNs(long v) { this.mslNs = v; return this; }
        public Builder delayedAckNs(long v) { this.delayedAckNs = v; return this; }
        public Builder noDelay(boolean v) { this.noDelay = v; return this; }
        public Builder synRetries(int v) { this.synRetries = v; return this; }
        public Builder synAckRetries(int v) { this.synAckRetries = v; return this; }
        public Builder dataRetries(int v) { this.dataRetries = v; return this; }
        public Builder userTimeoutNs(long v) { this.userTimeoutNs = v; return this; }
        public Builder keepalive(boolean v) { this.keepalive = v; return this; }
        public Builder keepaliveIdleNs(long v) { this.keepaliveIdleNs = v; return this; }
        public Builder keepaliveIntervalNs(long v) { this.keepaliveIntervalNs = v; return this; }
        public Builder keepaliveProbes(int v) { this.keepaliveProbes = v; return this; }
        public Builder optionLayout(OptionLayout v) { this.optionLayout = v; return this; }
        public Builder initialWindowSegments(int v) { this.initialWindowSegments = v; return this; }
        public Builder rstInTimeWait(boolean v) { this.rstInTimeWait = v; return this; }
        public Builder synQueueLimit(int v) { this.synQueueLimit = v; return this; }
        public Builder ephemeralPortMin(int v) { this.ephemeralPortMin = v; return this; }
        public Builder ephemeralPortMax(int v) { this.ephemeralPortMax = v; return this; }
        public Builder challengeAckLimit(int v) { this.challengeAckLimit = v; return this; }
        public Builder maxOutOfOrderRanges(int v) { this.maxOutOfOrderRanges = v; return this; }
        public Builder timeWaitEnabled(boolean v) { this.timeWaitEnabled = v; return this; }
        public Builder twoWayHandshake(boolean v) { this.twoWayHandshake = v; return this; }
        public Builder receiveWindowPolicy(ReceiveWindowPolicy v) { this.receiveWindowPolicy = v; return this; }
        public Builder quickAcks(int v) { this.quickAcks = v; return this; }
        public Builder delayedAckAnySize(boolean v) { this.delayedAckAnySize = v; return this; }
        public Builder repeatFinOnAck(boolean v) { this.repeatFinOnAck = v; return this; }
        public Builder resetSynAckInListen(boolean v) { this.resetSynAckInListen = v; return this; }
        public Builder resetHalfOpenOnListenerClose(boolean v) { this.resetHalfOpenOnListenerClose = v; return this; }
        public Builder ackUnsentAck(boolean v) { this.ackUnsentAck = v; return this; }
        public Builder abortRstWithAck(boolean v) { this.abortRstWithAck = v; return this; }
        public Builder timeWaitIgnoresNonAck(boolean v) { this.timeWaitIgnoresNonAck = v; return this; }
        public Builder zeroWindowProbeData(boolean v) { this.zeroWindowProbeData = v; return this; }
        public Builder nagleMinshall(boolean v) { this.nagleMinshall = v; return this; }
        public Builder challengeAckOnRst(boolean v) { this.challengeAckOnRst = v; return this; }
        public Builder challengeAckOnSyn(boolean v) { this.challengeAckOnSyn = v; return this; }
        public Builder icmpHardErrorsInSynSent(boolean v) { this.icmpHardErrorsInSynSent = v; return this; }
        public Builder icmpProhibitedIsHard(boolean v) { this.icmpProhibitedIsHard = v; return this; }
        public Builder slowStartAbcLimit(int segments) { this.slowStartAbcLimit = segments; return this; }
        public Builder bareSynAfterRetries(int retries) { this.bareSynAfterRetries = retries; return this; }
        public Builder cwndValidation(boolean v) { this.cwndValidation = v; return this; }
        public Builder slowStartAfterIdle(boolean v) { this.slowStartAfterIdle = v; return this; }
        public Builder dropMissingTimestamps(boolean v) { this.dropMissingTimestamps = v; return this; }
        public Builder minRtoOnVariance(boolean v) { this.minRtoOnVariance = v; return this; }
        public Builder connectTimeoutNs(long v) { this.connectTimeoutNs = v; return this; }
        public Builder tailLossProbe(boolean v) { this.tailLossProbe = v; return this; }
        public Builder earlyRetransmit(int mode) { this.earlyRetransmit = mode; return this; }
        public Builder timeWaitReuseDelayNs(long v) { this.timeWaitReuseDelayNs = v; return this; }

        public Builder coalesceAcks(boolean v) { this.coalesceAcks = v; return this; }
        public Builder congestionControl(CongestionControlKind v) { this.congestionControl = java.util.Objects.requireNonNull(v); return this; }
        public Builder proportionalRateReduction(boolean v) { this.proportionalRateReduction = v; return this; }
        public Builder dsackUndo(boolean v) { this.dsackUndo = v; return this; }
        public Builder hardening(Hardening v) { this.hardening = java.util.Objects.requireNonNull(v); return this; }

        public TcpConfig build() {
            return new TcpConfig(mss, receiveBufferSize, sendBufferSize, windowScale, windowScaleShift, timestamps, sack, initialRtoNs, minRtoNs, maxRtoNs, clockGranularityNs, mslNs, delayedAckNs, noDelay, synRetries, synAckRetries, dataRetries, userTimeoutNs, keepalive, keepaliveIdleNs, keepaliveIntervalNs, keepaliveProbes, optionLayout, initialWindowSegments, rstInTimeWait, synQueueLimit, ephemeralPortMin, ephemeralPortMax, challengeAckLimit, maxOutOfOrderRanges, timeWaitEnabled, twoWayHandshake, receiveWindowPolicy, quickAcks, delayedAckAnySize, repeatFinOnAck, resetSynAckInListen, resetHalfOpenOnListenerClose, ackUnsentAck, abortRstWithAck, timeWaitIgnoresNonAck, zeroWindowProbeData, nagleMinshall, challengeAckOnRst, challengeAckOnSyn, icmpHardErrorsInSynSent, icmpProhibitedIsHard, slowStartAbcLimit, bareSynAfterRetries, cwndValidation, slowStartAfterIdle, dropMissingTimestamps, minRtoOnVariance, connectTimeoutNs, tailLossProbe, earlyRetransmit, timeWaitReuseDelayNs, coalesceAcks, congestionControl, proportionalRateReduction, dsackUndo, hardening);
        }
    }
}
