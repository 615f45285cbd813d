package org.netstack4j.filter;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.netstack4j.time.Pollable;
import org.netstack4j.trace.Counters;
import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv6Address;
import org.netstack4j.wire.Parsed;

/**
 * The hooks the IP layer calls, tying NAT, connection tracking and the rules together in
 * netfilter's order: {@link #preRouting} for every datagram received (before the route lookup,
 * since NAT may change the destination), {@link #filter} after it (chain INPUT for local
 * delivery, FORWARD for routed datagrams, OUTPUT for the host's own), and {@link #postRouting}
 * for every datagram sent. Datagrams are whole (reassembled) IPv4 datagrams or IPv6 packets at
 * buf[off..off+len), rewritten in place. IPv6 goes through connection tracking and the rules the
 * same way, and NAT translates each family by its NATs' external addresses (NAT66 for IPv6).
 * NPTv6 ({@link Npt6}) maps prefixes statelessly: in at pre-routing before NAT, out at
 * post-routing after it, so the rules and connection tracking see internal addresses.
 * The IP layer reassembles fragments of both families before the hooks (a fragment that reaches
 * here anyway is dropped as malformed). Counters (under "nf."): malformed, dropped,
 * rejected, conntrack_full.
 */
public final class Netfilter implements Pollable {
    /** What the IP layer does next with the datagram. */
    public sealed interface Outcome {
        /** Go on (possibly rewritten). */
        record Pass() implements Outcome {}
        /** Drop it; the reason is for traces and logs. */
        record Drop(String reason) implements Outcome {}
        /** Drop it and send {@code answer} (a whole IPv4 datagram or IPv6 packet: TCP RST or ICMP error) back to its source. */
        record Reject(byte[] answer) implements Outcome {}
    }

    private static final Outcome PASS = new Outcome.Pass();

    private final ConnTrack conntrack;
    private final Firewall firewall;
    private final List<Nat> nats = new ArrayList<>();
    private final List<Npt6> npts = new ArrayList<>();
    private final Map<String, Ipv4Address> addresses;
    private final Map<String, Ipv6Address> addresses6;
    private final Counters.Counter malformed, dropped, rejected, conntrackFull;

    /**
     * @param addresses each interface's address, the source of the ICMP errors a reject sends
     *                  from it (the datagram's destination is used for interfaces not listed)
     */
    public Netfilter(RuleSet rules, ConnTrackConfig ct, List<NatConfig> nat, Map<String, Ipv4Address> addresses, Counters counters) {
        this(rules, ct, nat, addresses, Map.of(), counters);
    }

    /** @param addresses6 each interface's IPv6 address, the source of the ICMPv6 errors a reject sends from it */
    public Netfilter(RuleSet rules, ConnTrackConfig ct, List<NatConfig> nat, Map<String, Ipv4Address> addresses,
                     Map<String, Ipv6Address> addresses6, Counters counters) {
        this(rules, ct, nat, List.of(), addresses, addresses6, counters);
    }

    /** @param npt6 stateless IPv6 prefix translations ({@link Npt6}), one per external interface */
    public Netfilter(RuleSet rules, ConnTrackConfig ct, List<NatConfig> nat, List<Npt6.Config> npt6, Map<String, Ipv4Address> addresses,
                     Map<String, Ipv6Address> addresses6, Counters counters) {
        for (Npt6.Config c : npt6) npts.add(new Npt6(c, counters));
        this.addresses6 = Map.copyOf(addresses6);
        this.conntrack = new ConnTrack(ct, counters);
        this.firewall = new Firewall(rules);
        for (NatConfig c : nat) nats.add(new Nat(c, counters));
        this.addresses = Map.copyOf(addresses);
        malformed = counters.counter("nf.malformed");
        dropped = counters.counter("nf.dropped");
        rejected = counters.counter("nf.rejected");
        conntrackFull = counters.counter("nf.conntrack_full");
    }

    public ConnTrack conntrack() { return conntrack; }
    public Firewall firewall() { return firewall; }
    public List<Nat> nats() { return List.copyOf(nats); }
    public List<Npt6> npt6() { return List.copyOf(npts); }

