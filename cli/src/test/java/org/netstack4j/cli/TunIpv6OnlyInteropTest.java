package org.netstack4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.netstack4j.linux.LinuxNet;

/**
 * The CLI on IPv6-only TUNs (issue 13): no IPv4 address on netstack4j's side nor on the kernel's.
 * {@code netstack4j serve --http DIR --tun A --address fd00:213:26::2/64 --host-address
 * fd00:213:26::1/64} runs as its own process (the command as a user runs it); {@code curl -6}
 * downloads 0 B, 1 KB and 10 MB from it intact and the kernel's {@code ping -6} reaches it;
 * {@code netstack4j get http://[fd00:213:27::1]:8000/10m.bin} on a second IPv6-only TUN fetches
 * from {@code python3 -m http.server --bind ::} intact, and {@code netstack4j ping} on a third
 * reaches the kernel over ICMPv6. Everything kernel-side lives in a namespace the test makes;
 * tshark finds nothing malformed and no IPv4 packet in serve's capture. Needs root,
 * /dev/net/tun, ip, curl, ping and python3; skips with the reason otherwise.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TunIpv6OnlyInteropTest {
    private static final String SERVE_US = "fd00:213:26::2", SERVE_KERNEL = "fd00:213:26::1";
    private static final String GET_US = "fd00:213:27::2", GET_KERNEL = "fd00:213:27::1";
    private static final String PING_US = "fd00:213:28::2", PING_KERNEL = "fd00:213:28::1";
    private static final int PY_PORT = 8000;
    private static final String[] FILES = {"zero.bin", "1k.bin", "10m.bin"};

    private static String ns;
    private static Path dir;
    private static Path files;
    private static Process serve;
    private static Process python;
    private static String curl;
    private static String tunPrefix;

    @BeforeAll
    static void setUp() throws Exception {
        String why = LinuxNet.whyUnavailable();
        assumeTrue(why == null, "interop tests need a real TUN: " + why);
        curl = Tools.require("curl", "curl");
        String py = Tools.require("python3", "python3");

        dir = Files.createTempDirectory("nsj-interop6only");
        files = TunInteropTest.writeIpv6Files(dir, 1326);

        long pid = ProcessHandle.current().pid();
        ns = "nsj-v6only-" + pid;
        tunPrefix = "n6o" + pid % 100000;
        LinuxNet.netnsAdd(ns);
        LinuxNet.linkUp(ns, "lo");

        // `netstack4j serve` as its own JVM, on the test's class path
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), "org.netstack4j.cli.Main",
                "serve", "--http", files.toString(), "--tun", tunPrefix + "s", "--address", SERVE_US + "/64",
                "--host-address", SERVE_KERNEL + "/64", "--netns", ns, "--pcap", dir.resolve("serve.pcap").toString(), "--quiet"));
        serve = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("serve.log").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        python = TunInteropTest.startHttpServer(ns, py, PY_PORT, "::", files, dir);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && !log("serve.log").contains("serving files under")) {
            assertTrue(serve.isAlive(), () -> "serve exited: " + log("serve.log"));
            Thread.sleep(100);
        }
        assertTrue(log("serve.log").contains("serving files under"), () -> "serve never started: " + log("serve.log"));
    }

    @AfterAll
    static void tearDown() throws Exception {
        TunInteropTest.stop(serve); // SIGTERM: its shutdown hook closes the TUN and the capture
        TunInteropTest.stop(python);
        if (ns != null) LinuxNet.netnsDeleteQuietly(ns);
        TunInteropTest.deleteTree(dir);
    }

    private static String log(String name) {
        try {
            return Files.readString(dir.resolve(name));
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static String[] in(int timeoutSeconds, String... cmd) throws Exception {
        return TunInteropTest.in(ns, dir, timeoutSeconds, cmd);
    }

    @Test @Order(1)
    void serveIsIpv6OnlyAndSaysHowToReachIt() {
        String banner = log("serve.log");
        assertTrue(banner.contains("netstack4j " + SERVE_US + "/64 on " + tunPrefix + "s port 80"), banner);
        assertTrue(banner.contains("curl http://[" + SERVE_US + "]/"), banner);
        assertFalse(banner.contains("curl http://null"), banner);
    }

    @Test @Order(2)
    void kernelPing6ReachesServe() throws Exception {
        String ping = Tools.require("ping", "iputils-ping");
        String[] r = in(20, ping, "-6", "-c", "3", "-i", "0.2", "-W", "2", SERVE_US);
        assertEquals("0", r[0], r[1]);
        assertTrue(r[1].contains("3 received"), r[1]);
    }

    @Test @Order(3)
    void curl6DownloadsFromServeIntact() throws Exception {
        for (String f : FILES) {
            Path out = dir.resolve("curl-" + f);
            String[] r = in(90, curl, "-6", "-g", "-sS", "--fail", "--max-time", "80", "-o", out.toString(), "http://[" + SERVE_US + "]/" + f);
            assertEquals("0", r[0], "curl -6 " + f + ": " + r[1] + "\nserve: " + log("serve.log"));
            assertEquals(TunInteropTest.sha(files.resolve(f)), TunInteropTest.sha(out), "SHA-256 of " + f + " fetched by curl -6");
        }
    }

    @Test @Order(4)
    void getDownloadsFromPythonOnAnIpv6OnlyTun() throws Exception {
        awaitPython();
        Path out = dir.resolve("get-10m.bin");
        Cli r = Cli.run("get", "http://[" + GET_KERNEL + "]:" + PY_PORT + "/10m.bin", "-o", out.toString(), "--tun", tunPrefix + "g",
                "--address", GET_US + "/64", "--host-address", GET_KERNEL + "/64", "--netns", ns, "--timeout", "60");
        assertEquals(0, r.status(), r.out() + r.err() + "\npython: " + log("python.log"));
        assertTrue(r.out().contains("netstack4j " + GET_US + "/64"), r.out());
        assertTrue(r.out().contains("HTTP/1.") && r.out().contains(" 200 "), r.out());
        assertEquals(TunInteropTest.sha(files.resolve("10m.bin")), TunInteropTest.sha(out), "SHA-256 of 10m.bin fetched by netstack4j get");
        assertTrue(r.out().contains("sha256 " + TunInteropTest.sha(files.resolve("10m.bin"))), r.out());
    }

    /** python3 -m http.server answers on [GET_KERNEL]:8000 (the address exists once get's TUN has it, so ask on the loopback). */
    private static void awaitPython() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            assertTrue(python.isAlive(), () -> "python3 -m http.server died: " + log("python.log"));
            if ("0".equals(in(5, curl, "-6", "-g", "-s", "-o", "/dev/null", "http://[::1]:" + PY_PORT + "/1k.bin")[0])) return;
            Thread.sleep(200);
        }
        throw new AssertionError("python3 -m http.server --bind :: never answered: " + log("python.log"));
    }

    @Test @Order(5)
    void pingCommandReachesTheKernelOverAnIpv6OnlyTun() {
        Cli r = Cli.run("ping", PING_KERNEL, "--tun", tunPrefix + "p", "--address", PING_US + "/64", "--host-address", PING_KERNEL + "/64",
                "--netns", ns, "--count", "3", "--interval", "200");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("from netstack4j " + PING_US), r.out());
        assertTrue(r.out().contains("3 packets transmitted, 3 received"), r.out());
    }

    @Test @Order(6)
    void serveCaptureIsWellFormedAndHasNoIpv4() throws Exception {
        TunInteropTest.stop(serve); // closes the capture
        Path pcap = dir.resolve("serve.pcap");
        assertTrue(Files.size(pcap) > 10 << 20, "the capture holds the downloads");
        TunInteropTest.checkCapture(pcap, "tun-ipv6-only-interop-failure");
        String tshark = Tools.require("tshark", "tshark");
        String v4 = Tools.run(tshark, "-n", "-r", pcap.toString(), "-Y", "ip || arp", "-T", "fields", "-e", "frame.number");
        assertEquals("", v4.strip(), "IPv4 packets on an IPv6-only TUN");
        long v6 = Tools.run(tshark, "-n", "-r", pcap.toString(), "-c", "5000", "-Y", "ipv6 && tcp", "-T", "fields", "-e", "frame.number")
                .lines().count();
        assertTrue(v6 > 1000, "the capture has only " + v6 + " IPv6 TCP packets among its first 5000");
    }
}
