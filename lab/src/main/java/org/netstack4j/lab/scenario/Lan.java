package org.netstack4j.lab.scenario;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.netstack4j.device.Bridge;
import org.netstack4j.device.Device;
import org.netstack4j.device.FrameSink;
import org.netstack4j.device.Hub;
import org.netstack4j.wire.LinkType;
import org.netstack4j.device.Medium;
import org.netstack4j.device.PcapTap;
import org.netstack4j.device.PcapWriter;
import org.netstack4j.host.Host;
import org.netstack4j.ip.Neighbor;
import org.netstack4j.lab.Lang;
import org.netstack4j.lab.LaneRun;
import org.netstack4j.lab.Zh;
import org.netstack4j.sim.LinkConfig;
import org.netstack4j.sim.SimLink;
import org.netstack4j.sim.Simulator;
import org.netstack4j.tcp.TcpConfig;
import org.netstack4j.time.Time;
import org.netstack4j.trace.TraceEvent;
import org.netstack4j.wire.ArpRepr;
import org.netstack4j.wire.EthernetRepr;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv4Repr;
import org.netstack4j.wire.MacAddress;
import org.netstack4j.wire.Parsed;
import org.netstack4j.wire.TcpRepr;

/**
 * A small Ethernet built for a multi-lane story: hosts, hubs and switches on simulated links,
 * every frame and every device decision recorded as {@link LaneRun} events. Each host's NIC is
 * tapped: what it sends becomes an arrow to the device (or host) at the far end of its cable,
 * and a frame it receives for another address is noted as discarded by the NIC. The devices
 * report through their tracers ({@link TraceEvent.Relay}); the hosts' ARP notes come from their
 * stacks' tracers. Several hosts may share a lane name (a story that re-runs traffic on a
 * second network); each lane name is one lifeline.
 */
final class Lan implements AutoCloseable {
    static final LinkConfig CABLE = LinkConfig.builder().medium(Medium.ETHERNET).latencyNs(Time.us(100)).build();

    final Simulator sim;
    final Timeline timeline = new Timeline();
    final List<LaneRun.Lane> lanes = new ArrayList<>();
    final List<LaneRun.Event> events = new ArrayList<>();
    /** Per lane: every frame (its label) the host's NIC received, and those it kept. */
    final Map<String, List<String>> seen = new LinkedHashMap<>(), accepted = new LinkedHashMap<>();
    private final Map<Host, List<Nic>> nics = new LinkedHashMap<>();
    private final PcapWriter pcap;
    private long seed;
    /** Frame labels carry TTL, DF and fragment fields (the IP stories); off for the link-layer ones. */
    boolean ipDetail;
    /** MACs handed out by the IP stories (02:00:00:00:10:01 on). */
    int macs;

    /**
     * One NIC: its lane, the far end of its cable (where a device or the peer attaches), its MAC,
     * its interface name and address, and the lane its frames go to first once cabled.
     */
    static final class Nic {
        final String lane, ifName;
        final Device cable;
        final MacAddress mac;
        final Ipv4Address address;
        String farEnd;
        /** Chooses frames this NIC sends that the cable loses (a lossy link the story controls); null: none. */
        java.util.function.Predicate<byte[]> lose;

        Nic(String lane, String ifName, Device cable, MacAddress mac, Ipv4Address address) {
            this.lane = lane;
            this.ifName = ifName;
            this.cable = cable;
            this.mac = mac;
            this.address = address;
        }
    }

    /** An interface of a router or firewall: name, address/prefix, MAC and its cable's properties. */
    record Iface(String name, Ipv4Address address, int prefix, MacAddress mac, LinkConfig cable) {}

