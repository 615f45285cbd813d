package org.netstack4j.ip;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import org.netstack4j.device.FrameSink;
import org.netstack4j.path.PathMtuCache;
import org.netstack4j.time.Pollable;
import org.netstack4j.time.Time;
import org.netstack4j.trace.Counters;
import org.netstack4j.trace.DropReason;
import org.netstack4j.trace.TraceEvent;
import org.netstack4j.trace.Tracer;
import org.netstack4j.wire.IcmpRepr;
import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.IpMeta;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv4Repr;
import org.netstack4j.wire.Ipv6Address;
import org.netstack4j.wire.MacAddress;

/**
 * A host's IPv4 layer: interfaces (Ethernet with ARP, or bare IP), routing, IPv4 input and
 * output with fragmentation and reassembly, ICMP (echo responder, errors) and UDP sockets.
 * Other transports (TCP) plug in through {@link #setProtocolHandler}.
 *
 * <p>This class holds the configuration (interfaces, routes, handlers), the address rules and
 * the entry points; each protocol is its own class behind it, as smoltcp's
 * {@code iface/interface/*.rs}: {@link Ethernet} (framing in and out), {@link Arp},
 * {@link Ipv4} (input, output, fragments, our loopback queue), {@link Icmp}, {@link Udp}.
 *
 * <p>Sans-IO and single-threaded: frames arrive through the devices' sinks (while a runtime
 * or simulator drives the devices, or from {@link #poll}); everything time-driven (ARP
 * retries, reassembly timeouts, our own loopback queue) happens in {@link #poll} at the
 * deadlines {@link #pollAt} reports. Bad input never throws: it is dropped, counted and
 * traced ({@link TraceEvent.Drop}).
 *
 * <p>It is a host, not a router (RFC 1122): packets not addressed to us are dropped, unless
 * {@link #setForwarding} makes it an IPv4 router (RFC 1812). The weak host model (RFC 1122
 * 3.3.4.2) is used: any of our addresses is accepted on any interface. Addresses above this layer
 * are {@link IpAddress}es; IPv6 is the same shape in {@link Ipv6}, {@link Icmpv6} and {@link Ndp},
 * on the interfaces where it is enabled ({@link #enableIpv6}, {@link #addIpv6Address}).
 *
 * <p>Limits: see {@link ArpCache} (neighbours, per-neighbour queue), {@link Reassembler}
 * (reassembly memory and timeout), {@link UdpSocket} (receive queue),
 * {@link #MAX_LOCAL_QUEUE} (datagrams to our own addresses) and the ICMP error rate
 * ({@link #ICMP_ERROR_BURST} at most, refilled one per {@link #ICMP_ERROR_INTERVAL_NS}).
 */
public final class IpStack implements Pollable {
    /** RFC 1700 / Linux default TTL. */
    public static final int DEFAULT_TTL = 64;
    /** One memory budget for the reassembly of both versions: a flood of one cannot escape the bound through the other. */
    private final FragmentTable.Budget reassemblyBudget = new FragmentTable.Budget(Reassembler.MAX_MEMORY);
    /** Datagrams we send to one of our own addresses, waiting for the next poll. */
    public static final int MAX_LOCAL_QUEUE = 64;
    /** ICMP error rate limit (RFC 1812 4.3.2.8, RFC 1122 3.2.2): token bucket burst... */
    public static final int ICMP_ERROR_BURST = 50;
    /** ...refilled one token per millisecond (Linux: icmp_msgs_per_sec 1000, burst 50). */
    public static final long ICMP_ERROR_INTERVAL_NS = Time.ms(1);

    private final IpCounters c;
    private final IpTrace trace;
    private final List<Link> links = new ArrayList<>();
    private final RoutingTable routes = new RoutingTable();
    private final IpProtocolHandler[] handlers = new IpProtocolHandler[256]; // by protocol number (0..255)
    private EchoReplyListener echoListener;
    private final Ethernet ethernet;
    private final Arp arp;
    private final Ipv4 ipv4;
    private final Icmp icmp;
    private final Udp udp;
    private final Ipv6 ipv6;
    private final PathMtuCache pathMtus;
    private final Icmpv6 icmpv6;
    private final Ndp ndp;
    private final Forwarding forwarding;
    private final Forwarding6 forwarding6;
    private Hooks hooks;

