package org.netstack4j.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.netstack4j.tcp.TcpHarness.A;
import static org.netstack4j.tcp.TcpHarness.F;
import static org.netstack4j.tcp.TcpHarness.P;
import static org.netstack4j.tcp.TcpHarness.R;
import static org.netstack4j.tcp.TcpHarness.S;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.netstack4j.time.Time;
import org.netstack4j.trace.TraceEvent;
import org.netstack4j.wire.TcpOption;
import org.netstack4j.wire.TcpRepr;

/** Handshakes, closes and resets as packet conversations (RFC 9293 3.5, 3.6, 3.10). */
class TcpStateMachineTest {

    @Test void activeOpenThreeWayHandshake() {
        TcpHarness h = new TcpHarness().synSent();
        h.inject(S | A, 0, 1);
        h.expect(A, 1, 1, 0);
        assertEquals(TcpState.ESTABLISHED, h.conn.state());
        assertEquals(List.of("established"), h.events.log);
        List<TraceEvent.StateChange<?>> sc = h.stateChanges();
        assertEquals(TcpState.SYN_SENT, sc.get(0).to());
        assertEquals("user OPEN (active)", sc.get(0).cause());
        assertEquals(TcpState.ESTABLISHED, sc.get(1).to());
        assertEquals("rcv SYN,ACK", sc.get(1).cause());
    }

    @Test void synCarriesLinuxOptionOrder() {
        TcpHarness h = new TcpHarness();
        h.conn = h.layer.connect(h.now, TcpHarness.LOCAL, 0, TcpHarness.REMOTE, 80, h.events);
        TcpRepr syn = h.next().tcp();
        List<TcpOption> o = syn.options();
        assertTrue(o.get(0) instanceof TcpOption.Mss m && m.mss() == 1460, o.toString());
        assertTrue(o.get(1) instanceof TcpOption.SackPermitted, o.toString());
        assertTrue(o.get(2) instanceof TcpOption.Timestamps, o.toString());
        assertTrue(o.get(3) instanceof TcpOption.Nop, o.toString());
        assertTrue(o.get(4) instanceof TcpOption.WindowScale w && w.shift() == 7, o.toString());
        assertTrue(h.conn.localPort() >= 49152, "ephemeral port from the IANA range");
    }

    @Test void theSmallestIpv4MtuGivesAnMssOf28() {
        // RFC 791: every IPv4 host takes 68-byte datagrams; 68 - 40 leaves 28 bytes of data
        TcpHarness h = new TcpHarness(TcpConfig.defaults().withOptions(o -> o.withMss(28)));
        h.conn = h.layer.connect(h.now, TcpHarness.LOCAL, 0, TcpHarness.REMOTE, 80, h.events);
        assertTrue(h.next().tcp().options().get(0) instanceof TcpOption.Mss m && m.mss() == 28);
    }

    @Test void synRetransmissionsCanDropTheirOptions() {
        TcpHarness h = new TcpHarness(TcpConfig.defaults().withQuirks(qk -> qk.withBareSynAfterRetries(2)));
        h.conn = h.layer.connect(h.now, TcpHarness.LOCAL, 0, TcpHarness.REMOTE, 80, h.events);
        assertEquals(5, h.next().tcp().options().size());
        h.advance(1000);
        assertEquals(5, h.next().tcp().options().size()); // first retransmission: unchanged
        h.advance(2000);
        assertEquals(List.of(new TcpOption.Mss(1460)), h.next().tcp().options()); // second: MSS only
        h.peerSynOptions = List.of(new TcpOption.Mss(1460), new TcpOption.WindowScale(3), new TcpOption.Timestamps(9, 0));
        h.iss = h.conn.status().sndUna();
        h.inject(S | A, 0, 1);
        TcpHarness.Out ack = h.next();
        assertEquals(List.of(), ack.tcp().options(), "timestamps were not offered, so they are off");
        assertEquals(0, h.conn.status().sndWscale());
        assertTrue(!h.conn.status().timestamps());
    }

    @Test void freebsdOptionOrderIsData() {
        TcpHarness h = new TcpHarness(TcpConfig.defaults().withOptions(o -> o.withOptionLayout(OptionLayout.freebsdLike()))).synSent();
        // the fixture consumed the SYN; look at it in the trace
        TcpRepr syn = h.trace.stream().filter(e -> e instanceof TraceEvent.Segment s && !s.in())
                .map(e -> ((TraceEvent.Segment) e).tcp()).findFirst().orElseThrow();
        List<TcpOption> o = syn.options();
        assertTrue(o.get(0) instanceof TcpOption.Mss && o.get(1) instanceof TcpOption.Nop
                && o.get(2) instanceof TcpOption.WindowScale && o.get(3) instanceof TcpOption.SackPermitted
                && o.get(4) instanceof TcpOption.Timestamps, o.toString());
    }

