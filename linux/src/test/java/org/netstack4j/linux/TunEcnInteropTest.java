package org.netstack4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.netstack4j.device.FaultConfig;
import org.netstack4j.socket.TcpServerSocket;
import org.netstack4j.trace.Counters;

/**
 * Classic ECN (RFC 3168) against the Linux kernel over a real TUN: a kernel client in a namespace
 * the test creates, with net.ipv4.tcp_ecn=1, sends 2 MB to netstack4j's echo server and reads
 * them back. netstack4j (default: accept ECN) agrees to the kernel's ECN-setup SYN; a fault
 * injector in front of the TUN marks 5% of the ECN-capable packets CE in both directions, as a
 * congested ECN router would. Both stacks must then see each other's marks: netstack4j echoes
 * the kernel's CE marks with ECE and the kernel answers with CWR; the kernel echoes ours and
 * netstack4j reduces its window. Needs root, /dev/net/tun, ip and python3; skips otherwise.
 */
class TunEcnInteropTest {
    private static final String KERNEL = "10.213.11.1", US = "10.213.11.2";
    private static final int BYTES = 2_000_000;

    @Test
    void theKernelAndNetstack4jAgreeOnEcnAndAnswerEachOthersCeMarks() throws Exception {
        String why = LinuxNet.whyUnavailable();
        assumeTrue(why == null, "needs a real TUN: " + why);
        String python = LinuxNet.findOnPath("python3");
        assumeTrue(python != null, "needs python3 (scripts/install-deps.sh)");
        long pid = ProcessHandle.current().pid();
        String ns = "nsj-ecn-" + pid;
        TunHost host = null;
        TcpServerSocket server = null;
        try {
            LinuxNet.netnsAdd(ns);
            LinuxNet.linkUp(ns, "lo");
            LinuxNet.run(LinuxNet.ipCommand(), "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv4.tcp_ecn=1");
            host = TunHost.builder("nsje" + pid % 100000).address(US + "/24").hostAddress(KERNEL + "/24").netns(ns).seed(11)
                    // MTU-sized packets both ways, as a middlebox marks them: with GRO the kernel's data came as
                    // a few dozen super-packets, and 5% marking left it unmarked in about one run of five
                    .offload(false).open();
            TunHost h = host;
            host.loop().run(() -> h.faults().setConfig(FaultConfig.builder().ceMark(0.05).bothDirections(true).queueLimit(0).build()));
            server = new TcpServerSocket(host.net(), 7, 16);
            Thread echo = EchoOnce.start(server, "ecn-echo");
            String client = String.join("\n",
                    "import socket, hashlib, os, threading",
                    "data = os.urandom(" + BYTES + ")",
                    "s = socket.create_connection(('" + US + "', 7), timeout=60)",
                    "def send():",
                    "    s.sendall(data)",
                    "    s.shutdown(socket.SHUT_WR)",
                    "t = threading.Thread(target=send); t.start()",
                    "got = bytearray()",
                    "while True:",
                    "    b = s.recv(65536)",
                    "    if not b: break",
                    "    got += b",
                    "t.join()",
                    "print('intact' if hashlib.sha256(got).digest() == hashlib.sha256(data).digest() else 'DIFFERENT %d' % len(got))");
            Process p = new ProcessBuilder(LinuxNet.ipCommand(), "netns", "exec", ns, python, "-c", client).redirectErrorStream(true).start();
            boolean done = p.waitFor(120, TimeUnit.SECONDS);
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!done) p.destroyForcibly();
            echo.join(10_000);
            Counters c = host.host().counters();
            String counters = "negotiated " + c.get("tcp.ecn.negotiated") + ", CE in " + c.get("tcp.ecn.in_ce") + ", CWR in "
                    + c.get("tcp.ecn.in_cwr") + ", ECT out " + c.get("tcp.ecn.out_ect") + ", reductions " + c.get("tcp.ecn.cwnd_reductions")
                    + ", CWR out " + c.get("tcp.ecn.out_cwr") + ", CE marked by the fault injector " + h.faults().ceMarked();
            System.out.println("[ecn] kernel client: " + out + "; netstack4j: " + counters);
            assertTrue(done, "the kernel client finished: " + out);
            assertEquals("intact", out, counters);
            assertEquals(1, c.get("tcp.ecn.negotiated"), "the kernel's ECN-setup SYN was agreed: " + counters);
            assertTrue(c.get("tcp.ecn.in_ce") > 0, "the kernel's data was ECN-capable and some was marked: " + counters);
            assertTrue(c.get("tcp.ecn.in_cwr") > 0, "the kernel reduced on our ECE and said so with CWR: " + counters);
            assertTrue(c.get("tcp.ecn.out_ect") > 0, "our data went out ECT(0): " + counters);
            assertTrue(c.get("tcp.ecn.cwnd_reductions") > 0, "the kernel echoed the marks on our data and we reduced: " + counters);
            assertTrue(c.get("tcp.ecn.out_cwr") > 0, counters);
        } finally {
            if (server != null) server.close();
            if (host != null) host.close();
            LinuxNet.netnsDeleteQuietly(ns);
        }
    }
}
