package org.netstack4j.lab.scenario;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.netstack4j.filter.ConnTrackConfig;
import org.netstack4j.filter.Connection;
import org.netstack4j.filter.Endpoint;
import org.netstack4j.filter.NatConfig;
import org.netstack4j.filter.Netfilter;
import org.netstack4j.filter.RuleSet;
import org.netstack4j.host.Host;
import org.netstack4j.ip.UdpDatagram;
import org.netstack4j.ip.UdpError;
import org.netstack4j.ip.UdpSocket;
import org.netstack4j.lab.LaneRun;
import org.netstack4j.sim.LinkConfig;
import org.netstack4j.tcp.TcpConnection;
import org.netstack4j.tcp.TcpEventListener;
import org.netstack4j.time.Time;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv4Repr;
import org.netstack4j.wire.MacAddress;

/**
 * The network-layer stories: routers lowering the TTL and answering with ICMP, a link with a
 * small MTU, a stateful firewall, NAT, and UDP. Every router and firewall is a real
 * {@link Host} with forwarding on (and a {@link Netfilter}); the frames are what their NICs sent.
 */
final class IpStories {
    private IpStories() {}

    /** A UDP socket's ICMP error in Chinese, from its type and code. */
    static String errorZh(org.netstack4j.ip.UdpError e) {
        return org.netstack4j.lab.Zh.icmp(e.type(), e.code()) + "（发往 " + e.dst() + " 端口 " + e.dstPort() + "，由 " + e.reporter() + " 报告）";
    }

    static List<NetStory> all() {
        return List.of(new RouterStory(), new Fragmentation(), new FirewallStory(), new NatStory(), new UdpStory(), new Encapsulation());
    }

    static MacAddress mac(Lan lan) { return new MacAddress(0x02_00_00_00_10_00L + ++lan.macs); }

    static Ipv4Address ip(String s) { return Ipv4Address.parse(s); }

    static Lan.Iface iface(Lan lan, String name, String addr, LinkConfig cable) {
        String[] ap = addr.split("/");
        return new Lan.Iface(name, ip(ap[0]), Integer.parseInt(ap[1]), mac(lan), cable);
    }

    static Lan.Iface iface(Lan lan, String name, String addr) { return iface(lan, name, addr, Lan.CABLE); }

    static Host host(Lan lan, String name, String addr, String gateway) { return host(lan, name, addr, gateway, Lan.CABLE); }

    static Host host(Lan lan, String name, String addr, String gateway, LinkConfig cable) {
        String[] ap = addr.split("/");
        Host h = lan.host(name, ip(ap[0]), Integer.parseInt(ap[1]), mac(lan), cable);
        if (gateway != null) Lan.route(h, "0.0.0.0/0", ip(gateway));
        return h;
    }

    /** The frames lane received whose label matches re: the first group of each. */
    static List<String> received(Lan lan, String lane, Pattern re) {
        List<String> out = new ArrayList<>();
        for (String l : lan.accepted.getOrDefault(lane, List.of())) {
            Matcher m = re.matcher(l);
            if (m.find()) out.add(m.group(1));
        }
        return out;
    }

    /** A server on port: reads everything, answers each read with reply bytes, notes who connected. */
    static void server(Lan lan, Host h, String lane, int port, int reply, Map<String, String> facts) {
        h.listen(lan.sim.now(), port, 16, l -> {
            TcpConnection c;
            while ((c = l.accept()) != null) {
                String who = c.remoteAddress() + ":" + c.remotePort();
                facts.put(lane + " accepted from", who);
                lan.note(lane, "accepted a connection from " + who, "接受了来自 " + who + " 的连接");
                c.setListener(new TcpEventListener() {
                    @Override public void onReadable(TcpConnection conn) {
                        byte[] buf = new byte[65536];
                        int n, total = 0;
                        while ((n = conn.receive(lan.sim.now(), buf, 0, buf.length)) > 0) total += n;
                        if (total > 0 && reply > 0) conn.send(lan.sim.now(), new byte[reply], 0, reply);
                    }
                });
            }
        });
    }

    /** Connects from h to dst:port and sends bytes once established; then calls done (or on an error). */
    static TcpConnection client(Lan lan, Host h, Ipv4Address dst, int port, int bytes, Consumer<TcpConnection> established) {
        return client(lan, h, dst, port, new byte[bytes], established);
    }

    static TcpConnection client(Lan lan, Host h, Ipv4Address dst, int port, byte[] data, Consumer<TcpConnection> established) {
        int[] sent = {0};
        return h.connect(lan.sim.now(), dst, port, new TcpEventListener() {
            @Override public void onEstablished(TcpConnection c) {
                if (established != null) established.accept(c);
                onWritable(c);
            }
            @Override public void onWritable(TcpConnection c) {
                if (sent[0] < data.length) sent[0] += c.send(lan.sim.now(), data, sent[0], data.length - sent[0]);
            }
        });
    }

    static final Pattern TIME_EXCEEDED = Pattern.compile("^ICMP time exceeded (\\S+) >");
    static final Pattern ECHO_REPLY = Pattern.compile("^ICMP echo reply (\\S+) >");
    static final Pattern TTL = Pattern.compile(" ttl (\\d+)");

