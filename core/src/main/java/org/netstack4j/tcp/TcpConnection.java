package org.netstack4j.tcp;

import static org.netstack4j.time.Time.NEVER;

import org.netstack4j.path.PmtuDiscovery;
import org.netstack4j.tcp.cc.CongestionControl;
import org.netstack4j.tcp.cc.Cubic;
import org.netstack4j.tcp.cc.NewReno;
import org.netstack4j.tcp.recovery.LossRecovery;
import org.netstack4j.tcp.recovery.RecoverySender;
import org.netstack4j.tcp.recovery.RenoRecovery;
import org.netstack4j.tcp.recovery.SackRecovery;
import org.netstack4j.tcp.seqnum.Assembler;
import org.netstack4j.tcp.seqnum.Seq;
import org.netstack4j.trace.DropReason;
import org.netstack4j.trace.FourTuple;
import org.netstack4j.trace.TimerAction;
import org.netstack4j.trace.TraceEvent;
import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.IpMeta;
import org.netstack4j.wire.TcpOption;
import org.netstack4j.wire.TcpRepr;

/**
 * One TCP connection: the transmission control block of RFC 9293 3.3.1 and the event
 * processing of RFC 9293 3.10. User calls ({@link #send}, {@link #receive}, {@link #close},
 * {@link #abort}) and arriving segments ({@link #segmentArrives}) and timeouts
 * ({@link #retransmissionTimeout}, {@link TimeWait#timeout}, {@link #userTimeout}) are the
 * RFC's events, named as the RFC names them. Single-threaded; time is passed in. What to send
 * and when is {@link TcpSender}'s, what to do with arriving text and when to ACK
 * {@link TcpReceiver}'s, loss detection and repair the {@link LossRecovery}'s (tcp.recovery);
 * the steps of SEGMENT ARRIVES past LISTEN are {@link SegmentArrives}', ICMP errors
 * {@link IcmpErrors}'; the stack is seen through a {@link ConnectionContext}.
 */
public final class TcpConnection {
    static final int TS_OPTION_SPACE = 12;
    static final long OUT_OF_WINDOW_ACK_INTERVAL_NS = 500_000_000L; // NOP, NOP, Timestamps (RFC 7323 Appendix A layout)

    /** The layer this connection lives in, as far as a connection may see it. */
    final ConnectionContext layer;
    final IpAddress localAddress, remoteAddress;
    /** The MSS we announce (RFC 9293 3.7.1): the configured one, lowered to the route's (TcpLayer#newConnection). */
    final int advMss;
    final int localPort, remotePort;
    final TcpListener parent; // passive OPEN from this listener, else null
    private TcpEventListener listener;

    TcpState state = TcpState.CLOSED;
    private TcpError error;
    TcpError softError;

    // RFC 9293 3.3.1 send sequence variables
    final int iss;
    int sndUna, sndWl1, sndWl2, sndUp;
    int sndNxt;         // next sequence number to (re)send; pulled back to SND.UNA by a timeout
    long sndWnd;        // in bytes, already scaled
    int sndMax;         // one past the highest sequence number ever sent: the RFC's SND.NXT
    long maxSndWnd;     // largest window the peer offered (RFC 9293 3.8.6.2.1, RFC 5961 5.2)
    byte sndWscale;     // the peer's shift, applied to windows we receive
    RingBuffer sendBuf;       // the layer's shared empty ring until the first byte is queued
    int sndBufSeq;      // sequence number of sendBuf's first byte (snd.una once the SYN is acked)
    boolean finQueued;  // user CLOSE: a FIN follows the queued data
    int finSeq;         // the FIN's sequence number, once finQueued

    // RFC 9293 3.3.1 receive sequence variables
    int irs, rcvNxt, rcvUp;
    int rcvAdvRight;    // right edge of the advertised window, never moved left (RFC 9293 3.8.6.2.2)
    byte rcvWscale;     // our shift, applied to windows we advertise
    RingBuffer rcvBuf;        // the layer's shared empty ring until the first byte arrives
    Assembler ooo;            // Assembler.EMPTY until the first hole
    boolean finReceived;

    // options
    int peerMss = 536; // RFC 9293 3.7.1: default send MSS without the option
    int effMss;
    boolean tsOk, sackOk;
    /** ECN (RFC 3168) state, bits of {@link Ecn}; 0 when ECN is not in use. */
    byte ecnFlags;
    boolean peerOfferedWs, peerOfferedTs, peerOfferedSack;
    /** TCP_NOOPT (FreeBSD): no options on our SYN or SYN,ACK, none of the peer's WS/TS/SACK used. */
    boolean noOptions;
    /** A bare ACK of our SYN,ACK came while the listener defers accepting (TCP_DEFER_ACCEPT). */
    boolean deferredAckSeen;
    private byte peerWsShift;   // window scale shifts are 0..14 (RFC 7323 2.3): bytes keep the TCB small
    int tsRecent;
    /** When TS.Recent last changed (TIME-WAIT reuse, TcpConfig.timeWaitReuseDelayNs). */
    long tsRecentAt = NEVER;
    /** This connection took over a TIME-WAIT 4-tuple: its SYN echoes the old TS.Recent (Linux tcp_twsk_unique). */
    boolean synEchoesTsRecent;
    int lastAckSent;
    private final int tsOffset;

    // timers: deadlines in ns, NEVER when not armed
    long rtoAt = NEVER, persistAt = NEVER, delackAt = NEVER, timeWaitAt = NEVER, keepaliveAt = NEVER;
    /** TcpConfig.tailLossProbe (RFC 8985 7): the probe timer of the loss recovery. */
    long tlpAt = NEVER;
    /** Delayed early retransmit (TcpConfig.earlyRetransmit = 2): when it fires, NEVER = not armed. */
    long erAt = NEVER;
    // the layer's timer queue (TimerQueue): this connection's slot in its heap (-1: not queued,
    // -2: forgotten by the layer), whether the current poll pass holds it, its creation order
    int timerSlot = TimerQueue.NOT_QUEUED;
    boolean timerDue; // queued in the layer's current poll pass
    final long order;
    int retries;
    long unackedSince = NEVER;

    final RttEstimator rtt;
    /** Loss recovery and the congestion control it drives, created with the first data they govern: see recovery(). */
    LossRecovery recovery;

    /** Sending: segments, Nagle, cork, persist and window probes (gVisor's snd.go). */
    final TcpSender snd;
    /** Receiving: the text, the ACK policy and the window we advertise (gVisor's rcv.go). */
    final TcpReceiver rcv;
    private final TcpConfig config;
    /** The application closed its socket: nobody will read again (see {@link #orphan}). */
    boolean orphan;
    /** How long an orphaned connection may stay in FIN-WAIT-2; 0 = as long as the peer likes. */
    long finWait2TimeoutNs;
    long bytesAcked;

    /** What few connections need, created when first set (DESIGN.md 10): null = every default. */
    Rare rare;
    /** When the connection was established and an acceptable ACK last arrived (status only). */
    long establishedAt = NEVER, lastAckAt = NEVER;

    // user notifications, delivered at the end of each event
    boolean nAcceptable, nEstablished, nReadable, nWritable, nRemoteClosed, nClosed, delivering;

