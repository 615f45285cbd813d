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

    /** Sets the source (source = true) or destination address and port of the IPv4 datagram at buf[off]. */
    public static void rewrite(byte[] buf, int off, boolean source, Endpoint to) {
        int hl = (buf[off] & 0xf) * 4;
        endpoint(buf, false, off + (source ? 12 : 16), off + 10, Bytes.u8(buf, off + 9), off + hl, Bytes.u16(buf, off + 2) - hl,
                source, to.address(), to.port(), NONE);
    }

    /**
     * Sets the source or destination endpoint of the datagram quoted by the ICMP error at buf[off]
     * (quoted source = true rewrites the quoted datagram's source), fixing the quoted IP header
     * checksum, the quoted transport checksum when the quote holds it, and the error's ICMP
     * checksum. The outer header is left alone (use {@link #rewrite} or {@link #rewriteAddress}).
     */
    public static void rewriteQuoted(byte[] buf, int off, boolean quotedSource, Endpoint to) {
        int hl = (buf[off] & 0xf) * 4;
        quoted(buf, false, off + hl, off + Bytes.u16(buf, off + 2), quotedSource, to);
    }

    /** Sets only the source or destination address (e.g. the outer header of an ICMP error). */
    public static void rewriteAddress(byte[] buf, int off, boolean source, Ipv4Address to) {
        int hl = (buf[off] & 0xf) * 4;
        endpoint(buf, false, off + (source ? 12 : 16), off + 10, Bytes.u8(buf, off + 9), off + hl, Bytes.u16(buf, off + 2) - hl,
                source, to, NONE, NONE);
    }

    /** Sets the source or destination address and port of {@code p} (either version). */
    public static void rewrite(Packet p, boolean source, Endpoint to) {
        if (!p.isIpv6()) rewrite(p.buf(), p.off(), source, to);
        else endpoint(p.buf(), true, p.off() + (source ? 8 : 24), NONE, p.protocol(), p.l4Offset(), p.l4Length(), source,
                to.address(), to.port(), NONE);
    }

    /** {@link #rewriteQuoted(byte[], int, boolean, Endpoint)} for {@code p}, an ICMP or ICMPv6 error. */
    public static void rewriteQuoted(Packet p, boolean quotedSource, Endpoint to) {
        if (!p.isIpv6()) rewriteQuoted(p.buf(), p.off(), quotedSource, to);
        else quoted(p.buf(), true, p.l4Offset(), p.l4Offset() + p.l4Length(), quotedSource, to);
    }

    /** Sets only the source or destination address of {@code p} (either version). */
    public static void rewriteAddress(Packet p, boolean source, IpAddress to) {
        if (!p.isIpv6()) rewriteAddress(p.buf(), p.off(), source, (Ipv4Address) to);
        else endpoint(p.buf(), true, p.off() + (source ? 8 : 24), NONE, p.protocol(), p.l4Offset(), p.l4Length(), source, to, NONE, NONE);
    }

    /** The quote of the ICMP or ICMPv6 error whose message starts at icmp and whose datagram ends at end. */
    private static void quoted(byte[] buf, boolean v6, int icmp, int end, boolean quotedSource, Endpoint to) {
        int q = icmp + IcmpRepr.HEADER_LENGTH; // ICMPv6's header is as long
        if (v6) {
            // Quote#of6 named the flow only with the transport header right after the quoted IPv6 header
            int ql4 = q + Ipv6Repr.HEADER_LENGTH;
            endpoint(buf, true, q + (quotedSource ? 8 : 24), NONE, Bytes.u8(buf, q + 6), ql4, end - ql4, quotedSource,
                    to.address(), to.port(), icmp + 2);
        } else {
            int ql4 = q + (buf[q] & 0xf) * 4;
            endpoint(buf, false, q + (quotedSource ? 12 : 16), q + 10, Bytes.u8(buf, q + 9), ql4, end - ql4, quotedSource,
                    to.address(), to.port(), icmp + 2);
        }
    }

    /**
     * The one rewrite of both families: the address at {@code addr} (IPv4: covered by the header
     * checksum at {@code ipCks}; IPv6 has none, NONE) and, unless {@code port} is NONE, the port
     * (echo identifier) of that side; {@code outer} is the checksum of an ICMP error around it all.
     * The transport checksum covers the address through its pseudo-header, except ICMP's over
     * IPv4 (RFC 792); ICMPv6's does (RFC 4443 2.3).
     */
    private static void endpoint(byte[] buf, boolean v6, int addr, int ipCks, int proto, int l4, int l4len, boolean source,
                                 IpAddress to, int port, int outer) {
        int cks = l4Checksum(buf, v6, proto, l4, l4len);
        boolean udp = proto == Ipv4Repr.PROTO_UDP;
        int pseudo = !v6 && proto == Ipv4Repr.PROTO_ICMP ? NONE : cks;
        for (int i = 0, words = v6 ? 8 : 2; i < words; i++)
            write16(buf, addr + 2 * i, word(to, i), ipCks, false, outer, pseudo, udp);
        int portPos = port == NONE ? NONE : portPosition(buf, v6, proto, l4, l4len, source);
        if (portPos != NONE) write16(buf, portPos, port, cks, udp, outer);
    }

    /** Word i of an address in network order. */
    private static int word(IpAddress a, int i) {
        return switch (a) {
            case Ipv4Address v4 -> (i == 0 ? v4.bits() >>> 16 : v4.bits()) & 0xffff;
            case Ipv6Address v6 -> v6.group(i);
        };
    }

    /**
     * Where the checksum of a transport header lies, or NONE when absent (a short quote; an IPv4
     * UDP zero, RFC 768's "none"). IPv6: every transport checksum covers the pseudo-header (RFC 8200 8.1).
     */
    private static int l4Checksum(byte[] buf, boolean v6, int proto, int l4, int l4len) {
        int pos = proto == Ipv4Repr.PROTO_TCP ? l4 + 16
                : proto == Ipv4Repr.PROTO_UDP ? l4 + 6
                : proto == (v6 ? Ipv6Repr.NH_ICMPV6 : Ipv4Repr.PROTO_ICMP) ? l4 + 2 : NONE;
        if (pos == NONE || pos + 2 > l4 + l4len) return NONE;
        if (!v6 && proto == Ipv4Repr.PROTO_UDP && Bytes.u16(buf, pos) == 0) return NONE;
        return pos;
    }

    /** Where the port (ICMP and ICMPv6 echo: identifier, RFC 5508 3.1) of one side lies, or NONE. */
    private static int portPosition(byte[] buf, boolean v6, int proto, int l4, int l4len, boolean source) {
        if (proto == Ipv4Repr.PROTO_TCP || proto == Ipv4Repr.PROTO_UDP) return l4len >= 4 ? l4 + (source ? 0 : 2) : NONE;
        if (proto != (v6 ? Ipv6Repr.NH_ICMPV6 : Ipv4Repr.PROTO_ICMP) || l4len < 6) return NONE;
        int type = Bytes.u8(buf, l4);
        boolean echo = v6 ? type == Icmpv6Repr.TYPE_ECHO_REQUEST || type == Icmpv6Repr.TYPE_ECHO_REPLY
                : type == IcmpRepr.TYPE_ECHO_REQUEST || type == IcmpRepr.TYPE_ECHO_REPLY;
        return echo ? l4 + 4 : NONE;
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