    public IpStack(Tracer tracer, Counters counters, long seed) {
        this.trace = new IpTrace(tracer == null ? Tracer.NONE : tracer);
        this.c = new IpCounters(Objects.requireNonNull(counters, "counters"));
        SplittableRandom random = new SplittableRandom(seed);
        this.ipv4 = new Ipv4(this, c, trace, random.nextLong(), reassemblyBudget);
        this.ethernet = new Ethernet(c, trace);
        this.arp = new Arp(this, c, trace);
        this.icmp = new Icmp(this, c, trace);
        this.udp = new Udp(this, c, trace, random);
        ethernet.wire(arp, ipv4);
        arp.wire(ethernet, icmp);
        this.forwarding = new Forwarding(this, c, trace, ethernet, icmp);
        ipv4.wire(ethernet, icmp, udp, forwarding);
        icmp.wire(udp);
        udp.wire(icmp);
        // IPv6 draws from its own generator: IPv4's draws (and so its traces) stay as they were
        SplittableRandom random6 = new SplittableRandom(seed ^ 0x6A09E667F3BCC908L);
        Ipv6Counters c6 = new Ipv6Counters(counters);
        this.pathMtus = new PathMtuCache(counters);
        this.ipv6 = new Ipv6(this, c6, trace, random6.split(), reassemblyBudget, seed); // (the label key: no draw from random6)
        this.icmpv6 = new Icmpv6(this, c6, trace);
        this.ndp = new Ndp(this, c6, trace, random6.nextLong());
        ipv6.wire(ethernet, icmpv6, udp);
        icmpv6.wire(ipv6, ndp, udp);
        ndp.wire(ipv6, icmpv6, ethernet);
        ethernet.wire6(ipv6, ndp);
        this.forwarding6 = new Forwarding6(this, c6, trace, ethernet, ipv6, icmpv6);
    }

    // ------------------------------------------------------------------ configuration

    /**
     * Adds an interface, attaches to its device and adds its connected route. An IPv6-only
     * interface ({@link IpInterface#ipv6Only}) has no IPv4 route; IPv6 is enabled on it with its
     * link-local address.
     */
    public void addInterface(IpInterface iface) {
        Objects.requireNonNull(iface, "iface");
        for (Link l : links)
            if (l.iface.name().equals(iface.name())) throw new IllegalArgumentException("interface exists: " + iface.name());
        Link link = new Link(iface, links.size());
        links.add(link);
        iface.device().attach(new FrameSink() {
            @Override public void receive(long now, byte[] frame) { ethernet.frameReceived(link, now, frame); }

            // a GRO super-packet: forwarding sends it on whole or cut into these segments (Forwarding#forward);
            // a checksum the device vouched for goes to the transport in IpMeta#checksumVerified
            @Override public void receive(long now, byte[] frame, int info) {
                // a partial checksum is fine for local delivery; a router may write the frame out
                if (FrameSink.checksumPartial(info) && (forwarding.enabled() || forwarding6.enabled()))
                    info = FrameSink.completePartial(frame, FrameSink.ipOffset(iface.device().medium()), info);
                link.rxSegmentSize = FrameSink.segmentSize(info);
                link.rxChecksumVerified = FrameSink.checksumVerified(info);
                try {
                    ethernet.frameReceived(link, now, frame);
                } finally {
                    link.rxSegmentSize = 0;
                    link.rxChecksumVerified = false;
                }
            }
        });
        if (iface.hasIpv4()) routes.add(new RoutingTable.Route(iface.network(), iface.prefixLength(), null, iface));
        else ndp.enable(link);
    }

    /**
     * Turns IPv4 forwarding between the interfaces on or off (off by default: a host, RFC 1122).
     * On, datagrams for other hosts are routed as RFC 1812 says ({@link Forwarding}).
     */
    public void setForwarding(boolean on) { forwarding.setEnabled(on); }

    public boolean forwarding() { return forwarding.enabled(); }

