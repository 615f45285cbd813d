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
 * {@code netstack4j route} as a user runs it, in its own JVM: it creates the TUNs in the root
 * namespace; the test then moves each into a namespace it created (A: 10.1.0.2 via 10.1.0.1,
 * B: 10.2.0.2 via 10.2.0.1; the TUN descriptors keep working across the move), runs curl in A
 * against {@code python3 -m http.server} in B through netstack4j with --firewall and
 * --masquerade, and stops the router with SIGTERM (as Ctrl-C), which prints the counters; the
 * same over IPv6 (ping -6, curl -6).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RouteInteropTest {
    final long pid = ProcessHandle.current().pid() % 10000;
    final String nsA = "nsj-route-a-" + pid, nsB = "nsj-route-b-" + pid, a0 = "nsjra" + pid, b0 = "nsjrb" + pid;
    Process router, server;

    @AfterEach void cleanUp() throws Exception {
        if (server != null) server.destroyForcibly().waitFor();
        if (router != null) router.destroyForcibly().waitFor();
        LinuxNet.exec(List.of("ip", "netns", "del", nsA));
        LinuxNet.exec(List.of("ip", "netns", "del", nsB));
    }

    static String sh(String... cmd) throws Exception { return LinuxNet.run(List.of(cmd)); }

    BufferedReader out;

    /** Makes namespaces A and B and starts {@code netstack4j route ARGS} in its own JVM; returns once it says Ctrl-C. */
    void startRouter(String... args) throws Exception {
        String why = LinuxNet.whyUnavailable();
        assumeTrue(why == null, "needs root and /dev/net/tun: " + why);
        assumeTrue(LinuxNet.findOnPath("curl") != null && LinuxNet.findOnPath("python3") != null,
                "needs curl and python3 (scripts/install-deps.sh)");
        for (String ns : List.of(nsA, nsB)) {
            LinuxNet.exec(List.of("ip", "netns", "del", ns));
            sh("ip", "netns", "add", ns);
            sh("ip", "-n", ns, "link", "set", "lo", "up");
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), "org.netstack4j.cli.Main", "route"));
        cmd.addAll(List.of(args));
        router = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        out = new BufferedReader(new InputStreamReader(router.getInputStream(), StandardCharsets.UTF_8));
        List<String> lines = new ArrayList<>();
        String line;
        while ((line = out.readLine()) != null && !line.contains("Ctrl-C")) lines.add(line);
        assertTrue(line != null, "route started: " + lines);
    }

    /** Moves each TUN into its namespace, addresses the kernel side and routes the rest via netstack4j. */
    void moveTuns() throws Exception {
        String[][] sides = {{a0, nsA, "10.1.0.2/24", "10.1.0.1"}, {b0, nsB, "10.2.0.2/24", "10.2.0.1"}};
        for (String[] s : sides) {
            sh("ip", "link", "set", s[0], "netns", s[1]);
            sh("ip", "-n", s[1], "addr", "add", s[2], "dev", s[0]);
            sh("ip", "-n", s[1], "link", "set", s[0], "up");
            sh("ip", "-n", s[1], "route", "add", "default", "via", s[3]);
        }
    }

    /** Starts python3 -m http.server in B on {@code bind}:8000 serving {@code dir}, logging to server.log; waits until it answers. */
    Path startServer(Path dir, String bind, String url) throws Exception {
        Path log = dir.resolve("server.log");
        server = new ProcessBuilder("ip", "netns", "exec", nsB, "python3", "-m", "http.server", "8000", "--bind", bind)
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean up = false;
        for (int i = 0; i < 100 && !up; i++) {
            up = LinuxNet.exec(List.of("ip", "netns", "exec", nsB, "curl", "-g", "-s", "-o", "/dev/null", url)).exitCode() == 0;
            if (!up) Thread.sleep(100);
        }
        assumeTrue(up, "python3 -m http.server did not start in namespace B");
        return log;
    }

    /** SIGTERM (as Ctrl-C): the shutdown hook prints the counters, returned. */
    String stopRouter() throws Exception {
        sh("kill", "-TERM", Long.toString(router.pid()));
        StringBuilder rest = new StringBuilder();
        String line;
        while ((line = out.readLine()) != null) rest.append(line).append('\n');
        assertTrue(router.waitFor(20, TimeUnit.SECONDS));
        return rest.toString();
    }

    @Test void curlThroughRouteWithFirewallAndMasquerade(@TempDir Path dir) throws Exception {
        Path rules = dir.resolve("fw.rules");
        Files.writeString(rules, """
                chain forward policy drop
                accept state established,related
                accept in %s out %s tcp to 10.2.0.2 port 8000
                """.formatted(a0, b0));
        startRouter("--tun", a0 + "=10.1.0.1/24", "--tun", b0 + "=10.2.0.1/24", "--firewall", rules.toString(), "--masquerade", b0);
        moveTuns();
        Path file = dir.resolve("data.bin");
        byte[] data = new byte[20 << 20];
        new java.util.SplittableRandom(5).nextBytes(data);
        Files.write(file, data);
        Path log = startServer(dir, "10.2.0.2", "http://10.2.0.2:8000/");
        String sum = sh("ip", "netns", "exec", nsA, "sh", "-c", "curl -sS --max-time 30 http://10.2.0.2:8000/data.bin | sha256sum").split(" ")[0];
        assertEquals(sh("sha256sum", file.toString()).split(" ")[0], sum, "20 MB intact through netstack4j route");
        // not allowed by the rule file: B's port 8001 (nothing listens, but the SYN never gets there)
        var refused = LinuxNet.exec(List.of("ip", "netns", "exec", nsA, "curl", "-sS", "--max-time", "2", "http://10.2.0.2:8001/"));
        assertEquals(28, refused.exitCode(), "dropped by the firewall: a timeout, not a refusal: " + refused);
        String seen = Files.readString(log);
        assertTrue(seen.contains("10.2.0.1 - - ") && seen.contains("GET /data.bin"), "B's server saw netstack4j's address: " + seen);
        String rest = stopRouter();
        assertTrue(rest.matches("(?s).*ipv4\\.fwd\\.datagrams\\s+\\d{5,}.*"), "counters: " + rest);
        assertTrue(rest.contains("ipv4.filtered.forward"), "the firewall's drops: " + rest);
    }

    /**
     * IPv6 through {@code route} (RFC 8200): the TUNs get fd00:1::1/64 and fd00:2::1/64 beside
     * their IPv4 addresses, the kernel sides fd00:1::2 and fd00:2::2 with default routes via
     * netstack4j. ping -6 across (hop limit one lower) and to the router, ping -6 -t 1 gets
     * "Time exceeded: Hop limit" from netstack4j, curl -6 fetches 20 MB intact from
     * python3 -m http.server in B, and a destination with no route gets "no route". A firewall
     * lets A's flows out and their replies back, drops B's unsolicited ones (curl times out, ping
     * gets nothing) and rejects B's connection to A's port 9 with a reset (curl: refused at once).
     */
    @Test void pingAndCurlOverIpv6ThroughRoute(@TempDir Path dir) throws Exception {
        assumeTrue(LinuxNet.findOnPath("ping") != null, "needs ping (iputils-ping)");
        Path rules = dir.resolve("fw6.rules");
        Files.writeString(rules, """
                chain forward policy drop
                accept state established,related
                accept in %s out %s ip6 from fd00:1::/64
                reject with tcp-reset in %s tcp to fd00:1::2 port 9
                """.formatted(a0, b0, b0));
        startRouter("--tun", a0 + "=10.1.0.1/24,fd00:1::1/64", "--tun", b0 + "=10.2.0.1/24,fd00:2::1/64", "--firewall", rules.toString());
        moveTuns();
        String[][] sides = {{a0, nsA, "fd00:1::2/64", "fd00:1::1"}, {b0, nsB, "fd00:2::2/64", "fd00:2::1"}};
        for (String[] s : sides) {
            sh("ip", "-n", s[1], "-6", "addr", "add", s[2], "dev", s[0], "nodad");
            sh("ip", "-n", s[1], "-6", "route", "add", "default", "via", s[3], "dev", s[0]);
        }
        String ping = sh("ip", "netns", "exec", nsA, "ping", "-6", "-c", "3", "-i", "0.2", "-W", "2", "fd00:2::2");
        assertTrue(ping.contains(" 0% packet loss"), ping);
        assertTrue(ping.contains("ttl=63"), "B's reply one hop lower (64 - 1): " + ping);
        String local = sh("ip", "netns", "exec", nsA, "ping", "-6", "-c", "1", "-W", "2", "fd00:2::1");
        assertTrue(local.contains(" 0% packet loss"), "netstack4j's far address answers: " + local);
        var hop = LinuxNet.exec(List.of("ip", "netns", "exec", nsA, "ping", "-6", "-c", "1", "-W", "2", "-t", "1", "fd00:2::2"));
        assertTrue(hop.stdout().contains("From fd00:1::1") && hop.stdout().contains("Time exceeded"),
                "hop limit 1: netstack4j answers time exceeded: " + hop);
        var none = LinuxNet.exec(List.of("ip", "netns", "exec", nsA, "ping", "-6", "-c", "1", "-W", "2", "2001:db8::1"));
        assertTrue(none.stdout().contains("From fd00:1::1") && none.stdout().contains("No route"),
                "no route at netstack4j: destination unreachable, no route: " + none);
        TunInteropTest.writeRandom(dir, "data.bin", 20 << 20, new java.util.Random(6));
        Path file = dir.resolve("data.bin");
        Path log = startServer(dir, "fd00:2::2", "http://[fd00:2::2]:8000/");
        long t0 = System.nanoTime();
        String sum = sh("ip", "netns", "exec", nsA, "sh", "-c", "curl -6 -g -sS --max-time 60 'http://[fd00:2::2]:8000/data.bin' | sha256sum").split(" ")[0];
        double secs = (System.nanoTime() - t0) / 1e9;
        assertEquals(sh("sha256sum", file.toString()).split(" ")[0], sum, "20 MB intact over IPv6 through netstack4j route");
        System.out.printf("route IPv6: curl -6 20 MiB in %.2f s (%.0f Mbit/s)%n", secs, 20 * 8 * 1.048576 / secs);
        assertTrue(Files.readString(log).contains("fd00:1::2"), "B's server saw A's own address (no NAT): " + Files.readString(log));
        // the firewall, from B's side: unsolicited IPv6 to A dropped (a timeout), port 9 rejected with a reset at once
        var dropped = LinuxNet.exec(List.of("ip", "netns", "exec", nsB, "curl", "-g", "-sS", "--max-time", "2", "http://[fd00:1::2]:8000/"));
        assertEquals(28, dropped.exitCode(), "dropped by the IPv6 forward policy: " + dropped);
        long r0 = System.nanoTime();
        var rejected = LinuxNet.exec(List.of("ip", "netns", "exec", nsB, "curl", "-g", "-sS", "--max-time", "5", "http://[fd00:1::2]:9/"));
        assertEquals(7, rejected.exitCode(), "refused by netstack4j's IPv6 reset: " + rejected);
        assertTrue(System.nanoTime() - r0 < 2_000_000_000L, "refused at once, not after a timeout");
        var noPing = LinuxNet.exec(List.of("ip", "netns", "exec", nsB, "ping", "-6", "-c", "1", "-W", "1", "fd00:1::2"));
        assertEquals(1, noPing.exitCode(), "B's ping to A dropped: " + noPing);
        String rest = stopRouter();
        assertTrue(rest.matches("(?s).*ipv6\\.fwd\\.datagrams\\s+\\d{4,}.*"), "counters: " + rest);
        assertTrue(rest.matches("(?s).*ipv6\\.filtered\\.forward\\s+[2-9].*"), "the firewall's IPv6 drops and the reject: " + rest);
        assertTrue(rest.matches("(?s).*nf\\.rejected\\s+1\\b.*"), "one reject: " + rest);
        assertTrue(rest.contains("ipv6.fwd.drop.hop_limit_exceeded"), "counters: " + rest);
        assertTrue(rest.contains("ipv6.fwd.drop.no_route"), "counters: " + rest);
    }

    /**
     * An IPv6-only {@code route} (issue 14): the TUNs get IPv6 addresses alone (b0 two of them),
     * the namespaces no IPv4 at all, and --masquerade b0 is NAT66. ping -6 crosses, curl -6
     * fetches 1 MB intact from python3 -m http.server in B, and B's server sees the router's
     * address fd00:2::1, never A's.
     */
    @Test void ipv6OnlyRouteWithMasquerade(@TempDir Path dir) throws Exception {
        assumeTrue(LinuxNet.findOnPath("ping") != null, "needs ping (iputils-ping)");
        startRouter("--tun", a0 + "=fd00:1::1/64", "--tun", b0 + "=fd00:2::1/64,fd00:22::1/64", "--masquerade", b0);
        moveTunsIpv6Only();
        String second = sh("ip", "netns", "exec", nsA, "ping", "-6", "-c", "1", "-W", "2", "fd00:22::1");
        assertTrue(second.contains(" 0% packet loss"), "b0's second address answers: " + second);
        String seen = fetchMegabyteFromB6(dir, "over IPv6-only route with NAT66");
        assertTrue(seen.contains("fd00:2::1 - - ") && seen.contains("GET /data.bin"), "B's server saw netstack4j's address: " + seen);
        assertTrue(!seen.contains("fd00:1::2"), "never A's: " + seen);
        String rest = stopRouter();
        assertTrue(rest.matches("(?s).*nat\\.out\\.translated\\s+\\d{2,}.*"), "NAT66 counters: " + rest);
        assertTrue(!rest.contains("ipv4.fwd.datagrams"), "no IPv4 at all: " + rest);
    }

    /**
     * NPTv6 (RFC 6296) on an IPv6-only route: {@code --npt6 b0=fd00:1::/48,fd00:3::/48}. A
     * (fd00:1::2) pings B and fetches 1 MB with curl -6 from python3 -m http.server in B; B's
     * server log shows A's translated address fd00:3:0:fffd::2 (the /48 swapped, the subnet word
     * adjusted by 0xfffd to keep checksums), never fd00:1::2 or the router's address. B reaches
     * fd00:3::/48 by its default route via the router.
     */
    @Test void ipv6RouteWithNptv6(@TempDir Path dir) throws Exception {
        assumeTrue(LinuxNet.findOnPath("ping") != null, "needs ping (iputils-ping)");
        startRouter("--tun", a0 + "=fd00:1::1/64", "--tun", b0 + "=fd00:2::1/64", "--npt6", b0 + "=fd00:1::/48,fd00:3::/48");
        moveTunsIpv6Only();
        String seen = fetchMegabyteFromB6(dir, "through NPTv6");
        assertTrue(seen.contains("fd00:3:0:fffd::2 - - ") && seen.contains("GET /data.bin"), "B's server saw A's translated address: " + seen);
        assertTrue(!seen.contains("fd00:1::2") && !seen.contains("fd00:2::1 - - "), "never A's own, nor the router's: " + seen);
        String rest = stopRouter();
        assertTrue(rest.matches("(?s).*npt6\\.out\\.translated\\s+\\d{2,}.*") && rest.matches("(?s).*npt6\\.in\\.translated\\s+\\d{2,}.*"),
                "NPTv6 counters: " + rest);
        assertTrue(!rest.contains("nat.out.translated"), "no NAT66: " + rest);
    }

    /**
     * The IPv6-only set-up of the NAT66 and NPTv6 cases: a0 into A as fd00:1::2 behind
     * fd00:1::1, b0 into B as fd00:2::2 behind fd00:2::1, no IPv4; A pings B.
     */
    private void moveTunsIpv6Only() throws Exception {
        String[][] sides = {{a0, nsA, "fd00:1::2/64", "fd00:1::1"}, {b0, nsB, "fd00:2::2/64", "fd00:2::1"}};
        for (String[] s : sides) {
            sh("ip", "link", "set", s[0], "netns", s[1]);
            sh("ip", "-n", s[1], "-6", "addr", "add", s[2], "dev", s[0], "nodad");
            sh("ip", "-n", s[1], "link", "set", s[0], "up");
            sh("ip", "-n", s[1], "-6", "route", "add", "default", "via", s[3], "dev", s[0]);
        }
        String ping = sh("ip", "netns", "exec", nsA, "ping", "-6", "-c", "3", "-i", "0.2", "-W", "2", "fd00:2::2");
        assertTrue(ping.contains(" 0% packet loss") && ping.contains("from fd00:2::2"), ping);
    }

    /** A's curl -6 fetches 1 MB from python3 -m http.server at fd00:2::2 in B, checked intact ({@code how}); returns B's server log. */
    private String fetchMegabyteFromB6(Path dir, String how) throws Exception {
        TunInteropTest.writeRandom(dir, "data.bin", 1 << 20, new java.util.Random(7));
        Path file = dir.resolve("data.bin");
        Path log = startServer(dir, "fd00:2::2", "http://[fd00:2::2]:8000/");
        String sum = sh("ip", "netns", "exec", nsA, "sh", "-c", "curl -6 -g -sS --max-time 30 'http://[fd00:2::2]:8000/data.bin' | sha256sum").split(" ")[0];
        assertEquals(sh("sha256sum", file.toString()).split(" ")[0], sum, "1 MB intact " + how);
        return Files.readString(log);
    }

    /**
     * The router checks of issue 14 over IPv4: iperf3 TCP and UDP through {@code route} (numbers
     * printed), and an MTU 1280 link on B's side ({@code --mtu b0=1280}; B's kernel is told 1500,
     * so its MSS does not hide the limit, as with a tunnel behind the router). A DF-clear 1428-byte
     * ping is fragmented by netstack4j and answered; a DF one gets "fragmentation needed" with
     * MTU 1280 from netstack4j; curl in B downloads 20 MB from A intact because A's kernel learns
     * the path MTU from netstack4j's errors (RFC 1191).
     */
    @Test void iperf3AndAnMtu1280LinkThroughRoute(@TempDir Path dir) throws Exception {
        assumeTrue(LinuxNet.findOnPath("ping") != null && LinuxNet.findOnPath("iperf3") != null, "needs ping and iperf3");
        startRouter("--tun", a0 + "=10.1.0.1/24", "--tun", b0 + "=10.2.0.1/24", "--mtu", b0 + "=1280");
        moveTuns();
        sh("ip", "-n", nsB, "link", "set", b0, "mtu", "1500");

        String frag = sh("ip", "netns", "exec", nsA, "ping", "-c", "3", "-i", "0.2", "-W", "2", "-M", "dont", "-s", "1400", "10.2.0.2");
        assertTrue(frag.contains(" 0% packet loss"), "DF clear: fragmented to 1280 and answered: " + frag);

        TunInteropTest.writeRandom(dir, "data.bin", 20 << 20, new java.util.Random(7));
        Path file = dir.resolve("data.bin");
        Path log = dir.resolve("server-a.log");
        Process serverA = new ProcessBuilder("ip", "netns", "exec", nsA, "python3", "-m", "http.server", "8000", "--bind", "10.1.0.2")
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            boolean up = false;
            for (int i = 0; i < 100 && !up; i++) {
                up = LinuxNet.exec(List.of("ip", "netns", "exec", nsA, "curl", "-s", "-o", "/dev/null", "http://10.1.0.2:8000/")).exitCode() == 0;
                if (!up) Thread.sleep(100);
            }
            assumeTrue(up, "python3 -m http.server did not start in namespace A");
            long t0 = System.nanoTime();
            String sum = sh("ip", "netns", "exec", nsB, "sh", "-c", "curl -sS --max-time 60 http://10.1.0.2:8000/data.bin | sha256sum").split(" ")[0];
            double secs = (System.nanoTime() - t0) / 1e9;
            assertEquals(sh("sha256sum", file.toString()).split(" ")[0], sum, "20 MB intact across the MTU 1280 link (PMTUD)");
            System.out.printf("route MTU 1280: curl 20 MiB A -> B in %.2f s (%.0f Mbit/s)%n", secs, 20 * 8 * 1.048576 / secs);
        } finally {
            serverA.destroyForcibly().waitFor();
        }
        String cache = sh("ip", "-n", nsA, "route", "get", "10.2.0.2");
        assertTrue(cache.contains("mtu 1280"), "A's kernel learnt the path MTU from netstack4j: " + cache);
        sh("ip", "-n", nsA, "route", "flush", "cache");
        var df = LinuxNet.exec(List.of("ip", "netns", "exec", nsA, "ping", "-c", "1", "-W", "2", "-M", "do", "-s", "1400", "10.2.0.2"));
        assertTrue(df.stdout().contains("From 10.1.0.1") && df.stdout().contains("mtu = 1280"),
                "DF set: fragmentation needed, MTU 1280, from netstack4j: " + df);

        Process iperf = new ProcessBuilder("ip", "netns", "exec", nsB, "iperf3", "-s", "-B", "10.2.0.2").redirectErrorStream(true)
                .redirectOutput(dir.resolve("iperf3.log").toFile()).start();
        try {
            String tcp = "";
            for (int i = 0; i < 50 && !tcp.contains("\"sum_received\""); i++) {
                // iperf3 3.12 -J exits 0 with an "error" object while the server is not up yet
                tcp = LinuxNet.exec(List.of("ip", "netns", "exec", nsA, "iperf3", "-c", "10.2.0.2", "-t", "3", "-J")).stdout();
                if (!tcp.contains("\"sum_received\"")) Thread.sleep(100);
            }
            double tcpBits = jsonNumber(tcp, "\"sum_received\"", "bits_per_second");
            var u = LinuxNet.exec(List.of("ip", "netns", "exec", nsA, "iperf3", "-c", "10.2.0.2", "-u", "-b", "20M", "-l", "1200", "-t", "3", "-J"));
            assertEquals(0, u.exitCode(), "iperf3 UDP: " + u);
            double udpBits = jsonNumber(u.stdout(), "\"sum\"", "bits_per_second");
            double lost = jsonNumber(u.stdout(), "\"sum\"", "lost_percent");
            System.out.printf("route iperf3: TCP %.0f Mbit/s (MTU 1280 on B's side); UDP 20 Mbit/s offered, %.1f Mbit/s, %.2f%% lost%n",
                    tcpBits / 1e6, udpBits / 1e6, lost);
            assertTrue(tcpBits > 10e6, "TCP through netstack4j route: " + tcpBits);
            assertTrue(lost < 10, "UDP at 20 Mbit/s mostly delivered: " + lost + "% lost");
        } finally {
            iperf.destroyForcibly().waitFor();
        }
        String rest = stopRouter();
        assertTrue(rest.matches("(?s).*ipv4\\.fwd\\.fragmented\\s+[3-9].*|(?s).*ipv4\\.fwd\\.fragmented\\s+\\d{2,}.*"), "fragmented: " + rest);
        assertTrue(rest.matches("(?s).*ipv4\\.fwd\\.drop\\.frag_needed\\s+\\d+.*"), "fragmentation needed sent: " + rest);
    }

    /** route --queues 2 as a user runs it: both shards forward, a download is intact, the counters are per queue and summed. */
    @Test void twoQueuesThroughRoute(@TempDir Path dir) throws Exception {
        startRouter("--tun", a0 + "=10.1.0.1/24", "--tun", b0 + "=10.2.0.1/24", "--queues", "2");
        moveTuns();
        String ping = sh("ip", "netns", "exec", nsA, "ping", "-c", "2", "-i", "0.2", "-W", "2", "10.2.0.2");
        assertTrue(ping.contains(" 0% packet loss"), ping);
        TunInteropTest.writeRandom(dir, "data.bin", 10 << 20, new java.util.Random(9));
        startServer(dir, "10.2.0.2", "http://10.2.0.2:8000/");
        StringBuilder script = new StringBuilder();
        for (int i = 0; i < 8; i++) script.append("curl -sS --max-time 60 http://10.2.0.2:8000/data.bin | sha256sum > ").append(dir.resolve("sum" + i)).append(" & ");
        sh("ip", "netns", "exec", nsA, "sh", "-c", script + "wait");
        String want = sh("sha256sum", dir.resolve("data.bin").toString()).split(" ")[0];
        for (int i = 0; i < 8; i++) assertEquals(want, java.nio.file.Files.readString(dir.resolve("sum" + i)).split(" ")[0], "download " + i + " intact");
        String rest = stopRouter();
        assertTrue(rest.matches("(?s).*\\bipv4\\.fwd\\.datagrams\\s+\\d{4,}.*"), "forwarded: " + rest);
        assertTrue(rest.matches("(?s).*\\bq1\\.ipv4\\.fwd\\.datagrams\\s+\\d+.*") || rest.matches("(?s).*\\bq0\\.ipv4\\.fwd\\.datagrams\\s+\\d+.*"),
                "per-queue counters: " + rest);
    }

    /**
     * --queues 2 with a stateful firewall: a connection table per queue. Only A may open
     * connections (to B's port 8000), B's answers pass as ESTABLISHED. The kernel keeps both
     * directions of a flow on one queue index, so each flow's SYN,ACK and data from B meet the
     * table that saw its SYN; were they read by the other queue, they would be a NEW flow from B
     * and dropped (policy drop) and the download would fail. 16 downloads (all on one queue: 1 in
     * 32,768) intact, both queues' tables used, B's unsolicited SYN dropped.
     */
    @Test void twoQueuesWithAFirewall(@TempDir Path dir) throws Exception {
        Path rules = dir.resolve("fw.rules");
        Files.writeString(rules, """
                chain forward policy drop
                drop state invalid
                accept state established,related
                accept in %s out %s tcp to 10.2.0.2 port 8000
                """.formatted(a0, b0));
        startRouter("--tun", a0 + "=10.1.0.1/24", "--tun", b0 + "=10.2.0.1/24", "--queues", "2", "--firewall", rules.toString());
        moveTuns();
        TunInteropTest.writeRandom(dir, "data.bin", 4 << 20, new java.util.Random(10));
        startServer(dir, "10.2.0.2", "http://10.2.0.2:8000/");
        StringBuilder script = new StringBuilder();
        for (int i = 0; i < 16; i++) script.append("curl -sS --max-time 60 http://10.2.0.2:8000/data.bin | sha256sum > ").append(dir.resolve("sum" + i)).append(" & ");
        sh("ip", "netns", "exec", nsA, "sh", "-c", script + "wait");
        String want = sh("sha256sum", dir.resolve("data.bin").toString()).split(" ")[0];
        for (int i = 0; i < 16; i++) assertEquals(want, Files.readString(dir.resolve("sum" + i)).split(" ")[0], "download " + i + " intact");
        var unsolicited = LinuxNet.exec(List.of("ip", "netns", "exec", nsB, "curl", "-sS", "--max-time", "2", "http://10.1.0.2:8000/"));
        assertEquals(28, unsolicited.exitCode(), "B's SYN to A dropped: " + unsolicited);
        String rest = stopRouter();
        for (int q = 0; q < 2; q++)
            assertTrue(rest.matches("(?s).*\\bq" + q + "\\.ct\\.inserted\\s+[1-9]\\d*.*"), "queue " + q + "'s table tracked flows: " + rest);
        assertTrue(rest.matches("(?sm).*^\\s*ct\\.inserted\\s+(1[6-9]|[2-9]\\d|\\d{3,})\\b.*"), "16 flows and more tracked: " + rest);
    }

    /**
     * --queues 2 with --masquerade b0: each queue's NAT hands out its own half of the ports and
     * ICMP identifiers. A ping crosses; 8 parallel downloads arrive intact and B's server sees only
     * the router's address. Then 16 connections stay idle 5 s before B's server answers: longer
     * than the TUN driver remembers which queue wrote a flow (3 s), so the kernel now picks the
     * queue of each answer by the hash of its translated 5-tuple, the other queue for about half
     * of them. Those are handed to the queue holding their mapping (tun.steered_out counts them);
     * without that the other queue's NAT has no mapping, netstack4j resets the connection and
     * the read fails. All 16 answers arrive intact.
     */
    @Test void twoQueuesWithMasquerade(@TempDir Path dir) throws Exception {
        startRouter("--tun", a0 + "=10.1.0.1/24", "--tun", b0 + "=10.2.0.1/24", "--queues", "2", "--masquerade", b0);
        moveTuns();
        if (LinuxNet.findOnPath("ping") != null) { // identifiers from both queues' halves
            String ping = sh("ip", "netns", "exec", nsA, "sh", "-c", "ping -c 3 -i 0.2 -W 2 10.2.0.2 & ping -c 3 -i 0.2 -W 2 10.2.0.2 & wait");
            assertTrue(!ping.contains("100% packet loss") && ping.split(" 0% packet loss", -1).length == 3, ping);
        }
        TunInteropTest.writeRandom(dir, "data.bin", 4 << 20, new java.util.Random(11));
        Path log = startServer(dir, "10.2.0.2", "http://10.2.0.2:8000/");
        StringBuilder script = new StringBuilder();
        for (int i = 0; i < 8; i++) script.append("curl -sS --max-time 60 http://10.2.0.2:8000/data.bin | sha256sum > ").append(dir.resolve("sum" + i)).append(" & ");
        sh("ip", "netns", "exec", nsA, "sh", "-c", script + "wait");
        String want = sh("sha256sum", dir.resolve("data.bin").toString()).split(" ")[0];
        for (int i = 0; i < 8; i++) assertEquals(want, Files.readString(dir.resolve("sum" + i)).split(" ")[0], "download " + i + " intact");
        List<String> gets = Files.readAllLines(log).stream().filter(l -> l.contains("GET /data.bin")).toList();
        assertEquals(8, gets.size(), "B's server log: " + gets);
        for (String l : gets) assertTrue(l.startsWith("10.2.0.1 - - "), "B's server saw the router's address: " + l);
        // answers after the TUN driver forgot the flows: 1 MiB each, a byte pattern per connection
        Process idle = new ProcessBuilder("ip", "netns", "exec", nsB, "python3", "-c", """
                import socket, threading, time
                s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind(("10.2.0.2", 9000)); s.listen(64)
                print("listening", flush=True)
                def serve(c, peer):
                    n = c.recv(1)[0]
                    print(peer[0], flush=True)
                    time.sleep(5)
                    c.sendall(bytes([n]) * (1 << 20)); c.close()
                while True:
                    c, peer = s.accept()
                    threading.Thread(target=serve, args=(c, peer)).start()
                """).redirectErrorStream(true).redirectOutput(dir.resolve("idle.log").toFile()).start();
        try {
            // the clients start once the server listens: a retried run (after "connection refused")
            // would leave the first run's connections in the server's log (CI once counted 24 of 16)
            Path idleLog = dir.resolve("idle.log");
            for (int i = 0; i < 100 && !Files.readString(idleLog).contains("listening"); i++) Thread.sleep(100);
            assertTrue(Files.readString(idleLog).contains("listening"), "B's idle server did not start: " + Files.readString(idleLog));
            String got = python(nsA, """
                    import socket, threading
                    res = [None] * 16
                    def run(i):
                        try:
                            c = socket.create_connection(("10.2.0.2", 9000), timeout=30); c.sendall(bytes([i + 1])); data = b""
                            while True:
                                d = c.recv(65536)
                                if not d: break
                                data += d
                            res[i] = "ok" if data == bytes([i + 1]) * (1 << 20) else "bad %d bytes" % len(data)
                        except OSError as e:
                            res[i] = "error %s" % e
                    ts = [threading.Thread(target=run, args=(i,)) for i in range(16)]
                    [t.start() for t in ts]; [t.join() for t in ts]
                    print("ok" if all(r == "ok" for r in res) else res)
                    """);
            assertEquals("ok", got, "16 answers after 5 s idle, intact");
        } finally {
            idle.destroyForcibly().waitFor();
        }
        String peers = Files.readString(dir.resolve("idle.log")).replace("listening\n", ""); // (the threads' lines may run together)
        assertEquals(16, peers.split("10\\.2\\.0\\.1", -1).length - 1, "B's idle server saw the router 16 times: " + peers);
        assertTrue(peers.replace("10.2.0.1", "").isBlank(), "and nothing else: " + peers);
        String rest = stopRouter();
        System.out.printf("twoQueuesWithMasquerade: tun.steered_out %d of ipv4.fwd.datagrams %d%n",
                counter(rest, "tun.steered_out"), counter(rest, "ipv4.fwd.datagrams"));
        assertTrue(counter(rest, "tun.steered_out") >= 1, "answers handed to the queue of their mapping: " + rest);
        for (int q = 0; q < 2; q++) assertTrue(counter(rest, "q" + q + ".nat.mappings.created") >= 1, "queue " + q + " translated: " + rest);
    }

    /** Runs python3 code in a namespace; returns what it prints (stdout and stderr). */
    static String python(String netns, String code) throws Exception {
        return LinuxNet.exec(List.of("ip", "netns", "exec", netns, "python3", "-c", code)).stdout().strip();
    }

    /** A connected UDP socket's send, then recv: what the kernel made of the ICMP answer ("errno 111" is port unreachable). */
    static String udpProbe(String netns, String host, int port) throws Exception {
        return python(netns, """
                import socket
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                s.settimeout(2)
                s.connect(("%s", %d))
                s.send(b"probe")
                try:
                    s.recv(100); print("answer")
                except socket.timeout:
                    print("timeout")
                except OSError as e:
                    print("errno", e.errno)
                """.formatted(host, port));
    }

    /**
     * The stateful firewall over TUN, seen from both sides: A's allowed flow and its replies pass
     * (B's server logs A's own address); B's server on 8001 is never reached because netstack4j
     * resets A's SYN itself (curl: refused at once); UDP to 9999 is rejected with ICMP
     * admin-prohibited (A's kernel reports "no route to host", errno 113); B's unsolicited curl to
     * A times out (dropped; A would have reset it). A blind out-of-window RST from hping3 in B,
     * aimed at A's running download, is INVALID and dropped: the download completes intact. Then
     * an hping3 flood of 3,000 new flows keeps the table within --conntrack-max 200 (evictions
     * counted).
     */
    @Test void aStatefulFirewallOverTun(@TempDir Path dir) throws Exception {
        assumeTrue(LinuxNet.findOnPath("hping3") != null, "needs hping3");
        Path rules = dir.resolve("fw.rules");
        Files.writeString(rules, """
                chain forward policy drop
                drop state invalid
                accept state established,related
                accept in %1$s out %2$s tcp to 10.2.0.2 port 8000
                reject with tcp-reset in %1$s out %2$s tcp to 10.2.0.2 port 8001
                reject with icmp admin-prohibited in %1$s out %2$s udp to 10.2.0.2 port 9999
                """.formatted(a0, b0));
        startRouter("--tun", a0 + "=10.1.0.1/24", "--tun", b0 + "=10.2.0.1/24", "--firewall", rules.toString(), "--conntrack-max", "200");
        moveTuns();
        TunInteropTest.writeRandom(dir, "data.bin", 8 << 20, new java.util.Random(8));
        Path file = dir.resolve("data.bin");
        Path log = startServer(dir, "10.2.0.2", "http://10.2.0.2:8000/");
        Path log8001 = dir.resolve("server-8001.log");
        Process other = new ProcessBuilder("ip", "netns", "exec", nsB, "python3", "-m", "http.server", "8001", "--bind", "10.2.0.2")
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log8001.toFile()).start();
        try {
            String sha = sh("sha256sum", file.toString()).split(" ")[0];
            // allowed, and its replies pass
            assertEquals(sha, sh("ip", "netns", "exec", nsA, "sh", "-c", "curl -sS --max-time 30 http://10.2.0.2:8000/data.bin | sha256sum").split(" ")[0]);
            assertTrue(Files.readString(log).contains("10.1.0.2 - - "), "B saw A's own address: " + Files.readString(log));
            // rejected with a reset by netstack4j: refused at once, B's listener on 8001 never sees it
            boolean up8001 = LinuxNet.exec(List.of("ip", "netns", "exec", nsB, "curl", "-s", "-o", "/dev/null", "http://10.2.0.2:8001/")).exitCode() == 0;
            for (int i = 0; i < 50 && !up8001; i++) {
                Thread.sleep(100);
                up8001 = LinuxNet.exec(List.of("ip", "netns", "exec", nsB, "curl", "-s", "-o", "/dev/null", "http://10.2.0.2:8001/")).exitCode() == 0;
            }
            long r0 = System.nanoTime();
            var refused = LinuxNet.exec(List.of("ip", "netns", "exec", nsA, "curl", "-sS", "--max-time", "5", "http://10.2.0.2:8001/"));
            assertEquals(7, refused.exitCode(), "connection refused: " + refused);
            assertTrue(System.nanoTime() - r0 < 2_000_000_000L, "at once");
            assertTrue(!Files.readString(log8001).contains("10.1.0.2"), "B's 8001 never saw A: " + Files.readString(log8001));
            // rejected with ICMP admin-prohibited: A's kernel reports EHOSTUNREACH (RFC 1812 5.2.7.1, code 13)
            assertEquals("errno 113", udpProbe(nsA, "10.2.0.2", 9999));
            // unsolicited inbound: dropped (a timeout; A's kernel would have answered with a reset)
            var unsolicited = LinuxNet.exec(List.of("ip", "netns", "exec", nsB, "curl", "-sS", "--max-time", "2", "http://10.1.0.2:8000/"));
            assertEquals(28, unsolicited.exitCode(), "B's SYN to A dropped: " + unsolicited);

            // a blind RST, far out of window, at A's download in flight: dropped as INVALID, the download completes
            Process dl = new ProcessBuilder("ip", "netns", "exec", nsA, "sh", "-c",
                    "curl -sS --max-time 60 --local-port 45000 --limit-rate 2M http://10.2.0.2:8000/data.bin | sha256sum")
                    .redirectErrorStream(true).start();
            Thread.sleep(1000);
            var blind = LinuxNet.exec(List.of("ip", "netns", "exec", nsB, "hping3", "-q", "-R", "-A", "-s", "8000", "-k", "-p", "45000",
                    "-M", "12345", "-L", "1", "-c", "5", "-i", "u10000", "10.1.0.2"));
            assertTrue(blind.exitCode() <= 1, "hping3 ran (1: no replies, as expected): " + blind);
            String dlOut = new String(dl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(dl.waitFor(60, TimeUnit.SECONDS));
            assertEquals(sha, dlOut.split(" ")[0], "the tracked flow survived the blind resets: " + dlOut);

            // a flood of new flows: 3,000 SYNs from A's side with new source ports
            var flood = LinuxNet.exec(List.of("ip", "netns", "exec", nsA, "hping3", "-q", "-S", "-p", "8000", "-s", "10000",
                    "-i", "u200", "-c", "3000", "10.2.0.2"));
            assertTrue(flood.exitCode() <= 1, "hping3 flood ran: " + flood);
        } finally {
            other.destroyForcibly().waitFor();
        }
        String rest = stopRouter();
        long invalid = counter(rest, "ct.invalid");
        long max = counter(rest, "ct.entries.max");
        long evicted = counter(rest, "ct.early_drop") + counter(rest, "ct.insert_failed");
        System.out.printf("route firewall: ct.invalid %d, table max %d of 200, evicted or refused %d, nf.rejected %d%n",
                invalid, max, evicted, counter(rest, "nf.rejected"));
        assertTrue(invalid >= 1, "the blind resets were INVALID: " + rest);
        assertTrue(max <= 200, "the table stayed within its bound: " + rest);
        assertTrue(evicted > 0, "the flood was met by evictions: " + rest);
        assertTrue(counter(rest, "nf.rejected") >= 2, rest);
    }

    /** A counter from the Ctrl-C listing, 0 if absent. */
    static long counter(String listing, String name) {
        var m = java.util.regex.Pattern.compile("(?m)^" + java.util.regex.Pattern.quote(name) + "\\s+(\\d+)$").matcher(listing);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    /**
     * NAT over TUN (--masquerade b0): dig in A asks dnsmasq in B over UDP and gets the answer
     * (dnsmasq logs the router's address 10.2.0.1); UDP to a closed port of B comes back as port
     * unreachable translated to A (errno 111); traceroute from A shows netstack4j at hop 1 and B
     * at hop 2 (B's port unreachables translated back through the mapping, RFC 5508).
     */
    @Test void udpAndIcmpErrorsThroughMasquerade(@TempDir Path dir) throws Exception {
        assumeTrue(LinuxNet.findOnPath("dig") != null && LinuxNet.findOnPath("dnsmasq") != null
                && LinuxNet.findOnPath("traceroute") != null, "needs dig, dnsmasq and traceroute");
        startRouter("--tun", a0 + "=10.1.0.1/24", "--tun", b0 + "=10.2.0.1/24", "--masquerade", b0);
        moveTuns();
        Path dnsLog = dir.resolve("dnsmasq.log");
        Process dns = new ProcessBuilder("ip", "netns", "exec", nsB, "dnsmasq", "--no-daemon", "--port=53", "--listen-address=10.2.0.2",
                "--bind-interfaces", "--no-resolv", "--no-hosts", "--address=/nat.test/192.0.2.7", "--log-queries", "--log-facility=-",
                "--pid-file=" + dir.resolve("dnsmasq.pid"), "--user=root")
                .redirectErrorStream(true).redirectOutput(dnsLog.toFile()).start();
        try {
            String answer = "";
            for (int i = 0; i < 30 && !answer.equals("192.0.2.7"); i++) {
                answer = LinuxNet.exec(List.of("ip", "netns", "exec", nsA, "dig", "@10.2.0.2", "nat.test", "A", "+short", "+time=1", "+tries=1"))
                        .stdout().strip();
                if (!answer.equals("192.0.2.7")) Thread.sleep(100);
            }
            assertEquals("192.0.2.7", answer, "dig through the NAT");
            String seen = Files.readString(dnsLog);
            assertTrue(seen.contains("from 10.2.0.1"), "dnsmasq saw the router's address: " + seen);
            assertTrue(!seen.contains("from 10.1.0.2"), "and never A's: " + seen);
        } finally {
            dns.destroyForcibly().waitFor();
        }
        assertEquals("errno 111", udpProbe(nsA, "10.2.0.2", 9), "B's port unreachable, translated back to A");
        String trace = sh("ip", "netns", "exec", nsA, "traceroute", "-n", "-q", "1", "-w", "2", "-m", "4", "10.2.0.2");
        assertTrue(trace.matches("(?s).*\\n\\s*1\\s+10\\.1\\.0\\.1\\s.*"), "hop 1 is netstack4j: " + trace);
        assertTrue(trace.matches("(?s).*\\n\\s*2\\s+10\\.2\\.0\\.2\\s.*"), "hop 2 is B, through the NAT: " + trace);
        String rest = stopRouter();
        assertTrue(counter(rest, "nat.icmp_errors") >= 2, "B's ICMP errors translated (the probe, traceroute's hop 2): " + rest);
    }

    /** The number after {@code "key":} in the first object named {@code object} of iperf3's JSON (its "end" section is last). */
    static double jsonNumber(String json, String object, String key) {
        int at = json.lastIndexOf(object);
        assertTrue(at >= 0, object + " in " + json);
        var m = java.util.regex.Pattern.compile("\"" + key + "\":\\s*([0-9.eE+-]+)").matcher(json);
        assertTrue(m.find(at), key + " after " + object);
        return Double.parseDouble(m.group(1));
    }
}
