package org.netstack4j.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.netstack4j.tcp.TcpHarness.A;
import static org.netstack4j.tcp.TcpHarness.P;
import static org.netstack4j.tcp.TcpHarness.S;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.netstack4j.time.Time;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.trace.TimerAction;
import org.netstack4j.trace.TraceEvent;
import org.netstack4j.wire.TcpOption;
import org.netstack4j.wire.TcpRepr;

/** Retransmission, flow control, Nagle, delayed ACK, reassembly and SACK, fast retransmit. */
class TcpDataTransferTest {

    @Test void rtoEdgeRetransmitsExactlyAtRtoAndBacksOff() {
        TcpHarness h = new TcpHarness().established();
        long rto = h.rtoMs();
        assertEquals(200, rto, "handshake RTT ~0 gives the minimum RTO");
        h.send(TcpHarness.bytes(100, 3));
        h.expect(A | P, 1, 1, 100);
        h.advance(rto - 1);
        h.expectNothing();
        h.advance(1);
        h.expect(A | P, 1, 1, 100);
        assertEquals(2 * rto, h.rtoMs(), "RFC 6298 5.5: RTO doubles");
        h.advance(2 * rto - 1);
        h.expectNothing();
        h.advance(1);
        h.expect(A | P, 1, 1, 100);
        assertEquals(2, h.conn.status().retransmissions());
        assertEquals(2, h.counters.get("tcp.retransmits"));
        h.inject(A, 1, 101);
        h.advance(10_000);
        h.expectNothing();
        assertTrue(h.trace.stream().anyMatch(e -> e instanceof TraceEvent.Timer<?> t && t.name() == TcpTimer.RTO && t.action() == TimerAction.CANCEL));
    }

    @Test void synRetriesExhaustedTimesOut() {
        TcpHarness h = new TcpHarness().synSent();
        long rto = 1000;
        for (int i = 0; i < 6; i++) {
            h.advance(rto - 1);
            h.expectNothing();
            h.advance(1);
            h.expect(S, 0, 0, 0);
            rto *= 2;
        }
        h.advance(rto - 1);
        assertEquals(TcpState.SYN_SENT, h.conn.state());
        h.advance(1);
        h.expectNothing();
        h.assertClosed(TcpError.TIMED_OUT);
    }

    @Test void dataRetriesExhaustedTimesOut() {
        TcpHarness h = new TcpHarness(TcpConfig.defaults().withTimers(tm -> tm.withDataRetries(2))).established();
        h.send(new byte[10]);
        h.expect(A | P, 1, 1, 10);
        h.advance(200);
        h.expect(A | P, 1, 1, 10);
        h.advance(400);
        h.expect(A | P, 1, 1, 10);
        h.advance(800);
        h.assertClosed(TcpError.TIMED_OUT);
    }

    @Test void userTimeoutAbortsUnacknowledgedData() {
        TcpHarness h = new TcpHarness(TcpConfig.defaults().withTimers(tm -> tm.withUserTimeoutNs(1_000_000_000L))).established();
        h.send(new byte[10]);
        h.expect(A | P, 1, 1, 10);
        h.advance(200);
        h.expect(A | P, 1, 1, 10);
        h.advance(400);
        h.expect(A | P, 1, 1, 10);
        h.advance(800); // 1.4 s unacknowledged when the RTO fires: past the 1 s user timeout
        h.assertClosed(TcpError.TIMED_OUT);
    }

    @Test void retransmittedFinAfterRto() {
        TcpHarness h = new TcpHarness().finWait1();
        h.advance(200);
        h.expect(TcpHarness.F | A, 1, 1, 0);
        h.inject(A, 1, 2);
        assertEquals(TcpState.FIN_WAIT_2, h.conn.state());
    }

    @Test void zeroWindowPersistProbesAndReopen() {
        TcpHarness h = new TcpHarness().established();
        h.send(TcpHarness.bytes(1000, 0));
        h.expect(A | P, 1, 1, 1000);
        h.peerWindow = 0;
        h.inject(A, 1, 1001);
        h.send(TcpHarness.bytes(100, 0));
        h.expectNothing();
        long rto = h.rtoMs();
        h.advance(rto - 1);
        h.expectNothing();
        h.advance(1);
        h.expect(A, 1001, 1, 1); // one octet past the closed window
        h.inject(A, 1, 1001); // still closed
        h.expectNothing();
        h.advance(2 * rto - 1);
        h.expectNothing();
        h.advance(1);
        h.expect(A, 1001, 1, 1);
        h.peerWindow = 65535;
        h.inject(A, 1, 1001); // window update
        h.expect(A | P, 1001, 1, 100);
        assertEquals(2, h.counters.get("tcp.out.window_probes"));
    }

