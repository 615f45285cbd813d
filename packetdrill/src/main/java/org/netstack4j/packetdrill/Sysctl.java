package org.netstack4j.packetdrill;

import java.util.function.UnaryOperator;
import org.netstack4j.tcp.Hardening.SynCookieMode;
import org.netstack4j.tcp.TcpConfig;
import org.netstack4j.tcp.TcpConfig.CongestionControlKind;

/**
 * The sysctl shim (NOTES.md 3.4): FreeBSD and Linux keys a script sets, each mapped onto the
 * {@link TcpConfig} group knob it corresponds to, recorded as a change in {@link StackSettings}. Values that only restate our behaviour are accepted as no-ops; a key
 * we do not know, or a value we cannot honour, is {@link Unsupported}.
 */
final class Sysctl {
    private Sysctl() {}

    /** Applies {@code key=value}; returns false when the key is unknown. */
    static void apply(int line, String rawKey, String value, StackSettings s) {
        String v = value.strip();
        String key = rawKey.replace('/', '.'); // sysctl(8) takes net/ipv4/x as well as net.ipv4.x
        switch (key) {
            // FreeBSD
            case "net.inet.tcp.rfc1323" -> options(s, o -> o.withTimestamps(on(v)).withWindowScale(on(v)));
            case "net.inet.tcp.sack.enable" -> options(s, o -> o.withSack(on(v)));
            case "net.inet.tcp.recvspace" -> s.receiveBuffer(parseInt(line, key, v));
            case "net.inet.tcp.sendspace" -> { int n = parseInt(line, key, v); buffers(s, b -> b.withSendBufferSize(n)); }
            case "net.inet.tcp.delacktime" -> { long ns = ms(line, key, v); s.change(c -> c.withAcks(a -> a.withDelayedAckNs(ns))); }
            case "net.inet.tcp.rexmit_initial" -> { long ns = ms(line, key, v); timers(s, t -> t.withInitialRtoNs(ns)); }
            case "net.inet.tcp.rexmit_min" -> { long ns = ms(line, key, v); timers(s, t -> t.withMinRtoNs(ns)); }
            case "net.inet.tcp.keepinit" -> { long ns = ms(line, key, v); timers(s, t -> t.withConnectTimeoutNs(ns)); }
            case "net.inet.tcp.finwait2_timeout" -> s.finWait2TimeoutNs = parseInt(line, key, v) * 1_000_000L;
            case "net.inet.tcp.keepidle" -> { long ns = ms(line, key, v); timers(s, t -> t.withKeepaliveIdleNs(ns)); }
            case "net.inet.tcp.keepintvl" -> { long ns = ms(line, key, v); timers(s, t -> t.withKeepaliveIntervalNs(ns)); }
            case "net.inet.tcp.keepcnt" -> { int n = parseInt(line, key, v); timers(s, t -> t.withKeepaliveProbes(n)); }
            case "net.inet.tcp.insecure_rst" -> quirks(s, q -> q.withChallengeAckOnRst(!on(v)));
            case "net.inet.tcp.insecure_syn" -> quirks(s, q -> q.withChallengeAckOnSyn(!on(v)));
            case "net.inet.tcp.blackhole" -> requireValue(line, key, v, "0");
            case "net.inet.tcp.icmp_may_rst" -> quirks(s, q -> q.withIcmpHardErrorsInSynSent(on(v)));
            // RFC 3168 ECN: 0 = off, 1 = ask on active opens and accept, 2 = accept only (the default);
            // FreeBSD's 3 and 4 are Accurate ECN
            case "net.inet.tcp.ecn.enable" -> ecn(s, line, key, v, false);
            // Accepted as no-ops: they restate defaults or tune things this stack does not have.
            // The FreeBSD profile's RTO floor already includes the default 200 ms slop.
            case "net.inet.tcp.rexmit_slop" -> requireValue(line, key, v, "200");
            case "net.inet.tcp.rexmit_drop_options" -> quirks(s, q -> q.withBareSynAfterRetries(on(v) ? 3 : 0)); // tcp_timer_rexmt: t_rxtshift == 3
            case "net.inet.tcp.syncache.rexmtlimit", "net.ipv4.tcp_synack_retries" -> { int n = parseInt(line, key, v); timers(s, t -> t.withSynAckRetries(n)); }
            case "kern.ipc.maxsockbuf" -> {
                // FreeBSD asks for the smallest window scale whose window covers the largest socket
                // buffer allowed (tcp_connect/syncache: TCP_MAXWIN << wscale >= sb_max), 6 for 2 MB
                long max;
                try { max = Long.parseLong(v); } catch (NumberFormatException e) { throw new Unsupported(line, "sysctl " + key + " value '" + v + "'"); }
                int ws = 0;
                while (ws < 14 && (65535L << ws) < max) ws++;
                int shift = ws;
                options(s, o -> o.withWindowScaleShift(shift));
            }
            // SYN cookies when the SYN cache (our SYN queue) overflows (1, the default) or never (0);
            // cookies instead of the cache (syncookies_only=1) is not offered under FreeBSD's name
            case "net.inet.tcp.syncookies" -> synCookies(s, v.equals("0") ? SynCookieMode.NEVER : SynCookieMode.WHEN_FULL);
            case "net.inet.tcp.syncookies_only" -> requireValue(line, key, v, "0");
            // 0 (RFC 7323 3.2): once timestamps are agreed, a non-RST segment without one is dropped
            case "net.inet.tcp.tolerate_missing_ts" -> quirks(s, q -> q.withDropMissingTimestamps(!on(v)));
            case "net.inet.tcp.hostcache.purgenow",
                 "net.inet.tcp.hostcache.enable", "net.inet.tcp.path_mtu_discovery" -> { }
            // Linux
            case "net.ipv4.tcp_timestamps" -> options(s, o -> o.withTimestamps(on(v)));
            // RFC 7413 as Linux: the mode bits (FastOpen.CLIENT ...) and the server key(s)
            case "net.ipv4.tcp_fastopen" -> {
                try {
                    s.fastOpenMode = Integer.decode(v);
                } catch (NumberFormatException e) {
                    throw new Unsupported(line, "sysctl " + key + " value '" + v + "'");
                }
            }
            case "net.ipv4.tcp_fastopen_key" -> {
                try {
                    org.netstack4j.tcp.FastOpen.Keys.parse(v);
                } catch (IllegalArgumentException e) {
                    throw new Unsupported(line, "sysctl " + key + " value '" + v + "'");
                }
                s.fastOpenKey = v;
            }
            case "net.ipv4.tcp_sack" -> options(s, o -> o.withSack(on(v)));
            case "net.ipv4.tcp_dsack" -> options(s, o -> o.withDsack(on(v)));
            case "net.ipv4.tcp_window_scaling" -> options(s, o -> o.withWindowScale(on(v)));
            case "net.ipv4.tcp_rmem" -> {
                // min default max: the default is the buffer; the max, with net.core.rmem_max, picks
                // the window scale (tcp_select_initial_window)
                String[] f = v.split("\\s+");
                if (f.length != 3) throw new Unsupported(line, "sysctl " + key + " value '" + v + "'");
                s.receiveBuffer(parseInt(line, key, f[1]));
                s.rmemMax = parseInt(line, key, f[2]);
            }
            case "net.core.rmem_max" -> s.coreRmemMax = parseInt(line, key, v);
            // Linux 6.5+: the receive window may shrink (with a window scale; TcpConfig.Buffers.shrinkWindow)
            case "net.ipv4.tcp_shrink_window" -> buffers(s, b -> b.withShrinkWindow(on(v)));
            case "net.ipv4.tcp_wmem" -> { int n = parseInt(line, key, v.split("\\s+")[1]); buffers(s, b -> b.withSendBufferSize(n)); }
            case "net.ipv4.tcp_congestion_control" -> {
                CongestionControlKind cc = switch (v) {
                    case "reno" -> CongestionControlKind.NEWRENO;
                    case "cubic" -> CongestionControlKind.CUBIC;
                    default -> throw new Unsupported(line, "congestion control '" + v + "' (reno and cubic are modelled)");
                };
                recovery(s, r -> r.withCongestionControl(cc));
            }
            case "net.ipv4.tcp_syn_retries" -> { int n = parseInt(line, key, v); timers(s, t -> t.withSynRetries(n)); }
            // Linux 6.5+: the first N SYN timeouts of an active open stay at the initial RTO (0..10)
            case "net.ipv4.tcp_syn_linear_timeouts" -> {
                int n = parseInt(line, key, v);
                if (n < 0 || n > 10) throw new Unsupported(line, "sysctl " + key + "=" + v);
                timers(s, t -> t.withSynLinearTimeouts(n));
            }
            // Linux 6.16+: the ceiling of the retransmission timeout, SYN,ACKs' included (1 s to 120 s)
            case "net.ipv4.tcp_rto_max_ms" -> {
                int n = parseInt(line, key, v);
                if (n < 1000 || n > 120_000) throw new Unsupported(line, "sysctl " + key + "=" + v);
                timers(s, t -> t.withMaxRtoNs(n * 1_000_000L));
            }
            case "net.ipv4.tcp_fin_timeout" -> s.finWait2TimeoutNs = parseInt(line, key, v) * 1_000_000_000L;
            case "net.ipv4.tcp_retries2" -> { int n = parseInt(line, key, v); timers(s, t -> t.withDataRetries(n)); }
            case "net.ipv4.tcp_keepalive_time" -> { long ns = parseInt(line, key, v) * 1_000_000_000L; timers(s, t -> t.withKeepaliveIdleNs(ns)); }
            case "net.ipv4.tcp_keepalive_intvl" -> { long ns = parseInt(line, key, v) * 1_000_000_000L; timers(s, t -> t.withKeepaliveIntervalNs(ns)); }
            case "net.ipv4.tcp_keepalive_probes" -> { int n = parseInt(line, key, v); timers(s, t -> t.withKeepaliveProbes(n)); }
            // RFC 3168 ECN as Linux's tcp_ecn: 0 = off, 1 = ask and accept, 2 = accept only (the
            // default); Accurate ECN (RFC 9768): 3 = ask and accept, 4 = accept (ask for classic
            // ECN), 5 = accept only
            case "net.ipv4.tcp_ecn" -> ecn(s, line, key, v, true);
            // the AccECN option: 0 never, 1 when needed, 2 always (default), 3 always and kept when lost
            case "net.ipv4.tcp_ecn_option" -> {
                int n = parseInt(line, key, v);
                if (n < 0 || n > 3) throw new Unsupported(line, "sysctl " + key + "=" + v);
                options(s, o -> o.withAccEcnOption(n));
            }
            case "net.ipv4.tcp_ecn_option_beacon" -> { int n = parseInt(line, key, v); options(s, o -> o.withAccEcnOptionBeacon(Math.max(0, n))); }
            // 1: an ECN-setup SYN that goes unanswered is retransmitted without ECN, and AccECN checks
            // the handshake's reflected IP-ECN field; 0: neither
            case "net.ipv4.tcp_ecn_fallback" -> options(s, o -> o.withEcnFallback(on(v)));
            // Segment sizing for TSO/GSO: we send MSS-sized segments and the runner aggregates them
            case "net.ipv4.tcp_tso_win_divisor", "net.ipv4.tcp_min_tso_segs", "net.ipv4.tcp_tso_rtt_log",
                 "net.ipv4.tcp_autocorking" -> { }
            // RFC 5681 4.1 restart window after an idle period (Linux: 1)
            case "net.ipv4.tcp_slow_start_after_idle" -> recovery(s, r -> r.withSlowStartAfterIdle(on(v)));
            // 0 none, 1 early retransmit (RFC 5827), 2 delayed ER, 3 delayed ER and tail loss
            // probes, 4 probes only (Linux ip-sysctl.txt; RACK, which later kernels add to 3 and 4,
            // is not modelled)
            // 0 never, 1 reuse TIME-WAIT 4-tuples for new active opens, 2 only on loopback (never here)
            case "net.ipv4.tcp_syncookies" -> synCookies(s, switch (v) {
                case "0" -> SynCookieMode.NEVER;
                case "1" -> SynCookieMode.WHEN_FULL;
                case "2" -> SynCookieMode.ALWAYS;
                default -> throw new Unsupported(line, "sysctl " + key + " value '" + v + "'");
            });
            case "net.ipv4.tcp_tw_reuse" -> s.twReuse = parseInt(line, key, v);
            case "net.ipv4.tcp_tw_reuse_delay" -> s.twReuseDelayMs = (long) parseInt(line, key, v);
            case "net.ipv4.tcp_early_retrans" -> {
                int er = switch (v) {
                    case "0", "4" -> 0;
                    case "1" -> 1;
                    case "2", "3" -> 2;
                    default -> throw new Unsupported(line, "sysctl " + key + "=" + v);
                };
                boolean tlp = v.equals("3") || v.equals("4");
                recovery(s, r -> r.withEarlyRetransmit(er).withTailLossProbe(tlp));
            }
            // Linux tcp_recovery: 0x1 RACK loss detection; 0x2 (a static reordering window) and
            // 0x4 (no duplicate-ACK threshold) are not modelled
            case "net.ipv4.tcp_recovery" -> {
                int bits = parseInt(line, key, v);
                if ((bits & ~1) != 0) throw new Unsupported(line, "sysctl " + key + "=" + v);
                boolean rack = (bits & 1) != 0;
                recovery(s, r -> r.withRack(rack));
            }
            // no per-destination metrics cache
            case "net.ipv4.tcp_no_metrics_save" -> { }
            default -> throw new Unsupported(line, "sysctl " + key);
        }
    }