    /**
     * Turns IPv6 forwarding on or off (off by default; like Linux, a separate switch from IPv4's).
     * On, packets for other hosts arriving on an IPv6 interface are routed as RFC 8200 says
     * ({@link Forwarding6}): hop limit, time exceeded, packet too big, no link-local scope leaks.
     */
    public void setIpv6Forwarding(boolean on) { forwarding6.setEnabled(on); }

    public boolean ipv6Forwarding() { return forwarding6.enabled(); }

    Forwarding6 forwarder6() { return forwarding6; }

    /**
     * Flow interception on interface {@code ifName} (off by default): TCP, UDP and ICMP arriving
     * there for ANY unicast destination are taken as if the address were ours, the way tun2socks
     * and VPN apps terminate every flow entering a TUN. TCP SYNs without a listener then go to
     * the TCP layer's interceptor ({@link org.netstack4j.tcp.TcpIntercept}), UDP without a bound
     * socket to {@link #interceptUdp}, and echo requests are answered from the address they were
     * sent to. Interception wins over forwarding on that interface.
     */
    public void setIntercept(String ifName, boolean on) { linkNamed(ifName).intercept = on; }

    /**
     * UDP interception: datagrams that no bound socket takes (on an intercepting interface: to
     * any destination) become sessions of {@code handler}, one per client endpoint, with the
     * limits and idle timeout of {@code config}; null turns it off.
     */
    public UdpIntercept interceptUdp(UdpIntercept.Config config, UdpIntercept.Handler handler) {
        udp.closeIntercept(lastPoll);
        UdpIntercept u = handler == null ? null : new UdpIntercept(this, c, trace, config, handler);
        udp.setIntercept(u);
        return u;
    }

    /** The UDP interceptor, or null. */
    public UdpIntercept udpIntercept() { return udp.intercept(); }

    /**
     * Puts a {@link org.netstack4j.filter.Netfilter} (firewall, connection tracking, NAT) at the
     * IP layer's hooks ({@link Hooks}: pre-routing, INPUT, FORWARD, OUTPUT, post-routing); null
     * removes it. Its timers run in {@link #poll}.
     */
    public void setNetfilter(org.netstack4j.filter.Netfilter nf) {
        this.hooks = nf == null ? null : new Hooks(nf, this, c, trace);
    }

    Hooks hooks() { return hooks; }

    boolean sendRaw(long now, byte[] datagram) {
        return datagram.length > 0 && (datagram[0] & 0xf0) == 0x60 ? forwarding6.sendRaw(now, datagram) : forwarding.sendRaw(now, datagram);
    }

    Forwarding forwarder() { return forwarding; }

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

    IpProtocolHandler handler(int protocol) { return handlers[protocol]; }

    public void setEchoReplyListener(EchoReplyListener l) { this.echoListener = l; }

    EchoReplyListener echoListener() { return echoListener; }

    public Counters counters() { return c.all; }

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

    /** The ARP caches of all Ethernet interfaces, like {@code ip neigh}. */
    public List<Neighbor> neighbors() {
        List<Neighbor> out = new ArrayList<>();
        for (Link l : links) if (l.arp != null) out.addAll(l.arp.snapshot(l.iface.name()));
        return out;
    }

    /** Bytes held by IPv4 and IPv6 datagrams being reassembled (bounded by 256 KiB together). */
    public int reassemblyMemory() { return reassemblyBudget.used; }

    /** Datagrams being reassembled, both versions (IPv6's for the netfilter, {@link Defrag6}, included). */
    public int reassembliesInProgress() {
        return ipv4.reassembler().inProgress() + ipv6.reassembler().inProgress() + ipv6.defrag().inProgress();
    }

    // ------------------------------------------------------------------ time

    @Override public long pollAt() {
        long t = Time.NEVER;
        for (int i = 0; i < links.size(); i++) { // by index: read at every poll, and C1 keeps an iterator
            Link l = links.get(i);
            t = Math.min(t, l.iface.device().pollAt());
            if (l.arp != null) t = Math.min(t, l.arp.nextDeadline());
        }
        if (hooks != null) t = Math.min(t, hooks.nf.pollAt());
        t = Math.min(t, udp.interceptDeadline());
        return Math.min(Math.min(t, ipv4.nextDeadline()), Math.min(ipv6.nextDeadline(), ndp.nextDeadline()));
    }

    private long lastPoll;

