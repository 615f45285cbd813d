package org.netstack4j.ip;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.netstack4j.path.PathMtuCache;
import org.netstack4j.trace.DropReason;
import org.netstack4j.wire.EthernetRepr;
import org.netstack4j.wire.Icmpv6Repr;
import org.netstack4j.wire.IpMeta;
import org.netstack4j.wire.Ipv6Address;
import org.netstack4j.wire.Ipv6Chain;
import org.netstack4j.wire.Ipv6ExtensionHeader;
import org.netstack4j.wire.Ipv6Repr;
import org.netstack4j.wire.Parsed;

/**
 * IPv6 input and output (RFC 8200) beside {@link Ipv4}: the interfaces' IPv6 addresses, the
 * host's accept rule (our usable unicast addresses, all-nodes and our solicited-node groups),
 * the extension header walk ({@link Ipv6Chain}: its verdict is acted on here, parameter
 * problems answered by {@link Icmpv6}), delivery to ICMPv6, UDP and the plugged-in transports
 * with an {@link IpMeta}, our own loopback queue, source address selection and the path MTU
 * cache (RFC 8201) that {@link IpStack#mtuFor} gives new connections.
 *
 * <p>A packet bigger than the path MTU is fragmented at the source (RFC 8200 4.5, 5); received
 * fragments are put together by {@link Ipv6Reassembler} and the whole packet goes through
 * input again.
 *
 * <p>Not done: scope ids (a link-local destination leaves by the first IPv6 interface).
 */
final class Ipv6 {
    static final int DEFAULT_HOP_LIMIT = 64;

    private record LocalPacket(long time, byte[] packet) {}

    private final IpStack stack;
    private final Ipv6Counters c;
    private final IpTrace trace;
    private final SplittableRandom random;
    private final List<Ipv6Link> links = new ArrayList<>();
    private final ArrayDeque<LocalPacket> localQueue = new ArrayDeque<>();
    private final Ipv6Reassembler reassembler;
    /** Reassembly for the netfilter's hooks (nf_defrag_ipv6): used only while hooks are set. */
    private final Defrag6 defrag;
    /** The stack's path MTU cache (both families; bounded, entries expire: PathMtuCache). */
    private final PathMtuCache pmtu;
    private final FlowLabels flowLabels;
    /** The latest time seen (input, output, poll): path MTU entries expire against it. */
    private long clock = Long.MIN_VALUE;
    private Ethernet ethernet;
    private Icmpv6 icmpv6;
    private Udp udp;

    Ipv6(IpStack stack, Ipv6Counters c, IpTrace trace, SplittableRandom random, FragmentTable.Budget reassemblyBudget, long labelSeed) {
        this.stack = stack;
        this.pmtu = stack.pathMtus();
        this.flowLabels = new FlowLabels(labelSeed);
        this.reassembler = new Ipv6Reassembler(reassemblyBudget);
        this.defrag = new Defrag6(reassemblyBudget);
        this.c = c;
        this.trace = trace;
        this.random = random;
    }

    void wire(Ethernet ethernet, Icmpv6 icmpv6, Udp udp) {
        this.ethernet = ethernet;
        this.icmpv6 = icmpv6;
        this.udp = udp;
    }

    // ------------------------------------------------------------------ interfaces and addresses

    List<Ipv6Link> links() { return links; }

    Ipv6Link of(Link link) {
        if (link == null) return null;
        for (int i = 0; i < links.size(); i++) if (links.get(i).link == link) return links.get(i);
        return null;
    }

    /** Enables IPv6 on {@code link} (idempotent): returns its state, new ones with no address yet. */
    Ipv6Link enable(Link link) {
        Ipv6Link l = of(link);
        if (l == null) {
            l = new Ipv6Link(link, random);
            links.add(l);
        }
        return l;
    }

    /** Our address {@code a} in any state but DUPLICATE, on whichever link. */
    Ipv6Link.Addr findAddress(Ipv6Address a) {
        for (int i = 0; i < links.size(); i++) {
            Ipv6Link.Addr x = links.get(i).find(a);
            if (x != null) return x;
        }
        return null;
    }

    boolean isLocal(Ipv6Address a) {
        if (a.isLoopback()) return true;
        for (int i = 0; i < links.size(); i++) if (links.get(i).hasUsable(a)) return true;
        return false;
    }

