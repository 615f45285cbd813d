package org.netstack4j.packetdrill;

import org.netstack4j.tcp.TcpConfig;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.netstack4j.packetdrill.Event.CodeEvent;
import org.netstack4j.packetdrill.Event.CommandEvent;
import org.netstack4j.packetdrill.Event.PacketEvent;
import org.netstack4j.packetdrill.Event.SyscallEvent;
import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.TcpOption;
import org.netstack4j.wire.TcpRepr;

/**
 * Runs one parsed script against one fresh {@link TcpStack} in virtual time (NOTES.md 2).
 * Inbound packets are injected at their time with seq/ack/SACK/TS-ecr mapped into the
 * stack's spaces; outbound expectations are matched, in order, against what the stack sent,
 * fields compared in script space, within the timing tolerance; system calls go through a
 * small fd table of sockets. The first mismatch ends the run (FAIL); a construct we do not
 * support ends it with SKIP.
 */
public final class Interpreter {

    /** A difference between what the script expects and what the stack did. */
    static final class Mismatch extends RuntimeException {
        final int line;
        Mismatch(int line, String message) { super(message); this.line = line; }
    }

    record Sent(long time, IpAddress src, IpAddress dst, TcpRepr tcp, byte[] payload) {}

    /** A syscall's outcome: a value, or -1 with an errno; BLOCK when it would block. */
    record Ret(long value, String errno) {
        static final Ret BLOCK = new Ret(Long.MIN_VALUE, "BLOCK");
        static Ret ok(long v) { return new Ret(v, null); }
        static Ret err(String errno) { return new Ret(-1, errno); }
        @Override public String toString() { return errno == null ? Long.toString(value) : value + " " + errno; }
    }

    /** A call that may need retrying while it blocks. */
    @FunctionalInterface
    interface Call { Ret attempt(); }

    private static final class Sock {
        final int fd;
        boolean nonBlocking, reuseAddr, lingerZero;
        Integer boundPort;
        int backlog;
        TcpStack.Listen listener;
        TcpStack.Conn conn;
        boolean errorReported, shutRd, shutWr;
        /** TCP_INQ: recvmsg reports the bytes left to read in a TCP_CM_INQ control message. */
        boolean inq;
        /** TCP_LINGER2: FIN-WAIT-2 lifetime once closed (null = the stack's). */
        Long linger2Ns;
        /** TCP_USER_TIMEOUT in ms set before the connection existed (null = none). */
        Long userTimeoutMs;
        /** TCP_KEEPINIT in s (FreeBSD: bound on connection establishment; null = none). */
        Long keepInitS;
        /** IP_LOCAL_PORT_RANGE (Linux): the ports connect may choose from; 0 = the system's range. */
        int portRangeMin, portRangeMax;
        /** TCP_CORK (Linux): partial segments wait while it is on. */
        boolean cork;
        /** SO_SNDBUF was set on this socket while it had a connection: the connection holds the size. */
        boolean sndBufOnConn;
        final TcpStack.SocketOptions opts = new TcpStack.SocketOptions();
        Sock(int fd) { this.fd = fd; }
    }

    private record Pending(SyscallEvent ev, Call call, long expectedEnd, long tol) {}

    private static final java.util.Set<String> NO_STACK_NEEDED = java.util.Set.of("socket", "bind", "fcntl", "setsockopt", "getsockopt");
    private static final long NS_PER_US = 1_000;
    private static final long LATE_LOOKAHEAD_NS = 5_000_000_000L;
    private static final int REMOTE_EPHEMERAL_PORT = 48_879;
    private static final int SCRIPT_PORT = 8080;
    private int bindPort = SCRIPT_PORT, connectPort = SCRIPT_PORT;

    private final Script script;
    private final Profile profile;
    private final TcpStack.Factory factory;
    private final long seed;
    private final StackSettings settings = new StackSettings();
    private final List<String> log = new ArrayList<>();

    private TcpStack stack;
    private long now;
    private final ArrayDeque<Sent> sent = new ArrayDeque<>();
    private final TreeMap<Integer, Sock> fds = new TreeMap<>();
    private Sock underTest;
    private Pending pending;
    private final Map<String, Long> pyVars = TcpInfoAssertions.newVars();

    // script options
    private long toleranceNs = 4_000 * NS_PER_US;
    private double tolerancePercent = 12.5;
    private Ipv4Address local = Ipv4Address.of(192, 168, 0, 1);
    private Ipv4Address remote = Ipv4Address.of(192, 0, 2, 1);
    private long tsTickUs;
    private boolean strictSegments;

    // mapping state
    private int flowLocalPort = SCRIPT_PORT, flowRemotePort = REMOTE_EPHEMERAL_PORT;
    private long localIsnOffset; // live = script + offset (mod 2^32)
    private boolean isnKnown;
    private final Map<Long, Long> tsVals = new HashMap<>();
    private Long lastLiveTsVal, firstScriptTs, firstLiveTs;

    private int currentLine;

    public Interpreter(Script script, Profile profile, TcpStack.Factory factory, long seed, Long toleranceOverrideUs) {
        this.script = script;
        this.profile = profile;
        this.factory = factory;
        this.seed = seed;
        this.settings.profile = profile;
        if (toleranceOverrideUs != null) this.toleranceNs = toleranceOverrideUs * NS_PER_US;
        this.toleranceOverridden = toleranceOverrideUs != null;
    }

    private final boolean toleranceOverridden;

    public ScriptResult run() {
        try {
            applyOptions();
            long last = 0;
            for (Event e : script.events()) {
                currentLine = e.line();
                try {
                    last = step(e, last);
                } catch (Mismatch m) {
                    // --non_fatal=packet,syscall: report and go on (the time base moves as scripted)
                    if (!nonFatal(m)) throw m;
                    warnings++;
                    log.add("warning (non-fatal): line " + m.line + ": " + m.getMessage());
                    if (!(e.time().kind() == TimeSpec.Kind.ANY)) last = startOf(e.time(), last);
                }
            }
            finish();
            if (warnings > 0)
                return result(ScriptResult.Status.PASS, 0, warnings + " non-fatal mismatch(es), see --verbose");
            return result(ScriptResult.Status.PASS, 0, "");
        } catch (Mismatch m) {
            return result(ScriptResult.Status.FAIL, m.line, m.getMessage());
        } catch (Unsupported u) {
            return result(ScriptResult.Status.SKIP, u.line(), u.getMessage());
        } catch (RuntimeException | StackOverflowError ex) {
            return result(ScriptResult.Status.FAIL, currentLine, "stack threw " + ex);
        }
    }

    private int warnings;
    private boolean nonFatalPacket, nonFatalSyscall;

    private boolean nonFatal(Mismatch m) {
        for (Event e : script.events()) {
            if (e.line() != m.line) continue;
            if (e instanceof PacketEvent && nonFatalPacket) return true;
            if (e instanceof SyscallEvent && nonFatalSyscall) return true;
        }
        return false;
    }

    private long startOf(TimeSpec t, long last) {
        return switch (t.kind()) {
            case ABSOLUTE, RANGE_ABSOLUTE -> t.startUs() * NS_PER_US;
            case RELATIVE, RANGE_RELATIVE -> last + t.startUs() * NS_PER_US;
            case ANY -> now;
        };
    }

    private ScriptResult result(ScriptResult.Status st, int line, String msg) {
        return new ScriptResult(script.path(), st, line, msg, profile, List.copyOf(log));
    }

    private void applyOptions() {
        if (profile == Profile.LINUX && COMMENTED_DEFAULTS.matcher(script.source()).find()) {
            // Older google scripts carry the defaults.sh line commented out: their harness had
            // already applied it, and they expect its window scale (see command()).
            settings.change(cfg -> cfg.withOptions(o -> o.withWindowScaleShift(8)));
        }
        if (!toleranceOverridden && GVISOR_PATH.matcher(pathOf(script)).find()) {
            // gVisor's harness runs its scripts with a wider tolerance than packetdrill's 4 ms
            // default (NOTES.md 3.4): they are written against it (e.g. "+0.01 > ." for an ACK
            // that Linux sends at once). A --tolerance_usecs in the script still wins.
            toleranceNs = GVISOR_TOLERANCE_US * NS_PER_US;
        }
        for (var e : script.options().entrySet()) {
            String k = e.getKey(), v = unquote(e.getValue());
            switch (k) {
                case "tolerance_usecs" -> { if (!toleranceOverridden) toleranceNs = parseLong(k, v) * NS_PER_US; }
                case "tolerance_percent" -> tolerancePercent = Double.parseDouble(v);
                case "ip_version" -> { if (!v.equals("ipv4")) throw new Unsupported(0, "--ip_version=" + v + " (IPv4 only)"); }
                case "local_ip" -> local = parseAddress(k, v);
                case "remote_ip" -> remote = parseAddress(k, v);
                case "mtu" -> settings.mtu = (int) parseLong(k, v);
                case "mss" -> settings.mtu = (int) parseLong(k, v) + 40;
                case "tcp_ts_tick_usecs" -> tsTickUs = parseLong(k, v);
                case "strict_segments" -> strictSegments = true;
                case "non_fatal" -> {
                    for (String kind : v.split("[,\\s]+")) {
                        switch (kind) {
                            case "packet" -> nonFatalPacket = true;
                            case "syscall" -> nonFatalSyscall = true;
                            case "" -> { }
                            default -> throw new Unsupported(0, "option --non_fatal=" + kind);
                        }
                    }
                }
                case "bind_port" -> bindPort = (int) parseLong(k, v);
                case "connect_port" -> connectPort = (int) parseLong(k, v);
                case "tcp_ts_ecr_scaled", "gateway_ip", "netmask_ip", "speed", "verbose", "debug" -> { }
                default -> throw new Unsupported(0, "option --" + k);
            }
        }
        flowLocalPort = bindPort;
    }

