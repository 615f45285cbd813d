package org.netstack4j.ip;

import org.netstack4j.device.offload.Segmentation;
import org.netstack4j.trace.Counters.Counter;
import org.netstack4j.trace.DropReason;
import org.netstack4j.wire.EthernetRepr;
import org.netstack4j.wire.Icmpv6Repr;
import org.netstack4j.wire.Ipv6Address;
import org.netstack4j.wire.Ipv6Repr;

/**
 * IPv6 forwarding (RFC 8200, RFC 4443), off unless {@link IpStack#setIpv6Forwarding}: a packet
 * not addressed to us is checked (addresses never forwarded: unspecified, loopback, multicast,
 * IPv4-mapped; link-local sources and destinations stay on their link, RFC 4291 2.5.6), its hop
 * limit decremented (RFC 8200 3; the IPv6 header has no checksum to update), routed by
 * longest-prefix match and sent out of the next hop's interface whole: a router never fragments
 * IPv6 (RFC 8200 5), a packet bigger than the next hop's MTU gets a Packet Too Big with that MTU
 * (RFC 4443 3.2). Extension headers, fragments included, pass untouched (RFC 8200 4: examined
 * only at the destination; we process no Hop-by-Hop options). Errors go out through
 * {@link Icmpv6#sendError}, which applies RFC 4443 2.4 (e) and the rate limit; a link-local
 * source gets "beyond scope of source address" by its own link. A netfilter sees each packet
 * at pre-routing ({@link Ipv6#input}, before the route decision: NAT66 may change it), then
 * FORWARD and post-routing here; with one set, fragments reach here gathered ({@link Defrag6})
 * and leave as they came, or cut again when NAT changed the packet. Counters:
 * ipv6.fwd.* and per interface ipv6.fwd.&lt;name&gt;.in / .out.
 */
final class Forwarding6 {
    private final IpStack stack;
    private final Ipv6Counters c;
    private final IpTrace trace;
    private final Ethernet ethernet;
    private final Ipv6 ipv6;
    private final Icmpv6 icmpv6;
    private final Counter datagrams, gsoForwarded, dropMartian, dropScope, dropHopLimit, dropNoRoute, dropSameIface, dropTooBig;
    private final LinkCounters perLink;
    private boolean enabled;

    Forwarding6(IpStack stack, Ipv6Counters c, IpTrace trace, Ethernet ethernet, Ipv6 ipv6, Icmpv6 icmpv6) {
        this.stack = stack;
        this.c = c;
        this.trace = trace;
        this.ethernet = ethernet;
        this.ipv6 = ipv6;
        this.icmpv6 = icmpv6;
        datagrams = c.named("ipv6.fwd.datagrams");
        gsoForwarded = c.named("ipv6.fwd.gso_packets");
        perLink = new LinkCounters(c::named, "ipv6.fwd");
        dropMartian = c.named("ipv6.fwd.drop.martian");
        dropScope = c.named("ipv6.fwd.drop.link_local");
        dropHopLimit = c.named("ipv6.fwd.drop.hop_limit_exceeded");
        dropNoRoute = c.named("ipv6.fwd.drop.no_route");
        dropSameIface = c.named("ipv6.fwd.drop.same_interface");
        dropTooBig = c.named("ipv6.fwd.drop.too_big");
    }

    boolean enabled() { return enabled; }

    void setEnabled(boolean on) { enabled = on; }

    /**
     * Addresses no router forwards, as source or destination: :: (RFC 4291 2.5.2), ::1 (2.5.3),
     * multicast (we do no multicast routing; as a source it is invalid, 2.7) and IPv4-mapped
     * addresses, which belong to a node's API, never to the wire (RFC 4291 2.5.5.2, RFC 4942 2.2).
     */
    static boolean isMartian(Ipv6Address a) {
        return a.isUnspecified() || a.isLoopback() || a.isMulticast() || a.isIpv4Mapped();
    }

