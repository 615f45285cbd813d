package org.netstack4j.linux;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.netstack4j.socket.TcpServerSocket;
import org.netstack4j.socket.TcpSocket;
import org.netstack4j.tcp.TcpConfig;
import org.netstack4j.wire.Ipv4Address;

/**
 * Bulk TCP throughput between netstack4j on a TUN (MTU 1500) and the Linux kernel, beside the
 * TUN ceiling and kernel-to-kernel TCP over a veth pair (MTU 1500), all measured in one run.
 * A benchmark, not a test: run as root with
 * {@code java --enable-native-access=ALL-UNNAMED -cp ... org.netstack4j.linux.TunBench [--quick] [--json]}.
 *
 * <p>Rows (all Gbit/s of TCP payload or, for the ceiling, of 1500-byte IP packets):
 * <ul>
 *   <li>{@code tun_ceiling}: one thread of this JVM writes 1500-byte ICMP echo requests into a TUN
 *       (64 outstanding) and reads every 1500-byte reply back; counts replies x 1500 bytes. Every
 *       packet costs one write(2) and one read(2) of 1500 bytes, the two TUN crossings a stack on
 *       the TUN pays per data segment (data one way; ACKs, which are small, the other).</li>
 *   <li>{@code tun_ceiling_write_only}: the same thread only writes 1500-byte UDP packets the
 *       kernel drops (no route), the write half alone.</li>
 *   <li>{@code tun_bulk_kernel_to_nsj}: a python3 sender (kernel TCP, in the TUN's namespace)
 *       to a netstack4j {@link TcpServerSocket}; payload bytes counted by netstack4j from its
 *       first read to EOF.</li>
 *   <li>{@code tun_bulk_nsj_to_kernel}: a netstack4j {@link TcpSocket} to a python3 receiver;
 *       payload bytes counted by the receiver from its first recv to EOF.</li>
 *   <li>{@code veth_bulk_kernel_to_kernel}: the same python3 sender and receiver in two
 *       namespaces joined by a veth pair, MTU 1500: the kernel's own number on a 1500 MTU link.</li>
 * </ul>
 * For the TUN bulk rows {@link Row#ratio} is the netstack4j value over {@code tun_ceiling} (the
 * target is at least 0.8) and {@link Row#kernel} is the veth kernel-to-kernel value.
 * Namespaces, TUN and veth names are unique per run (pid), addresses are 10.215.x.x, and all are
 * removed at the end whatever happens.
 */
public final class TunBench {
    private TunBench() {}

    /**
     * One line of the table. Values are null when not measured (then {@code kernelSetup} says why).
     *
     * @param netstack4j netstack4j's value (or the ceiling), in {@code unit}
     * @param kernel the kernel's comparable value, in {@code unit}
     * @param ratio netstack4j / tun_ceiling for the TUN bulk rows
     * @param kernelSetup exactly what was measured, or why nothing was
     */
    public record Row(String name, String unit, Double netstack4j, Double kernel, Double ratio, String kernelSetup) {}

    static final int MTU = 1500;
    private static final String GBPS = "Gbit/s";
    private static final AtomicInteger SEQ = new AtomicInteger();

    /** Bytes per write / read on both sides. */
    private static final int CHUNK = 128 * 1024;

    /** netstack4j's buffers for the bulk rows (the kernel autotunes its own up to several MB). */
    static final int NSJ_BUFFER = Integer.getInteger("netstack4j.bench.tunBuffer", 1 << 20);

    private static final String PY_SEND = """
            import socket, sys, time
            s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=10)
            s.settimeout(None)
            b = bytes(%d)
            end = time.monotonic() + float(sys.argv[3])
            n = 0
            while time.monotonic() < end:
                s.sendall(b)
                n += len(b)
            s.close()
            print('sent', n, flush=True)
            """.formatted(CHUNK);

    private static final String PY_RECV = """
            import socket, sys, time
            l = socket.socket()
            l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            l.bind((sys.argv[1], int(sys.argv[2])))
            l.listen(1)
            print('ready', flush=True)
            c, _ = l.accept()
            b = bytearray(%d)
            n = c.recv_into(b)
            t = time.monotonic()
            total = 0
            while n:
                n = c.recv_into(b)
                total += n
            print('result', total, time.monotonic() - t, flush=True)
            """.formatted(CHUNK);

