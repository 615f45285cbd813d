package org.netstack4j.ip;

import org.netstack4j.trace.DropReason;

import java.util.ArrayDeque;
import org.netstack4j.wire.EthernetRepr;
import org.netstack4j.wire.IcmpRepr;
import org.netstack4j.wire.IpMeta;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv4Repr;
import org.netstack4j.wire.Parsed;

/**
 * IPv4 input and output (RFC 791, RFC 1122 3.2.1): header checks, the host's accept rule,
 * fragmentation and reassembly ({@link Reassembler}), delivery to ICMP, UDP and the plugged-in
 * transports with an {@link IpMeta}, and our own loopback queue.
 */
final class Ipv4 {
    private static final byte[] NO_OPTIONS = new byte[0];

    private record LocalPacket(long time, byte[] packet) {}

    private final IpStack stack;
    private final IpCounters c;
    private final IpTrace trace;
    private final Reassembler reassembler;
    private final ArrayDeque<LocalPacket> localQueue = new ArrayDeque<>();
    /** RFC 6864 / RFC 7739: per-destination Identification, never one global counter. */
    private final IpIdGenerator identification;
    private Ethernet ethernet;
    private Icmp icmp;
    private Udp udp;
    private Forwarding forwarding;

    Ipv4(IpStack stack, IpCounters c, IpTrace trace, long identificationKey, FragmentTable.Budget reassemblyBudget) {
        this.stack = stack;
        this.reassembler = new Reassembler(reassemblyBudget);
        this.c = c;
        this.trace = trace;
        this.identification = new IpIdGenerator(identificationKey);
    }

    void wire(Ethernet ethernet, Icmp icmp, Udp udp, Forwarding forwarding) {
        this.ethernet = ethernet;
        this.icmp = icmp;
        this.udp = udp;
        this.forwarding = forwarding;
    }

    Reassembler reassembler() { return reassembler; }

    /** The latest time seen (output, input): {@link #mtuFor(Ipv4Address)} reads the path MTU cache at it. */
    private long clock = Long.MIN_VALUE;

    /**
     * The path MTU towards a non-local {@code dst} leaving by {@code link}: the one learnt from a
     * believed ICMP fragmentation needed (RFC 1191; the stack's PathMtuCache, both families), or
     * the interface's. Outgoing datagrams are sized (fragmented, or dropped with DF) by it, and
     * new TCP connections announce and send an MSS within it, as Linux's ipv4_mtu.
     */
    private int pathMtu(long now, Ipv4Address dst, Link link) {
        int learnt = stack.pathMtus().mtu(now, dst);
        return learnt != 0 ? Math.min(learnt, link.iface.mtu()) : link.iface.mtu();
    }

    /** {@link #pathMtu} at the latest time seen, for a route's {@code link}. */
    int mtuFor(Ipv4Address dst, Link link) { return pathMtu(clock, dst, link); }

    long nextDeadline() {
        long t = reassembler.nextDeadline();
        if (!localQueue.isEmpty()) t = Math.min(t, localQueue.peek().time());
        return t;
    }

    /** Our own loopback: only what was queued before this poll, so a reply loop cannot spin. */
    void pollLocal(long now) {
        for (int n = localQueue.size(); n > 0; n--) {
            LocalPacket p = localQueue.poll();
            input(null, now, p.packet(), 0, p.packet().length, false);
        }
    }

    void pollTimers(long now) {
        if (reassembler.nextDeadline() <= now) reassemblyTimers(now);
    }

    // ------------------------------------------------------------------ output

    /** IpStack#send: payload[off .. off+len), or when writer is not null, what the writer writes. */
    boolean output(long now, Ipv4Address src, Ipv4Address dst, int protocol, int tos, int ttl, boolean dontFragment,
                   byte[] payload, int off, int len, IpStack.PayloadWriter writer) {
        return output(now, src, dst, protocol, tos, ttl, dontFragment, payload, off, len, writer, 0);
    }