    /** Pre-routing: destination NAT, replies of masqueraded flows, hairpinning. Checksums are verified here. */
    public Outcome preRouting(byte[] buf, int off, int len, String inIface, long now) {
        Parsed<Packet> pp = Packet.parse(buf, off, len, true);
        if (!(pp instanceof Parsed.Ok<Packet>(Packet p))) return drop(malformed, pp.toString());
        Outcome mapped = npt6(p, inIface, true);
        if (mapped != null) return mapped;
        for (Nat n : nats) {
            Nat.Action a = n.inbound(p, inIface, now);
            switch (a) {
                case UNCHANGED -> { }
                case TRANSLATED, HAIRPINNED -> { return PASS; }
                case FILTERED, PORT_EXHAUSTED, TABLE_FULL -> { return drop(dropped, "nat: " + a); }
            }
        }
        return PASS;
    }

    /**
     * Connection tracking and the chain's rules. {@code inIface} is "" for the host's own
     * datagrams (OUTPUT), {@code outIface} "" for local delivery (INPUT).
     */
    public Outcome filter(Chain chain, byte[] buf, int off, int len, String inIface, String outIface, long now) {
        Parsed<Packet> pp = Packet.parse(buf, off, len, chain == Chain.OUTPUT);
        if (!(pp instanceof Parsed.Ok<Packet>(Packet p))) return drop(malformed, pp.toString());
        ConnTrack.Result ct = conntrack.track(p, now);
        Firewall.Decision d = firewall.filter(chain, p, ct.state(), inIface, outIface);
        String why = d.rule().map(r -> "line " + r.line() + ": " + r).orElse(chain.name().toLowerCase(java.util.Locale.ROOT) + " policy");
        return switch (d.verdict()) {
            case Verdict.Accept a -> {
                if (!conntrack.confirm(ct, now)) yield drop(conntrackFull, "conntrack table full");
                yield PASS;
            }
            case Verdict.Drop x -> drop(dropped, why);
            case Verdict.Reject(Verdict.RejectWith with) -> {
                IpAddress mine = inIface.isEmpty() ? null : p.isIpv6() ? addresses6.get(inIface) : addresses.get(inIface);
                IpAddress from = mine == null ? p.dst() : mine;
                Optional<byte[]> answer = Reject.answer(p, with, from);
                // the answer passes no hook: it leaves by inIface translated here, so no internal
                // address of an NPTv6 prefix gets out in it (its quote included)
                if (answer.isPresent() && !npts.isEmpty() && !inIface.isEmpty()
                        && Packet.parse(answer.get(), 0, answer.get().length, false) instanceof Parsed.Ok<Packet>(Packet a)
                        && npt6(a, inIface, false) instanceof Outcome.Drop) answer = Optional.empty();
                rejected.increment();
                yield answer.<Outcome>map(Outcome.Reject::new).orElse(new Outcome.Drop(why + " (no answer allowed)"));
            }
        };
    }

    /** Post-routing: source NAT (masquerade), replies of port forwards, ICMP errors from inside. */
    public Outcome postRouting(byte[] buf, int off, int len, String outIface, long now) {
        Parsed<Packet> pp = Packet.parse(buf, off, len, false);
        if (!(pp instanceof Parsed.Ok<Packet>(Packet p))) return drop(malformed, pp.toString());
        for (Nat n : nats) {
            Nat.Action a = n.outbound(p, outIface, now);
            switch (a) {
                case UNCHANGED -> { }
                case TRANSLATED, HAIRPINNED -> { return PASS; }
                case FILTERED, PORT_EXHAUSTED, TABLE_FULL -> { return drop(dropped, "nat: " + a); }
            }
        }
        Outcome mapped = npt6(p, outIface, false); // after NAT
        return mapped == null ? PASS : mapped;
    }

    /** NPTv6 in (pre-routing) or out (post-routing): the outcome when one translator acted, else null. */
    private Outcome npt6(Packet p, String iface, boolean in) {
        for (Npt6 n : npts) {
            Npt6.Action a = in ? n.inbound(p, iface) : n.outbound(p, iface);
            switch (a) {
                case UNCHANGED -> { }
                case TRANSLATED, HAIRPINNED -> { return PASS; }
                case UNTRANSLATABLE -> { return drop(dropped, "npt6: " + a); }
            }
        }
        return null;
    }

    private static Outcome drop(Counters.Counter c, String reason) {
        c.increment();
        return new Outcome.Drop(Objects.requireNonNull(reason));
    }

    @Override public long pollAt() {
        long t = conntrack.pollAt();
        for (Nat n : nats) t = Math.min(t, n.pollAt());
        return t;
    }

    @Override public void poll(long now) {
        conntrack.poll(now);
        for (Nat n : nats) n.poll(now);
    }

}