    public static void main(String[] args) throws Exception {
        boolean quick = false;
        boolean json = false;
        boolean offloadOnly = false;
        boolean httpOnly = false;
        int k2nRounds = 0;
        for (String a : args) {
            switch (a) {
                case "--quick" -> quick = true;
                case "--json" -> json = true;
                case "--offload-only" -> offloadOnly = true;
                case "--http-only" -> httpOnly = true;
                default -> {
                    if (a.startsWith("--k2n-rounds=")) {
                        k2nRounds = Integer.parseInt(a.substring("--k2n-rounds=".length()));
                    } else {
                        System.err.println("usage: TunBench [--quick] [--json] [--offload-only | --http-only | --k2n-rounds=N]");
                        System.exit(2);
                    }
                }
            }
        }
        List<Row> rows = k2nRounds > 0 ? k2nRounds(k2nRounds, quick ? 1.0 : 5.0, System.err) : httpOnly ? List.of(TunHttpBench.row(
                (ProcessHandle.current().pid() % 100000) + "x", 16 + (int) (ProcessHandle.current().pid() % 50) * 4 + 3,
                quick ? 1.0 : 5.0, System.err)) : run(quick, offloadOnly, System.err);
        System.out.print(json ? toJson(rows) : toTable(rows));
    }

    /** Why nothing can be measured here, or null. */
    public static String whyUnavailable() {
        String why = LinuxNet.whyUnavailable();
        if (why != null) return why;
        if (LinuxNet.findOnPath("python3") == null) return "python3 is not installed (the kernel-side sender/receiver)";
        return null;
    }

    /**
     * Measures every row, about 5 s each (quick: about 1 s). Never throws for a missing
     * environment or a failed measurement: such rows have null values and the reason.
     */
    public static List<Row> run(boolean quick, PrintStream log) {
        return run(quick, false, log);
    }

    /** {@link #run(boolean, PrintStream)}; {@code offloadOnly}: only the veth baseline and the offload rows (profiling). */
    static List<Row> run(boolean quick, boolean offloadOnly, PrintStream log) {
        double seconds = quick ? 1.0 : 5.0;
        String why = whyUnavailable();
        if (why != null) {
            log.println("TunBench skipped: " + why);
            return skipped("skipped: " + why);
        }
        String tag = (ProcessHandle.current().pid() % 100000) + "" + (char) ('a' + SEQ.getAndIncrement() % 26);
        int net = 16 + (int) (ProcessHandle.current().pid() % 50) * 4; // 10.215.net..net+3.x
        List<Row> rows = new ArrayList<>();

        Double ceiling = null;
        if (!offloadOnly) try {
            log.println("tun_ceiling ...");
            TunCeiling.Result[] r = TunCeiling.run((long) (seconds * 1e9), "nsjb-" + tag + "-c", 215, net + 2);
            TunCeiling.Result write = r[0];
            TunCeiling.Result echo = r[1];
            ceiling = echo.gigabitsPerSecond();
            rows.add(new Row("tun_ceiling", GBPS, ceiling, null, null, String.format(Locale.ROOT,
                    "one JVM thread writes 1500-byte ICMP echo requests into a TUN (MTU 1500, 64 outstanding) and reads "
                            + "each 1500-byte reply back: %,.0f replies/s x 1500 B", echo.packetsPerSecond())));
            rows.add(new Row("tun_ceiling_write_only", GBPS, write.gigabitsPerSecond(), null, null, String.format(Locale.ROOT,
                    "one JVM thread only writes 1500-byte UDP packets into a TUN, dropped by the kernel (no route): %,.0f packets/s",
                    write.packetsPerSecond())));
        } catch (Exception e) {
            rows.add(failed("tun_ceiling", e, log));
            rows.add(failed("tun_ceiling_write_only", e, log));
        }

        Double veth = null;
        try {
            log.println("veth_bulk_kernel_to_kernel ...");
            veth = vethKernelToKernel(tag, net + 1, seconds);
        } catch (Exception e) {
            log.println("veth_bulk_kernel_to_kernel failed: " + e);
        }
        String vethNote = veth == null ? "veth baseline failed" : "kernel column: veth_bulk_kernel_to_kernel";

        // the same transfers with the plain 1500-byte mode and with offloads (vnet header, GSO both ways)
        for (boolean offload : offloadOnly ? new boolean[] {true} : new boolean[] {false, true}) {
            tunBulkRows(rows, offload, tag, net, seconds, veth, vethNote, ceiling, log);
        }
        if (!offloadOnly) rows.add(TunHttpBench.row(tag, net + 3, seconds, log));
        // offloads with 4 parallel connections on 1 and 2 queues (multi-queue TUN, one shard per queue)
        TunShardsBench.rows(rows, tag, net + 3, seconds, veth, vethNote, ceiling, log);
        rows.add(new Row("veth_bulk_kernel_to_kernel", GBPS, null, veth, null, veth == null
                ? "failed (see log)"
                : "python3 sendall(128 KiB) loop -> python3 recv_into loop, kernel TCP both ends, two namespaces joined by a "
                        + "veth pair with MTU 1500; payload counted by the receiver from first recv to EOF"));
        return rows;
    }

