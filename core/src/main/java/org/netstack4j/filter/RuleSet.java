package org.netstack4j.filter;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.netstack4j.wire.Ipv4Repr;
import org.netstack4j.wire.Ipv6Repr;

/**
 * Firewall rules as data: per {@link Chain} an ordered rule list (first match wins) and a default
 * policy, and the small text format users write. {@link #parse} never throws on bad input: it
 * returns every error with its line number.
 *
 * <pre>
 * # comments run from '#' to the end of the line; blank lines are ignored
 * chain input policy drop            # a chain header: input, forward or output; policy accept (default) or drop
 * accept state established,related
 * accept in eth0 tcp from 10.0.0.0/8 to any port 80,443 state new
 * accept icmp type echo-request
 * reject with tcp-reset tcp to port 25
 * reject with icmp port-unreachable udp
 * drop
 *
 * chain forward policy drop
 * accept in lan out wan
 * accept in wan out lan state established,related
 * </pre>
 *
 * A rule is a verdict and any of these matches, each at most once, in any order:
 * <pre>
 *   accept | drop | reject [with tcp-reset | with icmp CODE]
 *            CODE: net-unreachable host-unreachable proto-unreachable port-unreachable (default)
 *                  net-prohibited host-prohibited admin-prohibited
 *   in IFACE, out IFACE                interface the packet came in by / goes out by
 *   ip | ip6                           address family
 *   tcp | udp | icmp | icmp6 | proto N protocol (icmp6: ICMPv6, 58)
 *   from ADDRS [port PORTS]            source: any, or a,b,c of addresses and prefixes (10.0.0.0/8, fd00::/8)
 *   to ADDRS [port PORTS]              destination; "to port 22" means "to any port 22"
 *                                      PORTS: 80,443,8000-8080 (needs tcp or udp)
 *   flags F,!G                         TCP flags that must be set (F) or clear (!G): fin syn rst psh ack urg ece cwr
 *   type T                             ICMP type: echo-request echo-reply destination-unreachable time-exceeded ... or a number
 *                                      (with icmp6: ICMPv6's, packet-too-big, nd-neighbor-solicit ... as nftables names them)
 *   state S,T                          connection tracking state: new established related invalid
 * </pre>
 * {@code reject with tcp-reset} needs {@code tcp}; ports need {@code tcp} or {@code udp}; flags need
 * {@code tcp}; type needs {@code icmp} or {@code icmp6}. A prefix matches addresses of its own family
 * only, and {@code ip} / {@code ip6} may not be given with the other family's addresses. Plain {@code reject} answers with ICMP port unreachable,
 * whatever the protocol (as iptables' REJECT). docs/firewall.md has the same with examples.
 */
public record RuleSet(Map<Chain, Verdict> policies, Map<Chain, List<Rule>> chains) {
    public RuleSet {
        EnumMap<Chain, Verdict> p = new EnumMap<>(Chain.class);
        EnumMap<Chain, List<Rule>> c = new EnumMap<>(Chain.class);
        for (Chain ch : Chain.values()) {
            Verdict v = policies.getOrDefault(ch, Verdict.ACCEPT);
            if (v instanceof Verdict.Reject) throw new IllegalArgumentException("a policy is accept or drop, not " + v);
            p.put(ch, v);
            c.put(ch, List.copyOf(chains.getOrDefault(ch, List.of())));
        }
        policies = java.util.Collections.unmodifiableMap(p);
        chains = java.util.Collections.unmodifiableMap(c);
    }

    /** No rules; every policy accept. */
    public static final RuleSet ACCEPT_ALL = new RuleSet(Map.of(), Map.of());

    public List<Rule> rules(Chain c) { return chains.get(c); }
    public Verdict policy(Chain c) { return policies.get(c); }

    /** One problem in the text: its 1-based line, the message, and the line itself. */
    public record Error(int line, String message, String text) {
        @Override public String toString() { return "line " + line + ": " + message + "\n    " + text.strip(); }
    }

    /** What {@link #parse} returns: the rules, or all errors found. */
    public sealed interface Loaded {
        record Ok(RuleSet rules) implements Loaded {}
        record Failed(List<Error> errors) implements Loaded {
            public Failed { errors = List.copyOf(errors); }
        }
    }

    /** The rules in the text format, chain by chain; {@code parse(toText())} gives them back. */
    public String toText() {
        StringBuilder sb = new StringBuilder();
        for (Chain c : Chain.values()) {
            if (chains.get(c).isEmpty() && policies.get(c) instanceof Verdict.Accept) continue;
            sb.append("chain ").append(c.name().toLowerCase(Locale.ROOT)).append(" policy ").append(policies.get(c)).append('\n');
            for (Rule r : chains.get(c)) sb.append(r).append('\n');
        }
        return sb.toString();
    }

