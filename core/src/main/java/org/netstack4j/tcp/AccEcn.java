package org.netstack4j.tcp;

import java.util.List;
import org.netstack4j.wire.IpMeta;
import org.netstack4j.wire.TcpOption;
import org.netstack4j.wire.TcpRepr;

/**
 * Accurate ECN (RFC 9768), the connection's side of it, with Linux's choices (net/ipv4/tcp_ecn.h,
 * tcp_input.c, tcp_output.c of Linux 6.18): the handshake, the ACE counter in the AE, CWR and ECE
 * flags of every ACK, the AccECN option's byte counters, and the sender's count of CE marks the
 * peer fed back. {@link Ecn} holds the mode bits ({@link Ecn#ACCURATE}); this object, in the
 * connection's rarely used part, the counters.
 *
 * <pre>
 *   client (tcp_ecn=3)                             server (tcp_ecn=3..5)
 *   SYN, AE+CWR+ECE                          ->    IP-ECN of the SYN reflected (table 2):
 *                                            <-    SYN,ACK, (AE,CWR,ECE) = 010 Not-ECT, 011 ECT(1),
 *                                                  100 ECT(0), 110 CE; AccECN option e1b ceb e0b
 *   ACK, ACE reflects the SYN,ACK's IP-ECN  ->    checked (table 4); 000 = bleached: not ECT
 *   every later ACK: ACE = r.cep mod 8 (r.cep starts at 5, +1 per CE packet received);
 *   the option: bytes received as ECT(0) + 1, CE, ECT(1) + 1 (24 bits each)
 * </pre>
 */
final class AccEcn {
    /** RFC 9768 3.2.2.1: r.cep and s.cep start at 5, so ACE = 0 on the handshake's end means "bleached". */
    static final int CEP_INIT = 5;
    /** RFC 9768 3.2.3: Order 0 (EE0B, ECEB, EE1B) and Order 1 (EE1B, ECEB, EE0B) option kinds. */
    static final int KIND_ORDER0 = 172, KIND_ORDER1 = 174;
    /** Linux TCP_ACCECN_SAFETY_SHIFT: how much of the CE bytes a safe ACE delta must explain. */
    private static final int SAFETY_SHIFT = 1;
    /** Linux PKTS_ACKED_WEIGHT and PKTS_ACKED_PREC: the EWMA of packets per ACK moves by 1/64, in 1/64ths. */
    private static final int EWMA_WEIGHT = 6, EWMA_PREC = 6;
    /** Linux ACK_COMP_THRESH: above this many packets per ACK on average, ACKs are being thinned or compressed. */
    private static final int ACK_COMP_THRESH = 4;

    // failure modes (Linux accecn_fail_mode)
    /** The peer's ACE was bleached or wrong: our packets go out Not-ECT (RFC 9768 3.2.2.3). */
    static final int ACE_FAIL_RECV = 1;
    /** Our options seem to be dropped on the way: no more options (RFC 9768 3.2.3.2.2). */
    static final int OPT_FAIL_SEND = 2;
    /** The peer's first option was zeroed: its options are not used. */
    static final int OPT_FAIL_RECV = 4;

    // receiver: what we feed back
    /** r.cep: CE-marked packets received, plus {@link #CEP_INIT}. */
    int rCep = CEP_INIT;
    /** Payload bytes received as ECT(0), ECT(1) and CE (r.e0b - 1, r.e1b - 1, r.ceb). */
    int rE0b, rE1b, rCeb;
    /** Linux accecn_minlen: the option fields the counters received so far need (1 e1b, 2 + ceb, 3 + e0b). */
    int minFields;
    /** IP-ECN field of the last SYN or SYN,ACK received, reflected on the handshake's ACK (RFC 9768 3.1.3). */
    int synEct;
    /** The next ACK reflects {@link #synEct} instead of carrying r.cep (the handshake's last ACK, an ACK to a SYN). */
    boolean reflect;
    /** SYN,ACKs sent: only the first carries the option (Linux req->num_timeout < 1). */
    int synAcksSent;