    /** A ping across three routers, then a traceroute: TTL 1, 2, 3, 4, each hop answering. */
    static final class RouterStory extends NetStory {
        @Override public String name() { return "router"; }
        @Override public String summary() { return "A pings B across three routers (each lowers the TTL by one), then traces the route: TTL 1, 2, 3 expire at R1, R2, R3 with ICMP time exceeded, TTL 4 reaches B"; }
        @Override public String summaryZh() { return "A 经过三台路由器 ping B（每一跳 TTL 减一），再做 traceroute：TTL 为 1、2、3 的包分别在 R1、R2、R3 耗尽并回 ICMP 超时，TTL 为 4 的到达 B"; }
        @Override protected void play(Lan lan, Map<String, String> facts) {
            lan.ipDetail = true;
            Host a = host(lan, "A", "10.0.1.1/24", "10.0.1.254");
            Host r1 = lan.router("R1", LaneRun.Kind.ROUTER, iface(lan, "eth0", "10.0.1.254/24"), iface(lan, "eth1", "10.0.12.1/24"));
            Host r2 = lan.router("R2", LaneRun.Kind.ROUTER, iface(lan, "eth0", "10.0.12.2/24"), iface(lan, "eth1", "10.0.23.2/24"));
            Host r3 = lan.router("R3", LaneRun.Kind.ROUTER, iface(lan, "eth0", "10.0.23.3/24"), iface(lan, "eth1", "10.0.2.254/24"));
            Host b = host(lan, "B", "10.0.2.1/24", "10.0.2.254");
            lan.cross(lan.nic(a, 0), lan.nic(r1, 0));
            lan.cross(lan.nic(r1, 1), lan.nic(r2, 0));
            lan.cross(lan.nic(r2, 1), lan.nic(r3, 0));
            lan.cross(lan.nic(r3, 1), lan.nic(b, 0));
            Lan.route(r1, "10.0.2.0/24", ip("10.0.12.2"));
            Lan.route(r2, "10.0.1.0/24", ip("10.0.12.1"));
            Lan.route(r2, "10.0.2.0/24", ip("10.0.23.3"));
            Lan.route(r3, "10.0.1.0/24", ip("10.0.23.2"));
            String[] names = {"R1", "R2", "R3"};
            Host[] routers = {r1, r2, r3};
            lan.at(0, () -> {
                for (int i = 0; i < 3; i++) {
                    String rt = Lan.routes(routers[i]);
                    facts.put("routes " + names[i], rt);
                    lan.note(names[i], "routes: " + rt, "路由表：" + rt.replace("default", "默认").replace(" via ", " 经 ").replace(" dev ", " 出口 "));
                }
                lan.note("A", "part 1: ping B (10.0.2.1), TTL 64", "第一部分：ping B（10.0.2.1），TTL 为 64");
                a.ip().setEchoReplyListener((now, from, id, seq, ttl, data) -> {
                    facts.put("reply TTL at A", Integer.toString(ttl));
                    lan.note("A", "echo reply from " + from + " arrives with TTL " + ttl + ": 64 minus three routers",
                            "收到 " + from + " 的回显应答，TTL 为 " + ttl + "：64 减去三台路由器各一");
                });
                a.ip().ping(lan.sim.now(), ip("10.0.2.1"), 1, 1, new byte[8], -1);
            });
            lan.at(Time.ms(20), () -> {
                List<String> ttls = received(lan, "B", Pattern.compile("^ICMP echo request .* ttl (\\d+)"));
                facts.put("request TTL at B", String.join(",", ttls));
                lan.note("A", "part 2: traceroute to B: echo requests with TTL 1, 2, 3, 4",
                        "第二部分：traceroute 到 B：依次发送 TTL 为 1、2、3、4 的回显请求");
                a.ip().setEchoReplyListener((now, from, id, seq, ttl, data) ->
                        lan.note("A", "hop " + seq + ": " + from + " (echo reply: the destination)", "第 " + seq + " 跳：" + from + "（回显应答：到达目的地）"));
            });
            for (int ttl = 1; ttl <= 4; ttl++) {
                int t = ttl;
                lan.at(Time.ms(20 + 10L * (t - 1)), () -> a.ip().ping(lan.sim.now(), ip("10.0.2.1"), 2, t, new byte[8], t));
                lan.at(Time.ms(29 + 10L * (t - 1)), () -> {
                    List<String> hops = received(lan, "A", TIME_EXCEEDED);
                    if (t <= hops.size()) lan.note("A", "hop " + t + ": " + hops.get(t - 1) + " (time exceeded: TTL ran out there)",
                            "第 " + t + " 跳：" + hops.get(t - 1) + "（超时报文：TTL 在此耗尽）");
                });
            }
            lan.runUntil(Time.ms(60));
            List<String> hops = new ArrayList<>(received(lan, "A", TIME_EXCEEDED));
            List<String> replies = received(lan, "A", ECHO_REPLY);
            if (replies.size() >= 2) hops.add(replies.get(1));
            facts.put("traceroute", String.join(" ", hops));
        }
    }

