package org.netstack4j.ip;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import org.netstack4j.device.FramePool;
import org.netstack4j.device.Medium;
import org.netstack4j.time.Pollable;
import org.netstack4j.time.Time;
import org.netstack4j.trace.Counters;
import org.netstack4j.trace.DropReason;
import org.netstack4j.trace.TraceEvent;
import org.netstack4j.trace.Tracer;
import org.netstack4j.wire.ArpRepr;
import org.netstack4j.wire.EthernetRepr;
import org.netstack4j.wire.IcmpRepr;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv4Repr;
import org.netstack4j.wire.MacAddress;
import org.netstack4j.wire.MalformedKind;
import org.netstack4j.wire.Parsed;
import org.netstack4j.wire.UdpRepr;

/**
 * A host's IPv4 layer: interfaces (Ethernet with ARP, or bare IP), routing, IPv4 input and
 * output with fragmentation and reassembly, ICMP (echo responder, errors) and UDP sockets.
 * Other transports (TCP) plug in through {@link #setProtocolHandler}.
 *
 * <p>Sans-IO and single-threaded: frames arrive through the devices' sinks (while a runtime
 * or simulator drives the devices, or from {@link #poll}); everything time-driven (ARP
 * retries, reassembly timeouts, our own loopback queue) happens in {@link #poll} at the
 * deadlines {@link #pollAt} reports. Bad input never throws: it is dropped, counted and
 * traced ({@link TraceEvent.Drop}).
 *
 * <p>It is a host, not a router (RFC 1122): packets not addressed to us are dropped, never
 * forwarded. The weak host model (RFC 1122 3.3.4.2) is used: any of our addresses is
 * accepted on any interface.
 *
 * <p>Limits: see {@link ArpCache} (neighbours, per-neighbour queue), {@link Reassembler}
 * (reassembly memory and timeout), {@link UdpSocket} (receive queue),
 * {@link #MAX_LOCAL_QUEUE} (datagrams to our own addresses) and the ICMP error rate
 * ({@link #ICMP_ERROR_BURST} at most, refilled one per {@link #ICMP_ERROR_INTERVAL_NS}).
 */
public final class IpStack implements Pollable {
    /** RFC 1700 / Linux default TTL. */
    public static final int DEFAULT_TTL = 64;
    /** Datagrams we send to one of our own addresses, waiting for the next poll. */
    public static final int MAX_LOCAL_QUEUE = 64;
    /** ICMP error rate limit (RFC 1812 4.3.2.8, RFC 1122 3.2.2): token bucket burst... */
    public static final int ICMP_ERROR_BURST = 50;
    /** ...refilled one token per millisecond (Linux: icmp_msgs_per_sec 1000, burst 50). */
    public static final long ICMP_ERROR_INTERVAL_NS = Time.ms(1);
    /** RFC 1812 4.3.2.3: an ICMP error quotes as much as fits in 576 bytes. */
    static final int MAX_ICMP_QUOTE = 576 - Ipv4Repr.MIN_HEADER_LENGTH - 8;
    /** Ethernet frames are padded to 60 bytes (64 with the FCS the hardware adds). */
    static final int MIN_ETHERNET_FRAME = 60;
    static final int EPHEMERAL_LOW = 49152, EPHEMERAL_HIGH = 65535;
    private static final byte[] NO_OPTIONS = new byte[0];

    private final class Link {
        final IpInterface iface;
        final boolean ethernet;
        final ArpCache arp;
        final int addressBits;
        final boolean hasBroadcast;
        final int broadcastBits; // the subnet's directed broadcast (when hasBroadcast), read per packet
        final FramePool pool; // the device's opt-in frame recycling, or null (Device#framePool)

        Link(IpInterface iface) {
            this.iface = iface;
            this.ethernet = iface.medium() == Medium.ETHERNET;
            this.arp = ethernet ? new ArpCache() : null;
            this.addressBits = iface.address().bits();
            Ipv4Address b = iface.broadcast();
            this.hasBroadcast = b != null;
            this.broadcastBits = b == null ? 0 : b.bits();
            this.pool = iface.device().framePool();
        }
    }

    private record LocalPacket(long time, byte[] packet) {}

    private final Tracer tracer;
    private final IpCounters c;
    private final List<Link> links = new ArrayList<>();
    private final RoutingTable routes = new RoutingTable();
    private final IpProtocolHandler[] handlers = new IpProtocolHandler[256]; // by protocol number (0..255)
    private final Map<Long, UdpSocket> udpSockets = new HashMap<>();
    private final Reassembler reassembler = new Reassembler();
    private final ArrayDeque<LocalPacket> localQueue = new ArrayDeque<>();
    private final SplittableRandom random;
    private int nextIdentification;
    private EchoReplyListener echoListener;
    private int icmpTokens = ICMP_ERROR_BURST;
    private long icmpRefilledAt = Long.MIN_VALUE;

    public IpStack(Tracer tracer, Counters counters, long seed) {
        this.tracer = tracer == null ? Tracer.NONE : tracer;
        this.c = new IpCounters(Objects.requireNonNull(counters, "counters"));
        this.random = new SplittableRandom(seed);
        this.nextIdentification = random.nextInt(65536);
    }

    // ------------------------------------------------------------------ configuration

    /** Adds an interface, attaches to its device and adds its connected route. */
    public void addInterface(IpInterface iface) {
        Objects.requireNonNull(iface, "iface");
        for (Link l : links)
            if (l.iface.name().equals(iface.name())) throw new IllegalArgumentException("interface exists: " + iface.name());
        Link link = new Link(iface);
        links.add(link);
        iface.device().attach((now, frame) -> frameReceived(link, now, frame));
        routes.add(new RoutingTable.Route(iface.network(), iface.prefixLength(), null, iface));
    }

    /** Sets (replaces) the default route; the gateway must be on-link through an interface. */
    public void setDefaultGateway(Ipv4Address gateway) {
        routes.remove(Ipv4Address.ANY, 0);
        if (gateway != null) routes.add(new RoutingTable.Route(Ipv4Address.ANY, 0, gateway, null));
    }

    /** The routing table (add static routes here). */
    public RoutingTable routes() { return routes; }

    public List<IpInterface> interfaces() {
        List<IpInterface> out = new ArrayList<>();
        for (Link l : links) out.add(l.iface);
        return out;
    }

