package org.netstack4j.packetdrill;


import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.netstack4j.packetdrill.Event.CodeEvent;
import org.netstack4j.packetdrill.Event.CommandEvent;
import org.netstack4j.packetdrill.Event.PacketEvent;
import org.netstack4j.packetdrill.Event.SyscallEvent;
import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.Ipv4Address;
import java.util.LinkedHashMap;
import org.netstack4j.wire.TcpRepr;

/**
 * Runs one parsed script against one fresh {@link TcpStack} in virtual time (NOTES.md 2).
 * Inbound packets are injected at their time with seq/ack/SACK/TS-ecr mapped into the
 * stack's spaces; outbound expectations are matched, in order, against what the stack sent,
 * fields compared in script space, within the timing tolerance; system calls go through a
 * small fd table of sockets. The first mismatch ends the run (FAIL); a construct we do not
 * support ends it with SKIP.
 *
 * <p>This class is the driver: options, the event loop in virtual time, blocking calls and their
 * timing, and the run's state. The work is done by the classes for each role, which read and
 * change that state: {@link Packets} (inbound segments and ICMP, outbound matching),
 * {@link Syscalls} (the fd table's system calls and their arguments), {@link SocketOptionCalls}
 * (setsockopt/getsockopt) and {@link Commands} (shell commands and TCP_INFO assertions).
 */
public final class Interpreter {

    /** A difference between what the script expects and what the stack did. */
    static final class Mismatch extends RuntimeException {
        final int line;
        Mismatch(int line, String message) { super(message); this.line = line; }
    }

    /** A segment the stack sent; {@code ecn} is its IP header's TOS / traffic class byte (DSCP and the ECN field). */
    /** The last TCP_MD5SIG key the script set: inbound {@code md5} options are signed with it (the peer's copy of the shared key). */
    org.netstack4j.tcp.TcpMd5Key md5Key;
    /** The stack-wide TCP-MD5 keys the script set (setkey): given to the stack when it is built. */
    final List<org.netstack4j.tcp.TcpMd5Key> stackMd5Keys = new ArrayList<>();

    /** Sets a key of the stack-wide table (an empty key deletes), now or when the stack is built; inbound {@code md5} options are signed with it. */
    void setStackMd5Key(org.netstack4j.tcp.TcpMd5Key key) {
        stackMd5Keys.removeIf(k -> k.address().equals(key.address()) && k.prefixLength() == key.prefixLength());
        if (key.key().length > 0) {
            stackMd5Keys.add(key);
            md5Key = key;
        }
        if (stack != null) stack.setStackMd5Key(key);
    }

    /** setkey -F: the stack-wide TCP-MD5 table emptied. */
    void flushStackMd5Keys() {
        for (org.netstack4j.tcp.TcpMd5Key k : List.copyOf(stackMd5Keys))
            setStackMd5Key(new org.netstack4j.tcp.TcpMd5Key(k.address(), k.prefixLength(), 0, new byte[0]));
    }

    record Sent(long time, IpAddress src, IpAddress dst, TcpRepr tcp, byte[] payload, int ecn) {}

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

    private record Pending(SyscallEvent ev, Call call, long expectedEnd, long tol) {}

    private static final java.util.Set<String> NO_STACK_NEEDED = java.util.Set.of("socket", "bind", "fcntl", "setsockopt", "getsockopt");
    static final long NS_PER_US = 1_000;
    static final long LATE_LOOKAHEAD_NS = 5_000_000_000L;
    static final int REMOTE_EPHEMERAL_PORT = 48_879;
    private static final int SCRIPT_PORT = 8080;
    int bindPort = SCRIPT_PORT, connectPort = SCRIPT_PORT;

    private final Script script;
    final Profile profile;
    private final TcpStack.Factory factory;
    private final long seed;
    final StackSettings settings = new StackSettings();
    final List<String> log = new ArrayList<>();
    final Packets packets = new Packets(this);
    final Syscalls syscalls = new Syscalls(this);
    final SocketOptionCalls sockopts = new SocketOptionCalls(this);
    final Commands commands = new Commands(this);

