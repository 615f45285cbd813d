package org.netstack4j.cli;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.netstack4j.apps.dns.Dns;
import org.netstack4j.apps.net.NetstackNetwork;
import org.netstack4j.linux.TunHost;
import org.netstack4j.linux.TunShards;
import org.netstack4j.tcp.TcpConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** An HTTP/1.1 download over netstack4j on a TUN interface from a server on the kernel's side. */
@Command(name = "get", mixinStandardHelpOptions = true,
        header = "Downloads a URL with HTTP/1.1 or FTP over netstack4j on a real TUN interface.",
        description = {
            "The server is on the kernel's side of the TUN (e.g. python3 -m http.server).",
            "Prints the status, the byte count, the speed and the SHA-256 of the body;",
            "a progress bar on a terminal. Without -o the body is only counted and hashed.",
            "Exit status 1 if the server answered with a status other than 2xx.",
            "",
            "ftp://[USER[:PASSWORD]@]HOST[:PORT]/PATH downloads a file in binary mode",
            "(a PATH ending in / lists the directory), anonymous unless a user is given;",
            "passive (EPSV, then PASV) by default, active with --active (EPRT or PORT:",
            "the server connects back to netstack4j). A host name in the URL is looked",
            "up with netstack4j's resolver, asking the DNS server given by --dns."},
        footer = {"", "Example (as root):",
            "  netstack4j get http://10.7.0.1:8000/big.iso --tun nsj0 \\",
            "      --address 10.7.0.2/24 --host-address 10.7.0.1/24 -o big.iso",
            "  (with python3 -m http.server 8000 running on the kernel's side)",
            "  netstack4j get ftp://10.7.0.1/pub/file.iso --active --tun nsj0 \\",
            "      --address 10.7.0.2/24 --host-address 10.7.0.1/24 -o file.iso"})