    /** Plugs in a transport (e.g. TCP = 6); null removes it. ICMP (1) and UDP (17) are built in. */
    public void setProtocolHandler(int protocol, IpProtocolHandler h) {
        if (protocol < 0 || protocol > 255) throw new IllegalArgumentException("protocol must be 0..255: " + protocol);
        if (protocol == Ipv4Repr.PROTO_ICMP || protocol == Ipv4Repr.PROTO_UDP)
            throw new IllegalArgumentException("ICMP and UDP are built in: " + protocol);
        handlers[protocol] = h;
    }

    public void setEchoReplyListener(EchoReplyListener l) { this.echoListener = l; }

    public Counters counters() { return c.all; }

    /** The ARP caches of all Ethernet interfaces, like {@code ip neigh}. */
    /**
     * A permanent neighbour entry (like {@code arp -s}) on the Ethernet interface whose subnet
     * holds {@code ip}: frames to it go out at once, without an ARP exchange.
     */
    public void addStaticNeighbor(Ipv4Address ip, MacAddress mac) {
        for (Link l : links) {
            if (l.ethernet && l.iface.onLink(ip)) {
                l.arp.addStatic(ip, mac);
                return;
            }
        }
        throw new IllegalArgumentException("no Ethernet interface on the subnet of " + ip);
    }

    public List<Neighbor> neighbors() {
        List<Neighbor> out = new ArrayList<>();
        for (Link l : links) if (l.arp != null) out.addAll(l.arp.snapshot(l.iface.name()));
        return out;
    }

    /** Bytes held by datagrams being reassembled (bounded by 256 KiB). */
    public int reassemblyMemory() { return reassembler.memoryUsed(); }

    /** Datagrams being reassembled. */
    public int reassembliesInProgress() { return reassembler.inProgress(); }

    // ------------------------------------------------------------------ time

    @Override public long pollAt() {
        long t = Time.NEVER;
        for (Link l : links) {
            t = Math.min(t, l.iface.device().pollAt());
            if (l.arp != null) t = Math.min(t, l.arp.nextDeadline());
        }
        t = Math.min(t, reassembler.nextDeadline());
        if (!localQueue.isEmpty()) t = Math.min(t, localQueue.peek().time());
        return t;
    }

    @Override public void poll(long now) {
        for (int i = 0; i < links.size(); i++) links.get(i).iface.device().poll(now);
        // Our own loopback: only what was queued before this poll, so a reply loop cannot spin.
        for (int n = localQueue.size(); n > 0; n--) {
            LocalPacket p = localQueue.poll();
            ipInput(null, now, p.packet(), 0, p.packet().length, false);
        }
        for (int i = 0; i < links.size(); i++) {
            Link l = links.get(i);
            if (l.arp != null && l.arp.nextDeadline() <= now) arpTimers(l, now);
        }
        if (reassembler.nextDeadline() <= now) reassemblyTimers(now);
    }

    // ------------------------------------------------------------------ addresses

    /** The source address to use towards {@code dst} (RFC 1122 3.3.4.3), or null if no route. */
    public Ipv4Address sourceAddressFor(Ipv4Address dst) {
        if (isLocalAddress(dst)) return dst;
        if (dst.isBroadcast()) return links.isEmpty() ? null : links.get(0).iface.address();
        RoutingTable.NextHop nh = routes.lookup(dst);
        return nh == null ? null : nh.iface().address();
    }

    /**
     * The MTU of the interface packets to {@code dst} leave by (for TCP's MSS, RFC 9293
     * 3.7.1: MSS = MTU - 40), or 0 if there is no route. Our own addresses: 65535.
     */
    public int mtuFor(Ipv4Address dst) {
        if (isLocalAddress(dst)) return 65535;
        if (dst.isBroadcast()) return links.isEmpty() ? 0 : links.get(0).iface.mtu();
        RoutingTable.NextHop nh = routes.lookup(dst);
        return nh == null ? 0 : nh.iface().mtu();
    }

    /** True if {@code a} is the address of one of our interfaces. */
    public boolean isLocalAddress(Ipv4Address a) {
        if (a == null) return false;
        int bits = a.bits();
        for (int i = 0; i < links.size(); i++) if (links.get(i).addressBits == bits) return true;
        return false;
    }

    private boolean isDirectedBroadcast(Ipv4Address a) {
        int bits = a.bits();
        for (int i = 0; i < links.size(); i++) {
            Link l = links.get(i);
            if (l.hasBroadcast && l.broadcastBits == bits) return true;
        }
        return false;
    }

    private boolean isAnyBroadcast(Ipv4Address a) { return a.isBroadcast() || isDirectedBroadcast(a); }

    // ------------------------------------------------------------------ output

    /** {@link #send(long, Ipv4Address, Ipv4Address, int, int, boolean, byte[], int, int)} with DF clear. */
    public boolean send(long now, Ipv4Address src, Ipv4Address dst, int protocol, int ttl,
                        byte[] payload, int off, int len) {
        return send(now, src, dst, protocol, ttl, false, payload, off, len);
    }

    /**
     * Sends payload[off .. off+len) as one IPv4 datagram from {@code src} ({@link Ipv4Address#ANY}:
     * the address of the outgoing interface) to {@code dst} with {@code ttl} (-1: 64).
     * Fragments it when it does not fit the interface MTU, unless {@code dontFragment}, in which
     * case it is dropped. Returns true when handed to the link (or queued for ARP or for our own
     * loopback), false when dropped here (no route, too long, DF and too big, TTL 0; counted).
     */
    public boolean send(long now, Ipv4Address src, Ipv4Address dst, int protocol, int ttl, boolean dontFragment,
                        byte[] payload, int off, int len) {
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(dst, "dst");
        Objects.checkFromIndexSize(off, len, payload.length);
        return output(now, src, dst, protocol, ttl, dontFragment, payload, off, len, null);
    }

    /**
     * Writes a datagram payload of a length fixed beforehand: {@link #write} fills
     * buf[off .. off+len), every byte of it (with a recycling device, {@link org.netstack4j.device.Device#framePool},
     * the array may hold an earlier frame's bytes). It must only write there: no other effects,
     * no calls back into the stack.
     */
    @FunctionalInterface
    public interface PayloadWriter {
        void write(byte[] buf, int off);
    }

    /**
     * {@link #send(long, Ipv4Address, Ipv4Address, int, int, boolean, byte[], int, int)} with the
     * payload written by {@code writer} straight into the outgoing frame (one allocation and no
     * copy per datagram that needs no fragmenting). Same checks, counters and bytes on the wire.
     * The writer is called at most once, before this returns, and not at all if the datagram
     * is dropped before it is built.
     */
    public boolean send(long now, Ipv4Address src, Ipv4Address dst, int protocol, int ttl, boolean dontFragment,
                        int len, PayloadWriter writer) {
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(dst, "dst");
        Objects.requireNonNull(writer, "writer");
        if (len < 0) throw new IllegalArgumentException("negative length " + len);
        return output(now, src, dst, protocol, ttl, dontFragment, null, 0, len, writer);
    }

