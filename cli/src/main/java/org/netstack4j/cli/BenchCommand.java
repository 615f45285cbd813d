package org.netstack4j.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Set;
import org.netstack4j.bench.Bench;
import org.netstack4j.bench.Row;
import org.netstack4j.linux.TunBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** End-to-end benchmark against the kernel's TCP, measured in the same run. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        header = "Measures netstack4j against the kernel's TCP in the same run.",
        description = {
            "Measures netstack4j against the kernel's TCP in the same run and prints each row with",
            "ratio = netstack4j / kernel. Rows: bulk (Gbit/s, one connection), bulk_1core (the same with",
            "each side limited to one CPU by taskset), bulk_no_offload (the kernel with the veth's",
            "TSO/GSO/GRO and checksum offloads off, by ethtool), connect (open, 1-byte",
            "request and response, close, per second), pingpong (1-byte round trips per second),",
            "idle_bytes (memory per idle established connection endpoint; kernel: slab bytes per",
            "socket from /proc/slabinfo), bulk6 and connect6 (netstack4j's bulk and connect over IPv6, with",
            "the ratio to the same run's IPv4 figure), and bulk_nb, connect_nb, pingpong_nb (the core alone through",
            "the non-blocking TcpLayer API in one thread; no kernel twin).",
            "As root the kernel runs over a veth pair (MTU 1500) into a network namespace it creates",
            "and removes (10.214.0.0/24); otherwise over loopback. Progress goes to stderr.",
            "The tun rows (root only; skipped with the reason otherwise): tun_ceiling (1500-byte packets",
            "through a TUN device in this JVM), tun_bulk_kernel_to_nsj and tun_bulk_nsj_to_kernel (TCP",
            "over a TUN with MTU 1500, ratio = value / tun_ceiling), the same as tun_offload_bulk_* with",
            "the TUN's offloads (virtio-net header, 64 KiB GSO both ways), veth_bulk_kernel_to_kernel.",
            "A benchmark on a shared machine: numbers vary from run to run; compare the ratios."},
        footer = {"", "Example: netstack4j bench --only bulk,pingpong --json"})
public final class BenchCommand implements java.util.concurrent.Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--json", description = "Print {\"results\":[...]} instead of a table.")
    boolean json;

    @Option(names = "--only", paramLabel = "NAME,...", description = "Run only these rows (bulk, bulk6, bulk_1core, bulk_no_offload, connect, connect6, pingpong, idle_bytes, bulk_nb, connect_nb, pingpong_nb, lossy_goodput, ecn_goodput, gateway_iperf3, route_iperf3, tun).")
    String only;

    @Option(names = "--quick", description = "Shorter runs: 1 s warm-up (about what the JIT needs before netstack4j runs at full speed), 1 s measured, 2000 idle connections.")
    boolean quick;

    @Override public Integer call() throws Exception {
        Set<String> names = new java.util.LinkedHashSet<>(Bench.parseOnly(only));
        List<String> valid = new java.util.ArrayList<>(Bench.NAMES);
        valid.add("tun");
        List<String> unknown = names.stream().filter(n -> !valid.contains(n)).toList();
        if (!unknown.isEmpty())
            throw new Main.UsageError("--only: unknown row" + (unknown.size() > 1 ? "s " : " ") + String.join(", ", unknown.stream().map(n -> "'" + n + "'").toList())
                    + "; the rows are " + String.join(", ", valid));
        if (only != null && names.isEmpty()) throw new Main.UsageError("--only: no row named; the rows are " + String.join(", ", valid));
        boolean tun = names.isEmpty() || names.remove("tun");
        List<Row> rows = new java.util.ArrayList<>();
        if (only == null || !names.isEmpty()) {
            rows.addAll(Bench.run(new Bench.Options(quick, names, System.err)));
        }
        if (tun) {
            for (TunBench.Row t : TunBench.run(quick, System.err)) {
                rows.add(new Row(t.name(), t.unit(), t.netstack4j() == null ? Double.NaN : t.netstack4j(), t.kernel(),
                        t.ratio(), t.kernelSetup(), t.name().startsWith("tun_bulk") || t.name().startsWith("tun_offload_bulk")
                                ? "ratio = netstack4j / tun_ceiling (the issue's target: >= 0.8); kernel = veth_bulk_kernel_to_kernel"
                                : t.name().startsWith("tun_ceiling") ? "packets through the TUN device in this JVM, no TCP"
                                : t.name().equals("tun_http_wrk") ? "ratio = netstack4j / nginx requests per second (the issue's target: >= 1.0)"
                                : "baseline"));
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(json ? Bench.json(rows) : Bench.table(rows));
        out.flush();
        return 0;
    }
}