    /**
     * Source address selection, a small part of RFC 6724 5: the destination itself if ours; a
     * link-local destination gets our link-local address; else the usable address of the
     * outgoing link sharing the longest prefix with the destination; null if none is usable.
     */
    Ipv6Address sourceFor(Ipv6Link l, Ipv6Address dst) {
        if (isLocal(dst)) return dst;
        if (l == null) return null;
        if (dst.isLinkLocal() || (dst.isMulticast() && (dst.high() >>> 48 & 0xf) <= 2)) {
            Ipv6Link.Addr ll = l.linkLocal();
            if (ll != null) return ll.address;
        }
        Ipv6Link.Addr best = null;
        int bestLen = -1;
        for (Ipv6Link.Addr x : l.addresses) {
            if (!x.usable() || x.address.isLinkLocal()) continue;
            // RFC 6724 5 rule 3: avoid deprecated addresses (used only when no preferred one is left)
            int common = commonPrefix(x.address, dst) + (x.state == Ipv6AddressState.State.PREFERRED ? 129 : 0);
            if (common > bestLen) {
                best = x;
                bestLen = common;
            }
        }
        if (best != null) return best.address;
        Ipv6Link.Addr ll = l.linkLocal();
        return ll == null ? null : ll.address;
    }

    private static int commonPrefix(Ipv6Address a, Ipv6Address b) {
        long h = a.high() ^ b.high();
        return h != 0 ? Long.numberOfLeadingZeros(h) : 64 + Long.numberOfLeadingZeros(a.low() ^ b.low());
    }

    /** The link a packet to {@code dst} leaves by and its next hop, or null: no route. */
    private record Hop(Ipv6Link link, Ipv6Address nextHop) {}

    private Hop route(Ipv6Address src, Ipv6Address dst) {
        if (dst.isMulticast() || dst.isLinkLocal()) {
            // no scope ids yet: the link of a link-local source, else the first IPv6 link
            Ipv6Link l = null;
            if (!src.isUnspecified()) for (Ipv6Link x : links) if (x.find(src) != null) l = x;
            if (l == null && !links.isEmpty()) l = links.get(0);
            return l == null ? null : new Hop(l, dst);
        }
        RoutingTable.NextHop6 nh = stack.routes().lookup(dst);
        if (nh == null) return null;
        Ipv6Link l = of(stack.linkOf(nh.iface()));
        return l == null ? null : new Hop(l, nh.address());
    }

    Ipv6Address sourceAddressFor(Ipv6Address dst) {
        if (isLocal(dst)) return dst;
        Hop h = route(Ipv6Address.ANY, dst);
        return h == null ? null : sourceFor(h.link(), dst);
    }

    /** The path MTU towards {@code dst}: a learnt one (RFC 8201) or the route's link MTU; 0 if no route. */
    int mtuFor(Ipv6Address dst) { return mtuFor(clock, dst); }

    /** The TSO size the device towards {@code dst} takes (0: none, local, or an Ethernet link). */
    int gsoMaxFor(Ipv6Address dst) {
        if (isLocal(dst) || dst.isMulticast()) return 0;
        Hop h = route(Ipv6Address.ANY, dst);
        return h == null || h.link().link.ethernet ? 0 : h.link().link.iface.device().gsoMaxSize();
    }

    /** The MTU of the link packets to {@code dst} leave by, learnt path MTUs aside; 0 if no route. */
    int linkMtuFor(Ipv6Address dst) {
        if (isLocal(dst)) return 65535;
        Hop h = route(Ipv6Address.ANY, dst);
        return h == null ? 0 : h.link().mtu;
    }

    int mtuFor(long now, Ipv6Address dst) {
        if (isLocal(dst)) return 65535;
        Hop h = route(Ipv6Address.ANY, dst);
        return h == null ? 0 : pathMtu(now, dst, h.link());
    }

    /** The path MTU to a non-local {@code dst} leaving by {@code l6}: a learnt one (not yet expired) or the link's. */
    private int pathMtu(long now, Ipv6Address dst, Ipv6Link l6) {
        int p = pmtu.mtu(now, dst);
        return p != 0 ? Math.min(p, l6.mtu) : l6.mtu;
    }

    /** RFC 8201 4: a Packet Too Big lowers the path MTU to dst, never under 1280 (RFC 8201 4, RFC 8200 5). */
    boolean packetTooBig(long now, Ipv6Address dst, long reported) {
        if (!pmtu.learn(now, dst, reported, mtuFor(now, dst))) return false;
        c.pmtuUpdates.increment();
        trace.note(now, "ipv6", "path MTU to " + dst + " now " + pmtu.mtu(now, dst));
        return true;
    }

