package org.netstack4j.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.netstack4j.tcp.TcpHarness.A;
import static org.netstack4j.tcp.TcpHarness.F;
import static org.netstack4j.tcp.TcpHarness.R;
import static org.netstack4j.tcp.TcpHarness.S;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.netstack4j.wire.TcpOption;
import org.netstack4j.wire.TcpRepr;

/**
 * The engine fixes and the behaviour knobs that the packetdrill corpora showed up: option
 * layouts as alignment rules, the receive-window policy, quick-ACK and delayed-ACK policies,
 * TIME-WAIT answers, TS.Recent after ACK validation, and the FreeBSD/Linux divergences.
 */
class TcpConformanceTest {

    private static final TcpOption NOP = new TcpOption.Nop();
    private static final TcpOption MSS = new TcpOption.Mss(1460);
    private static final TcpOption SACK_OK = new TcpOption.SackPermitted();
    private static final TcpOption TS = new TcpOption.Timestamps(1, 0);
    private static final TcpOption WS = new TcpOption.WindowScale(7);

    private static List<TcpOption> arrange(OptionLayout l, boolean sack, boolean ts, boolean ws) {
        return l.arrange(false, kind -> switch (kind) {
            case TcpOption.KIND_MSS -> MSS;
            case TcpOption.KIND_SACK_PERMITTED -> sack ? SACK_OK : null;
            case TcpOption.KIND_TIMESTAMPS -> ts ? TS : null;
            case TcpOption.KIND_WSCALE -> ws ? WS : null;
            default -> null;
        });
    }

    // ---------------------------------------------------------------- option layout

    @Test void linuxLayoutPadsEachCombinationLikeLinux() {
        OptionLayout l = OptionLayout.linuxLike();
        assertEquals(List.of(MSS, SACK_OK, TS, NOP, WS), arrange(l, true, true, true));
        assertEquals(List.of(MSS, NOP, NOP, SACK_OK, NOP, WS), arrange(l, true, false, true));
        assertEquals(List.of(MSS, NOP, NOP, TS, NOP, WS), arrange(l, false, true, true));
        assertEquals(List.of(MSS, SACK_OK, TS), arrange(l, true, true, false));
        assertEquals(List.of(MSS, NOP, NOP, SACK_OK), arrange(l, true, false, false));
        assertEquals(List.of(MSS, NOP, WS), arrange(l, false, false, true));
        assertEquals(List.of(MSS), arrange(l, false, false, false));
    }

    @Test void freebsdLayoutPadsEachCombinationLikeFreebsd() {
        OptionLayout l = OptionLayout.freebsdLike();
        assertEquals(List.of(MSS, NOP, WS, SACK_OK, TS), arrange(l, true, true, true));
        assertEquals(List.of(MSS, NOP, WS, NOP, NOP, TS), arrange(l, false, true, true));
        assertEquals(List.of(MSS, SACK_OK), arrange(l, true, false, false)); // + EOL,EOL from the encoder
        assertEquals(List.of(MSS, SACK_OK, TS), arrange(l, true, true, false));
        assertEquals(List.of(MSS, NOP, WS), arrange(l, false, false, true));
    }

    @Test void everyLayoutIsFourByteAlignedWhereTheOsIs() {
        for (boolean sack : new boolean[] {false, true})
            for (boolean ts : new boolean[] {false, true})
                for (boolean ws : new boolean[] {false, true}) {
                    int len = arrange(OptionLayout.linuxLike(), sack, ts, ws).stream().mapToInt(TcpOption::length).sum();
                    assertEquals(0, len % 4, "Linux layout sack=" + sack + " ts=" + ts + " ws=" + ws);
                }
    }

    @Test void synAckWithoutTimestampsUsesLinuxPadding() {
        TcpHarness h = new TcpHarness(TcpConfig.linuxLike()).listening();
        h.peerSynOptions = List.of(new TcpOption.Mss(1000), SACK_OK, NOP, NOP, NOP, WS);
        h.inject(S, 0, 0);
        assertEquals(List.of(MSS, NOP, NOP, SACK_OK, NOP, new TcpOption.WindowScale(7)), h.next().tcp().options());
    }

