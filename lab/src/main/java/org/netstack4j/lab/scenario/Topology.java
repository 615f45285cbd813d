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
 * link A sw0 [latency=100us] [loss=0.01] [mtu=1500]
 * </pre>
 * A host has one NIC, so exactly one link; hubs and switches take any number. A script says
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

    private record LinkDecl(int line, String a, String b, LinkConfig config) {}

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
            case "link" -> link(line, w);
            case "at" -> step(line, s);
            default -> throw error(line, "unknown declaration '" + w[0] + "' (want host, hub, switch, link or at)");
        }
    }

    private void add(int line, String name, Object decl) {
        if (nodes.containsKey(name)) throw error(line, "node " + name + " is declared twice");
        nodes.put(name, decl);
    }

    private void link(int line, String[] w) {
        if (w.length < 3) throw error(line, "want: link A B [latency=..] [loss=..] [mtu=..]");
        for (int k = 1; k <= 2; k++) if (!nodes.containsKey(w[k])) throw error(line, "unknown node " + w[k] + " (declare it before the link)");
        if (w[1].equals(w[2])) throw error(line, "a link joins two different nodes");
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
        links.add(new LinkDecl(line, w[1], w[2], c));
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
            if (!(nodes.get(h) instanceof HostDecl)) throw error(line, h + " is not a host");
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
        Map<String, Host> hosts = new LinkedHashMap<>();
        Map<String, Lan.Dev> devs = new LinkedHashMap<>();
        Map<String, LinkConfig> cableOf = new LinkedHashMap<>();
        for (LinkDecl l : links) {
            if (nodes.get(l.a()) instanceof HostDecl) cableOf.put(l.a(), l.config());
            if (nodes.get(l.b()) instanceof HostDecl) cableOf.put(l.b(), l.config());
        }
        for (var e : nodes.entrySet()) {
            switch (e.getValue()) {
                case HostDecl h -> hosts.put(h.name(), lan.host(h.name(), h.addr(), h.prefix(), h.mac(), cableOf.get(h.name())));
                case String kind when kind.equals("hub") -> devs.put(e.getKey(), lan.hubDevice(e.getKey()));
                default -> devs.put(e.getKey(), lan.switchDevice(e.getKey(), Bridge.Config.DEFAULT, null));
            }
        }
        for (LinkDecl l : links) {
            Host ha = hosts.get(l.a()), hb = hosts.get(l.b());
            Lan.Dev da = devs.get(l.a()), db = devs.get(l.b());
            if (ha != null && hb != null) lan.cross(ha, hb);
            else if (ha != null) lan.connect(db, ha);
            else if (hb != null) lan.connect(da, hb);
            else lan.connect(da, db, l.config());
        }
        long end = 0;
        int[] seq = {0};
        java.util.Set<String> listening = new java.util.HashSet<>();
        for (Step s : steps) {
            Host from = hosts.get(s.from()), to = hosts.get(s.to());
            Ipv4Address dst = ((HostDecl) nodes.get(s.to())).addr();
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
