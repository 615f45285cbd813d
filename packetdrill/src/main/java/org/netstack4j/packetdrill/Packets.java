package org.netstack4j.packetdrill;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.netstack4j.packetdrill.Event.PacketEvent;
import org.netstack4j.packetdrill.Interpreter.Mismatch;
import org.netstack4j.packetdrill.Interpreter.Sent;
import org.netstack4j.wire.Icmpv6Repr;
import org.netstack4j.tcp.TcpMd5Key;
import org.netstack4j.wire.TcpOption;
import org.netstack4j.wire.TcpRepr;

/**
 * The packet side of a run: builds inbound segments (and ICMP errors) from packet lines with
 * seq/ack/SACK/TS-ecr mapped into the stack's spaces and injects them; matches outbound
 * expectations against what the stack sent (flags, seq, ack, window, options, TS val within
 * the tolerance, TSO-sized lines against several MSS-sized segments) and renders live segments
 * in script notation. State lives in the {@link Interpreter} that owns it.
 */
final class Packets {

    private final Interpreter interp;

    Packets(Interpreter interp) { this.interp = interp; }

    void inject(PacketEvent p) {
        int ecn = ipEcn(p.line(), p.ipInfo());
        if (ecn == ECT_EITHER) throw new Mismatch(p.line(), "script error: ect01 (either ECT) on an inbound packet");
        if (wholeTos(ecn)) throw new Unsupported(p.line(), "DSCP bits on an inbound packet (" + p.ipInfo() + ")");
        if (p.seqAny()) throw new Mismatch(p.line(), "script error: ...(n) on an inbound packet");
        if (p.seqEnd() - p.seqStart() != p.length())
            throw new Mismatch(p.line(), "script error: " + p.seqStart() + ":" + p.seqEnd() + " is not " + p.length() + " bytes");
        if (p.anyOptions()) throw new Mismatch(p.line(), "script error: <...> on an inbound packet");
        int flags = flagBits(p.flags());
        long ackField = 0;
        long offset = p.absolute() ? 0 : interp.localIsnOffset;
        boolean syn = p.hasFlag('S');
        if (syn && !p.absolute() && interp.remoteIsnPending) {
            // packetdrill: the SYN that makes a new socket (after listen or connect) sets the peer's ISN
            interp.remoteIsn = p.seqStart() & 0xffffffffL;
            interp.remoteIsnPending = false;
            if (interp.newPassivePeer && !p.hasFlag('.') && interp.passivePeers++ > 0)
                interp.flowRemotePort = Interpreter.REMOTE_EPHEMERAL_PORT + interp.passivePeers - 1;
            interp.newPassivePeer = false;
        }
        long seqOffset = syn || p.absolute() ? 0 : interp.remoteIsn;
        if (p.ack() != null) ackField = (flags & TcpRepr.ACK) != 0 ? p.ack() + offset : p.ack();
        List<TcpOption> opts = new ArrayList<>();
        if (p.options() != null) {
            for (OptionSpec o : p.options()) {
                // Whatever follows the first EOL is padding on the wire (RFC 9293 3.2): one EOL ends the list.
                if (!opts.isEmpty() && opts.getLast() instanceof TcpOption.EndOfList) break;
                opts.add(switch (o) {
                    case OptionSpec.Nop n -> new TcpOption.Nop();
                    case OptionSpec.Eol n -> new TcpOption.EndOfList();
                    case OptionSpec.Mss m -> new TcpOption.Mss(m.mss());
                    case OptionSpec.WScale w -> new TcpOption.WindowScale(w.shift());
                    case OptionSpec.SackOk s -> new TcpOption.SackPermitted();
                    case OptionSpec.Sack s -> {
                        List<TcpOption.SackBlock> blocks = new ArrayList<>();
                        for (long[] b : s.blocks())
                            blocks.add(new TcpOption.SackBlock((int) (b[0] + offset), (int) (b[1] + offset)));
                        yield new TcpOption.Sack(blocks);
                    }
                    case OptionSpec.AccEcn a -> new TcpOption.Unknown(a.kind(), a.data());
                    case OptionSpec.Ts ts -> {
                        if (ts.val() < 0) throw new Mismatch(p.line(), "script error: TS val ... on an inbound packet");
                        yield new TcpOption.Timestamps((int) ts.val(), (int) (ts.ecrAbsolute() ? ts.ecr() : liveEcr(p.line(), ts.ecr())));
                    }
                    case OptionSpec.FastOpen f -> new TcpOption.Unknown(f.kind(), f.data());
                    case OptionSpec.Md5 m -> new TcpOption.Unknown(19, m.digest() != null ? m.digest() : new byte[16]);
                });
            }
        }
        int window = p.win() == null ? 65535 : (int) (long) p.win();
        TcpRepr seg;
        try {
            seg = new TcpRepr(interp.flowRemotePort, interp.flowLocalPort, (int) (p.seqStart() + seqOffset), (int) ackField, flags, window,
                p.urg() == null ? 0 : (int) (long) p.urg(), List.copyOf(opts));
        } catch (IllegalArgumentException e) {
            throw new Mismatch(p.line(), "script error: cannot build this segment: " + e.getMessage());
        }
        seg = signInbound(p, seg);
        if (interp.log.size() < 2000) interp.log.add(Interpreter.fmtTime(interp.now) + Interpreter.lineTag(p.line()) + "< " + p.describe().substring(2));
        if (ecn == NOT_WRITTEN) interp.stack.segmentArrives(interp.now, interp.remote, interp.local, seg, new byte[p.length()]);
        else interp.stack.segmentArrives(interp.now, interp.remote, interp.local, seg, new byte[p.length()], ecn);
        interp.checkPending();
    }