    @Test void linuxZeroWindowProbeIsAnEmptySegmentBelowSndUna() {
        TcpHarness h = new TcpHarness(TcpConfig.defaults().withSending(sd -> sd.withZeroWindowProbeData(false))).established();
        h.send(TcpHarness.bytes(1000, 0));
        h.expect(A | P, 1, 1, 1000);
        h.peerWindow = 0;
        h.inject(A, 1, 1001);
        h.send(TcpHarness.bytes(100, 0));
        long rto = h.rtoMs();
        h.advance(rto);
        h.expect(A, 1000, 1, 0); // SEG.SEQ = SND.UNA - 1, no data: the receiver answers with its window
        h.inject(A, 1, 1001);
        h.advance(2 * rto - 1);
        h.expectNothing();
        h.advance(1);
        h.expect(A, 1000, 1, 0);
        h.peerWindow = 65535;
        h.inject(A, 1, 1001);
        h.expect(A | P, 1001, 1, 100);
        assertEquals(2, h.counters.get("tcp.out.window_probes"));
    }

    @Test void receiverZeroWindowThenWindowUpdate() {
        TcpHarness h = new TcpHarness(TcpConfig.defaults().withBuffers(bf -> bf.withReceiveBufferSize(2000))).established();
        h.inject(A, 1, 1, TcpHarness.bytes(1460, 1));
        h.inject(A | P, 1461, 1, TcpHarness.bytes(540, 2));
        h.advance(40);
        assertEquals(0, h.expect(A, 1, 2001, 0).tcp().window());
        h.inject(A, 2001, 1, new byte[1]); // the peer probes
        assertEquals(0, h.expect(A, 1, 2001, 0).tcp().window());
        byte[] buf = new byte[1000];
        assertEquals(1000, h.conn.receive(h.now, buf, 0, 1000));
        assertEquals(1000, h.expect(A, 1, 2001, 0).tcp().window(), "window update once the reader freed enough");
    }

    @Test void receiverSwsAvoidanceHoldsSmallWindowIncrease() {
        TcpHarness h = new TcpHarness(TcpConfig.defaults().withBuffers(bf -> bf.withReceiveBufferSize(4000))).established();
        h.inject(A, 1, 1, TcpHarness.bytes(1460, 1));
        h.inject(A, 1461, 1, TcpHarness.bytes(1460, 1));
        assertEquals(4000 - 2920, h.expect(A, 1, 2921, 0).tcp().window());
        h.conn.receive(h.now, new byte[100], 0, 100); // 100 bytes freed: less than min(RCV.BUFF/2, MSS)
        h.expectNothing();
        h.inject(A, 2921, 1, new byte[10]);
        h.advance(40);
        assertEquals(4000 - 2930, h.expect(A, 1, 2931, 0).tcp().window(), "right edge not moved for 100 bytes");
    }

    @Test void outOfOrderSegmentsReassembledWithSackBlocks() {
        TcpHarness h = new TcpHarness();
        h.peerSynOptions = List.of(new TcpOption.Mss(1460), new TcpOption.SackPermitted());
        h.established();
        byte[] data = TcpHarness.bytes(500, 9);
        h.inject(A, 101, 1, Arrays.copyOfRange(data, 100, 200));
        assertEquals(List.of(block(101, 201)), sack(h.expect(A, 1, 1, 0)));
        h.inject(A, 401, 1, Arrays.copyOfRange(data, 400, 500));
        assertEquals(List.of(block(401, 501), block(101, 201)), sack(h.expect(A, 1, 1, 0)), "most recent block first (RFC 2018 4)");
        h.inject(A, 201, 1, Arrays.copyOfRange(data, 200, 300));
        assertEquals(List.of(block(101, 301), block(401, 501)), sack(h.expect(A, 1, 1, 0)));
        h.inject(A, 1, 1, Arrays.copyOfRange(data, 0, 100));
        assertEquals(List.of(block(401, 501)), sack(h.expect(A, 1, 301, 0)), "ACK at once when a hole fills");
        h.inject(A, 301, 1, Arrays.copyOfRange(data, 300, 400));
        TcpHarness.Out last = h.expect(A, 1, 501, 0);
        assertEquals(List.of(), sack(last));
        assertArrayEquals(data, h.readAll());
    }