    public static Loaded parse(String text) {
        List<Error> errors = new ArrayList<>();
        EnumMap<Chain, Verdict> policies = new EnumMap<>(Chain.class);
        EnumMap<Chain, List<Rule>> chains = new EnumMap<>(Chain.class);
        EnumMap<Chain, Integer> declaredAt = new EnumMap<>(Chain.class);
        Chain current = null;
        String[] lines = text.split("\r?\n", -1);
        for (int n = 1; n <= lines.length; n++) {
            String raw = lines[n - 1];
            int hash = raw.indexOf('#');
            String body = (hash >= 0 ? raw.substring(0, hash) : raw).replaceAll("\\s*,\\s*", ",").strip();
            if (body.isEmpty()) continue;
            List<String> t = List.of(body.split("\\s+"));
            LineParser lp = new LineParser(t, n, raw, errors);
            if (t.get(0).equals("chain")) {
                Optional<Chain> c = lp.chainHeader(policies);
                if (c.isEmpty()) continue;
                Integer first = declaredAt.putIfAbsent(c.get(), n);
                if (first != null) {
                    lp.error("chain " + t.get(1) + " is declared again (first at line " + first + ")");
                    continue;
                }
                current = c.get();
                chains.put(current, new ArrayList<>());
            } else if (current == null) {
                lp.error("a rule before any chain: start with e.g. 'chain input policy drop'");
            } else {
                lp.rule().ifPresent(chains.get(current)::add);
            }
        }
        if (!errors.isEmpty()) return new Loaded.Failed(errors);
        return new Loaded.Ok(new RuleSet(policies, new EnumMap<>(chains)));
    }

    /** Parses one line's words; every problem goes to {@code errors} with the line number. */
    private static final class LineParser {
        private final List<String> t;
        private final int line;
        private final String raw;
        private final List<Error> errors;
        private int i;
        private boolean failed;

        LineParser(List<String> t, int line, String raw, List<Error> errors) {
            this.t = t;
            this.line = line;
            this.raw = raw;
            this.errors = errors;
        }

        void error(String message) {
            errors.add(new Error(line, message, raw));
            failed = true;
        }

        private Optional<String> next(String what) {
            if (i >= t.size()) {
                error("'" + t.get(i - 1) + "' needs " + what + " after it");
                return Optional.empty();
            }
            return Optional.of(t.get(i++));
        }

        Optional<Chain> chainHeader(Map<Chain, Verdict> policies) {
            i = 1;
            Optional<String> name = next("input, forward or output");
            if (name.isEmpty()) return Optional.empty();
            Chain c;
            switch (name.get()) {
                case "input" -> c = Chain.INPUT;
                case "forward" -> c = Chain.FORWARD;
                case "output" -> c = Chain.OUTPUT;
                default -> {
                    error("unknown chain '" + name.get() + "' (want input, forward or output)");
                    return Optional.empty();
                }
            }
            if (i < t.size()) {
                if (!t.get(i).equals("policy")) {
                    error("unexpected '" + t.get(i) + "' after the chain name (want 'policy accept' or 'policy drop')");
                    return Optional.empty();
                }
                i++;
                Optional<String> p = next("accept or drop");
                if (p.isEmpty()) return Optional.empty();
                switch (p.get()) {
                    case "accept" -> policies.put(c, Verdict.ACCEPT);
                    case "drop" -> policies.put(c, Verdict.DROP);
                    default -> {
                        error("a policy is accept or drop, not '" + p.get() + "'");
                        return Optional.empty();
                    }
                }
                if (i < t.size()) {
                    error("unexpected '" + t.get(i) + "' at the end of the chain header");
                    return Optional.empty();
                }
            }
            return Optional.of(c);
        }

