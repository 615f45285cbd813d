package org.netstack4j.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.netstack4j.tcp.TcpHarness.A;
import static org.netstack4j.tcp.TcpHarness.S;

import org.junit.jupiter.api.Test;
import org.netstack4j.wire.TcpOption;
import org.netstack4j.wire.TcpRepr;

/**
 * Accurate ECN (RFC 9768) at the sender, packet by packet: how a large ACK's ACE counter is read
 * when the option does not tell (Linux's packets-per-ACK average), and the option mode changed on
 * a running connection (Linux's tcp_ecn_option sysctl, read per segment).
 */
class AccEcnAckTest {
    /** ACE 101: the peer's r.cep is 5, its initial value: no CE seen. */
    private static final int ACE_5 = TcpRepr.AE | TcpRepr.ECE;

    /** A passive AccECN connection (tcp_ecn=3) with the given option mode, MSS 1000, established. */
    private static TcpHarness accEcnServer(int optionMode) { return accEcnServer(optionMode, java.util.List.of()); }

    /** The same, the peer's segments from the handshake's ACK on carrying {@code peerOptions}. */
    private static TcpHarness accEcnServer(int optionMode, java.util.List<TcpOption> peerOptions) {
        TcpConfig cfg = TcpConfig.linuxLike().withOptions(o -> o.withEcn(TcpConfig.Options.ECN_ACCURATE).withAccEcnOption(optionMode));
        TcpHarness h = new TcpHarness(cfg);
        h.peerSynOptions = java.util.List.of(new TcpOption.Mss(1000));
        h.listening();
        h.inject(S | TcpRepr.ACE_FLAGS, 0, 0);
        TcpHarness.Out synAck = h.next();
        h.iss = synAck.tcp().seq();
        h.peerOptions = peerOptions;
        h.inject(A | TcpRepr.CWR, 1, 1); // ACE 010: reflects our Not-ECT SYN,ACK
        h.conn = h.listener.accept();
        assertNotNull(h.conn);
        assertTrue(h.conn.accEcnInfo().active(), "AccECN negotiated");
        return h;
    }

    /** Sends n bytes and drops what went out (the peer has not ACKed it yet). */
    private static void sendAll(TcpHarness h, int n) {
        h.send(TcpHarness.bytes(n, 1));
        h.out.clear();
    }

    private static void ack(TcpHarness h, int relAck, int aceFlags) {
        h.inject(A | aceFlags, 1, relAck);
    }

    @Test void theAverageStartsAtTheFirstSampleAndMovesBy1Of64() {
        assertEquals(10 << 6, AccEcn.pktsAckedEwma(0, 10));
        assertEquals((64 * 63 + (10 << 6)) >> 6, AccEcn.pktsAckedEwma(64, 10)); // 73: still about one per ACK
        assertEquals(0xFFFF, AccEcn.pktsAckedEwma(0, 5000), "16 bits, as Linux's u16");
    }

    @Test void aLargeAckWithoutMovementIsNoWrapWhenAcksCoverManyPacketsAnyway() {
        TcpHarness h = accEcnServer(0);
        sendAll(h, 10_000); // ten segments
        ack(h, 10_001, ACE_5); // the first ACK covers ten: the average is 10 > 4
        assertEquals(0, h.conn.accEcnInfo().deliveredCe(), "no CE: the ACE did not move");
        sendAll(h, 10_000);
        ack(h, 20_001, TcpRepr.AE | TcpRepr.CWR); // ACE 110: one CE
        assertEquals(1, h.conn.accEcnInfo().deliveredCe());
    }

    @Test void afterAcksOfOnePacketTheSameLargeAckAssumesTheWrap() {
        TcpHarness h = accEcnServer(0);
        sendAll(h, 1000);
        ack(h, 1001, ACE_5); // average 1 packet per ACK
        sendAll(h, 10_000);
        ack(h, 11_001, ACE_5); // average 73/64: ten packets and an unmoved ACE may hide 8 marks
        assertEquals(8, h.conn.accEcnInfo().deliveredCe(), "RFC 9768 3.2.2.5.1's safe assumption");
    }

    private static boolean hasOption(TcpHarness.Out o) {
        for (TcpOption opt : o.tcp().options())
            if (opt instanceof TcpOption.Unknown u && (u.kind() == AccEcn.KIND_ORDER0 || u.kind() == AccEcn.KIND_ORDER1)) return true;
        return false;
    }

    @Test void theOptionModeChangedOnARunningConnectionTakesItsBytesBackAndGivesThemAgain() {
        // the peer's option (Order 0: e0b 1, ceb 0, e1b 1) from its handshake ACK on: ours then goes
        // on every segment, 12 bytes off the MSS
        TcpHarness h = accEcnServer(TcpConfig.Options.ACCECN_OPTION_FULL,
            java.util.List.of(new TcpOption.Unknown(AccEcn.KIND_ORDER0, new byte[] {0, 0, 1, 0, 0, 0, 0, 0, 1})));
        h.out.clear();
        h.send(TcpHarness.bytes(2000, 1));
        TcpHarness.Out first = h.next();
        assertEquals(988, first.len());
        assertTrue(hasOption(first));
        h.out.clear();
        ack(h, 2001, ACE_5);
        h.out.clear();

        h.conn.setAccEcnOption(0);
        h.send(TcpHarness.bytes(2000, 2));
        TcpHarness.Out plain = h.next();
        assertEquals(1000, plain.len(), "the whole MSS again");
        assertFalse(hasOption(plain));
        h.out.clear();
        ack(h, 4001, ACE_5);
        h.out.clear();

        h.conn.setAccEcnOption(TcpConfig.Options.ACCECN_OPTION_FULL);
        h.send(TcpHarness.bytes(2000, 3));
        TcpHarness.Out again = h.next();
        assertEquals(988, again.len());
        assertTrue(hasOption(again));
        assertThrows(IllegalArgumentException.class, () -> h.conn.setAccEcnOption(4));
    }

    @Test void aConnectionWithoutAccEcnIgnoresTheOptionMode() {
        TcpHarness h = new TcpHarness(TcpConfig.linuxLike()).passiveEstablished();
        h.conn.setAccEcnOption(0);
        assertFalse(h.conn.accEcnInfo().active());
        assertEquals(null, AccEcn.orNull(h.conn), "no AccECN state created");
    }
}
