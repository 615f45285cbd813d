package org.netstack4j.cli;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.netstack4j.linux.TunHost;
import org.netstack4j.tcp.TcpConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** An HTTP/1.1 download over netstack4j on a TUN interface from a server on the kernel's side. */
@Command(name = "get", mixinStandardHelpOptions = true,
        header = "Downloads a URL with HTTP/1.1 over netstack4j on a real TUN interface.",
        description = {
            "The server is on the kernel's side of the TUN (e.g. python3 -m http.server).",
            "Prints the status, the byte count, the speed and the SHA-256 of the body;",
            "a progress bar on a terminal. Without -o the body is only counted and hashed.",
            "Exit status 1 if the server answered with a status other than 2xx."},
        footer = {"", "Example (as root):",
            "  netstack4j get http://10.7.0.1:8000/big.iso --tun nsj0 \\",
            "      --address 10.7.0.2/24 --host-address 10.7.0.1/24 -o big.iso",
            "  (with python3 -m http.server 8000 running on the kernel's side)"})
public final class GetCommand implements java.util.concurrent.Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "URL", description = "http://ADDRESS[:PORT]/PATH (an IPv4 address: there is no DNS).")
    String url;

    @Mixin TunOptions tunOptions = new TunOptions();

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write the body to FILE.")
    Path output;

    @Option(names = "--loss", paramLabel = "P", description = "Percent of packets netstack4j drops, each direction (default: 0).")
    String loss = "0";

    @Option(names = "--pcap", paramLabel = "FILE", description = "Write every packet crossing the TUN to FILE (pcap, raw IP).")
    Path pcap;

    @Option(names = "--timeout", paramLabel = "S", description = "Seconds to wait for each read (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds = 30;

    @Option(names = "--connect-timeout", paramLabel = "S", description = "Seconds to wait for the connection (default: ${DEFAULT-VALUE}).")
    int connectTimeoutSeconds = 5;

    @Override public Integer call() throws Exception {
        HttpGet.Url u;
        try {
            u = HttpGet.Url.parse(url);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageError(e.getMessage());
        }
        double lossP = Options.percent("--loss", loss);
        Options.range("--timeout", timeoutSeconds, 1, 3600);
        Options.range("--connect-timeout", connectTimeoutSeconds, 1, 3600);
        if (output != null) Options.outputFile("-o", output);
        TunHost.Builder b = tunOptions.builder().tcpConfig(downloadConfig());
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (TunHost host = tunOptions.open(b, lossP, pcap)) {
            out.printf("GET %s via %s (netstack4j %s)%n", u, host.name(), host.address());
            out.flush();
            if (host.hostAddress() == null) {
                // Nobody can answer through a TUN whose kernel side is down or has no address: say so now.
                String problem = kernelSideProblem(host.name());
                if (problem != null) {
                    String peer = suggestedHostAddress(host, u);
                    err.printf("netstack4j get: %s %s, so nothing can answer %s through it.%n", host.name(), problem, u.host());
                    err.printf("  Pass --host-address %s, or configure it: ip addr add %s dev %s && ip link set %s up%n",
                            peer, peer, host.name(), host.name());
                    return 1;
                }
            }
            ProgressBar bar = System.console() != null ? new ProgressBar(err) : null;
            HttpGet.Response r;
            try (OutputStream sink = output == null ? OutputStream.nullOutputStream()
                    : new BufferedOutputStream(Files.newOutputStream(output), 1 << 16)) {
                r = HttpGet.get(host.net(), u, sink, bar == null ? HttpGet.Progress.NONE : bar,
                        connectTimeoutSeconds * 1000, timeoutSeconds * 1000);
            } catch (java.net.ConnectException | java.net.SocketTimeoutException e) {
                if (bar != null) bar.clear();
                boolean connecting = e instanceof java.net.ConnectException || String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT).contains("connect");
                err.printf("netstack4j get: %s: %s%n", u, e.getMessage());
                if (connecting)
                    err.printf("  is a server listening on %s port %d, and is it reachable through %s (%s)?%n", u.host(), u.port(), host.name(),
                            host.hostAddress() != null ? "kernel side " + host.hostAddress() : "kernel side configured by you");
                return 1;
            } finally {
                if (bar != null) bar.clear();
            }
            print(out, r, output);
            return r.ok() ? 0 : 1;
        }
    }

    /** Why TUN {@code name}'s kernel side cannot answer ("is down ...", "has no IPv4 address ..."), or null if it looks usable. */
    static String kernelSideProblem(String name) {
        Path flags = Path.of("/sys/class/net", name, "flags");
        try {
            int f = Integer.decode(Files.readString(flags).strip());
            if ((f & 0x1) == 0) return "is down on the kernel's side (nobody configured it)"; // IFF_UP
        } catch (IOException | NumberFormatException e) {
            return null; // cannot tell; let the connect timeout speak
        }
        if (org.netstack4j.linux.LinuxNet.ipCommand() == null) return null;
        try {
            String addrs = org.netstack4j.linux.LinuxNet.ip(null, "-4", "-o", "addr", "show", "dev", name);
            if (addrs.isBlank()) return "has no IPv4 address on the kernel's side";
        } catch (org.netstack4j.linux.LinuxNet.CommandException e) {
            return null;
        }
        return null;
    }

    /** The URL's host as the kernel side if it is in netstack4j's subnet, else the first free address of the subnet. */
    static String suggestedHostAddress(TunHost h, HttpGet.Url u) {
        org.netstack4j.linux.Ipv4Cidr a = h.address();
        int mask = a.prefixLength() == 0 ? 0 : -1 << (32 - a.prefixLength());
        int peer = u.host().bits();
        boolean inSubnet = (peer & mask) == (a.address().bits() & mask) && peer != a.address().bits();
        if (!inSubnet) peer = a.network().bits() + 1 == a.address().bits() ? a.network().bits() + 2 : a.network().bits() + 1;
        return new org.netstack4j.wire.Ipv4Address(peer) + "/" + a.prefixLength();
    }

    static TcpConfig downloadConfig() {
        return TcpConfig.defaults().withBuffers(bf -> bf.withReceiveBufferSize(1 << 20).withSendBufferSize(1 << 18));
    }

    static void print(PrintWriter out, HttpGet.Response r, Path output) {
        out.printf("%s %d %s%n", r.version(), r.status(), r.reason());
        out.printf(Locale.ROOT, "%d bytes in %.3f s (%.1f Mbit/s)%n", r.bytes(), r.nanos() / 1e9, r.mbitPerSecond());
        out.printf("sha256 %s  %s%n", r.sha256(), output == null ? "-" : output.toString());
        out.flush();
    }

    /** "[#####.....]  45%  4.5 MB / 10.0 MB  12.3 MB/s" on stderr, redrawn at most 10 times a second. */
    static final class ProgressBar implements HttpGet.Progress {
        private static final long MIN_SIZE = 1 << 20;
        private final PrintWriter err;
        private final long start = System.nanoTime();
        private long lastDraw;
        private boolean drawn;

        ProgressBar(PrintWriter err) { this.err = err; }

        @Override public void update(long bytes, long total) {
            long now = System.nanoTime();
            if (now - lastDraw < 100_000_000L && bytes != total) return;
            if (total >= 0 && total < MIN_SIZE) return;
            lastDraw = now;
            double secs = Math.max(1e-9, (now - start) / 1e9);
            String rate = String.format(Locale.ROOT, "%.1f MB/s", bytes / secs / 1e6);
            String line;
            if (total > 0) {
                int width = 30, filled = (int) (width * bytes / total);
                line = String.format(Locale.ROOT, "[%s%s] %3d%%  %.1f / %.1f MB  %s", "#".repeat(filled), ".".repeat(width - filled),
                        100 * bytes / total, bytes / 1e6, total / 1e6, rate);
            } else {
                line = String.format(Locale.ROOT, "%.1f MB  %s", bytes / 1e6, rate);
            }
            err.print("\r" + line + "\u001b[K");
            err.flush();
            drawn = true;
        }

        void clear() {
            if (drawn) {
                err.print("\r\u001b[K");
                err.flush();
                drawn = false;
            }
        }
    }
}
