package org.netstack4j.packetdrill;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.netstack4j.tcp.TcpConfig;

/** The sysctl shim, the %{ }% evaluator, profile detection and the JSON report. */
class ShimsTest {

    @Test
    void sysctlMapsKnownKeysAndRefusesUnknownOnes() {
        StackSettings s = new StackSettings();
        Sysctl.apply(1, "net.inet.tcp.sack.enable", "0", s);
        Sysctl.apply(1, "net.inet.tcp.recvspace", "65536", s);
        Sysctl.apply(1, "net.inet.tcp.delacktime", "40", s);
        Sysctl.apply(1, "net.inet.tcp.rfc1323", "0", s);
        Sysctl.apply(1, "kern.ipc.maxsockbuf", "2097152", s);
        // applied to a profile where each of these knobs has another value
        TcpConfig c = s.applyTo(TcpConfig.linuxLike().withAcks(a -> a.withDelayedAckNs(1)));
        assertFalse(c.options().sack());
        assertEquals(65536, s.requestedRcvBuf);
        assertEquals(40_000_000L, c.acks().delayedAckNs());
        assertFalse(c.options().timestamps());
        assertFalse(c.options().windowScale());
        assertEquals(6, c.options().windowScaleShift());
        Sysctl.apply(7, "net.inet.tcp.ecn.enable", "1", s); // RFC 3168 ECN: ask and accept
        assertEquals(TcpConfig.Options.ECN_ON, s.applyTo(TcpConfig.defaults()).options().ecn());
        var u = assertThrows(Unsupported.class, () -> Sysctl.apply(7, "net.inet.tcp.ecn.enable", "3", s)); // Accurate ECN
        assertEquals(7, u.line());
        assertTrue(u.getMessage().contains("ECN"));
        assertThrows(Unsupported.class, () -> Sysctl.apply(1, "net.inet.tcp.nolocaltimewait", "1", s));
    }

    @Test
    void accurateEcnSysctlsTakeLinuxValues() {
        StackSettings s = new StackSettings();
        Sysctl.apply(1, "net.ipv4.tcp_ecn", "3", s);
        assertEquals(TcpConfig.Options.ECN_ACCURATE, s.applyTo(TcpConfig.defaults()).options().ecn());
        Sysctl.apply(1, "net.ipv4.tcp_ecn", "4", s);
        assertEquals(TcpConfig.Options.ECN_ACCURATE_IN, s.applyTo(TcpConfig.defaults()).options().ecn());
        Sysctl.apply(1, "net.ipv4.tcp_ecn", "5", s);
        assertEquals(TcpConfig.Options.ECN_ACCURATE_ACCEPT, s.applyTo(TcpConfig.defaults()).options().ecn());
        Sysctl.apply(1, "net.ipv4.tcp_ecn_option", "0", s);
        Sysctl.apply(1, "net.ipv4.tcp_ecn_option_beacon", "1", s);
        Sysctl.apply(1, "net.ipv4.tcp_ecn_fallback", "0", s);
        TcpConfig.Options o = s.applyTo(TcpConfig.defaults()).options();
        assertEquals(0, o.accEcnOption());
        assertEquals(1, o.accEcnOptionBeacon());
        assertFalse(o.ecnFallback());
        assertThrows(Unsupported.class, () -> Sysctl.apply(2, "net.ipv4.tcp_ecn", "6", s));
        assertThrows(Unsupported.class, () -> Sysctl.apply(2, "net.ipv4.tcp_ecn_option", "4", s));
    }

    @Test
    void syncookiesSysctlTakesLinuxValues() {
        StackSettings s = new StackSettings();
        Sysctl.apply(1, "net.ipv4.tcp_syncookies", "0", s);
        assertEquals(org.netstack4j.tcp.Hardening.SynCookieMode.NEVER, s.applyTo(TcpConfig.defaults()).hardening().synCookies());
        Sysctl.apply(1, "net.ipv4.tcp_syncookies", "1", s);
        assertEquals(org.netstack4j.tcp.Hardening.SynCookieMode.WHEN_FULL,
            s.applyTo(TcpConfig.defaults().withHardening(h -> h.withSynCookies(org.netstack4j.tcp.Hardening.SynCookieMode.ALWAYS))).hardening().synCookies());
        Sysctl.apply(1, "net.ipv4.tcp_syncookies", "2", s);
        assertEquals(org.netstack4j.tcp.Hardening.SynCookieMode.ALWAYS, s.applyTo(TcpConfig.defaults()).hardening().synCookies());
        assertThrows(Unsupported.class, () -> Sysctl.apply(1, "net.ipv4.tcp_syncookies", "3", s));
    }