    // sender: what the peer fed back
    /** s.cep - 5 (Linux delivered_ce): CE-marked packets of ours the peer reported. */
    long deliveredCe;
    /** Bytes of ours the peer reported received as CE, ECT(0), ECT(1) (from its options). */
    long deliveredCeBytes, deliveredE0Bytes, deliveredE1Bytes;
    /** Linux pkts_acked_ewma: packets newly delivered per ACK that made progress, averaged, in 1/64ths (16 bits). */
    int pktsAckedEwma;
    /** Linux est_ecnfield: the codepoint of the bytes an ACK without option probably covers, 0 = unknown. */
    int estEcnField;
    /** An AccECN option was seen from the peer (Linux saw_accecn_opt): we send ours. */
    boolean sawOption;
    /** A duplicate segment was answered with an option: a second one means the option is being dropped. */
    boolean optionSentOnDuplicate;
    /** The ACK about to be sent answers a duplicate ({@link #duplicateArrives}). */
    boolean duplicatePending;
    /** r.e0b + r.e1b + r.ceb when the last option was sent (mode 1). */
    int lastSentSum;
    /** Options still owed whatever the mode (Linux accecn_opt_demand: 2 after the peer's first option). */
    int demand;
    /** The option mode set on the running connection ({@link #setOptionMode}), or -1 for the config's. */
    int optionMode = -1;
    /** {@link TcpConnection#effMss} was lowered for the option's 12 bytes. */
    boolean mssReduced;
    int fail;

    /** The codepoint of the AE, CWR and ECE flags (RFC 9768 3.2.2.1). */
    static int ace(int flags) {
        return ((flags & TcpRepr.AE) != 0 ? 4 : 0) | ((flags & TcpRepr.CWR) != 0 ? 2 : 0) | ((flags & TcpRepr.ECE) != 0 ? 1 : 0);
    }

    static int aceFlags(int ace) {
        return ((ace & 4) != 0 ? TcpRepr.AE : 0) | ((ace & 2) != 0 ? TcpRepr.CWR : 0) | ((ace & 1) != 0 ? TcpRepr.ECE : 0);
    }

    /** RFC 9768 tables 2 and 4: the SYN,ACK's (or the handshake ACK's) flags for an IP-ECN field received. */
    static int reflectFlags(int ipEcn) {
        return aceFlags(switch (ipEcn) {
            case IpMeta.NOT_ECT -> 0b010;
            case IpMeta.ECT1 -> 0b011;
            case IpMeta.ECT0 -> 0b100;
            default -> 0b110; // CE
        });
    }

    /** The IP-ECN field a handshake ACE reflects, or -1 for the codepoints that reflect none. */
    static int reflectedEct(int ace) {
        return switch (ace) {
            case 0b010 -> IpMeta.NOT_ECT;
            case 0b011 -> IpMeta.ECT1;
            case 0b100 -> IpMeta.ECT0;
            case 0b110 -> IpMeta.CE;
            default -> -1;
        };
    }

    static boolean on(TcpConnection c) { return (c.ecnFlags & Ecn.ACCURATE) != 0; }

    /** The connection's AccECN counters, created on first use (in its rarely used part, {@link Rare}). */
    static AccEcn of(TcpConnection c) {
        Rare r = Rare.of(c);
        if (r.accEcn == null) r.accEcn = new AccEcn();
        return r.accEcn;
    }

    static AccEcn orNull(TcpConnection c) { return c.rare != null ? c.rare.accEcn : null; }

    /** An AccECN setup SYN: AE, CWR and ECE all set (RFC 9768 3.1.1). */
    static boolean synRequests(TcpRepr syn) { return (syn.flags() & TcpRepr.ACE_FLAGS) == TcpRepr.ACE_FLAGS; }

    static boolean accepts(int mode) {
        return mode == TcpConfig.Options.ECN_ACCURATE || mode == TcpConfig.Options.ECN_ACCURATE_IN
            || mode == TcpConfig.Options.ECN_ACCURATE_ACCEPT;
    }

