package org.netstack4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.netstack4j.ip.EchoReplyListener;
import org.netstack4j.linux.LinuxNet;
import org.netstack4j.linux.TunHost;
import org.netstack4j.socket.TcpServerSocket;
import org.netstack4j.tcp.TcpConfig;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv6Address;

/**
 * netstack4j over IPv6 on a real TUN against the kernel (issue 13). One TUN carries both families
 * ({@code --address 10.213.16.2/24 --address fd00:213:16::2/64} and the kernel's side
 * {@code 10.213.16.1/24}, {@code fd00:213:16::1/64}); the kernel side and its tools live in a
 * namespace the test makes. Checked: ping6 both ways; curl -6 downloads 0 B, 1 KB and 10 MB from
 * netstack4j's HTTP server intact, also with 2% loss; netstack4j downloads from
 * {@code python3 -m http.server --bind ::}; a Packet Too Big from a kernel router (a second
 * namespace behind a 1280-byte route) lowers netstack4j's path MTU mid-transfer and the download
 * completes; tshark finds nothing malformed in the capture. Needs root, /dev/net/tun, ip, curl and
 * python3; skips with the reason otherwise.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TunIpv6InteropTest {
    private static final String KERNEL4 = "10.213.16.1";
    private static final String US4 = "10.213.16.2";
    private static final String KERNEL = "fd00:213:16::1";
    private static final String US = "fd00:213:16::2";
    /** The far side of the kernel router, on a link whose route MTU is 1280. */
    private static final String FAR = "fd00:213:17::2";
    private static final String FAR_ROUTER = "fd00:213:17::1";
    private static final int PY_PORT = 8000;
    private static final String[] FILES = {"zero.bin", "1k.bin", "10m.bin"};

    private static String ns;
    private static String farNs;
    private static Path dir;
    private static Path files;
    private static TunHost host;
    private static ConnectionServer http;
    private static Process python;
    private static String curl;

    @BeforeAll
    static void setUp() throws Exception {
        String why = LinuxNet.whyUnavailable();
        assumeTrue(why == null, "interop tests need a real TUN: " + why);
        curl = Tools.require("curl", "curl");
        String py = Tools.require("python3", "python3");

        dir = Files.createTempDirectory("nsj-interop6");
        files = TunInteropTest.writeIpv6Files(dir, 1306);

        long pid = ProcessHandle.current().pid();
        ns = "nsj-interop6-" + pid;
        LinuxNet.netnsAdd(ns);
        LinuxNet.linkUp(ns, "lo");
        host = TunHost.builder("nsj6i" + pid % 100000)
                .address(US4 + "/24").address(US + "/64").hostAddress(KERNEL4 + "/24").hostAddress(KERNEL + "/64")
                .netns(ns).seed(13).pcap(dir.resolve("tun6.pcap"))
                .tcpConfig(TcpConfig.defaults().withBuffers(bf -> bf.withReceiveBufferSize(1 << 20).withSendBufferSize(1 << 20)))
                .open();
        TcpServerSocket server = new TcpServerSocket(host.net(), 80, 1024);
        HttpFileServer fileServer = new HttpFileServer(files, null);
        http = new ConnectionServer(server, host.loop(), s -> fileServer.serve(s.getInputStream(), s.getOutputStream(), "peer"), null);
        http.start();
        python = TunInteropTest.startHttpServer(ns, py, PY_PORT, "::", files, dir);
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (http != null) http.close(1000);
        TunInteropTest.stop(python);
        if (host != null) host.close();
        if (farNs != null) LinuxNet.netnsDeleteQuietly(farNs);
        if (ns != null) LinuxNet.netnsDeleteQuietly(ns);
        TunInteropTest.deleteTree(dir);
    }

    private static String[] in(String netns, int timeoutSeconds, String... cmd) throws Exception {
        return TunInteropTest.in(netns, dir, timeoutSeconds, cmd);
    }

    /** curl -6 in {@code netns} fetches each file from netstack4j at {@code [address]} and gets it intact. */
    private static void curlDownloads(String netns, String address, String label, String... names) throws Exception {
        for (String f : names) {
            Path out = dir.resolve("curl-" + label.replace(' ', '_').replace('%', 'p') + "-" + f);
            long t0 = System.nanoTime();
            String[] r = in(netns, 90, curl, "-6", "-g", "-sS", "--fail", "--max-time", "80", "-o", out.toString(),
                    "http://[" + address + "]/" + f);
            long nanos = System.nanoTime() - t0;
            assertEquals("0", r[0], "curl -6 " + f + " (" + label + "): " + r[1]);
            assertEquals(TunInteropTest.sha(files.resolve(f)), TunInteropTest.sha(out), "SHA-256 of " + f + " fetched by curl -6 (" + label + ")");
            report("curl -6 <- netstack4j", label, f, Files.size(out), nanos);
        }
    }

    private static void report(String what, String label, String f, long bytes, long nanos) {
        System.out.printf(Locale.ROOT, "[interop6] %s %s %s: %d bytes in %.3f s (%.1f Mbit/s)%n",
                what, label, f, bytes, nanos / 1e9, nanos > 0 ? bytes * 8e3 / nanos : 0);
    }

    @Test @Order(1)
    void pingBothWaysOverIpv6() throws Exception {
        String ping = Tools.require("ping", "iputils-ping");
        String[] r = in(ns, 20, ping, "-6", "-c", "3", "-i", "0.2", "-W", "2", US);
        assertEquals("0", r[0], r[1]);
        assertTrue(r[1].contains("3 received"), r[1]);

        // netstack4j's ping6 to the kernel, as `netstack4j ping fd00:213:16::1 --tun ...` sends it
        int[] replies = {0};
        host.loop().call(() -> {
            host.host().ip().setEchoReplyListener(new EchoReplyListener() {
                @Override public void onEchoReply(long now, Ipv4Address from, int id, int seq, int ttl, byte[] data) {}
                @Override public void onEchoReply6(long now, Ipv6Address from, int id, int seq, int hopLimit, byte[] data) {
                    if (from.equals(Ipv6Address.parse(KERNEL)) && id == 77) replies[0]++;
                }
            });
            for (int seq = 1; seq <= 3; seq++) host.host().ip().ping6(host.loop().now(), Ipv6Address.parse(KERNEL), 77, seq, new byte[56], -1);
            return null;
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline && host.loop().call(() -> replies[0]) < 3) Thread.sleep(10);
        assertEquals(3, (int) host.loop().call(() -> replies[0]), "the kernel answers netstack4j's three echo requests");
        // and IPv4 still works on the same TUN
        String[] r4 = in(ns, 20, ping, "-c", "1", "-W", "2", US4);
        assertEquals("0", r4[0], r4[1]);
    }

    @Test @Order(2)
    void curl6DownloadsFromNetstack4jHttpServer() throws Exception {
        curlDownloads(ns, US, "no loss", FILES);
    }

    @Test @Order(3)
    void netstack4jGetDownloadsFromPythonOnIpv6() throws Exception {
        getDownloads("no loss");
    }

    private static void getDownloads(String label) throws Exception {
        awaitPython();
        for (String f : FILES) {
            HttpGet.Url url = HttpGet.Url.parse("http://[" + KERNEL + "]:" + PY_PORT + "/" + f);
            HttpGet.Response r = HttpGet.get(host.net(), url, OutputStream.nullOutputStream(), HttpGet.Progress.NONE, 30_000);
            assertEquals(200, r.status(), "status for " + f + " (" + label + ")");
            assertEquals(Files.size(files.resolve(f)), r.bytes(), "bytes of " + f + " (" + label + ")");
            assertEquals(TunInteropTest.sha(files.resolve(f)), r.sha256(), "SHA-256 of " + f + " fetched by netstack4j (" + label + ")");
            report("netstack4j get <- python --bind ::", label, f, r.bytes(), r.nanos());
        }
    }

    private static void awaitPython() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        IOException last = null;
        while (System.nanoTime() < deadline) {
            assertTrue(python.isAlive(), () -> "python3 -m http.server died: " + log("python.log"));
            try {
                HttpGet.get(host.net(), HttpGet.Url.parse("http://[" + KERNEL + "]:" + PY_PORT + "/1k.bin"),
                        OutputStream.nullOutputStream(), HttpGet.Progress.NONE, 1000);
                return;
            } catch (IOException e) {
                last = e;
                Thread.sleep(200);
            }
        }
        throw new AssertionError("python3 -m http.server --bind :: never answered over IPv6", last);
    }

    private static String log(String name) {
        try {
            return Files.readString(dir.resolve(name));
        } catch (IOException e) {
            return e.toString();
        }
    }

    /**
     * 2% loss each way: netem on the kernel's side of the TUN (its egress, toward netstack4j) where
     * the kernel has sch_netem, plus netstack4j's own fault injector (both directions; the only
     * loss where netem is missing).
     */
    @Test @Order(4)
    void downloadsBothWaysWithTwoPercentLoss() throws Exception {
        String tc = LinuxNet.findOnPath("tc");
        boolean netem = tc != null && "0".equals(in(ns, 10, tc, "qdisc", "add", "dev", host.name(), "root", "netem", "loss", "2%")[0]);
        System.out.println("[interop6] loss: netstack4j's fault injector 2% both ways" + (netem ? " + tc netem 2% on the kernel side" : " (no sch_netem in this kernel)"));
        long lostBefore = host.loop().call(() -> host.faults().lost());
        host.setLoss(0.02);
        try {
            curlDownloads(ns, US, "2% loss", FILES);
            getDownloads("2% loss");
        } finally {
            host.setLoss(0);
            if (netem) in(ns, 10, tc, "qdisc", "del", "dev", host.name(), "root");
        }
        assertTrue(host.loop().call(() -> host.faults().lost()) > lostBefore, "the fault injector dropped nothing");
        long rtx = host.loop().call(() -> host.host().counters().snapshot().entrySet().stream()
                .filter(e -> e.getKey().startsWith("tcp.") && e.getKey().contains("retrans")).mapToLong(java.util.Map.Entry::getValue).sum());
        assertTrue(rtx > 0, "no retransmission counted after lossy downloads");
    }

    /**
     * A second namespace behind the kernel, which forwards to it over a veth whose route MTU is
     * 1280: netstack4j's 1500-byte segments to curl there get a Packet Too Big (mtu 1280) from
     * the kernel router (RFC 8201); netstack4j lowers its path MTU and the 10 MB arrive intact.
     */
    @Test @Order(5)
    void packetTooBigFromAKernelRouterLowersThePathMtu() throws Exception {
        farNs = ns + "-far";
        LinuxNet.netnsAdd(farNs);
        LinuxNet.linkUp(farNs, "lo");
        String a = "nsj6a" + ProcessHandle.current().pid() % 10000, b = "nsj6b" + ProcessHandle.current().pid() % 10000;
        LinuxNet.ip(ns, "link", "add", a, "type", "veth", "peer", "name", b);
        LinuxNet.ip(ns, "link", "set", "dev", b, "netns", farNs);
        // noprefixroute: the router's only route to the far prefix is the one below
        LinuxNet.ip(ns, "-6", "addr", "add", FAR_ROUTER + "/64", "dev", a, "nodad", "noprefixroute");
        LinuxNet.ip(farNs, "-6", "addr", "add", FAR + "/64", "dev", b, "nodad");
        LinuxNet.linkUp(ns, a);
        LinuxNet.linkUp(farNs, b);
        LinuxNet.ip(farNs, "-6", "route", "add", "default", "via", FAR_ROUTER, "dev", b);
        // the far link is Ethernet with MTU 1500; only the router's route to it says 1280 (locked: a
        // forwarding kernel otherwise goes by the device MTU, ip6_dst_mtu_maybe_forward)
        LinuxNet.ip(ns, "-6", "route", "add", "fd00:213:17::/64", "dev", a, "mtu", "lock", "1280");
        String[] fw = in(ns, 10, "sysctl", "-w", "net.ipv6.conf.all.forwarding=1");
        assertEquals("0", fw[0], fw[1]);

        Ipv6Address far = Ipv6Address.parse(FAR);
        assertEquals(1500, (int) host.loop().call(() -> host.host().ip().mtuFor(far)), "path MTU before");
        long tooBigBefore = host.loop().call(() -> host.host().counters().get("icmp6.in.pkt_too_bigs"));
        curlDownloads(farNs, US, "via a 1280-byte route", "10m.bin");
        assertTrue(host.loop().call(() -> host.host().counters().get("icmp6.in.pkt_too_bigs")) > tooBigBefore,
                "netstack4j got no Packet Too Big from the kernel router");
        assertEquals(1280, (int) host.loop().call(() -> host.host().ip().mtuFor(far)), "path MTU to " + FAR + " after the Packet Too Big");
        // new connections start with the lowered path MTU: MSS 1280 - 60
        curlDownloads(farNs, US, "after PMTU", "1k.bin");
    }

    @Test @Order(6)
    void captureHasNoMalformedPackets() throws Exception {
        host.flushPcap();
        Path pcap = dir.resolve("tun6.pcap");
        TunInteropTest.checkCapture(pcap, "tun-ipv6-interop-failure");
        String tshark = Tools.require("tshark", "tshark");
        long v6 = Tools.run(tshark, "-n", "-r", pcap.toString(), "-c", "5000", "-Y", "ipv6 && tcp", "-T", "fields", "-e", "frame.number")
                .lines().count();
        assertTrue(v6 > 1000, "the capture has only " + v6 + " IPv6 TCP packets among its first 5000");
    }
}