    /** The time learnt path MTUs are forgotten is read lazily; reassembly timers are polled. */
    long nextDeadline() {
        long t = Math.min(reassembler.nextDeadline(), defrag.nextDeadline());
        return localQueue.isEmpty() ? t : Math.min(t, localQueue.peek().time());
    }

    Ipv6Reassembler reassembler() { return reassembler; }

    Defrag6 defrag() { return defrag; }

    FlowLabels flowLabels() { return flowLabels; }

    /** RFC 8200 4.5: abandoned datagrams; Time Exceeded (code 1) to the source when fragment zero came. */
    void pollTimers(long now) {
        if (defrag.nextDeadline() <= now) {
            for (Ipv6Reassembler.Expired e : defrag.expire(now)) {
                c.named("ipv6.defrag.timeout").increment();
                if (trace.enabled()) trace.drop(now, "ipv6", DropReason.REASSEMBLY, "reassembly timeout (netfilter)",
                        e.key().src() + " > " + e.key().dst() + " id 0x" + Integer.toHexString(e.key().identification()));
                // as our own reassembly would have for a packet to us; a router just drops (as Linux's nf_defrag)
                if (e.first() != null && isLocal(e.key().dst()))
                    icmpv6.sendError(now, e.first(), e.quote(), 0, e.quote().length, false,
                            new Icmpv6Repr.TimeExceeded(Icmpv6Repr.CODE_REASSEMBLY_TIME_EXCEEDED, new byte[0]));
            }
        }
        if (reassembler.nextDeadline() > now) return;
        for (Ipv6Reassembler.Expired e : reassembler.expire(now)) {
            c.reasmFails.increment();
            c.reasmTimeout.increment();
            if (trace.enabled()) trace.drop(now, "ipv6", DropReason.REASSEMBLY, "reassembly timeout",
                    e.key().src() + " > " + e.key().dst() + " id 0x" + Integer.toHexString(e.key().identification()));
            if (e.first() != null)
                icmpv6.sendError(now, e.first(), e.quote(), 0, e.quote().length, false,
                        new Icmpv6Repr.TimeExceeded(Icmpv6Repr.CODE_REASSEMBLY_TIME_EXCEEDED, new byte[0]));
        }
    }

    void pollLocal(long now) {
        clock = Math.max(clock, now);
        for (int n = localQueue.size(); n > 0; n--) {
            LocalPacket p = localQueue.poll();
            input(null, now, p.packet(), 0, p.packet().length, false);
        }
    }

    // ------------------------------------------------------------------ output

    /**
     * Sends payload[off .. off+len) (or what {@code writer} writes) as one IPv6 packet. src ANY:
     * selected (RFC 6724, simplified). Returns false when dropped here (counted and traced).
     */
    boolean output(long now, Ipv6Address src, Ipv6Address dst, int nextHeader, int trafficClass, int hopLimit,
                   byte[] payload, int off, int len, IpStack.PayloadWriter writer) {
        return output(now, src, dst, nextHeader, trafficClass, hopLimit, payload, off, len, writer, 0);
    }

