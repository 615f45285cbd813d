package org.netstack4j.tcp;

import static org.netstack4j.time.Time.NEVER;

import org.netstack4j.tcp.recovery.LossRecovery;
import org.netstack4j.tcp.seqnum.Seq;

/**
 * Linux's internal TCP pacing with earliest departure times ({@link TcpConfig.Sending#pacing()};
 * tcp_output.c: tcp_update_skb_after_send, tcp_pacing_check, tcp_tso_autosize; tcp_input.c:
 * tcp_update_pacing_rate). The rate is {@code ratio * max(cwnd, flight) / SRTT}, the ratio 200%
 * while cwnd is below half ssthresh (slow start that is not about to end) and 120% after. Every
 * data segment or super-segment sent, retransmissions included, moves the earliest departure
 * time of the next one ({@code tcp_wstamp_ns}) on by its length at that rate, less up to half
 * of that for time the sender left unused (the "OS jitter" credit), once 10 data segments have
 * gone out (sch_fq's unpaced start). New data waits until then; a timer sends it. What leaves
 * at a departure time is an skb's worth: at least 2 segments, about 1 ms of the rate
 * (tcp_tso_autosize; Linux's GSO makes such skbs even without a TSO device). SO_MAX_PACING_RATE
 * caps the rate and turns pacing on for one connection.
 * Retransmissions of loss recovery go at once (Linux checks the departure time there too).
 * Lives in the connection's {@link Rare} part: a connection without pacing pays nothing for it.
 */
final class Pacing {
    /** net.ipv4.tcp_pacing_ss_ratio and tcp_pacing_ca_ratio, Linux's defaults (percent). */
    static final int SS_RATIO = 200, CA_RATIO = 120;
    /** Data segments sent before pacing starts (tcp_update_skb_after_send: data_segs_out >= 10). */
    static final int UNPACED_SEGMENTS = 10;
    /** Linux sk_pacing_shift 10: a TSO super-segment holds about 1 ms (2^-10 s) of the rate. */
    private static final int PACING_SHIFT = 10;
    /** An SRTT bound that keeps the arithmetic in a long (600 s, above any RTO ceiling). */
    private static final long MAX_SRTT_NS = 600_000_000_000L;
    /** tcp_min_tso_segs. */
    private static final int MIN_TSO_SEGS = 2;

    /** tcp_wstamp_ns: the earliest departure time of the next data segment. */
    private long departAt = Long.MIN_VALUE;
    /** tp->data_segs_out. */
    private long dataSegsOut;
    /** The pacing timer (Linux's pacing_timer hrtimer), NEVER when not armed. */
    private long timerAt = NEVER;
    /**
     * Segments that may still leave with the one sent at the last departure time: Linux paces
     * skbs, which GSO makes at least 2 segments (tcp_tso_autosize) even without a TSO device.
     */
    private int quantum;
    /** The idle-time credit of the current skb not used yet (shared by its segments). */
    private long creditLeft;
    /** SO_MAX_PACING_RATE in bytes per second, 0 = none; set, it turns pacing on (SK_PACING_NEEDED). */
    private long maxRate;

    private Pacing() {}

    private static Pacing of(TcpConnection c) {
        Rare r = Rare.of(c);
        if (r.pacing == null) {
            r.pacing = new Pacing();
            // turned on mid-connection (SO_MAX_PACING_RATE): what went out before counts, as in
            // data_segs_out (segments estimated from the bytes sent, plus the retransmissions)
            r.pacing.dataSegsOut = Math.ceilDiv(c.snd.bytesSent, Math.max(1, c.effMss)) + c.snd.retransmissions;
        }
        return r.pacing;
    }

    private static boolean on(TcpConnection c) {
        return c.cfg().sending().pacing() || c.rare != null && c.rare.pacing != null && c.rare.pacing.maxRate > 0;
    }

    /**
     * SO_MAX_PACING_RATE (Linux sk_setsockopt): a rate in bytes per second caps the pacing rate
     * and turns pacing on for the connection; ~0 (or a negative value) removes the cap.
     */
    static void setMaxRate(TcpConnection c, long bytesPerSecond) {
        boolean none = bytesPerSecond < 0 || bytesPerSecond == 0xFFFF_FFFFL;
        if (none && (c.rare == null || c.rare.pacing == null)) return;
        of(c).maxRate = none ? 0 : Math.max(1, bytesPerSecond);
    }