    /** A link with MTU 576 between two routers: fragments, DF with "fragmentation needed", and TCP's path MTU. */
    static final class Fragmentation extends NetStory {
        @Override public String name() { return "fragmentation"; }
        @Override public String summary() { return "a 576-byte MTU between R1 and R2: a 1400-byte UDP datagram leaves R1 in 3 fragments and B reassembles it; with DF set R1 drops it and answers 'fragmentation needed' (MTU 576); A learns the path MTU from it, so TCP with DF sends segments that fit from the start"; }
        @Override public String summaryZh() { return "R1 与 R2 之间的链路 MTU 为 576：1400 字节的 UDP 数据报在 R1 被分成 3 片，由 B 重组；设置 DF 后 R1 丢弃它并回 “需要分片”（MTU 576）；A 据此得知路径 MTU，带 DF 的 TCP 从一开始就发送大小合适的报文段"; }
        @Override protected void play(Lan lan, Map<String, String> facts) {
            lan.ipDetail = true;
            LinkConfig narrow = LinkConfig.builder().medium(org.netstack4j.device.Medium.ETHERNET).latencyNs(Time.us(100)).mtu(576).build();
            Host a = host(lan, "A", "10.0.1.1/24", "10.0.1.254");
            Host r1 = lan.router("R1", LaneRun.Kind.ROUTER, iface(lan, "eth0", "10.0.1.254/24"), iface(lan, "eth1", "10.0.12.1/24", narrow));
            Host r2 = lan.router("R2", LaneRun.Kind.ROUTER, iface(lan, "eth0", "10.0.12.2/24", narrow), iface(lan, "eth1", "10.0.2.254/24"));
            Host b = host(lan, "B", "10.0.2.1/24", "10.0.2.254");
            lan.cross(lan.nic(a, 0), lan.nic(r1, 0));
            lan.cross(lan.nic(r1, 1), lan.nic(r2, 0));
            lan.cross(lan.nic(r2, 1), lan.nic(b, 0));
            Lan.route(r1, "10.0.2.0/24", ip("10.0.12.2"));
            Lan.route(r2, "10.0.1.0/24", ip("10.0.12.1"));
            UdpSocket bs = b.ip().udpBind(ip("10.0.2.1"), 9000);
            UdpSocket as = a.ip().udpBind(ip("10.0.1.1"), 40000);
            lan.at(0, () -> {
                lan.note("R1", "eth1 (towards R2) has MTU 576; A's and B's links have 1500",
                        "eth1（通往 R2）的 MTU 是 576；A 和 B 的链路是 1500");
                lan.note("A", "part 1: 1400 bytes of UDP to B:9000, DF clear", "第一部分：向 B:9000 发送 1400 字节的 UDP，不设 DF");
                as.sendTo(lan.sim.now(), ip("10.0.2.1"), 9000, new byte[1400], 0, 1400);
            });
            lan.at(Time.ms(10), () -> {
                UdpDatagram d = bs.receive();
                List<String> frags = received(lan, "B", Pattern.compile("^IPv4 fragment UDP .* offset (\\d+)"));
                facts.put("fragment offsets at B", String.join(",", frags));
                facts.put("B received", d == null ? "nothing" : d.data().length + " bytes");
                lan.note("B", "reassembled " + frags.size() + " fragments (offsets " + String.join(", ", frags) + ") into one datagram of "
                                + (d == null ? 0 : d.data().length) + " bytes",
                        "把 " + frags.size() + " 个分片（偏移 " + String.join("、", frags) + "）重组成一个 "
                                + (d == null ? 0 : d.data().length) + " 字节的数据报");
                lan.note("A", "part 2: the same datagram with DF (don't fragment) set", "第二部分：同样的数据报，设置 DF（禁止分片）");
                as.setDontFragment(true);
                as.sendTo(lan.sim.now(), ip("10.0.2.1"), 9000, new byte[1400], 0, 1400);
            });
            lan.at(Time.ms(20), () -> {
                UdpError e = as.error();
                facts.put("A's UDP error", e == null ? "none" : e.message() + " from " + e.reporter());
                lan.note("A", "the socket reports: " + (e == null ? "nothing" : e), "套接字报告：" + (e == null ? "无" : errorZh(e)));
                lan.note("A", "part 3: TCP to B:80 with DF on every segment: it starts within the path MTU (576) the error above taught A (RFC 1191)",
                        "第三部分：TCP 连接 B:80，每个报文段都设置 DF：一开始就按上面的错误告诉 A 的路径 MTU（576）发送（RFC 1191）");
                server(lan, b, "B", 80, 0, facts);
                a.setDontFragment(true);
                client(lan, a, ip("10.0.2.1"), 80, 3000, null);
            });
            lan.runUntil(Time.ms(80));
            facts.put("TCP payloads at B", String.join(",", received(lan, "B", Pattern.compile("^TCP \\S+ > \\S+ \\S*ACK len (\\d+)")))
                    .replaceAll("(^|,)0(?=,|$)", "$1").replaceAll(",+", ",").replaceAll("^,|,$", ""));
        }
    }

    static String conntrack(Netfilter nf) {
        List<String> out = new ArrayList<>();
        for (Connection c : nf.conntrack().connections()) out.add(c.toString());
        return out.isEmpty() ? "empty" : String.join("; ", out);
    }

    /** The same table in Chinese, from each entry's fields (the states keep Linux's names). */
    static String conntrackZh(Netfilter nf) {
        List<String> out = new ArrayList<>();
        for (Connection c : nf.conntrack().connections()) {
            var k = c.original();
            out.add(Ipv4Repr.protocolName(k.protocol()) + " " + k.src() + " > " + k.dst()
                    + (c.tcpState() == org.netstack4j.filter.TcpCtState.NONE ? "" : " " + c.tcpState())
                    + (c.seenReply() ? "" : "（未见应答）") + (c.assured() ? "（已确认）" : ""));
        }
        return out.isEmpty() ? "空" : String.join("；", out);
    }