    /**
     * Profiling and A/B runs: {@code rounds} times the veth baseline then the offload
     * kernel-to-netstack4j transfer alone (one TUN kept open), each printed with its ratio to the
     * veth figure just before it. Rows: one per round.
     */
    static List<Row> k2nRounds(int rounds, double seconds, PrintStream log) throws Exception {
        String why = whyUnavailable();
        if (why != null) return skipped("skipped: " + why);
        String tag = (ProcessHandle.current().pid() % 100000) + "" + (char) ('a' + SEQ.getAndIncrement() % 26);
        int net = 16 + (int) (ProcessHandle.current().pid() % 50) * 4;
        List<Row> rows = new ArrayList<>();
        String tunNs = "nsjb-" + tag + "-o";
        try {
            LinuxNet.netnsAdd(tunNs);
            TcpConfig cfg = TcpConfig.defaults().withBuffers(bf -> bf.withReceiveBufferSize(NSJ_BUFFER).withSendBufferSize(NSJ_BUFFER));
            try (TunHost host = TunHost.builder("nsjb" + tag + "o").mtu(MTU).netns(tunNs).offload(true)
                    .address("10.215." + net + ".2/24").hostAddress("10.215." + net + ".1/24")
                    .tcpConfig(cfg).open()) {
                for (int i = 0; i < rounds; i++) {
                    double veth = vethKernelToKernel(tag, net + 1, seconds);
                    TunTapDevice.Stats s0 = host.tun().stats();
                    long direct0 = host.host().counters().get("tcp.in.read_direct_bytes");
                    CpuMeter cpu = CpuMeter.start();
                    double k2n = kernelToNsj(host, tunNs, seconds);
                    String used = cpu.stop();
                    TunTapDevice.Stats s1 = host.tun().stats();
                    long reads = s1.rxPackets() - s0.rxPackets();
                    long direct = host.host().counters().get("tcp.in.read_direct_bytes") - direct0;
                    long writes = s1.txPackets() - s0.txPackets();
                    used += String.format(Locale.ROOT, "; CPU per GB: JVM %.0f ms, its threads %.0f ms; %,d packets read, %,d written (%.2f per read); "
                                    + "%.1f GB straight into the reader's array", cpu.jvmCores * 1000 / (k2n / 8), cpu.threadCores * 1000 / (k2n / 8),
                            reads, writes, writes / (double) Math.max(1, reads), direct / 1e9);
                    log.printf(Locale.ROOT, "round %d: veth %.2f, kernel->nsj %.2f Gbit/s = %.3fx; %s%n", i, veth, k2n, k2n / veth, used);
                    rows.add(new Row("tun_offload_bulk_kernel_to_nsj#" + i, GBPS, k2n, veth, k2n / veth, used));
                }
            }
        } finally {
            LinuxNet.netnsDeleteQuietly(tunNs);
        }
        return rows;
    }