    @Test void outOfOrderFinWaitsForTheHole() {
        TcpHarness h = new TcpHarness().established();
        h.inject(TcpHarness.F | A, 101, 1, new byte[50]);
        h.expect(A, 1, 1, 0);
        assertEquals(TcpState.ESTABLISHED, h.conn.state());
        h.inject(A, 1, 1, new byte[100]);
        h.expect(A, 1, 152, 0);
        assertEquals(TcpState.CLOSE_WAIT, h.conn.state());
        assertEquals(150, h.readAll().length);
    }

    @Test void fastRetransmitAfterThreeDuplicateAcksWithLimitedTransmit() {
        TcpHarness h = new TcpHarness(TcpConfig.defaults().withSending(sd -> sd.withNoDelay(true))).established();
        int mss = 1460;
        h.send(TcpHarness.bytes(20 * mss, 5));
        for (int i = 0; i < 10; i++) h.expectData(1 + i * mss, 1, mss); // RFC 6928 initial window
        h.expectNothing();
        h.inject(A, 1, 1 + mss);
        h.expectData(1 + 10 * mss, 1, mss); // slow start: cwnd 11 segments
        h.expectData(1 + 11 * mss, 1, mss);
        h.expectNothing();
        h.inject(A, 1, 1 + mss); // dup 1: limited transmit
        h.expectData(1 + 12 * mss, 1, mss);
        h.inject(A, 1, 1 + mss); // dup 2: limited transmit
        h.expectData(1 + 13 * mss, 1, mss);
        h.inject(A, 1, 1 + mss); // dup 3: fast retransmit
        h.expectData(1 + mss, 1, mss);
        h.expectNothing();
        TcpStatus st = h.conn.status();
        assertEquals(13 * mss / 2, st.ssthresh());
        assertEquals(13 * mss / 2 + 3 * mss, st.cwnd());
        assertEquals(1, h.counters.get("tcp.fast_retransmits"));
        h.inject(A, 1, 1 + 3 * mss); // partial ACK (RFC 6582): retransmit the next hole
        h.expectData(1 + 3 * mss, 1, mss);
        h.inject(A, 1, 1 + 14 * mss); // full ACK: recovery ends
        // RFC 6582 3.2 step 3: cwnd = min(ssthresh, max(FlightSize, SMSS) + SMSS), nothing left in flight
        assertEquals(2 * mss, h.conn.status().cwnd());
        h.expectData(1 + 14 * mss, 1, mss);
        h.expectData(1 + 15 * mss, 1, mss);
        h.expectNothing();
    }

    @Test void withCubicAFastRetransmitKeepsSeventyPercentOfTheWindow() {
        TcpHarness h = new TcpHarness(TcpConfig.defaults().withSending(sd -> sd.withNoDelay(true))
                .withRecovery(rc -> rc.withCongestionControl(TcpConfig.CongestionControlKind.CUBIC))).established();
        int mss = 1460;
        h.send(TcpHarness.bytes(20 * mss, 5));
        for (int i = 0; i < 10; i++) h.expectData(1 + i * mss, 1, mss);
        h.inject(A, 1, 1 + mss); // cwnd 11 segments
        h.expectData(1 + 10 * mss, 1, mss);
        h.expectData(1 + 11 * mss, 1, mss);
        for (int dup = 1; dup <= 2; dup++) {
            h.inject(A, 1, 1 + mss);
            h.expectData(1 + (11 + dup) * mss, 1, mss); // limited transmit
        }
        h.inject(A, 1, 1 + mss); // dup 3: fast retransmit
        h.expectData(1 + mss, 1, mss);
        TcpStatus st = h.conn.status();
        assertEquals((long) (11 * mss * 0.7), st.ssthresh(), "RFC 9438 4.6: beta_cubic = 0.7 of cwnd (NewReno: half the flight)");
        assertEquals(st.ssthresh() + 3 * mss, st.cwnd());
    }