    @Test void passiveOpenThreeWayHandshake() {
        TcpHarness h = new TcpHarness().synReceived();
        assertEquals(0, h.listener.pending());
        assertEquals(1, h.listener.halfOpen());
        h.inject(A, 1, 1);
        assertEquals(1, h.listener.pending());
        TcpConnection c = h.listener.accept();
        assertEquals(TcpState.ESTABLISHED, c.state());
        assertEquals("10.0.0.1:80>10.0.0.2:50000", c.id());
        h.expectNothing();
    }

    @Test void synAckCarriesOnlyOptionsThePeerOffered() {
        TcpHarness h = new TcpHarness().listening();
        h.peerSynOptions = List.of(new TcpOption.Mss(1400), new TcpOption.SackPermitted());
        h.inject(S, 0, 0);
        TcpRepr sa = h.next().tcp();
        // Linux's layout pads SACK-permitted with NOP,NOP when no timestamps follow it
        assertEquals(List.of(new TcpOption.Mss(1460), new TcpOption.Nop(), new TcpOption.Nop(), new TcpOption.SackPermitted()),
                sa.options());
    }

    @Test void retransmittedSynInSynReceivedRepeatsSynAck() {
        TcpHarness h = new TcpHarness().synReceived();
        h.inject(S, 0, 0);
        h.expect(S | A, 0, 1, 0);
        assertEquals(1, h.listener.halfOpen());
    }

    @Test void simultaneousOpen() {
        TcpHarness h = new TcpHarness().synSent();
        h.inject(S, 0, 0); // the peer's SYN crosses ours
        h.expect(S | A, 0, 1, 0);
        assertEquals(TcpState.SYN_RECEIVED, h.conn.state());
        h.inject(S | A, 0, 1); // the peer's SYN,ACK
        h.expect(A, 1, 1, 0);
        assertEquals(TcpState.ESTABLISHED, h.conn.state());
    }

    @Test void simultaneousOpenCompletedByPlainAck() {
        TcpHarness h = new TcpHarness().synSent();
        h.inject(S, 0, 0);
        h.expect(S | A, 0, 1, 0);
        h.inject(A, 1, 1);
        assertEquals(TcpState.ESTABLISHED, h.conn.state());
        h.expectNothing();
    }

    @Test void activeCloseFourWay() {
        TcpHarness h = new TcpHarness().finWait1();
        h.inject(A, 1, 2);
        assertEquals(TcpState.FIN_WAIT_2, h.conn.state());
        h.inject(F | A, 1, 2);
        h.expect(A, 2, 2, 0);
        assertEquals(TcpState.TIME_WAIT, h.conn.state());
        assertTrue(h.events.log.contains("remote-closed"));
        assertEquals(-1, h.conn.receive(h.now, new byte[10], 0, 10));
    }

    @Test void passiveCloseFourWay() {
        TcpHarness h = new TcpHarness().lastAck();
        h.inject(A, 2, 2);
        h.assertClosed(null);
        h.expectNothing();
        assertEquals("rcv ACK of FIN", h.stateChanges().getLast().cause());
    }

    @Test void passiveSideCloseOfAcceptedConnection() {
        TcpHarness h = new TcpHarness().passiveEstablished();
        h.inject(F | A, 1, 1);
        h.expect(A, 1, 2, 0);
        assertEquals(TcpState.CLOSE_WAIT, h.conn.state());
        h.conn.close(h.now);
        h.expect(F | A, 1, 2, 0);
        h.inject(A, 2, 2);
        h.assertClosed(null);
    }

    @Test void simultaneousCloseGoesThroughClosing() {
        TcpHarness h = new TcpHarness().finWait1();
        h.inject(F | A, 1, 1); // the peer's FIN, not yet acknowledging ours
        h.expect(A, 2, 2, 0);
        assertEquals(TcpState.CLOSING, h.conn.state());
        h.inject(A, 2, 2);
        assertEquals(TcpState.TIME_WAIT, h.conn.state());
        h.expectNothing();
    }

