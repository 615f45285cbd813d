package org.netstack4j.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.netstack4j.tcp.TcpHarness.A;
import static org.netstack4j.tcp.TcpHarness.S;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.netstack4j.wire.TcpOption;
import org.netstack4j.wire.TcpRepr;

/** The window scale and the SYN's window from the receive buffers, as Linux's tcp_select_initial_window. */
class InitialWindowTest {

    private static int wscale(TcpRepr t) {
        for (TcpOption o : t.options()) if (o instanceof TcpOption.WindowScale w) return w.shift();
        return -1;
    }

    private static TcpRepr syn(TcpConfig cfg) {
        TcpHarness h = new TcpHarness(cfg);
        h.conn = h.layer.connect(h.now, TcpHarness.LOCAL, h.localPort, TcpHarness.REMOTE, h.remotePort, h.events);
        TcpRepr t = h.next().tcp();
        assertEquals(S, t.flags());
        return t;
    }

    @Test void theScaleCoversTheLargestBuffer() {
        // Linux's default tcp_rmem[2], 6 MB: ilog2 = 22, shift 7
        assertEquals(7, wscale(syn(TcpConfig.linuxLike())));
        // google's defaults.sh, tcp_rmem[2] = 15 MB: shift 8
        assertEquals(8, wscale(syn(TcpConfig.linuxLike().withBuffers(b -> b.withMaxReceiveBufferSize(15 << 20)))));
        // 4 MB - 1: shift 6 (2^21 <= max < 2^22)
        assertEquals(6, wscale(syn(TcpConfig.linuxLike().withBuffers(b -> b.withMaxReceiveBufferSize((4 << 20) - 1)))));
        // 2^30 and more: RFC 7323 2.3's 14
        assertEquals(14, wscale(syn(TcpConfig.linuxLike().withBuffers(b -> b.withMaxReceiveBufferSize(Integer.MAX_VALUE)))));
        // without the Linux rule: the configured shift, whatever the buffer
        assertEquals(7, wscale(syn(TcpConfig.defaults().withBuffers(b -> b.withReceiveBufferSize(4096)))));
    }

    @Test void soRcvBufBeforeConnectSetsTheScaleAndTheSynWindow() {
        // SO_RCVBUF 200000 (Linux: window_clamp = the buffer): ilog2(200000) = 17, shift 2;
        // the SYN offers min(65535, ...) as the buffer exceeds it
        TcpRepr big = syn(TcpConfig.linuxLike().withBuffers(b -> b.withSocketReceiveBuffer(200_000)));
        assertEquals(2, wscale(big));
        assertEquals(65535, big.window());
        // SO_RCVBUF 10000: shift 0; the window quantized to the MSS: 6 * 1460 = 8760
        TcpRepr small = syn(TcpConfig.linuxLike().withBuffers(b -> b.withSocketReceiveBuffer(10_000)));
        assertEquals(0, wscale(small));
        assertEquals(8760, small.window());
        // the RFC profile offers the buffer as it is
        TcpRepr rfc = syn(TcpConfig.defaults().withBuffers(b -> b.withSocketReceiveBuffer(10_000)));
        assertEquals(10_000, rfc.window());
        assertEquals(7, wscale(rfc));
    }

    @Test void synAckQuantizesToTheMssLessTimestampsAndTheConnectionUsesTheScale() {
        TcpHarness h = new TcpHarness(TcpConfig.linuxLike().withBuffers(b -> b.withSocketReceiveBuffer(30_000))).listening();
        h.peerSynOptions = List.of(new TcpOption.Mss(1460), new TcpOption.SackPermitted(),
                new TcpOption.Timestamps(1, 0), TcpOption.NOP, new TcpOption.WindowScale(7));
        h.inject(S, 0, 0);
        TcpRepr synAck = h.next().tcp();
        assertEquals(S | A, synAck.flags());
        // ilog2(30000) = 14: shift 0; 30000 rounded down to 1448 (1460 less the TS option): 20 * 1448
        assertEquals(0, wscale(synAck));
        assertEquals(28960, synAck.window());
        h.iss = synAck.seq();
        h.peerOptions = List.of(TcpOption.NOP, TcpOption.NOP, new TcpOption.Timestamps(2, 0));
        h.inject(A, 1, 1);
        TcpConnection c = h.listener.accept();
        assertEquals(0, c.status().rcvWscale());
        assertEquals(7, c.status().sndWscale());
    }
}
