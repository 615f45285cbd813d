package org.netstack4j.packetdrill;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code nstat} shim: iproute2's nstat over the stack's own counters, for the lines kernel
 * selftests write ({@code nstat -n} to start counting, {@code nstat | grep NAME | grep -q " N "}
 * to check). Each Linux SNMP/netstat name maps to the netstack4j counter that counts the same
 * event; a script that greps for a name without one is {@link Unsupported}, never guessed.
 * nstat prints what changed since its last run (its history) and then remembers the current
 * values unless {@code -s}; {@code -n} only remembers, {@code -a} prints absolute values, {@code
 * -z} zeros too. The pipeline's greps ({@code -q -c -v -w -E -F -i}) run over that text.
 */
final class Nstat {
    /** Linux name (as nstat prints it) to the netstack4j counter counting the same event. */
    static final Map<String, String> LINUX_NAMES = new LinkedHashMap<>();

    static {
        LINUX_NAMES.put("TcpActiveOpens", "tcp.active_opens");
        LINUX_NAMES.put("TcpPassiveOpens", "tcp.passive_opens");
        LINUX_NAMES.put("TcpEstabResets", "tcp.estab_resets");
        LINUX_NAMES.put("TcpInSegs", "tcp.in.segments");
        LINUX_NAMES.put("TcpOutSegs", "tcp.out.segments");
        LINUX_NAMES.put("TcpRetransSegs", "tcp.retransmits");
        LINUX_NAMES.put("TcpOutRsts", "tcp.out.rsts");
        LINUX_NAMES.put("TcpExtTCPTimeouts", "tcp.timeouts");
        LINUX_NAMES.put("TcpExtDelayedACKs", "tcp.delayed_acks");
        LINUX_NAMES.put("TcpExtTCPOFOQueue", "tcp.in.out_of_order");
        LINUX_NAMES.put("TcpExtTCPDSACKOldSent", "tcp.out.dsack_old");
        LINUX_NAMES.put("TcpExtTCPDSACKOfoSent", "tcp.out.dsack_ofo");
        LINUX_NAMES.put("TcpExtTCPChallengeACK", "tcp.out.challenge_acks");
        LINUX_NAMES.put("TcpExtTCPWinProbe", "tcp.out.window_probes");
        LINUX_NAMES.put("TcpExtTCPKeepAlive", "tcp.out.keepalives");
        LINUX_NAMES.put("TcpExtSyncookiesSent", "tcp.syncookies.sent");
        LINUX_NAMES.put("TcpExtSyncookiesRecv", "tcp.syncookies.valid");
        LINUX_NAMES.put("TcpExtSyncookiesFailed", "tcp.syncookies.failed");
        LINUX_NAMES.put("TcpExtOutOfWindowIcmps", "tcp.icmp.out_of_window");
        LINUX_NAMES.put("TcpExtTCPAbortOnData", "tcp.out.rst_data_after_close");
        LINUX_NAMES.put("TcpExtTCPMD5NotFound", "tcp.drop.md5_not_found");
        LINUX_NAMES.put("TcpExtTCPMD5Unexpected", "tcp.drop.md5_unexpected");
        LINUX_NAMES.put("TcpExtTCPMD5Failure", "tcp.drop.md5_failure");
        LINUX_NAMES.put("TcpExtBeyondWindow", "tcp.drop.beyond_window");
        LINUX_NAMES.put("TcpExtTCPZeroWindowDrop", "tcp.drop.zero_window");
        LINUX_NAMES.put("TcpExtPruneCalled", "tcp.rcv.prune_called");
        LINUX_NAMES.put("TcpExtRcvPruned", "tcp.rcv.pruned");
        LINUX_NAMES.put("TcpExtTCPRcvQDrop", "tcp.drop.rcvq_full");
    }

    static final Pattern NSTAT = Pattern.compile("^nstat((?:\\s+-[a-zA-Z]+)*)((?:\\s+[A-Za-z0-9_*]+)*)\\s*((?:\\|.*)?)$");
    private static final Pattern NAME = Pattern.compile("\\b((?:Tcp|TcpExt|Ip|IpExt|Udp|Icmp|MPTcpExt)[A-Za-z0-9_]*)\\b");

    private Map<String, Long> history = Map.of();

