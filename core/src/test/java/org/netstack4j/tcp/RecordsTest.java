package org.netstack4j.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.netstack4j.tcp.TcpHarness.A;
import static org.netstack4j.tcp.TcpHarness.P;

import org.junit.jupiter.api.Test;

/** MSG_EOR ({@link TcpConnection#sendRecord}): no segment carries bytes of two records. */
class RecordsTest {

    @Test void recordsAreNeverCoalescedAndOnlyTheLastWaitsForNagle() {
        TcpHarness h = new TcpHarness(TcpConfig.linuxLike()).established();
        byte[] b = new byte[300];
        assertEquals(100, h.conn.sendRecord(h.now, b, 0, 100, false));
        h.expect(A | P, 1, 1, 100);
        // Nagle holds the next small record while the first is unacknowledged...
        assertEquals(200, h.conn.sendRecord(h.now, b, 0, 200, false));
        h.expectNothing();
        // ...but not once a record follows it: it is no longer the last (Linux TCP_NAGLE_PUSH)
        assertEquals(300, h.conn.sendRecord(h.now, b, 0, 300, false));
        h.expect(A | P, 101, 1, 200);
        h.expectNothing();
        h.inject(A, 1, 301);
        h.expect(A | P, 301, 1, 300);
        h.expectNothing();
        // plain sends after a record still coalesce with each other, not with the record
        h.conn.setCork(h.now, true);
        h.conn.sendRecord(h.now, b, 0, 50, false);
        h.conn.send(h.now, b, 0, 70);
        h.conn.send(h.now, b, 0, 80);
        h.inject(A, 1, 601);
        h.expect(A | P, 601, 1, 50);
        h.expectNothing();
        h.inject(A, 1, 651); // acknowledged, so Nagle lets the last short segment go at the uncork
        h.expectNothing();
        h.conn.setCork(h.now, false);
        h.expect(A | P, 651, 1, 150);
    }

    @Test void marksLeaveWhenAcknowledgedAndBoundSegments() {
        Records r = new Records();
        for (int end = 10; end <= 100; end += 10) r.mark(end);
        r.mark(100); // the same end twice is one mark
        assertEquals(10, r.limit(0, 1000));
        assertEquals(5, r.limit(5, 1000));
        assertEquals(3, r.limit(5, 3));
        assertTrue(r.endsAt(50));
        r.ackedUpTo(50);
        assertFalse(r.endsAt(50));
        assertEquals(10, r.limit(50, 1000));
        assertEquals(1, r.limit(99, 1000));
        assertEquals(1000, r.limit(100, 1000));
        r.ackedUpTo(100);
        assertTrue(r.isEmpty());
        // sequence numbers wrap
        r.mark(-10);
        r.mark(20);
        assertEquals(10, r.limit(-20, 1000));
        assertEquals(30, r.limit(-10, 1000));
    }
}
