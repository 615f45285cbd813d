package org.netstack4j.tcp;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.netstack4j.tcp.seqnum.Seq;
import org.netstack4j.trace.DropReason;
import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.TcpOption;
import org.netstack4j.wire.TcpRepr;

/**
 * A passive OPEN (RFC 9293 3.10.1): the LISTEN state of a port. Incoming SYNs create
 * connections in SYN-RECEIVED (the SYN queue, bounded by {@link TcpConfig.Limits#synQueueLimit()});
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
    private final IpAddress localAddress;
    private final int port;
    private final int backlog;
    private final AcceptHandler handler;
    private final Set<TcpConnection> synQueue = new LinkedHashSet<>();
    private final ArrayDeque<TcpConnection> acceptQueue = new ArrayDeque<>();
    private boolean closed;
    private boolean noOptions;
    private boolean v6Only;
    private int deferAcceptTimeouts;
    /** Connections created by this listener and not yet CLOSED (Hardening.maxConnectionsPerListener). */
    private int children;
    /** When the last SYN cookie went out (Long.MIN_VALUE: never): cookie ACKs are only checked for two ticks after. */
    private long lastCookieAt = Long.MIN_VALUE;
    /** The configuration of the connections this listener creates (and of its own limits). */
    private final TcpConfig config;
    /** TCP_FASTOPEN's qlen (0: off), TCP_FASTOPEN_NO_COOKIE, TCP_FASTOPEN_KEY (null: the stack's key). */
    private int fastOpenQlen;
    private boolean fastOpenNoCookie;
    private FastOpen.Keys fastOpenKeys;
    /** Fast Open children not yet ESTABLISHED or CLOSED (Linux fastopenq.qlen). */
    private int fastOpenPending;

    TcpListener(TcpLayer layer, IpAddress localAddress, int port, int backlog, AcceptHandler handler, TcpConfig config) {
        this.layer = layer;
        this.config = config;
        this.localAddress = localAddress;
        this.port = port;
        this.backlog = Math.max(1, backlog);
        this.handler = handler == null ? l -> {} : handler;
    }

    public IpAddress localAddress() { return localAddress; }
    public int port() { return port; }
    public int backlog() { return backlog; }
    public boolean isClosed() { return closed; }
    /** The configuration of this listener and of the connections it accepts. */
    public TcpConfig config() { return config; }

    /**
     * IPV6_V6ONLY (RFC 3493 5.3) for a listener on {@code ::}: true, it takes IPv6 only; false
     * (the default, like Linux), IPv4 segments to the port come to it too.
     */
    public void setV6Only(boolean on) { this.v6Only = on; }
    public boolean v6Only() { return v6Only; }

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

    /**
     * TCP_FASTOPEN (RFC 7413, Linux): accept data on SYNs with a valid cookie, at most {@code
     * qlen} such connections not yet established at a time (0 = off). The stack's
     * {@link FastOpen#mode()} must have the server bit.
     */
    public void setFastOpen(int qlen) {
        if (qlen < 0) throw new IllegalArgumentException("qlen >= 0");
        this.fastOpenQlen = qlen;
    }
    public int fastOpen() { return fastOpenQlen; }
    /** TCP_FASTOPEN_NO_COOKIE on the listener: data on any SYN is taken, cookie or not. */
    public void setFastOpenNoCookie(boolean on) { this.fastOpenNoCookie = on; }
    boolean fastOpenNoCookie() { return fastOpenNoCookie; }

    private Md5.Keys md5Keys;
    private int trafficClass;

    /**
     * IP_TOS / IPV6_TCLASS on the listening socket: the DSCP bits of its SYN,ACKs and of every
     * connection it accepts from now on (Linux: children inherit inet->tos). ECN bits are TCP's and ignored.
     */
    public void setTrafficClass(int tos) {
        if (tos < 0 || tos > 255) throw new IllegalArgumentException("traffic class must be 0..255: " + tos);
        this.trafficClass = tos & ~org.netstack4j.wire.IpMeta.CE;
    }

    /** The DSCP bits set by {@link #setTrafficClass}. */
    public int trafficClass() { return trafficClass; }

    /**
     * TCP_MD5SIG on the listening socket (RFC 2385): connections it opens for peers in the key's
     * address/prefix sign every segment with it and drop unsigned or wrongly signed ones
     * ({@link Md5}); the listener's own RSTs and SYN,ACKs to them are signed too. A key with an
     * empty byte array deletes the key of that address and prefix.
     */
    public void setMd5Key(TcpMd5Key key) {
        if (md5Keys == null) md5Keys = new Md5.Keys();
        md5Keys.set(key);
        layer.md5Keyed();
    }

    /** The TCP-MD5 keys set ({@link #setMd5Key}). */
    public java.util.List<TcpMd5Key> md5KeyList() { return md5Keys == null ? java.util.List.of() : md5Keys.list(); }

    Md5.Keys md5Keys() { return md5Keys; }
    /** TCP_FASTOPEN_KEY on the listener: its own key pair (null: the stack's). */
    public void setFastOpenKeys(FastOpen.Keys k) { this.fastOpenKeys = k; }
    public FastOpen.Keys fastOpenKeys() { return fastOpenKeys; }
    /** Fast Open children waiting for the handshake to complete. */
    public int fastOpenPending() { return fastOpenPending; }

    /** The TFO queue limit in force: the qlen, or with TFO_SERVER_WO_SOCKOPT1 the backlog (Linux inet_listen). */
    int fastOpenQueueLimit() {
        int mode = layer.fastOpen().mode();
        if (fastOpenQlen == 0 && (mode & FastOpen.SERVER_WITHOUT_SOCKOPT) != 0 && (mode & FastOpen.SERVER) != 0) return backlog;
        return fastOpenQlen;
    }

    /** The next established connection, or null if none is ready. */
    public TcpConnection accept() { return acceptQueue.pollFirst(); }

    /** Connections ready for {@link #accept()}. */
    public int pending() { return acceptQueue.size(); }

    /** Half-open connections (SYN-RECEIVED). */
    public int halfOpen() { return synQueue.size(); }

    /**
     * Stops listening; established connections not yet accepted are reset (RFC 9293 3.10.4,
     * LISTEN). Half-open ones are reset too, or with {@link TcpConfig.OsQuirks#resetHalfOpenOnListenerClose()}
     * false forgotten silently: the peer's next segment then meets a closed port and its RST.
     */
    public void close(long now) {
        if (closed) return;
        closed = true;
        layer.removeListener(this);
        boolean reset = config.quirks().resetHalfOpenOnListenerClose();
        for (TcpConnection c : synQueue.toArray(new TcpConnection[0])) {
            if (reset) c.abort(now);
            else c.forgetHalfOpen(now);
        }
        layer.halfOpenChanged(-synQueue.size());
        synQueue.clear();
        TcpConnection c;
        while ((c = acceptQueue.pollFirst()) != null) c.abort(now);
    }

    // RFC 9293 3.10.7.2, LISTEN STATE
    void segmentArrives(long now, IpAddress src, IpAddress dst, TcpRepr seg, byte[] buf, int off, int len, int ecn) {
        // only for tracing: a flood of SYNs builds no strings
        String id = layer.tracer().enabled() ? TcpLayer.id(dst, seg.dstPort(), src, seg.srcPort()) : null;
        // RFC 9293 3.10.7.2, first check for an RST: ignore it
        if (seg.has(TcpRepr.RST)) {
            layer.drop(now, DropReason.UNEXPECTED, "rst_to_listen", "RST in LISTEN ignored", id, seg, len);
            return;
        }
        // RFC 9293 3.10.7.2, second check for an ACK: <SEQ=SEG.ACK><CTL=RST>
        if (seg.has(TcpRepr.ACK)) {
            if (!seg.has(TcpRepr.SYN) && cookiesInUse(now) && cookieAck(now, src, dst, seg, buf, off, len, ecn)) return;
            if (seg.has(TcpRepr.SYN) && !config.quirks().resetSynAckInListen()) {
                layer.drop(now, DropReason.POLICY, "syn_ack_to_listen", "SYN,ACK in LISTEN dropped without RST (resetSynAckInListen=false)", id, seg, len);
                return;
            }
            layer.drop(now, DropReason.UNEXPECTED, "ack_to_listen", "ACK in LISTEN: answered with RST", id, seg, len);
            layer.sendRst(now, dst, seg.dstPort(), src, seg.srcPort(), seg.ack(), 0, false);
            return;
        }
        // RFC 9293 3.10.7.2, third check for a SYN
        if (seg.has(TcpRepr.SYN)) {
            if (seg.has(TcpRepr.FIN)) {
                // SYN and FIN together make no sense at the start of a connection; scanners use them
                // to fingerprint stacks. Dropped as Linux (tcp_rcv_state_process) and FreeBSD
                // (net.inet.tcp.drop_synfin) do.
                layer.drop(now, DropReason.UNEXPECTED, "syn_fin", "SYN,FIN in LISTEN dropped", id, seg, len);
                return;
            }
            if (layer.connectionLimitReached() || children >= config.hardening().maxConnectionsPerListener()) {
                layer.drop(now, DropReason.QUEUE_FULL, "connection_limit", "connection limit reached: SYN dropped", id, seg, len);
                return;
            }
            if (layer.memoryExhausted()) {
                layer.drop(now, DropReason.QUEUE_FULL, "memory_limit", "TCP buffer memory limit reached: SYN dropped", id, seg, len);
                return;
            }
            boolean queueFull = synQueue.size() >= config.limits().synQueueLimit();
            boolean stackFull = layer.halfOpenLimitReached();
            Hardening.SynCookieMode mode = config.hardening().synCookies();
            boolean cookie = switch (mode) {
                case NEVER -> false;
                case WHEN_FULL -> queueFull || stackFull;
                case ALWAYS -> true;
            };
            if ((queueFull || stackFull) && !cookie) {
                layer.drop(now, DropReason.QUEUE_FULL, queueFull ? "syn_queue_full" : "half_open_limit",
                        queueFull ? "SYN queue full" : "stack-wide half-open limit reached", id, seg, len);
                return;
            }
            if (acceptQueue.size() >= backlog) {
                layer.drop(now, DropReason.QUEUE_FULL, "accept_queue_full", "accept queue full: SYN dropped", id, seg, len);
                return;
            }
            if (cookie) {
                sendCookie(now, src, dst, seg);
                return;
            }
            // RFC 7413 4.2 (Linux tcp_try_fastopen): a cookie request, or a SYN whose data we take
            FastOpen.Decision tfo = layer.fastOpen().onSyn(this, src, dst, seg, len);
            TcpConnection c = layer.newConnection(now, dst, seg.dstPort(), src, seg.srcPort(), this, TcpEventListener.NONE, config);
            if (tfo.child()) {
                // the child is acceptable at once, in SYN-RECEIVED, with the SYN's data readable
                children++;
                fastOpenPending++;
                FastOpen.passiveOpen(c, now, seg, ecn, buf, off, len, tfo.reply());
                if (c.state() != TcpState.CLOSED && !closed) {
                    acceptQueue.addLast(c);
                    handler.onAcceptable(this);
                }
                return;
            }
            addHalfOpen(c);
            FastOpen.synOption(c, tfo.reply()); // RFC 7413: in the SYN,ACK, or null
            c.passiveOpen(now, seg, ecn);
            return;
        }
        // RFC 9293 3.10.7.2, fourth other text or control: drop
        layer.drop(now, DropReason.UNEXPECTED, "no_syn_in_listen", "segment without SYN, ACK or RST in LISTEN", id, seg, len);
    }

    boolean acceptQueueFull() { return acceptQueue.size() >= backlog; }

    /**
     * SYN,ACK retransmissions allowed for our half-open connections now: fewer while the SYN
     * queue is more than half full (Linux reqsk_timer_handler), so that entries a flood of
     * spoofed SYNs holds are given back sooner.
     */
    int synAckRetries() {
        int r = config.timers().synAckRetries();
        if (2 * synQueue.size() > Math.max(8, config.limits().synQueueLimit())) return Math.min(r, config.hardening().synAckRetriesUnderPressure());
        return r;
    }

    /** A connection of ours reached ESTABLISHED: move it to the accept queue. */
    void established(TcpConnection c) {
        removeHalfOpen(c);
        if (FastOpen.child(c)) {
            // already in the accept queue (or accepted) since its SYN
            FastOpen.childEstablished(c);
            fastOpenPending--;
            return;
        }
        if (closed) return;
        acceptQueue.addLast(c);
        handler.onAcceptable(this);
    }

    /** A connection of ours went away (CLOSED), half-open or not. */
    void forget(TcpConnection c) {
        removeHalfOpen(c);
        if (FastOpen.child(c)) {
            FastOpen.childEstablished(c);
            fastOpenPending--;
        }
        children--;
    }

    private void addHalfOpen(TcpConnection c) {
        children++;
        if (synQueue.add(c)) layer.halfOpenChanged(1);
    }

    private void removeHalfOpen(TcpConnection c) {
        if (synQueue.remove(c)) layer.halfOpenChanged(-1);
    }

    // ---- SYN cookies (RFC 4987 3.6; see SynCookies) ----

    private String id(IpAddress local, IpAddress remote, TcpRepr seg) {
        return layer.tracer().enabled() ? TcpLayer.id(local, port, remote, seg.srcPort()) : null;
    }

    /** Cookies may be in flight: sent in the last two ticks of the cookie clock, or always on. */
    private boolean cookiesInUse(long now) {
        return config.hardening().synCookies() == Hardening.SynCookieMode.ALWAYS
                || (lastCookieAt != Long.MIN_VALUE && now - lastCookieAt < SynCookies.MAX_AGE * SynCookies.PERIOD_NS);
    }

    /** Answers a SYN with a SYN,ACK whose ISS is a cookie, keeping no state (Linux tcp_conn_request, want_cookie). */
    private void sendCookie(long now, IpAddress src, IpAddress dst, TcpRepr syn) {
        int peerMss = 536, peerWs = -1;
        boolean peerSack = false;
        TcpOption.Timestamps peerTs = null;
        for (TcpOption o : syn.options()) {
            switch (o) {
                case TcpOption.Mss m -> peerMss = m.mss() > 0 ? m.mss() : 536;
                case TcpOption.WindowScale w -> peerWs = Math.min(w.shift(), 14);
                case TcpOption.SackPermitted sp -> peerSack = true;
                case TcpOption.Timestamps t -> peerTs = t;
                default -> { }
            }
        }
        // Without timestamps nothing but the MSS can be restored: offer nothing else (Linux).
        boolean ts = peerTs != null && config.options().timestamps() && !noOptions;
        boolean ws = ts && peerWs >= 0 && config.options().windowScale();
        boolean sack = ts && peerSack && config.options().sack();
        int mssIndex = SynCookies.mssIndex(Math.min(peerMss, layer.advertisedMss(config, dst, src)));
        int iss = layer.synCookies().cookie(now, dst, port, src, syn.srcPort(), syn.seq(), mssIndex);
        int tsOffset = layer.timestampOffset(dst, src);
        // ECN (RFC 3168 6.1.1) rides in the timestamp too, so only with timestamps (Linux cookie_ecn_ok)
        boolean ecn = ts && Ecn.synRequests(syn) && config.options().ecn() != TcpConfig.Options.ECN_OFF;
        int tsVal = ts ? SynCookies.timestamp((int) (now / 1_000_000L) + tsOffset, tsOffset, ws ? peerWs : -1, sack, ecn) : 0;
        int tsEcr = ts ? peerTs.tsVal() : 0;
        List<TcpOption> options = noOptions ? List.of() : config.options().optionLayout().arrange(true, kind -> switch (kind) {
            case TcpOption.KIND_MSS -> new TcpOption.Mss(layer.advertisedMss(config, dst, src));
            case TcpOption.KIND_WSCALE -> ws ? new TcpOption.WindowScale(InitialWindow.shift(config)) : null;
            case TcpOption.KIND_SACK_PERMITTED -> sack ? new TcpOption.SackPermitted() : null;
            case TcpOption.KIND_TIMESTAMPS -> ts ? new TcpOption.Timestamps(tsVal, tsEcr) : null;
            default -> null;
        });
        // RFC 7323 2.2: the window of a SYN is never scaled; the same the connection will assume
        int window = InitialWindow.synWindow(config, config.buffers().receiveBufferSize(),
                layer.advertisedMss(config, dst, src) - (ts ? TcpConnection.TS_OPTION_SPACE : 0));
        TcpRepr synAck = new TcpRepr(port, syn.srcPort(), iss, Seq.add(syn.seq(), 1),
                TcpRepr.SYN | TcpRepr.ACK | (ecn ? TcpRepr.ECE : 0), window, 0, options);
        lastCookieAt = now;
        layer.tcpCounters().syncookiesSent.increment();
        layer.transmit(now, dst, src, synAck, trafficClass | layer.dontFragment(now, src, config.quirks().pmtuDiscovery()));
    }

    /**
     * An ACK to LISTEN that may complete a cookie handshake (Linux cookie_v4_check): if the
     * cookie is ours and fresh, the connection is created with the SYN's options restored and
     * takes the ACK (and any data on it); returns false (the caller answers with RST) otherwise.
     */
    private boolean cookieAck(long now, IpAddress src, IpAddress dst, TcpRepr seg, byte[] buf, int off, int len, int ecn) {
        int peerSeq = Seq.add(seg.seq(), -1);
        SynCookies.Check check = layer.synCookies().check(now, dst, port, src, seg.srcPort(), peerSeq, Seq.add(seg.ack(), -1));
        switch (check.verdict()) {
            case VALID -> { }
            case EXPIRED -> {
                layer.tcpCounters().syncookiesExpired.increment();
                return false;
            }
            case FORGED -> {
                layer.tcpCounters().syncookiesFailed.increment();
                return false;
            }
        }
        // the SYN, rebuilt: the MSS from the cookie, the rest from the TSecr (if we sent timestamps)
        List<TcpOption> options = new ArrayList<>(4);
        options.add(new TcpOption.Mss(check.mss()));
        int synFlags = TcpRepr.SYN;
        TcpOption.Timestamps ts = null;
        for (TcpOption o : seg.options()) if (o instanceof TcpOption.Timestamps t) ts = t;
        if (ts != null && config.options().timestamps() && !noOptions) {
            SynCookies.TsOptions restored = SynCookies.options(ts.tsEcr(), layer.timestampOffset(dst, src));
            if (restored == null) {
                layer.tcpCounters().syncookiesFailed.increment();
                return false;
            }
            if (restored.wscale() >= 0) options.add(new TcpOption.WindowScale(restored.wscale()));
            if (restored.sack()) options.add(new TcpOption.SackPermitted());
            if (restored.ecn()) {
                // the SYN asked for ECN and we agreed; with ECN off we never set the bit (Linux cookie_ecn_ok)
                if (config.options().ecn() == TcpConfig.Options.ECN_OFF) {
                    layer.tcpCounters().syncookiesFailed.increment();
                    return false;
                }
                synFlags |= TcpRepr.ECE | TcpRepr.CWR;
            }
            options.add(new TcpOption.Timestamps(ts.tsVal(), 0));
        }
        if (acceptQueue.size() >= backlog || layer.connectionLimitReached() || children >= config.hardening().maxConnectionsPerListener()) {
            layer.drop(now, DropReason.QUEUE_FULL, "cookie_ack_no_room", "valid SYN cookie but no room (accept queue or connection limit)", id(dst, src, seg), seg, len);
            return true; // dropped, not reset: the peer retransmits its data or times out (Linux)
        }
        layer.tcpCounters().syncookiesValid.increment();
        TcpRepr syn = new TcpRepr(seg.srcPort(), port, peerSeq, 0, synFlags, seg.window(), 0, options);
        TcpConnection c = layer.newConnection(now, dst, port, src, seg.srcPort(), this, TcpEventListener.NONE, config, Seq.add(seg.ack(), -1));
        addHalfOpen(c);
        c.cookieOpen(now, syn);
        c.segmentArrives(now, seg, buf, off, len, ecn);
        return true;
    }
}
