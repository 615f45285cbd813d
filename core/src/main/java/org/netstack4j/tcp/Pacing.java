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
 * gone out (sch_fq's unpaced start). New data waits until then; a timer sends it.
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

    private Pacing() {}

    private static Pacing of(TcpConnection c) {
        Rare r = Rare.of(c);
        if (r.pacing == null) r.pacing = new Pacing();
        return r.pacing;
    }

    private static boolean on(TcpConnection c) { return c.cfg().sending().pacing(); }

    /**
     * The rate's length of {@code bytes} in ns ({@code bytes / sk_pacing_rate}); 0 without an
     * RTT sample (Linux's rate is then unbounded: srtt_us 0 divides nothing).
     */
    private static long lengthNs(TcpConnection c, long bytes) {
        if (!c.rtt.hasSample() || c.recovery == null) return 0;
        LossRecovery r = c.recovery;
        long cwnd = r.cwnd();
        int ratio = cwnd < r.cc().ssthresh() / 2 ? SS_RATIO : CA_RATIO;
        long window = Math.max(Math.max(cwnd, Seq.sub(c.sndMax, c.sndUna)), 1);
        return bytes * 100 * Math.min(c.rtt.srtt(), MAX_SRTT_NS) / (ratio * window); // below 2^63: bytes < 2^17
    }

    /**
     * tcp_pacing_check: whether new data must wait for its departure time; if so the pacing
     * timer is armed for it.
     */
    static boolean hold(TcpConnection c, long now) {
        if (!on(c) || c.rare == null || c.rare.pacing == null) return false;
        Pacing p = c.rare.pacing;
        if (p.departAt <= now) return false;
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
        p.dataSegsOut += segments;
        if (p.dataSegsOut < UNPACED_SEGMENTS) return;
        long lenNs = lengthNs(c, len);
        long credit = prior == Long.MIN_VALUE ? Long.MAX_VALUE : p.departAt - prior;
        lenNs -= Math.min(lenNs / 2, credit); // "take into account OS jitter"
        p.departAt += lenNs;
    }

    /** The pacing timer's deadline, NEVER when not armed (part of {@link TcpConnection#pollAt()}). */
    static long timerAt(TcpConnection c) {
        return c.rare == null || c.rare.pacing == null ? NEVER : c.rare.pacing.timerAt;
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