    /** The two TUN bulk rows, plain ({@code tun_bulk_*}) or with offloads ({@code tun_offload_bulk_*}). */
    private static void tunBulkRows(List<Row> rows, boolean offload, String tag, int net, double seconds, Double veth,
                                    String vethNote, Double ceiling, PrintStream log) {
        String prefix = offload ? "tun_offload_bulk_" : "tun_bulk_";
        String agreed = "not opened";
        Double k2n = null;
        Double n2k = null;
        String k2nCpu = "";
        String n2kCpu = "";
        String tunNs = "nsjb-" + tag + (offload ? "-o" : "-t");
        String problem = null;
        try {
            LinuxNet.netnsAdd(tunNs);
            TcpConfig cfg = TcpConfig.defaults().withBuffers(bf -> bf.withReceiveBufferSize(NSJ_BUFFER).withSendBufferSize(NSJ_BUFFER));
            try (TunHost host = TunHost.builder("nsjb" + tag + (offload ? "o" : "")).mtu(MTU).netns(tunNs).offload(offload)
                    .address("10.215." + net + ".2/24").hostAddress("10.215." + net + ".1/24")
                    .tcpConfig(cfg).open()) {
                log.println(prefix + "kernel_to_nsj ...");
                try {
                    CpuMeter cpu = CpuMeter.start();
                    k2n = kernelToNsj(host, tunNs, seconds);
                    k2nCpu = cpu.stop();
                    log.println("  " + k2nCpu);
                } catch (Exception e) {
                    problem = "kernel_to_nsj: " + e;
                    log.println(prefix + "kernel_to_nsj failed: " + e);
                }
                log.println(prefix + "nsj_to_kernel ...");
                try {
                    CpuMeter cpu = CpuMeter.start();
                    n2k = nsjToKernel(host, tunNs, seconds);
                    n2kCpu = cpu.stop();
                    log.println("  " + n2kCpu);
                } catch (Exception e) {
                    problem = (problem == null ? "" : problem + "; ") + "nsj_to_kernel: " + e;
                    log.println(prefix + "nsj_to_kernel failed: " + e);
                }
                agreed = host.tun().offloads() + ", " + host.tun().offloadStats();
                log.println("  offloads: " + agreed);
                if (host.rxQueueDrops() > 0) log.println("note: reader queue dropped " + host.rxQueueDrops() + " frames");
            }
        } catch (Exception e) {
            problem = "TUN setup: " + e;
            log.println(prefix + " TUN setup failed: " + e);
        } finally {
            LinuxNet.netnsDeleteQuietly(tunNs);
        }
        String bufs = "offloads " + agreed + "; netstack4j TcpConfig.defaults() with " + (NSJ_BUFFER >> 10) + " KiB send/receive buffers";
        rows.add(bulkRow(prefix + "kernel_to_nsj", k2n, veth, ceiling,
                "python3 sendall(128 KiB) loop (kernel TCP, TUN peer namespace) -> netstack4j TcpServerSocket over a TUN, MTU 1500; "
                        + "payload counted by netstack4j from first read to EOF; " + bufs + "; " + vethNote + "; CPU: " + k2nCpu, problem));
        rows.add(bulkRow(prefix + "nsj_to_kernel", n2k, veth, ceiling,
                "netstack4j TcpSocket write(128 KiB) loop over a TUN, MTU 1500 -> python3 recv_into loop (kernel TCP); "
                        + "payload counted by the receiver from first recv to EOF; " + bufs + "; " + vethNote + "; CPU: " + n2kCpu, problem));
    }

    static Row bulkRow(String name, Double value, Double veth, Double ceiling, String setup, String problem) {
        Double ratio = value != null && ceiling != null && ceiling > 0 ? value / ceiling : null;
        return new Row(name, GBPS, value, veth, ratio, value == null ? "failed: " + problem : setup);
    }

    private static Row failed(String name, Exception e, PrintStream log) {
        log.println(name + " failed: " + e);
        return new Row(name, GBPS, null, null, null, "failed: " + e);
    }

