package org.netstack4j.filter;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.netstack4j.wire.IcmpRepr;
import org.netstack4j.wire.Icmpv6Repr;
import org.netstack4j.wire.Ipv6Repr;
import org.netstack4j.wire.Ipv4Repr;
import org.netstack4j.wire.TcpRepr;

/**
 * The conditions of one rule; an empty condition matches everything. Ports apply to TCP and UDP,
 * flags to TCP ({@code flagMask} bits must equal {@code flagValue}), the ICMP type to ICMP and
 * ICMPv6. A prefix matches addresses of its own family only.
 */
public record Match(Optional<String> in, Optional<String> out, Optional<Family> family, OptionalInt protocol,
                    List<Prefix> src, List<PortRange> srcPorts, List<Prefix> dst, List<PortRange> dstPorts,
                    int flagMask, int flagValue, Set<CtState> states, OptionalInt icmpType) {

    /** The address family a rule is for. */
    public enum Family { IPV4, IPV6 }

    public Match {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(protocol, "protocol");
        src = List.copyOf(src);
        srcPorts = List.copyOf(srcPorts);
        dst = List.copyOf(dst);
        dstPorts = List.copyOf(dstPorts);
        states = states.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(states));
        Objects.requireNonNull(icmpType, "icmpType");
        if ((flagValue & ~flagMask) != 0) throw new IllegalArgumentException("flag value outside the mask");
    }

    public static final Match ANY = new Match(Optional.empty(), Optional.empty(), Optional.empty(), OptionalInt.empty(),
            List.of(), List.of(), List.of(), List.of(), 0, 0, Set.of(), OptionalInt.empty());

    /** Does the packet, in this conntrack state, entering by inIface and leaving by outIface ("" when none), match? */
    public boolean matches(Packet p, CtState state, String inIface, String outIface) {
        if (in.isPresent() && !in.get().equals(inIface)) return false;
        if (out.isPresent() && !out.get().equals(outIface)) return false;
        if (family.isPresent() && family.get() != (p.isIpv6() ? Family.IPV6 : Family.IPV4)) return false;
        if (protocol.isPresent() && protocol.getAsInt() != p.protocol()) return false;
        if (!src.isEmpty() && !anyContains(src, p)) return false;
        if (!dst.isEmpty() && !anyContains(dst, p, true)) return false;
        if (!states.isEmpty() && !states.contains(state)) return false;
        switch (p.transport()) {
            case Packet.Transport.Tcp(TcpRepr h, int plen) -> {
                if (!ports(srcPorts, h.srcPort()) || !ports(dstPorts, h.dstPort())) return false;
                if ((h.flags() & flagMask) != flagValue) return false;
            }
            case Packet.Transport.Udp(var h) -> {
                if (!ports(srcPorts, h.srcPort()) || !ports(dstPorts, h.dstPort())) return false;
                if (flagMask != 0) return false;
            }
            case Packet.Transport.Icmp(IcmpRepr m) -> {
                if (icmpType.isPresent() && icmpType.getAsInt() != m.type()) return false;
                if (!srcPorts.isEmpty() || !dstPorts.isEmpty() || flagMask != 0) return false;
            }
            case Packet.Transport.Icmp6(Icmpv6Repr m) -> {
                if (icmpType.isPresent() && icmpType.getAsInt() != m.type()) return false;
                if (!srcPorts.isEmpty() || !dstPorts.isEmpty() || flagMask != 0) return false;
            }
            case Packet.Transport.Other o -> {
                if (!srcPorts.isEmpty() || !dstPorts.isEmpty() || flagMask != 0 || icmpType.isPresent()) return false;
            }
        }
        return true;
    }

    private static boolean anyContains(List<Prefix> ps, Packet p) { return anyContains(ps, p, false); }

    private static boolean anyContains(List<Prefix> ps, Packet p, boolean dst) {
        for (Prefix x : ps) if (x.contains(dst ? p.dst() : p.src())) return true;
        return false;
    }

    private static boolean ports(List<PortRange> rs, int port) {
        if (rs.isEmpty()) return true;
        for (PortRange r : rs) if (r.contains(port)) return true;
        return false;
    }

    static final String[] FLAG_NAMES = {"fin", "syn", "rst", "psh", "ack", "urg", "ece", "cwr"};

    /** ICMPv6 type names (RFC 4443, RFC 4861), as nftables spells them. */
    static String icmpv6TypeName(int type) {
        return switch (type) {
            case Icmpv6Repr.TYPE_DEST_UNREACHABLE -> "destination-unreachable";
            case Icmpv6Repr.TYPE_PACKET_TOO_BIG -> "packet-too-big";
            case Icmpv6Repr.TYPE_TIME_EXCEEDED -> "time-exceeded";
            case Icmpv6Repr.TYPE_PARAMETER_PROBLEM -> "parameter-problem";
            case Icmpv6Repr.TYPE_ECHO_REQUEST -> "echo-request";
            case Icmpv6Repr.TYPE_ECHO_REPLY -> "echo-reply";
            case Icmpv6Repr.TYPE_ROUTER_SOLICITATION -> "nd-router-solicit";
            case Icmpv6Repr.TYPE_ROUTER_ADVERTISEMENT -> "nd-router-advert";
            case Icmpv6Repr.TYPE_NEIGHBOR_SOLICITATION -> "nd-neighbor-solicit";
            case Icmpv6Repr.TYPE_NEIGHBOR_ADVERTISEMENT -> "nd-neighbor-advert";
            case Icmpv6Repr.TYPE_REDIRECT -> "nd-redirect";
            default -> Integer.toString(type);
        };
    }

    static String icmpTypeName(int type) {
        return switch (type) {
            case IcmpRepr.TYPE_ECHO_REPLY -> "echo-reply";
            case IcmpRepr.TYPE_DEST_UNREACHABLE -> "destination-unreachable";
            case 4 -> "source-quench";
            case 5 -> "redirect";
            case IcmpRepr.TYPE_ECHO_REQUEST -> "echo-request";
            case IcmpRepr.TYPE_TIME_EXCEEDED -> "time-exceeded";
            case 12 -> "parameter-problem";
            default -> Integer.toString(type);
        };
    }

    /** The match in the rule language, words in a fixed order ({@link RuleSet} parses it back). */
    @Override public String toString() {
        List<String> w = new ArrayList<>();
        in.ifPresent(i -> w.add("in " + i));
        out.ifPresent(o -> w.add("out " + o));
        family.ifPresent(f -> w.add(f == Family.IPV4 ? "ip" : "ip6"));
        protocol.ifPresent(pr -> w.add(switch (pr) {
            case Ipv4Repr.PROTO_TCP -> "tcp";
            case Ipv4Repr.PROTO_UDP -> "udp";
            case Ipv4Repr.PROTO_ICMP -> "icmp";
            case Ipv6Repr.NH_ICMPV6 -> "icmp6";
            default -> "proto " + pr;
        }));
        if (!src.isEmpty() || !srcPorts.isEmpty()) w.add("from " + side(src, srcPorts));
        if (!dst.isEmpty() || !dstPorts.isEmpty()) w.add("to " + side(dst, dstPorts));
        if (flagMask != 0) {
            List<String> f = new ArrayList<>();
            for (int b = 0; b < 8; b++)
                if ((flagMask & (1 << b)) != 0) f.add(((flagValue & (1 << b)) != 0 ? "" : "!") + FLAG_NAMES[b]);
            w.add("flags " + String.join(",", f));
        }
        icmpType.ifPresent(t -> w.add("type " + (protocol.orElse(-1) == Ipv6Repr.NH_ICMPV6 ? icmpv6TypeName(t) : icmpTypeName(t))));
        if (!states.isEmpty()) {
            List<String> s = new ArrayList<>();
            for (CtState c : EnumSet.copyOf(states)) s.add(c.name().toLowerCase(java.util.Locale.ROOT));
            w.add("state " + String.join(",", s));
        }
        return String.join(" ", w);
    }

    private static String side(List<Prefix> ps, List<PortRange> ports) {
        String a = ps.isEmpty() ? "any" : String.join(",", ps.stream().map(Prefix::toString).toList());
        return ports.isEmpty() ? a : a + " port " + String.join(",", ports.stream().map(PortRange::toString).toList());
    }
}
