package org.netstack4j.packetdrill;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.netstack4j.path.PmtuDiscovery;
import org.netstack4j.tcp.AccEcnInfo;
import org.netstack4j.tcp.ConnectOptions;
import org.netstack4j.tcp.FastOpen;
import org.netstack4j.tcp.PathInfo;
import org.netstack4j.tcp.TcpConfig;
import org.netstack4j.tcp.TcpConnection;
import org.netstack4j.tcp.TcpError;
import org.netstack4j.tcp.TcpException;
import org.netstack4j.tcp.TcpLayer;
import org.netstack4j.tcp.TcpOutput;
import org.netstack4j.tcp.TcpListener;
import org.netstack4j.tcp.TcpState;
import org.netstack4j.tcp.TcpStatus;
import org.netstack4j.time.Time;
import org.netstack4j.trace.Counters;
import org.netstack4j.trace.Tracer;
import org.netstack4j.wire.Icmpv6Repr;
import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.IpMeta;
import org.netstack4j.wire.TcpEncoder;
import org.netstack4j.wire.TcpRepr;

/**
 * {@link TcpStack} over the real engine, {@link TcpLayer}. The profile becomes TcpConfig data
 * here (NOTES.md 3.3); socket-layer behaviour the engine does not model (FreeBSD rounding the
 * receive buffer up to a multiple of the MSS, errno names) is emulated in this file only.
 */
final class EngineStack implements TcpStack {
    static final TcpStack.Factory FACTORY = EngineStack::new;

    private final TcpLayer layer;
    private final Counters counters = new Counters();
    private final TcpConfig config;
    private final StackSettings settings;
    private final int announcedRcvBuf;
    private final Map<TcpConnection, EngineConn> wrappers = new IdentityHashMap<>();

    EngineStack(StackSettings s, Output out, long seed) {
        this.settings = s;
        this.announcedRcvBuf = s.requestedRcvBuf != null ? s.requestedRcvBuf : s.profile == Profile.FREEBSD ? 65536 : 131072;
        this.config = configFor(s);
        this.liveAccEcnOption = config.options().accEcnOption();
        this.current = config;
        this.builtOutside = s.outsideConfig();
        this.layer = new TcpLayer(config, new TcpOutput() {
            @Override public void send(long now, IpAddress src, IpAddress dst, TcpRepr tcp, byte[] payload, int off, int len) {
                send(now, src, dst, tcp, payload, off, len, IpMeta.NOT_ECT);
            }

            @Override public void send(long now, IpAddress src, IpAddress dst, TcpRepr tcp, byte[] payload, int off, int len, int ecn) {
                byte[] p = new byte[len];
                if (len > 0) System.arraycopy(payload, off, p, 0, len);
                out.send(now, src, dst, tcp, p, ecn & 0xff); // the TOS byte; DF (TcpOutput.DONT_FRAGMENT) is not compared
            }

            @Override public void send(long now, IpAddress src, IpAddress dst, TcpEncoder tcp, byte[] payload, int off, int len, int ecn) {
                send(now, src, dst, tcp.toRepr(), payload, off, len, ecn);
            }
        }, paths(s), Tracer.NONE, counters, seed);
        if (s.fastOpenMode != null) layer.fastOpen().setMode(s.fastOpenMode);
        if (s.fastOpenKey != null) layer.fastOpen().setKeys(FastOpen.Keys.parse(s.fastOpenKey));
    }

    @Override public Map<String, Long> counters() { return counters.snapshot(); }

    /**
     * tcp_ecn_option is read per segment (tcp_established_options, tcp_current_mss): existing
     * connections follow it. Changes to the TCP options a connection negotiates (tcp_timestamps,
     * tcp_sack, tcp_ecn...) are read when a socket connects or listens: later ones get them. The
     * rest (buffers, timers, Fast Open keys) was built into the layer and stays stale.
     */
    @Override public boolean sysctlChanged(StackSettings s) {
        TcpConfig fresh = configFor(s);
        int mode = fresh.options().accEcnOption();
        if (mode != liveAccEcnOption) {
            liveAccEcnOption = mode;
            for (TcpConnection c : layer.connections()) c.setAccEcnOption(mode);
        }
        // a listener keeps the config it was built with, where Linux reads the sysctls per SYN
        boolean optionsOnly = openListeners == 0 && s.outsideConfig().equals(builtOutside)
            && fresh.withOptions(o -> config.options()).equals(config);
        if (optionsOnly) current = fresh;
        return optionsOnly;
    }

