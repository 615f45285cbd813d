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
    Process gateway;

    @AfterEach void cleanUp() throws Exception {
        for (Process p : processes) p.destroyForcibly().waitFor();
        LinuxNet.exec(List.of("ip", "netns", "del", nsC));
        LinuxNet.exec(List.of("ip", "netns", "del", nsS));
        LinuxNet.exec(List.of("ip", "link", "del", veth));
    }

    /**
     * A run killed before its clean-up leaves its veth holding 10.77.0.1 in this namespace, and
     * then S's replies would leave through it: the leftover of any earlier run is removed, so the
     * test fails only for what it tests.
     */
    static void dropStaleVeths() throws Exception {
        for (String line : sh("ip", "-o", "-4", "addr", "show", "to", "10.77.0.0/24").split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 1 && f[1].startsWith("nsjgv")) LinuxNet.exec(List.of("ip", "link", "del", f[1].split("@")[0]));
        }
    }

    static String sh(String... cmd) throws Exception { return LinuxNet.run(List.of(cmd)); }

    Process start(ProcessBuilder b) throws Exception {
        Process p = b.start();
        processes.add(p);
        return p;
    }

    /** Namespaces, the veth to S, the web server and UDP echo in S, the file; returns its sha256. */
    String setUp(Path dir) throws Exception { return setUp(dir, true); }

    /** {@link #setUp(Path)}; without {@code ipv4}, S gets no IPv4 address, web server or echo (an IPv6-only run). */
    String setUp(Path dir, boolean ipv4) throws Exception {
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
        dropStaleVeths();
        sh("ip", "link", "add", veth, "type", "veth", "peer", "name", veth + "s");
        sh("ip", "link", "set", veth + "s", "netns", nsS);
        if (ipv4) sh("ip", "addr", "add", "10.77.0.1/24", "dev", veth);
        sh("ip", "link", "set", veth, "up");
        if (ipv4) sh("ip", "-n", nsS, "addr", "add", "10.77.0.2/24", "dev", veth + "s");
        sh("ip", "-n", nsS, "link", "set", veth + "s", "up");
        Path file = dir.resolve("data.bin");
        byte[] data = new byte[20 << 20];
        new java.util.SplittableRandom(14).nextBytes(data);
        Files.write(file, data);
        if (!ipv4) return sh("sha256sum", file.toString()).split(" ")[0];
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
        boolean up = serving("http://10.77.0.2:8000/");
        assertTrue(up, "python3 -m http.server did not start in namespace S: " + Files.readString(dir.resolve("http.log")));
        return sh("sha256sum", file.toString()).split(" ")[0];
    }

    /** fd00:77::1 here and fd00:77::2 in S on the veth, the web server and a UDP echo ("echo6:") there. */
    void serveIpv6InS(Path dir) throws Exception {
        sh("ip", "-6", "addr", "add", "fd00:77::1/64", "dev", veth, "nodad");
        sh("ip", "-n", nsS, "-6", "addr", "add", "fd00:77::2/64", "dev", veth + "s", "nodad");
        start(new ProcessBuilder("ip", "netns", "exec", nsS, "python3", "-m", "http.server", "8000", "--bind", "fd00:77::2")
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("http6.log").toFile()));
        start(new ProcessBuilder("ip", "netns", "exec", nsS, "python3", "-c", """
                import socket
                s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
                s.bind(("fd00:77::2", 9999))
                while True:
                    d, a = s.recvfrom(65535)
                    s.sendto(b"echo6:" + d, a)
                """).redirectErrorStream(true).redirectOutput(dir.resolve("echo6.log").toFile()));
        assertTrue(serving("http://[fd00:77::2]:8000/"), "python3 -m http.server did not start on fd00:77::2");
    }

    /** Starts the gateway; returns its output reader after the "Ctrl-C" line. */
    BufferedReader gateway(List<String> lines, String... upstream) throws Exception {
        return gatewayOn("10.9.0.1/24", "10.9.0.2/24", lines, upstream);
    }

    /** {@link #gateway} with netstack4j's --tun address and the peer's given (IPv6 ones: an IPv6-only gateway). */
    BufferedReader gatewayOn(String address, String peer, List<String> lines, String... upstream) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), "org.netstack4j.cli.Main", "gateway",
                "--tun", tun + "=" + address, "--netns", nsC, "--peer", peer, "--connect-timeout", "3000"));
        cmd.addAll(List.of(upstream));
        Process gw = start(new ProcessBuilder(cmd).redirectErrorStream(true));
        gateway = gw;
        BufferedReader out = new BufferedReader(new InputStreamReader(gw.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null && !line.contains("Ctrl-C")) lines.add(line);
        assertTrue(line != null, "gateway started: " + lines);
        return out;
    }

    /** One datagram "hello" from C to HOST:9999; the reply, its source address and port. */
    String udpEcho(String family, String host) throws Exception {
        return sh("ip", "netns", "exec", nsC, "python3", "-c", """
                import socket
                s = socket.socket(socket.%s, socket.SOCK_DGRAM)
                s.settimeout(5)
                s.sendto(b"hello", ("%s", 9999))
                d, a = s.recvfrom(100)
                print(d.decode(), a[0], a[1])
                """.formatted(family, host)).strip();
    }

    /** Whether curl from the root namespace gets {@code url} within 10 s (a server starting up). */
    static boolean serving(String url) throws Exception {
        for (int i = 0; i < 100; i++) {
            if (LinuxNet.exec(List.of("curl", "-s", "-g", "-o", "/dev/null", url)).exitCode() == 0) return true;
            Thread.sleep(100);
        }
        return false;
    }

    String stop(BufferedReader out) throws Exception {
        Process gw = gateway;
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

    /**
     * dante (danted) as the SOCKS5 server: TCP through CONNECT, and UDP through UDP ASSOCIATE
     * (RFC 1928 7), which microsocks lacks. The UDP echo in S sees dante's external address, the
     * reply comes back to the client from the original destination, and dante logged the
     * association.
     */
    @Test void throughDanteWithUdpAssociate(@TempDir Path dir) throws Exception {
        String danted = LinuxNet.findOnPath("danted");
        if (danted == null && Files.isExecutable(Path.of("/usr/sbin/danted"))) danted = "/usr/sbin/danted";
        assumeTrue(danted != null, "needs danted (dante-server; scripts/install-deps.sh)");
        String sha = setUp(dir);
        int port = 21000 + (int) pid;
        Path conf = dir.resolve("danted.conf");
        Files.writeString(conf, """
                logoutput: %s
                internal: 127.0.0.1 port = %d
                external: 10.77.0.1
                clientmethod: none
                socksmethod: none
                user.privileged: root
                user.unprivileged: nobody
                client pass { from: 127.0.0.0/8 to: 0.0.0.0/0 }
                socks pass {
                  from: 0.0.0.0/0 to: 0.0.0.0/0
                  command: connect udpassociate udpreply
                  log: connect disconnect
                }
                """.formatted(dir.resolve("danted.log"), port));
        start(new ProcessBuilder(danted, "-f", conf.toString(), "-N", "1", "-p", dir.resolve("danted.pid").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("danted.out").toFile()));
        boolean up = false;
        for (int i = 0; i < 50 && !up; i++) {
            try (java.net.Socket probe = new java.net.Socket("127.0.0.1", port)) {
                up = true;
            } catch (java.io.IOException notYet) {
                Thread.sleep(100);
            }
        }
        assertTrue(up, "danted listening: " + Files.readString(dir.resolve("danted.out")));
        List<String> lines = new ArrayList<>();
        BufferedReader out = gateway(lines, "--socks5", "127.0.0.1:" + port);
        curlIntactAndClosedPortRefused(sha);
        String udp = sh("ip", "netns", "exec", nsC, "python3", "-c", """
                import socket
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                s.settimeout(5)
                for i in range(3):
                    s.sendto(b"hello%d" % i, ("10.77.0.2", 9999))
                    d, a = s.recvfrom(100)
                    print(d.decode(), a[0], a[1])
                """).strip();
        assertEquals("echo:hello0 10.77.0.2 9999\necho:hello1 10.77.0.2 9999\necho:hello2 10.77.0.2 9999", udp,
                "UDP relayed through dante's UDP ASSOCIATE, replies from the original destination");
        String rest = stop(out);
        assertTrue(rest.matches("(?s).*udp 10\\.9\\.0\\.2:\\d+ via socks5 127\\.0\\.0\\.1:" + port + ": 3 datagrams up, 3 down.*"),
                "the UDP session's log line: " + rest);
        assertTrue(rest.matches("(?s).*via socks5 127\\.0\\.0\\.1:" + port + ": \\d+ B up, 209\\d{5} B down.*"), rest);
        String log = Files.readString(dir.resolve("danted.log"));
        assertTrue(log.contains("udpassociate"), "dante saw the UDP ASSOCIATE: " + log);
    }

    @Test void directWithUdpAndPing(@TempDir Path dir) throws Exception {
        String sha = setUp(dir);
        List<String> lines = new ArrayList<>();
        BufferedReader out = gateway(lines, "--direct", "--loop-relay"); // the loop relay (LoopRelay); the other direct cases use the threads
        curlIntactAndClosedPortRefused(sha);
        String udp = udpEcho("AF_INET", "10.77.0.2");
        assertEquals("echo:hello 10.77.0.2 9999", udp, "the UDP reply comes from the original destination");
        if (LinuxNet.findOnPath("ping") != null) {
            var ping = LinuxNet.exec(List.of("ip", "netns", "exec", nsC, "ping", "-c", "1", "-W", "2", "198.51.100.7"));
            assertEquals(0, ping.exitCode(), "echo to any address answered by the gateway: " + ping);
        }
        String rest = stop(out);
        assertTrue(rest.matches("(?s).*via direct: \\d+ B up, 209\\d{5} B down.*"), "one log line per flow: " + rest);
        assertTrue(rest.matches("(?s).*udp\\.intercept\\.sessions\\s+1\\b.*"), "counters: " + rest);
    }

    /**
     * The gateway over IPv6 (--address, --peer per family): C's IPv6 default route is the TUN,
     * S has fd00:77::2 on the veth; curl -6 through the gateway (direct) downloads the file
     * intact, a closed port is refused at once, a UDP echo over IPv6 comes back from the
     * original destination, and the server saw the gateway host's IPv6 address.
     */
    @Test void overIpv6Direct(@TempDir Path dir) throws Exception {
        String sha = setUp(dir);
        serveIpv6InS(dir);
        List<String> lines = new ArrayList<>();
        BufferedReader out = gateway(lines, "--address", "fd00:9::1/64", "--peer", "fd00:9::2/64", "--direct", "--loop-relay");
        String sum = sh("ip", "netns", "exec", nsC, "sh", "-c", "curl -6 -g -sS --max-time 60 'http://[fd00:77::2]:8000/data.bin' | sha256sum").split(" ")[0];
        assertEquals(sha, sum, "20 MB intact through the gateway over IPv6");
        long t0 = System.nanoTime();
        var refused = LinuxNet.exec(List.of("ip", "netns", "exec", nsC, "curl", "-6", "-g", "-sS", "--max-time", "10", "http://[fd00:77::2]:8001/"));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(7, refused.exitCode(), "curl: couldn't connect: " + refused);
        assertTrue(ms < 3000, "refused at once over IPv6: " + ms + " ms");
        String udp = udpEcho("AF_INET6", "fd00:77::2");
        assertEquals("echo6:hello fd00:77::2 9999", udp, "UDP over IPv6 through the gateway");
        String http = Files.readString(dir.resolve("http6.log"));
        assertTrue(http.contains("fd00:77::1 - - ") && http.contains("GET /data.bin"), "the server saw the gateway host's IPv6 address: " + http);
        String rest = stop(out);
        assertTrue(rest.matches("(?s).*tcp fd00:9::2.*via direct: \\d+ B up, 209\\d{5} B down.*"), "the IPv6 flow's log line: " + rest);
    }

    /**
     * An IPv6-only gateway (issue 13): --tun NAME=fd00:9::1/64 and an IPv6 peer, no IPv4 address on
     * either side of the TUN; curl -6 through it (direct) downloads the file intact and a UDP
     * echo over IPv6 comes back from the original destination.
     */
    @Test void ipv6OnlyGatewayDirect(@TempDir Path dir) throws Exception {
        String sha = setUp(dir, false);
        serveIpv6InS(dir);
        List<String> lines = new ArrayList<>();
        BufferedReader out = gatewayOn("fd00:9::1/64", "fd00:9::2/64", lines, "--direct");
        assertTrue(String.join("\n", lines).contains("netstack4j fd00:9::1/64 on " + tun), "an IPv6-only TUN: " + lines);
        String v4 = sh("ip", "-n", nsC, "-4", "-o", "addr", "show", "dev", tun);
        assertEquals("", v4.strip(), "no IPv4 address on the kernel's side of the TUN");
        String sum = sh("ip", "netns", "exec", nsC, "sh", "-c", "curl -6 -g -sS --max-time 60 'http://[fd00:77::2]:8000/data.bin' | sha256sum").split(" ")[0];
        assertEquals(sha, sum, "20 MB intact through the IPv6-only gateway");
        assertEquals("echo6:hello fd00:77::2 9999", udpEcho("AF_INET6", "fd00:77::2"), "UDP over IPv6 through the IPv6-only gateway");
        String rest = stop(out);
        assertTrue(rest.matches("(?s).*tcp fd00:9::2.*via direct: \\d+ B up, 209\\d{5} B down.*"), "the IPv6 flow's log line: " + rest);
    }

    /**
     * nginx in S reached through the gateway (direct): 100 concurrent curls from C, every body
     * intact; then iperf3 TCP through the gateway (the throughput is printed, not judged: the
     * bench module's rows compare it).
     */
    @Test void nginxHundredConcurrentCurlsAndIperf3(@TempDir Path dir) throws Exception {
        String nginx = LinuxNet.findOnPath("nginx");
        if (nginx == null && Files.isExecutable(Path.of("/usr/sbin/nginx"))) nginx = "/usr/sbin/nginx";
        assumeTrue(nginx != null, "needs nginx (nginx-light; scripts/install-deps.sh)");
        setUp(dir);
        Path www = Files.createDirectories(dir.resolve("www"));
        byte[] page = new byte[256 << 10];
        new java.util.SplittableRandom(100).nextBytes(page);
        Files.write(www.resolve("page.bin"), page);
        String sha = sh("sha256sum", www.resolve("page.bin").toString()).split(" ")[0];
        Path conf = dir.resolve("nginx.conf");
        Files.writeString(conf, """
                daemon off;
                master_process off;
                worker_processes 1;
                user root;
                pid %1$s/nginx.pid;
                error_log %1$s/nginx-error.log;
                events { worker_connections 1024; }
                http {
                  access_log %1$s/nginx-access.log;
                  client_body_temp_path %1$s;
                  proxy_temp_path %1$s;
                  fastcgi_temp_path %1$s;
                  server { listen 10.77.0.2:8080; root %2$s; }
                }
                """.formatted(dir, www));
        start(new ProcessBuilder("ip", "netns", "exec", nsS, nginx, "-c", conf.toString(), "-p", dir.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile()));
        boolean up = serving("http://10.77.0.2:8080/page.bin");
        assertTrue(up, "nginx started: " + Files.readString(dir.resolve("nginx.out")));
        List<String> lines = new ArrayList<>();
        BufferedReader out = gateway(lines, "--direct", "--quiet");
        long probes = Files.readString(dir.resolve("nginx-access.log")).lines().count(); // the start-up probes, not through the gateway
        Path sums = dir.resolve("sums");
        Files.createDirectories(sums);
        String many = sh("ip", "netns", "exec", nsC, "sh", "-c",
                "for i in $(seq 100); do (curl -sS --max-time 60 http://10.77.0.2:8080/page.bin | sha256sum > " + sums + "/$i) & done; wait; "
                        + "cat " + sums + "/* | sort | uniq -c");
        assertEquals("100 " + sha + " -", many.strip().replaceAll("\\s+", " "), "100 concurrent downloads, all intact");
        String access = Files.readString(dir.resolve("nginx-access.log"));
        assertEquals(100, access.lines().skip(probes).filter(l -> l.startsWith("10.77.0.1 ") && l.contains("\"GET /page.bin HTTP/1.1\" 200 " + page.length)).count(),
                "nginx served 100 full responses to the gateway host: " + access.lines().limit(3).toList());
        if (LinuxNet.findOnPath("iperf3") != null) {
            start(new ProcessBuilder("ip", "netns", "exec", nsS, "iperf3", "-s", "-1", "-B", "10.77.0.2", "-p", "5201")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("iperf3-server.log").toFile()));
            String json = "";
            for (int i = 0; i < 50 && !json.contains("\"sum_received\""); i++) {
                var r = LinuxNet.exec(List.of("ip", "netns", "exec", nsC, "iperf3", "-c", "10.77.0.2", "-p", "5201", "-t", "2", "-J"));
                json = r.toString();
                if (!json.contains("\"sum_received\"")) Thread.sleep(100);
            }
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"sum_received\":\\s*\\{[^}]*\"bits_per_second\":\\s*([0-9.e+]+)").matcher(json);
            assertTrue(m.find(), "iperf3 through the gateway: " + json);
            double mbps = Double.parseDouble(m.group(1)) / 1e6;
            System.out.printf("iperf3 TCP through netstack4j gateway (direct): %.0f Mbit/s%n", mbps);
            assertTrue(mbps > 1, "iperf3 moved data through the gateway: " + mbps + " Mbit/s");
        }
        String rest = stop(out);
        assertTrue(rest.matches("(?s).*gateway\\.tcp\\.relayed\\s+\\d{3,}.*"), "at least 100 flows relayed: " + rest);
    }

    /** Heap in use in JVM {@code pid} after a full GC, in bytes (jcmd GC.run, then GC.heap_info). */
    static long heapUsedAfterGc(long pid) throws Exception {
        String jcmd = Path.of(ProcessHandle.current().info().command().orElseThrow()).resolveSibling("jcmd").toString();
        sh(jcmd, Long.toString(pid), "GC.run");
        String info = sh(jcmd, Long.toString(pid), "GC.heap_info");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("used (\\d+)K").matcher(info);
        assertTrue(m.find(), "heap info: " + info);
        return Long.parseLong(m.group(1)) * 1024;
    }

    /**
     * 10,000 concurrent relayed TCP flows in one gateway JVM (direct): an asyncio client in C opens
     * 10,000 connections to an asyncio server in S and holds them, each having exchanged a line
     * through the relay; the gateway's heap after a full GC, before and while they are held, gives
     * the heap per flow (printed: both sides of the relay, netstack4j's TCP connection and socket
     * and the host's socket with its virtual threads). Then all close, and the gateway counts them.
     */
    @Test @Timeout(value = 400, unit = TimeUnit.SECONDS) void tenThousandConcurrentRelayedFlows(@TempDir Path dir) throws Exception {
        setUp(dir);
        int flows = 10_000;
        Path server = dir.resolve("hold-server.py");
        Files.writeString(server, """
                import asyncio
                async def serve(r, w):
                    await r.readline()
                    w.write(b"ok\\n")
                    await w.drain()
                    await r.read()  # hold until the client closes
                    w.close()
                async def main():
                    s = await asyncio.start_server(serve, "10.77.0.2", 7000, backlog=4096)
                    print("listening", flush=True)
                    async with s:
                        await s.serve_forever()
                asyncio.run(main())
                """);
        Path client = dir.resolve("hold-client.py");
        Path release = dir.resolve("release");
        Files.writeString(client, """
                import asyncio, os, sys, time
                N = %d
                async def one(i, sem, held):
                    async with sem:
                        for attempt in range(5):
                            try:
                                r, w = await asyncio.wait_for(asyncio.open_connection("10.77.0.2", 7000), 20)
                                w.write(b"hi\\n")
                                await w.drain()
                                line = await asyncio.wait_for(r.readline(), 20)
                                if line == b"ok\\n":
                                    held.append(w)
                                    return
                                w.close()
                            except (OSError, asyncio.TimeoutError):
                                await asyncio.sleep(0.2)
                async def main():
                    sem = asyncio.Semaphore(256)
                    held = []
                    t0 = time.time()
                    await asyncio.gather(*(one(i, sem, held) for i in range(N)))
                    print("held %%d in %%.1f s" %% (len(held), time.time() - t0), flush=True)
                    while not os.path.exists("%s"):
                        await asyncio.sleep(0.2)
                    for w in held:
                        w.close()
                    await asyncio.sleep(1)
                    print("closed", flush=True)
                asyncio.run(main())
                """.formatted(flows, release));
        Process srv = start(new ProcessBuilder("ip", "netns", "exec", nsS, "python3", server.toString()).redirectErrorStream(true));
        BufferedReader srvOut = new BufferedReader(new InputStreamReader(srv.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("listening", srvOut.readLine());
        List<String> lines = new ArrayList<>();
        BufferedReader out = gateway(lines, "--direct", "--quiet");
        long before = heapUsedAfterGc(gateway.pid());
        Process cl = start(new ProcessBuilder("ip", "netns", "exec", nsC, "python3", client.toString()).redirectErrorStream(true));
        BufferedReader clOut = new BufferedReader(new InputStreamReader(cl.getInputStream(), StandardCharsets.UTF_8));
        String held = clOut.readLine();
        assertTrue(held != null && held.startsWith("held "), "the client: " + held);
        int n = Integer.parseInt(held.split(" ")[1]);
        long during = heapUsedAfterGc(gateway.pid());
        System.out.printf("gateway: %d concurrent relayed TCP flows (%s); heap after GC %.1f MiB -> %.1f MiB: %.0f bytes per flow%n",
                n, held, before / 1048576.0, during / 1048576.0, (during - before) / (double) n);
        assertEquals(flows, n, "every flow held through the gateway");
        Files.writeString(release, "go");
        assertEquals("closed", clOut.readLine());
        assertTrue(cl.waitFor(30, TimeUnit.SECONDS));
        String rest = stop(out);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("gateway\\.tcp\\.relayed\\s+(\\d+)").matcher(rest);
        assertTrue(m.find() && Long.parseLong(m.group(1)) >= flows, "the gateway relayed them all: " + rest);
    }
}