    /** Notes the conntrack table on lane whenever it changes (checked every 50 us). */
    static void watchConntrack(Lan lan, String lane, Netfilter nf, long until) {
        String[] last = {"empty"};
        lan.every(0, until, Time.us(50), () -> {
            String now = conntrack(nf);
            if (now.equals(last[0])) return;
            last[0] = now;
            lan.note(lane, "conntrack: " + now, "连接跟踪表：" + conntrackZh(nf));
        });
    }

    static Netfilter netfilter(Host h, String rules, List<NatConfig> nat, Map<String, Ipv4Address> addrs) {
        RuleSet rs = switch (RuleSet.parse(rules)) {
            case RuleSet.Loaded.Ok ok -> ok.rules();
            case RuleSet.Loaded.Failed f -> throw new IllegalArgumentException(f.errors().toString());
        };
        Netfilter nf = new Netfilter(rs, ConnTrackConfig.defaults(), nat, addrs, h.counters());
        h.ip().setNetfilter(nf);
        return nf;
    }

    static final String FIREWALL_RULES = """
            chain forward policy drop
            accept state established,related
            accept in eth0 out eth1 state new
            reject with tcp-reset in eth1 tcp to port 23
            """;

    /** A stateful firewall: out allowed, replies in by state, an unsolicited SYN dropped, another rejected. */
    static final class FirewallStory extends NetStory {
        @Override public String name() { return "firewall"; }
        @Override public String summary() { return "a stateful firewall: A's connection out is allowed and its replies come back because conntrack knows them; B's unsolicited SYN to port 22 is dropped, to port 23 answered with a reset; conntrack states beside TCP's"; }
        @Override public String summaryZh() { return "状态防火墙：A 向外的连接被放行，回来的应答因连接跟踪认得它而通过；B 主动发往 22 端口的 SYN 被丢弃，发往 23 端口的被 RST 拒绝；连接跟踪状态与 TCP 状态并列"; }
        @Override protected void play(Lan lan, Map<String, String> facts) {
            lan.tcpStates = true;
            Host a = host(lan, "A", "10.0.1.1/24", "10.0.1.254");
            Host fw = lan.router("FW", LaneRun.Kind.FIREWALL, iface(lan, "eth0", "10.0.1.254/24"), iface(lan, "eth1", "198.51.100.254/24"));
            Host b = host(lan, "B", "198.51.100.1/24", "198.51.100.254");
            lan.cross(lan.nic(a, 0), lan.nic(fw, 0));
            lan.cross(lan.nic(fw, 1), lan.nic(b, 0));
            Netfilter nf = netfilter(fw, FIREWALL_RULES, List.of(),
                    Map.of("eth0", ip("10.0.1.254"), "eth1", ip("198.51.100.254")));
            watchConntrack(lan, "FW", nf, Time.ms(100));
            lan.at(0, () -> {
                lan.note("FW", "rules (forward): policy drop; accept established,related; accept eth0 -> eth1 new; reject tcp port 23 from eth1 with a reset",
                        "规则（forward 链）：默认丢弃；放行已建立的（ESTABLISHED）和相关的（RELATED）连接；放行 eth0 → eth1 的新连接；从 eth1 来的 TCP 23 端口用 RST 拒绝");
                lan.note("A", "part 1: A (inside) connects to B:80 and sends 100 bytes", "第一部分：内网的 A 连接 B:80，发送 100 字节");
                server(lan, b, "B", 80, 100, facts);
                client(lan, a, ip("198.51.100.1"), 80, 100, null);
            });
            lan.at(Time.ms(20), () -> {
                facts.put("conntrack after part 1", conntrack(nf));
                lan.note("B", "part 2: B (outside) sends a SYN to A:22 that nobody asked for", "第二部分：外网的 B 主动向 A:22 发送 SYN");
                server(lan, a, "A", 22, 0, facts);
                client(lan, b, ip("10.0.1.1"), 22, 10, null);
            });
            TcpConnection[] telnet = new TcpConnection[1];
            lan.at(Time.ms(40), () -> {
                lan.note("B", "part 3: B sends a SYN to A:23", "第三部分：B 向 A:23 发送 SYN");
                telnet[0] = client(lan, b, ip("10.0.1.1"), 23, 10, null);
            });
            lan.runUntil(Time.ms(100));
            facts.put("B to A:23", telnet[0].error() == null ? telnet[0].state().rfcName() : telnet[0].error().toString());
            facts.put("A accepted from", facts.getOrDefault("A accepted from", "nobody"));
            facts.put("drops", Long.toString(fw.counters().counter("nf.dropped").get()));
            facts.put("rejects", Long.toString(fw.counters().counter("nf.rejected").get()));
        }
    }