    @Test void finWait1FinWithAckOfOurFinGoesStraightToTimeWait() {
        TcpHarness h = new TcpHarness().finWait1();
        h.inject(F | A, 1, 2);
        h.expect(A, 2, 2, 0);
        assertEquals(TcpState.TIME_WAIT, h.conn.state());
    }

    @Test void halfCloseOurSideKeepsReceiving() {
        TcpHarness h = new TcpHarness().finWait2();
        byte[] data = TcpHarness.bytes(300, 7);
        h.inject(A | P, 1, 2, data);
        h.expectNothing(); // delayed ACK
        h.advance(40);
        h.expect(A, 2, 301, 0);
        assertArrayEquals(data, h.readAll());
        h.inject(F | A, 301, 2);
        h.expect(A, 2, 302, 0);
        assertEquals(TcpState.TIME_WAIT, h.conn.state());
        assertEquals(-1, h.conn.receive(h.now, new byte[1], 0, 1));
    }

    @Test void halfClosePeerSideWeKeepSending() {
        TcpHarness h = new TcpHarness().closeWait();
        assertEquals(-1, h.conn.receive(h.now, new byte[1], 0, 1));
        byte[] data = TcpHarness.bytes(100, 1);
        assertEquals(100, h.send(data));
        assertArrayEquals(data, h.expect(A | P, 1, 2, 100).payload());
        h.conn.close(h.now);
        h.expect(F | A, 101, 2, 0);
        h.inject(A, 2, 102);
        h.assertClosed(null);
    }

    @Test void sendAfterCloseThrowsConnectionClosing() {
        TcpHarness h = new TcpHarness().finWait1();
        TcpException e = assertThrows(TcpException.class, () -> h.send(new byte[1]));
        assertEquals(TcpError.CONNECTION_CLOSING, e.error());
        assertEquals("connection closing", e.getMessage());
    }

    @Test void closeWithQueuedDataSendsFinAfterData() {
        TcpHarness h = new TcpHarness().established();
        h.send(TcpHarness.bytes(10, 0));
        h.expect(A | P, 1, 1, 10);
        h.send(TcpHarness.bytes(10, 0)); // held back by Nagle
        h.expectNothing();
        h.conn.close(h.now); // closing pushes everything out (Nagle yields), FIN rides on the last segment
        h.expect(F | A | P, 11, 1, 10);
    }

    @Test void timeWaitLastsTwoMsl() {
        TcpHarness h = new TcpHarness().timeWait();
        long msl = h.cfg.timers().mslNs() / 1_000_000;
        h.advance(2 * msl - 1);
        assertEquals(TcpState.TIME_WAIT, h.conn.state());
        h.advance(1);
        h.assertClosed(null);
        assertEquals(0, h.layer.connectionCount());
        assertEquals("2MSL timeout", h.stateChanges().getLast().cause());
    }

    @Test void retransmittedFinInTimeWaitIsAckedAndRestartsTimer() {
        TcpHarness h = new TcpHarness().timeWait();
        long msl = h.cfg.timers().mslNs() / 1_000_000;
        h.advance(10_000);
        h.inject(F | A, 1, 2); // our ACK of the FIN was lost: the peer repeats the FIN
        h.expect(A, 2, 2, 0);
        h.advance(2 * msl - 1);
        assertEquals(TcpState.TIME_WAIT, h.conn.state());
        h.advance(1);
        assertEquals(TcpState.CLOSED, h.conn.state());
    }

    @Test void labSwitchTimeWaitDisabledForgetsAtOnce() {
        TcpHarness h = new TcpHarness(TcpConfig.defaults().withLab(lb -> lb.withTimeWaitEnabled(false))).finWait2();
        h.inject(F | A, 1, 2);
        h.expect(A, 2, 2, 0);
        h.assertClosed(null);
        assertEquals(0, h.layer.connectionCount());
    }

    @Test void labSwitchWithoutTimeWaitARetransmittedFinGetsRst() {
        TcpHarness h = new TcpHarness(TcpConfig.defaults().withLab(lb -> lb.withTimeWaitEnabled(false))).finWait2();
        h.inject(F | A, 1, 2);
        h.expect(A, 2, 2, 0); // suppose this last ACK is lost...
        h.inject(F | A, 1, 2); // ...the peer repeats its FIN, and nobody remembers the connection
        TcpHarness.Out rst = h.next();
        assertEquals(R, rst.tcp().flags());
        assertEquals(h.iss + 2, rst.tcp().seq(), "<SEQ=SEG.ACK><CTL=RST>: the peer sees a reset instead of a clean close");
    }

