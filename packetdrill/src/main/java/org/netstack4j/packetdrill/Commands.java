package org.netstack4j.packetdrill;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.netstack4j.packetdrill.Event.CodeEvent;
import org.netstack4j.packetdrill.Event.CommandEvent;
import org.netstack4j.packetdrill.Interpreter.Mismatch;
import org.netstack4j.tcp.TcpMd5Key;
import org.netstack4j.wire.IpAddress;

/**
 * The script's shell command lines (sysctl, set_sysctls.py, sockstat, tcpdrop, ip route,
 * ethtool, defaults.sh, nstat) mapped onto the stack's settings or checked against its connections,
 * and its Python TCP_INFO assertion lines.
 */
final class Commands {

    private final Interpreter interp;
    private final Nstat nstat = new Nstat();

    Commands(Interpreter interp) { this.interp = interp; }

    static final Pattern SET_SYSCTLS = Pattern.compile("^\\S*set_sysctls\\.py\\s+(.+)$");
    static final Pattern SYSCTL = Pattern.compile("^sysctl(?:\\s+-[a-zA-Z]+)*\\s+(.+)$");
    static final Pattern SOCKSTAT = Pattern.compile("^sockstat\\b(.*)\\|\\s*grep\\s+-c\\s+(\\S+)\\s*\\|\\s*grep\\s+(\\d+)\\s*$");
    static final Pattern IP_ROUTE = Pattern.compile("^ip\\s+route\\s+(add|change|replace)\\s+\\S+(\\s+via\\s+\\S+)?(\\s+dev\\s+\\S+)?(\\s+(advmss\\s+\\d+|mtu\\s+(lock\\s+)?\\d+))+\\s*$");
    static final Pattern ETHTOOL_OFFLOADS = Pattern.compile("^ethtool\\s+-K\\s+\\S+(\\s+(tso|gso|gro|lro|sg|tx|rx|ufo)\\s+(on|off))+\\s*$");
    static final Pattern TCPDROP = Pattern.compile("^tcpdrop\\s+-s\\s+(\\S+)\\s*$");
    /** {@code setkey -c <<EOF}: security associations follow, one per line, until the terminator. */
    static final Pattern SETKEY_HEREDOC = Pattern.compile("^setkey\\s+-c\\s*<<\\s*['\"]?(\\w+)['\"]?$");
    /** setkey(8)'s {@code add [-4|-6] src dst tcp spi -A tcp-md5 "key"} (or a 0x hex key): a TCP-MD5 association. */
    static final Pattern SA_TCP_MD5 = Pattern.compile("^add\\s+(?:-[46]\\s+)?(\\S+)\\s+(\\S+)\\s+tcp\\s+\\S+\\s+-A\\s+tcp-md5\\s+(\"[^\"]*\"|0x[0-9a-fA-F]+)$");

    /** Inside a {@code setkey -c} here-document: its terminator, else null. */
    private String setkeyEnd;