    TcpConnection(ConnectionContext layer, TcpConfig config, IpAddress localAddress, int localPort, IpAddress remoteAddress, int remotePort,
                  TcpListener parent, TcpEventListener listener, int iss, int tsOffset, int advMss, long order) {
        this.layer = layer;
        this.config = config;
        this.order = order;
        this.localAddress = localAddress;
        this.localPort = localPort;
        this.remoteAddress = remoteAddress;
        this.remotePort = remotePort;
        this.parent = parent;
        this.listener = listener == null ? TcpEventListener.NONE : listener;
        this.iss = iss;
        this.sndUna = iss;
        this.sndNxt = iss;
        this.sndMax = iss;
        this.sndBufSeq = Seq.add(iss, 1);
        this.tsOffset = tsOffset; // RFC 7323 7.1: a keyed offset per address pair (IsnGenerator)
        this.advMss = advMss;
        // DESIGN.md 10: an idle connection owns no buffers; shared empty stand-ins until first use
        this.sendBuf = layer.sendRings().empty(config.buffers().sendBufferSize());
        this.rcvBuf = layer.receiveRings().empty(RcvMem.ringCapacity(config));
        this.ooo = Assembler.EMPTY;
        this.rtt = layer.newRttEstimator(config);
        this.effMss = Math.min(advMss, peerMss);
        this.snd = new TcpSender(this, config, iss);
        this.rcv = new TcpReceiver(this, config);
    }

    // ------------------------------------------------------------------ getters

    /** Busy / rwnd-limited / sndbuf-limited time (Linux tcp_chrono, tcp_info); null until the first data. */
    Chrono chrono;

    Chrono chrono() {
        if (chrono == null) chrono = new Chrono();
        return chrono;
    }

    /** tcpi_busy_time: how long data was queued or in flight, in ns up to {@code now} (Linux tcp_chrono). */
    public long busyTimeNs(long now) { return chrono == null ? 0 : chrono.busy(now); }
    /** tcpi_rwnd_limited: of the busy time, how long the peer's receive window held the next segment back. */
    public long rwndLimitedNs(long now) { return chrono == null ? 0 : chrono.time(now, Chrono.RWND_LIMITED); }
    /** tcpi_sndbuf_limited: of the busy time, how long the application waited for send buffer space. */
    public long sndbufLimitedNs(long now) { return chrono == null ? 0 : chrono.time(now, Chrono.SNDBUF_LIMITED); }

    /** tcpi_probes: zero-window or keepalive probes sent that the peer has not answered yet (Linux icsk_probes_out). */
    public int probesOut() { return rare == null ? 0 : rare.windowProbesOut + rare.keepalivesSent; }

    public TcpState state() { return state; }
    /** "local:port>remote:port"; built on demand (an idle connection keeps no strings, DESIGN.md 10). */
    public String id() { return TcpLayer.id(localAddress, localPort, remoteAddress, remotePort); }
    FourTuple fourTuple() { return new FourTuple(localAddress, localPort, remoteAddress, remotePort); }
    public IpAddress localAddress() { return localAddress; }
    public int localPort() { return localPort; }
    public IpAddress remoteAddress() { return remoteAddress; }
    public int remotePort() { return remotePort; }
    public TcpError error() { return error; }
    /** The MSS this connection announces (Linux tcpi_advmss). */
    public int advertisedMss() { return advMss; }

    /** The MSS we estimate the peer sends (Linux icsk_ack.rcv_mss, tcpi_rcv_mss). */
    public int receiveMss() { return rcv.rcvMss; }
    /** The listener this connection was accepted from (passive OPEN), or null for an active OPEN. */
    public TcpListener acceptedFrom() { return parent; }
    public void setListener(TcpEventListener l) { this.listener = l == null ? TcpEventListener.NONE : l; }
    public void setNoDelay(boolean noDelay) { snd.noDelay = noDelay; }
    public boolean noDelay() { return snd.noDelay; }

    /**
     * SO_SNDBUF for this connection alone: how many bytes {@link #send} may queue (unacknowledged
     * plus unsent). Data already queued beyond a smaller size stays; new writes wait for room.
     */
    public void setSendBufferSize(int bytes) {
        if (bytes < 1) throw new IllegalArgumentException("send buffer size >= 1");
        if (SkbQueue.on(this)) bytes = SkbQueue.sndbuf(bytes); // sock_setsockopt: at least SOCK_MIN_SNDBUF
        snd.sndBufLimit = bytes == cfg().buffers().sendBufferSize() ? 0 : bytes;
        if (sendBuf.isShared()) return; // allocated at this size with the first queued byte
        RingBuffer r = layer.newRing(Math.max(SkbQueue.on(this) ? SkbQueue.ringCapacity(bytes) : bytes, sendBuf.size()));
        if (!sendBuf.isEmpty()) {
            byte[] tmp = new byte[sendBuf.size()];
            sendBuf.peek(0, tmp, 0, tmp.length);
            r.write(tmp, 0, tmp.length);
        }
        sendBuf.uncharge();
        sendBuf = r;
    }

    /**
     * SO_RCVBUF on an open connection. Only with Linux's receive-memory accounting
     * ({@link TcpConfig.Buffers#receiveTruesize}), where it sets sk_rcvbuf (twice {@code bytes}, at
     * least SOCK_MIN_RCVBUF, at most the ring this connection was given): the window is never
     * retracted for it, but data past the new limit is refused (Linux: tcp_rcv_wnd_shrink_nomem).
     * Returns false, changing nothing, without that accounting.
     */
    public boolean setReceiveBufferSize(int bytes) {
        if (bytes < 1) throw new IllegalArgumentException("receive buffer size >= 1");
        if (!RcvMem.on(this)) return false;
        RcvMem.of(this).rcvbuf = Math.min(RcvMem.rcvbuf(bytes), RcvMem.ringCapacity(cfg()));
        return true;
    }

    /**
     * TCP_NOOPT (FreeBSD tcp_usrreq): send no TCP options at all, not even the MSS (the peer
     * then assumes 536, RFC 9293 3.7.1), and use none of the peer's window scale, timestamps
     * or SACK. Only before the first SYN.
     */
    void setNoOptions(boolean on) { this.noOptions = on; }

    /** The send buffer size in bytes. */
    public int sendBufferSize() { return snd.sndBufLimit != 0 ? snd.sndBufLimit : cfg().buffers().sendBufferSize(); }

    /** RFC 9293 3.10.8 USER TIMEOUT for this connection alone (TCP_USER_TIMEOUT); 0 = off. */
    public void setUserTimeout(long ns) {
        if (ns < 0) throw new IllegalArgumentException("user timeout >= 0");
        Rare.of(this).userTimeoutOverrideNs = ns;
    }

    /**
     * Bounds connection establishment in time (FreeBSD TCP_KEEPINIT; RFC 1122 4.2.3.5 R2 for a
     * SYN): still in SYN-SENT or SYN-RECEIVED {@code ns} after {@code now}, the connection ends
     * TIMED_OUT, even if SYN retransmissions remain. Has no effect once established.
     */
    public void setConnectTimeout(long now, long ns) {
        if (ns <= 0) throw new IllegalArgumentException("connect timeout > 0");
        Rare.of(this).establishDeadline = now + ns;
        if (rtoAt != NEVER && establishing() && rtoAt > now + ns) {
            rtoAt = now + ns;
            timersChanged();
        }
    }