    TcpStack stack;
    long now;
    final ArrayDeque<Sent> sent = new ArrayDeque<>();
    final TreeMap<Integer, Sock> fds = new TreeMap<>();
    Sock underTest;
    private Pending pending;
    final Map<String, Long> pyVars = TcpInfoAssertions.newVars();

    // script options
    long toleranceNs = 4_000 * NS_PER_US;
    double tolerancePercent = 12.5;
    IpAddress local = Ipv4Address.of(192, 168, 0, 1);
    IpAddress remote = Ipv4Address.of(192, 0, 2, 1);
    /** --ip_version=ipv6: the conversation is IPv6 (ICMP lines are ICMPv6); ipv4-mapped-ipv6 is IPv4 on the wire. */
    boolean ipv6;
    /** packetdrill's command-line options, applied before the script's own. */
    private final Map<String, String> commandLine;
    long tsTickUs;
    boolean strictSegments;

    // mapping state
    int flowLocalPort = SCRIPT_PORT, flowRemotePort = REMOTE_EPHEMERAL_PORT;
    long localIsnOffset; // live = script + offset (mod 2^32)
    /**
     * The peer's ISN as the script's SYN (or SYN,ACK) wrote it: packetdrill writes the peer's
     * later sequence numbers (inbound seq, outbound ack) relative to it.
     */
    long remoteIsn;
    /** A listen or connect since the last inbound SYN: the next inbound SYN (or SYN,ACK) sets {@link #remoteIsn}. */
    boolean remoteIsnPending = true;
    /**
     * A listen since the last inbound SYN, and how many SYNs made passive sockets so far:
     * packetdrill gives each new passive peer the next ephemeral port (next_ephemeral_port).
     */
    boolean newPassivePeer;
    int passivePeers;
    boolean isnKnown;
    final Map<Long, Long> tsVals = new HashMap<>();
    Long lastLiveTsVal, firstScriptTs, firstLiveTs;

    private int currentLine;

    public Interpreter(Script script, Profile profile, TcpStack.Factory factory, long seed, Long toleranceOverrideUs) {
        this(script, profile, factory, seed, toleranceOverrideUs, Map.of());
    }

    /** {@code commandLine}: packetdrill options as its command line gives them (name without "--", value). */
    public Interpreter(Script script, Profile profile, TcpStack.Factory factory, long seed, Long toleranceOverrideUs,
                       Map<String, String> commandLine) {
        this.commandLine = commandLine;
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
                    collectErrors();
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

    /** Moves what each socket's connection raised during the event into its error queue, in order. */
    private void collectErrors() {
        if (stack == null) return;
        for (Sock k : fds.values()) k.errors.collect(k.conn, now);
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
            settings.rmemMax = StackSettings.GOOGLE_RMEM_MAX;
        }
        if (!toleranceOverridden && GVISOR_PATH.matcher(pathOf(script)).find()) {
            // gVisor's harness runs its scripts with a wider tolerance than packetdrill's 4 ms
            // default (NOTES.md 3.4): they are written against it (e.g. "+0.01 > ." for an ACK
            // that Linux sends at once). A --tolerance_usecs in the script still wins.
            toleranceNs = GVISOR_TOLERANCE_US * NS_PER_US;
        }
        // the script's option lines, then the command line's, which win (packetdrill's config.c:
        // "Command line options overwrite options in script")
        Map<String, String> options = new LinkedHashMap<>(script.options());
        options.putAll(commandLine);
        String localIp = null, remoteIp = null;
        for (var e : options.entrySet()) {
            String k = e.getKey(), v = unquote(e.getValue());
            switch (k) {
                case "tolerance_usecs" -> { if (!toleranceOverridden) toleranceNs = parseLong(k, v) * NS_PER_US; }
                case "tolerance_percent" -> tolerancePercent = Double.parseDouble(v);
                case "ip_version" -> ipv6 = switch (v) {
                    case "ipv4", "ipv4-mapped-ipv6" -> false; // the mapped mode is IPv4 on the wire
                    case "ipv6" -> true;
                    default -> throw new Unsupported(0, "--ip_version=" + v + " (ipv4, ipv6 or ipv4-mapped-ipv6)");
                };
                case "local_ip" -> localIp = v;
                case "remote_ip" -> remoteIp = v;
                case "mtu" -> settings.mtu = (int) parseLong(k, v);
                case "mss" -> parseLong(k, v);
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
                // send_omit_free: packetdrill does not reuse its send buffers (for MSG_ZEROCOPY); the runner has none to reuse
                case "tcp_ts_ecr_scaled", "gateway_ip", "netmask_ip", "speed", "verbose", "debug", "send_omit_free" -> { }
                default -> throw new Unsupported(0, "option --" + k);
            }
        }
        flowLocalPort = bindPort;
        // packetdrill's defaults (NOTES.md 8): IPv6 local fd3d:fa7b:d17d::1 (nplab's; google picks a
        // random host in that /48), remote 2001:db8::1
        if (ipv6) {
            local = DEFAULT_LOCAL6;
            remote = DEFAULT_REMOTE6;
            settings.family = IpAddress.Family.IPV6;
        }
        if (localIp != null) local = parseAddress("local_ip", localIp);
        if (remoteIp != null) remote = parseAddress("remote_ip", remoteIp);
        // --mss is the MSS of the script's side (its SYNs say it): the tun device keeps its MTU, so
        // the stack still announces MTU - 40 (Linux's selftests expect mss 1460 with --mss=1000)
    }

