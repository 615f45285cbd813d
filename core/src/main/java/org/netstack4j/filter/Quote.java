package org.netstack4j.filter;

import java.util.Optional;
import org.netstack4j.wire.IcmpRepr;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv4Repr;

/**
 * The datagram an ICMP error quotes (RFC 792: IP header + first 8 data bytes), located in the
 * error's bytes: {@code ipOff} is the quoted IP header, {@code l4Off} its transport header,
 * {@code l4Len} how many transport bytes the quote holds. Only structure is checked: a quote is
 * truncated by definition, so neither its total length nor its checksums can be verified.
 */
record Quote(int protocol, Ipv4Address src, Ipv4Address dst, int ipOff, int l4Off, int l4Len, int srcPort, int dstPort) {

    static Optional<Quote> of(byte[] buf, int off, int len) {
        if (len < Ipv4Repr.MIN_HEADER_LENGTH || off < 0 || off + len > buf.length) return Optional.empty();
        int verIhl = Fields.u8(buf, off);
        int hl = (verIhl & 0xf) * 4;
        if (verIhl >>> 4 != 4 || hl < Ipv4Repr.MIN_HEADER_LENGTH || hl + 8 > len) return Optional.empty();
        if ((Fields.u16(buf, off + 6) & 0x1fff) != 0) return Optional.empty(); // a later fragment: no transport header
        int proto = Fields.u8(buf, off + 9);
        int l4 = off + hl;
        int sp = 0, dp = 0;
        switch (proto) {
            case Ipv4Repr.PROTO_TCP, Ipv4Repr.PROTO_UDP -> { sp = Fields.u16(buf, l4); dp = Fields.u16(buf, l4 + 2); }
            case Ipv4Repr.PROTO_ICMP -> {
                int type = Fields.u8(buf, l4);
                // errors are never sent about ICMP errors (RFC 1122 3.2.2); only echo names a flow
                if (type != IcmpRepr.TYPE_ECHO_REQUEST && type != IcmpRepr.TYPE_ECHO_REPLY) return Optional.empty();
                sp = dp = Fields.u16(buf, l4 + 4);
            }
            default -> { }
        }
        return Optional.of(new Quote(proto, Ipv4Address.read(buf, off + 12), Ipv4Address.read(buf, off + 16),
                off, l4, len - hl, sp, dp));
    }

    FlowKey key() { return new FlowKey(protocol, new Endpoint(src, srcPort), new Endpoint(dst, dstPort)); }
}