    @Test
    void comparisonsChainAndCaStatesAreKnown() {
        Map<String, Long> info = new HashMap<>();
        info.put("tcpi_last_data_recv", 995L);
        info.put("tcpi_ca_state", 3L);
        Map<String, Long> vars = TcpInfoAssertions.newVars();
        TcpInfoAssertions.run(1, "assert 990 <= tcpi_last_data_recv <= 1010, tcpi_last_data_recv", info, vars);
        TcpInfoAssertions.run(1, "assert tcpi_ca_state == TCP_CA_Recovery", info, vars);
        assertThrows(Interpreter.Mismatch.class,
            () -> TcpInfoAssertions.run(2, "assert 990 <= tcpi_last_data_recv < 995", info, vars));
        assertThrows(Interpreter.Mismatch.class,
            () -> TcpInfoAssertions.run(2, "assert 1000 <= tcpi_last_data_recv <= 1010", info, vars));
    }

    @Test
    void newSysctlKeys() {
        StackSettings s = new StackSettings();
        Sysctl.apply(1, "net/ipv4/tcp_slow_start_after_idle", "0", s); // sysctl(8)'s slash form
        assertFalse(s.applyTo(TcpConfig.linuxLike()).recovery().slowStartAfterIdle());
        Sysctl.apply(1, "net.inet.tcp.tolerate_missing_ts", "0", s);
        assertTrue(s.applyTo(TcpConfig.linuxLike()).quirks().dropMissingTimestamps());
        Sysctl.apply(1, "net.inet.tcp.keepinit", "5000", s);
        assertEquals(5_000_000_000L, s.applyTo(TcpConfig.linuxLike()).timers().connectTimeoutNs());
        Sysctl.apply(1, "net.ipv4.tcp_tso_win_divisor", "100", s);
        Sysctl.apply(1, "net.inet.tcp.syncookies_only", "0", s);
        assertThrows(Unsupported.class, () -> Sysctl.apply(1, "net.inet.tcp.syncookies_only", "1", s));
    }

    @Test
    void gvisorScriptsGetTheirHarnessTolerance(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        // an ACK scripted 10 ms after the FIN it answers at once: within gVisor's tolerance only
        String text = """
            0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
            +0 bind(3, ..., ...) = 0
            +0 listen(3, 1) = 0
            +0 < S 0:0(0) win 32792 <mss 1460,sackOK,nop,nop,nop,wscale 7>
            +0 > S. 0:0(0) ack 1 <...>
            +0 < . 1:1(0) ack 1 win 257
            +0 accept(3, ..., ...) = 4
            +0 close(4) = 0
            +0 > F. 1:1(0) ack 1 <...>
            +0 < F. 1:1(0) ack 2 win 257
            +0.01 > . 2:2(0) ack 2 <...>
            """;
        Path g = dir.resolve("google+gvisor/test/packetdrill/x.pkt"), o = dir.resolve("other/x.pkt");
        for (Path p : List.of(g, o)) {
            java.nio.file.Files.createDirectories(p.getParent());
            java.nio.file.Files.writeString(p, text);
        }
        assertEquals(ScriptResult.Status.PASS, Runner.runOne(g, Options.defaults()).status());
        assertEquals(ScriptResult.Status.FAIL, Runner.runOne(o, Options.defaults()).status());
        java.nio.file.Files.writeString(g, "--tolerance_usecs=4000\n" + text); // the script's own value wins
        assertEquals(ScriptResult.Status.FAIL, Runner.runOne(g, Options.defaults()).status());
    }

    @Test
    void tcpInfoAssertionsAcceptBothSpellingsOfStates() {
        Map<String, Long> info = new HashMap<>();
        info.put("tcpi_state", TcpInfoAssertions.stateNumber("SYN-RECEIVED"));
        info.put("tcpi_snd_cwnd", 10L);
        Map<String, Long> vars = TcpInfoAssertions.newVars();
        TcpInfoAssertions.run(1, "assert tcpi_state == TCPI_SYN_RECEIVED", info, vars);
        TcpInfoAssertions.run(1, "assert tcpi_state == TCP_SYN_RECV, 'linux name'", info, vars);
        TcpInfoAssertions.run(1, "x = 4\nx += 6\nassert tcpi_snd_cwnd == x and not tcpi_snd_cwnd < 10 # ok", info, vars);
        var m = assertThrows(Interpreter.Mismatch.class,
            () -> TcpInfoAssertions.run(3, "assert tcpi_state == TCPI_ESTABLISHED", info, vars));
        assertTrue(m.getMessage().contains("tcpi_state=SYN-RECEIVED"), m.getMessage());
        var u = assertThrows(Unsupported.class, () -> TcpInfoAssertions.run(1, "assert tcpi_delivered == 1", info, vars));
        assertEquals("TCP_INFO field tcpi_delivered", u.getMessage());
        assertThrows(Unsupported.class, () -> TcpInfoAssertions.run(1, "import os", info, vars));
    }

