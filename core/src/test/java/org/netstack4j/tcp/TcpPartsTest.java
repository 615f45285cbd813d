package org.netstack4j.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.netstack4j.tcp.cc.NewReno;
import org.netstack4j.tcp.recovery.FastRecovery;
import org.netstack4j.tcp.seqnum.Assembler;
import org.netstack4j.tcp.seqnum.Seq;
import org.netstack4j.time.Time;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.TcpOption;

/** Sequence arithmetic, RTT estimation, buffers, reassembly ranges, NewReno, ISN and ports. */
class TcpPartsTest {

    @Test void linuxRtoFloorsTheVarianceTermNotTheSum() {
        TcpConfig rfc = TcpConfig.defaults(), linux = TcpConfig.linuxLike();
        RttEstimator a = new RttEstimator(Time.s(1), RttEstimator.boundsOf(rfc));
        RttEstimator b = new RttEstimator(Time.s(1), RttEstimator.boundsOf(linux));
        for (RttEstimator r : List.of(a, b)) { r.sample(Time.ms(100)); r.sample(Time.ms(100)); }
        assertEquals(Time.ms(250), a.rto()); // 100 + 4 * 37.5, above the 200 ms floor
        assertEquals(Time.ms(300), b.rto()); // 100 + max(150, 200)
    }

    @Test void restartAfterIdleHalvesPerRtoDownToTheInitialWindow() {
        NewReno cc = new NewReno(1000, 10, 0);
        FastRecovery fr = new FastRecovery(cc, 1000);
        for (int i = 0; i < 30; i++) fr.onAck(1000 * (i + 1), 1000, 40_000, 0);
        assertEquals(40_000, cc.window());
        cc.restartAfterIdle(Time.ms(250), Time.ms(300)); // not idle for an RTO beyond the first
        assertEquals(40_000, cc.window());
        cc.restartAfterIdle(Time.ms(500), Time.ms(300)); // one more RTO: halved once
        assertEquals(20_000, cc.window());
        cc.restartAfterIdle(Time.s(10), Time.ms(300));
        assertEquals(10_000, cc.window()); // never below RW = min(IW, cwnd)
    }

    @Test void noGrowthWhenTheSenderDoesNotUseTheWindow() {
        FastRecovery cc = new FastRecovery(new NewReno(1000, 10, 0), 1000);
        cc.onAck(2000, 2000, 5000, 0, false);
        assertEquals(10_000, cc.window());
        cc.onAck(4000, 2000, 3000, 0, true);
        assertEquals(12_000, cc.window());
    }

    @Test void seqComparisonsWrapAround() {
        assertTrue(Seq.lt(0xfffffff0, 0x10));
        assertTrue(Seq.gt(0x10, 0xfffffff0));
        assertTrue(Seq.le(5, 5) && Seq.ge(5, 5));
        assertEquals(0x0f, Seq.add(0xfffffff0, 0x1f));
        assertEquals(0x20, Seq.sub(0x10, 0xfffffff0));
        assertTrue(Seq.inWindow(0x5, 0xfffffff0, 0x20));
        assertFalse(Seq.inWindow(0x10, 0xfffffff0, 0x20));
        assertFalse(Seq.inWindow(7, 7, 0), "an empty window holds nothing");
        assertTrue(Seq.between(0xfffffffe, 1, 2));
        assertEquals(0x10, Seq.max(0xfffffff0, 0x10));
    }

    @Property(seed = "42") void seqOrderIsConsistentAcrossWrap(@ForAll int a, @ForAll @IntRange(min = 1, max = Integer.MAX_VALUE) int d) {
        int b = Seq.add(a, d);
        assertTrue(Seq.lt(a, b));
        assertTrue(Seq.gt(b, a));
        assertEquals(d, Seq.sub(b, a));
        assertTrue(Seq.inWindow(Seq.add(a, d - 1), a, d));
        assertFalse(Seq.inWindow(b, a, d));
    }