public final class GetCommand implements java.util.concurrent.Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "URL", description = "http://HOST[:PORT]/PATH or ftp://HOST[:PORT]/PATH (HOST an IPv4 address, or a name with --dns).")
    String url;

    @Option(names = "--dns", paramLabel = "ADDR", description = "DNS server to resolve a host name in the URL: ADDRESS or ADDRESS:PORT.")
    String dns;

    @Option(names = "--active", description = "FTP: active mode (the server opens the data connection to us).")
    boolean active;

    @Mixin TunOptions tunOptions = new TunOptions();

    @Mixin QueueOption queueOption = new QueueOption();

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
        boolean ftp = url.strip().regionMatches(true, 0, "ftp://", 0, 6);
        HttpGet.Url u = null;
        FtpUrl f = null;
        try {
            if (ftp) f = FtpUrl.parse(url);
            else u = HttpGet.Url.parse(url);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageError(e.getMessage());
        }
        String name = ftp ? (Dns.Client.isLiteral(f.host()) ? null : f.host()) : u.name();
        if (name != null && dns == null)
            throw new Main.UsageError("'" + name + "' is a name and no DNS server was given: add --dns ADDR (the server to ask), or use the address");
        if (active && !ftp) throw new Main.UsageError("--active is for ftp:// URLs");
        DnsOption.Server dnsServer = dns == null ? null : DnsOption.parse(dns);
        if (ftp) return ftp(f, dnsServer);
        double lossP = Options.percent("--loss", loss);
        Options.range("--timeout", timeoutSeconds, 1, 3600);
        Options.range("--connect-timeout", connectTimeoutSeconds, 1, 3600);
        if (output != null) Options.outputFile("-o", output);
        TunHost.Builder b = tunOptions.builder().tcpConfig(downloadConfig());
        if (u.host() instanceof org.netstack4j.wire.Ipv6Address && tunOptions.address.stream().noneMatch(a -> a.indexOf(':') >= 0))
            throw new Main.UsageError(u.host() + " is IPv6 and netstack4j has no IPv6 address on the TUN: add one, e.g. --address fd00:7::2/64"
                    + " --host-address fd00:7::1/64");
        if (u.host() instanceof org.netstack4j.wire.Ipv4Address && tunOptions.address.stream().allMatch(a -> a.indexOf(':') >= 0))
            throw new Main.UsageError(u.host() + " is IPv4 and netstack4j has no IPv4 address on the TUN (it is IPv6 only): add one, e.g. --address 10.7.0.2/24"
                    + " --host-address 10.7.0.1/24");
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (TunShards shards = tunOptions.openShards(b, lossP, pcap, queueOption.queues(pcap), err)) {
            // our connections start on shard 0, and any the server opens to us (FTP active) go there too
            shards.spreadOnly();
            TunHost host = shards.first();
            if (host.hostAddress() == null) {
                // Nobody can answer through a TUN whose kernel side is down or has no address: say so now.
                String problem = kernelSideProblem(host.name(), u.host() instanceof org.netstack4j.wire.Ipv6Address);
                if (problem != null) {
                    String peer = suggestedHostAddress(host, u);
                    err.printf("netstack4j get: %s %s, so nothing can answer %s through it.%n", host.name(), problem, u.host() != null ? u.host() : u.name());
                    err.printf("  Pass --host-address %s, or configure it: ip addr add %s dev %s && ip link set %s up%n",
                            peer, peer, host.name(), host.name());
                    return 1;
                }
            }
            if (u.host() == null) {
                try {
                    boolean v6 = host.address6() != null; // AAAA asked (and first, RFC 6724) only when the TUN has IPv6
                    boolean v4 = host.address() != null; // A only when it has IPv4
                    u = u.resolved(usable(DnsOption.client(new NetstackNetwork(host.net()), dnsServer, System.nanoTime())
                            .addresses(u.name(), v4, v6), u.name(), v6));
                } catch (IOException e) {
                    err.printf("netstack4j get: cannot resolve %s through %s: %s%n", u.name(), dnsServer, e.getMessage());
                    return 1;
                }
                out.printf("%s is %s (asked %s)%n", u.name(), u.host(), dnsServer);
            }
            out.printf("GET %s via %s (netstack4j %s)%n", u, host.name(), TunHost.join(host.addresses()));
            out.flush();
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
                            !host.hostAddresses().isEmpty() ? "kernel side " + TunHost.join(host.hostAddresses()) : "kernel side configured by you");
                return 1;
            } finally {
                if (bar != null) bar.clear();
            }
            print(out, r, output);
            return r.ok() ? 0 : 1;
        }
    }

    /** The first IPv4 address of a lookup (HTTP here is IPv4, like the TUN). */
    static org.netstack4j.wire.Ipv4Address ipv4(java.util.List<String> addresses, String name) throws IOException {
        for (String a : addresses) if (a.indexOf(':') < 0) return org.netstack4j.wire.Ipv4Address.parse(a);
        throw new java.net.UnknownHostException(name + " has only IPv6 addresses " + addresses + "; the TUN is IPv4");
    }

    /** The first IPv4 address of a lookup, else its first IPv6 one if the TUN has IPv6 ({@code ipv6}). */
    static org.netstack4j.wire.IpAddress usable(java.util.List<String> addresses, String name, boolean ipv6) throws IOException {
        if (!ipv6 || addresses.stream().anyMatch(a -> a.indexOf(':') < 0)) return ipv4(addresses, name);
        for (String a : addresses) return org.netstack4j.wire.Ipv6Address.parse(a);
        throw new java.net.UnknownHostException(name + " has no address");
    }

    /** An ftp:// URL: user and password (anonymous when none), host, port, path. */
    record FtpUrl(String user, String password, String host, int port, String path) {
        static FtpUrl parse(String text) {
            String rest = text.strip().substring(6);
            int slash = rest.indexOf('/');
            String authority = slash < 0 ? rest : rest.substring(0, slash);
            String path = slash < 0 ? "/" : rest.substring(slash);
            String user = "anonymous", password = "netstack4j@";
            int at = authority.lastIndexOf('@');
            if (at >= 0) {
                String ui = authority.substring(0, at);
                authority = authority.substring(at + 1);
                int c = ui.indexOf(':');
                user = java.net.URLDecoder.decode(c < 0 ? ui : ui.substring(0, c), java.nio.charset.StandardCharsets.UTF_8);
                if (c >= 0) password = java.net.URLDecoder.decode(ui.substring(c + 1), java.nio.charset.StandardCharsets.UTF_8);
            }
            String host = authority;
            int port = 21;
            int colon = authority.lastIndexOf(':');
            if (authority.startsWith("[")) {
                int end = authority.indexOf(']');
                if (end < 0) throw new IllegalArgumentException("missing ']' in '" + text + "'");
                host = authority.substring(1, end);
                if (authority.length() > end + 1) port = port(authority.substring(end + 2), text);
            } else if (colon >= 0) {
                host = authority.substring(0, colon);
                port = port(authority.substring(colon + 1), text);
            }
            if (host.isEmpty()) throw new IllegalArgumentException("no host in '" + text + "' (for example ftp://10.7.0.1/pub/file)");
            if (path.chars().anyMatch(ch -> ch < ' ' || ch == 0x7f)) throw new IllegalArgumentException("control characters in the path: " + text);
            return new FtpUrl(user, password, host, port, java.net.URLDecoder.decode(path.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8));
        }

        private static int port(String p, String text) {
            try {
                int n = Integer.parseInt(p);
                if (n >= 1 && n <= 65535) return n;
            } catch (NumberFormatException ignored) {
                // said below
            }
            throw new IllegalArgumentException("bad port in '" + text + "'");
        }

        boolean listing() { return path.endsWith("/"); }

        @Override public String toString() {
            return "ftp://" + (user.equals("anonymous") ? "" : user + "@") + (host.contains(":") ? "[" + host + "]" : host) + (port == 21 ? "" : ":" + port) + path;
        }
    }

    /** get ftp://...: one file (or a listing) over the control and data connections, passive or --active. */
    private int ftp(FtpUrl f, DnsOption.Server dnsServer) throws Exception {
        double lossP = Options.percent("--loss", loss);
        if (output != null) Options.outputFile("-o", output);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (TunShards shards = tunOptions.openShards(tunOptions.builder().tcpConfig(downloadConfig()), lossP, pcap, queueOption.queues(pcap), err)) {
            shards.spreadOnly();
            TunHost host = shards.first();
            NetstackNetwork net = new NetstackNetwork(host.net());
            String address = f.host();
            if (!Dns.Client.isLiteral(address)) {
                try {
                    address = ipv4(DnsOption.client(net, dnsServer, System.nanoTime()).addresses(address, true, false), address).toString(); // FTP here: IPv4
                } catch (IOException e) {
                    err.printf("netstack4j get: cannot resolve %s through %s: %s%n", f.host(), dnsServer, e.getMessage());
                    return 1;
                }
                out.printf("%s is %s (asked %s)%n", f.host(), address, dnsServer);
            }
            out.printf("FTP %s %s via %s (netstack4j %s, %s mode)%n", f.listing() ? "LIST" : "RETR", f, host.name(), TunHost.join(host.addresses()),
                    active ? "active" : "passive");
            out.flush();
            long t0 = System.nanoTime();
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            org.netstack4j.apps.ftp.Ftp.Download d;
            try (OutputStream file = output == null ? OutputStream.nullOutputStream() : new BufferedOutputStream(Files.newOutputStream(output), 1 << 16);
                 OutputStream sink = new java.security.DigestOutputStream(file, sha)) {
                d = org.netstack4j.apps.ftp.Ftp.retrieve(net, address, f.port(), f.user(), f.password(), f.path(), active, f.listing(), sink);
            } catch (IOException e) {
                err.printf("netstack4j get: %s: %s%n", f, e.getMessage());
                if (e instanceof java.net.ConnectException || e instanceof java.net.SocketTimeoutException)
                    err.printf("  is an FTP server listening on %s port %d, and is it reachable through %s?%n", address, f.port(), host.name());
                return 1;
            }
            long nanos = System.nanoTime() - t0;
            for (String line : d.transcript()) out.println(line);
            out.printf(Locale.ROOT, "%d bytes in %.3f s (%.1f Mbit/s)%n", d.bytes(), nanos / 1e9, nanos > 0 ? d.bytes() * 8e3 / nanos : 0);
            out.printf("sha256 %s  %s%n", java.util.HexFormat.of().formatHex(sha.digest()), output == null ? "-" : output.toString());
            out.flush();
            return 0;
        }
    }

    /** Why TUN {@code name}'s kernel side cannot answer ("is down ...", "has no IPv4 address ..."), or null if it looks usable. */
    static String kernelSideProblem(String name, boolean ipv6) {
        Path flags = Path.of("/sys/class/net", name, "flags");
        try {
            int f = Integer.decode(Files.readString(flags).strip());
            if ((f & 0x1) == 0) return "is down on the kernel's side (nobody configured it)"; // IFF_UP
        } catch (IOException | NumberFormatException e) {
            return null; // cannot tell; let the connect timeout speak
        }
        if (org.netstack4j.linux.LinuxNet.ipCommand() == null) return null;
        try {
            String addrs = org.netstack4j.linux.LinuxNet.ip(null, ipv6 ? "-6" : "-4", "-o", "addr", "show", "dev", name);
            if (addrs.isBlank()) return "has no IPv" + (ipv6 ? 6 : 4) + " address on the kernel's side";
        } catch (org.netstack4j.linux.LinuxNet.CommandException e) {
            return null;
        }
        return null;
    }

    /** The URL's host as the kernel side if it is in netstack4j's subnet, else the first free address of the subnet. */
    static String suggestedHostAddress(TunHost h, HttpGet.Url u) {
        if (u.host() instanceof org.netstack4j.wire.Ipv6Address || h.address() == null) {
            org.netstack4j.linux.Ipv6Cidr a6 = h.address6();
            boolean in = u.host() != null && a6.contains(u.host()) && !a6.address().equals(u.host());
            return (in ? u.host() : a6.suggestPeer()) + "/" + a6.prefixLength();
        }
        org.netstack4j.linux.Ipv4Cidr a = h.address();
        int mask = a.prefixLength() == 0 ? 0 : -1 << (32 - a.prefixLength());
        int peer = u.host() instanceof org.netstack4j.wire.Ipv4Address h4 ? h4.bits() : 0;
        boolean inSubnet = u.host() != null && (peer & mask) == (a.address().bits() & mask) && peer != a.address().bits();
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
