package org.netstack4j.ip;

import org.netstack4j.trace.DropReason;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import org.netstack4j.path.PmtuDiscovery;
import org.netstack4j.wire.IcmpRepr;
import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.IpMeta;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv4Repr;
import org.netstack4j.wire.Ipv6Address;
import org.netstack4j.wire.Parsed;
import org.netstack4j.wire.UdpRepr;

/** UDP (RFC 768, RFC 1122 4.1): bound sockets by local address and port, input and output. */
final class Udp {
    static final int EPHEMERAL_LOW = 49152, EPHEMERAL_HIGH = 65535;

    /** A bound local address (of either family; the unspecified one of a family: all of ours) and port. */
    private record Key(IpAddress address, int port) {}

    private final IpStack stack;
    private final IpCounters c;
    private final IpTrace trace;
    private final SplittableRandom random;
    private final Map<Key, UdpSocket> sockets = new HashMap<>();
    private Icmp icmp;
    private UdpIntercept intercept;

    Udp(IpStack stack, IpCounters c, IpTrace trace, SplittableRandom random) {
        this.stack = stack;
        this.c = c;
        this.trace = trace;
        this.random = random;
    }

    void wire(Icmp icmp) { this.icmp = icmp; }

    void setIntercept(UdpIntercept u) { this.intercept = u; }

    UdpIntercept intercept() { return intercept; }

    void closeIntercept(long now) { if (intercept != null) intercept.closeAll(now); }

    long interceptDeadline() { return intercept == null ? org.netstack4j.time.Time.NEVER : intercept.nextDeadline(); }

    void interceptTimers(long now) { if (intercept != null) intercept.timers(now); }

    /** IpStack#udpBind. */
    UdpSocket bind(IpAddress addr, int port) {
        Objects.requireNonNull(addr, "addr");
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be 0..65535: " + port);
        if (!addr.isUnspecified() && !stack.isLocalAddress(addr))
            throw new IllegalArgumentException("cannot bind to " + addr + ": not an address of this host");
        if (port == 0) {
            int range = EPHEMERAL_HIGH - EPHEMERAL_LOW + 1;
            int start = random.nextInt(range);
            for (int i = 0; i < range && port == 0; i++) {
                int p = EPHEMERAL_LOW + (start + i) % range;
                if (portFree(addr, p)) port = p;
            }
            if (port == 0) throw new IllegalArgumentException("no free ephemeral UDP port");
        } else if (!portFree(addr, port)) {
            throw new IllegalArgumentException("UDP port in use: " + addr + ":" + port);
        }
        UdpSocket s = new UdpSocket(this, addr, port);
        sockets.put(new Key(addr, port), s);
        return s;
    }

    private boolean portFree(IpAddress addr, int port) {
        if (sockets.containsKey(new Key(addr, port)) || sockets.containsKey(wildcard(addr, port))) return false;
        if (addr.isUnspecified())
            for (UdpSocket s : sockets.values())
                if (s.localPort() == port && s.localAddress().family() == addr.family()) return false;
        return true;
    }

    private static Key wildcard(IpAddress addr, int port) { return new Key(IpAddress.any(addr.family()), port); }

    private UdpSocket lookup(IpAddress addr, int port) {
        UdpSocket s = sockets.get(new Key(addr, port));
        return s != null ? s : sockets.get(wildcard(addr, port));
    }

    void unbind(UdpSocket s) {
        sockets.remove(new Key(s.localAddress(), s.localPort()), s);
    }

    /** The socket a datagram from our {@code addr}:{@code port} was sent by, or null: whether an ICMP error about it is believed. */
    UdpSocket socket(IpAddress addr, int port) { return lookup(addr, port); }

    /** UdpSocket#mtu: IP_MTU, the path's (learnt or the route's) or, if the socket's mode ignores learnt ones, the interface's. */
    int mtu(UdpSocket s, IpAddress dst) { return stack.mtuFor(dst, s.pmtuDiscovery().datagramUsesPathMtu()); }

    /** UdpSocket#maxPayload: what the socket's mode lets through towards {@code dst} without EMSGSIZE. */
    int maxPayload(UdpSocket s, IpAddress dst) {
        int mtu = s.pmtuDiscovery().datagramRefusesTooBig() ? mtu(s, dst) : 0;
        return mtu == 0 ? UdpSocket.MAX_PAYLOAD
                : Math.max(0, Math.min(UdpSocket.MAX_PAYLOAD, mtu - dst.family().minHeaderLength() - UdpRepr.HEADER_LENGTH));
    }

    /** An ICMP error about a datagram sent from addr:port (kept for the socket's {@link UdpSocket#error}). */
    void error(long now, IpAddress addr, int port, UdpError e) {
        UdpSocket s = lookup(addr, port);
        if (s != null) s.setError(e);
    }

