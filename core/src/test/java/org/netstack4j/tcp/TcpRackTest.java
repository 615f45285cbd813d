package org.netstack4j.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.netstack4j.wire.TcpOption;
import org.netstack4j.wire.TcpRepr;

/**
 * RACK-TLP (RFC 8985) on packets, each case run with RACK and without it (RFC 6675 IsLost and
 * three duplicate ACKs) in the same configuration otherwise: a path of 20 ms RTT, segments of
 * 1000 bytes, SACK.
 */
class TcpRackTest {
    static final int MSS = 1000;
    static final long RTT_MS = 20;

    private static TcpConfig cfg(boolean rack, boolean tlp) {
        return TcpConfig.defaults().withSending(sd -> sd.withNoDelay(true))
                .withRecovery(rc -> rc.withCongestionControl(TcpConfig.CongestionControlKind.CUBIC)
                        .withProportionalRateReduction(true).withTailLossProbe(tlp).withRack(rack));
    }

    /** Established over a 20 ms RTT, one segment sent and acknowledged (RACK's first RTT sample). */
    static TcpHarness connected(TcpConfig cfg) {
        TcpHarness h = new TcpHarness(cfg);
        h.peerSynOptions = List.of(new TcpOption.Mss(MSS), new TcpOption.SackPermitted());
        h.synSent();
        h.advance(RTT_MS);
        h.inject(TcpHarness.S | TcpHarness.A, 0, 1);
        h.expect(TcpHarness.A, 1, 1, 0);
        h.send(TcpHarness.bytes(MSS, 1));
        h.expectData(1, 1, MSS);
        h.advance(RTT_MS);
        h.inject(TcpHarness.A, 1, 1 + MSS);
        h.expectNothing();
        return h;
    }

    /** An ACK at relative {@code ack} SACKing the given [left, right) pairs (relative to our ISS). */
    private static void sackAck(TcpHarness h, int ack, int... edges) {
        List<TcpOption.SackBlock> blocks = new java.util.ArrayList<>();
        for (int i = 0; i < edges.length; i += 2) blocks.add(new TcpOption.SackBlock(h.iss + edges[i], h.iss + edges[i + 1]));
        h.inject(new TcpRepr(TcpHarness.REMOTE_PORT, TcpHarness.LOCAL_PORT, TcpHarness.PEER_ISS + 1, h.iss + ack, TcpHarness.A,
                65535, 0, List.of(new TcpOption.Nop(), new TcpOption.Nop(), new TcpOption.Sack(blocks))), new byte[0]);
    }

    private static long retransmits(TcpHarness h) { return h.counters.get("tcp.retransmits"); }

    /**
     * Three segments out, the first lost, the other two SACKed: two duplicate ACKs only, never a
     * third. RACK marks the first lost a quarter of the minimum RTT after the ACK of the third
     * (RACK.rtt + reo_wnd after it was sent) and resends it then; duplicate-ACK counting waits for
     * the retransmission timeout.
     */
    @Test void aLossIsDetectedByTimeWithoutThreeDuplicateAcks() {
        for (boolean rack : new boolean[] {true, false}) {
            TcpHarness h = connected(cfg(rack, false));
            int base = 1 + MSS;
            h.send(TcpHarness.bytes(3 * MSS, 2));
            for (int i = 0; i < 3; i++) h.expectData(base + i * MSS, 1, MSS);
            h.advance(RTT_MS);
            sackAck(h, base, base + MSS, base + 2 * MSS);
            sackAck(h, base, base + MSS, base + 3 * MSS);
            h.expectNothing();
            h.advance(RTT_MS / 4 - 1);
            h.expectNothing(); // inside the reordering window
            h.advance(1);
            if (rack) {
                h.expectData(base, 1, MSS); // RACK: lost by time, min_RTT / 4 = 5 ms later
                assertTrue(h.conn.status().inRecovery());
                assertEquals(1, h.counters.get("tcp.rack_recoveries"));
                h.expectNothing();
            } else {
                h.advance(100);
                h.expectNothing(); // two duplicate ACKs start nothing: the RTO will
                assertEquals(0, retransmits(h));
            }
        }
    }

    /** Ten segments sent; the ACKs SACK the 2nd to 10th before the first arrives {@code lateMs} after them. */
    private static void reorderedFlight(TcpHarness h, int base, int n, long lateMs) {
        h.send(TcpHarness.bytes(n * MSS, 3));
        for (int i = 0; i < n; i++) h.expectData(base + i * MSS, 1, MSS);
        h.advance(RTT_MS);
        for (int k = 2; k <= n; k++) sackAck(h, base, base + MSS, base + k * MSS);
        h.advance(lateMs);
        h.inject(TcpHarness.A, 1, base + n * MSS);
    }

