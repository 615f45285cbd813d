package org.netstack4j.ip;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.netstack4j.ip.Ipv6Neighbor.NdState;
import org.netstack4j.time.Time;
import org.netstack4j.wire.Ipv6Address;
import org.netstack4j.wire.MacAddress;

/**
 * The neighbour cache of one Ethernet interface for IPv6 (RFC 4861 7.3): the conceptual
 * states INCOMPLETE, REACHABLE, STALE, DELAY and PROBE with their timers as deadlines. Pure
 * bookkeeping, no I/O: {@link Ndp} sends the solicitations and frames this class asks for.
 *
 * <p>Limits: {@link #MAX_ENTRIES} entries (a full table evicts the oldest STALE entry, else
 * the oldest resolved one; if all are INCOMPLETE the new packet is refused); at most
 * {@link #MAX_QUEUE} packets wait per INCOMPLETE entry (overflow drops the oldest).
 */
final class NeighborCache6 {
    // RFC 4861 10, protocol constants
    static final long REACHABLE_TIME_NS = Time.s(30);
    static final long RETRANS_TIMER_NS = Time.s(1);
    static final long DELAY_FIRST_PROBE_TIME_NS = Time.s(5);
    static final int MAX_MULTICAST_SOLICIT = 3;
    static final int MAX_UNICAST_SOLICIT = 3;
    static final int MAX_QUEUE = 8;
    static final int MAX_ENTRIES = 256;

    static final class Entry {
        MacAddress mac;
        NdState state;
        long deadline = Time.NEVER;
        int probes;
        ArrayDeque<byte[]> queue;
    }

    /** What {@link #timers} asks for: multicast (INCOMPLETE) or unicast (PROBE) solicitations, and failures. */
    record Solicit(Ipv6Address target, MacAddress unicastTo) {}
    record Failed(Ipv6Address target, List<byte[]> queued) {}
    record TimerWork(List<Solicit> solicit, List<Failed> failed) {}

    private final LinkedHashMap<Ipv6Address, Entry> entries = new LinkedHashMap<>();
    private final SplittableRandom random;

    NeighborCache6(SplittableRandom random) { this.random = random; }

    /** RFC 4861 6.3.2: ReachableTime is BaseReachableTime times a random factor in [0.5, 1.5). */
    private long reachableTime() {
        return REACHABLE_TIME_NS / 2 + (long) (random.nextDouble() * REACHABLE_TIME_NS);
    }

    Entry get(Ipv6Address ip) { return entries.get(ip); }

    /**
     * The MAC to send a packet to {@code ip} with, or null (then {@link #enqueue}). RFC 4861
     * 7.3.3: sending to a STALE entry moves it to DELAY.
     */
    MacAddress lookup(long now, Ipv6Address ip) {
        Entry e = entries.get(ip);
        if (e == null || e.mac == null) return null;
        if (e.state == NdState.STALE) {
            e.state = NdState.DELAY;
            e.deadline = now + DELAY_FIRST_PROBE_TIME_NS;
        }
        return e.mac;
    }

    /** Result of {@link #enqueue}: refused (table full), whether to send the first NS, a dropped frame. */
    record Enqueued(boolean accepted, boolean solicit, byte[] dropped) {}

    Enqueued enqueue(long now, Ipv6Address ip, byte[] frame) {
        Entry e = entries.get(ip);
        if (e == null) {
            if (!makeRoom()) return new Enqueued(false, false, frame);
            e = new Entry();
            e.state = NdState.INCOMPLETE;
            e.probes = 1;
            e.deadline = now + RETRANS_TIMER_NS;
            e.queue = new ArrayDeque<>();
            e.queue.add(frame);
            entries.put(ip, e);
            return new Enqueued(true, true, null);
        }
        e.queue.add(frame);
        return new Enqueued(true, false, e.queue.size() > MAX_QUEUE ? e.queue.poll() : null);
    }

    /**
     * An NS from {@code ip} with a source link-layer address, or an unsolicited RA-like hint
     * (RFC 4861 7.2.3): a new entry is STALE, a changed address makes it STALE. Returns the
     * frames that waited for it.
     */
    List<byte[]> learn(long now, Ipv6Address ip, MacAddress mac) {
        Entry e = entries.get(ip);
        if (e == null) {
            if (!makeRoom()) return List.of();
            e = new Entry();
            entries.put(ip, e);
            e.mac = mac;
            e.state = NdState.STALE;
            return List.of();
        }
        if (e.state == NdState.INCOMPLETE) {
            e.mac = mac;
            e.state = NdState.STALE;
            e.deadline = Time.NEVER;
            return drain(e);
        }
        if (!mac.equals(e.mac)) {
            e.mac = mac;
            e.state = NdState.STALE;
            e.deadline = Time.NEVER;
        }
        return List.of();
    }