    /**
     * {@code segmentSize > 0}: the payload is a TCP super-segment for a device that cuts it
     * ({@link org.netstack4j.device.Device#transmitSegments}); it may exceed the MTU up to the
     * device's gsoMaxSize (IpStack#sendSegmented checked that the route's device takes it).
     */
    boolean output(long now, Ipv4Address src, Ipv4Address dst, int protocol, int tos, int ttl, boolean dontFragment,
                   byte[] payload, int off, int len, IpStack.PayloadWriter writer, int segmentSize) {
        if (protocol < 0 || protocol > 255) throw new IllegalArgumentException("protocol must be 0..255: " + protocol);
        if (ttl < -1 || ttl > 255) throw new IllegalArgumentException("ttl must be -1 or 0..255: " + ttl);
        if (tos < 0 || tos > 255) throw new IllegalArgumentException("tos must be 0..255: " + tos);
        c.ipOutRequests.increment();
        clock = Math.max(clock, now);
        int t = ttl < 0 ? IpStack.DEFAULT_TTL : ttl;
        if (t == 0) {
            // RFC 1122 3.2.1.7: a host MUST NOT send a datagram with a TTL of zero.
            c.ipOutDropBadTtl.increment();
            trace.dropOut(now, "ipv4", DropReason.BAD_HEADER, "TTL 0 (RFC 1122 3.2.1.7)", src, dst, protocol, len);
            return false;
        }
        if (len > 65535 - Ipv4Repr.MIN_HEADER_LENGTH) {
            c.ipOutDropTooLong.increment();
            trace.dropOut(now, "ipv4", DropReason.TOO_BIG, "datagram longer than 65535 bytes", src, dst, protocol, len);
            return false;
        }

        if (dst.isUnspecified()) {
            c.ipOutDropNoRoute.increment();
            trace.dropOut(now, "ipv4", DropReason.BAD_ADDRESS, "destination 0.0.0.0", src, dst, protocol, len);
            return false;
        }
        if (stack.isLocalAddress(dst))
            return sendLocal(now, src.isUnspecified() ? dst : src, dst, protocol, tos, t, payload, off, len, writer);

        Link link;
        Ipv4Address nextHop;
        if (dst.isBroadcast()) {
            // RFC 1122 3.3.6: limited broadcast goes out of the interface of the source address.
            link = src.isUnspecified() ? stack.firstLink() : stack.linkWithAddress(src);
            nextHop = dst;
        } else {
            RoutingTable.NextHop nh = stack.routes().lookup(dst);
            link = nh == null ? null : stack.linkOf(nh.iface());
            nextHop = nh == null ? null : nh.address();
            if (dst.isMulticast()) nextHop = dst;
        }
        if (link == null || src.isUnspecified() && !link.hasIpv4) {
            // (an IPv6-only interface has no IPv4 source address to give)
            c.ipOutDropNoRoute.increment();
            trace.dropOut(now, "ipv4", DropReason.NO_ROUTE, "no route to host", src, dst, protocol, len);
            return false;
        }
        Ipv4Address source = src.isUnspecified() ? link.iface.address() : src;
        int id = identification.next(source, dst, protocol);

        Hooks hooks = stack.hooks();
        if (hooks != null)
            return forwarding.localOutput(now, link, nextHop,
                    new Ipv4Repr(tos, id, dontFragment, false, 0, t, protocol, source, dst, NO_OPTIONS, len), payload, off, len, writer, hooks);
        // RFC 1191 3: datagrams are sized by the path MTU learnt for dst (broadcast and multicast: the link's)
        int mtu = dst.isBroadcast() || dst.isMulticast() ? link.iface.mtu() : pathMtu(now, dst, link);
        int hl = Ipv4Repr.MIN_HEADER_LENGTH;
        boolean gso = segmentSize > 0 && !link.ethernet && hl + len <= link.iface.device().gsoMaxSize();
        if (hl + len <= mtu || gso) {
            Ipv4Repr ip = new Ipv4Repr(tos, id, dontFragment, false, 0, t, protocol, source, dst, NO_OPTIONS, len);
            return packetOutput(now, link, nextHop, ip, payload, off, len, writer, gso ? segmentSize : 0);
        }
        int perFragment = (mtu - hl) & ~7; // RFC 791: fragment data is a multiple of 8 bytes
        if (dontFragment || perFragment < 8) {
            c.fragFails.increment();
            trace.dropOut(now, "ipv4", DropReason.TOO_BIG, dontFragment ? "DF set and " + (hl + len) + " bytes exceed MTU " + mtu
                    : "MTU " + mtu + " too small to fragment", source, dst, protocol, len);
            return false;
        }
        if (writer != null) {
            payload = new byte[len];
            writer.write(payload, 0);
            off = 0;
        }
        // RFC 791 3.2 "An Example Fragmentation Procedure".
        boolean ok = true;
        for (int fo = 0; fo < len; fo += perFragment) {
            int fl = Math.min(perFragment, len - fo);
            Ipv4Repr ip = new Ipv4Repr(tos, id, false, fo + fl < len, fo, t, protocol, source, dst, NO_OPTIONS, fl);
            c.fragCreates.increment();
            ok &= packetOutput(now, link, nextHop, ip, payload, off + fo, fl, null, 0);
        }
        c.fragOk.increment();
        return ok;
    }