    private static void failed(TcpConnection c, AccEcn a, int mode) {
        if ((a.fail & mode) != 0) return;
        a.fail |= mode;
        if (mode == ACE_FAIL_RECV) c.layer.counters().accEcnAceFailed.increment();
        else c.layer.counters().accEcnOptionFailed.increment();
    }

    // ------------------------------------------------------------------ handshake

    /** Passive open: the peer's SYN asked for AccECN and we accept it; remember its IP-ECN field to reflect. */
    static void passiveAgreed(TcpConnection c, int synIpEcn) {
        AccEcn a = of(c);
        a.synEct = synIpEcn;
        c.layer.counters().accEcnNegotiated.increment();
    }

    /**
     * Active open: the SYN,ACK answered our AccECN SYN (Linux tcp_ecn_rcv_synack). (AE,CWR,ECE) 000
     * and 111 mean no ECN (111: a middlebox reflected our flags), 001 classic ECN; every other
     * codepoint is AccECN (RFC 9768 3.1.2). Returns the {@link Ecn} mode bits to keep.
     */
    static int synAckArrives(TcpConnection c, TcpRepr synAck, int ipEcn) {
        int ace = ace(synAck.flags());
        switch (ace) {
            case 0b000, 0b111 -> {
                c.layer.counters().accEcnFallbackNone.increment();
                return 0;
            }
            case 0b001 -> {
                c.layer.counters().accEcnFallbackClassic.increment();
                return Ecn.OK;
            }
            default -> { }
        }
        AccEcn a = of(c);
        a.synEct = ipEcn;
        a.reflect = true;
        c.layer.counters().accEcnNegotiated.increment();
        optionArrives(c, a, synAck);
        // a CE mark on the SYN,ACK counts in r.cep when the reflection of our SYN is right
        // (Linux tcp_accecn_validate_syn_feedback; our SYN is Not-ECT)
        if (ipEcn == IpMeta.CE && validateReflection(c, a, ace, IpMeta.NOT_ECT)) {
            a.rCep++;
            c.layer.counters().accEcnInCe.increment();
        }
        return Ecn.OK | Ecn.ACCURATE;
    }

    /** RFC 9768 3.2.2.3: a reflected IP-ECN field other than what we sent means a middlebox changes it. */
    private static boolean validateReflection(TcpConnection c, AccEcn a, int ace, int sentEct) {
        if (!c.cfg().options().ecnFallback()) return true;
        if (reflectedEct(ace) != sentEct) {
            failed(c, a, ACE_FAIL_RECV);
            return false;
        }
        return true;
    }

    /**
     * The ACK that completes a passive open (Linux tcp_accecn_third_ack, RFC 9768 table 4): ACE 000
     * is a bleached field, so our packets go out Not-ECT; a pure ACK's reflection of our SYN,ACK's
     * Not-ECT is checked, and a reflected CE counts as one CE delivered.
     */
    static void handshakeAckArrives(TcpConnection c, TcpRepr seg, int len) {
        AccEcn a = of(c);
        int ace = ace(seg.flags());
        switch (ace) {
            case 0b000 -> failed(c, a, ACE_FAIL_RECV);
            case 0b001, 0b101, 0b111 -> { } // unused but legal
            default -> {
                if (len == 0 && validateReflection(c, a, ace, IpMeta.NOT_ECT) && reflectedEct(ace) == IpMeta.CE && a.deliveredCe == 0) {
                    a.deliveredCe++;
                    c.layer.counters().accEcnDeliveredCe.increment();
                }
            }
        }
    }

    /**
     * A SYN in SYN-RECEIVED ({@code retransmittedSyn}) or a SYN or SYN,ACK in a synchronized state:
     * our answer reflects its IP-ECN field (Linux syn_ect_rcv, the challenge ACK's reflector flags);
     * a retransmitted SYN without the AccECN flags means they are being cleared on the way.
     */
    static void synAgain(TcpConnection c, TcpRepr syn, int ipEcn, boolean retransmittedSyn) {
        AccEcn a = of(c);
        a.synEct = ipEcn;
        if (retransmittedSyn) {
            if (!synRequests(syn)) failed(c, a, ACE_FAIL_RECV);
        } else {
            a.reflect = true;
        }
    }