    /** --opt="value": the shell quotes are not part of the value. */
    private static String unquote(String v) {
        String t = v.strip();
        if (t.length() >= 2 && (t.charAt(0) == '"' || t.charAt(0) == '\'') && t.charAt(t.length() - 1) == t.charAt(0))
            return t.substring(1, t.length() - 1);
        return t;
    }

    private static long parseLong(String k, String v) {
        try {
            return Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            throw new Unsupported(0, "option --" + k + "=" + v);
        }
    }

    private static Ipv4Address parseAddress(String k, String v) {
        try {
            return Ipv4Address.parse(v);
        } catch (IllegalArgumentException e) {
            throw new Unsupported(0, "option --" + k + "=" + v + " (IPv4 only)");
        }
    }

    // ---------------------------------------------------------------- time

    /** Runs one event; returns the time relative events after it count from. */
    private long step(Event e, long last) {
        TimeSpec t = e.time();
        long lo = startOf(t, last);
        long hi = switch (t.kind()) {
            case ABSOLUTE, RELATIVE -> lo;
            case RANGE_ABSOLUTE -> t.endUs() * NS_PER_US;
            case RANGE_RELATIVE -> last + t.endUs() * NS_PER_US;
            case ANY -> Long.MAX_VALUE / 4;
        };
        long tol = Math.max(toleranceNs, (long) (tolerancePercent / 100.0 * Math.max(0, lo - last)));
        if ((t.kind() == TimeSpec.Kind.ANY || t.isRange()) && !(e instanceof PacketEvent p && !p.inbound()))
            throw new Mismatch(e.line(), "'*' and '~' times are only allowed on outbound packets");
        switch (e) {
            case PacketEvent p when p.inbound() -> {
                ensureStack();
                if (p.hasFlag('S')) requireFreshConfig(p.line());
                advanceTo(lo);
                inject(p);
            }
            case PacketEvent p -> {
                ensureStack();
                // packetdrill (run.c adjust_relative_event_times) counts the next relative time
                // from when the sniffer returned: the scripted time, or later if the segment
                // (its last TSO piece) came late.
                return Math.max(lo, expectOutbound(p, lo, hi, tol));
            }
            case SyscallEvent s -> {
                // Until something needs the stack, socket options can still become its configuration.
                if (!NO_STACK_NEEDED.contains(s.name())) ensureStack();
                if (s.name().equals("connect") || s.name().equals("listen")) requireFreshConfig(s.line());
                if (stack != null) advanceTo(lo);
                else now = Math.max(now, lo);
                syscall(s, lo, last, tol);
                // A call that returned within the tolerance but late moves the time base with it;
                // a t...end call runs aside (its own thread in packetdrill), so the base stays.
                if (!s.time().isBlocking()) return Math.max(lo, now);
            }
            case Event.IcmpEvent i -> { ensureStack(); advanceTo(lo); icmp(i); }
            case CommandEvent c -> { if (stack != null) advanceTo(lo); command(c); }
            case CodeEvent c -> { ensureStack(); advanceTo(lo); code(c); }
        }
        return lo;
    }

    private void ensureStack() {
        if (stack != null) return;
        stack = factory.create(settings, (t, src, dst, tcp, payload) -> {
            sent.add(new Sent(t, src, dst, tcp, payload == null ? new byte[0] : payload));
            if (log.size() < 2000) log.add(fmtTime(t) + "       > " + render(tcp, payload == null ? 0 : payload.length, !isnKnown));
        }, seed);
        settingsAtStart = settings.toString();
        if (stack.pollAt() < now) stack.poll(now);
    }

    private String settingsAtStart;
    private int staleConfigLine;
    private String staleConfigCommand;

    /** Before anything that opens a connection: a sysctl changed after the stack was built cannot apply. */
    private void requireFreshConfig(int line) {
        if (staleConfigLine != 0)
            throw new Unsupported(staleConfigLine, "sysctl after the stack started, before a new connection: " + staleConfigCommand);
    }

    /** The stack's next deadline, or the timeout of a blocked poll() if sooner. */
    private long nextAt() {
        long at = stack.pollAt();
        return pending != null && pendingWakeAt < at ? pendingWakeAt : at;
    }

    /** When a blocked call wants to be retried even if the stack does nothing (poll timeout). */
    private long pendingWakeAt = Long.MAX_VALUE;

    private void advanceTo(long t) {
        int guard = 0;
        while (true) {
            long at = nextAt();
            if (at > t) break;
            now = Math.max(now, at);
            stack.poll(now);
            checkPending();
            if (++guard > 1_000_000)
                throw new Mismatch(currentLine, "stack keeps asking to be polled at " + fmtTime(now) + " (pollAt does not advance)");
        }
        now = Math.max(now, t);
        checkPending();
    }

    /** Polls until a segment is queued or virtual time passes limit; returns it (not removed) or null. */
    private Sent waitForSent(long limit) {
        int guard = 0;
        while (sent.isEmpty()) {
            long at = nextAt();
            if (at > limit) { now = Math.max(now, Math.min(limit, Long.MAX_VALUE / 4)); return null; }
            now = Math.max(now, at);
            stack.poll(now);
            checkPending();
            if (++guard > 1_000_000)
                throw new Mismatch(currentLine, "stack keeps asking to be polled at " + fmtTime(now) + " (pollAt does not advance)");
        }
        return sent.peek();
    }

    // ---------------------------------------------------------------- packets