    private boolean sendLocal(long now, Ipv4Address src, Ipv4Address dst, int protocol, int tos, int ttl,
                              byte[] payload, int off, int len, IpStack.PayloadWriter writer) {
        if (localQueue.size() >= IpStack.MAX_LOCAL_QUEUE) {
            c.ipOutDropLocalQueue.increment();
            trace.dropOut(now, "ipv4", DropReason.QUEUE_FULL, "local delivery queue full", src, dst, protocol, len);
            return false;
        }
        int id = identification.next(src, dst, protocol);
        Ipv4Repr ip = new Ipv4Repr(tos, id, false, false, 0, ttl, protocol, src, dst, NO_OPTIONS, len);
        byte[] packet = new byte[ip.totalLength()];
        ip.emit(packet, 0);
        if (writer != null) writer.write(packet, ip.headerLength());
        else System.arraycopy(payload, off, packet, ip.headerLength(), len);
        c.ipOutPackets.increment();
        localQueue.add(new LocalPacket(now, packet));
        return true;
    }

    /** One packet (whole datagram or fragment) out of {@code link} towards {@code nextHop}. */
    private boolean packetOutput(long now, Link link, Ipv4Address nextHop, Ipv4Repr ip, byte[] payload, int off, int len,
                                 IpStack.PayloadWriter writer, int segmentSize) {
        int head = link.ethernet ? EthernetRepr.HEADER_LENGTH : 0;
        // a recycled array holds old bytes: every byte is written below (the padding by takeFrame)
        byte[] frame = link.takeFrame(head + ip.totalLength());
        // the payload first: a copy right after the allocation lets the JIT skip zeroing what it covers
        if (writer != null) writer.write(frame, head + ip.headerLength());
        else System.arraycopy(payload, off, frame, head + ip.headerLength(), len);
        ip.emit(frame, head);
        c.ipOutPackets.increment();
        if (!link.ethernet) {
            if (segmentSize > 0) link.iface.device().transmitSegments(now, frame, segmentSize);
            else link.iface.device().transmit(now, frame);
            return true;
        }
        return ethernet.ipv4Output(now, link, nextHop, frame);
    }

    // ------------------------------------------------------------------ input

