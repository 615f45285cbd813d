package org.netstack4j.filter;

import java.util.List;
import org.netstack4j.wire.IcmpRepr;
import org.netstack4j.wire.Icmpv6Repr;
import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv4Repr;
import org.netstack4j.wire.Ipv6Address;
import org.netstack4j.wire.Ipv6Repr;
import org.netstack4j.wire.TcpOption;
import org.netstack4j.wire.TcpRepr;
import org.netstack4j.wire.UdpRepr;

/**
 * Datagrams for filter tests, emitted by the wire codecs and parsed back as {@link Packet}s; TCP
 * and UDP between IPv6 addresses (any address with a ':') are IPv6 packets.
 */
final class Pkts {
    private Pkts() {}

    static Ipv4Address ip(String s) { return Ipv4Address.parse(s); }

    static IpAddress addr(String s) { return s.contains(":") ? Ipv6Address.parse(s) : Ipv4Address.parse(s); }

    /** An IPv4 or IPv6 header for {@code l4} bytes of {@code protocol}, emitted into a new array of the whole size; returns its length. */
    private static byte[] header(String src, String dst, int protocol, int l4, int[] hl) {
        if (src.contains(":")) {
            Ipv6Repr h = Ipv6Repr.of(Ipv6Address.parse(src), Ipv6Address.parse(dst), protocol, 64, l4);
            byte[] b = new byte[h.totalLength()];
            hl[0] = h.emit(b, 0);
            return b;
        }
        Ipv4Repr h = Ipv4Repr.of(ip(src), ip(dst), protocol, 64, l4);
        byte[] b = new byte[h.totalLength()];
        hl[0] = h.emit(b, 0);
        return b;
    }

    static byte[] tcpBytes(String src, int sport, String dst, int dport, int flags, int seq, int ack, int win,
                           int plen, List<TcpOption> options) {
        TcpRepr t = new TcpRepr(sport, dport, seq, ack, flags, win, 0, options);
        int[] hl = new int[1];
        byte[] b = header(src, dst, Ipv4Repr.PROTO_TCP, t.headerLength() + plen, hl);
        byte[] payload = new byte[plen];
        for (int i = 0; i < plen; i++) payload[i] = (byte) i;
        t.emit(addr(src), addr(dst), b, hl[0], payload, 0, plen);
        return b;
    }

    static Packet tcp(String src, int sport, String dst, int dport, int flags, int seq, int ack, int win, int plen,
                      TcpOption... options) {
        return parse(tcpBytes(src, sport, dst, dport, flags, seq, ack, win, plen, List.of(options)));
    }

    static byte[] udpBytes(String src, int sport, String dst, int dport, int plen) {
        UdpRepr u = new UdpRepr(sport, dport);
        int[] hl = new int[1];
        byte[] b = header(src, dst, Ipv4Repr.PROTO_UDP, UdpRepr.HEADER_LENGTH + plen, hl);
        byte[] payload = new byte[plen];
        for (int i = 0; i < plen; i++) payload[i] = (byte) (i * 7);
        u.emit(addr(src), addr(dst), b, hl[0], payload, 0, plen);
        return b;
    }

    static Packet udp(String src, int sport, String dst, int dport, int plen) {
        return parse(udpBytes(src, sport, dst, dport, plen));
    }

    static byte[] icmpBytes(String src, String dst, IcmpRepr m) {
        Ipv4Repr h = Ipv4Repr.of(ip(src), ip(dst), Ipv4Repr.PROTO_ICMP, 64, m.length());
        byte[] b = new byte[h.totalLength()];
        int hl = h.emit(b, 0);
        m.emit(b, hl);
        return b;
    }

    static Packet echoRequest(String src, String dst, int id, int seq) {
        return parse(icmpBytes(src, dst, new IcmpRepr.EchoRequest(id, seq, new byte[] {1, 2, 3, 4})));
    }

    static Packet echoReply(String src, String dst, int id, int seq) {
        return parse(icmpBytes(src, dst, new IcmpRepr.EchoReply(id, seq, new byte[] {1, 2, 3, 4})));
    }

    /** An ICMP destination unreachable from {@code src} to {@code dst} quoting {@code quoted} (RFC 792 minimum). */
    static byte[] unreachableBytes(String src, String dst, int code, byte[] quoted) {
        return icmpBytes(src, dst, new IcmpRepr.DestinationUnreachable(code, 0, IcmpRepr.quote(quoted, 0, quoted.length)));
    }

    static byte[] icmp6Bytes(String src, String dst, Icmpv6Repr m) {
        int[] hl = new int[1];
        byte[] b = header(src, dst, Ipv6Repr.NH_ICMPV6, m.length(), hl);
        m.emit(Ipv6Address.parse(src), Ipv6Address.parse(dst), b, hl[0]);
        return b;
    }

    /** An ICMPv6 error from {@code src} to {@code dst} quoting {@code quoted} whole (RFC 4443 2.4 (c)). */
    static byte[] icmp6ErrorBytes(String src, String dst, Icmpv6Repr error, byte[] quoted) {
        Icmpv6Repr m = switch (error) {
            case Icmpv6Repr.PacketTooBig p -> new Icmpv6Repr.PacketTooBig(p.mtu(), quoted);
            case Icmpv6Repr.DestinationUnreachable d -> new Icmpv6Repr.DestinationUnreachable(d.code(), quoted);
            case Icmpv6Repr.TimeExceeded t -> new Icmpv6Repr.TimeExceeded(t.code(), quoted);
            default -> throw new IllegalArgumentException("not an error: " + error);
        };
        return icmp6Bytes(src, dst, m);
    }

    static Packet parse(byte[] b) { return Packet.parse(b, 0, b.length, true).value(); }
}