    /**
     * A packet received on {@code in} for someone else, buf[off .. off+ip.totalLength()); the
     * caller has checked that it did not arrive as link-layer multicast. {@code gathered} not
     * null: buf is a packet reassembled for the netfilter ({@link Defrag6}), which leaves as the
     * fragments that came, or cut again when NAT changed it. {@code hooks}: the netfilter, whose
     * pre-routing the caller ran (null: none).
     */
    void forward(long now, Link in, Ipv6Repr ip, byte[] buf, int off, Defrag6.Gathered gathered, Hooks hooks) {
        counter(in, true).increment();
        int total = ip.totalLength();
        if (isMartian(ip.src()) || isMartian(ip.dst())) {
            dropMartian.increment();
            trace.drop(now, "ipv6", DropReason.BAD_ADDRESS, "address never forwarded (RFC 4291)", ip.toString());
            return;
        }
        // RFC 4291 2.5.6: routers must not forward packets with link-local source or destination
        // addresses to other links. A link-local destination that is not ours names no one beyond
        // this link: dropped. A link-local source is answered below, once the route is known.
        if (ip.dst().isLinkLocal()) {
            dropScope.increment();
            trace.drop(now, "ipv6", DropReason.BAD_ADDRESS, "link-local address not forwarded (RFC 4291 2.5.6)", ip.toString());
            return;
        }
        // RFC 8200 3: the node that would decrement the hop limit to zero discards the packet and
        // sends Time Exceeded, code 0 (RFC 4443 3.3).
        if (ip.hopLimit() <= 1) {
            dropHopLimit.increment();
            trace.drop(now, "ipv6", DropReason.POLICY, "hop limit exceeded in transit", ip.toString());
            error(now, in, ip, buf, off, total,
                    new Icmpv6Repr.TimeExceeded(Icmpv6Repr.CODE_HOP_LIMIT_EXCEEDED, new byte[0]));
            return;
        }
        RoutingTable.NextHop6 nh = stack.routes().lookup(ip.dst());
        Link outLink = nh == null ? null : stack.linkOf(nh.iface());
        Ipv6Link out = ipv6.of(outLink);
        if (out == null) {
            // RFC 4443 3.1: code 0, no route to destination
            dropNoRoute.increment();
            trace.drop(now, "ipv6", DropReason.NO_ROUTE, "no route (forwarding)", ip.toString());
            error(now, in, ip, buf, off, total,
                    new Icmpv6Repr.DestinationUnreachable(Icmpv6Repr.CODE_NO_ROUTE, new byte[0]));
            return;
        }
        // RFC 4443 3.1 (code 2) and RFC 4007 9: a packet whose link-local source would leave its
        // link is answered "beyond scope of source address", by the link it came from (as Linux's
        // ip6_forward; rate limited with every error, RFC 4443 2.4 (f))
        if (ip.src().isLinkLocal()) {
            dropScope.increment();
            trace.drop(now, "ipv6", DropReason.BAD_ADDRESS, "link-local source beyond its scope (RFC 4291 2.5.6)", ip.toString());
            error(now, in, ip, buf, off, total,
                    new Icmpv6Repr.DestinationUnreachable(Icmpv6Repr.CODE_BEYOND_SCOPE, new byte[0]));
            return;
        }
        // As for IPv4: back out of the incoming interface only towards another neighbour on a
        // shared link; on a point-to-point link (TUN) or to the sender itself it would loop.
        // RFC 4443 3.1: code 3, address unreachable.
        if (outLink == in && (!outLink.ethernet || nh.address().equals(ip.src()))) {
            dropSameIface.increment();
            trace.drop(now, "ipv6", DropReason.NO_ROUTE, "route points back out of " + in.iface.name(), ip.toString());
            error(now, in, ip, buf, off, total,
                    new Icmpv6Repr.DestinationUnreachable(Icmpv6Repr.CODE_ADDRESS_UNREACHABLE, new byte[0]));
            return;
        }
        // RFC 8200 5 and RFC 4443 3.2: no fragmentation on the way; Packet Too Big with the MTU
        // of the next-hop link (never under 1280, the IPv6 minimum link MTU).
        int mtu = Math.max(out.mtu, Ipv6Repr.MIN_MTU);
        // A GRO super-packet (Link#rxSegmentSize) stands for segments of its headers plus that
        // payload: they, not the merged whole, are what must fit the next hop.
        int seg = gathered == null ? in.rxSegmentSize : 0;
        int wire = seg > 0 && off == 0 ? Segmentation.segmentWireSize(buf, total, seg) : -1;
        if (wire < 0) seg = 0;
        else counter(in, true).add(Segmentation.segmentCount(buf, total, seg) - 1); // counted per segment
        // a reassembled packet: its fragments are what must fit (Linux: frag_max_size)
        int size = gathered != null ? gathered.maxFragmentSize() : seg > 0 ? wire : total;
        if (size > mtu) {
            dropTooBig.increment();
            trace.drop(now, "ipv6", DropReason.TOO_BIG, size + " bytes, next-hop MTU " + mtu, ip.toString());
            error(now, in, ip, buf, off, total, new Icmpv6Repr.PacketTooBig(mtu, new byte[0]));
            return;
        }
        // (pre-routing, with its checksum checks and NAT66, ran in Ipv6#input before the route decision)
        if (hooks != null && !hooks.pass(now, Hooks.Hook.FORWARD, in, outLink, buf, off, total)) return;
        int head = outLink.ethernet ? EthernetRepr.HEADER_LENGTH : 0;
        // a reassembled packet is sent as its fragments, compared with the pristine whole: copied
        byte[] frame = gathered == null ? Forwarding.outFrame(outLink, buf, off, total) : frame(outLink, buf, off, total);
        frame[head + 7] = (byte) (ip.hopLimit() - 1);
        if (hooks != null && !hooks.pass(now, Hooks.Hook.POSTROUTING, in, outLink, frame, head, total)) return;
        if (gathered != null) {
            emitGathered(now, out, nh.address(), gathered, frame, head, total, mtu);
            return;
        }
        if (seg > 0 && total > wire) {
            emitSegments(now, out, nh.address(), frame, total, seg);
            return;
        }
        datagrams.increment();
        counter(outLink, false).increment();
        transmit(now, out, nh.address(), frame);
    }

