package org.netstack4j.lab.scenario;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.netstack4j.device.Bridge;
import org.netstack4j.device.Medium;
import org.netstack4j.filter.NatConfig;
import org.netstack4j.filter.RuleSet;
import org.netstack4j.host.Host;
import org.netstack4j.sim.LinkConfig;
import org.netstack4j.tcp.TcpConnection;
import org.netstack4j.tcp.TcpEventListener;
import org.netstack4j.time.Time;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.MacAddress;

/**
 * A network as text, one declaration a line ({@code #} starts a comment):
 * <pre>
 * host A 10.0.0.1/24 [02:00:00:00:00:01]
 * hub hub0
 * switch sw0
 * router R1 10.0.0.254/24 10.0.1.1/24      # interfaces eth0, eth1, ... in this order
 * firewall FW 10.0.1.2/24 198.51.100.1/24  # a router whose rules follow
 * link A sw0 [latency=100us] [loss=0.01] [mtu=1500]
 * link sw0 R1:eth0                          # a router's interface, or its next free one
 * route A default via 10.0.0.254            # or: route R1 10.0.2.0/24 via 10.0.1.2
 * rule FW chain forward policy drop         # a line of docs/firewall.md's rules
 * rule FW accept state established,related
 * nat FW masquerade eth1                    # source NAT behind eth1's address
 * </pre>
 * A host has one NIC, so exactly one link; a router one link per interface; hubs and switches
 * take any number. A script says
 * what happens, one step a line: {@code at 0 ms: A ping B}, {@code at 10 ms: A tcp-send B:80 1000}.
 * Errors name their line: {@link Error}.
 */
public final class Topology {
    /** A mistake in a topology or script, with its 1-based line. */
    public static final class Error extends IllegalArgumentException {
        public final int line;

        Error(String file, int line, String message) {
            super(file + ":" + line + ": " + message);
            this.line = line;
        }
    }

    private record HostDecl(int line, String name, Ipv4Address addr, int prefix, MacAddress mac) {}

    /** A router or firewall: its interfaces' addresses (eth0, eth1, ...), routes, rules and NAT. */
    private record RouterDecl(int line, String name, boolean firewall, List<Ipv4Address> addrs, List<Integer> prefixes,
                              List<String> rules, List<String> natIfaces) {}

    private record RouteDecl(int line, String node, Ipv4Address dest, int prefix, Ipv4Address gateway) {}

    /** A link between two nodes; aIf/bIf is the router interface index at that end, or -1. */
    private record LinkDecl(int line, String a, int aIf, String b, int bIf, LinkConfig config) {}

    private final List<RouteDecl> routes = new ArrayList<>();
    private final Map<String, java.util.Set<Integer>> usedIfaces = new LinkedHashMap<>();

    private record Step(int line, long at, String from, String verb, String to, int port, int bytes) {}

    private final Map<String, Object> nodes = new LinkedHashMap<>(); // name -> HostDecl or "hub"/"switch"
    private final List<LinkDecl> links = new ArrayList<>();
    private final List<Step> steps = new ArrayList<>();
    private final String file;

    private Topology(String file) { this.file = file; }