    @Test void sackedDataAboveAHoleStartsRecoveryEvenOnDataSegments() {
        TcpHarness h = new TcpHarness(TcpConfig.defaults().withSending(sd -> sd.withNoDelay(true)));
        h.peerSynOptions = List.of(new TcpOption.Mss(1460), new TcpOption.SackPermitted());
        h.established();
        int mss = 1460;
        h.send(TcpHarness.bytes(6 * mss, 5));
        for (int i = 0; i < 6; i++) h.expectData(1 + i * mss, 1, mss);
        // the first segment is lost; the peer, itself sending data, SACKs the next three
        TcpRepr seg = new TcpRepr(TcpHarness.REMOTE_PORT, TcpHarness.LOCAL_PORT, TcpHarness.PEER_ISS + 1, h.iss + 1, A,
                65535, 0, List.of(new TcpOption.Nop(), new TcpOption.Nop(),
                new TcpOption.Sack(List.of(new TcpOption.SackBlock(h.iss + 1 + mss, h.iss + 1 + 4 * mss)))));
        h.inject(seg, new byte[100]);
        h.expectData(1, 1, mss); // (step five, before the text is processed) RFC 6675 IsLost: resent without three pure duplicate ACKs
        assertEquals(1, h.counters.get("tcp.sack_recoveries"));
    }

    @Test void sackDuplicateAcksCountEvenWhenTheWindowGrows() {
        // Linux grows its advertised window while it queues out-of-order data, so its duplicate
        // ACKs rarely repeat the window; with SACK they still count (RFC 6675 2, "DupAck").
        TcpHarness h = new TcpHarness(TcpConfig.defaults().withSending(sd -> sd.withNoDelay(true)));
        h.peerSynOptions = List.of(new TcpOption.Mss(1460), new TcpOption.SackPermitted());
        h.established();
        int mss = 1460;
        h.send(TcpHarness.bytes(20 * mss, 5));
        for (int i = 0; i < 10; i++) h.expectData(1 + i * mss, 1, mss);
        h.expectNothing();
        // the first segment is lost; each ACK SACKs one more segment and offers a bigger window
        for (int dup = 1; dup <= 2; dup++) {
            h.inject(new TcpRepr(TcpHarness.REMOTE_PORT, TcpHarness.LOCAL_PORT, TcpHarness.PEER_ISS + 1, h.iss + 1, A,
                    40000 + 1000 * dup, 0, List.of(new TcpOption.Nop(), new TcpOption.Nop(), new TcpOption.Sack(List.of(
                            new TcpOption.SackBlock(h.iss + 1 + mss, h.iss + 1 + (1 + dup) * mss))))), new byte[0]);
            h.expectData(1 + (9 + dup) * mss, 1, mss); // RFC 3042 limited transmit: it was duplicate ACK number dup
        }
        h.expectNothing();
        assertEquals(2, h.counters.get("tcp.in.dupacks"));
        // the same SACK information again with yet another window is a window update, not a duplicate ACK
        h.inject(new TcpRepr(TcpHarness.REMOTE_PORT, TcpHarness.LOCAL_PORT, TcpHarness.PEER_ISS + 1, h.iss + 1, A,
                45000, 0, List.of(new TcpOption.Nop(), new TcpOption.Nop(), new TcpOption.Sack(List.of(
                        new TcpOption.SackBlock(h.iss + 1 + mss, h.iss + 1 + 3 * mss))))), new byte[0]);
        h.expectNothing();
        assertEquals(2, h.counters.get("tcp.in.dupacks"));
    }

    @Test void sequenceNumbersWrapBothWays() {
        TcpHarness h = new TcpHarness(TcpConfig.defaults().withSending(sd -> sd.withNoDelay(true)));
        h.layer.setIsnForTests(() -> 0xfffff000); // our data crosses 2^32 after 4095 bytes
        h.peerIss = 0xfffffc00;                     // the peer's after 1023 bytes
        h.peerSynOptions = List.of(new TcpOption.Mss(1460), new TcpOption.SackPermitted());
        h.established();
        assertEquals(0xfffff000, h.iss);
        byte[] out = TcpHarness.bytes(5000, 4);
        h.send(out);
        h.expectData(1, 1, 1460);
        h.expectData(1461, 1, 1460);
        h.expectData(2921, 1, 1460); // ends past the wrap
        h.expectData(4381, 1, 620);
        h.inject(A, 1, 2921);
        h.inject(A, 1, 5001);
        assertEquals(5000, h.conn.status().bytesAcked());
        byte[] in = TcpHarness.bytes(3000, 8);
        h.inject(A, 1501, 5001, Arrays.copyOfRange(in, 1500, 3000)); // out of order, across the wrap
        TcpHarness.Out sackAck = h.expect(A, 5001, 1, 0);
        assertTrue(sackAck.tcp().options().stream().anyMatch(o -> o instanceof TcpOption.Sack));
        h.inject(A, 1, 5001, Arrays.copyOfRange(in, 0, 1500));
        h.expect(A, 5001, 3001, 0);
        assertArrayEquals(in, h.readAll());
    }

