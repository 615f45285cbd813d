package org.netstack4j.packetdrill;

import java.util.List;
import org.netstack4j.packetdrill.Event.SyscallEvent;
import org.netstack4j.packetdrill.Interpreter.Call;
import org.netstack4j.packetdrill.Interpreter.Mismatch;
import org.netstack4j.packetdrill.Interpreter.Ret;
import org.netstack4j.path.PmtuDiscovery;
import org.netstack4j.tcp.TcpConfig;
import org.netstack4j.wire.Ipv4Address;

/**
 * setsockopt and getsockopt: per-socket options, the options that only exist per stack (they
 * become the configuration of the stack built for the script) and the values read back as
 * Linux or FreeBSD report them.
 */
final class SocketOptionCalls {

    private final Interpreter interp;

    SocketOptionCalls(Interpreter interp) { this.interp = interp; }

    /**
     * struct tcp_md5sig as a script writes it: {@code {tcpm_addr=..., tcpm_flags=TCP_MD5SIG_FLAG_PREFIX,
     * tcpm_prefixlen=24, tcpm_keylen=6, tcpm_ifindex=0, tcpm_key="secret"}}; tcpm_addr is the
     * script's remote address when "..." or absent, else {@code {sin_addr=inet_addr("a.b.c.d")}}
     * or {@code inet_addr(...)}. Null (EINVAL): a key longer than 80 bytes or a bad prefix.
     */
    private org.netstack4j.tcp.TcpMd5Key md5Key(SyscallEvent s, Expr v, boolean ext) {
        int line = s.line();
        if (!(v instanceof Expr.Struct st)) throw new Unsupported(line, "TCP_MD5SIG value " + v);
        org.netstack4j.wire.IpAddress addr = interp.remote;
        long flags = 0, prefix = -1, keylen = -1;
        byte[] key = new byte[0];
        for (Expr.Field f : st.fields()) {
            Expr fv = f.value();
            switch (String.valueOf(f.name())) {
                case "tcpm_addr" -> addr = md5Addr(line, fv);
                case "tcpm_flags" -> flags = interp.syscalls.constant(line, fv);
                case "tcpm_prefixlen" -> prefix = interp.syscalls.constant(line, fv);
                case "tcpm_keylen" -> keylen = interp.syscalls.constant(line, fv);
                case "tcpm_ifindex" -> interp.syscalls.constant(line, fv); // read by Linux only with TCP_MD5SIG_FLAG_IFINDEX
                case "tcpm_key" -> {
                    if (!(fv instanceof Expr.Str str)) throw new Unsupported(line, "tcpm_key " + fv);
                    key = str.value().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
                }
                default -> throw new Unsupported(line, "struct tcp_md5sig field " + f.name());
            }
        }
        if (keylen < 0) keylen = key.length;
        if (keylen > org.netstack4j.tcp.TcpMd5Key.MAX_KEY_LENGTH || keylen > key.length && key.length > 0) return null;
        key = java.util.Arrays.copyOf(key, (int) keylen);
        int bits = addr.toBytes().length * 8;
        // Linux tcp_v4_parse_md5_keys: the prefix only with TCP_MD5SIG_EXT and TCP_MD5SIG_FLAG_PREFIX (1)
        int plen = ext && (flags & 1) != 0 ? (int) prefix : bits;
        if (plen < 0 || plen > bits) return null;
        // TCP_MD5SIG_FLAG_IFINDEX: Linux takes only an L3 master device (a VRF) and says EINVAL
        // to any other index or none; the runner's host has no VRF
        if (ext && (flags & 2) != 0) return null;
        return new org.netstack4j.tcp.TcpMd5Key(addr, plen, 0, key);
    }

    private org.netstack4j.wire.IpAddress md5Addr(int line, Expr e) {
        if (e instanceof Expr.Ellipsis) return interp.remote;
        if (e instanceof Expr.Struct st) {
            for (Expr.Field f : st.fields())
                if (String.valueOf(f.name()).equals("sin_addr") || String.valueOf(f.name()).equals("sin6_addr")) return md5Addr(line, f.value());
            return interp.remote;
        }
        if (e instanceof Expr.Call c && (c.name().equals("inet_addr") || c.name().equals("inet6_addr")) && c.args().size() == 1
                && c.args().getFirst() instanceof Expr.Str str)
            return org.netstack4j.wire.IpAddress.parse(str.value());
        throw new Unsupported(line, "tcpm_addr " + e);
    }