    /** A bare {@code md5} option on an inbound line: the digest made with the script's TCP_MD5SIG key (RFC 2385). */
    private TcpRepr signInbound(PacketEvent p, TcpRepr seg) {
        if (p.options() == null || p.options().stream().noneMatch(o -> o instanceof OptionSpec.Md5 m && m.digest() == null)) return seg;
        TcpMd5Key key = interp.md5Key;
        if (key == null) throw new Mismatch(p.line(), "script error: md5 on an inbound packet before any TCP_MD5SIG key");
        byte[] d = TcpMd5Key.digest(interp.remote, interp.local, seg, new byte[p.length()], 0, p.length(), key);
        List<TcpOption> opts = new ArrayList<>(seg.options());
        for (int i = 0; i < opts.size(); i++)
            if (opts.get(i) instanceof TcpOption.Unknown u && u.kind() == 19) opts.set(i, new TcpOption.Unknown(19, d));
        return new TcpRepr(seg.srcPort(), seg.dstPort(), seg.seq(), seg.ack(), seg.flags(), seg.window(), seg.urgentPointer(), opts);
    }

    /** An outbound {@code md5}: the live digest must be the one the script's key gives. */
    private String checkMd5(PacketEvent p, Sent s) {
        if (p.options() == null || p.options().stream().noneMatch(o -> o instanceof OptionSpec.Md5) || interp.md5Key == null) return null;
        byte[] got = null;
        for (TcpOption o : s.tcp().options())
            if (o instanceof TcpOption.Unknown u && u.kind() == 19 && u.data().length == 16) got = u.data();
        if (got == null) return null; // the option comparison reports it
        byte[] want = TcpMd5Key.digest(s.src(), s.dst(), s.tcp(), s.payload(), 0, s.payload().length, interp.md5Key);
        return java.util.Arrays.equals(want, got) ? null : "md5 digest differs (not signed with the script's key)";
    }

    /** {@link #ipEcn}: the line says nothing of the IP header. */
    static final int NOT_WRITTEN = -1;
    /** {@link #ipEcn}: {@code ect01}, either ECT codepoint (outbound only). */
    static final int ECT_EITHER = 4;
    /** {@link #ipEcn}: {@code (tos 0xNN)} with DSCP bits: the whole TOS byte is in the low 8 bits (outbound only). */
    static final int WHOLE_TOS = 0x100;

