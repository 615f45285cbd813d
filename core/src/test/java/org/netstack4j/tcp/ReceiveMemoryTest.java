package org.netstack4j.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.netstack4j.tcp.TcpHarness.A;
import static org.netstack4j.tcp.TcpHarness.P;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.netstack4j.wire.TcpOption;

/**
 * Linux's receive-memory accounting ({@link RcvMem}, {@link TcpConfig.Buffers#receiveTruesize}):
 * each test also runs the byte model (the rule off) and sees it differ.
 */
class ReceiveMemoryTest {

    /** A passive open with SO_RCVBUF {@code rcvbuf} set on the listener; the peer announces MSS 1000. */
    private static TcpHarness harness(int rcvbuf, boolean truesize) {
        // the byte model as it was: without rcv_ssthresh (Buffers.growWindow), which the accounting ignores
        TcpConfig cfg = TcpConfig.linuxLike().withBuffers(b -> b.withSocketReceiveBuffer(rcvbuf).withReceiveTruesize(truesize).withGrowWindow(false));
        TcpHarness h = new TcpHarness(cfg);
        h.peerSynOptions = List.of(new TcpOption.Mss(1000));
        return h.passiveEstablished();
    }

    @Test void truesizeIsTheSkbOfALinuxX86Receiver() {
        assertEquals(896, RcvMem.truesize(10));      // the small-head cache (640) and the struct sk_buff
        assertEquals(2304, RcvMem.truesize(1000));   // a 2 KB kmalloc head
        assertEquals(8448, RcvMem.truesize(4000));   // an 8 KB kmalloc head: under a page with its headers
        assertEquals(20736, RcvMem.truesize(20000)); // a one-page head, the rest in a 16 KB compound page
        assertEquals(12544, RcvMem.truesize(10000)); // a one-page head and an 8 KB compound page
        assertEquals(2304, RcvMem.rcvbuf(1));        // SOCK_MIN_RCVBUF
        assertEquals(20000, RcvMem.rcvbuf(10000));   // SO_RCVBUF doubled
    }

    @Test void theWindowIsTheFreeSpaceByTruesize() {
        // tcp_rcv_big_endseq's numbers: sk_rcvbuf 20000, 4000 bytes cost 8448, ratio 121/256:
        // (20000 - 8448) * 121 / 256 = 5460, rounded down to the MSS
        TcpHarness h = harness(10000, true);
        h.inject(A | P, 1, 1, TcpHarness.bytes(4000, 1));
        assertEquals(5000, h.expect(A, 1, 4001, 0).tcp().window());
        TcpHarness b = harness(10000, false);
        b.inject(A | P, 1, 1, TcpHarness.bytes(4000, 1));
        assertEquals(4760, b.expect(A, 1, 4001, 0).tcp().window()); // the byte model: the SYN,ACK's 8760 less 4000
    }

    @Test void anAckIsDelayedWhileTheWindowWouldNotAdvance() {
        // tcp_rcv_toobig: 20000 bytes into sk_rcvbuf 40000 leave less than half free: quick-ACK
        // mode ends and the window to offer (18000) is below the last (18980): the delayed ACK
        TcpHarness h = harness(20000, true);
        h.inject(A | P, 1, 1, TcpHarness.bytes(20000, 1));
        h.expectNothing();
        h.advance(40);
        assertEquals(18000, h.expect(A, 1, 20001, 0).tcp().window());
        TcpHarness b = harness(20000, false);
        b.inject(A | P, 1, 1, TcpHarness.bytes(20000, 1));
        b.expect(A, 1, 20001, 0); // at once
    }

    @Test void aMemorySqueezeDropsRetractsTheWindowAndStillAcceptsTheLargestEdge() {
        TcpHarness h = harness(100000, true);
        for (int i = 0; i < 3; i++) {
            h.inject(A | P, 1 + 20000 * i, 1, TcpHarness.bytes(20000, i));
            h.expect(A, 1, 20001 + 20000 * i, 0);
        }
        assertTrue(h.conn.setReceiveBufferSize(16000)); // sk_rcvbuf 32000 under 62688 charged
        h.inject(A | P, 60001, 1, TcpHarness.bytes(1000, 9));
        assertEquals(0, h.expect(A, 1, 60001, 0).tcp().window()); // dropped, the window retracted
        assertEquals(1, h.counters.get("tcp.rcv.prune_called"));
        assertEquals(1, h.counters.get("tcp.rcv.pruned"));
        assertEquals(1, h.counters.get("tcp.drop.rcvq_full"));
        // a pure ACK beyond the retracted window but inside the largest one is taken silently
        h.inject(A, 61001, 1);
        h.expectNothing();
        // text at RCV.NXT with the window at zero: TCPZeroWindowDrop
        h.inject(A | P, 60001, 1, TcpHarness.bytes(1000, 9));
        assertEquals(0, h.expect(A, 1, 60001, 0).tcp().window());
        assertEquals(1, h.counters.get("tcp.drop.zero_window"));
        // reading frees the memory: a window update, then the text is taken
        assertEquals(60000, h.readAll().length);
        assertTrue(h.expect(A, 1, 60001, 0).tcp().window() > 0);
        h.inject(A | P, 60001, 1, TcpHarness.bytes(1000, 9));
        h.expect(A, 1, 61001, 0);
        assertEquals(1, h.counters.get("tcp.drop.rcvq_full"));
    }

    @Test void withoutTheAccountingSoRcvbufOnAnOpenConnectionChangesNothing() {
        TcpHarness b = harness(100000, false);
        assertFalse(b.conn.setReceiveBufferSize(16000));
        assertNull(b.conn.rare == null ? null : b.conn.rare.rcvMem);
    }

    @Test void theChargesAreABoundedList() {
        TcpHarness h = harness(1 << 20, true);
        RcvMem m = RcvMem.of(h.conn);
        long sum = 0;
        for (int i = 0; i < 1000; i++) {
            m.charge(100 * (i + 1), 100, false);
            sum += RcvMem.truesize(100);
            assertTrue(m.segments() <= RcvMem.MAX_ENTRIES);
        }
        assertEquals(sum, m.rmem); // merged, never lost
        m.release(50_000);
        assertTrue(m.rmem < sum && m.rmem > 0);
        m.release(100_000);
        assertEquals(0, m.rmem);
        assertEquals(0, m.segments());
    }
}