    private boolean establishing() { return state == TcpState.SYN_SENT || state == TcpState.SYN_RECEIVED; }

    /** The USER TIMEOUT in force, 0 = none. */
    public long userTimeoutNs() { return rare != null && rare.userTimeoutOverrideNs >= 0 ? rare.userTimeoutOverrideNs : cfg().timers().userTimeoutNs(); }

    /** SO_KEEPALIVE for this connection (RFC 9293 3.8.4), with the idle/interval/probes of the config. */
    public void setKeepalive(long now, boolean on) {
        if (on && keepaliveAt == NEVER && (state == TcpState.ESTABLISHED || state == TcpState.CLOSE_WAIT)) {
            keepaliveAt = now + cfg().timers().keepaliveIdleNs();
            timersChanged();
            if (rare != null) rare.keepalivesSent = 0;
            timer(now, TcpTimer.KEEPALIVE, TimerAction.SET, keepaliveAt);
        } else if (!on && keepaliveAt != NEVER) {
            keepaliveAt = NEVER;
            timersChanged();
            timer(now, TcpTimer.KEEPALIVE, TimerAction.CANCEL, NEVER);
        }
    }

    /** Bytes ready for {@link #receive}. */
    public int readable() { return rcvBuf.size(); }

    /** Free space in the send buffer (0 once the send side is closed). */
    public int writable() {
        if (finQueued) return 0;
        return switch (state) {
            case SYN_SENT, SYN_RECEIVED, ESTABLISHED, CLOSE_WAIT -> SkbQueue.on(this) ? (SkbQueue.writeable(this) ? SkbQueue.writableRoom(this) : 0)
                    : sendBuf.isShared() ? sendBufferSize() : sendBuf.free();
            case CLOSED, LISTEN, FIN_WAIT_1, FIN_WAIT_2, CLOSING, LAST_ACK, TIME_WAIT -> 0;
        };
    }

    /** TCP_INFO-like snapshot. */
    public TcpStatus status() {
        LossRecovery r = recovery;
        CongestionControl c = r != null ? r.cc() : newCc(); // for reading only: an idle connection keeps none
        return new TcpStatus(state, sndUna, sndMax, sndWnd, rcvNxt, rcv.rcvWnd(), r != null ? r.cwnd() : c.window(), c.ssthresh(),
                rtt.srtt(), rtt.rttvar(), rtt.rto(), effMss, sndWscale, rcvWscale, tsOk, sackOk,
                snd.retransmissions, snd.bytesSent, bytesAcked, rcv.bytesReceived, sendBuf.size(), rcvBuf.size(), error,
                retries, inRecovery(), r != null ? r.dupAcks() : 0, r != null ? r.sackedBytes() : 0,
                establishedAt, rcv.lastDataAt, snd.lastDataSentAt, lastAckAt, rcv.rcvRtt8 >> 3,
                r != null ? r.lostSegments() : 0, r != null ? r.retransmittedInFlight() : 0,
                r != null ? r.reordering() : LossRecovery.DUP_THRESH);
    }

    @Override public String toString() { return id() + " " + state.rfcName(); }

    // ------------------------------------------------------------------ user calls (RFC 9293 3.10.1 - 3.10.5)

    /** RFC 9293 3.10.1 OPEN (active): send <SEQ=ISS><CTL=SYN>, enter SYN-SENT. */
    void open(long now) {
        sndUna = iss;
        sndNxt = Seq.add(iss, 1 + synDataLength()); // RFC 7413: data on the SYN follows it
        sndMax = sndNxt;
        setState(now, TcpState.SYN_SENT, "user OPEN (active)");
        if (cfg().timers().connectTimeoutNs() > 0) Rare.of(this).establishDeadline = now + cfg().timers().connectTimeoutNs();
        snd.sendSyn(now, false);
        startRttTiming(now, iss);
        armRto(now);
        deliverEvents();
    }

    /** Our listener closed while we were half-open: go away without a word (see TcpListener.close). */
    void forgetHalfOpen(long now) {
        enterClosed(now, "listener closed: half-open connection forgotten", null);
        deliverEvents();
    }

    /** RFC 9293 3.10.7.2 third step: a SYN arrived at our LISTEN parent. */
    void passiveOpen(long now, TcpRepr seg) { passiveOpen(now, seg, org.netstack4j.wire.IpMeta.NOT_ECT); }

    /** {@code ipEcn}: the SYN's IP-ECN field (Accurate ECN reflects it on the SYN,ACK, RFC 9768 3.1.1). */
    void passiveOpen(long now, TcpRepr seg, int ipEcn) {
        acceptSyn(seg, ipEcn);
        if (cfg().lab().twoWayHandshake()) {
            // LAB ONLY: a deliberately broken two-way handshake; the SYN alone establishes.
            snd.sendSyn(now, true);
            startRttTiming(now, iss);
            armRto(now);
            establish(now, "rcv SYN (two-way handshake, lab mode)");
        } else {
            setState(now, TcpState.SYN_RECEIVED, "rcv SYN");
            snd.sendSyn(now, true);
            startRttTiming(now, iss);
            armRto(now);
        }
        deliverEvents();
    }

    /**
     * Writes to this connection go out before the handshake completes: a Fast Open child in
     * SYN-RECEIVED (Linux tcp_passive_fastopen).
     */
    public boolean sendsBeforeEstablished() {
        return FastOpen.child(this) && !synAcked() && (state == TcpState.SYN_RECEIVED || state == TcpState.FIN_WAIT_1);
    }

    /**
     * Linux TCPI_OPT_SYN_DATA: data on the SYN was taken (server) or acknowledged by the SYN,ACK
     * (client).
     */
    public boolean synDataAcked() { return rare != null && rare.synData; }

    /** Bytes of the first data our SYN carries (RFC 7413 client; 0 without Fast Open or without a cookie). */
    public int synDataLength() { return rare == null ? 0 : rare.synDataLen; }

    /** The SYN's part of a passive open: the peer's sequence numbers, window and options. */
    private void acceptSyn(TcpRepr seg) { acceptSyn(seg, org.netstack4j.wire.IpMeta.NOT_ECT); }

    void acceptSyn(TcpRepr seg, int ipEcn) {
        layer.counters().passiveOpens.increment();
        // This TCB is forked from the listening one: its history starts in LISTEN (RFC 9293 3.3.2).
        state = TcpState.LISTEN;
        irs = seg.seq();
        rcvNxt = Seq.add(irs, 1);
        negotiate(seg, ipEcn);
        sndUna = iss;
        sndNxt = Seq.add(iss, 1);
        sndMax = sndNxt;
        sndWnd = seg.window(); // RFC 7323 2.2: the window of a SYN is never scaled
        maxSndWnd = sndWnd;
        sndWl1 = seg.seq();
        sndWl2 = seg.ack();
    }

