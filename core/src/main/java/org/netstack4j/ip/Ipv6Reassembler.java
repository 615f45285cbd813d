package org.netstack4j.ip;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.netstack4j.time.Time;
import org.netstack4j.wire.Icmpv6Repr;
import org.netstack4j.wire.Ipv6Address;
import org.netstack4j.wire.Ipv6Chain;
import org.netstack4j.wire.Ipv6Repr;

/**
 * IPv6 reassembly (RFC 8200 4.5) over {@link FragmentTable}. Fragments are keyed by (source,
 * destination, Fragment Identification); {@link Ipv6Chain} has already applied the per-fragment
 * rules (M set and length not a multiple of 8, offset + length beyond 65535, RFC 7112's
 * incomplete first fragment: all answered with a Parameter Problem) and handles atomic
 * fragments in isolation (RFC 6946), so only real fragments come here.
 *
 * <p>The reassembled packet is the first fragment's unfragmentable part (its IPv6 header and
 * the extension headers before the Fragment header) with the Payload Length recomputed and the
 * Next Header of its last header taken from the first fragment's Fragment header, followed by
 * the fragmentable parts in order. Overlapping fragments discard the datagram (RFC 5722), exact
 * duplicates are ignored, and a datagram not completed within 60 seconds of its first arriving
 * fragment is abandoned; if its offset-zero fragment came, the source is sent an ICMPv6 Time
 * Exceeded, code 1, quoting that fragment.
 */
final class Ipv6Reassembler {
    /** RFC 8200 4.5: "within 60 seconds of the reception of the first-arriving fragment". */
    static final long TIMEOUT_NS = Time.s(60);
    static final int MAX_FRAGMENTS = 128;
    /** Where the fixed header's Next Header byte sits (RFC 8200 3). */
    private static final int NEXT_HEADER_FIELD = 6;

    record Key(Ipv6Address src, Ipv6Address dst, int identification) {}

    /** What the offset-zero fragment leaves for the whole packet: its header and unfragmentable part. */
    record First(Ipv6Repr ip, int unfragmentableLength, int nextHeaderAt, int nextHeader) {}

    sealed interface Result permits Incomplete, Complete, Dropped {}

    record Incomplete() implements Result {}

    /** The reassembled packet (IPv6 header first), to go through input again. */
    record Complete(byte[] packet) implements Result {}

    /** Not kept; counted as "ipv6.reasm." + counter. */
    record Dropped(String counter, String reason, boolean datagramDiscarded) implements Result {}

    /** A datagram abandoned: {@code first} and {@code quote} (its first fragment as received, cut to what ICMPv6 quotes) or null. */
    record Expired(Key key, Ipv6Repr first, byte[] quote) {}

    private static final Incomplete INCOMPLETE = new Incomplete();

    private final FragmentTable<Key, First> table;

    Ipv6Reassembler(FragmentTable.Budget budget) {
        this.table = new FragmentTable<>(TIMEOUT_NS, MAX_FRAGMENTS, budget);
    }

    /** Adds the fragment at buf[off ..] (header {@code ip}) that the chain walk found ({@code r}). */
    Result add(long now, Ipv6Repr ip, Ipv6Chain.Verdict.Reassemble r, byte[] buf, int off) {
        int start = r.fragment().fragmentOffset();
        First first = null;
        byte[] quote = null;
        if (start == 0) {
            // the header that names the Fragment header: the IPv6 header, or the extension header before it
            List<Ipv6Chain.Entry> h = r.headers();
            int nextHeaderAt = h.size() < 2 ? NEXT_HEADER_FIELD : h.get(h.size() - 2).offset();
            first = new First(ip, r.fragmentHeaderOffset(), nextHeaderAt, r.fragment().nextHeader());
            // the chain walk bounds the unfragmentable part (1024 bytes of extension headers), so it fits in the quote
            int total = Math.max(ip.totalLength(), r.fragmentHeaderOffset());
            quote = Arrays.copyOfRange(buf, off, off + Math.min(total, Icmpv6Repr.MAX_ERROR_LENGTH - Icmpv6Repr.HEADER_LENGTH));
        }
        Key key = new Key(ip.src(), ip.dst(), r.fragment().identification());
        return switch (table.add(now, key, start, r.dataLength(), !r.fragment().more(), buf, off + r.dataOffset(),
                first, quote, quote == null ? 0 : quote.length)) {
            case FragmentTable.Stored<First> _ -> INCOMPLETE;
            case FragmentTable.Refused<First> x -> new Dropped(x.counter(), x.reason(), x.datagramDiscarded());
            case FragmentTable.Whole<First> w -> packet(w.first(), w.quote(), w.data());
        };
    }

    private static Result packet(First f, byte[] quote, byte[] data) {
        int payloadLength = f.unfragmentableLength() - Ipv6Repr.HEADER_LENGTH + data.length;
        if (payloadLength > Ipv6Repr.MAX_PAYLOAD_LENGTH)
            return new Dropped("invalid", "reassembled packet exceeds 65535 bytes of payload", true);
        byte[] packet = new byte[f.unfragmentableLength() + data.length];
        Ipv6Repr h = f.ip();
        new Ipv6Repr(h.trafficClass(), h.flowLabel(), payloadLength, h.nextHeader(), h.hopLimit(), h.src(), h.dst()).emit(packet, 0);
        // the extension headers of the unfragmentable part are in the quote kept with the first fragment
        System.arraycopy(quote, Ipv6Repr.HEADER_LENGTH, packet, Ipv6Repr.HEADER_LENGTH,
                f.unfragmentableLength() - Ipv6Repr.HEADER_LENGTH);
        packet[f.nextHeaderAt()] = (byte) f.nextHeader();
        System.arraycopy(data, 0, packet, f.unfragmentableLength(), data.length);
        return new Complete(packet);
    }

    List<Expired> expire(long now) {
        List<Expired> out = new ArrayList<>();
        for (FragmentTable.Expired<Key, First> e : table.expire(now))
            out.add(new Expired(e.key(), e.first() == null ? null : e.first().ip(), e.quote()));
        return out;
    }

    long nextDeadline() { return table.nextDeadline(); }

    int memoryUsed() { return table.memoryUsed(); }

    int inProgress() { return table.inProgress(); }
}
