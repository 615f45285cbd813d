package org.netstack4j.tcp;

import java.util.Objects;
import java.util.function.UnaryOperator;
import org.netstack4j.path.PmtuDiscovery;
import org.netstack4j.time.Time;

/**
 * TCP tunables, immutable, grouped by concern: each group is a nested record, so a knob is one
 * component of its group (its javadoc, its default in the group's {@code DEFAULTS}, its
 * one-line {@code with...} copy method) and a profile is data. {@link #defaults()} take Linux's
 * values (buffers, RTO floor, option layout) and the RFC rule wherever an RFC gives one;
 * {@link #linuxLike()} and {@link #freebsdLike()} add the behaviours where those stacks choose
 * differently within (or, documented per knob, beside) the RFCs. Variations are copies:
 * {@code TcpConfig.defaults().withTimers(t -> t.withMinRtoNs(Time.s(1)).withSynRetries(2))}.
 * The two {@link Lab} switches break the protocol on purpose.
 *
 * @param options what a SYN offers and the MSS ({@link Options}).
 * @param buffers send and receive buffers and the advertised window ({@link Buffers}).
 * @param timers RTO, retries, timeouts, keep-alives, TIME-WAIT ({@link Timers}).
 * @param acks the delayed-ACK policy ({@link AckPolicy}).
 * @param sending Nagle and zero-window probes ({@link Sending}).
 * @param recovery congestion control and loss recovery ({@link Recovery}).
 * @param quirks where Linux and FreeBSD differ ({@link OsQuirks}).
 * @param limits SYN queue, ephemeral ports, challenge ACK rate ({@link Limits}).
 * @param lab lab-only switches that break the protocol ({@link Lab}).
 * @param hardening defences against hostile peers and the stack-wide resource limits (SYN
 *        cookies, half-open, connection, orphan and TIME-WAIT limits), kept together in one
 *        record (issue 20).
 */