    Lan(long seed, Path pcapFile) {
        this.sim = new Simulator(seed);
        this.seed = seed;
        sim.add(timeline);
        try {
            this.pcap = pcapFile == null ? null : PcapWriter.open(pcapFile, LinkType.ETHERNET);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void lane(String name, LaneRun.Kind kind) {
        if (lanes.stream().noneMatch(l -> l.name().equals(name))) lanes.add(new LaneRun.Lane(name, kind));
    }

    void note(String lane, String en, String zh) { events.add(new LaneRun.Note(sim.now(), lane, en, zh)); }

    /** A host on lane {@code name} with one NIC at the end of a new cable; the cable's far end is {@link #cable}. */
    Host host(String name, Ipv4Address address, MacAddress mac) { return host(name, address, 24, mac, CABLE); }

    Host host(String name, Ipv4Address address, int prefix, MacAddress mac, LinkConfig cable) {
        return node(name, LaneRun.Kind.HOST, List.of(new Iface("eth0", address, prefix, mac, cable)));
    }

    /**
     * A host with several NICs on lane name: a router (forwarding on) or a firewall (a router
     * whose netfilter the story sets). Each interface is at the end of its own new cable.
     */
    Host router(String name, LaneRun.Kind kind, Iface... ifaces) {
        Host h = node(name, kind, List.of(ifaces));
        h.ip().setForwarding(true);
        return h;
    }

    private Host node(String name, LaneRun.Kind kind, List<Iface> ifaces) {
        lane(name, kind);
        Host h = new Host(name, TcpConfig.defaults(), e -> hostEvent(name, e), ++seed);
        List<Nic> list = new ArrayList<>();
        for (Iface f : ifaces) {
            SimLink link = sim.link(name + "-" + f.name() + "-cable" + (links++), f.cable());
            Nic n = new Nic(name, f.name(), link.b(), f.mac(), f.address());
            Device dev = new Tap(link.a(), (now, frame) -> sent(n, frame), (now, frame) -> received(name, f.mac(), frame));
            // The capture sits outside the loss: like tcpdump on the sender, it shows a frame the cable then loses.
            if (pcap != null) dev = new PcapTap(dev, pcap);
            h.addInterface(f.name(), dev, f.mac(), f.address(), f.prefix());
            list.add(n);
        }
        nics.put(h, list);
        sim.add(h);
        return h;
    }

    /** The i-th NIC of h (0 for a host's only one). */
    Nic nic(Host h, int i) { return nics.get(h).get(i); }

    private int links;

    /** Joins two hosts back to back with one cable (their far ends joined). */
    void cross(Host a, Host b) { cross(nic(a, 0), nic(b, 0)); }

    /** Joins two NICs back to back (a host to a router, router to router). */
    void cross(Nic a, Nic b) {
        a.cable.attach((now, f) -> b.cable.transmit(now, f));
        b.cable.attach((now, f) -> a.cable.transmit(now, f));
        a.farEnd = b.lane;
        b.farEnd = a.lane;
    }

    /** A hub or switch on its lane, its ports added by {@link #connect}. */
    final class Dev {
        final String name;
        final java.util.function.ToIntFunction<Device> addPort;
        final Map<Integer, String> portLane = new LinkedHashMap<>();
        final Map<Integer, byte[]> last = new LinkedHashMap<>();

        Dev(String name, java.util.function.ToIntFunction<Device> addPort) {
            this.name = name;
            this.addPort = addPort;
        }

        /** Adds a port whose cable leads to lane peer; the device's side is tapped for frame labels. */
        void port(Device cableEnd, String peer) {
            int port = portLane.size();
            portLane.put(port, peer);
            addPort.applyAsInt(new Tap(cableEnd, (now, f) -> true, (now, f) -> last.put(port, f)));
        }

        void relay(TraceEvent e) { Lan.this.relay(this, e); }
    }

    Dev hubDevice(String name) {
        lane(name, LaneRun.Kind.HUB);
        Dev[] d = new Dev[1];
        Hub hub = new Hub(name, e -> d[0].relay(e));
        d[0] = new Dev(name, hub::addPort);
        return d[0];
    }

    Dev switchDevice(String name, Bridge.Config config, Bridge[] made) {
        lane(name, LaneRun.Kind.SWITCH);
        Dev[] d = new Dev[1];
        Bridge br = new Bridge(name, config, e -> d[0].relay(e));
        sim.add(br);
        if (made != null) made[0] = br;
        d[0] = new Dev(name, br::addPort);
        return d[0];
    }

    /** Cables host h to device d. */
    void connect(Dev d, Host h) { connect(d, nic(h, 0)); }

    /** Cables a NIC (of a host, router or firewall) to device d. */
    void connect(Dev d, Nic n) {
        n.farEnd = d.name;
        d.port(n.cable, n.lane);
    }

    /** Cables two devices together. */
    void connect(Dev x, Dev y, LinkConfig cable) {
        SimLink link = sim.link(x.name + "-" + y.name + (links++), cable);
        x.port(link.a(), y.name);
        y.port(link.b(), x.name);
    }

    void hub(String name, Host... hosts) {
        Dev d = hubDevice(name);
        for (Host h : hosts) connect(d, h);
    }

    Bridge bridge(String name, Bridge.Config config, Host... hosts) {
        Bridge[] made = new Bridge[1];
        Dev d = switchDevice(name, config, made);
        for (Host h : hosts) connect(d, h);
        return made[0];
    }

    private void relay(Dev d, TraceEvent e) {
        if (!(e instanceof TraceEvent.Relay r)) return;
        String device = d.name;
        String in = d.portLane.get(r.inPort());
        switch (r.action()) {
            case REPEATED, FLOODED, FORWARDED -> {
                byte[] f = d.last.get(r.inPort());
                events.add(new LaneRun.Frame(r.time(), device, r.outPorts().stream().map(d.portLane::get).distinct().toList(),
                        label(f, ipDetail), label(f, ipDetail, Lang.ZH), r.action(), f));
            }
            case FILTERED -> events.add(new LaneRun.Note(r.time(), device,
                    "filtered " + r.src() + " > " + r.dst() + ": the destination is behind port " + r.inPort() + " (" + in + "), where it came from",
                    "过滤 " + r.src() + " > " + r.dst() + "：目的地址就在进入的端口 " + r.inPort() + "（" + in + "）"));
            case LEARNED -> events.add(new LaneRun.Note(r.time(), device,
                    "learned " + r.src() + " on port " + r.inPort() + " (" + in + ")",
                    "学习到 " + r.src() + " 在端口 " + r.inPort() + "（" + in + "）"));
            case MOVED -> events.add(new LaneRun.Note(r.time(), device,
                    r.src() + " moved to port " + r.inPort() + " (" + in + ")",
                    r.src() + " 迁移到端口 " + r.inPort() + "（" + in + "）"));
            case AGED -> events.add(new LaneRun.Note(r.time(), device,
                    "aged out " + r.src() + " (port " + r.inPort() + ", " + in + "): silent for the ageing time",
                    "老化删除 " + r.src() + "（端口 " + r.inPort() + "，" + in + "）：超过老化时间未出现"));
        }
    }

    /** Records a frame n sent; false when the cable loses it (the frame is drawn, labelled lost, and noted at the far end). */
    private boolean sent(Nic n, byte[] frame) {
        boolean lost = n.lose != null && n.lose.test(frame);
        if (n.farEnd != null) {
            events.add(new LaneRun.Frame(sim.now(), n.lane, List.of(n.farEnd), (lost ? "lost: " : "") + label(frame, ipDetail),
                    (lost ? "丢失：" : "") + label(frame, ipDetail, Lang.ZH), null, frame));
            if (lost) events.add(new LaneRun.Note(sim.now(), n.farEnd, "the link lost this frame: it never arrives",
                    "链路丢失了这一帧：它永远不会到达"));
        }
        return !lost;
    }

    /** Per lane: the last frame its NIC took and when (a drop in the same instant is about it). */
    private final Map<String, byte[]> lastIn = new java.util.HashMap<>();
    private final Map<String, Long> lastInAt = new java.util.HashMap<>();

    private void received(String lane, MacAddress mac, byte[] frame) {
        lastIn.put(lane, frame);
        lastInAt.put(lane, sim.now());
        String l = label(frame, ipDetail);
        seen.computeIfAbsent(lane, k -> new ArrayList<>()).add(l);
        MacAddress dst = frame.length >= 6 ? MacAddress.read(frame, 0) : MacAddress.ZERO;
        if (dst.equals(mac) || dst.isBroadcast()) {
            accepted.computeIfAbsent(lane, k -> new ArrayList<>()).add(l);
            return;
        }
        events.add(new LaneRun.Note(sim.now(), lane, "NIC: frame for " + dst + " is not mine, discarded",
                "网卡：帧的目的 MAC " + dst + " 不是本机，丢弃"));
    }

    /** TCP state changes of the hosts become notes (the firewall story sets them beside conntrack's). */
    boolean tcpStates;
    /** A TCP retransmission timeout becomes a note (the udp story's lossy comparison). */
    boolean rtoNotes;

    /** The TCP timers' waits that ended in their firing, per lane, drawn to scale. */
    final List<LaneRun.Wait> waits = new ArrayList<>();
    private final Map<String, Long> timerSet = new java.util.HashMap<>();

    private void hostEvent(String lane, TraceEvent e) {
        if (e instanceof TraceEvent.Timer<?> t && t.name() instanceof org.netstack4j.tcp.TcpTimer tt && org.netstack4j.lab.SvgLadder.scaled(tt)) {
            String key = lane + "/" + t.connection() + "/" + tt;
            Long set = timerSet.remove(key);
            if (t.action() == org.netstack4j.trace.TimerAction.SET) timerSet.put(key, t.time());
            else if (t.action() == org.netstack4j.trace.TimerAction.FIRED && set != null && t.time() > set)
                waits.add(new LaneRun.Wait(lane, tt.name(), set, t.time()));
        }
        switch (e) {
            case TraceEvent.Note n when "arp".equals(n.layer()) -> events.add(arpNote(lane, n));
            case TraceEvent.Note n -> events.add(new LaneRun.Note(n.time(), lane, n.layer() + ": " + n.text(),
                    Zh.layer(n.layer()) + "：" + Zh.note(n.layer(), n.text())));
            // in Chinese by the drop's kind; the packet it is about is the frame this lane's NIC took in the same instant
            case TraceEvent.Drop d -> events.add(new LaneRun.Note(d.time(), lane, "drop (" + d.layer() + "): " + d.reason(),
                    Zh.drop(d.layer(), d.kind(), lastInAt.getOrDefault(lane, -1L) == d.time() ? label(lastIn.get(lane), true, Lang.ZH)
                            .replaceFirst("（发往 [^）]*）$", "") : "")));
            case TraceEvent.StateChange<?> s when tcpStates && s.to() instanceof org.netstack4j.tcp.TcpState to
                    && s.from() instanceof org.netstack4j.tcp.TcpState from -> events.add(new LaneRun.Note(s.time(), lane,
                    "TCP " + from.rfcName() + " -> " + to.rfcName() + " (" + s.connection() + ")",
                    "TCP 状态 " + from.rfcName() + " → " + to.rfcName() + "（" + s.connection() + "）"));
            case TraceEvent.Timer<?> t when rtoNotes && t.action() == org.netstack4j.trace.TimerAction.FIRED
                    && t.name() == org.netstack4j.tcp.TcpTimer.RTO -> events.add(new LaneRun.Note(t.time(), lane,
                    "TCP: the retransmission timer (RTO) fired: what is not yet acknowledged goes again",
                    "TCP：重传计时器（RTO）超时：重发尚未被确认的数据"));
            default -> { } // TCP segments and timers: the frames show them
        }
    }

    /** Calls r every step from start to end (virtual time): a story watching a table change. */
    void every(long start, long end, long step, Runnable r) {
        for (long t = start; t <= end; t += step) timeline.at(t, r);
    }

    /** Adds a route on h: dest/prefix via gateway (0.0.0.0/0 for the default route). */
    static void route(Host h, String destPrefix, Ipv4Address gateway) {
        String[] dp = destPrefix.split("/");
        h.ip().routes().add(new org.netstack4j.ip.RoutingTable.Route(Ipv4Address.parse(dp[0]), Integer.parseInt(dp[1]), gateway, null));
    }

    /** h's routes as "10.0.2.0/24 via 10.0.12.2" lines, joined. */
    static String routes(Host h) {
        List<String> out = new ArrayList<>();
        for (var r : h.ip().routes().routes()) out.add(r.toString());
        return String.join("; ", out);
    }

    /** "who-has B tell A" and "B is-at M" from the stack's ARP, in both languages. */
    private static LaneRun.Note arpNote(String lane, TraceEvent.Note n) {
        String t = n.text();
        String[] w = t.split(" ");
        String zh;
        if (t.startsWith("who-has ") && w.length == 4) zh = "ARP 请求：谁有 " + w[1] + "？请告诉 " + w[3];
        else if (w.length == 3 && w[1].equals("is-at")) zh = "ARP 缓存记下：" + w[0] + " 的 MAC 是 " + w[2];
        else zh = "ARP：" + t;
        return new LaneRun.Note(n.time(), lane, "ARP: " + t, zh);
    }

    /** The ARP cache of h as notes' text: "10.0.0.2 at 02:00:00:00:00:02" per entry, or empty. */
    static String[] cache(Host h) {
        List<String> en = new ArrayList<>(), zh = new ArrayList<>();
        for (Neighbor n : h.ip().neighbors()) {
            en.add(n.ip() + (n.resolved() ? " at " + n.mac() : " (incomplete)"));
            zh.add(n.ip() + (n.resolved() ? " → " + n.mac() : "（解析中）"));
        }
        return new String[] {en.isEmpty() ? "empty" : String.join(", ", en), zh.isEmpty() ? "空" : String.join("，", zh)};
    }

    static String label(byte[] frame) { return label(frame, false); }

    /**
     * One line a person reads for a frame: ARP, ICMP, UDP or TCP, with the destination MAC;
     * with ipDetail also the TTL, DF and, for a fragment, its identification and offset.
     */
    static String label(byte[] frame, boolean ipDetail) { return label(frame, ipDetail, Lang.EN); }

    /** The same in lang: Chinese words around the same protocol tokens, fields, addresses and numbers. */
    static String label(byte[] frame, boolean ipDetail, Lang lang) {
        if (frame == null || !(EthernetRepr.parse(frame, 0, frame.length) instanceof Parsed.Ok<EthernetRepr> eo))
            return lang.pick("frame", "帧");
        EthernetRepr eth = eo.value();
        String to = lang.pick(" (to " + (eth.dst().isBroadcast() ? "broadcast" : eth.dst().toString()) + ")",
                "（发往 " + (eth.dst().isBroadcast() ? "广播" : eth.dst().toString()) + "）");
        int off = EthernetRepr.HEADER_LENGTH;
        if (eth.etherType() == EthernetRepr.ETHERTYPE_ARP
                && ArpRepr.parse(frame, off, frame.length - off) instanceof Parsed.Ok<ArpRepr> a) {
            ArpRepr arp = a.value();
            return arp.operation() == ArpRepr.OP_REQUEST
                    ? lang.pick("ARP who-has " + arp.targetIp() + " tell " + arp.senderIp(),
                            "ARP 请求 谁有 " + arp.targetIp() + "？告诉 " + arp.senderIp()) + to
                    : lang.pick("ARP " + arp.senderIp() + " is-at " + arp.senderMac(),
                            "ARP 应答 " + arp.senderIp() + " 在 " + arp.senderMac()) + to;
        }
        if (eth.etherType() != EthernetRepr.ETHERTYPE_IPV4
                || !(Ipv4Repr.parse(frame, off, frame.length - off) instanceof Parsed.Ok<Ipv4Repr> io))
            return EthernetRepr.etherTypeName(eth.etherType()) + to;
        Ipv4Repr ip = io.value();
        int p = off + ip.headerLength();
        int end = Math.min(frame.length, off + ip.totalLength());
        String hosts = ip.src() + " > " + ip.dst();
        String detail = ipDetail ? " ttl " + ip.ttl() + (ip.dontFragment() ? " DF" : "") : "";
        if (ip.isFragment()) {
            return lang.pick("IPv4 fragment ", "IPv4 分片 ") + Ipv4Repr.protocolName(ip.protocol()) + " " + hosts + " id " + ip.identification()
                    + lang.pick(" offset ", " 偏移 ") + ip.fragmentOffset() + (ip.moreFragments() ? " MF" : "") + " len " + ip.payloadLength() + detail + to;
        }
        if (ip.protocol() == Ipv4Repr.PROTO_ICMP && p + 8 <= end) {
            int type = frame[p] & 0xff, code = frame[p + 1] & 0xff, seq = ((frame[p + 6] & 0xff) << 8) | (frame[p + 7] & 0xff);
            String what = lang == Lang.ZH ? Zh.icmp(type, code) + (type == 3 && code == 4 ? "（MTU " + seq + "）" : "") + " " + hosts
                    + (type == 0 || type == 8 ? " seq " + seq : "") : switch (type) {
                case 8 -> "echo request " + hosts + " seq " + seq;
                case 0 -> "echo reply " + hosts + " seq " + seq;
                case 11 -> "time exceeded " + hosts;
                case 3 -> (code == 3 ? "port unreachable " : code == 4 ? "fragmentation needed (MTU " + seq + ") "
                        : "unreachable code " + code + " ") + hosts;
                default -> "type " + type + " " + hosts;
            };
            return "ICMP " + what + detail + to;
        }
        if (ip.protocol() == Ipv4Repr.PROTO_UDP && p + 8 <= end) {
            int sp = ((frame[p] & 0xff) << 8) | (frame[p + 1] & 0xff), dp = ((frame[p + 2] & 0xff) << 8) | (frame[p + 3] & 0xff);
            int ulen = ((frame[p + 4] & 0xff) << 8) | (frame[p + 5] & 0xff);
            return "UDP " + ip.src() + ":" + sp + " > " + ip.dst() + ":" + dp + " len " + (ulen - 8) + detail + to;
        }
        Frames.Tcp t = Frames.tcp(frame);
        if (t != null) {
            return "TCP " + ip.src() + ":" + t.tcp().srcPort() + " > " + ip.dst() + ":" + t.tcp().dstPort() + " "
                    + String.join(",", flags(t.tcp()))
                    + " len " + t.payloadLength() + detail + to;
        }
        return "IPv4 proto " + ip.protocol() + " " + hosts + detail + to;
    }

    private static List<String> flags(TcpRepr t) {
        List<String> out = new ArrayList<>();
        if (t.has(TcpRepr.SYN)) out.add("SYN");
        if (t.has(TcpRepr.FIN)) out.add("FIN");
        if (t.has(TcpRepr.RST)) out.add("RST");
        if (t.has(TcpRepr.PSH)) out.add("PSH");
        if (t.has(TcpRepr.ACK)) out.add("ACK");
        return out;
    }

    void at(long time, Runnable r) { timeline.at(time, r); }

    void runUntil(long time) { sim.runUntil(time); }

    LaneRun run(String scenario) { return new LaneRun(scenario, lanes, events, waits); }

    @Override public void close() {
        if (pcap != null) {
            try {
                pcap.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** A device wrapper that reports frames out (transmit) and in (to the sink). */
    static final class Tap implements Device {
        /** Sees a frame on its way out; returns false to lose it. */
        interface Out { boolean send(long now, byte[] frame); }

        private final Device inner;
        private final Out onOut;
        private final FrameSink onIn;

        Tap(Device inner, Out onOut, FrameSink onIn) {
            this.inner = inner;
            this.onOut = onOut;
            this.onIn = onIn;
        }

        @Override public Medium medium() { return inner.medium(); }

        @Override public int mtu() { return inner.mtu(); }

        @Override public void transmit(long now, byte[] frame) {
            if (onOut.send(now, frame)) inner.transmit(now, frame);
        }

        @Override public void attach(FrameSink sink) {
            inner.attach((now, frame) -> {
                onIn.receive(now, frame);
                sink.receive(now, frame);
            });
        }

        @Override public long pollAt() { return inner.pollAt(); }

        @Override public void poll(long now) { inner.poll(now); }
    }
}
