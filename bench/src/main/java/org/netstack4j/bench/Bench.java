package org.netstack4j.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The benchmark: each row runs netstack4j and, where there is one, its kernel twin in the same
 * run, and reports ratio = netstack4j / kernel. Rows:
 * <ul>
 *   <li>{@code bulk} (Gbit/s): one connection, 64 KiB writes for the measured window;
 *       netstack4j: two hosts on an in-memory MTU 1500 link, one EventLoop, blocking sockets;
 *       kernel: java.net over a veth pair (MTU 1500) into a network namespace, or loopback.</li>
 *   <li>{@code connect} (conn/s): open, 1-byte request, 1-byte response, close.</li>
 *   <li>{@code pingpong} (round trips/s): 1-byte request and response on one connection.</li>
 *   <li>{@code idle_bytes} (bytes/conn): memory per idle established endpoint over N connections.</li>
 *   <li>{@code bulk6}, {@code connect6}: bulk's and connect's netstack4j side over IPv6, with the
 *       IPv4 figure of the same run and their ratio in the detail (issue 13: at least 0.9x).</li>
 *   <li>{@code bulk_nb}, {@code connect_nb}, {@code pingpong_nb}: the core alone through the
 *       non-blocking TcpLayer API in one thread; no kernel twin.</li>
 *   <li>{@code lossy_goodput_1pct}, {@code lossy_goodput_5pct} (Mbit/s, the {@code lossy_goodput}
 *       selection): simulated bulk transfers over a 100 Mbit/s link of 20 ms RTT losing 1% / 5%
 *       of frames, the Linux profile with RACK-TLP; the detail gives the same seeds with
 *       duplicate-ACK loss detection ({@link LossyRows}).</li>
 *   <li>{@code ecn_goodput} (Mbit/s): simulated bulk transfers with CUBIC through a 100 Mbit/s,
 *       20 ms RTT bottleneck whose 200-frame queue marks CE from 60 frames, with ECN (RFC 3168);
 *       the detail gives its retransmissions (none expected) and the same without ECN, where the
 *       queue tail-drops.</li>
 *   <li>{@code gateway_iperf3}, {@code route_iperf3} (Mbit/s): iperf3 through netstack4j's
 *       gateway and router beside slirp4netns, pasta and kernel forwarding, with ping latency
 *       ({@link GatewayRows}); kernel = kernel forwarding, the others in the detail.</li>
 * </ul>
 * Rates are counted by the client over the measured window after a warm-up.
 */
public final class Bench {
    public static final List<String> NAMES = List.of("bulk", "bulk6", "bulk_1core", "bulk_no_offload", "connect", "connect6", "pingpong", "idle_bytes", "bulk_nb", "connect_nb", "pingpong_nb", "lossy_goodput", "ecn_goodput", "gateway_iperf3", "route_iperf3");
    static final int IDLE_CONNECTIONS = 100_000, IDLE_CONNECTIONS_QUICK = 2_000;

    /** What to run: {@code only} empty means every row; {@code log} gets progress lines. */
    public record Options(boolean quick, Set<String> only, PrintStream log) {
        public Options {
            only = Set.copyOf(only);
            for (String n : only)
                if (!NAMES.contains(n)) throw new IllegalArgumentException("unknown row '" + n + "' (rows: " + String.join(", ", NAMES) + ")");
        }

        boolean wants(String name) { return only.isEmpty() || only.contains(name); }
    }

    private Bench() {}