    @Test void oneSegmentOfSeveralMssIsAckedAtOnce() {
        TcpHarness h = new TcpHarness().established();
        h.inject(A, 1, 1, new byte[1460]); // one full-sized segment: the ACK may wait
        h.expectNothing();
        h.advance(40);
        h.expect(A, 1, 1461, 0);
        // RFC 9293 3.8.6.3 (SHLD-19): "every second full-sized segment or 2*RMSS bytes of new data"
        h.inject(A, 1461, 1, new byte[3 * 1460]);
        h.expect(A, 1, 1461 + 3 * 1460, 0);
    }

    @Test void aConnectionOrListenerWithItsOwnConfigurationUsesItNotTheStacks() {
        TcpHarness h = new TcpHarness(); // the stack: MSS 1460, 128 KiB buffers, initial RTO 1 s
        TcpConfig own = TcpConfig.defaults().withOptions(o -> o.withMss(600)).withBuffers(bf -> bf.withReceiveBufferSize(6000)).withOptions(o -> o.withWindowScale(false))
                .withTimers(tm -> tm.withInitialRtoNs(Time.s(3)));
        TcpConnection c = h.layer.connect(h.now, TcpHarness.REMOTE, 80, null, ConnectOptions.from(TcpHarness.LOCAL).withConfig(own));
        assertSame(own, c.config());
        TcpHarness.Out syn = h.next();
        assertEquals(List.of(new TcpOption.Mss(600)), syn.tcp().options().stream().filter(o -> o instanceof TcpOption.Mss).toList());
        assertEquals(6000, syn.tcp().window());
        assertTrue(syn.tcp().options().stream().noneMatch(o -> o instanceof TcpOption.WindowScale), "no window scale offered");
        h.advance(2999);
        h.expectNothing(); // its own initial RTO, 3 s (the stack's would have fired at 1 s)
        h.advance(1);
        assertEquals(TcpHarness.S, h.next().tcp().flags());

        TcpHarness srv = new TcpHarness();
        TcpListener l = srv.layer.listen(srv.now, Ipv4Address.ANY, TcpHarness.SERVER_PORT, 8, x -> {}, own);
        assertSame(own, l.config());
        srv.localPort = TcpHarness.SERVER_PORT;
        srv.remotePort = TcpHarness.CLIENT_PORT;
        srv.inject(TcpHarness.S, 0, 0);
        TcpHarness.Out synAck = srv.next();
        assertEquals(TcpHarness.S | TcpHarness.A, synAck.tcp().flags());
        assertEquals(6000, synAck.tcp().window());
        assertTrue(synAck.tcp().options().contains(new TcpOption.Mss(600)), "the listener's MSS: " + synAck.tcp().options());
    }

    /** Delivers segments as one burst (like one poll of a device), without ending it. */
    private static void burst(TcpHarness h, int firstRelSeq, int... lengths) {
        int seq = firstRelSeq;
        for (int len : lengths) {
            h.layer.segmentArrives(h.now, TcpHarness.REMOTE, TcpHarness.LOCAL, h.seg(A, seq, 1), new byte[len], 0, len);
            seq += len;
        }
    }

    @Test void aBurstOfFullSizedSegmentsIsAckedOnceWhenItHasBeenProcessed() {
        TcpHarness h = new TcpHarness().established();
        burst(h, 1, 1460, 1460, 1460, 1460, 1460, 1460);
        h.expectNothing(); // TcpConfig.coalesceAcks: not one ACK per second segment...
        assertTrue(h.layer.pollAt() <= h.now, "the layer wants a poll in the same instant");
        h.layer.poll(h.now);
        h.expect(A, 1, 1 + 6 * 1460, 0); // ...but one for the burst, at once
        h.expectNothing();
        assertTrue(h.layer.pollAt() > h.now, "nothing left due now");
    }

