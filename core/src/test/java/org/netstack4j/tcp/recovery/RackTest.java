package org.netstack4j.tcp.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.netstack4j.wire.TcpOption;

/**
 * {@link Rack}'s bookkeeping as Linux keeps it: lost_out (a segment marked lost stays counted
 * once resent, until SACKed or ACKed), retrans_out (resent and in flight; a retransmission lost
 * again leaves it), the reordering degree (tcp_check_sack_reordering) and RACK.rtt (every
 * segment delivered, tcp_rack_advance). Sequence numbers from 0, segments of 1000 bytes.
 */
class RackTest {
    static final int MSS = 1000;
    static final long MS = 1_000_000L;

    private static List<TcpOption.SackBlock> sack(int... edges) {
        List<TcpOption.SackBlock> blocks = new ArrayList<>();
        for (int i = 0; i < edges.length; i += 2) blocks.add(new TcpOption.SackBlock(edges[i], edges[i + 1]));
        return blocks;
    }

    /** {@code n} segments sent at {@code at}, the first at 0. */
    private static Rack sent(int n, long at) {
        Rack r = new Rack();
        for (int i = 0; i < n; i++) r.sent(at, i * MSS, (i + 1) * MSS);
        return r;
    }

    @Test void aSegmentMarkedLostStaysCountedWhenResentUntilSackedOrAcknowledged() {
        Rack r = sent(10, 0);
        r.ackReceived(100 * MS, 0, sack(7000, 8000), MSS);
        r.detectLoss(100 * MS, 0);
        assertEquals(7, r.newlyLost());
        assertEquals(7, r.lostSegments(MSS));
        assertEquals(0, r.retransmittedInFlight(MSS));
        r.sent(101 * MS, 0, 1000); // the fast retransmit
        assertEquals(7, r.lostSegments(MSS), "resent, still lost (Linux lost_out)");
        assertEquals(1, r.retransmittedInFlight(MSS));
        assertEquals(6000, r.lostBytes(), "pipe leaves out only what was not resent");
        assertEquals(1000, r.firstLost(0, -1), "the next to resend");
        r.ackReceived(150 * MS, 0, sack(3000, 4000, 7000, 8000), MSS);
        assertEquals(6, r.lostSegments(MSS), "SACKed: no longer lost");
        r.ackReceived(200 * MS, 2000, sack(3000, 4000, 7000, 8000), MSS);
        assertEquals(4, r.lostSegments(MSS), "acknowledged: the resent one and one never resent");
        assertEquals(0, r.retransmittedInFlight(MSS));
    }

    @Test void aRetransmissionLostAgainLeavesTheFlightAndStaysLost() {
        Rack r = sent(6, 0);
        r.ackReceived(100 * MS, 0, sack(5000, 6000), MSS);
        r.detectLoss(100 * MS, 0); // 0:5000 lost
        r.sent(200 * MS, 0, 1000);
        r.sent(200 * MS, 1000, 2000); // sent after the first in the same tick
        assertEquals(2, r.retransmittedInFlight(MSS));
        r.ackReceived(300 * MS, 0, sack(1000, 2000, 5000, 6000), MSS); // the second retransmission arrives
        assertEquals(4, r.lostSegments(MSS));
        r.detectLoss(300 * MS, 0);
        assertEquals(1, r.newlyLost(), "the first retransmission is lost again (Linux tcp_mark_skb_lost)");
        assertEquals(4, r.lostSegments(MSS), "still counted once");
        assertEquals(0, r.retransmittedInFlight(MSS));
        assertEquals(0, r.firstLost(0, -1), "to be resent again");
    }