    /** Masquerade: the inside address and port rewritten to the router's outside ones, and back. */
    static final class NatStory extends NetStory {
        @Override public String name() { return "nat"; }
        @Override public String summary() { return "masquerade: A (192.168.1.2) connects to B through NAT; inside the frames carry A's address and port, outside the router's 203.0.113.1 and a mapped port, and the replies are rewritten back"; }
        @Override public String summaryZh() { return "地址伪装：A（192.168.1.2）经 NAT 连接 B；内侧的帧里是 A 的地址和端口，外侧是路由器的 203.0.113.1 和映射后的端口，应答再被改写回来"; }
        @Override protected void play(Lan lan, Map<String, String> facts) {
            Host a = host(lan, "A", "192.168.1.2/24", "192.168.1.1");
            Host nat = lan.router("NAT", LaneRun.Kind.ROUTER, iface(lan, "eth0", "192.168.1.1/24"), iface(lan, "eth1", "203.0.113.1/24"));
            Host b = host(lan, "B", "203.0.113.80/24", null);
            lan.cross(lan.nic(a, 0), lan.nic(nat, 0));
            lan.cross(lan.nic(nat, 1), lan.nic(b, 0));
            Netfilter nf = netfilter(nat, "", List.of(NatConfig.masquerade("eth1", ip("203.0.113.1"))
                            .withPorts(new org.netstack4j.filter.PortRange(20000, 20999), false)),
                    Map.of("eth0", ip("192.168.1.1"), "eth1", ip("203.0.113.1")));
            TcpConnection[] c = new TcpConnection[1];
            lan.at(0, () -> {
                lan.note("NAT", "masquerade on eth1: sources from inside become 203.0.113.1, ports 20000-20999; B has no route to 192.168.1.0/24",
                        "在 eth1 上做地址伪装：内网来的源地址改成 203.0.113.1，端口改到 20000-20999；B 没有到 192.168.1.0/24 的路由");
                server(lan, b, "B", 80, 100, facts);
                c[0] = client(lan, a, ip("203.0.113.80"), 80, 100, conn -> {
                    String inside = conn.localAddress() + ":" + conn.localPort();
                    facts.put("A's endpoint", inside);
                    lan.note("A", "connected from " + inside + " to 203.0.113.80:80", "已连接：从 " + inside + " 到 203.0.113.80:80");
                });
            });
            lan.at(Time.ms(5), () -> {
                var m = nf.nats().get(0).byInternal(Ipv4Repr.PROTO_TCP, new Endpoint(ip("192.168.1.2"), c[0].localPort()));
                String map = m.map(x -> x.internal() + " <-> " + x.external()).orElse("none");
                facts.put("mapping", map);
                lan.note("NAT", "mapping: " + map, "映射：" + map.replace("<->", "↔"));
                lan.note("A", "part 2: a ping: the ICMP identifier is the 'port' NAT rewrites", "第二部分：ping：ICMP 标识符就是 NAT 改写的“端口”");
                a.ip().setEchoReplyListener((now, from, id, seq, ttl, data) -> {
                    facts.put("ping reply at A from", from.toString());
                    lan.note("A", "echo reply from " + from, "收到 " + from + " 的回显应答");
                });
                a.ip().ping(lan.sim.now(), ip("203.0.113.80"), 7, 1, new byte[8], -1);
            });
            lan.runUntil(Time.ms(20));
            facts.put("B saw", String.join(",", received(lan, "B", Pattern.compile("^(?:TCP|ICMP echo request) (\\S+?)(?::\\d+)? >"))
                    .stream().distinct().toList()));
            facts.put("A saw", String.join(",", received(lan, "A", Pattern.compile("^(?:TCP|ICMP echo reply) \\S+ > (\\S+?)(?::\\d+)? "))
                    .stream().distinct().toList()));
        }
    }

