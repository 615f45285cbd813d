package org.netstack4j.filter;

import java.util.Objects;
import java.util.Optional;
import org.netstack4j.wire.Bytes;
import org.netstack4j.wire.IcmpRepr;
import org.netstack4j.wire.Icmpv6Repr;
import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.Ipv4Repr;
import org.netstack4j.wire.Ipv6Chain;
import org.netstack4j.wire.Ipv6Repr;
import org.netstack4j.wire.MalformedKind;
import org.netstack4j.wire.Parsed;
import org.netstack4j.wire.TcpRepr;
import org.netstack4j.wire.UdpRepr;

/**
 * What the filter needs of one IPv4 datagram or IPv6 packet: its parsed IP header ({@code ip} for
 * IPv4, {@code ip6} for IPv6: exactly one is set), its parsed transport header, and where both lie
 * in {@code buf} ({@code off} is the IP header, {@code l4Offset} the transport header after any
 * IPv6 extension headers, absolute indexes). The array is not copied; NAT rewrites it in place.
 */
public record Packet(Ipv4Repr ip, Ipv6Repr ip6, int protocol, Transport transport, byte[] buf, int off, int l4Offset, int l4Length) {

    /** The transport header, parsed by the wire codecs. */
    public sealed interface Transport {
        record Tcp(TcpRepr header, int payloadLength) implements Transport {}
        record Udp(UdpRepr header) implements Transport {}
        record Icmp(IcmpRepr message) implements Transport {}
        record Icmp6(Icmpv6Repr message) implements Transport {}
        /** A protocol the filter does not look into (tracked by addresses alone). */
        record Other() implements Transport {}
    }

    public Packet {
        if ((ip == null) == (ip6 == null)) throw new IllegalArgumentException("exactly one of ip and ip6");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(buf, "buf");
    }

    /** An IPv4 datagram's packet. */
    public Packet(Ipv4Repr ip, Transport transport, byte[] buf, int off, int l4Offset, int l4Length) {
        this(Objects.requireNonNull(ip, "ip"), null, ip.protocol(), transport, buf, off, l4Offset, l4Length);
    }

    /**
     * Parses the datagram at buf[off..off+len) with the wire codecs (IPv4 or IPv6 by the version
     * nibble); with verifyChecksums the TCP and UDP checksums are checked too (the IPv4 header and
     * the ICMP and ICMPv6 checksums always are). Fragments are refused: the hooks run on
     * reassembled datagrams. IPv6 extension headers are walked ({@link Ipv6Chain}) to the
     * upper-layer header.
     */
    public static Parsed<Packet> parse(byte[] buf, int off, int len, boolean verifyChecksums) {
        if (len > 0 && off >= 0 && off < buf.length && (buf[off] & 0xf0) == 0x60) return parse6(buf, off, len, verifyChecksums);
        Parsed<Ipv4Repr> pip = Ipv4Repr.parse(buf, off, len);
        if (!(pip instanceof Parsed.Ok<Ipv4Repr>(Ipv4Repr ip))) return ((Parsed.Malformed<Ipv4Repr>) pip).cast();
        if (ip.isFragment()) return Parsed.malformed("filter", MalformedKind.BAD_HEADER, "fragment (offset " + ip.fragmentOffset()
                + (ip.moreFragments() ? ", MF" : "") + "): reassemble before filtering", 6);
        int l4 = off + ip.headerLength();
        int l4len = ip.payloadLength();
        Parsed<Transport> t = transport(ip.protocol(), ip.src(), ip.dst(), buf, l4, l4len, verifyChecksums);
        if (!(t instanceof Parsed.Ok<Transport>(Transport tr))) return ((Parsed.Malformed<Transport>) t).cast();
        return Parsed.ok(new Packet(ip, tr, buf, off, l4, l4len));
    }

    private static Parsed<Packet> parse6(byte[] buf, int off, int len, boolean verifyChecksums) {
        Parsed<Ipv6Repr> pip = Ipv6Repr.parse(buf, off, len);
        if (!(pip instanceof Parsed.Ok<Ipv6Repr>(Ipv6Repr ip))) return ((Parsed.Malformed<Ipv6Repr>) pip).cast();
        int total = ip.totalLength();
        // every upper-layer protocol is "known" here: the filter classifies, the destination decides
        return switch (Ipv6Chain.walk(buf, off, total, Ipv6Chain.Limits.DEFAULT, nh -> true)) {
            case Ipv6Chain.Verdict.Deliver d -> {
                int l4 = off + d.offset();
                Parsed<Transport> t = transport(d.nextHeader(), ip.src(), ip.dst(), buf, l4, d.length(), verifyChecksums);
                if (!(t instanceof Parsed.Ok<Transport>(Transport tr))) yield ((Parsed.Malformed<Transport>) t).cast();
                yield Parsed.ok(new Packet(null, ip, d.nextHeader(), tr, buf, off, l4, d.length()));
            }
            case Ipv6Chain.Verdict.Reassemble r -> Parsed.malformed("filter", MalformedKind.BAD_HEADER, "IPv6 fragment (offset "
                    + r.fragment().fragmentOffset() + "): not filtered, only whole packets are", 40);
            case Ipv6Chain.Verdict.ParameterProblem p -> Parsed.malformed("filter", MalformedKind.BAD_HEADER, p.reason(), p.pointer());
            case Ipv6Chain.Verdict.Drop d -> Parsed.malformed("filter", MalformedKind.BAD_HEADER, d.reason(), 40);
            case Ipv6Chain.Verdict.Invalid v -> v.problem().cast();
        };
    }

