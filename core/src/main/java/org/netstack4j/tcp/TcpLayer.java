package org.netstack4j.tcp;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.netstack4j.path.PathMtuCache;
import org.netstack4j.path.PmtuDiscovery;
import org.netstack4j.tcp.seqnum.Seq;
import org.netstack4j.time.Pollable;
import org.netstack4j.time.Time;
import org.netstack4j.trace.Counters;
import org.netstack4j.trace.DropReason;
import org.netstack4j.trace.FourTuple;
import org.netstack4j.trace.TraceEvent;
import org.netstack4j.trace.Tracer;
import org.netstack4j.wire.IcmpRepr;
import org.netstack4j.wire.Icmpv6Repr;
import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.IpMeta;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv6Address;
import org.netstack4j.wire.TcpEncoder;
import org.netstack4j.wire.TcpOption;
import org.netstack4j.wire.TcpRepr;

/**
 * All TCP connections and listeners of one host: demultiplexes arriving segments by 4-tuple,
 * then by listening port, and answers segments addressed to nothing with RST (RFC 9293
 * 3.10.7.1). Drives every connection's timers through {@link #pollAt()} / {@link #poll(long)}.
 */
public final class TcpLayer implements Pollable {
    private final TcpConfig config;
    private final TcpOutput output;
    private final PathInfo paths;
    private final Tracer tracer;
    private final Counters counters;
    private final IsnGenerator isn;
    private final SynCookies synCookies;
    /** TCP Fast Open (RFC 7413): mode bits, keys, the client's cookie cache, counters. */
    private final FastOpen fastOpen;
    /** Stack-wide counts for the Hardening limits: half-open (all SYN queues), TIME-WAIT, orphans. */
    private int halfOpen, timeWait, orphans;
    private final EphemeralPorts ephemeral;
    private final ConnectionTable connections;
    private final Map<Integer, List<TcpListener>> listeners = new HashMap<>();
    private final TimerQueue timers = new TimerQueue();
    /** Path MTUs learnt from ICMP, per destination: new connections send within them (both families). */
    /** Path MTUs learnt per destination: the IP layer's when PathInfo gives one, else the layer's own. */
    private final PathMtuCache pathMtus;
    private long nextOrder; // creation order of connections: ties between equal deadlines, poll order
    // shared by all connections until they need their own (DESIGN.md 10)
    private final Rings sendRings, receiveRings;
    private final RttEstimator.Bounds rttBounds;
    /** Every TCP counter of this stack, looked up by name once (connections increment fields). */
    private final TcpCounters tcpCounters;
    /** The typed TCP counters (listeners count SYN cookies here). */
    TcpCounters tcpCounters() { return tcpCounters; }
    /** What connections see of this layer (ConnectionContext), one for all of them. */
    private final Context context = new Context();
    private byte[] scratch;
    private long challengeWindowStart = Long.MIN_VALUE;
    private int challengeAcksInWindow;
    private final long seed;
    private java.util.function.IntSupplier isnForTests; // package-private hook: ISNs near the wrap in tests

    public TcpLayer(TcpConfig config, TcpOutput output, Tracer tracer, Counters counters, long seed) {
        this(config, output, PathInfo.UNKNOWN, tracer, counters, seed);
    }

    /** A layer that asks {@code paths} for the MSS to announce on each connection it opens or accepts. */
    public TcpLayer(TcpConfig config, TcpOutput output, PathInfo paths, Tracer tracer, Counters counters, long seed) {
        this.config = Objects.requireNonNull(config, "config");
        this.paths = Objects.requireNonNull(paths, "paths");
        this.output = Objects.requireNonNull(output, "output");
        this.tracer = tracer == null ? Tracer.NONE : tracer;
        this.counters = counters == null ? new Counters() : counters;
        this.seed = seed;
        this.isn = new IsnGenerator(seed);
        this.synCookies = new SynCookies(seed);
        this.connections = new ConnectionTable(seed);
        Map<Integer, RingBuffer> otherEmptyRings = new HashMap<>(); // shared by send and receive rings
        this.sendRings = new Rings(config.buffers().sendBufferSize(), otherEmptyRings, this::newRing);
        this.receiveRings = new Rings(RcvMem.ringCapacity(config), otherEmptyRings, this::newRing);
        this.rttBounds = RttEstimator.boundsOf(config);
        this.ephemeral = new EphemeralPorts(seed, config.limits().ephemeralPortMin(), config.limits().ephemeralPortMax());
        this.tcpCounters = new TcpCounters(this.counters);
        this.pathMtus = paths.pathMtus() != null ? paths.pathMtus() : new PathMtuCache(this.counters);
        this.fastOpen = new FastOpen(this.counters, seed);
    }

    /** TCP Fast Open's stack-wide state: net.ipv4.tcp_fastopen bits, the key, the cookie cache. */
    public FastOpen fastOpen() { return fastOpen; }

    public TcpConfig config() { return config; }
    public Counters counters() { return counters; }
    public int connectionCount() { return connections.size(); }
    /** A snapshot of the connections, oldest first (it does not follow later changes). */
    public Collection<TcpConnection> connections() { return Collections.unmodifiableList(connections.inCreationOrder()); }

    /** Active OPEN (RFC 9293 3.10.1): sends a SYN and returns the connection in SYN-SENT. */
    public TcpConnection connect(long now, IpAddress local, int localPort, IpAddress remote, int remotePort,
                                 TcpEventListener l) {
        return connect(now, remote, remotePort, l, ConnectOptions.from(local).withLocalPort(localPort));
    }

