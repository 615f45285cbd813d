package org.netstack4j.linux;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The fair part of the receive queue's shed (issue 20): remote addresses that have sent us a TCP
 * segment with ACK and without SYN, i.e. that completed a handshake (a SYN,ACK or cookie reached
 * them, which a spoofed source never does: RFC 4987 2.2). When the loop falls behind under a SYN
 * flood, a connection request from such a source is not shed with the flood's (the flood's sources
 * are random, so they are new) but is kept like the segments of open connections: a client that
 * connected before (a browser's next connection, a curl loop) keeps connecting through the flood.
 * A first-time client is shed with the flood's probability as before.
 *
 * <p>A lossy exact-match table of {@link #SLOTS} entries (slot and tag: one keyed 64-bit hash of
 * the address, IPv4 or IPv6), shared by the reader threads of all the shards of a TUN (plain
 * reads and writes of an {@link AtomicLongArray}: a lost race loses one entry, no more). A SYN
 * flood never writes to it (SYNs teach nothing); an ACK flood from random spoofed sources can
 * evict entries, and then the shed is what it was without this table. Not a security boundary: a
 * spoofed SYN from a known address is kept too, but it costs the flood more than it gains (it
 * must know the address and still fills only the half of the queue kept for real traffic).
 */
final class KnownSources {
    /** Entries (a power of two). */
    static final int SLOTS = 1 << 14;
    private final AtomicLongArray table = new AtomicLongArray(SLOTS);
    private final long k0, k1;

    KnownSources(long seed) {
        SplittableRandom r = new SplittableRandom(seed ^ 0x4B4E4F57L);
        this.k0 = r.nextLong();
        this.k1 = r.nextLong();
    }

    /**
     * On a reader thread, for every frame read: remembers the source of a TCP segment with ACK and
     * without SYN. Returns true if the frame is a connection request (SYN without ACK) from a known
     * source.
     */
    boolean observe(byte[] p) {
        int t = tcpOffset(p);
        if (t < 0) return false;
        int flags = p[t + 13] & 0x12;
        if (flags == 0x10) {
            long h = hash(p);
            if (h != 0) {
                int s = slot(h);
                if (table.getPlain(s) != h) table.setPlain(s, h); // read first: no cache-line ping-pong between shards
            }
            return false;
        }
        return flags == 0x02 && known(p);
    }

    /** True if {@code p}'s source address sent a segment with ACK and without SYN (and is still in the table). */
    boolean known(byte[] p) {
        long h = hash(p);
        return h != 0 && table.getPlain(slot(h)) == h;
    }

    private static int slot(long h) { return (int) (h >>> 40) & (SLOTS - 1); }

    /** Where a TCP header with its flags byte starts (IPv4 first fragments; IPv6 without extension headers), or -1. */
    private static int tcpOffset(byte[] p) {
        int t = TunShards.Steering.transportOffset(p);
        return t >= 0 && TunShards.Steering.protocol(p) == 6 && t + 14 <= p.length ? t : -1;
    }

    /** A keyed hash of the packet's source address, never 0 for a valid packet; 0 if there is none. */
    private long hash(byte[] p) {
        if (p.length < 20) return 0;
        int v = (p[0] & 0xf0) >>> 4;
        int at, len;
        if (v == 4) {
            at = 12;
            len = 4;
        } else if (v == 6 && p.length >= 40) {
            at = 8;
            len = 16;
        } else {
            return 0;
        }
        long h = k0 ^ len;
        for (int i = 0; i < len; i++) h = (h ^ (p[at + i] & 0xff)) * 0x100000001b3L;
        h ^= k1;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h == 0 ? 1 : h;
    }
}