    /**
     * SYN cookies (TcpListener, SynCookies): the ACK of a cookie SYN,ACK is valid and {@code syn}
     * is the SYN rebuilt from it. The connection becomes what it would have been had it sent
     * that SYN,ACK itself (SYN-RECEIVED, the window it advertised), for the ACK to complete.
     */
    void cookieOpen(long now, TcpRepr syn) {
        acceptSyn(syn);
        rcvAdvRight = Seq.add(rcvNxt, synWindow(true)); // the SYN,ACK's window
        setState(now, TcpState.SYN_RECEIVED, "rcv ACK of a SYN cookie");
        armRto(now);
    }

    /** {@link #send(long, byte[], int, int)} where {@code more} says more data follows (MSG_MORE). */
    public int send(long now, byte[] b, int off, int len, boolean more) {
        // MSG_MORE holds back only the sending this call does; output clocked by ACKs later
        // follows the socket's own setting again (Linux: tcp_push with the call's flags, then
        // tcp_data_snd_check with tp->nonagle). Held data with nothing in flight goes out with
        // the persist timer.
        snd.moreComing = more;
        try {
            return queueAndSend(now, b, null, off, len);
        } finally {
            snd.moreComing = false;
        }
    }

    /**
     * TCP_CORK: while on, only full-sized segments go out (and a FIN with the data before it);
     * a partial segment waits for uncorking, or for the persist timer when nothing is in flight
     * (Linux's 200 ms ceiling on corking, its probe timer). Turning it off sends what waits.
     */
    public void setCork(long now, boolean on) {
        snd.corked = on;
        if (!on) {
            if (state == TcpState.ESTABLISHED || state == TcpState.CLOSE_WAIT) snd.output(now);
            deliverEvents();
        }
    }

    /** Sends what cork or MSG_MORE hold back, once (Linux: setting TCP_NODELAY pushes pending data). */
    public void push(long now) {
        if (state != TcpState.ESTABLISHED && state != TcpState.CLOSE_WAIT) return;
        snd.pushOnce = true;
        try {
            snd.output(now);
        } finally {
            snd.pushOnce = false;
        }
        deliverEvents();
    }

    /**
     * RFC 9293 3.10.2 SEND: queue bytes; returns how many fit (0 when the buffer is full).
     * Throws "connection closing" after CLOSE, "connection does not exist" when CLOSED.
     */
    public int send(long now, byte[] b, int off, int len) {
        return queueAndSend(now, b, null, off, len);
    }

    /**
     * {@link #send(long, byte[], int, int)} from {@code src}'s position, which advances by the
     * count: e.g. a direct buffer a host socket filled goes into the send ring in one copy.
     */
    public int send(long now, java.nio.ByteBuffer src) { return queueAndSend(now, null, src, 0, src.remaining()); }

    private int queueAndSend(long now, byte[] b, java.nio.ByteBuffer bb, int off, int len) {
        if (finQueued) throw new TcpException(TcpError.CONNECTION_CLOSING);
        int n = switch (state) {
            case CLOSED -> throw new TcpException(error != null ? error : TcpError.CONNECTION_DOES_NOT_EXIST);
            case LISTEN -> throw new TcpException(TcpError.CONNECTION_DOES_NOT_EXIST, "send on a listening socket");
            case SYN_SENT, SYN_RECEIVED -> {
                int w = snd.queue(now, b, bb, off, len, false); // queued until ESTABLISHED
                Timestamping.queued(this, w);
                if (sendsBeforeEstablished()) snd.output(now);
                yield w;
            }
            case ESTABLISHED, CLOSE_WAIT -> {
                snd.restartAfterIdle(now);
                int w = snd.queue(now, b, bb, off, len, true);
                Timestamping.queued(this, w);
                snd.output(now);
                // the application wanted to queue more than the buffer took: it waits for space
                // (Linux SOCK_NOSPACE, tcp_sendmsg_locked's wait_for_space)
                if (w < len) snd.writerWaiting = true;
                yield w;
            }
            case FIN_WAIT_1, FIN_WAIT_2, CLOSING, LAST_ACK, TIME_WAIT -> throw new TcpException(TcpError.CONNECTION_CLOSING);
        };
        deliverEvents();
        return n;
    }

    /**
     * RFC 9293 3.10.3 RECEIVE: copies up to len bytes; 0 when nothing is ready yet, -1 at the
     * end of the stream (FIN received and all data read). Throws the error of a reset connection.
     */
    public int receive(long now, byte[] b, int off, int len) { return receive(now, b, null, off, len); }

    /**
     * {@link #receive(long, byte[], int, int)} into {@code dst} from its position, which it
     * advances: the ring is copied straight into, say, a direct buffer a host socket then writes
     * (the gateway's relay), with no heap array between. Same window updates and events.
     */
    public int receive(long now, java.nio.ByteBuffer dst) { return receive(now, null, dst, 0, dst.remaining()); }

    private int receive(long now, byte[] b, java.nio.ByteBuffer bb, int off, int len) {
        return rare != null && rare.urgData != 0 ? Urgent.receive(this, now, b, bb, off, len) : receiveStream(now, b, bb, off, len);
    }

    /** Reads into {@code b} at off, or (non-null) into {@code bb} at its position; len bytes at most ({@link TcpReceiver#read}). */
    int receiveStream(long now, byte[] b, java.nio.ByteBuffer bb, int off, int len) { return rcv.read(now, b, bb, off, len); }

    /**
     * A blocked read's buffer ({@link ReadTarget}): until {@link #withdrawReadBuffer}, in-order
     * data that arrives while nothing is queued is placed straight into {@code b} from
     * {@code off}, at most {@code len} bytes, instead of into the receive buffer.
     */
    public void offerReadBuffer(byte[] b, int off, int len) { Rare.of(this).readTarget = new ReadTarget(b, off, len); }

    /** Withdraws {@link #offerReadBuffer}'s buffer; returns how many bytes were placed in it (already read). */
    public int withdrawReadBuffer() { return ReadTarget.withdraw(this); }

    /** RFC 9293 3.10.4 CLOSE: a FIN follows the queued data; receiving continues (half-close). */
    public void close(long now) {
        switch (state) {
            case CLOSED, LISTEN -> { return; }
            case SYN_SENT -> enterClosed(now, "user CLOSE", null);
            case SYN_RECEIVED -> {
                queueFin(); // sent once ESTABLISHED (RFC 9293 3.10.4 SYN-RECEIVED)
                if (FastOpen.child(this)) {
                    // a Fast Open child sends its FIN at once (Linux tcp_close_state: SYN_RECV -> FIN_WAIT1)
                    setState(now, TcpState.FIN_WAIT_1, "user CLOSE (Fast Open child)");
                    snd.output(now);
                }
            }
            case ESTABLISHED -> {
                queueFin();
                setState(now, TcpState.FIN_WAIT_1, "user CLOSE");
                snd.output(now);
            }
            case CLOSE_WAIT -> {
                queueFin();
                setState(now, TcpState.LAST_ACK, "user CLOSE");
                snd.output(now);
            }
            case FIN_WAIT_1, FIN_WAIT_2, CLOSING, LAST_ACK, TIME_WAIT -> { return; } // "connection closing"
        }
        deliverEvents();
    }