    private void inject(PacketEvent p) {
        checkIpInfo(p.line(), p.ipInfo());
        if (p.seqAny()) throw new Mismatch(p.line(), "script error: ...(n) on an inbound packet");
        if (p.seqEnd() - p.seqStart() != p.length())
            throw new Mismatch(p.line(), "script error: " + p.seqStart() + ":" + p.seqEnd() + " is not " + p.length() + " bytes");
        if (p.anyOptions()) throw new Mismatch(p.line(), "script error: <...> on an inbound packet");
        int flags = flagBits(p.flags());
        long ackField = 0;
        long offset = p.absolute() ? 0 : localIsnOffset;
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
                    case OptionSpec.Ts ts -> {
                        if (ts.val() < 0) throw new Mismatch(p.line(), "script error: TS val ... on an inbound packet");
                        yield new TcpOption.Timestamps((int) ts.val(), (int) (ts.ecrAbsolute() ? ts.ecr() : liveEcr(p.line(), ts.ecr())));
                    }
                });
            }
        }
        int window = p.win() == null ? 65535 : (int) (long) p.win();
        TcpRepr seg;
        try {
            seg = new TcpRepr(flowRemotePort, flowLocalPort, (int) p.seqStart(), (int) ackField, flags, window,
                p.urg() == null ? 0 : (int) (long) p.urg(), List.copyOf(opts));
        } catch (IllegalArgumentException e) {
            throw new Mismatch(p.line(), "script error: cannot build this segment: " + e.getMessage());
        }
        if (log.size() < 2000) log.add(fmtTime(now) + lineTag(p.line()) + "< " + p.describe().substring(2));
        stack.segmentArrives(now, remote, local, seg, new byte[p.length()]);
        checkPending();
    }

    /**
     * IP fields written on a packet line. The runner drives TCP only and the stack never sets
     * ECN, so "not ECT" ({@code [noecn]}, {@code (ecn noecn)}) holds both ways; anything else
     * (ECT/CE codepoints, tos, ttl, flow labels) cannot be injected or checked here.
     */
    private static void checkIpInfo(int line, String ipInfo) {
        if (ipInfo == null) return;
        String t = ipInfo.strip().toLowerCase(Locale.ROOT);
        if (t.equals("noecn") || t.equals("ecn noecn") || t.equals("not-ect")) return;
        throw new Unsupported(line, "IP fields in packet line (" + ipInfo + ")");
    }

    /** RFC 792 destination unreachable codes, as packetdrill names them. */
    private static final List<String> UNREACHABLE_CODES = List.of("net_unreachable", "host_unreachable",
        "protocol_unreachable", "port_unreachable", "frag_needed", "source_route_failed", "net_unknown",
        "host_unknown", "source_host_isolated", "net_prohibited", "host_prohibited", "net_unreachable_for_tos",
        "host_unreachable_for_tos", "packet_filtered", "precedence_violation", "precedence_cutoff");

    /**
     * The descriptor for a new socket. packetdrill maps the script's descriptor numbers to the live
     * ones (run_system_call.c: CHECK_FD only checks that both are valid), so the number the script
     * expects names the socket; otherwise the lowest free number from 3, as a kernel would give.
     */
    private int newFd(SyscallEvent s) {
        if (s.result() instanceof Expr.Int i && i.value() >= 3 && i.value() < 65536 && !fds.containsKey((int) i.value()))
            return (int) i.value();
        int fd = 3;
        while (fds.containsKey(fd)) fd++;
        return fd;
    }

    /** nplab's numeric {@code type_N} as the name of that type (RFC 792); other numbers are "unknown". */
    private static String icmpTypeName(String t) {
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

    private void icmp(Event.IcmpEvent i) {
        checkIpInfo(i.line(), i.ipInfo());
        long quoted = i.seqStart() < 0 ? 0 : i.seqStart();
        String type = icmpTypeName(i.type());
        switch (type) {
            case "unreachable", "destination_unreachable" -> { }
            case "time_exceeded" -> {
                if (log.size() < 2000) log.add(fmtTime(now) + lineTag(i.line()) + "< icmp time exceeded [" + quoted + "]");
                stack.icmpTimeExceeded(now, local, remote, flowLocalPort, flowRemotePort, (int) (quoted + localIsnOffset));
                checkPending();
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
                if (log.size() < 2000) log.add(fmtTime(now) + lineTag(i.line()) + "< icmp " + i.type() + " (no effect on TCP)");
                checkPending();
                return;
            }
            default -> throw new Unsupported(i.line(), "icmp " + i.type());
        }
        int code;
        if (i.code() == null) code = 0;
        else if (i.code().chars().allMatch(Character::isDigit)) code = Integer.parseInt(i.code());
        else if (i.code().matches("code_\\d+")) code = Integer.parseInt(i.code().substring(5));
        else code = UNREACHABLE_CODES.indexOf(i.code());
        if (code > 255) throw new Unsupported(i.line(), "icmp unreachable code " + i.code());
        if (code < 0) throw new Unsupported(i.line(), "icmp unreachable code " + i.code());
        long seq = i.seqStart() < 0 ? 0 : i.seqStart();
        if (log.size() < 2000) log.add(fmtTime(now) + lineTag(i.line()) + "< icmp unreachable code " + code + " mtu " + i.mtu() + " [" + seq + "]");
        stack.icmpUnreachable(now, local, remote, code, i.mtu(), flowLocalPort, flowRemotePort, (int) (seq + localIsnOffset));
        checkPending();
    }

    /** The stack's TS val for the script's value (NOTES.md 2, TS mapping). */
    private long liveEcr(int line, long scriptEcr) {
        if (scriptEcr == 0) return 0;
        Long v = tsVals.get(scriptEcr);
        if (v != null) return v;
        if (tsTickUs > 0 && firstScriptTs != null)
            return firstLiveTs + (scriptEcr - firstScriptTs) * tsTickUs / 1000;
        // No outbound line named this value (e.g. it was matched with <...>): echo the latest we saw.
        return lastLiveTsVal == null ? scriptEcr : lastLiveTsVal;
    }

    /** Matches the next sent segment(s) against p; returns when the last of them was sent. */
    private long expectOutbound(PacketEvent p, long lo, long hi, long tol) {
        checkIpInfo(p.line(), p.ipInfo());
        eventToleranceNs = tol;
        long limit = hi + tol;
        Sent first = waitForSent(limit);
        if (first == null) {
            Sent late = waitForSent(limit + LATE_LOOKAHEAD_NS);
            String expected = "expected " + p.describe() + " at " + fmtWindow(lo, hi, tol);
            if (late == null) throw new Mismatch(p.line(), expected + ", but nothing was sent");
            throw new Mismatch(p.line(), expected + ", but the next segment came late: " + fmtTime(late.time()) + " "
                + render(late.tcp(), late.payload().length, false));
        }
        sent.poll();
        List<Sent> pieces = new ArrayList<>(List.of(first));
        long covered = first.payload().length;
        boolean isSyn = (first.tcp().flags() & TcpRepr.SYN) != 0 && p.hasFlag('S');
        if (isSyn && !p.seqAny() && !p.absolute()) {
            localIsnOffset = (first.tcp().seq() - p.seqStart()) & 0xffffffffL;
            isnKnown = true;
        }
        // google's non-strict mode: several MSS-sized segments may stand for one TSO-sized script line.
        long wantStart = p.seqAny() ? scriptSeq(first, p) : p.seqStart() & 0xffffffffL;
        if (!strictSegments && p.length() > covered && covered > 0 && scriptSeq(first, p) == wantStart) {
            while (covered < p.length()) {
                Sent n = waitForSent(limit);
                if (n == null || scriptSeq(n, p) != ((wantStart + covered) & 0xffffffffL) || n.payload().length == 0) break;
                sent.poll();
                pieces.add(n);
                covered += n.payload().length;
            }
        }
        String problem = compare(p, pieces, covered);
        String actual = pieces.size() == 1
            ? fmtTime(first.time()) + " " + render(first.tcp(), first.payload().length, false)
            : pieces.size() + " segments from " + fmtTime(first.time()) + ": " + String.join(" | ",
                pieces.stream().map(s -> render(s.tcp(), s.payload().length, false)).toList());
        if (problem != null)
            throw new Mismatch(p.line(), problem + ": expected " + p.describe() + " got " + actual);
        for (Sent s : pieces) {
            if (s.time() < lo - tol || s.time() > hi + tol)
                throw new Mismatch(p.line(), "timing: expected " + p.describe() + " at " + fmtWindow(lo, hi, tol)
                    + ", sent at " + fmtTime(s.time()));
        }
        recordTs(p, first);
        return pieces.getLast().time();
    }

    private void recordTs(PacketEvent p, Sent s) {
        TcpOption.Timestamps live = liveTs(s.tcp());
        if (live == null) return;
        long lv = live.tsVal() & 0xffffffffL;
        lastLiveTsVal = lv;
        if (p.options() == null) return;
        for (OptionSpec o : p.options()) {
            if (o instanceof OptionSpec.Ts ts && ts.val() >= 0) {
                tsVals.put(ts.val(), lv);
                if (firstScriptTs == null) { firstScriptTs = ts.val(); firstLiveTs = lv; }
            }
        }
    }

    private static TcpOption.Timestamps liveTs(TcpRepr tcp) {
        for (TcpOption o : tcp.options()) if (o instanceof TcpOption.Timestamps t) return t;
        return null;
    }

    private long scriptSeq(Sent s) { return (s.tcp().seq() - localIsnOffset) & 0xffffffffL; }

    /** The live seq in the packet line's space: raw for {@code !}, else shifted by our ISN. */
    private long scriptSeq(Sent s, PacketEvent p) {
        return p.absolute() ? s.tcp().seq() & 0xffffffffL : scriptSeq(s);
    }

    /** Null when the segments match p, else what differs. */
    private String compare(PacketEvent p, List<Sent> pieces, long covered) {
        Sent first = pieces.getFirst();
        int want = flagBits(p.flags());
        int mask = ~0;
        boolean aggregated = pieces.size() > 1;
        if (!profile.comparesPsh() && !strictSegments) mask &= ~TcpRepr.PSH;
        for (int i = 0; i < pieces.size(); i++) {
            int got = pieces.get(i).tcp().flags() & 0xff;
            int w = want;
            if (aggregated) {
                w &= ~TcpRepr.PSH;
                got &= ~TcpRepr.PSH;
                if (i < pieces.size() - 1) w &= ~TcpRepr.FIN;
            }
            if ((got & mask) != (w & mask)) return "flags differ";
        }
        if (!p.seqAny() && scriptSeq(first, p) != (p.seqStart() & 0xffffffffL))
            return "seq differs (got " + scriptSeq(first, p) + ")";
        if (covered != p.length()) return "payload length differs (got " + covered + ")";
        long wantAck = p.ack() == null ? 0 : p.ack() & 0xffffffffL;
        for (Sent s : pieces) {
            long gotAck = s.tcp().ack() & 0xffffffffL;
            if (gotAck != wantAck) return "ack differs (got " + gotAck + ")";
            if (p.win() != null && s.tcp().window() != p.win()) return "win differs (got " + s.tcp().window() + ")";
            if (p.urg() != null && s.tcp().urgentPointer() != p.urg()) return "urg differs";
            if (!p.anyOptions()) {
                String o = compareOptions(p, s.tcp());
                if (o != null) return o;
            }
        }
        return null;
    }

    /** The time tolerance of the outbound packet being matched (TS val checks use it too). */
    private long eventToleranceNs;

    private String compareOptions(PacketEvent p, TcpRepr live) {
        byte[] want = OptionBytes.ofScript(p.options() == null ? List.of() : p.options());
        byte[] got = OptionBytes.ofLive(live.options());
        if (!java.util.Arrays.equals(want, got)) return "options differ";
        if (tsTickUs > 0 && p.options() != null && firstScriptTs != null) {
            TcpOption.Timestamps lt = liveTs(live);
            for (OptionSpec o : p.options()) {
                if (o instanceof OptionSpec.Ts ts && lt != null && ts.val() >= 0) {
                    long wantUs = (ts.val() - firstScriptTs) * tsTickUs;
                    long gotUs = ((lt.tsVal() & 0xffffffffL) - firstLiveTs) * 1000; // the stack's TS clock ticks in ms
                    // the event's time tolerance, and tolerance_percent of the time the TS val measures
                    long tolUs = Math.max(Math.max(toleranceNs, eventToleranceNs) / NS_PER_US,
                        (long) (tolerancePercent / 100.0 * Math.abs(wantUs)));
                    if (Math.abs(wantUs - gotUs) > Math.max(tolUs, tsTickUs))
                        return "TS val differs (script " + ts.val() + " is " + wantUs + " us after the first, got " + gotUs + " us)";
                }
            }
        }
        return null;
    }

    static int flagBits(String flags) {
        int f = 0;
        for (char c : flags.toCharArray()) {
            f |= switch (c) {
                case 'S' -> TcpRepr.SYN;
                case 'F' -> TcpRepr.FIN;
                case 'R' -> TcpRepr.RST;
                case 'P' -> TcpRepr.PSH;
                case '.' -> TcpRepr.ACK;
                case 'U' -> TcpRepr.URG;
                case 'E' -> TcpRepr.ECE;
                case 'W' -> TcpRepr.CWR;
                default -> 0; // '-' and AE (no bit in our TcpRepr)
            };
        }
        return f;
    }

    /** A live segment in script notation (seq mapped to script space unless raw). */
    private String render(TcpRepr t, int len, boolean raw) {
        StringBuilder f = new StringBuilder();
        if (t.has(TcpRepr.SYN)) f.append('S');
        if (t.has(TcpRepr.FIN)) f.append('F');
        if (t.has(TcpRepr.RST)) f.append('R');
        if (t.has(TcpRepr.PSH)) f.append('P');
        if (t.has(TcpRepr.ACK)) f.append('.');
        if (t.has(TcpRepr.URG)) f.append('U');
        if (t.has(TcpRepr.ECE)) f.append('E');
        if (t.has(TcpRepr.CWR)) f.append('W');
        if (f.isEmpty()) f.append('-');
        long seq = raw ? t.seq() & 0xffffffffL : (t.seq() - localIsnOffset) & 0xffffffffL;
        StringBuilder b = new StringBuilder().append(f).append(' ').append(seq).append(':').append((seq + len) & 0xffffffffL)
            .append('(').append(len).append(") ack ").append(t.ack() & 0xffffffffL).append(" win ").append(t.window());
        if (t.urgentPointer() != 0) b.append(" urg ").append(t.urgentPointer());
        if (!t.options().isEmpty()) b.append(" <").append(OptionBytes.render(t.options())).append('>');
        return b.toString();
    }

    // ---------------------------------------------------------------- system calls

    private void syscall(SyscallEvent s, long start, long last, long tol) {
        if (pending != null)
            throw new Mismatch(s.line(), "system call while the blocking call at line " + pending.ev().line()
                + " (" + pending.ev().name() + ") has not returned");
        Call call = start(s);
        Ret r = call.attempt();
        if (r != Ret.BLOCK) pendingWakeAt = Long.MAX_VALUE;
        if (log.size() < 2000) log.add(fmtTime(now) + lineTag(s.line()) + s.name() + " -> " + (r == Ret.BLOCK ? "blocks" : r));
        if (s.time().isBlocking()) {
            long end = s.time().isRelative() ? last + s.time().blockingEndUs() * NS_PER_US : s.time().blockingEndUs() * NS_PER_US;
            Pending pd = new Pending(s, call, end, tol);
            if (r == Ret.BLOCK) { pending = pd; return; }
            complete(pd, r);
            return;
        }
        if (r == Ret.BLOCK) {
            // Not written as blocking: it may still return within the tolerance.
            pending = new Pending(s, call, start, tol);
            long limit = start + tol;
            while (pending != null && nextAt() <= limit) {
                now = Math.max(now, nextAt());
                stack.poll(now);
                checkPending();
            }
            if (pending != null) {
                pending = null;
                throw new Mismatch(s.line(), "expected " + s.describe() + " to return at once, but it blocks"
                    + " (blocking calls are written +t...end)");
            }
            return;
        }
        verify(s, r);
    }

    private void checkPending() {
        if (pending == null) return;
        Ret r = pending.call().attempt();
        if (r == Ret.BLOCK) return;
        Pending pd = pending;
        pending = null;
        pendingWakeAt = Long.MAX_VALUE;
        complete(pd, r);
    }

    private void complete(Pending pd, Ret r) {
        if (log.size() < 2000) log.add(fmtTime(now) + lineTag(pd.ev().line()) + pd.ev().name() + " returns " + r);
        verify(pd.ev(), r);
        if (Math.abs(now - pd.expectedEnd()) > pd.tol())
            throw new Mismatch(pd.ev().line(), "timing: " + pd.ev().name() + " returned at " + fmtTime(now)
                + ", expected at " + fmtTime(pd.expectedEnd()) + " +/- " + pd.tol() / 1000 + " us");
    }

    private void verify(SyscallEvent s, Ret r) {
        Expr want = s.result();
        long wantValue;
        if (want instanceof Expr.Int i) wantValue = i.value();
        else if (want instanceof Expr.Ellipsis) return;
        else wantValue = constant(s.line(), want);
        boolean ok = r.value() == wantValue;
        if (ok && r.value() == -1 && s.errno() != null) ok = normErrno(s.errno()).equals(normErrno(r.errno()));
        if (!ok)
            throw new Mismatch(s.line(), "expected " + s.name() + "(...) = " + want
                + (s.errno() == null ? "" : " " + s.errno()) + ", got " + r);
    }

    private static String normErrno(String e) {
        return e == null ? "" : e.equals("EWOULDBLOCK") ? "EAGAIN" : e;
    }

    private void finish() {
        if (pending != null) {
            Pending pd = pending;
            int guard = 0;
            while (pending != null && nextAt() <= pd.expectedEnd() + pd.tol()) {
                now = Math.max(now, nextAt());
                stack.poll(now);
                checkPending();
                if (++guard > 1_000_000) break;
            }
            if (pending != null)
                throw new Mismatch(pd.ev().line(), pd.ev().name() + " was expected to return at "
                    + fmtTime(pd.expectedEnd()) + " but was still blocked at the end of the script");
        }
        if (!sent.isEmpty() && log.size() < 2000)
            log.add("note: " + sent.size() + " segment(s) sent but not expected by the script, first: "
                + render(sent.peek().tcp(), sent.peek().payload().length, false));
    }

    private Sock sock(SyscallEvent s, int argIndex) {
        if (s.args().size() <= argIndex) throw new Mismatch(s.line(), "script error: " + s.name() + " needs a file descriptor");
        long fd = intArg(s, s.args().get(argIndex));
        Sock k = fds.get((int) fd);
        return k;
    }

    private Call start(SyscallEvent s) {
        String name = s.name();
        List<Expr> a = s.args();
        int line = s.line();
        switch (name) {
            case "socket": {
                if (a.size() != 3) throw new Mismatch(line, "script error: socket takes 3 arguments");
                long type = typeOf(line, a.get(1));
                if ((type & 0xf) != 1) throw new Unsupported(line, "socket type " + a.get(1));
                if (!(a.get(0) instanceof Expr.Ellipsis) && !isSymbol(a.get(0), "AF_INET") && !isSymbol(a.get(0), "PF_INET"))
                    throw new Unsupported(line, "socket domain " + a.get(0));
                // a stream socket with another protocol than TCP (0 = the default, TCP)
                if (a.get(2) instanceof Expr.Symbol p && !p.name().equals("IPPROTO_TCP") && !p.name().equals("IPPROTO_IP"))
                    return () -> Ret.err("EPROTONOSUPPORT");
                int fd = newFd(s);
                Sock k = new Sock(fd);
                k.nonBlocking = (type & SOCK_NONBLOCK) != 0;
                fds.put(fd, k);
                underTest = k;
                return () -> Ret.ok(k.fd);
            }
            case "bind": {
                Sock k = sock(s, 0);
                if (k == null) return () -> Ret.err("EBADF");
                underTest = k;
                k.boundPort = portOf(line, a.size() > 1 ? a.get(1) : new Expr.Ellipsis(), bindPort);
                return () -> Ret.ok(0);
            }
            case "listen": {
                Sock k = sock(s, 0);
                if (k == null) return () -> Ret.err("EBADF");
                underTest = k;
                int backlog = a.size() > 1 ? (int) intArg(s, a.get(1)) : 1;
                int port = k.boundPort == null ? bindPort : k.boundPort;
                try {
                    if (k.listener == null) k.listener = stack.listen(now, Ipv4Address.ANY, port, backlog, k.opts);
                    k.backlog = backlog;
                } catch (TcpStack.Failure f) {
                    return () -> Ret.err(f.errno());
                }
                flowLocalPort = port;
                flowRemotePort = REMOTE_EPHEMERAL_PORT;
                return () -> Ret.ok(0);
            }
            case "accept": {
                Sock k = sock(s, 0);
                if (k == null) return () -> Ret.err("EBADF");
                underTest = k;
                if (k.listener == null) return () -> Ret.err("EINVAL");
                return () -> {
                    TcpStack.Conn c = k.listener.accept();
                    if (c == null) return k.nonBlocking ? Ret.err("EAGAIN") : Ret.BLOCK;
                    int fd = newFd(s);
                    Sock n = new Sock(fd);
                    n.conn = c;
                    n.opts.noDelay = k.opts.noDelay;
                    n.userTimeoutMs = k.userTimeoutMs;
                    n.cork = k.cork;
                    if (n.cork) c.setCork(now, true);
                    if (n.userTimeoutMs != null) c.setUserTimeout(n.userTimeoutMs * 1_000_000L);
                    n.lingerZero = k.lingerZero;
                    fds.put(fd, n);
                    underTest = n;
                    return Ret.ok(fd);
                };
            }
            case "connect": {
                Sock k = sock(s, 0);
                if (k == null) return () -> Ret.err("EBADF");
                underTest = k;
                if (k.listener != null) return () -> Ret.err("EISCONN");
                if (k.conn != null) {
                    TcpStack.Conn c = k.conn;
                    return () -> switch (c.state()) {
                        case "SYN-SENT", "SYN-RECEIVED" -> Ret.err("EALREADY");
                        case "CLOSED" -> consumeError(k, "ECONNABORTED");
                        default -> Ret.err("EISCONN");
                    };
                }
                int port = portOf(line, a.size() > 1 ? a.get(1) : new Expr.Ellipsis(), connectPort);
                if (k.boundPort == null && k.portRangeMin > 0) {
                    // IP_LOCAL_PORT_RANGE: the first port of the socket's range that is free (or
                    // whose TIME-WAIT connection may be reused); none: EADDRNOTAVAIL
                    for (int p = k.portRangeMin; p <= k.portRangeMax && k.conn == null; p++) {
                        try {
                            k.conn = stack.connect(now, local, p, remote, port, k.opts);
                        } catch (TcpStack.Failure f) {
                            if (!f.errno().equals("EADDRINUSE")) return () -> Ret.err(f.errno());
                        }
                    }
                    if (k.conn == null) return () -> Ret.err("EADDRNOTAVAIL");
                } else {
                    try {
                        k.conn = stack.connect(now, local, k.boundPort == null ? 0 : k.boundPort, remote, port, k.opts);
                    } catch (TcpStack.Failure f) {
                        return () -> Ret.err(f.errno());
                    }
                }
                if (k.userTimeoutMs != null) k.conn.setUserTimeout(k.userTimeoutMs * 1_000_000L);
                if (k.cork) k.conn.setCork(now, true);
                if (k.keepInitS != null) k.conn.setConnectTimeout(now, k.keepInitS * 1_000_000_000L);
                flowLocalPort = k.conn.localPort();
                flowRemotePort = port;
                boolean[] first = {true};
                return () -> {
                    if (k.nonBlocking && first[0]) { first[0] = false; return Ret.err("EINPROGRESS"); }
                    first[0] = false;
                    String st = k.conn.state();
                    if (st.equals("SYN-SENT") || st.equals("SYN-RECEIVED"))
                        return k.nonBlocking ? Ret.err("EALREADY") : Ret.BLOCK;
                    if (k.conn.errno() != null || st.equals("CLOSED")) return consumeError(k, "ECONNREFUSED");
                    return Ret.ok(0);
                };
            }
            case "read", "recv", "recvfrom": {
                Sock k = sock(s, 0);
                if (k == null) return () -> Ret.err("EBADF");
                underTest = k;
                int len = a.size() > 2 ? (int) intArg(s, a.get(2)) : 0;
                long flags = name.equals("read") || a.size() < 4 ? 0 : constant(line, a.get(3));
                boolean peek = (flags & MSG_PEEK) != 0;
                boolean dontWait = (flags & msgDontWait()) != 0;
                if ((flags & ~(MSG_PEEK | msgDontWait())) != 0) throw new Unsupported(line, name + " flags " + a.get(3));
                if (a.size() > 1 && isSymbol(a.get(1), "NULL") && len > 0) {
                    // the kernel faults copying out to a NULL buffer: only when there is something to copy
                    return () -> k.conn != null && k.conn.readable() > 0 ? Ret.err("EFAULT") : read(k, len, peek, dontWait);
                }
                return () -> read(k, len, peek, dontWait);
            }
            case "write", "send", "sendto": {
                Sock k = sock(s, 0);
                if (k == null) return () -> Ret.err("EBADF");
                underTest = k;
                int len = a.size() > 2 ? (int) intArg(s, a.get(2)) : 0;
                long flags = name.equals("write") || a.size() < 4 ? 0 : constant(line, a.get(3));
                boolean dontWait = (flags & msgDontWait()) != 0;
                boolean more = (flags & MSG_MORE) != 0;
                if ((flags & ~(msgDontWait() | MSG_MORE)) != 0) throw new Unsupported(line, name + " flags " + a.get(3));
                if (a.size() > 1 && isSymbol(a.get(1), "NULL") && len > 0) return () -> Ret.err("EFAULT"); // copy from NULL faults
                int[] done = {0};
                return () -> write(k, len, done, dontWait, more);
            }
            case "sendmsg", "recvmsg": {
                // {msg_name(...)=..., msg_iov(1)=[{..., N}], msg_flags=0}: the iov lengths are all we use.
                Sock k = sock(s, 0);
                if (k == null) return () -> Ret.err("EBADF");
                underTest = k;
                if (a.size() != 3 || !(a.get(1) instanceof Expr.Struct msg)) throw new Unsupported(line, name + " arguments");
                int len = 0;
                Long wantInq = null;
                for (Expr.Field f : msg.fields()) {
                    switch (String.valueOf(f.name())) {
                        case "msg_control" -> wantInq = inqControl(line, name, f.value());
                        case "msg_iov" -> {
                            if (!(f.value() instanceof Expr.Array iovs)) throw new Unsupported(line, "msg_iov " + f.value());
                            for (Expr iov : iovs.items()) {
                                if (!(iov instanceof Expr.Struct st) || st.fields().size() != 2)
                                    throw new Unsupported(line, "iovec " + iov);
                                len += (int) constant(line, st.fields().get(1).value());
                            }
                        }
                        case "msg_name", "msg_flags" -> { }
                        default -> throw new Unsupported(line, name + " field " + f.name());
                    }
                }
                long flags = constant(line, a.get(2));
                boolean peek = (flags & MSG_PEEK) != 0;
                boolean dontWait = (flags & msgDontWait()) != 0;
                boolean more = name.equals("sendmsg") && (flags & MSG_MORE) != 0;
                if ((flags & ~(MSG_PEEK | msgDontWait() | (name.equals("sendmsg") ? MSG_MORE : 0))) != 0)
                    throw new Unsupported(line, name + " flags " + a.get(2));
                int total = len;
                if (name.equals("recvmsg") && wantInq != null) {
                    long want = wantInq;
                    return () -> {
                        Ret r = read(k, total, peek, dontWait);
                        if (r == Ret.BLOCK || r.errno() != null) return r;
                        if (!k.inq) throw new Mismatch(line, "recvmsg: TCP_CM_INQ expected but TCP_INQ is off");
                        long got = inqHint(k);
                        if (got != want) throw new Mismatch(line, "recvmsg: TCP_CM_INQ expected " + want + ", got " + got);
                        return r;
                    };
                }
                if (name.equals("recvmsg")) return () -> read(k, total, peek, dontWait);
                if (peek) throw new Unsupported(line, "sendmsg MSG_PEEK");
                int[] done = {0};
                return () -> write(k, total, done, dontWait, more);
            }
            case "close": {
                Sock k = sock(s, 0);
                if (k == null) return () -> Ret.err("EBADF");
                fds.remove(k.fd);
                if (k.listener != null) k.listener.close(now);
                if (k.conn != null) {
                    // RFC 2525 2.17 / RFC 9293 3.10.4: closing with unread data resets the connection.
                    if (k.lingerZero || k.conn.readable() > 0) k.conn.abort(now);
                    else {
                        k.conn.close(now);
                        // an orphan: FIN-WAIT-2 ends after TCP_LINGER2 or the sysctl (both kernels: 60 s)
                        k.conn.orphaned(now, k.linger2Ns != null ? k.linger2Ns : settings.finWait2TimeoutNs);
                    }
                }
                return () -> Ret.ok(0);
            }
            case "shutdown": {
                Sock k = sock(s, 0);
                if (k == null) return () -> Ret.err("EBADF");
                underTest = k;
                long how = constant(line, a.get(1));
                if (k.conn == null) return () -> Ret.err("ENOTCONN");
                if (how == 0 || how == 2) k.shutRd = true;
                if ((how == 1 || how == 2) && !k.shutWr) {
                    k.shutWr = true;
                    k.conn.close(now);
                }
                return () -> Ret.ok(0);
            }
            case "fcntl": {
                Sock k = sock(s, 0);
                if (k == null) return () -> Ret.err("EBADF");
                underTest = k;
                long cmd = constant(line, a.get(1));
                if (cmd == F_GETFL) return () -> Ret.ok(O_RDWR | (k.nonBlocking ? profile.oNonblock() : 0));
                if (cmd == F_SETFL) {
                    long fl = constant(line, a.get(2));
                    k.nonBlocking = (fl & profile.oNonblock()) != 0;
                    return () -> Ret.ok(0);
                }
                throw new Unsupported(line, "fcntl " + a.get(1));
            }
            case "poll": return poll(s);
            case "setsockopt": return setsockopt(s);
            case "getsockopt": return getsockopt(s);
            case "ioctl": {
                Sock k = sock(s, 0);
                if (k == null) return () -> Ret.err("EBADF");
                underTest = k;
                if (!isSymbol(a.get(1), "SIOCINQ") && !isSymbol(a.get(1), "FIONREAD"))
                    throw new Unsupported(line, "ioctl " + a.get(1));
                long want = arrayValue(s, a.get(2));
                long got = k.conn == null ? 0 : k.conn.readable();
                if (got != want) throw new Mismatch(line, "ioctl(" + a.get(1) + "): expected [" + want + "], got [" + got + "]");
                return () -> Ret.ok(0);
            }
            default:
                throw new Unsupported(line, "system call " + name);
        }
    }

    private Ret consumeError(Sock k, String dflt) {
        String e = k.conn.errno();
        if (k.errorReported) return Ret.err(e == null ? dflt : e);
        k.errorReported = true;
        return Ret.err(e == null ? dflt : e);
    }

    /**
     * Linux's TCP_CM_INQ value after a read (tcp_inq_hint): the bytes still to read, or 1 when
     * none are left and the peer has closed, so that the reader knows to read again for EOF.
     */
    private static long inqHint(Sock k) {
        if (k.conn == null) return 0;
        int left = k.conn.readable();
        return left == 0 && (k.conn.remoteClosed() || k.conn.state().equals("CLOSED")) ? 1 : left;
    }

    /** msg_control=[{cmsg_level=SOL_TCP, cmsg_type=TCP_CM_INQ, cmsg_data=N}]: the N expected. */
    private Long inqControl(int line, String call, Expr e) {
        if (!(e instanceof Expr.Array arr) || arr.items().size() != 1 || !(arr.items().getFirst() instanceof Expr.Struct c))
            throw new Unsupported(line, call + " msg_control " + e);
        String type = null;
        Long data = null;
        for (Expr.Field f : c.fields()) {
            switch (String.valueOf(f.name())) {
                case "cmsg_level" -> { if (!isSymbol(f.value(), "SOL_TCP") && !isSymbol(f.value(), "IPPROTO_TCP")) throw new Unsupported(line, "cmsg_level " + f.value()); }
                case "cmsg_type" -> type = f.value() instanceof Expr.Symbol sy ? sy.name() : String.valueOf(f.value());
                case "cmsg_data" -> data = constant(line, f.value());
                default -> throw new Unsupported(line, "cmsg field " + f.name());
            }
        }
        if (!"TCP_CM_INQ".equals(type) || data == null || !call.equals("recvmsg")) throw new Unsupported(line, call + " control message " + type);
        return data;
    }

    private Ret read(Sock k, int len, boolean peek, boolean dontWait) {
        if (k.conn == null) return Ret.err("ENOTCONN");
        if (len == 0) return Ret.ok(0);
        TcpStack.Conn c = k.conn;
        int avail = c.readable();
        if (avail > 0) {
            if (peek) return Ret.ok(Math.min(len, avail));
            byte[] buf = new byte[Math.max(len, 1)];
            int n = c.receive(now, buf, 0, len);
            if (n > 0) return Ret.ok(n);
        }
        if (c.errno() != null && !k.errorReported) {
            k.errorReported = true;
            return Ret.err(c.errno());
        }
        if (c.remoteClosed() || k.shutRd) return Ret.ok(0);
        if (!peek && c.receive(now, new byte[1], 0, 0) < 0) return Ret.ok(0);
        String st = c.state();
        if (st.equals("CLOSED") || st.equals("TIME-WAIT")) return Ret.ok(0);
        return k.nonBlocking || dontWait ? Ret.err("EAGAIN") : Ret.BLOCK;
    }

    private Ret write(Sock k, int len, int[] done, boolean dontWait, boolean more) {
        if (k.conn == null) return Ret.err("ENOTCONN");
        TcpStack.Conn c = k.conn;
        if (c.errno() != null && !k.errorReported) {
            k.errorReported = true;
            return Ret.err(c.errno());
        }
        if (k.shutWr) return Ret.err("EPIPE");
        String st = c.state();
        if (st.equals("CLOSED")) return Ret.err("EPIPE"); // the error, if any, was already reported
        if (st.equals("SYN-SENT") || st.equals("SYN-RECEIVED")) {
            if (k.nonBlocking || dontWait) return Ret.err("EAGAIN");
            return Ret.BLOCK;
        }
        while (done[0] < len) {
            int n;
            try {
                n = c.send(now, new byte[len - done[0]], 0, len - done[0], more);
            } catch (TcpStack.Failure f) {
                if (done[0] > 0) return Ret.ok(done[0]);
                return Ret.err(f.errno());
            }
            if (n <= 0) break;
            done[0] += n;
        }
        if (done[0] == len) return Ret.ok(len);
        if (k.nonBlocking || dontWait) return done[0] > 0 ? Ret.ok(done[0]) : Ret.err("EAGAIN");
        return Ret.BLOCK;
    }

    private static final long POLLIN = 0x1, POLLOUT = 0x4, POLLERR = 0x8, POLLHUP = 0x10, POLLNVAL = 0x20,
        POLLRDNORM = 0x40, POLLWRNORM = 0x100, POLLRDHUP = 0x2000;

    /** poll([{fd=.., events=.., revents=..}, ...], n, timeout_ms): revents are checked when it returns. */
    private Call poll(SyscallEvent s) {
        int line = s.line();
        List<Expr> a = s.args();
        if (a.size() != 3 || !(a.get(0) instanceof Expr.Array arr)) throw new Unsupported(line, "poll arguments " + a);
        List<long[]> want = new ArrayList<>(); // fd, events, revents (-1 = not written)
        for (Expr e : arr.items()) {
            if (!(e instanceof Expr.Struct st)) throw new Unsupported(line, "pollfd " + e);
            long fd = -1, events = 0, revents = -1;
            for (Expr.Field f : st.fields()) {
                switch (String.valueOf(f.name())) {
                    case "fd" -> fd = constant(line, f.value());
                    case "events" -> events = constant(line, f.value());
                    case "revents" -> revents = constant(line, f.value());
                    default -> throw new Unsupported(line, "pollfd field " + f.name());
                }
            }
            want.add(new long[] {fd, events, revents});
        }
        long timeoutMs = constant(line, a.get(2));
        long deadline = timeoutMs < 0 ? Long.MAX_VALUE : now + timeoutMs * 1_000_000L;
        if (timeoutMs > 0) pendingWakeAt = deadline;
        return () -> {
            int ready = 0;
            long[] got = new long[want.size()];
            for (int i = 0; i < want.size(); i++) {
                got[i] = revents(fds.get((int) want.get(i)[0]), want.get(i)[1]);
                if (got[i] != 0) ready++;
            }
            if (ready == 0 && now < deadline) return Ret.BLOCK;
            for (int i = 0; i < want.size(); i++) {
                long w = want.get(i)[2];
                if (w >= 0 && w != got[i])
                    throw new Mismatch(line, "poll: fd " + want.get(i)[0] + " revents expected 0x" + Long.toHexString(w)
                        + ", got 0x" + Long.toHexString(got[i]));
            }
            return Ret.ok(ready);
        };
    }

    private long revents(Sock k, long events) {
        if (k == null) return POLLNVAL;
        boolean in = false, out = false, err = false, hup = false, rdhup = false;
        if (k.listener != null) {
            in = k.listener.pending() > 0;
        } else if (k.conn != null) {
            TcpStack.Conn c = k.conn;
            String st = c.state();
            err = c.errno() != null && !k.errorReported;
            rdhup = c.remoteClosed();
            hup = st.equals("CLOSED") || (rdhup && k.shutWr);
            in = c.readable() > 0 || rdhup || err || st.equals("CLOSED") || k.shutRd;
            // A write that would fail at once (closed, reset, shut down) does not block: POLLOUT, as Linux says.
            out = st.equals("CLOSED") || k.shutWr
                || (!st.equals("SYN-SENT") && !st.equals("SYN-RECEIVED") && c.writable() > 0);
        } else {
            hup = true;
            out = true;
        }
        long r = 0;
        if (in) r |= events & (POLLIN | POLLRDNORM);
        if (out) r |= events & (POLLOUT | POLLWRNORM);
        if (rdhup) r |= events & POLLRDHUP;
        if (err) r |= POLLERR;
        if (hup) r |= POLLHUP;
        return r;
    }

    private Call setsockopt(SyscallEvent s) {
        List<Expr> a = s.args();
        int line = s.line();
        Sock k = sock(s, 0);
        if (k == null) return () -> Ret.err("EBADF");
        underTest = k;
        if (a.size() < 4) throw new Mismatch(line, "script error: setsockopt takes 5 arguments");
        String opt = a.get(2) instanceof Expr.Symbol sym ? sym.name() : String.valueOf(a.get(2));
        Expr v = a.get(3);
        if (stack == null && fds.size() == 1) {
            // The engine's buffers, MSS and keepalive are per stack. Set on the only socket before
            // the stack exists, they become the stack's configuration.
            if (stackWideOption(s, k, opt, v)) return () -> Ret.ok(0);
        }
        if (stack != null && fds.size() == 1 && k.listener != null && k.conn == null && stack.connections().isEmpty()
                && stackWideOption(s, k, opt, v)) {
            // Set on a lone listener before any SYN came: a fresh stack with that configuration
            // listens in its place, which is what the listener's future connections would inherit.
            k.listener.close(now);
            stack = null;
            ensureStack();
            int port = k.boundPort == null ? bindPort : k.boundPort;
            try {
                k.listener = stack.listen(now, Ipv4Address.ANY, port, k.backlog, k.opts);
            } catch (TcpStack.Failure f) {
                throw new Mismatch(line, "listen again after " + opt + ": " + f.errno());
            }
            return () -> Ret.ok(0);
        }
        if (opt.equals("SO_SNDBUF") && k.conn != null) {
            // Linux keeps twice what was asked for (its bookkeeping) and reports that
            long bytes = arrayValue(s, v) * (profile == Profile.FREEBSD ? 1 : 2);
            if (bytes < 1 || bytes > Integer.MAX_VALUE) throw new Unsupported(line, "SO_SNDBUF of " + bytes + " bytes");
            k.conn.setSendBufferSize((int) bytes);
            k.sndBufOnConn = true;
            return () -> Ret.ok(0);
        }
        switch (opt) {
            case "SO_REUSEADDR", "SO_REUSEPORT" -> k.reuseAddr = arrayValue(s, v) != 0;
            case "SO_RCVBUF" -> k.opts.rcvBuf = (int) arrayValue(s, v);
            case "SO_SNDBUF" -> k.opts.sndBuf = (int) arrayValue(s, v);
            case "IP_BIND_ADDRESS_NO_PORT" -> { } // the port is chosen at connect either way
            case "IP_LOCAL_PORT_RANGE" -> {
                long r = arrayValue(s, v);
                int lo = (int) (r & 0xffff), hi = (int) ((r >>> 16) & 0xffff);
                if (lo == 0 && hi == 0) { k.portRangeMin = k.portRangeMax = 0; }
                else {
                    k.portRangeMin = lo == 0 ? 1 : lo;
                    k.portRangeMax = hi == 0 ? 65535 : hi;
                    if (k.portRangeMin > k.portRangeMax) return () -> Ret.err("EINVAL");
                }
            }
            case "TCP_DEFER_ACCEPT" -> {
                long secs = arrayValue(s, v);
                k.opts.deferAcceptTimeouts = secsToRetrans(secs);
                if (k.listener != null) k.listener.setDeferAccept(k.opts.deferAcceptTimeouts);
            }
            case "TCP_KEEPINIT" -> {
                long secs = arrayValue(s, v);
                if (secs < 0) return () -> Ret.err("EINVAL");
                if (k.listener != null) throw new Unsupported(line, "TCP_KEEPINIT on a listening socket");
                k.keepInitS = secs == 0 ? null : secs; // 0: the system's default (net.inet.tcp.keepinit)
                if (k.conn != null && k.keepInitS != null) k.conn.setConnectTimeout(now, secs * 1_000_000_000L);
            }
            case "TCP_NOOPT" -> {
                if (k.conn != null || k.listener != null) throw new Unsupported(line, "TCP_NOOPT after connect or listen");
                k.opts.noOptions = arrayValue(s, v) != 0;
            }
            case "TCP_USER_TIMEOUT" -> {
                long ms = arrayValue(s, v);
                if (ms < 0) return () -> Ret.err("EINVAL");
                k.userTimeoutMs = ms;
                if (k.conn != null) k.conn.setUserTimeout(ms * 1_000_000L);
            }
            case "TCP_NODELAY" -> {
                k.opts.noDelay = arrayValue(s, v) != 0;
                if (k.conn != null) {
                    k.conn.setNoDelay(k.opts.noDelay);
                    if (k.opts.noDelay) k.conn.push(now); // Linux: pushes pending frames, corked or not
                }
            }
            case "TCP_CORK" -> {
                if (profile == Profile.FREEBSD) throw new Unsupported(line, "TCP_CORK (FreeBSD: TCP_NOPUSH)");
                k.cork = arrayValue(s, v) != 0;
                if (k.conn != null) k.conn.setCork(now, k.cork);
            }
            case "TCP_MAXSEG" -> k.opts.maxSeg = (int) arrayValue(s, v);
            case "TCP_INQ" -> k.inq = arrayValue(s, v) != 0;
            case "TCP_LINGER2" -> {
                // Linux: 0 or more than tcp_fin_timeout = the sysctl's value; < 0 = a RST instead of FIN-WAIT-2
                long secs = arrayValue(s, v);
                if (secs < 0) throw new Unsupported(line, "TCP_LINGER2 < 0");
                k.linger2Ns = secs == 0 || secs * 1_000_000_000L > settings.finWait2TimeoutNs ? null : secs * 1_000_000_000L;
            }
            case "SO_KEEPALIVE" -> k.opts.keepAlive = arrayValue(s, v) != 0;
            case "TCP_KEEPIDLE" -> k.opts.keepIdleS = (int) arrayValue(s, v);
            case "TCP_KEEPINTVL" -> k.opts.keepIntvlS = (int) arrayValue(s, v);
            case "TCP_KEEPCNT" -> k.opts.keepCnt = (int) arrayValue(s, v);
            case "SO_LINGER" -> {
                if (!(v instanceof Expr.Struct st)) throw new Unsupported(line, "SO_LINGER value " + v);
                long onoff = 0, secs = 0;
                for (Expr.Field f : st.fields()) {
                    if ("onoff".equals(f.name()) || "l_onoff".equals(f.name())) onoff = constant(line, f.value());
                    if ("linger".equals(f.name()) || "l_linger".equals(f.name())) secs = constant(line, f.value());
                }
                if (onoff != 0 && secs != 0) throw new Unsupported(line, "SO_LINGER with a non-zero timeout");
                k.lingerZero = onoff != 0;
            }
            default -> throw new Unsupported(line, "setsockopt " + opt);
        }
        if ((k.conn != null || k.listener != null) && (opt.equals("SO_RCVBUF") || opt.equals("SO_SNDBUF")
                || opt.equals("TCP_MAXSEG") || opt.startsWith("TCP_KEEP") || opt.equals("SO_KEEPALIVE")))
            throw new Unsupported(line, "setsockopt " + opt + " on a connected or listening socket");
        return () -> Ret.ok(0);
    }

    // Linux keeps TCP_DEFER_ACCEPT as a number of SYN,ACK timeouts (1 s initial, doubling, at most
    // TCP_RTO_MAX 120 s) and reports it back as the seconds those cover (secs_to_retrans, retrans_to_secs)
    private static int secsToRetrans(long secs) {
        if (secs <= 0) return 0;
        int res = 1;
        long timeout = 1, period = 1;
        while (secs > period && res < 255) {
            res++;
            timeout = Math.min(timeout << 1, 120);
            period += timeout;
        }
        return res;
    }

    private static long retransToSecs(int retrans) {
        long period = 0, timeout = 1;
        for (int i = 0; i < retrans; i++) {
            period += timeout;
            timeout = Math.min(timeout << 1, 120);
        }
        return period;
    }

    /** An option the engine only has per stack, recorded in the settings the stack is built from. */
    private boolean stackWideOption(SyscallEvent s, Sock k, String opt, Expr v) {
        switch (opt) {
            case "SO_RCVBUF" -> {
                settings.receiveBuffer((int) arrayValue(s, v));
                settings.rcvBufBySockopt = true;
            }
            case "SO_SNDBUF" -> {
                int n = (int) arrayValue(s, v);
                settings.change(c -> c.withBuffers(b -> b.withSendBufferSize(n)));
                settings.sndBufBySockopt = true;
            }
            case "TCP_MAXSEG" -> settings.maxSeg = k.opts.maxSeg = (int) arrayValue(s, v); // getsockopt reads it back
            case "SO_KEEPALIVE" -> { boolean on = arrayValue(s, v) != 0; settings.change(c -> c.withTimers(t -> t.withKeepalive(on))); }
            case "TCP_KEEPIDLE" -> { long ns = arrayValue(s, v) * 1_000_000_000L; settings.change(c -> c.withTimers(t -> t.withKeepaliveIdleNs(ns))); }
            case "TCP_KEEPINTVL" -> { long ns = arrayValue(s, v) * 1_000_000_000L; settings.change(c -> c.withTimers(t -> t.withKeepaliveIntervalNs(ns))); }
            case "TCP_KEEPCNT" -> { int n = (int) arrayValue(s, v); settings.change(c -> c.withTimers(t -> t.withKeepaliveProbes(n))); }
            default -> { return false; }
        }
        return true;
    }

    private Call getsockopt(SyscallEvent s) {
        List<Expr> a = s.args();
        int line = s.line();
        Sock k = sock(s, 0);
        if (k == null) return () -> Ret.err("EBADF");
        underTest = k;
        if (a.size() < 4) throw new Mismatch(line, "script error: getsockopt takes 5 arguments");
        String opt = a.get(2) instanceof Expr.Symbol sym ? sym.name() : String.valueOf(a.get(2));
        Expr want = a.get(3);
        if (want instanceof Expr.Array arr && arr.items().size() == 1) want = arr.items().getFirst();
        String got;
        // A stack-wide default read back before the stack exists builds it; a value the socket set does not.
        if ((opt.equals("SO_RCVBUF") || opt.equals("SO_SNDBUF")) && k.conn == null && k.listener == null) ensureStack();
        switch (opt) {
            case "SO_ERROR" -> {
                String e = null;
                if (k.conn != null && k.conn.errno() != null && !k.errorReported) {
                    e = k.conn.errno();
                    k.errorReported = true;
                }
                got = e == null ? "0" : e;
                String w = want instanceof Expr.Int i ? Long.toString(i.value()) : String.valueOf(want);
                if (!normErrno(w).equals(normErrno(got)))
                    throw new Mismatch(line, "getsockopt(SO_ERROR): expected [" + w + "], got [" + got + "]");
                return () -> Ret.ok(0);
            }
            // Linux keeps twice what setsockopt asked for (room for its bookkeeping) and reports that
            case "SO_RCVBUF" -> got = Long.toString((settings.rcvBufBySockopt && profile != Profile.FREEBSD ? 2L : 1L)
                * (k.conn != null ? k.conn.receiveBufferSize()
                : k.listener != null ? k.listener.receiveBufferSize()
                : k.opts.rcvBuf != null ? k.opts.rcvBuf : stack.defaultReceiveBuffer()));
            case "SO_SNDBUF" -> got = Long.toString((settings.sndBufBySockopt && profile != Profile.FREEBSD && !k.sndBufOnConn ? 2L : 1L)
                * (k.conn != null ? k.conn.sendBufferSize()
                : k.opts.sndBuf != null ? k.opts.sndBuf : stack.defaultSendBuffer()));
            case "SO_REUSEADDR", "SO_REUSEPORT" -> got = k.reuseAddr ? "1" : "0";
            case "TCP_NODELAY" -> got = k.opts.noDelay ? "1" : "0";
            case "TCP_CORK" -> got = k.cork ? "1" : "0";
            case "TCP_INQ" -> got = k.inq ? "1" : "0";
            case "TCP_NOOPT" -> got = k.opts.noOptions ? "1" : "0";
            case "TCP_DEFER_ACCEPT" -> got = Long.toString(retransToSecs(k.opts.deferAcceptTimeouts));
            case "TCP_KEEPINIT" -> got = Long.toString(k.keepInitS == null ? 75 : k.keepInitS);
            case "TCP_USER_TIMEOUT" -> got = Long.toString(k.userTimeoutMs == null ? 0 : k.userTimeoutMs);
            case "SO_KEEPALIVE" -> got = k.opts.keepAlive || settings.applyTo(TcpConfig.defaults()).timers().keepalive() ? "1" : "0";
            case "TCP_MAXSEG" -> {
                Long mss = k.conn == null ? null : k.conn.tcpInfo().get("tcpi_snd_mss");
                got = mss != null ? Long.toString(mss) : k.opts.maxSeg != null ? Long.toString(k.opts.maxSeg) : "536";
            }
            default -> throw new Unsupported(line, "getsockopt " + opt);
        }
        if (want instanceof Expr.Ellipsis) return () -> Ret.ok(0);
        long w = constant(line, want);
        if (Long.parseLong(got) != w)
            throw new Mismatch(line, "getsockopt(" + opt + "): expected [" + want + "], got [" + got + "]");
        return () -> Ret.ok(0);
    }

    // ---------------------------------------------------------------- arguments

    private static final long MSG_MORE = 0x8000;
    private static final long SOCK_NONBLOCK = 0x800, F_GETFL = 3, F_SETFL = 4, O_RDWR = 2, MSG_PEEK = 2;

    private long msgDontWait() { return profile == Profile.FREEBSD ? 0x80 : 0x40; }

    private long typeOf(int line, Expr e) {
        return constant(line, e);
    }

    private static boolean isSymbol(Expr e, String name) { return e instanceof Expr.Symbol s && s.name().equals(name); }

    private long intArg(SyscallEvent s, Expr e) {
        return constant(s.line(), e);
    }

    private long arrayValue(SyscallEvent s, Expr e) {
        if (e instanceof Expr.Array arr && arr.items().size() == 1) return constant(s.line(), arr.items().getFirst());
        return constant(s.line(), e);
    }

    private int portOf(int line, Expr e, int dflt) {
        if (e instanceof Expr.Ellipsis) return dflt;
        if (e instanceof Expr.Struct st) {
            for (Expr.Field f : st.fields()) {
                if ("sin_port".equals(f.name())) return (int) constant(line, f.value());
                if ("sin_addr".equals(f.name()) || "sin6_addr".equals(f.name()))
                    throw new Unsupported(line, "explicit socket address");
            }
            return dflt;
        }
        throw new Unsupported(line, "socket address " + e);
    }

    /** The value of an integer expression: numbers, | of symbols, htons(n). */
    private long constant(int line, Expr e) {
        return switch (e) {
            case Expr.Int i -> i.value();
            case Expr.Or o -> constant(line, o.left()) | constant(line, o.right());
            case Expr.Call c when (c.name().equals("htons") || c.name().equals("htonl")) && c.args().size() == 1 ->
                constant(line, c.args().getFirst());
            case Expr.Symbol sym -> symbol(line, sym.name());
            case Expr.Array arr when arr.items().size() == 1 -> constant(line, arr.items().getFirst());
            default -> throw new Unsupported(line, "argument " + e);
        };
    }

    private long symbol(int line, String n) {
        return switch (n) {
            case "AF_INET", "PF_INET" -> 2;
            case "SOCK_STREAM" -> 1;
            case "SOCK_NONBLOCK" -> SOCK_NONBLOCK;
            case "IPPROTO_TCP", "SOL_TCP" -> 6;
            case "SOL_SOCKET" -> 1;
            case "O_RDWR" -> O_RDWR;
            case "O_NONBLOCK" -> profile.oNonblock();
            case "F_GETFL" -> F_GETFL;
            case "F_SETFL" -> F_SETFL;
            case "SHUT_RD" -> 0;
            case "SHUT_WR" -> 1;
            case "SHUT_RDWR" -> 2;
            case "MSG_PEEK" -> MSG_PEEK;
            case "MSG_DONTWAIT" -> msgDontWait();
            case "MSG_MORE" -> {
                if (profile == Profile.FREEBSD) throw new Unsupported(0, "MSG_MORE (not in FreeBSD)");
                yield MSG_MORE;
            }
            case "POLLIN" -> POLLIN;
            case "POLLOUT" -> POLLOUT;
            case "POLLERR" -> POLLERR;
            case "POLLHUP" -> POLLHUP;
            case "POLLNVAL" -> POLLNVAL;
            case "POLLRDNORM" -> POLLRDNORM;
            case "POLLWRNORM" -> POLLWRNORM;
            case "POLLRDHUP" -> POLLRDHUP;
            default -> throw new Unsupported(line, "constant " + n);
        };
    }

    // ---------------------------------------------------------------- commands and code

    private static final Pattern GVISOR_PATH = Pattern.compile("(?i)(^|[/+_-])gvisor([/+_-]|$)");
    private static final long GVISOR_TOLERANCE_US = 100_000;

    private static String pathOf(Script s) { return s.path() == null ? "" : s.path().toString().replace('\\', '/'); }

    private static final Pattern COMMENTED_DEFAULTS = Pattern.compile("(?m)^\\s*//\\s*`[^`\\n]*defaults\\.sh\\s*`");
    private static final Pattern SET_SYSCTLS = Pattern.compile("^\\S*set_sysctls\\.py\\s+(.+)$");
    private static final Pattern SYSCTL = Pattern.compile("^sysctl(?:\\s+-[a-zA-Z]+)*\\s+(.+)$");
    private static final Pattern SOCKSTAT = Pattern.compile("^sockstat\\b(.*)\\|\\s*grep\\s+-c\\s+(\\S+)\\s*\\|\\s*grep\\s+(\\d+)\\s*$");
    private static final Pattern IP_ROUTE = Pattern.compile("^ip\\s+route\\s+(add|change|replace)\\s+\\S+(\\s+via\\s+\\S+)?(\\s+dev\\s+\\S+)?(\\s+(advmss\\s+\\d+|mtu\\s+(lock\\s+)?\\d+))+\\s*$");
    private static final Pattern ETHTOOL_OFFLOADS = Pattern.compile("^ethtool\\s+-K\\s+\\S+(\\s+(tso|gso|gro|lro|sg|tx|rx|ufo)\\s+(on|off))+\\s*$");
    private static final Pattern TCPDROP = Pattern.compile("^tcpdrop\\s+-s\\s+(\\S+)\\s*$");

    private void command(CommandEvent c) {
        // a backslash before a newline continues the shell line
        for (String part : c.command().replaceAll("\\\\\\r?\\n", " ").split("\\s*(?:;|&&|\\n)\\s*")) {
            String cmd = part.strip().replaceFirst("\\s+#.*$", ""); // a shell comment ends the line
            if (cmd.isEmpty() || cmd.startsWith("#")) continue; // shell comment
            Matcher m;
            if (cmd.endsWith("defaults.sh")) {
                // google's defaults.sh: Linux sysctl defaults, notably tcp_rmem max 15 MB, for
                // which Linux announces window scale 8.
                settings.change(cfg -> cfg.withOptions(o -> o.withWindowScaleShift(8)));
                continue;
            }
            if ((m = SET_SYSCTLS.matcher(cmd)).matches()) {
                // google's set_sysctls.py /proc/sys/net/ipv4/tcp_x=v ...: the same as sysctl -w
                for (String kv : shellWords(m.group(1))) {
                    int eq = kv.indexOf('=');
                    if (eq < 0 || !kv.startsWith("/proc/sys/")) throw new Unsupported(c.line(), "set_sysctls.py argument " + kv);
                    Sysctl.apply(c.line(), kv.substring("/proc/sys/".length(), eq).replace('/', '.'),
                        kv.substring(eq + 1).replace("\"", ""), settings);
                }
                noteLateSysctl(c.line(), cmd);
            } else if (cmd.matches("\\S*/sysctl_restore_\\S*\\.sh")) {
                // restores the sysctls set_sysctls.py changed: nothing outlives this stack
            } else if ((m = SYSCTL.matcher(cmd)).matches()) {
                for (String kv : shellWords(m.group(1))) {
                    int eq = kv.indexOf('=');
                    if (eq < 0) throw new Unsupported(c.line(), "sysctl read " + kv);
                    Sysctl.apply(c.line(), kv.substring(0, eq), kv.substring(eq + 1).replace("\"", ""), settings);
                }
                noteLateSysctl(c.line(), cmd);
            } else if ((m = SOCKSTAT.matcher(cmd)).matches()) {
                ensureStack();
                String state = m.group(2).replace('_', '-');
                if (state.equals("SYN-RCVD")) state = "SYN-RECEIVED";
                if (state.matches("FIN-WAIT\\d")) state = "FIN-WAIT-" + state.charAt(8);
                Matcher pm = Pattern.compile("-p\\s+(\\d+)").matcher(m.group(1));
                Integer port = pm.find() ? Integer.valueOf(pm.group(1)) : null;
                long want = Long.parseLong(m.group(3));
                long got = 0;
                for (TcpStack.Conn k : stack.connections()) {
                    if (!k.state().equals(state)) continue;
                    if (port != null && k.localPort() != port && k.remotePort() != port) continue;
                    got++;
                }
                if (state.equals("LISTEN")) got += fds.values().stream().filter(k -> k.listener != null).count();
                if (got != want)
                    throw new Mismatch(c.line(), "sockstat: expected " + want + " connection(s) in " + state + ", found " + got);
            } else if ((m = TCPDROP.matcher(cmd)).matches()) {
                ensureStack();
                String state = m.group(1).replace('_', '-');
                for (TcpStack.Conn k : List.copyOf(stack.connections())) if (k.state().equals(state)) stack.drop(now, k);
            } else if (cmd.startsWith("setkey -F")) {
                // no IPsec state to flush
            } else if ((m = IP_ROUTE.matcher(cmd)).matches()) {
                // the route to the remote host: "mtu [lock] M" is the path MTU, "advmss A" the MSS
                // we announce (the stack is built with them, as with a sysctl)
                Matcher mtu = Pattern.compile("\\bmtu\\s+(?:lock\\s+)?(\\d+)").matcher(cmd);
                Matcher adv = Pattern.compile("\\badvmss\\s+(\\d+)").matcher(cmd);
                if (mtu.find()) settings.mtu = Integer.parseInt(mtu.group(1));
                if (adv.find()) settings.maxSeg = Integer.parseInt(adv.group(1));
                if (!cmd.matches(".*\\b(mtu|advmss)\\b.*")) throw new Unsupported(c.line(), "command `" + cmd + "`");
                noteLateSysctl(c.line(), cmd);
            } else if (ETHTOOL_OFFLOADS.matcher(cmd).matches()) {
                // segmentation/receive offloads on the tun device: we send MSS-sized segments and
                // the runner matches a scripted TSO-sized segment against several of them anyway
            } else {
                throw new Unsupported(c.line(), "command `" + cmd.split("\\s+")[0] + "`");
            }
        }
    }

    /** Splits shell arguments on blanks, keeping "double quoted" runs together (quotes removed). */
    static List<String> shellWords(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean quoted = false, any = false;
        for (char ch : text.toCharArray()) {
            if (ch == '"') { quoted = !quoted; any = true; }
            else if (Character.isWhitespace(ch) && !quoted) {
                if (any) out.add(w.toString());
                w.setLength(0);
                any = false;
            } else { w.append(ch); any = true; }
        }
        if (any) out.add(w.toString());
        return out;
    }

    /**
     * Like a kernel, a sysctl changed after the stack exists would only matter for connections
     * opened later: harmless at the end of a script (restoring defaults), unsupported before an open.
     */
    private void noteLateSysctl(int line, String cmd) {
        if (stack != null && !settings.toString().equals(settingsAtStart) && staleConfigLine == 0) {
            staleConfigLine = line;
            staleConfigCommand = cmd;
        }
    }

    private void code(CodeEvent c) {
        Map<String, Long> info = new HashMap<>();
        Sock k = underTest;
        if (k != null && k.conn != null) {
            info.putAll(k.conn.tcpInfo(now));
            info.put("tcpi_state", TcpInfoAssertions.stateNumber(k.conn.state()));
        } else if (k != null && k.listener != null) {
            info.put("tcpi_state", TcpInfoAssertions.stateNumber("LISTEN"));
        } else {
            info.put("tcpi_state", TcpInfoAssertions.stateNumber("CLOSED"));
        }
        TcpInfoAssertions.run(c.line(), c.code(), info, pyVars);
    }

    // ---------------------------------------------------------------- formatting

    /** " L12  " : the script line an entry of the verbose log comes from. */
    private static String lineTag(int line) { return String.format(Locale.ROOT, " L%-4d ", line); }

    static String fmtTime(long ns) {
        if (ns >= Long.MAX_VALUE / 8) return "never";
        return String.format(Locale.ROOT, "%.6f", ns / 1e9);
    }

    private static String fmtWindow(long lo, long hi, long tol) {
        String w = lo == hi ? fmtTime(lo) : fmtTime(lo) + "~" + fmtTime(hi);
        return w + " (+/- " + tol / 1000 + " us)";
    }
}
