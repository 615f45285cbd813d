package org.netstack4j.filter;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Optional;

/**
 * Evaluates a {@link RuleSet}: the first rule of the chain whose match holds decides, else the
 * chain's policy. Counts packets and bytes per rule and per policy (like iptables -L -v).
 * Single-threaded like the stack that owns it.
 */
public final class Firewall {
    /** The verdict and the rule that gave it (empty: the chain's policy). */
    public record Decision(Verdict verdict, Optional<Rule> rule) {}

    /** One counter row for people: chain, rule (empty for the policy), packets, bytes. */
    public record Stat(Chain chain, Optional<Rule> rule, long packets, long bytes) {
        @Override public String toString() {
            return String.format("%-8s %10d %12d  %s", chain.name().toLowerCase(java.util.Locale.ROOT), packets, bytes,
                    rule.map(Rule::toString).orElse("policy"));
        }
    }

    private final RuleSet rules;
    private final EnumMap<Chain, long[]> packets = new EnumMap<>(Chain.class);
    private final EnumMap<Chain, long[]> bytes = new EnumMap<>(Chain.class);

    public Firewall(RuleSet rules) {
        this.rules = rules;
        for (Chain c : Chain.values()) {
            // one slot per rule, the last for the policy
            packets.put(c, new long[rules.rules(c).size() + 1]);
            bytes.put(c, new long[rules.rules(c).size() + 1]);
        }
    }

    public RuleSet rules() { return rules; }

    /**
     * Decides a packet at a chain. {@code state} comes from {@link ConnTrack#track}; interfaces are
     * names ("" when there is none, e.g. no output interface on the input chain).
     */
    public Decision filter(Chain chain, Packet p, CtState state, String inIface, String outIface) {
        List<Rule> rs = rules.rules(chain);
        long[] pk = packets.get(chain), by = bytes.get(chain);
        for (int i = 0; i < rs.size(); i++) {
            Rule r = rs.get(i);
            if (r.match().matches(p, state, inIface, outIface)) {
                pk[i]++;
                by[i] += p.length();
                return new Decision(r.verdict(), Optional.of(r));
            }
        }
        pk[rs.size()]++;
        by[rs.size()] += p.length();
        return new Decision(rules.policy(chain), Optional.empty());
    }

    public long packets(Chain c, int ruleIndex) { return packets.get(c)[ruleIndex]; }
    public long bytes(Chain c, int ruleIndex) { return bytes.get(c)[ruleIndex]; }
    public long policyPackets(Chain c) { return packets.get(c)[rules.rules(c).size()]; }

    /** Every rule's and policy's counters, chain by chain. */
    public List<Stat> stats() {
        List<Stat> out = new ArrayList<>();
        for (Chain c : Chain.values()) {
            List<Rule> rs = rules.rules(c);
            for (int i = 0; i <= rs.size(); i++)
                out.add(new Stat(c, i < rs.size() ? Optional.of(rs.get(i)) : Optional.empty(), packets.get(c)[i], bytes.get(c)[i]));
        }
        return out;
    }
}