    /** {@code segmentSize > 0}: a TCP super-segment for a device that cuts it (as Ipv4#output). */
    boolean output(long now, Ipv6Address src, Ipv6Address dst, int nextHeader, int trafficClass, int hopLimit,
                   byte[] payload, int off, int len, IpStack.PayloadWriter writer, int segmentSize) {
        if (nextHeader < 0 || nextHeader > 255) throw new IllegalArgumentException("next header must be 0..255: " + nextHeader);
        if (hopLimit < -1 || hopLimit > 255) throw new IllegalArgumentException("hop limit must be -1 or 0..255: " + hopLimit);
        if (trafficClass < 0 || trafficClass > 255) throw new IllegalArgumentException("traffic class must be 0..255: " + trafficClass);
        c.outRequests.increment();
        clock = Math.max(clock, now);
        int hl = hopLimit < 0 ? DEFAULT_HOP_LIMIT : hopLimit;
        if (len > Ipv6Repr.MAX_PAYLOAD_LENGTH) {
            c.outDropTooBig.increment();
            trace.dropOut(now, "ipv6", DropReason.TOO_BIG, "payload longer than 65535 bytes", src, dst, nextHeader, len);
            return false;
        }
        if (dst.isUnspecified()) {
            c.outDropNoRoute.increment();
            trace.dropOut(now, "ipv6", DropReason.BAD_ADDRESS, "destination ::", src, dst, nextHeader, len);
            return false;
        }
        if (isLocal(dst)) return sendLocal(now, src.isUnspecified() ? dst : src, dst, nextHeader, trafficClass, hl, payload, off, len, writer);
        Hop hop = route(src, dst);
        Ipv6Address source = hop == null ? null : src.isUnspecified() ? sourceFor(hop.link(), dst) : src;
        if (hop == null || source == null) {
            c.outDropNoRoute.increment();
            trace.dropOut(now, "ipv6", DropReason.NO_ROUTE, hop == null ? "no route to host" : "no usable source address", src, dst, nextHeader, len);
            return false;
        }
        // (isLocal and the route were settled above: not asked again per packet)
        int mtu = dst.isMulticast() ? hop.link().mtu : pathMtu(now, dst, hop.link());
        Link link = hop.link().link;
        boolean gso = segmentSize > 0 && !link.ethernet && Ipv6Repr.HEADER_LENGTH + len <= link.iface.device().gsoMaxSize();
        Hooks hooks = stack.hooks();
        if (hooks != null)
            return filteredOutput(now, hop, new Ipv6Repr(trafficClass, 0, len, nextHeader, hl, source, dst), payload, off, writer,
                    gso ? segmentSize : 0, mtu, hooks);
        if (Ipv6Repr.HEADER_LENGTH + len > mtu && !gso)
            return fragment(now, hop, source, dst, nextHeader, trafficClass, hl, payload, off, len, writer, mtu);
        Ipv6Repr ip = new Ipv6Repr(trafficClass, 0, len, nextHeader, hl, source, dst);
        return transmit(now, hop.link(), hop.nextHop(), ip, payload, off, len, writer, gso ? segmentSize : 0);
    }

    /**
     * Our own packet through the OUTPUT and post-routing hooks (as IPv4's, {@link Hooks}), whole:
     * it is fragmented after them, as Linux does (ip6_finish_output), so the netfilter never
     * sees a fragment of ours.
     */
    private boolean filteredOutput(long now, Hop hop, Ipv6Repr ip, byte[] payload, int off, IpStack.PayloadWriter writer,
                                   int segmentSize, int mtu, Hooks hooks) {
        int len = ip.payloadLength();
        byte[] packet = new byte[ip.totalLength()];
        if (writer != null) writer.write(packet, Ipv6Repr.HEADER_LENGTH);
        else System.arraycopy(payload, off, packet, Ipv6Repr.HEADER_LENGTH, len);
        labelled(ip, packet, Ipv6Repr.HEADER_LENGTH, len).emit(packet, 0);
        Link link = hop.link().link;
        if (!hooks.pass(now, Hooks.Hook.OUTPUT, null, link, packet, 0, packet.length)) return false;
        if (!hooks.pass(now, Hooks.Hook.POSTROUTING, null, link, packet, 0, packet.length)) return false;
        if (!(Ipv6Repr.parse(packet, 0, packet.length) instanceof Parsed.Ok<Ipv6Repr>(Ipv6Repr after))) return false;
        if (packet.length > mtu && segmentSize == 0)
            return fragment(now, hop, after.src(), after.dst(), after.nextHeader(), after.trafficClass(), after.hopLimit(),
                    packet, Ipv6Repr.HEADER_LENGTH, len, null, mtu);
        return transmit(now, hop.link(), hop.nextHop(), after, packet, Ipv6Repr.HEADER_LENGTH, len, null, segmentSize);
    }

