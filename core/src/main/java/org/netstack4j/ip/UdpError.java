package org.netstack4j.ip;

import org.netstack4j.wire.IpAddress;

/**
 * An ICMP error about a datagram a {@link UdpSocket} sent (RFC 1122 4.1.3.3: UDP MUST pass
 * ICMP errors up to the application): {@code reporter} sent the ICMP message, {@code dst} /
 * {@code dstPort} are where our datagram was going, {@code message} is the RFC 792 wording
 * ("port unreachable", "host unreachable", ...).
 */
public record UdpError(long time, IpAddress reporter, IpAddress dst, int dstPort, int type, int code,
                       String message) {
    @Override public String toString() { return message + " (" + dst + "." + dstPort + ", from " + reporter + ")"; }
}
