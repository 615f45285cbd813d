package org.netstack4j.lab.scenario;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.netstack4j.lab.LaneRun;

/**
 * A story on a small Ethernet (hosts, hubs, switches) drawn as a multi-lane ladder. Where a
 * {@link Scenario} is TCP between two hosts, these show what the link layer does.
 */
public abstract class NetStory {
    public abstract String name();

    public abstract String summary();

    public abstract String summaryZh();

    /**
     * The run, what each host's NIC received (frame labels, all / kept), and facts the story
     * establishes (named values: ARP caches, switch tables, round-trip times) for checks.
     */
    public record Result(LaneRun run, Map<String, List<String>> seen, Map<String, List<String>> accepted,
                         Map<String, String> facts) {
        public Result {
            seen = Map.copyOf(seen);
            accepted = Map.copyOf(accepted);
            facts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(facts));
        }

        public List<String> seen(String lane) { return seen.getOrDefault(lane, List.of()); }

        public List<String> accepted(String lane) { return accepted.getOrDefault(lane, List.of()); }
    }

    /** Runs with the seed; pcap (or null) receives every frame each host's NIC sent and received. */
    public final Result run(long seed, Path pcap) {
        Map<String, String> facts = new LinkedHashMap<>();
        try (Lan lan = new Lan(seed, pcap)) {
            play(lan, facts);
            return new Result(lan.run(name()), lan.seen, lan.accepted, facts);
        }
    }

    protected abstract void play(Lan lan, Map<String, String> facts);
}