    /**
     * The ECN field (RFC 3168 5) an IP part of a packet line names: {@code [noecn]} / {@code
     * [not-ect]}, {@code [ect0]}, {@code [ect1]}, {@code [ce]}, {@code [ect01]}, each also as
     * {@code (ecn X)}, or {@code (tos 0xNN)} with DSCP 0; {@link #NOT_WRITTEN} when there is none.
     * {@code (tos 0xNN)} with DSCP bits is {@link #WHOLE_TOS} | the byte: checked whole on
     * outbound lines (IP_TOS / IPV6_TCLASS), not injectable. Other IP fields (ttl, flow labels)
     * cannot be injected or checked here: Unsupported.
     */
    static int ipEcn(int line, String ipInfo) {
        if (ipInfo == null) return NOT_WRITTEN;
        String t = ipInfo.strip().toLowerCase(Locale.ROOT);
        if (t.startsWith("ecn ")) t = t.substring(4).strip();
        switch (t) {
            case "noecn", "not-ect", "not_ect" -> { return 0; }
            case "ect1" -> { return 1; }
            case "ect0" -> { return 2; }
            case "ce" -> { return 3; }
            case "ect01" -> { return ECT_EITHER; }
            default -> { }
        }
        if (t.matches("tos 0x[0-9a-f]{1,2}")) {
            int tos = Integer.parseInt(t.substring(6), 16);
            return tos >>> 2 == 0 ? tos & 3 : WHOLE_TOS | tos;
        }
        throw new Unsupported(line, "IP fields in packet line (" + ipInfo + ")");
    }

    /** Does {@link #ipEcn}'s value name the whole TOS byte? */
    static boolean wholeTos(int want) { return want >= 0 && (want & WHOLE_TOS) != 0; }

    /** Outbound: does the TOS byte {@code live} (DSCP and ECN) match what the line wrote ({@link #ipEcn})? */
    static boolean ecnMatches(int want, int live) {
        if (wholeTos(want)) return (want & 0xff) == live;
        int ecn = live & 3; // a line naming only the ECN field says nothing of DSCP
        return want == NOT_WRITTEN || want == ecn || want == ECT_EITHER && (ecn == 1 || ecn == 2);
    }

    static String ecnName(int ecn) {
        if (wholeTos(ecn)) return String.format("tos 0x%02x", ecn & 0xff);
        return switch (ecn) {
            case 0 -> "noecn";
            case 1 -> "ect1";
            case 2 -> "ect0";
            case 3 -> "ce";
            default -> "ect01";
        };
    }

    /** RFC 792 destination unreachable codes, as packetdrill names them. */
    static final List<String> UNREACHABLE_CODES = List.of("net_unreachable", "host_unreachable",
        "protocol_unreachable", "port_unreachable", "frag_needed", "source_route_failed", "net_unknown",
        "host_unknown", "source_host_isolated", "net_prohibited", "host_prohibited", "net_unreachable_for_tos",
        "host_unreachable_for_tos", "packet_filtered", "precedence_violation", "precedence_cutoff");

    /** nplab's numeric {@code type_N} as the name of that type (RFC 792); other numbers are "unknown". */
    static String icmpTypeName(String t) {
        if (!t.matches("type_\\d+")) return t;
        return switch (Integer.parseInt(t.substring(5))) {
            case 0 -> "echo_reply";
            case 3 -> "unreachable";
            case 4 -> "source_quench";
            case 5 -> "redirect";
            case 8 -> "echo_request";
            case 9 -> "router_advertisement";
            case 10 -> "router_solicitation";
            case 11 -> "time_exceeded";
            case 12 -> "parameter_problem";
            case 13 -> "timestamp_request";
            case 14 -> "timestamp_reply";
            case 15 -> "information_request";
            case 16 -> "information_reply";
            case 17 -> "address_mask_request";
            case 18 -> "address_mask_reply";
            default -> "unknown";
        };
    }