    /** RFC 9293 3.10.5 ABORT: RST in synchronized states, then CLOSED. */
    public void abort(long now) {
        switch (state) {
            case CLOSED, LISTEN -> { return; }
            case SYN_SENT -> enterClosed(now, "user ABORT", null);
            case SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT -> {
                snd.sendAbortRst(now, true);
                enterClosed(now, "user ABORT", null);
            }
            case CLOSING, LAST_ACK, TIME_WAIT -> enterClosed(now, "user ABORT", null);
        }
        deliverEvents();
    }

    private void queueFin() {
        if (finQueued) return;
        finQueued = true;
        finSeq = Seq.add(sndBufSeq, sendBuf.size());
    }

    // ------------------------------------------------------------------ SEGMENT ARRIVES (RFC 9293 3.10.7)

    /** RFC 9293 3.10.7: a segment for this connection. */
    void segmentArrives(long now, TcpRepr seg, byte[] buf, int off, int len, int ecn) {
        if (rare != null) rare.windowProbesOut = 0; // the peer answered (Linux tcp_ack: icsk_probes_out = 0)
        if (keepaliveAt != NEVER) {
            if (rare != null) rare.keepalivesSent = 0;
            keepaliveAt = now + cfg().timers().keepaliveIdleNs();
            timersChanged();
        }
        switch (state) {
            case CLOSED, LISTEN -> layer.drop(now, DropReason.NO_LISTENER, "closed", "segment for a closed connection", this, seg, len);
            case SYN_SENT -> SegmentArrives.synSentArrives(this, now, seg, buf, off, len, ecn);
            case SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT, CLOSING, LAST_ACK, TIME_WAIT ->
                    SegmentArrives.otherStatesArrive(this, now, seg, buf, off, len, ecn);
        }
        if (state != TcpState.CLOSED) snd.output(now);
        deliverEvents();
    }

    void rememberOooFin(int s) {
        Rare r = Rare.of(this); // a FIN ahead of a hole is rare: an idle connection pays nothing for it
        r.oooFinValid = true;
        r.oooFinSeq = s;
    }

    // ------------------------------------------------------------------ timeouts (RFC 9293 3.10.8)

    long pollAt() {
        return Math.min(Math.min(Math.min(rtoAt, persistAt), Math.min(delackAt, timeWaitAt)),
                Math.min(Math.min(keepaliveAt, tlpAt), Math.min(erAt, Pacing.timerAt(this))));
    }

    // ------------------------------------------------------------------ lazily allocated state (DESIGN.md 10)

    /**
     * The loss recovery and its congestion controller, created on first use (once the options
     * are negotiated: SACK or not). Until data flows the controller's state is the initial
     * window for the current effective MSS, which is exactly what a controller created at OPEN
     * and told every MSS change would hold (every change of effMss is followed by setMss).
     */
    LossRecovery recovery() {
        if (recovery == null) recovery = newRecovery();
        return recovery;
    }

    private LossRecovery newRecovery() {
        RecoverySender s = snd;
        return sackOk
                ? new SackRecovery(s, newCc(), layer.counters().recovery, iss, cfg().recovery().earlyRetransmit(),
                        cfg().recovery().proportionalRateReduction(), cfg().recovery().dsackUndo(), cfg().recovery().tailLossProbe(),
                        cfg().recovery().rack())
                : new RenoRecovery(s, newCc(), layer.counters().recovery, iss);
    }

    private CongestionControl newCc() {
        return switch (cfg().recovery().congestionControl()) {
            case NEWRENO -> new NewReno(effMss, cfg().recovery().initialWindowSegments(), cfg().recovery().slowStartAbcLimit());
            case CUBIC -> new Cubic(effMss, cfg().recovery().initialWindowSegments(), cfg().recovery().slowStartAbcLimit());
        };
    }

    void rttSample(long ns) {
        rtt.sample(ns);
        if (recovery != null) recovery.cc().onRttSample(ns);
    }

    boolean inRecovery() { return recovery != null && recovery.inRecovery(); }

    /** The layer's configuration (shared, not copied per connection). */
    TcpConfig cfg() { return config; }

    /** This connection's configuration: the stack's, or its own (TcpLayer#connect with a config, or its listener's). */
    public TcpConfig config() { return config; }

    /** CLOSED: the buffers no longer count in the layer's memory (the application may still read what is left). */
    void unchargeBuffers() {
        sendBuf.uncharge();
        rcvBuf.uncharge();
    }

    /** Bytes of send and receive buffer arrays this connection holds now (tests, footprint tools). */
    int bufferBytes() { return sendBuf.allocated() + rcvBuf.allocated(); }

    /** Called after every change of a deadline: keeps the layer's timer queue exact. */
    void timersChanged() {
        long at = pollAt();
        if (at != layer.queuedDeadline(this)) layer.reschedule(this, at);
    }

    void poll(long now) {
        if (delackAt <= now) {
            delackAt = NEVER;
            timersChanged();
            timer(now, TcpTimer.DELAYED_ACK, TimerAction.FIRED, now);
            layer.counters().delayedAcks.increment();
            snd.sendAck(now);
        }
        if (state != TcpState.CLOSED && erAt <= now) {
            erAt = NEVER;
            timersChanged();
            recovery().earlyRetransmitTimeout(now);
        }
        if (state != TcpState.CLOSED && tlpAt <= now) {
            tlpAt = NEVER;
            timersChanged();
            timer(now, TcpTimer.TLP, TimerAction.FIRED, now);
            recovery().tailLossProbeTimeout(now);
        }
        if (state != TcpState.CLOSED && rtoAt <= now) retransmissionTimeout(now);
        if (state != TcpState.CLOSED && Pacing.timerAt(this) <= now) Pacing.timeout(this, now);
        if (state != TcpState.CLOSED && persistAt <= now) snd.persistTimeout(now);
        if (state != TcpState.CLOSED && keepaliveAt <= now) keepaliveTimeout(now);
        if (state != TcpState.CLOSED && timeWaitAt <= now) TimeWait.timeout(this, now);
        deliverEvents();
    }