    /**
     * The flags our SYN,ACK carries: the reflection of the SYN's IP-ECN field on the first two,
     * nothing from the third on (Linux: the SYN,ACK may be black-holed for its flags).
     */
    static int synAckFlags(TcpConnection c, int retransmissions) {
        return retransmissions >= 2 ? 0 : reflectFlags(of(c).synEct);
    }

    /** The SYN,ACK's option (on the first one only), placed as Linux does: after TS, else after MSS. */
    static List<TcpOption> synAckOptions(TcpConnection c, List<TcpOption> options) {
        AccEcn a = of(c);
        if (a.synAcksSent++ > 0 || optionMode(c) == 0 || c.noOptions) return options;
        int used = 0, at = -1;
        for (int i = 0; i < options.size(); i++) {
            TcpOption o = options.get(i);
            used += o.length();
            if (o instanceof TcpOption.Timestamps || o instanceof TcpOption.Mss && at < 0) at = i + 1;
        }
        if (used + 12 > TcpRepr.MAX_OPTIONS_LENGTH) return options;
        java.util.ArrayList<TcpOption> out = new java.util.ArrayList<>(options);
        out.add(Math.max(at, 0), option(a, 3));
        out.add(Math.max(at, 0) + 1, TcpOption.NOP);
        c.layer.counters().accEcnOptionsSent.increment();
        return out;
    }

    // ------------------------------------------------------------------ receiver

    /** Counts a segment of an AccECN connection by its IP-ECN field (Linux tcp_ecn_received_counters). */
    static void received(TcpConnection c, int ipEcn, int len) {
        AccEcn a = of(c);
        switch (ipEcn) {
            case IpMeta.CE -> {
                // RFC 9768 3.2.2.2: every CE-marked packet counts, pure ACKs included
                a.rCep++;
                c.layer.counters().accEcnInCe.increment();
                if (len > 0) {
                    a.rCeb += len;
                    a.minFields = Math.max(a.minFields, 2);
                    c.rcv.ackPending = true; // feed it back soon (Linux enters quick-ACK mode)
                }
            }
            case IpMeta.ECT0 -> {
                if (len > 0) {
                    a.rE0b += len;
                    a.minFields = 3;
                }
            }
            case IpMeta.ECT1 -> {
                if (len > 0) {
                    a.rE1b += len;
                    a.minFields = Math.max(a.minFields, 1);
                }
            }
            default -> { }
        }
    }

    /**
     * A data segment that lies wholly below RCV.NXT: when the ACK that answered the previous one
     * carried our option, the peer apparently never got it (RFC 9768 3.2.3.2.2; Linux: a D-SACK
     * sent with the option, then the same data again): no more options.
     */
    static void duplicateArrives(TcpConnection c) {
        AccEcn a = of(c);
        if (a.optionSentOnDuplicate && optionMode(c) < 3) failed(c, a, OPT_FAIL_SEND);
        a.optionSentOnDuplicate = false;
        a.duplicatePending = true;
    }

    /** The IP-ECN field of a non-SYN segment: ECT(0) unless the peer's feedback failed (Linux: every segment, ACKs too). */
    static int ipEcn(TcpConnection c) {
        return (of(c).fail & ACE_FAIL_RECV) != 0 ? IpMeta.NOT_ECT : IpMeta.ECT0;
    }

    /** The ACE flags of a non-SYN ACK: the handshake's reflection once, then r.cep mod 8. */
    static int aceOut(TcpConnection c) {
        AccEcn a = of(c);
        if (a.reflect) {
            a.reflect = false;
            return reflectFlags(a.synEct);
        }
        // Linux answers from its TIME-WAIT mini socket, which keeps no counters: ACE 0 (also on
        // the ACK of the peer's FIN that takes us there)
        if (c.state == TcpState.TIME_WAIT || c.finReceived && c.finAcked()) return 0;
        return aceFlags(a.rCep);
    }

