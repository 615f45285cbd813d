package org.netstack4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.netstack4j.linux.LinuxNet;

/**
 * {@code netstack4j gateway} as a user runs it, in its own JVM, in namespaces the test creates:
 * a client namespace C whose only route is the gateway's TUN (10.9.0.2 via 10.9.0.1), a server
 * namespace S reached from the root namespace over a veth (10.77.0.2, python3 -m http.server and
 * a UDP echo), and the gateway in the root namespace relaying through microsocks (SOCKS5) or
 * directly. curl in C downloads a file intact, a closed upstream port is refused at once, UDP
 * and ping work, and SIGTERM (as Ctrl-C) prints the counters.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GatewayInteropTest {
    final long pid = ProcessHandle.current().pid() % 10000;
    final String nsC = "nsj-gw-c-" + pid, nsS = "nsj-gw-s-" + pid, tun = "nsjgw" + pid, veth = "nsjgv" + pid;
    final List<Process> processes = new ArrayList<>();

    @AfterEach void cleanUp() throws Exception {
        for (Process p : processes) p.destroyForcibly().waitFor();
        LinuxNet.exec(List.of("ip", "netns", "del", nsC));
        LinuxNet.exec(List.of("ip", "netns", "del", nsS));
        LinuxNet.exec(List.of("ip", "link", "del", veth));
    }

    static String sh(String... cmd) throws Exception { return LinuxNet.run(List.of(cmd)); }

    Process start(ProcessBuilder b) throws Exception {
        Process p = b.start();
        processes.add(p);
        return p;
    }

    /** Namespaces, the veth to S, the web server and UDP echo in S, the file; returns its sha256. */
    String setUp(Path dir) throws Exception {
        String why = LinuxNet.whyUnavailable();
        assumeTrue(why == null, "needs root and /dev/net/tun: " + why);
        assumeTrue(LinuxNet.findOnPath("curl") != null && LinuxNet.findOnPath("python3") != null,
                "needs curl and python3 (scripts/install-deps.sh)");
        for (String ns : List.of(nsC, nsS)) {
            LinuxNet.exec(List.of("ip", "netns", "del", ns));
            sh("ip", "netns", "add", ns);
            sh("ip", "-n", ns, "link", "set", "lo", "up");
        }
        LinuxNet.exec(List.of("ip", "link", "del", veth));
        sh("ip", "link", "add", veth, "type", "veth", "peer", "name", veth + "s");
        sh("ip", "link", "set", veth + "s", "netns", nsS);
        sh("ip", "addr", "add", "10.77.0.1/24", "dev", veth);
        sh("ip", "link", "set", veth, "up");
        sh("ip", "-n", nsS, "addr", "add", "10.77.0.2/24", "dev", veth + "s");
        sh("ip", "-n", nsS, "link", "set", veth + "s", "up");
        Path file = dir.resolve("data.bin");
        byte[] data = new byte[20 << 20];
        new java.util.SplittableRandom(14).nextBytes(data);
        Files.write(file, data);
        start(new ProcessBuilder("ip", "netns", "exec", nsS, "python3", "-m", "http.server", "8000", "--bind", "10.77.0.2")
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("http.log").toFile()));
        Path echo = dir.resolve("echo.py");
        Files.writeString(echo, """
                import socket
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                s.bind(("10.77.0.2", 9999))
                while True:
                    d, a = s.recvfrom(65535)
                    s.sendto(b"echo:" + d, a)
                """);
        start(new ProcessBuilder("ip", "netns", "exec", nsS, "python3", echo.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("echo.log").toFile()));
        boolean up = false;
        for (int i = 0; i < 100 && !up; i++) {
            up = LinuxNet.exec(List.of("curl", "-s", "-o", "/dev/null", "http://10.77.0.2:8000/")).exitCode() == 0;
            if (!up) Thread.sleep(100);
        }
        assumeTrue(up, "python3 -m http.server did not start in namespace S");
        return sh("sha256sum", file.toString()).split(" ")[0];
    }

    /** Starts the gateway; returns its output reader after the "Ctrl-C" line. */
    BufferedReader gateway(List<String> lines, String... upstream) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), "org.netstack4j.cli.Main", "gateway",
                "--tun", tun + "=10.9.0.1/24", "--netns", nsC, "--peer", "10.9.0.2/24", "--connect-timeout", "3000"));
        cmd.addAll(List.of(upstream));
        Process gw = start(new ProcessBuilder(cmd).redirectErrorStream(true));
        BufferedReader out = new BufferedReader(new InputStreamReader(gw.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null && !line.contains("Ctrl-C")) lines.add(line);
        assertTrue(line != null, "gateway started: " + lines);
        return out;
    }

    String stop(BufferedReader out) throws Exception {
        Process gw = processes.get(processes.size() - 1);
        sh("kill", "-TERM", Long.toString(gw.pid()));
        StringBuilder rest = new StringBuilder();
        String line;
        while ((line = out.readLine()) != null) rest.append(line).append('\n');
        assertTrue(gw.waitFor(20, TimeUnit.SECONDS));
        return rest.toString();
    }

    void curlIntactAndClosedPortRefused(String sha) throws Exception {
        String sum = sh("ip", "netns", "exec", nsC, "sh", "-c", "curl -sS --max-time 60 http://10.77.0.2:8000/data.bin | sha256sum").split(" ")[0];
        assertEquals(sha, sum, "20 MB intact through netstack4j gateway");
        long t0 = System.nanoTime();
        var refused = LinuxNet.exec(List.of("ip", "netns", "exec", nsC, "curl", "-sS", "--max-time", "10", "http://10.77.0.2:8001/"));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(7, refused.exitCode(), "curl: couldn't connect: " + refused);
        assertTrue(refused.toString().contains("refused") || refused.toString().contains("Couldn't connect"), refused.toString());
        assertTrue(ms < 3000, "refused at once, not after a timeout: " + ms + " ms");
    }

    @Test void throughSocks5(@TempDir Path dir) throws Exception {
        String microsocks = LinuxNet.findOnPath("microsocks");
        assumeTrue(microsocks != null, "needs microsocks (scripts/install-deps.sh)");
        String sha = setUp(dir);
        int port = 20000 + (int) pid;
        start(new ProcessBuilder(microsocks, "-i", "127.0.0.1", "-p", Integer.toString(port)).redirectErrorStream(true)
                .redirectOutput(dir.resolve("socks.log").toFile()));
        Thread.sleep(200);
        List<String> lines = new ArrayList<>();
        BufferedReader out = gateway(lines, "--socks5", "127.0.0.1:" + port);
        curlIntactAndClosedPortRefused(sha);
        String http = Files.readString(dir.resolve("http.log"));
        assertTrue(http.contains("10.77.0.1 - - ") && http.contains("GET /data.bin"), "the server saw the gateway host's address: " + http);
        String rest = stop(out);
        // the file and python's response headers
        assertTrue(rest.matches("(?s).*via socks5 127\\.0\\.0\\.1:" + port + ": \\d+ B up, 209\\d{5} B down.*"), "one log line per flow: " + rest);
        assertTrue(rest.contains("refused (reset): SOCKS5: Connection refused") || rest.contains("refused (reset)"), rest);
        assertTrue(rest.matches("(?s).*tcp\\.intercept\\.accepted\\s+\\d+.*"), "counters: " + rest);
    }

    @Test void directWithUdpAndPing(@TempDir Path dir) throws Exception {
        String sha = setUp(dir);
        List<String> lines = new ArrayList<>();
        BufferedReader out = gateway(lines, "--direct");
        curlIntactAndClosedPortRefused(sha);
        String udp = sh("ip", "netns", "exec", nsC, "python3", "-c", """
                import socket
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                s.settimeout(5)
                s.sendto(b"hello", ("10.77.0.2", 9999))
                d, a = s.recvfrom(100)
                print(d.decode(), a[0], a[1])
                """).strip();
        assertEquals("echo:hello 10.77.0.2 9999", udp, "the UDP reply comes from the original destination");
        if (LinuxNet.findOnPath("ping") != null) {
            var ping = LinuxNet.exec(List.of("ip", "netns", "exec", nsC, "ping", "-c", "1", "-W", "2", "198.51.100.7"));
            assertEquals(0, ping.exitCode(), "echo to any address answered by the gateway: " + ping);
        }
        String rest = stop(out);
        assertTrue(rest.matches("(?s).*via direct: \\d+ B up, 209\\d{5} B down.*"), "one log line per flow: " + rest);
        assertTrue(rest.matches("(?s).*udp\\.intercept\\.sessions\\s+1\\b.*"), "counters: " + rest);
    }
}
