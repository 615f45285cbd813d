package org.netstack4j.host;

import org.netstack4j.device.Device;
import org.netstack4j.ip.IpInterface;
import org.netstack4j.ip.IpProtocolHandler;
import org.netstack4j.ip.IpStack;
import org.netstack4j.path.PathMtuCache;
import org.netstack4j.tcp.PathInfo;
import org.netstack4j.tcp.TcpConfig;
import org.netstack4j.tcp.TcpConnection;
import org.netstack4j.tcp.TcpEventListener;
import org.netstack4j.tcp.TcpIntercept;
import org.netstack4j.tcp.TcpLayer;
import org.netstack4j.ip.UdpIntercept;
import org.netstack4j.tcp.TcpListener;
import org.netstack4j.tcp.TcpOutput;
import org.netstack4j.time.Pollable;
import org.netstack4j.trace.Counters;
import org.netstack4j.trace.DropReason;
import org.netstack4j.trace.TraceEvent;
import org.netstack4j.trace.Tracer;
import org.netstack4j.wire.IcmpRepr;
import org.netstack4j.wire.Icmpv6Repr;
import org.netstack4j.wire.Ipv6Address;
import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.IpMeta;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv4Repr;
import org.netstack4j.wire.MacAddress;
import org.netstack4j.wire.Parsed;
import org.netstack4j.wire.TcpEncoder;
import org.netstack4j.wire.TcpRepr;

/**
 * IP and TCP joined: TCP segments arriving at the IP layer are parsed (checksum verified over
 * the pseudo-header) and handed to {@link TcpLayer#segmentArrives}; segments TCP sends are
 * encoded and routed out. A segment that does not parse is dropped, counted under
 * {@code tcp.in.drop.malformed} and traced; it never reaches the state machine.
 */
public final class Host implements Pollable {
    private final String name;
    private final Tracer tracer;
    private final Counters counters = new Counters();
    private final IpStack ip;
    private final TcpLayer tcp;
    private final Counters.Counter malformed = counters.counter("tcp.in.drop.malformed");

    public Host(String name, TcpConfig tcpConfig, Tracer tracer, long seed) {
        this.name = name;
        this.tracer = tracer;
        this.ip = new IpStack(tracer, counters, seed);
        // RFC 9293 3.7.1: the MSS a connection announces comes from the MTU of its route
        // the IP layer's path MTU cache is TCP's too (one per stack, both families)
        PathInfo paths = new PathInfo() {
            @Override public int mss(IpAddress local, IpAddress remote) { return PathInfo.mssForMtu(remote.family(), ip.mtuFor(remote)); }
            @Override public PathMtuCache pathMtus() { return ip.pathMtus(); }
        };
        this.tcp = new TcpLayer(tcpConfig, new TcpOutput() {
            @Override public void send(long now, IpAddress src, IpAddress dst, TcpRepr seg, byte[] payload, int off, int len) {
                send(now, src, dst, seg, payload, off, len, IpMeta.NOT_ECT);
            }

            @Override public void send(long now, IpAddress src, IpAddress dst, TcpEncoder seg, byte[] payload, int off, int len) {
                send(now, src, dst, seg, payload, off, len, IpMeta.NOT_ECT);
            }

            @Override public void send(long now, IpAddress src, IpAddress dst, TcpRepr seg, byte[] payload, int off, int len, int ecn) {
                out.seg = seg;
                sendSegment(now, src, dst, ecn, seg.headerLength(), payload, off, len, 0);
            }

            @Override public void send(long now, IpAddress src, IpAddress dst, TcpEncoder seg, byte[] payload, int off, int len, int ecn) {
                out.encoder = seg;
                sendSegment(now, src, dst, ecn, seg.headerLength(), payload, off, len, 0);
            }

            // DF does not keep a super-segment from the device: its segments carry the header's DF (kernel GSO)
            @Override public int gsoMaxSize(IpAddress dst) { return ip.gsoMaxFor(dst); }

            @Override public void sendSegmented(long now, IpAddress src, IpAddress dst, TcpEncoder seg, byte[] payload, int off,
                                                int len, int ecn, int segmentSize) {
                out.encoder = seg;
                sendSegment(now, src, dst, ecn, seg.headerLength(), payload, off, len, segmentSize);
            }
        }, paths, tracer, counters, seed ^ 0x5DEECE66DL);
        ip.setProtocolHandler(Ipv4Repr.PROTO_TCP, new TcpGlue());
    }

    public String name() { return name; }

    private boolean dontFragment;