    /**
     * RFC 8200 4.5: the source splits a packet bigger than the path MTU. We add no extension
     * headers, so the unfragmentable part is the IPv6 header alone; each fragment carries a
     * Fragment header and a multiple of 8 bytes (but the last), all with one Identification.
     * RFC 7739 5.4: the Identification is random (from the stack's seeded generator), so it
     * tells an observer nothing about the traffic to others.
     */
    private boolean fragment(long now, Hop hop, Ipv6Address source, Ipv6Address dst, int nextHeader, int trafficClass,
                             int hl, byte[] payload, int off, int len, IpStack.PayloadWriter writer, int mtu) {
        int perFragment = (mtu - Ipv6Repr.HEADER_LENGTH - Ipv6ExtensionHeader.FRAGMENT_LENGTH) & ~7;
        if (perFragment < 8) {
            c.fragFails.increment();
            c.outDropTooBig.increment();
            trace.dropOut(now, "ipv6", DropReason.TOO_BIG, "MTU " + mtu + " too small to fragment", source, dst, nextHeader, len);
            return false;
        }
        if (writer != null) {
            payload = new byte[len];
            writer.write(payload, 0);
            off = 0;
        }
        int id = random.nextInt();
        int label = flowLabels.label(source, dst, nextHeader, payload, off, len); // every fragment: the flow's label
        boolean ok = true;
        for (int fo = 0; fo < len; fo += perFragment) {
            int fl = Math.min(perFragment, len - fo);
            Ipv6ExtensionHeader.Fragment fh = new Ipv6ExtensionHeader.Fragment(nextHeader, fo, fo + fl < len, id);
            Ipv6Repr ip = new Ipv6Repr(trafficClass, label, Ipv6ExtensionHeader.FRAGMENT_LENGTH + fl, Ipv6Repr.NH_FRAGMENT,
                    hl, source, dst);
            byte[] data = payload;
            int from = off + fo;
            c.fragCreates.increment();
            ok &= transmit(now, hop.link(), hop.nextHop(), ip, null, 0, ip.payloadLength(), (buf, at) -> {
                fh.emit(buf, at);
                System.arraycopy(data, from, buf, at + Ipv6ExtensionHeader.FRAGMENT_LENGTH, fl);
            });
        }
        c.fragOks.increment();
        return ok;
    }

    /** A packet out of {@code l6} as given (Neighbor Discovery: source :: allowed, no routing, one link). */
    boolean outputOn(long now, Ipv6Link l6, Ipv6Address src, Ipv6Address dst, int nextHeader, int hopLimit, int len,
                     IpStack.PayloadWriter writer) {
        c.outRequests.increment();
        Ipv6Repr ip = new Ipv6Repr(0, 0, len, nextHeader, hopLimit, src, dst);
        return transmit(now, l6, dst, ip, null, 0, len, writer);
    }

    private boolean transmit(long now, Ipv6Link l6, Ipv6Address nextHop, Ipv6Repr ip, byte[] payload, int off, int len,
                             IpStack.PayloadWriter writer) {
        return transmit(now, l6, nextHop, ip, payload, off, len, writer, 0);
    }

    private boolean transmit(long now, Ipv6Link l6, Ipv6Address nextHop, Ipv6Repr ip, byte[] payload, int off, int len,
                             IpStack.PayloadWriter writer, int segmentSize) {
        Link link = l6.link;
        int head = link.ethernet ? EthernetRepr.HEADER_LENGTH : 0;
        // from the device's pool when it recycles (as IPv4): every byte is written below
        byte[] frame = link.takeFrame(head + ip.totalLength());
        if (writer != null) writer.write(frame, head + Ipv6Repr.HEADER_LENGTH);
        else System.arraycopy(payload, off, frame, head + Ipv6Repr.HEADER_LENGTH, len);
        labelled(ip, frame, head + Ipv6Repr.HEADER_LENGTH, len).emit(frame, head);
        c.outPackets.increment();
        if (!link.ethernet) {
            if (segmentSize > 0) link.iface.device().transmitSegments(now, frame, segmentSize);
            else link.iface.device().transmit(now, frame);
            return true;
        }
        return ethernet.ipv6Output(now, l6, nextHop, frame);
    }

    /**
     * {@code ip} with its flow's label (RFC 6437, {@link FlowLabels}) when it has none and
     * carries TCP or UDP right after the fixed header (the transport header at buf[at]); a
     * fragment gets its label in {@link #fragment}, from the whole packet's ports.
     */
    private Ipv6Repr labelled(Ipv6Repr ip, byte[] buf, int at, int len) {
        if (ip.flowLabel() != 0) return ip;
        int label = flowLabels.label(ip.src(), ip.dst(), ip.nextHeader(), buf, at, len);
        return label == 0 ? ip : new Ipv6Repr(ip.trafficClass(), label, ip.payloadLength(), ip.nextHeader(), ip.hopLimit(), ip.src(), ip.dst());
    }