    void command(CommandEvent c) {
        // a backslash before a newline continues the shell line
        for (String part : c.command().replaceAll("\\\\\\r?\\n", " ").split("\\s*(?:;|&&|\\n)\\s*")) {
            String cmd = part.strip().replaceFirst("\\s+#.*$", ""); // a shell comment ends the line
            if (cmd.isEmpty() || cmd.startsWith("#")) continue; // shell comment
            Matcher m;
            if (setkeyEnd != null) {
                if (cmd.equals(setkeyEnd)) setkeyEnd = null;
                else securityAssociation(c.line(), cmd);
                continue;
            }
            if (cmd.endsWith("defaults.sh")) {
                // google's defaults.sh: Linux sysctl defaults, notably tcp_rmem max 15 MB, for
                // which Linux announces window scale 8.
                interp.settings.rmemMax = StackSettings.GOOGLE_RMEM_MAX;
                // the kernel selftests' defaults.sh: Fast Open client and server, a fixed key
                interp.settings.fastOpenMode = 0x3;
                interp.settings.fastOpenKey = "a1a1a1a1-b2b2b2b2-c3c3c3c3-d4d4d4d4";
                defaultsFile(c.line(), cmd);
                continue;
            }
            if ((m = SET_SYSCTLS.matcher(cmd)).matches()) {
                // google's set_sysctls.py /proc/sys/net/ipv4/tcp_x=v ...: the same as sysctl -w
                for (String kv : Interpreter.shellWords(m.group(1))) {
                    int eq = kv.indexOf('=');
                    if (eq < 0 || !kv.startsWith("/proc/sys/")) throw new Unsupported(c.line(), "set_sysctls.py argument " + kv);
                    Sysctl.apply(c.line(), kv.substring("/proc/sys/".length(), eq).replace('/', '.'),
                        kv.substring(eq + 1).replace("\"", ""), interp.settings);
                }
                noteLateSysctl(c.line(), cmd);
            } else if (cmd.matches("\\S*/sysctl_restore_\\S*\\.sh")) {
                // restores the sysctls set_sysctls.py changed: nothing outlives this stack
            } else if ((m = SYSCTL.matcher(cmd)).matches()) {
                for (String kv : Interpreter.shellWords(m.group(1))) {
                    int eq = kv.indexOf('=');
                    if (eq < 0) throw new Unsupported(c.line(), "sysctl read " + kv);
                    Sysctl.apply(c.line(), kv.substring(0, eq), kv.substring(eq + 1).replace("\"", ""), interp.settings);
                }
                noteLateSysctl(c.line(), cmd);
            } else if ((m = SOCKSTAT.matcher(cmd)).matches()) {
                interp.ensureStack();
                String state = m.group(2).replace('_', '-');
                if (state.equals("SYN-RCVD")) state = "SYN-RECEIVED";
                if (state.matches("FIN-WAIT\\d")) state = "FIN-WAIT-" + state.charAt(8);
                Matcher pm = Pattern.compile("-p\\s+(\\d+)").matcher(m.group(1));
                Integer port = pm.find() ? Integer.valueOf(pm.group(1)) : null;
                long want = Long.parseLong(m.group(3));
                long got = 0;
                for (TcpStack.Conn k : interp.stack.connections()) {
                    if (!k.state().equals(state)) continue;
                    if (port != null && k.localPort() != port && k.remotePort() != port) continue;
                    got++;
                }
                if (state.equals("LISTEN")) got += interp.fds.values().stream().filter(k -> k.listener != null).count();
                if (got != want)
                    throw new Mismatch(c.line(), "sockstat: expected " + want + " connection(s) in " + state + ", found " + got);
            } else if ((m = TCPDROP.matcher(cmd)).matches()) {
                interp.ensureStack();
                String state = m.group(1).replace('_', '-');
                for (TcpStack.Conn k : List.copyOf(interp.stack.connections())) if (k.state().equals(state)) interp.stack.drop(interp.now, k);
            } else if (cmd.startsWith("setkey -F")) {
                interp.flushStackMd5Keys();
            } else if ((m = SETKEY_HEREDOC.matcher(cmd)).matches()) {
                setkeyEnd = m.group(1);
            } else if ((m = IP_ROUTE.matcher(cmd)).matches()) {
                // the route to the remote host: "mtu [lock] M" is the path MTU, "advmss A" the MSS
                // we announce (the stack is built with them, as with a sysctl)
                Matcher mtu = Pattern.compile("\\bmtu\\s+(?:lock\\s+)?(\\d+)").matcher(cmd);
                Matcher adv = Pattern.compile("\\badvmss\\s+(\\d+)").matcher(cmd);
                if (mtu.find()) interp.settings.mtu = Integer.parseInt(mtu.group(1));
                if (adv.find()) interp.settings.maxSeg = Integer.parseInt(adv.group(1));
                if (!cmd.matches(".*\\b(mtu|advmss)\\b.*")) throw new Unsupported(c.line(), "command `" + cmd + "`");
                noteLateSysctl(c.line(), cmd);
            } else if (ETHTOOL_OFFLOADS.matcher(cmd).matches()) {
                // segmentation/receive offloads on the tun device: we send MSS-sized segments and
                // the runner matches a scripted TSO-sized segment against several of them anyway
            } else if (cmd.matches("nstat\\b.*")) {
                // kernel counters through iproute2's nstat, read from the stack's own (none before it exists)
                if (!nstat.run(c.line(), cmd, interp.stack != null ? interp.stack.counters() : Map.of()))
                    throw new Unsupported(c.line(), "nstat `" + cmd + "`");
            } else {
                throw new Unsupported(c.line(), "command `" + cmd.split("\\s+")[0] + "`");
            }
        }
    }

    /** What a defaults.sh beside the script may hold besides sysctls, and needs no modelling here. */
    static final Pattern DEFAULTS_NOOP = Pattern.compile(
        "^(ip\\s+tcp_metrics\\s+flush\\b.*|tc\\s+qdisc\\s+(add|replace)\\s+dev\\s+\\S+\\s+root\\s+pfifo(_fast)?\\s*)$");
    /** A defaults.sh larger than this is not a list of defaults: it is not read. */
    static final int DEFAULTS_MAX_BYTES = 64 * 1024;