    private int liveAccEcnOption;
    /** The config later connections and listeners get: {@link #config} with later option sysctls. */
    private TcpConfig current;
    private final String builtOutside;
    private int openListeners;

    /**
     * The script's network as TCP sees it: one route (the tun device's, or "ip route ... mtu")
     * whose MTU is the one set when the stack was built. The engine derives the MSS it announces
     * from it; TCP_MAXSEG and "advmss" cap it (TcpConfig.mss).
     */
    static PathInfo paths(StackSettings s) {
        int mtu = s.mtu;
        return (local, remote) -> PathInfo.mssForMtu(remote.family(), mtu);
    }

    /** The MSS a connection announces unless a socket sets its own: the route's, or TCP_MAXSEG / advmss. */
    private static int configuredMss(StackSettings s) {
        return s.maxSeg != null ? s.maxSeg : PathInfo.mssForMtu(s.family, s.mtu);
    }

    /** The Linux profile's net.ipv4.tcp_rmem[2] (3 MB: window scale 6) and net.core.rmem_max (Linux's default). */
    static final int LINUX_RMEM_MAX = 3 << 20, LINUX_CORE_RMEM_MAX = 212992;

    /** The profile as TcpConfig data, then the script's sysctls and early socket options on top. */
    static TcpConfig configFor(StackSettings s) {
        // the socket-layer emulation below needs the MSS before any connection exists
        int mss = configuredMss(s);
        TcpConfig profile = switch (s.profile) {
            case FREEBSD -> TcpConfig.freebsdLike()
                    .withBuffers(b -> b.withReceiveBufferSize(65536).withSendBufferSize(32768))
                    .withOptions(o -> o.withWindowScaleShift(6)) // kern.ipc.maxsockbuf 2 MB
                    .withAcks(a -> a.withDelayedAckNs(Time.ms(40)))
                    // TCP_MAXRXTSHIFT retransmissions, at most TCPTV_REXMTMAX apart, and an active
                    // open bounded by net.inet.tcp.keepinit (75 s).
                    // FreeBSD: RTO = srtt + 4 rttvar + rexmit_slop (200 ms), at least rexmit_min
                    // (30 ms). The engine has no additive slop; with the near-zero RTTs of virtual
                    // time a 230 ms floor is the same thing.
                    .withTimers(t -> t.withSynRetries(12).withMaxRtoNs(Time.s(64)).withConnectTimeoutNs(Time.s(75))
                            .withMinRtoNs(Time.ms(230)));
            case LINUX, AUTO -> TcpConfig.linuxLike()
                    // every socket's receive memory by truesize, as Linux (tcp_rmem[1] until SO_RCVBUF locks it)
                    .withBuffers(b -> b.withReceiveBufferSize(131072).withSendBufferSize(131072).withTruesizeUnlocked(true))
                    // nplab/linux: wscale 6, a kernel whose tcp_rmem[2] (sized from its memory) was under 4 MB
                    .withBuffers(b -> b.withMaxReceiveBufferSize(LINUX_RMEM_MAX))
                    .withAcks(a -> a.withDelayedAckNs(Time.ms(40)))
                    .withTimers(t -> t.withMinRtoNs(Time.ms(200)))
                    .withQuirks(q -> q.withRstInTimeWait(true));
        };
        // mss 0: the route's MSS (paths), not capped
        TcpConfig c = s.applyTo(profile.withOptions(o -> o.withMss(s.maxSeg != null ? s.maxSeg : 0)));
        if (s.profile == Profile.FREEBSD) {
            // FreeBSD grows the receive buffer to a multiple of the MSS once the MSS is known
            // (tcp_mss_update): 65536 -> 65700 for MSS 1460, hence "win 1026" with wscale 6.
            c = c.withBuffers(b -> b.withReceiveBufferSize(roundUp(b.receiveBufferSize(), mss)));
        }
        if (s.profile != Profile.FREEBSD && !s.rcvBufLocked && (s.rmemMax != null || s.coreRmemMax != null)) {
            // tcp_select_initial_window: the scale covers max(tcp_rmem[2], rmem_max)
            int max = Math.max(s.rmemMax != null ? s.rmemMax : LINUX_RMEM_MAX, s.coreRmemMax != null ? s.coreRmemMax : LINUX_CORE_RMEM_MAX);
            c = c.withBuffers(b -> b.withMaxReceiveBufferSize(max));
        }
        if (s.twReuse != null && s.twReuse == 1) {
            long delayNs = (s.twReuseDelayMs != null ? s.twReuseDelayMs : 1000L) * 1_000_000L;
            c = c.withTimers(t -> t.withTimeWaitReuseDelayNs(delayNs));
        }
        return c;
    }