    // ---------------------------------------------------------------- receive window

    private static TcpHarness freebsd() {
        return new TcpHarness(TcpConfig.freebsdLike().withBuffers(bf -> bf.withReceiveBufferSize(65700)));
    }

    @Test void freeSpacePolicyAdvertisesAllFreeSpaceWithWindowScaling() {
        TcpHarness h = freebsd();
        h.peerSynOptions = List.of(MSS, SACK_OK, WS);
        h.synSent();
        h.inject(S | A, 0, 1);
        // 65700 free >> 6 = 1026, where the SYN advertised (unscaled) 65535
        assertEquals(1026, h.expect(A, 1, 1, 0).tcp().window());
        h.inject(F | A, 1, 1);
        assertEquals(1026, h.expect(A, 1, 2, 0).tcp().window());
    }

    @Test void freeSpacePolicyMovesTheEdgeByFewBytes() {
        TcpHarness h = freebsd().established();
        h.inject(A, 1, 1, TcpHarness.bytes(1, 1));
        h.inject(A, 2, 1, TcpHarness.bytes(2, 1)); // second segment: ACK now (any size)
        // 65700 - 3 unread bytes is still more than the 16-bit field holds
        assertEquals(65535, h.expect(A, 1, 4, 0).tcp().window());
    }

    @Test void swsAvoidanceStaysTheDefault() {
        TcpHarness h = new TcpHarness(TcpConfig.defaults().withBuffers(bf -> bf.withReceiveBufferSize(65535)).withOptions(o -> o.withWindowScale(false))).established();
        h.inject(A, 1, 1, TcpHarness.bytes(100, 1));
        h.advance(40);
        // RFC 9293 3.8.6.2.2: the right edge does not move for 100 bytes
        assertEquals(65435, h.expect(A, 1, 101, 0).tcp().window());
    }

    @Test void freeSpacePolicyChecksSequenceNumbersAgainstTheBufferNotTheField() {
        TcpHarness h = freebsd().established(); // no window scaling: 65535 advertised, 65700 free
        h.inject(new TcpRepr(h.remotePort, h.localPort, h.peerIss + 65700, 0, R, 32767, 0, List.of()), new byte[0]);
        h.expect(A, 1, 1, 0); // in the window: RFC 5961 3.2 challenge ACK
        assertEquals(TcpState.ESTABLISHED, h.conn.state());
        TcpHarness d = new TcpHarness(TcpConfig.defaults().withBuffers(bf -> bf.withReceiveBufferSize(65700)).withOptions(o -> o.withWindowScale(false))).established();
        d.inject(new TcpRepr(d.remotePort, d.localPort, d.peerIss + 65700, 0, R, 32767, 0, List.of()), new byte[0]);
        d.expectNothing(); // outside the advertised 65535: dropped
    }

    // ---------------------------------------------------------------- delayed ACK policies

    @Test void quickAckModeAcksTheFirstSegmentsAtOnce() {
        TcpHarness h = new TcpHarness(TcpConfig.linuxLike()).established();
        for (int i = 0; i < 3; i++) {
            h.inject(A, 1 + 10 * i, 1, TcpHarness.bytes(10, i));
            h.expect(A, 1, 11 + 10 * i, 0);
        }
    }

    @Test void quickAckModeEndsAfterTheConfiguredCount() {
        TcpHarness h = new TcpHarness(TcpConfig.linuxLike().withAcks(ak -> ak.withQuickAcks(2))).established();
        h.inject(A, 1, 1, TcpHarness.bytes(10, 1));
        h.expect(A, 1, 11, 0);
        h.inject(A, 11, 1, TcpHarness.bytes(10, 1));
        h.expect(A, 1, 21, 0);
        h.inject(A, 21, 1, TcpHarness.bytes(10, 1));
        h.expectNothing();
        h.advance(39);
        h.expectNothing();
        h.advance(1);
        h.expect(A, 1, 31, 0);
    }