    Call setsockopt(SyscallEvent s) {
        List<Expr> a = s.args();
        int line = s.line();
        Sock k = interp.syscalls.sock(s, 0);
        if (k == null) return () -> Ret.err("EBADF");
        interp.underTest = k;
        if (a.size() < 4) throw new Mismatch(line, "script error: setsockopt takes 5 arguments");
        String opt = a.get(2) instanceof Expr.Symbol sym ? sym.name() : String.valueOf(a.get(2));
        Expr v = a.get(3);
        if (interp.stack == null && interp.fds.size() == 1) {
            // The engine's buffers, MSS and keepalive are per stack. Set on the only socket before
            // the stack exists, they become the stack's configuration.
            if (stackWideOption(s, k, opt, v)) return () -> Ret.ok(0);
        }
        if (interp.stack != null && interp.fds.size() == 1 && k.listener != null && k.conn == null && interp.stack.connections().isEmpty()
                && stackWideOption(s, k, opt, v)) {
            // Set on a lone listener before any SYN came: a fresh stack with that configuration
            // listens in its place, which is what the listener's future connections would inherit.
            k.listener.close(interp.now);
            interp.stack = null;
            interp.ensureStack();
            int port = k.boundPort == null ? interp.bindPort : k.boundPort;
            try {
                k.listener = interp.stack.listen(interp.now, Ipv4Address.ANY, port, k.backlog, k.opts);
            } catch (TcpStack.Failure f) {
                throw new Mismatch(line, "listen again after " + opt + ": " + f.errno());
            }
            return () -> Ret.ok(0);
        }
        if (opt.equals("SO_RCVBUF") && k.conn != null) {
            // Linux keeps twice what was asked for; the engine takes the value asked (RcvMem doubles it)
            long bytes = interp.syscalls.arrayValue(s, v);
            if (bytes < 1 || bytes > Integer.MAX_VALUE / 2) throw new Unsupported(line, "SO_RCVBUF of " + bytes + " bytes");
            if (!k.conn.setReceiveBufferSize((int) bytes)) throw new Unsupported(line, "setsockopt SO_RCVBUF on a connected socket without Linux's receive-memory accounting");
            return () -> Ret.ok(0);
        }
        if (opt.equals("SO_MAX_PACING_RATE") && k.conn != null) {
            // Linux sk_setsockopt: a cap on sk_pacing_rate that also turns TCP's internal pacing on
            // (SK_PACING_NEEDED) unless it is ~0U; only on a connected socket here
            k.conn.setMaxPacingRate(interp.syscalls.arrayValue(s, v));
            return () -> Ret.ok(0);
        }
        if (opt.equals("SO_SNDBUF") && k.conn != null) {
            // Linux keeps twice what was asked for (its bookkeeping) and reports that
            long bytes = interp.syscalls.arrayValue(s, v) * (interp.profile == Profile.FREEBSD ? 1 : 2);
            if (bytes < 1 || bytes > Integer.MAX_VALUE) throw new Unsupported(line, "SO_SNDBUF of " + bytes + " bytes");
            k.conn.setSendBufferSize((int) bytes);
            k.sndBufOnConn = true;
            return () -> Ret.ok(0);
        }
        switch (opt) {
            case "SO_REUSEADDR", "SO_REUSEPORT" -> k.reuseAddr = interp.syscalls.arrayValue(s, v) != 0;
            case "SO_ZEROCOPY" -> k.zerocopy = interp.syscalls.arrayValue(s, v) != 0;
            // the packets' fwmark (skb->mark) is for the host's policy routing and netfilter, neither
            // of which the runner has: kept for getsockopt, with no effect on the wire (as on a
            // Linux host without mark rules)
            case "SO_MARK" -> k.mark = interp.syscalls.arrayValue(s, v);
            case "SO_RCVBUF" -> k.opts.rcvBuf = (int) interp.syscalls.arrayValue(s, v);
            case "SO_SNDBUF" -> k.opts.sndBuf = (int) interp.syscalls.arrayValue(s, v);
            case "IP_BIND_ADDRESS_NO_PORT" -> { } // the port is chosen at connect either way
            case "IP_LOCAL_PORT_RANGE" -> {
                long r = interp.syscalls.arrayValue(s, v);
                int lo = (int) (r & 0xffff), hi = (int) ((r >>> 16) & 0xffff);
                if (lo == 0 && hi == 0) { k.portRangeMin = k.portRangeMax = 0; }
                else {
                    k.portRangeMin = lo == 0 ? 1 : lo;
                    k.portRangeMax = hi == 0 ? 65535 : hi;
                    if (k.portRangeMin > k.portRangeMax) return () -> Ret.err("EINVAL");
                }
            }
            case "TCP_DEFER_ACCEPT" -> {
                long secs = interp.syscalls.arrayValue(s, v);
                k.opts.deferAcceptTimeouts = secsToRetrans(secs);
                if (k.listener != null) k.listener.setDeferAccept(k.opts.deferAcceptTimeouts);
            }
            case "TCP_KEEPINIT" -> {
                long secs = interp.syscalls.arrayValue(s, v);
                if (secs < 0) return () -> Ret.err("EINVAL");
                if (k.listener != null) throw new Unsupported(line, "TCP_KEEPINIT on a listening socket");
                k.keepInitS = secs == 0 ? null : secs; // 0: the system's default (net.inet.tcp.keepinit)
                if (k.conn != null && k.keepInitS != null) k.conn.setConnectTimeout(interp.now, secs * 1_000_000_000L);
            }
            case "TCP_NOOPT" -> {
                if (k.conn != null || k.listener != null) throw new Unsupported(line, "TCP_NOOPT after connect or listen");
                k.opts.noOptions = interp.syscalls.arrayValue(s, v) != 0;
            }
            case "TCP_USER_TIMEOUT" -> {
                long ms = interp.syscalls.arrayValue(s, v);
                if (ms < 0) return () -> Ret.err("EINVAL");
                k.userTimeoutMs = ms;
                if (k.conn != null) k.conn.setUserTimeout(ms * 1_000_000L);
            }
            case "TCP_NODELAY" -> {
                k.opts.noDelay = interp.syscalls.arrayValue(s, v) != 0;
                if (k.conn != null) {
                    k.conn.setNoDelay(k.opts.noDelay);
                    if (k.opts.noDelay) k.conn.push(interp.now); // Linux: pushes pending frames, corked or not
                }
            }
            case "TCP_CORK" -> {
                if (interp.profile == Profile.FREEBSD) throw new Unsupported(line, "TCP_CORK (FreeBSD: TCP_NOPUSH)");
                k.cork = interp.syscalls.arrayValue(s, v) != 0;
                if (k.conn != null) k.conn.setCork(interp.now, k.cork);
            }
            case "TCP_MAXSEG" -> k.opts.maxSeg = (int) interp.syscalls.arrayValue(s, v);
            // RFC 7413 (Linux): the listener's TFO queue, its own key, no cookie needed; the client's deferred connect
            case "TCP_FASTOPEN" -> {
                int qlen = (int) interp.syscalls.arrayValue(s, v);
                if (qlen < 0) return () -> Ret.err("EINVAL");
                k.opts.fastOpenQlen = qlen;
                if (k.listener != null) k.listener.setFastOpen(qlen);
            }
            case "TCP_FASTOPEN_KEY" -> {
                long len = a.size() > 4 ? interp.syscalls.constant(line, a.get(4)) : -1;
                if (!(v instanceof Expr.Str str) || (len != 16 && len != 32) || str.value().length() != len) return () -> Ret.err("EINVAL");
                byte[] key = str.value().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
                k.opts.fastOpenKey = key;
                if (k.listener != null) k.listener.setFastOpenKey(key);
            }
            case "TCP_FASTOPEN_CONNECT" -> {
                if (k.conn != null) return () -> Ret.err("EISCONN");
                k.opts.fastOpenConnect = interp.syscalls.arrayValue(s, v) != 0;
            }
            case "TCP_FASTOPEN_NO_COOKIE" -> {
                k.opts.fastOpenNoCookie = interp.syscalls.arrayValue(s, v) != 0;
                if (k.listener != null) k.listener.setFastOpenNoCookie(k.opts.fastOpenNoCookie);
            }
            case "TCP_INQ" -> k.inq = interp.syscalls.arrayValue(s, v) != 0;
            case "TCP_LINGER2" -> {
                // Linux: 0 or more than tcp_fin_timeout = the sysctl's value; < 0 = a RST instead of FIN-WAIT-2
                long secs = interp.syscalls.arrayValue(s, v);
                if (secs < 0) throw new Unsupported(line, "TCP_LINGER2 < 0");
                k.linger2Ns = secs == 0 || secs * 1_000_000_000L > interp.settings.finWait2TimeoutNs ? null : secs * 1_000_000_000L;
            }
            case "SO_KEEPALIVE" -> k.opts.keepAlive = interp.syscalls.arrayValue(s, v) != 0;
            case "SO_TIMESTAMPING" -> {
                // on a connection only here: a listener's would have to be inherited by accept
                if (k.conn == null) throw new Unsupported(line, "SO_TIMESTAMPING before the connection exists");
                try {
                    k.conn.setTimestamping((int) interp.syscalls.arrayValue(s, v));
                } catch (IllegalArgumentException e) {
                    return () -> Ret.err("EINVAL");
                }
            }
            case "TCP_MD5SIG", "TCP_MD5SIG_EXT" -> {
                if (interp.profile == Profile.FREEBSD) {
                    // FreeBSD: an int that turns signing on; the keys are the stack's security
                    // associations (setkey), which the stack-wide table holds and applies to every socket
                    if (!(v instanceof Expr.Array) || opt.equals("TCP_MD5SIG_EXT")) throw new Unsupported(line, "FreeBSD " + opt + " value " + v);
                    if (interp.syscalls.arrayValue(s, v) == 0) throw new Unsupported(line, "FreeBSD TCP_MD5SIG off");
                    break;
                }
                org.netstack4j.tcp.TcpMd5Key key = md5Key(s, v, opt.equals("TCP_MD5SIG_EXT"));
                if (key == null) return () -> Ret.err("EINVAL");
                if (k.conn != null) throw new Unsupported(line, opt + " on a connected socket");
                k.opts.md5Keys.removeIf(x -> x.address().equals(key.address()) && x.prefixLength() == key.prefixLength()
                        && x.ifindex() == key.ifindex());
                if (key.key().length > 0) {
                    k.opts.md5Keys.add(key);
                    interp.md5Key = key;
                }
                if (k.listener != null) k.listener.setMd5Key(key);
            }
            case "SO_OOBINLINE" -> {
                k.oobInline = interp.syscalls.arrayValue(s, v) != 0;
                if (k.conn != null) k.conn.setOobInline(k.oobInline);
            }
            // Linux __ip_sock_set_tos: on a stream socket the ECN bits stay TCP's (INET_ECN_MASK kept)
            case "IP_TOS", "IPV6_TCLASS" -> {
                long tos = interp.syscalls.arrayValue(s, v);
                if (opt.equals("IPV6_TCLASS") && tos == -1) tos = 0; // RFC 3542 6.5: -1 = the kernel's default
                if (tos < 0 || tos > 255) return () -> Ret.err("EINVAL");
                k.opts.trafficClass = (int) tos & ~0b11;
                if (k.conn != null) k.conn.setTrafficClass((int) tos);
                else if (k.listener != null) k.listener.setTrafficClass((int) tos);
            }
            // Linux do_ip_setsockopt / do_ipv6_setsockopt: IP_PMTUDISC_DONT (0) .. IP_PMTUDISC_OMIT (5), else EINVAL
            case "IP_MTU_DISCOVER", "IPV6_MTU_DISCOVER" -> {
                PmtuDiscovery mode = PmtuDiscovery.ofValue((int) interp.syscalls.arrayValue(s, v));
                if (mode == null || opt.equals("IPV6_MTU_DISCOVER") && mode == PmtuDiscovery.OMIT) return () -> Ret.err("EINVAL");
                if (k.listener != null) throw new Unsupported(line, opt + " on a listening socket");
                k.opts.pmtuDiscovery = mode;
                if (k.conn != null) k.conn.setPmtuDiscovery(mode);
            }
            case "TCP_KEEPIDLE" -> k.opts.keepIdleS = (int) interp.syscalls.arrayValue(s, v);
            case "TCP_KEEPINTVL" -> k.opts.keepIntvlS = (int) interp.syscalls.arrayValue(s, v);
            case "TCP_KEEPCNT" -> k.opts.keepCnt = (int) interp.syscalls.arrayValue(s, v);
            case "SO_LINGER" -> {
                if (!(v instanceof Expr.Struct st)) throw new Unsupported(line, "SO_LINGER value " + v);
                long onoff = 0, secs = 0;
                for (Expr.Field f : st.fields()) {
                    if ("onoff".equals(f.name()) || "l_onoff".equals(f.name())) onoff = interp.syscalls.constant(line, f.value());
                    if ("linger".equals(f.name()) || "l_linger".equals(f.name())) secs = interp.syscalls.constant(line, f.value());
                }
                if (onoff != 0 && secs != 0) throw new Unsupported(line, "SO_LINGER with a non-zero timeout");
                k.lingerZero = onoff != 0;
            }
            default -> throw new Unsupported(line, "setsockopt " + opt);
        }
        if ((k.conn != null || k.listener != null) && (opt.equals("SO_RCVBUF") || opt.equals("SO_SNDBUF")
                || opt.equals("TCP_MAXSEG") || opt.startsWith("TCP_KEEP") || opt.equals("SO_KEEPALIVE")))
            throw new Unsupported(line, "setsockopt " + opt + " on a connected or listening socket");
        return () -> Ret.ok(0);
    }

