package org.netstack4j.tcp;

import org.netstack4j.path.PathMtuCache;
import org.netstack4j.wire.IpAddress;

/**
 * What TCP asks the network layer about a path, when it opens or accepts a connection: TCP
 * never imports {@code ip}, so the stack that joins them passes this in (Host: the route's MTU
 * from IpStack).
 */
@FunctionalInterface
public interface PathInfo {
    /** Nothing known: connections announce the configured MSS. */
    PathInfo UNKNOWN = (local, remote) -> 0;

    /**
     * The MSS to announce for segments from {@code local} to {@code remote} (RFC 9293 3.7.1:
     * the route's MTU less the fixed IP and TCP headers, 40 bytes for IPv4, 60 for IPv6), or 0
     * when there is no route.
     */
    int mss(IpAddress local, IpAddress remote);

    /**
     * The stack's path MTU cache, shared with the IP layer (Host: IpStack's), or null when
     * there is none: the TCP layer then keeps its own.
     */
    default PathMtuCache pathMtus() { return null; }

    /** The MSS for an MTU: the MTU less the family's fixed IP header and the TCP header (RFC 9293 3.7.1, RFC 8200 8.3). */
    static int mssForMtu(IpAddress.Family family, int mtu) {
        return mtu <= 0 ? 0 : Math.max(0, mtu - family.minHeaderLength() - 20);
    }
}
