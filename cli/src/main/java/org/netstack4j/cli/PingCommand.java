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
import org.netstack4j.wire.Ipv4Address;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** ping(8) between two simulated hosts, in virtual time. */
@Command(name = "ping", mixinStandardHelpOptions = true,
        description = {
            "Sends ICMP echo requests from a simulated host 10.0.0.1 to a simulated host 10.0.0.2",
            "(two complete netstack4j stacks on one Ethernet link, ARP included) and prints each",
            "reply the way ping(8) does. Runs in virtual time: instant, and the same --seed gives",
            "the same output and the same pcap bytes."},
        footer = {"", "Example: netstack4j ping --count 5 --loss 20 --pcap ping.pcap && tshark -r ping.pcap"})
public final class PingCommand implements java.util.concurrent.Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = {"-c", "--count"}, paramLabel = "N", description = "Echo requests to send (default: ${DEFAULT-VALUE}).")
    int count = 4;

    @Option(names = {"-s", "--size"}, paramLabel = "B", description = "ICMP payload bytes per request, 0-65507 (default: ${DEFAULT-VALUE}); above 1472 the packets are fragmented.")
    int size = 56;

    @Option(names = "--loss", paramLabel = "P", description = "Percent of frames the link loses, each direction (default: 0).")
    String loss = "0";

    @Option(names = "--latency", paramLabel = "MS", description = "One-way link latency in milliseconds (default: ${DEFAULT-VALUE}).")
    double latencyMs = 1.0;

    @Option(names = {"-i", "--interval"}, paramLabel = "MS", description = "Virtual milliseconds between requests (default: ${DEFAULT-VALUE}).")
    double intervalMs = 1000;

    @Option(names = {"-W", "--timeout"}, paramLabel = "MS", description = "How long to wait for the last reply, in virtual milliseconds (default: ${DEFAULT-VALUE}).")
    double timeoutMs = 2000;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of the simulation (default: ${DEFAULT-VALUE}).")
    long seed = 1;

    @Option(names = "--pcap", paramLabel = "FILE", description = "Write every frame the pinging host sends and receives to FILE (pcap, Ethernet).")
    Path pcap;

    @Override public Integer call() {
        Options.positive("--count", count);
        Options.range("--count", count, 1, 100_000);
        Options.range("--size", size, 0, 65_507);
        double lossP = Options.percent("--loss", loss);
        long latency = Options.millis("--latency", latencyMs);
        long interval = Options.millis("--interval", intervalMs);
        long timeout = Options.millis("--timeout", timeoutMs);
        if (pcap != null) Options.outputFile("--pcap", pcap);
        PrintWriter out = spec.commandLine().getOut();

        LinkConfig link = LinkConfig.builder().medium(Medium.ETHERNET).latencyNs(latency).loss(lossP).build();
        Ipv4Address dst = TwoHostNetwork.SERVER_ADDRESS;
        int ident = (int) (seed & 0xffff);
        long[] sentAt = new long[count + 1];
        java.util.Arrays.fill(sentAt, -1);
        List<Double> rtts = new ArrayList<>();
        int[] received = {0};
        try (TwoHostNetwork net = TwoHostNetwork.builder().seed(seed).link(link).pcap(pcap).build()) {
            IpStack ip = net.client().ip();
            ip.setEchoReplyListener((now, from, id, seq, ttl, data) -> {
                if (id != ident || seq < 1 || seq > count || sentAt[seq] < 0) return;
                double ms = (now - sentAt[seq]) / 1e6;
                rtts.add(ms);
                received[0]++;
                out.printf("%d bytes from %s: icmp_seq=%d ttl=%d time=%.3f ms%n", data.length + 8, from, seq, ttl, ms);
                out.flush();
            });
            out.printf("PING %s (%s) %d(%d) bytes of data, from %s over a simulated link.%n",
                    dst, dst, size, size + 28, TwoHostNetwork.CLIENT_ADDRESS);
            byte[] payload = new byte[size];
            for (int i = 0; i < size; i++) payload[i] = (byte) (0x10 + i);
            long start = net.now();
            for (int seq = 1; seq <= count; seq++) {
                long at = start + (seq - 1) * interval;
                net.runUntil(at);
                sentAt[seq] = net.now();
                ip.ping(net.now(), dst, ident, seq, payload, -1);
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

    private static String fmtLoss(int sent, int got) {
        double pct = 100.0 * (sent - got) / sent;
        return pct == Math.rint(pct) ? Long.toString((long) pct) : String.format("%.1f", pct);
    }
}
