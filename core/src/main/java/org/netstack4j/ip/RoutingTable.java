package org.netstack4j.ip;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.netstack4j.wire.Ipv4Address;

/**
 * IPv4 routes with longest-prefix match (RFC 1812 5.2.4.3). Connected routes come from the
 * interfaces; a gateway route names a next hop that must itself be on-link through a
 * connected route (resolved at lookup time, one level, like {@code ip route ... via}).
 * Ties on prefix length go to the route added first. Small tables: a linear scan.
 */
public final class RoutingTable {
    /**
     * One route: {@code destination/prefixLength}, then either on-link through {@code iface}
     * ({@code gateway} null) or via {@code gateway} ({@code iface} null = whichever interface
     * the gateway is on-link through).
     */
    public record Route(Ipv4Address destination, int prefixLength, Ipv4Address gateway, IpInterface iface) {
        public Route {
            Objects.requireNonNull(destination, "destination");
            if (prefixLength < 0 || prefixLength > 32) throw new IllegalArgumentException("prefix length must be 0..32");
            if (gateway == null && iface == null) throw new IllegalArgumentException("a route needs a gateway or an interface");
            destination = new Ipv4Address(destination.bits() & IpInterface.maskBits(prefixLength));
        }

        public boolean matches(Ipv4Address a) {
            return (a.bits() & IpInterface.maskBits(prefixLength)) == destination.bits();
        }

        @Override public String toString() {
            String d = prefixLength == 0 ? "default" : destination + "/" + prefixLength;
            return d + (gateway != null ? " via " + gateway : "") + (iface != null ? " dev " + iface.name() : "");
        }
    }

    /** Where a packet goes: out of {@code iface} to the link-layer neighbour {@code address}. */
    public record NextHop(IpInterface iface, Ipv4Address address) {}

    private final List<Route> routes = new ArrayList<>();
    /** The last {@link #lookup}: a connection sends every segment to one destination. Cleared by any change. */
    private boolean cacheValid;
    private int cachedDst;
    private NextHop cachedHop;

    public void add(Route r) {
        routes.add(Objects.requireNonNull(r));
        cacheValid = false;
    }

    /** Removes every route that is exactly {@code destination/prefixLength}. */
    public void remove(Ipv4Address destination, int prefixLength) {
        int bits = destination.bits() & IpInterface.maskBits(prefixLength);
        routes.removeIf(r -> r.prefixLength() == prefixLength && r.destination().bits() == bits);
        cacheValid = false;
    }

    public List<Route> routes() { return List.copyOf(routes); }

    /** The longest matching route for {@code dst}, or null. */
    public Route bestMatch(Ipv4Address dst) { return best(dst, false); }

    /** The next hop for {@code dst}, or null if no route (or the gateway is not on-link). */
    public NextHop lookup(Ipv4Address dst) {
        int bits = dst.bits();
        if (cacheValid && cachedDst == bits) return cachedHop;
        NextHop hop = resolve(dst);
        cachedDst = bits;
        cachedHop = hop;
        cacheValid = true;
        return hop;
    }

    private NextHop resolve(Ipv4Address dst) {
        Route r = best(dst, false);
        if (r == null) return null;
        if (r.gateway() == null) return new NextHop(r.iface(), dst);
        if (r.iface() != null) return new NextHop(r.iface(), r.gateway());
        Route link = best(r.gateway(), true);
        return link == null ? null : new NextHop(link.iface(), r.gateway());
    }

    private Route best(Ipv4Address dst, boolean onLinkOnly) {
        Route best = null;
        for (Route r : routes) {
            if (onLinkOnly && r.gateway() != null) continue;
            if (r.matches(dst) && (best == null || r.prefixLength() > best.prefixLength())) best = r;
        }
        return best;
    }

    @Override public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Route r : routes) sb.append(r).append('\n');
        return sb.toString();
    }
}