    /**
     * Active OPEN (RFC 9293 3.10.1) from {@code o}'s local end with its options (the
     * socket's, set before connect): sends a SYN and returns the connection in SYN-SENT.
     * With {@link ConnectOptions#fastOpen} (RFC 7413, Linux MSG_FASTOPEN) the data is queued
     * before the SYN, and the SYN carries as much of it as fits when a cookie for {@code remote}
     * is cached (or none is required: TCP_FASTOPEN_NO_COOKIE, or the mode's TFO_CLIENT_NO_COOKIE
     * bit); otherwise the SYN asks for a cookie and the data waits for the handshake
     * ({@link TcpConnection#synDataLength()} tells how much the SYN took). Fast Open throws
     * IllegalStateException (Linux: EOPNOTSUPP) when the stack's client bit is off.
     */
    public TcpConnection connect(long now, IpAddress remote, int remotePort, TcpEventListener l, ConnectOptions o) {
        ConnectOptions.FastOpenData fo = o.fastOpen();
        if (fo != null && !fastOpen.clientEnabled())
            throw new IllegalStateException("Fast Open client disabled (net.ipv4.tcp_fastopen & 1 = 0): EOPNOTSUPP");
        IpAddress local = o.local();
        int localPort = o.localPort();
        TcpConfig cfg = o.config() == null ? config : o.config();
        if (local == null || local.isUnspecified()) throw new IllegalArgumentException("connect needs a concrete local address");
        if (remote == null || remote.isUnspecified() || remotePort <= 0 || remotePort > 65535)
            throw new IllegalArgumentException("connect needs a concrete remote address and port");
        if (connectionLimitReached()) {
            tcpCounters.connectionLimit.increment();
            throw new TcpException(TcpError.INSUFFICIENT_RESOURCES, "connection limit (" + config.hardening().maxConnections() + ") reached");
        }
        if (memoryExhausted()) {
            tcpCounters.memoryRefused.increment();
            throw new TcpException(TcpError.INSUFFICIENT_RESOURCES, "TCP buffer memory limit (" + config.hardening().memoryLimitBytes() + " bytes) reached");
        }
        int port = localPort;
        if (port == 0) {
            port = ephemeral.select(local, remote, remotePort,
                    p -> connections.get(local, p, remote, remotePort) == null && !listeners.containsKey(p));
            if (port < 0) throw new TcpException(TcpError.INSUFFICIENT_RESOURCES, "no free ephemeral port");
        }
        TcpConnection old = localPort == 0 ? null : connections.get(local, port, remote, remotePort);
        int inheritedTsRecent = 0;
        boolean inherit = false;
        if (old != null) {
            if (config.timers().timeWaitReuseDelayNs() < 0 || !TimeWait.reusable(old, now, config.timers().timeWaitReuseDelayNs()))
                throw new TcpException(TcpError.CONNECTION_ALREADY_EXISTS);
            // TIME-WAIT reuse (Linux tcp_twsk_unique): the new incarnation replaces the old one
            inheritedTsRecent = old.tsRecent;
            inherit = true;
            TimeWait.replaced(old, now);
            tcpCounters.timeWaitReused.increment();
        }
        TcpConnection c = newConnection(now, local, port, remote, remotePort, null, l, cfg);
        if (inherit) TimeWait.inherit(c, inheritedTsRecent);
        c.setNoOptions(o.noOptions());
        tcpCounters.activeOpens.increment();
        if (fo != null) fastOpen.prepare(c, fo.noCookie() || (fastOpen.mode() & FastOpen.CLIENT_NO_COOKIE) != 0, fo.data(), fo.off(), fo.len());
        Md5.attach(this, c, o.md5Keys());
        if (Md5.on(c)) md5InUse = true;
        if (o.trafficClass() != 0) c.setTrafficClass(o.trafficClass());
        if (o.pmtuDiscovery() != null) c.setPmtuDiscovery(o.pmtuDiscovery());
        c.open(now);
        return c;
    }

    /** Passive OPEN on local:port (local may be {@link Ipv4Address#ANY}). */
    public TcpListener listen(long now, IpAddress local, int port, int backlog, TcpListener.AcceptHandler h) {
        return listen(now, local, port, backlog, h, config);
    }

    /** {@link #listen} whose connections (and SYN queue limit) use {@code cfg} instead of the stack's configuration. */
    public TcpListener listen(long now, IpAddress local, int port, int backlog, TcpListener.AcceptHandler h, TcpConfig cfg) {
        Objects.requireNonNull(cfg, "cfg");
        if (port <= 0 || port > 65535) throw new IllegalArgumentException("bad port " + port);
        IpAddress addr = local == null ? Ipv4Address.ANY : local;
        List<TcpListener> l = listeners.computeIfAbsent(port, k -> new ArrayList<>());
        for (TcpListener x : l)
            if (x.localAddress().equals(addr)) throw new TcpException(TcpError.CONNECTION_ALREADY_EXISTS, "already listening on " + addr + ":" + port);
        TcpListener listener = new TcpListener(this, addr, port, backlog, h, cfg);
        l.add(listener);
        return listener;
    }

    private TcpIntercept intercept;

