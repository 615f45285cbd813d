package org.netstack4j.filter;

import org.netstack4j.wire.Bytes;
import org.netstack4j.wire.Checksum;
import org.netstack4j.wire.IcmpRepr;
import org.netstack4j.wire.Icmpv6Repr;
import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv4Repr;
import org.netstack4j.wire.Ipv6Address;
import org.netstack4j.wire.Ipv6Repr;

/**
 * Address and port rewriting of IPv4 datagrams in place, with every checksum fixed by incremental
 * update (RFC 1624 eqn. 3, {@link Checksum#update}): the IPv4 header checksum, the TCP or UDP
 * checksum (whose pseudo-header holds the addresses), the ICMP checksum, and for an ICMP error
 * the quoted datagram's header, ports and checksums together with the ICMP checksum that covers
 * them (RFC 5508 section 7; RFC 3022 4.3). A UDP checksum of zero means "none" and stays zero; a
 * computed zero is written as all ones (RFC 768). The "port" of an ICMP echo message is its
 * identifier (RFC 5508 3.1); other ICMP messages have none.
 *
 * <p>IPv6 (NAT66, {@link #rewrite(Packet, boolean, Endpoint)} and its siblings) is the same
 * with RFC 8200's differences: no header checksum, the pseudo-header covers ICMPv6 too (RFC
 * 4443 2.3), so an address change updates the ICMPv6 checksum as it does TCP's and UDP's, and
 * the "port" of ICMPv6 echo is its identifier.
 *
 * <p>Pure functions over bytes: the caller has checked the structure (e.g. with
 * {@link Packet#parse}); offsets are absolute.
 */
public final class NatRewrite {
    private NatRewrite() {}

    private static final int NONE = -1;

    /** Sets the source (source = true) or destination address and port of the datagram at buf[off]. */
    public static void rewrite(byte[] buf, int off, boolean source, Endpoint to) {
        int hl = (buf[off] & 0xf) * 4;
        int l4 = off + hl;
        int l4len = Bytes.u16(buf, off + 2) - hl;
        int proto = Bytes.u8(buf, off + 9);
        int l4cks = l4Checksum(buf, proto, l4, l4len);
        boolean udp = proto == Ipv4Repr.PROTO_UDP;
        // the address: IP header checksum, and the pseudo-header of TCP and UDP
        setAddress(buf, off + (source ? 12 : 16), (Ipv4Address) to.address(), off + 10, proto == Ipv4Repr.PROTO_ICMP ? NONE : l4cks, udp, NONE);
        int portPos = portPosition(buf, proto, l4, l4len, source);
        if (portPos != NONE) write16(buf, portPos, to.port(), l4cks, udp, NONE);
    }

    /**
     * Sets the source or destination endpoint of the datagram quoted by the ICMP error at buf[off]
     * (quoted source = true rewrites the quoted datagram's source), fixing the quoted IP header
     * checksum, the quoted transport checksum when the quote holds it, and the error's ICMP
     * checksum. The outer header is left alone (use {@link #rewrite} or {@link #rewriteAddress}).
     */
    public static void rewriteQuoted(byte[] buf, int off, boolean quotedSource, Endpoint to) {
        int hl = (buf[off] & 0xf) * 4;
        int icmp = off + hl;
        int icmpCks = icmp + 2;
        int q = icmp + IcmpRepr.HEADER_LENGTH;
        int qhl = (buf[q] & 0xf) * 4;
        int ql4 = q + qhl;
        int qend = off + Bytes.u16(buf, off + 2);
        int ql4len = qend - ql4;
        int qproto = Bytes.u8(buf, q + 9);
        int qcks = l4Checksum(buf, qproto, ql4, ql4len);
        boolean udp = qproto == Ipv4Repr.PROTO_UDP;
        setAddress(buf, q + (quotedSource ? 12 : 16), (Ipv4Address) to.address(), q + 10, qproto == Ipv4Repr.PROTO_ICMP ? NONE : qcks, udp, icmpCks);
        int portPos = portPosition(buf, qproto, ql4, ql4len, quotedSource);
        if (portPos != NONE) write16(buf, portPos, to.port(), qcks, udp, icmpCks);
    }

