package org.netstack4j.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.netstack4j.tcp.TcpHarness.A;
import static org.netstack4j.tcp.TcpHarness.P;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.netstack4j.wire.TcpOption;

/**
 * Linux's rcv_ssthresh ({@link TcpConfig.Buffers#growWindow}, tcp_grow_window): each test also
 * runs the byte model (the rule off) and sees it differ.
 */
class GrowWindowTest {

    /** A passive open of the Linux profile (131072-byte buffer, our shift 7); the peer sends MSS 1000. */
    private static TcpHarness harness(boolean grow, boolean sack) {
        TcpConfig cfg = TcpConfig.linuxLike().withBuffers(b -> b.withGrowWindow(grow));
        TcpHarness h = new TcpHarness(cfg);
        h.peerSynOptions = sack
                ? List.of(new TcpOption.Mss(1000), new TcpOption.SackPermitted(), TcpOption.NOP, new TcpOption.WindowScale(7))
                : List.of(new TcpOption.Mss(1000), TcpOption.NOP, new TcpOption.WindowScale(7));
        return h.passiveEstablished();
    }

    @Test void anOutOfOrderSegmentGrowsTheThresholdByTwiceItsLength() {
        // tcp_ooo_rcv_mss's first ACK: 64240 + 2 * 9000 = 82240, aligned up to the scale (128)
        TcpHarness h = harness(true, true);
        assertEquals(64240, h.conn.rcv.ssthresh()); // 131072 / 2 rounded down to 1460
        h.inject(A, 2001, 1, TcpHarness.bytes(9000, 1));
        assertEquals(82304 >> 7, h.expect(A, 1, 1, 0).tcp().window());
        assertEquals(82240, h.conn.rcv.ssthresh());
        assertEquals(1000, h.conn.receiveMss()); // the aggregate measured by the peer's MSS
        TcpHarness b = harness(false, true);
        b.inject(A, 2001, 1, TcpHarness.bytes(9000, 1));
        assertEquals(131072 >> 7, b.expect(A, 1, 1, 0).tcp().window()); // the byte model: the free buffer
    }

    @Test void withoutSackAnOutOfOrderSegmentDoesNotGrowIt() {
        // tcp_data_queue_ofo: "For non sack flows, do not grow window to force DUPACK"
        TcpHarness h = harness(true, false);
        h.inject(A, 2001, 1, TcpHarness.bytes(9000, 1));
        h.expect(A, 1, 1, 0);
        assertEquals(64240, h.conn.rcv.ssthresh());
    }

    @Test void inOrderTextGrowsItFrom128BytesAndNeverPastTheFreeSpace() {
        TcpHarness h = harness(true, true);
        h.inject(A | P, 1, 1, TcpHarness.bytes(100, 1)); // under 128 bytes: tcp_event_data_recv does not grow it
        assertEquals(64240, h.conn.rcv.ssthresh());
        h.inject(A | P, 101, 1, TcpHarness.bytes(1000, 2)); // two MSS, more than twice the segment
        assertEquals(64240 + 2 * 1460, h.conn.rcv.ssthresh());
        // unread text: room = free - rcv_ssthresh; a step of 20000 while the room allows, then none
        h.inject(A, 1101, 1, TcpHarness.bytes(10000, 3));  // free 119972
        assertEquals(87160, h.conn.rcv.ssthresh());
        h.inject(A, 11101, 1, TcpHarness.bytes(10000, 4)); // free 109972: room 22812
        assertEquals(107160, h.conn.rcv.ssthresh());
        h.inject(A, 21101, 1, TcpHarness.bytes(10000, 5)); // free 99972 below it: no room
        assertEquals(107160, h.conn.rcv.ssthresh());
        TcpHarness b = harness(false, true);
        b.inject(A | P, 1, 1, TcpHarness.bytes(100, 1));
        b.inject(A | P, 101, 1, TcpHarness.bytes(1000, 2));
        assertEquals(64240, b.conn.rcv.ssthresh()); // computed on demand, never grown
    }
}