    /**
     * Turns flow interception on ({@link TcpIntercept}): SYNs that no connection or listener
     * takes go to {@code handler}, which answers each when it likes; {@code icmp} sends the ICMP
     * refusals (null: they are counted and not sent). Null handler turns it off: held SYNs are
     * then forgotten (the clients retransmit into the closed-port RST).
     */
    public TcpIntercept intercept(TcpIntercept.Config config, TcpIntercept.Handler handler, TcpIntercept.IcmpSender icmp) {
        this.intercept = handler == null ? null : new TcpIntercept(this, config, handler, icmp);
        return intercept;
    }

    /** The interceptor, or null. */
    public TcpIntercept intercept() { return intercept; }

    /**
     * A segment from IP with the packet's {@link IpMeta} (addresses, traffic class with the ECN
     * bits, TTL, interface); the payload is buf[payloadOff, +payloadLen). TCP reads the addresses
     * and the ECN field (RFC 3168: a CE mark on an ECN connection's segment is echoed with ECE);
     * {@link TcpIntercept} reads all of it.
     */
    public void segmentArrives(long now, IpMeta meta, TcpRepr seg, byte[] buf, int payloadOff, int payloadLen) {
        segmentArrives(now, meta.src(), meta.dst(), meta, seg, buf, payloadOff, payloadLen);
    }

    /** A segment from IP: src/dst are the IP addresses, the payload is buf[payloadOff, +payloadLen). */
    public void segmentArrives(long now, IpAddress src, IpAddress dst, TcpRepr seg, byte[] buf, int payloadOff, int payloadLen) {
        segmentArrives(now, src, dst, null, seg, buf, payloadOff, payloadLen);
    }

    private void segmentArrives(long now, IpAddress src, IpAddress dst, IpMeta meta, TcpRepr seg, byte[] buf, int payloadOff, int payloadLen) {
        tcpCounters.inSegments.increment();
        // The connection's name is only needed for tracing: build it only then (hot path).
        String id = tracer.enabled() ? id(dst, seg.dstPort(), src, seg.srcPort()) : null;
        if (tracer.enabled()) tracer.event(TraceEvent.Segment.of(now, true, src, dst, seg, payloadLen));
        TcpConnection c = connections.get(dst, seg.dstPort(), src, seg.srcPort());
        if (c != null && c.state() == TcpState.TIME_WAIT && TimeWait.acceptsNewSyn(c, seg)
                && (findListener(dst, seg.dstPort()) != null || intercept != null)) {
            // RFC 9293 3.10.7.4 / RFC 6191: a new SYN clearly above the old connection may reuse the
            // pair, when a listener (or the interceptor) is there to take it (RFC 1122 4.2.2.13); else
            // TIME-WAIT answers it
            TimeWait.replaced(c, now);
            c = null;
        }
        // RFC 3168 5: the ECN field of the packet's IP header (Not-ECT when IP did not say)
        int ecn = meta == null ? IpMeta.NOT_ECT : meta.ecn();
        // the receiving interface as an ifindex (TcpMd5Key: 1 + its place in the stack's list; 0 unknown)
        inIfindex = meta == null || meta.ifaceIndex() < 0 ? 0 : meta.ifaceIndex() + 1;
        if ((md5InUse || !seg.options().isEmpty() && Md5.signature(seg) != null)
                && !Md5.accept(this, now, c, c == null ? findListener(dst, seg.dstPort()) : null, src, dst, seg, buf, payloadOff, payloadLen,
                inIfindex))
            return;
        if (c != null) {
            c.segmentArrives(now, seg, buf, payloadOff, payloadLen, ecn);
            return;
        }
        TcpListener l = findListener(dst, seg.dstPort());
        if (l != null) {
            l.segmentArrives(now, src, dst, seg, buf, payloadOff, payloadLen, ecn);
            return;
        }
        if (intercept != null && payloadLen == 0
                && intercept.segmentArrives(now, meta != null ? meta : new IpMeta(src, dst, 0, IpMeta.DEFAULT_TTL, IpMeta.LOCAL), seg))
            return;
        closedArrives(now, src, dst, seg, payloadLen, id);
    }

    // RFC 9293 3.10.7.1, CLOSED STATE: no connection, no listener
    private void closedArrives(long now, IpAddress src, IpAddress dst, TcpRepr seg, int len, String id) {
        if (seg.has(TcpRepr.RST)) {
            drop(now, DropReason.NO_LISTENER, "rst_to_closed", "RST to a closed port ignored", id, seg, len);
            return;
        }
        if (config.lab().twoWayHandshake() && seg.has(TcpRepr.SYN) && seg.has(TcpRepr.ACK)) {
            // Lab mode: in a two-way handshake the SYN,ACK is the last step and asks for no reply,
            // so a host that never opened this connection has nothing to answer it with.
            drop(now, DropReason.POLICY, "two_way_stray_syn_ack", "two-way handshake (lab): stray SYN,ACK ignored, nothing to confirm", id, seg, len);
            return;
        }
        drop(now, DropReason.NO_LISTENER, "no_connection", "no connection or listener: answered with RST", id, seg, len);
        if (!seg.has(TcpRepr.ACK)) {
            // <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>
            int segLen = len + (seg.has(TcpRepr.SYN) ? 1 : 0) + (seg.has(TcpRepr.FIN) ? 1 : 0);
            sendRst(now, dst, seg.dstPort(), src, seg.srcPort(), 0, Seq.add(seg.seq(), segLen), true);
        } else {
            // <SEQ=SEG.ACK><CTL=RST>
            sendRst(now, dst, seg.dstPort(), src, seg.srcPort(), seg.ack(), 0, false);
        }
    }