    void icmp(Event.IcmpEvent i) {
        int ecn = ipEcn(i.line(), i.ipInfo());
        if (ecn != NOT_WRITTEN && ecn != 0) throw new Unsupported(i.line(), "ECN field on an ICMP line (" + i.ipInfo() + ")");
        if (interp.ipv6) {
            icmpv6(i);
            return;
        }
        long quoted = i.seqStart() < 0 ? 0 : i.seqStart();
        String type = icmpTypeName(i.type());
        switch (type) {
            case "unreachable", "destination_unreachable" -> { }
            case "time_exceeded" -> {
                if (interp.log.size() < 2000) interp.log.add(Interpreter.fmtTime(interp.now) + Interpreter.lineTag(i.line()) + "< icmp time exceeded [" + quoted + "]");
                interp.stack.icmpTimeExceeded(interp.now, interp.local, interp.remote, interp.flowLocalPort, interp.flowRemotePort, (int) (quoted + interp.localIsnOffset));
                interp.checkPending();
                return;
            }
            // Not passed to the engine: source quench is ignored (RFC 6633), a redirect only changes
            // the IP next hop, and a parameter problem is a soft error (RFC 1122 4.2.3.9) that would
            // only be named if the connection later timed out
            // Queries and replies (echo, timestamp, information, address mask) and types this
            // stack does not know are not about a TCP segment: RFC 1122 3.2.2 says to silently
            // discard unknown types, the queries are answered (or not) by the IP layer.
            case "source_quench", "redirect", "parameter_problem", "echo_reply", "echo_request",
                 "timestamp_request", "timestamp_reply", "information_request", "information_reply",
                 "address_mask_request", "address_mask_reply", "router_advertisement", "router_solicitation",
                 "unknown" -> {
                if (interp.log.size() < 2000) interp.log.add(Interpreter.fmtTime(interp.now) + Interpreter.lineTag(i.line()) + "< icmp " + i.type() + " (no effect on TCP)");
                interp.checkPending();
                return;
            }
            default -> throw new Unsupported(i.line(), "icmp " + i.type());
        }
        int code;
        if (i.code() == null) code = 0;
        else if (i.code().chars().allMatch(c -> Ascii.isDigit((char) c))) code = Integer.parseInt(i.code());
        else if (i.code().matches("code_\\d+")) code = Integer.parseInt(i.code().substring(5));
        else code = UNREACHABLE_CODES.indexOf(i.code());
        if (code > 255) throw new Unsupported(i.line(), "icmp unreachable code " + i.code());
        if (code < 0) throw new Unsupported(i.line(), "icmp unreachable code " + i.code());
        long seq = i.seqStart() < 0 ? 0 : i.seqStart();
        if (interp.log.size() < 2000) interp.log.add(Interpreter.fmtTime(interp.now) + Interpreter.lineTag(i.line()) + "< icmp unreachable code " + code + " mtu " + i.mtu() + " [" + seq + "]");
        interp.stack.icmpUnreachable(interp.now, interp.local, interp.remote, code, i.mtu(), interp.flowLocalPort, interp.flowRemotePort, (int) (seq + interp.localIsnOffset));
        interp.checkPending();
    }

    /** RFC 4443 destination unreachable codes, as packetdrill names them for ICMPv6. */
    static final List<String> UNREACHABLE_CODES6 = List.of("no_route", "admin_prohibited", "beyond_scope",
        "address_unreachable", "port_unreachable");

    /**
     * With --ip_version=ipv6 an icmp line is ICMPv6 (RFC 4443), with packetdrill's ICMPv6 names:
     * unreachable (codes above), packet_too_big (mtu N), time_exceeded, parameter_problem and
     * the echo types; ICMPv4-only names are refused, as packetdrill refuses them.
     */
    void icmpv6(Event.IcmpEvent i) {
        long seq = i.seqStart() < 0 ? 0 : i.seqStart();
        String type = i.type().matches("type_\\d+") ? switch (Integer.parseInt(i.type().substring(5))) {
            case 1 -> "unreachable";
            case 2 -> "packet_too_big";
            case 3 -> "time_exceeded";
            case 4 -> "parameter_problem";
            default -> "unknown";
        } : i.type();
        Icmpv6Repr error = switch (type) {
            case "unreachable", "destination_unreachable" -> {
                int code;
                if (i.code() == null) code = 0;
                else if (i.code().chars().allMatch(c -> Ascii.isDigit((char) c))) code = Integer.parseInt(i.code());
                else if (i.code().matches("code_\\d+")) code = Integer.parseInt(i.code().substring(5));
                else code = UNREACHABLE_CODES6.indexOf(i.code());
                if (code < 0 || code > 255) throw new Unsupported(i.line(), "icmpv6 unreachable code " + i.code());
                yield new Icmpv6Repr.DestinationUnreachable(code, new byte[0]);
            }
            case "packet_too_big" -> new Icmpv6Repr.PacketTooBig(i.mtu(), new byte[0]);
            case "time_exceeded" -> new Icmpv6Repr.TimeExceeded(0, new byte[0]);
            case "parameter_problem", "echo_request", "echo_reply", "unknown" -> null;
            default -> throw new Unsupported(i.line(), "icmp " + i.type() + " is not an ICMPv6 type (--ip_version=ipv6)");
        };
        if (interp.log.size() < 2000) interp.log.add(Interpreter.fmtTime(interp.now) + Interpreter.lineTag(i.line()) + "< icmpv6 " + type
                + (i.code() == null ? "" : " " + i.code()) + (i.mtu() == 0 ? "" : " mtu " + i.mtu()) + " [" + seq + "]"
                + (error == null ? " (no effect on TCP)" : ""));
        if (error != null) interp.stack.icmpv6Error(interp.now, error, interp.local, interp.remote, interp.flowLocalPort, interp.flowRemotePort, (int) (seq + interp.localIsnOffset));
        interp.checkPending();
    }

