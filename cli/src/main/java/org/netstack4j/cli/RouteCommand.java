package org.netstack4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import org.netstack4j.filter.ConnTrackConfig;
import org.netstack4j.filter.NatConfig;
import org.netstack4j.filter.Netfilter;
import org.netstack4j.filter.Npt6;
import org.netstack4j.filter.RuleSet;
import org.netstack4j.linux.Ipv4Cidr;
import org.netstack4j.linux.Ipv6Cidr;
import org.netstack4j.linux.LinuxNet;
import org.netstack4j.linux.TunException;
import org.netstack4j.linux.TunRouter;
import org.netstack4j.trace.Counters;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv6Address;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** A user-space IPv4 and IPv6 router between TUN interfaces, with an optional firewall, masquerade and NPTv6. */
@Command(name = "route", mixinStandardHelpOptions = true,
        header = "Routes IPv4 (RFC 1812) and IPv6 (RFC 8200) between TUN interfaces in user space.",
        description = {
            "Routes IPv4 (RFC 1812) and IPv6 (RFC 8200) between TUN interfaces in user space.",
            "",
            "Opens one TUN per --tun, gives netstack4j the address after '=' on it, and",
            "forwards between them by longest-prefix match: TTL decremented, ICMP time",
            "exceeded / unreachable / fragmentation needed, fragmentation when DF is clear;",
            "IPv6 on the TUNs given IPv6 addresses: hop limit, time exceeded, unreachable,",
            "packet too big with the next hop's MTU (routers never fragment IPv6).",
            "--firewall loads a rule file (docs/firewall.md; it filters forwarded IPv6 too);",
            "--masquerade rewrites the source of what leaves an interface to netstack4j's",
            "address there: IPv4, and IPv6 (stateful NAT66, as ip6tables MASQUERADE) on",
            "ports with an IPv6 address. A port may be IPv6-only (b0=fd00:2::1/64) and have",
            "several IPv6 addresses; netstack4j sends no router advertisements.",
            "--npt6 b0=fd00:1::/48,2001:db8:1::/48 maps the first prefix to the second on",
            "what leaves by b0 and back on what comes in (NPTv6, RFC 6296: stateless,",
            "checksum-neutral, ICMPv6 errors and hairpinning too; /1 to /64); the firewall",
            "sees the internal addresses. Not with --masquerade on the same port. The kernel",
            "side of each TUN is left to you (address it, or move it into a namespace).",
            "Ctrl-C prints the counters and removes the TUNs."},
        footer = {"", "Example (as root):",
            "  netstack4j route --tun a0=10.1.0.1/24 --tun b0=10.2.0.1/24 --masquerade b0",
            "  ip link set a0 netns A; ip -n A addr add 10.1.0.2/24 dev a0; ..."})