    @Test void withoutQuickAcksASmallSegmentWaitsForTheTimer() {
        TcpHarness h = new TcpHarness().established();
        h.inject(A, 1, 1, TcpHarness.bytes(10, 1));
        h.expectNothing();
        h.advance(40);
        h.expect(A, 1, 11, 0);
    }

    @Test void linuxDelaysTheAckOfAFinAfterData() {
        TcpHarness h = new TcpHarness(TcpConfig.linuxLike()).established();
        h.inject(A, 1, 1, TcpHarness.bytes(10, 1));
        h.expect(A, 1, 11, 0); // quick ACK
        h.inject(F | A, 11, 1);
        assertEquals(TcpState.CLOSE_WAIT, h.conn.state());
        h.expectNothing(); // the FIN makes the exchange interactive: delayed ACK
        h.advance(40);
        h.expect(A, 1, 12, 0);
    }

    @Test void linuxAcksAFinAtOnceWhenNoDataCameBefore() {
        TcpHarness h = new TcpHarness(TcpConfig.linuxLike()).established();
        h.inject(F | A, 1, 1);
        h.expect(A, 1, 2, 0);
    }

    @Test void anySizeDelayedAckAcksEverySecondSegment() {
        TcpHarness h = new TcpHarness(TcpConfig.defaults().withAcks(ak -> ak.withDelayedAckAnySize(true))).established();
        h.inject(A, 1, 1, TcpHarness.bytes(1, 1));
        h.expectNothing();
        h.inject(A, 2, 1, TcpHarness.bytes(2, 1));
        h.expect(A, 1, 4, 0);
        h.inject(A, 4, 1, TcpHarness.bytes(3000, 1)); // longer than the MSS: at once
        h.expect(A, 1, 3004, 0);
        TcpHarness d = new TcpHarness().established(); // default: only full-sized segments count
        d.inject(A, 1, 1, TcpHarness.bytes(1, 1));
        d.inject(A, 2, 1, TcpHarness.bytes(2, 1));
        d.expectNothing();
    }

    // ---------------------------------------------------------------- TIME-WAIT

    @Test void finAtRcvNxtInTimeWaitIsAckedAndRestartsTwoMsl() {
        TcpHarness h = new TcpHarness().timeWait();
        long msl = h.cfg.timers().mslNs() / 1_000_000;
        h.advance(10_000);
        h.inject(F | A, 2, 2); // RFC 9293 3.10.7.4 eighth step, TIME-WAIT
        h.expect(A, 2, 2, 0);
        h.advance(2 * msl - 1);
        assertEquals(TcpState.TIME_WAIT, h.conn.state());
        h.advance(1);
        assertEquals(TcpState.CLOSED, h.conn.state());
    }

    @Test void timeWaitAcksASegmentInsideTheWindowButIgnoresABareAckAtRcvNxt() {
        TcpHarness h = new TcpHarness().timeWait();
        h.inject(A, 2, 2);
        h.expectNothing();
        h.inject(A, 3, 2);
        h.expect(A, 2, 2, 0);
    }

    @Test void outOfWindowAckRateLimitStartsOnlyWithPureAcks() {
        TcpHarness h = new TcpHarness().timeWait();
        h.inject(F | A, 1, 2); // the retransmitted FIN: ACKed
        h.expect(A, 2, 2, 0);
        h.inject(A, 1, 2); // an old pure ACK just after: still answered once
        h.expect(A, 2, 2, 0);
        h.inject(A, 1, 2); // and now rate limited
        h.expectNothing();
    }

    @Test void freebsdIgnoresSegmentsWithoutAckInTimeWait() {
        TcpHarness h = new TcpHarness(TcpConfig.freebsdLike()).timeWait();
        h.inject(F, 1, 0);
        h.expectNothing();
        TcpHarness d = new TcpHarness().timeWait();
        d.inject(F, 1, 0);
        d.expect(A, 2, 2, 0); // RFC 9293: not acceptable, so ACK
    }

    // ---------------------------------------------------------------- TS.Recent

