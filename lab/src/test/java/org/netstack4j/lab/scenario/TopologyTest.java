package org.netstack4j.lab.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.netstack4j.lab.Golden;
import org.netstack4j.lab.LaneJson;
import org.netstack4j.lab.LaneLadder;
import org.netstack4j.lab.LaneRun;
import org.netstack4j.lab.Lang;
import org.netstack4j.trace.RelayAction;

/** Topologies as text: parsing, line-numbered errors, and a run across two switches and a hub. */
class TopologyTest {
    static final Path FILE = Path.of("src", "test", "resources", "topology", "two-switches.topo");

    @Test void twoSwitchesAndAHubCarryAPingAndATcpSend() throws IOException {
        NetStory.Result r = Topology.read(FILE).run("two-switches", 1, null);
        assertEquals(List.of("A", "sw0", "sw1", "B", "hub0", "C"), r.run().lanes().stream().map(LaneRun.Lane::name).toList());
        // A to B: 50 us + 200 us + 100 us each way; the first ping also waits for ARP.
        assertEquals("1.400", r.facts().get("ping line 13"));
        // The ARP broadcast reaches C through both switches and the hub; C keeps it (broadcast)...
        assertTrue(r.accepted("C").get(0).startsWith("ARP who-has 10.0.0.2"), r.accepted("C").toString());
        // ...and nothing else of A and B's conversation: sw1 learned B behind its port to B.
        assertEquals(1, r.seen("C").size(), r.seen("C").toString());
        assertTrue(r.seen("B").stream().anyMatch(l -> l.startsWith("TCP 10.0.0.1:") && l.contains("len 1000")), r.seen("B").toString());
        assertTrue(r.run().events().stream().anyMatch(e -> e instanceof LaneRun.Frame f && f.from().equals("sw1")
                && f.via() == RelayAction.FLOODED && f.to().equals(List.of("sw0", "B", "hub0"))
                        == false && f.to().containsAll(List.of("B", "hub0"))));
        Golden.check(Golden.ROOT.resolve("stories"), "topology-two-switches.en.txt", LaneLadder.render(r.run()));
        Golden.check(Golden.ROOT.resolve("stories"), "topology-two-switches.json", LaneJson.render(r.run(), Lang.EN));
        Golden.assertFits("topology-two-switches.en.txt", LaneLadder.render(r.run()), 100);
    }

    static int errorLine(String text) {
        return assertThrows(Topology.Error.class, () -> Topology.parse("t.topo", text)).line;
    }

    @Test void errorsNameTheirLine() {
        assertEquals(2, errorLine("host A 10.0.0.1/24\nhost B 10.0.0.300/24\nlink A B\n"));
        assertEquals(3, errorLine("host A 10.0.0.1/24\nhost B 10.0.0.2/24\nlink A X\n"));
        assertEquals(3, errorLine("host A 10.0.0.1/24\nhost B 10.0.0.2/24\nlink A B color=red\n"));
        assertEquals(5, errorLine("host A 10.0.0.1/24\nhost B 10.0.0.2/24\nswitch s\nlink A B\nlink A s\n"));
        assertEquals(3, errorLine("host A 10.0.0.1/24\nhost B 10.0.0.2/24\nlink A A\n"));
        assertEquals(1, errorLine("router r1\n"));
        assertEquals(4, errorLine("host A 10.0.0.1/24\nhost B 10.0.0.2/24\nlink A B\nat 5 ms: A pong B\n"));
        assertEquals(4, errorLine("host A 10.0.0.1/24\nhost B 10.0.0.2/24\nlink A B\nhost C 10.0.0.3/24\n"), "C has no link");
        Topology t = Topology.parse("t.topo", "host A 10.0.0.1/24\nhost B 10.0.0.2/24\nlink A B\n");
        Topology.Error e = assertThrows(Topology.Error.class, () -> t.withScript("s.txt", "\nat 1 ms: A ping Z\n"));
        assertEquals(2, e.line);
        assertTrue(e.getMessage().startsWith("s.txt:2: "), e.getMessage());
    }

    @Test void aFirewallThatMasqueradesAndARouterCarryTheOfficesTraffic() throws IOException {
        NetStory.Result r = Topology.read(Path.of("src", "test", "resources", "topology", "gateway.topo")).run("gateway", 1, null);
        assertEquals(List.of("A", "C", "sw0", "FW", "R1", "S"), r.run().lanes().stream().map(LaneRun.Lane::name).toList());
        assertEquals(LaneRun.Kind.FIREWALL, r.run().lanes().get(3).kind());
        assertEquals(LaneRun.Kind.ROUTER, r.run().lanes().get(4).kind());
        assertTrue(r.facts().containsKey("ping line 26"), "A's ping came back: " + r.facts());
        assertTrue(!r.facts().containsKey("ping line 28"), "S's ping into the office is dropped: " + r.facts());
        // S sees only the firewall's outside address, with TTL 62 (two routers) on the echo request.
        assertTrue(r.accepted("S").stream().anyMatch(l -> l.startsWith("ICMP echo request 203.0.113.2 > 198.51.100.80") && l.contains("ttl 62")),
                r.accepted("S").toString());
        assertTrue(r.seen("S").stream().noneMatch(l -> l.contains("192.168.1.")), r.seen("S").toString());
        assertTrue(r.accepted("S").stream().anyMatch(l -> l.startsWith("TCP 203.0.113.2:") && l.contains("len 500")), r.accepted("S").toString());
        assertTrue(r.run().events().stream().anyMatch(e -> e instanceof LaneRun.Note n && n.lane().equals("FW")
                && n.en().startsWith("drop (netfilter): FORWARD")), "the firewall notes its drop");
        Golden.check(Golden.ROOT.resolve("stories"), "topology-gateway.en.txt", LaneLadder.render(r.run()));
        Golden.check(Golden.ROOT.resolve("stories"), "topology-gateway.zh.txt", LaneLadder.render(r.run(), Lang.ZH, false, 100));
        Golden.check(Golden.ROOT.resolve("stories"), "topology-gateway.json", LaneJson.render(r.run(), Lang.EN));
    }

    @Test void routerAndRuleErrorsNameTheirLine() {
        assertEquals(1, errorLine("router R1 10.0.0.1\n"));
        assertEquals(3, errorLine("host A 10.0.0.1/24\nrouter R1 10.0.0.254/24\nlink A R1:eth1\n"));
        assertEquals(4, errorLine("host A 10.0.0.1/24\nhost B 10.0.0.2/24\nrouter R1 10.0.0.254/24\nlink A R1\nlink B R1\n".replace("link B R1\n", "") + "link B R1\n") - 1);
        assertEquals(3, errorLine("host A 10.0.0.1/24\nfirewall FW 10.0.0.254/24\nrule FW acept state new\nlink A FW\n"));
        assertEquals(3, errorLine("host A 10.0.0.1/24\nfirewall FW 10.0.0.254/24\nnat FW masquerade eth4\nlink A FW\n"));
        assertEquals(2, errorLine("host A 10.0.0.1/24\nroute A 10.0.0.0/33 via 10.0.0.254\nlink A A\n"));
        assertEquals(1, errorLine("rule X accept\n"));
    }
}