    @Test void reorderingIsTheDistanceBelowTheHighestSackedEdgeInSegments() {
        Rack r = sent(10, 0);
        r.ackReceived(100 * MS, 0, sack(7000, 8000), MSS);
        assertEquals(3, r.reordering(), "a first SACK measures nothing");
        r.ackReceived(101 * MS, 0, sack(5000, 6000, 7000, 8000), MSS);
        assertEquals(3, r.reordering(), "3000 below 8000: not more than 3 segments");
        r.ackReceived(102 * MS, 0, sack(3000, 4000, 5000, 6000, 7000, 8000), MSS);
        assertEquals(5, r.reordering(), "5000 below 8000");
        r.detectLoss(102 * MS, 0);
        r.sent(103 * MS, 0, 1000);
        r.ackReceived(200 * MS, 1000, sack(3000, 4000, 5000, 6000, 7000, 8000), MSS);
        assertEquals(5, r.reordering(), "a retransmission arriving is no reordering");
        r.ackReceived(201 * MS, 3000, sack(5000, 6000, 7000, 8000), MSS);
        assertEquals(7, r.reordering(), "a hole filled without a retransmission, 7000 below 8000");
        r.ackReceived(202 * MS, 10000, List.of(), MSS);
        assertEquals(7, r.reordering(), "kept for the connection");
    }

    @Test void aTimeoutWithThreeSegmentsSackedResetsTheDegree() {
        Rack r = sent(10, 0);
        r.ackReceived(100 * MS, 0, sack(9000, 10000), MSS);
        r.ackReceived(101 * MS, 0, sack(3000, 4000, 9000, 10000), MSS);
        assertEquals(7, r.reordering(), "3000 below 10000");
        r.timeoutInDisorder();
        assertEquals(7, r.reordering(), "two segments SACKed: kept");
        r.ackReceived(102 * MS, 0, sack(3000, 5000, 9000, 10000), MSS);
        r.timeoutInDisorder();
        assertEquals(3, r.reordering(), "Linux tcp_enter_loss");
    }

    /**
     * An ACK delivers a retransmission (sent 20 ms, RTT 12 ms) and, after it, an original
     * sent before (10 ms, RTT 22 ms): RACK.xmit_ts is the retransmission's, RACK.rtt the last
     * sample, 22 ms (Linux tcp_rack_advance). A segment sent at 10 ms is then not lost at
     * 32 ms (10 + 22 + the window is later); with the retransmission's 12 ms it would be.
     */
    @Test void rackRttIsTheLastSampleDelivered() {
        Rack r = sent(10, 10 * MS);
        r.ackReceived(20 * MS, 0, sack(8000, 9000), MSS);
        r.detectLoss(20 * MS, 0); // 0:8000 lost
        r.sent(20 * MS, 0, 1000);
        r.ackReceived(32 * MS, 2000, sack(8000, 9000), MSS);
        long timeout = r.detectLoss(32 * MS, 2 * MS);
        assertEquals(0, r.newlyLost(), "9000:10000 may still arrive");
        assertTrue(timeout > 0, "the reordering timer waits for it");
    }

    /**
     * An ACK that moves SND.UNA and brings the first SACK blocks above it: the cumulative part
     * lies below SACKed data, but nothing was SACKed before the ACK, so it is a loss, not
     * reordering (Linux tcp_ack: prior_fack is SND.UNA, tcp_check_sack_reordering is not
     * called). The reordering window is 0 with DupThresh SACKed and the holes are lost on this
     * ACK (Linux selftest sack-route-refresh-ip-tos). A hole filled later without a
     * retransmission is reordering.
     */
    @Test void aCumulativeAckBelowItsOwnFirstSackBlocksIsNoReordering() {
        Rack r = sent(10, 0);
        r.ackReceived(10 * MS, 1000, sack(4000, 5000, 7000, 10000), MSS);
        assertFalse(r.reorderingSeen());
        assertEquals(0, r.reoWnd(false, 10 * MS), "4 segments SACKed, no reordering seen");
        r.detectLoss(10 * MS, 0);
        assertEquals(5, r.newlyLost(), "1000:4000 and 5000:7000 at once, not a quarter of min_RTT later");
        Rack h = sent(10, 0);
        h.ackReceived(10 * MS, 1000, sack(4000, 5000, 7000, 10000), MSS);
        h.ackReceived(11 * MS, 4000, sack(4000, 5000, 7000, 10000), MSS); // 1000:4000 arrive, never resent
        assertTrue(h.reorderingSeen(), "a hole below the SACKed data filled without a retransmission");
    }
}
