package org.netstack4j.lab.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.netstack4j.lab.Golden;
import org.netstack4j.lab.LaneJson;
import org.netstack4j.lab.LaneLadder;
import org.netstack4j.lab.LaneRun;
import org.netstack4j.lab.Lang;
import org.netstack4j.trace.RelayAction;

/**
 * The link-layer stories on the real stacks, hub and bridge: what each host's NIC saw, the ARP
 * caches, the switch's table, and golden files of their text (en, zh) and JSON.
 */
class NetStoriesTest {
    static final Path DIR = Golden.ROOT.resolve("stories");

    static NetStory.Result run(String name) { return NetStories.byName(name).orElseThrow().run(1, null); }

    @Test void arpAsksByBroadcastAnswersByUnicastAndTheFirstPingWaits() {
        NetStory.Result r = run("arp");
        assertEquals("empty", r.facts().get("cache A before"));
        assertEquals("10.0.0.2 at 02:00:00:00:00:02", r.facts().get("cache A after"));
        assertTrue(r.facts().get("cache B after").contains("10.0.0.1 at 02:00:00:00:00:01"), r.facts().toString());
        List<String> toB = r.seen("B");
        assertTrue(toB.get(0).startsWith("ARP who-has 10.0.0.2 tell 10.0.0.1 (to broadcast)"), toB.toString());
        assertTrue(r.seen("A").get(0).startsWith("ARP 10.0.0.2 is-at 02:00:00:00:00:02 (to 02:00:00:00:00:01)"), r.seen("A").toString());
        // Two cables of 100 us joined: 200 us A to B. The first ping needs the ARP exchange too
        // (4 crossings), the second only its own 2.
        assertEquals("0.800", r.facts().get("rtt first ping"));
        assertEquals("0.400", r.facts().get("rtt second ping"));
        assertEquals(2, r.seen("A").stream().filter(l -> l.startsWith("ICMP echo reply")).count());
    }

    @Test void behindTheHubCSeesEverythingBehindTheSwitchOnlyTheBroadcast() {
        NetStory.Result r = run("hub-vs-switch");
        // Hub: ARP request, ARP reply, 2 x (echo request, echo reply) all reach C.
        assertEquals("6", r.facts().get("C saw behind the hub"));
        assertEquals("1", r.facts().get("C saw behind the switch"));
        List<String> c = r.seen("C");
        assertTrue(c.get(6).startsWith("ARP who-has 10.0.0.2"), c.toString());
        assertEquals(List.of(c.get(0), c.get(6)), r.accepted("C"), "C's NIC keeps only the broadcasts");
        long repeats = r.run().events().stream().filter(e -> e instanceof LaneRun.Frame f && f.via() == RelayAction.REPEATED).count();
        assertEquals(6, repeats);
        List<RelayAction> sw = r.run().events().stream()
                .filter(e -> e instanceof LaneRun.Frame f && f.from().equals("sw0")).map(e -> ((LaneRun.Frame) e).via()).toList();
        assertEquals(List.of(RelayAction.FLOODED, RelayAction.FORWARDED, RelayAction.FORWARDED, RelayAction.FORWARDED,
                RelayAction.FORWARDED, RelayAction.FORWARDED), sw);
    }

    @Test void theSwitchLearnsFloodsAndForgets() {
        NetStory.Result r = run("switch-learning");
        assertEquals("", r.facts().get("table at start"));
        assertEquals("02:00:00:00:00:01 port 0 (A), 02:00:00:00:00:02 port 1 (B)", r.facts().get("table after A-B"));
        assertEquals("02:00:00:00:00:01 port 0 (A), 02:00:00:00:00:02 port 1 (B), 02:00:00:00:00:03 port 2 (C)",
                r.facts().get("table after C-A"));
        // At 301 s A-B's entries have aged (last seen near 0 s), A and C were refreshed at 100 s.
        assertEquals("02:00:00:00:00:01 port 0 (A), 02:00:00:00:00:03 port 2 (C)", r.facts().get("table at 301 s"));
        assertEquals("", r.facts().get("table at 401 s"));
        assertTrue(r.seen("D").size() >= 1 && r.accepted("D").stream().allMatch(l -> l.contains("(to broadcast)")),
                "D, silent, gets only flooded frames: " + r.seen("D"));
        long aged = r.run().events().stream().filter(e -> e instanceof LaneRun.Note n && n.en().startsWith("aged out")).count();
        assertEquals(3, aged);
    }

    static Stream<Arguments> outputs() {
        List<Arguments> out = new ArrayList<>();
        for (NetStory s : NetStories.all()) {
            LaneRun run = s.run(1, null).run();
            out.add(Arguments.of(s.name() + ".en.txt", LaneLadder.render(run)));
            out.add(Arguments.of(s.name() + ".zh.txt", LaneLadder.render(run, Lang.ZH, false, 100)));
            out.add(Arguments.of(s.name() + ".json", LaneJson.render(run, Lang.EN)));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("outputs")
    void matchesGolden(String name, String actual) throws IOException {
        Golden.check(DIR, name, actual);
    }

    @ParameterizedTest(name = "{0} fits 100 columns")
    @MethodSource("outputs")
    void textFitsOneHundredColumns(String name, String actual) {
        Golden.assertFits(name, actual, 100);
    }
}
