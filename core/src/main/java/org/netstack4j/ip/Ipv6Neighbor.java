package org.netstack4j.ip;

import org.netstack4j.wire.Ipv6Address;
import org.netstack4j.wire.MacAddress;

/**
 * One IPv6 neighbour cache entry as {@code ip -6 neigh} shows it (RFC 4861 7.3.2): {@code mac}
 * is null while INCOMPLETE ({@code queued} packets wait); {@code deadline} is when the entry
 * next changes on its own (retransmission, REACHABLE to STALE, DELAY to PROBE), or
 * {@link org.netstack4j.time.Time#NEVER}.
 */
public record Ipv6Neighbor(String iface, Ipv6Address ip, MacAddress mac, NdState state, long deadline, int queued) {
    /** RFC 4861 7.3.2 reachability states. */
    public enum NdState { INCOMPLETE, REACHABLE, STALE, DELAY, PROBE }

    @Override public String toString() {
        return ip + " dev " + iface + (mac == null ? "" : " lladdr " + mac) + " " + state
                + (queued > 0 ? " (" + queued + " queued)" : "");
    }
}