    private static int roundUp(int v, int m) { return (v + m - 1) / m * m; }

    @Override public long pollAt() { return layer.pollAt(); }

    @Override public void poll(long now) { layer.poll(now); }

    @Override public void setStackMd5Key(org.netstack4j.tcp.TcpMd5Key key) { layer.setMd5Key(key); }

    @Override public void segmentArrives(long now, IpAddress src, IpAddress dst, TcpRepr seg, byte[] payload) {
        layer.segmentArrives(now, src, dst, seg, payload, 0, payload.length);
    }

    @Override public void segmentArrives(long now, IpAddress src, IpAddress dst, TcpRepr seg, byte[] payload, int ecn) {
        layer.segmentArrives(now, new IpMeta(src, dst, ecn, IpMeta.DEFAULT_TTL, IpMeta.LOCAL), seg, payload, 0, payload.length);
    }

    @Override public void icmpUnreachable(long now, IpAddress src, IpAddress dst, int code, int nextHopMtu,
                                          int srcPort, int dstPort, int seq) {
        layer.icmpDestinationUnreachable(now, src, dst, code, nextHopMtu, srcPort, dstPort, seq);
    }

    @Override public void icmpv6Error(long now, Icmpv6Repr error, IpAddress src, IpAddress dst, int srcPort, int dstPort, int seq) {
        layer.icmpv6Error(now, error, src, dst, srcPort, dstPort, seq);
    }

    @Override public void icmpTimeExceeded(long now, IpAddress src, IpAddress dst, int srcPort, int dstPort, int seq) {
        layer.icmpTimeExceeded(now, src, dst, srcPort, dstPort, seq);
    }

    @Override public Conn connect(long now, IpAddress local, int localPort, IpAddress remote, int remotePort,
                                  SocketOptions opts) throws Failure {
        checkOptions(opts);
        try {
            if (opts.noOptions && (!opts.md5Keys.isEmpty() || opts.trafficClass != 0))
                throw new Unsupported(0, "TCP_NOOPT with TCP_MD5SIG or IP_TOS");
            if (opts.noOptions && current != config) throw new Unsupported(0, "TCP_NOOPT after a sysctl changed TCP options");
            TcpConnection c = layer.connect(now, remote, remotePort, null, connectOptions(local, localPort, opts));
            if (opts.noDelay) c.setNoDelay(true);
            return wrap(c);
        } catch (TcpException e) {
            throw new Failure(errnoOf(e.error()), e.getMessage());
        }
    }

    @Override public Conn connectFastOpen(long now, IpAddress local, int localPort, IpAddress remote, int remotePort,
                                          SocketOptions opts, int len) throws Failure {
        checkOptions(opts);
        try {
            TcpConnection c = layer.connect(now, remote, remotePort, null,
                    connectOptions(local, localPort, opts).withFastOpen(new byte[len], opts.fastOpenNoCookie));
            if (opts.noDelay) c.setNoDelay(true);
            return wrap(c);
        } catch (TcpException e) {
            throw new Failure(errnoOf(e.error()), e.getMessage());
        } catch (IllegalStateException e) {
            throw new Failure("EOPNOTSUPP", e.getMessage());
        }
    }

    /** What the socket set before connect, for the layer (the SYN carries all of it). */
    private ConnectOptions connectOptions(IpAddress local, int localPort, SocketOptions opts) {
        return ConnectOptions.from(local).withLocalPort(localPort).withNoOptions(opts.noOptions).withMd5Keys(opts.md5Keys)
                .withTrafficClass(opts.trafficClass).withPmtuDiscovery(opts.pmtuDiscovery)
                .withConfig(current == config ? null : current); // a late sysctl (noteLateSysctl): the current options
    }

    @Override public PmtuDiscovery defaultPmtuDiscovery() { return layer.config().quirks().pmtuDiscovery(); }

    @Override public boolean fastOpenCarriesData(IpAddress remote, SocketOptions opts) {
        return opts.fastOpenNoCookie || (layer.fastOpen().mode() & FastOpen.CLIENT_NO_COOKIE) != 0 || layer.fastOpen().hasCookie(remote);
    }

