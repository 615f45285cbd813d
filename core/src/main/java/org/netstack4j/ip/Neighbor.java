package org.netstack4j.ip;

import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.MacAddress;

/**
 * One ARP cache entry as shown by {@code ip neigh}: {@code mac} is null while resolution is
 * in progress ({@code queued} packets wait for it); {@code expiresAt} is when a resolved
 * entry is forgotten (or the next request retry while incomplete).
 */
public record Neighbor(String iface, Ipv4Address ip, MacAddress mac, long expiresAt, int queued) {
    public boolean resolved() { return mac != null; }

    @Override public String toString() {
        return ip + " dev " + iface + (mac == null ? " INCOMPLETE (" + queued + " queued)" : " lladdr " + mac);
    }
}