    /** send: payload[off .. off+len), or when writer is not null, what the writer writes. */
    private boolean output(long now, Ipv4Address src, Ipv4Address dst, int protocol, int ttl, boolean dontFragment,
                           byte[] payload, int off, int len, PayloadWriter writer) {
        if (protocol < 0 || protocol > 255) throw new IllegalArgumentException("protocol must be 0..255: " + protocol);
        if (ttl < -1 || ttl > 255) throw new IllegalArgumentException("ttl must be -1 or 0..255: " + ttl);
        c.ipOutRequests.increment();
        int t = ttl < 0 ? DEFAULT_TTL : ttl;
        if (t == 0) {
            // RFC 1122 3.2.1.7: a host MUST NOT send a datagram with a TTL of zero.
            c.ipOutDropBadTtl.increment();
            dropOut(now, "ipv4", DropReason.BAD_HEADER, "TTL 0 (RFC 1122 3.2.1.7)", src, dst, protocol, len);
            return false;
        }
        if (len > 65535 - Ipv4Repr.MIN_HEADER_LENGTH) {
            c.ipOutDropTooLong.increment();
            dropOut(now, "ipv4", DropReason.TOO_BIG, "datagram longer than 65535 bytes", src, dst, protocol, len);
            return false;
        }

        if (dst.isUnspecified()) {
            c.ipOutDropNoRoute.increment();
            dropOut(now, "ipv4", DropReason.BAD_ADDRESS, "destination 0.0.0.0", src, dst, protocol, len);
            return false;
        }
        if (isLocalAddress(dst)) return sendLocal(now, src.isUnspecified() ? dst : src, dst, protocol, t, payload, off, len, writer);

        Link link;
        Ipv4Address nextHop;
        if (dst.isBroadcast()) {
            // RFC 1122 3.3.6: limited broadcast goes out of the interface of the source address.
            link = src.isUnspecified() ? (links.isEmpty() ? null : links.get(0)) : linkWithAddress(src);
            nextHop = dst;
        } else {
            RoutingTable.NextHop nh = routes.lookup(dst);
            link = nh == null ? null : linkOf(nh.iface());
            nextHop = nh == null ? null : nh.address();
            if (dst.isMulticast()) nextHop = dst;
        }
        if (link == null) {
            c.ipOutDropNoRoute.increment();
            dropOut(now, "ipv4", DropReason.NO_ROUTE, "no route to host", src, dst, protocol, len);
            return false;
        }
        Ipv4Address source = src.isUnspecified() ? link.iface.address() : src;
        int id = nextIdentification;
        nextIdentification = (nextIdentification + 1) & 0xffff;

        int mtu = link.iface.mtu();
        int hl = Ipv4Repr.MIN_HEADER_LENGTH;
        if (hl + len <= mtu) {
            Ipv4Repr ip = new Ipv4Repr(0, id, dontFragment, false, 0, t, protocol, source, dst, NO_OPTIONS, len);
            return packetOutput(now, link, nextHop, ip, payload, off, len, writer);
        }
        int perFragment = (mtu - hl) & ~7; // RFC 791: fragment data is a multiple of 8 bytes
        if (dontFragment || perFragment < 8) {
            c.fragFails.increment();
            dropOut(now, "ipv4", DropReason.TOO_BIG, dontFragment ? "DF set and " + (hl + len) + " bytes exceed MTU " + mtu
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
            Ipv4Repr ip = new Ipv4Repr(0, id, false, fo + fl < len, fo, t, protocol, source, dst, NO_OPTIONS, fl);
            c.fragCreates.increment();
            ok &= packetOutput(now, link, nextHop, ip, payload, off + fo, fl, null);
        }
        c.fragOk.increment();
        return ok;
    }

    private boolean sendLocal(long now, Ipv4Address src, Ipv4Address dst, int protocol, int ttl,
                              byte[] payload, int off, int len, PayloadWriter writer) {
        if (localQueue.size() >= MAX_LOCAL_QUEUE) {
            c.ipOutDropLocalQueue.increment();
            dropOut(now, "ipv4", DropReason.QUEUE_FULL, "local delivery queue full", src, dst, protocol, len);
            return false;
        }
        int id = nextIdentification;
        nextIdentification = (nextIdentification + 1) & 0xffff;
        Ipv4Repr ip = new Ipv4Repr(0, id, false, false, 0, ttl, protocol, src, dst, NO_OPTIONS, len);
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
                                 PayloadWriter writer) {
        int head = link.ethernet ? EthernetRepr.HEADER_LENGTH : 0;
        int size = head + ip.totalLength();
        int n = link.ethernet ? Math.max(size, MIN_ETHERNET_FRAME) : size;
        byte[] frame;
        if (link.pool == null) {
            frame = new byte[n];
        } else {
            // a recycled array holds old bytes: every byte is written below, the padding here
            frame = link.pool.take(n);
            if (n > size) Arrays.fill(frame, size, n, (byte) 0);
        }
        // the payload first: a copy right after the allocation lets the JIT skip zeroing what it covers
        if (writer != null) writer.write(frame, head + ip.headerLength());
        else System.arraycopy(payload, off, frame, head + ip.headerLength(), len);
        ip.emit(frame, head);
        c.ipOutPackets.increment();
        if (!link.ethernet) {
            link.iface.device().transmit(now, frame);
            return true;
        }
        return ethernetOutput(now, link, nextHop, frame);
    }

    /** Frames an IPv4 packet (already at frame[14]) for {@code nextHop}, resolving it with ARP. */
    private boolean ethernetOutput(long now, Link link, Ipv4Address nextHop, byte[] frame) {
        MacAddress mac;
        if (nextHop.isBroadcast() || nextHop.equals(link.iface.broadcast())) {
            mac = MacAddress.BROADCAST;
        } else if (nextHop.isMulticast()) {
            // RFC 1112 6.4: 01:00:5e + the low 23 bits of the group address.
            mac = new MacAddress(0x01005e000000L | (nextHop.bits() & 0x7fffffL));
        } else {
            mac = link.arp.lookup(now, nextHop);
        }
        if (mac != null) {
            transmitEthernet(now, link, mac, EthernetRepr.ETHERTYPE_IPV4, frame);
            return true;
        }
        ArpCache.Enqueued q = link.arp.enqueue(now, nextHop, frame);
        if (!q.accepted()) {
            c.arpTableFull.increment();
            drop(now, "arp", DropReason.QUEUE_FULL, "ARP table full of unresolved neighbours", "packet for " + nextHop);
            return false;
        }
        if (q.dropped() != null) {
            c.arpQueueOverflow.increment();
            drop(now, "arp", DropReason.QUEUE_FULL, "too many packets waiting for " + nextHop + " (limit " + ArpCache.MAX_QUEUE + ")",
                    "oldest waiting packet");
        }
        if (q.sendRequest()) sendArpRequest(now, link, nextHop);
        return true;
    }

    private void transmitEthernet(long now, Link link, MacAddress dst, int etherType, byte[] frame) {
        new EthernetRepr(dst, link.iface.mac(), etherType).emit(frame, 0);
        c.ethOutFrames.increment();
        link.iface.device().transmit(now, frame);
    }

    private Link linkOf(IpInterface iface) {
        for (Link l : links) if (l.iface == iface) return l;
        return null;
    }

    private Link linkWithAddress(Ipv4Address a) {
        for (Link l : links) if (l.iface.address().equals(a)) return l;
        return null;
    }

    // ------------------------------------------------------------------ link input

    private void frameReceived(Link link, long now, byte[] frame) {
        if (frame == null) return;
        if (!link.ethernet) {
            if (frame.length > 0 && (frame[0] & 0xf0) == 0x60) ipv6Input(link, now, frame.length);
            else ipInput(link, now, frame, 0, frame.length, false);
            return;
        }
        c.ethInFrames.increment();
        EthernetRepr eth;
        switch (EthernetRepr.parse(frame, 0, frame.length)) {
            case Parsed.Malformed<EthernetRepr> m -> {
                c.ethInDropMalformed.increment();
                drop(now, "ethernet", DropReason.of(m.kind()), m.reason(), frame.length + " bytes");
                return;
            }
            case Parsed.Ok<EthernetRepr> ok -> eth = ok.value();
        }
        if (!eth.dst().equals(link.iface.mac()) && !eth.dst().isBroadcast()) {
            // Not ours (multicast too: we join no group). Counted but not traced: on a shared
            // segment this is every frame between other hosts, which a NIC filters silently.
            c.ethInDropNotForUs.increment();
            return;
        }
        int off = EthernetRepr.HEADER_LENGTH;
        switch (eth.etherType()) {
            case EthernetRepr.ETHERTYPE_IPV4 -> ipInput(link, now, frame, off, frame.length - off, eth.dst().isBroadcast());
            case EthernetRepr.ETHERTYPE_ARP -> arpInput(link, now, frame, off, frame.length - off);
            case EthernetRepr.ETHERTYPE_IPV6 -> ipv6Input(link, now, frame.length - off);
            default -> {
                c.ethInDropUnknownType.increment();
                if (tracer.enabled())
                    drop(now, "ethernet", DropReason.UNSUPPORTED, "unknown EtherType 0x" + Integer.toHexString(eth.etherType()), eth.src().toString());
            }
        }
    }

    /** IPv6 is not implemented: dropped and counted on its own (TUN devices see the kernel's). */
    private void ipv6Input(Link link, long now, int len) {
        c.ipv6InDropped.increment();
        drop(now, "ipv6", DropReason.UNSUPPORTED, "IPv6 not supported", len + " bytes on " + link.iface.name());
    }

    // ------------------------------------------------------------------ ARP (RFC 826)

    private void arpInput(Link link, long now, byte[] frame, int off, int len) {
        ArpRepr arp;
        switch (ArpRepr.parse(frame, off, len)) {
            case Parsed.Malformed<ArpRepr> m -> {
                c.arpInDropMalformed.increment();
                drop(now, "arp", DropReason.of(m.kind()), m.reason(), len + " bytes");
                return;
            }
            case Parsed.Ok<ArpRepr> ok -> arp = ok.value();
        }
        boolean request = arp.operation() == ArpRepr.OP_REQUEST;
        if (request) c.arpInRequests.increment();
        else if (arp.operation() == ArpRepr.OP_REPLY) c.arpInReplies.increment();
        else {
            c.arpInOther.increment();
            drop(now, "arp", DropReason.UNSUPPORTED, "unknown operation " + arp.operation(), arp.senderIp().toString());
            return;
        }
        Ipv4Address sip = arp.senderIp();
        if (arp.senderMac().isMulticast() || sip.isBroadcast() || sip.isMulticast() || isDirectedBroadcast(sip)) {
            c.arpInDropBadSender.increment();
            drop(now, "arp", DropReason.BAD_ADDRESS, "sender is not a unicast host", sip + " " + arp.senderMac());
            return;
        }
        if (sip.equals(link.iface.address())) {
            drop(now, "arp", DropReason.BAD_ADDRESS, "address conflict: " + arp.senderMac() + " claims our address", sip.toString());
            return;
        }
        // RFC 826 "Packet Reception": merge the sender into the table if present; add it if
        // the packet is for us. Only on-link senders are cached (nothing else is a next hop),
        // and never the unspecified address of an address probe (RFC 5227).
        boolean forUs = arp.targetIp().equals(link.iface.address());
        if (!sip.isUnspecified() && link.iface.onLink(sip)) {
            List<byte[]> waiting = link.arp.update(now, sip, arp.senderMac(), forUs);
            if (forUs && tracer.enabled()) note(now, "arp", sip + " is-at " + arp.senderMac());
            for (byte[] f : waiting) transmitEthernet(now, link, arp.senderMac(), EthernetRepr.ETHERTYPE_IPV4, f);
        }
        if (forUs && request) {
            byte[] reply = new byte[MIN_ETHERNET_FRAME];
            new ArpRepr(ArpRepr.OP_REPLY, link.iface.mac(), link.iface.address(), arp.senderMac(), sip)
                    .emit(reply, EthernetRepr.HEADER_LENGTH);
            c.arpOutReplies.increment();
            transmitEthernet(now, link, arp.senderMac(), EthernetRepr.ETHERTYPE_ARP, reply);
        }
    }

    private void sendArpRequest(long now, Link link, Ipv4Address target) {
        byte[] frame = new byte[MIN_ETHERNET_FRAME];
        new ArpRepr(ArpRepr.OP_REQUEST, link.iface.mac(), link.iface.address(), MacAddress.ZERO, target)
                .emit(frame, EthernetRepr.HEADER_LENGTH);
        c.arpOutRequests.increment();
        if (tracer.enabled()) note(now, "arp", "who-has " + target + " tell " + link.iface.address());
        transmitEthernet(now, link, MacAddress.BROADCAST, EthernetRepr.ETHERTYPE_ARP, frame);
    }

    private void arpTimers(Link link, long now) {
        ArpCache.TimerWork work = link.arp.timers(now);
        for (Ipv4Address ip : work.retry()) sendArpRequest(now, link, ip);
        for (ArpCache.Failed f : work.failed()) {
            c.arpResolveFailed.increment();
            for (byte[] frame : f.queued()) {
                c.ipOutDropNoArp.increment();
                drop(now, "arp", DropReason.NEIGHBOR_UNREACHABLE, "no ARP reply from " + f.ip() + " after " + ArpCache.MAX_REQUESTS + " requests",
                        "waiting packet dropped");
                // RFC 1122 2.3.2.2 / 3.2.2.1: tell the sender, as a host unreachable made up locally.
                localHostUnreachable(now, link, frame, EthernetRepr.HEADER_LENGTH);
            }
        }
    }

    private void localHostUnreachable(long now, Link link, byte[] frame, int off) {
        if (!(Ipv4Repr.parse(frame, off, frame.length - off) instanceof Parsed.Ok<Ipv4Repr> ok)) return;
        Ipv4Repr ip = ok.value();
        if (ip.fragmentOffset() != 0 || isIcmpError(ip, frame, off + ip.headerLength())) return;
        byte[] quote = Arrays.copyOfRange(frame, off, off + Math.min(ip.totalLength(), MAX_ICMP_QUOTE));
        icmpErrorInput(now, link.iface.address(),
                new IcmpRepr.DestinationUnreachable(IcmpRepr.CODE_HOST_UNREACHABLE, 0, quote), quote);
    }

    // ------------------------------------------------------------------ IPv4 input (RFC 791, RFC 1122 3.2.1)

    /** link null: from our own loopback queue. */
    private void ipInput(Link link, long now, byte[] buf, int off, int len, boolean linkBroadcast) {
        c.ipInReceives.increment();
        // (instanceof rather than a pattern switch: the JIT then drops the Parsed wrapper per packet)
        Parsed<Ipv4Repr> parsed = Ipv4Repr.parse(buf, off, len);
        if (parsed instanceof Parsed.Malformed<Ipv4Repr> m) {
            c.ipInHdrErrors.increment();
            if (m.kind() == MalformedKind.CHECKSUM) c.ipInDropBadChecksum.increment();
            else c.ipInDropMalformed.increment();
            drop(now, "ipv4", DropReason.of(m.kind()), m.reason(), len + " bytes" + (link == null ? "" : " on " + link.iface.name()));
            return;
        }
        Ipv4Repr ip = parsed.value();
        // RFC 1122 3.2.1.3: a source that is not a single host is discarded. (Our own address
        // as source is accepted: it is what a loopback device carries.)
        if (ip.src().isBroadcast() || ip.src().isMulticast() || isDirectedBroadcast(ip.src())) {
            c.ipInDropBadSource.increment();
            drop(now, "ipv4", DropReason.BAD_ADDRESS, "source is a broadcast or multicast address", ip);
            return;
        }
        boolean broadcast = isAnyBroadcast(ip.dst());
        if (!broadcast && !isLocalAddress(ip.dst())) {
            c.ipInDropNotForUs.increment();
            drop(now, "ipv4", DropReason.NOT_FOR_US, ip.dst().isMulticast() ? "multicast group not joined" : "not for us (no forwarding)", ip);
            return;
        }
        // RFC 1122 3.2.1.7: a host does not discard a datagram for us because of its TTL.
        int poff = off + ip.headerLength();
        int plen = ip.payloadLength();
        boolean reassembled = false;
        if (ip.moreFragments() || ip.fragmentOffset() != 0) {
            c.reasmReqds.increment();
            switch (reassembler.add(now, ip, buf, off)) {
                case Reassembler.Incomplete _ -> { return; }
                case Reassembler.Dropped d -> {
                    c.named("ipv4.reasm." + d.counter()).increment();
                    if (d.datagramDiscarded()) c.reasmFails.increment();
                    drop(now, "ipv4", DropReason.REASSEMBLY, "reassembly: " + d.reason(), ip);
                    return;
                }
                case Reassembler.Complete whole -> {
                    c.reasmOk.increment();
                    ip = whole.header();
                    buf = whole.payload();
                    reassembled = true;
                    poff = 0;
                    plen = buf.length;
                }
            }
        }
        boolean lent = deliver(now, ip, buf, poff, plen, broadcast || linkBroadcast);
        // Opt-in recycling (Device#framePool): only a frame that a protocol handler merely borrowed
        // (IpProtocolHandler#receive: "copy what you keep") goes back; ICMP and UDP may keep or
        // reuse the array, and a reassembled datagram is not the device's frame.
        if (lent && !reassembled && link != null && link.pool != null) link.pool.release(buf);
    }

    /** Returns true when buf was only lent to a protocol handler (nothing keeps it afterwards). */
    private boolean deliver(long now, Ipv4Repr ip, byte[] buf, int off, int len, boolean broadcast) {
        switch (ip.protocol()) {
            case Ipv4Repr.PROTO_ICMP -> { c.ipInDelivers.increment(); icmpInput(now, ip, buf, off, len, broadcast); return false; }
            case Ipv4Repr.PROTO_UDP -> { c.ipInDelivers.increment(); udpInput(now, ip, buf, off, len, broadcast); return false; }
            default -> {
                IpProtocolHandler h = handlers[ip.protocol()];
                if (h != null) {
                    c.ipInDelivers.increment();
                    h.receive(now, ip, buf, off, len);
                    return true;
                }
                c.ipInUnknownProtos.increment();
                drop(now, "ipv4", DropReason.UNSUPPORTED, "no handler for protocol " + ip.protocol(), ip);
                sendIcmpError(now, ip, buf, off, len, broadcast,
                        IcmpRepr.TYPE_DEST_UNREACHABLE, IcmpRepr.CODE_PROTOCOL_UNREACHABLE);
                return false;
            }
        }
    }

    private void reassemblyTimers(long now) {
        for (Reassembler.Expired e : reassembler.expire(now)) {
            c.reasmFails.increment();
            c.reasmTimeout.increment();
            if (tracer.enabled()) drop(now, "ipv4", DropReason.REASSEMBLY, "reassembly timeout",
                    e.key().src() + " > " + e.key().dst() + " id " + e.key().identification()
                            + " proto " + e.key().protocol());
            // RFC 792 / RFC 1122 3.3.2: time exceeded (code 1) only if fragment zero arrived.
            if (e.first() != null) {
                Ipv4Repr ip = e.first();
                int qoff = ip.headerLength();
                sendIcmpError(now, ip, e.quote(), qoff, e.quote().length - qoff, isAnyBroadcast(ip.dst()),
                        IcmpRepr.TYPE_TIME_EXCEEDED, IcmpRepr.CODE_REASSEMBLY_TIME_EXCEEDED);
            }
        }
    }

    // ------------------------------------------------------------------ ICMP (RFC 792, RFC 1122 3.2.2)

    private void icmpInput(long now, Ipv4Repr ip, byte[] buf, int off, int len, boolean broadcast) {
        c.icmpInMsgs.increment();
        IcmpRepr msg;
        switch (IcmpRepr.parse(buf, off, len)) {
            case Parsed.Malformed<IcmpRepr> m -> {
                c.icmpInErrors.increment();
                if (m.kind() == MalformedKind.CHECKSUM) c.icmpInDropBadChecksum.increment();
                drop(now, "icmp", DropReason.of(m.kind()), m.reason(), ip);
                return;
            }
            case Parsed.Ok<IcmpRepr> ok -> msg = ok.value();
        }
        switch (msg) {
            case IcmpRepr.EchoRequest e -> {
                c.icmpInEcho.increment();
                if (broadcast) {
                    // RFC 1122 3.2.2.6 allows ignoring broadcast echo; Linux does by default (smurf).
                    c.icmpInDropBroadcastEcho.increment();
                    drop(now, "icmp", DropReason.POLICY, "echo request to a broadcast address ignored", ip);
                    return;
                }
                c.icmpOutEchoReps.increment();
                sendIcmp(now, ip.dst(), ip.src(), -1, new IcmpRepr.EchoReply(e.identifier(), e.sequence(), e.data()));
            }
            case IcmpRepr.EchoReply r -> {
                c.icmpInEchoReps.increment();
                EchoReplyListener l = echoListener;
                if (l != null) l.onEchoReply(now, ip.src(), r.identifier(), r.sequence(), ip.ttl(), r.data());
            }
            case IcmpRepr.DestinationUnreachable d -> {
                c.icmpInDestUnreachs.increment();
                icmpErrorInput(now, ip.src(), d, d.data());
            }
            case IcmpRepr.TimeExceeded t -> {
                c.icmpInTimeExcds.increment();
                icmpErrorInput(now, ip.src(), t, t.data());
            }
            case IcmpRepr.Other o -> c.icmpInOther.increment();
        }
    }

    /**
     * An ICMP error from {@code reporter} quoting one of our datagrams (RFC 1122 3.2.2.1:
     * pass it to the transport, which uses the quoted ports to find the connection).
     */
    private void icmpErrorInput(long now, Ipv4Address reporter, IcmpRepr error, byte[] quote) {
        Ipv4Repr q = parseQuoted(quote);
        if (q == null) {
            c.icmpInErrors.increment();
            drop(now, "icmp", DropReason.TRUNCATED, "quoted datagram too short or not IPv4", "from " + reporter);
            return;
        }
        if (!isLocalAddress(q.src())) {
            c.icmpInDropNotOurs.increment();
            drop(now, "icmp", DropReason.NOT_FOR_US, "error about a datagram we did not send", "from " + reporter + " about " + q.src());
            return;
        }
        int qoff = q.headerLength();
        int qlen = quote.length - qoff;
        if (tracer.enabled()) note(now, "icmp", describe(error) + " from " + reporter + " about " + q.src() + " > "
                + q.dst() + " proto " + q.protocol());
        switch (q.protocol()) {
            case Ipv4Repr.PROTO_UDP -> {
                if (qlen < 4) return;
                int sport = (quote[qoff] & 0xff) << 8 | (quote[qoff + 1] & 0xff);
                int dport = (quote[qoff + 2] & 0xff) << 8 | (quote[qoff + 3] & 0xff);
                UdpSocket s = udpLookup(q.src(), sport);
                if (s != null) s.setError(new UdpError(now, reporter, q.dst(), dport, type(error), code(error), describe(error)));
            }
            case Ipv4Repr.PROTO_ICMP -> {
                // Errors about our echo requests go to ping (RFC 1122 3.2.2: never answered).
                EchoReplyListener l = echoListener;
                if (l != null && qlen >= 8 && (quote[qoff] & 0xff) == IcmpRepr.TYPE_ECHO_REQUEST) {
                    int id = (quote[qoff + 4] & 0xff) << 8 | (quote[qoff + 5] & 0xff);
                    int seq = (quote[qoff + 6] & 0xff) << 8 | (quote[qoff + 7] & 0xff);
                    l.onEchoError(now, reporter, error, id, seq);
                }
            }
            default -> {
                IpProtocolHandler h = handlers[q.protocol()];
                if (h != null) h.icmpError(now, error, q, quote, qoff, qlen);
            }
        }
    }

    /**
     * The quoted IPv4 header of an ICMP error, read leniently: the quote is cut short, so its
     * total length and checksum cannot be checked. Null if it is not an IPv4 header.
     */
    static Ipv4Repr parseQuoted(byte[] q) {
        if (q == null || q.length < Ipv4Repr.MIN_HEADER_LENGTH) return null;
        int vihl = q[0] & 0xff;
        int hl = (vihl & 0x0f) * 4;
        if ((vihl >>> 4) != 4 || hl < Ipv4Repr.MIN_HEADER_LENGTH || hl > q.length) return null;
        int total = (q[2] & 0xff) << 8 | (q[3] & 0xff);
        int flags = (q[6] & 0xff) << 8 | (q[7] & 0xff);
        return new Ipv4Repr(q[1] & 0xff, (q[4] & 0xff) << 8 | (q[5] & 0xff), (flags & 0x4000) != 0,
                (flags & 0x2000) != 0, (flags & 0x1fff) * 8, q[8] & 0xff, q[9] & 0xff,
                Ipv4Address.read(q, 12), Ipv4Address.read(q, 16), Arrays.copyOfRange(q, 20, hl),
                Math.max(0, total - hl));
    }

    /** Sends an echo request (ping); replies go to the {@link EchoReplyListener}. ttl -1: 64. */
    public void ping(long now, Ipv4Address dst, int id, int seq, byte[] data, int ttl) {
        c.icmpOutEcho.increment();
        Ipv4Address src = sourceAddressFor(dst);
        sendIcmp(now, src == null ? Ipv4Address.ANY : src, dst, ttl,
                new IcmpRepr.EchoRequest(id & 0xffff, seq & 0xffff, data == null ? new byte[0] : data));
    }

    private boolean sendIcmp(long now, Ipv4Address src, Ipv4Address dst, int ttl, IcmpRepr msg) {
        byte[] b = new byte[msg.length()];
        msg.emit(b, 0);
        c.icmpOutMsgs.increment();
        return send(now, src, dst, Ipv4Repr.PROTO_ICMP, ttl, false, b, 0, b.length);
    }

    /**
     * Sends an ICMP error about the datagram {@code ip} whose payload is buf[off..off+len),
     * unless RFC 1122 3.2.2 forbids it: not about an ICMP error, a broadcast or multicast, a
     * non-first fragment, or a source that is not a single host; and within the rate limit.
     * {@code type} is destination unreachable or time exceeded.
     */
    private void sendIcmpError(long now, Ipv4Repr ip, byte[] buf, int off, int len, boolean broadcast, int type, int code) {
        if (broadcast || ip.dst().isMulticast() || ip.fragmentOffset() != 0) return;
        Ipv4Address s = ip.src();
        if (s.isUnspecified() || s.isBroadcast() || s.isMulticast() || isDirectedBroadcast(s)) return;
        if (ip.protocol() == Ipv4Repr.PROTO_ICMP && isIcmpError(ip, buf, off)) return;
        if (!icmpRateAllows(now)) {
            c.icmpOutRateLimited.increment();
            return;
        }
        // The quote: the header as received (re-emitted; for a reassembled datagram, the whole
        // one) and as much payload as fits in 576 bytes (RFC 1812 4.3.2.3; RFC 792 asks 8).
        int hl = ip.headerLength();
        int qdata = Math.max(0, Math.min(len, MAX_ICMP_QUOTE - hl));
        byte[] quote = new byte[hl + qdata];
        ip.emit(quote, 0);
        System.arraycopy(buf, off, quote, hl, qdata);
        IcmpRepr msg;
        if (type == IcmpRepr.TYPE_TIME_EXCEEDED) {
            c.icmpOutTimeExcds.increment();
            msg = new IcmpRepr.TimeExceeded(code, quote);
        } else {
            c.icmpOutDestUnreachs.increment();
            msg = new IcmpRepr.DestinationUnreachable(code, 0, quote);
        }
        Ipv4Address from = isLocalAddress(ip.dst()) ? ip.dst() : Ipv4Address.ANY;
        if (tracer.enabled()) note(now, "icmp", "sending " + describe(msg) + " to " + s + " about " + summary(ip));
        sendIcmp(now, from, s, -1, msg);
    }

    /**
     * True if the ICMP message at buf[off] is an error or of unknown type (as Linux does, only
     * known query types may be answered with an error).
     */
    private static boolean isIcmpError(Ipv4Repr ip, byte[] buf, int off) {
        if (ip.protocol() != Ipv4Repr.PROTO_ICMP) return false;
        if (ip.payloadLength() < 1 || off >= buf.length) return true;
        return switch (buf[off] & 0xff) {
            case 0, 8, 9, 10, 13, 14, 15, 16, 17, 18 -> false;
            default -> true;
        };
    }

    private boolean icmpRateAllows(long now) {
        if (icmpRefilledAt == Long.MIN_VALUE) icmpRefilledAt = now;
        long elapsed = now - icmpRefilledAt;
        if (elapsed >= ICMP_ERROR_INTERVAL_NS) {
            long add = elapsed / ICMP_ERROR_INTERVAL_NS;
            icmpTokens = (int) Math.min(ICMP_ERROR_BURST, icmpTokens + add);
            icmpRefilledAt += add * ICMP_ERROR_INTERVAL_NS;
        }
        if (icmpTokens == 0) return false;
        icmpTokens--;
        return true;
    }

    static int type(IcmpRepr m) {
        return switch (m) {
            case IcmpRepr.EchoRequest e -> IcmpRepr.TYPE_ECHO_REQUEST;
            case IcmpRepr.EchoReply e -> IcmpRepr.TYPE_ECHO_REPLY;
            case IcmpRepr.DestinationUnreachable d -> IcmpRepr.TYPE_DEST_UNREACHABLE;
            case IcmpRepr.TimeExceeded t -> IcmpRepr.TYPE_TIME_EXCEEDED;
            case IcmpRepr.Other o -> o.type();
        };
    }

    static int code(IcmpRepr m) {
        return switch (m) {
            case IcmpRepr.EchoRequest e -> 0;
            case IcmpRepr.EchoReply e -> 0;
            case IcmpRepr.DestinationUnreachable d -> d.code();
            case IcmpRepr.TimeExceeded t -> t.code();
            case IcmpRepr.Other o -> o.code();
        };
    }

    /** RFC 792 wording of an ICMP message. */
    public static String describe(IcmpRepr m) {
        return switch (m) {
            case IcmpRepr.EchoRequest e -> "echo request";
            case IcmpRepr.EchoReply e -> "echo reply";
            case IcmpRepr.DestinationUnreachable d -> switch (d.code()) {
                case IcmpRepr.CODE_NET_UNREACHABLE -> "net unreachable";
                case IcmpRepr.CODE_HOST_UNREACHABLE -> "host unreachable";
                case IcmpRepr.CODE_PROTOCOL_UNREACHABLE -> "protocol unreachable";
                case IcmpRepr.CODE_PORT_UNREACHABLE -> "port unreachable";
                case IcmpRepr.CODE_FRAGMENTATION_NEEDED -> "fragmentation needed and DF set";
                case 5 -> "source route failed";
                default -> "destination unreachable (code " + d.code() + ")";
            };
            case IcmpRepr.TimeExceeded t -> t.code() == IcmpRepr.CODE_REASSEMBLY_TIME_EXCEEDED
                    ? "fragment reassembly time exceeded" : "time to live exceeded in transit";
            case IcmpRepr.Other o -> "ICMP type " + o.type() + " code " + o.code();
        };
    }

    // ------------------------------------------------------------------ UDP (RFC 768, RFC 1122 4.1)

    /**
     * Binds a UDP socket to {@code addr} (ANY: all our addresses) and {@code port} (0: an
     * ephemeral port, RFC 6056 random). Throws IllegalArgumentException if the port is taken
     * (same port with the same address, or either of them ANY) or the address is not ours.
     */
    public UdpSocket udpBind(Ipv4Address addr, int port) {
        Objects.requireNonNull(addr, "addr");
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be 0..65535: " + port);
        if (!addr.isUnspecified() && !isLocalAddress(addr))
            throw new IllegalArgumentException("cannot bind to " + addr + ": not an address of this host");
        if (port == 0) {
            int range = EPHEMERAL_HIGH - EPHEMERAL_LOW + 1;
            int start = random.nextInt(range);
            for (int i = 0; i < range && port == 0; i++) {
                int p = EPHEMERAL_LOW + (start + i) % range;
                if (udpPortFree(addr, p)) port = p;
            }
            if (port == 0) throw new IllegalArgumentException("no free ephemeral UDP port");
        } else if (!udpPortFree(addr, port)) {
            throw new IllegalArgumentException("UDP port in use: " + addr + ":" + port);
        }
        UdpSocket s = new UdpSocket(this, addr, port);
        udpSockets.put(udpKey(addr, port), s);
        return s;
    }

    private boolean udpPortFree(Ipv4Address addr, int port) {
        if (udpSockets.containsKey(udpKey(addr, port)) || udpSockets.containsKey(udpKey(Ipv4Address.ANY, port))) return false;
        if (addr.isUnspecified()) for (UdpSocket s : udpSockets.values()) if (s.localPort() == port) return false;
        return true;
    }

    private static long udpKey(Ipv4Address a, int port) { return (a.bits() & 0xffffffffL) << 16 | port; }

    private UdpSocket udpLookup(Ipv4Address addr, int port) {
        UdpSocket s = udpSockets.get(udpKey(addr, port));
        return s != null ? s : udpSockets.get(udpKey(Ipv4Address.ANY, port));
    }

    void udpUnbind(UdpSocket s) {
        udpSockets.remove(udpKey(s.localAddress(), s.localPort()), s);
    }

    boolean udpOutput(long now, UdpSocket s, Ipv4Address dst, int dstPort, byte[] data, int off, int len) {
        if (len > UdpSocket.MAX_PAYLOAD) {
            c.ipOutDropTooLong.increment();
            dropOut(now, "udp", DropReason.TOO_BIG, "datagram longer than " + UdpSocket.MAX_PAYLOAD + " bytes", s.localAddress(), dst,
                    Ipv4Repr.PROTO_UDP, len);
            return false;
        }
        Ipv4Address src = s.localAddress().isUnspecified() ? sourceAddressFor(dst) : s.localAddress();
        if (src == null) {
            c.ipOutRequests.increment();
            c.ipOutDropNoRoute.increment();
            dropOut(now, "ipv4", DropReason.NO_ROUTE, "no route to host", Ipv4Address.ANY, dst, Ipv4Repr.PROTO_UDP, len);
            return false;
        }
        byte[] b = new byte[UdpRepr.HEADER_LENGTH + len];
        new UdpRepr(s.localPort(), dstPort).emit(src, dst, b, 0, data, off, len);
        c.udpOutDatagrams.increment();
        return send(now, src, dst, Ipv4Repr.PROTO_UDP, s.ttl(), s.dontFragment(), b, 0, b.length);
    }

    private void udpInput(long now, Ipv4Repr ip, byte[] buf, int off, int len, boolean broadcast) {
        UdpRepr udp;
        switch (UdpRepr.parse(ip.src(), ip.dst(), buf, off, len)) {
            case Parsed.Malformed<UdpRepr> m -> {
                c.udpInErrors.increment();
                if (m.kind() == MalformedKind.CHECKSUM) c.udpInDropBadChecksum.increment();
                drop(now, "udp", DropReason.of(m.kind()), m.reason(), ip);
                return;
            }
            case Parsed.Ok<UdpRepr> ok -> udp = ok.value();
        }
        UdpSocket s = udpLookup(ip.dst(), udp.dstPort());
        if (s == null) {
            c.udpNoPorts.increment();
            if (tracer.enabled()) drop(now, "udp", DropReason.NO_LISTENER, "port " + udp.dstPort() + " closed", ip);
            // RFC 1122 4.1.3.1: SHOULD send port unreachable (not for broadcasts, 3.2.2).
            sendIcmpError(now, ip, buf, off, len, broadcast,
                    IcmpRepr.TYPE_DEST_UNREACHABLE, IcmpRepr.CODE_PORT_UNREACHABLE);
            return;
        }
        int plen = UdpRepr.payloadLength(buf, off);
        int p = off + UdpRepr.HEADER_LENGTH;
        UdpDatagram d = new UdpDatagram(now, ip.src(), udp.srcPort(), ip.dst(), udp.dstPort(),
                Arrays.copyOfRange(buf, p, p + plen));
        if (!s.deliver(d)) {
            c.udpRcvbufErrors.increment();
            drop(now, "udp", DropReason.QUEUE_FULL, "receive queue full (" + UdpSocket.MAX_QUEUED_DATAGRAMS + " datagrams)", ip);
            return;
        }
        c.udpInDatagrams.increment();
    }

    // ------------------------------------------------------------------ tracing

    private void drop(long now, String layer, DropReason kind, String reason, String summary) {
        if (tracer.enabled()) tracer.event(new TraceEvent.Drop(now, layer, kind, reason, summary));
    }

    private void drop(long now, String layer, DropReason kind, String reason, Ipv4Repr ip) {
        if (tracer.enabled()) tracer.event(new TraceEvent.Drop(now, layer, kind, reason, summary(ip)));
    }

    private void dropOut(long now, String layer, DropReason kind, String reason, Ipv4Address src, Ipv4Address dst, int protocol, int len) {
        if (tracer.enabled())
            tracer.event(new TraceEvent.Drop(now, layer, kind, reason, "out " + src + " > " + dst + " proto " + protocol
                    + " length " + len));
    }

    private void note(long now, String layer, String text) {
        if (tracer.enabled()) tracer.event(new TraceEvent.Note(now, layer, text));
    }

    /** Interfaces, routes and neighbours, like {@code ip addr; ip route; ip neigh}. */
    @Override public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Link l : links) sb.append(l.iface).append('\n');
        sb.append(routes);
        for (Neighbor n : neighbors()) sb.append(n).append('\n');
        return sb.toString();
    }

    /** One tcpdump-like line about an IPv4 header. */
    static String summary(Ipv4Repr ip) {
        StringBuilder sb = new StringBuilder();
        sb.append(ip.src()).append(" > ").append(ip.dst()).append(": proto ").append(ip.protocol())
                .append(", id ").append(ip.identification()).append(", ttl ").append(ip.ttl())
                .append(", length ").append(ip.totalLength());
        if (ip.moreFragments() || ip.fragmentOffset() != 0)
            sb.append(", frag ").append(ip.fragmentOffset()).append(ip.moreFragments() ? "+" : "");
        if (ip.dontFragment()) sb.append(", DF");
        return sb.toString();
    }
}
