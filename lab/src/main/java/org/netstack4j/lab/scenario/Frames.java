package org.netstack4j.lab.scenario;

import org.netstack4j.wire.EthernetRepr;
import org.netstack4j.wire.Ipv4Repr;
import org.netstack4j.wire.Parsed;
import org.netstack4j.wire.TcpRepr;

/** Reads the TCP segment out of an Ethernet frame, for scenarios that lose or hold chosen segments. */
final class Frames {
    private Frames() {}

    /** A TCP segment and its payload length, as found in one frame. */
    record Tcp(TcpRepr tcp, int payloadLength) {
        boolean pureAck() {
            return tcp.flags() == TcpRepr.ACK && payloadLength == 0;
        }
        boolean has(int flag) { return tcp.has(flag); }
    }

    /** The TCP segment in an Ethernet/IPv4 frame, or null if the frame carries none. */
    static Tcp tcp(byte[] frame) {
        if (!(EthernetRepr.parse(frame, 0, frame.length) instanceof Parsed.Ok<EthernetRepr> eth)) return null;
        int off = EthernetRepr.HEADER_LENGTH;
        if (eth.value().etherType() == EthernetRepr.ETHERTYPE_IPV6) {
            // the stories' IPv6 segments carry no extension headers
            if (!(org.netstack4j.wire.Ipv6Repr.parse(frame, off, frame.length - off) instanceof Parsed.Ok<org.netstack4j.wire.Ipv6Repr> ip6)
                    || ip6.value().nextHeader() != Ipv4Repr.PROTO_TCP) return null;
            org.netstack4j.wire.Ipv6Repr h = ip6.value();
            int toff = off + org.netstack4j.wire.Ipv6Repr.HEADER_LENGTH;
            if (!(TcpRepr.parse(h.src(), h.dst(), frame, toff, h.payloadLength(), false) instanceof Parsed.Ok<TcpRepr> t)) return null;
            return new Tcp(t.value(), h.payloadLength() - t.value().headerLength());
        }
        if (eth.value().etherType() != EthernetRepr.ETHERTYPE_IPV4) return null;
        if (!(Ipv4Repr.parse(frame, off, frame.length - off) instanceof Parsed.Ok<Ipv4Repr> ip)
                || ip.value().protocol() != Ipv4Repr.PROTO_TCP) return null;
        Ipv4Repr h = ip.value();
        int toff = off + h.headerLength();
        if (!(TcpRepr.parse(h.src(), h.dst(), frame, toff, h.payloadLength(), false) instanceof Parsed.Ok<TcpRepr> t))
            return null;
        return new Tcp(t.value(), h.payloadLength() - t.value().headerLength());
    }
}