    /**
     * Reordering is tolerated once seen: a first segment arriving 2 ms late behind two others
     * shows RACK the peer's path reorders (it was delivered below RACK.fack without a
     * retransmission); a later one arriving 3 ms late behind nine is then waited for, where the
     * third duplicate ACK makes a spurious fast retransmission.
     */
    @Test void reorderingOnceSeenIsToleratedWithoutSpuriousRetransmission() {
        for (boolean rack : new boolean[] {true, false}) {
            TcpHarness h = connected(cfg(rack, false));
            int base = 1 + MSS;
            reorderedFlight(h, base, 3, 2);
            h.expectNothing();
            assertEquals(0, retransmits(h), "two duplicates: neither resends");
            base += 3 * MSS;
            h.advance(RTT_MS);
            reorderedFlight(h, base, 10, 3);
            if (rack) {
                h.expectNothing();
                assertEquals(0, retransmits(h), "RACK waits min_RTT / 4 for a reordered segment");
                assertFalse(h.conn.status().inRecovery());
                assertEquals(0, h.counters.get("tcp.rack_recoveries"));
            } else {
                assertEquals(1, retransmits(h), "the third duplicate ACK resends a segment that was only late");
            }
        }
    }

    /**
     * RFC 8985 6.2 step 4: a D-SACK (the peer got a segment twice) widens the reordering window
     * to two quarters of the minimum RTT: a segment 7 ms late is waited for after it, not before.
     */
    @Test void aDsackWidensTheReorderingWindow() {
        TcpHarness h = connected(cfg(true, false));
        int base = 1 + MSS;
        // a first reordering, 7 ms late: past min_RTT / 4, so resent, and the peer reports the duplicate
        h.send(TcpHarness.bytes(3 * MSS, 2));
        for (int i = 0; i < 3; i++) h.expectData(base + i * MSS, 1, MSS);
        h.advance(RTT_MS);
        sackAck(h, base, base + MSS, base + 3 * MSS);
        h.advance(RTT_MS / 4);
        h.expectData(base, 1, MSS);
        h.advance(2);
        h.inject(TcpHarness.A, 1, base + 3 * MSS); // the original, 7 ms late
        h.advance(RTT_MS - 2);
        sackAck(h, base + 3 * MSS, base, base + MSS); // D-SACK of the retransmission (RFC 2883)
        assertEquals(1, retransmits(h));
        h.expectNothing();
        // the next segment 7 ms late behind two others: within 2 * min_RTT / 4 = 10 ms now
        base += 3 * MSS;
        h.advance(RTT_MS);
        reorderedFlight(h, base, 3, 7);
        h.expectNothing();
        assertEquals(1, retransmits(h), "no second spurious retransmission");
    }

    /**
     * A tail of three segments lost after the first of four got through: the tail loss probe
     * (2 SRTT later) resends the last, whose SACK tells RACK that the two before it, sent
     * earlier, are lost: they are resent in fast recovery, one per ACK as PRR allows, and count
     * as lost (Linux lost_out) until acknowledged. Without RACK the one SACKed segment is not
     * enough for IsLost, and the two wait for the retransmission timeout.
     */
    @Test void aTailLossIsRecoveredByTheProbeAndRackWithoutTimeout() {
        for (boolean rack : new boolean[] {true, false}) {
            TcpHarness h = connected(cfg(rack, true));
            int base = 1 + MSS;
            h.send(TcpHarness.bytes(4 * MSS, 2));
            for (int i = 0; i < 4; i++) h.expectData(base + i * MSS, 1, MSS);
            h.advance(RTT_MS);
            h.inject(TcpHarness.A, 1, base + MSS); // the rest is lost
            h.expectNothing();
            h.advance(2 * RTT_MS + 2);
            h.expectData(base + 3 * MSS, 1, MSS); // the probe: the last segment again (RFC 8985 7.3)
            assertEquals(1, h.counters.get("tcp.tail_loss_probes"));
            h.advance(RTT_MS);
            sackAck(h, base + MSS, base + 3 * MSS, base + 4 * MSS);
            if (rack) {
                // RACK marks both holes lost; PRR's sndcnt on this ACK (one segment SACKed, nothing
                // in flight) is one segment, and the fast retransmit is part of it (Linux
                // tcp_cwnd_reduction, RFC 9937): the first hole now, the second on the next ACK
                h.expectData(base + MSS, 1, MSS);
                h.expectNothing();
                assertEquals(2, h.conn.status().lostSegments(), "both holes, the resent one included");
                assertEquals(1, h.conn.status().retransmittedInFlight());
                h.advance(RTT_MS);
                sackAck(h, base + 2 * MSS, base + 3 * MSS, base + 4 * MSS);
                h.expectData(base + 2 * MSS, 1, MSS);
                h.expectNothing();
                assertEquals(1, h.conn.status().lostSegments());
                assertEquals(1, h.conn.status().retransmittedInFlight());
                h.advance(RTT_MS);
                h.inject(TcpHarness.A, 1, base + 4 * MSS);
                assertFalse(h.conn.status().inRecovery());
                assertEquals(0, h.conn.status().lostSegments());
                assertEquals(0, h.conn.status().retransmittedInFlight());
                assertEquals(0, h.counters.get("tcp.timeouts"));
            } else {
                h.expectNothing();
                h.advance(150);
                assertEquals(1, retransmits(h), "only the probe before the RTO");
            }
        }
    }
}