    private boolean sendLocal(long now, Ipv6Address src, Ipv6Address dst, int nextHeader, int tc, int hl,
                              byte[] payload, int off, int len, IpStack.PayloadWriter writer) {
        if (localQueue.size() >= IpStack.MAX_LOCAL_QUEUE) {
            c.outDropLocalQueue.increment();
            trace.dropOut(now, "ipv6", DropReason.QUEUE_FULL, "local delivery queue full", src, dst, nextHeader, len);
            return false;
        }
        Ipv6Repr ip = new Ipv6Repr(tc, 0, len, nextHeader, hl, src, dst);
        byte[] packet = new byte[ip.totalLength()];
        if (writer != null) writer.write(packet, Ipv6Repr.HEADER_LENGTH);
        else System.arraycopy(payload, off, packet, Ipv6Repr.HEADER_LENGTH, len);
        labelled(ip, packet, Ipv6Repr.HEADER_LENGTH, len).emit(packet, 0);
        c.outPackets.increment();
        localQueue.add(new LocalPacket(now, packet));
        return true;
    }

    // ------------------------------------------------------------------ input

    /**
     * A packet for another host on an intercepting interface ({@link IpStack#setIntercept}): a
     * unicast, non-link-local destination is delivered here as if it were ours (the gateway).
     */
    private boolean intercepted(Link link, Ipv6Repr ip) {
        if (link == null || !link.intercept) return false;
        Ipv6Address d = ip.dst();
        if (d.isMulticast() || d.isUnspecified() || d.isLinkLocal() || d.isLoopback()) return false;
        c.inIntercepted.increment();
        return true;
    }

    /** An IPv6 packet at buf[off .. off+len); link null: from our own loopback queue. */
    void input(Link link, long now, byte[] buf, int off, int len, boolean linkMulticast) {
        input(link, now, buf, off, len, linkMulticast, false, null);
    }