    /**
     * ICMP destination unreachable quoting one of our segments (src/ports as we sent them).
     * Codes 2/3 in SYN-SENT refuse the connection; code 4 lowers the MSS (RFC 1191); the rest
     * are soft errors reported if the connection later times out (RFC 1122 4.2.3.9, RFC 5927).
     */
    public void icmpDestinationUnreachable(long now, IpAddress src, IpAddress dst, int code, int nextHopMtu,
                                           int srcPort, int dstPort, int seq) {
        TcpConnection c = connections.get(src, srcPort, dst, dstPort);
        if (c == null) {
            tcpCounters.icmpNoConnection.increment();
            return;
        }
        IcmpErrors.icmpUnreachable(c, now, code, nextHopMtu, seq);
    }

    /**
     * An ICMPv6 error quoting a segment we sent. TCP reads the ICMPv4 codes: packet too big is
     * "fragmentation needed" with the MTU (RFC 8201 5.4), port unreachable is port unreachable,
     * administratively prohibited the same, anything else a host unreachable (RFC 4443 3.1,
     * RFC 5927 4); time exceeded is time exceeded; other messages are not about TCP.
     */
    public void icmpv6Error(long now, Icmpv6Repr error, IpAddress src, IpAddress dst, int srcPort, int dstPort, int seq) {
        switch (error) {
            case Icmpv6Repr.PacketTooBig p -> icmpDestinationUnreachable(now, src, dst, IcmpRepr.CODE_FRAGMENTATION_NEEDED,
                    (int) Math.min(p.mtu(), 65535), srcPort, dstPort, seq);
            case Icmpv6Repr.DestinationUnreachable d -> icmpDestinationUnreachable(now, src, dst, switch (d.code()) {
                case Icmpv6Repr.CODE_PORT_UNREACHABLE -> IcmpRepr.CODE_PORT_UNREACHABLE;
                case Icmpv6Repr.CODE_ADMIN_PROHIBITED -> 13;
                default -> IcmpRepr.CODE_HOST_UNREACHABLE;
            }, 0, srcPort, dstPort, seq);
            case Icmpv6Repr.TimeExceeded t -> icmpTimeExceeded(now, src, dst, srcPort, dstPort, seq);
            default -> { }
        }
    }

    /** An ICMP time exceeded (RFC 792 type 11) quoting a segment we sent: src/dst/ports as we sent them. */
    public void icmpTimeExceeded(long now, IpAddress src, IpAddress dst, int srcPort, int dstPort, int seq) {
        TcpConnection c = connections.get(src, srcPort, dst, dstPort);
        if (c == null) {
            tcpCounters.icmpNoConnection.increment();
            return;
        }
        IcmpErrors.icmpTimeExceeded(c, now, seq);
    }

    /** O(1): the earliest deadline of any connection (a min-heap of connections by deadline). */
    @Override public long pollAt() {
        long t = batchAcks.isEmpty() ? timers.earliest() : batchAt;
        return intercept == null ? t : Math.min(t, intercept.nextDeadline());
    }

    /**
     * Sends the ACKs that bursts of segments left for their end ({@link TcpConfig.AckPolicy#coalesceAcks}),
     * then runs the timers of the connections due at {@code now} (only those), in the order
     * they were created.
     */
    @Override public void poll(long now) {
        if (!batchAcks.isEmpty()) endBatch(now);
        timers.poll(now, nextOrder - 1);
        if (intercept != null && intercept.nextDeadline() <= now) intercept.timers(now);
    }

    /**
     * Connections that owe one ACK for the burst being processed (TcpConfig.coalesceAcks). The
     * burst ends when the driver next polls this layer: {@link #pollAt()} is due from
     * {@link #batchAt}, the instant the first of them was queued, so that poll comes before
     * the driver waits for anything else.
     */
    private final ArrayList<TcpConnection> batchAcks = new ArrayList<>();
    private long batchAt;

    void ackAtBatchEnd(long now, TcpConnection c) {
        if (batchAcks.isEmpty()) batchAt = now;
        batchAcks.add(c);
    }

    /** A burst's ACKs wait for its end ({@link #ackAtBatchEnd}): {@link #pollAt} is due now until the driver polls. */
    boolean batchOpen() { return !batchAcks.isEmpty(); }

    /** The earliest connection or listener timer, leaving out a burst's ACKs ({@link #pollAt} counts them). */
    long timersAt() { return timers.earliest(); }

    /** Ends the current burst now (what the next poll would do first); for drivers that deliver segments one by one. */
    void endBatch(long now) {
        // A connection's ACK may queue nothing new here; copy-free: index loop, then clear.
        for (int i = 0; i < batchAcks.size(); i++) batchAcks.get(i).batchEnded(now);
        batchAcks.clear();
    }

    // ---- services for connections and listeners ----

    static String id(IpAddress local, int localPort, IpAddress remote, int remotePort) {
        return new FourTuple(local, localPort, remote, remotePort).toString();
    }

    /** Some socket has a TCP-MD5 key: segments are checked and signed from now on ({@link Md5}). */
    private boolean md5InUse;