    @Test void labSwitchTwoWayHandshakeEstablishesOnSyn() {
        TcpHarness h = new TcpHarness(TcpConfig.defaults().withLab(lb -> lb.withTwoWayHandshake(true))).listening();
        h.inject(S, 0, 0);
        TcpHarness.Out sa = h.next();
        assertEquals(S | A, sa.tcp().flags());
        TcpConnection c = h.listener.accept();
        assertEquals(TcpState.ESTABLISHED, c.state());
        TraceEvent.StateChange<?> sc = h.stateChanges().get(0);
        assertEquals(TcpState.LISTEN, sc.from());
        assertEquals(TcpState.ESTABLISHED, sc.to());
    }

    @Test void passiveOpenTracesListenToSynReceived() {
        TcpHarness h = new TcpHarness().synReceived();
        TraceEvent.StateChange<?> sc = h.stateChanges().get(0);
        assertEquals(TcpState.LISTEN, sc.from());
        assertEquals(TcpState.SYN_RECEIVED, sc.to());
        assertEquals("rcv SYN", sc.cause());
    }

    @Test void newSynReusesTimeWaitPair() {
        TcpHarness h = new TcpHarness().listening();
        h.inject(S, 0, 0);
        h.iss = h.next().tcp().seq();
        h.inject(A, 1, 1);
        h.conn = h.listener.accept();
        h.conn.close(h.now);
        h.expect(F | A, 1, 1, 0);
        h.inject(F | A, 1, 2);
        h.expect(A, 2, 2, 0);
        assertEquals(TcpState.TIME_WAIT, h.conn.state());
        h.inject(h.seg(S, 100_000, 0), new byte[0]);
        assertEquals(TcpState.CLOSED, h.conn.state());
        assertEquals(S | A, h.next().tcp().flags());
        assertEquals(1, h.listener.halfOpen());
    }

    @Test void anOrphanLeavesFinWait2AfterItsTimeout() {
        TcpHarness h = new TcpHarness().established();
        h.conn.close(h.now);
        h.conn.orphan(h.now, Time.s(2));
        h.expect(F | A, 1, 1, 0);
        h.inject(A, 1, 2);
        assertEquals(TcpState.FIN_WAIT_2, h.conn.state());
        h.advance(1999);
        assertEquals(TcpState.FIN_WAIT_2, h.conn.state());
        h.advance(1);
        h.assertClosed(null);
        h.expectNothing();
    }

    @Test void halfClosedButNotOrphanedStaysInFinWait2() {
        TcpHarness h = new TcpHarness().established();
        h.conn.close(h.now);
        h.expect(F | A, 1, 1, 0);
        h.inject(A, 1, 2);
        h.advance(600_000);
        assertEquals(TcpState.FIN_WAIT_2, h.conn.state()); // RFC 9293: only the peer's FIN ends it
        h.inject(A | P, 1, 2, new byte[10]); // and data is still taken
        assertEquals(10, h.conn.readable());
    }

    @Test void dataForAnOrphanIsAnsweredWithRst() {
        TcpHarness h = new TcpHarness().established();
        h.conn.close(h.now);
        h.conn.orphan(h.now, 0);
        h.expect(F | A, 1, 1, 0);
        h.inject(A | P, 1, 2, new byte[10]); // RFC 1122 4.2.2.13
        h.expect(R, 2, 0, 0);
        h.assertClosed(TcpError.CONNECTION_RESET);
    }

    @Test void rstInTimeWaitClosesByDefault() {
        TcpHarness h = new TcpHarness().timeWait();
        h.inject(R, 2, 0);
        h.assertClosed(null);
    }

    @Test void rstInTimeWaitIgnoredWithRfc1337Remedy() {
        TcpHarness h = new TcpHarness(TcpConfig.defaults().withQuirks(qk -> qk.withRstInTimeWait(false))).timeWait();
        h.inject(R, 2, 0);
        assertEquals(TcpState.TIME_WAIT, h.conn.state());
        assertTrue(h.dropped("rst_in_time_wait"));
    }

    @Test void closeInSynReceivedSendsFinOnceEstablished() {
        TcpHarness h = new TcpHarness().synReceived();
        h.inject(A, 1, 1);
        TcpConnection c = h.listener.accept();
        c.close(h.now);
        h.expect(F | A, 1, 1, 0);
        assertEquals(TcpState.FIN_WAIT_1, c.state());
    }

    // ---- resets (RFC 9293 3.5.2, 3.10.7.1; RFC 5961) ----