    /**
     * The rate's length of {@code bytes} in ns ({@code bytes / sk_pacing_rate}); without an RTT
     * sample only SO_MAX_PACING_RATE bounds it (Linux's rate is unbounded then: srtt_us 0
     * divides nothing).
     */
    private static long lengthNs(TcpConnection c, long bytes) {
        long ns = 0;
        LossRecovery r = c.recovery;
        if (c.rtt.hasSample() && r != null) {
            long cwnd = r.cwnd();
            int ratio = cwnd < r.cc().ssthresh() / 2 ? SS_RATIO : CA_RATIO;
            long window = Math.max(Math.max(cwnd, Seq.sub(c.sndMax, c.sndUna)), 1);
            ns = bytes * 100 * Math.min(c.rtt.srtt(), MAX_SRTT_NS) / (ratio * window); // below 2^63: bytes < 2^17
        }
        long max = c.rare != null && c.rare.pacing != null ? c.rare.pacing.maxRate : 0;
        return max > 0 ? Math.max(ns, bytes * 1_000_000_000L / max) : ns; // sk_pacing_rate = min(rate, max)
    }

    /**
     * tcp_pacing_check: whether new data must wait for its departure time; if so the pacing
     * timer is armed for it.
     */
    static boolean hold(TcpConnection c, long now) {
        if (!on(c) || c.rare == null || c.rare.pacing == null) return false;
        Pacing p = c.rare.pacing;
        if (p.departAt <= now) {
            p.quantum = autosize(c, 64, c.snd.maxSegmentData()); // the next skb's segments
            p.creditLeft = 0;
            return false;
        }
        if (p.quantum > 0) return false; // the rest of the skb that left at the departure time
        if (p.timerAt != p.departAt) {
            p.timerAt = p.departAt;
            c.timersChanged();
        }
        return true;
    }

    /**
     * tcp_update_skb_after_send for {@code len} bytes in {@code segments} segments sent at
     * {@code now}: the next departure time moves on by their length at the pacing rate.
     */
    static void sent(TcpConnection c, long now, int len, int segments) {
        if (!on(c) || len <= 0) return;
        Pacing p = of(c);
        long prior = p.departAt;
        p.departAt = Math.max(p.departAt, now); // __tcp_transmit_skb: tcp_wstamp_ns = max(it, clock)
        if (p.departAt > prior) p.creditLeft = prior == Long.MIN_VALUE ? Long.MAX_VALUE : p.departAt - prior;
        p.dataSegsOut += segments;
        p.quantum -= segments;
        if (p.dataSegsOut < UNPACED_SEGMENTS) return;
        // "take into account OS jitter": up to half the skb's length comes off for time left
        // unused; the segments of one skb share it, so the skb gets what Linux gives it whole
        long lenNs = lengthNs(c, len);
        long cut = Math.min(lenNs / 2, p.creditLeft);
        p.creditLeft -= cut;
        p.departAt += lenNs - cut;
    }

    /** The pacing timer's deadline, NEVER when not armed (part of {@link TcpConnection#pollAt()}). */
    static long timerAt(TcpConnection c) {
        return c.rare == null || c.rare.pacing == null ? NEVER : c.rare.pacing.timerAt;
    }

    /** The connection closed: the timer goes (the caller reschedules). */
    static void cancel(TcpConnection c) {
        if (c.rare != null && c.rare.pacing != null) c.rare.pacing.timerAt = NEVER;
    }

    /** The pacing timer fired (tcp_pace_kick): what waited is sent. */
    static void timeout(TcpConnection c, long now) {
        Pacing p = c.rare.pacing;
        p.timerAt = NEVER;
        c.timersChanged();
        c.snd.output(now);
    }

    /**
     * tcp_tso_autosize with pacing: a super-segment holds about 1 ms of the pacing rate, at least
     * 2 segments of {@code maxData} (and at most {@code segments}).
     */
    static int autosize(TcpConnection c, int segments, int maxData) {
        if (!on(c) || segments <= MIN_TSO_SEGS) return segments;
        long nsPerSegment = lengthNs(c, maxData);
        if (nsPerSegment <= 0) return segments;
        long fit = (1_000_000_000L >> PACING_SHIFT) / nsPerSegment;
        return (int) Math.min(segments, Math.max(MIN_TSO_SEGS, fit));
    }

}