    void md5Keyed() { md5InUse = true; }

    /** The stack-wide TCP-MD5 keys ({@link #setMd5Key}), or null. */
    private Md5.Keys md5Table;
    /** The interface the segment being processed came in by, as a TcpMd5Key ifindex (0: unknown or none). */
    private int inIfindex;

    /**
     * Adds (or replaces, by address, prefix and interface) a key in the stack-wide TCP-MD5 table
     * (RFC 2385): every socket without a key of its own for a peer uses the longest-prefix match
     * here for that peer (active opens, listeners and the connections they open); an empty key
     * deletes. See {@link Md5}.
     */
    public void setMd5Key(TcpMd5Key key) {
        if (md5Table == null) md5Table = new Md5.Keys();
        md5Table.set(key);
        md5InUse = true;
    }

    /** The stack-wide TCP-MD5 keys ({@link #setMd5Key}). */
    public List<TcpMd5Key> md5Keys() { return md5Table == null ? List.of() : md5Table.list(); }

    Md5.Keys md5Table() { return md5Table; }

    int inIfindex() { return inIfindex; }

    TcpConnection connection(IpAddress local, int localPort, IpAddress remote, int remotePort) {
        return connections.get(local, localPort, remote, remotePort);
    }

    TcpListener listener(IpAddress local, int port) { return findListener(local, port); }

    private TcpListener findListener(IpAddress dst, int port) {
        List<TcpListener> l = listeners.get(port);
        if (l == null) return null;
        // the exact address first, then a wildcard of the segment's family, then the other wildcard:
        // 0.0.0.0 takes both families (the stack's historical wildcard); :: takes IPv4 too unless
        // IPV6_V6ONLY (RFC 3493 5.3, Linux's default bindv6only=0)
        TcpListener any = null, otherFamily = null;
        for (TcpListener x : l) {
            IpAddress a = x.localAddress();
            if (a.equals(dst)) return x;
            if (!a.isUnspecified()) continue;
            if (a.family() == dst.family()) any = x;
            else if (!(a instanceof Ipv6Address && x.v6Only())) otherFamily = x;
        }
        return any != null ? any : otherFamily;
    }

    void removeListener(TcpListener l) {
        List<TcpListener> list = listeners.get(l.port());
        if (list == null) return;
        list.remove(l);
        if (list.isEmpty()) listeners.remove(l.port());
    }

    TcpConnection newConnection(long now, IpAddress local, int localPort, IpAddress remote, int remotePort,
                                TcpListener parent, TcpEventListener l, TcpConfig cfg) {
        return newConnection(now, local, localPort, remote, remotePort, parent, l, cfg,
                isnForTests != null ? isnForTests.getAsInt() : isn.isn(now, local, localPort, remote, remotePort));
    }

    /**
     * RFC 9293 3.7.1: the MSS to announce comes from the route's MTU (MTU - 40 for IPv4, - 60 for
     * IPv6); the configured MSS caps it (TCP_MAXSEG, Linux tcp_mss_clamp).
     */
    int advertisedMss(TcpConfig cfg, IpAddress local, IpAddress remote) {
        int routeMss = paths.mss(local, remote);
        return cfg.options().mss() == 0 ? (routeMss > 0 ? routeMss : TcpConfig.DEFAULT_ROUTELESS_MSS)
                : routeMss > 0 ? Math.min(cfg.options().mss(), routeMss) : cfg.options().mss();
    }

    /** {@link #newConnection} with a given ISS (a SYN cookie's). */
    TcpConnection newConnection(long now, IpAddress local, int localPort, IpAddress remote, int remotePort,
                                TcpListener parent, TcpEventListener l, TcpConfig cfg, int iss) {
        // RFC 9293 3.7.1: the MSS to announce comes from the route's MTU (MTU - 40 for IPv4);
        // the configured MSS caps it (TCP_MAXSEG, Linux tcp_mss_clamp)
        int advMss = advertisedMss(cfg, local, remote);
        TcpConnection c = new TcpConnection(context, cfg, local, localPort, remote, remotePort, parent, l, iss,
                isn.timestampOffset(local, remote), advMss, nextOrder++);
        // a path MTU learnt by an earlier connection caps what this one sends, not what it announces
        int pathMss = PathInfo.mssForMtu(remote.family(), pathMtus.mtu(now, remote));
        if (pathMss > 0) Rare.of(c).pathMss = pathMss; // in the rare part: an idle connection pays nothing for it
        if (parent != null) c.setNoOptions(parent.noOptions());
        if (parent != null && md5InUse) Md5.inherit(this, c, parent, inIfindex);
        if (parent != null && parent.trafficClass() != 0) c.setTrafficClass(parent.trafficClass()); // Linux: the child inherits inet->tos
        connections.put(c);
        return c;
    }

    SynCookies synCookies() { return synCookies; }

    /** The TSval offset of the connections between these addresses (RFC 7323 7.1; see IsnGenerator). */
    int timestampOffset(IpAddress local, IpAddress remote) { return isn.timestampOffset(local, remote); }

    // ---- Hardening limits (stack-wide; see Hardening) ----

    /** Connections in SYN-RECEIVED, all listeners together. */
    public int halfOpenCount() { return halfOpen; }
    /** Connections in TIME-WAIT. */
    public int timeWaitCount() { return timeWait; }
    /** Connections closed by their application and not yet CLOSED. */
    public int orphanCount() { return orphans; }