    /** Whether this ACK carries the option (Linux tcp_established_options). */
    static boolean wantsOption(TcpConnection c, int len) {
        AccEcn a = of(c);
        int mode = optionMode(a, c);
        if (mode == 0 || !a.sawOption || (a.fail & OPT_FAIL_SEND) != 0) return false;
        // a full segment sized without the option's 12 bytes (mode 1) goes without it
        if (len > 0 && !a.mssReduced && len + 12 > c.effMss) return false;
        // mode 1 (Linux MINIMUM): the first two after the peer's first option, then when a byte
        // counter moved since the last one (Linux's per-RTT beacon is not sent)
        return mode >= 2 || a.demand > 0 || a.minFields > 0 && a.lastSentSum != a.rE0b + a.rE1b + a.rCeb;
    }

    /**
     * Appends the option (and the SACK blocks after it) to an ACK's options, fitted as Linux's
     * tcp_options_fit_accecn does: as many fields as fit, at least the ones the counters need
     * (one SACK block may give way to them); false when it does not fit (nothing appended).
     * {@code used} is the bytes of the options already there.
     */
    static boolean addOption(TcpConnection c, List<TcpOption> options, int used, List<TcpOption.SackBlock> blocks) {
        AccEcn a = of(c);
        int sacks = blocks.size();
        int remaining = TcpRepr.MAX_OPTIONS_LENGTH - used - (sacks > 0 ? 4 + 8 * sacks : 0);
        int required = a.minFields;
        int combine = sacks > 0 ? 2 : 0; // the SACK option's two NOPs can take the option's tail
        int fields = 3, size = 11, reduced = 0, rem = remaining;
        while (fields >= required) {
            int aligned = (size & 3) > combine ? (size + 3) & ~3 : size & ~3;
            if (rem >= aligned) break;
            if (fields == required && sacks > 2 && required > 0) {
                sacks--;
                reduced++;
                rem += 8;
                fields = 3;
                size = 11;
                continue;
            }
            fields--;
            size -= 3;
        }
        if (fields < required || fields < 0) return false;
        options.add(option(a, fields));
        int len = 2 + 3 * fields;
        if (sacks > 0) {
            for (int p = (4 - (len + 2) % 4) % 4; p > 0; p--) options.add(TcpOption.NOP);
            options.add(new TcpOption.Sack(blocks.subList(0, sacks)));
        } else {
            for (int p = (4 - len % 4) % 4; p > 0; p--) options.add(TcpOption.NOP);
        }
        a.lastSentSum = a.rE0b + a.rE1b + a.rCeb;
        if (a.demand > 0) a.demand--;
        if (a.duplicatePending) a.optionSentOnDuplicate = true;
        c.layer.counters().accEcnOptionsSent.increment();
        return true;
    }

    /** An ACK went out: the duplicate it answered is answered. */
    static void ackSent(TcpConnection c) { of(c).duplicatePending = false; }

    /** Order 1 (Linux's choice): EE1B, ECEB, EE0B, the first {@code fields} of them (RFC 9768 3.2.3). */
    private static TcpOption option(AccEcn a, int fields) {
        byte[] d = new byte[3 * fields];
        int[] v = {a.rE1b + 1, a.rCeb, a.rE0b + 1};
        for (int i = 0; i < fields; i++) {
            d[3 * i] = (byte) (v[i] >>> 16);
            d[3 * i + 1] = (byte) (v[i] >>> 8);
            d[3 * i + 2] = (byte) v[i];
        }
        return new TcpOption.Unknown(KIND_ORDER1, d);
    }

    /** The option's 12 bytes come off the data a segment carries (Linux tcp_current_mss counts it). */
    static void adjustMss(TcpConnection c) {
        AccEcn a = orNull(c);
        if (a == null || a.mssReduced || !a.sawOption || optionMode(c) < 2) return;
        a.mssReduced = true;
        c.effMss = Math.max(64, c.effMss - 12);
        if (c.recovery != null) c.recovery.setMss(c.effMss);
    }