        Optional<Rule> rule() {
            Verdict v;
            boolean explicitReject = false;
            switch (t.get(0)) {
                case "accept" -> v = Verdict.ACCEPT;
                case "drop" -> v = Verdict.DROP;
                case "reject" -> v = null;
                default -> {
                    error("unknown word '" + t.get(0) + "': a line is 'chain ...' or a rule starting with accept, drop or reject");
                    return Optional.empty();
                }
            }
            i = 1;
            if (v == null) {
                Verdict.RejectWith with = null;
                if (i < t.size() && t.get(i).equals("with")) {
                    i++;
                    Optional<String> w = next("tcp-reset or icmp CODE");
                    if (w.isEmpty()) return Optional.empty();
                    if (w.get().equals("icmp")) {
                        w = next("an ICMP code such as port-unreachable");
                        if (w.isEmpty()) return Optional.empty();
                    }
                    Optional<Verdict.RejectWith> r = Verdict.RejectWith.ofWord(w.get());
                    if (r.isEmpty()) {
                        error("unknown reject answer '" + w.get() + "' (want tcp-reset or icmp net-unreachable, host-unreachable,"
                                + " proto-unreachable, port-unreachable, net-prohibited, host-prohibited, admin-prohibited)");
                        return Optional.empty();
                    }
                    with = r.get();
                    explicitReject = true;
                }
                v = new Verdict.Reject(with == null ? Verdict.RejectWith.PORT_UNREACHABLE : with);
            }
            Optional<String> in = Optional.empty(), out = Optional.empty();
            Optional<Match.Family> family = Optional.empty();
            OptionalInt proto = OptionalInt.empty(), icmpType = OptionalInt.empty();
            List<Prefix> src = List.of(), dst = List.of();
            List<PortRange> sports = List.of(), dports = List.of();
            int mask = 0, value = 0;
            Set<CtState> states = Set.of();
            Optional<String> typeWord = Optional.empty();
            Set<String> seen = new HashSet<>();
            while (i < t.size() && !failed) {
                String w = t.get(i++);
                String group = switch (w) {
                    case "tcp", "udp", "icmp", "icmp6", "proto" -> "protocol";
                    case "ip", "ip6", "ipv4", "ipv6" -> "family";
                    default -> w;
                };
                if (!seen.add(group)) {
                    error("'" + w + "' given twice (a rule has at most one " + group + ")");
                    break;
                }
                switch (w) {
                    case "in" -> in = next("an interface name");
                    case "out" -> out = next("an interface name");
                    case "ip", "ipv4" -> family = Optional.of(Match.Family.IPV4);
                    case "ip6", "ipv6" -> family = Optional.of(Match.Family.IPV6);
                    case "tcp" -> proto = OptionalInt.of(Ipv4Repr.PROTO_TCP);
                    case "udp" -> proto = OptionalInt.of(Ipv4Repr.PROTO_UDP);
                    case "icmp" -> proto = OptionalInt.of(Ipv4Repr.PROTO_ICMP);
                    case "icmp6" -> proto = OptionalInt.of(Ipv6Repr.NH_ICMPV6);
                    case "proto" -> proto = next("a protocol number").flatMap(s -> number(s, 0, 255, "protocol"))
                            .map(OptionalInt::of).orElse(OptionalInt.empty());
                    case "from", "to" -> {
                        List<Prefix> a = List.of();
                        if (i < t.size() && !t.get(i).equals("port")) a = addresses(t.get(i++));
                        else if (i >= t.size()) error("'" + w + "' needs addresses (or any) after it");
                        List<PortRange> ps = List.of();
                        if (i < t.size() && t.get(i).equals("port")) {
                            i++;
                            ps = next("ports such as 80,443,8000-8080").map(this::ports).orElse(List.of());
                        }
                        if (w.equals("from")) { src = a; sports = ps; } else { dst = a; dports = ps; }
                    }
                    case "flags" -> {
                        Optional<String> f = next("flags such as syn,!ack");
                        if (f.isEmpty()) break;
                        for (String x : f.get().split(",")) {
                            boolean clear = x.startsWith("!");
                            String name = clear ? x.substring(1) : x;
                            int bit = List.of(Match.FLAG_NAMES).indexOf(name.toLowerCase(Locale.ROOT));
                            if (bit < 0) {
                                error("unknown TCP flag '" + name + "' (want fin, syn, rst, psh, ack, urg, ece, cwr)");
                                break;
                            }
                            mask |= 1 << bit;
                            if (!clear) value |= 1 << bit;
                        }
                    }
                    case "type" -> typeWord = next("an ICMP type");
                    case "state" -> {
                        EnumSet<CtState> s = EnumSet.noneOf(CtState.class);
                        for (String x : next("states such as new,established").orElse("").split(",")) {
                            if (x.isEmpty()) break;
                            try {
                                s.add(CtState.valueOf(x.toUpperCase(Locale.ROOT)));
                            } catch (IllegalArgumentException e) {
                                error("unknown state '" + x + "' (want new, established, related, invalid)");
                            }
                        }
                        states = s;
                    }
                    case "port" -> error("'port' must follow 'from ADDRS' or 'to ADDRS' (e.g. 'to any port 80')");
                    default -> error("unknown word '" + w + "' (want in, out, ip, ip6, tcp, udp, icmp, icmp6, proto, from, to,"
                            + " flags, type or state)");
                }
            }
            if (failed) return Optional.empty();
            int p = proto.orElse(-1);
            boolean v6 = p == Ipv6Repr.NH_ICMPV6;
            if (typeWord.isPresent()) icmpType = (v6 ? icmpv6Type(typeWord.get()) : icmpType(typeWord.get()))
                    .map(OptionalInt::of).orElse(OptionalInt.empty());
            if (family.isPresent()) {
                Match.Family f = family.get();
                for (Prefix x : concat(src, dst))
                    if ((x.network() instanceof org.netstack4j.wire.Ipv6Address) != (f == Match.Family.IPV6))
                        error("'" + (f == Match.Family.IPV6 ? "ip6" : "ip") + "' with " + x + ", an address of the other family");
            }
            if ((!sports.isEmpty() || !dports.isEmpty()) && p != Ipv4Repr.PROTO_TCP && p != Ipv4Repr.PROTO_UDP)
                error("ports need 'tcp' or 'udp' in the rule");
            if (mask != 0 && p != Ipv4Repr.PROTO_TCP) error("flags need 'tcp' in the rule");
            if (typeWord.isPresent() && p != Ipv4Repr.PROTO_ICMP && !v6) error("type needs 'icmp' or 'icmp6' in the rule");
            if (explicitReject && v instanceof Verdict.Reject(Verdict.RejectWith rw) && rw == Verdict.RejectWith.TCP_RESET
                    && p != Ipv4Repr.PROTO_TCP)
                error("'reject with tcp-reset' needs 'tcp' in the rule");
            if (failed) return Optional.empty();
            return Optional.of(new Rule(v, new Match(in, out, family, proto, src, sports, dst, dports, mask, value, states, icmpType), line));
        }