    @Test void withoutCoalescingEverySecondSegmentOfABurstIsAcked() {
        TcpHarness h = new TcpHarness(TcpConfig.defaults().withAcks(ak -> ak.withCoalesceAcks(false))).established();
        burst(h, 1, 1460, 1460, 1460, 1460, 1460, 1460);
        h.expect(A, 1, 1 + 2 * 1460, 0);
        h.expect(A, 1, 1 + 4 * 1460, 0);
        h.expect(A, 1, 1 + 6 * 1460, 0);
        h.expectNothing();
    }

    @Test void anOutOfOrderSegmentInABurstIsStillAckedAtOnce() {
        TcpHarness h = new TcpHarness().established();
        burst(h, 1, 1460, 1460);
        burst(h, 1 + 3 * 1460, 1460); // a hole of one segment: RFC 5681 4.2, a duplicate ACK at once
        h.expect(A, 1, 1 + 2 * 1460, 0);
        h.expectNothing();
        h.layer.poll(h.now); // the burst's ACK was covered by the duplicate ACK: no second one
        h.expectNothing();
    }

    @Test void delayedAckTiming() {
        TcpHarness h = new TcpHarness().established();
        h.inject(A | P, 1, 1, new byte[100]);
        h.expectNothing();
        h.advance(39);
        h.expectNothing();
        h.advance(1);
        h.expect(A, 1, 101, 0);
        h.inject(A, 101, 1, new byte[1460]);
        h.expectNothing();
        h.inject(A, 1561, 1, new byte[1460]);
        h.expect(A, 1, 3021, 0); // every second full-sized segment is ACKed at once
        h.advance(100);
        h.expectNothing();
    }

    @Test void dataPiggybacksThePendingAck() {
        TcpHarness h = new TcpHarness().established();
        h.inject(A | P, 1, 1, new byte[100]);
        h.send(new byte[5]);
        h.expect(A | P, 1, 101, 5);
        h.advance(100);
        h.expectNothing();
    }

    @Test void nagleHoldsSmallSegmentsWhileDataIsUnacked() {
        TcpHarness h = new TcpHarness().established();
        h.send(new byte[10]);
        h.expect(A | P, 1, 1, 10);
        h.send(new byte[10]);
        h.send(new byte[10]);
        h.expectNothing();
        h.inject(A, 1, 11);
        h.expect(A | P, 11, 1, 20);
    }

    @Test void classicNagleHoldsTheTailOfALargeWrite() {
        TcpHarness h = new TcpHarness().established();
        h.send(new byte[2 * 1460 + 300]);
        h.expect(A, 1, 1, 1460);
        h.expect(A, 1461, 1, 1460);
        h.expectNothing(); // RFC 896: the 300-byte tail waits while data is unacknowledged
        h.inject(A, 1, 2921);
        h.expect(A | P, 2921, 1, 300);
    }

    @Test void minshallNagleSendsTheTailAndHoldsTheNextShortSegment() {
        TcpHarness h = new TcpHarness(TcpConfig.defaults().withSending(sd -> sd.withNagleMinshall(true))).established();
        h.send(new byte[2 * 1460 + 300]);
        h.expect(A, 1, 1, 1460);
        h.expect(A, 1461, 1, 1460);
        h.expect(A | P, 2921, 1, 300); // no earlier short segment in flight
        h.send(new byte[10]);
        h.expectNothing(); // the 300-byte segment is unacknowledged
        h.inject(A, 1, 2921);
        h.expectNothing(); // still unacknowledged
        h.inject(A, 1, 3221);
        h.expect(A | P, 3221, 1, 10);
        h.send(new byte[1460]); // a full segment is never held
        h.expect(A | P, 3231, 1, 1460);
    }

    @Test void noDelaySendsAtOnce() {
        TcpHarness h = new TcpHarness().established();
        h.conn.setNoDelay(true);
        h.send(new byte[10]);
        h.expect(A | P, 1, 1, 10);
        h.send(new byte[10]);
        h.expect(A | P, 11, 1, 10);
    }