    /** link null: from our own loopback queue. */
    void input(Link link, long now, byte[] buf, int off, int len, boolean linkBroadcast) {
        c.ipInReceives.increment();
        clock = Math.max(clock, now);
        // (instanceof rather than a pattern switch: the JIT then drops the Parsed wrapper per packet)
        Parsed<Ipv4Repr> parsed = Ipv4Repr.parse(buf, off, len);
        if (parsed instanceof Parsed.Malformed<Ipv4Repr> m) {
            c.ipInHdrErrors.increment();
            if (m.kind() == org.netstack4j.wire.MalformedKind.CHECKSUM) c.ipInDropBadChecksum.increment();
            else c.ipInDropMalformed.increment();
            trace.drop(now, "ipv4", DropReason.of(m.kind()), m.reason(), len + " bytes" + (link == null ? "" : " on " + link.iface.name()));
            return;
        }
        Ipv4Repr ip = parsed.value();
        String badOptions = ip.optionsProblem();
        if (badOptions != null) { // RFC 791 3.1, RFC 7126: a malformed option is never acted on
            c.ipInHdrErrors.increment();
            c.named("ipv4.in.drop.bad_options").increment();
            trace.drop(now, "ipv4", DropReason.BAD_OPTION, badOptions, ip);
            // RFC 1122 3.2.2.5 (a host SHOULD send Parameter Problem), RFC 792: the pointer names
            // the faulty octet; sendError applies RFC 1122 3.2.2's exceptions and the rate limit
            int hl = ip.headerLength();
            icmp.sendParameterProblem(now, ip, buf, off + hl, Math.min(ip.payloadLength(), len - hl),
                    linkBroadcast || stack.isAnyBroadcast(ip.dst()), ip.optionsProblemPointer());
            return;
        }
        // RFC 1122 3.2.1.3: a source that is not a single host is discarded. (Our own address
        // as source is accepted: it is what a loopback device carries.)
        if (ip.src().isBroadcast() || ip.src().isMulticast() || stack.isDirectedBroadcast(ip.src())) {
            c.ipInDropBadSource.increment();
            trace.drop(now, "ipv4", DropReason.BAD_ADDRESS, "source is a broadcast or multicast address", ip);
            return;
        }
        Hooks hooks = link == null ? null : stack.hooks();
        boolean rebuilt = false;
        if (hooks != null) {
            // the netfilter sees whole datagrams: reassemble first (Linux: nf_defrag_ipv4)
            if (ip.isFragment()) {
                Reassembler.Complete whole = reassemble(now, ip, buf, off);
                if (whole == null) return;
                Ipv4Repr h = whole.header();
                ip = new Ipv4Repr(h.tos(), h.identification(), h.dontFragment(), false, 0, h.ttl(), h.protocol(),
                        h.src(), h.dst(), h.options(), whole.payload().length);
                buf = new byte[ip.totalLength()];
                ip.emit(buf, 0);
                System.arraycopy(whole.payload(), 0, buf, ip.headerLength(), whole.payload().length);
                off = 0;
                rebuilt = true;
            }
            int total = ip.totalLength();
            if (!hooks.pass(now, Hooks.Hook.PREROUTING, link, null, buf, off, total)) return;
            if (!(Ipv4Repr.parse(buf, off, total) instanceof Parsed.Ok<Ipv4Repr> again)) return;
            ip = again.value(); // NAT may have rewritten it
        }
        boolean broadcast = stack.isAnyBroadcast(ip.dst());
        if (!broadcast && !stack.isLocalAddress(ip.dst()) && !intercepted(link, ip, linkBroadcast)) {
            if (link != null && forwarding.enabled() && !linkBroadcast) {
                forwarding.forward(now, link, ip, buf, off);
                return;
            }
            c.ipInDropNotForUs.increment();
            trace.drop(now, "ipv4", DropReason.NOT_FOR_US, ip.dst().isMulticast() ? "multicast group not joined" : "not for us (no forwarding)", ip);
            return;
        }
        if (hooks != null && !hooks.pass(now, Hooks.Hook.INPUT, link, null, buf, off, ip.totalLength())) return;
        // RFC 1122 3.2.1.7: a host does not discard a datagram for us because of its TTL.
        int poff = off + ip.headerLength();
        int plen = ip.payloadLength();
        boolean reassembled = rebuilt;
        if (ip.moreFragments() || ip.fragmentOffset() != 0) {
            Reassembler.Complete whole = reassemble(now, ip, buf, off);
            if (whole == null) return;
            ip = whole.header();
            buf = whole.payload();
            reassembled = true;
            poff = 0;
            plen = buf.length;
        }
        // the device's word on the checksum holds for the frame as it arrived, not for a reassembly
        boolean verified = link != null && link.rxChecksumVerified && !reassembled;
        boolean lent = deliver(now, link, ip, buf, poff, plen, broadcast || linkBroadcast, verified);
        // Opt-in recycling (Device#framePool): only a frame that a protocol handler merely borrowed
        // (IpProtocolHandler#receive: "copy what you keep") goes back; ICMP and UDP may keep or
        // reuse the array, and a reassembled datagram is not the device's frame.
        if (lent && !reassembled && link != null && link.pool != null) link.pool.release(buf);
    }

