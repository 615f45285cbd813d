package org.netstack4j.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.netstack4j.tcp.TcpHarness.A;
import static org.netstack4j.tcp.TcpHarness.P;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.netstack4j.wire.TcpOption;

/**
 * Linux's receive-memory accounting for a buffer SO_RCVBUF did not lock
 * ({@link TcpConfig.Buffers#truesizeUnlocked}): sk_rcvbuf is tcp_rmem[1], the window is the free
 * space by truesize, capped by window_clamp and by rcv_ssthresh as tcp_grow_window grows it.
 * Each test also runs the byte model (the knob off) and sees it differ.
 */
class TruesizeUnlockedTest {

    /** A passive open, tcp_rmem = "4096 {@code rmem} 32 MB" (our shift 10); the peer announces MSS 1000 and shift 7. */
    private static TcpHarness harness(int rmem, boolean truesize, boolean sack, boolean shrink) {
        TcpConfig cfg = TcpConfig.linuxLike().withBuffers(b -> b.withReceiveBufferSize(rmem).withMaxReceiveBufferSize(32 << 20)
                .withTruesizeUnlocked(truesize).withShrinkWindow(shrink));
        TcpHarness h = new TcpHarness(cfg);
        h.peerSynOptions = sack
                ? List.of(new TcpOption.Mss(1000), new TcpOption.SackPermitted(), TcpOption.NOP, new TcpOption.WindowScale(7))
                : List.of(new TcpOption.Mss(1000), TcpOption.NOP, new TcpOption.WindowScale(7));
        return h.passiveEstablished();
    }

    @Test void outOfOrderTextGrowsTheThresholdOnlyAsFarAsTheFreeSpaceByTruesize() {
        // sk_rcvbuf 131072. 9000 bytes out of order cost 12544 (ratio 183/256): window_clamp
        // 93696 lifts rcv_ssthresh to the SYN,ACK's 64240, which grows by 18000 to 82240 (free
        // space 84730): window 82944 (81 << 10). 10000 more cost 12544 too: rcv_ssthresh grows
        // only to the free space before them (84730), the free space after them is 75763, and
        // the right edge does not move left: 81 again.
        TcpHarness h = harness(131072, true, true, false);
        h.inject(A, 2001, 1, TcpHarness.bytes(9000, 1));
        assertEquals(81, h.expect(A, 1, 1, 0).tcp().window());
        h.inject(A, 11001, 1, TcpHarness.bytes(10000, 2));
        assertEquals(81, h.expect(A, 1, 1, 0).tcp().window());
        assertEquals(1000, h.conn.receiveMss());
        TcpHarness b = harness(131072, false, true, false);
        b.inject(A, 2001, 1, TcpHarness.bytes(9000, 1));
        assertEquals(81, b.expect(A, 1, 1, 0).tcp().window());
        b.inject(A, 11001, 1, TcpHarness.bytes(10000, 2));
        assertEquals(100, b.expect(A, 1, 1, 0).tcp().window()); // the byte model: rcv_ssthresh 102240
    }

    @Test void withTcpShrinkWindowTheWindowIsTheFreeSpaceByTruesize() {
        // sk_rcvbuf 32768: 10000 bytes in order cost 12544 (ratio 204): free space 16116, rounded
        // down to the scale: 15 << 10. 1023 bytes more (an aggregate of the peer's MSS: no new
        // ratio) cost 2304: 14280, 13 << 10, the right edge moving left (tcp_shrink_window = 1).
        TcpHarness h = harness(32768, true, false, true);
        h.inject(A | P, 1, 1, TcpHarness.bytes(10000, 1));
        assertEquals(15, h.expect(A, 1, 10001, 0).tcp().window());
        h.inject(A | P, 10001, 1, TcpHarness.bytes(1023, 2));
        assertEquals(13, h.expect(A, 1, 11024, 0).tcp().window());
        TcpHarness b = harness(32768, false, false, true);
        b.inject(A | P, 1, 1, TcpHarness.bytes(10000, 1));
        assertEquals(21, b.expect(A, 1, 10001, 0).tcp().window()); // the byte model: the free bytes, by rcv_ssthresh
    }

    @Test void anOutOfOrderSegmentStartingInTheWindowIsTakenWholeWhileNothingIsQueued() {
        // tcp_sequence: text ending past the window is refused only when its start is past it too,
        // or when the receive queue holds data; tcp_data_queue_ofo then queues it whole
        TcpHarness h = harness(131072, true, true, false);
        h.inject(A, 2001, 1, TcpHarness.bytes(9000, 1));
        assertEquals(81, h.expect(A, 1, 1, 0).tcp().window()); // right edge 1 + 82944
        h.inject(A, 11001, 1, TcpHarness.bytes(90000, 2));    // ends at 101001, past it
        h.expect(A, 1, 1, 0);
        h.inject(A | P, 1, 1, TcpHarness.bytes(2000, 3));
        h.expect(A, 1, 101001, 0); // everything held
        assertEquals(0, h.counters.get("tcp.drop.beyond_window"));
    }
}