    private static List<Row> skipped(String reason) {
        List<Row> rows = new ArrayList<>();
        for (String n : List.of("tun_ceiling", "tun_ceiling_write_only", "tun_bulk_kernel_to_nsj",
                "tun_bulk_nsj_to_kernel", "tun_offload_bulk_kernel_to_nsj", "tun_offload_bulk_nsj_to_kernel",
                "veth_bulk_kernel_to_kernel")) {
            rows.add(new Row(n, GBPS, null, null, null, reason));
        }
        rows.add(new Row("tun_http_wrk", "req/s", null, null, null, reason));
        for (String n : TunShardsBench.names()) rows.add(new Row(n, GBPS, null, null, null, reason));
        return rows;
    }

    // ---- the measurements ----

    /** python3 in {@code ns} sends for {@code seconds}; netstack4j reads and counts. */
    static double kernelToNsj(TunHost host, String ns, double seconds) throws Exception {
        int port = 5201;
        try (TcpServerSocket server = new TcpServerSocket(host.net(), port)) {
            server.setSoTimeout(15_000);
            Process sender = LinuxNet.netnsStart(ns, "python3", "-c", PY_SEND,
                    host.address().address().toString(), Integer.toString(port), Double.toString(seconds));
            try (TcpSocket s = server.accept()) {
                s.setSoTimeout((int) (seconds * 1000) + 15_000);
                InputStream in = s.getInputStream();
                byte[] buf = new byte[CHUNK];
                int n = in.read(buf);
                long start = System.nanoTime();
                long total = 0;
                while (n >= 0) {
                    n = in.read(buf);
                    if (n > 0) total += n;
                }
                long elapsed = System.nanoTime() - start;
                String out = finish(sender, seconds);
                if (!out.contains("sent")) throw new IOException("python3 sender: " + out.strip());
                return total * 8 / (elapsed / 1e9) / 1e9;
            } finally {
                sender.destroyForcibly();
            }
        }
    }