    /**
     * A datagram for another host arriving on an intercepting interface ({@link IpStack#setIntercept}):
     * TCP, UDP and ICMP to a unicast destination are delivered here as if the address were ours
     * (the tun2socks gateway); the answers go out from the original destination.
     */
    private boolean intercepted(Link link, Ipv4Repr ip, boolean linkBroadcast) {
        if (link == null || !link.intercept || linkBroadcast || ip.dst().isMulticast() || ip.dst().isUnspecified()) return false;
        int p = ip.protocol();
        if (p != Ipv4Repr.PROTO_TCP && p != Ipv4Repr.PROTO_UDP && p != Ipv4Repr.PROTO_ICMP) return false;
        c.named("ipv4.in.intercepted").increment();
        return true;
    }

    /** Adds a fragment; the whole datagram when it completes one, else null (counted, traced when dropped). */
    private Reassembler.Complete reassemble(long now, Ipv4Repr ip, byte[] buf, int off) {
        c.reasmReqds.increment();
        switch (reassembler.add(now, ip, buf, off)) {
            case Reassembler.Incomplete _ -> { return null; }
            case Reassembler.Dropped d -> {
                c.named("ipv4.reasm." + d.counter()).increment();
                if (d.datagramDiscarded()) c.reasmFails.increment();
                trace.drop(now, "ipv4", DropReason.REASSEMBLY, "reassembly: " + d.reason(), ip);
                return null;
            }
            case Reassembler.Complete whole -> {
                c.reasmOk.increment();
                return whole;
            }
        }
    }

    /** Returns true when buf was only lent to a protocol handler (nothing keeps it afterwards). */
    private boolean deliver(long now, Link link, Ipv4Repr ip, byte[] buf, int off, int len, boolean broadcast, boolean verified) {
        switch (ip.protocol()) {
            case Ipv4Repr.PROTO_ICMP -> { c.ipInDelivers.increment(); icmp.input(now, ip, buf, off, len, broadcast); return false; }
            case Ipv4Repr.PROTO_UDP -> {
                c.ipInDelivers.increment();
                udp.input(now, meta(link, ip, verified), ip, buf, off, len, broadcast);
                return false;
            }
            default -> {
                IpProtocolHandler h = stack.handler(ip.protocol());
                if (h != null) {
                    c.ipInDelivers.increment();
                    h.receive(now, meta(link, ip, verified), ip, buf, off, len);
                    return true;
                }
                c.ipInUnknownProtos.increment();
                trace.drop(now, "ipv4", DropReason.UNSUPPORTED, "no handler for protocol " + ip.protocol(), ip);
                icmp.sendError(now, ip, buf, off, len, broadcast,
                        IcmpRepr.TYPE_DEST_UNREACHABLE, IcmpRepr.CODE_PROTOCOL_UNREACHABLE);
                return false;
            }
        }
    }

    /** What a transport learns of the packet: addresses, TOS (DSCP and ECN), TTL, the interface. */
    private static IpMeta meta(Link link, Ipv4Repr ip, boolean checksumVerified) {
        return new IpMeta(ip.src(), ip.dst(), ip.tos(), ip.ttl(), link == null ? IpMeta.LOCAL : link.index, checksumVerified);
    }

    private void reassemblyTimers(long now) {
        for (Reassembler.Expired e : reassembler.expire(now)) {
            c.reasmFails.increment();
            c.reasmTimeout.increment();
            if (trace.enabled()) trace.drop(now, "ipv4", DropReason.REASSEMBLY, "reassembly timeout",
                    e.key().src() + " > " + e.key().dst() + " id " + e.key().identification()
                            + " proto " + e.key().protocol());
            // RFC 792 / RFC 1122 3.3.2: time exceeded (code 1) only if fragment zero arrived.
            if (e.first() != null) {
                Ipv4Repr ip = e.first();
                int qoff = ip.headerLength();
                icmp.sendError(now, ip, e.quote(), qoff, e.quote().length - qoff, stack.isAnyBroadcast(ip.dst()),
                        IcmpRepr.TYPE_TIME_EXCEEDED, IcmpRepr.CODE_REASSEMBLY_TIME_EXCEEDED);
            }
        }
    }
}