    public static Topology parse(String file, String text) {
        Topology t = new Topology(file);
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) t.declaration(i + 1, strip(lines[i]));
        t.check();
        return t;
    }

    public static Topology read(Path file) throws java.io.IOException {
        return parse(file.getFileName().toString(), java.nio.file.Files.readString(file, StandardCharsets.UTF_8));
    }

    private static String strip(String line) {
        int hash = line.indexOf('#');
        return (hash >= 0 ? line.substring(0, hash) : line).trim();
    }

    private Error error(int line, String message) { return new Error(file, line, message); }

    private void declaration(int line, String s) {
        if (s.isEmpty()) return;
        String[] w = s.split("\\s+");
        switch (w[0].toLowerCase(Locale.ROOT)) {
            case "host" -> {
                if (w.length < 3 || w.length > 4) throw error(line, "want: host NAME ADDR/PREFIX [MAC]");
                String[] ap = w[2].split("/");
                Ipv4Address addr;
                int prefix;
                try {
                    addr = Ipv4Address.parse(ap[0]);
                    prefix = ap.length == 2 ? Integer.parseInt(ap[1]) : 24;
                } catch (RuntimeException e) {
                    throw error(line, "not an IPv4 address with prefix: " + w[2]);
                }
                if (ap.length > 2 || prefix < 1 || prefix > 32) throw error(line, "bad prefix in " + w[2]);
                MacAddress mac;
                try {
                    mac = w.length == 4 ? MacAddress.parse(w[3]) : new MacAddress(0x02_00_00_00_00_00L + nodes.size() + 1);
                } catch (RuntimeException e) {
                    throw error(line, "not a MAC address: " + w[3]);
                }
                add(line, w[1], new HostDecl(line, w[1], addr, prefix, mac));
            }
            case "hub", "switch" -> {
                if (w.length != 2) throw error(line, "want: " + w[0] + " NAME");
                add(line, w[1], w[0].toLowerCase(Locale.ROOT));
            }
            case "router", "firewall" -> {
                if (w.length < 3) throw error(line, "want: " + w[0] + " NAME ADDR/PREFIX [ADDR/PREFIX ...] (eth0, eth1, ...)");
                List<Ipv4Address> addrs = new ArrayList<>();
                List<Integer> prefixes = new ArrayList<>();
                for (int i = 2; i < w.length; i++) {
                    String[] ap = w[i].split("/");
                    try {
                        addrs.add(Ipv4Address.parse(ap[0]));
                        prefixes.add(Integer.parseInt(ap[1]));
                    } catch (RuntimeException e) {
                        throw error(line, "not an IPv4 address with prefix: " + w[i]);
                    }
                    if (ap.length != 2 || prefixes.getLast() < 1 || prefixes.getLast() > 32) throw error(line, "bad prefix in " + w[i]);
                }
                add(line, w[1], new RouterDecl(line, w[1], w[0].equalsIgnoreCase("firewall"), addrs, prefixes, new ArrayList<>(), new ArrayList<>()));
            }
            case "route" -> {
                if (w.length != 5 || !w[3].equals("via")) throw error(line, "want: route NODE DEST/PREFIX|default via GATEWAY");
                if (!(nodes.get(w[1]) instanceof HostDecl || nodes.get(w[1]) instanceof RouterDecl))
                    throw error(line, w[1] + " is not a host, router or firewall (declare it before its routes)");
                try {
                    String[] dp = w[2].equals("default") ? new String[] {"0.0.0.0", "0"} : w[2].split("/");
                    int prefix = Integer.parseInt(dp[1]);
                    if (prefix < 0 || prefix > 32) throw error(line, "bad prefix in " + w[2]);
                    routes.add(new RouteDecl(line, w[1], Ipv4Address.parse(dp[0]), prefix, Ipv4Address.parse(w[4])));
                } catch (Error e) {
                    throw e;
                } catch (RuntimeException e) {
                    throw error(line, "want: route NODE DEST/PREFIX|default via GATEWAY, not " + s);
                }
            }
            case "rule", "nat" -> {
                if (w.length < 3 || !(nodes.get(w[1]) instanceof RouterDecl r))
                    throw error(line, w[0] + " needs a router or firewall declared before it: " + w[0] + " NODE ...");
                if (w[0].equalsIgnoreCase("nat")) {
                    if (w.length != 4 || !w[2].equals("masquerade")) throw error(line, "want: nat NODE masquerade IFACE");
                    int i = ifaceIndex(line, r, w[3]);
                    r.natIfaces().add("eth" + i);
                } else {
                    String rule = s.substring(s.indexOf(w[1]) + w[1].length()).trim();
                    r.rules().add(rule);
                    if (RuleSet.parse(String.join("\n", r.rules())) instanceof RuleSet.Loaded.Failed f)
                        throw error(line, f.errors().getLast().message());
                }
            }
            case "link" -> link(line, w);
            case "at" -> step(line, s);
            default -> throw error(line, "unknown declaration '" + w[0] + "' (want host, hub, switch, router, firewall, link, route, rule, nat or at)");
        }
    }

    private void add(int line, String name, Object decl) {
        if (nodes.containsKey(name)) throw error(line, "node " + name + " is declared twice");
        nodes.put(name, decl);
    }

    private int ifaceIndex(int line, RouterDecl r, String name) {
        if (name.matches("eth\\d+")) {
            int i = Integer.parseInt(name.substring(3));
            if (i < r.addrs().size()) return i;
        }
        throw error(line, r.name() + " has interfaces eth0 to eth" + (r.addrs().size() - 1) + ", not " + name);
    }

    /** The interface a link end takes: NAME:ethN, or a router's next free one; -1 for other nodes. */
    private int linkEnd(int line, String[] end) {
        if (!(nodes.get(end[0]) instanceof RouterDecl r)) {
            if (end.length > 1) throw error(line, end[0] + " is not a router: no interface to name");
            return -1;
        }
        java.util.Set<Integer> used = usedIfaces.computeIfAbsent(r.name(), k -> new java.util.HashSet<>());
        int i;
        if (end.length > 1) i = ifaceIndex(line, r, end[1]);
        else {
            i = 0;
            while (used.contains(i)) i++;
            if (i >= r.addrs().size()) throw error(line, r.name() + " has no free interface left (it has " + r.addrs().size() + ")");
        }
        if (!used.add(i)) throw error(line, r.name() + ":eth" + i + " is linked already");
        return i;
    }

    private void link(int line, String[] w) {
        if (w.length < 3) throw error(line, "want: link A B [latency=..] [loss=..] [mtu=..]");
        String[] ea = w[1].split(":", 2), eb = w[2].split(":", 2);
        for (String n : new String[] {ea[0], eb[0]}) if (!nodes.containsKey(n)) throw error(line, "unknown node " + n + " (declare it before the link)");
        if (ea[0].equals(eb[0])) throw error(line, "a link joins two different nodes");
        LinkConfig.Builder b = LinkConfig.builder().medium(Medium.ETHERNET).latencyNs(Time.us(100));
        for (int i = 3; i < w.length; i++) {
            String[] kv = w[i].split("=", 2);
            if (kv.length != 2) throw error(line, "want key=value, not " + w[i]);
            try {
                switch (kv[0]) {
                    case "latency" -> b.latencyNs(duration(kv[1]));
                    case "loss" -> b.loss(Double.parseDouble(kv[1]));
                    case "mtu" -> b.mtu(Integer.parseInt(kv[1]));
                    default -> throw error(line, "unknown link option " + kv[0] + " (want latency, loss or mtu)");
                }
            } catch (NumberFormatException e) {
                throw error(line, "bad value for " + kv[0] + ": " + kv[1]);
            }
        }
        LinkConfig c;
        try {
            c = b.build();
        } catch (IllegalArgumentException e) {
            throw error(line, e.getMessage());
        }
        links.add(new LinkDecl(line, ea[0], linkEnd(line, ea), eb[0], linkEnd(line, eb), c));
    }

    /** "100us", "2ms", "1s" or nanoseconds. */
    static long duration(String s) {
        if (s.endsWith("us")) return Math.round(Double.parseDouble(s.substring(0, s.length() - 2)) * 1e3);
        if (s.endsWith("ms")) return Math.round(Double.parseDouble(s.substring(0, s.length() - 2)) * 1e6);
        if (s.endsWith("s")) return Math.round(Double.parseDouble(s.substring(0, s.length() - 1)) * 1e9);
        return Long.parseLong(s);
    }

    private static final java.util.regex.Pattern STEP = java.util.regex.Pattern.compile(
            "at\\s+([0-9.]+)\\s*(ns|us|ms|s)\\s*:\\s*(\\S+)\\s+(ping|tcp-send)\\s+([^\\s:]+)(?::(\\d+))?(?:\\s+(\\d+))?");

    private void step(int line, String s) {
        var m = STEP.matcher(s);
        if (!m.matches()) throw error(line, "want: at TIME ms: HOST ping HOST | at TIME ms: HOST tcp-send HOST:PORT BYTES");
        long at = duration(m.group(1) + (m.group(2).equals("ns") ? "" : m.group(2)));
        String verb = m.group(4);
        for (String h : new String[] {m.group(3), m.group(5)})
            if (!(nodes.get(h) instanceof HostDecl || nodes.get(h) instanceof RouterDecl)) throw error(line, h + " is not a host, router or firewall");
        if (verb.equals("tcp-send") && (m.group(6) == null || m.group(7) == null))
            throw error(line, "tcp-send wants HOST:PORT BYTES");
        if (verb.equals("ping") && (m.group(6) != null || m.group(7) != null)) throw error(line, "ping takes a host only");
        steps.add(new Step(line, at, m.group(3), verb, m.group(5),
                m.group(6) == null ? 0 : Integer.parseInt(m.group(6)), m.group(7) == null ? 0 : Integer.parseInt(m.group(7))));
    }

    /** Adds the steps of a script (same syntax as the at-lines of a topology). */
    public Topology withScript(String scriptName, String text) {
        Topology t = new Topology(file);
        t.nodes.putAll(nodes);
        t.links.addAll(links);
        t.routes.addAll(routes);
        t.steps.addAll(steps);
        Topology s = new Topology(scriptName);
        s.nodes.putAll(nodes);
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String l = strip(lines[i]);
            if (l.isEmpty()) continue;
            if (!l.startsWith("at")) throw s.error(i + 1, "a script has only steps: at TIME ms: ...");
            s.step(i + 1, l);
        }
        t.steps.addAll(s.steps);
        return t;
    }

    private void check() {
        Map<String, Integer> hostLinks = new LinkedHashMap<>();
        for (LinkDecl l : links)
            for (String n : List.of(l.a(), l.b()))
                if (nodes.get(n) instanceof HostDecl) {
                    if (hostLinks.containsKey(n)) throw error(l.line(), "host " + n + " has one NIC and is linked already (line " + hostLinks.get(n) + ")");
                    hostLinks.put(n, l.line());
                }
        for (Object d : nodes.values())
            if (d instanceof HostDecl h && !hostLinks.containsKey(h.name())) throw error(h.line(), "host " + h.name() + " has no link");
        if (nodes.size() < 2) throw error(1, "a topology needs at least two nodes");
    }

    /** Builds the network, plays the steps and returns the multi-lane run. */
    public NetStory.Result run(String name, long seed, Path pcap) {
        return new NetStory() {
            @Override public String name() { return name; }
            @Override public String summary() { return "topology " + file; }
            @Override public String summaryZh() { return "拓扑 " + file; }
            @Override protected void play(Lan lan, Map<String, String> facts) { build(lan, facts); }
        }.run(seed, pcap);
    }

    private void build(Lan lan, Map<String, String> facts) {
        lan.ipDetail = nodes.values().stream().anyMatch(d -> d instanceof RouterDecl);
        Map<String, Host> hosts = new LinkedHashMap<>();
        Map<String, Lan.Dev> devs = new LinkedHashMap<>();
        Map<String, LinkConfig> cableOf = new LinkedHashMap<>();
        for (LinkDecl l : links) {
            cableOf.put(l.a() + ":" + l.aIf(), l.config());
            cableOf.put(l.b() + ":" + l.bIf(), l.config());
        }
        for (var e : nodes.entrySet()) {
            switch (e.getValue()) {
                case HostDecl h -> hosts.put(h.name(), lan.host(h.name(), h.addr(), h.prefix(), h.mac(), cableOf.get(h.name() + ":-1")));
                case RouterDecl r -> {
                    Lan.Iface[] ifs = new Lan.Iface[r.addrs().size()];
                    for (int i = 0; i < ifs.length; i++)
                        ifs[i] = new Lan.Iface("eth" + i, r.addrs().get(i), r.prefixes().get(i), new MacAddress(0x02_00_00_00_20_00L + (++lan.macs)),
                                cableOf.getOrDefault(r.name() + ":" + i, Lan.CABLE));
                    Host h = lan.router(r.name(), r.firewall() ? org.netstack4j.lab.LaneRun.Kind.FIREWALL : org.netstack4j.lab.LaneRun.Kind.ROUTER, ifs);
                    hosts.put(r.name(), h);
                    if (r.firewall() || !r.natIfaces().isEmpty()) {
                        Map<String, Ipv4Address> addrs = new LinkedHashMap<>();
                        for (int i = 0; i < ifs.length; i++) addrs.put("eth" + i, r.addrs().get(i));
                        List<NatConfig> nat = new ArrayList<>();
                        for (String f : r.natIfaces()) nat.add(NatConfig.masquerade(f, addrs.get(f)));
                        IpStories.netfilter(h, String.join("\n", r.rules()), nat, addrs);
                    }
                }
                case String kind when kind.equals("hub") -> devs.put(e.getKey(), lan.hubDevice(e.getKey()));
                default -> devs.put(e.getKey(), lan.switchDevice(e.getKey(), Bridge.Config.DEFAULT, null));
            }
        }
        for (LinkDecl l : links) {
            Host ha = hosts.get(l.a()), hb = hosts.get(l.b());
            Lan.Dev da = devs.get(l.a()), db = devs.get(l.b());
            Lan.Nic na = ha == null ? null : lan.nic(ha, Math.max(0, l.aIf())), nb = hb == null ? null : lan.nic(hb, Math.max(0, l.bIf()));
            if (na != null && nb != null) lan.cross(na, nb);
            else if (na != null) lan.connect(db, na);
            else if (nb != null) lan.connect(da, nb);
            else lan.connect(da, db, l.config());
        }
        for (RouteDecl r : routes)
            hosts.get(r.node()).ip().routes().add(new org.netstack4j.ip.RoutingTable.Route(r.dest(), r.prefix(), r.gateway(), null));
        long end = 0;
        int[] seq = {0};
        java.util.Set<String> listening = new java.util.HashSet<>();
        for (Step s : steps) {
            Host from = hosts.get(s.from()), to = hosts.get(s.to());
            Ipv4Address dst = nodes.get(s.to()) instanceof HostDecl hd ? hd.addr() : ((RouterDecl) nodes.get(s.to())).addrs().getFirst();
            end = Math.max(end, s.at());
            if (s.verb().equals("ping")) {
                lan.at(s.at(), () -> NetStories.ping(lan, from, s.from(), dst, ++seq[0], facts, "ping line " + s.line()));
            } else {
                lan.at(s.at(), () -> {
                    if (listening.add(s.to() + ":" + s.port())) to.listen(lan.sim.now(), s.port(), 16, l -> {
                        TcpConnection c;
                        while ((c = l.accept()) != null) c.setListener(new TcpEventListener() {
                            @Override public void onReadable(TcpConnection conn) {
                                byte[] buf = new byte[65536];
                                while (conn.receive(lan.sim.now(), buf, 0, buf.length) > 0) { }
                            }
                        });
                    });
                    byte[] data = new byte[s.bytes()];
                    int[] sent = {0};
                    from.connect(lan.sim.now(), dst, s.port(), new TcpEventListener() {
                        @Override public void onEstablished(TcpConnection c) { onWritable(c); }
                        @Override public void onWritable(TcpConnection c) {
                            if (sent[0] < data.length) sent[0] += c.send(lan.sim.now(), data, sent[0], data.length - sent[0]);
                        }
                    });
                });
            }
        }
        lan.runUntil(end + Time.s(1));
    }

    public List<String> lanes() { return new ArrayList<>(nodes.keySet()); }
}