    boolean output(long now, UdpSocket s, IpAddress dst, int dstPort, byte[] data, int off, int len) {
        if (len > UdpSocket.MAX_PAYLOAD) {
            c.ipOutDropTooLong.increment();
            trace.dropOut(now, "udp", DropReason.TOO_BIG, "datagram longer than " + UdpSocket.MAX_PAYLOAD + " bytes", s.localAddress(), dst,
                    Ipv4Repr.PROTO_UDP, len);
            return false;
        }
        // Linux __ip_append_data / __ip6_append_data: under IP_PMTUDISC_DO, PROBE and INTERFACE a
        // datagram larger than the MTU fails with EMSGSIZE; the other modes fragment it at the source
        int max = maxPayload(s, dst);
        if (len > max) {
            c.named("udp.out.drop.emsgsize").increment();
            trace.dropOut(now, "udp", DropReason.TOO_BIG, "EMSGSIZE: " + len + " bytes exceed the " + (max + UdpRepr.HEADER_LENGTH
                    + dst.family().minHeaderLength()) + "-byte MTU (" + s.pmtuDiscovery() + ")", s.localAddress(), dst, Ipv4Repr.PROTO_UDP, len);
            return false;
        }
        IpAddress src = s.localAddress().isUnspecified() ? stack.sourceAddressFor(dst) : s.localAddress();
        if (src instanceof Ipv6Address src6 && dst instanceof Ipv6Address dst6) {
            c.udpOutDatagrams.increment();
            return stack.send(now, src6, dst6, Ipv4Repr.PROTO_UDP, s.trafficClass(), s.ttl(), false, UdpRepr.HEADER_LENGTH + len,
                    (buf, at) -> new UdpRepr(s.localPort(), dstPort).emit(src6, dst6, buf, at, data, off, len));
        }
        if (!(src instanceof Ipv4Address src4) || !(dst instanceof Ipv4Address dst4)) {
            c.ipOutRequests.increment();
            c.ipOutDropNoRoute.increment();
            trace.dropOut(now, "ipv4", DropReason.NO_ROUTE, "no route to host", src == null ? IpAddress.any(dst.family()) : src, dst,
                    Ipv4Repr.PROTO_UDP, len);
            return false;
        }
        byte[] b = new byte[UdpRepr.HEADER_LENGTH + len];
        new UdpRepr(s.localPort(), dstPort).emit(src4, dst4, b, 0, data, off, len);
        c.udpOutDatagrams.increment();
        PmtuDiscovery mode = s.pmtuDiscovery();
        boolean df = mode.datagramDontFragment(b.length + Ipv4Repr.MIN_HEADER_LENGTH <= mtu(s, dst4),
                mode == PmtuDiscovery.WANT && stack.pathMtus().locked(now, dst4));
        return stack.send(now, src4, dst4, Ipv4Repr.PROTO_UDP, s.trafficClass(), s.ttl(), df, b, 0, b.length);
    }

    /** A datagram for UDP; {@code ip} is its IPv4 header, kept to quote in a port unreachable. */
    void input(long now, IpMeta meta, Ipv4Repr ip, byte[] buf, int off, int len, boolean broadcast) {
        if (!input(now, meta, trace.enabled() ? IpTrace.summary(ip) : "", buf, off, len))
            // RFC 1122 4.1.3.1: SHOULD send port unreachable (not for broadcasts, 3.2.2).
            icmp.sendError(now, ip, buf, off, len, broadcast,
                    IcmpRepr.TYPE_DEST_UNREACHABLE, IcmpRepr.CODE_PORT_UNREACHABLE);
    }

    /**
     * A datagram for UDP of either family ({@code ip} a one-line summary of its IP header for
     * traces). Returns false when no socket is bound to its port: the caller answers with its
     * family's port unreachable.
     */
    boolean input(long now, IpMeta meta, String ip, byte[] buf, int off, int len) {
        UdpRepr udp;
        switch (UdpRepr.parse(meta.src(), meta.dst(), buf, off, len)) {
            case Parsed.Malformed<UdpRepr> m -> {
                c.udpInErrors.increment();
                if (m.kind() == org.netstack4j.wire.MalformedKind.CHECKSUM) c.udpInDropBadChecksum.increment();
                trace.drop(now, "udp", DropReason.of(m.kind()), m.reason(), ip);
                return true;
            }
            case Parsed.Ok<UdpRepr> ok -> udp = ok.value();
        }
        UdpSocket s = lookup(meta.dst(), udp.dstPort());
        if (s == null && intercept != null && !stack.isLocalAddress(meta.dst()) && !meta.dst().isMulticast()) {
            int plen = UdpRepr.payloadLength(buf, off);
            int p = off + UdpRepr.HEADER_LENGTH;
            intercept.input(now, meta, udp.srcPort(), udp.dstPort(), Arrays.copyOfRange(buf, p, p + plen), ip);
            return true;
        }
        if (s == null) {
            c.udpNoPorts.increment();
            if (trace.enabled()) trace.drop(now, "udp", DropReason.NO_LISTENER, "port " + udp.dstPort() + " closed", ip);
            return false;
        }
        int plen = UdpRepr.payloadLength(buf, off);
        int p = off + UdpRepr.HEADER_LENGTH;
        UdpDatagram d = new UdpDatagram(now, meta, udp.srcPort(), udp.dstPort(), Arrays.copyOfRange(buf, p, p + plen));
        if (!s.deliver(d)) {
            c.udpRcvbufErrors.increment();
            trace.drop(now, "udp", DropReason.QUEUE_FULL, "receive queue full (" + UdpSocket.MAX_QUEUED_DATAGRAMS + " datagrams)", ip);
            return true;
        }
        c.udpInDatagrams.increment();
        return true;
    }
}
