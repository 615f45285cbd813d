package org.netstack4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.netstack4j.socket.TcpServerSocket;
import org.netstack4j.socket.TcpSocket;
import org.netstack4j.tcp.TcpMd5Key;
import org.netstack4j.wire.Ipv4Address;

/**
 * TCP-MD5 (RFC 2385) against the Linux kernel over a real TUN: the kernel's sockets, in a
 * namespace the test creates, get their key with python3's setsockopt(IPPROTO_TCP,
 * TCP_MD5SIG=14, struct tcp_md5sig). Both directions connect and exchange data with the same
 * key, over IPv6 too (its pseudo-header as Linux's tcp_v6_md5_hash_headers); with a different
 * key neither handshake completes. Needs root, /dev/net/tun, ip and
 * python3; skips otherwise.
 */
class TunMd5InteropTest {
    private static final String KERNEL = "10.213.12.1", US = "10.213.12.2", KERNEL6 = "fd00:213:12::1", US6 = "fd00:213:12::2";
    private static final byte[] KEY = "interop-secret".getBytes(StandardCharsets.US_ASCII);

    /** struct tcp_md5sig for an IPv4 peer: sockaddr_storage (128), flags, prefixlen, keylen, ifindex, key[80]. */
    private static final String MD5SIG = String.join("\n",
            "import socket, struct, sys",
            "def md5sig(peer, key):",
            "    sa = struct.pack('=H', socket.AF_INET) + b'\\0\\0' + socket.inet_aton(peer)",
            "    sa += b'\\0' * (128 - len(sa))",
            "    return sa + struct.pack('=BBHi', 0, 0, len(key), 0) + key + b'\\0' * (80 - len(key))",
            "def md5sig6(peer, key):",
            "    sa = struct.pack('=H', socket.AF_INET6) + b'\\0' * 6 + socket.inet_pton(socket.AF_INET6, peer) + b'\\0' * 4",
            "    sa += b'\\0' * (128 - len(sa))",
            "    return sa + struct.pack('=BBHi', 0, 0, len(key), 0) + key + b'\\0' * (80 - len(key))");

    private String ns;
    private String python;
    private TunHost host;

    @BeforeEach void setUp() throws Exception {
        String why = LinuxNet.whyUnavailable();
        assumeTrue(why == null, "needs a real TUN: " + why);
        python = LinuxNet.findOnPath("python3");
        assumeTrue(python != null, "needs python3 (scripts/install-deps.sh)");
        long pid = ProcessHandle.current().pid();
        ns = "nsj-md5-" + pid;
        LinuxNet.netnsAdd(ns);
        LinuxNet.linkUp(ns, "lo");
        host = TunHost.builder("nsjm" + pid % 100000).address(US + "/24").hostAddress(KERNEL + "/24")
                .address(US6 + "/64").hostAddress(KERNEL6 + "/64").netns(ns).seed(12)
                .offload(false).open();
    }

    @AfterEach void tearDown() {
        if (host != null) host.close();
        if (ns != null) LinuxNet.netnsDeleteQuietly(ns);
    }

    private Process kernel(String script) throws IOException {
        return new ProcessBuilder(LinuxNet.ipCommand(), "netns", "exec", ns, python, "-c", MD5SIG + "\n" + script)
                .redirectErrorStream(true).start();
    }

    private static String finish(Process p) throws Exception {
        boolean done = p.waitFor(60, TimeUnit.SECONDS);
        if (!done) p.destroyForcibly();
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    }

    private static String kernelClient(byte[] key) {
        return kernelClient("socket.socket()", "md5sig", US, key);
    }

    /** A kernel TCP client signing with {@code key} (TCP_MD5SIG = 14) that sends 100 KiB to {@code addr}:7 and checks the echo. */
    private static String kernelClient(String newSocket, String md5sig, String addr, byte[] key) {
        return String.join("\n",
                "s = " + newSocket,
                "s.setsockopt(socket.IPPROTO_TCP, 14, " + md5sig + "('" + addr + "', " + pyBytes(key) + "))",
                "s.settimeout(5)",
                "try:",
                "    s.connect(('" + addr + "', 7))",
                "except OSError as e:",
                "    print('connect failed: %s' % e); sys.exit(0)",
                "data = bytes(range(256)) * 400",
                "s.sendall(data); s.shutdown(socket.SHUT_WR)",
                "got = bytearray()",
                "while True:",
                "    b = s.recv(65536)",
                "    if not b: break",
                "    got += b",
                "print('intact' if got == data else 'DIFFERENT %d' % len(got))");
    }

    private static String pyBytes(byte[] b) { return "b'" + new String(b, StandardCharsets.US_ASCII) + "'"; }

