package org.netstack4j.ip;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.netstack4j.wire.Icmpv6Repr;
import org.netstack4j.wire.Ipv6Chain;
import org.netstack4j.wire.Ipv6ExtensionHeader;
import org.netstack4j.wire.Ipv6Repr;

/**
 * IPv6 reassembly for the netfilter (Linux: nf_defrag_ipv6): when hooks are set, fragments
 * arriving on a link are put together so that connection tracking, the firewall and NAT see
 * whole packets, and the fragments themselves are kept. A forwarded packet the hooks left as it
 * was leaves as the fragments that came (their hop limit decremented): RFC 8200 5, a router
 * does not fragment, and the source's Identification and sizes reach the destination unchanged.
 * A packet NAT rewrote leaves refragmented ({@link #refragment}) into pieces no bigger than the
 * largest that arrived, with the original Identification, as Linux does with frag_max_size.
 *
 * <p>Bounded like the stack's own reassembly, and against the same {@link FragmentTable.Budget}:
 * the data is held by an {@link Ipv6Reassembler} (60 s, 128 fragments a datagram), and the
 * copies of the fragments are charged to the budget as well; a fragment that does not fit is
 * dropped. Counted by the caller under ipv6.defrag.*.
 */
final class Defrag6 {
    /** A whole packet, the fragments it came as, and what refragmenting it needs. */
    record Gathered(byte[] packet, byte[] pristine, List<byte[]> fragments, int maxFragmentSize, int unfragmentable,
                    int nextHeaderAt, int identification) {}

    sealed interface Result permits Pending, Refused, Whole {}

    record Pending() implements Result {}

    /** Not kept: {@code counter} names why (ipv6.defrag.&lt;counter&gt;). */
    record Refused(String counter, String reason) implements Result {}

    record Whole(Gathered gathered) implements Result {}

    private static final Pending PENDING = new Pending();

    /** The fragments of one datagram as they came, and its first fragment's layout. */
    private static final class Originals {
        final List<byte[]> fragments = new ArrayList<>();
        int bytes;
        int unfragmentable = -1, nextHeaderAt = -1;
    }

    private final Ipv6Reassembler reassembler;
    private final FragmentTable.Budget budget;
    private final Map<Ipv6Reassembler.Key, Originals> originals = new HashMap<>();

    Defrag6(FragmentTable.Budget budget) {
        this.budget = budget;
        this.reassembler = new Ipv6Reassembler(budget);
    }

    /** Adds the fragment buf[off .. off+ip.totalLength()) that the chain walk found ({@code r}). */
    Result add(long now, Ipv6Repr ip, Ipv6Chain.Verdict.Reassemble r, byte[] buf, int off) {
        int size = ip.totalLength();
        // what the reassembler will charge (FragmentTable#add: data, overhead, the first one's quote), and the copy
        int quote = r.fragment().fragmentOffset() == 0 ? Math.min(size, Icmpv6Repr.MAX_ERROR_LENGTH - Icmpv6Repr.HEADER_LENGTH) : 0;
        if (budget.used + r.dataLength() + FragmentTable.FRAGMENT_OVERHEAD + quote + size > budget.limit)
            return new Refused("memory_full", "reassembly memory full (" + budget.used + " of " + budget.limit + " bytes)");
        Ipv6Reassembler.Key key = new Ipv6Reassembler.Key(ip.src(), ip.dst(), r.fragment().identification());
        switch (reassembler.add(now, ip, r, buf, off)) {
            case Ipv6Reassembler.Incomplete _ -> {
                keep(key, r, buf, off, size);
                return PENDING;
            }
            case Ipv6Reassembler.Dropped d -> {
                if (d.datagramDiscarded()) release(key);
                return new Refused(d.counter(), d.reason());
            }
            case Ipv6Reassembler.Complete c -> {
                Originals o = keep(key, r, buf, off, size);
                release(key);
                int max = 0;
                for (byte[] f : o.fragments) max = Math.max(max, f.length);
                return new Whole(new Gathered(c.packet(), c.packet().clone(), List.copyOf(o.fragments), max,
                        o.unfragmentable, o.nextHeaderAt, r.fragment().identification()));
            }
        }
    }

    private Originals keep(Ipv6Reassembler.Key key, Ipv6Chain.Verdict.Reassemble r, byte[] buf, int off, int size) {
        Originals o = originals.computeIfAbsent(key, k -> new Originals());
        o.fragments.add(Arrays.copyOfRange(buf, off, off + size));
        o.bytes += size;
        budget.used += size;
        if (r.fragment().fragmentOffset() == 0) {
            List<Ipv6Chain.Entry> h = r.headers();
            o.unfragmentable = r.fragmentHeaderOffset();
            o.nextHeaderAt = h.size() < 2 ? 6 : h.get(h.size() - 2).offset();
        }
        return o;
    }

    private void release(Ipv6Reassembler.Key key) {
        Originals o = originals.remove(key);
        if (o != null) budget.used -= o.bytes;
    }

    /** Datagrams abandoned at {@code now} (RFC 8200 4.5's 60 seconds), their copies released. */
    List<Ipv6Reassembler.Expired> expire(long now) {
        List<Ipv6Reassembler.Expired> out = reassembler.expire(now);
        for (Ipv6Reassembler.Expired e : out) release(e.key());
        return out;
    }

    long nextDeadline() { return reassembler.nextDeadline(); }

    int inProgress() { return reassembler.inProgress(); }

    /**
     * The packet buf[off .. off+total), a changed version of {@code g}'s, cut again (RFC 8200 4.5):
     * the unfragmentable part, a Fragment header with {@code g}'s Identification, and pieces of
     * the rest, multiples of 8 bytes but the last, each packet at most {@code maxSize} bytes.
     * Empty when the unfragmentable part leaves no room for 8 bytes of data.
     */
    static List<byte[]> refragment(Gathered g, byte[] buf, int off, int total, int maxSize) {
        int unfrag = g.unfragmentable();
        int per = (maxSize - unfrag - Ipv6ExtensionHeader.FRAGMENT_LENGTH) & ~7;
        if (per < 8) return List.of();
        int nextHeader = buf[off + g.nextHeaderAt()] & 0xff;
        int len = total - unfrag;
        List<byte[]> out = new ArrayList<>();
        for (int fo = 0; fo < len; fo += per) {
            int fl = Math.min(per, len - fo);
            byte[] p = new byte[unfrag + Ipv6ExtensionHeader.FRAGMENT_LENGTH + fl];
            System.arraycopy(buf, off, p, 0, unfrag);
            p[g.nextHeaderAt()] = (byte) Ipv6Repr.NH_FRAGMENT;
            int payloadLength = p.length - Ipv6Repr.HEADER_LENGTH;
            p[4] = (byte) (payloadLength >>> 8);
            p[5] = (byte) payloadLength;
            new Ipv6ExtensionHeader.Fragment(nextHeader, fo, fo + fl < len, g.identification()).emit(p, unfrag);
            System.arraycopy(buf, off + unfrag + fo, p, unfrag + Ipv6ExtensionHeader.FRAGMENT_LENGTH, fl);
            out.add(p);
        }
        return out;
    }
}
