package org.netstack4j.filter;

import java.util.List;
import java.util.Optional;
import org.netstack4j.wire.IcmpRepr;
import org.netstack4j.wire.Icmpv6Repr;
import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.Ipv4Repr;
import org.netstack4j.wire.Ipv6Address;
import org.netstack4j.wire.Ipv6Repr;
import org.netstack4j.wire.TcpRepr;

/**
 * Builds the answer a reject sends back: a TCP reset or an ICMP destination unreachable, as a
 * whole IPv4 datagram; for an IPv6 packet a reset or an ICMPv6 destination unreachable (RFC 4443
 * 3.1) as a whole IPv6 packet.
 */
public final class Reject {
    private Reject() {}

    /**
     * The datagram answering {@code p}, or empty when none may be sent: never a reset for a reset
     * (RFC 9293 3.10.7.1), never ICMP about an ICMP error, a broadcast or multicast destination, or
     * an unspecified source (RFC 1812 4.3.2.7). {@code icmpSource} is the address errors come from
     * (the rejecting interface's); resets come from the packet's destination, as its peer would
     * send them. A tcp-reset for a non-TCP packet falls back to port unreachable. For IPv6 the
     * same rules (RFC 4443 2.4 (e)); {@code icmpSource} is used when it is an IPv6 address, else
     * the packet's destination.
     */
    public static Optional<byte[]> answer(Packet p, Verdict.RejectWith with, IpAddress icmpSource) {
        if (p.isIpv6()) return answer6(p, with, icmpSource);
        Ipv4Repr ip = p.ip();
        if (with == Verdict.RejectWith.TCP_RESET && p.transport() instanceof Packet.Transport.Tcp(TcpRepr th, int plen)) {
            TcpRepr rst = reset(th, plen);
            if (rst == null) return Optional.empty();
            Ipv4Repr h = Ipv4Repr.of(ip.dst(), ip.src(), Ipv4Repr.PROTO_TCP, 64, rst.headerLength());
            byte[] b = new byte[h.totalLength()];
            int hl = h.emit(b, 0);
            rst.emit(ip.dst(), ip.src(), b, hl, null, 0, 0);
            return Optional.of(b);
        }
        if (p.isIcmpError() || ip.dst().isBroadcast() || ip.dst().isMulticast() || ip.src().isUnspecified()
                || ip.src().isMulticast() || ip.src().isBroadcast()) return Optional.empty();
        int code = with == Verdict.RejectWith.TCP_RESET ? IcmpRepr.CODE_PORT_UNREACHABLE : with.icmpCode();
        IcmpRepr m = new IcmpRepr.DestinationUnreachable(code, 0, IcmpRepr.quote(p.buf(), p.off(), ip.totalLength()));
        Ipv4Repr h = Ipv4Repr.of(icmpSource instanceof org.netstack4j.wire.Ipv4Address a ? a : ip.dst(), ip.src(),
                Ipv4Repr.PROTO_ICMP, 64, m.length());
        byte[] b = new byte[h.totalLength()];
        int hl = h.emit(b, 0);
        m.emit(b, hl);
        return Optional.of(b);
    }

    private static Optional<byte[]> answer6(Packet p, Verdict.RejectWith with, IpAddress icmpSource) {
        Ipv6Repr ip = p.ip6();
        if (with == Verdict.RejectWith.TCP_RESET && p.transport() instanceof Packet.Transport.Tcp(TcpRepr th, int plen)) {
            TcpRepr rst = reset(th, plen);
            if (rst == null) return Optional.empty();
            Ipv6Repr h = Ipv6Repr.of(ip.dst(), ip.src(), Ipv6Repr.NH_TCP, 64, rst.headerLength());
            byte[] b = new byte[h.totalLength()];
            h.emit(b, 0);
            rst.emit(ip.dst(), ip.src(), b, Ipv6Repr.HEADER_LENGTH, null, 0, 0);
            return Optional.of(b);
        }
        // RFC 4443 2.4 (e): never about an error, to a multicast destination, or from :: or multicast
        if (p.isIcmpError() || ip.dst().isMulticast() || ip.src().isUnspecified() || ip.src().isMulticast()) return Optional.empty();
        // ip6tables' REJECT: icmp6-no-route 0, icmp6-adm-prohibited 1, icmp6-addr-unreachable 3, icmp6-port-unreachable 4
        int code = switch (with) {
            case NET_UNREACHABLE -> Icmpv6Repr.CODE_NO_ROUTE;
            case HOST_UNREACHABLE -> Icmpv6Repr.CODE_ADDRESS_UNREACHABLE;
            case NET_PROHIBITED, HOST_PROHIBITED, ADMIN_PROHIBITED -> Icmpv6Repr.CODE_ADMIN_PROHIBITED;
            case TCP_RESET, PROTOCOL_UNREACHABLE, PORT_UNREACHABLE -> Icmpv6Repr.CODE_PORT_UNREACHABLE;
        };
        Ipv6Address from = icmpSource instanceof Ipv6Address a ? a : ip.dst();
        Icmpv6Repr m = new Icmpv6Repr.DestinationUnreachable(code, Icmpv6Repr.quote(p.buf(), p.off(), ip.totalLength()));
        Ipv6Repr h = Ipv6Repr.of(from, ip.src(), Ipv6Repr.NH_ICMPV6, 64, m.length());
        byte[] b = new byte[h.totalLength()];
        h.emit(b, 0);
        m.emit(from, ip.src(), b, Ipv6Repr.HEADER_LENGTH);
        return Optional.of(b);
    }

    /**
     * RFC 9293 3.10.7.1: if the segment has an ACK, <SEQ=SEG.ACK><CTL=RST>; else
     * <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>; null for a reset (never answered).
     */
    private static TcpRepr reset(TcpRepr th, int plen) {
        if (th.has(TcpRepr.RST)) return null;
        return th.has(TcpRepr.ACK)
                ? new TcpRepr(th.dstPort(), th.srcPort(), th.ack(), 0, TcpRepr.RST, 0, 0, List.of())
                : new TcpRepr(th.dstPort(), th.srcPort(), 0, th.seq() + th.sequenceLength(plen),
                        TcpRepr.RST | TcpRepr.ACK, 0, 0, List.of());
    }
}