    @Test
    void profileFromMarkersThenFolderThenLinux() {
        assertEquals(Profile.FREEBSD, detect("x.pkt", "0 `sysctl -w net.inet.tcp.sack.enable=1`\n"));
        assertEquals(Profile.LINUX, detect("x.pkt", "`../common/defaults.sh`\n0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"));
        assertEquals(Profile.FREEBSD, detect("tests/bsd/tcp/x.pkt", "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"));
        assertEquals(Profile.LINUX, detect("tests/x.pkt", "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"));
        assertEquals(Profile.FREEBSD, detect("x.pkt", "0 > S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,eol,eol>\n"));
    }

    private static Profile detect(String path, String text) {
        return Profile.detect(ScriptParser.parse(Path.of(path), text, ScriptParser.DEFAULT_DEFINES));
    }

    @Test
    void jsonReportEscapesAndCounts() {
        Summary s = new Summary(1, 1, 0, List.of(
            new ScriptResult(Path.of("a.pkt"), ScriptResult.Status.PASS, 0, "", Profile.LINUX, List.of()),
            new ScriptResult(Path.of("b \"q\".pkt"), ScriptResult.Status.FAIL, 12, "expected\tx\ngot y", Profile.FREEBSD, List.of())));
        String j = JsonReport.render(s);
        assertTrue(j.contains("\"passed\": 1"), j);
        assertTrue(j.contains("\"path\": \"b \\\"q\\\".pkt\""), j);
        assertTrue(j.contains("\"message\": \"expected\\tx\\ngot y\""), j);
        assertTrue(j.contains("\"profile\": \"freebsd\""), j);
        assertEquals(1, s.exitCode());
        assertEquals("1 passed, 1 failed, 0 skipped", s.line());
    }

    @Test
    void shellWordsKeepQuotedValuesTogether() {
        assertEquals(List.of("/proc/sys/net/ipv4/tcp_wmem=4096 50000 4194304", "x=1"),
            Interpreter.shellWords(" /proc/sys/net/ipv4/tcp_wmem=\"4096 50000 4194304\"  x=1 "));
        StackSettings s = new StackSettings();
        Sysctl.apply(1, "net.ipv4.tcp_wmem", "4096 50000 4194304", s);
        assertEquals(50000, s.applyTo(TcpConfig.defaults()).buffers().sendBufferSize());
    }

    @Test
    void nstatPrintsDeltasSinceItsLastRunAndGrepsThem() {
        Nstat n = new Nstat();
        Map<String, Long> c = new HashMap<>(Map.of("tcp.out.dsack_old", 2L, "tcp.retransmits", 5L));
        assertTrue(n.run(1, "nstat -n", c));
        c.put("tcp.out.dsack_old", 5L);
        assertTrue(n.run(2, "nstat -s | grep TcpExtTCPDSACKOldSent | grep -q \" 3 \"", c), "-s: history kept");
        assertTrue(n.run(3, "nstat | grep -c TcpExt | grep 1", c), "only what changed: one line");
        var m = assertThrows(Interpreter.Mismatch.class, () -> n.run(4, "nstat | grep TcpExtTCPDSACKOldSent", c));
        assertEquals(4, m.line, "the last run took the counts as history");
        assertTrue(n.run(5, "nstat -az TcpRetransSegs | grep -w 5", c), "absolute, by name");
        var u = assertThrows(Unsupported.class, () -> n.run(6, "nstat | grep TcpExtTCPOFOMerge | grep -q \" 3 \"", c));
        assertTrue(u.getMessage().contains("TcpExtTCPOFOMerge"), u.getMessage());
        assertThrows(Unsupported.class, () -> n.run(7, "nstat | awk '{print $2}'", c));
        assertFalse(n.run(8, "netstat -s", c));
    }
}