    @Test void windowScaleAndTimestampsNegotiated() {
        TcpHarness h = new TcpHarness();
        h.peerSynOptions = List.of(new TcpOption.Mss(1460), new TcpOption.WindowScale(2), new TcpOption.Timestamps(5000, 0));
        h.peerOptions = List.of(new TcpOption.Timestamps(5001, 0));
        h.peerWindow = 1000;
        h.synSent();
        h.inject(TcpHarness.S | A, 0, 1);
        TcpHarness.Out ack = h.expect(A, 1, 1, 0);
        assertEquals(131072 >> 7, ack.tcp().window());
        assertTrue(ack.tcp().options().contains(new TcpOption.Timestamps(((TcpOption.Timestamps) ack.tcp().options().get(2)).tsVal(), 5000)));
        h.inject(A, 1, 1);
        TcpStatus st = h.conn.status();
        assertEquals(4000, st.sndWnd());
        assertEquals(1460 - 12, st.effectiveMss(), "RFC 6691: timestamps come off the MSS");
        assertTrue(st.timestamps());
    }

    @Test void pawsDropsOldTimestamps() {
        TcpHarness h = new TcpHarness();
        h.peerSynOptions = List.of(new TcpOption.Mss(1460), new TcpOption.Timestamps(5000, 0));
        h.peerOptions = List.of(new TcpOption.Timestamps(5001, 0));
        h.established();
        h.inject(A, 1, 1, new byte[10]);
        h.advance(40);
        h.expect(A, 1, 11, 0);
        TcpRepr old = new TcpRepr(TcpHarness.REMOTE_PORT, TcpHarness.LOCAL_PORT, TcpHarness.PEER_ISS + 11, h.iss + 1, A,
                65535, 0, List.of(new TcpOption.Timestamps(4000, 0)));
        h.inject(old, new byte[10]);
        h.expect(A, 1, 11, 0);
        assertTrue(h.dropped("paws"));
        assertEquals(10, h.conn.status().bytesReceived());
    }

    @Test void keepaliveProbesThenTimesOut() {
        TcpHarness h = new TcpHarness(TcpConfig.defaults().withTimers(tm -> tm.withKeepalive(true).withKeepaliveIdleNs(10_000_000_000L)
                .withKeepaliveIntervalNs(1_000_000_000L).withKeepaliveProbes(2))).established();
        h.advance(10_000);
        h.expect(A, 0, 1, 0);
        h.advance(1000);
        h.expect(A, 0, 1, 0);
        h.advance(1000);
        h.assertClosed(TcpError.TIMED_OUT);
    }

    @Test void keepaliveAnsweredKeepsConnection() {
        TcpHarness h = new TcpHarness(TcpConfig.defaults().withTimers(tm -> tm.withKeepalive(true).withKeepaliveIdleNs(10_000_000_000L)
                .withKeepaliveIntervalNs(1_000_000_000L).withKeepaliveProbes(2))).established();
        h.advance(10_000);
        h.expect(A, 0, 1, 0);
        h.inject(A, 1, 1);
        h.advance(9_999);
        h.expectNothing();
        assertEquals(TcpState.ESTABLISHED, h.conn.state());
    }

    @Test void keepaliveSwitchedOnPerConnection() {
        TcpHarness h = new TcpHarness().established();
        h.conn.setKeepalive(h.now, true);
        h.advance(h.cfg.timers().keepaliveIdleNs() / 1_000_000);
        h.expect(A, 0, 1, 0);
        h.conn.setKeepalive(h.now, false);
        h.advance(1_000_000);
        h.expectNothing();
    }

    @Test void dataQueuedBeforeTheHandshakeGoesAfterIt() {
        TcpHarness h = new TcpHarness().synSent();
        assertEquals(5, h.send(new byte[5]));
        h.expectNothing();
        h.inject(TcpHarness.S | A, 0, 1);
        h.expect(A | P, 1, 1, 5);
    }

    @Test void sendBufferFullAcceptsPartially() {
        TcpHarness h = new TcpHarness(TcpConfig.defaults().withBuffers(bf -> bf.withSendBufferSize(1000))).established();
        h.peerWindow = 0;
        h.inject(A, 1, 1);
        assertEquals(1000, h.send(new byte[1500]));
        assertEquals(0, h.conn.writable());
        assertEquals(0, h.send(new byte[10]));
    }

    @Test void icmpPortUnreachableRefusesSynSent() {
        TcpHarness h = new TcpHarness().synSent();
        h.layer.icmpDestinationUnreachable(h.now, TcpHarness.LOCAL, TcpHarness.REMOTE, 3, 0, TcpHarness.LOCAL_PORT, 80, h.iss);
        h.assertClosed(TcpError.CONNECTION_REFUSED);
    }

