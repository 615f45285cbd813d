package org.netstack4j.filter;

import java.util.List;
import java.util.Optional;
import org.netstack4j.wire.IcmpRepr;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv4Repr;
import org.netstack4j.wire.TcpRepr;

/** Builds the answer a reject sends back: a TCP reset or an ICMP destination unreachable, as a whole IPv4 datagram. */
public final class Reject {
    private Reject() {}

    /**
     * The datagram answering {@code p}, or empty when none may be sent: never a reset for a reset
     * (RFC 9293 3.10.7.1), never ICMP about an ICMP error, a broadcast or multicast destination, or
     * an unspecified source (RFC 1812 4.3.2.7). {@code icmpSource} is the address errors come from
     * (the rejecting interface's); resets come from the packet's destination, as its peer would
     * send them. A tcp-reset for a non-TCP packet falls back to port unreachable.
     */
    public static Optional<byte[]> answer(Packet p, Verdict.RejectWith with, Ipv4Address icmpSource) {
        Ipv4Repr ip = p.ip();
        if (with == Verdict.RejectWith.TCP_RESET && p.transport() instanceof Packet.Transport.Tcp(TcpRepr th, int plen)) {
            if (th.has(TcpRepr.RST)) return Optional.empty();
            // RFC 9293 3.10.7.1: if the segment has an ACK, <SEQ=SEG.ACK><CTL=RST>; else
            // <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>
            TcpRepr rst = th.has(TcpRepr.ACK)
                    ? new TcpRepr(th.dstPort(), th.srcPort(), th.ack(), 0, TcpRepr.RST, 0, 0, List.of())
                    : new TcpRepr(th.dstPort(), th.srcPort(), 0, th.seq() + th.sequenceLength(plen),
                            TcpRepr.RST | TcpRepr.ACK, 0, 0, List.of());
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
        Ipv4Repr h = Ipv4Repr.of(icmpSource, ip.src(), Ipv4Repr.PROTO_ICMP, 64, m.length());
        byte[] b = new byte[h.totalLength()];
        int hl = h.emit(b, 0);
        m.emit(b, hl);
        return Optional.of(b);
    }
}
