package org.netstack4j.linux;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.netstack4j.socket.TcpServerSocket;
import org.netstack4j.tcp.TcpConfig;

/**
 * The read path's CPU cost per packet (issue 20's SYN flood, issue 15's inbound rate): a spoofed
 * SYN flood ({@code hping3 -S --rand-source --flood}, {@link #SECONDS} s) from a namespace this
 * test creates into a TUN whose netstack4j listener answers every SYN with a cookie SYN,ACK (SYN
 * queue of 16). Prints the thread CPU time of the reader thread per packet read and of the loop
 * thread per packet processed (ThreadMXBean), with and without the TUN's offloads. The figures
 * are for comparing read paths in one session; the assertions only check that the flood met the
 * cookie path. Needs root, /dev/net/tun and hping3; skips with the reason otherwise.
 */
class TunRxCostTest {
    /** How long hping3 floods; system property {@code netstack4j.rxcost.seconds}. */
    private static final int SECONDS = Integer.getInteger("netstack4j.rxcost.seconds", 3);
    /** The flood before the measured one; system property {@code netstack4j.rxcost.warmup}. */
    private static final int WARMUP_SECONDS = Integer.getInteger("netstack4j.rxcost.warmup", 2);

    @ParameterizedTest(name = "offload {0}")
    @ValueSource(booleans = {false, true})
    void cpuPerSpoofedSyn(boolean offload) throws Exception {
        RootEnv.requireTun();
        String hping = LinuxNet.findOnPath("hping3");
        assumeTrue(hping != null, "needs hping3: apt-get install hping3 (scripts/install-deps.sh)");
        String ns = RootEnv.netnsName();
        String name = RootEnv.ifName('c');
        LinuxNet.netnsAdd(ns);
        try (TunHost host = TunHost.builder(name).address("10.215.9.2/24").hostAddress("10.215.9.1/24").netns(ns).seed(15)
                .offload(offload).tcpConfig(TcpConfig.defaults().withLimits(lm -> lm.withSynQueueLimit(16))).open()) {
            TcpServerSocket server = new TcpServerSocket(host.net(), 80, 16);
            LinuxNet.ip(ns, "link", "set", "dev", host.name(), "txqueuelen", "10000");
            flood(ns, hping, WARMUP_SECONDS); // the JIT compiles the read and cookie paths (slowly on a loaded machine)
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            Thread reader = thread("netstack4j-rx-" + host.name()), loop = thread("netstack4j-" + host.name());
            long rx0 = mx.getThreadCpuTime(reader.threadId()), loop0 = mx.getThreadCpuTime(loop.threadId());
            long[] rxTicks0 = ticks("netstack4j-rx-" + host.name());
            TunTapDevice.Stats s0 = host.loop().call(() -> host.tun().stats());
            long enters0 = host.loop().call(() -> host.tun().ioUringEnters());
            Map<String, Long> c0 = host.loop().call(() -> host.host().counters().snapshot());
            long drops0 = host.rxQueueDrops();
            long wall0 = System.nanoTime();
            String out = flood(ns, hping, SECONDS);
            // let the loop finish what the reader queued
            for (int i = 0; i < 100 && host.loop().call(() -> host.tun().stats()).rxPackets() > delivered(host); i++) Thread.sleep(10);
            long wall = System.nanoTime() - wall0;
            long rxCpu = mx.getThreadCpuTime(reader.threadId()) - rx0, loopCpu = mx.getThreadCpuTime(loop.threadId()) - loop0;
            long[] rxTicks1 = ticks("netstack4j-rx-" + host.name());
            long user = rxTicks1[0] - rxTicks0[0], sys = rxTicks1[1] - rxTicks0[1];
            TunTapDevice.Stats s1 = host.loop().call(() -> host.tun().stats());
            long enters = host.loop().call(() -> host.tun().ioUringEnters()) - enters0;
            Map<String, Long> c = host.loop().call(() -> host.host().counters().snapshot());
            Matcher m = Pattern.compile("(\\d+) packets transmitted").matcher(out);
            long sent = m.find() ? Long.parseLong(m.group(1)) : -1;
            long read = s1.rxPackets() - s0.rxPackets(), written = s1.txPackets() - s0.txPackets();
            long cookies = c.getOrDefault("tcp.syncookies.sent", 0L) - c0.getOrDefault("tcp.syncookies.sent", 0L);
            long segments = c.getOrDefault("tcp.in.segments", 0L) - c0.getOrDefault("tcp.in.segments", 0L);
            System.out.printf(Locale.ROOT, "[rxcost] offload %s (%s): hping3 sent %d SYNs in %d s (%.0f/s); read %d (%.0f/s), "
                            + "dropped at the rx queue %d, TCP segments in %d, cookies %d, written %d; "
                            + "reader thread %.0f ns CPU per packet read (%.0f%% of a core), loop thread %.0f ns per segment in "
                            + "(%.0f%% of a core), together %.0f ns per cookie SYN,ACK; reader thread user/system %d/%d ticks "
                            + "(system: the read and write calls, incl. the kernel's handling of each SYN,ACK written)%n",
                    offload, host.tun().offloads(), sent, SECONDS, sent / (double) SECONDS, read, read * 1e9 / wall,
                    host.rxQueueDrops() - drops0, segments, cookies, written,
                    rxCpu / (double) Math.max(1, read), 100.0 * rxCpu / wall, loopCpu / (double) Math.max(1, segments),
                    100.0 * loopCpu / wall, (rxCpu + loopCpu) / (double) Math.max(1, cookies), user, sys);
            System.out.printf(Locale.ROOT, "[rxcost] offload %s: io_uring reads %s, writes %s; %d io_uring_enter calls, "
                            + "%.3f per packet read (read(2)/write(2) when not io_uring: about one read per packet, one write per SYN,ACK)%n",
                    offload, host.tun().ioUringReads(), host.tun().ioUringWrites(), enters, enters / (double) Math.max(1, read));
            server.close();
            assertTrue(sent > 0, "hping3 ran: " + out);
            assertTrue(cookies > 1000, "the flood met SYN cookies: " + cookies);
        } finally {
            LinuxNet.netnsDeleteQuietly(ns);
        }
    }