    @Test void rttEstimatorFollowsRfc6298() {
        RttEstimator r = new RttEstimator(Time.s(1), Time.ms(200), Time.s(120), Time.ms(1));
        assertEquals(Time.s(1), r.rto(), "2.1: initial RTO 1 s");
        r.sample(Time.ms(100));
        assertEquals(Time.ms(100), r.srtt());
        assertEquals(Time.ms(50), r.rttvar());
        assertEquals(Time.ms(300), r.rto(), "SRTT + K*RTTVAR = 100 + 4*50");
        r.sample(Time.ms(100));
        assertEquals(Time.ms(100), r.srtt());
        assertEquals(Time.ms(50) * 3 / 4, r.rttvar(), "RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R|");
        r.sample(Time.ms(1));
        assertTrue(r.rto() >= Time.ms(200), "min RTO");
        for (int i = 0; i < 20; i++) r.backoff();
        assertEquals(Time.s(120), r.rto(), "max RTO");
        RttEstimator fresh = new RttEstimator(Time.s(1), Time.ms(200), Time.s(120), Time.ms(1));
        fresh.backoff();
        fresh.reinitializeAfterSynTimeout(Time.s(3));
        assertEquals(Time.s(3), fresh.rto(), "5.7");
    }

    @Test void ringBufferWrapsAndWritesAhead() {
        RingBuffer b = new RingBuffer(8);
        assertEquals(0, b.size());
        assertEquals(6, b.write(new byte[] {1, 2, 3, 4, 5, 6}, 0, 6));
        byte[] out = new byte[4];
        assertEquals(4, b.read(out, 0, 4));
        assertArrayEquals(new byte[] {1, 2, 3, 4}, out);
        b.writeAt(2, new byte[] {9, 9}, 0, 2); // out of order, past a 2-byte hole
        b.writeAt(0, new byte[] {7, 8}, 0, 2);
        b.commit(4);
        byte[] all = new byte[6];
        assertEquals(6, b.read(all, 0, 6));
        assertArrayEquals(new byte[] {5, 6, 7, 8, 9, 9}, all);
        assertEquals(8, b.write(new byte[10], 0, 10), "only what fits");
    }

    @Test void assemblerMergesAndReportsSackBlocks() {
        Assembler a = new Assembler(2);
        assertTrue(a.add(100, 200));
        assertTrue(a.add(300, 400));
        assertFalse(a.add(500, 600), "range limit");
        assertTrue(a.add(200, 300), "joining two ranges needs no new one");
        assertEquals(1, a.rangeCount());
        assertEquals(List.of(new TcpOption.SackBlock(100, 400)), a.sackBlocks(3));
        assertEquals(50, a.advance(50));
        assertEquals(400, a.advance(100));
        assertTrue(a.isEmpty());
        Assembler w = new Assembler(4);
        w.add(0xfffffff0, 0x10); // across the wrap
        assertEquals(0x10, w.advance(0xfffffff0));
    }

    @Test void slowStartGrowthPerAckFollowsTheAbcLimit() {
        NewReno rfc5681 = new NewReno(1000, 10), abc2 = new NewReno(1000, 10, 2), all = new NewReno(1000, 10, 0);
        for (NewReno cc : List.of(rfc5681, abc2, all)) new FastRecovery(cc, 1000).onAck(13_000, 3000, 10_000, 0); // one stretch ACK of 3 segments
        assertEquals(11_000, rfc5681.window(), "RFC 5681: at most SMSS per ACK");
        assertEquals(12_000, abc2.window(), "RFC 3465 L=2");
        assertEquals(13_000, all.window(), "everything acknowledged (Linux)");
    }

    @Test void linuxSlowStartCountsSegmentsDeliveredByDuplicateAcksOnce() {
        // no SACK: two duplicate ACKs (reordering), then one ACK covering both held segments
        TcpHarness h = new TcpHarness(TcpConfig.defaults().withRecovery(rc -> rc.withSlowStartAbcLimit(0)).withOptions(o -> o.withSack(false))).established();
        h.send(new byte[10 * 1460]);
        for (int i = 0; i < 10; i++) h.next();
        long cwnd = h.conn.status().cwnd();
        h.inject(TcpHarness.A, 1, 1);
        h.inject(TcpHarness.A, 1, 1);
        h.inject(TcpHarness.A, 1, 2 * 1460 + 1);
        assertEquals(cwnd + 1460, h.conn.status().cwnd(), "one ACK acked the hole, the rest ate duplicate ACKs");
    }