    // Linux keeps TCP_DEFER_ACCEPT as a number of SYN,ACK timeouts (1 s initial, doubling, at most
    // TCP_RTO_MAX 120 s) and reports it back as the seconds those cover (secs_to_retrans, retrans_to_secs)
    static int secsToRetrans(long secs) {
        if (secs <= 0) return 0;
        int res = 1;
        long timeout = 1, period = 1;
        while (secs > period && res < 255) {
            res++;
            timeout = Math.min(timeout << 1, 120);
            period += timeout;
        }
        return res;
    }

    static long retransToSecs(int retrans) {
        long period = 0, timeout = 1;
        for (int i = 0; i < retrans; i++) {
            period += timeout;
            timeout = Math.min(timeout << 1, 120);
        }
        return period;
    }

    /** An option the engine only has per stack, recorded in the settings the stack is built from. */
    boolean stackWideOption(SyscallEvent s, Sock k, String opt, Expr v) {
        switch (opt) {
            case "SO_RCVBUF" -> {
                interp.settings.socketReceiveBuffer((int) interp.syscalls.arrayValue(s, v));
                interp.settings.rcvBufBySockopt = true;
            }
            case "SO_SNDBUF" -> {
                int n = (int) interp.syscalls.arrayValue(s, v);
                interp.settings.change(c -> c.withBuffers(b -> b.withSendBufferSize(n)));
                interp.settings.sndBufBySockopt = true;
            }
            case "TCP_MAXSEG" -> interp.settings.maxSeg = k.opts.maxSeg = (int) interp.syscalls.arrayValue(s, v); // getsockopt reads it back
            case "SO_KEEPALIVE" -> { boolean on = interp.syscalls.arrayValue(s, v) != 0; interp.settings.change(c -> c.withTimers(t -> t.withKeepalive(on))); }
            case "TCP_KEEPIDLE" -> { long ns = interp.syscalls.arrayValue(s, v) * 1_000_000_000L; interp.settings.change(c -> c.withTimers(t -> t.withKeepaliveIdleNs(ns))); }
            case "TCP_KEEPINTVL" -> { long ns = interp.syscalls.arrayValue(s, v) * 1_000_000_000L; interp.settings.change(c -> c.withTimers(t -> t.withKeepaliveIntervalNs(ns))); }
            case "TCP_KEEPCNT" -> { int n = (int) interp.syscalls.arrayValue(s, v); interp.settings.change(c -> c.withTimers(t -> t.withKeepaliveProbes(n))); }
            default -> { return false; }
        }
        return true;
    }

