package org.netstack4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.netstack4j.filter.ConnTrackConfig;
import org.netstack4j.filter.NatConfig;
import org.netstack4j.filter.Netfilter;
import org.netstack4j.filter.RuleSet;
import org.netstack4j.trace.Counters;
import org.netstack4j.wire.Ipv4Address;

/**
 * The kernel on both sides of a netstack4j {@link TunRouter}. Topology (the simplest correct one):
 * the JVM stays in the root namespace and opens two TUNs there; each TUN is then moved into a
 * namespace of its own, A or B ({@code ip link set X netns A}: the TUN's descriptor keeps
 * working across the move), where the kernel side gets 10.1.0.2/24 (A) or 10.2.0.2/24 (B) and
 * a default route via netstack4j's address on that TUN (10.1.0.1, 10.2.0.1). A packet from A to
 * B thus goes: A's kernel -> TUN -> netstack4j (forwarding) -> TUN -> B's kernel.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class TunRouterInteropTest {
    static final Ipv4Cidr R_A = Ipv4Cidr.parse("10.1.0.1/24"), K_A = Ipv4Cidr.parse("10.1.0.2/24"),
            R_B = Ipv4Cidr.parse("10.2.0.1/24"), K_B = Ipv4Cidr.parse("10.2.0.2/24");

    String nsA, nsB;
    TunRouter router;
    Process server;

    @BeforeEach void namespaces() throws IOException {
        RootEnv.requirePing();
        nsA = RootEnv.netnsName();
        nsB = RootEnv.netnsName();
        LinuxNet.run("ip", "netns", "add", nsA);
        LinuxNet.run("ip", "netns", "add", nsB);
        LinuxNet.linkUp(nsA, "lo");
        LinuxNet.linkUp(nsB, "lo");
    }

    @AfterEach void cleanUp() throws Exception {
        if (server != null) server.destroyForcibly().waitFor();
        if (router != null) router.close();
        for (String ns : new String[] {nsA, nsB}) if (ns != null) LinuxNet.exec(List.of("ip", "netns", "del", ns));
    }

    void open(Netfilter nf) throws IOException {
        router = TunRouter.open(List.of(
                new TunRouter.Port(RootEnv.ifName('a'), R_A, nsA, K_A),
                new TunRouter.Port(RootEnv.ifName('b'), R_B, nsB, K_B)), nf, null, 7);
    }

    static String inNs(String ns, String... cmd) throws IOException {
        List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        c.addAll(List.of(cmd));
        return LinuxNet.run(c);
    }

    @Test void pingTracerouteAndA100MbTransfer(@TempDir Path dir) throws Exception {
        open(null);
        String ping = inNs(nsA, "ping", "-c", "3", "-i", "0.2", "-W", "2", K_B.address().toString());
        assertTrue(ping.contains("ttl=63"), "one hop through netstack4j: " + ping);
        String tr = LinuxNet.findOnPath("traceroute");
        if (tr != null) {
            String out = inNs(nsA, tr, "-n", "-q", "1", "-w", "2", "-m", "3", K_B.address().toString());
            String[] lines = out.strip().split("\n");
            assertTrue(lines.length >= 3 && lines[1].trim().startsWith("1  10.1.0.1"), "first hop is netstack4j: " + out);
            assertTrue(lines[2].trim().startsWith("2  10.2.0.2"), "then B: " + out);
        } else {
            System.err.println("TunRouterInteropTest: traceroute not installed (scripts/install-deps.sh); that check skipped");
        }
        Path file = dir.resolve("big.bin");
        byte[] chunk = new byte[1 << 20];
        new java.util.SplittableRandom(3).nextBytes(chunk);
        try (var out = Files.newOutputStream(file)) { for (int i = 0; i < 100; i++) { chunk[0] = (byte) i; out.write(chunk); } }
        Path log = dir.resolve("server.log");
        server = new ProcessBuilder("ip", "netns", "exec", nsB, "python3", "-m", "http.server", "8000", "--bind", "10.2.0.2")
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        waitForServer();
        long t0 = System.nanoTime();
        String sum = inNs(nsA, "sh", "-c", "curl -sS --max-time 60 http://10.2.0.2:8000/big.bin | sha256sum").split(" ")[0];
        double secs = (System.nanoTime() - t0) / 1e9;
        String want = LinuxNet.run("sha256sum", file.toString()).split(" ")[0];
        assertEquals(want, sum, "100 MB intact through netstack4j");
        System.err.printf(java.util.Locale.ROOT, "TunRouterInteropTest: 100 MB through netstack4j route in %.2f s (%.0f Mbit/s)%n",
                secs, 100 * 8.0 * 1.048576 / secs);
        Map<String, Long> c = router.counters();
        assertTrue(c.getOrDefault("ipv4.fwd.datagrams", 0L) > 70_000, "forwarded: " + c);
    }

    /**
     * Two queues per TUN, a stack and loop each: 16 parallel iperf3 flows spread over both shards
     * (the kernel picks a flow's queue by its symmetric hash, then follows our writes), and each
     * flow stays on one: a 30 MB download is intact and every forwarded super-packet kept the
     * kernel's partial checksum (none summed).
     */
    @Test void twoQueuesForwardOnTwoShards(@TempDir Path dir) throws Exception {
        assumeTrue(LinuxNet.findOnPath("iperf3") != null, "needs iperf3 (scripts/install-deps.sh)");
        router = TunRouter.open(List.of(
                new TunRouter.Port(RootEnv.ifName('a'), R_A, nsA, K_A),
                new TunRouter.Port(RootEnv.ifName('b'), R_B, nsB, K_B)), null, null, 7, true, 2);
        assumeTrue(router.fallback() == null, () -> "no multi-queue TUN here: " + router.fallback());
        assertEquals(2, router.queues());
        String ping = inNs(nsA, "ping", "-c", "2", "-i", "0.2", "-W", "2", K_B.address().toString());
        assertTrue(ping.contains("ttl=63"), "one hop through netstack4j: " + ping);

        Path file = dir.resolve("big.bin");
        byte[] chunk = new byte[1 << 20];
        new java.util.SplittableRandom(5).nextBytes(chunk);
        try (var out = Files.newOutputStream(file)) { for (int i = 0; i < 30; i++) { chunk[0] = (byte) i; out.write(chunk); } }
        server = new ProcessBuilder("ip", "netns", "exec", nsB, "python3", "-m", "http.server", "8000", "--bind", "10.2.0.2")
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile()).start();
        waitForServer();
        String sum = inNs(nsA, "sh", "-c", "curl -sS --max-time 60 http://10.2.0.2:8000/big.bin | sha256sum").split(" ")[0];
        assertEquals(LinuxNet.run("sha256sum", file.toString()).split(" ")[0], sum, "30 MB intact through two shards");

        Process iperf = new ProcessBuilder("ip", "netns", "exec", nsB, "iperf3", "-s", "-B", "10.2.0.2").redirectErrorStream(true)
                .redirectOutput(dir.resolve("iperf3.log").toFile()).start();
        try {
            String tcp = "";
            for (int i = 0; i < 50 && !tcp.contains("\"sum_received\""); i++) {
                tcp = LinuxNet.exec(List.of("ip", "netns", "exec", nsA, "iperf3", "-c", "10.2.0.2", "-P", "16", "-t", "2", "-J")).stdout();
                if (!tcp.contains("\"sum_received\"")) Thread.sleep(100);
            }
            assertTrue(tcp.contains("\"sum_received\""), "iperf3 -P 16 ran: " + tcp);
        } finally {
            iperf.destroyForcibly().waitFor();
        }
        Map<String, Long> c = router.counters();
        assertTrue(c.getOrDefault("q0.ipv4.fwd.datagrams", 0L) > 1000 && c.getOrDefault("q1.ipv4.fwd.datagrams", 0L) > 1000,
                "both shards forwarded: " + c);
        long partial = c.entrySet().stream().filter(e -> !e.getKey().startsWith("q") && e.getKey().endsWith(".rx_checksums_left_partial"))
                .mapToLong(Map.Entry::getValue).sum();
        assertTrue(partial > 0 && c.getOrDefault("ipv4.fwd.gso_packets", 0L) > 0, "super-packets forwarded whole, not summed: " + c);
    }

    @Test void masqueradeHidesA(@TempDir Path dir) throws Exception {
        Map<String, Ipv4Address> addrs = Map.of();
        RuleSet rules = RuleSet.ACCEPT_ALL;
        // the B-side TUN's name is known only once the ports are named: name them first
        String a = RootEnv.ifName('a'), b = RootEnv.ifName('b');
        Netfilter nf = new Netfilter(rules, ConnTrackConfig.defaults(), List.of(NatConfig.masquerade(b, R_B.address())),
                addrs, new Counters());
        router = TunRouter.open(List.of(new TunRouter.Port(a, R_A, nsA, K_A), new TunRouter.Port(b, R_B, nsB, K_B)), nf, null, 7);
        Files.writeString(dir.resolve("hello.txt"), "hello\n");
        Path log = dir.resolve("server.log");
        server = new ProcessBuilder("ip", "netns", "exec", nsB, "python3", "-m", "http.server", "8000", "--bind", "10.2.0.2")
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        waitForServer();
        assertEquals("hello", inNs(nsA, "curl", "-sS", "--max-time", "10", "http://10.2.0.2:8000/hello.txt").strip());
        String seen = "";
        for (int i = 0; i < 50 && !seen.contains("GET /hello.txt"); i++) { Thread.sleep(100); seen = Files.readString(log); }
        assertTrue(seen.contains("10.2.0.1 - - ") && !seen.contains("10.1.0.2"), "B's server saw netstack4j's address: " + seen);
    }

    private void waitForServer() throws Exception {
        for (int i = 0; i < 100; i++) {
            if (LinuxNet.exec(List.of("ip", "netns", "exec", nsB, "curl", "-s", "-o", "/dev/null", "http://10.2.0.2:8000/")).exitCode() == 0) return;
            Thread.sleep(100);
        }
        assumeTrue(false, "python3 -m http.server did not start in namespace B");
    }
}
