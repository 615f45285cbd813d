package org.netstack4j.lab.scenario;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.netstack4j.device.Bridge;
import org.netstack4j.host.Host;
import org.netstack4j.lab.TextLadder;
import org.netstack4j.time.Time;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.MacAddress;

/** The link-layer stories: ARP, a hub against a switch, a switch learning and forgetting. */
public final class NetStories {
    private NetStories() {}

    public static List<NetStory> all() {
        List<NetStory> all = new ArrayList<>(List.of(new ArpStory(), new HubVsSwitch(), new SwitchLearning()));
        all.addAll(IpStories.all());
        all.addAll(AppStories.all());
        return List.copyOf(all);
    }

    public static Optional<NetStory> byName(String name) {
        return all().stream().filter(s -> s.name().equals(name)).findFirst();
    }

    static Ipv4Address ip(int last) { return Ipv4Address.of(10, 0, 0, last); }

    static MacAddress mac(int last) { return new MacAddress(0x02_00_00_00_00_00L + last); }

    /** Pings dst from h, noting the reply and its round-trip time under facts key. */
    static void ping(Lan lan, Host h, String lane, Ipv4Address dst, int seq, Map<String, String> facts, String key) {
        long sent = lan.sim.now();
        h.ip().setEchoReplyListener((now, from, id, s, ttl, data) -> {
            String rtt = TextLadder.ms(now - sent);
            facts.put(key, rtt);
            lan.note(lane, "ping: reply from " + from + " seq " + s + " after " + rtt + " ms",
                    "ping：收到 " + from + " 的回复 seq " + s + "，往返 " + rtt + " 毫秒");
        });
        h.ip().ping(sent, dst, 1, seq, new byte[8], -1);
    }

    static void cacheNote(Lan lan, Host h, String lane, String when, String whenZh, Map<String, String> facts) {
        String[] c = Lan.cache(h);
        facts.put("cache " + lane + " " + when, c[0]);
        lan.note(lane, "ARP cache " + when + ": " + c[0], whenZh + " ARP 缓存：" + c[1]);
    }

    static String table(Bridge br, long now, List<String> portLanes) {
        List<String> out = new ArrayList<>();
        for (Bridge.Entry e : br.table(now)) out.add(e.address() + " port " + e.port() + " (" + portLanes.get(e.port()) + ")");
        return out.isEmpty() ? "" : String.join(", ", out);
    }

    static void tableNote(Lan lan, Bridge br, List<String> portLanes, Map<String, String> facts, String key) {
        String t = table(br, lan.sim.now(), portLanes);
        facts.put(key, t);
        lan.note(br.name(), "MAC table: " + (t.isEmpty() ? "empty" : t),
                "MAC 地址表：" + (t.isEmpty() ? "空" : t.replace(" port ", " 端口 ").replace(", ", "，")));
    }

    /** ARP between two hosts on one cable: the broadcast question, the unicast answer, the caches. */
    static final class ArpStory extends NetStory {
        @Override public String name() { return "arp"; }
        @Override public String summary() { return "ARP: who-has broadcast, is-at reply, the caches before and after; the first ping waits for it"; }
        @Override public String summaryZh() { return "ARP：广播询问“谁有这个地址”，单播应答“它在这个 MAC”，前后的 ARP 缓存；第一次 ping 要等它"; }
        @Override protected void play(Lan lan, Map<String, String> facts) {
            Host a = lan.host("A", ip(1), mac(1));
            Host b = lan.host("B", ip(2), mac(2));
            lan.cross(a, b);
            lan.at(0, () -> {
                cacheNote(lan, a, "A", "before", "之前", facts);
                cacheNote(lan, b, "B", "before", "之前", facts);
                ping(lan, a, "A", ip(2), 1, facts, "rtt first ping");
            });
            lan.at(Time.ms(10), () -> {
                cacheNote(lan, a, "A", "after", "之后", facts);
                cacheNote(lan, b, "B", "after", "之后", facts);
                ping(lan, a, "A", ip(2), 2, facts, "rtt second ping");
            });
            lan.runUntil(Time.ms(20));
        }
    }