    /** RFC 4861 7.2.5: a Neighbor Advertisement for {@code ip}. Returns the frames that waited. */
    List<byte[]> advertised(long now, Ipv6Address ip, MacAddress mac, boolean solicited, boolean override) {
        Entry e = entries.get(ip);
        if (e == null) return List.of(); // "no entry exists: the advertisement SHOULD be silently discarded"
        if (e.state == NdState.INCOMPLETE) {
            if (mac == null) return List.of();
            e.mac = mac;
            setReachableOrStale(now, e, solicited);
            return drain(e);
        }
        boolean changed = mac != null && !mac.equals(e.mac);
        if (!override && changed) {
            if (e.state == NdState.REACHABLE) {
                e.state = NdState.STALE;
                e.deadline = Time.NEVER;
            }
            return List.of();
        }
        if (changed) e.mac = mac;
        if (solicited) setReachableOrStale(now, e, true);
        else if (changed) {
            e.state = NdState.STALE;
            e.deadline = Time.NEVER;
        }
        return List.of();
    }

    private void setReachableOrStale(long now, Entry e, boolean reachable) {
        e.probes = 0;
        e.state = reachable ? NdState.REACHABLE : NdState.STALE;
        e.deadline = reachable ? now + reachableTime() : Time.NEVER;
    }

    private static List<byte[]> drain(Entry e) {
        List<byte[]> out = e.queue == null ? List.of() : new ArrayList<>(e.queue);
        e.queue = null;
        return out;
    }

    /** Deadlines due at {@code now}: RFC 4861 7.3.3's timer transitions. */
    TimerWork timers(long now) {
        List<Solicit> solicit = new ArrayList<>();
        List<Failed> failed = new ArrayList<>();
        for (Iterator<Map.Entry<Ipv6Address, Entry>> it = entries.entrySet().iterator(); it.hasNext(); ) {
            var me = it.next();
            Entry e = me.getValue();
            if (now < e.deadline) continue;
            switch (e.state) {
                case INCOMPLETE -> {
                    if (e.probes < MAX_MULTICAST_SOLICIT) {
                        e.probes++;
                        e.deadline = now + RETRANS_TIMER_NS;
                        solicit.add(new Solicit(me.getKey(), null));
                    } else {
                        failed.add(new Failed(me.getKey(), drain(e)));
                        it.remove();
                    }
                }
                case REACHABLE -> {
                    e.state = NdState.STALE;
                    e.deadline = Time.NEVER;
                }
                case STALE -> e.deadline = Time.NEVER;
                case DELAY -> {
                    e.state = NdState.PROBE;
                    e.probes = 1;
                    e.deadline = now + RETRANS_TIMER_NS;
                    solicit.add(new Solicit(me.getKey(), e.mac));
                }
                case PROBE -> {
                    if (e.probes < MAX_UNICAST_SOLICIT) {
                        e.probes++;
                        e.deadline = now + RETRANS_TIMER_NS;
                        solicit.add(new Solicit(me.getKey(), e.mac));
                    } else {
                        failed.add(new Failed(me.getKey(), List.of()));
                        it.remove();
                    }
                }
            }
        }
        return new TimerWork(solicit, failed);
    }

    long nextDeadline() {
        long t = Time.NEVER;
        for (Entry e : entries.values()) t = Math.min(t, e.deadline);
        return t;
    }

    int size() { return entries.size(); }

    List<Ipv6Neighbor> snapshot(String iface) {
        List<Ipv6Neighbor> out = new ArrayList<>();
        entries.forEach((ip, e) -> out.add(new Ipv6Neighbor(iface, ip, e.mac, e.state, e.deadline,
                e.queue == null ? 0 : e.queue.size())));
        return out;
    }

    private boolean makeRoom() {
        if (entries.size() < MAX_ENTRIES) return true;
        for (NdState victim : new NdState[] {NdState.STALE, NdState.REACHABLE, NdState.DELAY, NdState.PROBE}) {
            for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
                if (it.next().state == victim) {
                    it.remove();
                    return true;
                }
            }
        }
        return false;
    }
}