    @Test void synToClosedPortGetsRstAck() {
        TcpHarness h = new TcpHarness();
        h.inject(S, 0, 0);
        TcpHarness.Out rst = h.next();
        assertEquals(R | A, rst.tcp().flags());
        assertEquals(0, rst.tcp().seq());
        assertEquals(TcpHarness.PEER_ISS + 1, rst.tcp().ack());
        assertEquals(1, h.counters.get("tcp.drop.no_connection"));
    }

    @Test void ackToClosedPortGetsRstAtItsAck() {
        TcpHarness h = new TcpHarness();
        h.iss = 777;
        h.inject(A, 5, 9, new byte[20]);
        TcpHarness.Out rst = h.next();
        assertEquals(R, rst.tcp().flags());
        assertEquals(777 + 9, rst.tcp().seq());
    }

    @Test void rstToClosedPortIsIgnored() {
        TcpHarness h = new TcpHarness();
        h.inject(R, 0, 0);
        h.expectNothing();
        assertTrue(h.dropped("rst_to_closed"));
    }

    @Test void ackToListenerGetsRst() {
        TcpHarness h = new TcpHarness().listening();
        h.iss = 5;
        h.inject(A, 1, 1);
        TcpHarness.Out rst = h.next();
        assertEquals(R, rst.tcp().flags());
        assertEquals(6, rst.tcp().seq());
    }

    @Test void refusedConnect() {
        TcpHarness h = new TcpHarness().synSent();
        h.inject(R | A, 0, 1);
        h.assertClosed(TcpError.CONNECTION_REFUSED);
        assertEquals(TcpError.CONNECTION_REFUSED, h.conn.error());
        TcpException e = assertThrows(TcpException.class, () -> h.send(new byte[1]));
        assertEquals("connection refused", e.getMessage());
    }

    @Test void rstWithWrongAckInSynSentIsIgnored() {
        TcpHarness h = new TcpHarness().synSent();
        h.inject(R | A, 0, 5);
        assertEquals(TcpState.SYN_SENT, h.conn.state());
        h.expectNothing();
    }

    @Test void synAckWithBadAckInSynSentGetsRst() {
        TcpHarness h = new TcpHarness().synSent();
        h.inject(S | A, 0, 7);
        h.expect(R, 7, 0, 0);
        assertEquals(TcpState.SYN_SENT, h.conn.state());
    }

    @Test void rstExactlyAtRcvNxtResets() {
        TcpHarness h = new TcpHarness().established();
        h.inject(R, 1, 0);
        h.assertClosed(TcpError.CONNECTION_RESET);
        h.expectNothing();
        assertThrows(TcpException.class, () -> h.conn.receive(h.now, new byte[1], 0, 1));
    }

    @Test void rstInWindowButNotExactGetsChallengeAck() {
        TcpHarness h = new TcpHarness().established();
        h.inject(R, 1000, 0);
        h.expect(A, 1, 1, 0);
        assertEquals(TcpState.ESTABLISHED, h.conn.state());
        assertEquals(1, h.counters.get("tcp.out.challenge_acks"));
    }

    @Test void withoutRfc5961AnyRstInTheWindowResets() {
        TcpHarness h = new TcpHarness(TcpConfig.defaults().withQuirks(qk -> qk.withChallengeAckOnRst(false))).established();
        h.inject(R, 1_000_000, 0); // outside the window: still dropped
        h.expectNothing();
        assertEquals(TcpState.ESTABLISHED, h.conn.state());
        h.inject(R, 1000, 0); // in the window, not at RCV.NXT: RFC 793 resets
        h.expectNothing();
        h.assertClosed(TcpError.CONNECTION_RESET);
        assertEquals(0, h.counters.get("tcp.out.challenge_acks"));
    }

    @Test void rstOutOfWindowIsDroppedSilently() {
        TcpHarness h = new TcpHarness().established();
        h.inject(R, 1_000_000, 0);
        h.expectNothing();
        assertEquals(TcpState.ESTABLISHED, h.conn.state());
        assertTrue(h.dropped("out_of_window"));
    }

    @Test void challengeAcksAreRateLimited() {
        TcpHarness h = new TcpHarness(TcpConfig.defaults().withLimits(lm -> lm.withChallengeAckLimit(2))).established();
        for (int i = 0; i < 5; i++) h.inject(R, 1000 + i, 0);
        h.expect(A, 1, 1, 0);
        h.expect(A, 1, 1, 0);
        h.expectNothing();
        h.advance(1000);
        h.inject(R, 2000, 0);
        h.expect(A, 1, 1, 0);
    }

