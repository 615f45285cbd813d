package org.netstack4j.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.netstack4j.wire.TcpOption;
import org.netstack4j.wire.TcpRepr;

/**
 * Fast recovery with and without Proportional Rate Reduction (RFC 6937), on packets: ten
 * segments of 1000 bytes in flight, the first lost, the peer SACKing the others one by one.
 */
class TcpPrrTest {
    static final int MSS = 1000;

    private static TcpHarness connected(TcpConfig cfg) {
        TcpHarness h = new TcpHarness(cfg);
        h.peerSynOptions = List.of(new TcpOption.Mss(MSS), new TcpOption.SackPermitted());
        h.established();
        return h;
    }

    private static TcpConfig cubic() {
        return TcpConfig.defaults().withSending(sd -> sd.withNoDelay(true))
                .withRecovery(rc -> rc.withCongestionControl(TcpConfig.CongestionControlKind.CUBIC));
    }

    /** An ACK at relative {@code ack} SACKing [left, right) (relative to our ISS). */
    private static void sackAck(TcpHarness h, int ack, int left, int right) {
        h.inject(new TcpRepr(TcpHarness.REMOTE_PORT, TcpHarness.LOCAL_PORT, TcpHarness.PEER_ISS + 1, h.iss + ack, TcpHarness.A,
                65535, 0, List.of(new TcpOption.Nop(), new TcpOption.Nop(),
                new TcpOption.Sack(List.of(new TcpOption.SackBlock(h.iss + left, h.iss + right))))), new byte[0]);
    }

    /** Ten segments out, the first lost, three SACKs: recovery starts with the fast retransmit. */
    private static TcpHarness intoRecovery(TcpConfig cfg) {
        TcpHarness h = connected(cfg);
        h.send(TcpHarness.bytes(10 * MSS, 3));
        for (int i = 0; i < 10; i++) h.expectData(1 + i * MSS, 1, MSS);
        h.expectNothing();
        for (int k = 1; k <= 3; k++) sackAck(h, 1, 1 + MSS, 1 + (1 + k) * MSS);
        h.expectData(1, 1, MSS); // fast retransmit
        h.expectNothing();
        assertTrue(h.conn.status().inRecovery());
        assertEquals(7 * MSS, h.conn.status().ssthresh(), "CUBIC: 0.7 of a 10-segment window");
        return h;
    }

    @Test void withPrrOneSegmentGoesOutPerSegmentSackedWhilePipeStaysAtSsthresh() {
        TcpHarness h = intoRecovery(cubic().withRecovery(rc -> rc.withProportionalRateReduction(true)));
        // RFC 6937: pipe = 10 outstanding - 3 SACKed - 0 lost-not-resent = 7 = ssthresh, so sndcnt 0 and
        // cwnd = pipe + sndcnt = 7 segments (Linux's tcpi_snd_cwnd after a fast retransmit with PRR)
        assertEquals(7 * MSS, h.conn.status().cwnd());
        h.send(TcpHarness.bytes(7 * MSS, 4));
        h.expectNothing(); // pipe is at cwnd
        for (int k = 4; k <= 9; k++) {
            sackAck(h, 1, 1 + MSS, 1 + (1 + k) * MSS);
            h.expectData(1 + (6 + k) * MSS, 1, MSS); // one new segment for the one delivered
            h.expectNothing();
            assertEquals(7 * MSS, h.conn.status().cwnd(), "cwnd = pipe + sndcnt stays at 7 segments");
        }
        // the retransmission is acknowledged with everything up to the recovery point: recovery
        // ends with cwnd = ssthresh (RFC 6937 3), and the flight of six lets one more segment out
        h.inject(TcpHarness.A, 1, 1 + 10 * MSS);
        assertFalse(h.conn.status().inRecovery());
        assertEquals(7 * MSS, h.conn.status().cwnd());
        h.expectData(1 + 16 * MSS, 1, MSS);
        h.expectNothing();
    }

    @Test void withoutPrrNewRenoInflatesTheWindowAsBefore() {
        TcpHarness h = intoRecovery(cubic());
        // RFC 5681 3.2: cwnd = ssthresh + 3 * SMSS, then one SMSS more per duplicate ACK
        assertEquals(10 * MSS, h.conn.status().cwnd());
        h.send(TcpHarness.bytes(7 * MSS, 4));
        h.expectNothing();
        for (int k = 4; k <= 9; k++) {
            sackAck(h, 1, 1 + MSS, 1 + (1 + k) * MSS);
            assertEquals((7 + k) * MSS, h.conn.status().cwnd());
            h.expectData(1 + (6 + k) * MSS, 1, MSS);
            h.expectNothing();
        }
        // RFC 6582 full acknowledgment: cwnd = min(ssthresh, max(FlightSize, SMSS) + SMSS)
        h.inject(TcpHarness.A, 1, 1 + 10 * MSS);
        assertFalse(h.conn.status().inRecovery());
        assertEquals(7 * MSS, h.conn.status().cwnd());
        h.expectData(1 + 16 * MSS, 1, MSS);
        h.expectNothing();
    }