public record TcpConfig(
        Options options,
        Buffers buffers,
        Timers timers,
        AckPolicy acks,
        Sending sending,
        Recovery recovery,
        OsQuirks quirks,
        Limits limits,
        Lab lab,
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
        Objects.requireNonNull(options, "options").validate();
        Objects.requireNonNull(buffers, "buffers").validate();
        Objects.requireNonNull(timers, "timers").validate();
        Objects.requireNonNull(acks, "acks").validate();
        Objects.requireNonNull(sending, "sending").validate();
        Objects.requireNonNull(recovery, "recovery").validate();
        Objects.requireNonNull(quirks, "quirks").validate();
        Objects.requireNonNull(limits, "limits").validate();
        Objects.requireNonNull(lab, "lab").validate();
        Objects.requireNonNull(hardening, "hardening");
        if (buffers.receiveBufferSize() < options.mss()) throw new IllegalArgumentException("buffers too small");
        if (!options.windowScale() && buffers.receiveBufferSize() > 65535) buffers = buffers.withReceiveBufferSize(65535);
    }

    /** Linux's values and the RFC rules: every group's {@code DEFAULTS}. */
    public static TcpConfig defaults() {
        return new TcpConfig(Options.DEFAULTS, Buffers.DEFAULTS, Timers.DEFAULTS, AckPolicy.DEFAULTS, Sending.DEFAULTS,
                Recovery.DEFAULTS, OsQuirks.DEFAULTS, Limits.DEFAULTS, Lab.DEFAULTS, Hardening.defaults());
    }

    /**
     * The defaults with Linux's behaviour where the RFCs leave a choice: its SYN option layout,
     * quick-ACK mode (16 segments, TCP_MAX_QUICKACKS), half-open connections of a closed
     * listener forgotten silently, an ACK of unsent data dropped without an answer, RST,ACK on
     * abort, zero-window probes without data below SND.UNA, Minshall's Nagle, CUBIC (Linux's
     * default congestion control), Linux's RTO floor, tail loss probes, cwnd validation,
     * Proportional Rate Reduction in fast recovery (RFC 6937, Linux since 3.2) and its undo when
     * D-SACKs show every retransmission of the recovery to have been unnecessary, RACK-TLP
     * loss detection (RFC 8985, Linux tcp_recovery = 1), linear SYN timeouts (tcp_syn_linear_timeouts 4),
     * the window scale and SYN window chosen from the largest receive buffer (tcp_rmem[2], 6 MB:
     * shift 7) as tcp_select_initial_window, segments past the window taken or dropped whole,
     * and DF on TCP's IPv4 segments (IP_PMTUDISC_WANT: path MTU discovery, RFC 1191).
     */
    public static TcpConfig linuxLike() {
        return defaults()
                .withBuffers(b -> b.withMaxReceiveBufferSize(6 << 20).withAcceptWholeSegment(true).withGrowWindow(true))
                .withOptions(o -> o.withOptionLayout(OptionLayout.linuxLike()))
                .withAcks(a -> a.withQuickAcks(16).withCoalesceAcks(false))
                .withSending(s -> s.withZeroWindowProbeData(false).withNagleMinshall(true))
                .withTimers(t -> t.withMinRtoOnVariance(true).withSynLinearTimeouts(4))
                .withQuirks(q -> q.withResetHalfOpenOnListenerClose(false).withAckUnsentAck(false).withAbortRstWithAck(true)
                        .withLinuxSendBuffer(true).withPmtuDiscovery(PmtuDiscovery.WANT))
                .withRecovery(r -> r.withCongestionControl(CongestionControlKind.CUBIC).withSlowStartAbcLimit(0)
                        .withCwndValidation(true).withSlowStartAfterIdle(true).withTailLossProbe(true)
                        .withProportionalRateReduction(true).withDsackUndo(true).withRack(true));
    }

    /**
     * The defaults with FreeBSD's behaviour where the RFCs leave a choice: its SYN option layout,
     * the window as all free space, a delayed ACK on every second segment whatever its size, the
     * FIN repeated on ACKs while unacknowledged, RST in TIME-WAIT ignored (RFC 1337), no RST for
     * a SYN,ACK to a listener, half-open connections of a closed listener forgotten silently,
     * RST,ACK on abort, segments without ACK ignored in TIME-WAIT.
     */
    public static TcpConfig freebsdLike() {
        return defaults()
                .withOptions(o -> o.withOptionLayout(OptionLayout.freebsdLike()).withWindowScaleShift(6))
                .withBuffers(b -> b.withReceiveWindowPolicy(ReceiveWindowPolicy.FREE_SPACE))
                .withAcks(a -> a.withDelayedAckAnySize(true).withCoalesceAcks(false))
                .withQuirks(q -> q.withRepeatFinOnAck(true).withRstInTimeWait(false).withResetSynAckInListen(false)
                        .withResetHalfOpenOnListenerClose(false).withAbortRstWithAck(true).withTimeWaitIgnoresNonAck(true)
                        .withIcmpProhibitedIsHard(true))
                .withRecovery(r -> r.withSlowStartAbcLimit(2));
    }

    public TcpConfig withOptions(Options v) { return new TcpConfig(v, buffers, timers, acks, sending, recovery, quirks, limits, lab, hardening); }
    public TcpConfig withOptions(UnaryOperator<Options> change) { return withOptions(change.apply(options)); }

    public TcpConfig withBuffers(Buffers v) { return new TcpConfig(options, v, timers, acks, sending, recovery, quirks, limits, lab, hardening); }
    public TcpConfig withBuffers(UnaryOperator<Buffers> change) { return withBuffers(change.apply(buffers)); }

    public TcpConfig withTimers(Timers v) { return new TcpConfig(options, buffers, v, acks, sending, recovery, quirks, limits, lab, hardening); }
    public TcpConfig withTimers(UnaryOperator<Timers> change) { return withTimers(change.apply(timers)); }

    public TcpConfig withAcks(AckPolicy v) { return new TcpConfig(options, buffers, timers, v, sending, recovery, quirks, limits, lab, hardening); }
    public TcpConfig withAcks(UnaryOperator<AckPolicy> change) { return withAcks(change.apply(acks)); }

    public TcpConfig withSending(Sending v) { return new TcpConfig(options, buffers, timers, acks, v, recovery, quirks, limits, lab, hardening); }
    public TcpConfig withSending(UnaryOperator<Sending> change) { return withSending(change.apply(sending)); }

    public TcpConfig withRecovery(Recovery v) { return new TcpConfig(options, buffers, timers, acks, sending, v, quirks, limits, lab, hardening); }
    public TcpConfig withRecovery(UnaryOperator<Recovery> change) { return withRecovery(change.apply(recovery)); }

    public TcpConfig withQuirks(OsQuirks v) { return new TcpConfig(options, buffers, timers, acks, sending, recovery, v, limits, lab, hardening); }
    public TcpConfig withQuirks(UnaryOperator<OsQuirks> change) { return withQuirks(change.apply(quirks)); }

    public TcpConfig withLimits(Limits v) { return new TcpConfig(options, buffers, timers, acks, sending, recovery, quirks, v, lab, hardening); }
    public TcpConfig withLimits(UnaryOperator<Limits> change) { return withLimits(change.apply(limits)); }

    public TcpConfig withLab(Lab v) { return new TcpConfig(options, buffers, timers, acks, sending, recovery, quirks, limits, v, hardening); }
    public TcpConfig withLab(UnaryOperator<Lab> change) { return withLab(change.apply(lab)); }

    public TcpConfig withHardening(Hardening v) { return new TcpConfig(options, buffers, timers, acks, sending, recovery, quirks, limits, lab, v); }
    public TcpConfig withHardening(UnaryOperator<Hardening> change) { return withHardening(change.apply(hardening)); }

    /**
     * What a SYN offers and how segments are sized: the MSS option (RFC 9293 3.7.1, TCP_MAXSEG), window
     * scaling and timestamps (RFC 7323; Linux net.ipv4.tcp_window_scaling, tcp_timestamps, FreeBSD
     * net.inet.tcp.rfc1323), SACK (RFC 2018; tcp_sack, net.inet.tcp.sack.enable) and the option order.
     *
     * @param mss The most we announce as MSS (RFC 9293 3.7.1; TCP_MAXSEG): a connection announces
     *        the smaller of this and its route's MSS ({@link PathInfo}), and also caps its effective
     *        send MSS with it. 0: no cap, the route's MSS alone ({@link #DEFAULT_ROUTELESS_MSS} when
     *        the layer knows no route).
     * @param windowScale Offer window scaling (RFC 7323 2).
     * @param windowScaleShift Our shift when window scaling is agreed (0..14).
     * @param timestamps Offer timestamps (RFC 7323 3): RTTM and PAWS.
     * @param sack Offer SACK-permitted (RFC 2018); we generate SACK blocks.
     * @param dsack With SACK agreed, report duplicate segments in D-SACK blocks (RFC 2883 4;
     *        Linux net.ipv4.tcp_dsack, default on).
     * @param optionLayout Option order on SYN and SYN-ACK.
     * @param ecn Explicit Congestion Notification (RFC 3168), as Linux's net.ipv4.tcp_ecn and
     *        FreeBSD's net.inet.tcp.ecn.enable: {@link #ECN_OFF} never, {@link #ECN_ON} ask for
     *        it on our SYNs and accept it on incoming ones, {@link #ECN_ACCEPT} (both systems'
     *        default) accept it when the peer's SYN asks, never ask; Accurate ECN (RFC 9768) as
     *        Linux's values 3 to 5: {@link #ECN_ACCURATE} ask for AccECN and accept AccECN or
     *        classic ECN, {@link #ECN_ACCURATE_IN} accept AccECN (or classic) but ask for classic ECN,
     *        {@link #ECN_ACCURATE_ACCEPT} accept AccECN (or classic), never ask.
     * @param accEcnOption When the AccECN option (RFC 9768 3.2.3) is sent, as Linux's
     *        net.ipv4.tcp_ecn_option: 0 never, 1 on the handshake and when a counter needs it
     *        (and {@link #accEcnOptionBeacon} times per RTT), 2 on every segment where it fits
     *        (Linux's default), 3 the same and never given up when it seems lost.
     * @param accEcnOptionBeacon With {@code accEcnOption} 1: how many times per RTT the option is
     *        sent anyway (Linux tcp_ecn_option_beacon, default 3).
     * @param ecnFallback Linux's net.ipv4.tcp_ecn_fallback: an ECN-setup SYN that is retransmitted
     *        goes without ECN, and AccECN checks the handshake's reflected IP-ECN field (RFC 9768
     *        3.2.2.3), falling back when it is wrong.
     */
    public record Options(
            int mss,
            boolean windowScale,
            int windowScaleShift,
            boolean timestamps,
            boolean sack,
            boolean dsack,
            OptionLayout optionLayout,
            int ecn,
            int accEcnOption,
            int accEcnOptionBeacon,
            boolean ecnFallback) {
        /** {@link #ecn}: no ECN. */
        public static final int ECN_OFF = 0;
        /** {@link #ecn}: request ECN on active opens, accept it on passive ones. */
        public static final int ECN_ON = 1;
        /** {@link #ecn}: accept ECN when the peer requests it, never request it (Linux's and FreeBSD's default). */
        public static final int ECN_ACCEPT = 2;
        /** {@link #ecn}: request Accurate ECN on active opens; accept AccECN or classic ECN on passive ones. */
        public static final int ECN_ACCURATE = 3;
        /** {@link #ecn}: request classic ECN on active opens; accept AccECN or classic ECN on passive ones. */
        public static final int ECN_ACCURATE_IN = 4;
        /** {@link #ecn}: request nothing on active opens; accept AccECN or classic ECN on passive ones. */
        public static final int ECN_ACCURATE_ACCEPT = 5;
        /** {@link #accEcnOption}: on every segment where it fits (Linux TCP_ACCECN_OPTION_FULL). */
        public static final int ACCECN_OPTION_FULL = 2;

        /** The defaults: the RFC rule, or Linux's value where the RFC leaves it open. */
        public static final Options DEFAULTS = new Options(
                1460 /* mss */,
                true /* windowScale */,
                7 /* windowScaleShift */,
                true /* timestamps */,
                true /* sack */,
                true /* dsack */,
                OptionLayout.linuxLike() /* optionLayout */,
                ECN_ACCEPT /* ecn */,
                ACCECN_OPTION_FULL /* accEcnOption */,
                3 /* accEcnOptionBeacon */,
                true /* ecnFallback */);

        void validate() {
            Objects.requireNonNull(optionLayout, "optionLayout");
            if (mss < 0 || mss > 65495) throw new IllegalArgumentException("mss out of range: " + mss); // IPv4 allows an MTU of 68: MSS 28 (RFC 791, RFC 9293 3.7.1)
            if (windowScaleShift < 0 || windowScaleShift > 14) throw new IllegalArgumentException("window scale shift 0..14: " + windowScaleShift);
            if (ecn < ECN_OFF || ecn > ECN_ACCURATE_ACCEPT)
                throw new IllegalArgumentException("ecn must be 0 (off), 1 (on), 2 (accept only) or 3 to 5 (Accurate ECN): " + ecn);
            if (accEcnOption < 0 || accEcnOption > 3) throw new IllegalArgumentException("accEcnOption must be 0 to 3: " + accEcnOption);
            if (accEcnOptionBeacon < 0) throw new IllegalArgumentException("accEcnOptionBeacon must be >= 0: " + accEcnOptionBeacon);
        }

        public Options withMss(int v) { return ConfigCopy.with(this, "mss", v); }
        public Options withWindowScale(boolean v) { return ConfigCopy.with(this, "windowScale", v); }
        public Options withWindowScaleShift(int v) { return ConfigCopy.with(this, "windowScaleShift", v); }
        public Options withTimestamps(boolean v) { return ConfigCopy.with(this, "timestamps", v); }
        public Options withSack(boolean v) { return ConfigCopy.with(this, "sack", v); }
        public Options withDsack(boolean v) { return ConfigCopy.with(this, "dsack", v); }
        public Options withOptionLayout(OptionLayout v) { return ConfigCopy.with(this, "optionLayout", v); }
        public Options withEcn(int v) { return ConfigCopy.with(this, "ecn", v); }
        public Options withAccEcnOption(int v) { return ConfigCopy.with(this, "accEcnOption", v); }
        public Options withAccEcnOptionBeacon(int v) { return ConfigCopy.with(this, "accEcnOptionBeacon", v); }
        public Options withEcnFallback(boolean v) { return ConfigCopy.with(this, "ecnFallback", v); }
    }

    /**
     * Send and receive buffers and the advertised window (RFC 9293 3.8.6; Linux net.ipv4.tcp_rmem /
     * tcp_wmem, FreeBSD net.inet.tcp.recvspace / sendspace, SO_RCVBUF / SO_SNDBUF).
     *
     * @param receiveBufferSize Receive buffer bytes; the advertised window comes from its free space.
     * @param sendBufferSize Send buffer bytes (unacknowledged + unsent).
     * @param receiveWindowPolicy How the advertised receive window follows the free buffer space.
     * @param maxOutOfOrderRanges Bound on holes kept for reassembly (the bytes are bounded by the window).
     * @param maxReceiveBufferSize 0: our window scale is {@link Options#windowScaleShift} and a SYN
     *        offers min(free space, 65535). Above 0, the largest the receive buffer may grow to
     *        (Linux max(tcp_rmem[2], rmem_max), or SO_RCVBUF when a socket sets it): the shift and
     *        the SYN's window are chosen as Linux's tcp_select_initial_window does ({@link InitialWindow}).
     * @param acceptWholeSegment false (RFC 9293 3.10.7.4: "only the new parts are processed"): a
     *        segment's text past the right edge of the window is trimmed away. true (Linux
     *        tcp_sequence and tcp_data_queue): a segment whose text ends past the largest right
     *        edge advertised is dropped whole while unread data is queued, and taken whole when
     *        none is and the window is open (the buffer then holds one segment past its size, at
     *        most {@code RingBuffer.MAX_OVERCOMMIT} bytes); a FIN alone may pass the edge.
     * @param receiveTruesize false: the buffer holds {@code receiveBufferSize} bytes and the window
     *        is its free space. true (Linux with a buffer SO_RCVBUF locked, {@link #withSocketReceiveBuffer}):
     *        Linux's receive-memory accounting ({@code RcvMem}): sk_rcvbuf is twice
     *        {@code receiveBufferSize}, each queued segment is charged its skb truesize, the window
     *        is the free part scaled by the measured data/truesize ratio, and a segment arriving
     *        while the charge is past sk_rcvbuf is dropped (or, with nothing queued, taken) and
     *        the window retracted to zero.
     * @param growWindow false: the window offered is the free space (by {@link #receiveWindowPolicy}).
     *        true (Linux's rcv_ssthresh, tcp_grow_window): it is also capped by a threshold that
     *        starts at the window Linux's first segments offer (half the buffer, its default
     *        space-to-window ratio, rounded down to the MSS, at most 65535) and grows by twice a
     *        received segment's length (at least two MSS) per segment: in order when it carries
     *        128 bytes or more, out of order only with SACK, never past the free space. Applies
     *        to the byte model ({@link #receiveTruesize} false).
     * @param shrinkWindow Linux net.ipv4.tcp_shrink_window (6.5+; 0 by default): with the
     *        receive-memory accounting ({@code receiveTruesize}) and a window scale in use, the
     *        window offered is the free space rounded down to the scale, even when that moves the
     *        advertised right edge left (tcp_select_window, __tcp_select_window's
     *        shrink_window_allowed; RFC 7323 2.4 and RFC 9293 3.8.6.2.2 let a receiver do so, the
     *        sender keeps using the old edge). Segments are still checked against the largest
     *        right edge advertised, their text against the shrunk window.
     * @param truesizeUnlocked false: a buffer SO_RCVBUF did not lock keeps the byte model (with
     *        {@link #growWindow}). true (Linux, which accounts every socket's receive memory by
     *        truesize): it follows the receive-memory accounting too, with sk_rcvbuf
     *        {@code receiveBufferSize} (tcp_rmem[1], not doubled), the window also capped by
     *        window_clamp (the full space less one MSS, then the full space at the measured
     *        ratio) and by rcv_ssthresh grown per segment by tcp_grow_window against the free
     *        space by truesize. Buffer auto-tuning is not modelled: sk_rcvbuf stays put.
     */
    public record Buffers(
            int receiveBufferSize,
            int sendBufferSize,
            ReceiveWindowPolicy receiveWindowPolicy,
            int maxOutOfOrderRanges,
            int maxReceiveBufferSize,
            boolean acceptWholeSegment,
            boolean receiveTruesize,
            boolean growWindow,
            boolean shrinkWindow,
            boolean truesizeUnlocked) {
        /** The defaults: the RFC rule, or Linux's value where the RFC leaves it open. */
        public static final Buffers DEFAULTS = new Buffers(
                131072 /* receiveBufferSize */,
                131072 /* sendBufferSize */,
                ReceiveWindowPolicy.SWS_AVOIDANCE /* receiveWindowPolicy */,
                64 /* maxOutOfOrderRanges */,
                0 /* maxReceiveBufferSize */,
                false /* acceptWholeSegment */,
                false /* receiveTruesize */,
                false /* growWindow */,
                false /* shrinkWindow */,
                false /* truesizeUnlocked */);

        void validate() {
            Objects.requireNonNull(receiveWindowPolicy, "receiveWindowPolicy");
            if (sendBufferSize < 1) throw new IllegalArgumentException("buffers too small");
            if (maxReceiveBufferSize < 0) throw new IllegalArgumentException("maxReceiveBufferSize >= 0");
        }

        public Buffers withReceiveBufferSize(int v) { return ConfigCopy.with(this, "receiveBufferSize", v); }
        public Buffers withSendBufferSize(int v) { return ConfigCopy.with(this, "sendBufferSize", v); }
        public Buffers withReceiveWindowPolicy(ReceiveWindowPolicy v) { return ConfigCopy.with(this, "receiveWindowPolicy", v); }
        public Buffers withMaxOutOfOrderRanges(int v) { return ConfigCopy.with(this, "maxOutOfOrderRanges", v); }
        public Buffers withMaxReceiveBufferSize(int v) { return ConfigCopy.with(this, "maxReceiveBufferSize", v); }
        public Buffers withAcceptWholeSegment(boolean v) { return ConfigCopy.with(this, "acceptWholeSegment", v); }
        public Buffers withReceiveTruesize(boolean v) { return ConfigCopy.with(this, "receiveTruesize", v); }
        public Buffers withGrowWindow(boolean v) { return ConfigCopy.with(this, "growWindow", v); }
        public Buffers withShrinkWindow(boolean v) { return ConfigCopy.with(this, "shrinkWindow", v); }
        public Buffers withTruesizeUnlocked(boolean v) { return ConfigCopy.with(this, "truesizeUnlocked", v); }

        /**
         * SO_RCVBUF set on a socket before connect or listen: the receive buffer, and with
         * Linux's window selection also its maximum (Linux locks the buffer and clamps the
         * window to it, so the window scale follows the socket's buffer, not tcp_rmem[2]). A
         * locked buffer is not auto-tuned: with Linux's window selection its window then follows
         * Linux's receive-memory accounting ({@link #receiveTruesize}).
         */
        public Buffers withSocketReceiveBuffer(int bytes) {
            Buffers b = withReceiveBufferSize(bytes);
            return maxReceiveBufferSize == 0 ? b : b.withMaxReceiveBufferSize(bytes).withReceiveTruesize(true);
        }
    }

    /**
     * Retransmission timer (RFC 6298), retry limits, connection and user timeouts (RFC 9293 3.10.8,
     * RFC 1122 4.2.3.5), keep-alives (RFC 9293 3.8.4) and TIME-WAIT (MSL, reuse). Linux
     * tcp_syn_retries, tcp_synack_retries, tcp_retries2, tcp_keepalive_*, tcp_tw_reuse(_delay);
     * FreeBSD rexmit_initial, rexmit_min, keepinit, keepidle, keepintvl, keepcnt.
     *
     * @param initialRtoNs RFC 6298 2.1: 1 s.
     * @param minRtoNs Lower bound on the RTO (Linux 200 ms; RFC 6298 2.4 says 1 s).
     * @param maxRtoNs Upper bound on the RTO (RFC 6298 2.5: at least 60 s).
     * @param clockGranularityNs G of RFC 6298 2: the timer granularity.
     * @param minRtoOnVariance true: the minimum RTO bounds the variance term, RTO = SRTT +
     *        max(K * RTTVAR, min RTO) (Linux tcp_rtt_estimator / __tcp_set_rto); false: it bounds
     *        the whole RTO (RFC 6298 2.4).
     * @param mslNs Maximum segment lifetime; TIME-WAIT lasts 2*MSL.
     * @param synRetries SYN retransmissions before TIMED_OUT (after the linear ones below).
     * @param synLinearTimeouts An active open's first this many SYN timeouts keep the initial RTO
     *        instead of doubling it, and add as many retransmissions to synRetries (Linux 6.5+
     *        net.ipv4.tcp_syn_linear_timeouts, default 4: SYNs at 0, 1, 2, 3, 4, 5, 7, 11 ... s);
     *        0 = RFC 6298 5.5 backoff from the first timeout.
     * @param synAckRetries SYN-ACK retransmissions before a half-open connection is dropped.
     * @param dataRetries Retransmissions of data/FIN before TIMED_OUT.
     * @param userTimeoutNs RFC 9293 3.10.8 USER TIMEOUT: abort when data stays unacknowledged this long; 0 = off.
     * @param connectTimeoutNs an active open still in SYN-SENT or SYN-RECEIVED this long after it
     *        began ends TIMED_OUT, SYN retries left or not (FreeBSD net.inet.tcp.keepinit, 75 s;
     *        RFC 1122 4.2.3.5 R2 for a SYN: at least 3 minutes); 0 = bounded by synRetries only.
     * @param keepalive Send keep-alives (RFC 9293 3.8.4); off by default.
     * @param keepaliveIdleNs Idle time before the first keep-alive.
     * @param keepaliveIntervalNs Between unanswered keep-alives.
     * @param keepaliveProbes Unanswered keep-alives before TIMED_OUT.
     * @param timeWaitReuseDelayNs an active open may take over the 4-tuple of a connection in
     *        TIME-WAIT that used timestamps once its TS.Recent is this old (Linux tcp_tw_reuse with
     *        tcp_tw_reuse_delay; RFC 6191's idea on the active side); negative = never.
     */
    public record Timers(
            long initialRtoNs,
            long minRtoNs,
            long maxRtoNs,
            long clockGranularityNs,
            boolean minRtoOnVariance,
            long mslNs,
            int synRetries,
            int synLinearTimeouts,
            int synAckRetries,
            int dataRetries,
            long userTimeoutNs,
            long connectTimeoutNs,
            boolean keepalive,
            long keepaliveIdleNs,
            long keepaliveIntervalNs,
            int keepaliveProbes,
            long timeWaitReuseDelayNs) {
        /** The defaults: the RFC rule, or Linux's value where the RFC leaves it open. */
        public static final Timers DEFAULTS = new Timers(
                Time.s(1) /* initialRtoNs */,
                Time.ms(200) /* minRtoNs */,
                Time.s(120) /* maxRtoNs */,
                Time.ms(1) /* clockGranularityNs */,
                false /* minRtoOnVariance */,
                Time.s(30) /* mslNs */,
                6 /* synRetries */,
                0 /* synLinearTimeouts */,
                5 /* synAckRetries */,
                15 /* dataRetries */,
                0 /* userTimeoutNs */,
                0 /* connectTimeoutNs */,
                false /* keepalive */,
                Time.s(7200) /* keepaliveIdleNs */,
                Time.s(75) /* keepaliveIntervalNs */,
                9 /* keepaliveProbes */,
                -1 /* timeWaitReuseDelayNs */);

        void validate() {
            if (minRtoNs <= 0 || maxRtoNs < minRtoNs || initialRtoNs <= 0) throw new IllegalArgumentException("bad RTO bounds");
            if (connectTimeoutNs < 0) throw new IllegalArgumentException("connectTimeoutNs >= 0");
            if (synLinearTimeouts < 0) throw new IllegalArgumentException("synLinearTimeouts >= 0");
        }

        public Timers withInitialRtoNs(long v) { return ConfigCopy.with(this, "initialRtoNs", v); }
        public Timers withMinRtoNs(long v) { return ConfigCopy.with(this, "minRtoNs", v); }
        public Timers withMaxRtoNs(long v) { return ConfigCopy.with(this, "maxRtoNs", v); }
        public Timers withClockGranularityNs(long v) { return ConfigCopy.with(this, "clockGranularityNs", v); }
        public Timers withMinRtoOnVariance(boolean v) { return ConfigCopy.with(this, "minRtoOnVariance", v); }
        public Timers withMslNs(long v) { return ConfigCopy.with(this, "mslNs", v); }
        public Timers withSynRetries(int v) { return ConfigCopy.with(this, "synRetries", v); }
        public Timers withSynLinearTimeouts(int v) { return ConfigCopy.with(this, "synLinearTimeouts", v); }
        public Timers withSynAckRetries(int v) { return ConfigCopy.with(this, "synAckRetries", v); }
        public Timers withDataRetries(int v) { return ConfigCopy.with(this, "dataRetries", v); }
        public Timers withUserTimeoutNs(long v) { return ConfigCopy.with(this, "userTimeoutNs", v); }
        public Timers withConnectTimeoutNs(long v) { return ConfigCopy.with(this, "connectTimeoutNs", v); }
        public Timers withKeepalive(boolean v) { return ConfigCopy.with(this, "keepalive", v); }
        public Timers withKeepaliveIdleNs(long v) { return ConfigCopy.with(this, "keepaliveIdleNs", v); }
        public Timers withKeepaliveIntervalNs(long v) { return ConfigCopy.with(this, "keepaliveIntervalNs", v); }
        public Timers withKeepaliveProbes(int v) { return ConfigCopy.with(this, "keepaliveProbes", v); }
        public Timers withTimeWaitReuseDelayNs(long v) { return ConfigCopy.with(this, "timeWaitReuseDelayNs", v); }
    }

    /**
     * When the receiver acknowledges: delayed ACKs (RFC 9293 3.8.6.3, RFC 5681 4.2; FreeBSD
     * net.inet.tcp.delacktime), Linux's quick-ACK mode and ACK coalescing of a burst (GRO).
     *
     * @param delayedAckNs Delayed ACK timeout (RFC 9293 3.8.6.3: at most 500 ms); 0 = ACK every segment.
     * @param quickAcks Linux's quick-ACK mode: the first this many data segments of a connection
     *        (and the first after a silence longer than the RTO) are ACKed at once, not delayed;
     *        a FIN received in ESTABLISHED ends the mode (the exchange is taken as interactive). 0 = off.
     * @param delayedAckAnySize true: a delayed ACK is sent on the second data segment whatever its
     *        size, at once for a segment longer than the MSS (FreeBSD); false: on the second
     *        full-sized segment (RFC 5681 4.2 / RFC 9293 3.8.6.3 SHOULD).
     * @param coalesceAcks in-order full-sized segments that arrive in one burst (one poll of the
     *        devices, as from one read of a TUN device or one delivery instant of a link) are
     *        acknowledged by one ACK sent when the burst has been processed, instead of one ACK per
     *        second segment: what Linux's GRO does before TCP sees the segments. Out-of-order,
     *        gap-filling and quick ACKs still go at once. The ACK is not delayed in time (it leaves
     *        in the same instant); it only covers more. Off in the Linux- and FreeBSD-like profiles,
     *        where packetdrill scripts count ACKs per injected segment.
     */
    public record AckPolicy(
            long delayedAckNs,
            int quickAcks,
            boolean delayedAckAnySize,
            boolean coalesceAcks) {
        /** The defaults: the RFC rule, or Linux's value where the RFC leaves it open. */
        public static final AckPolicy DEFAULTS = new AckPolicy(
                Time.ms(40) /* delayedAckNs */,
                0 /* quickAcks */,
                false /* delayedAckAnySize */,
                true /* coalesceAcks */);

        void validate() {
            if (quickAcks < 0) throw new IllegalArgumentException("quickAcks >= 0");
        }

        public AckPolicy withDelayedAckNs(long v) { return ConfigCopy.with(this, "delayedAckNs", v); }
        public AckPolicy withQuickAcks(int v) { return ConfigCopy.with(this, "quickAcks", v); }
        public AckPolicy withDelayedAckAnySize(boolean v) { return ConfigCopy.with(this, "delayedAckAnySize", v); }
        public AckPolicy withCoalesceAcks(boolean v) { return ConfigCopy.with(this, "coalesceAcks", v); }
    }

    /**
     * When the sender sends less than it could: Nagle (RFC 896, RFC 9293 3.7.4; TCP_NODELAY) and the
     * form of zero-window probes (RFC 9293 3.8.6.1, RFC 1122 4.2.2.17).
     *
     * @param noDelay Disable Nagle (RFC 896) for new connections.
     * @param nagleMinshall true: Minshall's variant of Nagle (draft-minshall-nagle; Linux
     *        tcp_minshall_check): a short segment waits only while an earlier short segment is
     *        unacknowledged, so the tail of a large write goes out with the full segments before it;
     *        false: RFC 896 / RFC 9293 3.7.4, a short segment waits while any data is unacknowledged.
     * @param zeroWindowProbeData true: a zero-window probe carries one octet of new data past the
     *        window (RFC 9293 3.8.6.1; FreeBSD); false: it is an empty segment with SEG.SEQ =
     *        SND.UNA - 1, which the receiver must answer with an ACK showing its window (RFC 1122
     *        4.2.2.17 leaves the probe's form open; Linux tcp_write_wakeup / tcp_xmit_probe_skb).
     * @param pacing true: Linux's internal TCP pacing ({@link Pacing}; tcp_internal_pacing with
     *        earliest departure times): after the first 10 data segments each segment, or TSO
     *        super-segment, moves the next one's departure time on by its length at 200% of
     *        cwnd / SRTT while cwnd is below half ssthresh, 120% after (tcp_pacing_ss_ratio,
     *        tcp_pacing_ca_ratio); new data waits for it and a timer sends it, and super-segments
     *        hold about 1 ms at that rate (tcp_tso_autosize). false (both profiles): no pacing;
     *        Linux paces a CUBIC or Reno flow only when asked (SO_MAX_PACING_RATE, BBR) and leaves
     *        it to the fq qdisc otherwise, so its selftests and default qdiscs see bursts.
     */
    public record Sending(
            boolean noDelay,
            boolean nagleMinshall,
            boolean zeroWindowProbeData,
            boolean pacing) {
        /** The defaults: the RFC rule, or Linux's value where the RFC leaves it open. */
        public static final Sending DEFAULTS = new Sending(
                false /* noDelay */,
                false /* nagleMinshall */,
                true /* zeroWindowProbeData */,
                false /* pacing */);

        void validate() {
        }

        public Sending withNoDelay(boolean v) { return ConfigCopy.with(this, "noDelay", v); }
        public Sending withNagleMinshall(boolean v) { return ConfigCopy.with(this, "nagleMinshall", v); }
        public Sending withZeroWindowProbeData(boolean v) { return ConfigCopy.with(this, "zeroWindowProbeData", v); }
        public Sending withPacing(boolean v) { return ConfigCopy.with(this, "pacing", v); }
    }

    /**
     * Congestion control and loss recovery: the controller (RFC 5681, RFC 6582, RFC 9438; Linux
     * net.ipv4.tcp_congestion_control), initial window (RFC 6928), slow start and cwnd validation
     * (RFC 3465, RFC 7661; tcp_slow_start_after_idle), PRR (RFC 6937), D-SACK undo (RFC 2883),
     * early retransmit and tail loss probes (RFC 5827, RFC 8985; Linux tcp_early_retrans).
     *
     * @param congestionControl the sender's congestion control: NEWRENO (RFC 5681, RFC 6582; the
     *        default) or CUBIC (RFC 9438, Linux's default), both with NewReno's loss recovery.
     * @param initialWindowSegments RFC 6928 initial congestion window, in segments.
     * @param slowStartAbcLimit how much one ACK may grow cwnd in slow start, in segments: 1 = RFC
     *        5681 3.1 (at most SMSS per ACK); 2 = RFC 3465's L = 2 (FreeBSD tcp_abc_l_var); 0 = by
     *        everything the ACK covers (Linux tcp_slow_start counts the segments acknowledged), so a
     *        receiver that ACKs every second segment still doubles cwnd per round trip.
     * @param cwndValidation true: cwnd grows only while the sender uses it: in slow start while
     *        cwnd is below twice the most data in flight during the last window, in congestion
     *        avoidance only when the flight filled cwnd (RFC 7661's idea, in Linux's form,
     *        tcp_is_cwnd_limited); false: every ACK of new data may grow cwnd (RFC 5681 3.1).
     * @param slowStartAfterIdle true: after sending nothing for an RTO, cwnd restarts from at
     *        most the initial window (RFC 5681 4.1), halved once per idle RTO as Linux does
     *        (tcp_cwnd_restart); false: cwnd survives idle periods.
     * @param proportionalRateReduction true: with SACK, fast recovery sends by Proportional Rate
     *        Reduction (RFC 6937 with the slow-start reduction bound): on each ACK cwnd = pipe +
     *        sndcnt, one segment out per segment delivered once pipe is down to ssthresh, cwnd =
     *        ssthresh on leaving recovery (Linux since 3.2, tcp_cwnd_reduction); false: NewReno's
     *        cwnd = ssthresh + 3 * SMSS, inflated per duplicate ACK (RFC 5681 3.2, RFC 6582).
     * @param dsackUndo true: with SACK, a fast recovery all of whose retransmissions the peer
     *        reports as duplicates by D-SACK (RFC 2883 4.2) before it ends is undone when it ends:
     *        cwnd and ssthresh go back to at least their values before it (Linux
     *        tcp_try_undo_recovery, without its timestamp-based test); false: never undone.
     * @param tailLossProbe true: with SACK, outside recovery, a tail loss probe goes out 2 SRTT
     *        after the last transmission (plus the worst-case delayed ACK, 200 ms, when one
     *        segment is in flight), earlier than the RTO: one new segment, or the last one again
     *        (RFC 8985 7; Linux tcp_schedule_loss_probe); false: only the RTO recovers a lost tail.
     * @param earlyRetransmit RFC 5827 early retransmit with SACK: when fewer than four segments
     *        are outstanding, no new data can be sent and all but one are SACKed, fast retransmit
     *        starts without waiting for three duplicates: 0 = off, 1 = at once, 2 = after a quarter
     *        of SRTT (at least 2 ms) without a further ACK (RFC 5827 A.3; Linux tcp_early_retrans).
     * @param rack true: with SACK, losses are detected by time, RACK-TLP (RFC 8985; Linux
     *        tcp_recovery = 1): a segment is lost once one sent after it was delivered and a
     *        reordering window (a quarter of the minimum RTT, widened by D-SACKs) has passed,
     *        whatever the number of duplicate ACKs; the reordering timer replaces the early
     *        retransmit delay, and a loss the tail loss probe repaired reduces cwnd. false: RFC
     *        6675 IsLost and three duplicate ACKs (RFC 5681, RFC 6582).
     */
    public record Recovery(
            CongestionControlKind congestionControl,
            int initialWindowSegments,
            int slowStartAbcLimit,
            boolean cwndValidation,
            boolean slowStartAfterIdle,
            boolean proportionalRateReduction,
            boolean dsackUndo,
            boolean tailLossProbe,
            int earlyRetransmit,
            boolean rack) {
        /** The defaults: the RFC rule, or Linux's value where the RFC leaves it open. */
        public static final Recovery DEFAULTS = new Recovery(
                CongestionControlKind.NEWRENO /* congestionControl */,
                10 /* initialWindowSegments */,
                1 /* slowStartAbcLimit */,
                false /* cwndValidation */,
                false /* slowStartAfterIdle */,
                false /* proportionalRateReduction */,
                false /* dsackUndo */,
                false /* tailLossProbe */,
                0 /* earlyRetransmit */,
                false /* rack */);

        void validate() {
            Objects.requireNonNull(congestionControl, "congestionControl");
            if (slowStartAbcLimit < 0) throw new IllegalArgumentException("slowStartAbcLimit >= 0");
            if (initialWindowSegments < 1) throw new IllegalArgumentException("initialWindowSegments >= 1");
            if (earlyRetransmit < 0 || earlyRetransmit > 2) throw new IllegalArgumentException("earlyRetransmit 0..2");
        }

        public Recovery withCongestionControl(CongestionControlKind v) { return ConfigCopy.with(this, "congestionControl", v); }
        public Recovery withInitialWindowSegments(int v) { return ConfigCopy.with(this, "initialWindowSegments", v); }
        public Recovery withSlowStartAbcLimit(int v) { return ConfigCopy.with(this, "slowStartAbcLimit", v); }
        public Recovery withCwndValidation(boolean v) { return ConfigCopy.with(this, "cwndValidation", v); }
        public Recovery withSlowStartAfterIdle(boolean v) { return ConfigCopy.with(this, "slowStartAfterIdle", v); }
        public Recovery withProportionalRateReduction(boolean v) { return ConfigCopy.with(this, "proportionalRateReduction", v); }
        public Recovery withDsackUndo(boolean v) { return ConfigCopy.with(this, "dsackUndo", v); }
        public Recovery withTailLossProbe(boolean v) { return ConfigCopy.with(this, "tailLossProbe", v); }
        public Recovery withEarlyRetransmit(int v) { return ConfigCopy.with(this, "earlyRetransmit", v); }
        public Recovery withRack(boolean v) { return ConfigCopy.with(this, "rack", v); }
    }

    /**
     * Choices where Linux and FreeBSD differ from each other or from the RFC text: answers to RST,
     * SYN, SYN,ACK and unacceptable ACKs (RFC 9293 3.10.7, RFC 5961; FreeBSD insecure_rst,
     * insecure_syn), TIME-WAIT handling (RFC 1337), the abort RST's form, ICMP hard errors (RFC 1122
     * 4.2.3.9; FreeBSD icmp_may_rst), SYN retransmission without options (rexmit_drop_options) and
     * missing timestamps (RFC 7323 3.2; tolerate_missing_ts). Each defaults to the RFC's rule.
     *
     * @param rstInTimeWait RST in TIME-WAIT closes it (RFC 9293); false = ignore it (RFC 1337 remedy).
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
     * @param bareSynAfterRetries from this retransmission of a SYN on, it carries the MSS option
     *        only, in case a middlebox drops SYNs with options it does not know (FreeBSD
     *        net.inet.tcp.rexmit_drop_options: from the third); 0 = never.
     * @param dropMissingTimestamps true: once timestamps are agreed, a non-RST segment without a
     *        TSopt is dropped (RFC 7323 3.2 SHOULD; FreeBSD tolerate_missing_ts=0); false: it is
     *        processed as if timestamps were not in use for it.
     * @param linuxSendBuffer true: the send buffer is accounted as Linux does ({@link SkbQueue}):
     *        SO_SNDBUF bounds the data plus a head per skb, floored at SOCK_MIN_SNDBUF; a write
     *        may overshoot it by one skb; writable when the free space is half the charge. false:
     *        SO_SNDBUF is the byte-exact limit of unacknowledged plus unsent data.
     * @param pmtuDiscovery the path MTU discovery mode of connections whose socket did not set one
     *        (IP_MTU_DISCOVER; {@link PmtuDiscovery}). By default PROBE, which for TCP means no DF
     *        (routers fragment; {@code Host.setDontFragment} turns DF on stack-wide) while an ICMP
     *        path MTU still lowers the MSS: the stack's behaviour before the option. Linux's
     *        sockets start at WANT (ip_no_pmtu_disc = 0): DF on, RFC 1191.
     */
    public record OsQuirks(
            boolean rstInTimeWait,
            boolean repeatFinOnAck,
            boolean resetSynAckInListen,
            boolean resetHalfOpenOnListenerClose,
            boolean ackUnsentAck,
            boolean abortRstWithAck,
            boolean timeWaitIgnoresNonAck,
            boolean challengeAckOnRst,
            boolean challengeAckOnSyn,
            boolean icmpHardErrorsInSynSent,
            boolean icmpProhibitedIsHard,
            int bareSynAfterRetries,
            boolean dropMissingTimestamps,
            boolean linuxSendBuffer,
            PmtuDiscovery pmtuDiscovery) {
        /** The defaults: the RFC rule, or Linux's value where the RFC leaves it open. */
        public static final OsQuirks DEFAULTS = new OsQuirks(
                true /* rstInTimeWait */,
                false /* repeatFinOnAck */,
                true /* resetSynAckInListen */,
                true /* resetHalfOpenOnListenerClose */,
                true /* ackUnsentAck */,
                false /* abortRstWithAck */,
                false /* timeWaitIgnoresNonAck */,
                true /* challengeAckOnRst */,
                true /* challengeAckOnSyn */,
                true /* icmpHardErrorsInSynSent */,
                false /* icmpProhibitedIsHard */,
                0 /* bareSynAfterRetries */,
                false /* dropMissingTimestamps */,
                false /* linuxSendBuffer */,
                PmtuDiscovery.PROBE /* pmtuDiscovery */);

        void validate() {
            if (bareSynAfterRetries < 0) throw new IllegalArgumentException("bareSynAfterRetries >= 0");
            Objects.requireNonNull(pmtuDiscovery, "pmtuDiscovery");
        }

        public OsQuirks withRstInTimeWait(boolean v) { return ConfigCopy.with(this, "rstInTimeWait", v); }
        public OsQuirks withRepeatFinOnAck(boolean v) { return ConfigCopy.with(this, "repeatFinOnAck", v); }
        public OsQuirks withResetSynAckInListen(boolean v) { return ConfigCopy.with(this, "resetSynAckInListen", v); }
        public OsQuirks withResetHalfOpenOnListenerClose(boolean v) { return ConfigCopy.with(this, "resetHalfOpenOnListenerClose", v); }
        public OsQuirks withAckUnsentAck(boolean v) { return ConfigCopy.with(this, "ackUnsentAck", v); }
        public OsQuirks withAbortRstWithAck(boolean v) { return ConfigCopy.with(this, "abortRstWithAck", v); }
        public OsQuirks withTimeWaitIgnoresNonAck(boolean v) { return ConfigCopy.with(this, "timeWaitIgnoresNonAck", v); }
        public OsQuirks withChallengeAckOnRst(boolean v) { return ConfigCopy.with(this, "challengeAckOnRst", v); }
        public OsQuirks withChallengeAckOnSyn(boolean v) { return ConfigCopy.with(this, "challengeAckOnSyn", v); }
        public OsQuirks withIcmpHardErrorsInSynSent(boolean v) { return ConfigCopy.with(this, "icmpHardErrorsInSynSent", v); }
        public OsQuirks withIcmpProhibitedIsHard(boolean v) { return ConfigCopy.with(this, "icmpProhibitedIsHard", v); }
        public OsQuirks withBareSynAfterRetries(int v) { return ConfigCopy.with(this, "bareSynAfterRetries", v); }
        public OsQuirks withDropMissingTimestamps(boolean v) { return ConfigCopy.with(this, "dropMissingTimestamps", v); }
        public OsQuirks withLinuxSendBuffer(boolean v) { return ConfigCopy.with(this, "linuxSendBuffer", v); }
        public OsQuirks withPmtuDiscovery(PmtuDiscovery v) { return ConfigCopy.with(this, "pmtuDiscovery", v); }
    }

    /**
     * Per-listener and layer-wide counts that are not defences (those are in {@link Hardening}): the
     * SYN queue (Linux tcp_max_syn_backlog), the ephemeral port range (RFC 6056; Linux
     * ip_local_port_range) and the challenge ACK rate (RFC 5961 10; tcp_challenge_ack_limit).
     *
     * @param synQueueLimit Half-open (SYN-RECEIVED) connections per listener.
     * @param ephemeralPortMin RFC 6056 ephemeral range (IANA default).
     * @param ephemeralPortMax inclusive upper bound of the ephemeral range.
     * @param challengeAckLimit RFC 5961 10: challenge ACKs per second for the whole layer.
     */
    public record Limits(
            int synQueueLimit,
            int ephemeralPortMin,
            int ephemeralPortMax,
            int challengeAckLimit) {
        /** The defaults: the RFC rule, or Linux's value where the RFC leaves it open. */
        public static final Limits DEFAULTS = new Limits(
                256 /* synQueueLimit */,
                49152 /* ephemeralPortMin */,
                65535 /* ephemeralPortMax */,
                1000 /* challengeAckLimit */);

        void validate() {
            if (ephemeralPortMin < 1 || ephemeralPortMax > 65535 || ephemeralPortMin > ephemeralPortMax)
                throw new IllegalArgumentException("bad ephemeral port range");
        }

        public Limits withSynQueueLimit(int v) { return ConfigCopy.with(this, "synQueueLimit", v); }
        public Limits withEphemeralPortMin(int v) { return ConfigCopy.with(this, "ephemeralPortMin", v); }
        public Limits withEphemeralPortMax(int v) { return ConfigCopy.with(this, "ephemeralPortMax", v); }
        public Limits withChallengeAckLimit(int v) { return ConfigCopy.with(this, "challengeAckLimit", v); }
    }

    /**
     * LAB ONLY switches that break the protocol on purpose, to show in the lab what the rule they
     * break protects against. Both are off (the protocol) by default.
     *
     * @param timeWaitEnabled LAB ONLY. false: skip TIME-WAIT, go CLOSED at once and forget the connection.
     * @param twoWayHandshake LAB ONLY, deliberately broken: a passive open becomes ESTABLISHED on the SYN alone.
     */
    public record Lab(
            boolean timeWaitEnabled,
            boolean twoWayHandshake) {
        /** The defaults: the RFC rule, or Linux's value where the RFC leaves it open. */
        public static final Lab DEFAULTS = new Lab(
                true /* timeWaitEnabled */,
                false /* twoWayHandshake */);

        void validate() {
        }

        public Lab withTimeWaitEnabled(boolean v) { return ConfigCopy.with(this, "timeWaitEnabled", v); }
        public Lab withTwoWayHandshake(boolean v) { return ConfigCopy.with(this, "twoWayHandshake", v); }
    }
}
