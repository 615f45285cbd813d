package org.netstack4j.tcp;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.netstack4j.wire.TcpRepr;

/**
 * A blocked read's array offered to the connection ({@link TcpConnection#offerReadBuffer},
 * {@link ReadTarget}): in-order text lands in it directly, what does not fit (and everything
 * after) goes to the receive buffer in order, and the shortcut steps aside for out-of-order
 * text and urgent data. The window offered is the one an application reading at once would get.
 */
class ReadTargetTest {
    @Test void inOrderTextGoesStraightIntoTheOfferedArrayAndTheRestQueuesInOrder() {
        TcpHarness h = new TcpHarness(TcpConfig.defaults().withBuffers(b -> b.withReceiveBufferSize(16_384))
                .withOptions(o -> o.withWindowScale(false))).established();
        byte[] data = TcpHarness.bytes(5000, 7);
        byte[] app = new byte[2500 + 10];
        h.conn.offerReadBuffer(app, 10, 2500);
        h.inject(TcpHarness.A, 1, 1, Arrays.copyOfRange(data, 0, 1000));
        h.inject(TcpHarness.A, 1001, 1, Arrays.copyOfRange(data, 1000, 2000));
        assertEquals(0, h.conn.readable(), "nothing queued: both segments went into the offered array");
        h.inject(TcpHarness.A, 2001, 1, Arrays.copyOfRange(data, 2000, 3000)); // 500 fit, 500 queue
        h.inject(TcpHarness.A, 3001, 1, Arrays.copyOfRange(data, 3000, 5000)); // after queued bytes: queues
        assertEquals(2500, h.conn.readable());
        assertEquals(2500, h.conn.withdrawReadBuffer(), "bytes placed");
        assertEquals(0, h.conn.withdrawReadBuffer(), "withdrawn once");
        assertArrayEquals(Arrays.copyOfRange(data, 0, 2500), Arrays.copyOfRange(app, 10, 2510));
        ByteArrayOutputStream rest = new ByteArrayOutputStream();
        byte[] b = new byte[700];
        for (int n; (n = h.conn.receive(h.now, b, 0, b.length)) > 0; ) rest.write(b, 0, n);
        assertArrayEquals(Arrays.copyOfRange(data, 2500, 5000), rest.toByteArray());
        // the ACK of the first two segments offered the whole buffer: nothing was queued
        TcpHarness.Out ack = h.out.pollFirst();
        assertNotNull(ack, "an ACK of the first 2000 bytes");
        assertEquals(16_384, ack.tcp().window(), h.describe(ack));
    }

    @Test void outOfOrderTextAndWhatFillsTheHoleGoThroughTheReceiveBuffer() {
        TcpHarness h = new TcpHarness().established();
        byte[] data = TcpHarness.bytes(3000, 11);
        byte[] app = new byte[3000];
        h.conn.offerReadBuffer(app, 0, app.length);
        h.inject(TcpHarness.A, 1001, 1, Arrays.copyOfRange(data, 1000, 3000)); // a hole before it
        h.inject(TcpHarness.A, 1, 1, Arrays.copyOfRange(data, 0, 1000)); // fills it: held text after it
        assertEquals(0, h.conn.withdrawReadBuffer(), "nothing placed while text was held out of order");
        assertEquals(3000, h.conn.readable());
        assertArrayEquals(data, h.readAll());
    }

    @Test void urgentDataKeepsTheReceiveBufferPath() {
        TcpHarness h = new TcpHarness().established();
        byte[] app = new byte[100];
        h.conn.offerReadBuffer(app, 0, app.length);
        TcpRepr urg = new TcpRepr(h.remotePort, h.localPort, h.peerIss + 1, h.iss + 1, TcpHarness.A | TcpRepr.URG,
                h.peerWindow, 3, java.util.List.of());
        h.inject(urg, new byte[] {1, 2, 3, 4});
        assertEquals(0, h.conn.withdrawReadBuffer());
        assertTrue(h.conn.readable() > 0);
    }
}
