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
 * --masquerade, and stops the router with SIGTERM (as Ctrl-C), which prints the counters.
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

    @Test void curlThroughRouteWithFirewallAndMasquerade(@TempDir Path dir) throws Exception {
        String why = LinuxNet.whyUnavailable();
        assumeTrue(why == null, "needs root and /dev/net/tun: " + why);
        assumeTrue(LinuxNet.findOnPath("curl") != null && LinuxNet.findOnPath("python3") != null,
                "needs curl and python3 (scripts/install-deps.sh)");
        for (String ns : List.of(nsA, nsB)) {
            LinuxNet.exec(List.of("ip", "netns", "del", ns));
            sh("ip", "netns", "add", ns);
            sh("ip", "-n", ns, "link", "set", "lo", "up");
        }
        Path rules = dir.resolve("fw.rules");
        Files.writeString(rules, """
                chain forward policy drop
                accept state established,related
                accept in %s out %s tcp to 10.2.0.2 port 8000
                """.formatted(a0, b0));
        String java = ProcessHandle.current().info().command().orElse("java");
        router = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "org.netstack4j.cli.Main", "route",
                "--tun", a0 + "=10.1.0.1/24", "--tun", b0 + "=10.2.0.1/24", "--firewall", rules.toString(), "--masquerade", b0)
                .redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(router.getInputStream(), StandardCharsets.UTF_8));
        List<String> lines = new ArrayList<>();
        String line;
        while ((line = out.readLine()) != null && !line.contains("Ctrl-C")) lines.add(line);
        assertTrue(line != null, "route started: " + lines);
        String[][] sides = {{a0, nsA, "10.1.0.2/24", "10.1.0.1"}, {b0, nsB, "10.2.0.2/24", "10.2.0.1"}};
        for (String[] s : sides) {
            sh("ip", "link", "set", s[0], "netns", s[1]);
            sh("ip", "-n", s[1], "addr", "add", s[2], "dev", s[0]);
            sh("ip", "-n", s[1], "link", "set", s[0], "up");
            sh("ip", "-n", s[1], "route", "add", "default", "via", s[3]);
        }
        Path file = dir.resolve("data.bin");
        byte[] data = new byte[20 << 20];
        new java.util.SplittableRandom(5).nextBytes(data);
        Files.write(file, data);
        Path log = dir.resolve("server.log");
        server = new ProcessBuilder("ip", "netns", "exec", nsB, "python3", "-m", "http.server", "8000", "--bind", "10.2.0.2")
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean up = false;
        for (int i = 0; i < 100 && !up; i++) {
            up = LinuxNet.exec(List.of("ip", "netns", "exec", nsB, "curl", "-s", "-o", "/dev/null", "http://10.2.0.2:8000/")).exitCode() == 0;
            if (!up) Thread.sleep(100);
        }
        assumeTrue(up, "python3 -m http.server did not start in namespace B");
        String sum = sh("ip", "netns", "exec", nsA, "sh", "-c", "curl -sS --max-time 30 http://10.2.0.2:8000/data.bin | sha256sum").split(" ")[0];
        assertEquals(sh("sha256sum", file.toString()).split(" ")[0], sum, "20 MB intact through netstack4j route");
        // not allowed by the rule file: B's port 8001 (nothing listens, but the SYN never gets there)
        var refused = LinuxNet.exec(List.of("ip", "netns", "exec", nsA, "curl", "-sS", "--max-time", "2", "http://10.2.0.2:8001/"));
        assertEquals(28, refused.exitCode(), "dropped by the firewall: a timeout, not a refusal: " + refused);
        String seen = Files.readString(log);
        assertTrue(seen.contains("10.2.0.1 - - ") && seen.contains("GET /data.bin"), "B's server saw netstack4j's address: " + seen);
        sh("kill", "-TERM", Long.toString(router.pid())); // as Ctrl-C: the shutdown hook prints the counters
        StringBuilder rest = new StringBuilder();
        while ((line = out.readLine()) != null) rest.append(line).append('\n');
        assertTrue(router.waitFor(20, TimeUnit.SECONDS));
        assertTrue(rest.toString().matches("(?s).*ipv4\\.fwd\\.datagrams\\s+\\d{5,}.*"), "counters: " + rest);
        assertTrue(rest.toString().contains("ipv4.filtered.forward"), "the firewall's drops: " + rest);
    }
}