    /**
     * Sets DF on all of TCP's IPv4 datagrams: path MTU discovery (RFC 1191) instead of
     * fragmenting routers, whatever each connection's {@link org.netstack4j.path.PmtuDiscovery}
     * (which sets DF per connection: TcpConfig.OsQuirks#pmtuDiscovery, IP_MTU_DISCOVER). Off by default.
     */
    public void setDontFragment(boolean df) { this.dontFragment = df; }
    public IpStack ip() { return ip; }
    public TcpLayer tcp() { return tcp; }
    public Counters counters() { return counters; }

    /**
     * Adds an interface on {@code device} with address/prefix (mac is ignored for IP-medium
     * devices). A null address (prefix 0) makes it IPv6 only: IPv6 is enabled there with its
     * link-local address, and {@link #addIpv6Address} adds others.
     */
    public Host addInterface(String ifName, Device device, MacAddress mac, Ipv4Address address, int prefixLength) {
        ip.addInterface(new IpInterface(ifName, device, mac, address, prefixLength));
        return this;
    }

    /** Adds an IPv6 address/prefix to interface {@code ifName} (IPv6 is enabled there with a link-local address). */
    public Host addIpv6Address(String ifName, Ipv6Address address, int prefixLength) {
        ip.addIpv6Address(ifName, address, prefixLength);
        return this;
    }

    /**
     * Flow interception on interface {@code ifName} (the tun2socks gateway): TCP and UDP to any
     * destination arriving there are terminated here. SYNs go to {@code tcp} ({@link TcpIntercept}:
     * the SYN,ACK waits for its answer; ICMP refusals go out through the IP layer), UDP to
     * {@code udp} ({@link UdpIntercept}, null: no UDP interception); echo requests are answered
     * from the address they were sent to.
     */
    public TcpIntercept intercept(String ifName, TcpIntercept.Config config, TcpIntercept.Handler tcpHandler,
                                  UdpIntercept.Config udpConfig, UdpIntercept.Handler udpHandler) {
        ip.setIntercept(ifName, true);
        if (udpHandler != null) ip.interceptUdp(udpConfig, udpHandler);
        return tcp.intercept(config, tcpHandler, (now, meta, header, why) -> ip.sendUnreachable(now, meta, Ipv4Repr.PROTO_TCP,
                header, 0, header.length, switch (why) {
                    case NETWORK_UNREACHABLE -> IpStack.Unreachable.NETWORK;
                    case HOST_UNREACHABLE -> IpStack.Unreachable.HOST;
                    case PORT_UNREACHABLE -> IpStack.Unreachable.PORT;
                    case ADMIN_PROHIBITED, RESET, DROP -> IpStack.Unreachable.ADMIN_PROHIBITED;
                }));
    }

    /** Active open from the address the routing table picks for {@code remote}. */
    public TcpConnection connect(long now, IpAddress remote, int remotePort, TcpEventListener listener) {
        IpAddress local = ip.sourceAddressFor(remote);
        if (local == null) throw new IllegalArgumentException("no route to " + remote);
        return tcp.connect(now, local, 0, remote, remotePort, listener);
    }

    public TcpListener listen(long now, int port, int backlog, TcpListener.AcceptHandler handler) {
        return tcp.listen(now, Ipv4Address.ANY, port, backlog, handler);
    }

    /** Sends the segment set in {@link #out} (a TcpRepr or the layer's encoder), then clears it. */
    /** {@code ecn}: the TOS / traffic class byte (DSCP and the ECN field, RFC 3168 5), with {@link TcpOutput#DONT_FRAGMENT} for DF. */
    /** {@code segmentSize > 0}: a TSO super-segment (partial checksum) the route's device cuts into segments of that size. */
    private void sendSegment(long now, IpAddress src, IpAddress dst, int ecn, int headerLength, byte[] payload, int off, int len,
                             int segmentSize) {
        // The segment is encoded straight into the outgoing frame (no intermediate packet array).
        // IpStack calls the writer at most once and before send returns, and the writer only
        // writes bytes, so these fields cannot be overwritten while it runs.
        out.src = src;
        out.dst = dst;
        out.payload = payload;
        out.off = off;
        out.len = len;
        out.partial = segmentSize > 0;
        boolean df = dontFragment || (ecn & TcpOutput.DONT_FRAGMENT) != 0;
        int tos = ecn & 0xff;
        try {
            if (segmentSize > 0) ip.sendSegmented(now, src, dst, tos, IpMeta.DEFAULT_TTL, df, headerLength + len, segmentSize, out);
            else ip.send(now, src, dst, Ipv4Repr.PROTO_TCP, tos, IpMeta.DEFAULT_TTL, df, headerLength + len, out);
        } finally {
            out.partial = false;
            out.seg = null;
            out.encoder = null;
            out.payload = null;
        }
    }