    private static Parsed<Transport> transport(int protocol, IpAddress src, IpAddress dst, byte[] buf, int l4, int l4len,
                                               boolean verifyChecksums) {
        switch (protocol) {
            case Ipv4Repr.PROTO_TCP -> {
                Parsed<TcpRepr> p = TcpRepr.parse(src, dst, buf, l4, l4len, verifyChecksums);
                if (!(p instanceof Parsed.Ok<TcpRepr>(TcpRepr h))) return ((Parsed.Malformed<TcpRepr>) p).cast();
                return Parsed.ok(new Transport.Tcp(h, l4len - h.headerLength()));
            }
            case Ipv4Repr.PROTO_UDP -> {
                // UdpRepr.parse always checks a non-zero checksum; without verifyChecksums only the structure counts
                Parsed<UdpRepr> p = verifyChecksums ? UdpRepr.parse(src, dst, buf, l4, l4len)
                        : l4len >= UdpRepr.HEADER_LENGTH ? Parsed.ok(new UdpRepr(Bytes.u16(buf, l4), Bytes.u16(buf, l4 + 2)))
                        : Parsed.malformed("udp", MalformedKind.TRUNCATED, "truncated: " + l4len + " bytes, header needs 8", l4len);
                if (!(p instanceof Parsed.Ok<UdpRepr>(UdpRepr h))) return ((Parsed.Malformed<UdpRepr>) p).cast();
                return Parsed.ok(new Transport.Udp(h));
            }
            case Ipv4Repr.PROTO_ICMP -> {
                if (src instanceof org.netstack4j.wire.Ipv6Address) return Parsed.ok(new Transport.Other()); // ICMPv4 in IPv6: not ours to read
                Parsed<IcmpRepr> p = IcmpRepr.parse(buf, l4, l4len);
                if (!(p instanceof Parsed.Ok<IcmpRepr>(IcmpRepr m))) return ((Parsed.Malformed<IcmpRepr>) p).cast();
                return Parsed.ok(new Transport.Icmp(m));
            }
            case Ipv6Repr.NH_ICMPV6 -> {
                if (!(src instanceof org.netstack4j.wire.Ipv6Address s6 && dst instanceof org.netstack4j.wire.Ipv6Address d6))
                    return Parsed.ok(new Transport.Other());
                Parsed<Icmpv6Repr> p = Icmpv6Repr.parse(s6, d6, buf, l4, l4len);
                if (!(p instanceof Parsed.Ok<Icmpv6Repr>(Icmpv6Repr m))) return ((Parsed.Malformed<Icmpv6Repr>) p).cast();
                return Parsed.ok(new Transport.Icmp6(m));
            }
            default -> { return Parsed.ok(new Transport.Other()); }
        }
    }

    public boolean isIpv6() { return ip6 != null; }

    public IpAddress src() { return ip != null ? ip.src() : ip6.src(); }
    public IpAddress dst() { return ip != null ? ip.dst() : ip6.dst(); }
    /** Bytes of the whole datagram (what rule counters add). */
    public int length() { return ip != null ? ip.totalLength() : ip6.totalLength(); }

    /** ICMP types that quote a datagram (RFC 792, RFC 1812 4.3.2): unreachable, source quench, redirect, time exceeded, parameter problem. */
    static boolean isIcmpErrorType(int type) {
        return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
    }

    /** ICMPv6 error messages are types 0 to 127 (RFC 4443 2.1). */
    public boolean isIcmpError() {
        return transport instanceof Transport.Icmp(IcmpRepr m) && isIcmpErrorType(m.type())
                || transport instanceof Transport.Icmp6(Icmpv6Repr m6) && m6.type() < 128;
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
            case Transport.Icmp6(Icmpv6Repr m) -> {
                switch (m) {
                    case Icmpv6Repr.EchoRequest e -> { sp = e.identifier(); dp = e.identifier(); }
                    case Icmpv6Repr.EchoReply e -> { sp = e.identifier(); dp = e.identifier(); }
                    default -> { }
                }
            }
            case Transport.Other o -> { }
        }
        return new FlowKey(protocol, new Endpoint(src(), sp), new Endpoint(dst(), dp));
    }

    /**
     * For an ICMP error, the key of the datagram it quotes, as that datagram travelled (RFC 792:
     * its IP header and at least 8 bytes of its data, enough for the ports or the echo
     * identifier; RFC 4443 2.4 (c) for ICMPv6). Empty when this is no error or the quote is too
     * short to name a flow.
     */
    public Optional<FlowKey> quotedKey() {
        if (!isIcmpError()) return Optional.empty();
        return Quote.of(buf, l4Offset + IcmpRepr.HEADER_LENGTH, l4Length - IcmpRepr.HEADER_LENGTH).map(Quote::key);
    }

    @Override public String toString() { return key() + " " + length() + " bytes"; }
}