    @Override public void poll(long now) {
        lastPoll = now;
        for (int i = 0; i < links.size(); i++) links.get(i).iface.device().poll(now);
        ipv4.pollLocal(now);
        for (int i = 0; i < links.size(); i++) {
            Link l = links.get(i);
            if (l.arp != null && l.arp.nextDeadline() <= now) arp.timers(l, now);
        }
        ipv4.pollTimers(now);
        ipv6.pollLocal(now);
        ipv6.pollTimers(now);
        if (ndp.nextDeadline() <= now) ndp.timers(now);
        if (hooks != null && hooks.nf.pollAt() <= now) hooks.nf.poll(now);
        if (udp.interceptDeadline() <= now) udp.interceptTimers(now);
    }

    // ------------------------------------------------------------------ addresses

    /** The source address to use towards {@code dst} (RFC 1122 3.3.4.3), or null if no route. */
    public Ipv4Address sourceAddressFor(Ipv4Address dst) {
        if (isLocalAddress(dst)) return dst;
        if (dst.isBroadcast()) {
            Link l = firstLink();
            return l == null ? null : l.iface.address();
        }
        RoutingTable.NextHop nh = routes.lookup(dst);
        return nh == null ? null : nh.iface().address();
    }

    /** {@link #sourceAddressFor(Ipv4Address)} for either family: null for IPv6 (no IPv6 routes yet). */
    public IpAddress sourceAddressFor(IpAddress dst) {
        return dst instanceof Ipv4Address v4 ? sourceAddressFor(v4) : ipv6.sourceAddressFor((Ipv6Address) dst);
    }

    /**
     * The stack's per-destination path MTU cache (both families): a believed ICMP fragmentation
     * needed or packet too big lowers it whatever the quoted protocol (RFC 1191, RFC 8201, RFC 5927:
     * ICMP checks UDP's against the socket and ping's against the identifiers sent; the host
     * hands the cache to TCP, which checks its own against the sequence space); both IP layers
     * size what they send with it ({@link #mtuFor}), so later connections start within it.
     */
    public PathMtuCache pathMtus() { return pathMtus; }

    /**
     * The path MTU towards {@code dst}: a learnt one (RFC 1191, RFC 8201: {@link #pathMtus}) or
     * the MTU of the interface packets to it leave by (for TCP's MSS, RFC 9293 3.7.1: MSS = MTU -
     * 40), or 0 if there is no route. Our own addresses: 65535.
     */
    public int mtuFor(IpAddress dst) { return mtuFor(dst, true); }

    /**
     * {@link #mtuFor(IpAddress)} ({@code path}), or the MTU of the interface packets to
     * {@code dst} leave by, learnt path MTUs aside (IP_PMTUDISC_PROBE, INTERFACE and OMIT).
     */
    public int mtuFor(IpAddress dst, boolean path) {
        if (dst instanceof Ipv6Address v6) return path ? ipv6.mtuFor(v6) : ipv6.linkMtuFor(v6);
        Ipv4Address v4 = (Ipv4Address) dst;
        if (isLocalAddress(v4)) return 65535;
        if (v4.isBroadcast()) {
            Link l = firstLink();
            return l == null ? 0 : l.iface.mtu();
        }
        RoutingTable.NextHop nh = routes.lookup(v4);
        Link l = nh == null ? null : linkOf(nh.iface());
        return l == null ? 0 : path ? ipv4.mtuFor(v4, l) : l.iface.mtu();
    }

    /**
     * The largest TCP super-segment (IP packet) the device that packets to {@code dst} leave by
     * cuts itself ({@link org.netstack4j.device.Device#gsoMaxSize}); 0 when there is none, the
     * destination is ours, the link is Ethernet or firewall hooks are set (they see every packet).
     */
    public int gsoMaxFor(IpAddress dst) {
        if (hooks != null) return 0;
        if (dst instanceof Ipv6Address v6) return ipv6.gsoMaxFor(v6);
        Ipv4Address v4 = (Ipv4Address) dst;
        if (isLocalAddress(v4) || v4.isBroadcast() || v4.isMulticast()) return 0;
        RoutingTable.NextHop nh = routes.lookup(v4);
        Link l = nh == null ? null : linkOf(nh.iface());
        return l == null || l.ethernet ? 0 : l.iface.device().gsoMaxSize();
    }

