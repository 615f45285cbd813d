package org.netstack4j.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.netstack4j.tcp.TcpHarness.A;
import static org.netstack4j.tcp.TcpHarness.P;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.netstack4j.tcp.Timestamping.Event;
import org.netstack4j.tcp.Timestamping.Kind;
import org.netstack4j.time.Time;

/** SO_TIMESTAMPING ({@link Timestamping}): transmit timestamps per send, receive timestamps per read. */
class TimestampingTest {
    private static final int TX = Timestamping.TX_SCHED | Timestamping.TX_SOFTWARE | Timestamping.TX_ACK
            | Timestamping.SOFTWARE | Timestamping.OPT_ID;

    private static List<Event> drain(TcpConnection c) {
        List<Event> out = new ArrayList<>();
        for (Event e; (e = c.pollTimestamp()) != null; ) out.add(e);
        return out;
    }

    @Test void eachSendMarksItsLastByteSentThenAcknowledged() {
        TcpHarness h = new TcpHarness(TcpConfig.linuxLike()).established();
        h.conn.setTimestamping(TX);
        long t0 = h.now;
        assertEquals(100, h.send(new byte[100]));
        assertEquals(200, h.send(new byte[200]));
        h.expect(A | P, 1, 1, 100);
        h.expectNothing(); // Nagle holds the second send until the first is acknowledged
        h.advance(10);
        h.inject(A, 1, 101);
        long t1 = h.now;
        h.expect(A | P, 101, 1, 200);
        h.advance(10);
        h.inject(A, 1, 301);
        long t2 = h.now;
        // keys count from SND.UNA when the option was set: the last bytes are 99 and 299; each
        // send's SCHED and SND come when its last byte leaves, its ACK when that byte is acknowledged
        assertEquals(List.of(new Event(Kind.SCHED, 99, t0), new Event(Kind.SND, 99, t0),
                new Event(Kind.ACK, 99, t1), new Event(Kind.SCHED, 299, t1), new Event(Kind.SND, 299, t1),
                new Event(Kind.ACK, 299, t2)), drain(h.conn));
        assertNull(h.conn.pollTimestamp(), "the queue is empty (Linux: EAGAIN)");
    }

    @Test void onlyTheSegmentHoldingTheLastByteIsStampedAndRetransmissionsAgain() {
        TcpHarness h = new TcpHarness(TcpConfig.linuxLike()).established();
        h.conn.setTimestamping(Timestamping.TX_SOFTWARE | Timestamping.OPT_ID);
        int mss = h.conn.effMss;
        h.send(new byte[2 * mss]);
        long sent = h.now;
        h.expect(A, 1, 1, mss);
        h.expect(A | P, 1 + mss, 1, mss);
        assertEquals(List.of(new Event(Kind.SND, 2 * mss - 1, sent)), drain(h.conn), "one SND, for the segment with the last byte");
        h.inject(A, 1, 1 + mss);
        h.advance(300); // the first RTO (200 ms) resends the second segment
        List<Event> again = drain(h.conn);
        assertEquals(1, again.size(), "the retransmission is stamped again: " + again);
        assertEquals(2 * mss - 1, again.get(0).key());
    }

    @Test void withoutOptIdTheKeyIsZeroAndOffStopsIt() {
        TcpHarness h = new TcpHarness(TcpConfig.linuxLike()).established();
        h.conn.setTimestamping(Timestamping.TX_ACK);
        h.send(new byte[10]);
        h.inject(A, 1, 11);
        assertEquals(List.of(new Event(Kind.ACK, 0, h.now)), drain(h.conn));
        h.conn.setTimestamping(0);
        h.send(new byte[10]);
        h.inject(A, 1, 21);
        assertNull(h.conn.pollTimestamp());
    }

    @Test void optIdNeedsAConnectionAndUnknownBitsAreRefused() {
        TcpHarness e = new TcpHarness(TcpConfig.linuxLike()).established();
        assertThrows(IllegalArgumentException.class, () -> e.conn.setTimestamping(1 << 20));
        e.inject(TcpHarness.R, 1, 0);
        assertEquals(TcpState.CLOSED, e.conn.state());
        assertThrows(IllegalArgumentException.class, () -> e.conn.setTimestamping(Timestamping.OPT_ID));
    }

    @Test void theQueueIsBoundedAndCountsWhatItDrops() {
        TcpHarness h = new TcpHarness(TcpConfig.linuxLike()).established();
        h.conn.setTimestamping(Timestamping.TX_ACK | Timestamping.OPT_ID);
        for (int i = 0; i < Timestamping.MAX_QUEUED + 5; i++) {
            h.send(new byte[1]);
            h.inject(A, 1, 2 + i);
        }
        assertEquals(Timestamping.MAX_QUEUED, drain(h.conn).size());
        assertEquals(5, Timestamping.of(h.conn).dropped());
    }

    @Test void aReadReportsWhenItsLastByteArrived() {
        TcpHarness h = new TcpHarness(TcpConfig.linuxLike()).established();
        h.conn.setTimestamping(Timestamping.RX_SOFTWARE | Timestamping.SOFTWARE);
        assertEquals(Long.MIN_VALUE, h.conn.lastReadTimestamp(), "nothing read yet");
        long t1 = h.now;
        h.inject(A | P, 1, 1, new byte[100]);
        h.advance(5);
        long t2 = h.now;
        h.inject(A | P, 101, 1, new byte[100]);
        byte[] buf = new byte[150];
        assertEquals(150, h.conn.receive(h.now, buf, 0, 150));
        assertEquals(t2, h.conn.lastReadTimestamp(), "the read's last byte came with the second segment");
        h.advance(5);
        assertEquals(50, h.conn.receive(h.now, buf, 0, 150));
        assertEquals(t2, h.conn.lastReadTimestamp());
        h.inject(A | P, 201, 1, new byte[10]);
        long t3 = h.now;
        assertEquals(10, h.conn.receive(h.now, buf, 0, 10));
        assertEquals(t3, h.conn.lastReadTimestamp());
        assertEquals(Time.ms(10), t3 - t1);
    }

    @Test void manyArrivalsStayWithinTheRunBound() {
        TcpHarness h = new TcpHarness(TcpConfig.linuxLike()).established();
        h.conn.setTimestamping(Timestamping.RX_SOFTWARE);
        for (int i = 0; i < 100; i++) {
            h.inject(A | P, 1 + i, 1, new byte[1]);
            h.advance(1);
        }
        byte[] buf = new byte[1];
        long last = Long.MIN_VALUE;
        for (int i = 0; i < 100; i++) {
            assertEquals(1, h.conn.receive(h.now, buf, 0, 1));
            long t = h.conn.lastReadTimestamp();
            assert t >= last : "times never go back";
            last = t;
        }
        assertEquals(h.now - Time.ms(1), last, "the last byte's own arrival");
    }
}
