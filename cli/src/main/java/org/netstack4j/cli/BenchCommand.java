package org.netstack4j.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Set;
import org.netstack4j.bench.Bench;
import org.netstack4j.bench.Row;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** End-to-end benchmark against the kernel's TCP, measured in the same run. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {
            "Measures netstack4j against the kernel's TCP in the same run and prints each row with",
            "ratio = netstack4j / kernel. Rows: bulk (Gbit/s, one connection), connect (open, 1-byte",
            "request and response, close, per second), pingpong (1-byte round trips per second),",
            "idle_bytes (memory per idle established connection endpoint; kernel: slab bytes per",
            "socket from /proc/slabinfo), and bulk_nb, connect_nb, pingpong_nb (the core alone through",
            "the non-blocking TcpLayer API in one thread; no kernel twin).",
            "As root the kernel runs over a veth pair (MTU 1500) into a network namespace it creates",
            "and removes (10.214.0.0/24); otherwise over loopback. Progress goes to stderr.",
            "A benchmark on a shared machine: numbers vary from run to run; compare the ratios."},
        footer = {"", "Example: netstack4j bench --only bulk,pingpong --json"})
public final class BenchCommand implements java.util.concurrent.Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--json", description = "Print {\"results\":[...]} instead of a table.")
    boolean json;

    @Option(names = "--only", paramLabel = "NAME,...", description = "Run only these rows (bulk, connect, pingpong, idle_bytes, bulk_nb, connect_nb, pingpong_nb).")
    String only;

    @Option(names = "--quick", description = "Short runs (0.2 s warm-up, 0.5 s measured, 2000 idle connections) for a smoke test.")
    boolean quick;

    @Override public Integer call() throws Exception {
        Set<String> names = Bench.parseOnly(only);
        Bench.Options options;
        try {
            options = new Bench.Options(quick, names, System.err);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageError("--only: " + e.getMessage());
        }
        List<Row> rows = Bench.run(options);
        PrintWriter out = spec.commandLine().getOut();
        out.println(json ? Bench.json(rows) : Bench.table(rows));
        out.flush();
        return 0;
    }
}
