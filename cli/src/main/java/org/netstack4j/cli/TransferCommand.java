package org.netstack4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import org.netstack4j.device.Medium;
import org.netstack4j.host.BulkTransfer;
import org.netstack4j.host.TwoHostNetwork;
import org.netstack4j.tcp.TcpConfig;
import org.netstack4j.sim.LinkConfig;
import org.netstack4j.time.Time;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** One TCP connection across a faulty simulated link, checked end to end with SHA-256. */
@Command(name = "transfer", mixinStandardHelpOptions = true,
        header = "Moves bytes over one TCP connection across a faulty simulated link.",
        description = {
            "Moves N bytes over one TCP connection between two simulated hosts (10.0.0.1 and",
            "10.0.0.2) across a link that can lose, duplicate, reorder and corrupt frames, then",
            "closes it. Prints the SHA-256 of the bytes sent and received, the simulated duration",
            "and goodput, retransmissions and both final states. Exit status 1 if the bytes differ",
            "or the connection did not close cleanly."},
        footer = {"", "Example: netstack4j transfer --bytes 10M --loss 5 --reorder 2 --seed 7"})
public final class TransferCommand implements java.util.concurrent.Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--bytes", paramLabel = "N", required = true, description = "Bytes to move each way; suffixes K, M, G (powers of 1024).")
    String bytesText;

    enum Dir { UP, DOWN, BOTH }

    @Option(names = "--direction", paramLabel = "DIR", description = "up (client to server), down or both (default: ${DEFAULT-VALUE}).")
    Dir direction = Dir.UP;

    @Option(names = "--loss", paramLabel = "P", description = "Percent of frames lost (default: 0).") String loss = "0";
    @Option(names = "--dup", paramLabel = "P", description = "Percent of frames duplicated (default: 0).") String dup = "0";
    @Option(names = "--reorder", paramLabel = "P", description = "Percent of frames delivered out of order (default: 0).") String reorder = "0";
    @Option(names = "--corrupt", paramLabel = "P", description = "Percent of frames with one byte changed; the checksums catch every one (default: 0).") String corrupt = "0";

    @Option(names = "--latency", paramLabel = "MS", description = "One-way latency in milliseconds (default: ${DEFAULT-VALUE}).")
    double latencyMs = 5;

    @Option(names = "--bandwidth", paramLabel = "MBIT", description = "Link rate in Mbit/s, 0 for unlimited (default: ${DEFAULT-VALUE}).")
    double bandwidthMbit = 100;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of the simulation and of the data (default: ${DEFAULT-VALUE}).")
    long seed = 1;

    @Option(names = "--pcap", paramLabel = "FILE", description = "Write the client's frames to FILE (pcap, Ethernet).")
    Path pcap;

    @Option(names = "--trace", description = "Print every trace event of both hosts (segments, state changes, timers, drops).")
    boolean trace;

    @Option(names = "--cc", paramLabel = "ALG", description = "Congestion control of both hosts: newreno (RFC 5681/6582) or cubic (RFC 9438) (default: ${DEFAULT-VALUE}).")
    TcpConfig.CongestionControlKind cc = TcpConfig.CongestionControlKind.NEWRENO;

    @Option(names = "--ipv6", description = "Dual-stack hosts (fd00::1/64, fd00::2/64 beside 10.0.0.x) and the transfer over IPv6.")
    boolean ipv6;

    @Option(names = "--ipv6-only", description = "IPv6-only hosts (fd00::1/64, fd00::2/64 and link-local; no IPv4 address, no ARP) and the transfer over IPv6.")
    boolean ipv6Only;

    @Option(names = "--ecn", description = "Both hosts ask for ECN (RFC 3168; Linux tcp_ecn=1): ECT(0) data, CE echoed, cwnd reduced without loss.")
    boolean ecn;

    @Option(names = "--ce-threshold", paramLabel = "N", description = "The link's queue marks ECN-capable frames CE once N frames wait (an ECN-marking AQM; 0 = never, the default). Needs --bandwidth.")
    int ceThreshold;

    @Option(names = "--queue", paramLabel = "N", description = "Frames the link's queue holds before tail-dropping (default: ${DEFAULT-VALUE}).")
    int queue = 1000;

    /** Simulated time after which the run gives up. */
    static final long LIMIT_NS = Time.s(86_400);

    @Override public Integer call() {
        long bytes = parseSize(bytesText);
        LinkConfig link = LinkConfig.builder().medium(Medium.ETHERNET)
                .latencyNs(Options.millis("--latency", latencyMs))
                .bandwidthBitsPerSec(bandwidth())
                .loss(Options.percent("--loss", loss)).duplicate(Options.percent("--dup", dup))
                .reorder(Options.percent("--reorder", reorder)).corrupt(Options.percent("--corrupt", corrupt))
                .queueLimit(queueFrames()).ceThreshold(ceThreshold())
                .build();
        if (pcap != null) Options.outputFile("--pcap", pcap);
        PrintWriter out = spec.commandLine().getOut();
        BulkTransfer.Direction dir = BulkTransfer.Direction.valueOf(direction.name());
        BulkTransfer.Result r;
        TcpConfig tcp = TcpConfig.defaults().withRecovery(rc -> rc.withCongestionControl(cc))
                .withOptions(o -> o.withEcn(ecn ? TcpConfig.Options.ECN_ON : TcpConfig.Options.ECN_ACCEPT));
        long ceMarks, ecnReductions;
        try (TwoHostNetwork net = TwoHostNetwork.builder().seed(seed).link(link).pcap(pcap).tcp(tcp).ipv6(ipv6).ipv6Only(ipv6Only).build()) {
            r = BulkTransfer.run(net, bytes, dir, seed, LIMIT_NS);
            if (trace) printTrace(out, net);
            ceMarks = net.client().counters().get("tcp.ecn.in_ce") + net.server().counters().get("tcp.ecn.in_ce");
            ecnReductions = net.client().counters().get("tcp.ecn.cwnd_reductions") + net.server().counters().get("tcp.ecn.cwnd_reductions");
        }
        out.printf(Locale.ROOT, "%d bytes %s over a simulated %slink: latency %s ms, %s, loss %s%%, dup %s%%, reorder %s%%, corrupt %s%%, seed %d%n",
                bytes, switch (dir) { case UP -> "client -> server"; case DOWN -> "server -> client"; case BOTH -> "each way"; },
                ipv6Only ? "IPv6-only " : ipv6 ? "IPv6 " : "",
                fmt(latencyMs), bandwidthMbit == 0 ? "unlimited rate" : fmt(bandwidthMbit) + " Mbit/s",
                pct(loss), pct(dup), pct(reorder), pct(corrupt), seed);
        for (BulkTransfer.Flow f : new BulkTransfer.Flow[] {r.up(), r.down()}) {
            if (f == null) continue;
            out.printf("%s -> %s%n", f.from(), f.to());
            if (f.written() == f.bytes()) {
                out.printf("  sent     %d bytes  sha256 %s%n", f.bytes(), f.sentSha256());
            } else {
                out.printf("  sent     %d of %d bytes (the connection ended before the rest was written)%n", f.written(), f.bytes());
            }
            if (f.received() == 0 && f.bytes() > 0) {
                out.printf("  received 0 bytes  %s%n", "NOTHING ARRIVED");
            } else {
                out.printf("  received %d bytes  sha256 %s  %s%n", f.received(), f.receivedSha256(), f.intact() ? "MATCH" : "DIFFERENT");
            }
        }
        double secs = r.durationNs() / 1e9;
        long moved = (r.up() == null ? 0 : r.up().received()) + (r.down() == null ? 0 : r.down().received());
        if (r.completed()) {
            out.printf(Locale.ROOT, "simulated duration %.3f s, goodput %.2f Mbit/s%n", secs, BulkTransfer.mbitPerSecond(moved, r.durationNs()));
        } else {
            out.printf(Locale.ROOT, "gave up after %.0f hours of simulated time with %d bytes delivered%n", LIMIT_NS / 3.6e12, moved);
        }
        out.printf("retransmissions: client %d, server %d (congestion control %s)%n", r.clientRetransmissions(), r.serverRetransmissions(),
                cc.name().toLowerCase(Locale.ROOT));
        if (ecn || ceThreshold > 0)
            out.printf("ECN: %d segments arrived marked CE, %d window reductions on ECE%s%n", ceMarks, ecnReductions,
                    ecn ? "" : " (ECN not asked for: --ecn)");
        out.printf("final states: client %s%s, server %s%s%n", r.clientState(), err(r.clientError()), r.serverState(), err(r.serverError()));
        String why = whatHappened(r);
        if (why != null) out.println(why);
        out.println(r.ok() ? "OK" : "FAILED");
        out.flush();
        return r.ok() ? 0 : 1;
    }

    /** One sentence on why a run failed (null when it did not). */
    private String whatHappened(BulkTransfer.Result r) {
        if (r.ok()) return null;
        boolean neverConnected = r.serverState().equals("(none)");
        double lossP = Options.percent("--loss", loss);
        String lossHint = lossP >= 1.0 ? " (--loss 100 drops every frame)" : lossP >= 0.3 ? " (at --loss " + pct(loss) + "% TCP gives up)" : "";
        if (neverConnected && r.clientError() != null)
            return "the connection never opened: the client's SYNs went unanswered and it gave up: " + r.clientError().message() + lossHint;
        if (r.clientError() != null || r.serverError() != null)
            return "the connection failed: " + (r.clientError() != null ? "client: " + r.clientError().message() : "")
                    + (r.clientError() != null && r.serverError() != null ? "; " : "")
                    + (r.serverError() != null ? "server: " + r.serverError().message() : "") + lossHint;
        if (!r.completed())
            return "the transfer did not finish within " + Math.round(LIMIT_NS / 3.6e12) + " hours of simulated time" + lossHint;
        return "the bytes received differ from the bytes sent";
    }

    private static void printTrace(PrintWriter out, TwoHostNetwork net) {
        java.util.List<String[]> lines = new java.util.ArrayList<>();
        java.util.List<Long> times = new java.util.ArrayList<>();
        java.util.List<org.netstack4j.trace.TraceEvent> all = new java.util.ArrayList<>();
        java.util.List<String> who = new java.util.ArrayList<>();
        for (var e : net.clientLog().events()) { all.add(e); who.add("client"); }
        for (var e : net.serverLog().events()) { all.add(e); who.add("server"); }
        Integer[] idx = new Integer[all.size()];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        java.util.Arrays.sort(idx, java.util.Comparator.comparingLong(i -> all.get(i).time()));
        for (int i : idx) out.printf(Locale.ROOT, "%12.6f %s %s%n", all.get(i).time() / 1e9, who.get(i), all.get(i));
    }

    private int queueFrames() {
        if (queue < 0) throw new Main.UsageError("--queue wants a number of frames, 0 (unbounded) or more, not " + queue);
        return queue;
    }

    private int ceThreshold() {
        if (ceThreshold < 0) throw new Main.UsageError("--ce-threshold wants a number of frames, 0 (never mark) or more, not " + ceThreshold);
        if (ceThreshold > 0 && bandwidthMbit == 0) throw new Main.UsageError("--ce-threshold needs a queue, so a --bandwidth above 0");
        return ceThreshold;
    }

    private long bandwidth() {
        if (!(bandwidthMbit >= 0 && bandwidthMbit <= 1_000_000))
            throw new Main.UsageError("--bandwidth wants Mbit/s from 0 (unlimited) to 1000000, not " + bandwidthMbit);
        return Math.round(bandwidthMbit * 1e6);
    }

    private static String err(org.netstack4j.tcp.TcpError e) { return e == null ? "" : " (" + e.message() + ")"; }

    private static String fmt(double v) { return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v); }

    private static String pct(String p) { return fmt(Options.percent("--x", p) * 100); }

    /** "10M", "512K", "1G", "1000": bytes. */
    static long parseSize(String text) {
        String t = text.trim().toUpperCase(Locale.ROOT);
        long mult = 1;
        if (t.endsWith("IB")) t = t.substring(0, t.length() - 2); else if (t.endsWith("B")) t = t.substring(0, t.length() - 1);
        if (t.endsWith("K")) { mult = 1L << 10; t = t.substring(0, t.length() - 1); }
        else if (t.endsWith("M")) { mult = 1L << 20; t = t.substring(0, t.length() - 1); }
        else if (t.endsWith("G")) { mult = 1L << 30; t = t.substring(0, t.length() - 1); }
        try {
            long v = Long.parseLong(t.trim());
            if (v < 0 || v > (8L << 30) / mult) throw new NumberFormatException();
            return v * mult;
        } catch (NumberFormatException e) {
            throw new Main.UsageError("--bytes wants a size from 0 to 8G such as 1000, 64K or 10M, not '" + text + "'");
        }
    }
}
