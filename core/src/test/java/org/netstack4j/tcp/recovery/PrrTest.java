package org.netstack4j.tcp.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RFC 6937 Proportional Rate Reduction: the formulas of section 3 and the behaviour of section 5's examples. */
class PrrTest {
    static final int MSS = 1000;

    @Test void proportionalPartIsTheCeilingOfDeliveredTimesSsthreshOverRecoverFsLessWhatWasSent() {
        // RFC 6937 3: pipe > ssthresh: sndcnt = CEIL(prr_delivered * ssthresh / RecoverFS) - prr_out
        assertEquals(1500 - 1000, Prr.sndcnt(3000, 1000, 1000, 6000, 5000, 10_000, MSS, true));
        assertEquals(1, Prr.sndcnt(1, 0, 1, 9000, 5000, 10_000, MSS, true), "CEIL(0.5) = 1");
        assertEquals(2, Prr.sndcnt(3, 0, 1, 9000, 5000, 10_000, MSS, true), "CEIL(1.5) = 2");
        assertEquals(0, Prr.sndcnt(1000, 1000, 1000, 7000, 5000, 10_000, MSS, true), "never negative");
    }

    @Test void slowStartReductionBoundAllowsOneMssBeyondWhatWasDeliveredUpToSsthresh() {
        // RFC 6937 3: pipe <= ssthresh: sndcnt = MIN(ssthresh - pipe, MAX(prr_delivered - prr_out, DeliveredData) + MSS)
        assertEquals(2000, Prr.sndcnt(5000, 5000, 1000, 2000, 5000, 10_000, MSS, true), "one delivered + one MSS (PRR-SSRB)");
        assertEquals(1000, Prr.sndcnt(5000, 5000, 1000, 2000, 5000, 10_000, MSS, false), "without the bonus: as much as was delivered");
        assertEquals(1000, Prr.sndcnt(5000, 5000, 3000, 4000, 5000, 10_000, MSS, true), "never above ssthresh - pipe");
        assertEquals(4000, Prr.sndcnt(8000, 5000, 1000, 0, 5000, 10_000, MSS, true),
                "MAX(prr_delivered - prr_out, DeliveredData): what an earlier ACK could not send is sent now");
        assertEquals(0, Prr.sndcnt(8000, 5000, 1000, 5000, 5000, 10_000, MSS, true), "pipe at ssthresh: nothing");
    }

    @Test void theStateCountsDeliveredAndSentSinceRecoveryBegan() {
        Prr p = new Prr(10_000);
        p.onSent(1000); // the fast retransmit
        assertEquals(0, p.onAck(1000, 7000, 5000, MSS, true), "ceil(1000 * 5000 / 10000) - 1000 < 0");
        assertEquals(500, p.onAck(2000, 5000 + 1, 5000, MSS, true), "ceil(3000 * 5000 / 10000) - 1000");
        assertEquals(3000, p.prrDelivered());
        assertEquals(1000, p.prrOut());
        assertEquals(10_000, p.recoverFs());
        assertThrows(IllegalArgumentException.class, () -> new Prr(-1));
    }

    /** One ACK per segment delivered, sending whole segments of what sndcnt allows (in segment units). */
    private static List<Integer> drive(int flight, int ssthresh, int lostAtOnce, int acks) {
        Prr p = new Prr(flight);
        int pipe = flight - lostAtOnce; // the lost segments left the network without being delivered
        List<Integer> sent = new ArrayList<>();
        for (int a = 0; a < acks; a++) {
            pipe -= 1; // this ACK reports one segment delivered
            long sndcnt = p.onAck(1, pipe, ssthresh, 1, true);
            int n = (int) sndcnt;
            if (a == 0 && n == 0) n = 1; // RFC 6937 3: the fast retransmit always goes out
            p.onSent(n);
            pipe += n;
            sent.add(n);
        }
        return sent;
    }

    @Test void aSingleLossSendsEveryOtherAckAndEndsWithPipeAtSsthresh() {
        // RFC 6937 5, first example: 20 segments in flight, one lost, ssthresh 10 (Reno's half):
        // PRR sends one segment for every two delivered, spread over the recovery, instead of
        // NewReno's silence for half an RTT followed by one segment per ACK.
        List<Integer> sent = drive(20, 10, 1, 19);
        // while pipe > ssthresh: CEIL(k * 10 / 20) sent after k ACKs, one every other ACK; pipe
        // reaches ssthresh after ACK 16, and from then on one segment per segment delivered
        assertEquals(List.of(1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 0, 1, 1), sent);
        int total = sent.stream().mapToInt(Integer::intValue).sum();
        assertEquals((int) Math.ceil(19 * 10.0 / 20), total);
        int pipeAtEnd = 20 - 1 - 19 + total;
        assertEquals(10, pipeAtEnd, "RFC 6937 1: by the end of recovery pipe has come down to ssthresh");
    }

    @Test void heavyLossesSlowStartBackToSsthreshAtMostOneSegmentAheadOfDeliveries() {
        // RFC 6937 5, second example: so many segments lost that pipe falls below ssthresh;
        // PRR-SSRB then sends at most DeliveredData + 1 MSS per ACK (slow start), up to ssthresh.
        List<Integer> sent = drive(20, 10, 12, 7);
        // pipe 8 after the losses; each ACK delivers one: pipe 7 -> send MIN(3, 1 + 1) = 2, pipe 8
        // -> MIN(2, 2) = 2, then pipe is at ssthresh: one segment per segment delivered
        assertEquals(List.of(2, 2, 1, 1, 1, 1, 1), sent);
    }
}
