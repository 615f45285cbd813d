package org.netstack4j.tcp;

import java.util.ArrayDeque;
import java.util.LinkedHashSet;
import java.util.Set;
import org.netstack4j.trace.DropReason;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.TcpRepr;

/**
 * A passive OPEN (RFC 9293 3.10.1): the LISTEN state of a port. Incoming SYNs create
 * connections in SYN-RECEIVED (the SYN queue, bounded by {@link TcpConfig#synQueueLimit()});
 * once ESTABLISHED they wait in the accept queue (bounded by the backlog) until
 * {@link #accept()}.
 */
public final class TcpListener {
    /** Told when a connection is ready to be accepted. */
    @FunctionalInterface
    public interface AcceptHandler {
        void onAcceptable(TcpListener l);
    }

    private final TcpLayer layer;
    private final Ipv4Address localAddress;
    private final int port;
    private final int backlog;
    private final AcceptHandler handler;
    private final Set<TcpConnection> synQueue = new LinkedHashSet<>();
    private final ArrayDeque<TcpConnection> acceptQueue = new ArrayDeque<>();
    private boolean closed;
    private boolean noOptions;
    private int deferAcceptTimeouts;
    /** The configuration of the connections this listener creates (and of its own limits). */
    private final TcpConfig config;

    TcpListener(TcpLayer layer, Ipv4Address localAddress, int port, int backlog, AcceptHandler handler, TcpConfig config) {
        this.layer = layer;
        this.config = config;
        this.localAddress = localAddress;
        this.port = port;
        this.backlog = Math.max(1, backlog);
        this.handler = handler == null ? l -> {} : handler;
    }

    public Ipv4Address localAddress() { return localAddress; }
    public int port() { return port; }
    public int backlog() { return backlog; }
    public boolean isClosed() { return closed; }
    /** The configuration of this listener and of the connections it accepts. */
    public TcpConfig config() { return config; }

    /** TCP_NOOPT for the connections this listener will create (see {@link TcpConnection#setNoOptions}). */
    public void setNoOptions(boolean on) { this.noOptions = on; }
    public boolean noOptions() { return noOptions; }

    /**
     * TCP_DEFER_ACCEPT (Linux): a handshake is completed by the first segment carrying data;
     * a bare ACK of the SYN,ACK is taken only once the SYN,ACK timer has fired this many times
     * (the deferral period), and the SYN,ACK is not repeated in between except on the last
     * timeout before that, a last chance for the peer (Linux syn_ack_recalc). 0 = off.
     */
    public void setDeferAccept(int synAckTimeouts) {
        if (synAckTimeouts < 0) throw new IllegalArgumentException("deferral >= 0");
        this.deferAcceptTimeouts = synAckTimeouts;
    }
    public int deferAccept() { return deferAcceptTimeouts; }

    /** The next established connection, or null if none is ready. */
    public TcpConnection accept() { return acceptQueue.pollFirst(); }

    /** Connections ready for {@link #accept()}. */
    public int pending() { return acceptQueue.size(); }

    /** Half-open connections (SYN-RECEIVED). */
    public int halfOpen() { return synQueue.size(); }

    /**
     * Stops listening; established connections not yet accepted are reset (RFC 9293 3.10.4,
     * LISTEN). Half-open ones are reset too, or with {@link TcpConfig#resetHalfOpenOnListenerClose()}
     * false forgotten silently: the peer's next segment then meets a closed port and its RST.
     */
    public void close(long now) {
        if (closed) return;
        closed = true;
        layer.removeListener(this);
        boolean reset = config.resetHalfOpenOnListenerClose();
        for (TcpConnection c : synQueue.toArray(new TcpConnection[0])) {
            if (reset) c.abort(now);
            else c.forgetHalfOpen(now);
        }
        synQueue.clear();
        TcpConnection c;
        while ((c = acceptQueue.pollFirst()) != null) c.abort(now);
    }

    // RFC 9293 3.10.7.2, LISTEN STATE
    void segmentArrives(long now, Ipv4Address src, Ipv4Address dst, TcpRepr seg, byte[] buf, int off, int len) {
        String id = TcpLayer.id(dst, seg.dstPort(), src, seg.srcPort());
        // RFC 9293 3.10.7.2, first check for an RST: ignore it
        if (seg.has(TcpRepr.RST)) {
            layer.drop(now, DropReason.UNEXPECTED, "rst_to_listen", "RST in LISTEN ignored", id, seg, len);
            return;
        }
        // RFC 9293 3.10.7.2, second check for an ACK: <SEQ=SEG.ACK><CTL=RST>
        if (seg.has(TcpRepr.ACK)) {
            if (seg.has(TcpRepr.SYN) && !config.resetSynAckInListen()) {
                layer.drop(now, DropReason.POLICY, "syn_ack_to_listen", "SYN,ACK in LISTEN dropped without RST (resetSynAckInListen=false)", id, seg, len);
                return;
            }
            layer.drop(now, DropReason.UNEXPECTED, "ack_to_listen", "ACK in LISTEN: answered with RST", id, seg, len);
            layer.sendRst(now, dst, seg.dstPort(), src, seg.srcPort(), seg.ack(), 0, false);
            return;
        }
        // RFC 9293 3.10.7.2, third check for a SYN
        if (seg.has(TcpRepr.SYN)) {
            if (synQueue.size() >= config.synQueueLimit()) {
                layer.drop(now, DropReason.QUEUE_FULL, "syn_queue_full", "SYN queue full", id, seg, len);
                return;
            }
            if (acceptQueue.size() >= backlog) {
                layer.drop(now, DropReason.QUEUE_FULL, "accept_queue_full", "accept queue full: SYN dropped", id, seg, len);
                return;
            }
            TcpConnection c = layer.newConnection(now, dst, seg.dstPort(), src, seg.srcPort(), this, TcpEventListener.NONE, config);
            synQueue.add(c);
            c.passiveOpen(now, seg);
            return;
        }
        // RFC 9293 3.10.7.2, fourth other text or control: drop
        layer.drop(now, DropReason.UNEXPECTED, "no_syn_in_listen", "segment without SYN, ACK or RST in LISTEN", id, seg, len);
    }

    boolean acceptQueueFull() { return acceptQueue.size() >= backlog; }

    /** A connection of ours reached ESTABLISHED: move it to the accept queue. */
    void established(TcpConnection c) {
        synQueue.remove(c);
        if (closed) return;
        acceptQueue.addLast(c);
        handler.onAcceptable(this);
    }

    /** A half-open connection of ours went away. */
    void forget(TcpConnection c) { synQueue.remove(c); }
}