    /** Sets only the source or destination address (e.g. the outer header of an ICMP error). */
    public static void rewriteAddress(byte[] buf, int off, boolean source, Ipv4Address to) {
        int hl = (buf[off] & 0xf) * 4;
        int proto = Bytes.u8(buf, off + 9);
        int l4cks = proto == Ipv4Repr.PROTO_ICMP ? NONE : l4Checksum(buf, proto, off + hl, Bytes.u16(buf, off + 2) - hl);
        setAddress(buf, off + (source ? 12 : 16), to, off + 10, l4cks, proto == Ipv4Repr.PROTO_UDP, NONE);
    }

    /** Sets the source or destination address and port of {@code p} (either version). */
    public static void rewrite(Packet p, boolean source, Endpoint to) {
        if (!p.isIpv6()) {
            rewrite(p.buf(), p.off(), source, to);
            return;
        }
        byte[] buf = p.buf();
        int cks = l4Checksum6(buf, p.protocol(), p.l4Offset(), p.l4Length());
        boolean udp = p.protocol() == Ipv6Repr.NH_UDP;
        setAddress6(buf, p.off() + (source ? 8 : 24), (Ipv6Address) to.address(), cks, udp, NONE);
        int portPos = portPosition6(buf, p.protocol(), p.l4Offset(), p.l4Length(), source);
        if (portPos != NONE) write16(buf, portPos, to.port(), cks, udp, NONE);
    }

    /** {@link #rewriteQuoted(byte[], int, boolean, Endpoint)} for {@code p}, an ICMP or ICMPv6 error. */
    public static void rewriteQuoted(Packet p, boolean quotedSource, Endpoint to) {
        if (!p.isIpv6()) {
            rewriteQuoted(p.buf(), p.off(), quotedSource, to);
            return;
        }
        byte[] buf = p.buf();
        int icmpCks = p.l4Offset() + 2;
        int q = p.l4Offset() + Icmpv6Repr.HEADER_LENGTH;
        int end = p.l4Offset() + p.l4Length();
        // Quote#of6 named the flow only with the transport header right after the quoted IPv6 header
        int qproto = Bytes.u8(buf, q + 6);
        int ql4 = q + Ipv6Repr.HEADER_LENGTH;
        int qcks = l4Checksum6(buf, qproto, ql4, end - ql4);
        boolean udp = qproto == Ipv6Repr.NH_UDP;
        setAddress6(buf, q + (quotedSource ? 8 : 24), (Ipv6Address) to.address(), qcks, udp, icmpCks);
        int portPos = portPosition6(buf, qproto, ql4, end - ql4, quotedSource);
        if (portPos != NONE) write16(buf, portPos, to.port(), qcks, udp, icmpCks);
    }

    /** Sets only the source or destination address of {@code p} (either version). */
    public static void rewriteAddress(Packet p, boolean source, IpAddress to) {
        if (!p.isIpv6()) {
            rewriteAddress(p.buf(), p.off(), source, (Ipv4Address) to);
            return;
        }
        int cks = l4Checksum6(p.buf(), p.protocol(), p.l4Offset(), p.l4Length());
        setAddress6(p.buf(), p.off() + (source ? 8 : 24), (Ipv6Address) to, cks, p.protocol() == Ipv6Repr.NH_UDP, NONE);
    }

    /** IPv6: every transport checksum covers the pseudo-header (RFC 8200 8.1, RFC 4443 2.3). */
    private static int l4Checksum6(byte[] buf, int proto, int l4, int l4len) {
        int pos = switch (proto) {
            case Ipv6Repr.NH_TCP -> l4 + 16;
            case Ipv6Repr.NH_UDP -> l4 + 6;
            case Ipv6Repr.NH_ICMPV6 -> l4 + 2;
            default -> NONE;
        };
        return pos == NONE || pos + 2 > l4 + l4len ? NONE : pos;
    }