    @Override public Listen listen(long now, IpAddress local, int port, int backlog, SocketOptions opts) throws Failure {
        checkOptions(opts);
        TcpListener l;
        try {
            l = layer.listen(now, local, port, backlog, null, current);
        } catch (TcpException e) {
            throw new Failure(errnoOf(e.error()), e.getMessage());
        }
        l.setNoOptions(opts.noOptions);
        l.setDeferAccept(opts.deferAcceptTimeouts);
        l.setFastOpen(opts.fastOpenQlen);
        l.setFastOpenNoCookie(opts.fastOpenNoCookie);
        if (opts.fastOpenKey != null) l.setFastOpenKeys(FastOpen.Keys.ofBytes(opts.fastOpenKey));
        for (org.netstack4j.tcp.TcpMd5Key k : opts.md5Keys) l.setMd5Key(k);
        l.setTrafficClass(opts.trafficClass);
        openListeners++;
        boolean noDelay = opts.noDelay;
        return new Listen() {
            @Override public Conn accept() {
                TcpConnection c = l.accept();
                if (c == null) return null;
                if (noDelay) c.setNoDelay(true);
                return wrap(c);
            }
            @Override public int pending() { return l.pending(); }
            private boolean closed;
            @Override public void close(long now) {
                l.close(now);
                if (!closed) openListeners--;
                closed = true;
            }
            @Override public int receiveBufferSize() { return announcedRcvBuf; }
            @Override public void setDeferAccept(int synAckTimeouts) { l.setDeferAccept(synAckTimeouts); }
            @Override public void setFastOpen(int qlen) { l.setFastOpen(qlen); }
            @Override public void setFastOpenKey(byte[] key) { l.setFastOpenKeys(FastOpen.Keys.ofBytes(key)); }
            @Override public void setFastOpenNoCookie(boolean on) { l.setFastOpenNoCookie(on); }
            @Override public void setMd5Key(org.netstack4j.tcp.TcpMd5Key key) { l.setMd5Key(key); }
            @Override public void setTrafficClass(int tos) { l.setTrafficClass(tos); }
        };
    }

    /** The engine's buffers and MSS are per layer: a per-socket value must agree with them. */
    private void checkOptions(SocketOptions o) {
        if (o.rcvBuf != null && o.rcvBuf != announcedRcvBuf) throw new Unsupported(0, "per-socket SO_RCVBUF");
        if (o.sndBuf != null && o.sndBuf != config.buffers().sendBufferSize()) throw new Unsupported(0, "per-socket SO_SNDBUF");
        if (o.maxSeg != null && o.maxSeg != configuredMss(settings)) throw new Unsupported(0, "per-socket TCP_MAXSEG");
        if ((o.keepAlive && !config.timers().keepalive()) || o.keepIdleS != null || o.keepIntvlS != null || o.keepCnt != null)
            throw new Unsupported(0, "per-socket keepalive options");
    }

    @Override public List<Conn> connections() {
        List<Conn> out = new ArrayList<>();
        for (TcpConnection c : layer.connections()) out.add(wrap(c));
        return out;
    }

    @Override public int defaultReceiveBuffer() { return announcedRcvBuf; }

    @Override public int defaultSendBuffer() { return config.buffers().sendBufferSize(); }

    @Override public void drop(long now, Conn c) { ((EngineConn) c).c.abort(now); }

    private EngineConn wrap(TcpConnection c) { return wrappers.computeIfAbsent(c, EngineConn::new); }

    static String errnoOf(TcpError e) {
        if (e == null) return null;
        return switch (e) {
            case CONNECTION_REFUSED -> "ECONNREFUSED";
            case CONNECTION_RESET -> "ECONNRESET";
            case TIMED_OUT -> "ETIMEDOUT";
            case CONNECTION_ABORTED -> "ECONNABORTED";
            case HOST_UNREACHABLE -> "EHOSTUNREACH";
            case NETWORK_UNREACHABLE -> "ENETUNREACH";
            case CONNECTION_DOES_NOT_EXIST -> "ENOTCONN";
            case CONNECTION_CLOSING -> "EPIPE";
            case CONNECTION_ALREADY_EXISTS -> "EADDRINUSE";
            case INSUFFICIENT_RESOURCES -> "ENOBUFS";
        };
    }

    private final class EngineConn implements Conn {
        final TcpConnection c;

        EngineConn(TcpConnection c) { this.c = c; }

        @Override public String state() { return c.state().rfcName(); }
        @Override public int localPort() { return c.localPort(); }
        @Override public int remotePort() { return c.remotePort(); }

