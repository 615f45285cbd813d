package org.netstack4j.ip;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import org.netstack4j.time.Time;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.MacAddress;

/**
 * The ARP cache of one Ethernet interface (RFC 826, RFC 1122 2.3.2): IPv4 address to MAC,
 * with the packets waiting for a resolution. Pure bookkeeping, no I/O: the caller sends the
 * requests and frames this class tells it to.
 *
 * <p>Limits: a resolved entry lives {@link #LIFETIME_NS} (then the next packet starts a new
 * resolution); an unresolved one is asked for {@link #MAX_REQUESTS} times,
 * {@link #RETRY_NS} apart, then fails; at most {@link #MAX_QUEUE} packets wait per neighbour
 * (RFC 1122 2.3.2.2: SHOULD keep at least one; overflow drops the oldest, as Linux does); at
 * most {@link #MAX_ENTRIES} entries (a full table evicts the oldest resolved entry; if all
 * are unresolved, the new packet is refused).
 */
final class ArpCache {
    static final long LIFETIME_NS = Time.s(60);
    static final long RETRY_NS = Time.s(1);
    static final int MAX_REQUESTS = 3;
    static final int MAX_QUEUE = 8;
    static final int MAX_ENTRIES = 256;

    private static final class Entry {
        MacAddress mac;               // null while unresolved
        long expiresAt = Time.NEVER;  // resolved: when forgotten
        int requests;                 // unresolved: requests sent so far
        long retryAt = Time.NEVER;    // unresolved: when the next request (or the failure) is due
        ArrayDeque<byte[]> queue;     // unresolved: frames waiting, oldest first
    }

    /**
     * What {@link #enqueue} did: {@code accepted} false if the frame was refused (table full);
     * {@code sendRequest} if the caller must send the first ARP request now; {@code dropped}
     * a frame thrown away (the oldest waiting one, or the new one when refused), else null.
     */
    record Enqueued(boolean accepted, boolean sendRequest, byte[] dropped) {}

    /** An unresolved neighbour that never answered, and the frames that waited for it. */
    record Failed(Ipv4Address ip, List<byte[]> queued) {}

    /** What {@link #timers} asks of the caller: send another request to each of {@code retry}. */
    record TimerWork(List<Ipv4Address> retry, List<Failed> failed) {}

    private final LinkedHashMap<Ipv4Address, Entry> entries = new LinkedHashMap<>();
    private int unresolved;

    /** A permanent entry, like {@code arp -s}: never expires, never asked for. */
    void addStatic(Ipv4Address ip, MacAddress mac) {
        Entry old = entries.remove(ip);
        if (old != null && old.mac == null) unresolved--;
        Entry e = new Entry();
        e.mac = mac;
        e.expiresAt = Time.NEVER;
        entries.put(ip, e);
    }

    /** The MAC for {@code ip} if resolved and not expired, else null. */
    MacAddress lookup(long now, Ipv4Address ip) {
        Entry e = entries.get(ip);
        if (e == null || e.mac == null) return null;
        if (now >= e.expiresAt) {
            entries.remove(ip);
            return null;
        }
        return e.mac;
    }

    /** Queues a frame for {@code ip}, which {@link #lookup} did not resolve. */
    Enqueued enqueue(long now, Ipv4Address ip, byte[] frame) {
        Entry e = entries.get(ip);
        if (e != null && e.mac != null) {
            // Resolved but expired (lookup would have answered otherwise): resolve afresh.
            entries.remove(ip);
            e = null;
        }
        if (e == null) {
            if (!makeRoom(now)) return new Enqueued(false, false, frame);
            e = new Entry();
            e.requests = 1;
            e.retryAt = now + RETRY_NS;
            e.queue = new ArrayDeque<>();
            e.queue.add(frame);
            entries.put(ip, e);
            unresolved++;
            return new Enqueued(true, true, null);
        }
        e.queue.add(frame);
        byte[] dropped = e.queue.size() > MAX_QUEUE ? e.queue.poll() : null;
        return new Enqueued(true, false, dropped);
    }

    /**
     * Records {@code ip is-at mac} (RFC 826 "merge"): updates an existing entry, or adds one
     * when {@code create} (the packet was addressed to us). Returns the frames that waited for
     * this neighbour, oldest first (empty if none).
     */
    List<byte[]> update(long now, Ipv4Address ip, MacAddress mac, boolean create) {
        Entry e = entries.get(ip);
        if (e == null) {
            if (!create || !makeRoom(now)) return List.of();
            e = new Entry();
            entries.put(ip, e);
        }
        List<byte[]> waiting = List.of();
        if (e.mac == null && e.queue != null) {
            waiting = new ArrayList<>(e.queue);
            e.queue = null;
            unresolved--;
        }
        e.mac = mac;
        e.expiresAt = now + LIFETIME_NS;
        e.requests = 0;
        e.retryAt = Time.NEVER;
        return waiting;
    }

    /** Retries and failures due at {@code now}; also forgets expired resolved entries. */
    TimerWork timers(long now) {
        List<Ipv4Address> retry = new ArrayList<>();
        List<Failed> failed = new ArrayList<>();
        for (Iterator<java.util.Map.Entry<Ipv4Address, Entry>> it = entries.entrySet().iterator(); it.hasNext(); ) {
            var me = it.next();
            Entry e = me.getValue();
            if (e.mac != null) {
                if (now >= e.expiresAt) it.remove();
            } else if (now >= e.retryAt) {
                if (e.requests < MAX_REQUESTS) {
                    e.requests++;
                    e.retryAt = now + RETRY_NS;
                    retry.add(me.getKey());
                } else {
                    failed.add(new Failed(me.getKey(), new ArrayList<>(e.queue)));
                    it.remove();
                    unresolved--;
                }
            }
        }
        return new TimerWork(retry, failed);
    }

    /** The earliest request retry/failure deadline (expiry of resolved entries is lazy). */
    long nextDeadline() {
        if (unresolved == 0) return Time.NEVER;
        long t = Time.NEVER;
        for (Entry e : entries.values()) if (e.mac == null) t = Math.min(t, e.retryAt);
        return t;
    }

    int size() { return entries.size(); }

    List<Neighbor> snapshot(String iface) {
        List<Neighbor> out = new ArrayList<>();
        entries.forEach((ip, e) -> out.add(new Neighbor(iface, ip, e.mac,
                e.mac != null ? e.expiresAt : e.retryAt, e.queue == null ? 0 : e.queue.size())));
        return out;
    }

    private boolean makeRoom(long now) {
        if (entries.size() < MAX_ENTRIES) return true;
        entries.values().removeIf(e -> e.mac != null && now >= e.expiresAt);
        if (entries.size() < MAX_ENTRIES) return true;
        for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
            if (it.next().mac != null) {
                it.remove();
                return true;
            }
        }
        return false;
    }
}
