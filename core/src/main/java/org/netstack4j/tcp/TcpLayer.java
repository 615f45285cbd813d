package org.netstack4j.tcp;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.netstack4j.tcp.seqnum.Seq;
import org.netstack4j.time.Pollable;
import org.netstack4j.time.Time;
import org.netstack4j.trace.Counters;
import org.netstack4j.trace.DropReason;
import org.netstack4j.trace.FourTuple;
import org.netstack4j.trace.TraceEvent;
import org.netstack4j.trace.Tracer;
import org.netstack4j.wire.Ipv4Address;
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
    private final Tracer tracer;
    private final Counters counters;
    private final IsnGenerator isn;
    private final EphemeralPorts ephemeral;
    private final ConnectionTable connections;
    private final Map<Integer, List<TcpListener>> listeners = new HashMap<>();
    private final TimerQueue timers = new TimerQueue();
    private long nextOrder; // creation order of connections: ties between equal deadlines, poll order
    // shared by all connections until they need their own (DESIGN.md 10)
    private final Rings sendRings, receiveRings;
    private final RttEstimator.Bounds rttBounds;
    /** Every TCP counter of this stack, looked up by name once (connections increment fields). */
    private final TcpCounters tcpCounters;
    /** What connections see of this layer (ConnectionContext), one for all of them. */
    private final Context context = new Context();
    private byte[] scratch;
    private long challengeWindowStart = Long.MIN_VALUE;
    private int challengeAcksInWindow;
    private final long seed;
    private java.util.function.IntSupplier isnForTests; // package-private hook: ISNs near the wrap in tests

    public TcpLayer(TcpConfig config, TcpOutput output, Tracer tracer, Counters counters, long seed) {
        this.config = Objects.requireNonNull(config, "config");
        this.output = Objects.requireNonNull(output, "output");
        this.tracer = tracer == null ? Tracer.NONE : tracer;
        this.counters = counters == null ? new Counters() : counters;
        this.seed = seed;
        this.isn = new IsnGenerator(seed);
        this.connections = new ConnectionTable(seed);
        Map<Integer, RingBuffer> otherEmptyRings = new HashMap<>(); // shared by send and receive rings
        this.sendRings = new Rings(config.sendBufferSize(), otherEmptyRings);
        this.receiveRings = new Rings(config.receiveBufferSize(), otherEmptyRings);
        this.rttBounds = RttEstimator.boundsOf(config);
        this.ephemeral = new EphemeralPorts(seed, config.ephemeralPortMin(), config.ephemeralPortMax());
        this.tcpCounters = new TcpCounters(this.counters);
    }

    public TcpConfig config() { return config; }
    public Counters counters() { return counters; }
    public int connectionCount() { return connections.size(); }
    /** A snapshot of the connections, oldest first (it does not follow later changes). */
    public Collection<TcpConnection> connections() { return Collections.unmodifiableList(connections.inCreationOrder()); }

    /** Active OPEN (RFC 9293 3.10.1): sends a SYN and returns the connection in SYN-SENT. */
    public TcpConnection connect(long now, Ipv4Address local, int localPort, Ipv4Address remote, int remotePort,
                                 TcpEventListener l) {
        return open(now, local, localPort, remote, remotePort, l, false, config);
    }

    /** {@link #connect}, the SYN and the connection without TCP options when {@code noOptions} (TCP_NOOPT). */
    public TcpConnection connect(long now, Ipv4Address local, int localPort, Ipv4Address remote, int remotePort,
                                 TcpEventListener l, boolean noOptions) {
        return open(now, local, localPort, remote, remotePort, l, noOptions, config);
    }

    /**
     * {@link #connect} with this connection's own configuration (buffers, MSS, window scale,
     * RTO, delayed ACK, MSL, options...) instead of the stack's. The stack-wide parts of
     * {@code cfg} (ephemeral port range, challenge ACK limit) stay the stack's.
     */
    public TcpConnection connect(long now, Ipv4Address local, int localPort, Ipv4Address remote, int remotePort,
                                 TcpEventListener l, TcpConfig cfg) {
        return open(now, local, localPort, remote, remotePort, l, false, Objects.requireNonNull(cfg, "cfg"));
    }

    private TcpConnection open(long now, Ipv4Address local, int localPort, Ipv4Address remote, int remotePort,
                               TcpEventListener l, boolean noOptions, TcpConfig cfg) {
        if (local == null || local.isUnspecified()) throw new IllegalArgumentException("connect needs a concrete local address");
        if (remote == null || remote.isUnspecified() || remotePort <= 0 || remotePort > 65535)
            throw new IllegalArgumentException("connect needs a concrete remote address and port");
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
            if (config.timeWaitReuseDelayNs() < 0 || !old.reusableTimeWait(now, config.timeWaitReuseDelayNs()))
                throw new TcpException(TcpError.CONNECTION_ALREADY_EXISTS);
            // TIME-WAIT reuse (Linux tcp_twsk_unique): the new incarnation replaces the old one
            inheritedTsRecent = old.tsRecentForReuse();
            inherit = true;
            old.timeWaitReplaced(now);
            tcpCounters.timeWaitReused.increment();
        }
        TcpConnection c = newConnection(now, local, port, remote, remotePort, null, l, cfg);
        if (inherit) c.inheritTimeWait(inheritedTsRecent);
        c.setNoOptions(noOptions);
        tcpCounters.activeOpens.increment();
        c.open(now);
        return c;
    }

    /** Passive OPEN on local:port (local may be {@link Ipv4Address#ANY}). */
    public TcpListener listen(long now, Ipv4Address local, int port, int backlog, TcpListener.AcceptHandler h) {
        return listen(now, local, port, backlog, h, config);
    }

    /** {@link #listen} whose connections (and SYN queue limit) use {@code cfg} instead of the stack's configuration. */
    public TcpListener listen(long now, Ipv4Address local, int port, int backlog, TcpListener.AcceptHandler h, TcpConfig cfg) {
        Objects.requireNonNull(cfg, "cfg");
        if (port <= 0 || port > 65535) throw new IllegalArgumentException("bad port " + port);
        Ipv4Address addr = local == null ? Ipv4Address.ANY : local;
        List<TcpListener> l = listeners.computeIfAbsent(port, k -> new ArrayList<>());
        for (TcpListener x : l)
            if (x.localAddress().equals(addr)) throw new TcpException(TcpError.CONNECTION_ALREADY_EXISTS, "already listening on " + addr + ":" + port);
        TcpListener listener = new TcpListener(this, addr, port, backlog, h, cfg);
        l.add(listener);
        return listener;
    }

    /** A segment from IP: src/dst are the IP addresses, the payload is buf[payloadOff, +payloadLen). */
    public void segmentArrives(long now, Ipv4Address src, Ipv4Address dst, TcpRepr seg, byte[] buf, int payloadOff, int payloadLen) {
        tcpCounters.inSegments.increment();
        // The connection's name is only needed for tracing: build it only then (hot path).
        String id = tracer.enabled() ? id(dst, seg.dstPort(), src, seg.srcPort()) : null;
        if (tracer.enabled()) tracer.event(TraceEvent.Segment.of(now, true, src, dst, seg, payloadLen));
        TcpConnection c = connections.get(dst, seg.dstPort(), src, seg.srcPort());
        if (c != null && c.state() == TcpState.TIME_WAIT && c.acceptsNewSynInTimeWait(seg)
                && findListener(dst, seg.dstPort()) != null) {
            // RFC 9293 3.10.7.4 / RFC 6191: a new SYN clearly above the old connection may reuse the
            // pair, when a listener is there to take it (RFC 1122 4.2.2.13); else TIME-WAIT answers it
            c.timeWaitReplaced(now);
            c = null;
        }
        if (c != null) {
            c.segmentArrives(now, seg, buf, payloadOff, payloadLen);
            return;
        }
        TcpListener l = findListener(dst, seg.dstPort());
        if (l != null) {
            l.segmentArrives(now, src, dst, seg, buf, payloadOff, payloadLen);
            return;
        }
        closedArrives(now, src, dst, seg, payloadLen, id);
    }

    // RFC 9293 3.10.7.1, CLOSED STATE: no connection, no listener
    private void closedArrives(long now, Ipv4Address src, Ipv4Address dst, TcpRepr seg, int len, String id) {
        if (seg.has(TcpRepr.RST)) {
            drop(now, DropReason.NO_LISTENER, "rst_to_closed", "RST to a closed port ignored", id, seg, len);
            return;
        }
        if (config.twoWayHandshake() && seg.has(TcpRepr.SYN) && seg.has(TcpRepr.ACK)) {
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
    public void icmpDestinationUnreachable(long now, Ipv4Address src, Ipv4Address dst, int code, int nextHopMtu,
                                           int srcPort, int dstPort, int seq) {
        TcpConnection c = connections.get(src, srcPort, dst, dstPort);
        if (c == null) {
            tcpCounters.icmpNoConnection.increment();
            return;
        }
        c.icmpUnreachable(now, code, nextHopMtu, seq);
    }

    /** An ICMP time exceeded (RFC 792 type 11) quoting a segment we sent: src/dst/ports as we sent them. */
    public void icmpTimeExceeded(long now, Ipv4Address src, Ipv4Address dst, int srcPort, int dstPort, int seq) {
        TcpConnection c = connections.get(src, srcPort, dst, dstPort);
        if (c == null) {
            tcpCounters.icmpNoConnection.increment();
            return;
        }
        c.icmpTimeExceeded(now, seq);
    }

    /** O(1): the earliest deadline of any connection (a min-heap of connections by deadline). */
    @Override public long pollAt() { return batchAcks.isEmpty() ? timers.earliest() : batchAt; }

    /**
     * Sends the ACKs that bursts of segments left for their end ({@link TcpConfig#coalesceAcks}),
     * then runs the timers of the connections due at {@code now} (only those), in the order
     * they were created.
     */
    @Override public void poll(long now) {
        if (!batchAcks.isEmpty()) endBatch(now);
        timers.poll(now, nextOrder - 1);
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

    /** Ends the current burst now (what the next poll would do first); for drivers that deliver segments one by one. */
    void endBatch(long now) {
        // A connection's ACK may queue nothing new here; copy-free: index loop, then clear.
        for (int i = 0; i < batchAcks.size(); i++) batchAcks.get(i).batchEnded(now);
        batchAcks.clear();
    }

    // ---- services for connections and listeners ----

    static String id(Ipv4Address local, int localPort, Ipv4Address remote, int remotePort) {
        return new FourTuple(local, localPort, remote, remotePort).toString();
    }

    private TcpListener findListener(Ipv4Address dst, int port) {
        List<TcpListener> l = listeners.get(port);
        if (l == null) return null;
        TcpListener any = null;
        for (TcpListener x : l) {
            if (x.localAddress().equals(dst)) return x;
            if (x.localAddress().isUnspecified()) any = x;
        }
        return any;
    }

    void removeListener(TcpListener l) {
        List<TcpListener> list = listeners.get(l.port());
        if (list == null) return;
        list.remove(l);
        if (list.isEmpty()) listeners.remove(l.port());
    }

    TcpConnection newConnection(long now, Ipv4Address local, int localPort, Ipv4Address remote, int remotePort,
                                TcpListener parent, TcpEventListener l, TcpConfig cfg) {
        TcpConnection c = new TcpConnection(context, cfg, local, localPort, remote, remotePort, parent, l,
                isnForTests != null ? isnForTests.getAsInt() : isn.isn(now, local, localPort, remote, remotePort),
                isn.timestampOffset(local, remote), nextOrder++);
        if (parent != null) c.setNoOptions(parent.noOptions());
        connections.put(c);
        return c;
    }

    /** The connection with this 4-tuple, or null. */
    TcpConnection find(Ipv4Address local, int localPort, Ipv4Address remote, int remotePort) {
        return connections.get(local, localPort, remote, remotePort);
    }

    /** The shared empty send ring for a connection configured with {@code c}. */
    RingBuffer emptySendBuffer(TcpConfig c) { return sendRings.empty(c.sendBufferSize()); }

    /** The shared empty receive ring for a connection configured with {@code c}. */
    RingBuffer emptyReceiveBuffer(TcpConfig c) { return receiveRings.empty(c.receiveBufferSize()); }

    /** A ring for a connection's first queued byte: the spare one if there is one (stack-sized connections). */
    RingBuffer newSendBuffer(TcpConfig c) { return sendRings.take(c.sendBufferSize()); }

    /** A ring for a connection's first received byte: the spare one if there is one (stack-sized connections). */
    RingBuffer newReceiveBuffer(TcpConfig c) { return receiveRings.take(c.receiveBufferSize()); }

    /** A connection gives back its empty send ring; returns the shared empty ring to use instead. */
    RingBuffer recycleSendBuffer(RingBuffer r, TcpConfig c) { return sendRings.recycle(r, c.sendBufferSize()); }

    /** A connection gives back its empty receive ring (nothing held beyond the end); returns the shared empty ring. */
    RingBuffer recycleReceiveBuffer(RingBuffer r, TcpConfig c) { return receiveRings.recycle(r, c.receiveBufferSize()); }

    RttEstimator newRttEstimator(TcpConfig c) {
        return new RttEstimator(c.initialRtoNs(), c == config ? rttBounds : RttEstimator.boundsOf(c));
    }

    /** Tests only: fixes the ISNs of new connections. */
    void setIsnForTests(java.util.function.IntSupplier s) { this.isnForTests = s; }

    void forget(TcpConnection c) {
        connections.remove(c);
        timers.forget(c);
    }

    byte[] scratch(int n) {
        if (scratch == null || scratch.length < n) scratch = new byte[Math.max(n, 2048)];
        return scratch;
    }

    /** A connection's segment. */
    void transmit(long now, TcpConnection c, Ipv4Address src, Ipv4Address dst, TcpRepr tcp, byte[] payload, int off, int len) {
        transmit(now, src, dst, tcp, payload, off, len);
    }

    /** The header the connections fill for {@link #transmit(long, TcpConnection, Ipv4Address, Ipv4Address, TcpEncoder, byte[], int, int)}. */
    TcpEncoder encoder() { return encoder; }

    private final TcpEncoder encoder = new TcpEncoder();

    /** A connection's common segment (never a RST): no record is built unless tracing. */
    void transmit(long now, TcpConnection c, Ipv4Address src, Ipv4Address dst, TcpEncoder tcp, byte[] payload, int off, int len) {
        if (tracer.enabled()) {
            transmit(now, src, dst, tcp.toRepr(), payload, off, len);
            return;
        }
        tcpCounters.outSegments.increment();
        output.send(now, src, dst, tcp, payload, off, len);
    }

    void transmit(long now, Ipv4Address src, Ipv4Address dst, TcpRepr tcp, byte[] payload, int off, int len) {
        tcpCounters.outSegments.increment();
        if (tcp.has(TcpRepr.RST)) tcpCounters.outRsts.increment();
        if (tracer.enabled()) tracer.event(TraceEvent.Segment.of(now, false, src, dst, tcp, len));
        output.send(now, src, dst, tcp, payload, off, len);
    }

    void sendRst(long now, Ipv4Address src, int srcPort, Ipv4Address dst, int dstPort, int seq, int ack, boolean withAck) {
        sendRst(now, src, srcPort, dst, dstPort, seq, ack, withAck, List.of());
    }

    /** A RST carrying options (a connection's abort RST with its timestamps). */
    void sendRst(long now, Ipv4Address src, int srcPort, Ipv4Address dst, int dstPort, int seq, int ack, boolean withAck,
                 List<TcpOption> options) {
        TcpRepr rst = new TcpRepr(srcPort, dstPort, seq, withAck ? ack : 0, TcpRepr.RST | (withAck ? TcpRepr.ACK : 0),
                0, 0, options);
        transmit(now, src, dst, rst, new byte[0], 0, 0);
    }

    /** RFC 5961 10: a global budget of challenge ACKs per second. */
    boolean allowChallengeAck(long now) {
        if (challengeWindowStart == Long.MIN_VALUE || now - challengeWindowStart >= Time.s(1)) {
            challengeWindowStart = now;
            challengeAcksInWindow = 0;
        }
        if (challengeAcksInWindow >= config.challengeAckLimit()) {
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

    /** The connections' view of this layer (see {@link ConnectionContext}). */
    private final class Context implements ConnectionContext {
        @Override public TcpEncoder encoder() { return encoder; }
        @Override public byte[] scratch(int n) { return TcpLayer.this.scratch(n); }

        @Override public void transmit(long now, TcpConnection c, Ipv4Address src, Ipv4Address dst, TcpEncoder seg,
                                       byte[] payload, int off, int len) {
            TcpLayer.this.transmit(now, c, src, dst, seg, payload, off, len);
        }

        @Override public void transmit(long now, TcpConnection c, Ipv4Address src, Ipv4Address dst, TcpRepr seg,
                                       byte[] payload, int off, int len) {
            TcpLayer.this.transmit(now, c, src, dst, seg, payload, off, len);
        }

        @Override public void sendRst(long now, Ipv4Address src, int srcPort, Ipv4Address dst, int dstPort, int seq, int ack,
                                      boolean withAck, List<TcpOption> options) {
            TcpLayer.this.sendRst(now, src, srcPort, dst, dstPort, seq, ack, withAck, options);
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
    }
}
