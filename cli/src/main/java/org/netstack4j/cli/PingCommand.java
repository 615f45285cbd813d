package org.netstack4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.netstack4j.device.Medium;
import org.netstack4j.host.TwoHostNetwork;
import org.netstack4j.ip.IpStack;
import org.netstack4j.sim.LinkConfig;
import org.netstack4j.time.Time;
import org.netstack4j.ip.EchoReplyListener;
import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv6Address;
import org.netstack4j.linux.TunHost;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** ping(8) between two simulated hosts in virtual time, or from netstack4j on a TUN to a real host. */
@Command(name = "ping", mixinStandardHelpOptions = true,
        header = "ping(8) on a simulated link, or from netstack4j on a TUN to a real host.",
        description = {
            "Without HOST: sends ICMP echo requests from a simulated host 10.0.0.1 to a",
            "simulated host 10.0.0.2 (two complete netstack4j stacks on one Ethernet link,",
            "ARP included) and prints each reply the way ping(8) does. Runs in virtual",
            "time: instant, and the same --seed gives the same output and pcap bytes.",
            "",
            "With HOST --tun NAME --address CIDR: pings HOST (e.g. the kernel's side of",
            "the TUN) from netstack4j in real time; --interval and --timeout are then real",
            "milliseconds and --latency does not apply."},
        footer = {"", "Examples:",
            "  netstack4j ping --count 5 --loss 20 --pcap ping.pcap && tshark -r ping.pcap",
            "  netstack4j ping 10.7.0.1 --tun nsj0 --address 10.7.0.2/24 \\",
            "      --host-address 10.7.0.1/24        (as root)"})