    @Test void tsRecentIsNotTakenFromASegmentWithAnUnacceptableAck() {
        TcpHarness h = new TcpHarness(TcpConfig.linuxLike());
        h.peerSynOptions = List.of(MSS, SACK_OK, new TcpOption.Timestamps(100, 0));
        h.listening();
        h.inject(S, 0, 0);
        TcpRepr synAck = h.next().tcp();
        h.iss = synAck.seq();
        int ourTs = ((TcpOption.Timestamps) synAck.options().stream().filter(o -> o instanceof TcpOption.Timestamps)
                .findFirst().orElseThrow()).tsVal();
        h.inject(withTs(h, A, 1, 1, 200, ourTs), new byte[0]);
        h.conn = h.listener.accept();
        // a forged FIN whose ACK covers data never sent, with a far-future TSval
        h.inject(withTs(h, F | A, 1, 9999, 200_000, ourTs), new byte[0]);
        h.expectNothing(); // Linux: dropped without an answer
        h.inject(withTs(h, A, 1, 1, 201, ourTs), TcpHarness.bytes(1000, 1));
        TcpRepr ack = h.expect(A, 1, 1001, 0).tcp(); // not dropped by PAWS
        TcpOption.Timestamps ts = (TcpOption.Timestamps) ack.options().stream()
                .filter(o -> o instanceof TcpOption.Timestamps).findFirst().orElseThrow();
        assertEquals(201, ts.tsEcr());
    }

    @Test void rfcDefaultAnswersAnAckOfUnsentData() {
        TcpHarness h = new TcpHarness().established();
        h.inject(A, 1, 9999);
        h.expect(A, 1, 1, 0);
    }

    private static TcpRepr withTs(TcpHarness h, int flags, int relSeq, int relAck, int tsVal, int tsEcr) {
        List<TcpOption> o = new ArrayList<>(List.of(NOP, NOP, new TcpOption.Timestamps(tsVal, tsEcr)));
        return new TcpRepr(h.remotePort, h.localPort, h.peerIss + relSeq, h.iss + relAck, flags, 20000, 0, o);
    }

    // ---------------------------------------------------------------- FreeBSD / Linux divergences

    @Test void freebsdRepeatsTheFinOnTheAckOfASimultaneousClose() {
        TcpHarness h = new TcpHarness(TcpConfig.freebsdLike()).finWait1();
        h.inject(F | A, 1, 1); // the peer's FIN crosses ours
        assertEquals(TcpState.CLOSING, h.conn.state());
        h.expect(F | A, 1, 2, 0);
        TcpHarness d = new TcpHarness().finWait1();
        d.inject(F | A, 1, 1);
        d.expect(A, 2, 2, 0);
    }

    @Test void challengeAckNeverCarriesTheFin() {
        TcpHarness h = new TcpHarness(TcpConfig.freebsdLike()).finWait1();
        h.inject(R, 100, 0);
        h.expect(A, 2, 1, 0);
    }

    @Test void synAckToAListenerIsResetOrDropped() {
        TcpHarness h = new TcpHarness().listening();
        h.inject(S | A, 0, 34);
        assertEquals(R, h.next().tcp().flags());
        TcpHarness f = new TcpHarness(TcpConfig.freebsdLike()).listening();
        f.inject(S | A, 0, 34);
        f.expectNothing();
        assertTrue(f.dropped("syn_ack_to_listen"));
    }

    @Test void closingAListenerForgetsHalfOpenConnectionsSilently() {
        TcpHarness h = new TcpHarness(TcpConfig.linuxLike()).synReceived();
        h.listener.close(h.now);
        h.expectNothing();
        assertEquals(0, h.layer.connectionCount());
        h.inject(A, 1, 1); // the peer completes the handshake: nobody is there any more
        h.expect(R, 1, 0, 0);
    }

    @Test void abortRstCarriesAnAckWhenConfigured() {
        TcpHarness h = new TcpHarness(TcpConfig.linuxLike()).established();
        h.inject(A, 1, 1, TcpHarness.bytes(10, 1));
        h.out.clear();
        h.conn.abort(h.now);
        h.expect(R | A, 1, 11, 0);
        TcpHarness d = new TcpHarness().established();
        d.conn.abort(d.now);
        d.expect(R, 1, 0, 0);
    }
}