    /**
     * Sends a TCP super-segment of {@code len} bytes (written by {@code writer} with its checksum
     * holding only the pseudo-header sum) that the route's device cuts into segments of
     * {@code segmentSize} payload bytes ({@link org.netstack4j.device.Device#transmitSegments}).
     * When the route no longer allows that ({@link #gsoMaxFor}), it is cut here
     * ({@link org.netstack4j.device.offload.Segmentation#segment}, complete checksums) and each
     * segment sent as usual. {@code dontFragment} (IPv4) goes on the super-segment's header, so on
     * every segment cut from it.
     */
    public boolean sendSegmented(long now, IpAddress src, IpAddress dst, int trafficClass, int ttl, boolean dontFragment, int len,
                                 int segmentSize, PayloadWriter writer) {
        int ipLen = dst instanceof Ipv6Address ? org.netstack4j.wire.Ipv6Repr.HEADER_LENGTH : Ipv4Repr.MIN_HEADER_LENGTH;
        if (segmentSize > 0 && ipLen + len <= gsoMaxFor(dst)) {
            if (src instanceof Ipv4Address s4 && dst instanceof Ipv4Address d4)
                return ipv4.output(now, s4, d4, Ipv4Repr.PROTO_TCP, trafficClass, ttl, dontFragment, null, 0, len, writer, segmentSize);
            if (src instanceof Ipv6Address s6 && dst instanceof Ipv6Address d6)
                return ipv6.output(now, s6, d6, Ipv4Repr.PROTO_TCP, trafficClass, ttl, null, 0, len, writer, segmentSize);
            return noRoute(now, src, dst, Ipv4Repr.PROTO_TCP, len);
        }
        // cut here: an IP packet around the segment only to give Segmentation its layout
        byte[] packet = new byte[ipLen + len];
        if (dst instanceof Ipv6Address d6 && src instanceof Ipv6Address s6)
            org.netstack4j.wire.Ipv6Repr.of(s6, d6, Ipv4Repr.PROTO_TCP, 64, len).emit(packet, 0);
        else if (src instanceof Ipv4Address s4 && dst instanceof Ipv4Address d4)
            Ipv4Repr.of(s4, d4, Ipv4Repr.PROTO_TCP, 64, len).emit(packet, 0);
        else return noRoute(now, src, dst, Ipv4Repr.PROTO_TCP, len);
        writer.write(packet, ipLen);
        org.netstack4j.device.offload.Segmentation.Result r =
                org.netstack4j.device.offload.Segmentation.segment(packet, packet.length, Math.max(1, segmentSize));
        boolean ok = r.ok();
        for (byte[] p : r.packets())
            ok &= send(now, src, dst, Ipv4Repr.PROTO_TCP, trafficClass, ttl, dontFragment, p.length - ipLen,
                    (buf, at) -> System.arraycopy(p, ipLen, buf, at, p.length - ipLen));
        return ok;
    }

    /** True if {@code a} is the address of one of our interfaces. */
    public boolean isLocalAddress(IpAddress a) {
        if (!(a instanceof Ipv4Address v4)) return ipv6.isLocal((Ipv6Address) a);
        int bits = v4.bits();
        for (int i = 0; i < links.size(); i++) if (links.get(i).hasIpv4 && links.get(i).addressBits == bits) return true;
        return false;
    }

    boolean isDirectedBroadcast(Ipv4Address a) {
        int bits = a.bits();
        for (int i = 0; i < links.size(); i++) {
            Link l = links.get(i);
            if (l.hasBroadcast && l.broadcastBits == bits) return true;
        }
        return false;
    }

    boolean isAnyBroadcast(Ipv4Address a) { return a.isBroadcast() || isDirectedBroadcast(a); }

    /** The first interface with an IPv4 address (IPv4's limited broadcast leaves by it), or null. */
    Link firstLink() {
        for (Link l : links) if (l.hasIpv4) return l;
        return null;
    }

    Link linkOf(IpInterface iface) {
        for (Link l : links) if (l.iface == iface) return l;
        return null;
    }