    static final IpAddress DEFAULT_LOCAL6 = IpAddress.parse("fd3d:fa7b:d17d::1");
    static final IpAddress DEFAULT_REMOTE6 = IpAddress.parse("2001:db8::1");

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

    private IpAddress parseAddress(String k, String v) {
        IpAddress a;
        try {
            a = IpAddress.parse(v);
        } catch (IllegalArgumentException e) {
            throw new Unsupported(0, "option --" + k + "=" + v + " (" + e.getMessage() + ")");
        }
        if ((a.family() == IpAddress.Family.IPV6) != ipv6)
            throw new Unsupported(0, "option --" + k + "=" + v + " is not an " + (ipv6 ? "IPv6" : "IPv4") + " address (--ip_version)");
        return a;
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
                packets.inject(p);
            }
            case PacketEvent p -> {
                ensureStack();
                // packetdrill (run.c adjust_relative_event_times) counts the next relative time
                // from when the sniffer returned (now_usecs): when the segment (its last TSO
                // piece) came, or, when it was already queued, when the previous event ended.
                // Not the scripted time: three segments sent at once where a script says +.002
                // each match it within the tolerance, each counted from the one before.
                packets.expectOutbound(p, lo, hi, tol);
                return now;
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
            case Event.IcmpEvent i -> { ensureStack(); advanceTo(lo); packets.icmp(i); }
            case CommandEvent c -> { if (stack != null) advanceTo(lo); commands.command(c); }
            case CodeEvent c -> { ensureStack(); advanceTo(lo); commands.code(c); }
        }
        return lo;
    }

    void ensureStack() {
        if (stack != null) return;
        stack = factory.create(settings, (t, src, dst, tcp, payload, ecn) -> {
            sent.add(new Sent(t, src, dst, tcp, payload == null ? new byte[0] : payload, ecn));
            if (log.size() < 2000) log.add(fmtTime(t) + "       > " + packets.render(tcp, payload == null ? 0 : payload.length, !isnKnown));
        }, seed);
        settingsAtStart = settings.toString();
        for (org.netstack4j.tcp.TcpMd5Key k : stackMd5Keys) stack.setStackMd5Key(k);
        if (stack.pollAt() < now) stack.poll(now);
    }

    String settingsAtStart;
    int staleConfigLine;
    String staleConfigCommand;

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
    long pendingWakeAt = Long.MAX_VALUE;

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

    /**
     * Polls until a segment of the script's flow is queued or virtual time passes limit; returns
     * it (not removed) or null. Segments to another remote port are passed over, as packetdrill's
     * sniffer passes over packets not of the socket under test (find_socket_for_live_packet): a
     * RST from closing an earlier passive peer's socket, which had its own ephemeral port.
     */
    Sent waitForSent(long limit) {
        int guard = 0;
        while (true) {
            skipOtherFlows();
            if (!sent.isEmpty()) return sent.peek();
            long at = nextAt();
            if (at > limit) { now = Math.max(now, Math.min(limit, Long.MAX_VALUE / 4)); return null; }
            now = Math.max(now, at);
            stack.poll(now);
            checkPending();
            if (++guard > 1_000_000)
                throw new Mismatch(currentLine, "stack keeps asking to be polled at " + fmtTime(now) + " (pollAt does not advance)");
        }
    }

    /** Drops the segments at the head of the queue that are for another remote port. */
    private void skipOtherFlows() {
        while (!sent.isEmpty() && sent.peek().tcp().dstPort() != flowRemotePort) {
            Sent s = sent.poll();
            if (log.size() < 2000) log.add(fmtTime(s.time()) + " not of the script's flow (port " + s.tcp().dstPort() + "), passed over: "
                    + packets.render(s.tcp(), s.payload().length, false));
        }
    }

    // ---------------------------------------------------------------- system calls (the calls themselves: Syscalls, SocketOptionCalls)

    private void syscall(SyscallEvent s, long start, long last, long tol) {
        if (pending != null)
            throw new Mismatch(s.line(), "system call while the blocking call at line " + pending.ev().line()
                + " (" + pending.ev().name() + ") has not returned");
        Call call = syscalls.start(s);
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

    void checkPending() {
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
        else wantValue = syscalls.constant(s.line(), want);
        boolean ok = r.value() == wantValue;
        if (ok && r.value() == -1 && s.errno() != null) ok = normErrno(s.errno()).equals(normErrno(r.errno()));
        if (!ok)
            throw new Mismatch(s.line(), "expected " + s.name() + "(...) = " + want
                + (s.errno() == null ? "" : " " + s.errno()) + ", got " + r);
    }

    static String normErrno(String e) {
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
                + packets.render(sent.peek().tcp(), sent.peek().payload().length, false));
    }

    // ---------------------------------------------------------------- script options

    private static final Pattern GVISOR_PATH = Pattern.compile("(?i)(^|[/+_-])gvisor([/+_-]|$)");
    private static final long GVISOR_TOLERANCE_US = 100_000;

    /** The script's file, or null when it was parsed from text. */
    java.nio.file.Path scriptPath() { return script.path(); }

    /** A line of the verbose log that is not an event (e.g. what a defaults file held that is not modelled). */
    void note(String text) { if (log.size() < 2000) log.add("note: " + text); }

    private static String pathOf(Script s) { return s.path() == null ? "" : s.path().toString().replace('\\', '/'); }

    private static final Pattern COMMENTED_DEFAULTS = Pattern.compile("(?m)^\\s*//\\s*`[^`\\n]*defaults\\.sh\\s*`");

    /** Splits shell arguments on blanks, keeping "double quoted" runs together (quotes removed). */
    static List<String> shellWords(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean quoted = false, any = false;
        for (char ch : ShellArithmetic.expand(text).toCharArray()) {
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

    // ---------------------------------------------------------------- formatting

    /** " L12  " : the script line an entry of the verbose log comes from. */
    static String lineTag(int line) { return String.format(Locale.ROOT, " L%-4d ", line); }

    static String fmtTime(long ns) {
        if (ns >= Long.MAX_VALUE / 8) return "never";
        return String.format(Locale.ROOT, "%.6f", ns / 1e9);
    }

    static String fmtWindow(long lo, long hi, long tol) {
        String w = lo == hi ? fmtTime(lo) : fmtTime(lo) + "~" + fmtTime(hi);
        return w + " (+/- " + tol / 1000 + " us)";
    }
}