    private static boolean on(String v) { return !v.equals("0"); }

    private static long ms(int line, String key, String v) { return parseInt(line, key, v) * 1_000_000L; }

    private static void options(StackSettings s, UnaryOperator<TcpConfig.Options> e) { s.change(c -> c.withOptions(e)); }

    private static void ecn(StackSettings s, int line, String key, String v, boolean linux) {
        int mode = switch (v.strip()) {
            case "0" -> TcpConfig.Options.ECN_OFF;
            case "1" -> TcpConfig.Options.ECN_ON;
            case "2" -> TcpConfig.Options.ECN_ACCEPT;
            case "3" -> linux ? TcpConfig.Options.ECN_ACCURATE : -1;
            case "4" -> linux ? TcpConfig.Options.ECN_ACCURATE_IN : -1;
            case "5" -> linux ? TcpConfig.Options.ECN_ACCURATE_ACCEPT : -1;
            default -> -1;
        };
        if (mode < 0) throw new Unsupported(line, "sysctl " + key + "=" + v + (linux ? "" : " (FreeBSD's Accurate ECN values)"));
        options(s, o -> o.withEcn(mode));
    }
    private static void buffers(StackSettings s, UnaryOperator<TcpConfig.Buffers> e) { s.change(c -> c.withBuffers(e)); }
    private static void timers(StackSettings s, UnaryOperator<TcpConfig.Timers> e) { s.change(c -> c.withTimers(e)); }
    private static void recovery(StackSettings s, UnaryOperator<TcpConfig.Recovery> e) { s.change(c -> c.withRecovery(e)); }
    private static void quirks(StackSettings s, UnaryOperator<TcpConfig.OsQuirks> e) { s.change(c -> c.withQuirks(e)); }
    private static void synCookies(StackSettings s, SynCookieMode m) { s.change(c -> c.withHardening(h -> h.withSynCookies(m))); }

    private static void requireValue(int line, String key, String v, String ok) {
        if (!v.equals(ok)) throw new Unsupported(line, "sysctl " + key + "=" + v);
    }

    private static int parseInt(int line, String key, String v) {
        try {
            return Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
            throw new Unsupported(line, "sysctl " + key + " value '" + v + "'");
        }
    }
}
