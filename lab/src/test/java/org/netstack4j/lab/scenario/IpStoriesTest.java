package org.netstack4j.lab.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.netstack4j.lab.LaneRun;
import org.netstack4j.lab.Lang;

/** What the network-layer stories establish, read from their runs. */
class IpStoriesTest {
    static NetStory.Result run(String name) { return NetStories.byName(name).orElseThrow().run(1, null); }

    static List<String> notes(NetStory.Result r, String lane, Lang lang) {
        return r.run().events().stream().filter(e -> e instanceof LaneRun.Note n && n.lane().equals(lane))
                .map(e -> ((LaneRun.Note) e).text(lang)).toList();
    }

    @Test void eachRouterLowersTheTtlAndTracerouteFindsEveryHop() {
        NetStory.Result r = run("router");
        assertEquals("61", r.facts().get("reply TTL at A"), "64 minus three routers");
        assertEquals("61", r.facts().get("request TTL at B"));
        assertEquals("10.0.1.254 10.0.12.2 10.0.23.3 10.0.2.1", r.facts().get("traceroute"));
        assertTrue(r.facts().get("routes R2").contains("10.0.2.0/24 via 10.0.23.3"), r.facts().get("routes R2"));
        // The request's TTL on each hop of the first ping, in order: 64 out of A, 63, 62, 61 into B.
        List<String> ttls = r.run().events().stream().filter(e -> e instanceof LaneRun.Frame f && f.label().startsWith("ICMP echo request")
                && f.label().contains("seq 1 ttl") && f.timeNs() < 10_000_000).map(e -> ((LaneRun.Frame) e).label().replaceFirst(".* ttl (\\d+).*", "$1")).toList();
        assertEquals(List.of("64", "63", "62", "61"), ttls);
        assertTrue(notes(r, "R2", Lang.ZH).stream().anyMatch(n -> n.contains("生存时间")), notes(r, "R2", Lang.ZH).toString());
    }

    @Test void aSmallMtuFragmentsOrAnswersFragmentationNeeded() {
        NetStory.Result r = run("fragmentation");
        assertEquals("0,552,1104", r.facts().get("fragment offsets at B"));
        assertEquals("1400 bytes", r.facts().get("B received"));
        assertEquals("fragmentation needed and DF set from 10.0.1.254", r.facts().get("A's UDP error"));
        // After the ICMP, TCP's segments fit 576: 576 - 20 - 20 - 12 (timestamps) = 524.
        for (String len : r.facts().get("TCP payloads at B").split(","))
            assertTrue(Integer.parseInt(len) <= 524, r.facts().get("TCP payloads at B"));
        assertEquals(3000, java.util.Arrays.stream(r.facts().get("TCP payloads at B").split(",")).mapToInt(Integer::parseInt).sum());
        assertTrue(r.accepted("A").stream().anyMatch(l -> l.startsWith("ICMP fragmentation needed (MTU 576)")), r.accepted("A").toString());
    }

    @Test void theFirewallLetsRepliesInByStateAndStopsUnsolicitedSyns() {
        NetStory.Result r = run("firewall");
        assertEquals("10.0.1.1", r.facts().get("B accepted from").replaceFirst(":.*", ""));
        assertTrue(r.facts().get("conntrack after part 1").endsWith("ESTABLISHED [ASSURED]"), r.facts().get("conntrack after part 1"));
        assertEquals("nobody", r.facts().get("A accepted from"), "the SYN to port 22 never reached A");
        assertEquals("connection refused", r.facts().get("B to A:23"));
        assertEquals("1", r.facts().get("drops"));
        assertEquals("1", r.facts().get("rejects"));
        assertTrue(r.seen("A").stream().noneMatch(l -> l.contains(":22 ") || l.contains(":23 ")), r.seen("A").toString());
        List<String> ct = notes(r, "FW", Lang.EN).stream().filter(n -> n.startsWith("conntrack")).toList();
        assertTrue(ct.size() >= 3 && ct.get(0).contains("SYN_SENT") && ct.stream().anyMatch(n -> n.contains("ESTABLISHED")), ct.toString());
    }

    @Test void natRewritesAddressAndPortOnTheWayOutAndBack() {
        NetStory.Result r = run("nat");
        String inside = r.facts().get("A's endpoint"), outside = r.facts().get("B accepted from");
        assertTrue(inside.startsWith("192.168.1.2:"), inside);
        assertTrue(outside.startsWith("203.0.113.1:"), outside);
        int port = Integer.parseInt(outside.split(":")[1]);
        assertTrue(port >= 20000 && port <= 20999, outside);
        assertEquals(inside + " <-> " + outside, r.facts().get("mapping"));
        assertEquals("203.0.113.1", r.facts().get("B saw"), "B never sees the inside address");
        assertEquals("192.168.1.2", r.facts().get("A saw"), "A gets its replies at its own address");
        assertEquals("203.0.113.80", r.facts().get("ping reply at A from"));
    }

    @Test void udpHasAnEightByteHeaderAndAClosedPortAnswersWithIcmp() {
        NetStory.Result r = run("udp");
        assertTrue(r.facts().get("UDP header").startsWith("source port 40000, destination port 7, length 20 (8 header + 12 data), checksum 0x"),
                r.facts().get("UDP header"));
        assertEquals("hello, udp! from 10.0.0.1:40000", r.facts().get("B got"));
        assertEquals("12 bytes", r.facts().get("A got back"));
        assertEquals("port unreachable (10.0.0.2.9, from 10.0.0.2)", r.facts().get("A's error"));
    }

    @Test void anHttpRequestIsWrappedRewrittenHopByHopAndUnwrapped() {
        NetStory.Result r = run("encapsulation");
        assertEquals("GET / HTTP/1.1", r.facts().get("S got"));
        assertEquals("A: encapsulation; sw0: layer 2; R1: layer 3; FW: layer 3 and 4; S: decapsulation", r.facts().get("hops"));
        List<String> fw = notes(r, "FW", Lang.EN);
        assertTrue(fw.stream().anyMatch(n -> n.contains("TTL 63 -> 62") && n.contains("IP addresses and TCP untouched")), fw.toString());
        assertTrue(notes(r, "sw0", Lang.EN).stream().anyMatch(n -> n.contains("passed the frame on unchanged")), notes(r, "sw0", Lang.EN).toString());
        assertTrue(notes(r, "S", Lang.ZH).stream().anyMatch(n -> n.startsWith("解封装")), notes(r, "S", Lang.ZH).toString());
    }

    @Test void everyNoteHasChineseText() {
        for (String s : List.of("router", "fragmentation", "firewall", "nat", "udp", "encapsulation")) {
            for (LaneRun.Event e : run(s).run().events())
                if (e instanceof LaneRun.Note n)
                    assertTrue(n.zh().codePoints().anyMatch(c -> Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN)
                            || n.zh().startsWith("ARP") || n.zh().startsWith("TCP"), s + ": no Chinese in " + n.zh());
        }
    }
}
