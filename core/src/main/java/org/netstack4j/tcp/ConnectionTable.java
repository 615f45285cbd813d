package org.netstack4j.tcp;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.SipHash;

/**
 * The demultiplexing table of one layer: connections by 4-tuple (RFC 9293 3.3.1 "socket pair"),
 * an open-addressing hash table of the connections themselves (the connection holds its own
 * 4-tuple, so a table entry is one reference: a few bytes per connection where a map costs an
 * entry and a key object). Linear probing, deletion by backward shift, load at most 1/2. The hash
 * is SipHash keyed from the layer's seed, so a peer choosing ports cannot aim at one chain
 * (DESIGN.md 10: nothing an attacker can push grows without bound, including probe lengths).
 */
final class ConnectionTable {
    private final SipHash hash;
    private TcpConnection[] slots = new TcpConnection[16];
    private int size;
    // The connection found last: a segment usually belongs to the same connection as the one
    // before (a bulk transfer), and comparing its 4-tuple is cheaper than hashing. Cleared
    // whenever it leaves the table or another connection takes its 4-tuple.
    private TcpConnection last;

    ConnectionTable(long seed) {
        SplittableRandom r = new SplittableRandom(seed ^ 0x5ca1ab1e0ddba11L);
        this.hash = new SipHash(r.nextLong(), r.nextLong());
    }

    int size() { return size; }

    private int slot(IpAddress local, int localPort, IpAddress remote, int remotePort) {
        long h = hash.hash(local, remote, ((long) localPort << 16) | remotePort);
        return (int) (h ^ (h >>> 32)) & (slots.length - 1);
    }

    private static boolean matches(TcpConnection c, IpAddress local, int localPort, IpAddress remote, int remotePort) {
        return c.localPort() == localPort && c.remotePort() == remotePort
                && c.localAddress().equals(local) && c.remoteAddress().equals(remote);
    }

    TcpConnection get(IpAddress local, int localPort, IpAddress remote, int remotePort) {
        TcpConnection l = last;
        if (l != null && matches(l, local, localPort, remote, remotePort)) return l;
        int mask = slots.length - 1;
        for (int i = slot(local, localPort, remote, remotePort); ; i = (i + 1) & mask) {
            TcpConnection c = slots[i];
            if (c == null) return null;
            if (matches(c, local, localPort, remote, remotePort)) return last = c;
        }
    }

    /** Adds c, replacing a connection with the same 4-tuple (returned), as Map.put did. */
    TcpConnection put(TcpConnection c) {
        if (2 * (size + 1) > slots.length) resize(slots.length * 2);
        int mask = slots.length - 1;
        for (int i = slot(c.localAddress(), c.localPort(), c.remoteAddress(), c.remotePort()); ; i = (i + 1) & mask) {
            TcpConnection x = slots[i];
            if (x == null) {
                slots[i] = c;
                size++;
                return null;
            }
            if (matches(x, c.localAddress(), c.localPort(), c.remoteAddress(), c.remotePort())) {
                slots[i] = c;
                if (last == x) last = null;
                return x;
            }
        }
    }

    /** Removes c itself (not another connection with its 4-tuple); false if c is not in the table. */
    boolean remove(TcpConnection c) {
        int mask = slots.length - 1;
        int i = slot(c.localAddress(), c.localPort(), c.remoteAddress(), c.remotePort());
        while (slots[i] != c) {
            if (slots[i] == null) return false;
            i = (i + 1) & mask;
        }
        if (last == c) last = null;
        // backward-shift deletion: move later members of the probe run into the hole
        int hole = i;
        for (int j = (i + 1) & mask; slots[j] != null; j = (j + 1) & mask) {
            TcpConnection x = slots[j];
            int home = slot(x.localAddress(), x.localPort(), x.remoteAddress(), x.remotePort());
            // x may move to the hole iff its home is not in (hole, j] (cyclically)
            boolean homeBetween = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
            if (!homeBetween) {
                slots[hole] = x;
                hole = j;
            }
        }
        slots[hole] = null;
        size--;
        if (slots.length > 64 && 8 * size < slots.length) resize(slots.length / 2);
        return true;
    }

    private void resize(int capacity) {
        TcpConnection[] old = slots;
        slots = new TcpConnection[capacity];
        int mask = capacity - 1;
        for (TcpConnection c : old) {
            if (c == null) continue;
            int i = slot(c.localAddress(), c.localPort(), c.remoteAddress(), c.remotePort());
            while (slots[i] != null) i = (i + 1) & mask;
            slots[i] = c;
        }
    }

    /** A snapshot of all connections in creation order. */
    List<TcpConnection> inCreationOrder() {
        List<TcpConnection> out = new ArrayList<>(size);
        for (TcpConnection c : slots) if (c != null) out.add(c);
        out.sort(Comparator.comparingLong(c -> c.order));
        return out;
    }

    @Override public String toString() { return "ConnectionTable[" + size + "/" + slots.length + "]"; }
}
