package org.netstack4j.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.netstack4j.tcp.TcpHarness.A;
import static org.netstack4j.tcp.TcpHarness.P;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.netstack4j.wire.TcpOption;

/** Linux's send-buffer accounting ({@link SkbQueue}) in the Linux profile; the RFC profile stays byte-exact. */
class SkbQueueTest {

    private static TcpHarness established(TcpConfig cfg, int peerWindow, int peerMss) {
        TcpHarness h = new TcpHarness(cfg);
        h.peerWindow = peerWindow;
        h.peerSynOptions = List.of(new TcpOption.Mss(peerMss));
        return h.established();
    }

    @Test void soSndbufIsFlooredAtSockMinSndbufAndOneSkbOvershootsIt() {
        TcpHarness h = established(TcpConfig.linuxLike(), 40000, 1000);
        h.conn.setSendBufferSize(2000);
        assertEquals(4608, h.conn.sendBufferSize(), "SOCK_MIN_SNDBUF");
        // the size goal is half the largest window offered (20000, whole segments): the first skb
        // is opened with nothing charged and filled whole, far past sk_sndbuf. Full, it goes out at
        // once: the initial window sends 10 segments of it, splitting it (tso_fragment), and the
        // unsent rest, the write queue's tail, is filled up to the size goal again
        assertEquals(30000, h.send(new byte[100000]));
        assertEquals(0, h.conn.writable());
        assertEquals(0, h.send(new byte[100000]), "no new skb while the charge is at or above sk_sndbuf");
    }

    @Test void rfcProfileStaysByteExact() {
        TcpHarness h = established(TcpConfig.defaults(), 40000, 1000);
        h.conn.setSendBufferSize(2000);
        assertEquals(2000, h.conn.sendBufferSize());
        assertEquals(2000, h.send(new byte[100000]));
    }

    @Test void eachSkbIsChargedItsHeadAndWritableNeedsHalfTheChargeFree() {
        TcpHarness h = established(TcpConfig.linuxLike(), 2000, 1000);
        int[] writableEvents = {0};
        h.conn.setListener(new TcpEventListener() {
            @Override public void onWritable(TcpConnection c) { writableEvents[0]++; }
        });
        h.conn.setSendBufferSize(2000);
        // skbs of one segment (half the 2000-byte window), each charged 1000 + 1280: three are opened
        // (0, 2280 and 4560 charged before each, all below 4608)
        assertEquals(3000, h.send(new byte[10000]));
        h.expect(A | P, 1, 1, 1000); // each skb goes out as soon as it is full (the buffer's end then: PSH)
        h.expect(A | P, 1001, 1, 1000);
        h.advance(10);
        h.inject(A, 1, 1001);
        // 4560 charged: below sk_sndbuf, so a write opens one more skb, but 48 bytes free is less
        // than half the charge: not writable, and a waiting writer is not woken
        assertEquals(0, h.conn.writable());
        assertEquals(0, writableEvents[0]);
        assertEquals(1000, h.send(new byte[10000]));
        assertEquals(0, h.send(new byte[10000]));
        h.advance(10);
        h.inject(A, 1, 3001);
        // one skb (2280) left: writable
        assertTrue(h.conn.writable() > 0);
        assertTrue(writableEvents[0] > 0, "onWritable once half the charge is free");
    }
}