    void halfOpenChanged(int delta) { halfOpen += delta; }

    boolean halfOpenLimitReached() { return halfOpen >= config.hardening().halfOpenLimit(); }

    /** Hardening.maxConnections: TIME-WAIT does not count (it has its own limit). */
    boolean connectionLimitReached() { return connections.size() - timeWait >= config.hardening().maxConnections(); }

    /** A connection changed state: keeps the TIME-WAIT count. */
    void stateChanged(TcpState from, TcpState to) {
        if (from == TcpState.TIME_WAIT) timeWait--;
        if (to == TcpState.TIME_WAIT) timeWait++;
    }

    /** May one more connection enter TIME-WAIT? Counted when not (Linux TCPTimeWaitOverflow). */
    boolean timeWaitAllowed() {
        if (timeWait < config.hardening().maxTimeWait()) return true;
        tcpCounters.timeWaitOverflow.increment();
        return false;
    }

    /** A connection became an orphan: false (and counted) when over Hardening.maxOrphans, then it is reset. */
    boolean orphanAllowed() {
        if (orphans < config.hardening().maxOrphans()) {
            orphans++;
            return true;
        }
        tcpCounters.orphansOverflow.increment();
        return false;
    }

    /** An orphan reached CLOSED. */
    void orphanClosed() { orphans--; }

    /** The connection with this 4-tuple, or null. */
    TcpConnection find(IpAddress local, int localPort, IpAddress remote, int remotePort) {
        return connections.get(local, localPort, remote, remotePort);
    }

    /** The shared empty send ring for a connection configured with {@code c}. */
    RingBuffer emptySendBuffer(TcpConfig c) { return sendRings.empty(c.buffers().sendBufferSize()); }

    /** The shared empty receive ring for a connection configured with {@code c}. */
    RingBuffer emptyReceiveBuffer(TcpConfig c) { return receiveRings.empty(RcvMem.ringCapacity(c)); }

    /** A ring for a connection's first queued byte: the spare one if there is one (stack-sized connections). */
    RingBuffer newSendBuffer(TcpConfig c) { return sendRings.take(c.buffers().sendBufferSize()); }

    /** A ring for a connection's first received byte: the spare one if there is one (stack-sized connections). */
    RingBuffer newReceiveBuffer(TcpConfig c) { return receiveRings.take(RcvMem.ringCapacity(c)); }

    /** A connection gives back its empty send ring; returns the shared empty ring to use instead. */
    RingBuffer recycleSendBuffer(RingBuffer r, TcpConfig c) { return sendRings.recycle(r, c.buffers().sendBufferSize()); }

    /** A connection gives back its empty receive ring (nothing held beyond the end); returns the shared empty ring. */
    RingBuffer recycleReceiveBuffer(RingBuffer r, TcpConfig c) { return receiveRings.recycle(r, RcvMem.ringCapacity(c)); }

    /** A ring whose array counts in the layer's buffer memory. */
    RingBuffer newRing(int capacity) {
        RingBuffer r = new RingBuffer(capacity);
        r.chargeTo(memory);
        return r;
    }

    // ---- buffer memory (Hardening.memoryPressureBytes / memoryLimitBytes; Linux tcp_mem) ----

    private final RingBuffer.Account memory = new RingBuffer.Account();
    private boolean underPressure;

    /** Bytes of send and receive arrays the connections (and the spare rings) hold. */
    public long bufferMemory() { return memory.bytes; }

    /** Above Hardening.memoryPressureBytes: receive windows stop growing the buffers (counted on entry). */
    boolean memoryPressure() {
        boolean p = memory.bytes > config.hardening().memoryPressureBytes();
        if (p && !underPressure) tcpCounters.memoryPressure.increment();
        underPressure = p;
        return p;
    }

    /** Above Hardening.memoryLimitBytes: no new connection, no window beyond the arrays already held. */
    boolean memoryExhausted() { return memory.bytes > config.hardening().memoryLimitBytes(); }

    /**
     * The receive window a connection may offer from {@code avail} free bytes of {@code rcv}:
     * all of it normally; under memory pressure what its array already holds free or 4 MSS
     * (Linux tcp_clamp_window / tcp_adjust_rcv_ssthresh clamp to 4 * advmss); above the
     * limit only what its array already holds free.
     */
    long memoryClampedWindow(long avail, RingBuffer rcv, int mss) {
        if (!memoryPressure()) return avail;
        long room = Math.max(0, rcv.allocated() - rcv.size());
        long clamped = Math.min(avail, memoryExhausted() ? room : Math.max(room, 4L * mss));
        if (clamped < avail) tcpCounters.memoryWindowClamped.increment();
        return clamped;
    }

    RttEstimator newRttEstimator(TcpConfig c) {
        return new RttEstimator(c.timers().initialRtoNs(), c == config ? rttBounds : RttEstimator.boundsOf(c));
    }

    /** Tests only: fixes the ISNs of new connections. */
    void setIsnForTests(java.util.function.IntSupplier s) { this.isnForTests = s; }

    void forget(TcpConnection c) {
        c.unchargeBuffers();
        connections.remove(c);
        timers.forget(c);
    }

    byte[] scratch(int n) {
        if (scratch == null || scratch.length < n) scratch = new byte[Math.max(n, 2048)];
        return scratch;
    }

