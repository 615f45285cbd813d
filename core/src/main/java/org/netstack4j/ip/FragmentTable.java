package org.netstack4j.ip;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.netstack4j.time.Time;

/**
 * The part of reassembly both IP versions share (RFC 815's idea, RFC 5722's overlap rule):
 * datagrams in progress keyed by {@code K}, their fragments by offset, the first fragment's
 * header {@code H} kept for the whole datagram, one timer per datagram and a memory budget
 * that may be shared by several tables (the stack's IPv4 and IPv6 reassembly together).
 * The version-specific checks (fragment lengths, maximum datagram size) are the caller's.
 *
 * <p>Policy, chosen to keep memory bounded against a hostile sender:
 * <ul>
 * <li>an exact duplicate (same offset and length) is ignored (RFC 8200 4.5 allows it); any
 *     other overlap discards the whole datagram (RFC 5722 3);
 * <li>a datagram may hold at most {@code maxFragments} fragments;
 * <li>a fragment costs its data plus {@link #FRAGMENT_OVERHEAD} (plus what the first one
 *     keeps for an ICMP error) against the {@link Budget}; a fragment that does not fit is dropped
 *     (datagrams already in progress are not evicted);
 * <li>a datagram not completed {@code timeout} after its first fragment arrived is discarded
 *     and its memory released.
 * </ul>
 */
final class FragmentTable<K, H> {
    static final int FRAGMENT_OVERHEAD = 32;

    /** Bytes all tables sharing it may hold together. */
    static final class Budget {
        final int limit;
        int used;

        Budget(int limit) { this.limit = limit; }
    }

    sealed interface Outcome<H> permits Stored, Whole, Refused {}

    record Stored<H>() implements Outcome<H> {}

    /** The datagram is complete: the first fragment's header and quote, and the reassembled data. */
    record Whole<H>(H first, byte[] quote, byte[] data) implements Outcome<H> {}

    /** Not kept; {@code counter} names why, {@code datagramDiscarded} whether the datagram went too. */
    record Refused<H>(String counter, String reason, boolean datagramDiscarded) implements Outcome<H> {}

    /** A datagram whose timer ran out; first and quote null when fragment zero never came. */
    record Expired<K, H>(K key, H first, byte[] quote) {}

    private static final class Datagram<H> {
        final long deadline;
        final TreeMap<Integer, byte[]> fragments = new TreeMap<>();
        int end = -1;      // data length, once the last fragment arrived
        int received;      // data bytes held
        int memory;        // accounted bytes
        H first;           // header of the fragment at offset 0
        byte[] quote;

        Datagram(long deadline) { this.deadline = deadline; }
    }

    private final long timeout;
    private final int maxFragments;
    private final Budget budget;
    private final LinkedHashMap<K, Datagram<H>> datagrams = new LinkedHashMap<>();
    private int memory;

    FragmentTable(long timeout, int maxFragments, Budget budget) {
        this.timeout = timeout;
        this.maxFragments = maxFragments;
        this.budget = budget;
    }

    /**
     * Adds the fragment carrying buf[dataOff .. dataOff+len) at offset {@code start} of the
     * datagram {@code key}; {@code last}: no more fragments follow it. {@code first} and
     * {@code quote} are kept when start is 0 (quote: what an ICMP time exceeded would quote);
     * {@code keptCost} is what keeping them costs beyond the fragment's data (IPv4 counts its
     * small header in {@link #FRAGMENT_OVERHEAD}; IPv6 keeps a copy of up to 1232 bytes).
     */
    Outcome<H> add(long now, K key, int start, int len, boolean last, byte[] buf, int dataOff, H first, byte[] quote,
                   int keptCost) {
        int endOff = start + len;
        Datagram<H> d = datagrams.get(key);
        if (d != null) {
            if (last && d.end >= 0 && d.end != endOff) return discard(key, d, "invalid", "two last fragments disagree on the length");
            int known = d.fragments.isEmpty() ? 0 : d.fragments.lastKey() + d.fragments.lastEntry().getValue().length;
            if (last && known > endOff) return discard(key, d, "invalid", "data beyond the last fragment");
            if (!last && d.end >= 0 && endOff > d.end) return discard(key, d, "invalid", "fragment beyond the last fragment");
            byte[] same = d.fragments.get(start);
            if (same != null && same.length == len) return new Refused<>("duplicates", "duplicate fragment at offset " + start, false);
            if (overlaps(d, start, endOff)) return discard(key, d, "overlaps", "fragment at offset " + start + " overlaps another");
            if (d.fragments.size() >= maxFragments)
                return discard(key, d, "too_many_fragments", "more than " + maxFragments + " fragments");
        }
        int cost = len + FRAGMENT_OVERHEAD + (start == 0 ? keptCost : 0);
        if (budget.used + cost > budget.limit)
            return new Refused<>("memory_full", "reassembly memory full (" + budget.used + " of " + budget.limit + " bytes)", false);
        if (d == null) {
            d = new Datagram<>(now + timeout);
            datagrams.put(key, d);
        }
        d.fragments.put(start, Arrays.copyOfRange(buf, dataOff, dataOff + len));
        d.received += len;
        d.memory += cost;
        memory += cost;
        budget.used += cost;
        if (start == 0) {
            d.first = first;
            d.quote = quote;
        }
        if (last) d.end = endOff;
        if (d.end < 0 || d.first == null || d.received != d.end) return new Stored<>();

        // No overlaps are ever stored, so received == end means [0, end) is covered.
        remove(key, d);
        byte[] data = new byte[d.end];
        for (Map.Entry<Integer, byte[]> f : d.fragments.entrySet())
            System.arraycopy(f.getValue(), 0, data, f.getKey(), f.getValue().length);
        return new Whole<>(d.first, d.quote, data);
    }

    /** Discards every datagram whose timer ran out at {@code now}; returns them. */
    List<Expired<K, H>> expire(long now) {
        List<Expired<K, H>> out = new ArrayList<>();
        // Every datagram gets the same timeout, so insertion order is deadline order.
        for (Iterator<Map.Entry<K, Datagram<H>>> it = datagrams.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            Datagram<H> d = e.getValue();
            if (d.deadline > now) break;
            it.remove();
            memory -= d.memory;
            budget.used -= d.memory;
            out.add(new Expired<>(e.getKey(), d.first, d.quote));
        }
        return out;
    }

    long nextDeadline() {
        return datagrams.isEmpty() ? Time.NEVER : datagrams.values().iterator().next().deadline;
    }

    /** Bytes this table holds. */
    int memoryUsed() { return memory; }

    int inProgress() { return datagrams.size(); }

    private static boolean overlaps(Datagram<?> d, int start, int end) {
        Map.Entry<Integer, byte[]> below = d.fragments.floorEntry(start);
        if (below != null && below.getKey() + below.getValue().length > start) return true;
        if (below != null && below.getKey() == start) return true; // same start, different length
        Map.Entry<Integer, byte[]> above = d.fragments.higherEntry(start);
        return above != null && above.getKey() < end;
    }

    private Refused<H> discard(K key, Datagram<H> d, String counter, String reason) {
        remove(key, d);
        return new Refused<>(counter, reason, true);
    }

    private void remove(K key, Datagram<H> d) {
        datagrams.remove(key);
        memory -= d.memory;
        budget.used -= d.memory;
    }
}
