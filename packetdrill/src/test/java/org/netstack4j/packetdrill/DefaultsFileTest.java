package org.netstack4j.packetdrill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runner as the kernel selftests' harness: a {@code `./defaults.sh`} beside the script is
 * read (its sysctls are the suite's defaults), and a descriptor number the script reuses names
 * the new socket (packetdrill maps script descriptors to live ones).
 */
class DefaultsFileTest {
    /** A server that gets an ECN-setup SYN: with tcp_ecn=0 it must not answer with ECE. */
    private static final String SCRIPT = """
        `./defaults.sh`
            0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
           +0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
           +0 bind(3, ..., ...) = 0
           +0 listen(3, 1) = 0
           +0 < SEW 0:0(0) win 32792 <mss 1460,sackOK,nop,nop,nop,wscale 7>
           +0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8>
          +.1 < . 1:1(0) ack 1 win 257
           +0 accept(3, ..., ...) = 4
        """;

    private static ScriptResult run(Path dir, String text) {
        return new Interpreter(ScriptParser.parse(dir.resolve("t.pkt"), text, ScriptParser.DEFAULT_DEFINES),
            Profile.LINUX, EngineStack.FACTORY, 1, null).run();
    }

    @Test void theSysctlsOfADefaultsFileBesideTheScriptApply(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("defaults.sh"), """
            #!/bin/bash
            # Set standard production config values
            ip tcp_metrics flush all > /dev/null 2>&1
            sysctl -q net.ipv4.tcp_rmem="4096 540000 $((15*1024*1024))"
            sysctl -q net.ipv4.tcp_ecn=0
            sysctl -q net.ipv4.tcp_no_such_knob=1 > /dev/null 2>&1
            tc qdisc add dev tun0 root pfifo
            """);
        ScriptResult r = run(dir, SCRIPT);
        assertEquals(ScriptResult.Status.PASS, r.status(), r.oneLine() + "\n" + String.join("\n", r.log()));
        assertTrue(r.log().contains("note: defaults.sh: not modelled: net.ipv4.tcp_no_such_knob=1"), String.join("\n", r.log()));
    }

    @Test void withoutTheFileTheProfileDefaultAcceptsEcn(@TempDir Path dir) {
        // the Linux profile's own tcp_ecn is 2 (accept): the same SYN gets ECE, so the file is what changed it
        ScriptResult r = run(dir, SCRIPT);
        assertEquals(ScriptResult.Status.FAIL, r.status(), r.oneLine());
        assertTrue(r.message().contains("S.E"), r.oneLine());
    }

    @Test void aReusedDescriptorNumberNamesTheNewSocket(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("defaults.sh"), "sysctl -q net.ipv4.tcp_ecn=0\n");
        // the first accepted socket (4) is never closed; the second accept is scripted as 4 again
        String again = SCRIPT + """
           +0 close(3) = 0
           +0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
           +0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
           +0 bind(3, ..., ...) = 0
           +0 listen(3, 1) = 0
           +0 < S 1000:1000(0) win 32792 <mss 1460,sackOK,nop,nop,nop,wscale 7>
           +0 > S. 0:0(0) ack 1001 <mss 1460,nop,nop,sackOK,nop,wscale 8>
          +.1 < . 1:1(0) ack 1 win 257
           +0 accept(3, ..., ...) = 4
           +0 write(4, ..., 10) = 10
           +0 > P. 1:11(10) ack 1
        """;
        ScriptResult r = run(dir, again);
        assertEquals(ScriptResult.Status.PASS, r.status(), r.oneLine() + "\n" + String.join("\n", r.log()));
    }
}