    /** RFC 9293 3.10.8 RETRANSMISSION TIMEOUT with RFC 6298 5.4 - 5.7. */
    void retransmissionTimeout(long now) {
        cancelTlp();
        rtoAt = NEVER;
        timersChanged();
        timer(now, TcpTimer.RTO, TimerAction.FIRED, now);
        layer.counters().timeouts.increment();
        if (userTimeoutNs() > 0 && unackedSince != NEVER && now - unackedSince >= userTimeoutNs()) {
            userTimeout(now);
            return;
        }
        if (establishing() && now >= establishDeadline()) {
            layer.counters().connectTimeouts.increment();
            enterClosed(now, "connection establishment timed out", TcpError.TIMED_OUT);
            return;
        }
        int limit = switch (state) {
            case SYN_SENT -> cfg().timers().synRetries() + cfg().timers().synLinearTimeouts();
            case SYN_RECEIVED -> parent != null ? parent.synAckRetries() : cfg().timers().synAckRetries();
            case ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT, CLOSING, LAST_ACK, TIME_WAIT, CLOSED, LISTEN -> cfg().timers().dataRetries();
        };
        int defer = state == TcpState.SYN_RECEIVED && parent != null ? parent.deferAccept() : 0;
        if (retries >= limit && (!deferredAckSeen || retries >= defer)) {
            if (state == TcpState.SYN_RECEIVED && parent != null) {
                enterClosed(now, "SYN,ACK retries exhausted (half-open dropped)", null);
            } else {
                layer.counters().timedOut.increment();
                enterClosed(now, "retransmission limit", softError != null ? softError : TcpError.TIMED_OUT);
            }
            return;
        }
        retries++;
        // RFC 6298 5.5; Linux keeps an active open's first SYN timeouts linear (tcp_syn_linear_timeouts)
        if (state != TcpState.SYN_SENT || retries > cfg().timers().synLinearTimeouts()) rtt.backoff();
        rtt.timing = false; // Karn
        if (!synAcked()) {
            snd.synRetransmitted = true;
            int bare = cfg().quirks().bareSynAfterRetries();
            if (state == TcpState.SYN_SENT && bare > 0 && retries >= bare) snd.synOptionsDropped = true;
            // TCP_DEFER_ACCEPT: the peer has ACKed; repeat the SYN,ACK only at the end of the deferral
            if (!deferredAckSeen || retries >= defer) snd.retransmitFirst(now);
            armRto(now);
            return;
        }
        if (sndMax == sndUna) return; // nothing outstanding
        if (inRecovery()) layer.counters().timeoutsInRecovery.increment();
        if (retries >= 2) layer.counters().timeoutsRepeated.increment();
        recovery().retransmissionTimeout(now, retries); // ends a recovery; cwnd to one segment
        sndNxt = sndUna; // go back: resend from SND.UNA as the window allows
        int n = snd.retransmitFirst(now); // RFC 6298 5.4: retransmit the earliest unacknowledged segment
        sndNxt = Seq.add(sndUna, n);
        armRto(now); // RFC 6298 5.6
    }

    /**
     * After {@link #close}: the application's socket is gone and nobody will read again. New data
     * from the peer is then answered with a RST (RFC 1122 4.2.2.13), and FIN-WAIT-2 lasts at most
     * {@code timeoutNs} (0 = no limit), as Linux (tcp_fin_timeout, TCP_LINGER2) and FreeBSD
     * (finwait2_timeout) do: RFC 9293 has the peer's FIN as the only way out, and a peer that
     * never sends it would hold the connection for ever.
     */
    public void orphan(long now, long timeoutNs) {
        // counted until CLOSED or TIME-WAIT (as Linux, where a TIME-WAIT bucket is no orphan)
        if (!orphan && state != TcpState.CLOSED && state != TcpState.TIME_WAIT && !layer.orphanAllowed()) {
            // Hardening.maxOrphans: reset at once (Linux tcp_close, "too many orphaned sockets")
            abort(now);
            return;
        }
        orphan = true;
        finWait2TimeoutNs = Math.max(0, timeoutNs);
        if (state == TcpState.FIN_WAIT_2 && finWait2TimeoutNs > 0 && timeWaitAt == NEVER) armFinWait2Timeout(now);
    }

    void armFinWait2Timeout(long now) {
        timeWaitAt = now + finWait2TimeoutNs;
        timersChanged();
        timer(now, TcpTimer.FIN_WAIT_2, TimerAction.SET, timeWaitAt);
    }

    /** RFC 9293 3.10.8 USER TIMEOUT: flush queues, report the error, CLOSED. */
    void userTimeout(long now) {
        layer.counters().userTimeouts.increment();
        enterClosed(now, "user timeout", TcpError.TIMED_OUT);
    }

    private void keepaliveTimeout(long now) {
        keepaliveAt = NEVER;
        timersChanged();
        timer(now, TcpTimer.KEEPALIVE, TimerAction.FIRED, now);
        if (state != TcpState.ESTABLISHED && state != TcpState.CLOSE_WAIT) return;
        if (sndMax != sndUna) { // data outstanding: the RTO watches the peer
            keepaliveAt = now + cfg().timers().keepaliveIdleNs();
            timersChanged();
            return;
        }
        if ((rare != null ? rare.keepalivesSent : 0) >= cfg().timers().keepaliveProbes()) {
            enterClosed(now, "keepalive timeout", TcpError.TIMED_OUT);
            return;
        }
        Rare.of(this).keepalivesSent++;
        layer.counters().outKeepalives.increment();
        // RFC 9293 3.8.4: <SEQ=SND.NXT-1><ACK=RCV.NXT> (SND.NXT = SND.UNA here), no data, so the peer must answer with an ACK
        snd.emit(now, TcpRepr.ACK, Seq.add(sndUna, -1), 0);
        keepaliveAt = now + cfg().timers().keepaliveIntervalNs();
        timersChanged();
        timer(now, TcpTimer.KEEPALIVE, TimerAction.SET, keepaliveAt);
    }

    // ------------------------------------------------------------------ loss recovery timers

    void cancelTlp() {
        if (tlpAt == NEVER) return;
        tlpAt = NEVER;
        timersChanged();
    }

    /**
     * The burst of segments that queued this connection with {@link TcpLayer#ackAtBatchEnd} has
     * been processed: ACK what is still unacknowledged of at least two full-sized segments (an
     * ACK on data or a window update may have covered it meanwhile).
     */
    void batchEnded(long now) {
        rcv.batchAckQueued = false;
        if (state == TcpState.CLOSED || rcv.fullSegmentsUnacked < 2) return;
        snd.sendAck(now);
        deliverEvents();
    }

    /**
     * The window of our SYN ({@code synAck} false) or SYN,ACK: Linux quantizes it to the MSS less
     * the timestamp option when the SYN,ACK will carry one (tcp_openreq_init_rwin).
     */
    int synWindow(boolean synAck) {
        // Linux's accounting: the SYN offers tcp_full_space, half of sk_rcvbuf (SO_RCVBUF x 2, or tcp_rmem[1])
        int free = !RcvMem.on(this) ? rcvBuf.free() : cfg().buffers().receiveBufferSize() / (cfg().buffers().receiveTruesize() ? 1 : 2);
        return InitialWindow.synWindow(cfg(), free, synAck && tsOk ? advMss - TS_OPTION_SPACE : advMss);
    }

    /** Options of the peer's SYN or SYN,ACK decide what this connection uses (RFC 7323, 2018, 6691). */
    void negotiate(TcpRepr seg) { negotiate(seg, org.netstack4j.wire.IpMeta.NOT_ECT); }

