package org.netstack4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.netstack4j.linux.LinuxNet;
import org.netstack4j.linux.TunHost;
import org.netstack4j.linux.TunShards;
import org.netstack4j.socket.TcpServerSocket;
import org.netstack4j.tcp.TcpConfig;

/**
 * netstack4j against the Linux kernel's TCP over a real TUN interface. The TUN is opened by this
 * JVM in the root namespace and moved into a namespace of its own ({@code ip link set dev X netns
 * NS}); the kernel's side (10.213.7.1/24) and its tools (curl, python3 -m http.server, ping) live
 * in that namespace, so no test traffic touches the host's interfaces. netstack4j is 10.213.7.2.
 * Needs root, /dev/net/tun, ip, curl and python3; skips with the reason otherwise. This class runs
 * what {@code serve} runs by default on a 2-CPU machine: offloads and the TUN opened as two queues
 * (two shards, the HTTP server listening on both); {@link TunInteropPlainTest} runs it all again
 * with one plain queue.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TunInteropTest {
    private static final String KERNEL = "10.213.7.1";
    private static final String US = "10.213.7.2";
    private static final int PY_PORT = 8000;
    private static final String[] FILES = {"zero.bin", "1k.bin", "10m.bin"};

    private static String ns;
    private static Path dir;
    private static Path files;
    private static TunShards shards;
    /** Shard 0: where netstack4j's own connections (get) start. */
    private static TunHost host;
    private static ConnectionServer http;
    private static Process python;
    private static String curl;

    /** Whether this run uses the TUN's offloads (TunInteropPlainTest runs everything again without). */
    private static boolean offload;

    @BeforeAll
    static void setUp() throws Exception {
        open(true);
    }

    /** Sets up the namespace, the TUN host (with or without offloads) and the servers. */
    static void open(boolean withOffload) throws Exception {
        offload = withOffload;
        String why = LinuxNet.whyUnavailable();
        assumeTrue(why == null, "interop tests need a real TUN: " + why);
        curl = LinuxNet.findOnPath("curl");
        assumeTrue(curl != null, "interop tests need curl: apt-get install curl (scripts/install-deps.sh)");
        String py = LinuxNet.findOnPath("python3");
        assumeTrue(py != null, "interop tests need python3 (scripts/install-deps.sh)");

        dir = Files.createTempDirectory("nsj-interop");
        files = Files.createDirectory(dir.resolve("www"));
        Random rnd = new Random(4213);
        write("zero.bin", 0, rnd);
        write("1k.bin", 1024, rnd);
        write("10m.bin", 10 << 20, rnd);
        write("100k.bin", 100 << 10, rnd);

        long pid = ProcessHandle.current().pid();
        ns = "nsj-interop-" + (withOffload ? "" : "p") + pid;
        LinuxNet.netnsAdd(ns);
        LinuxNet.linkUp(ns, "lo");
        shards = TunHost.builder("nsji" + (withOffload ? "" : "p") + pid % 100000).address(US + "/24").hostAddress(KERNEL + "/24").netns(ns)
                .offload(withOffload).seed(7).pcap(dir.resolve("tun.pcap"))
                .tcpConfig(TcpConfig.defaults().withLimits(lm -> lm.withSynQueueLimit(1024)).withBuffers(bf -> bf.withReceiveBufferSize(1 << 20).withSendBufferSize(1 << 20)))
                .openShards(withOffload ? 2 : 1);
        assertEquals(null, shards.fallback(), "this kernel accepts IFF_MULTI_QUEUE");
        host = shards.first();
        List<TcpServerSocket> servers = new ArrayList<>();
        for (TunHost h : shards.shards()) servers.add(new TcpServerSocket(h.net(), 80, 1024));
        HttpFileServer files = new HttpFileServer(TunInteropTest.files, null);
        http = new ConnectionServer(servers, shards.shards().stream().map(TunHost::loop).toList(),
                s -> files.serve(s.getInputStream(), s.getOutputStream(), "peer"), null, Integer.MAX_VALUE, null);
        http.start();
        // Its request log goes to a file: a pipe nobody reads would fill up and stall the server.
        python = startHttpServer(ns, py, PY_PORT, KERNEL, TunInteropTest.files, dir);
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (http != null) http.close(1000);
        stop(python);
        if (shards != null) shards.close();
        if (ns != null) LinuxNet.netnsDeleteQuietly(ns);
        deleteTree(dir);
    }

    private static void write(String name, int size, Random rnd) throws IOException { writeRandom(files, name, size, rnd); }

    /** Python's http.server in {@code netns} on {@code bind}:{@code port} serving {@code files}; its log goes to dir/python.log. */
    static Process startHttpServer(String netns, String python, int port, String bind, Path files, Path dir) throws IOException {
        return new ProcessBuilder(LinuxNet.ipCommand(), "netns", "exec", netns, python, "-m", "http.server", Integer.toString(port),
                "--bind", bind, "--directory", files.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("python.log").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    }

    /** Stops a helper process: politely, then by force after 5 s. */
    static void stop(Process p) throws InterruptedException {
        if (p == null) return;
        p.destroy();
        p.waitFor(5, TimeUnit.SECONDS);
        p.destroyForcibly();
    }

    /** Deletes a test's temporary directory (null: nothing). */
    static void deleteTree(Path dir) throws IOException {
        if (dir == null) return;
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** dir/www with zero.bin, 1k.bin and 10m.bin of random bytes from {@code seed}, the IPv6 tests' files; returns www. */
    static Path writeIpv6Files(Path dir, long seed) throws IOException {
        Path www = Files.createDirectory(dir.resolve("www"));
        Random rnd = new Random(seed);
        writeRandom(www, "zero.bin", 0, rnd);
        writeRandom(www, "1k.bin", 1024, rnd);
        writeRandom(www, "10m.bin", 10 << 20, rnd);
        return www;
    }

    /** {@code size} random bytes as files/name. */
    static void writeRandom(Path files, String name, int size, Random rnd) throws IOException {
        byte[] b = new byte[size];
        rnd.nextBytes(b);
        Files.write(files.resolve(name), b);
    }

    static String sha(Path p) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (var in = Files.newInputStream(p)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** Runs a command in the namespace; returns exit code and merged output. */
    private static String[] inNs(int timeoutSeconds, String... cmd) throws Exception {
        return in(ns, dir, timeoutSeconds, cmd);
    }

    /** Runs a command in namespace {@code netns} (its output in a file under {@code dir}); exit code (or "timeout") and merged output. */
    static String[] in(String netns, Path dir, int timeoutSeconds, String... cmd) throws Exception {
        List<String> full = new ArrayList<>(List.of(LinuxNet.ipCommand(), "netns", "exec", netns));
        full.addAll(List.of(cmd));
        Path log = Files.createTempFile(dir, "cmd", ".log");
        Process p = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
            return new String[] {"timeout", Files.readString(log)};
        }
        return new String[] {Integer.toString(p.exitValue()), Files.readString(log)};
    }

    private static void curlDownloads(String label) throws Exception {
        for (String f : FILES) {
            Path out = dir.resolve("curl-" + label + "-" + f);
            long t0 = System.nanoTime();
            String[] r = inNs(60, curl, "-sS", "--fail", "--max-time", "50", "-o", out.toString(), "http://" + US + "/" + f);
            long ns = System.nanoTime() - t0;
            assertEquals("0", r[0], "curl " + f + " (" + label + "): " + r[1]);
            assertEquals(sha(files.resolve(f)), sha(out), "SHA-256 of " + f + " fetched by curl (" + label + ")");
            report("curl <- netstack4j", label, f, Files.size(out), ns);
        }
    }

    private static void report(String what, String label, String f, long bytes, long nanos) {
        System.out.printf(Locale.ROOT, "[interop] %s %s %s: %d bytes in %.3f s (%.1f Mbit/s)%n",
                what, label, f, bytes, nanos / 1e9, nanos > 0 ? bytes * 8e3 / nanos : 0);
    }

    private static void getDownloads(String label) throws Exception {
        awaitPython();
        for (String f : FILES) {
            HttpGet.Url url = HttpGet.Url.parse("http://" + KERNEL + ":" + PY_PORT + "/" + f);
            HttpGet.Response r = HttpGet.get(host.net(), url, OutputStream.nullOutputStream(), HttpGet.Progress.NONE, 30_000);
            assertEquals(200, r.status(), "status for " + f + " (" + label + ")");
            assertEquals(Files.size(files.resolve(f)), r.bytes(), "bytes of " + f + " (" + label + ")");
            assertEquals(sha(files.resolve(f)), r.sha256(), "SHA-256 of " + f + " fetched by netstack4j (" + label + ")");
            report("netstack4j get <- python", label, f, r.bytes(), r.nanos());
        }
    }

    private static void awaitPython() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        IOException last = null;
        while (System.nanoTime() < deadline) {
            assertTrue(python.isAlive(), () -> "python3 -m http.server died: " + pythonLog());
            try {
                HttpGet.get(host.net(), HttpGet.Url.parse("http://" + KERNEL + ":" + PY_PORT + "/1k.bin"),
                        OutputStream.nullOutputStream(), HttpGet.Progress.NONE, 1000);
                return;
            } catch (IOException e) {
                last = e;
                Thread.sleep(200);
            }
        }
        throw new AssertionError("python3 -m http.server never answered", last);
    }

    private static String pythonLog() {
        try {
            return Files.readString(dir.resolve("python.log"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Test @Order(1)
    void kernelPingGetsRepliesFromNetstack4j() throws Exception {
        String ping = LinuxNet.findOnPath("ping");
        assumeTrue(ping != null, "needs the ping command: apt-get install iputils-ping");
        String[] r = inNs(20, ping, "-c", "3", "-i", "0.2", "-W", "2", US);
        assertEquals("0", r[0], r[1]);
        assertTrue(r[1].contains("3 received"), r[1]);
    }

    @Test @Order(2)
    void curlDownloadsFromNetstack4jHttpServer() throws Exception {
        curlDownloads("no loss");
    }

    @Test @Order(3)
    void netstack4jGetDownloadsFromPythonHttpServer() throws Exception {
        getDownloads("no loss");
    }

    @Test @Order(4)
    void hundredConcurrentCurlDownloads() throws Exception {
        Path out = Files.createDirectory(dir.resolve("parallel"));
        List<String> cmd = new ArrayList<>(List.of(curl, "-sS", "--fail", "--parallel", "--parallel-immediate",
                "--parallel-max", "100", "--max-time", "50"));
        for (int i = 0; i < 100; i++) {
            cmd.add("-o");
            cmd.add(out.resolve("f" + i).toString());
            cmd.add("http://" + US + "/100k.bin?i=" + i);
        }
        long before = http.accepted();
        long t0 = System.nanoTime();
        String[] r = inNs(60, cmd.toArray(String[]::new));
        long nanos = System.nanoTime() - t0;
        assertEquals("0", r[0], "curl --parallel: " + r[1]);
        String want = sha(files.resolve("100k.bin"));
        for (int i = 0; i < 100; i++) assertEquals(want, sha(out.resolve("f" + i)), "download " + i);
        assertTrue(http.accepted() - before >= 100, "connections accepted: " + (http.accepted() - before));
        report("100 parallel curl <- netstack4j", "no loss", "100k.bin x100", 100L * (100 << 10), nanos);
        System.out.println("[interop] most connections served at once: " + http.peakActive());
        assertTrue(http.peakActive() >= 10, "downloads ran one after another: at most " + http.peakActive() + " at once");
    }

    /** Loss on every shard. */
    private static void setLoss(double p) {
        for (TunHost h : shards.shards()) h.setLoss(p);
    }

    /** Frames the fault injectors of all shards dropped. */
    private static long lost() {
        return shards.onEach(h -> h.faults().lost()).stream().mapToLong(Long::longValue).sum();
    }

    @Test @Order(5)
    void curlDownloadsWithTwoPercentLoss() throws Exception {
        setLoss(0.02);
        try {
            curlDownloads("2% loss");
        } finally {
            setLoss(0);
        }
        System.out.println("[interop] netstack4j counters after the lossy curl runs: " + shards.counters().entrySet().stream()
                .filter(e -> e.getKey().startsWith("tcp.") || e.getKey().matches("q\\d+\\.tcp\\..*")).toList());
        assertTrue(lost() > 0, "the fault injector dropped nothing");
    }

    @Test @Order(6)
    void netstack4jGetWithTwoPercentLoss() throws Exception {
        long lostBefore = lost();
        setLoss(0.02);
        try {
            getDownloads("2% loss");
        } finally {
            setLoss(0);
        }
        assertTrue(lost() > lostBefore, "the fault injector dropped nothing");
    }

    @Test @Order(8)
    void offloadsWereAgreedAndUsedBothWaysOrNotAtAll() throws Exception {
        var agreed = host.tun().offloads();
        for (TunHost h : shards.shards()) assertEquals(agreed, h.tun().offloads(), "queue " + h.shard() + " agreed to the same offloads");
        var stats = shards.onEach(h -> h.tun().offloadStats()).stream().reduce((a, b) -> new org.netstack4j.linux.TunOffload.Stats(
                a.rxSuperPackets() + b.rxSuperPackets(), a.rxChecksumsCompleted() + b.rxChecksumsCompleted(), a.rxMalformed() + b.rxMalformed(),
                a.txSuperPackets() + b.txSuperPackets(), a.txSegmentsCoalesced() + b.txSegmentsCoalesced())).orElseThrow();
        System.out.println("[interop] offloads " + agreed + " on " + shards.size() + " queue(s): " + stats);
        if (!offload) {
            assertEquals(org.netstack4j.linux.TunOffload.Offloads.OFF, agreed);
            assertEquals(0, stats.txSuperPackets() + stats.rxSuperPackets());
            return;
        }
        assertTrue(agreed.vnetHeader(), "the kernel refused IFF_VNET_HDR");
        assumeTrue(agreed.has(org.netstack4j.linux.TunOffload.TUN_F_TSO4), "the kernel did not agree to TSO4: " + agreed);
        assertTrue(stats.txSuperPackets() > 0, "netstack4j wrote no GSO super-packet: " + stats);
        assertTrue(stats.rxSuperPackets() > 0, "the kernel sent no GSO super-packet: " + stats);
        assertEquals(0, stats.rxMalformed(), "malformed vnet headers: " + stats);
    }

    @Test @Order(7)
    void captureHasNoMalformedPacketsOrBadChecksums() throws Exception {
        for (TunHost h : shards.shards()) {
            h.flushPcap();
            // with several queues, queue K captures to tun.qK.pcap
            String f = shards.size() == 1 ? "tun.pcap" : "tun.q" + h.shard() + ".pcap";
            checkCapture(dir.resolve(f), "tun-interop-failure-" + (offload ? "offload" : "plain") + "-q" + h.shard());
        }
    }

    /**
     * tshark options that hand every TCP and UDP payload to the "data" dissector ({@link #checkCapture}):
     * Decode As over all ports, which goes before the port tables and the heuristics (tshark 4.0
     * has no --disable-protocol ALL; it ignores the word).
     */
    static final List<String> PAYLOAD_AS_DATA = List.of("-d", "tcp.port==1-65535,data", "-d", "udp.port==1-65535,data");

    /**
     * tshark finds no malformed packet and no bad IP or TCP checksum in {@code pcap}, and verifies
     * most TCP checksums of its first 2000 packets; on failure the capture is kept as
     * target/{@code keptAs}.pcap and the first bad frame is dissected in the message.
     */
    static void checkCapture(Path pcap, String keptAs) throws Exception {
        String tshark = LinuxNet.findOnPath("tshark");
        assumeTrue(tshark != null, "needs tshark: apt-get install tshark (scripts/install-deps.sh)");
        Path errLog = Files.createTempFile("nsj-tshark", ".err");
        // TCP stream reassembly off: with loss, tshark's HTTP reassembly reports retransmissions that
        // straddle a reassembled PDU as "Reassembly error ... overlaps old data" under _ws.malformed;
        // that is about its reassembly bookkeeping, not about any one packet. Headers, options and
        // checksums of every packet are still dissected and checked.
        // No application dissector (every payload is "data"): this check is about IP and TCP, and the
        // application dissectors kept taking random test payloads for their protocols and marking
        // them malformed (HTTP: a segment starting with CR LF, about 1 run in 10; IRC: upload
        // segments to port 80; EtherCAT: a client whose ephemeral port was 34980, EtherCAT's UDP/TCP
        // port, in CI on 2026-12-08). Disabling them one by one missed the next one. The
        // malformed-packet check (_ws.malformed) still works for IP and TCP (checked on a TCP header
        // whose data offset runs past the packet).
        List<String> cmd = new ArrayList<>(List.of(tshark, "-n", "-r", pcap.toString()));
        cmd.addAll(PAYLOAD_AS_DATA);
        cmd.addAll(List.of("-o", "tcp.desegment_tcp_streams:FALSE",
                "-o", "ip.check_checksum:TRUE",
                // Wireshark's checksum status: 0 bad, 1 good, 2 unverified
                // a TCP segment quoted in an ICMP error is cut (IPv6 Packet Too Big: to 1280 bytes), so
                // its checksum cannot add up; such frames are still checked for being malformed
                // A TCP checksum of 0xFFFF where 0x0000 was computed is the same number in one's complement
                // (RFC 1624 3): Linux writes it now and then (1 of 43,341 kernel segments in one capture)
                // and every receiver accepts it; Wireshark marks it bad, so it is let through here.
                "-o", "tcp.check_checksum:TRUE", "-Y", "ip.checksum.status==0 || (tcp.checksum.status==0 && !icmp && !icmpv6"
                        + " && !(tcp.checksum==0xffff && tcp.checksum_calculated==0x0000)) || _ws.malformed"));
        Process p = new ProcessBuilder(cmd).redirectError(errLog.toFile()).start();
        ByteArrayOutputStream bad = new ByteArrayOutputStream();
        p.getInputStream().transferTo(bad);
        assertTrue(p.waitFor(90, TimeUnit.SECONDS), "tshark did not finish");
        assertEquals(0, p.exitValue(), "tshark failed: " + Files.readString(errLog));
        Files.deleteIfExists(errLog);
        String badList = bad.toString(StandardCharsets.UTF_8);
        if (!badList.isEmpty()) {
            // keep the evidence: the capture outlives the test's directory, and the first bad
            // frame is dissected in full in the failure message
            Path kept = Path.of("target", keptAs + ".pcap").toAbsolutePath();
            Files.createDirectories(kept.getParent());
            Files.copy(pcap, kept, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            String first = badList.strip().split("\\s+", 2)[0];
            List<String> show = new ArrayList<>(List.of(tshark, "-n", "-r", pcap.toString()));
            show.addAll(PAYLOAD_AS_DATA);
            show.addAll(List.of("-o", "tcp.desegment_tcp_streams:FALSE",
                    "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-V", "-x",
                    "-Y", "frame.number==" + first));
            Process v = new ProcessBuilder(show).redirectErrorStream(true).start();
            String detail = new String(v.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            v.waitFor(60, TimeUnit.SECONDS);
            fail("tshark found bad packets in " + Files.size(pcap) + " bytes of capture (kept as " + kept + "):\n"
                    + badList + "\nfirst bad frame:\n" + detail);
        }
        // The same filter must see the packets at all: count TCP segments with a verified checksum.
        Process count = new ProcessBuilder(tshark, "-n", "-r", pcap.toString(), "-c", "2000", "-o", "tcp.check_checksum:TRUE",
                "-Y", "tcp.checksum.status==1", "-T", "fields", "-e", "frame.number")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        long good = new String(count.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).lines().count();
        assertTrue(count.waitFor(60, TimeUnit.SECONDS));
        assertTrue(good > 1000, "tshark verified only " + good + " of the first 2000 packets' TCP checksums");
        System.out.printf("[interop] pcap %d bytes checked by tshark%n", Files.size(pcap));
    }
}