    /** Runs the selected rows in the order of {@link #NAMES}. */
    public static List<Row> run(Options o) throws IOException {
        Measure.Durations d = Measure.Durations.of(o.quick());
        List<Row> rows = new ArrayList<>();
        boolean kernelRows = o.wants("bulk") || o.wants("bulk_1core") || o.wants("bulk_no_offload") || o.wants("connect") || o.wants("pingpong") || o.wants("idle_bytes");
        KernelRig rig = null;
        Thread cleanup = null;
        try {
            if (kernelRows) {
                o.log().println("bench: starting the kernel peer...");
                KernelRig r = rig = KernelRig.start(o.log());
                cleanup = new Thread(r::close, "bench-cleanup");
                Runtime.getRuntime().addShutdownHook(cleanup);
                o.log().println("bench: kernel setup: " + rig.setup);
            }
            final KernelRig k = rig;
            double oursBulk = Double.NaN;
            if (o.wants("bulk")) {
                double ours = oursBulk = bulkGbps(o, "bulk netstack4j", d);
                double kern = kernelBulkGbps(o, "bulk kernel", d, k);
                rows.add(Row.of("bulk", "Gbit/s", ours, kern, rig.setup, "one connection, 64 KiB writes, counted by the writer; netstack4j checksums every 1500-byte packet twice (send, verify) and ACKs each burst once (TcpConfig.coalesceAcks, as GRO does for Linux), "
                        + "the kernel over veth offloads checksums and moves 64 KiB GSO/GRO segments"));
            }
            if (o.wants("bulk6")) {
                double v4 = Double.isNaN(oursBulk) ? oursBulk = bulkGbps(o, "bulk netstack4j", d) : oursBulk;
                double v6 = progress(o, "bulk6 netstack4j", NetstackRows.run(NetstackRows.Kind.BULK, d, true)) * 8 / 1e9;
                rows.add(Row.of("bulk6", "Gbit/s", v6, null, "none", "as bulk's netstack4j side over IPv6 (fd00:213::1 to ::2, MSS 1440, 40-byte headers): "
                        + ratio(v6, v4) + "x the IPv4 figure of this run (" + fmt(v4) + " Gbit/s)"));
            }
            if (o.wants("bulk_1core")) {
                String why = Cpus.whyNotPinnable();
                if (why != null) {
                    rows.add(Row.of("bulk_1core", "Gbit/s", Double.NaN, null, rig.setup, "not measured: " + why));
                } else {
                    double ours, kern;
                    try (Cpus pin = Cpus.pinToFirst(ProcessHandle.current().pid())) {
                        ours = bulkGbps(o, "bulk_1core netstack4j", d);
                    }
                    try (Cpus pin = Cpus.pinToFirst(ProcessHandle.current().pid(), k.peerPid())) {
                        kern = kernelBulkGbps(o, "bulk_1core kernel", d, k);
                    }
                    rows.add(Row.of("bulk_1core", "Gbit/s", ours, kern, rig.setup + "; everything on CPU " + Cpus.FIRST + " (taskset)",
                            "as bulk, with each side's processes (netstack4j: this JVM; kernel: this JVM and the peer JVM, whose system calls carry the kernel's TCP work) "
                                    + "limited to one CPU, as the issue's kernel figure (8.5 Gbit/s on one core) is stated"));
                }
            }
            if (o.wants("bulk_no_offload")) {
                String why = k.setOffloads(false);
                if (why != null) {
                    rows.add(Row.of("bulk_no_offload", "Gbit/s", Double.NaN, null, rig.setup, "not measured: " + why));
                } else {
                    try {
                        double ours = Double.isNaN(oursBulk) ? bulkGbps(o, "bulk netstack4j", d) : oursBulk;
                        double kern = kernelBulkGbps(o, "bulk_no_offload kernel", d, k);
                        rows.add(Row.of("bulk_no_offload", "Gbit/s", ours, kern, rig.setup + "; veth offloads off (ethtool -K tso gso gro tx rx off)",
                                "netstack4j: the bulk row's figure; kernel: as bulk but each 1500-byte packet travels and is checksummed on its own, the work netstack4j does"));
                    } finally {
                        String back = k.setOffloads(true);
                        if (back != null) o.log().println("bench: could not restore the veth offloads: " + back);
                    }
                }
            }
            double oursConnect = Double.NaN;
            if (o.wants("connect")) {
                double ours = oursConnect = progress(o, "connect netstack4j", NetstackRows.run(NetstackRows.Kind.CONNECT, d));
                double kern = progress(o, "connect kernel", Measure.rate(d, (n, stop) -> Workloads.connectClient(k.dialer(KernelPeer.CONNECT), n, stop)));
                rows.add(Row.of("connect", "conn/s", ours, kern, rig.setup, "sequential: open, 1-byte request, 1-byte response, close"));
            }
            if (o.wants("connect6")) {
                double v4 = Double.isNaN(oursConnect) ? progress(o, "connect netstack4j", NetstackRows.run(NetstackRows.Kind.CONNECT, d)) : oursConnect;
                double v6 = progress(o, "connect6 netstack4j", NetstackRows.run(NetstackRows.Kind.CONNECT, d, true));
                rows.add(Row.of("connect6", "conn/s", v6, null, "none", "as connect's netstack4j side over IPv6: "
                        + ratio(v6, v4) + "x the IPv4 figure of this run (" + fmt(v4) + " conn/s)"));
            }
            if (o.wants("pingpong")) {
                double ours = progress(o, "pingpong netstack4j", NetstackRows.run(NetstackRows.Kind.PINGPONG, d));
                double kern = progress(o, "pingpong kernel", Measure.rate(d, (n, stop) -> Workloads.pingpongClient(k.dialer(KernelPeer.ECHO), n, stop)));
                rows.add(Row.of("pingpong", "round trips/s", ours, kern, rig.setup, "one connection, TCP_NODELAY, client and server threads"));
            }
            if (o.wants("idle_bytes")) {
                int n = o.quick() ? IDLE_CONNECTIONS_QUICK : IDLE_CONNECTIONS;
                IdleRows.Result ours = IdleRows.netstack4j(n);
                progress(o, "idle_bytes netstack4j", ours.bytesPerEndpoint());
                IdleRows.Result kern = IdleRows.kernel(rig, n);
                progress(o, "idle_bytes kernel", kern.bytesPerEndpoint());
                rows.add(Row.of("idle_bytes", "bytes/conn", ours.bytesPerEndpoint(), Double.isNaN(kern.bytesPerEndpoint()) ? null : kern.bytesPerEndpoint(),
                        rig.setup, "netstack4j: " + ours.detail() + " | kernel: " + kern.detail()));
            }
            if (o.wants("bulk_nb"))
                rows.add(Row.of("bulk_nb", "Gbit/s", progress(o, "bulk_nb", CoreRows.bulk(d)) * 8 / 1e9, null, "none",
                        "TcpLayer API, both hosts in one thread"));
            if (o.wants("connect_nb"))
                rows.add(Row.of("connect_nb", "conn/s", progress(o, "connect_nb", CoreRows.connect(d)), null, "none",
                        "TcpLayer API, both hosts in one thread; ephemeral ports 1024-65535; " + CoreRows.slowConnects
                                + " connections took > 100 ms (waited for a retransmission timeout)"));
            if (o.wants("pingpong_nb"))
                rows.add(Row.of("pingpong_nb", "round trips/s", progress(o, "pingpong_nb", CoreRows.pingpong(d)), null, "none",
                        "TcpLayer API, both hosts in one thread"));
            if (o.wants("lossy_goodput")) {
                for (double loss : new double[] {0.01, 0.05}) {
                    int pct = (int) Math.round(loss * 100);
                    long bytes = o.quick() ? 1_000_000 : 4_000_000;
                    int seeds = o.quick() ? 2 : 8;
                    LossyRows.Result r = LossyRows.run(loss, bytes, seeds);
                    progress(o, "lossy_goodput_" + pct + "pct rack", r.rackMbps());
                    progress(o, "lossy_goodput_" + pct + "pct dupack", r.dupAckMbps());
                    rows.add(Row.of("lossy_goodput_" + pct + "pct", "Mbit/s", r.rackMbps(), null, "none",
                            String.format(Locale.ROOT, "simulator, virtual time: %d bytes client to server, %d seeds, 100 Mbit/s, 20 ms RTT, %d%% frame loss both ways; "
                                    + "Linux profile with RACK-TLP %.2f Mbit/s (%d retransmissions) vs duplicate-ACK loss detection %.2f Mbit/s (%d retransmissions) on the same seeds",
                                    bytes, seeds, pct, r.rackMbps(), r.rackRetransmits(), r.dupAckMbps(), r.dupAckRetransmits())));
                }
            }
            if (o.wants("ecn_goodput")) {
                long bytes = o.quick() ? 2_000_000 : 20_000_000;
                int seeds = o.quick() ? 1 : 4;
                LossyRows.EcnResult r = LossyRows.runEcn(bytes, seeds);
                progress(o, "ecn_goodput ecn", r.ecnMbps());
                progress(o, "ecn_goodput drop-tail", r.dropTailMbps());
                rows.add(Row.of("ecn_goodput", "Mbit/s", r.ecnMbps(), null, "none",
                        String.format(Locale.ROOT, "simulator, virtual time: %d bytes client to server, %d seeds, CUBIC, 100 Mbit/s, 20 ms RTT, "
                                + "a 200-frame queue marking CE from 60 frames: with ECN %.2f Mbit/s, %d retransmissions, %d CE marks; "
                                + "without ECN (the queue tail-drops) %.2f Mbit/s, %d retransmissions",
                                bytes, seeds, r.ecnMbps(), r.ecnRetransmits(), r.ceMarks(), r.dropTailMbps(), r.dropTailRetransmits())));
            }
            if (o.wants("gateway_iperf3") || o.wants("route_iperf3"))
                rows.addAll(GatewayRows.run(o.quick(), o.wants("gateway_iperf3"), o.wants("route_iperf3"), o.log()));
        } finally {
            if (rig != null) {
                rig.close();
                try {
                    Runtime.getRuntime().removeShutdownHook(cleanup);
                } catch (IllegalStateException ignored) {
                    // already shutting down
                }
            }
        }
        return rows;
    }