    /** The stack's TS val for the script's value (NOTES.md 2, TS mapping). */
    long liveEcr(int line, long scriptEcr) {
        if (scriptEcr == 0) return 0;
        Long v = interp.tsVals.get(scriptEcr);
        if (v != null) return v;
        if (interp.tsTickUs > 0 && interp.firstScriptTs != null)
            return interp.firstLiveTs + (scriptEcr - interp.firstScriptTs) * interp.tsTickUs / 1000;
        // No outbound line named this value (e.g. it was matched with <...>): echo the latest we saw.
        return interp.lastLiveTsVal == null ? scriptEcr : interp.lastLiveTsVal;
    }

    /** Matches the next sent segment(s) against p; returns when the last of them was sent. */
    long expectOutbound(PacketEvent p, long lo, long hi, long tol) {
        int wantEcn = ipEcn(p.line(), p.ipInfo());
        eventToleranceNs = tol;
        long limit = hi + tol;
        Sent first = interp.waitForSent(limit);
        if (first == null) {
            Sent late = interp.waitForSent(limit + Interpreter.LATE_LOOKAHEAD_NS);
            String expected = "expected " + p.describe() + " at " + Interpreter.fmtWindow(lo, hi, tol);
            if (late == null) throw new Mismatch(p.line(), expected + ", but nothing was sent");
            throw new Mismatch(p.line(), expected + ", but the next segment came late: " + Interpreter.fmtTime(late.time()) + " "
                + render(late.tcp(), late.payload().length, false));
        }
        interp.sent.poll();
        List<Sent> pieces = new ArrayList<>(List.of(first));
        long covered = first.payload().length;
        boolean isSyn = (first.tcp().flags() & TcpRepr.SYN) != 0 && p.hasFlag('S');
        if (isSyn && !p.seqAny() && !p.absolute()) {
            // packetdrill: our ISN is what it is (the script's SYN seq is not checked); the
            // script's later sequence numbers of ours are relative to it
            interp.localIsnOffset = first.tcp().seq() & 0xffffffffL;
            interp.isnKnown = true;
        }
        // google's non-strict mode: several MSS-sized segments may stand for one TSO-sized script line.
        long wantStart = p.seqAny() ? scriptSeq(first, p) : p.seqStart() & 0xffffffffL;
        if (!interp.strictSegments && p.length() > covered && covered > 0 && scriptSeq(first, p) == wantStart) {
            while (covered < p.length()) {
                Sent n = interp.waitForSent(limit);
                if (n == null || scriptSeq(n, p) != ((wantStart + covered) & 0xffffffffL) || n.payload().length == 0) break;
                interp.sent.poll();
                pieces.add(n);
                covered += n.payload().length;
            }
        }
        String problem = compare(p, pieces, covered);
        String actual = pieces.size() == 1
            ? Interpreter.fmtTime(first.time()) + " " + render(first.tcp(), first.payload().length, false)
            : pieces.size() + " segments from " + Interpreter.fmtTime(first.time()) + ": " + String.join(" | ",
                pieces.stream().map(s -> render(s.tcp(), s.payload().length, false)).toList());
        if (problem == null) {
            for (Sent s : pieces) {
                if (!ecnMatches(wantEcn, s.ecn())) {
                    problem = wholeTos(wantEcn) ? "IP TOS " + String.format("0x%02x", s.ecn()) + ", expected " + ecnName(wantEcn)
                        : "IP ECN field " + ecnName(s.ecn() & 3) + ", expected " + ecnName(wantEcn);
                    break;
                }
            }
        }
        if (problem != null)
            throw new Mismatch(p.line(), problem + ": expected " + p.describe() + " got " + actual);
        for (Sent s : pieces) {
            if (s.time() < lo - tol || s.time() > hi + tol)
                throw new Mismatch(p.line(), "timing: expected " + p.describe() + " at " + Interpreter.fmtWindow(lo, hi, tol)
                    + ", sent at " + Interpreter.fmtTime(s.time()));
        }
        recordTs(p, first);
        return pieces.getLast().time();
    }