    /**
     * NewReno, 20 segments in flight, the first lost, the others SACKed one per ACK; returns how
     * many segments went out for each SACK after the fast retransmit.
     */
    private static String sendsPerSack(TcpConfig cfg) {
        TcpHarness h = connected(cfg);
        h.send(TcpHarness.bytes(10 * MSS, 3));
        for (int i = 0; i < 10; i++) h.expectData(1 + i * MSS, 1, MSS);
        for (int i = 1; i <= 10; i++) h.inject(TcpHarness.A, 1, 1 + i * MSS); // slow start: cwnd 20 segments
        h.send(TcpHarness.bytes(20 * MSS, 4));
        for (int i = 10; i < 30; i++) h.expectData(1 + i * MSS, 1, MSS);
        h.expectNothing();
        int base = 1 + 10 * MSS;
        for (int k = 1; k <= 3; k++) sackAck(h, base, base + MSS, base + (1 + k) * MSS);
        h.expectData(base, 1, MSS);
        h.send(TcpHarness.bytes(20 * MSS, 5)); // (written now: no limited transmit before)
        h.expectNothing();
        assertEquals(10 * MSS, h.conn.status().ssthresh());
        StringBuilder sends = new StringBuilder();
        for (int k = 4; k <= 19; k++) {
            sackAck(h, base, base + MSS, base + (1 + k) * MSS);
            int n = 0;
            for (; !h.out.isEmpty(); n++) h.next();
            sends.append(n);
        }
        return sends.toString();
    }

    @Test void withPrrTheReductionIsSpreadOverTheRecoveryInsteadOfNewRenosPauseThenBurst() {
        TcpConfig b = TcpConfig.defaults().withSending(sd -> sd.withNoDelay(true));
        // RFC 6937 3, pipe > ssthresh: sndcnt = CEIL(prr_delivered * 10000 / 20000) - prr_out, one
        // segment for every two delivered (sub-MSS credit waits for a full segment), from the start;
        // pipe (17 after the fast retransmit) is down to ssthresh after the 14th SACK, and from then
        // on PRR-SSRB sends one segment per segment delivered
        assertEquals("0010101010011111", sendsPerSack(b.withRecovery(rc -> rc.withProportionalRateReduction(true))));
        // RFC 5681 3.2: cwnd 13 segments, +1 per duplicate ACK: nothing until it passes the flight of 20
        assertEquals("0000000111111111", sendsPerSack(b.withRecovery(rc -> rc.withProportionalRateReduction(false))));
    }

    /** The full ACK of the recovery, its first SACK block a D-SACK of [left, right) (RFC 2883). */
    private static void dsackAck(TcpHarness h, int ack, int left, int right) {
        sackAck(h, ack, left, right);
    }

    @Test void aRecoveryWhoseRetransmissionIsReportedAsADuplicateIsUndoneWithDsackUndo() {
        // the "lost" segment was only delayed: the peer reports the retransmission as a duplicate
        TcpHarness h = intoRecovery(cubic().withRecovery(rc -> rc.withProportionalRateReduction(true).withDsackUndo(true)));
        assertEquals(7 * MSS, h.conn.status().cwnd());
        dsackAck(h, 1 + 10 * MSS, 1, 1 + MSS);
        assertFalse(h.conn.status().inRecovery());
        assertEquals(10 * MSS, h.conn.status().cwnd(), "cwnd from before the recovery");
        assertTrue(h.conn.status().ssthresh() > 10 * MSS, "ssthresh from before the recovery (still unbounded)");
        assertEquals(1, h.counters.get("tcp.recovery_undos"));
    }

    @Test void withoutDsackUndoOrWithoutTheDsackTheReductionStays() {
        TcpHarness h = intoRecovery(cubic().withRecovery(rc -> rc.withProportionalRateReduction(true)));
        dsackAck(h, 1 + 10 * MSS, 1, 1 + MSS);
        assertEquals(7 * MSS, h.conn.status().cwnd(), "dsackUndo off");
        TcpHarness g = intoRecovery(cubic().withRecovery(rc -> rc.withProportionalRateReduction(true).withDsackUndo(true)));
        g.inject(TcpHarness.A, 1, 1 + 10 * MSS); // no D-SACK: the retransmission was needed
        assertEquals(7 * MSS, g.conn.status().cwnd());
        assertEquals(0, g.counters.get("tcp.recovery_undos"));
    }
}