        @Override public int send(long now, byte[] b, int off, int len) throws Failure {
            return send(now, b, off, len, false);
        }

        @Override public void setCork(long now, boolean on) { c.setCork(now, on); }
        @Override public void push(long now) { c.push(now); }

        @Override public void endRecord() { c.endRecord(); }

        @Override public void setTimestamping(int flags) { c.setTimestamping(flags); }
        @Override public int timestampingFlags() { return c.timestampingFlags(); }
        @Override public org.netstack4j.tcp.Timestamping.Event pollTimestamp() { return c.pollTimestamp(); }

        @Override public int sendUrgent(long now, byte[] b, int off, int len) throws Failure {
            try {
                return c.sendUrgent(now, b, off, len);
            } catch (TcpException e) {
                throw new Failure(errnoOf(e.error()), e.getMessage());
            }
        }

        @Override public int receiveUrgent(boolean peek) { return c.receiveUrgent(peek); }
        @Override public boolean atMark() { return c.atMark(); }
        @Override public void setOobInline(boolean on) { c.setOobInline(on); }
        @Override public void setMaxPacingRate(long bytesPerSecond) { c.setMaxPacingRate(bytesPerSecond); }
        @Override public void setTrafficClass(int tos) { c.setTrafficClass(tos); }
        @Override public void setPmtuDiscovery(PmtuDiscovery mode) { c.setPmtuDiscovery(mode); }

        @Override public int send(long now, byte[] b, int off, int len, boolean more) throws Failure {
            try {
                return c.send(now, b, off, len, more);
            } catch (TcpException e) {
                throw new Failure(errnoOf(e.error()), e.getMessage());
            }
        }

        @Override public int receive(long now, byte[] b, int off, int len) {
            try {
                return c.receive(now, b, off, len);
            } catch (TcpException e) {
                return -1; // the error itself is reported through errno()
            }
        }

        @Override public int readable() { return c.readable(); }
        @Override public int writable() { return c.writable(); }

        @Override public boolean remoteClosed() {
            return switch (c.state()) {
                case CLOSE_WAIT, LAST_ACK, CLOSING, TIME_WAIT -> true;
                case CLOSED, LISTEN, SYN_SENT, SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2 -> false;
            };
        }

        @Override public void close(long now) { c.close(now); }
        @Override public void abort(long now) { c.abort(now); }
        @Override public String errno() { return errnoOf(c.error()); }

        @Override public Map<String, Long> tcpInfo(long now) {
            Map<String, Long> m = tcpInfo();
            TcpStatus s = c.status();
            // Linux: the last data received, or the handshake's end before any (icsk_ack.lrcvtime)
            long recv = s.lastDataReceivedAtNs() != Time.NEVER ? s.lastDataReceivedAtNs() : s.establishedAtNs();
            if (recv != Time.NEVER) m.put("tcpi_last_data_recv", (now - recv) / 1_000_000L);
            if (s.lastDataSentAtNs() != Time.NEVER) m.put("tcpi_last_data_sent", (now - s.lastDataSentAtNs()) / 1_000_000L);
            long ack = s.lastAckReceivedAtNs() != Time.NEVER ? s.lastAckReceivedAtNs() : s.establishedAtNs();
            if (ack != Time.NEVER) m.put("tcpi_last_ack_recv", (now - ack) / 1_000_000L);
            // Linux's chronograph, in microseconds
            m.put("tcpi_busy_time", c.busyTimeNs(now) / 1000);
            m.put("tcpi_rwnd_limited", c.rwndLimitedNs(now) / 1000);
            m.put("tcpi_sndbuf_limited", c.sndbufLimitedNs(now) / 1000);
            m.put("tcpi_probes", (long) c.probesOut());
            return m;
        }