    void recordTs(PacketEvent p, Sent s) {
        TcpOption.Timestamps live = liveTs(s.tcp());
        if (live == null) return;
        long lv = live.tsVal() & 0xffffffffL;
        interp.lastLiveTsVal = lv;
        if (p.options() == null) return;
        for (OptionSpec o : p.options()) {
            if (o instanceof OptionSpec.Ts ts && ts.val() >= 0) {
                interp.tsVals.put(ts.val(), lv);
                if (interp.firstScriptTs == null) { interp.firstScriptTs = ts.val(); interp.firstLiveTs = lv; }
            }
        }
    }

    static TcpOption.Timestamps liveTs(TcpRepr tcp) {
        for (TcpOption o : tcp.options()) if (o instanceof TcpOption.Timestamps t) return t;
        return null;
    }

    long scriptSeq(Sent s) { return (s.tcp().seq() - interp.localIsnOffset) & 0xffffffffL; }

    /** The live seq in the packet line's space: raw for {@code !}, else shifted by our ISN. */
    long scriptSeq(Sent s, PacketEvent p) {
        return p.absolute() ? s.tcp().seq() & 0xffffffffL : scriptSeq(s);
    }

    /** Null when the segments match p, else what differs. */
    String compare(PacketEvent p, List<Sent> pieces, long covered) {
        Sent first = pieces.getFirst();
        int want = flagBits(p.flags());
        int mask = ~0;
        boolean aggregated = pieces.size() > 1;
        if (!interp.profile.comparesPsh() && !interp.strictSegments) mask &= ~TcpRepr.PSH;
        for (int i = 0; i < pieces.size(); i++) {
            int got = pieces.get(i).tcp().flags() & 0x1ff;
            int w = want;
            if (aggregated) {
                w &= ~TcpRepr.PSH;
                got &= ~TcpRepr.PSH;
                if (i < pieces.size() - 1) w &= ~TcpRepr.FIN;
            }
            if ((got & mask) != (w & mask)) return "flags differ";
        }
        boolean ourIsn = p.hasFlag('S') && !p.absolute();
        if (!p.seqAny() && !ourIsn && scriptSeq(first, p) != (p.seqStart() & 0xffffffffL))
            return "seq differs (got " + scriptSeq(first, p) + ")";
        if (covered != p.length()) return "payload length differs (got " + covered + ")";
        long wantAck = p.ack() == null ? 0 : p.ack() & 0xffffffffL;
        // the peer's sequence space is written relative to its ISN after the handshake's SYNs
        if (p.ack() != null && !p.hasFlag('S') && !p.absolute()) wantAck = (wantAck + interp.remoteIsn) & 0xffffffffL;
        for (Sent s : pieces) {
            long gotAck = s.tcp().ack() & 0xffffffffL;
            if (gotAck != wantAck) return "ack differs (got " + gotAck + ")";
            if (p.win() != null && s.tcp().window() != p.win()) return "win differs (got " + s.tcp().window() + ")";
            if (p.urg() != null && s.tcp().urgentPointer() != p.urg()) return "urg differs";
            if (!p.anyOptions()) {
                String o = compareOptions(p, s.tcp());
                if (o != null) return o;
                o = checkMd5(p, s);
                if (o != null) return o;
            }
        }
        return null;
    }

