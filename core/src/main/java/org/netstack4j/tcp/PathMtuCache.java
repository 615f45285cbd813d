package org.netstack4j.tcp;

import java.util.LinkedHashMap;
import org.netstack4j.time.Time;
import org.netstack4j.wire.IpAddress;

/**
 * The path MTUs TCP has learnt per destination from ICMP fragmentation needed / packet too big
 * (RFC 1191, RFC 8201), kept by the layer so that a later connection to the same destination
 * starts with segments that fit (Linux keeps them as route exceptions, both families; the IPv6
 * layer's own cache in {@code Ipv6} has the same rules). They cap the MSS a connection sends
 * with, never the MSS it announces (that one follows the interface MTU, RFC 9293 3.7.1).
 * Entries live 10 minutes (RFC 8201 4: at least 5; Linux net.ipv4.route.mtu_expires 600 s) and
 * at most {@link #MAX_ENTRIES} are kept, the oldest forgotten first.
 */
final class PathMtuCache {
    static final int MAX_ENTRIES = 256;
    static final long LIFETIME_NS = Time.s(600);

    private record Entry(int mtu, long expiresAt) {}

    private final LinkedHashMap<IpAddress, Entry> entries = new LinkedHashMap<>();

    /** The path MTU learnt towards {@code dst} and not yet expired at {@code now}; 0 if none. */
    int mtu(long now, IpAddress dst) {
        Entry e = entries.isEmpty() ? null : entries.get(dst);
        if (e == null) return 0;
        if (now - e.expiresAt() >= 0) {
            entries.remove(dst);
            return 0;
        }
        return e.mtu();
    }

    /** A believed ICMP error says the path to {@code dst} takes at most {@code mtu}; only ever lowers. */
    void lower(long now, IpAddress dst, int mtu) {
        int known = mtu(now, dst);
        if (known != 0 && known <= mtu) return;
        entries.remove(dst);
        if (entries.size() >= MAX_ENTRIES) entries.remove(entries.keySet().iterator().next());
        entries.put(dst, new Entry(mtu, now + LIFETIME_NS));
    }

    int size() { return entries.size(); }
}