public final class PingCommand implements java.util.concurrent.Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "HOST", description = "IPv4 address to ping over --tun (omit for the simulated run).")
    String target;

    @Mixin TunOptions tunOptions = new TunOptions();

    @Option(names = {"-c", "--count"}, paramLabel = "N", description = "Echo requests to send (default: ${DEFAULT-VALUE}).")
    int count = 4;

    @Option(names = {"-s", "--size"}, paramLabel = "B", description = "ICMP payload bytes per request, 0-65507 (default: ${DEFAULT-VALUE}); above 1472 the packets are fragmented.")
    int size = 56;

    @Option(names = "--loss", paramLabel = "P", description = "Percent of frames the link loses, each direction (default: 0).")
    String loss = "0";

    @Option(names = "--latency", paramLabel = "MS", description = "One-way link latency in milliseconds (default: ${DEFAULT-VALUE}).")
    double latencyMs = 1.0;

    @Option(names = {"-i", "--interval"}, paramLabel = "MS", description = "Milliseconds between requests: virtual ones in the simulation, real ones with --tun (default: ${DEFAULT-VALUE}).")
    double intervalMs = 1000;

    @Option(names = {"-W", "--timeout"}, paramLabel = "MS", description = "Milliseconds to wait for the last reply: virtual in the simulation, real with --tun (default: ${DEFAULT-VALUE}).")
    double timeoutMs = 2000;

    @Option(names = "--ipv6", description = "Simulated run: ping6 over IPv6 (fd00::1 to fd00::2, Neighbor Discovery first; above 1452 bytes the packets are fragmented).")
    boolean ipv6;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of the simulation (default: ${DEFAULT-VALUE}).")
    long seed = 1;

    @Option(names = "--pcap", paramLabel = "FILE", description = "Write every frame the pinging host sends and receives to FILE (pcap, Ethernet).")
    Path pcap;

    @Override public Integer call() throws InterruptedException {
        Options.positive("--count", count);
        Options.range("--count", count, 1, 100_000);
        Options.range("--size", size, 0, 65_507);
        double lossP = Options.percent("--loss", loss);
        long latency = Options.millis("--latency", latencyMs);
        long interval = Options.millis("--interval", intervalMs);
        long timeout = Options.millis("--timeout", timeoutMs);
        if (pcap != null) Options.outputFile("--pcap", pcap);
        PrintWriter out = spec.commandLine().getOut();
        if (target != null || tunOptions.given()) return realPing(out, lossP, interval, timeout);

        LinkConfig link = LinkConfig.builder().medium(Medium.ETHERNET).latencyNs(latency).loss(lossP).build();
        IpAddress dst = ipv6 ? TwoHostNetwork.SERVER_ADDRESS6 : TwoHostNetwork.SERVER_ADDRESS;
        IpAddress src = ipv6 ? TwoHostNetwork.CLIENT_ADDRESS6 : TwoHostNetwork.CLIENT_ADDRESS;
        int headers = ipv6 ? 48 : 28; // IPv6 + ICMPv6 or IPv4 + ICMP headers
        int ident = (int) (seed & 0xffff);
        long[] sentAt = new long[count + 1];
        java.util.Arrays.fill(sentAt, -1);
        List<Double> rtts = new ArrayList<>();
        int[] received = {0};
        try (TwoHostNetwork net = TwoHostNetwork.builder().seed(seed).link(link).pcap(pcap).ipv6(ipv6).build()) {
            IpStack ip = net.client().ip();
            Reply reply = (now, from, id, seq, ttl, data) -> {
                if (id != ident || seq < 1 || seq > count || sentAt[seq] < 0) return;
                double ms = (now - sentAt[seq]) / 1e6;
                rtts.add(ms);
                received[0]++;
                out.printf("%d bytes from %s: icmp_seq=%d ttl=%d time=%.3f ms%n", data.length + 8, from, seq, ttl, ms);
                out.flush();
            };
            ip.setEchoReplyListener(new EchoReplyListener() {
                @Override public void onEchoReply(long now, Ipv4Address from, int id, int seq, int ttl, byte[] data) {
                    reply.arrived(now, from, id, seq, ttl, data);
                }
                @Override public void onEchoReply6(long now, Ipv6Address from, int id, int seq, int hopLimit, byte[] data) {
                    reply.arrived(now, from, id, seq, hopLimit, data);
                }
            });
            out.printf("PING %s (%s) %d(%d) bytes of data, from %s over a simulated link.%n",
                    dst, dst, size, size + headers, src);
            byte[] payload = new byte[size];
            for (int i = 0; i < size; i++) payload[i] = (byte) (0x10 + i);
            long start = net.now();
            for (int seq = 1; seq <= count; seq++) {
                long at = start + (seq - 1) * interval;
                net.runUntil(at);
                sentAt[seq] = net.now();
                if (dst instanceof Ipv6Address d6) ip.ping6(net.now(), d6, ident, seq, payload, -1);
                else ip.ping(net.now(), (Ipv4Address) dst, ident, seq, payload, -1);
            }
            long end = net.now() + timeout;
            net.runUntil(() -> received[0] == count, timeout);
            long elapsed = Math.min(net.now(), end) - start;
            out.printf("%n--- %s ping statistics ---%n", dst);
            out.printf("%d packets transmitted, %d received, %s%% packet loss, time %dms%n", count, received[0],
                    fmtLoss(count, received[0]), elapsed / Time.ms(1));
            if (!rtts.isEmpty()) {
                double min = Double.MAX_VALUE, max = 0, sum = 0, sq = 0;
                for (double r : rtts) { min = Math.min(min, r); max = Math.max(max, r); sum += r; sq += r * r; }
                double avg = sum / rtts.size();
                double mdev = Math.sqrt(Math.max(0, sq / rtts.size() - avg * avg));
                out.printf("rtt min/avg/max/mdev = %.3f/%.3f/%.3f/%.3f ms%n", min, avg, max, mdev);
            }
            if (pcap != null) out.printf("pcap written to %s%n", pcap);
        }
        out.flush();
        return received[0] > 0 ? 0 : 1;
    }

    /** ping(8) from netstack4j on a TUN to {@code target}, in real time. */
    private int realPing(PrintWriter out, double lossP, long interval, long timeout) throws InterruptedException {
        if (target == null)
            throw new Main.UsageError("ping over --tun needs the HOST to ping, e.g. netstack4j ping 10.7.0.1 --tun nsj0 --address 10.7.0.2/24");
        if (tunOptions.tun == null || tunOptions.address.isEmpty())
            throw new Main.UsageError("ping HOST needs --tun NAME and --address CIDR (without HOST, ping runs on the simulator)");
        if (ipv6) throw new Main.UsageError("--ipv6 is for the simulated run (without HOST); over --tun, an IPv6 HOST is pinged over IPv6");
        IpAddress dst;
        try {
            dst = target.indexOf(':') >= 0 ? Ipv6Address.parse(target) : Ipv4Address.parse(target);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageError("HOST must be an IPv4 address or an IPv6 one (netstack4j has no DNS): '" + target + "'");
        }
        if (dst instanceof Ipv6Address && tunOptions.address.stream().noneMatch(a -> a.indexOf(':') >= 0))
            throw new Main.UsageError(dst + " is IPv6 and netstack4j has no IPv6 address on the TUN: add one, e.g. --address fd00:7::2/64"
                    + " --host-address fd00:7::1/64 (ping --ipv6 without HOST runs on the simulator)");
        if (dst instanceof Ipv4Address && tunOptions.address.stream().allMatch(a -> a.indexOf(':') >= 0))
            throw new Main.UsageError(dst + " is IPv4 and netstack4j has no IPv4 address on the TUN (it is IPv6 only): add one, e.g. --address 10.7.0.2/24"
                    + " --host-address 10.7.0.1/24");
        TunHost.Builder b = tunOptions.builder().seed(seed);
        int ident = (int) (ProcessHandle.current().pid() & 0xffff);
        long[] sentAt = new long[count + 1];
        java.util.Arrays.fill(sentAt, -1);
        boolean[] seen = new boolean[count + 1];
        List<Double> rtts = new ArrayList<>();
        int[] received = {0};
        int[] errors = {0};
        try (TunHost h = tunOptions.open(b, lossP, pcap)) {
            IpStack ip = h.host().ip();
            IpAddress src = h.loop().call(() -> ip.sourceAddressFor(dst));
            if (src == null)
                throw new Main.UsageError("no route to " + dst + " from " + TunHost.join(h.addresses()) + "; give an address in that subnet (and --host-address to set the kernel side)");
            Reply reply = (now, from, id, seq, ttl, data) -> {
                    if (id != ident || seq < 1 || seq > count || sentAt[seq] < 0) return;
                    double ms = (now - sentAt[seq]) / 1e6;
                    boolean dup = seen[seq];
                    if (!dup) {
                        seen[seq] = true;
                        rtts.add(ms);
                        received[0]++;
                    }
                    out.printf(java.util.Locale.ROOT, "%d bytes from %s: icmp_seq=%d ttl=%d time=%.3f ms%s%n",
                            data.length + 8, from, seq, ttl, ms, dup ? " (DUP!)" : "");
                    out.flush();
            };
            java.util.function.BiConsumer<IpAddress, String> error = (reporter, line) -> {
                errors[0]++;
                out.printf("From %s %s%n", reporter, line);
                out.flush();
            };
            ip.setEchoReplyListener(new org.netstack4j.ip.EchoReplyListener() {
                @Override public void onEchoReply(long now, Ipv4Address from, int id, int seq, int ttl, byte[] data) {
                    reply.arrived(now, from, id, seq, ttl, data);
                }

                @Override public void onEchoReply6(long now, Ipv6Address from, int id, int seq, int hopLimit, byte[] data) {
                    reply.arrived(now, from, id, seq, hopLimit, data);
                }

                @Override public void onEchoError(long now, Ipv4Address reporter, org.netstack4j.wire.IcmpRepr e, int id, int seq) {
                    if (id == ident) error.accept(reporter, "icmp_seq=" + seq + " " + IpStack.describe(e));
                }

                @Override public void onEcho6Error(long now, Ipv6Address reporter, org.netstack4j.wire.Icmpv6Repr e, int id, int seq) {
                    if (id == ident) error.accept(reporter, "icmp_seq=" + seq + " " + e);
                }
            });
            int headers = dst instanceof Ipv6Address ? 48 : 28;
            out.printf("PING %s (%s) %d(%d) bytes of data, from netstack4j %s on %s.%n", dst, dst, size, size + headers,
                    src, h.name());
            if (h.hostAddresses().isEmpty()) spec.commandLine().getErr().println(tunOptions.kernelHint(h));
            out.flush();
            byte[] payload = new byte[size];
            for (int i = 0; i < size; i++) payload[i] = (byte) (0x10 + i);
            long start = h.loop().now();
            int[] sent = {0};
            java.util.concurrent.atomic.AtomicBoolean summarized = new java.util.concurrent.atomic.AtomicBoolean();
            Runnable summary = () -> {
                if (summarized.getAndSet(true)) return;
                long elapsed = h.loop().now() - start;
                try {
                  h.loop().run(() -> {
                    out.printf("%n--- %s ping statistics ---%n", dst);
                    out.printf("%d packets transmitted, %d received,%s %s%% packet loss, time %dms%n", sent[0], received[0],
                            errors[0] > 0 ? " +" + errors[0] + " errors," : "", fmtLoss(Math.max(1, sent[0]), received[0]), elapsed / Time.ms(1));
                    printRtt(out, rtts);
                    if (pcap != null) out.printf("pcap written to %s%n", pcap);
                    out.flush();
                  });
                } catch (java.util.concurrent.RejectedExecutionException stopped) {
                    // the stack is already gone: nothing to report from it
                }
            };
            // Ctrl-C: print the statistics like ping(8) does on SIGINT.
            Thread hook = new Thread(summary, "netstack4j-ping-summary");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                for (int seq = 1; seq <= count; seq++) {
                    long wait = start + (seq - 1) * interval - h.loop().now();
                    if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    int s = seq;
                    h.loop().run(() -> {
                        long now = h.loop().now();
                        sentAt[s] = now;
                        if (dst instanceof Ipv6Address d6) ip.ping6(now, d6, ident, s, payload, -1);
                        else ip.ping(now, (Ipv4Address) dst, ident, s, payload, -1);
                        sent[0] = s;
                    });
                }
                long deadline = h.loop().now() + timeout;
                while (h.loop().now() < deadline && h.loop().call(() -> received[0]) < count) Thread.sleep(10);
            } finally {
                summary.run();
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running or has run
                }
            }
            return h.loop().call(() -> received[0]) > 0 ? 0 : 1;
        }
    }

    /** An echo reply of either family, printed alike. */
    @FunctionalInterface
    private interface Reply {
        void arrived(long now, IpAddress from, int id, int seq, int ttlOrHopLimit, byte[] data);
    }

    private static void printRtt(PrintWriter out, List<Double> rtts) {
        if (rtts.isEmpty()) return;
        double min = Double.MAX_VALUE, max = 0, sum = 0, sq = 0;
        for (double r : rtts) { min = Math.min(min, r); max = Math.max(max, r); sum += r; sq += r * r; }
        double avg = sum / rtts.size();
        double mdev = Math.sqrt(Math.max(0, sq / rtts.size() - avg * avg));
        out.printf(java.util.Locale.ROOT, "rtt min/avg/max/mdev = %.3f/%.3f/%.3f/%.3f ms%n", min, avg, max, mdev);
    }

    private static String fmtLoss(int sent, int got) {
        double pct = 100.0 * (sent - got) / sent;
        return pct == Math.rint(pct) ? Long.toString((long) pct) : String.format("%.1f", pct);
    }
}
