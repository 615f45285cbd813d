package org.netstack4j.tcp.cc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.netstack4j.tcp.recovery.FastRecovery;
import org.netstack4j.time.Time;

/** RFC 9438 CUBIC, driven ACK by ACK in virtual time (a sender that always fills cwnd). */
class CubicTest {
    static final int MSS = 1000;

    /** Sender state for the drive: the next sequence number to acknowledge and the clock. */
    static final class Drive {
        final FastRecovery cc; // the controller under its fast recovery (RFC 6582)
        int una = 1;
        long now = Time.s(1);

        Drive(CongestionControl cc) { this.cc = new FastRecovery(cc, MSS); }

        /** One round trip: cwnd worth of data acknowledged, two segments per ACK, spread over the RTT. */
        void round(long rttNs) {
            long window = cc.window();
            long acks = Math.max(1, window / (2L * MSS));
            for (long i = 0; i < acks; i++) {
                una += 2 * MSS;
                cc.onAck(una, 2L * MSS, window, now + rttNs * i / acks);
            }
            now += rttNs;
        }

        void rounds(int n, long rttNs) { for (int i = 0; i < n; i++) round(rttNs); }

        /** Three duplicate ACKs, then the ACK that covers everything sent (recovery ends). */
        void loss() {
            long flight = cc.window();
            int sndMax = una + (int) flight;
            for (int d = 1; d <= 3; d++) cc.onDuplicateAck(d, una, sndMax, flight, now);
            assertTrue(cc.inRecovery());
            // the ACK for everything before the recovery point; what recovery sent meanwhile
            // (about ssthresh) is still in flight, so cwnd ends at ssthresh (RFC 6582 3.2 step 3)
            cc.onAck(sndMax, sndMax - una, flight + cc.ssthresh(), now);
            una = sndMax;
        }

        double segments() { return cc.window() / (double) MSS; }
    }

    /** Slow start to about {@code segments}, then a loss: the state every test starts from. */
    static Drive afterLossAt(int segments, long rttNs) {
        Cubic c = new Cubic(MSS, 10, 0);
        c.onRttSample(rttNs);
        Drive d = new Drive(c);
        while (c.window() < (long) segments * MSS) {
            d.una += MSS;
            d.cc.onAck(d.una, MSS, c.window(), d.now);
        }
        d.loss();
        return d;
    }

    @Test void aLossKeepsSeventyPercentAndRemembersTheWindow() {
        Drive d = afterLossAt(100, Time.ms(100));
        Cubic c = (Cubic) d.cc.cc();
        assertEquals(100, c.wMaxSegments(), 0.01, "W_max: the window at the loss");
        assertEquals(70_000, c.ssthresh(), "RFC 9438 4.6: ssthresh = 0.7 * cwnd (NewReno would halve)");
        assertEquals(70_000, c.window(), "recovery ends at ssthresh");
    }

    @Test void growthIsConcaveUpToTheOldWindowAtKThenConvex() {
        long rtt = Time.ms(100);
        Drive d = afterLossAt(100, rtt);
        Cubic c = (Cubic) d.cc.cc();
        double start = d.segments();
        d.round(rtt); // the first ACK of the epoch computes K
        double k = c.kSeconds();
        assertEquals(Math.cbrt(30 / 0.4), k, 0.01, "K = cbrt((W_max - cwnd_epoch) / C), about 4.2 s");
        d.rounds(9, rtt);
        double firstSecond = d.segments() - start;
        d.rounds(20, rtt);
        double at3s = d.segments();
        d.rounds(10, rtt);
        double fourthSecond = d.segments() - at3s;
        assertTrue(firstSecond > 2 * fourthSecond, "concave: " + firstSecond + " segments in the first second, " + fourthSecond + " in the fourth");
        d.rounds((int) Math.round(k * 10) - 40, rtt); // t = K (one RTT ahead: the target is W_cubic(t + RTT))
        assertEquals(100, d.segments(), 3, "back at W_max after K seconds");
        double atK = d.segments();
        d.rounds(10, rtt);
        double after1s = d.segments() - atK;
        d.rounds(10, rtt);
        double after2s = d.segments() - atK - after1s;
        assertTrue(after2s > after1s && after1s > 0, "convex beyond W_max: " + after1s + " then " + after2s);
    }

    @Test void withShortRoundTripsItGrowsAtLeastLikeReno() {
        // RFC 9438 4.3: at 1 ms RTT the cubic curve is nearly flat for a second; the Reno-friendly
        // estimate (alpha = 3 * 0.3 / 1.7 = 0.53 segments per RTT) takes over.
        long rtt = Time.ms(1);
        Drive d = afterLossAt(100, rtt);
        d.rounds(200, rtt);
        double reno = 70 + Cubic.ALPHA * 200;
        assertTrue(d.segments() >= reno - 3, "after 200 RTTs: " + d.segments() + " segments, Reno-friendly about " + reno);
        assertTrue(d.segments() < 70 + 200 + 1, "never faster than one segment per RTT here: " + d.segments());
    }

    @Test void fastConvergenceLowersTheRememberedWindowWhenLossesComeEarlier() {
        long rtt = Time.ms(100);
        Drive d = afterLossAt(100, rtt);
        d.rounds(15, rtt); // below W_max = 100 again
        double before = d.segments();
        assertTrue(before < 100, "still below the old window: " + before);
        d.loss();
        Cubic c = (Cubic) d.cc.cc();
        assertEquals(before * (1 + 0.7) / 2, c.wMaxSegments(), 0.5, "RFC 9438 4.7: W_max = cwnd * (1 + beta) / 2");
    }

    @Test void aTimeoutGoesBackToOneSegment() {
        Drive d = afterLossAt(100, Time.ms(100));
        d.rounds(5, Time.ms(100));
        long before = d.cc.window();
        d.cc.onRetransmissionTimeout(d.una + (int) before, before, d.now);
        assertEquals(MSS, d.cc.window());
        assertEquals((long) (before * 0.7), d.cc.ssthresh());
        assertTrue(!d.cc.inRecovery());
    }

    @Test void slowStartIsRenosUntilTheFirstLoss() {
        Cubic c = new Cubic(MSS, 10, 0);
        NewReno r = new NewReno(MSS, 10, 0);
        Drive dc = new Drive(c), dr = new Drive(r);
        dc.rounds(5, Time.ms(50));
        dr.rounds(5, Time.ms(50));
        assertEquals(r.window(), c.window());
        assertEquals(320_000, c.window(), "10 segments doubled five times");
    }
}
