package org.netstack4j.packetdrill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * packetdrill's own command-line options on the runner: --ip_version (ipv6: the same script over
 * IPv6, MSS = MTU - 60, icmp lines are ICMPv6), --mtu, -D NAME=VALUE, and the rule that the
 * command line overrides the script's option lines (packetdrill config.c).
 */
class Ipv6OptionsTest {
    @TempDir Path dir;

    /** A passive open whose SYN,ACK announces MSS {@code MSS} (a -D definition) and a write of 2000 bytes. */
    static final String SCRIPT = """
        --ip_version=ipv4
        0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
        +0  setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
        +0  bind(3, ..., ...) = 0
        +0  listen(3, 1) = 0
        +0  < S 0:0(0) win 32792 <mss 1440,nop,wscale 7>
        +0  > S. 0:0(0) ack 1 <mss MSS,nop,wscale 6>
        +.1 < . 1:1(0) ack 1 win 257
        +0  accept(3, ..., ...) = 4
        """;

    record Run(int status, String out) {}

    Run run(String script, String... args) throws IOException {
        Path f = dir.resolve("t.pkt");
        Files.writeString(f, script);
        String[] all = new String[args.length + 1];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = f.toString();
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int status = Runner.main(all, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8));
    }

    @Test void theSameScriptRunsOverIpv6WithTheMssOfIpv6() throws IOException {
        Run v4 = run(SCRIPT, "-D", "MSS=1460");
        assertEquals(0, v4.status(), v4.out());
        // the command line's --ip_version overrides the script's; IPv6 over MTU 1500: MSS 1440 (RFC 8200 8.3)
        Run v6 = run(SCRIPT, "--ip_version=ipv6", "-D", "MSS=1440");
        assertEquals(0, v6.status(), v6.out());
        Run v6wrong = run(SCRIPT, "--ip_version", "ipv6", "-DMSS=1460");
        assertEquals(1, v6wrong.status(), v6wrong.out());
        assertTrue(v6wrong.out().contains("mss 1440"), v6wrong.out());
        // packetdrill's run_all.py runs IPv6 with --mtu=1520 so that scripts keep MSS 1460
        Run v6big = run(SCRIPT, "--ip_version=ipv6", "--mtu=1520", "-D", "MSS=1460");
        assertEquals(0, v6big.status(), v6big.out());
        Run mapped = run(SCRIPT, "--ip_version=ipv4-mapped-ipv6", "-D", "MSS=1460");
        assertEquals(0, mapped.status(), mapped.out());
    }

    @Test void definitionsAlsoDefineForIfdef() throws IOException {
        String script = """
            #ifdef V6
            --ip_version=ipv6
            #endif
            """ + SCRIPT.replace("--ip_version=ipv4\n", "").replace("MSS", "1440");
        assertEquals(1, run(script).status(), "IPv4 announces 1460");
        assertEquals(0, run(script, "-D", "V6=1").status());
    }

    @Test void addressesAreCheckedAgainstTheFamily() throws IOException {
        Run r = run(SCRIPT, "--ip_version=ipv6", "--local_ip=192.168.0.2", "-D", "MSS=1440");
        assertTrue(r.out().contains("SKIP") && r.out().contains("not an IPv6 address"), r.out());
        Run ok = run(SCRIPT, "--ip_version=ipv6", "--local_ip=fd3d:fa7b:d17d::0", "--remote_ip=2001:DB8::1", "-D", "MSS=1440");
        assertEquals(0, ok.status(), ok.out());
        Run bad = run(SCRIPT, "--ip_version=ipv5", "-D", "MSS=1460");
        assertEquals(2, bad.status(), "a usage error, before any script runs: " + bad.out());
        assertTrue(bad.out().contains("--ip_version wants ipv4, ipv6 or ipv4-mapped-ipv6, not 'ipv5'"), bad.out());
        Run badDefine = run(SCRIPT, "-D", "1X=2");
        assertEquals(2, badDefine.status(), badDefine.out());
    }

    @Test void icmpLinesAreIcmpv6OverIpv6() throws IOException {
        String script = SCRIPT.replace("MSS", "1440") + """
            +0  write(4, ..., 1000) = 1000
            +0  > P. 1:1001(1000) ack 1
            +0  < icmp unreachable frag_needed mtu 1280 [1:1001(1000)]
            """;
        Run r = run(script, "--ip_version=ipv6");
        assertTrue(r.out().contains("SKIP") && r.out().contains("icmpv6 unreachable code frag_needed"), r.out());
        String v6 = SCRIPT.replace("MSS", "1440") + """
            +0  write(4, ..., 1000) = 1000
            +0  > P. 1:1001(1000) ack 1
            +0  < icmp unreachable port_unreachable [1:1001(1000)]
            +0  < icmp packet_too_big mtu 1280 [1:1001(1000)]
            +.3 < . 1:1(0) ack 1001 win 257
            """;
        Run ok = run(v6, "--ip_version=ipv6", "--verbose");
        assertEquals(0, ok.status(), ok.out());
        assertTrue(ok.out().contains("< icmpv6 packet_too_big mtu 1280"), ok.out());
    }
}
