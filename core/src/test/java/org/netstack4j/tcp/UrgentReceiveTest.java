package org.netstack4j.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.netstack4j.tcp.TcpHarness.A;
import static org.netstack4j.tcp.TcpHarness.F;
import static org.netstack4j.tcp.TcpHarness.P;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.netstack4j.wire.TcpRepr;

/** Urgent data received (RFC 6093, Linux tcp_check_urg / tcp_recvmsg / tcp_recv_urg): {@link Urgent}. */
class UrgentReceiveTest {

    private static void urgent(TcpHarness h, int relSeq, String data, int pointer) {
        TcpRepr t = new TcpRepr(h.remotePort, h.localPort, h.peerIss + relSeq, h.iss + 1, A | P | TcpRepr.URG,
                h.peerWindow, pointer, List.of());
        h.inject(t, data.getBytes(StandardCharsets.US_ASCII));
    }

    private static String read(TcpHarness h, int max) {
        byte[] b = new byte[max];
        int n = h.conn.receive(h.now, b, 0, max);
        return n <= 0 ? "<" + n + ">" : new String(b, 0, n, StandardCharsets.US_ASCII);
    }

    @Test void theUrgentByteLeavesTheStreamAndIsReadOnceOutOfBand() {
        TcpHarness h = new TcpHarness(TcpConfig.linuxLike()).established();
        assertEquals(TcpConnection.URGENT_INVALID, h.conn.receiveUrgent(false));
        urgent(h, 1, "hello!", 6); // the pointer points after the urgent byte (RFC 6093 3)
        assertFalse(h.conn.atMark());
        assertEquals("hello", read(h, 100)); // a read stops at the mark
        assertTrue(h.conn.atMark());
        assertEquals('!', h.conn.receiveUrgent(true));
        assertEquals('!', h.conn.receiveUrgent(false));
        assertEquals(TcpConnection.URGENT_INVALID, h.conn.receiveUrgent(false), "read once");
        h.inject(A | P, 7, 1, "world".getBytes(StandardCharsets.US_ASCII));
        assertEquals("world", read(h, 100));
        assertFalse(h.conn.atMark());
    }

    @Test void aReadFromTheMarkSkipsTheUrgentByteEvenWhenItWasNotRead() {
        TcpHarness h = new TcpHarness(TcpConfig.linuxLike()).established();
        urgent(h, 1, "ab!cd", 3);
        assertEquals("ab", read(h, 100));
        assertEquals("cd", read(h, 100));
        assertEquals(TcpConnection.URGENT_INVALID, h.conn.receiveUrgent(false), "the mark is behind the reader");
    }

    @Test void oobInlineKeepsTheByteInTheStreamAndReadsStillStopAtTheMark() {
        TcpHarness h = new TcpHarness(TcpConfig.linuxLike()).established();
        h.conn.setOobInline(true);
        assertTrue(h.conn.oobInline());
        urgent(h, 1, "ab!cd", 3);
        assertEquals(TcpConnection.URGENT_INVALID, h.conn.receiveUrgent(false));
        assertEquals("ab", read(h, 100));
        assertTrue(h.conn.atMark());
        assertEquals("!cd", read(h, 100));
        assertFalse(h.conn.atMark());
    }

    @Test void aPointerAheadOfTheDataIsNotYetThenTheByteArrives() {
        TcpHarness h = new TcpHarness(TcpConfig.linuxLike()).established();
        urgent(h, 1, "abc", 10); // urgent byte: relative 10
        assertEquals(TcpConnection.URGENT_NOT_YET, h.conn.receiveUrgent(false));
        assertEquals("abc", read(h, 100));
        // the byte arrives out of order first: it is taken from that segment (Linux tcp_urg)
        h.inject(A | P, 8, 1, "hij".getBytes(StandardCharsets.US_ASCII));
        assertEquals('j', h.conn.receiveUrgent(false));
        h.inject(A | P, 4, 1, "defg".getBytes(StandardCharsets.US_ASCII));
        assertEquals("defghi", read(h, 100));
        assertTrue(h.conn.atMark());
        assertEquals("<0>", read(h, 100), "only the urgent byte was left: nothing to read");
    }

    @Test void theEndOfTheStreamAnswersZeroWhileTheByteIsMissing() {
        TcpHarness h = new TcpHarness(TcpConfig.linuxLike()).established();
        urgent(h, 1, "abc", 10);
        h.inject(A | F, 4, 1);
        assertEquals(TcpConnection.URGENT_EOF, h.conn.receiveUrgent(false));
    }

    @Test void aLaterPointerMovesTheMarkAndTheEarlierByteIsDataAgain() {
        TcpHarness h = new TcpHarness(TcpConfig.linuxLike()).established();
        urgent(h, 1, "ab!cd", 3);
        urgent(h, 6, "ef?gh", 3);
        assertEquals('?', h.conn.receiveUrgent(false));
        assertEquals("ab!cdef", read(h, 100));
        assertEquals("gh", read(h, 100));
        // a repeated older pointer does not bring a mark back
        urgent(h, 6, "ef?gh", 3);
        assertEquals(TcpConnection.URGENT_INVALID, h.conn.receiveUrgent(false));
    }

    @Test void aNewPointerWhileTheReaderStandsAtTheOldByteDropsThatByte() {
        TcpHarness h = new TcpHarness(TcpConfig.linuxLike()).established();
        urgent(h, 1, "ab!", 3);
        assertEquals("ab", read(h, 100));
        urgent(h, 4, "cd?", 3); // Linux tcp_check_urg: copied_seq++ past the old urgent byte
        assertEquals("cd", read(h, 100));
        assertEquals('?', h.conn.receiveUrgent(false));
    }
}