public final class RouteCommand implements java.util.concurrent.Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--tun", paramLabel = "NAME=CIDR[,CIDR...]", required = true,
            description = "A TUN interface and netstack4j's addresses on it, comma-separated, e.g. a0=10.1.0.1/24 (two or more);"
                    + " IPv6 addresses route IPv6 too, e.g. a0=10.1.0.1/24,fd00:1::1/64; IPv6 alone makes an IPv6-only port, e.g. b0=fd00:2::1/64.")
    List<String> tuns = new ArrayList<>();

    @Option(names = "--firewall", paramLabel = "FILE", description = "Firewall rules (docs/firewall.md).")
    Path firewall;

    @Option(names = "--masquerade", paramLabel = "NAME", description = "Source NAT to netstack4j's address on NAME for what leaves by it.")
    List<String> masquerade = new ArrayList<>();

    @Option(names = "--npt6", paramLabel = "NAME=INTERNAL/LEN,EXTERNAL/LEN",
            description = "NPTv6 (RFC 6296) on NAME: sources in INTERNAL leave by it in EXTERNAL, and what comes in to EXTERNAL"
                    + " goes to INTERNAL, e.g. b0=fd00:1::/48,2001:db8:1::/48 (stateless, checksum-neutral, /1 to /64).")
    List<String> npt6 = new ArrayList<>();

    @Option(names = "--mtu", paramLabel = "NAME=MTU",
            description = "The MTU of a --tun interface (68..65535; default the kernel's, 1500), e.g. b0=1280.")
    List<String> mtus = new ArrayList<>();

    @Option(names = "--conntrack-max", paramLabel = "N",
            description = "Connections the firewall and NAT track at most (default ${DEFAULT-VALUE}); a new flow into"
                    + " a full table evicts an unassured one, or is dropped when none is (counters ct.early_drop, ct.insert_failed).")
    int conntrackMax = ConnTrackConfig.defaults().maxEntries();

    @Option(names = "--pcap", paramLabel = "FILE", description = "Write every packet crossing the TUNs to FILE (pcap, raw IP).")
    Path pcap;

    @Option(names = "--queues", paramLabel = "N", defaultValue = "1",
            description = "Open every TUN as N queues with a stack and thread each, so flows are forwarded on N cores"
                    + " (each flow stays on one; default ${DEFAULT-VALUE}). With --firewall a connection table per queue"
                    + " (--conntrack-max each); with --masquerade each queue hands out its own share of the ports.")
    int queues = 1;

    /** The checks that need no kernel: the ports and the netfilter (null if neither option). */
    static List<TunRouter.Port> ports(List<String> tuns) {
        Map<String, TunRouter.Port> byName = new LinkedHashMap<>();
        for (String t : tuns) {
            int eq = t.indexOf('=');
            if (eq <= 0) throw new Main.UsageError("--tun " + t + ": expected NAME=CIDR[,CIDR...], e.g. a0=10.1.0.1/24 or b0=fd00:2::1/64");
            String name = t.substring(0, eq);
            TunException bad = TunException.checkName(name);
            if (bad != null) throw new Main.UsageError("--tun: " + bad.getMessage());
            // addresses of either family in any order: at most one IPv4 (an interface has one), any
            // number of IPv6; IPv6 alone makes an IPv6-only port
            Ipv4Cidr cidr = null;
            List<Ipv6Cidr> v6 = new ArrayList<>();
            for (String c : t.substring(eq + 1).split(",", -1)) {
                try {
                    if (c.contains(":")) {
                        Ipv6Cidr a = Ipv6Cidr.parse(c);
                        if (v6.contains(a)) throw new IllegalArgumentException(c + " given twice");
                        v6.add(a);
                    } else if (cidr != null) {
                        throw new IllegalArgumentException("one IPv4 address per interface, " + cidr + " and " + c + " given");
                    } else {
                        cidr = Ipv4Cidr.parse(c);
                    }
                } catch (IllegalArgumentException e) {
                    throw new Main.UsageError("--tun " + t + ": " + e.getMessage());
                }
            }
            if (byName.put(name, new TunRouter.Port(name, cidr, v6)) != null) throw new Main.UsageError("--tun: " + name + " given twice");
        }
        if (byName.size() < 2) throw new Main.UsageError("--tun: a router needs at least two interfaces");
        return List.copyOf(byName.values());
    }

    /** The ports with the MTUs of {@code --mtu NAME=MTU} applied. */
    static List<TunRouter.Port> withMtus(List<TunRouter.Port> ports, List<String> mtus) {
        Map<String, TunRouter.Port> byName = new LinkedHashMap<>();
        for (TunRouter.Port p : ports) byName.put(p.name(), p);
        for (String m : mtus) {
            int eq = m.indexOf('=');
            String name = eq <= 0 ? "" : m.substring(0, eq);
            TunRouter.Port p = byName.get(name);
            if (p == null) throw new Main.UsageError("--mtu " + m + ": expected NAME=MTU with NAME one of the --tun interfaces " + byName.keySet());
            int mtu;
            try {
                mtu = Integer.parseInt(m.substring(eq + 1));
            } catch (NumberFormatException e) {
                mtu = -1;
            }
            if (mtu < 68 || mtu > 65535) throw new Main.UsageError("--mtu " + m + ": the MTU must be a number from 68 to 65535");
            if (!p.ipv6().isEmpty() && mtu < 1280) throw new Main.UsageError("--mtu " + m + ": an IPv6 link needs at least 1280 (RFC 8200 5)");
            byName.put(name, p.withMtu(mtu));
        }
        return List.copyOf(byName.values());
    }

    static Netfilter netfilter(List<TunRouter.Port> ports, Path firewall, List<String> masquerade, Counters counters) {
        return netfilter(ports, firewall, masquerade, ConnTrackConfig.defaults(), counters);
    }

    static Netfilter netfilter(List<TunRouter.Port> ports, Path firewall, List<String> masquerade, ConnTrackConfig ct, Counters counters) {
        return netfilter(ports, firewall, masquerade, List.of(), ct, counters);
    }

    /** {@code --npt6 NAME=INTERNAL/LEN,EXTERNAL/LEN}, checked against the ports and --masquerade. */
    static List<Npt6.Config> npt6(List<TunRouter.Port> ports, List<String> npt6, List<String> masquerade) {
        List<Npt6.Config> out = new ArrayList<>();
        for (String n : npt6) {
            int eq = n.indexOf('=');
            String name = eq <= 0 ? "" : n.substring(0, eq);
            TunRouter.Port port = ports.stream().filter(p -> p.name().equals(name)).findFirst().orElse(null);
            if (port == null) throw new Main.UsageError("--npt6 " + n + ": expected NAME=INTERNAL/LEN,EXTERNAL/LEN with NAME one of the --tun interfaces "
                    + ports.stream().map(TunRouter.Port::name).toList());
            if (port.ipv6().isEmpty()) throw new Main.UsageError("--npt6 " + n + ": " + name + " has no IPv6 address");
            if (masquerade.contains(name)) throw new Main.UsageError("--npt6 " + n + ": " + name + " also has --masquerade (NAT66); choose one");
            if (out.stream().anyMatch(c -> c.externalIface().equals(name))) throw new Main.UsageError("--npt6: " + name + " given twice");
            try {
                out.add(Npt6.Config.parse(name, n.substring(eq + 1)));
            } catch (IllegalArgumentException e) {
                throw new Main.UsageError("--npt6 " + n + ": " + e.getMessage());
            }
        }
        return out;
    }

    static Netfilter netfilter(List<TunRouter.Port> ports, Path firewall, List<String> masquerade, List<Npt6.Config> npt6,
                               ConnTrackConfig ct, Counters counters) {
        return netfilter(ports, firewall, masquerade, npt6, ct, counters, 0, 1);
    }

    /** The same for queue {@code queue} of {@code queues}: its NATs hand out that queue's slice of the ports (NatConfig#withSlice). */
    static Netfilter netfilter(List<TunRouter.Port> ports, Path firewall, List<String> masquerade, List<Npt6.Config> npt6,
                               ConnTrackConfig ct, Counters counters, int queue, int queues) {
        if (firewall == null && masquerade.isEmpty() && npt6.isEmpty()) return null;
        Map<String, Ipv4Address> addrs = new LinkedHashMap<>();
        Map<String, Ipv6Address> addrs6 = new LinkedHashMap<>();
        for (TunRouter.Port p : ports) {
            if (p.address() != null) addrs.put(p.name(), p.address().address());
            if (!p.ipv6().isEmpty()) addrs6.put(p.name(), p.ipv6().getFirst().address());
        }
        RuleSet rules = RuleSet.ACCEPT_ALL;
        if (firewall != null) {
            String text;
            try {
                text = Files.readString(firewall);
            } catch (IOException e) {
                throw new Main.UsageError("--firewall: cannot read " + firewall + ": " + e.getMessage());
            }
            switch (RuleSet.parse(text)) {
                case RuleSet.Loaded.Ok ok -> rules = ok.rules();
                case RuleSet.Loaded.Failed f -> throw new Main.UsageError("--firewall " + firewall + ": " + f.errors().getFirst().toString().lines().findFirst().orElse("")
                        + (f.errors().size() > 1 ? " (and " + (f.errors().size() - 1) + " more)" : ""));
            }
        }
        List<NatConfig> nat = new ArrayList<>();
        for (String m : masquerade) {
            // one NAT per family the port has: IPv4 masquerade and NAT66 (as ip6tables MASQUERADE)
            Ipv4Address a = addrs.get(m);
            Ipv6Address a6 = addrs6.get(m);
            if (a == null && a6 == null) throw new Main.UsageError("--masquerade " + m + ": not one of the --tun interfaces "
                    + ports.stream().map(TunRouter.Port::name).toList());
            if (a != null) nat.add(NatConfig.masquerade(m, a).withSlice(queue, queues));
            if (a6 != null) nat.add(NatConfig.masquerade(m, a6).withSlice(queue, queues));
        }
        return new Netfilter(rules, ct, nat, npt6, addrs, addrs6, counters);
    }

    @Override public Integer call() throws Exception {
        List<TunRouter.Port> ports = withMtus(ports(tuns), mtus);
        if (pcap != null) Options.outputFile("--pcap", pcap);
        if (conntrackMax < 1) throw new Main.UsageError("--conntrack-max: at least 1, not " + conntrackMax);
        List<Npt6.Config> npts = npt6(ports, npt6, masquerade);
        if (queues < 1 || queues > 64) throw new Main.UsageError("--queues: 1 to 64, not " + queues);
        // a netfilter per queue (its own connection table; the kernel keeps both directions of a flow on one
        // queue), made once the kernel said how many queues: each queue's NAT gets its slice of the ports
        List<Counters> nfCounters = new ArrayList<>();
        ConnTrackConfig ct = ConnTrackConfig.defaults().withMaxEntries(conntrackMax);
        Netfilter nf = netfilter(ports, firewall, masquerade, npts, ct, new Counters()); // checks the options before any TUN opens
        TunOptions.requireTunAccess("TUN interfaces");
        TunRouter router;
        try {
            router = TunRouter.openPerQueue(ports, (i, n) -> {
                Counters c = new Counters();
                nfCounters.add(c);
                return nf == null ? null : netfilter(ports, firewall, masquerade, npts, ct, c, i, n);
            }, pcap, System.nanoTime(), true, queues);
        } catch (TunException | LinuxNet.CommandException e) {
            throw new Main.UsageError(e.getMessage().replace("\n  stderr: ", ": "));
        }
        PrintWriter out = spec.commandLine().getOut();
        for (TunRouter.Port p : ports) {
            StringJoiner a = new StringJoiner(", ");
            if (p.address() != null) a.add(p.address().toString());
            for (Ipv6Cidr c : p.ipv6()) a.add(c.toString());
            out.printf("netstack4j %s on %s%s%n", a, p.name(), p.mtu() == 0 ? "" : " (MTU " + p.mtu() + ")");
        }
        if (router.fallback() != null) out.println("queues: " + router.fallback());
        else if (router.queues() > 1) out.println(router.queues() + " queues per TUN, a stack and thread each");
        out.println("forwarding" + (nf == null ? "" : " with " + (firewall == null ? "" : "firewall " + firewall + " ")
                + (masquerade.isEmpty() ? "" : "masquerade on " + String.join(",", masquerade) + " ")
                + (npts.isEmpty() ? "" : "NPTv6 " + npts.stream().map(Object::toString).collect(java.util.stream.Collectors.joining(" ")))).strip()
                + "; Ctrl-C to stop");
        out.flush();
        TunOptions.printCountersOnExit(out, () -> {
            Map<String, Long> counters = new java.util.TreeMap<>(router.counters());
            // each queue's, read on its loop: summed, and with more than one queue also under qN.
            for (int i = 0; i < router.queues(); i++) {
                Map<String, Long> q = new java.util.TreeMap<>();
                Counters c = nfCounters.get(i);
                router.loop(i).call(c::snapshot).forEach((k, v) -> { if (v != 0) q.put(k, v); });
                if (nf != null) {
                    Netfilter f = router.netfilter(i);
                    q.put("ct.entries", (long) router.loop(i).call(() -> f.conntrack().size()));
                    q.put("ct.entries.max", (long) router.loop(i).call(() -> f.conntrack().highWater()));
                }
                String at = "q" + i + ".";
                q.forEach((k, v) -> {
                    counters.merge(k, v, Long::sum);
                    if (router.queues() > 1) counters.put(at + k, v);
                });
            }
            return counters;
        }, router::close, "netstack4j-route-shutdown");
        return 0;
    }
}
