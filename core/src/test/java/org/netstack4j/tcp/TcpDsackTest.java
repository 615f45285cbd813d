package org.netstack4j.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.netstack4j.tcp.TcpHarness.A;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.netstack4j.wire.TcpOption;

/** D-SACK generation by the receiver (RFC 2883 4.1): which duplicate is reported, where, and once. */
class TcpDsackTest {

    private static final byte[] DATA = TcpHarness.bytes(1000, 7);

    private static TcpHarness sackConnection(TcpConfig cfg) {
        TcpHarness h = new TcpHarness(cfg);
        h.peerSynOptions = List.of(new TcpOption.Mss(1460), new TcpOption.SackPermitted());
        return h.established();
    }

    private static byte[] part(int from, int to) { return Arrays.copyOfRange(DATA, from - 1, to - 1); }

    /** Sends [from, to) (relative sequence numbers) and returns the ACK it draws. */
    private static TcpHarness.Out segment(TcpHarness h, int from, int to, int expectedAck) {
        h.inject(A, from, 1, part(from, to));
        h.advance(500); // past any delayed ACK
        return h.expect(A, 1, expectedAck, 0);
    }

    @Test void aDuplicateBelowRcvNxtIsReportedOnceAsTheOnlyBlock() {
        TcpHarness h = sackConnection(TcpConfig.defaults());
        assertEquals(List.of(), sack(segment(h, 1, 101, 101)));
        assertEquals(List.of(block(1, 101)), sack(segment(h, 1, 101, 101)), "RFC 2883 4.1.1: the duplicate segment");
        assertEquals(List.of(block(1, 51)), sack(segment(h, 1, 51, 101)), "a duplicate of part of what was received");
        assertEquals(List.of(), sack(segment(h, 101, 201, 201)), "a D-SACK is sent once");
        assertEquals(2, h.counters.get("tcp.out.dsack_old"));
        assertEquals(0, h.counters.get("tcp.out.dsack_ofo"));
    }

    @Test void aSegmentPartlyBelowRcvNxtReportsThePartReceivedBefore() {
        TcpHarness h = sackConnection(TcpConfig.defaults());
        segment(h, 1, 201, 201);
        assertEquals(List.of(block(101, 201)), sack(segment(h, 101, 301, 301)), "RFC 2883 4.1.2");
        assertArrayEquals(part(1, 301), h.readAll());
    }

    @Test void aDuplicateAboveRcvNxtComesFirstThenTheBlockHoldingIt() {
        TcpHarness h = sackConnection(TcpConfig.defaults());
        assertEquals(List.of(block(201, 401)), sack(segment(h, 201, 401, 1)));
        assertEquals(List.of(block(601, 701), block(201, 401)), sack(segment(h, 601, 701, 1)));
        // RFC 2883 4.1.1 / 4.1.3: the D-SACK block, then the (larger) block holding it, then the rest
        assertEquals(List.of(block(301, 351), block(201, 401), block(601, 701)), sack(segment(h, 301, 351, 1)));
        // partly duplicate: the part held before, then the grown block
        assertEquals(List.of(block(601, 651), block(551, 701), block(201, 401)), sack(segment(h, 551, 651, 1)));
        assertEquals(2, h.counters.get("tcp.out.dsack_ofo"));
    }

    @Test void anInOrderSegmentOverHeldDataReportsTheFirstOverlap() {
        TcpHarness h = sackConnection(TcpConfig.defaults());
        segment(h, 201, 301, 1);
        segment(h, 401, 501, 1);
        segment(h, 701, 801, 1);
        // fills up to 601: 201-301 and 401-501 were held; Linux reports the first run only
        assertEquals(List.of(block(201, 301), block(701, 801)), sack(segment(h, 1, 601, 601)));
        // partly below RCV.NXT and over held data: the part below RCV.NXT is the D-SACK
        assertEquals(List.of(block(501, 601)), sack(segment(h, 501, 801, 801)));
        assertArrayEquals(part(1, 801), h.readAll());
    }

    @Test void noDsackWithoutSackOrWhenSwitchedOff() {
        TcpHarness noSack = new TcpHarness().established();
        segment(noSack, 1, 101, 101);
        assertEquals(List.of(), sack(segment(noSack, 1, 101, 101)));
        TcpHarness off = sackConnection(TcpConfig.defaults().withOptions(o -> o.withDsack(false)));
        segment(off, 1, 101, 101);
        assertEquals(List.of(), sack(segment(off, 1, 101, 101)));
        segment(off, 201, 301, 101);
        assertEquals(List.of(block(201, 301)), sack(segment(off, 201, 301, 101)), "only the SACK block");
    }

    @Test void theDsackBlockCountsAgainstTheFourBlocksThatFit() {
        TcpHarness h = sackConnection(TcpConfig.defaults());
        segment(h, 101, 201, 1);
        segment(h, 301, 401, 1);
        segment(h, 501, 601, 1);
        segment(h, 701, 801, 1);
        assertEquals(List.of(block(101, 201), block(101, 201), block(701, 801), block(501, 601)),
            sack(segment(h, 101, 201, 1)), "the D-SACK, the block holding it, then the most recent others: four in all");
    }

    private static TcpOption.SackBlock block(int l, int r) {
        return new TcpOption.SackBlock(TcpHarness.PEER_ISS + l, TcpHarness.PEER_ISS + r);
    }

    private static List<TcpOption.SackBlock> sack(TcpHarness.Out o) {
        for (TcpOption x : o.tcp().options()) if (x instanceof TcpOption.Sack s) return s.blocks();
        return List.of();
    }
}
