package org.netstack4j.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.netstack4j.linux.Cidr;
import org.netstack4j.linux.LinuxNet;
import org.netstack4j.linux.TunException;
import org.netstack4j.linux.TunHost;
import org.netstack4j.linux.TunShards;
import picocli.CommandLine.Option;

/**
 * The options shared by the commands that run on a real TUN interface (serve, get, ping), and the
 * one place that turns what can go wrong opening it into a one-line {@link Main.UsageError}.
 */
final class TunOptions {
    @Option(names = "--tun", paramLabel = "NAME", description = "TUN interface to create or attach (e.g. nsj0); needs root or CAP_NET_ADMIN.")
    String tun;

    @Option(names = "--address", paramLabel = "CIDR",
            description = "netstack4j's address on the TUN (e.g. 10.7.0.2/24); repeat it to add IPv6 addresses (e.g. --address fd00:7::2/64). One IPv4 address is required.")
    List<String> address = new ArrayList<>();

    @Option(names = "--host-address", paramLabel = "CIDR",
            description = "Also configure the kernel's side (e.g. 10.7.0.1/24, and repeated: fd00:7::1/64): ip addr add CIDR dev NAME; ip link set NAME up; each family's first is netstack4j's gateway. Without it, configure the kernel side yourself.")
    List<String> hostAddress = new ArrayList<>();

    @Option(names = "--netns", paramLabel = "NAME",
            description = "Move the TUN's kernel side into the network namespace NAME (made with ip netns add) before configuring it: the peers then live in that namespace.")
    String netns;

    @Option(names = "--no-offload",
            description = "Plain 1500-byte packets on the TUN. By default the TUN carries a virtio-net header (IFF_VNET_HDR): 64 KiB GSO super-packets both ways, checksums left to the kernel; the kernel's refusal falls back to plain packets.")
    boolean noOffload;

    boolean given() { return tun != null || !address.isEmpty() || !hostAddress.isEmpty() || netns != null; }

    /** Parses and checks everything that can be checked before touching the kernel. */
    TunHost.Builder builder() {
        if (tun == null) throw new Main.UsageError("--tun NAME is required (the TUN interface to use, e.g. --tun nsj0)");
        TunException badName = TunException.checkName(tun);
        if (badName != null) throw new Main.UsageError("--tun: " + badName.getMessage());
        if (address.isEmpty()) throw new Main.UsageError("--address CIDR is required (netstack4j's address on the TUN, e.g. --address 10.7.0.2/24)");
        List<Cidr> ours = new ArrayList<>();
        for (String a : address) ours.add(cidr("--address", a));
        List<Cidr> kernel = new ArrayList<>();
        for (String a : hostAddress) kernel.add(cidr("--host-address", a));
        try {
            TunHost.checkAddresses(ours, kernel);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageError((e.getMessage().startsWith("the host address") ? "--host-address: " : "--address: ") + e.getMessage());
        }
        if (netns != null && !netns.matches("[A-Za-z0-9_.-]{1,64}"))
            throw new Main.UsageError("--netns: '" + netns + "' is not a namespace name (letters, digits, '_', '.', '-')");
        if (netns != null && !java.nio.file.Files.exists(Path.of("/run/netns", netns)))
            throw new Main.UsageError("--netns: no network namespace " + netns + " (ip netns add " + netns + ")");
        TunHost.Builder b = TunHost.builder(tun).netns(netns).offload(!noOffload);
        ours.forEach(b::address);
        kernel.forEach(b::hostAddress);
        return b;
    }

    private static Cidr cidr(String flag, String text) {
        try {
            return Cidr.parse(text);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageError(flag + ": " + e.getMessage());
        }
    }

    /** Opens the host; every environment problem becomes one line that says what to do. */
    TunHost open(TunHost.Builder b, double loss, Path pcap) {
        return opening(b, loss, pcap, TunHost.Builder::open);
    }

    /**
     * Opens the TUN as {@code queues} shards ({@link TunShards}); when the kernel gave fewer queues,
     * one line on {@code err} says why.
     */
    TunShards openShards(TunHost.Builder b, double loss, Path pcap, int queues, java.io.PrintWriter err) {
        TunShards s = opening(b, loss, pcap, x -> x.openShards(queues));
        if (s.fallback() != null) {
            err.println("netstack4j: --queues " + queues + ": " + s.fallback());
            err.flush();
        }
        return s;
    }

    private interface Opener<T> {
        T open(TunHost.Builder b) throws IOException;
    }

    private <T> T opening(TunHost.Builder b, double loss, Path pcap, Opener<T> opener) {
        if (pcap != null) Options.outputFile("--pcap", pcap);
        requireTunAccess("a TUN interface");
        if (!hostAddress.isEmpty() && LinuxNet.ipCommand() == null)
            throw new Main.UsageError("--host-address needs the ip command (iproute2): apt-get install iproute2, or configure the kernel side yourself");
        try {
            return opener.open(b.loss(loss).pcap(pcap));
        } catch (TunException e) {
            throw new Main.UsageError(e.getMessage());
        } catch (LinuxNet.CommandException e) {
            String msg = e.getMessage().replace("\n  stderr: ", ": ");
            throw new Main.UsageError("could not configure the kernel side of " + tun + ": " + msg);
        } catch (IOException e) {
            throw new Main.UsageError(tun + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new Main.UsageError(e.getMessage());
        }
    }

    /** /dev/net/tun and root (or CAP_NET_ADMIN), else a one-line usage error; {@code what}: "a TUN interface". */
    static void requireTunAccess(String what) {
        if (!LinuxNet.hasTunDevice())
            throw new Main.UsageError("/dev/net/tun does not exist: load the tun module (modprobe tun); in a container pass --device /dev/net/tun");
        if (!LinuxNet.isRoot() && !LinuxNet.hasNetAdmin())
            throw new Main.UsageError("using " + what + " needs root or CAP_NET_ADMIN: run with sudo");
    }

    /**
     * Waits for Ctrl-C (SIGINT or SIGTERM): then reads {@code counters}, runs {@code close} and
     * prints the counters, one "name value" line each (route, gateway).
     */
    static void printCountersOnExit(java.io.PrintWriter out, java.util.function.Supplier<java.util.Map<String, Long>> counters,
                                    Runnable close, String threadName) throws InterruptedException {
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        Thread hook = new Thread(() -> {
            java.util.Map<String, Long> c = counters.get();
            close.run();
            synchronized (out) {
                out.println();
                c.forEach((k, v) -> out.printf("%-40s %d%n", k, v));
                out.flush();
            }
            done.countDown();
        }, threadName);
        Runtime.getRuntime().addShutdownHook(hook);
        done.await();
    }

    /** What to tell the user when the kernel side was left to them. */
    String kernelHint(TunHost h) {
        if (!h.hostAddresses().isEmpty()) return "kernel side " + TunHost.join(h.hostAddresses()) + " on " + h.name();
        StringBuilder adds = new StringBuilder();
        for (Cidr c : h.addresses()) {
            String peer = c.suggestPeer().toString();
            adds.append("ip addr add ").append(peer).append('/').append(c.prefixLength()).append(" dev ").append(h.name()).append(" && ");
        }
        return "kernel side not configured; e.g.: " + adds + "ip link set " + h.name() + " up";
    }
}
