package org.netstack4j.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.netstack4j.linux.Ipv4Cidr;
import org.netstack4j.linux.LinuxNet;
import org.netstack4j.linux.TunGateway;
import org.netstack4j.linux.TunRouter;
import org.netstack4j.linux.Upstream;

/**
 * The {@code gateway_iperf3} and {@code route_iperf3} rows (issue 14): iperf3 TCP throughput
 * (receiver side) and ping round trips from a client namespace to an iperf3 server, through
 * netstack4j's gateway and router beside the user-space networking people would otherwise pick
 * (slirp4netns, pasta) and the kernel's own forwarding, all in the same run:
 * <ul>
 *   <li>kernel: client namespace C, router namespace R (ip_forward), this host's namespace, the
 *       server namespace S behind a veth;</li>
 *   <li>gateway: a {@link TunGateway} (this JVM, direct upstream) whose TUN is C's default
 *       route, relaying from this host's sockets to S;</li>
 *   <li>slirp4netns and pasta: the same relaying from this host's sockets to S (pasta with
 *       {@code --runas 0}: as root it would switch to nobody and fail to map users);</li>
 *   <li>route: a {@link TunRouter} (this JVM) between TUNs into namespaces A and B, the server
 *       in B (a router knows its connected subnets only), beside the kernel path's figure.</li>
 * </ul>
 * Added latency: a path's ping average minus a direct ping from this host's namespace to S
 * over the veth. Each path gets one uncounted warm-up run of {@link #WARMUP_S} seconds before the
 * rounds. The subnets are 10.N.77/78/79.0/24 with N from the process id, so that two runs
 * (or tests that use 10.77.0.0/24) do not meet in this host's namespace. Needs root, iperf3 and
 * ping; slirp4netns and pasta are measured when installed.
 */
final class GatewayRows {
    private GatewayRows() {}

    /**
     * One path: the median of its iperf3 runs in Mbit/s (NaN: not measured), each run's figure and
     * TCP retransmissions (the sender's), the ping average in ms (NaN: none), and why not, if not.
     */
    record Path(String name, double mbps, List<Run> runs, double pingMs, String note) {
        Path(String name, double mbps, double pingMs, String note) { this(name, mbps, List.of(), pingMs, note); }

        String describe() {
            StringBuilder b = new StringBuilder(name).append(' ').append(Double.isNaN(mbps) ? "-" : String.format(Locale.ROOT, "%.0f", mbps)).append(" Mbit/s");
            if (runs.size() > 1) {
                b.append(" (median of ");
                for (int i = 0; i < runs.size(); i++) b.append(i == 0 ? "" : "/").append(runs.get(i).describe());
                b.append(')');
            } else if (runs.size() == 1 && runs.getFirst().retransmits() > 0) {
                b.append(" (").append(runs.getFirst().retransmits()).append(" retr)");
            }
            b.append(", ping ").append(Double.isNaN(pingMs) ? "-" : String.format(Locale.ROOT, "%.3f", pingMs)).append(" ms");
            return b.append(note == null ? "" : " (" + note + ")").toString();
        }
    }

    /** One iperf3 run: receiver-side Mbit/s (NaN: failed) and the sender's retransmissions (-1: unknown). */
    record Run(double mbps, long retransmits) {
        String describe() {
            return (Double.isNaN(mbps) ? "-" : String.format(Locale.ROOT, "%.0f", mbps)) + (retransmits > 0 ? " " + retransmits + "r" : "");
        }
    }

    /** The median of the runs that measured something (the lower middle of an even count), NaN if none did. */
    static double median(List<Run> runs) {
        double[] v = runs.stream().mapToDouble(Run::mbps).filter(d -> !Double.isNaN(d)).sorted().toArray();
        return v.length == 0 ? Double.NaN : v[(v.length - 1) / 2];
    }

    /** Why the rows cannot run here, or null. */
    static String whyNot() {
        if (!LinuxNet.isRoot()) return "needs root (network namespaces, TUN)";
        String tun = LinuxNet.whyUnavailable();
        if (tun != null) return tun;
        if (LinuxNet.findOnPath("iperf3") == null) return "iperf3 is not installed (apt-get install iperf3)";
        if (LinuxNet.findOnPath("ping") == null) return "ping is not installed (apt-get install iputils-ping)";
        return null;
    }

    /** Seconds of each path's uncounted warm-up run. */
    static final int WARMUP_S = 2;

