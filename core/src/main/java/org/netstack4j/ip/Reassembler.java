package org.netstack4j.ip;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.netstack4j.time.Time;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv4Repr;

/**
 * IPv4 reassembly (RFC 791 3.2, RFC 815). Datagrams are keyed by (src, dst, protocol,
 * identification); fragments are kept by offset and the datagram is complete when the last
 * fragment (MF clear) has fixed the length and the bytes received add up to it.
 *
 * <p>Policy, chosen to keep memory bounded against a hostile sender:
 * <ul>
 * <li>an exact duplicate (same offset and length) is ignored; any other overlap discards the
 *     whole datagram (the RFC 5722 rule, which Linux also applies to IPv4 since 2018);
 * <li>a datagram may not exceed 65535 bytes (RFC 791 total length; the "ping of death") nor
 *     {@link #MAX_FRAGMENTS} fragments;
 * <li>all datagrams together may hold at most {@link #MAX_MEMORY} bytes, each fragment
 *     costing its payload plus {@link #FRAGMENT_OVERHEAD}; a fragment that does not fit is
 *     dropped (datagrams already in progress are not evicted);
 * <li>a datagram not completed {@link #TIMEOUT_NS} after its first fragment arrived is
 *     discarded and its memory released (RFC 1122 3.3.2; Linux ipfrag_time).
 * </ul>
 */
final class Reassembler {
    static final long TIMEOUT_NS = Time.s(30);
    static final int MAX_DATAGRAM_LENGTH = 65535;
    static final int MAX_FRAGMENTS = 128;
    static final int MAX_MEMORY = 256 * 1024;
    static final int FRAGMENT_OVERHEAD = 32;
    /** RFC 792: an ICMP error quotes the IP header plus the first 64 bits of the data. */
    static final int QUOTE_DATA = 8;

    record Key(Ipv4Address src, Ipv4Address dst, int protocol, int identification) {}

    sealed interface Result permits Incomplete, Complete, Dropped {}

    /** Stored; more fragments needed. */
    record Incomplete() implements Result {}

    /** The whole datagram: the first fragment's header (MF clear, offset 0) and the payload. */
    record Complete(Ipv4Repr header, byte[] payload) implements Result {}

    /**
     * The fragment was not kept: {@code counter} names why ("duplicates", "overlaps",
     * "invalid", "memory_full", "too_many_fragments"; counted as "ipv4.reasm." + counter), {@code reason} says it in words,
     * {@code datagramDiscarded} whether the datagram in progress was thrown away too.
     */
    record Dropped(String counter, String reason, boolean datagramDiscarded) implements Result {}

    /**
     * A datagram that timed out. {@code quote} is the first fragment's header plus up to 8
     * data bytes (for ICMP time exceeded, RFC 792), null if that fragment never arrived.
     */
    record Expired(Key key, Ipv4Repr first, byte[] quote) {}

    private static final Incomplete INCOMPLETE = new Incomplete();

    private static final class Datagram {
        final long deadline;
        final TreeMap<Integer, byte[]> fragments = new TreeMap<>();
        int end = -1;      // payload length, once the last fragment arrived
        int received;      // payload bytes held
        int memory;        // accounted bytes
        Ipv4Repr first;    // header of the fragment at offset 0
        byte[] quote;

        Datagram(long deadline) { this.deadline = deadline; }
    }

    private final LinkedHashMap<Key, Datagram> datagrams = new LinkedHashMap<>();
    private int memory;