    @Test void aKernelClientWithTheKeyTalksToOurListener() throws Exception {
        try (TcpServerSocket server = new TcpServerSocket(host.net(), 7, 16)) {
            server.setMd5Key(new TcpMd5Key(Ipv4Address.parse("10.213.12.0"), 24, 0, KEY));
            Thread echo = EchoOnce.start(server, "md5-echo");
            String out = finish(kernel(kernelClient(KEY)));
            echo.join(10_000);
            assertEquals("intact", out, "kernel client; failures " + host.host().counters().get("tcp.drop.md5_failure"));
            assertEquals(0, host.host().counters().get("tcp.drop.md5_failure"));
            assertEquals(0, host.host().counters().get("tcp.drop.md5_not_found"));
        }
    }

    @Test void overIpv6TooTheKernelClientWithTheKeyTalksToOurListener() throws Exception {
        try (TcpServerSocket server = new TcpServerSocket(host.net(), 7, 16)) {
            server.setMd5Key(TcpMd5Key.of(org.netstack4j.wire.Ipv6Address.parse(KERNEL6), KEY));
            Thread echo = EchoOnce.start(server, "md5-echo");
            String out = finish(kernel(kernelClient("socket.socket(socket.AF_INET6)", "md5sig6", US6, KEY)));
            echo.join(10_000);
            assertEquals("intact", out, "kernel client over IPv6; failures " + host.host().counters().get("tcp.drop.md5_failure"));
            assertEquals(0, host.host().counters().get("tcp.drop.md5_failure"));
        }
    }

    @Test void aKernelClientWithAnotherKeyIsNotAnswered() throws Exception {
        try (TcpServerSocket server = new TcpServerSocket(host.net(), 7, 16)) {
            server.setMd5Key(TcpMd5Key.of(Ipv4Address.parse(KERNEL), KEY));
            String out = finish(kernel(kernelClient("not-the-secret".getBytes(StandardCharsets.US_ASCII))));
            assertTrue(out.startsWith("connect failed"), out);
            assertTrue(host.host().counters().get("tcp.drop.md5_failure") > 0, "its SYNs were dropped as wrongly signed");
        }
    }

    private Process kernelServer(byte[] key) throws IOException {
        return kernel(String.join("\n",
                "l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)",
                "l.setsockopt(socket.IPPROTO_TCP, 14, md5sig('" + US + "', " + pyBytes(key) + "))",
                "l.bind(('" + KERNEL + "', 8)); l.listen(1); l.settimeout(8)",
                "print('ready', flush=True)",
                "try:",
                "    c, _ = l.accept()",
                "except OSError as e:",
                "    print('accept failed: %s' % e); sys.exit(0)",
                "c.settimeout(10)",
                "while True:",
                "    b = c.recv(65536)",
                "    if not b: break",
                "    c.sendall(b)",
                "c.close(); print('served', flush=True)"));
    }

    private static BufferedReader awaitReady(Process p) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("ready", r.readLine(), "the kernel server started");
        return r;
    }

    private static String finish(Process p, BufferedReader r) throws Exception {
        boolean done = p.waitFor(60, TimeUnit.SECONDS);
        if (!done) p.destroyForcibly();
        StringBuilder b = new StringBuilder();
        for (String line; (line = r.readLine()) != null; ) b.append(line).append('\n');
        return b.toString().strip();
    }

    @Test void ourClientWithTheKeyTalksToAKernelListener() throws Exception {
        Process p = kernelServer(KEY);
        BufferedReader r = awaitReady(p);
        byte[] data = new byte[100_000];
        for (int i = 0; i < data.length; i++) data[i] = (byte) (i * 7);
        try (TcpSocket s = new TcpSocket(host.net())) {
            s.setMd5Key(TcpMd5Key.of(Ipv4Address.parse(KERNEL), KEY));
            s.connect(Ipv4Address.parse(KERNEL), 8, 5000);
            Thread w = Thread.ofPlatform().start(() -> {
                try {
                    s.getOutputStream().write(data);
                    s.shutdownOutput();
                } catch (IOException e) {
                    System.err.println("[md5] write: " + e);
                }
            });
            byte[] got = s.getInputStream().readAllBytes();
            w.join(10_000);
            assertEquals(data.length, got.length);
            assertTrue(java.util.Arrays.equals(data, got), "echoed intact");
        }
        assertTrue(finish(p, r).contains("served"));
    }

    @Test void ourClientWithAnotherKeyCannotConnect() throws Exception {
        Process p = kernelServer(KEY);
        BufferedReader r = awaitReady(p);
        try (TcpSocket s = new TcpSocket(host.net())) {
            s.setMd5Key(TcpMd5Key.of(Ipv4Address.parse(KERNEL), "not-the-secret".getBytes(StandardCharsets.US_ASCII)));
            assertThrows(IOException.class, () -> s.connect(Ipv4Address.parse(KERNEL), 8, 3000));
        }
        assertTrue(finish(p, r).contains("accept failed"));
    }
}