    /** When the AccECN option is sent: the mode set on the running connection, else its config's. */
    static int optionMode(TcpConnection c) {
        AccEcn a = orNull(c);
        return a != null ? optionMode(a, c) : c.cfg().options().accEcnOption();
    }

    private static int optionMode(AccEcn a, TcpConnection c) {
        return a.optionMode >= 0 ? a.optionMode : c.cfg().options().accEcnOption();
    }

    /**
     * Changes when the option is sent on a running connection, as Linux's {@code tcp_ecn_option}
     * sysctl does (it is read for every segment): the 12 bytes the option took off the MSS come
     * back when it is no longer sent on every segment, and go again when it is.
     */
    static void setOptionMode(TcpConnection c, int mode) {
        if (mode < 0 || mode > 3) throw new IllegalArgumentException("AccECN option mode must be 0 to 3: " + mode);
        AccEcn a = of(c);
        a.optionMode = mode;
        if (a.mssReduced && mode < 2) {
            a.mssReduced = false;
            c.effMss += 12;
            if (c.recovery != null) c.recovery.setMss(c.effMss);
        } else {
            adjustMss(c);
        }
    }

    /** {@link TcpConnection#negotiate} recomputed the MSS: take the option's bytes off again. */
    static void reapplyMss(TcpConnection c) {
        AccEcn a = orNull(c);
        if (a != null && a.mssReduced) c.effMss = Math.max(64, c.effMss - 12);
    }

    // ------------------------------------------------------------------ sender

    /**
     * Reads the peer's option (Linux tcp_accecn_process_option): the byte counters' deltas (24
     * bits, sign-extended); returns whether they tell which codepoint this ACK's bytes had. A
     * first option with a zero EE0B or EE1B field means a middlebox zeroes it (RFC 9768 3.2.3.2.4):
     * the peer's options are then ignored.
     */
    private static boolean optionArrives(TcpConnection c, AccEcn a, TcpRepr seg) {
        TcpOption.Unknown opt = null;
        for (TcpOption o : seg.options())
            if (o instanceof TcpOption.Unknown u && (u.kind() == KIND_ORDER0 || u.kind() == KIND_ORDER1)) { opt = u; break; }
        if (opt == null) return false;
        c.layer.counters().accEcnOptionsReceived.increment();
        boolean order1 = opt.kind() == KIND_ORDER1;
        byte[] d = opt.data();
        int n = Math.min(3, d.length / 3);
        if (!a.sawOption) {
            a.sawOption = true;
            a.demand = 2;
            // the first field (EE0B or EE1B) and the third (the other) start at 1: zero means zeroed
            if (n >= 1 && field(d, 0) == 0 || n >= 3 && field(d, 2) == 0) failed(c, a, OPT_FAIL_RECV);
            adjustMss(c);
        }
        if ((a.fail & OPT_FAIL_RECV) != 0) return false;
        boolean valid = a.estEcnField != 0, first = false;
        for (int i = 0; i < n; i++) {
            // Order 0: e0b, ceb, e1b; Order 1: e1b, ceb, e0b
            int ecn = i == 1 ? IpMeta.CE : (i == 0) == order1 ? IpMeta.ECT1 : IpMeta.ECT0;
            int offset = ecn == IpMeta.CE ? 0 : 1;
            long have = switch (ecn) {
                case IpMeta.CE -> a.deliveredCeBytes;
                case IpMeta.ECT1 -> a.deliveredE1Bytes;
                default -> a.deliveredE0Bytes;
            };
            int delta = ((field(d, i) - offset - (int) have) << 8) >> 8; // 24-bit difference, sign-extended
            switch (ecn) {
                case IpMeta.CE -> a.deliveredCeBytes += delta;
                case IpMeta.ECT1 -> a.deliveredE1Bytes += delta;
                default -> a.deliveredE0Bytes += delta;
            }
            if (delta < 0) valid = false;
            if (delta != 0 && ecn != a.estEcnField) {
                if (!first) {
                    a.estEcnField = ecn;
                    first = true;
                } else {
                    valid = false;
                    a.estEcnField = -1;
                }
            }
        }
        if (a.estEcnField == -1) a.estEcnField = 0;
        return valid;
    }

