package org.netstack4j.ip;

import org.netstack4j.wire.IcmpRepr;
import org.netstack4j.wire.IpMeta;
import org.netstack4j.wire.Ipv4Repr;

/**
 * A transport protocol plugged into {@link IpStack#setProtocolHandler} (TCP is plugged in this
 * way; ICMP and UDP are built in). Called on the stack's thread during {@code poll}.
 */
public interface IpProtocolHandler {
    /**
     * A datagram for this protocol arrived (already reassembled): the transport header and
     * payload are buf[off .. off+len). The buffer belongs to the stack: copy what you keep.
     */
    void receive(long now, Ipv4Repr ip, byte[] buf, int off, int len);

    /**
     * What the stack calls: {@link #receive(long, Ipv4Repr, byte[], int, int)} with the
     * family-blind {@link IpMeta} of the packet beside its IPv4 header (addresses, traffic class
     * with the ECN bits, TTL, receiving interface). A transport that works above {@code ip}
     * (TCP) overrides this one and reads only {@code meta}.
     */
    default void receive(long now, IpMeta meta, Ipv4Repr ip, byte[] buf, int off, int len) {
        receive(now, ip, buf, off, len);
    }

    /**
     * An ICMP destination unreachable or time exceeded quoting a datagram of this protocol
     * that we sent (RFC 1122 3.2.2.1 and 4.2.3.9: the transport decides what it means).
     * {@code quotedIp} is the quoted IPv4 header (its payloadLength is the original one, not
     * what was quoted); quoted[off .. off+len) are the quoted transport bytes (at least 8 for
     * a well-formed error). Also called for errors the stack makes up locally, e.g. host
     * unreachable when ARP resolution fails.
     */
    default void icmpError(long now, IcmpRepr error, Ipv4Repr quotedIp, byte[] quoted, int off, int len) {}
}