    private static int portPosition6(byte[] buf, int proto, int l4, int l4len, boolean source) {
        return switch (proto) {
            case Ipv6Repr.NH_TCP, Ipv6Repr.NH_UDP -> l4len >= 4 ? l4 + (source ? 0 : 2) : NONE;
            case Ipv6Repr.NH_ICMPV6 -> {
                int type = l4len >= 6 ? Bytes.u8(buf, l4) : -1;
                yield type == Icmpv6Repr.TYPE_ECHO_REQUEST || type == Icmpv6Repr.TYPE_ECHO_REPLY ? l4 + 4 : NONE;
            }
            default -> NONE;
        };
    }

    /** The eight words of an IPv6 address, each covered by the transport checksum's pseudo-header. */
    private static void setAddress6(byte[] buf, int pos, Ipv6Address to, int l4Cks, boolean udp, int outer) {
        for (int i = 0; i < 8; i++) {
            long half = i < 4 ? to.high() : to.low();
            write16(buf, pos + 2 * i, (int) (half >>> (48 - 16 * (i & 3))) & 0xffff, l4Cks, udp, outer);
        }
    }

    /** Where the checksum of a transport header lies, or NONE when absent (a short quote, a UDP zero). */
    private static int l4Checksum(byte[] buf, int proto, int l4, int l4len) {
        int pos = switch (proto) {
            case Ipv4Repr.PROTO_TCP -> l4 + 16;
            case Ipv4Repr.PROTO_UDP -> l4 + 6;
            case Ipv4Repr.PROTO_ICMP -> l4 + 2;
            default -> NONE;
        };
        if (pos == NONE || pos + 2 > l4 + l4len) return NONE;
        if (proto == Ipv4Repr.PROTO_UDP && Bytes.u16(buf, pos) == 0) return NONE; // RFC 768: no checksum
        return pos;
    }

    /** Where the port (ICMP echo: identifier) of one side lies, or NONE. */
    private static int portPosition(byte[] buf, int proto, int l4, int l4len, boolean source) {
        return switch (proto) {
            case Ipv4Repr.PROTO_TCP, Ipv4Repr.PROTO_UDP -> l4len >= 4 ? l4 + (source ? 0 : 2) : NONE;
            case Ipv4Repr.PROTO_ICMP -> {
                int type = l4len >= 6 ? Bytes.u8(buf, l4) : -1;
                yield type == IcmpRepr.TYPE_ECHO_REQUEST || type == IcmpRepr.TYPE_ECHO_REPLY ? l4 + 4 : NONE;
            }
            default -> NONE;
        };
    }

    /** An address word pair: covered by the IP header checksum and by the transport checksum's pseudo-header. */
    private static void setAddress(byte[] buf, int pos, Ipv4Address to, int ipCks, int l4Cks, boolean udp, int outer) {
        int v = to.bits();
        write16(buf, pos, v >>> 16, ipCks, false, outer, l4Cks, udp);
        write16(buf, pos + 2, v & 0xffff, ipCks, false, outer, l4Cks, udp);
    }

    private static void write16(byte[] buf, int pos, int value, int cks, boolean udp, int outer) {
        write16(buf, pos, value, cks, udp, outer, NONE, false);
    }

    /**
     * Writes a 16-bit word and updates up to two checksums that cover it ({@code cks}, {@code cks2});
     * {@code outer} is the ICMP checksum of an error around all of it, which also covers the
     * changed checksum words themselves.
     */
    private static void write16(byte[] buf, int pos, int value, int cks, boolean udp, int outer, int cks2, boolean udp2) {
        int old = Bytes.u16(buf, pos);
        if (old == value) return;
        Bytes.put16(buf, pos, value);
        if (outer != NONE) adjust(buf, outer, old, value, false);
        if (cks != NONE) adjustCovered(buf, cks, old, value, udp, outer);
        if (cks2 != NONE) adjustCovered(buf, cks2, old, value, udp2, outer);
    }

    private static void adjustCovered(byte[] buf, int cks, int old, int value, boolean udp, int outer) {
        int before = Bytes.u16(buf, cks);
        adjust(buf, cks, old, value, udp);
        if (outer != NONE) adjust(buf, outer, before, Bytes.u16(buf, cks), false);
    }

    private static void adjust(byte[] buf, int cks, int old, int value, boolean udp) {
        int c = Checksum.update(Bytes.u16(buf, cks), old, value);
        Bytes.put16(buf, cks, udp && c == 0 ? 0xffff : c);
    }
}