    Call getsockopt(SyscallEvent s) {
        List<Expr> a = s.args();
        int line = s.line();
        Sock k = interp.syscalls.sock(s, 0);
        if (k == null) return () -> Ret.err("EBADF");
        interp.underTest = k;
        if (a.size() < 4) throw new Mismatch(line, "script error: getsockopt takes 5 arguments");
        String opt = a.get(2) instanceof Expr.Symbol sym ? sym.name() : String.valueOf(a.get(2));
        Expr want = a.get(3);
        if (want instanceof Expr.Array arr && arr.items().size() == 1) want = arr.items().getFirst();
        String got;
        // A stack-wide default read back before the stack exists builds it; a value the socket set does not.
        if ((opt.equals("SO_RCVBUF") || opt.equals("SO_SNDBUF")) && k.conn == null && k.listener == null) interp.ensureStack();
        switch (opt) {
            case "SO_ERROR" -> {
                String e = null;
                if (k.conn != null && k.conn.errno() != null && !k.errorReported) {
                    e = k.conn.errno();
                    k.errorReported = true;
                }
                got = e == null ? "0" : e;
                String w = want instanceof Expr.Int i ? Long.toString(i.value()) : String.valueOf(want);
                if (!Interpreter.normErrno(w).equals(Interpreter.normErrno(got)))
                    throw new Mismatch(line, "getsockopt(SO_ERROR): expected [" + w + "], got [" + got + "]");
                return () -> Ret.ok(0);
            }
            // Linux keeps twice what setsockopt asked for (room for its bookkeeping) and reports that
            case "SO_RCVBUF" -> got = Long.toString((interp.settings.rcvBufBySockopt && interp.profile != Profile.FREEBSD ? 2L : 1L)
                * (k.conn != null ? k.conn.receiveBufferSize()
                : k.listener != null ? k.listener.receiveBufferSize()
                : k.opts.rcvBuf != null ? k.opts.rcvBuf : interp.stack.defaultReceiveBuffer()));
            case "SO_SNDBUF" -> got = Long.toString((interp.settings.sndBufBySockopt && interp.profile != Profile.FREEBSD && !k.sndBufOnConn ? 2L : 1L)
                * (k.conn != null ? k.conn.sendBufferSize()
                : k.opts.sndBuf != null ? k.opts.sndBuf : interp.stack.defaultSendBuffer()));
            case "SO_REUSEADDR", "SO_REUSEPORT" -> got = k.reuseAddr ? "1" : "0";
            case "SO_ZEROCOPY" -> got = k.zerocopy ? "1" : "0";
            case "SO_MARK" -> got = Long.toString(k.mark);
            case "TCP_NODELAY" -> got = k.opts.noDelay ? "1" : "0";
            case "TCP_CORK" -> got = k.cork ? "1" : "0";
            case "TCP_INQ" -> got = k.inq ? "1" : "0";
            case "SO_OOBINLINE" -> got = k.oobInline ? "1" : "0";
            case "IP_TOS", "IPV6_TCLASS" -> got = Integer.toString(k.opts.trafficClass);
            case "IP_MTU_DISCOVER", "IPV6_MTU_DISCOVER" -> {
                if (k.opts.pmtuDiscovery == null) interp.ensureStack();
                got = Integer.toString((k.opts.pmtuDiscovery != null ? k.opts.pmtuDiscovery : interp.stack.defaultPmtuDiscovery()).ordinal());
            }
            case "TCP_FASTOPEN" -> got = Integer.toString(k.opts.fastOpenQlen);
            case "TCP_FASTOPEN_CONNECT" -> got = k.opts.fastOpenConnect ? "1" : "0";
            case "TCP_FASTOPEN_NO_COOKIE" -> got = k.opts.fastOpenNoCookie ? "1" : "0";
            case "TCP_NOOPT" -> got = k.opts.noOptions ? "1" : "0";
            case "TCP_DEFER_ACCEPT" -> got = Long.toString(retransToSecs(k.opts.deferAcceptTimeouts));
            case "TCP_KEEPINIT" -> got = Long.toString(k.keepInitS == null ? 75 : k.keepInitS);
            case "TCP_USER_TIMEOUT" -> got = Long.toString(k.userTimeoutMs == null ? 0 : k.userTimeoutMs);
            case "SO_KEEPALIVE" -> got = k.opts.keepAlive || interp.settings.applyTo(TcpConfig.defaults()).timers().keepalive() ? "1" : "0";
            case "TCP_MAXSEG" -> {
                Long mss = k.conn == null ? null : k.conn.tcpInfo().get("tcpi_snd_mss");
                got = mss != null ? Long.toString(mss) : k.opts.maxSeg != null ? Long.toString(k.opts.maxSeg) : "536";
            }
            default -> throw new Unsupported(line, "getsockopt " + opt);
        }
        if (want instanceof Expr.Ellipsis) return () -> Ret.ok(0);
        long w = interp.syscalls.constant(line, want);
        if (Long.parseLong(got) != w)
            throw new Mismatch(line, "getsockopt(" + opt + "): expected [" + want + "], got [" + got + "]");
        return () -> Ret.ok(0);
    }
}