    /** The header the connections fill for {@link ConnectionContext#transmit(long, TcpConnection, IpAddress, IpAddress, TcpEncoder, byte[], int, int, int)}. */
    TcpEncoder encoder() { return encoder; }

    private final TcpEncoder encoder = new TcpEncoder();

    /** A connection's common segment (never a RST): no record is built unless tracing. */
    private void transmit(long now, TcpConnection c, IpAddress src, IpAddress dst, TcpEncoder tcp, byte[] payload, int off, int len, int ecn) {
        if (tracer.enabled()) {
            transmit(now, src, dst, tcp.toRepr(), payload, off, len, ecn);
            return;
        }
        tcpCounters.outSegments.increment();
        if ((ecn & IpMeta.CE) != IpMeta.NOT_ECT) tcpCounters.outEct.increment();
        output.send(now, src, dst, tcp, payload, off, len, ecn);
    }

    /** A segment of no connection's data (RST, a cookie SYN,ACK): Not-ECT. */
    void transmit(long now, IpAddress src, IpAddress dst, TcpRepr tcp, byte[] payload, int off, int len) {
        transmit(now, src, dst, tcp, payload, off, len, IpMeta.NOT_ECT);
    }

    /** A listener's cookie SYN,ACK: Not-ECT, with the listener's DSCP bits ({@link TcpListener#setTrafficClass}) and DF ({@link #dontFragment}). */
    void transmit(long now, IpAddress src, IpAddress dst, TcpRepr tcp, int tos) {
        transmit(now, src, dst, tcp, new byte[0], 0, 0, tos);
    }

    private void transmit(long now, IpAddress src, IpAddress dst, TcpRepr tcp, byte[] payload, int off, int len, int ecn) {
        if (md5InUse) tcp = Md5.sign(this, src, dst, tcp, payload, off, len);
        tcpCounters.outSegments.increment();
        if (tcp.has(TcpRepr.RST)) tcpCounters.outRsts.increment();
        if ((ecn & IpMeta.CE) != IpMeta.NOT_ECT) tcpCounters.outEct.increment();
        if (tracer.enabled()) tracer.event(TraceEvent.Segment.of(now, false, src, dst, tcp, len));
        output.send(now, src, dst, tcp, payload, off, len, ecn);
    }

    void sendRst(long now, IpAddress src, int srcPort, IpAddress dst, int dstPort, int seq, int ack, boolean withAck) {
        sendRst(now, src, srcPort, dst, dstPort, seq, ack, withAck, List.of());
    }

    /** A RST carrying options (a connection's abort RST with its timestamps). */
    void sendRst(long now, IpAddress src, int srcPort, IpAddress dst, int dstPort, int seq, int ack, boolean withAck,
                 List<TcpOption> options) {
        sendRst(now, src, srcPort, dst, dstPort, seq, ack, withAck, 0, options);
    }

    /** A RST with a window field (a connection's abort RST as Linux sends it). */
    void sendRst(long now, IpAddress src, int srcPort, IpAddress dst, int dstPort, int seq, int ack, boolean withAck,
                 int window, List<TcpOption> options) {
        TcpRepr rst = new TcpRepr(srcPort, dstPort, seq, withAck ? ack : 0, TcpRepr.RST | (withAck ? TcpRepr.ACK : 0),
                window, 0, options);
        // Linux sends RSTs from its per-netns control socket, set to IP_PMTUDISC_DO (tcp_sk_init),
        // so they carry DF whatever the path: here whenever the stack's TCP sets DF at all (the
        // Linux profile's WANT, or DO)
        PmtuDiscovery mode = config.quirks().pmtuDiscovery();
        transmit(now, src, dst, rst, new byte[0], 0, 0, dst instanceof Ipv4Address && mode.tcpDontFragment(false) ? TcpOutput.DONT_FRAGMENT : 0);
    }

    /** RFC 5961 10: a global budget of challenge ACKs per second. */
    boolean allowChallengeAck(long now) {
        if (challengeWindowStart == Long.MIN_VALUE || now - challengeWindowStart >= Time.s(1)) {
            challengeWindowStart = now;
            challengeAcksInWindow = 0;
        }
        if (challengeAcksInWindow >= config.limits().challengeAckLimit()) {
            tcpCounters.challengeAcksRateLimited.increment();
            return false;
        }
        challengeAcksInWindow++;
        tcpCounters.challengeAcks.increment();
        return true;
    }

    /** A connection's drop: its id string is only built when tracing. */
    void drop(long now, DropReason kind, String key, String reason, TcpConnection c, TcpRepr seg, int len) {
        counters.counter("tcp.drop." + key).increment();
        if (tracer.enabled()) tracer.event(new TraceEvent.Drop(now, "tcp", kind, reason, c.id() + " " + summary(seg, len)));
    }

    void drop(long now, DropReason kind, String key, String reason, String id, TcpRepr seg, int len) {
        counters.counter("tcp.drop." + key).increment();
        if (tracer.enabled()) tracer.event(new TraceEvent.Drop(now, "tcp", kind, reason, id + " " + summary(seg, len)));
    }

    Tracer tracer() { return tracer; }

    long seed() { return seed; }

    /** A short tcpdump-like rendering used in drop summaries: "Flags [S.], seq 1, ack 2, win 3, length 0". */
    static String summary(TcpRepr t, int len) {
        return "Flags [" + TcpRepr.flagLetters(t.flags()) + "], seq " + Seq.str(t.seq()) + ", ack " + Seq.str(t.ack())
                + ", win " + t.window() + ", length " + len;
    }