    /** {@code ipEcn}: the SYN's or SYN,ACK's IP-ECN field (Accurate ECN reflects it). */
    void negotiate(TcpRepr seg, int ipEcn) {
        for (TcpOption o : seg.options()) {
            switch (o) {
                case TcpOption.Mss m -> peerMss = m.mss() > 0 ? m.mss() : 536;
                case TcpOption.WindowScale w -> {
                    peerOfferedWs = true;
                    peerWsShift = (byte) Math.min(w.shift(), 14); // RFC 7323 2.3: larger shifts are treated as 14
                }
                case TcpOption.SackPermitted s -> peerOfferedSack = true;
                case TcpOption.Timestamps t -> {
                    peerOfferedTs = true;
                    tsRecent = t.tsVal();
                }
                default -> { }
            }
        }
        // an option we stopped offering on our SYN is off, whatever the peer says (RFC 7323 2.2, 3.2)
        boolean wsOk = cfg().options().windowScale() && peerOfferedWs && !snd.synOptionsDropped && !noOptions;
        sndWscale = wsOk ? peerWsShift : 0;
        rcvWscale = (byte) (wsOk ? InitialWindow.shift(cfg()) : 0);
        tsOk = cfg().options().timestamps() && peerOfferedTs && !snd.synOptionsDropped && !noOptions && Md5.timestampsAllowed(this, state != TcpState.SYN_SENT);
        sackOk = cfg().options().sack() && peerOfferedSack && !snd.synOptionsDropped && !noOptions;
        Ecn.negotiate(this, seg, ipEcn);
        // RFC 6691 / RFC 9293 3.7.1: Eff.snd.MSS = min(SendMSS + 20, MMS_S) - TCPhdrsize - IPoptionsize;
        // the MSS option counts no TCP options, so the timestamps we carry come off it.
        int opts = (tsOk ? TS_OPTION_SPACE : 0) + Md5.optionSpace(this);
        // a tiny MSS from the peer is raised to 64; our own (a small MTU) is honoured
        effMss = Math.max(Math.min(64, Math.max(1, advMss - opts)), Math.min(peerMss, advMss) - opts);
        int pathMss = Rare.pathMss(this);
        if (pathMss > 0) effMss = Math.max(64, Math.min(effMss, pathMss - opts)); // RFC 1191 3, RFC 8201 4
        if ((ecnFlags & Ecn.ACCURATE) != 0) AccEcn.reapplyMss(this);
        rcv.rcvMss = Math.min(rcv.rcvMss, effMss);
        if (recovery != null) recovery.setMss(effMss); // else recovery() starts from the current effMss
        lastAckSent = rcvNxt;
    }

    boolean canReceiveData() {
        return switch (state) {
            case ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2 -> !finReceived;
            case CLOSED, LISTEN, SYN_SENT, SYN_RECEIVED, CLOSE_WAIT, CLOSING, LAST_ACK, TIME_WAIT -> false;
        };
    }

    // ------------------------------------------------------------------ state, timers, events

    // Seq.gt(sndUna, iss) alone turns false again once 2^31 bytes have been acknowledged (the
    // comparison is modulo 2^32), which stopped every transfer after 2 GiB; bytesAcked > 0 can
    // only hold after the SYN was acknowledged.
    boolean synAcked() { return bytesAcked > 0 || Seq.gt(sndUna, iss); }

    boolean finAcked() { return finQueued && Seq.gt(sndUna, finSeq); }

    void establish(long now, String cause) {
        setState(now, TcpState.ESTABLISHED, cause);
        establishedAt = now;
        if (snd.synRetransmitted) rtt.reinitializeAfterSynTimeout(Math.max(3_000_000_000L, cfg().timers().initialRtoNs())); // RFC 6298 5.7
        layer.counters().established.increment();
        nEstablished = true;
        if (sndUna == sndMax) cancelRto(now);
        if (cfg().timers().keepalive()) {
            keepaliveAt = now + cfg().timers().keepaliveIdleNs();
            timersChanged();
            timer(now, TcpTimer.KEEPALIVE, TimerAction.SET, keepaliveAt);
        }
        if (parent != null) nAcceptable = true;
        if (finQueued) setState(now, TcpState.FIN_WAIT_1, "queued CLOSE");
    }

    void enterClosed(long now, String cause, TcpError err) {
        if (state == TcpState.CLOSED) return;
        boolean countedOrphan = orphan && state != TcpState.TIME_WAIT;
        setState(now, TcpState.CLOSED, cause);
        if (err != null) error = err;
        cancelRto(now);
        if (persistAt != NEVER) timer(now, TcpTimer.PERSIST, TimerAction.CANCEL, NEVER);
        if (delackAt != NEVER) timer(now, TcpTimer.DELAYED_ACK, TimerAction.CANCEL, NEVER);
        if (timeWaitAt != NEVER && timeWaitAt > now) timer(now, TcpTimer.TWO_MSL, TimerAction.CANCEL, NEVER);
        persistAt = delackAt = timeWaitAt = keepaliveAt = NEVER;
        Pacing.cancel(this);
        timersChanged();
        if (err != null) {
            sendBuf.uncharge();
            sendBuf = layer.sendRings().empty(config.buffers().sendBufferSize()); // RFC 9293: "flush all queues"
            ooo.clear();
        }
        layer.forget(this);
        if (countedOrphan) layer.orphanClosed();
        if (parent != null) parent.forget(this);
        if (rare != null && rare.intercept != null) rare.intercept.closed(this);
        nClosed = true;
    }

    void setState(long now, TcpState to, String cause) {
        TcpState from = state;
        state = to;
        layer.stateChanged(from, to);
        if (layer.tracer().enabled())
            layer.tracer().event(new TraceEvent.StateChange<>(now, fourTuple(), from, to, cause));
    }

    void armRto(long now) {
        if (rtoAt != NEVER) return;
        rtoAt = now + rtt.rto();
        long ut = userTimeoutNs();
        // the USER TIMEOUT ends the connection when it expires, not at the next retransmission after it
        if (ut > 0) rtoAt = Math.max(now + 1, Math.min(rtoAt, (unackedSince != NEVER ? unackedSince : now) + ut));
        if (establishing() && establishDeadline() != NEVER) rtoAt = Math.max(now + 1, Math.min(rtoAt, establishDeadline()));
        timersChanged();
        timer(now, TcpTimer.RTO, TimerAction.SET, rtoAt);
    }

    void cancelRto(long now) {
        cancelTlp();
        if (erAt != NEVER) {
            erAt = NEVER;
            timersChanged();
        }
        if (rtoAt == NEVER) return;
        rtoAt = NEVER;
        timersChanged();
        timer(now, TcpTimer.RTO, TimerAction.CANCEL, NEVER);
    }

    /**
     * {@link #send(long, byte[], int, int)} with MSG_OOB (Linux): the last byte queued is urgent;
     * segments carry URG and a pointer to the byte after it until it is acknowledged, and the
     * data is sent whatever Nagle or cork say ({@link Urgent}). The receiver gets the byte in
     * band or out of band as its socket chooses (RFC 6093).
     */
    public int sendUrgent(long now, byte[] b, int off, int len) { return Urgent.send(this, now, b, off, len); }

    /** {@link #receiveUrgent}'s errors: EINVAL (none, read already, or SO_OOBINLINE), EAGAIN (not arrived: it never blocks), 0 (end of stream), ENOTCONN. */
    public static final int URGENT_INVALID = -1, URGENT_NOT_YET = -2, URGENT_EOF = -3, URGENT_NOT_CONNECTED = -4;