        private Optional<Integer> number(String s, int lo, int hi, String what) {
            if (s.matches("[0-9]{1,5}") && Integer.parseInt(s) >= lo && Integer.parseInt(s) <= hi) return Optional.of(Integer.parseInt(s));
            error(what + " must be a number from " + lo + " to " + hi + ", not '" + s + "'");
            return Optional.empty();
        }

        private List<Prefix> addresses(String s) {
            if (s.equals("any")) return List.of();
            List<Prefix> out = new ArrayList<>();
            for (String a : s.split(",")) {
                StringBuilder why = new StringBuilder();
                Optional<Prefix> p = Prefix.parse(a, why);
                if (p.isEmpty()) error(why.toString());
                else out.add(p.get());
            }
            return out;
        }

        private List<PortRange> ports(String s) {
            List<PortRange> out = new ArrayList<>();
            for (String a : s.split(",")) {
                int dash = a.indexOf('-');
                Optional<Integer> lo = number(dash < 0 ? a : a.substring(0, dash), 0, 65535, "a port");
                Optional<Integer> hi = dash < 0 ? lo : number(a.substring(dash + 1), 0, 65535, "a port");
                if (lo.isEmpty() || hi.isEmpty()) continue;
                if (lo.get() > hi.get()) {
                    error("port range " + a + " runs backwards");
                    continue;
                }
                out.add(new PortRange(lo.get(), hi.get()));
            }
            return out;
        }

        private static List<Prefix> concat(List<Prefix> a, List<Prefix> b) {
            List<Prefix> out = new ArrayList<>(a);
            out.addAll(b);
            return out;
        }

        private Optional<Integer> icmpv6Type(String s) {
            for (int type = 0; type < 256; type++) if (Match.icmpv6TypeName(type).equals(s)) return Optional.of(type);
            if (s.matches("[0-9]+")) return number(s, 0, 255, "an ICMPv6 type");
            error("unknown ICMPv6 type '" + s + "' (want echo-request, echo-reply, destination-unreachable, packet-too-big,"
                    + " time-exceeded, parameter-problem, nd-router-solicit, nd-router-advert, nd-neighbor-solicit,"
                    + " nd-neighbor-advert, nd-redirect or a number)");
            return Optional.empty();
        }

        private Optional<Integer> icmpType(String s) {
            for (int type = 0; type < 256; type++) if (Match.icmpTypeName(type).equals(s)) return Optional.of(type);
            if (s.matches("[0-9]+")) return number(s, 0, 255, "an ICMP type");
            error("unknown ICMP type '" + s + "' (want echo-request, echo-reply, destination-unreachable, time-exceeded,"
                    + " source-quench, redirect, parameter-problem or a number)");
            return Optional.empty();
        }
    }
}
