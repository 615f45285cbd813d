package org.netstack4j.cli;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import org.netstack4j.ip.UdpIntercept;
import org.netstack4j.linux.Cidr;
import org.netstack4j.linux.Ipv4Cidr;
import org.netstack4j.linux.Ipv6Cidr;
import org.netstack4j.linux.LinuxNet;
import org.netstack4j.linux.TunException;
import org.netstack4j.linux.TunGateway;
import org.netstack4j.linux.TunHost;
import org.netstack4j.linux.Upstream;
import org.netstack4j.tcp.TcpIntercept;
import org.netstack4j.time.Time;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** A tun2socks-style gateway: every flow entering a TUN is terminated and relayed. */
@Command(name = "gateway", mixinStandardHelpOptions = true,
        header = "Relays every TCP and UDP flow entering a TUN through a SOCKS5 proxy or the host's sockets.",
        description = {
            "Relays every TCP and UDP flow entering a TUN through a SOCKS5 proxy or the host's sockets.",
            "",
            "Opens the TUN NAME with netstack4j's address CIDR on it and intercepts TCP and UDP",
            "to ANY destination (as tun2socks does): each TCP flow is relayed to its original",
            "destination through --socks5 (RFC 1928 CONNECT) or --direct (this host's sockets).",
            "The client's SYN is answered only once the upstream connect succeeded: a refusal",
            "becomes a RST (\"connection refused\" at once), an unreachable upstream an ICMP",
            "error. UDP goes the same way (--udp upstream, the default: one SOCKS5 UDP",
            "ASSOCIATE per client endpoint with --socks5, RFC 1928 section 7), or from this",
            "host's own sockets (--udp direct, for a proxy without UDP), or is refused (--udp",
            "off). Pings are answered. One log line per flow on stderr; Ctrl-C prints the",
            "counters and removes the TUN."},
        footer = {"", "Example (as root): a namespace whose default route is the gateway",
            "  ip netns add box",
            "  netstack4j gateway --tun gw0=10.9.0.1/24 --netns box --peer 10.9.0.2/24 --socks5 127.0.0.1:1080",
            "  ip netns exec box curl http://example.com/"})
