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
 * over the veth. The subnets are 10.N.77/78/79.0/24 with N from the process id, so that two runs
 * (or tests that use 10.77.0.0/24) do not meet in this host's namespace. Needs root, iperf3 and
 * ping; slirp4netns and pasta are measured when installed.
 */
final class GatewayRows {
    private GatewayRows() {}

    /** One path: Mbit/s (NaN: not measured) and ping average in ms (NaN: none), and why not, if not. */
    record Path(String name, double mbps, double pingMs, String note) {
        String describe() {
            return name + " " + (Double.isNaN(mbps) ? "-" : String.format(Locale.ROOT, "%.0f", mbps)) + " Mbit/s, ping "
                    + (Double.isNaN(pingMs) ? "-" : String.format(Locale.ROOT, "%.3f", pingMs)) + " ms" + (note == null ? "" : " (" + note + ")");
        }
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

    static List<Row> run(boolean quick, boolean gatewayRow, boolean routeRow, PrintStream log) throws IOException {
        String why = whyNot();
        List<Row> rows = new ArrayList<>();
        if (why != null) {
            if (gatewayRow) rows.add(Row.of("gateway_iperf3", "Mbit/s", Double.NaN, null, "none", "not measured: " + why));
            if (routeRow) rows.add(Row.of("route_iperf3", "Mbit/s", Double.NaN, null, "none", "not measured: " + why));
            return rows;
        }
        int secs = quick ? 2 : 5;
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
            Path kernel = rig.kernelPath(secs);
            log.println("bench: " + kernel.describe());
            Path gw = gatewayRow ? rig.gatewayPath(secs) : null;
            if (gw != null) log.println("bench: " + gw.describe());
            Path slirp = rig.slirpPath(secs);
            log.println("bench: " + slirp.describe());
            Path pasta = rig.pastaPath(secs);
            log.println("bench: " + pasta.describe());
            Path route = routeRow ? rig.routePath(secs) : null;
            if (route != null) log.println("bench: " + route.describe());
            String setup = "iperf3 -t " + secs + " (TCP, one stream, receiver side) and ping -c 20 -i 0.05 from a client namespace; server in a namespace behind a veth";
            String others = describe(List.of(kernel, slirp, pasta), base);
            if (gw != null) rows.add(Row.of("gateway_iperf3", "Mbit/s", gw.mbps(), nanToNull(kernel.mbps()), setup + "; kernel: forwarding namespace",
                    "netstack4j gateway --direct: " + describe(List.of(gw), base) + "; " + others + "; " + ratios(gw, slirp, pasta)));
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
        return "x slirp4netns " + ratio(ours.mbps(), slirp.mbps()) + ", x pasta " + ratio(ours.mbps(), pasta.mbps()) + " (target: at least 2 each)";
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

    /** ping -q's average round trip in ms, NaN if it has none. */
    static double pingAvg(String out) {
        Matcher m = RTT.matcher(out);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    /** The namespaces, veths and processes of one run, removed by {@link #close}. */
    private static final class Rig implements AutoCloseable {
        final String tag, s, c, r, b, veth;
        final String net; // 10.N
        final String server;
        final PrintStream log;
        final List<Process> processes = new ArrayList<>();
        final List<String> namespaces = new ArrayList<>();
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
        Path kernelPath(int secs) throws IOException {
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
            return measure("kernel", List.of("ip", "netns", "exec", cc), server, secs, null);
        }

        Path gatewayPath(int secs) throws IOException {
            String cg = ns(c + "g");
            TunGateway.Config cfg = new TunGateway.Config(tag + "g", Ipv4Cidr.parse(net + ".9.1/24"), List.of(), cg,
                    Ipv4Cidr.parse(net + ".9.2/24"), null, new Upstream.Direct(), new Upstream.Direct(), 10_000, null, null, null);
            try (TunGateway gw = TunGateway.open(cfg)) {
                Path p = measure("gateway", List.of("ip", "netns", "exec", cg), server, secs, null);
                return p;
            }
        }

        Path routePath(int secs) throws IOException {
            String ca = ns(c + "a");
            ns(b);
            try (TunRouter router = TunRouter.open(List.of(
                    new TunRouter.Port(tag + "a", Ipv4Cidr.parse("10.1.0.1/24"), ca, Ipv4Cidr.parse("10.1.0.2/24")),
                    new TunRouter.Port(tag + "b", Ipv4Cidr.parse("10.2.0.1/24"), b, Ipv4Cidr.parse("10.2.0.2/24"))), null, null, pidSeed())) {
                Process srv = LinuxNet.netnsStart(b, "iperf3", "-s", "-B", "10.2.0.2", "-p", "5201");
                processes.add(srv);
                sleepMs(500);
                return measure("route", List.of("ip", "netns", "exec", ca), "10.2.0.2", secs, null);
            }
        }

        Path slirpPath(int secs) throws IOException {
            if (LinuxNet.findOnPath("slirp4netns") == null) return new Path("slirp4netns", Double.NaN, Double.NaN, "not installed");
            Process hold = start(List.of("unshare", "--net", "sleep", "3600"));
            sleepMs(300);
            Process slirp = start(List.of("slirp4netns", "--configure", "--mtu=65520", "--disable-host-loopback", Long.toString(hold.pid()), "tap0"));
            sleepMs(1000);
            if (!slirp.isAlive()) return new Path("slirp4netns", Double.NaN, Double.NaN, "slirp4netns exited");
            return measure("slirp4netns", List.of("nsenter", "--net=/proc/" + hold.pid() + "/ns/net"), server, secs, null);
        }

        Path pastaPath(int secs) throws IOException {
            if (LinuxNet.findOnPath("pasta") == null) return new Path("pasta", Double.NaN, Double.NaN, "not installed");
            // pasta runs the command in a namespace of its own; --runas 0 keeps it root
            List<String> prefix = List.of("timeout", Integer.toString(secs + 15), "pasta", "--runas", "0", "--config-net", "--quiet", "--");
            return measure("pasta", prefix, server, secs, null);
        }

        Path measure(String name, List<String> prefix, String target, int secs, String note) {
            List<String> iperf = new ArrayList<>(prefix);
            iperf.addAll(List.of("iperf3", "-c", target, "-p", "5201", "-t", Integer.toString(secs), "-J"));
            double mbps = Double.NaN;
            // iperf3 3.12 exits 0 on "connection refused": retried until its JSON has results
            for (int i = 0; i < 3 && Double.isNaN(mbps); i++) {
                mbps = iperfMbps(output(iperf, secs + 20));
                if (Double.isNaN(mbps)) sleepMs(500);
            }
            return new Path(name, mbps, ping(prefix, target), note);
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