    /** One UDP datagram and its header, an answer, then a datagram to a closed port. */
    static final class UdpStory extends NetStory {
        @Override public String name() { return "udp"; }
        @Override public String summary() { return "UDP: one datagram to B's echo port with its 8-byte header explained (ports, length, checksum), no handshake and no acknowledgement; a datagram to a closed port answered with ICMP port unreachable; then the same three-part request over UDP and over TCP on a link that loses A's second data frame: UDP has no handshake and delivers parts 1 and 3, TCP shakes hands, retransmits part 2 and delivers all three in order"; }
        @Override public String summaryZh() { return "UDP：向 B 的 echo 端口发送一个数据报，解释它 8 字节的首部（端口、长度、校验和），没有握手也没有确认；向未打开的端口发送，收到 ICMP 端口不可达；再在一条会丢掉 A 第二个数据帧的链路上，分别用 UDP 和 TCP 发送同一个分三段的请求：UDP 不握手，只送到第 1、3 段；TCP 先握手，重传第 2 段，三段按序全部送到"; }
        @Override protected void play(Lan lan, Map<String, String> facts) {
            Host a = host(lan, "A", "10.0.0.1/24", null);
            Host b = host(lan, "B", "10.0.0.2/24", null);
            lan.cross(a, b);
            UdpSocket as = a.ip().udpBind(ip("10.0.0.1"), 40000);
            UdpSocket echo = b.ip().udpBind(ip("10.0.0.2"), 7);
            byte[] hello = "hello, udp!\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            lan.at(0, () -> {
                lan.note("A", "part 1: \"hello, udp!\\n\" (12 bytes) to B:7 (echo); the ARP exchange comes first",
                        "第一部分：向 B:7（echo）发送 \"hello, udp!\\n\"（12 字节）；先要完成 ARP");
                as.sendTo(lan.sim.now(), ip("10.0.0.2"), 7, hello, 0, hello.length);
            });
            lan.at(Time.ms(2), () -> {
                UdpDatagram d = echo.receive();
                byte[] f = lastFrame(lan, "A", "UDP");
                int p = 14 + 20;
                int sp = u16(f, p), dp = u16(f, p + 2), len = u16(f, p + 4), sum = u16(f, p + 6);
                String hdr = String.format("source port %d, destination port %d, length %d (8 header + %d data), checksum 0x%04x",
                        sp, dp, len, len - 8, sum);
                facts.put("UDP header", hdr);
                lan.note("B", "UDP header: " + hdr + " over a pseudo-header of both addresses; nothing else: no sequence number, no ACK",
                        String.format("UDP 首部：源端口 %d，目的端口 %d，长度 %d（首部 8 + 数据 %d），校验和 0x%04x，覆盖含双方地址的伪首部；除此之外没有序号，没有确认",
                                sp, dp, len, len - 8, sum));
                facts.put("B got", d == null ? "nothing" : new String(d.data(), java.nio.charset.StandardCharsets.US_ASCII).strip()
                        + " from " + d.src() + ":" + d.srcPort());
                if (d != null) echo.sendTo(lan.sim.now(), d.src(), d.srcPort(), d.data(), 0, d.data().length);
            });
            lan.at(Time.ms(4), () -> {
                UdpDatagram r = as.receive();
                facts.put("A got back", r == null ? "nothing" : r.data().length + " bytes");
                lan.note("A", "part 2: the same to B:9, where no socket listens", "第二部分：同样的数据发往 B:9，那里没有套接字");
                as.sendTo(lan.sim.now(), ip("10.0.0.2"), 9, hello, 0, hello.length);
            });
            lan.at(Time.ms(6), () -> {
                UdpError e = as.error();
                facts.put("A's error", e == null ? "none" : e.toString());
                lan.note("A", "the socket reports: " + (e == null ? "nothing" : e) + "; UDP itself would never have told",
                        "套接字报告：" + (e == null ? "无" : errorZh(e)) + "；UDP 本身不会告诉发送方");
            });
            lossyComparison(lan, a, b, as, facts);
        }

        static final String[] PARTS = {"request part 1/3\n", "request part 2/3\n", "request part 3/3\n"};

        /**
         * Parts 3 and 4: the same request in three pieces over UDP, then over TCP, on a cable that
         * loses the second data frame A sends to port 9000 each time (chosen, so every run is the same).
         */
        private static void lossyComparison(Lan lan, Host a, Host b, UdpSocket as, Map<String, String> facts) {
            int[] udpData = {0}, tcpData = {0};
            lan.nic(a, 0).lose = frame -> {
                String l = Lan.label(frame);
                if (l.startsWith("UDP ") && l.contains(":9000 ")) return ++udpData[0] == 2;
                Frames.Tcp t = Frames.tcp(frame);
                return t != null && t.tcp().dstPort() == 9000 && t.payloadLength() > 0 && ++tcpData[0] == 2;
            };
            UdpSocket sink = b.ip().udpBind(ip("10.0.0.2"), 9000);
            List<String> udpGot = new ArrayList<>();
            sink.setReceiveListener(() -> {
                UdpDatagram d;
                while ((d = sink.receive()) != null) {
                    String part = new String(d.data(), java.nio.charset.StandardCharsets.US_ASCII).strip();
                    udpGot.add(part);
                    lan.note("B", "UDP delivers: " + part, "UDP 交付：“" + part + "”");
                }
            });
            lan.at(Time.ms(10), () -> {
                lan.note("A", "part 3: a three-part request to B:9000 over UDP; the link will lose A's second data frame",
                        "第三部分：用 UDP 向 B:9000 发送分三段的请求；链路会丢掉 A 的第二个数据帧");
                for (String p : PARTS) {
                    byte[] d = p.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                    as.sendTo(lan.sim.now(), ip("10.0.0.2"), 9000, d, 0, d.length);
                }
            });
            StringBuilder tcpGot = new StringBuilder();
            lan.at(Time.ms(15), () -> {
                facts.put("UDP: B got", String.join(", ", udpGot));
                facts.put("UDP: A's error", as.error() == null ? "none" : as.error().toString());
                lan.note("B", "UDP: " + udpGot.size() + " of 3 parts arrived (" + String.join(", ", udpGot)
                                + "); nobody resends part 2 and A was never told",
                        "UDP：3 段中到了 " + udpGot.size() + " 段（“" + String.join("”，“", udpGot) + "”）；没有人重发第 2 段，A 也不知道");
                lan.rtoNotes = true;
                lan.note("A", "part 4: the same request over TCP to B:9000; the link again loses A's second data frame",
                        "第四部分：同样的请求改用 TCP 发往 B:9000；链路同样丢掉 A 的第二个数据帧");
                b.listen(lan.sim.now(), 9000, 4, l -> {
                    TcpConnection c;
                    while ((c = l.accept()) != null) c.setListener(new TcpEventListener() {
                        @Override public void onReadable(TcpConnection conn) {
                            byte[] buf = new byte[4096];
                            int n;
                            while ((n = conn.receive(lan.sim.now(), buf, 0, buf.length)) > 0) {
                                String got = new String(buf, 0, n, java.nio.charset.StandardCharsets.US_ASCII);
                                tcpGot.append(got);
                                lan.note("B", "TCP delivers, in order: " + got.strip().replace("\n", ", "),
                                        "TCP 按序交付：“" + got.strip().replace("\n", "”，“") + "”");
                            }
                        }
                    });
                });
                a.connect(lan.sim.now(), ip("10.0.0.2"), 9000, new TcpEventListener() {
                    @Override public void onEstablished(TcpConnection c) {
                        c.setNoDelay(true);
                        for (String p : PARTS) c.send(lan.sim.now(), p.getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, p.length());
                    }
                });
            });
            lan.runUntil(Time.s(2));
            facts.put("TCP: B got", tcpGot.toString().strip().replace("\n", ", "));
            facts.put("TCP: SYNs", Long.toString(lan.events.stream().filter(e -> e instanceof LaneRun.Frame f && f.label().contains(":9000 SYN ")).count()));
            List<String> data = lan.events.stream().filter(e -> e instanceof LaneRun.Frame f && f.from().equals("A")
                    && f.label().matches("(lost: )?TCP \\S+ > \\S+:9000 PSH,ACK len [1-9].*")).map(e -> ((LaneRun.Frame) e).label()).toList();
            facts.put("TCP: data frames from A", Integer.toString(data.size()));
            facts.put("UDP: datagrams from A", Long.toString(lan.events.stream().filter(e -> e instanceof LaneRun.Frame f && f.from().equals("A")
                    && f.label().matches("(lost: )?UDP \\S+ > \\S+:9000 .*")).count()));
        }
    }

    static final String REQUEST = "GET / HTTP/1.1\r\nHost: 10.0.2.80\r\n\r\n";

    /**
     * A host A behind a switch and a router, a firewall in front of server S: the path of the
     * encapsulation and http stories (lanes A, sw0, R1, FW, S).
     */
    record ServerPath(Host a, Host r1, Host fw, Host s, Netfilter nf) {
        static ServerPath build(Lan lan) {
            Host a = host(lan, "A", "10.0.1.10/24", "10.0.1.1");
            Lan.Dev sw = lan.switchDevice("sw0", org.netstack4j.device.Bridge.Config.DEFAULT, null);
            Host r1 = lan.router("R1", LaneRun.Kind.ROUTER, iface(lan, "eth0", "10.0.1.1/24"), iface(lan, "eth1", "10.0.12.1/24"));
            Host fw = lan.router("FW", LaneRun.Kind.FIREWALL, iface(lan, "eth0", "10.0.12.2/24"), iface(lan, "eth1", "10.0.2.1/24"));
            Host s = host(lan, "S", "10.0.2.80/24", "10.0.2.1");
            lan.connect(sw, lan.nic(a, 0));
            lan.connect(sw, lan.nic(r1, 0));
            lan.cross(lan.nic(r1, 1), lan.nic(fw, 0));
            lan.cross(lan.nic(fw, 1), lan.nic(s, 0));
            Lan.route(r1, "10.0.2.0/24", ip("10.0.12.2"));
            Lan.route(fw, "0.0.0.0/0", ip("10.0.12.1"));
            Netfilter nf = netfilter(fw, """
                    chain forward policy drop
                    accept state established,related
                    accept tcp to port 80 state new
                    """, List.of(), Map.of("eth0", ip("10.0.12.2"), "eth1", ip("10.0.2.1")));
            return new ServerPath(a, r1, fw, s, nf);
        }
    }
    static final String RESPONSE = "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nhello\n";

    /** One HTTP request through a switch, a router and a firewall, each layer added, read, rewritten and removed. */
    static final class Encapsulation extends NetStory {
        @Override public String name() { return "encapsulation"; }
        @Override public String summary() { return "one HTTP request from A to S through a switch, a router and a firewall: A wraps it in TCP, IP and Ethernet headers, the switch reads only the Ethernet header, the router and the firewall replace it and lower the TTL (the firewall also reads the TCP ports and state), S unwraps it layer by layer"; }
        @Override public String summaryZh() { return "一个 HTTP 请求从 A 经交换机、路由器、防火墙到达 S：A 依次加上 TCP、IP、以太网首部（封装），交换机只看以太网首部，路由器和防火墙换掉以太网首部并把 TTL 减一（防火墙还看 TCP 端口和连接状态），S 再一层层拆开（解封装）"; }
        @Override protected void play(Lan lan, Map<String, String> facts) {
            lan.ipDetail = true;
            ServerPath p = ServerPath.build(lan);
            Host a = p.a(), s = p.s();
            byte[] req = REQUEST.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            byte[] resp = RESPONSE.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            StringBuilder got = new StringBuilder(), answer = new StringBuilder();
            lan.at(0, () -> {
                s.listen(lan.sim.now(), 80, 4, l -> {
                    TcpConnection c;
                    while ((c = l.accept()) != null) c.setListener(new TcpEventListener() {
                        @Override public void onReadable(TcpConnection conn) {
                            byte[] buf = new byte[4096];
                            int n;
                            while ((n = conn.receive(lan.sim.now(), buf, 0, buf.length)) > 0) got.append(new String(buf, 0, n, java.nio.charset.StandardCharsets.US_ASCII));
                            if (got.toString().endsWith("\r\n\r\n") && answer.isEmpty()) {
                                answer.append("sent");
                                conn.send(lan.sim.now(), resp, 0, resp.length);
                            }
                        }
                    });
                });
                client(lan, a, ip("10.0.2.80"), 80, req, null);
            });
            lan.runUntil(Time.ms(30));
            facts.put("S got", got.toString().lines().findFirst().orElse(""));
            annotate(lan, req, facts);
        }

        /** Notes beside every hop of the request: what each node added, read, rewrote or removed. */
        private static void annotate(Lan lan, byte[] req, Map<String, String> facts) {
            List<LaneRun.Event> out = new ArrayList<>();
            byte[] prev = null;
            List<String> hops = new ArrayList<>();
            for (LaneRun.Event e : lan.events) {
                if (e instanceof LaneRun.Frame f && f.bytes() != null && contains(f.bytes(), req)) {
                    byte[] b = f.bytes();
                    int tcpLen = ((b[14 + 20 + 12] & 0xff) >>> 4) * 4;
                    String[] note = prev == null ? new String[] {
                            "encapsulation: HTTP " + req.length + " bytes ('GET / HTTP/1.1') + TCP header " + tcpLen
                                    + " (ports, seq, ack) + IPv4 header 20 (addresses, TTL) + Ethernet header 14 (MACs, type): [Eth [IP [TCP [HTTP]]]]",
                            "封装：HTTP " + req.length + " 字节（'GET / HTTP/1.1'）+ TCP 首部 " + tcpLen + "（端口、序号、确认号）+ IPv4 首部 20（地址、TTL）+ 以太网首部 14（MAC、类型）：[以太网 [IP [TCP [HTTP]]]]"}
                            : hop(f, prev, b);
                    hops.add(f.from() + ": " + note[0].replaceFirst(":.*", ""));
                    out.add(new LaneRun.Note(f.timeNs(), f.from(), note[0], note[1]));
                    prev = b;
                }
                out.add(e);
            }
            if (prev != null) {
                long t = out.getLast().timeNs();
                String dst = "S";
                int at = out.size();
                for (int k = 0; k < out.size(); k++)
                    if (out.get(k) instanceof LaneRun.Frame f && f.bytes() != null && contains(f.bytes(), req) && f.to().contains(dst)) at = k + 1;
                out.add(at, new LaneRun.Note(out.get(at - 1).timeNs(), dst,
                        "decapsulation: Ethernet header removed (the MAC was mine), IPv4 removed (the address was mine), TCP removed (port 80 is listening): 'GET / HTTP/1.1' reaches the server",
                        "解封装：去掉以太网首部（目的 MAC 是本机），去掉 IPv4 首部（目的地址是本机），去掉 TCP 首部（80 端口在监听）：'GET / HTTP/1.1' 交给服务器程序"));
                hops.add("S: decapsulation");
            }
            facts.put("hops", String.join("; ", hops));
            lan.events.clear();
            lan.events.addAll(out);
        }

        /** What the node that sent b did to the frame it received (prev): which headers changed. */
        private static String[] hop(LaneRun.Frame f, byte[] prev, byte[] b) {
            boolean macs = !java.util.Arrays.equals(prev, 0, 12, b, 0, 12);
            int ttl0 = prev[14 + 8] & 0xff, ttl1 = b[14 + 8] & 0xff;
            boolean addrs = !java.util.Arrays.equals(prev, 14 + 12, 14 + 20, b, 14 + 12, 14 + 20);
            boolean tcp = !java.util.Arrays.equals(prev, 34, prev.length, b, 34, b.length);
            if (!macs && ttl0 == ttl1)
                return new String[] {"layer 2: read only the Ethernet header (destination " + mac(b, 0) + "), passed the frame on unchanged",
                        "第二层：只读以太网首部（目的 MAC " + mac(b, 0) + "），帧原样转发"};
            boolean fw = f.from().startsWith("FW");
            String en = "layer 3" + (fw ? " and 4" : "") + ": removed the Ethernet header, read the IPv4 destination, TTL " + ttl0 + " -> " + ttl1
                    + " (and the header checksum), new Ethernet header " + mac(b, 6) + " > " + mac(b, 0)
                    + (fw ? "; read the TCP ports and the connection's state for the rules" : "")
                    + (addrs ? "; addresses rewritten" : "; IP addresses") + (tcp ? ", TCP rewritten" : " and TCP untouched");
            String zh = "第三层" + (fw ? "和第四层" : "") + "：去掉以太网首部，读 IPv4 目的地址，TTL " + ttl0 + " → " + ttl1
                    + "（并更新首部校验和），换上新的以太网首部 " + mac(b, 6) + " > " + mac(b, 0)
                    + (fw ? "；按规则检查 TCP 端口和连接状态" : "")
                    + (addrs ? "；地址被改写" : "；IP 地址") + (tcp ? "，TCP 被改写" : "和 TCP 都不变");
            return new String[] {en, zh};
        }

        static String mac(byte[] b, int off) { return org.netstack4j.wire.MacAddress.read(b, off).toString(); }

        static boolean contains(byte[] hay, byte[] needle) {
            outer:
            for (int i = 0; i + needle.length <= hay.length; i++) {
                for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
                return true;
            }
            return false;
        }
    }

    /** The bytes of the last frame lane sent whose label starts with prefix. */
    static byte[] lastFrame(Lan lan, String lane, String prefix) {
        byte[] last = null;
        for (LaneRun.Event e : lan.events)
            if (e instanceof LaneRun.Frame f && f.from().equals(lane) && f.label().startsWith(prefix) && f.bytes() != null) last = f.bytes();
        if (last == null) throw new IllegalStateException(lane + " sent no " + prefix + " frame");
        return last;
    }

    static int u16(byte[] b, int at) { return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff); }
}