    /** The bulk workload on netstack4j's blocking sockets, in Gbit/s. */
    private static double bulkGbps(Options o, String what, Measure.Durations d) throws IOException {
        return progress(o, what, NetstackRows.run(NetstackRows.Kind.BULK, d)) * 8 / 1e9;
    }

    /** The bulk workload on the kernel's TCP (java.net to the peer's sink), in Gbit/s. */
    private static double kernelBulkGbps(Options o, String what, Measure.Durations d, KernelRig k) throws IOException {
        return progress(o, what, Measure.rate(d, (n, stop) -> Workloads.bulkClient(k.dialer(KernelPeer.SINK), n, stop))) * 8 / 1e9;
    }

    private static String ratio(double v6, double v4) { return v4 > 0 ? String.format(Locale.ROOT, "%.2f", v6 / v4) : "n/a"; }

    private static double progress(Options o, String what, double value) {
        o.log().printf(Locale.ROOT, "bench: %-22s %s%n", what, fmt(value));
        return value;
    }

    // ---- output ----

    /** {@code {"results":[{"name":...,"unit":...,"netstack4j":...,"kernel":...,"ratio":...,"kernel_setup":...,"detail":...}]}} */
    public static String json(List<Row> rows) {
        StringBuilder s = new StringBuilder("{\"results\":[");
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            if (i > 0) s.append(',');
            s.append("\n  {\"name\":").append(str(r.name()))
                    .append(",\"unit\":").append(str(r.unit()))
                    .append(",\"netstack4j\":").append(num(r.netstack4j()))
                    .append(",\"kernel\":").append(num(r.kernel()))
                    .append(",\"ratio\":").append(num(r.ratio()))
                    .append(",\"kernel_setup\":").append(str(r.kernelSetup()))
                    .append(",\"detail\":").append(str(r.detail()))
                    .append('}');
        }
        return s.append("\n]}").toString();
    }

    /** A plain text table, then one line of detail per row. */
    public static String table(List<Row> rows) {
        StringBuilder s = new StringBuilder();
        String fmt = "%-26s %-14s %12s %12s %7s  %s%n";
        s.append(String.format(Locale.ROOT, fmt, "name", "unit", "netstack4j", "kernel", "ratio", "kernel_setup"));
        for (Row r : rows)
            s.append(String.format(Locale.ROOT, fmt, r.name(), r.unit(), fmt(r.netstack4j()),
                    r.kernel() == null ? "n/a" : fmt(r.kernel()), r.ratio() == null ? "-" : String.format(Locale.ROOT, "%.2fx", r.ratio()),
                    r.kernelSetup()));
        s.append("ratio = netstack4j / kernel (idle_bytes: lower is better)\n");
        for (Row r : rows) s.append("  ").append(r.name()).append(": ").append(r.detail()).append('\n');
        return s.toString();
    }

    static String fmt(double v) {
        if (Double.isNaN(v)) return "n/a";
        double a = Math.abs(v);
        if (a >= 1000) return String.format(Locale.ROOT, "%.0f", v);
        if (a >= 10) return String.format(Locale.ROOT, "%.1f", v);
        return String.format(Locale.ROOT, "%.3f", v);
    }

    private static String num(Double v) {
        if (v == null || v.isNaN() || v.isInfinite()) return "null";
        return BigDecimalText.of(v);
    }

    private static String str(String v) {
        if (v == null) return "null";
        StringBuilder s = new StringBuilder("\"");
        for (char c : v.toCharArray()) {
            switch (c) {
                case '"' -> s.append("\\\"");
                case '\\' -> s.append("\\\\");
                case '\n' -> s.append("\\n");
                case '\t' -> s.append("\\t");
                default -> {
                    if (c < 0x20) s.append(String.format("\\u%04x", (int) c)); else s.append(c);
                }
            }
        }
        return s.append('"').toString();
    }

    /** JSON numbers: up to 6 significant decimals, never exponent notation. */
    private static final class BigDecimalText {
        static String of(double v) {
            return new java.math.BigDecimal(v).round(new java.math.MathContext(6)).stripTrailingZeros().toPlainString();
        }
    }

    /** Parses "--only a,b": names separated by commas. */
    public static Set<String> parseOnly(String csv) {
        Set<String> s = new LinkedHashSet<>();
        if (csv == null) return s;
        for (String p : csv.split(",")) if (!p.isBlank()) s.add(p.trim());
        return s;
    }
}