    /**
     * The median of the per-round ratios {@code ours / theirs} (rounds where both measured):
     * the two runs of one round are seconds apart, so a load that comes and goes on this
     * machine moves both, where the ratio of the two medians can pair a fast round of one with a
     * slow round of the other. NaN if no round has both.
     */
    static double pairedRatio(List<Run> ours, List<Run> theirs) {
        double[] v = new double[Math.min(ours.size(), theirs.size())];
        int n = 0;
        for (int i = 0; i < v.length; i++) {
            double a = ours.get(i).mbps(), b = theirs.get(i).mbps();
            if (!Double.isNaN(a) && !Double.isNaN(b) && b > 0) v[n++] = a / b;
        }
        if (n == 0) return Double.NaN;
        java.util.Arrays.sort(v, 0, n);
        return v[(n - 1) / 2];
    }

    static List<Row> run(boolean quick, boolean gatewayRow, boolean routeRow, PrintStream log) throws IOException {
        String why = whyNot();
        List<Row> rows = new ArrayList<>();
        if (why != null) {
            if (gatewayRow) rows.add(Row.of("gateway_iperf3", "Mbit/s", Double.NaN, null, "none", "not measured: " + why));
            if (routeRow) rows.add(Row.of("route_iperf3", "Mbit/s", Double.NaN, null, "none", "not measured: " + why));
            return rows;
        }
        int secs = quick ? 2 : 5;
        int rounds = quick ? 2 : 3;
        long pid = ProcessHandle.current().pid();
        int n = 200 + (int) (pid % 50);
        String tag = "nsjg" + (pid % 100000);
        Rig rig = new Rig(tag, n, log);
        Thread hook = new Thread(rig::close, "gateway-bench-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            rig.server();
            double base = rig.ping(null, rig.server);
            log.printf("bench: direct ping to the server %.3f ms%n", base);
            // every path is set up first, then measured in interleaved rounds (kernel, gateway,
            // slirp4netns, pasta, route, again): a load that comes and goes on this machine then
            // touches every path alike, and each figure is the median of its rounds
            List<Setup> setups = new ArrayList<>();
            setups.add(rig.kernelPath());
            if (gatewayRow) setups.add(rig.gatewayPath(false));
            // NETSTACK4J_BENCH_GATEWAY_LOOP=1: the gateway with its loop relay (TunGateway.open's loopRelay) too, interleaved
            if (gatewayRow && "1".equals(System.getenv("NETSTACK4J_BENCH_GATEWAY_LOOP"))) setups.add(rig.gatewayPath(true));
            setups.add(rig.slirpPath());
            setups.add(rig.pastaPath());
            if (routeRow) setups.add(rig.routePath());
            // one uncounted run per path first: the JIT compiles netstack4j's hot paths during its
            // first seconds of traffic (C1/C2 threads busy through round 1, seen per thread), which
            // made round 1 of the JVM paths the slowest; every path gets the same warm-up
            for (Setup p : setups) {
                if (p.prefix() == null) continue;
                log.println("bench: warm-up " + p.name() + " " + rig.iperf(p.prefix(), p.target(), WARMUP_S).describe() + " Mbit/s (not counted)");
            }
            java.util.Map<String, List<Run>> runs = new java.util.LinkedHashMap<>();
            for (int round = 0; round < rounds; round++) {
                for (Setup p : setups) {
                    if (p.prefix() == null) continue;
                    Run r = rig.iperf(p.prefix(), p.target(), secs);
                    runs.computeIfAbsent(p.name(), k -> new ArrayList<>()).add(r);
                    log.println("bench: round " + (round + 1) + " " + p.name() + " " + r.describe() + " Mbit/s");
                }
            }
            java.util.Map<String, Path> paths = new java.util.HashMap<>();
            for (Setup p : setups) {
                List<Run> rs = runs.getOrDefault(p.name(), List.of());
                Path path = p.prefix() == null ? new Path(p.name(), Double.NaN, Double.NaN, p.note())
                        : new Path(p.name(), median(rs), rs, rig.ping(p.prefix(), p.target()), p.note());
                paths.put(p.name(), path);
                log.println("bench: " + path.describe());
            }
            Path loopRelay = paths.get("gateway-loop");
            Path kernel = paths.get("kernel"), gw = paths.get("gateway"), slirp = paths.get("slirp4netns"), pasta = paths.get("pasta"),
                    route = paths.get("route");
            String setup = "iperf3 -t " + secs + " (TCP, one stream, receiver side; median of " + rounds + " interleaved rounds) and ping -c 20 -i 0.05 from a client namespace; server in a namespace behind a veth";
            String others = describe(List.of(kernel, slirp, pasta), base);
            if (gw != null) rows.add(Row.of("gateway_iperf3", "Mbit/s", gw.mbps(), nanToNull(kernel.mbps()), setup + "; kernel: forwarding namespace",
                    "netstack4j gateway --direct: " + describe(loopRelay == null ? List.of(gw) : List.of(gw, loopRelay), base) + "; " + others + "; " + ratios(gw, slirp, pasta)));
            if (route != null) rows.add(Row.of("route_iperf3", "Mbit/s", route.mbps(), nanToNull(kernel.mbps()), setup + "; kernel: forwarding namespace",
                    "netstack4j route between two TUNs (server behind the second): " + describe(List.of(route), base) + "; " + others + "; " + ratios(route, slirp, pasta)));
        } finally {
            rig.close();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // shutting down already
            }
        }
        return rows;
    }

    private static Double nanToNull(double v) { return Double.isNaN(v) ? null : v; }

    private static String describe(List<Path> paths, double base) {
        StringBuilder b = new StringBuilder();
        for (Path p : paths) {
            if (!b.isEmpty()) b.append("; ");
            b.append(p.describe());
            if (!Double.isNaN(p.pingMs()) && !Double.isNaN(base))
                b.append(String.format(Locale.ROOT, ", +%.3f ms over a direct ping", p.pingMs() - base));
        }
        return b.toString();
    }

    private static String ratios(Path ours, Path slirp, Path pasta) {
        return "x slirp4netns " + ratio(ours.mbps(), slirp.mbps()) + ", x pasta " + ratio(ours.mbps(), pasta.mbps()) + " (target: at least 2 each)"
                + "; median of the per-round ratios: x slirp4netns " + ratio(pairedRatio(ours.runs(), slirp.runs()), 1)
                + ", x pasta " + ratio(pairedRatio(ours.runs(), pasta.runs()), 1);
    }

    private static String ratio(double a, double b) {
        return Double.isNaN(a) || Double.isNaN(b) || b <= 0 ? "-" : String.format(Locale.ROOT, "%.2f", a / b);
    }

    private static final Pattern RECEIVED = Pattern.compile("\"sum_received\"\\s*:\\s*\\{[^}]*?\"bits_per_second\"\\s*:\\s*([0-9.eE+-]+)");
    private static final Pattern RTT = Pattern.compile("= [0-9.]+/([0-9.]+)/");

    /** iperf3's receiver-side rate in Mbit/s from its -J output, NaN if it has none. */
    static double iperfMbps(String json) {
        Matcher m = RECEIVED.matcher(json);
        return m.find() ? Double.parseDouble(m.group(1)) / 1e6 : Double.NaN;
    }

    private static final Pattern RETRANSMITS = Pattern.compile("\"sum_sent\"\\s*:\\s*\\{[^}]*?\"retransmits\"\\s*:\\s*([0-9]+)");

    /** The sender's TCP retransmissions in iperf3's -J output, -1 if it has none. */
    static long iperfRetransmits(String json) {
        Matcher m = RETRANSMITS.matcher(json);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    /** ping -q's average round trip in ms, NaN if it has none. */
    static double pingAvg(String out) {
        Matcher m = RTT.matcher(out);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    /** A path ready for iperf3 runs: the command prefix that runs in its client namespace (null: not available, see note) and its server. */
    record Setup(String name, List<String> prefix, String target, String note) {}

    /** The namespaces, veths and processes of one run, removed by {@link #close}. */
    private static final class Rig implements AutoCloseable {
        final String tag, s, c, r, b, veth;
        final String net; // 10.N
        final String server;
        final PrintStream log;
        final List<Process> processes = new ArrayList<>();
        final List<String> namespaces = new ArrayList<>();
        /** The gateway and the router, closed before the namespaces go. */
        final List<AutoCloseable> closeables = new ArrayList<>();
        String oldForward;

        Rig(String tag, int n, PrintStream log) {
            this.tag = tag;
            this.s = tag + "-s";
            this.c = tag + "-c";
            this.r = tag + "-r";
            this.b = tag + "-b";
            this.veth = "v" + tag.substring(4);
            this.net = "10." + n;
            this.server = net + ".77.2";
            this.log = log;
        }

        String ns(String name) throws IOException {
            LinuxNet.netnsDeleteQuietly(name);
            LinuxNet.netnsAdd(name);
            namespaces.add(name);
            LinuxNet.linkUp(name, "lo");
            return name;
        }

        /** S behind a veth from this namespace, an iperf3 server in it. */
        void server() throws IOException {
            ns(s);
            LinuxNet.run("ip", "link", "add", veth + "h", "type", "veth", "peer", "name", veth + "s");
            LinuxNet.run("ip", "link", "set", veth + "s", "netns", s);
            LinuxNet.addressAdd(veth + "h", net + ".77.1/24");
            LinuxNet.linkUp(veth + "h");
            LinuxNet.addressAdd(s, veth + "s", net + ".77.2/24");
            LinuxNet.linkUp(s, veth + "s");
            LinuxNet.ip(s, "route", "add", "default", "via", net + ".77.1");
            processes.add(LinuxNet.netnsStart(s, "iperf3", "-s", "-B", server, "-p", "5201"));
            sleepMs(500);
        }

        /** C -- R (ip_forward) -- this namespace -- S. */
        Setup kernelPath() throws IOException {
            String cc = ns(c + "k");
            ns(r);
            LinuxNet.run("ip", "link", "add", veth + "r", "type", "veth", "peer", "name", veth + "c");
            LinuxNet.run("ip", "link", "set", veth + "c", "netns", cc);
            LinuxNet.run("ip", "link", "set", veth + "r", "netns", r);
            LinuxNet.run("ip", "link", "add", veth + "q", "type", "veth", "peer", "name", veth + "o");
            LinuxNet.run("ip", "link", "set", veth + "q", "netns", r);
            LinuxNet.addressAdd(veth + "o", net + ".78.1/24");
            LinuxNet.linkUp(veth + "o");
            LinuxNet.run("ip", "route", "add", net + ".79.0/24", "via", net + ".78.2");
            LinuxNet.addressAdd(r, veth + "q", net + ".78.2/24");
            LinuxNet.linkUp(r, veth + "q");
            LinuxNet.addressAdd(r, veth + "r", net + ".79.1/24");
            LinuxNet.linkUp(r, veth + "r");
            LinuxNet.ip(r, "route", "add", "default", "via", net + ".78.1");
            LinuxNet.netnsExec(r, "sysctl", "-qw", "net.ipv4.ip_forward=1");
            LinuxNet.addressAdd(cc, veth + "c", net + ".79.2/24");
            LinuxNet.linkUp(cc, veth + "c");
            LinuxNet.ip(cc, "route", "add", "default", "via", net + ".79.1");
            oldForward = LinuxNet.run("sysctl", "-n", "net.ipv4.ip_forward").trim();
            LinuxNet.run("sysctl", "-qw", "net.ipv4.ip_forward=1");
            return new Setup("kernel", List.of("ip", "netns", "exec", cc), server, null);
        }

        Setup gatewayPath(boolean loopRelay) throws IOException {
            String x = loopRelay ? "l" : "g", y = loopRelay ? "10" : "9";
            String cg = ns(c + x);
            TunGateway.Config cfg = new TunGateway.Config(tag + x, Ipv4Cidr.parse(net + "." + y + ".1/24"), List.of(), cg,
                    Ipv4Cidr.parse(net + "." + y + ".2/24"), null, new Upstream.Direct(), new Upstream.Direct(), 10_000, null, null, null);
            closeables.add(TunGateway.open(cfg, 1, loopRelay));
            return new Setup(loopRelay ? "gateway-loop" : "gateway", List.of("ip", "netns", "exec", cg), server, null);
        }

        Setup routePath() throws IOException {
            String ca = ns(c + "a");
            ns(b);
            closeables.add(TunRouter.open(List.of(
                    new TunRouter.Port(tag + "a", Ipv4Cidr.parse("10.1.0.1/24"), ca, Ipv4Cidr.parse("10.1.0.2/24")),
                    new TunRouter.Port(tag + "b", Ipv4Cidr.parse("10.2.0.1/24"), b, Ipv4Cidr.parse("10.2.0.2/24"))), null, null, pidSeed()));
            processes.add(LinuxNet.netnsStart(b, "iperf3", "-s", "-B", "10.2.0.2", "-p", "5201"));
            sleepMs(500);
            return new Setup("route", List.of("ip", "netns", "exec", ca), "10.2.0.2", null);
        }

        /** slirp4netns as users run it for throughput: --mtu=65520 (its documented fast setting), seccomp off (the default). */
        Setup slirpPath() throws IOException {
            if (LinuxNet.findOnPath("slirp4netns") == null) return new Setup("slirp4netns", null, null, "not installed");
            String cs = ns(c + "s");
            Process slirp = start(List.of("slirp4netns", "--configure", "--mtu=65520", "--disable-host-loopback", "--netns-type=path",
                    "/run/netns/" + cs, "tap0"));
            sleepMs(1000);
            if (!slirp.isAlive()) return new Setup("slirp4netns", null, null, "slirp4netns exited");
            return new Setup("slirp4netns", List.of("ip", "netns", "exec", cs), server, null);
        }

        /**
         * pasta attached to a namespace of ours ({@code --netns}, in the foreground so that it is
         * our child; {@code --runas 0}: as root it would switch to nobody), its default MTU 65520:
         * one pasta for every round, the way a container runtime keeps it, rather than one per
         * iperf3 run (whose start-up raced the first second of the run).
         */
        Setup pastaPath() throws IOException {
            if (LinuxNet.findOnPath("pasta") == null) return new Setup("pasta", null, null, "not installed");
            String cp = ns(c + "p");
            Process pasta = start(List.of("pasta", "--runas", "0", "--config-net", "--quiet", "--foreground", "--netns", "/run/netns/" + cp));
            sleepMs(1000);
            if (!pasta.isAlive()) return new Setup("pasta", null, null, "pasta exited");
            return new Setup("pasta", List.of("ip", "netns", "exec", cp), server, null);
        }

        /** One iperf3 run through a path. */
        Run iperf(List<String> prefix, String target, int secs) {
            List<String> iperf = new ArrayList<>(prefix);
            iperf.addAll(List.of("iperf3", "-c", target, "-p", "5201", "-t", Integer.toString(secs), "-J"));
            // iperf3 3.12 exits 0 on "connection refused": retried until its JSON has results
            for (int i = 0; i < 3; i++) {
                String json = output(iperf, secs + 20);
                double mbps = iperfMbps(json);
                if (!Double.isNaN(mbps)) return new Run(mbps, iperfRetransmits(json));
                sleepMs(500);
            }
            return new Run(Double.NaN, -1);
        }

        double ping(List<String> prefix, String target) {
            List<String> cmd = new ArrayList<>(prefix == null ? List.of() : prefix);
            cmd.addAll(List.of("ping", "-c", "20", "-i", "0.05", "-q", target));
            return pingAvg(output(cmd, 20));
        }

        String output(List<String> cmd, int timeoutSecs) {
            try {
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                byte[] out;
                try (var in = p.getInputStream()) {
                    Thread killer = Thread.ofVirtual().start(() -> {
                        try {
                            if (!p.waitFor(timeoutSecs, TimeUnit.SECONDS)) p.destroyForcibly();
                        } catch (InterruptedException ignored) {
                            p.destroyForcibly();
                        }
                    });
                    out = in.readAllBytes();
                    killer.join();
                }
                return new String(out, StandardCharsets.UTF_8);
            } catch (IOException | InterruptedException e) {
                log.println("bench: " + String.join(" ", cmd) + ": " + e);
                return "";
            }
        }

        Process start(List<String> cmd) throws IOException {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            processes.add(p);
            return p;
        }

        long pidSeed() { return ProcessHandle.current().pid(); }

        @Override public synchronized void close() {
            for (AutoCloseable c : closeables) {
                try {
                    c.close();
                } catch (Exception e) {
                    log.println("bench: closing " + c + ": " + e);
                }
            }
            closeables.clear();
            for (Process p : processes) {
                p.descendants().forEach(ProcessHandle::destroy);
                p.destroy();
            }
            for (Process p : processes) {
                try {
                    if (!p.waitFor(3, TimeUnit.SECONDS)) p.destroyForcibly();
                } catch (InterruptedException e) {
                    p.destroyForcibly();
                }
            }
            processes.clear();
            if (oldForward != null) {
                try {
                    LinuxNet.run("sysctl", "-qw", "net.ipv4.ip_forward=" + oldForward);
                    LinuxNet.exec(List.of("ip", "route", "del", net + ".79.0/24"));
                } catch (IOException ignored) {
                    // best effort
                }
                oldForward = null;
            }
            for (String v : List.of(veth + "h", veth + "o")) {
                try {
                    LinuxNet.exec(List.of("ip", "link", "del", v));
                } catch (IOException ignored) {
                    // gone already
                }
            }
            for (String n : namespaces) LinuxNet.netnsDeleteQuietly(n);
            namespaces.clear();
        }

        private static void sleepMs(long ms) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
