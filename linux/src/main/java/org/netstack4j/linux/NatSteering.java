package org.netstack4j.linux;

import java.util.List;

import org.netstack4j.filter.NatConfig;

/**
 * Which queue of a multi-queue {@link TunRouter} must handle a packet sent to a masquerading
 * address: the one whose NAT handed out its destination port (ICMP: identifier), each queue's NAT
 * having its own slice of the ports ({@link NatConfig#withSlice}).
 *
 * <p>Why replies can arrive elsewhere: the TUN driver sends a flow to the queue it was last
 * written from (automq's flow table, keyed by the symmetric flow hash), so a reply to a
 * translated flow normally reaches the queue that translated it. But the table forgets a flow
 * after 3 s without a write from our side (TUN_FLOW_EXPIRE), and then the queue is picked by the
 * hash of the translated 5-tuple, which after SNAT differs from the one the inside used: the reply
 * would meet a NAT without its mapping and be taken for a packet to the router itself (the queue
 * resets the connection). Busy flows see it too, rarely: 44 of 36,970 forwarded datagrams in
 * RouteInteropTest.twoQueuesWithMasquerade came in on the other queue, and without the hand-off
 * its downloads stalled. The reader
 * thread that reads such a packet hands it to the owning queue instead. An ICMP error from
 * outside goes by the source port of the datagram it quotes (RFC 5508 7.1). Port forwards are in
 * every queue's NAT and stay where the kernel put them.
 */
final class NatSteering {
    private final List<NatConfig> nats;
    private final byte[][] external;

    /** {@code nats}: one queue's NAT configurations (any queue's: only their ports, forwards and slice count are read). */
    NatSteering(List<NatConfig> nats) {
        this.nats = List.copyOf(nats);
        this.external = new byte[nats.size()][];
        for (int i = 0; i < nats.size(); i++) external[i] = nats.get(i).external().toBytes();
    }

    /** The queue that holds the mapping of packet {@code p} (a bare IPv4 or IPv6 packet), or -1: the queue that read it. */
    int ownerOf(byte[] p) {
        if (p.length < 20) return -1;
        int version = (p[0] & 0xf0) >>> 4;
        int l4, proto, dst, alen;
        if (version == 4) {
            if ((((p[6] & 0x1f) << 8) | (p[7] & 0xff)) != 0) return -1; // a later fragment: no ports
            l4 = (p[0] & 0x0f) * 4;
            proto = p[9] & 0xff;
            dst = 16;
            alen = 4;
        } else if (version == 6 && p.length >= 40) {
            l4 = 40; // (a packet with extension headers stays where it is)
            proto = p[6] & 0xff;
            dst = 24;
            alen = 16;
        } else {
            return -1;
        }
        for (int i = 0; i < external.length; i++) {
            byte[] x = external[i];
            if (x.length != alen || !java.util.Arrays.equals(p, dst, dst + alen, x, 0, alen)) continue;
            NatConfig nat = nats.get(i);
            return switch (proto) {
                case 6, 17 -> l4 + 4 > p.length ? -1 : nat.sliceOf(proto, u16(p, l4 + 2));
                case 1, 58 -> icmpOwner(nat, x, p, l4, proto);
                default -> -1;
            };
        }
        return -1;
    }

    private static int icmpOwner(NatConfig nat, byte[] x, byte[] p, int l4, int proto) {
        if (l4 + 8 > p.length) return -1;
        int type = p[l4] & 0xff;
        boolean v4 = proto == 1;
        if (type == (v4 ? 0 : 129)) return nat.sliceOf(proto, u16(p, l4 + 4)); // echo reply: its identifier
        boolean error = v4 ? type == 3 || type == 11 || type == 12 : type >= 1 && type <= 4;
        if (!error) return -1;
        // the quoted datagram is one this NAT sent: its source is the external address
        int q = l4 + 8, ql4, qproto, qsrc;
        if (v4) {
            if (q + 20 > p.length || (p[q] & 0xf0) != 0x40) return -1;
            ql4 = q + (p[q] & 0x0f) * 4;
            qproto = p[q + 9] & 0xff;
            qsrc = q + 12;
        } else {
            if (q + 40 > p.length || (p[q] & 0xf0) != 0x60) return -1;
            ql4 = q + 40;
            qproto = p[q + 6] & 0xff;
            qsrc = q + 8;
        }
        if (!java.util.Arrays.equals(p, qsrc, qsrc + x.length, x, 0, x.length)) return -1;
        if (qproto == 6 || qproto == 17) return ql4 + 2 > p.length ? -1 : nat.sliceOf(qproto, u16(p, ql4));
        if (qproto == proto && ql4 + 6 <= p.length && (p[ql4] & 0xff) == (v4 ? 8 : 128))
            return nat.sliceOf(proto, u16(p, ql4 + 4)); // an error about an echo request: its identifier
        return -1;
    }

    private static int u16(byte[] p, int at) { return ((p[at] & 0xff) << 8) | (p[at + 1] & 0xff); }
}