    /**
     * {@code reassembled}: buf is a packet we put together, not one that arrived; {@code gathered}
     * (not null) when that was for the netfilter, with the fragments it came as.
     */
    private void input(Link link, long now, byte[] buf, int off, int len, boolean linkMulticast, boolean reassembled,
                       Defrag6.Gathered gathered) {
        Ipv6Link l6 = of(link);
        if (link != null && l6 == null) {
            c.inDropNotEnabled.increment();
            trace.drop(now, "ipv6", DropReason.UNSUPPORTED, "IPv6 not enabled on " + link.iface.name(), len + " bytes");
            return;
        }
        if (!reassembled) c.inReceives.increment();
        clock = Math.max(clock, now);
        Parsed<Ipv6Repr> parsed = Ipv6Repr.parse(buf, off, len);
        if (parsed instanceof Parsed.Malformed<Ipv6Repr> m) {
            c.inHdrErrors.increment();
            trace.drop(now, "ipv6", DropReason.of(m.kind()), m.reason(), len + " bytes" + (link == null ? "" : " on " + link.iface.name()));
            return;
        }
        Ipv6Repr ip = parsed.value();
        // RFC 4291 2.7: a multicast address is never a source
        if (ip.src().isMulticast()) {
            c.inDropBadSource.increment();
            trace.drop(now, "ipv6", DropReason.BAD_ADDRESS, "multicast source", ip.toString());
            return;
        }
        // RFC 4291 2.5.3: ::1 is never the source or destination of a packet off the wire
        if (link != null && (ip.src().isLoopback() || ip.dst().isLoopback())) {
            c.named("ipv6.in.drop.loopback").increment();
            trace.drop(now, "ipv6", DropReason.BAD_ADDRESS, "loopback address from " + link.iface.name(), ip.toString());
            return;
        }
        Hooks hooks = link == null || reassembled && gathered == null ? null : stack.hooks();
        if (hooks != null) {
            // the netfilter sees whole packets: reassemble first (Linux: nf_defrag_ipv6)
            int nh = ip.nextHeader();
            if (gathered == null && nh != Ipv6Repr.NH_TCP && nh != Ipv6Repr.NH_UDP && nh != Ipv6Repr.NH_ICMPV6
                    && Ipv6Chain.walk(buf, off, ip.totalLength(), Ipv6Chain.Limits.DEFAULT, x -> true)
                            instanceof Ipv6Chain.Verdict.Reassemble r) {
                switch (defrag.add(now, ip, r, buf, off)) {
                    case Defrag6.Pending _ -> c.named("ipv6.defrag.fragments").increment();
                    case Defrag6.Refused x -> {
                        c.named("ipv6.defrag." + x.counter()).increment();
                        trace.drop(now, "ipv6", DropReason.REASSEMBLY, "reassembly (netfilter): " + x.reason(), ip.toString());
                    }
                    case Defrag6.Whole w -> {
                        c.named("ipv6.defrag.fragments").increment();
                        c.named("ipv6.defrag.oks").increment();
                        byte[] whole = w.gathered().packet();
                        input(link, now, whole, 0, whole.length, linkMulticast, true, w.gathered());
                    }
                }
                return;
            }
            if (!hooks.pass(now, Hooks.Hook.PREROUTING, link, null, buf, off, ip.totalLength())) return;
            if (!(Ipv6Repr.parse(buf, off, len) instanceof Parsed.Ok<Ipv6Repr>(Ipv6Repr again))) return;
            ip = again; // NAT may have rewritten it
        }
        Ipv6Address dst = ip.dst();
        // A tentative address receives only what DAD needs (RFC 4862 5.4: NS and NA, handled by Ndp).
        Ipv6Link.Addr target = findAddress(dst);
        boolean tentative = target != null && target.state == Ipv6AddressState.State.TENTATIVE;
        // (target usable: isLocal's answer without a second search, the common case)
        boolean forUs = (target != null && target.usable()) || isLocal(dst) || tentative || (l6 != null && l6.listensTo(dst)) || intercepted(link, ip);
        if (!forUs) {
            Forwarding6 fwd = stack.forwarder6();
            if (link != null && fwd.enabled() && !linkMulticast && (!reassembled || gathered != null) && !dst.isMulticast()) {
                fwd.forward(now, link, ip, buf, off, gathered, hooks);
                return;
            }
            c.inDropNotForUs.increment();
            trace.drop(now, "ipv6", DropReason.NOT_FOR_US, dst.isMulticast() ? "multicast group not joined" : "not for us (no forwarding)", ip.toString());
            return;
        }
        int total = ip.totalLength();
        int first = ip.nextHeader();
        // No extension header, a transport we handle (every TCP segment): the walk's answer
        // without walking (it would parse the fixed header again and allocate its list)
        Ipv6Chain.Verdict verdict = (first == Ipv6Repr.NH_TCP || first == Ipv6Repr.NH_UDP || first == Ipv6Repr.NH_ICMPV6) && known(first)
                ? new Ipv6Chain.Verdict.Deliver(List.of(), first, Ipv6Repr.HEADER_LENGTH, total - Ipv6Repr.HEADER_LENGTH)
                : Ipv6Chain.walk(buf, off, total, Ipv6Chain.Limits.DEFAULT, this::known);
        switch (verdict) {
            case Ipv6Chain.Verdict.Deliver d -> {
                if (tentative && d.nextHeader() != Ipv6Repr.NH_ICMPV6) {
                    c.inDropNotForUs.increment();
                    trace.drop(now, "ipv6", DropReason.NOT_FOR_US, "destination is tentative (DAD in progress)", ip.toString());
                    return;
                }
                // Neighbor Discovery is the link's own plumbing, as ARP is IPv4's: INPUT rules do not see it
                // (our own goes out by outputOn, past OUTPUT, likewise)
                if (hooks != null && !neighborDiscovery(buf, off, total)
                        && !hooks.pass(now, Hooks.Hook.INPUT, link, null, buf, off, total)) return;
                boolean lent = deliver(now, link, l6, ip, d.nextHeader(), buf, off, total, off + d.offset(), d.length(), linkMulticast,
                        link != null && link.rxChecksumVerified && !reassembled);
                // Opt-in recycling (Device#framePool), as Ipv4.input: only a frame a transport
                // merely borrowed goes back, never a reassembled packet (not the device's frame)
                if (lent && !reassembled && link != null && link.pool != null) link.pool.release(buf);
            }
            case Ipv6Chain.Verdict.Reassemble r -> {
                if (reassembled || tentative) {
                    // a fragment header inside a reassembled packet's fragmentable part; or to an address under DAD
                    c.inDropFragment.increment();
                    trace.drop(now, "ipv6", DropReason.REASSEMBLY, reassembled ? "fragment header in a reassembled packet"
                            : "fragment to a tentative address", ip.toString());
                    return;
                }
                byte[] whole = reassemble(now, ip, r, buf, off);
                if (whole != null) input(link, now, whole, 0, whole.length, linkMulticast, true, null);
            }
            case Ipv6Chain.Verdict.ParameterProblem p -> {
                if (p.code() == Ipv6Chain.CODE_UNRECOGNIZED_NEXT_HEADER) c.inUnknownProtos.increment();
                else c.inHdrErrors.increment();
                trace.drop(now, "ipv6", DropReason.BAD_HEADER, p.reason(), ip.toString());
                // RFC 8200 4: discard and send an ICMPv6 Parameter Problem with the pointer
                icmpv6.sendError(now, ip, buf, off, total, linkMulticast,
                        new Icmpv6Repr.ParameterProblem(p.code(), p.pointer(), new byte[0]));
            }
            case Ipv6Chain.Verdict.Drop d -> {
                c.inDropChain.increment();
                trace.drop(now, "ipv6", DropReason.BAD_HEADER, d.reason(), ip.toString());
            }
            case Ipv6Chain.Verdict.Invalid v -> {
                c.inHdrErrors.increment();
                trace.drop(now, "ipv6", DropReason.of(v.problem().kind()), v.problem().reason(), ip.toString());
            }
        }
    }

