package org.netstack4j.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.netstack4j.time.Time;

/**
 * Internal pacing ({@link TcpConfig.Sending#pacing()}, Linux's EDT pacing) on packets: a path
 * of 20 ms RTT, segments of 1000 bytes, CUBIC; one segment sent and acknowledged first (the RTT
 * sample), so cwnd is 11 segments and 9 more go unpaced (the first 10 data segments of the
 * connection, as sch_fq and tcp_update_skb_after_send leave them).
 */
class TcpPacingTest {
    static final int MSS = 1000;
    static final long RTT_MS = 20;

    private static TcpHarness connected(boolean pacing) {
        TcpConfig cfg = TcpConfig.defaults().withSending(sd -> sd.withNoDelay(true).withPacing(pacing))
                .withRecovery(rc -> rc.withCongestionControl(TcpConfig.CongestionControlKind.CUBIC).withSlowStartAbcLimit(0));
        return TcpRackTest.connected(cfg); // the same path: 20 ms RTT, 1000-byte segments, SACK
    }

    /** Sends a window's worth and returns the send times of its segments, relative to the write. */
    private static List<Long> burst(TcpHarness h, int segments) {
        long start = h.now;
        h.send(TcpHarness.bytes(segments * MSS, 2));
        h.advance(RTT_MS / 2); // before any ACK could come back
        List<Long> times = new ArrayList<>();
        for (int i = 0; i < segments; i++) times.add(h.expectData(1 + MSS + i * MSS, 1, MSS).time() - start);
        h.expectNothing();
        return times;
    }

    /**
     * Slow start (cwnd far below ssthresh / 2): 200% of cwnd / SRTT, so 1000 bytes take
     * 20 ms * 1000 / (2 * 11000) = 0.909 ms. The 9 segments that complete the first 10 go at
     * once; the 10th sets the first departure time, but what leaves is an skb of at least 2
     * segments (Linux's GSO, tcp_tso_autosize), so the 11th goes with it and the 12th two gaps on.
     */
    @Test void slowStartSpacesSegmentsAtTwiceTheWindowPerRtt() {
        TcpHarness h = connected(true);
        long cwnd = h.conn.recovery().cwnd();
        assertEquals(11 * MSS, cwnd);
        List<Long> t = burst(h, 11);
        for (int i = 0; i < 10; i++) assertEquals(0, t.get(i), "segment " + i + " unpaced: " + t);
        long gap = Time.ms(RTT_MS) * MSS * 100 / (Pacing.SS_RATIO * cwnd);
        assertEquals(2 * gap, t.get(10), "two segments' length at 200%: " + t);
        assertEquals(0.909, gap / 1e6, 0.001);
    }

    /**
     * Congestion avoidance (cwnd at least ssthresh / 2): 120%, so the same burst's gap is
     * 200/120 times as long: 20 ms * 1000 / (1.2 * 11000) = 1.515 ms.
     */
    @Test void congestionAvoidanceSpacesSegmentsAtOnePointTwoTimesTheWindowPerRtt() {
        TcpHarness h = connected(true);
        long cwnd = h.conn.recovery().cwnd();
        h.conn.recovery().cc().setSsthresh(cwnd);
        List<Long> t = burst(h, 11);
        for (int i = 0; i < 10; i++) assertEquals(0, t.get(i), "segment " + i + " unpaced: " + t);
        long gap = Time.ms(RTT_MS) * MSS * 100 / (Pacing.CA_RATIO * cwnd);
        assertEquals(2 * gap, t.get(10), t.toString());
        assertEquals(1.515, gap / 1e6, 0.001);
    }

    /**
     * Past the unpaced start every skb waits for the one before: a second window, sent once
     * the first is acknowledged, leaves evenly spread in pairs (cwnd 22 segments by then, so
     * 2 * 20 ms * 1000 / (2 * 22000) = 0.909 ms apart; 1 ms of the rate is 2.2 segments), the
     * first pair at once (the time left unused since the last departure is credit).
     */
    @Test void aLaterWindowIsSpreadEvenly() {
        TcpHarness h = connected(true);
        burst(h, 11);
        h.advance(RTT_MS / 2);
        h.inject(TcpHarness.A, 1, 1 + 12 * MSS);
        h.expectNothing();
        long cwnd = h.conn.recovery().cwnd();
        assertEquals(22 * MSS, cwnd);
        long start = h.now;
        h.send(TcpHarness.bytes(22 * MSS, 4));
        h.advance(RTT_MS / 2);
        long gap = Time.ms(RTT_MS) * MSS * 100 / (Pacing.SS_RATIO * cwnd);
        long prev = -1;
        for (int i = 0; i < 22; i++) {
            long t = h.expectData(1 + 12 * MSS + i * MSS, 1, MSS).time() - start;
            if (i < 2) assertEquals(0, t, "the first pair at once");
            else if (i % 2 == 1) assertEquals(prev, t, "segment " + i + " with the one before");
            else if (i > 2) assertEquals(2 * gap, t - prev, "segment " + i);
            prev = t;
        }
        assertTrue(prev >= 18 * gap && prev < Time.ms(RTT_MS), "spread over " + prev / 1e6 + " ms, under one RTT");
    }

    /** Without pacing the window goes out at once. */
    @Test void withoutPacingTheWindowGoesAtOnce() {
        TcpHarness h = connected(false);
        List<Long> t = burst(h, 11);
        for (long x : t) assertEquals(0, x, t.toString());
    }

    /** A connection aborted while a segment waits for its departure time leaves no timer behind. */
    @Test void anAbortCancelsThePacingTimer() {
        TcpHarness h = connected(true);
        h.send(TcpHarness.bytes(11 * MSS, 2));
        assertTrue(Pacing.timerAt(h.conn) > h.now, "the 11th waits");
        h.conn.abort(h.now);
        assertEquals(org.netstack4j.time.Time.NEVER, Pacing.timerAt(h.conn));
        h.advance(RTT_MS);
    }

    /**
     * SO_MAX_PACING_RATE on a connection whose configuration does not pace: pacing starts, at
     * the capped rate (100,000 bytes/s: 10 ms per 1000 bytes, 20 ms per 2-segment skb, well
     * below cwnd's 0.9 ms).
     */
    @Test void maxPacingRateTurnsPacingOnAndCapsTheRate() {
        TcpHarness h = connected(false);
        h.conn.setMaxPacingRate(100_000);
        long start = h.now;
        h.send(TcpHarness.bytes(11 * MSS, 2));
        h.advance(RTT_MS / 2);
        for (int i = 0; i < 10; i++) assertEquals(0, h.expectData(1 + MSS + i * MSS, 1, MSS).time() - start);
        h.expectNothing();
        h.advance(RTT_MS);
        assertEquals(Time.ms(20), h.expectData(1 + 11 * MSS, 1, MSS).time() - start);
        TcpHarness off = connected(false);
        off.conn.setMaxPacingRate(0xFFFF_FFFFL); // ~0U: no cap, pacing stays off
        assertEquals(11, burst(off, 11).stream().filter(x -> x == 0).count());
    }
}
