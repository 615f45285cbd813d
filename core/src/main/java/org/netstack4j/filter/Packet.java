package org.netstack4j.filter;

import java.util.Objects;
import java.util.Optional;
import org.netstack4j.wire.IcmpRepr;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv4Repr;
import org.netstack4j.wire.MalformedKind;
import org.netstack4j.wire.Parsed;
import org.netstack4j.wire.TcpRepr;
import org.netstack4j.wire.UdpRepr;

/**
 * What the filter needs of one IPv4 datagram: its parsed IP header, its parsed transport header,
 * and where both lie in {@code buf} ({@code off} is the IP header, {@code l4Offset} the transport
 * header, absolute indexes). The array is not copied; NAT rewrites it in place.
 */
public record Packet(Ipv4Repr ip, Transport transport, byte[] buf, int off, int l4Offset, int l4Length) {

    /** The transport header, parsed by the wire codecs. */
    public sealed interface Transport {
        record Tcp(TcpRepr header, int payloadLength) implements Transport {}
        record Udp(UdpRepr header) implements Transport {}
        record Icmp(IcmpRepr message) implements Transport {}
        /** A protocol the filter does not look into (tracked by addresses alone). */
        record Other() implements Transport {}
    }

    public Packet {
        Objects.requireNonNull(ip, "ip");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(buf, "buf");
    }

    /**
     * Parses the datagram at buf[off..off+len) with the wire codecs; with verifyChecksums the TCP
     * and UDP checksums are checked too (the IPv4 header and ICMP checksums always are). Fragments
     * are refused: the hooks run on reassembled datagrams.
     */
    public static Parsed<Packet> parse(byte[] buf, int off, int len, boolean verifyChecksums) {
        Parsed<Ipv4Repr> pip = Ipv4Repr.parse(buf, off, len);
        if (!(pip instanceof Parsed.Ok<Ipv4Repr>(Ipv4Repr ip))) return ((Parsed.Malformed<Ipv4Repr>) pip).cast();
        if (ip.isFragment()) return Parsed.malformed("filter", MalformedKind.BAD_HEADER, "fragment (offset " + ip.fragmentOffset()
                + (ip.moreFragments() ? ", MF" : "") + "): reassemble before filtering", 6);
        int l4 = off + ip.headerLength();
        int l4len = ip.payloadLength();
        Transport t;
        switch (ip.protocol()) {
            case Ipv4Repr.PROTO_TCP -> {
                Parsed<TcpRepr> p = TcpRepr.parse(ip.src(), ip.dst(), buf, l4, l4len, verifyChecksums);
                if (!(p instanceof Parsed.Ok<TcpRepr>(TcpRepr h))) return ((Parsed.Malformed<TcpRepr>) p).cast();
                t = new Transport.Tcp(h, l4len - h.headerLength());
            }
            case Ipv4Repr.PROTO_UDP -> {
                // UdpRepr.parse always checks a non-zero checksum; without verifyChecksums only the structure counts
                Parsed<UdpRepr> p = verifyChecksums ? UdpRepr.parse(ip.src(), ip.dst(), buf, l4, l4len)
                        : l4len >= UdpRepr.HEADER_LENGTH ? Parsed.ok(new UdpRepr(Fields.u16(buf, l4), Fields.u16(buf, l4 + 2)))
                        : Parsed.malformed("udp", MalformedKind.TRUNCATED, "truncated: " + l4len + " bytes, header needs 8", l4len);
                if (!(p instanceof Parsed.Ok<UdpRepr>(UdpRepr h))) return ((Parsed.Malformed<UdpRepr>) p).cast();
                t = new Transport.Udp(h);
            }
            case Ipv4Repr.PROTO_ICMP -> {
                Parsed<IcmpRepr> p = IcmpRepr.parse(buf, l4, l4len);
                if (!(p instanceof Parsed.Ok<IcmpRepr>(IcmpRepr m))) return ((Parsed.Malformed<IcmpRepr>) p).cast();
                t = new Transport.Icmp(m);
            }
            default -> t = new Transport.Other();
        }
        return Parsed.ok(new Packet(ip, t, buf, off, l4, l4len));
    }

    public int protocol() { return ip.protocol(); }
    public Ipv4Address src() { return ip.src(); }
    public Ipv4Address dst() { return ip.dst(); }
    /** Bytes of the whole datagram (what rule counters add). */
    public int length() { return ip.totalLength(); }

    /** ICMP types that quote a datagram (RFC 792, RFC 1812 4.3.2): unreachable, source quench, redirect, time exceeded, parameter problem. */
    static boolean isIcmpErrorType(int type) {
        return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
    }

    public boolean isIcmpError() {
        return transport instanceof Transport.Icmp(IcmpRepr m) && isIcmpErrorType(m.type());
    }

    /** The flow key of this packet as it travels: ports, ICMP echo identifier, or zeros. */
    public FlowKey key() {
        int sp = 0, dp = 0;
        switch (transport) {
            case Transport.Tcp(TcpRepr h, int plen) -> { sp = h.srcPort(); dp = h.dstPort(); }
            case Transport.Udp(UdpRepr h) -> { sp = h.srcPort(); dp = h.dstPort(); }
            case Transport.Icmp(IcmpRepr m) -> {
                switch (m) {
                    case IcmpRepr.EchoRequest e -> { sp = e.identifier(); dp = e.identifier(); }
                    case IcmpRepr.EchoReply e -> { sp = e.identifier(); dp = e.identifier(); }
                    default -> { }
                }
            }
            case Transport.Other o -> { }
        }
        return new FlowKey(ip.protocol(), new Endpoint(ip.src(), sp), new Endpoint(ip.dst(), dp));
    }

    /**
     * For an ICMP error, the key of the datagram it quotes, as that datagram travelled (RFC 792:
     * its IP header and at least 8 bytes of its data, enough for the ports or the echo
     * identifier). Empty when this is no error or the quote is too short to name a flow.
     */
    public Optional<FlowKey> quotedKey() {
        if (!isIcmpError()) return Optional.empty();
        return Quote.of(buf, l4Offset + IcmpRepr.HEADER_LENGTH, l4Length - IcmpRepr.HEADER_LENGTH).map(Quote::key);
    }

    @Override public String toString() { return key() + " " + ip.totalLength() + " bytes"; }
}