    /**
     * A forwarded TCP super-packet of segments of {@code seg} payload bytes (each fits the next
     * hop, checked above): whole to a device that cuts it (GSO), otherwise cut here. Counted
     * per segment.
     */
    private void emitSegments(long now, Ipv6Link out, Ipv6Address nextHop, byte[] frame, int total, int seg) {
        Link l = out.link;
        int n = Segmentation.segmentCount(frame, total, seg);
        if (!l.ethernet && total <= l.iface.device().gsoMaxSize() && Segmentation.toPartialChecksum(frame, total)) {
            datagrams.add(n);
            counter(l, false).add(n);
            gsoForwarded.increment();
            l.iface.device().transmitSegments(now, frame, seg);
            return;
        }
        int head = l.ethernet ? EthernetRepr.HEADER_LENGTH : 0;
        byte[] packet = head == 0 ? frame : java.util.Arrays.copyOfRange(frame, head, head + total);
        for (byte[] p : Segmentation.segment(packet, total, seg).packets()) {
            datagrams.increment();
            counter(l, false).increment();
            transmit(now, out, nextHop, head == 0 ? p : frame(l, p, 0, p.length));
        }
    }

    /**
     * A reassembled packet after the hooks: unchanged (but its hop limit), the fragments that
     * came, each with the hop limit decremented; changed by NAT, cut again to the largest size
     * that came ({@link Defrag6#refragment}). Counted per fragment sent (ipv6.fwd.defrag_*).
     */
    private void emitGathered(long now, Ipv6Link out, Ipv6Address nextHop, Defrag6.Gathered g, byte[] frame, int head,
                              int total, int mtu) {
        int hopLimit = frame[head + 7];
        byte[] pristine = g.pristine();
        boolean unchanged = pristine.length == total;
        for (int i = 0; unchanged && i < total; i++) unchanged = i == 7 || frame[head + i] == pristine[i];
        java.util.List<byte[]> pieces;
        if (unchanged) {
            pieces = g.fragments();
            c.named("ipv6.fwd.defrag_passed").increment();
        } else {
            pieces = Defrag6.refragment(g, frame, head, total, Math.min(g.maxFragmentSize(), mtu));
            c.named("ipv6.fwd.defrag_refragmented").increment();
        }
        Link l = out.link;
        for (byte[] p : pieces) {
            byte[] f = frame(l, p, 0, p.length);
            f[(l.ethernet ? EthernetRepr.HEADER_LENGTH : 0) + 7] = (byte) hopLimit;
            datagrams.increment();
            counter(l, false).increment();
            transmit(now, out, nextHop, f);
        }
    }

    /**
     * An ICMPv6 error about a packet that came in on {@code in}; to a link-local source it leaves
     * from our link-local address there, so by that link (no scope ids: {@link Ipv6#output}
     * picks the link of a link-local source address).
     */
    private void error(long now, Link in, Ipv6Repr ip, byte[] buf, int off, int total, Icmpv6Repr error) {
        Ipv6Link l6 = ipv6.of(in);
        Ipv6Link.Addr ll = l6 == null || !ip.src().isLinkLocal() ? null : l6.linkLocal();
        icmpv6.sendError(now, ip, buf, off, total, false, error, ll == null ? Ipv6Address.ANY : ll.address);
    }

    /** A whole packet made elsewhere (a netfilter's reject answer), routed by its destination; no hooks. */
    boolean sendRaw(long now, byte[] packet) {
        if (!(Ipv6Repr.parse(packet, 0, packet.length) instanceof org.netstack4j.wire.Parsed.Ok<Ipv6Repr> ok)) return false;
        RoutingTable.NextHop6 nh = stack.routes().lookup(ok.value().dst());
        Link outLink = nh == null ? null : stack.linkOf(nh.iface());
        Ipv6Link out = ipv6.of(outLink);
        if (out == null) return false;
        c.outPackets.increment();
        transmit(now, out, nh.address(), frame(outLink, packet, 0, ok.value().totalLength()));
        return true;
    }

    /** buf[off .. off+total) in a new frame for {@code out}, after room for its link header. */
    private static byte[] frame(Link out, byte[] buf, int off, int total) {
        int head = out.ethernet ? EthernetRepr.HEADER_LENGTH : 0;
        int size = head + total;
        byte[] frame = new byte[out.ethernet ? Math.max(size, Ethernet.MIN_FRAME) : size];
        System.arraycopy(buf, off, frame, head, total);
        return frame;
    }

    private void transmit(long now, Ipv6Link out, Ipv6Address nextHop, byte[] frame) {
        if (out.link.ethernet) ethernet.ipv6Output(now, out, nextHop, frame);
        else out.link.iface.device().transmit(now, frame);
    }

    private Counter counter(Link l, boolean in) { return perLink.of(l, in); }
}
