package org.netstack4j.ip;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.netstack4j.time.Time;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv4Repr;

/**
 * IPv4 reassembly (RFC 791 3.2, RFC 815) over {@link FragmentTable}. Datagrams are keyed by
 * (src, dst, protocol, identification); fragments are kept by offset and the datagram is
 * complete when the last fragment (MF clear) has fixed the length and the bytes received add
 * up to it.
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
    static final int FRAGMENT_OVERHEAD = FragmentTable.FRAGMENT_OVERHEAD;
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

    private final FragmentTable<Key, Ipv4Repr> table;

    Reassembler() { this(new FragmentTable.Budget(MAX_MEMORY)); }

    /** With a memory budget shared with the IPv6 reassembly of the same stack. */
    Reassembler(FragmentTable.Budget budget) {
        this.table = new FragmentTable<>(TIMEOUT_NS, MAX_FRAGMENTS, budget);
    }

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
        int poff = off + ip.headerLength();
        byte[] quote = start == 0 ? Arrays.copyOfRange(buf, off, poff + Math.min(len, QUOTE_DATA)) : null;
        Key key = new Key(ip.src(), ip.dst(), ip.protocol(), ip.identification());
        return switch (table.add(now, key, start, len, last, buf, poff, ip, quote, 0)) {
            case FragmentTable.Stored<Ipv4Repr> _ -> INCOMPLETE;
            case FragmentTable.Refused<Ipv4Repr> r -> new Dropped(r.counter(), r.reason(), r.datagramDiscarded());
            case FragmentTable.Whole<Ipv4Repr> w -> {
                Ipv4Repr h = w.first();
                if (h.headerLength() + w.data().length > MAX_DATAGRAM_LENGTH)
                    yield new Dropped("invalid", "reassembled datagram exceeds 65535 bytes", true);
                yield new Complete(new Ipv4Repr(h.tos(), h.identification(), h.dontFragment(), false, 0, h.ttl(),
                        h.protocol(), h.src(), h.dst(), h.options(), w.data().length), w.data());
            }
        };
    }

    /** Discards every datagram whose timer ran out at {@code now}; returns them. */
    List<Expired> expire(long now) {
        List<Expired> out = new ArrayList<>();
        for (FragmentTable.Expired<Key, Ipv4Repr> e : table.expire(now)) out.add(new Expired(e.key(), e.first(), e.quote()));
        return out;
    }

    long nextDeadline() { return table.nextDeadline(); }

    /** Bytes currently accounted to datagrams in progress. */
    int memoryUsed() { return table.memoryUsed(); }

    int inProgress() { return table.inProgress(); }
}