public final class GatewayCommand implements java.util.concurrent.Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--tun", paramLabel = "NAME=CIDR", required = true,
            description = "The TUN interface and netstack4j's address on it, e.g. gw0=10.9.0.1/24 (an IPv6 one, gw0=fd00:9::1/64, makes the gateway IPv6 only).")
    String tun;

    @picocli.CommandLine.Mixin QueueOption queueOption = new QueueOption();

    @Option(names = "--socks5", paramLabel = "HOST:PORT", description = "Relay TCP through this SOCKS5 proxy (RFC 1928 CONNECT).")
    String socks5;

    @Option(names = "--direct", description = "Relay from this host's own sockets.")
    boolean direct;

    @Option(names = "--upstream", paramLabel = "direct|socks5://HOST:PORT", description = "The same as --direct or --socks5.")
    String upstream;

    @Option(names = "--udp", paramLabel = "upstream|direct|off", defaultValue = "upstream",
            description = "UDP: relayed through the upstream (default; SOCKS5 UDP ASSOCIATE with --socks5), from this host's sockets, or off.")
    String udp;

    @Option(names = "--netns", paramLabel = "NS", description = "Move the TUN into this existing network namespace (the clients' side).")
    String netns;

    @Option(names = "--address", paramLabel = "CIDR",
            description = "An IPv6 address of netstack4j's on the TUN besides --tun's IPv4 one (e.g. fd00:9::1/64): IPv6 flows are intercepted too; may be repeated.")
    java.util.List<String> address = new java.util.ArrayList<>();

    @Option(names = "--peer", paramLabel = "CIDR",
            description = "Address the kernel side of the TUN with CIDR (in --netns) and give it a default route via netstack4j; once per family (e.g. --peer 10.9.0.2/24 --peer fd00:9::2/64).")
    java.util.List<String> peer = new java.util.ArrayList<>();

    @Option(names = "--connect-timeout", paramLabel = "MS", defaultValue = "10000", description = "Upstream connect timeout (default 10000 ms).")
    int connectTimeoutMs;

    @Option(names = "--max-flows", paramLabel = "N", defaultValue = "16384", description = "TCP flows at once (default 16384).")
    int maxFlows;

    @Option(names = "--loop-relay",
            description = "With --direct: relay TCP on netstack4j's loop over non-blocking host sockets (no thread per flow, less CPU per byte; one bulk flow is slower on few cores).")
    boolean loopRelay;

    @Option(names = "--quiet", description = "No log line per flow.")
    boolean quiet;

    /** The upstream the options name (checked before anything is opened). */
    static Upstream upstream(String socks5, boolean direct, String upstream) {
        int given = (socks5 != null ? 1 : 0) + (direct ? 1 : 0) + (upstream != null ? 1 : 0);
        if (given != 1) throw new Main.UsageError("give exactly one of --socks5 HOST:PORT, --direct or --upstream");
        if (direct || "direct".equals(upstream)) return new Upstream.Direct();
        String hp = socks5;
        if (hp == null) {
            if (!upstream.startsWith("socks5://")) throw new Main.UsageError("--upstream " + upstream + ": expected direct or socks5://HOST:PORT");
            hp = upstream.substring("socks5://".length());
        }
        int colon = hp.lastIndexOf(':');
        if (colon <= 0 || colon == hp.length() - 1) throw new Main.UsageError("--socks5 " + hp + ": expected HOST:PORT, e.g. 127.0.0.1:1080");
        String host = hp.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        int port;
        try {
            port = Integer.parseInt(hp.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new Main.UsageError("--socks5 " + hp + ": bad port");
        }
        if (port < 1 || port > 65535) throw new Main.UsageError("--socks5 " + hp + ": port must be 1..65535");
        InetSocketAddress a = new InetSocketAddress(host, port);
        if (a.isUnresolved()) throw new Main.UsageError("--socks5 " + hp + ": cannot resolve " + host);
        return new Upstream.Socks5(a);
    }

    static TunGateway.Config config(String tun, java.util.List<String> addresses, String netns, java.util.List<String> peers, Upstream up,
                                    String udp, int connectTimeoutMs, int maxFlows, java.util.function.Consumer<String> log) {
        int eq = tun.indexOf('=');
        if (eq <= 0) throw new Main.UsageError("--tun " + tun + ": expected NAME=CIDR, e.g. gw0=10.9.0.1/24");
        String name = tun.substring(0, eq);
        TunException bad = TunException.checkName(name);
        if (bad != null) throw new Main.UsageError("--tun: " + bad.getMessage());
        Cidr first;
        try {
            first = Cidr.parse(tun.substring(eq + 1));
        } catch (IllegalArgumentException e) {
            throw new Main.UsageError("--tun " + tun + ": " + e.getMessage());
        }
        // an IPv6 --tun address makes the gateway IPv6 only
        Ipv4Cidr address = first instanceof Ipv4Cidr v4 ? v4 : null;
        java.util.List<Cidr> ours = new java.util.ArrayList<>(java.util.List.of(first)), kernel = new java.util.ArrayList<>();
        java.util.List<Ipv6Cidr> addresses6 = new java.util.ArrayList<>();
        if (first instanceof Ipv6Cidr v6) addresses6.add(v6);
        for (String a : addresses) {
            Cidr c = cidr("--address", a);
            if (!(c instanceof Ipv6Cidr v6)) throw new Main.UsageError("--address " + a + ": IPv6 only (the IPv4 address is --tun's)");
            addresses6.add(v6);
            ours.add(v6);
        }
        Ipv4Cidr peer4 = null;
        Ipv6Cidr peer6 = null;
        for (String p : peers) {
            Cidr c = cidr("--peer", p);
            boolean again = c instanceof Ipv4Cidr ? peer4 != null : peer6 != null;
            if (again) throw new Main.UsageError("--peer " + p + ": one kernel-side address per family");
            if (c instanceof Ipv4Cidr v4) peer4 = v4;
            else peer6 = (Ipv6Cidr) c;
            kernel.add(c);
        }
        try {
            TunHost.checkAddresses(ours, kernel);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageError((e.getMessage().startsWith("the host address") ? "--peer: " : "--address: ") + e.getMessage());
        }
        Upstream udpUpstream = switch (udp) {
            case "upstream" -> up;
            case "direct" -> new Upstream.Direct();
            case "off" -> null;
            default -> throw new Main.UsageError("--udp " + udp + ": expected upstream, direct or off");
        };
        if (connectTimeoutMs <= 0) throw new Main.UsageError("--connect-timeout must be > 0");
        if (maxFlows <= 0) throw new Main.UsageError("--max-flows must be > 0");
        TcpIntercept.Config d = TcpIntercept.Config.defaults();
        // a held SYN waits at least as long as the upstream connect may take
        TcpIntercept.Config tcp = new TcpIntercept.Config(d.maxPending(), Math.max(d.pendingTimeoutNs(), Time.ms(connectTimeoutMs) + Time.s(5)),
                maxFlows, d.onTimeout(), d.onLimit());
        return new TunGateway.Config(name, address, addresses6, netns, peer4, peer6, up, udpUpstream, connectTimeoutMs, tcp,
                UdpIntercept.Config.defaults(), log);
    }

    private static Cidr cidr(String flag, String text) {
        try {
            return Cidr.parse(text);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageError(flag + " " + text + ": " + e.getMessage());
        }
    }

    @Override public Integer call() throws Exception {
        Upstream up = upstream(socks5, direct, upstream);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        java.util.function.Consumer<String> log = quiet ? line -> {} : line -> {
            synchronized (err) {
                err.println(line);
                err.flush();
            }
        };
        TunGateway.Config cfg = config(tun, address, netns, peer, up, udp, connectTimeoutMs, maxFlows, log);
        int queues = queueOption.queues(null);
        TunOptions.requireTunAccess("a TUN interface");
        TunGateway gw;
        try {
            gw = TunGateway.open(cfg, queues, loopRelay);
        } catch (TunException | LinuxNet.CommandException e) {
            throw new Main.UsageError(e.getMessage().replace("\n  stderr: ", ": "));
        }
        if (gw.shards().fallback() != null) log.accept("netstack4j: --queues " + queues + ": " + gw.shards().fallback());
        out.printf("netstack4j %s on %s%s%s%n", TunHost.join(gw.tun().addresses()), gw.tun().name(), netns == null ? "" : " (in namespace " + netns + ")",
                peer.isEmpty() ? "" : ", kernel side " + String.join(" ", peer) + " with its default route via netstack4j");
        out.println("intercepting TCP " + (cfg.udp() ? "and UDP " : "") + "to any destination via " + up.describe()
                + (cfg.udp() && cfg.udpUpstream() != up ? " (UDP via " + cfg.udpUpstream().describe() + ")" : "")
                + (gw.shards().size() > 1 ? "; " + gw.shards().size() + " queues" : "") + "; Ctrl-C to stop");
        out.flush();
        TunOptions.printCountersOnExit(out, gw::counters, gw::close, "netstack4j-gateway-shutdown");
        return 0;
    }
}