    /**
     * The IP header bits of connection {@code c}'s segments beside ECN: its DSCP bits and, for
     * IPv4, {@link TcpOutput#DONT_FRAGMENT} when its path MTU discovery mode asks for DF (Linux
     * ip_dont_fragment: WANT sets it unless the path's MTU is locked).
     */
    private int ipFlags(long now, TcpConnection c) {
        return Rare.tos(c) | dontFragment(now, c.remoteAddress, Rare.pmtu(c));
    }

    /**
     * {@link TcpOutput#DONT_FRAGMENT} for an IPv4 segment to {@code dst} sent under {@code mode}
     * (Linux ip_dont_fragment: DO always, WANT unless the path's MTU is locked), else 0. Also a
     * listener's cookie SYN,ACK, which follows the listener's mode as Linux's does
     * (ip_build_and_send_pkt with the listener socket).
     */
    int dontFragment(long now, IpAddress dst, PmtuDiscovery mode) {
        return dst instanceof Ipv4Address && mode.tcpDontFragment(mode == PmtuDiscovery.WANT && pathMtus.locked(now, dst))
                ? TcpOutput.DONT_FRAGMENT : 0;
    }

    /** The connections' view of this layer (see {@link ConnectionContext}). */
    private final class Context implements ConnectionContext {
        @Override public TcpEncoder encoder() { return encoder; }
        @Override public byte[] scratch(int n) { return TcpLayer.this.scratch(n); }
        @Override public void learnPathMtu(long now, IpAddress dst, int mtu, boolean locked) { pathMtus.lower(now, dst, mtu, locked); }

        @Override public void transmit(long now, TcpConnection c, IpAddress src, IpAddress dst, TcpEncoder seg,
                                       byte[] payload, int off, int len, int ecn) {
            TcpLayer.this.transmit(now, c, src, dst, seg, payload, off, len, ecn | ipFlags(now, c));
        }

        @Override public int gsoMaxSize(IpAddress dst) { return tracer.enabled() ? 0 : output.gsoMaxSize(dst); }

        @Override public void transmitSegmented(long now, TcpConnection c, IpAddress src, IpAddress dst, TcpEncoder seg,
                                                byte[] payload, int off, int len, int ecn, int segmentSize) {
            int n = (len + segmentSize - 1) / segmentSize;
            tcpCounters.outSegments.add(n);
            if (ecn != IpMeta.NOT_ECT) tcpCounters.outEct.add(n);
            output.sendSegmented(now, src, dst, seg, payload, off, len, ecn | ipFlags(now, c), segmentSize);
        }

        @Override public void transmit(long now, TcpConnection c, IpAddress src, IpAddress dst, TcpRepr seg,
                                       byte[] payload, int off, int len, int ecn) {
            TcpLayer.this.transmit(now, src, dst, seg, payload, off, len, ecn | ipFlags(now, c));
        }

        @Override public void sendRst(long now, IpAddress src, int srcPort, IpAddress dst, int dstPort, int seq, int ack,
                                      boolean withAck, List<TcpOption> options) {
            TcpLayer.this.sendRst(now, src, srcPort, dst, dstPort, seq, ack, withAck, options);
        }

        @Override public void sendRst(long now, IpAddress src, int srcPort, IpAddress dst, int dstPort, int seq, int ack,
                                      boolean withAck, int window, List<TcpOption> options) {
            TcpLayer.this.sendRst(now, src, srcPort, dst, dstPort, seq, ack, withAck, window, options);
        }

        @Override public boolean allowChallengeAck(long now) { return TcpLayer.this.allowChallengeAck(now); }
        @Override public void ackAtBatchEnd(long now, TcpConnection c) { TcpLayer.this.ackAtBatchEnd(now, c); }
        @Override public TcpCounters counters() { return tcpCounters; }
        @Override public Tracer tracer() { return tracer; }

        @Override public void drop(long now, DropReason kind, String key, String reason, TcpConnection c, TcpRepr seg, int len) {
            TcpLayer.this.drop(now, kind, key, reason, c, seg, len);
        }

        @Override public void reschedule(TcpConnection c, long at) { timers.reschedule(c, at); }
        @Override public long queuedDeadline(TcpConnection c) { return timers.keyOf(c); }
        @Override public void forget(TcpConnection c) { TcpLayer.this.forget(c); }
        @Override public Rings sendRings() { return sendRings; }
        @Override public Rings receiveRings() { return receiveRings; }
        @Override public RttEstimator newRttEstimator(TcpConfig c) { return TcpLayer.this.newRttEstimator(c); }
        @Override public RingBuffer newRing(int capacity) { return TcpLayer.this.newRing(capacity); }
        @Override public long memoryClampedWindow(long avail, RingBuffer rcv, int mss) { return TcpLayer.this.memoryClampedWindow(avail, rcv, mss); }
        @Override public void stateChanged(TcpState from, TcpState to) { TcpLayer.this.stateChanged(from, to); }
        @Override public boolean timeWaitAllowed() { return TcpLayer.this.timeWaitAllowed(); }
        @Override public boolean orphanAllowed() { return TcpLayer.this.orphanAllowed(); }
        @Override public void orphanClosed() { TcpLayer.this.orphanClosed(); }
    }
}
