package org.netstack4j.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.netstack4j.tcp.TcpHarness.A;
import static org.netstack4j.tcp.TcpHarness.F;
import static org.netstack4j.tcp.TcpHarness.P;

import org.junit.jupiter.api.Test;

/**
 * Segments past the right edge of the receive window: trimmed (RFC 9293 3.10.7.4) or, with
 * {@link TcpConfig.Buffers#acceptWholeSegment} (Linux tcp_sequence / tcp_data_queue), taken whole
 * while nothing unread is queued and dropped whole otherwise. On the byte model of the buffer
 * (Linux's truesize accounting, which SO_RCVBUF would switch on, is ReceiveMemoryTest's).
 */
class ReceiveWindowRulesTest {

    private static final int BUF = 8192;

    private static TcpHarness harness(boolean whole) {
        TcpConfig cfg = TcpConfig.linuxLike().withBuffers(b -> b.withSocketReceiveBuffer(BUF).withAcceptWholeSegment(whole).withReceiveTruesize(false));
        return new TcpHarness(cfg).established();
    }

    /** The window the handshake's ACK advertised (no window scale: the peer offered none). */
    private static int window(TcpHarness h) {
        h.inject(A, 0, 1); // old sequence number: answered with an ACK carrying the window
        return h.next().tcp().window();
    }

    @Test void aSegmentPastTheWindowIsTakenWholeWhenNothingIsQueued() {
        TcpHarness h = harness(true);
        h.inject(A | P, 1, 1, TcpHarness.bytes(12000, 1));
        TcpHarness.Out ack = h.expect(A, 1, 12001, 0);
        assertEquals(0, ack.tcp().window());
        assertEquals(12000, h.readAll().length);
        assertEquals(0, h.counters.get("tcp.drop.beyond_window"));
    }

    @Test void withoutTheRuleTheSameSegmentIsTrimmedToTheWindow() {
        TcpHarness h = harness(false);
        int w = window(h);
        h.inject(A | P, 1, 1, TcpHarness.bytes(12000, 1));
        h.expect(A, 1, 1 + w, 0);
        assertEquals(w, h.readAll().length);
    }

    @Test void aSegmentCrossingTheEdgeIsDroppedWholeWhileDataIsQueued() {
        TcpHarness h = harness(true);
        int w = window(h);
        h.inject(A | P, 1, 1, TcpHarness.bytes(1000, 1));
        h.out.clear();
        h.inject(A | P, 1001, 1, TcpHarness.bytes(w, 2)); // ends 1000 bytes past the edge
        h.expect(A, 1, 1001, 0);
        assertEquals(1, h.counters.get("tcp.drop.beyond_window"));
        assertEquals(1000, h.readAll().length);
        // without the rule the part inside the window is kept
        TcpHarness r = harness(false);
        r.inject(A | P, 1, 1, TcpHarness.bytes(1000, 1));
        r.out.clear();
        r.inject(A | P, 1001, 1, TcpHarness.bytes(w, 2));
        r.expect(A, 1, 1 + w, 0);
    }

    @Test void aFinAlonePastTheEdgeIsTakenAndAClosedWindowDropsTextAtRcvNxt() {
        TcpHarness h = harness(true);
        int w = window(h);
        h.inject(A | P, 1, 1, TcpHarness.bytes(w, 1)); // fills the window exactly
        h.expect(A, 1, 1 + w, 0);
        h.inject(A | P, 1 + w, 1, TcpHarness.bytes(100, 2)); // text at RCV.NXT, window closed, data queued
        h.expect(A, 1, 1 + w, 0);
        assertEquals(1, h.counters.get("tcp.drop.beyond_window"));
        h.inject(A | F, 1 + w, 1); // nothing queued past the buffer's size: the usual delayed ACK
        h.advance(200);
        h.expect(A, 1, 2 + w, 0);
        assertEquals(TcpState.CLOSE_WAIT, h.conn.state());
    }

    @Test void aFinAfterASegmentTakenPastTheBufferIsAckedAtOnce() {
        TcpHarness h = harness(true);
        h.inject(A | P, 1, 1, TcpHarness.bytes(20000, 1));
        h.expect(A, 1, 20001, 0);
        h.inject(A | F, 20001, 1);
        TcpHarness.Out ack = h.expect(A, 1, 20002, 0); // not after the delayed-ACK timer
        assertEquals(0, ack.tcp().window());
    }

    @Test void theRingHoldsAtMostOneSegmentPastItsSize() {
        RingBuffer r = new RingBuffer(1000);
        r.writeAt(0, new byte[1000 + RingBuffer.MAX_OVERCOMMIT], 0, 1000 + RingBuffer.MAX_OVERCOMMIT);
        r.commit(1000 + RingBuffer.MAX_OVERCOMMIT);
        assertEquals(0, r.free());
        assertThrows(IndexOutOfBoundsException.class, () -> r.writeAt(0, new byte[1], 0, 1));
    }
}