    @Test void newRenoSlowStartAvoidanceAndRecovery() {
        int mss = 1000;
        FastRecovery cc = new FastRecovery(new NewReno(mss, 10), mss); // RFC 6582 over NewReno
        assertEquals(10_000, cc.window(), "RFC 6928: min(10*MSS, max(2*MSS, 14600))");
        cc.onAck(10_000, 1000, 10_000, 0);
        assertEquals(11_000, cc.window(), "slow start: + min(N, SMSS)");
        assertEquals(FastRecovery.Action.NONE, cc.onDuplicateAck(1, 0, 20_000, 10_000, 0));
        assertEquals(FastRecovery.Action.NONE, cc.onDuplicateAck(2, 0, 20_000, 10_000, 0));
        assertEquals(FastRecovery.Action.RETRANSMIT_FIRST_UNACKED, cc.onDuplicateAck(3, 0, 20_000, 10_000, 0));
        assertEquals(5_000, cc.ssthresh());
        assertEquals(8_000, cc.window(), "ssthresh + 3*SMSS");
        cc.onDuplicateAck(4, 0, 20_000, 10_000, 0);
        assertEquals(9_000, cc.window(), "inflate");
        assertEquals(FastRecovery.Action.RETRANSMIT_FIRST_UNACKED, cc.onAck(5_000, 5_000, 20_000, 0), "partial ACK");
        assertTrue(cc.inRecovery());
        assertEquals(FastRecovery.Action.NONE, cc.onAck(20_000, 15_000, 15_000, 0), "full ACK");
        assertFalse(cc.inRecovery());
        assertEquals(2_000, cc.window(), "min(ssthresh, max(FlightSize, SMSS) + SMSS)");
        cc.onRetransmissionTimeout(30_000, 8_000, 0);
        assertEquals(1_000, cc.window(), "loss window");
        assertEquals(4_000, cc.ssthresh());
        cc.onAck(31_000, 1000, 1000, 0);
        cc.onAck(32_000, 1000, 1000, 0);
        cc.onAck(33_000, 1000, 1000, 0);
        assertEquals(4_000, cc.window());
        for (int i = 0; i < 4; i++) cc.onAck(34_000 + i * 1000, 1000, 4000, 0);
        assertEquals(5_000, cc.window(), "congestion avoidance: one SMSS per window");
    }

    @Test void isnDependsOnTupleAndAdvancesWithTime() {
        IsnGenerator g = new IsnGenerator(7);
        Ipv4Address a = Ipv4Address.parse("10.0.0.1"), b = Ipv4Address.parse("10.0.0.2");
        int i1 = g.isn(0, a, 1000, b, 80);
        assertEquals(i1 + 250, g.isn(Time.ms(1), a, 1000, b, 80), "M ticks every 4 us");
        assertNotEquals(i1, g.isn(0, a, 1001, b, 80));
        assertNotEquals(i1, new IsnGenerator(8).isn(0, a, 1000, b, 80), "keyed by the seed");
    }

    @Test void ephemeralPortsCoverTheRangeWithoutRepeats() {
        EphemeralPorts p = new EphemeralPorts(3, 50000, 50099);
        Ipv4Address a = Ipv4Address.parse("10.0.0.1"), b = Ipv4Address.parse("10.0.0.2");
        Set<Integer> used = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            int port = p.select(a, b, 80, x -> !used.contains(x));
            assertTrue(port >= 50000 && port <= 50099);
            assertTrue(used.add(port));
        }
        assertEquals(-1, p.select(a, b, 80, x -> !used.contains(x)), "exhausted");
    }

    @Test void configDefaultsAreLinuxLike() {
        TcpConfig c = TcpConfig.defaults();
        assertEquals(1460, c.options().mss());
        assertEquals(7, c.options().windowScaleShift());
        assertEquals(Time.s(60), 2 * c.timers().mslNs());
        assertEquals(Time.ms(40), c.acks().delayedAckNs());
        assertEquals(10, c.recovery().initialWindowSegments());
        assertFalse(c.timers().keepalive());
        assertTrue(c.lab().timeWaitEnabled());
        assertFalse(c.lab().twoWayHandshake());
        assertEquals(c, c);
    }
}