    /** recv(MSG_OOB) (Linux): the urgent byte (0-255), taken out of the stream unless {@link #setOobInline}; peek leaves it. */
    public int receiveUrgent(boolean peek) { return Urgent.receiveUrgent(this, peek); }

    /** SIOCATMARK: the next byte read is the urgent mark (reads stop there). */
    public boolean atMark() { return Urgent.atMark(this); }

    /** SO_OOBINLINE: urgent bytes stay in the stream (off by default: read with {@link #receiveUrgent}). */
    public void setOobInline(boolean on) { Urgent.oobInline(this, on); }

    /** SO_MAX_PACING_RATE (bytes per second; ~0 = none): caps the pacing rate and turns pacing on ({@link Pacing}). */
    public void setMaxPacingRate(long bytesPerSecond) { Pacing.setMaxRate(this, bytesPerSecond); }

    public boolean oobInline() { return Urgent.oobInline(this); }

    /**
     * IP_TOS (IPv4) / IPV6_TCLASS: the DSCP bits (RFC 2474) every later segment of this
     * connection carries. The two ECN bits stay TCP's own (RFC 3168 6.1.1; Linux masks them out
     * of IP_TOS on a stream socket the same way), so they are ignored here.
     */
    public void setTrafficClass(int tos) {
        if (tos < 0 || tos > 255) throw new IllegalArgumentException("traffic class must be 0..255: " + tos);
        if ((tos & ~IpMeta.CE) != 0 || rare != null) Rare.of(this).tos = tos & ~IpMeta.CE;
    }

    /** The DSCP bits set by {@link #setTrafficClass} (the ECN bits read 0). */
    public int trafficClass() { return Rare.tos(this); }

    /**
     * When this running connection sends the AccECN option (RFC 9768 3.2.3), overriding its
     * config's {@link TcpConfig.Options#accEcnOption}: 0 never, 1 when needed, 2 on every segment
     * where it fits, 3 the same and kept when it seems lost. As a change of Linux's
     * {@code tcp_ecn_option} sysctl reaches established sockets; the MSS follows (the option's
     * 12 bytes). No effect on a connection that did not negotiate AccECN.
     */
    public void setAccEcnOption(int mode) {
        if (mode < 0 || mode > 3) throw new IllegalArgumentException("AccECN option mode must be 0 to 3: " + mode);
        if (AccEcn.on(this)) AccEcn.setOptionMode(this, mode);
    }

    /**
     * IP_MTU_DISCOVER / IPV6_MTU_DISCOVER on this connection ({@link PmtuDiscovery}): whether its
     * IPv4 segments carry DF and whether an ICMP path MTU lowers its MSS, from the next segment on.
     */
    public void setPmtuDiscovery(PmtuDiscovery mode) {
        java.util.Objects.requireNonNull(mode, "mode");
        if (mode != cfg().quirks().pmtuDiscovery() || rare != null) Rare.of(this).pmtu = mode;
    }

    /** The connection's path MTU discovery mode: set by {@link #setPmtuDiscovery}, else its configuration's. */
    public PmtuDiscovery pmtuDiscovery() { return Rare.pmtu(this); }

    /** The record ends of MSG_EOR sends, or null when there were none. */
    Records records() { return rare == null ? null : rare.records; }

    /** SO_TIMESTAMPING: Linux's SOF_TIMESTAMPING_* bits ({@link Timestamping}); 0 turns it off. */
    public void setTimestamping(int flags) { Timestamping.set(this, flags); }

    /** The SO_TIMESTAMPING flags in force (0: off). */
    public int timestampingFlags() { Timestamping t = Timestamping.of(this); return t == null ? 0 : t.flags(); }

    /** The oldest transmit timestamp not yet taken (Linux: recvmsg with MSG_ERRQUEUE), or null. */
    public Timestamping.Event pollTimestamp() { return Timestamping.poll(this); }

    /** When the last byte of the last {@link #receive} arrived (RX_SOFTWARE), else {@code Long.MIN_VALUE}. */
    public long lastReadTimestamp() { return Timestamping.lastRead(this); }

    /**
     * {@link #send(long, byte[], int, int, boolean)} with MSG_EOR: when all {@code len} bytes are
     * queued, they end a record, and no segment will carry them together with later data
     * (Linux's eor mark, tcp_skb_can_collapse). A partial send marks nothing, as Linux.
     */
    public int sendRecord(long now, byte[] b, int off, int len, boolean more) {
        int n = send(now, b, off, len, more);
        if (n == len && len > 0) endRecord();
        return n;
    }

    /**
     * Ends a record after the bytes queued so far (MSG_EOR on the send that queued the last of
     * them, for a caller that queues one message in several sends); nothing when none are queued.
     */
    public void endRecord() { Records.end(this); }

    /** Accurate ECN feedback as Linux's tcp_info reports it: zeros when the connection does not use AccECN. */
    public AccEcnInfo accEcnInfo() {
        AccEcn a = (ecnFlags & Ecn.ACCURATE) != 0 ? AccEcn.orNull(this) : null;
        if (a == null) return new AccEcnInfo(false, 0, 0, 0, 0, 0);
        return new AccEcnInfo(true, a.deliveredCe, a.deliveredCeBytes, a.deliveredE0Bytes, a.deliveredE1Bytes, a.rCep - AccEcn.CEP_INIT);
    }

    private long establishDeadline() { return rare != null ? rare.establishDeadline : NEVER; }

    void startRttTiming(long now, int seq) {
        rtt.timing = true;
        rtt.timedSeq = seq;
        rtt.timedAt = now;
    }

    void timer(long now, TcpTimer name, TimerAction action, long deadline) {
        if (layer.tracer().enabled()) layer.tracer().event(new TraceEvent.Timer<>(now, fourTuple(), name, action, deadline));
    }

    /** Traces a retransmission of [seq, seq+length); the caller has counted it in tcp.retransmits. */
    void retransmitted(long now, int seq, int length) {
        if (layer.tracer().enabled())
            layer.tracer().event(new TraceEvent.Retransmit(now, fourTuple(), Integer.toUnsignedLong(seq), length));
    }

    int tsNow(long now) { return (int) (now / 1_000_000L) + tsOffset; }

    static TcpOption.Timestamps timestampsOf(TcpRepr seg) {
        for (TcpOption o : seg.options()) if (o instanceof TcpOption.Timestamps t) return t;
        return null;
    }

    void deliverEvents() {
        if (delivering) return;
        delivering = true;
        try {
            while (nAcceptable || nEstablished || nReadable || nWritable || nRemoteClosed || nClosed) {
                TcpEventListener l = listener;
                if (nAcceptable) { nAcceptable = false; parent.established(this); continue; }
                if (nEstablished) { nEstablished = false; l.onEstablished(this); continue; }
                if (nReadable) { nReadable = false; if (rcvBuf.size() > 0 || finReceived || ReadTarget.holds(this)) l.onReadable(this); continue; }
                if (nRemoteClosed) { nRemoteClosed = false; l.onRemoteClosed(this); continue; }
                if (nWritable) { nWritable = false; if (writable() > 0) l.onWritable(this); continue; }
                nClosed = false;
                l.onClosed(this, error);
            }
        } finally {
            delivering = false;
        }
    }
}
