package org.netstack4j.path;

import java.util.LinkedHashMap;
import org.netstack4j.time.Time;
import org.netstack4j.trace.Counters;
import org.netstack4j.wire.IpAddress;

/**
 * The path MTUs learnt per destination from ICMP fragmentation needed / packet too big
 * (RFC 1191, RFC 8201), for both address families: one per stack, as Linux's route exceptions.
 * Both IP layers size (fragment, or drop with DF) what they send with it, and a host's later
 * connections to the same destination announce an MSS within it (the route's MTU, RFC 9293
 * 3.7.1, is the path's as Linux's ipv4_mtu / ip6_mtu); TCP also caps the MSS those connections
 * send with (a layer without an IP layer announces the interface's). Entries live 10 minutes from their last lowering
 * (RFC 8201 4: at least 5; Linux net.ipv4.route.mtu_expires 600 s) and at most
 * {@link #MAX_ENTRIES} are kept, the oldest forgotten first. Counted: {@code path.mtu.learnt},
 * {@code path.mtu.expired}, {@code path.mtu.evicted}.
 */
public final class PathMtuCache {
    public static final int MAX_ENTRIES = 256;
    public static final long LIFETIME_NS = Time.s(600);
    /** The smallest IPv4 path MTU believed from an ICMP error (Linux net.ipv4.route.min_pmtu); less locks the path. */
    public static final int MIN_PMTU_IPV4 = 552;
    /** IPv6's minimum link MTU (RFC 8200 5), the floor of a learnt IPv6 path MTU (RFC 8201 4). */
    public static final int MIN_PMTU_IPV6 = 1280;
    /** RFC 791: every IPv4 module takes 68 bytes; a smaller report is nonsense and ignored (as TCP's IcmpErrors). */
    public static final int MIN_REPORT_IPV4 = 68;

    private record Entry(int mtu, long expiresAt, boolean locked) {}

    private final LinkedHashMap<IpAddress, Entry> entries = new LinkedHashMap<>();
    private final Counters.Counter learnt, expired, evicted;

    public PathMtuCache(Counters counters) {
        Counters c = counters == null ? new Counters() : counters;
        learnt = c.counter("path.mtu.learnt");
        expired = c.counter("path.mtu.expired");
        evicted = c.counter("path.mtu.evicted");
    }

    /** The path MTU learnt towards {@code dst} and not yet expired at {@code now}; 0 if none. */
    public int mtu(long now, IpAddress dst) {
        Entry e = entries.isEmpty() ? null : entries.get(dst);
        if (e == null) return 0;
        if (now - e.expiresAt() >= 0) {
            entries.remove(dst);
            expired.increment();
            return 0;
        }
        return e.mtu();
    }

    /**
     * A believed ICMPv4 fragmentation needed (RFC 1191) or ICMPv6 packet too big (RFC 8201)
     * reports {@code reported} as the next-hop MTU towards {@code dst}, whose path MTU is now
     * {@code current} (learnt or the route's; 0 if unknown). The report is floored as Linux's
     * __ip_rt_update_pmtu / __ip6_rt_update_pmtu (RFC 5927 7.2): IPv4 to {@link #MIN_PMTU_IPV4},
     * locking the path when it was below (ignored under {@link #MIN_REPORT_IPV4}), IPv6 to
     * {@link #MIN_PMTU_IPV6}; it never raises. Returns whether the path MTU changed.
     */
    public boolean learn(long now, IpAddress dst, long reported, int current) {
        boolean ipv6 = dst.family() == IpAddress.Family.IPV6;
        if (!ipv6 && reported < MIN_REPORT_IPV4) return false;
        int floor = ipv6 ? MIN_PMTU_IPV6 : MIN_PMTU_IPV4;
        int mtu = (int) Math.max(floor, Math.min(reported, 65535));
        boolean locked = !ipv6 && reported < floor;
        if (current != 0 && mtu >= current && (!locked || locked(now, dst))) return false;
        lower(now, dst, mtu, locked);
        return true;
    }

    /** A believed ICMP error says the path to {@code dst} takes at most {@code mtu}; only ever lowers. */
    public void lower(long now, IpAddress dst, int mtu) { lower(now, dst, mtu, false); }

    /**
     * {@link #lower}, {@code locked} when the error reported an MTU below the floor the caller
     * raised it to (Linux __ip_rt_update_pmtu locks the route's MTU then: sockets in
     * {@link PmtuDiscovery#WANT} stop setting DF towards {@code dst}, the path fragments).
     */
    public void lower(long now, IpAddress dst, int mtu, boolean locked) {
        int known = mtu(now, dst);
        if (known != 0 && known <= mtu && (!locked || entries.get(dst).locked())) return;
        entries.remove(dst);
        if (entries.size() >= MAX_ENTRIES) {
            entries.remove(entries.keySet().iterator().next());
            evicted.increment();
        }
        entries.put(dst, new Entry(known != 0 ? Math.min(known, mtu) : mtu, now + LIFETIME_NS, locked));
        learnt.increment();
    }

    /** Whether the path MTU towards {@code dst} is locked ({@link #lower(long, IpAddress, int, boolean)}) and not expired. */
    public boolean locked(long now, IpAddress dst) {
        return mtu(now, dst) != 0 && entries.get(dst).locked();
    }

    public int size() { return entries.size(); }
}