    @Test void icmpQuotingTheSequenceNumberAfterTheSynIsNotBelieved() {
        TcpHarness h = new TcpHarness().synSent();
        // RFC 5927 4.1: SND.UNA =< SEG.SEQ < SND.NXT; ISS + 1 was never sent
        h.layer.icmpDestinationUnreachable(h.now, TcpHarness.LOCAL, TcpHarness.REMOTE, 3, 0, TcpHarness.LOCAL_PORT, 80, h.iss + 1);
        assertEquals(TcpState.SYN_SENT, h.conn.state());
        assertEquals(1, h.counters.get("tcp.icmp.out_of_window"));
    }

    @Test void icmpHardErrorsCanBeSwitchedOff() {
        TcpHarness h = new TcpHarness(TcpConfig.defaults().withQuirks(qk -> qk.withIcmpHardErrorsInSynSent(false))).synSent();
        h.layer.icmpDestinationUnreachable(h.now, TcpHarness.LOCAL, TcpHarness.REMOTE, 3, 0, TcpHarness.LOCAL_PORT, 80, h.iss);
        assertEquals(TcpState.SYN_SENT, h.conn.state()); // soft: named only if the SYN times out
    }

    @Test void prohibitedAndTimeExceededAreSoftByDefaultAndHardForFreebsd() {
        TcpHarness rfc = new TcpHarness().synSent();
        rfc.layer.icmpDestinationUnreachable(rfc.now, TcpHarness.LOCAL, TcpHarness.REMOTE, 13, 0, TcpHarness.LOCAL_PORT, 80, rfc.iss);
        rfc.layer.icmpTimeExceeded(rfc.now, TcpHarness.LOCAL, TcpHarness.REMOTE, TcpHarness.LOCAL_PORT, 80, rfc.iss);
        assertEquals(TcpState.SYN_SENT, rfc.conn.state());

        TcpHarness bsd = new TcpHarness(TcpConfig.defaults().withQuirks(qk -> qk.withIcmpProhibitedIsHard(true))).synSent();
        bsd.layer.icmpDestinationUnreachable(bsd.now, TcpHarness.LOCAL, TcpHarness.REMOTE, 13, 0, TcpHarness.LOCAL_PORT, 80, bsd.iss);
        bsd.assertClosed(TcpError.CONNECTION_REFUSED);

        TcpHarness ttl = new TcpHarness(TcpConfig.defaults().withQuirks(qk -> qk.withIcmpProhibitedIsHard(true))).synSent();
        ttl.layer.icmpTimeExceeded(ttl.now, TcpHarness.LOCAL, TcpHarness.REMOTE, TcpHarness.LOCAL_PORT, 80, ttl.iss);
        ttl.assertClosed(TcpError.HOST_UNREACHABLE);
    }

    private static TcpOption.SackBlock block(int l, int r) {
        return new TcpOption.SackBlock(TcpHarness.PEER_ISS + l, TcpHarness.PEER_ISS + r);
    }

    private static List<TcpOption.SackBlock> sack(TcpHarness.Out o) {
        for (TcpOption x : o.tcp().options()) if (x instanceof TcpOption.Sack s) return s.blocks();
        return List.of();
    }

    /** RFC 9293 3.10.7.3 -> 3.10.7.4: a SYN,ACK's text is bound by the window our SYN offered (TcpConnectionFuzzer's finding). */
    @Test void textOnASynAckIsTrimmedToTheWindowOurSynOffered() {
        TcpHarness h = new TcpHarness(TcpConfig.defaults().withBuffers(b -> b.withReceiveBufferSize(4096).withSendBufferSize(4096))).synSent();
        byte[] text = TcpHarness.bytes(13_312, 3);
        h.inject(TcpHarness.S | A | TcpRepr.FIN, 0, 1, text);
        TcpStatus st = h.conn.status();
        assertEquals(TcpState.ESTABLISHED, st.state(), "the FIN after the trimmed text is not taken");
        assertEquals(4096, st.receiveQueued(), "the window our SYN offered, not the 13,312 bytes sent");
        byte[] got = h.readAll();
        assertArrayEquals(Arrays.copyOf(text, 4096), got);
    }
}