    /** The time tolerance of the outbound packet being matched (TS val checks use it too). */
    long eventToleranceNs;

    String compareOptions(PacketEvent p, TcpRepr live) {
        byte[] want = OptionBytes.ofScript(p.options() == null ? List.of() : p.options());
        byte[] got = OptionBytes.ofLive(live.options());
        if (!java.util.Arrays.equals(want, got)) return "options differ";
        if (interp.tsTickUs > 0 && p.options() != null && interp.firstScriptTs != null) {
            TcpOption.Timestamps lt = liveTs(live);
            for (OptionSpec o : p.options()) {
                if (o instanceof OptionSpec.Ts ts && lt != null && ts.val() >= 0) {
                    long wantUs = (ts.val() - interp.firstScriptTs) * interp.tsTickUs;
                    long gotUs = ((lt.tsVal() & 0xffffffffL) - interp.firstLiveTs) * 1000; // the stack's TS clock ticks in ms
                    // the event's time tolerance, and tolerance_percent of the time the TS val measures
                    long tolUs = Math.max(Math.max(interp.toleranceNs, eventToleranceNs) / Interpreter.NS_PER_US,
                        (long) (interp.tolerancePercent / 100.0 * Math.abs(wantUs)));
                    if (Math.abs(wantUs - gotUs) > Math.max(tolUs, interp.tsTickUs))
                        return "TS val differs (script " + ts.val() + " is " + wantUs + " us after the first, got " + gotUs + " us)";
                }
            }
        }
        return null;
    }

    /** The flags of a script flag string; a digit is Accurate ECN's ACE value (AE, CWR, ECE: RFC 9768 3.2.2.1). */
    static int flagBits(String flags) {
        int f = 0;
        for (char c : flags.toCharArray()) {
            if (c >= '0' && c <= '7') {
                f = f & ~TcpRepr.ACE_FLAGS | ((c - '0') & 4) << 6 | ((c - '0') & 2) << 6 | ((c - '0') & 1) << 6;
                continue;
            }
            f |= switch (c) {
                case 'S' -> TcpRepr.SYN;
                case 'F' -> TcpRepr.FIN;
                case 'R' -> TcpRepr.RST;
                case 'P' -> TcpRepr.PSH;
                case '.' -> TcpRepr.ACK;
                case 'U' -> TcpRepr.URG;
                case 'E' -> TcpRepr.ECE;
                case 'W' -> TcpRepr.CWR;
                case 'A' -> TcpRepr.AE;
                default -> 0; // '-'
            };
        }
        return f;
    }

    /** A live segment in script notation (seq mapped to script space unless raw). */
    String render(TcpRepr t, int len, boolean raw) {
        StringBuilder f = new StringBuilder();
        if (t.has(TcpRepr.SYN)) f.append('S');
        if (t.has(TcpRepr.FIN)) f.append('F');
        if (t.has(TcpRepr.RST)) f.append('R');
        if (t.has(TcpRepr.PSH)) f.append('P');
        if (t.has(TcpRepr.ACK)) f.append('.');
        if (t.has(TcpRepr.URG)) f.append('U');
        if (t.has(TcpRepr.ECE)) f.append('E');
        if (t.has(TcpRepr.CWR)) f.append('W');
        if (t.has(TcpRepr.AE)) f.append('A');
        if (f.isEmpty()) f.append('-');
        long seq = raw ? t.seq() & 0xffffffffL : (t.seq() - interp.localIsnOffset) & 0xffffffffL;
        StringBuilder b = new StringBuilder().append(f).append(' ').append(seq).append(':').append((seq + len) & 0xffffffffL)
            .append('(').append(len).append(") ack ").append((t.ack() - (raw || t.has(TcpRepr.SYN) ? 0 : interp.remoteIsn)) & 0xffffffffL)
            .append(" win ").append(t.window());
        if (t.urgentPointer() != 0) b.append(" urg ").append(t.urgentPointer());
        if (!t.options().isEmpty()) b.append(" <").append(OptionBytes.render(t.options())).append('>');
        return b.toString();
    }
}