    /**
     * Adds the fragment whose (already validated) header is {@code ip} and whose raw packet
     * starts at buf[off] (header there, payload at off + ip.headerLength()).
     */
    Result add(long now, Ipv4Repr ip, byte[] buf, int off) {
        int start = ip.fragmentOffset();
        int len = ip.payloadLength();
        int endOff = start + len;
        boolean last = !ip.moreFragments();
        // RFC 791: every fragment but the last carries a non-zero multiple of 8 data bytes.
        if (!last && (len == 0 || (len & 7) != 0))
            return new Dropped("invalid", "non-last fragment length " + len + " not a positive multiple of 8", false);
        if (ip.headerLength() + endOff > MAX_DATAGRAM_LENGTH)
            return new Dropped("invalid", "fragment ends at " + endOff + ": datagram would exceed 65535 bytes", false);

        Key key = new Key(ip.src(), ip.dst(), ip.protocol(), ip.identification());
        Datagram d = datagrams.get(key);
        if (d != null) {
            if (last && d.end >= 0 && d.end != endOff) return discard(key, d, "invalid", "two last fragments disagree on the length");
            int known = d.fragments.isEmpty() ? 0 : d.fragments.lastKey() + d.fragments.lastEntry().getValue().length;
            if (last && known > endOff) return discard(key, d, "invalid", "data beyond the last fragment");
            if (!last && d.end >= 0 && endOff > d.end) return discard(key, d, "invalid", "fragment beyond the last fragment");
            byte[] same = d.fragments.get(start);
            if (same != null && same.length == len) return new Dropped("duplicates", "duplicate fragment at offset " + start, false);
            if (overlaps(d, start, endOff)) return discard(key, d, "overlaps", "fragment at offset " + start + " overlaps another");
            if (d.fragments.size() >= MAX_FRAGMENTS)
                return discard(key, d, "too_many_fragments", "more than " + MAX_FRAGMENTS + " fragments");
        }
        int cost = len + FRAGMENT_OVERHEAD;
        if (memory + cost > MAX_MEMORY)
            return new Dropped("memory_full", "reassembly memory full (" + memory + " of " + MAX_MEMORY + " bytes)", false);
        if (d == null) {
            d = new Datagram(now + TIMEOUT_NS);
            datagrams.put(key, d);
        }
        int poff = off + ip.headerLength();
        d.fragments.put(start, Arrays.copyOfRange(buf, poff, poff + len));
        d.received += len;
        d.memory += cost;
        memory += cost;
        if (start == 0) {
            d.first = ip;
            d.quote = Arrays.copyOfRange(buf, off, poff + Math.min(len, QUOTE_DATA));
        }
        if (last) d.end = endOff;
        if (d.end < 0 || d.first == null || d.received != d.end) return INCOMPLETE;

        // No overlaps are ever stored, so received == end means [0, end) is covered.
        remove(key, d);
        if (d.first.headerLength() + d.end > MAX_DATAGRAM_LENGTH)
            return new Dropped("invalid", "reassembled datagram exceeds 65535 bytes", true);
        byte[] payload = new byte[d.end];
        for (Map.Entry<Integer, byte[]> f : d.fragments.entrySet())
            System.arraycopy(f.getValue(), 0, payload, f.getKey(), f.getValue().length);
        Ipv4Repr h = d.first;
        Ipv4Repr whole = new Ipv4Repr(h.tos(), h.identification(), h.dontFragment(), false, 0, h.ttl(),
                h.protocol(), h.src(), h.dst(), h.options(), d.end);
        return new Complete(whole, payload);
    }

    /** Discards every datagram whose timer ran out at {@code now}; returns them. */
    List<Expired> expire(long now) {
        List<Expired> out = new ArrayList<>();
        // Every datagram gets the same timeout, so insertion order is deadline order.
        for (Iterator<Map.Entry<Key, Datagram>> it = datagrams.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            Datagram d = e.getValue();
            if (d.deadline > now) break;
            it.remove();
            memory -= d.memory;
            out.add(new Expired(e.getKey(), d.first, d.quote));
        }
        return out;
    }

    long nextDeadline() {
        return datagrams.isEmpty() ? Time.NEVER : datagrams.values().iterator().next().deadline;
    }

    /** Bytes currently accounted to datagrams in progress. */
    int memoryUsed() { return memory; }

    int inProgress() { return datagrams.size(); }

    private static boolean overlaps(Datagram d, int start, int end) {
        Map.Entry<Integer, byte[]> below = d.fragments.floorEntry(start);
        if (below != null && below.getKey() + below.getValue().length > start) return true;
        if (below != null && below.getKey() == start) return true; // same start, different length
        Map.Entry<Integer, byte[]> above = d.fragments.higherEntry(start);
        return above != null && above.getKey() < end;
    }

    private Dropped discard(Key key, Datagram d, String counter, String reason) {
        remove(key, d);
        return new Dropped(counter, reason, true);
    }

    private void remove(Key key, Datagram d) {
        datagrams.remove(key);
        memory -= d.memory;
    }
}