    private static int field(byte[] d, int i) {
        return (d[3 * i] & 0xff) << 16 | (d[3 * i + 1] & 0xff) << 8 | d[3 * i + 2] & 0xff;
    }

    /**
     * An acceptable ACK (Linux __tcp_accecn_process): the ACE counter's increase is the CE marks
     * the peer saw since the last ACK, modulo 8; when more than 7 packets were delivered it may
     * have wrapped, and the safe assumption is the largest increase that fits, unless the option's
     * CE byte counter shows fewer. Returns the CE packets newly delivered.
     *
     * @param deliveredBytes bytes newly acknowledged or SACKed by this ACK
     */
    static int ackArrives(TcpConnection c, TcpRepr seg, long deliveredBytes, boolean progress, boolean synAcked) {
        AccEcn a = of(c);
        if (!progress) return 0; // a reordered ACK, or one that tells nothing new
        long oldCeb = a.deliveredCeBytes;
        boolean optValid = optionArrives(c, a, seg);
        if (!optValid && a.estEcnField != 0 && deliveredBytes > 0 && !hasOption(seg)) {
            // no option: the bytes probably had the codepoint the last option's change showed
            switch (a.estEcnField) {
                case IpMeta.CE -> a.deliveredCeBytes += deliveredBytes;
                case IpMeta.ECT1 -> a.deliveredE1Bytes += deliveredBytes;
                default -> a.deliveredE0Bytes += deliveredBytes;
            }
            optValid = true;
        }
        int mss = Math.max(1, c.effMss);
        long pkts = Math.ceilDiv(Math.max(0, deliveredBytes), mss);
        if (pkts > 0) a.pktsAckedEwma = pktsAckedEwma(a.pktsAckedEwma, pkts);
        if (synAcked) return 0; // the handshake's ACE reflects, it does not count
        int delta = (ace(seg.flags()) - CEP_INIT - (int) a.deliveredCe) & 7;
        long d;
        if (pkts <= 7) {
            d = delta;
        } else {
            long safe = pkts - ((pkts - delta) & 7);
            d = safe;
            if (optValid) {
                long dCeb = a.deliveredCeBytes - oldCeb;
                if (dCeb == 0) d = delta;
                else if (pkts >= 16 && (c.sackOk || !c.inRecovery())) {
                    d = deliveredBytes <= dCeb ? safe : Math.min(safe, delta + (Math.ceilDiv(dCeb * pkts, deliveredBytes) & ~7L));
                } else if (dCeb > (long) delta * mss) d = safe;
                else if (dCeb < (safe * mss) >> SAFETY_SHIFT) d = delta;
            } else if (a.pktsAckedEwma > ACK_COMP_THRESH << EWMA_PREC) {
                // no byte counts to tell: when every ACK covers many packets anyway (a receiver or
                // path that thins ACKs), a large one is no sign that the ACE counter wrapped
                d = delta;
            }
        }
        a.deliveredCe += d;
        if (d > 0) c.layer.counters().accEcnDeliveredCe.add(d);
        return (int) d;
    }

    /** Linux __tcp_accecn_process: the first sample sets the average, later ones move it by 1/64 (capped at 16 bits). */
    static int pktsAckedEwma(int ewma, long pkts) {
        long sample = Math.min(pkts, 0xFFFF) << EWMA_PREC;
        long next = ewma == 0 ? sample : (((long) ewma << EWMA_WEIGHT) - ewma + sample) >> EWMA_WEIGHT;
        return (int) Math.min(next, 0xFFFF);
    }

    private static boolean hasOption(TcpRepr seg) {
        for (TcpOption o : seg.options())
            if (o instanceof TcpOption.Unknown u && (u.kind() == KIND_ORDER0 || u.kind() == KIND_ORDER1)) return true;
        return false;
    }
}