    Link linkWithAddress(Ipv4Address a) {
        for (Link l : links) if (a.equals(l.iface.address())) return l;
        return null;
    }

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
        return send(now, src, dst, protocol, 0, ttl, dontFragment, payload, off, len);
    }

    /** The array variant with a TOS byte (DSCP and ECN bits): UDP sockets' IP_TOS. */
    boolean send(long now, Ipv4Address src, Ipv4Address dst, int protocol, int tos, int ttl, boolean dontFragment,
                 byte[] payload, int off, int len) {
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(dst, "dst");
        Objects.checkFromIndexSize(off, len, payload.length);
        return ipv4.output(now, src, dst, protocol, tos, ttl, dontFragment, payload, off, len, null);
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
        return send(now, src, dst, protocol, 0, ttl, dontFragment, len, writer);
    }

    /**
     * The transports' way out, for either family: {@code trafficClass} is the TOS byte (DSCP and
     * the ECN bits, RFC 3168 5), {@code ttl} the TTL or hop limit (-1: the default). An IPv6
     * datagram is dropped as unroutable for now (counted under ipv4.out.drop.no_route).
     */
    public boolean send(long now, IpAddress src, IpAddress dst, int protocol, int trafficClass, int ttl,
                        boolean dontFragment, int len, PayloadWriter writer) {
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(dst, "dst");
        Objects.requireNonNull(writer, "writer");
        if (len < 0) throw new IllegalArgumentException("negative length " + len);
        if (src instanceof Ipv4Address s4 && dst instanceof Ipv4Address d4)
            return ipv4.output(now, s4, d4, protocol, trafficClass, ttl, dontFragment, null, 0, len, writer);
        if (src instanceof Ipv6Address s6 && dst instanceof Ipv6Address d6)
            return ipv6.output(now, s6, d6, protocol, trafficClass, ttl, null, 0, len, writer);
        return noRoute(now, src, dst, protocol, len);
    }

    /**
     * {@link #send(long, IpAddress, IpAddress, int, int, int, boolean, int, PayloadWriter)} with
     * the addresses, traffic class and TTL of {@code meta} (its interface index is not used: the
     * route decides).
     */
    public boolean send(long now, IpMeta meta, int protocol, boolean dontFragment, int len, PayloadWriter writer) {
        return send(now, meta.src(), meta.dst(), protocol, meta.trafficClass(), meta.ttl(), dontFragment, len, writer);
    }

    private boolean noRoute(long now, IpAddress src, IpAddress dst, int protocol, int len) {
        c.ipOutRequests.increment();
        c.ipOutDropNoRoute.increment();
        trace.dropOut(now, "ip", DropReason.NO_ROUTE, "no route to host (source and destination of different families)", src, dst, protocol, len);
        return false;
    }

    // ------------------------------------------------------------------ ICMP and UDP entry points

    /** Sends an echo request (ping); replies go to the {@link EchoReplyListener}. ttl -1: 64. */
    public void ping(long now, Ipv4Address dst, int id, int seq, byte[] data, int ttl) {
        icmp.ping(now, dst, id, seq, data, ttl, false);
    }

    /**
     * {@link #ping} with DF set when {@code dontFragment} (ping -M do): a request too big for
     * the path is then dropped here, or by a router that answers fragmentation needed, which
     * lowers the path MTU (it quotes an identifier we sent, RFC 5927).
     */
    public void ping(long now, Ipv4Address dst, int id, int seq, byte[] data, int ttl, boolean dontFragment) {
        icmp.ping(now, dst, id, seq, data, ttl, dontFragment);
    }

    /** Why a destination is unreachable, in words both families have (RFC 792 / RFC 1812, RFC 4443 3.1). */
    public enum Unreachable { NETWORK, HOST, PORT, ADMIN_PROHIBITED }

    /**
     * Sends the ICMP (or ICMPv6) destination unreachable a router or host would send about a
     * packet from {@code about.src()} to {@code about.dst()} of {@code protocol} whose transport
     * bytes began with transport[off .. off+len) (at least the first 8, RFC 792): the way an
     * intercepting gateway refuses a flow when its upstream is unreachable. The quoted IP header
     * is rebuilt from {@code about}; the usual rules and the error rate limit apply.
     */
    public void sendUnreachable(long now, IpMeta about, int protocol, byte[] transport, int off, int len, Unreachable why) {
        Objects.checkFromIndexSize(off, len, transport.length);
        int ttl = about.ttl() < 0 ? DEFAULT_TTL : about.ttl();
        if (about.src() instanceof Ipv4Address s4 && about.dst() instanceof Ipv4Address d4) {
            int code = switch (why) {
                case NETWORK -> IcmpRepr.CODE_NET_UNREACHABLE;
                case HOST -> IcmpRepr.CODE_HOST_UNREACHABLE;
                case PORT -> IcmpRepr.CODE_PORT_UNREACHABLE;
                case ADMIN_PROHIBITED -> 13; // RFC 1812 5.2.7.1: communication administratively prohibited
            };
            icmp.sendError(now, Ipv4Repr.of(s4, d4, protocol, ttl, len), transport, off, len, false,
                    IcmpRepr.TYPE_DEST_UNREACHABLE, code);
            return;
        }
        Ipv6Address s6 = (Ipv6Address) about.src(), d6 = (Ipv6Address) about.dst();
        int code = switch (why) {
            case NETWORK -> org.netstack4j.wire.Icmpv6Repr.CODE_NO_ROUTE;
            case HOST -> org.netstack4j.wire.Icmpv6Repr.CODE_ADDRESS_UNREACHABLE;
            case PORT -> org.netstack4j.wire.Icmpv6Repr.CODE_PORT_UNREACHABLE;
            case ADMIN_PROHIBITED -> org.netstack4j.wire.Icmpv6Repr.CODE_ADMIN_PROHIBITED;
        };
        org.netstack4j.wire.Ipv6Repr ip6 = org.netstack4j.wire.Ipv6Repr.of(s6, d6, protocol, ttl, len);
        byte[] packet = new byte[org.netstack4j.wire.Ipv6Repr.HEADER_LENGTH + len];
        ip6.emit(packet, 0);
        System.arraycopy(transport, off, packet, org.netstack4j.wire.Ipv6Repr.HEADER_LENGTH, len);
        icmpv6.sendError(now, ip6, packet, 0, packet.length, false, new org.netstack4j.wire.Icmpv6Repr.DestinationUnreachable(code, new byte[0]));
    }

    /** RFC 792 wording of an ICMP message. */
    public static String describe(IcmpRepr m) { return Icmp.describe(m); }

    /**
     * Binds a UDP socket to {@code addr} (ANY: all our addresses) and {@code port} (0: an
     * ephemeral port, RFC 6056 random). Throws IllegalArgumentException if the port is taken
     * (same port with the same address, or either of them ANY) or the address is not ours.
     */
    public UdpSocket udpBind(IpAddress addr, int port) { return udp.bind(addr, port); }

    // ------------------------------------------------------------------ IPv6 (Ipv6, Icmpv6, Ndp)

    /**
     * Enables IPv6 on interface {@code ifName} with its link-local address, a stable interface
     * id per RFC 7217 (a keyed SHA-256 of the prefix, the interface name and a secret from the
     * stack's seed); like every address it is tentative until duplicate address detection ends.
     */
    public void enableIpv6(String ifName) { ndp.enable(linkNamed(ifName)); }

    /**
     * SLAAC on interface {@code ifName} (RFC 4862 4) with router discovery: IPv6 is enabled there
     * and router solicitations go out (RFC 4861 6.3.7: after a random delay up to 1 s, then every
     * 4 s, at most 3, until a router advertises) so that a router's advertisement, with its
     * prefixes, comes without waiting for its next unsolicited one. (Advertisements are taken on
     * every IPv6 interface; without this they are only waited for.)
     */
    public void enableSlaac(String ifName) { ndp.solicitRouters(ndp.enable(linkNamed(ifName))); }

    /** Adds a configured IPv6 address (and its on-link prefix route); enables IPv6 on the interface if needed. */
    public void addIpv6Address(String ifName, Ipv6Address address, int prefixLength) {
        Objects.requireNonNull(address, "address");
        if (prefixLength < 0 || prefixLength > 128) throw new IllegalArgumentException("prefix length must be 0..128: " + prefixLength);
        if (address.isMulticast() || address.isUnspecified() || address.isLoopback())
            throw new IllegalArgumentException("not a unicast address: " + address);
        ndp.addAddress(ndp.enable(linkNamed(ifName)), address, prefixLength);
    }

    /**
     * Flow labels on the IPv6 packets we originate (RFC 6437; Linux {@code auto_flowlabels}):
     * on (the default), each TCP and UDP flow carries a stable label keyed-hashed from its
     * 5-tuple; off, every packet carries 0. ICMPv6 and Neighbor Discovery always carry 0.
     */
    public void setIpv6FlowLabels(boolean on) { ipv6.flowLabels().setEnabled(on); }

    public boolean ipv6FlowLabels() { return ipv6.flowLabels().enabled(); }

    /** DupAddrDetectTransmits (RFC 4862 5.1) for addresses added from now on: 0 turns DAD off. */
    public void setIpv6DadTransmits(int n) {
        if (n < 0) throw new IllegalArgumentException("negative DAD transmits: " + n);
        ndp.dadTransmits = n;
    }

    /** Every interface's IPv6 addresses with their state, like {@code ip -6 addr}. */
    public List<Ipv6AddressState> ipv6Addresses() {
        List<Ipv6AddressState> out = new ArrayList<>();
        for (Ipv6Link l : ipv6.links())
            for (Ipv6Link.Addr a : l.addresses) out.add(new Ipv6AddressState(l.link.iface.name(), a.address, a.prefixLength, a.state));
        return out;
    }

    /** The IPv6 neighbour caches, like {@code ip -6 neigh}. */
    public List<Ipv6Neighbor> ipv6Neighbors() {
        List<Ipv6Neighbor> out = new ArrayList<>();
        for (Ipv6Link l : ipv6.links()) if (l.neighbors != null) out.addAll(l.neighbors.snapshot(l.link.iface.name()));
        return out;
    }

    /** ping6: an ICMPv6 echo request; replies go to {@link EchoReplyListener#onEchoReply6}. hopLimit -1: 64. */
    public void ping6(long now, Ipv6Address dst, int id, int seq, byte[] data, int hopLimit) {
        icmpv6.ping(now, dst, id, seq, data, hopLimit);
    }

    /**
     * RFC 4007 11: the scope id (zone index) of interface {@code ifName}, as {@code fe80::1%eth0}
     * names it: the interface's position plus one (like a Linux ifindex, never 0); 0 if no such
     * interface.
     */
    public int scopeId(String ifName) {
        for (Link l : links) if (l.iface.name().equals(ifName)) return l.index + 1;
        return 0;
    }

    /** The name of the interface with scope id {@code scopeId}, or null. */
    public String interfaceName(int scopeId) {
        return scopeId < 1 || scopeId > links.size() ? null : links.get(scopeId - 1).iface.name();
    }

    /** Our usable link-local address on the interface with scope id {@code scopeId}, or null. */
    public Ipv6Address linkLocalAddress(int scopeId) {
        if (scopeId < 1 || scopeId > links.size()) return null;
        Ipv6Link l = ipv6.of(links.get(scopeId - 1));
        Ipv6Link.Addr a = l == null ? null : l.linkLocal();
        return a == null ? null : a.address;
    }

    /** The scope id of the interface that holds our IPv6 address {@code a}; 0 if none does. */
    public int scopeIdOf(IpAddress a) {
        if (!(a instanceof Ipv6Address v6)) return 0;
        for (Ipv6Link l : ipv6.links()) if (l.find(v6) != null) return l.link.index + 1;
        return 0;
    }

    private Link linkNamed(String ifName) {
        for (Link l : links) if (l.iface.name().equals(ifName)) return l;
        throw new IllegalArgumentException("no interface " + ifName);
    }

    /** Interfaces, routes and neighbours, like {@code ip addr; ip route; ip neigh}. */
    @Override public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Link l : links) sb.append(l.iface).append('\n');
        sb.append(routes);
        for (Neighbor n : neighbors()) sb.append(n).append('\n');
        for (Ipv6AddressState a : ipv6Addresses()) sb.append(a).append('\n');
        for (Ipv6Neighbor n : ipv6Neighbors()) sb.append(n).append('\n');
        return sb.toString();
    }
}