    /** hping3's spoofed SYN flood at 10.215.9.2:80 for {@code seconds}; returns its output. */
    private static String flood(String ns, String hping, int seconds) throws Exception {
        Process flood = new ProcessBuilder(LinuxNet.ipCommand(), "netns", "exec", ns, "timeout", "-s", "INT",
                Integer.toString(seconds), hping, "-S", "--rand-source", "-p", "80", "--flood", "10.215.9.2")
                .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String out = new String(flood.getInputStream().readAllBytes());
        assertTrue(flood.waitFor(seconds + 10L, TimeUnit.SECONDS), "hping3 ended");
        return out;
    }

    /**
     * Kernel to netstack4j bulk ({@link TunBench#kernelToNsj}, python3 sendall in the namespace):
     * the JVM's CPU time per MB received, with and without the TUN's offloads.
     */
    @ParameterizedTest(name = "offload {0}")
    @ValueSource(booleans = {true, false})
    void cpuPerMegabyteKernelToNsj(boolean offload) throws Exception {
        RootEnv.requireTun();
        assumeTrue(LinuxNet.findOnPath("python3") != null, "needs python3");
        String ns = RootEnv.netnsName();
        LinuxNet.netnsAdd(ns);
        try (TunHost host = TunHost.builder(RootEnv.ifName('c')).address("10.215.10.2/24").hostAddress("10.215.10.1/24").netns(ns)
                .offload(offload).tcpConfig(TcpConfig.defaults().withBuffers(b -> b.withReceiveBufferSize(1 << 20).withSendBufferSize(1 << 20)))
                .open()) {
            TunBench.kernelToNsj(host, ns, 2); // warm-up
            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            Thread reader = thread("netstack4j-rx-" + host.name()), loop = thread("netstack4j-" + host.name());
            long rx0 = mx.getThreadCpuTime(reader.threadId()), loop0 = mx.getThreadCpuTime(loop.threadId());
            long cpu0 = os.getProcessCpuTime(), wall0 = System.nanoTime();
            TunTapDevice.Stats s0 = host.tun().stats();
            double gbps = TunBench.kernelToNsj(host, ns, SECONDS);
            long cpu = os.getProcessCpuTime() - cpu0, wall = System.nanoTime() - wall0;
            long stack = mx.getThreadCpuTime(reader.threadId()) - rx0 + mx.getThreadCpuTime(loop.threadId()) - loop0;
            TunTapDevice.Stats s1 = host.tun().stats();
            double mb = (s1.rxBytes() - s0.rxBytes()) / 1e6;
            long reads = s1.rxPackets() - s0.rxPackets();
            System.out.printf(Locale.ROOT, "[rxcost] bulk kernel->nsj offload %s: %.2f Gbit/s, %.0f MB in %d reads (%.0f B per read), "
                            + "JVM %.0f us CPU per MB (%.2f cores), reader and loop threads %.0f us per MB (%.2f cores), %s, vouched %d%n",
                    host.tun().offloads(), gbps, mb, reads, mb * 1e6 / Math.max(1, reads),
                    cpu / 1e3 / mb, cpu / (double) wall, stack / 1e3 / mb, stack / (double) wall, host.tun().offloadStats(), vouched(host.tun()));
            assertTrue(mb > 1, "data arrived: " + mb + " MB");
        } finally {
            LinuxNet.netnsDeleteQuietly(ns);
        }
    }

    /** The checksums the device vouched for (0 on a build without the counter: the harness also measures older commits). */
    private static long vouched(TunTapDevice d) {
        try {
            return (long) TunTapDevice.class.getMethod("rxChecksumsVouched").invoke(d);
        } catch (ReflectiveOperationException e) {
            return -1;
        }
    }

    private static long delivered(TunHost host) {
        return host.rxQueueDrops() + host.loop().call(() -> host.host().counters().snapshot()).getOrDefault("ipv4.in.receives", 0L);
    }

    /**
     * {utime, stime} in clock ticks of this process's native thread named {@code javaName}
     * (the kernel keeps the first 15 bytes), from /proc/self/task/TID/stat; {0, 0} if none.
     */
    private static long[] ticks(String javaName) throws java.io.IOException {
        String comm = javaName.length() > 15 ? javaName.substring(0, 15) : javaName;
        try (var tasks = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/task"))) {
            for (java.nio.file.Path t : tasks.toList()) {
                try {
                    if (!java.nio.file.Files.readString(t.resolve("comm")).strip().equals(comm)) continue;
                    String stat = java.nio.file.Files.readString(t.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12])}; // fields 14 and 15
                } catch (java.io.IOException gone) {
                    // the thread ended meanwhile
                }
            }
        }
        return new long[2];
    }

    private static Thread thread(String name) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no thread " + name + " among " + Thread.getAllStackTraces().keySet()));
    }
}