    /**
     * The defaults.sh a script runs, when it sits where the script names it (the kernel selftests'
     * {@code `./defaults.sh`}): its sysctls are applied as the script's own, so a suite that changes
     * its defaults (the selftests turned {@code tcp_ecn} to 0 in 2025) is run with the new ones.
     * Its flush of cached metrics and its pfifo qdisc match the fresh, unpaced stack every script
     * gets; any other line, and a sysctl the runner does not model, is noted in the log (verbose
     * output) rather than skipping every script of the suite. Without the file (google's corpus keeps
     * it elsewhere), the values set in {@link #command} stand for it.
     */
    private void defaultsFile(int line, String cmd) {
        Path script = interp.scriptPath();
        if (script == null || script.getParent() == null) return;
        Path f = script.getParent().resolve(cmd.strip()).normalize();
        List<String> lines;
        try {
            if (!Files.isRegularFile(f) || Files.size(f) > DEFAULTS_MAX_BYTES) return;
            lines = Files.readAllLines(f, StandardCharsets.UTF_8);
        } catch (IOException | UncheckedIOException e) {
            interp.note("defaults.sh (line " + line + "): " + f.getFileName() + " not read: " + e.getMessage());
            return;
        }
        for (String raw : lines) {
            String l = raw.strip().replaceFirst("\\s*[12]?>\\s*/dev/null(\\s+2>&1)?\\s*$", "");
            if (l.isEmpty() || l.startsWith("#") || DEFAULTS_NOOP.matcher(l).matches()) continue;
            Matcher m = SYSCTL.matcher(l);
            if (!m.matches()) {
                interp.note("defaults.sh: not run: " + l);
                continue;
            }
            for (String kv : Interpreter.shellWords(m.group(1))) {
                int eq = kv.indexOf('=');
                if (eq < 0) continue;
                try {
                    Sysctl.apply(line, kv.substring(0, eq), kv.substring(eq + 1).replace("\"", ""), interp.settings);
                } catch (Unsupported u) {
                    interp.note("defaults.sh: not modelled: " + kv);
                }
            }
        }
    }

    /**
     * One setkey(8) line (FreeBSD): a TCP-MD5 security association between our address and the
     * peer's becomes a key of the stack-wide table for that peer (the stack keeps one key per
     * peer, so both directions' associations must carry the same key); {@code flush} empties the
     * table. Associations between two other hosts concern none of our segments.
     */
    private void securityAssociation(int line, String sa) {
        if (sa.equals("flush")) {
            interp.flushStackMd5Keys(); // setkey -F's
            return;
        }
        Matcher m = SA_TCP_MD5.matcher(sa);
        if (!m.matches()) throw new Unsupported(line, "setkey line `" + sa + "`");
        IpAddress a, b;
        try {
            a = IpAddress.parse(m.group(1));
            b = IpAddress.parse(m.group(2));
        } catch (IllegalArgumentException e) {
            throw new Unsupported(line, "setkey addresses in `" + sa + "`");
        }
        IpAddress peer = a.equals(interp.local) ? b : b.equals(interp.local) ? a : null;
        if (peer == null) return;
        String k = m.group(3);
        byte[] key = k.startsWith("\"") ? k.substring(1, k.length() - 1).getBytes(StandardCharsets.ISO_8859_1)
            : HexFormat.of().parseHex(k.length() % 2 == 0 ? k.substring(2) : "0" + k.substring(2));
        if (key.length > TcpMd5Key.MAX_KEY_LENGTH) throw new Unsupported(line, "a TCP-MD5 key longer than " + TcpMd5Key.MAX_KEY_LENGTH + " bytes");
        interp.setStackMd5Key(TcpMd5Key.of(peer, key));
    }

    /**
     * Like a kernel, a sysctl changed after the stack exists would only matter for connections
     * opened later: harmless at the end of a script (restoring defaults), unsupported before an open.
     */
    void noteLateSysctl(int line, String cmd) {
        boolean reachesLaterConnections = interp.stack != null && interp.stack.sysctlChanged(interp.settings);
        if (reachesLaterConnections && interp.staleConfigLine == 0) {
            interp.settingsAtStart = interp.settings.toString(); // later connections get the change
            return;
        }
        if (interp.stack != null && !interp.settings.toString().equals(interp.settingsAtStart) && interp.staleConfigLine == 0) {
            interp.staleConfigLine = line;
            interp.staleConfigCommand = cmd;
        }
    }

    void code(CodeEvent c) {
        Map<String, Long> info = new HashMap<>();
        Sock k = interp.underTest;
        if (k != null && k.conn != null) {
            info.putAll(k.conn.tcpInfo(interp.now));
            info.put("tcpi_state", TcpInfoAssertions.stateNumber(k.conn.state()));
        } else if (k != null && k.listener != null) {
            info.put("tcpi_state", TcpInfoAssertions.stateNumber("LISTEN"));
        } else {
            info.put("tcpi_state", TcpInfoAssertions.stateNumber("CLOSED"));
        }
        TcpInfoAssertions.run(c.line(), c.code(), info, interp.pyVars);
    }
}