    /** netstack4j writes for {@code seconds} to python3 in {@code ns}, which counts. */
    static double nsjToKernel(TunHost host, String ns, double seconds) throws Exception {
        int port = 5202;
        Process receiver = LinuxNet.netnsStart(ns, "python3", "-c", PY_RECV,
                host.hostAddress().address().toString(), Integer.toString(port));
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(receiver.getInputStream(), StandardCharsets.UTF_8));
            expect(lines, "ready");
            try (TcpSocket s = new TcpSocket(host.net())) {
                s.connect(host.hostAddress().address(), port, 10_000);
                OutputStream out = s.getOutputStream();
                byte[] buf = new byte[CHUNK];
                long end = System.nanoTime() + (long) (seconds * 1e9);
                while (System.nanoTime() < end) out.write(buf);
                s.shutdownOutput(); // FIN after the queued data; the receiver's EOF ends its clock
                return result(lines, receiver, seconds);
            }
        } finally {
            receiver.destroyForcibly();
        }
    }

    /** Kernel TCP over a veth pair (MTU 1500) between two fresh namespaces. */
    static double vethKernelToKernel(String tag, int net, double seconds) throws Exception {
        String a = "nsjb-" + tag + "-va";
        String b = "nsjb-" + tag + "-vb";
        String ifA = "nsjb" + tag + "a";
        String ifB = "nsjb" + tag + "b";
        try {
            LinuxNet.netnsAdd(a);
            LinuxNet.netnsAdd(b);
            LinuxNet.ip(a, "link", "add", ifA, "mtu", Integer.toString(MTU), "type", "veth",
                    "peer", "name", ifB, "mtu", Integer.toString(MTU), "netns", b);
            String addrA = "10.215." + net + ".1";
            String addrB = "10.215." + net + ".2";
            LinuxNet.addressAdd(a, ifA, addrA + "/24");
            LinuxNet.addressAdd(b, ifB, addrB + "/24");
            LinuxNet.linkUp(a, ifA);
            LinuxNet.linkUp(b, ifB);
            LinuxNet.linkUp(a, "lo");
            LinuxNet.linkUp(b, "lo");
            Process receiver = LinuxNet.netnsStart(b, "python3", "-c", PY_RECV, addrB, "5203");
            Process sender = null;
            try {
                BufferedReader lines = new BufferedReader(new InputStreamReader(receiver.getInputStream(), StandardCharsets.UTF_8));
                expect(lines, "ready");
                sender = LinuxNet.netnsStart(a, "python3", "-c", PY_SEND, addrB, "5203", Double.toString(seconds));
                return result(lines, receiver, seconds);
            } finally {
                receiver.destroyForcibly();
                if (sender != null) sender.destroyForcibly();
            }
        } finally {
            LinuxNet.netnsDeleteQuietly(a); // deleting a namespace deletes the veth end in it, and so the pair
            LinuxNet.netnsDeleteQuietly(b);
        }
    }

    private static void expect(BufferedReader lines, String word) throws IOException {
        String line = lines.readLine();
        if (line == null || !line.startsWith(word)) {
            StringBuilder rest = new StringBuilder(String.valueOf(line));
            for (String l; (l = lines.readLine()) != null; ) rest.append('\n').append(l);
            throw new IOException("python3 did not say " + word + ": " + rest);
        }
    }

    /** Reads the receiver's "result BYTES SECONDS" line and turns it into Gbit/s. */
    private static double result(BufferedReader lines, Process receiver, double seconds) throws Exception {
        StringBuilder all = new StringBuilder();
        for (String l; (l = lines.readLine()) != null; ) {
            if (l.startsWith("result ")) {
                String[] f = l.split(" ");
                long bytes = Long.parseLong(f[1]);
                double secs = Double.parseDouble(f[2]);
                receiver.waitFor((long) seconds + 10, TimeUnit.SECONDS);
                return bytes * 8 / secs / 1e9;
            }
            all.append(l).append('\n');
        }
        throw new IOException("python3 receiver gave no result: " + all.toString().strip());
    }

    private static String finish(Process p, double seconds) throws Exception {
        if (!p.waitFor((long) seconds + 15, TimeUnit.SECONDS)) return "timed out";
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    // ---- where the CPU went during a measurement ----

    /**
     * CPU used between {@link #start} and {@link #stop}: the whole machine (from /proc/stat, in
     * cores busy), this JVM, and every JVM thread that used CPU meanwhile, busiest first, by role:
     * "reader" (a TUN reader thread, netstack4j-rx-*: with TunHost it also runs the stack inline
     * whenever it gets the event loop, so the work shows here rather than under "loop"), "loop"
     * (the event loop thread), "app thread" (the caller), "virtual-thread carriers" (ForkJoinPool
     * workers running the application's virtual threads), others by name; what no Java thread
     * accounts for (GC, JIT) as "gc/jit". Before issue 15 only the loop and reader threads were
     * listed, and the loop's "0.00" hid where the stack ran.
     */
    static final class CpuMeter {
        /** Threads under this share of a core are summed into "others". */
        private static final double LISTED = 0.01;
        private long wall0;
        private long[] stat0;
        private long jvm0;
        private final java.util.Map<Long, Long> threads0 = new java.util.HashMap<>();
        private long appId;
        /** The JVM's cores busy over the last {@link #stop}, and those its live threads used (no GC, JIT). */
        double jvmCores, threadCores;

        static CpuMeter start() {
            CpuMeter m = new CpuMeter();
            m.wall0 = System.nanoTime();
            m.stat0 = procStat();
            m.jvm0 = jvmCpu();
            m.appId = Thread.currentThread().threadId();
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                long ns = threadMx().getThreadCpuTime(t.threadId());
                if (ns >= 0) m.threads0.put(t.threadId(), ns);
            }
            return m;
        }

        /** "machine 1.9/2 cores busy; JVM 1.20 cores: reader 0.85, app thread 0.20, loop 0.01, gc/jit 0.14". */
        String stop() {
            double wall = (System.nanoTime() - wall0) / 1e9;
            long[] stat1 = procStat();
            StringBuilder sb = new StringBuilder();
            if (stat0 != null && stat1 != null) {
                double total = stat1[0] - stat0[0];
                double idle = stat1[1] - stat0[1];
                int cores = Runtime.getRuntime().availableProcessors();
                sb.append(String.format(Locale.ROOT, "machine %.1f/%d cores busy; ", total <= 0 ? 0 : cores * (1 - idle / total), cores));
            }
            double jvm = (jvmCpu() - jvm0) / 1e9 / wall;
            jvmCores = jvm;
            sb.append(String.format(Locale.ROOT, "JVM %.2f cores:", jvm));
            java.util.Map<String, Double> byRole = new java.util.HashMap<>();
            double threads = 0;
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                long ns = threadMx().getThreadCpuTime(t.threadId());
                if (ns < 0) continue;
                double cores = (ns - threads0.getOrDefault(t.threadId(), 0L)) / 1e9 / wall;
                threads += cores;
                byRole.merge(role(t), cores, Double::sum);
            }
            threadCores = threads;
            double others = 0;
            var roles = new java.util.ArrayList<>(byRole.entrySet());
            roles.sort(java.util.Map.Entry.<String, Double>comparingByValue().reversed());
            String sep = " ";
            for (var e : roles) {
                boolean named = e.getKey().equals("reader") || e.getKey().equals("loop") || e.getKey().equals("app thread");
                if (!named && e.getValue() < LISTED) {
                    others += e.getValue();
                    continue;
                }
                sb.append(String.format(Locale.ROOT, "%s%s %.2f", sep, e.getKey(), e.getValue()));
                sep = ", ";
            }
            if (others >= 0.005) sb.append(String.format(Locale.ROOT, ", others %.2f", others));
            // threads ended meanwhile (their time is gone from the thread view) also land here
            sb.append(String.format(Locale.ROOT, ", gc/jit %.2f", Math.max(0, jvm - threads)));
            return sb.toString();
        }

        private String role(Thread t) {
            if (t.threadId() == appId) return "app thread";
            String n = t.getName();
            if (n.startsWith("netstack4j-rx-")) return "reader";
            if (n.startsWith("netstack4j-")) return "loop";
            if (n.startsWith("ForkJoinPool")) return "virtual-thread carriers"; // the application's virtual threads (the shards rows)
            return n;
        }

        private static java.lang.management.ThreadMXBean threadMx() {
            return java.lang.management.ManagementFactory.getThreadMXBean();
        }

        private static long jvmCpu() {
            if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                    instanceof com.sun.management.OperatingSystemMXBean os) {
                return os.getProcessCpuTime();
            }
            return 0;
        }

        /** {total jiffies, idle+iowait jiffies} of the first line of /proc/stat, or null. */
        private static long[] procStat() {
            try {
                String[] f = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/stat")).get(0).trim().split("\\s+");
                long total = 0;
                for (int i = 1; i < f.length && i <= 8; i++) total += Long.parseLong(f[i]);
                return new long[] {total, Long.parseLong(f[4]) + Long.parseLong(f[5])};
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }
    }

    // ---- output ----

    public static String toTable(List<Row> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-28s %-7s %10s %10s %6s  %s%n", "row", "unit", "netstack4j", "kernel", "ratio", "setup"));
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "%-28s %-7s %10s %10s %6s  %s%n", r.name(), r.unit(),
                    fmt(r.netstack4j()), fmt(r.kernel()), fmt(r.ratio()), r.kernelSetup()));
        }
        return sb.toString();
    }

    public static String toJson(List<Row> rows) {
        StringBuilder sb = new StringBuilder("[\n");
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            sb.append(String.format(Locale.ROOT,
                    "  {\"name\": %s, \"unit\": %s, \"netstack4j\": %s, \"kernel\": %s, \"ratio\": %s, \"kernelSetup\": %s}%s%n",
                    str(r.name()), str(r.unit()), num(r.netstack4j()), num(r.kernel()), num(r.ratio()),
                    str(r.kernelSetup()), i + 1 < rows.size() ? "," : ""));
        }
        return sb.append("]\n").toString();
    }

    private static String fmt(Double d) {
        return d == null ? "-" : String.format(Locale.ROOT, "%.3f", d);
    }

    private static String num(Double d) {
        return d == null || d.isNaN() || d.isInfinite() ? "null" : String.format(Locale.ROOT, "%.4f", d);
    }

    private static String str(String s) {
        if (s == null) return "null";
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                default -> {
                    if (c < 0x20) sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        return sb.append('"').toString();
    }
}
