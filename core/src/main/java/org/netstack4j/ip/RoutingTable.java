package org.netstack4j.ip;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv6Address;

/**
 * IPv4 and IPv6 routes with longest-prefix match (RFC 1812 5.2.4.3; each family in its own list). Connected routes come from the
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

    // ------------------------------------------------------------------ IPv6

    /** An IPv6 route, as {@link Route}: on-link through {@code iface}, or via {@code gateway} (a link-local one needs {@code iface}). */
    public record Route6(Ipv6Address destination, int prefixLength, Ipv6Address gateway, IpInterface iface) {
        public Route6 {
            Objects.requireNonNull(destination, "destination");
            if (prefixLength < 0 || prefixLength > 128) throw new IllegalArgumentException("prefix length must be 0..128");
            if (gateway == null && iface == null) throw new IllegalArgumentException("a route needs a gateway or an interface");
            destination = Ipv6Link.mask(destination, prefixLength);
        }

        public boolean matches(Ipv6Address a) { return Ipv6Link.inPrefix(a, destination, prefixLength); }

        @Override public String toString() {
            String d = prefixLength == 0 ? "default" : destination + "/" + prefixLength;
            return d + (gateway != null ? " via " + gateway : "") + (iface != null ? " dev " + iface.name() : "");
        }
    }

    /** Where an IPv6 packet goes: out of {@code iface} to the neighbour {@code address}. */
    public record NextHop6(IpInterface iface, Ipv6Address address) {}

    private final List<Route6> routes6 = new ArrayList<>();

    /** The last IPv6 {@link #lookup(Ipv6Address)}, as {@link #cachedHop}. Cleared by any IPv6 change. */
    private Ipv6Address cachedDst6;
    private NextHop6 cachedHop6;

    public void add(Route6 r) {
        routes6.add(Objects.requireNonNull(r));
        cachedDst6 = null;
    }

    /** Removes every IPv6 route that is exactly {@code destination/prefixLength}. */
    public void remove6(Ipv6Address destination, int prefixLength) {
        Ipv6Address d = Ipv6Link.mask(destination, prefixLength);
        routes6.removeIf(r -> r.prefixLength() == prefixLength && r.destination().equals(d));
        cachedDst6 = null;
    }

    public List<Route6> routes6() { return List.copyOf(routes6); }

    /** The route that is exactly {@code destination/prefixLength}, or null. */
    Route6 bestMatch6Exact(Ipv6Address destination, int prefixLength) {
        Ipv6Address d = Ipv6Link.mask(destination, prefixLength);
        for (Route6 r : routes6) if (r.prefixLength() == prefixLength && r.destination().equals(d)) return r;
        return null;
    }

    /** The next hop for {@code dst} by longest prefix, or null (no route, or a gateway that is not on-link). */
    public NextHop6 lookup(Ipv6Address dst) {
        Ipv6Address last = cachedDst6;
        if (last != null && last.low() == dst.low() && last.high() == dst.high()) return cachedHop6;
        NextHop6 hop = resolve6(dst);
        cachedDst6 = dst;
        cachedHop6 = hop;
        return hop;
    }

    private NextHop6 resolve6(Ipv6Address dst) {
        Route6 r = best6(dst, false);
        if (r == null) return null;
        if (r.gateway() == null) return new NextHop6(r.iface(), dst);
        if (r.iface() != null) return new NextHop6(r.iface(), r.gateway());
        Route6 link = best6(r.gateway(), true);
        return link == null ? null : new NextHop6(link.iface(), r.gateway());
    }

    private Route6 best6(Ipv6Address dst, boolean onLinkOnly) {
        Route6 best = null;
        for (Route6 r : routes6) {
            if (onLinkOnly && r.gateway() != null) continue;
            if (r.matches(dst) && (best == null || r.prefixLength() > best.prefixLength())) best = r;
        }
        return best;
    }

    @Override public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Route r : routes) sb.append(r).append('\n');
        for (Route6 r : routes6) sb.append(r).append('\n');
        return sb.toString();
    }
}