    /** An ICMPv6 Neighbor Discovery message (RFC 4861 4: types 133 to 137) right after the fixed header. */
    static boolean neighborDiscovery(byte[] buf, int off, int total) {
        if (total <= Ipv6Repr.HEADER_LENGTH || (buf[off + 6] & 0xff) != Ipv6Repr.NH_ICMPV6) return false;
        int type = buf[off + Ipv6Repr.HEADER_LENGTH] & 0xff;
        return type >= Icmpv6Repr.TYPE_ROUTER_SOLICITATION && type <= Icmpv6Repr.TYPE_REDIRECT;
    }

    /** Adds a fragment; the reassembled packet when it completes one, else null (counted, traced when dropped). */
    private byte[] reassemble(long now, Ipv6Repr ip, Ipv6Chain.Verdict.Reassemble r, byte[] buf, int off) {
        c.reasmReqds.increment();
        switch (reassembler.add(now, ip, r, buf, off)) {
            case Ipv6Reassembler.Incomplete _ -> { return null; }
            case Ipv6Reassembler.Dropped d -> {
                c.named("ipv6.reasm." + d.counter()).increment();
                if (d.datagramDiscarded()) c.reasmFails.increment();
                trace.drop(now, "ipv6", DropReason.REASSEMBLY, "reassembly: " + d.reason(), ip.toString());
                return null;
            }
            case Ipv6Reassembler.Complete whole -> {
                c.reasmOks.increment();
                return whole.packet();
            }
        }
    }

    private boolean known(int nh) {
        return nh == Ipv6Repr.NH_ICMPV6 || nh == Ipv6Repr.NH_UDP || stack.handler(nh) != null;
    }

    /** True when the packet went to a plugged-in transport, which copies what it keeps ({@link IpProtocolHandler#receive}). */
    private boolean deliver(long now, Link link, Ipv6Link l6, Ipv6Repr ip, int nh, byte[] buf, int pktOff, int pktLen,
                            int off, int len, boolean linkMulticast, boolean checksumVerified) {
        IpMeta meta = new IpMeta(ip.src(), ip.dst(), ip.trafficClass(), ip.hopLimit(), link == null ? IpMeta.LOCAL : link.index,
                checksumVerified);
        switch (nh) {
            case Ipv6Repr.NH_NO_NEXT_HEADER -> c.inDelivers.increment(); // RFC 8200 4.7: nothing follows
            case Ipv6Repr.NH_ICMPV6 -> {
                c.inDelivers.increment();
                icmpv6.input(now, l6, ip, buf, pktOff, pktLen, off, len, linkMulticast);
            }
            case Ipv6Repr.NH_UDP -> {
                c.inDelivers.increment();
                if (!udp.input(now, meta, trace.enabled() ? ip.toString() : "", buf, off, len)) // (as Udp's IPv4 entry: no per-datagram string untraced)
                    // RFC 4443 3.1: port unreachable (code 4) when the transport has no listener
                    icmpv6.sendError(now, ip, buf, pktOff, pktLen, linkMulticast,
                            new Icmpv6Repr.DestinationUnreachable(Icmpv6Repr.CODE_PORT_UNREACHABLE, new byte[0]));
            }
            default -> {
                IpProtocolHandler h = stack.handler(nh);
                if (h == null) return false; // known() let only handled protocols through
                c.inDelivers.increment();
                h.receive(now, meta, null, buf, off, len);
                return true;
            }
        }
        return false;
    }
}