    /** The same ping A to B through a hub and then through a switch, C watching. */
    static final class HubVsSwitch extends NetStory {
        @Override public String name() { return "hub-vs-switch"; }
        @Override public String summary() { return "A pings B twice through a hub, then through a switch: behind the hub C sees every frame, behind the switch only the flooded broadcast"; }
        @Override public String summaryZh() { return "A 经集线器、再经交换机 ping B 两次：集线器后的 C 看到每一帧，交换机后的 C 只看到被泛洪的广播"; }
        @Override protected void play(Lan lan, Map<String, String> facts) {
            // Lanes left to right: A, the hub, the switch, B, C. Two sets of hosts (same names and
            // addresses), one cabled to the hub, the other to the switch, so each starts with an
            // empty ARP cache.
            Host a1 = lan.host("A", ip(1), mac(1));
            lan.lane("hub0", org.netstack4j.lab.LaneRun.Kind.HUB);
            lan.lane("sw0", org.netstack4j.lab.LaneRun.Kind.SWITCH);
            Host b1 = lan.host("B", ip(2), mac(2));
            Host c1 = lan.host("C", ip(3), mac(3));
            lan.hub("hub0", a1, b1, c1);
            Host a2 = lan.host("A", ip(1), mac(1));
            Host b2 = lan.host("B", ip(2), mac(2));
            Host c2 = lan.host("C", ip(3), mac(3));
            lan.bridge("sw0", Bridge.Config.DEFAULT, a2, b2, c2);
            lan.at(0, () -> {
                lan.note("hub0", "part 1: A, B and C share a hub", "第一部分：A、B、C 接在同一个集线器上");
                ping(lan, a1, "A", ip(2), 1, facts, "hub rtt 1");
            });
            lan.at(Time.ms(5), () -> ping(lan, a1, "A", ip(2), 2, facts, "hub rtt 2"));
            lan.at(Time.ms(10), () -> {
                facts.put("C saw behind the hub", Integer.toString(lan.seen.getOrDefault("C", List.of()).size()));
                lan.note("sw0", "part 2: the same hosts, now on a switch", "第二部分：同样的主机，改接到交换机上");
                ping(lan, a2, "A", ip(2), 1, facts, "switch rtt 1");
            });
            lan.at(Time.ms(15), () -> ping(lan, a2, "A", ip(2), 2, facts, "switch rtt 2"));
            lan.runUntil(Time.ms(20));
            int hub = Integer.parseInt(facts.get("C saw behind the hub"));
            facts.put("C saw behind the switch", Integer.toString(lan.seen.getOrDefault("C", List.of()).size() - hub));
        }
    }

    /** A switch's table filling up as four hosts talk, flooding what it does not know, forgetting after 300 s. */
    static final class SwitchLearning extends NetStory {
        @Override public String name() { return "switch-learning"; }
        @Override public String summary() { return "a switch learns where each MAC lives as hosts talk, floods unknown destinations, forgets after 300 s"; }
        @Override public String summaryZh() { return "交换机在主机通信时学习每个 MAC 所在端口，泛洪未知目的地址，300 秒后老化遗忘"; }
        @Override protected void play(Lan lan, Map<String, String> facts) {
            Host a = lan.host("A", ip(1), mac(1));
            Host b = lan.host("B", ip(2), mac(2));
            lan.lane("sw0", org.netstack4j.lab.LaneRun.Kind.SWITCH);
            Host c = lan.host("C", ip(3), mac(3));
            Host d = lan.host("D", ip(4), mac(4));
            Bridge br = lan.bridge("sw0", Bridge.Config.DEFAULT, a, b, c, d);
            List<String> ports = List.of("A", "B", "C", "D");
            lan.at(0, () -> {
                tableNote(lan, br, ports, facts, "table at start");
                ping(lan, a, "A", ip(2), 1, facts, "A to B");
            });
            lan.at(Time.ms(5), () -> {
                tableNote(lan, br, ports, facts, "table after A-B");
                ping(lan, c, "C", ip(1), 1, facts, "C to A");
            });
            lan.at(Time.ms(10), () -> tableNote(lan, br, ports, facts, "table after C-A"));
            lan.at(Time.s(100), () -> ping(lan, c, "C", ip(1), 2, facts, "C to A again"));
            lan.at(Time.s(100) + Time.ms(5), () -> tableNote(lan, br, ports, facts, "table at 100 s"));
            lan.at(Time.s(301), () -> tableNote(lan, br, ports, facts, "table at 301 s"));
            lan.at(Time.s(401), () -> tableNote(lan, br, ports, facts, "table at 401 s"));
            lan.runUntil(Time.s(401) + Time.ms(1));
        }
    }
}
