package org.netstack4j.filter;

import java.util.List;
import org.netstack4j.wire.IcmpRepr;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv4Repr;
import org.netstack4j.wire.TcpOption;
import org.netstack4j.wire.TcpRepr;
import org.netstack4j.wire.UdpRepr;

/** Datagrams for filter tests, emitted by the wire codecs and parsed back as {@link Packet}s. */
final class Pkts {
    private Pkts() {}

    static Ipv4Address ip(String s) { return Ipv4Address.parse(s); }

    static byte[] tcpBytes(String src, int sport, String dst, int dport, int flags, int seq, int ack, int win,
                           int plen, List<TcpOption> options) {
        TcpRepr t = new TcpRepr(sport, dport, seq, ack, flags, win, 0, options);
        int l4 = t.headerLength() + plen;
        Ipv4Repr h = Ipv4Repr.of(ip(src), ip(dst), Ipv4Repr.PROTO_TCP, 64, l4);
        byte[] b = new byte[h.totalLength()];
        int hl = h.emit(b, 0);
        byte[] payload = new byte[plen];
        for (int i = 0; i < plen; i++) payload[i] = (byte) i;
        t.emit(ip(src), ip(dst), b, hl, payload, 0, plen);
        return b;
    }

    static Packet tcp(String src, int sport, String dst, int dport, int flags, int seq, int ack, int win, int plen,
                      TcpOption... options) {
        return parse(tcpBytes(src, sport, dst, dport, flags, seq, ack, win, plen, List.of(options)));
    }

    static byte[] udpBytes(String src, int sport, String dst, int dport, int plen) {
        UdpRepr u = new UdpRepr(sport, dport);
        Ipv4Repr h = Ipv4Repr.of(ip(src), ip(dst), Ipv4Repr.PROTO_UDP, 64, UdpRepr.HEADER_LENGTH + plen);
        byte[] b = new byte[h.totalLength()];
        int hl = h.emit(b, 0);
        byte[] payload = new byte[plen];
        for (int i = 0; i < plen; i++) payload[i] = (byte) (i * 7);
        u.emit(ip(src), ip(dst), b, hl, payload, 0, plen);
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

    static Packet parse(byte[] b) { return Packet.parse(b, 0, b.length, true).value(); }
}
