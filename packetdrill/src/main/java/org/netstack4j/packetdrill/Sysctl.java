package org.netstack4j.packetdrill;

/**
 * The sysctl shim (NOTES.md 3.4): FreeBSD and Linux keys a script sets, mapped onto
 * {@link StackSettings}. Values that only restate our behaviour are accepted as no-ops; a key
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
            case "net.inet.tcp.rfc1323" -> { boolean on = !v.equals("0"); s.timestamps = on; s.windowScaling = on; }
            case "net.inet.tcp.sack.enable" -> s.sack = !v.equals("0");
            case "net.inet.tcp.recvspace" -> s.rcvBuf = parseInt(line, key, v);
            case "net.inet.tcp.sendspace" -> s.sndBuf = parseInt(line, key, v);
            case "net.inet.tcp.delacktime" -> s.delayedAckNs = parseInt(line, key, v) * 1_000_000L;
            case "net.inet.tcp.rexmit_initial" -> s.initialRtoNs = parseInt(line, key, v) * 1_000_000L;
            case "net.inet.tcp.rexmit_min" -> s.minRtoNs = parseInt(line, key, v) * 1_000_000L;
            case "net.inet.tcp.keepinit" -> s.synTimeoutNs = parseInt(line, key, v) * 1_000_000L;
            case "net.inet.tcp.finwait2_timeout" -> s.finWait2TimeoutNs = parseInt(line, key, v) * 1_000_000L;
            case "net.inet.tcp.keepidle" -> s.keepIdleNs = parseInt(line, key, v) * 1_000_000L;
            case "net.inet.tcp.keepintvl" -> s.keepIntvlNs = parseInt(line, key, v) * 1_000_000L;
            case "net.inet.tcp.keepcnt" -> s.keepCnt = parseInt(line, key, v);
            case "net.inet.tcp.insecure_rst" -> s.rfc5961Rst = v.equals("0");
            case "net.inet.tcp.insecure_syn" -> s.rfc5961Syn = v.equals("0");
            case "net.inet.tcp.blackhole" -> requireValue(line, key, v, "0");
            case "net.inet.tcp.icmp_may_rst" -> s.icmpMayRst = !v.equals("0");
            case "net.inet.tcp.ecn.enable" -> {
                // 0 = off, 2 = only answer ECN SYNs: we never negotiate ECN, and no corpus peer asks for it.
                if (!v.equals("0") && !v.equals("2")) throw new Unsupported(line, "ECN (sysctl " + key + "=" + v + ")");
            }
            // Accepted as no-ops: they restate defaults or tune things this stack does not have.
            // The FreeBSD profile's RTO floor already includes the default 200 ms slop.
            case "net.inet.tcp.rexmit_slop" -> requireValue(line, key, v, "200");
            case "net.inet.tcp.rexmit_drop_options" -> s.bareSynAfterRetries = v.equals("0") ? 0 : 3; // tcp_timer_rexmt: t_rxtshift == 3
            case "net.inet.tcp.syncache.rexmtlimit" -> s.synAckRetries = parseInt(line, key, v);
            case "kern.ipc.maxsockbuf" -> {
                // FreeBSD asks for the smallest window scale whose window covers the largest socket
                // buffer allowed (tcp_connect/syncache: TCP_MAXWIN << wscale >= sb_max), 6 for 2 MB
                long max;
                try { max = Long.parseLong(v); } catch (NumberFormatException e) { throw new Unsupported(line, "sysctl " + key + " value '" + v + "'"); }
                int ws = 0;
                while (ws < 14 && (65535L << ws) < max) ws++;
                s.windowScaleShift = ws;
            }
            // SYN cookies when the SYN cache (our SYN queue) overflows (1, the default) or never (0);
            // cookies instead of the cache (syncookies_only=1) is not offered under FreeBSD's name
            case "net.inet.tcp.syncookies" -> s.synCookies = v.equals("0") ? org.netstack4j.tcp.Hardening.SynCookieMode.NEVER
                    : org.netstack4j.tcp.Hardening.SynCookieMode.WHEN_FULL;
            case "net.inet.tcp.syncookies_only" -> requireValue(line, key, v, "0");
            // 0 (RFC 7323 3.2): once timestamps are agreed, a non-RST segment without one is dropped
            case "net.inet.tcp.tolerate_missing_ts" -> s.dropMissingTimestamps = v.equals("0");
            case "net.inet.tcp.hostcache.purgenow",
                 "net.inet.tcp.hostcache.enable", "net.inet.tcp.path_mtu_discovery" -> { }
            // Linux
            case "net.ipv4.tcp_timestamps" -> s.timestamps = !v.equals("0");
            case "net.ipv4.tcp_sack" -> s.sack = !v.equals("0");
            case "net.ipv4.tcp_window_scaling" -> s.windowScaling = !v.equals("0");
            case "net.ipv4.tcp_rmem" -> s.rcvBuf = parseInt(line, key, v.split("\\s+")[1]);
            case "net.ipv4.tcp_wmem" -> s.sndBuf = parseInt(line, key, v.split("\\s+")[1]);
            case "net.ipv4.tcp_congestion_control" -> s.congestionControl = switch (v) {
                case "reno" -> org.netstack4j.tcp.TcpConfig.CongestionControlKind.NEWRENO;
                case "cubic" -> org.netstack4j.tcp.TcpConfig.CongestionControlKind.CUBIC;
                default -> throw new Unsupported(line, "congestion control '" + v + "' (reno and cubic are modelled)");
            };
            case "net.ipv4.tcp_syn_retries" -> s.synRetries = parseInt(line, key, v);
            case "net.ipv4.tcp_fin_timeout" -> s.finWait2TimeoutNs = parseInt(line, key, v) * 1_000_000_000L;
            case "net.ipv4.tcp_synack_retries" -> s.synAckRetries = parseInt(line, key, v);
            case "net.ipv4.tcp_retries2" -> s.dataRetries = parseInt(line, key, v);
            case "net.ipv4.tcp_keepalive_time" -> s.keepIdleNs = parseInt(line, key, v) * 1_000_000_000L;
            case "net.ipv4.tcp_keepalive_intvl" -> s.keepIntvlNs = parseInt(line, key, v) * 1_000_000_000L;
            case "net.ipv4.tcp_keepalive_probes" -> s.keepCnt = parseInt(line, key, v);
            // 0 = off, 2 = only answer ECN SYNs (Linux's default): we never negotiate ECN.
            case "net.ipv4.tcp_ecn" -> { if (!v.equals("0") && !v.equals("2")) throw new Unsupported(line, "ECN (sysctl " + key + "=" + v + ")"); }
            // Segment sizing for TSO/GSO: we send MSS-sized segments and the runner aggregates them
            case "net.ipv4.tcp_tso_win_divisor", "net.ipv4.tcp_min_tso_segs", "net.ipv4.tcp_tso_rtt_log",
                 "net.ipv4.tcp_autocorking" -> { }
            // RFC 5681 4.1 restart window after an idle period (Linux: 1)
            case "net.ipv4.tcp_slow_start_after_idle" -> s.slowStartAfterIdle = !v.equals("0");
            // 0 none, 1 early retransmit (RFC 5827), 2 delayed ER, 3 delayed ER and tail loss
            // probes, 4 probes only (Linux ip-sysctl.txt; RACK, which later kernels add to 3 and 4,
            // is not modelled)
            // 0 never, 1 reuse TIME-WAIT 4-tuples for new active opens, 2 only on loopback (never here)
            case "net.ipv4.tcp_syncookies" -> s.synCookies = switch (v) {
                case "0" -> org.netstack4j.tcp.Hardening.SynCookieMode.NEVER;
                case "1" -> org.netstack4j.tcp.Hardening.SynCookieMode.WHEN_FULL;
                case "2" -> org.netstack4j.tcp.Hardening.SynCookieMode.ALWAYS;
                default -> throw new Unsupported(line, "sysctl " + key + " value '" + v + "'");
            };
            case "net.ipv4.tcp_tw_reuse" -> s.twReuse = parseInt(line, key, v);
            case "net.ipv4.tcp_tw_reuse_delay" -> s.twReuseDelayMs = (long) parseInt(line, key, v);
            case "net.ipv4.tcp_early_retrans" -> {
                switch (v) {
                    case "0" -> { s.earlyRetransmit = 0; s.tailLossProbe = false; }
                    case "1" -> { s.earlyRetransmit = 1; s.tailLossProbe = false; }
                    case "2" -> { s.earlyRetransmit = 2; s.tailLossProbe = false; }
                    case "3" -> { s.earlyRetransmit = 2; s.tailLossProbe = true; }
                    case "4" -> { s.earlyRetransmit = 0; s.tailLossProbe = true; }
                    default -> throw new Unsupported(line, "sysctl " + key + "=" + v);
                }
            }
            // Linux tcp_recovery: 0x1 RACK loss detection; 0x2 (a static reordering window) and
            // 0x4 (no duplicate-ACK threshold) are not modelled
            case "net.ipv4.tcp_recovery" -> {
                int bits = parseInt(line, key, v);
                if ((bits & ~1) != 0) throw new Unsupported(line, "sysctl " + key + "=" + v);
                s.rack = (bits & 1) != 0;
            }
            // no per-destination metrics cache
            case "net.ipv4.tcp_no_metrics_save" -> { }
            default -> throw new Unsupported(line, "sysctl " + key);
        }
    }

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