    private final SegmentWriter out = new SegmentWriter();

    /** Encodes the segment sendSegment is sending (reused: the core is single-threaded). */
    private static final class SegmentWriter implements IpStack.PayloadWriter {
        TcpRepr seg;
        TcpEncoder encoder;
        IpAddress src, dst;
        byte[] payload;
        int off, len;

        boolean partial;

        @Override public void write(byte[] buf, int at) {
            if (partial) encoder.emitPartial(src, dst, buf, at, payload, off, len);
            else if (encoder != null) encoder.emit(src, dst, buf, at, payload, off, len);
            else seg.emit(src, dst, buf, at, payload, off, len);
        }
    }

    @Override public long pollAt() { return Math.min(ip.pollAt(), tcp.pollAt()); }

    @Override public void poll(long now) {
        if (tcp.pollAt() <= now) tcp.poll(now);
        if (ip.pollAt() <= now) ip.poll(now);
    }

    @Override public String toString() { return "Host[" + name + "]"; }

    private final class TcpGlue implements IpProtocolHandler {
        @Override public void receive(long now, Ipv4Repr ipHeader, byte[] buf, int off, int len) {
            receive(now, new IpMeta(ipHeader.src(), ipHeader.dst(), ipHeader.tos(), ipHeader.ttl(), IpMeta.LOCAL),
                    ipHeader, buf, off, len);
        }

        @Override public void receive(long now, IpMeta meta, Ipv4Repr ipHeader, byte[] buf, int off, int len) {
            // a checksum the device completed or verified (TUN offloads: inbound GSO) is not summed again
            Parsed<TcpRepr> parsed = TcpRepr.parse(meta.src(), meta.dst(), buf, off, len, !meta.checksumVerified());
            if (parsed instanceof Parsed.Malformed<TcpRepr> m) {
                malformed.increment();
                if (tracer.enabled())
                    tracer.event(new TraceEvent.Drop(now, "tcp", DropReason.of(m.kind()), m.reason(),
                            meta.src() + " > " + meta.dst() + " " + len + " bytes"));
                return;
            }
            TcpRepr seg = parsed.value();
            int hl = seg.headerLength();
            tcp.segmentArrives(now, meta, seg, buf, off + hl, len - hl);
        }

        @Override public void icmpError(long now, IcmpRepr error, Ipv4Repr quotedIp, byte[] quoted, int off, int len) {
            // RFC 792: the quote holds the IP header and at least 8 bytes of TCP: ports and sequence number.
            boolean unreachable = error instanceof IcmpRepr.DestinationUnreachable;
            if (!unreachable && !(error instanceof IcmpRepr.TimeExceeded) || len < 8) return;
            int srcPort = (quoted[off] & 0xff) << 8 | (quoted[off + 1] & 0xff);
            int dstPort = (quoted[off + 2] & 0xff) << 8 | (quoted[off + 3] & 0xff);
            int seq = (quoted[off + 4] & 0xff) << 24 | (quoted[off + 5] & 0xff) << 16
                    | (quoted[off + 6] & 0xff) << 8 | (quoted[off + 7] & 0xff);
            if (error instanceof IcmpRepr.DestinationUnreachable du)
                tcp.icmpDestinationUnreachable(now, quotedIp.src(), quotedIp.dst(), du.code(), du.nextHopMtu(), srcPort, dstPort, seq);
            else
                tcp.icmpTimeExceeded(now, quotedIp.src(), quotedIp.dst(), srcPort, dstPort, seq);
        }

        @Override public void icmpv6Error(long now, Icmpv6Repr error, Ipv6Address src, Ipv6Address dst, byte[] quoted, int off, int len) {
            if (len < 8) return;
            int srcPort = (quoted[off] & 0xff) << 8 | (quoted[off + 1] & 0xff);
            int dstPort = (quoted[off + 2] & 0xff) << 8 | (quoted[off + 3] & 0xff);
            int seq = (quoted[off + 4] & 0xff) << 24 | (quoted[off + 5] & 0xff) << 16
                    | (quoted[off + 6] & 0xff) << 8 | (quoted[off + 7] & 0xff);
            tcp.icmpv6Error(now, error, src, dst, srcPort, dstPort, seq);
        }
    }
}
