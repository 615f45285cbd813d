package org.netstack4j.filter;

import java.util.Optional;
import org.netstack4j.wire.Bytes;
import org.netstack4j.wire.IcmpRepr;
import org.netstack4j.wire.Icmpv6Repr;
import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv4Repr;
import org.netstack4j.wire.Ipv6Address;
import org.netstack4j.wire.Ipv6Repr;

/**
 * The datagram an ICMP error quotes (RFC 792: IP header + first 8 data bytes; RFC 4443 2.4 (c):
 * as much of the IPv6 packet as fits), located in the error's bytes: {@code ipOff} is the quoted IP header, {@code l4Off} its transport header,
 * {@code l4Len} how many transport bytes the quote holds. Only structure is checked: a quote is
 * truncated by definition, so neither its total length nor its checksums can be verified.
 */
record Quote(int protocol, IpAddress src, IpAddress dst, int ipOff, int l4Off, int l4Len, int srcPort, int dstPort) {

    static Optional<Quote> of(byte[] buf, int off, int len) {
        if (len >= 1 && off >= 0 && off < buf.length && (buf[off] & 0xf0) == 0x60) return of6(buf, off, len);
        if (len < Ipv4Repr.MIN_HEADER_LENGTH || off < 0 || off + len > buf.length) return Optional.empty();
        int verIhl = Bytes.u8(buf, off);
        int hl = (verIhl & 0xf) * 4;
        if (verIhl >>> 4 != 4 || hl < Ipv4Repr.MIN_HEADER_LENGTH || hl + 8 > len) return Optional.empty();
        if ((Bytes.u16(buf, off + 6) & 0x1fff) != 0) return Optional.empty(); // a later fragment: no transport header
        int proto = Bytes.u8(buf, off + 9);
        int l4 = off + hl;
        int sp = 0, dp = 0;
        switch (proto) {
            case Ipv4Repr.PROTO_TCP, Ipv4Repr.PROTO_UDP -> { sp = Bytes.u16(buf, l4); dp = Bytes.u16(buf, l4 + 2); }
            case Ipv4Repr.PROTO_ICMP -> {
                int type = Bytes.u8(buf, l4);
                // errors are never sent about ICMP errors (RFC 1122 3.2.2); only echo names a flow
                if (type != IcmpRepr.TYPE_ECHO_REQUEST && type != IcmpRepr.TYPE_ECHO_REPLY) return Optional.empty();
                sp = dp = Bytes.u16(buf, l4 + 4);
            }
            default -> { }
        }
        return Optional.of(new Quote(proto, Ipv4Address.read(buf, off + 12), Ipv4Address.read(buf, off + 16),
                off, l4, len - hl, sp, dp));
    }

    /**
     * An IPv6 quote: the header, then TCP, UDP or ICMPv6 right after it (a quote with extension
     * headers names no flow here: the tracker's packets carry none either, and a fragment's
     * later pieces have no transport header).
     */
    private static Optional<Quote> of6(byte[] buf, int off, int len) {
        if (len < Ipv6Repr.HEADER_LENGTH + 8 || off + len > buf.length) return Optional.empty();
        int nh = Bytes.u8(buf, off + 6);
        int l4 = off + Ipv6Repr.HEADER_LENGTH;
        int sp, dp;
        switch (nh) {
            case Ipv6Repr.NH_TCP, Ipv6Repr.NH_UDP -> { sp = Bytes.u16(buf, l4); dp = Bytes.u16(buf, l4 + 2); }
            case Ipv6Repr.NH_ICMPV6 -> {
                int type = Bytes.u8(buf, l4);
                if (type != Icmpv6Repr.TYPE_ECHO_REQUEST && type != Icmpv6Repr.TYPE_ECHO_REPLY) return Optional.empty();
                sp = dp = Bytes.u16(buf, l4 + 4);
            }
            default -> { return Optional.empty(); }
        }
        return Optional.of(new Quote(nh, Ipv6Address.read(buf, off + 8), Ipv6Address.read(buf, off + 24),
                off, l4, len - Ipv6Repr.HEADER_LENGTH, sp, dp));
    }

    FlowKey key() { return new FlowKey(protocol, new Endpoint(src, srcPort), new Endpoint(dst, dstPort)); }
}