    @Test void withoutRfc5961ASynInTheWindowResetsWithRstAck() {
        TcpHarness h = new TcpHarness(TcpConfig.defaults().withQuirks(qk -> qk.withChallengeAckOnSyn(false).withAbortRstWithAck(true))).established();
        h.inject(S, 0, 0); // left of the window: the ordinary ACK of an unacceptable segment
        h.expect(A, 1, 1, 0);
        assertEquals(TcpState.ESTABLISHED, h.conn.state());
        h.inject(S, 500, 0); // in the window
        h.expect(R | A, 1, 1, 0);
        h.assertClosed(TcpError.CONNECTION_RESET);
    }

    @Test void synInEstablishedGetsChallengeAck() {
        TcpHarness h = new TcpHarness().established();
        h.inject(S, 1, 0);
        h.expect(A, 1, 1, 0);
        assertEquals(TcpState.ESTABLISHED, h.conn.state());
        assertTrue(h.dropped("syn_in_window"));
    }

    @Test void ackOfUnsentDataIsAckedAndDropped() {
        TcpHarness h = new TcpHarness().established();
        h.inject(A, 1, 500);
        h.expect(A, 1, 1, 0);
        assertTrue(h.dropped("ack_unsent"));
    }

    @Test void segmentOutsideWindowGetsAck() {
        TcpHarness h = new TcpHarness().established();
        h.inject(A, -5000, 1, new byte[10]); // old duplicate
        h.expect(A, 1, 1, 0);
        assertTrue(h.dropped("out_of_window"));
    }

    @Test void rstInSynReceivedFromPassiveOpenReturnsToListen() {
        TcpHarness h = new TcpHarness().synReceived();
        h.inject(R, 1, 0);
        assertEquals(0, h.listener.halfOpen());
        assertEquals(0, h.layer.connectionCount());
        h.inject(S, 50, 0); // the listener still answers
        assertEquals(S | A, h.next().tcp().flags());
    }

    @Test void abortSendsRst() {
        TcpHarness h = new TcpHarness().established();
        h.conn.abort(h.now);
        h.expect(R, 1, 0, 0);
        h.assertClosed(null);
    }

    @Test void listenerCloseResetsPendingConnections() {
        TcpHarness h = new TcpHarness().synReceived();
        h.listener.close(h.now);
        h.expect(R, 1, 0, 0);
        assertEquals(0, h.layer.connectionCount());
        h.inject(S, 0, 0); // nobody listens any more
        assertEquals(R | A, h.next().tcp().flags());
    }

    @Test void synQueueIsBounded() {
        // without SYN cookies (with them, the third SYN gets a cookie: SynCookiesTest)
        TcpHarness h = new TcpHarness(TcpConfig.defaults().withLimits(lm -> lm.withSynQueueLimit(2))
                .withHardening(Hardening.defaults().withSynCookies(Hardening.SynCookieMode.NEVER))).listening();
        for (int p = 1; p <= 3; p++) {
            h.remotePort = 60000 + p;
            h.inject(S, 0, 0);
        }
        assertEquals(2, h.out.size());
        assertEquals(2, h.listener.halfOpen());
        assertTrue(h.dropped("syn_queue_full"));
    }

    @Test void acceptQueueIsBoundedByBacklog() {
        TcpHarness h = new TcpHarness();
        h.localPort = 80;
        h.listener = h.layer.listen(h.now, TcpHarness.LOCAL, 80, 1, l -> {});
        int[] isn = new int[3];
        for (int p = 1; p <= 2; p++) {
            h.remotePort = 60000 + p;
            h.inject(S, 0, 0);
            isn[p] = h.next().tcp().seq();
        }
        for (int p = 1; p <= 2; p++) {
            h.remotePort = 60000 + p;
            h.iss = isn[p];
            h.inject(A, 1, 1);
        }
        h.remotePort = 60003;
        h.inject(S, 0, 0); // the accept queue is full: new SYNs are dropped too
        h.expectNothing();
        assertEquals(1, h.listener.pending());
        assertTrue(h.dropped("accept_queue_full"));
    }

    @Test void statesPrintAsTheRfcWritesThem() {
        assertEquals("SYN-RECEIVED", TcpState.SYN_RECEIVED.rfcName());
        assertEquals("TIME-WAIT", TcpState.TIME_WAIT.toString());
        assertNull(new TcpHarness().established().conn.error());
    }
}