        @Override public Map<String, Long> tcpInfo() {
            TcpStatus s = c.status();
            Map<String, Long> m = new LinkedHashMap<>();
            int mss = Math.max(1, s.effectiveMss());
            // Linux counts cwnd in packets, FreeBSD in bytes (NOTES.md 2, item 7).
            m.put("tcpi_snd_cwnd", settings.profile == Profile.FREEBSD ? s.cwnd() : s.cwnd() / mss);
            m.put("tcpi_snd_ssthresh", settings.profile == Profile.FREEBSD ? s.ssthresh() : s.ssthresh() / mss);
            m.put("tcpi_snd_mss", (long) s.effectiveMss());
            m.put("tcpi_advmss", (long) c.advertisedMss()); // the MSS we announce (the route's, or TCP_MAXSEG)
            m.put("tcpi_rcv_mss", (long) c.receiveMss());
            m.put("tcpi_pmtu", (long) settings.mtu);
            m.put("tcpi_snd_wnd", s.sndWnd());
            m.put("tcpi_bytes_sent", s.bytesSent());
            // bytes written but not yet sent once (Linux: write_seq - snd_nxt)
            m.put("tcpi_notsent_bytes", Math.max(0L, s.sendQueued() - (long) (s.sndNxt() - s.sndUna())));
            m.put("tcpi_rto", s.rtoNs() / 1000);
            m.put("tcpi_rtt", s.srttNs() / 1000);
            m.put("tcpi_rttvar", s.rttvarNs() / 1000);
            m.put("tcpi_snd_wscale", (long) s.sndWscale());
            m.put("tcpi_rcv_wscale", (long) s.rcvWscale());
            m.put("tcpi_options", (s.timestamps() ? 1L : 0) | (s.sack() ? 2L : 0) | (s.sndWscale() > 0 || s.rcvWscale() > 0 ? 4L : 0)
                | (c.synDataAcked() ? 32L : 0)); // TCPI_OPT_SYN_DATA
            m.put("tcpi_total_retrans", s.retransmissions());
            m.put("tcpi_bytes_acked", s.bytesAcked());
            m.put("tcpi_bytes_received", s.bytesReceived());
            m.put("tcpi_unacked", (long) Math.ceilDiv((long) (s.sndNxt() - s.sndUna()), mss));
            m.put("tcpi_backoff", (long) s.backoff());
            m.put("tcpi_retransmits", (long) s.backoff());
            // Linux's congestion-avoidance state: Open 0, Disorder 1 (duplicate ACKs or SACKed
            // data), Recovery 3 (fast recovery), Loss 4 (after a retransmission timeout)
            m.put("tcpi_ca_state", s.backoff() > 0 && s.sndNxt() != s.sndUna() ? 4L : s.inRecovery() ? 3L
                : s.duplicateAcks() > 0 || s.sackedBytes() > 0 ? 1L : 0L);
            // segments the peer holds above SND.UNA (SACK); Linux's lost_out (marked lost, resent
            // or not), retrans_out (resent, in flight) and reordering degree (3 until more is seen)
            m.put("tcpi_sacked", Math.ceilDiv(s.sackedBytes(), mss));
            m.put("tcpi_lost", (long) s.lostSegments());
            m.put("tcpi_retrans", (long) s.retransmittedInFlight());
            m.put("tcpi_reordering", (long) s.reordering());
            m.put("tcpi_rcv_rtt", s.receiverRttNs() / 1000);
            // Accurate ECN feedback (RFC 9768; Linux 6.18 tcp_info)
            AccEcnInfo e = c.accEcnInfo();
            m.put("tcpi_delivered_ce", e.deliveredCe());
            m.put("tcpi_delivered_ce_bytes", e.deliveredCeBytes());
            m.put("tcpi_delivered_e0_bytes", e.deliveredE0Bytes());
            m.put("tcpi_delivered_e1_bytes", e.deliveredE1Bytes());
            m.put("tcpi_received_ce", e.receivedCe());
            return m;
        }

        @Override public int receiveBufferSize() {
            if (settings.profile != Profile.FREEBSD) return announcedRcvBuf;
            return c.state() == TcpState.SYN_SENT || c.state() == TcpState.CLOSED ? announcedRcvBuf : config.buffers().receiveBufferSize();
        }

        @Override public int sendBufferSize() { return c.sendBufferSize(); }
        @Override public void setSendBufferSize(int bytes) { c.setSendBufferSize(bytes); }
        @Override public boolean setReceiveBufferSize(int bytes) { return c.setReceiveBufferSize(bytes); }
        @Override public void setUserTimeout(long ns) { c.setUserTimeout(ns); }
        @Override public void setConnectTimeout(long now, long ns) { c.setConnectTimeout(now, ns); }
        @Override public void setNoDelay(boolean on) { c.setNoDelay(on); }
        @Override public void orphaned(long now, long finWait2TimeoutNs) { c.orphan(now, finWait2TimeoutNs); }
        @Override public int synDataLength() { return c.synDataLength(); }
        @Override public boolean sendsBeforeEstablished() { return c.sendsBeforeEstablished(); }
    }
}