    /** Runs one {@code nstat ...} line, pipeline included; false if it is not an nstat line. */
    boolean run(int line, String cmd, Map<String, Long> counters) {
        // the output thrown away: only the exit status (or nstat's history) matters
        Matcher m = NSTAT.matcher(cmd.replaceFirst("\\s*>\\s*/dev/null(\\s+2>&1)?\\s*$", ""));
        if (!m.matches()) return false;
        String flags = m.group(1).replace("-", "").replaceAll("\\s+", "");
        for (char f : flags.toCharArray()) {
            if ("nsazd".indexOf(f) < 0) throw new Unsupported(line, "nstat option -" + f);
        }
        boolean quiet = flags.contains("n"), keep = flags.contains("s"), absolute = flags.contains("a"), zeros = flags.contains("z");
        List<String> names = m.group(2).isBlank() ? List.of() : List.of(m.group(2).strip().split("\\s+"));
        for (String n : names) requireKnown(line, n);
        List<String> greps = pipeline(line, m.group(3));
        // a grep for a counter we cannot count: say so instead of failing or passing by chance
        for (String g : greps) {
            Matcher nm = NAME.matcher(g);
            while (nm.find()) requireKnown(line, nm.group(1));
        }
        Map<String, Long> now = new HashMap<>();
        for (var e : LINUX_NAMES.entrySet()) now.put(e.getKey(), counters.getOrDefault(e.getValue(), 0L));
        StringBuilder out = new StringBuilder("#kernel\n");
        for (String n : LINUX_NAMES.keySet()) {
            if (!names.isEmpty() && names.stream().noneMatch(p -> n.matches(p.replace("*", ".*")))) continue;
            long v = absolute ? now.get(n) : now.get(n) - history.getOrDefault(n, 0L);
            if (v != 0 || zeros) out.append(String.format("%-32s %-19d %.1f%n", n, v, 0.0));
        }
        if (!keep) history = now;
        if (quiet || greps.isEmpty()) {
            if (quiet && !greps.isEmpty()) throw new Unsupported(line, "nstat -n piped to grep");
            return true;
        }
        String text = out.toString();
        for (int i = 0; i < greps.size(); i++) {
            Grep.Result r = Grep.run(line, greps.get(i), text);
            if (!r.matched())
                throw new Interpreter.Mismatch(line, "nstat: `" + cmd + "` failed at `grep " + greps.get(i) + "` on:\n" + text.strip());
            text = r.output();
        }
        return true;
    }

    /** A name (or a part of names, as "TcpExt") that some mapped counter has; else the script cannot be judged. */
    private static void requireKnown(int line, String name) {
        if (!name.contains("*") && LINUX_NAMES.keySet().stream().noneMatch(n -> n.contains(name)))
            throw new Unsupported(line, "nstat counter " + name + " (no netstack4j counter counts it)");
    }

    /** The grep stages after nstat's output: "| grep A | grep -q B" -> ["A", "-q B"]. */
    private static List<String> pipeline(int line, String tail) {
        List<String> out = new ArrayList<>();
        if (tail.isBlank()) return out;
        for (String stage : tail.strip().substring(1).split("\\|")) {
            String s = stage.strip();
            if (!s.startsWith("grep ")) throw new Unsupported(line, "nstat piped to `" + s.split("\\s+")[0] + "`");
            out.add(s.substring(5).strip());
        }
        return out;
    }

    /** The subset of grep(1) the pipelines use. */
    static final class Grep {
        record Result(boolean matched, String output) {}

        static Result run(int line, String args, String input) {
            boolean quiet = false, count = false, invert = false, word = false, fixed = false, ignoreCase = false;
            List<String> words = Interpreter.shellWords(args);
            String pattern = null;
            for (String w : words) {
                if (pattern == null && w.startsWith("-") && w.length() > 1) {
                    for (char f : w.substring(1).toCharArray()) {
                        switch (f) {
                            case 'q' -> quiet = true;
                            case 'c' -> count = true;
                            case 'v' -> invert = true;
                            case 'w' -> word = true;
                            case 'F' -> fixed = true;
                            case 'E' -> { }
                            case 'i' -> ignoreCase = true;
                            default -> throw new Unsupported(line, "grep option -" + f);
                        }
                    }
                } else if (pattern == null) {
                    pattern = w;
                } else {
                    throw new Unsupported(line, "grep over files");
                }
            }
            if (pattern == null) throw new Unsupported(line, "grep without a pattern");
            String re = fixed ? Pattern.quote(pattern) : pattern;
            if (word) re = "(?<![A-Za-z0-9_])(?:" + re + ")(?![A-Za-z0-9_])";
            Pattern p = Pattern.compile(re, ignoreCase ? Pattern.CASE_INSENSITIVE : 0);
            StringBuilder kept = new StringBuilder();
            int n = 0;
            for (String l : input.split("\n", -1)) {
                if (l.isEmpty()) continue;
                if (p.matcher(l).find() != invert) {
                    n++;
                    kept.append(l).append('\n');
                }
            }
            if (count) return new Result(n > 0, n + "\n");
            return new Result(n > 0, quiet ? "" : kept.toString());
        }
    }
}
