package org.netstack4j.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The stack-wide limits of {@link Hardening} and the RFC 5927 PMTU floor, each counted when it bites. */
class HardeningLimitsTest {
    static final int S = TcpHarness.S, A = TcpHarness.A, F = TcpHarness.F, R = TcpHarness.R;

    private static TcpConfig with(Hardening h) { return TcpConfig.defaults().withHardening(h); }

    @Test void overTheTimeWaitLimitAConnectionSkipsTimeWait() {
        TcpHarness h = new TcpHarness(with(Hardening.defaults().withMaxTimeWait(1))).timeWait();
        assertEquals(1, h.layer.timeWaitCount());
        TcpConnection first = h.conn;
        h.localPort = TcpHarness.LOCAL_PORT + 1;
        h.finWait2();
        h.inject(F | A, 1, 2);
        h.expect(A, 2, 2, 0);
        assertEquals(TcpState.CLOSED, h.conn.state(), "TIME-WAIT skipped (Linux tcp_max_tw_buckets)");
        assertEquals(1, h.counters.get("tcp.time_wait_overflow"));
        assertEquals(TcpState.TIME_WAIT, first.state());
        assertEquals(1, h.layer.timeWaitCount());
        h.advance(60_001); // 2 MSL
        assertEquals(0, h.layer.timeWaitCount());
        assertEquals(0, h.layer.connectionCount());
    }

    @Test void overTheOrphanLimitAClosedConnectionIsReset() {
        TcpHarness h = new TcpHarness(with(Hardening.defaults().withMaxOrphans(1))).established();
        h.conn.close(h.now);
        h.expect(F | A, 1, 1, 0);
        h.conn.orphan(h.now, 0);
        assertEquals(1, h.layer.orphanCount());
        TcpConnection first = h.conn;
        h.localPort = TcpHarness.LOCAL_PORT + 1;
        h.established();
        h.conn.close(h.now);
        h.expect(F | A, 1, 1, 0);
        h.conn.orphan(h.now, 0);
        h.expect(R, 2, 0, 0);
        assertEquals(TcpState.CLOSED, h.conn.state());
        assertEquals(1, h.counters.get("tcp.orphans_overflow"));
        assertEquals(TcpState.FIN_WAIT_1, first.state());
        first.abort(h.now);
        assertEquals(0, h.layer.orphanCount(), "an orphan reaching CLOSED gives its slot back");
    }

    @Test void anOrphanInTimeWaitNoLongerCounts() {
        TcpHarness h = new TcpHarness(with(Hardening.defaults().withMaxOrphans(1))).finWait1();
        h.conn.orphan(h.now, 0);
        assertEquals(1, h.layer.orphanCount());
        h.inject(F | A, 1, 2);
        h.expect(A, 2, 2, 0);
        assertEquals(TcpState.TIME_WAIT, h.conn.state());
        assertEquals(0, h.layer.orphanCount(), "TIME-WAIT is not an orphan (Linux)");
        h.advance(60_001);
        assertEquals(TcpState.CLOSED, h.conn.state());
        assertEquals(0, h.layer.orphanCount());
    }

    @Test void connectionLimitRefusesActiveAndPassiveOpens() {
        TcpHarness h = new TcpHarness(with(Hardening.defaults().withMaxConnections(1))).established();
        TcpException e = assertThrows(TcpException.class,
                () -> h.layer.connect(h.now, TcpHarness.LOCAL, 0, TcpHarness.REMOTE, 81, null));
        assertEquals(TcpError.INSUFFICIENT_RESOURCES, e.error());
        assertEquals(1, h.counters.get("tcp.connection_limit"));

        TcpHarness p = new TcpHarness(with(Hardening.defaults().withMaxConnections(1))).passiveEstablished();
        p.remotePort = 60010;
        p.inject(S, 0, 0);
        p.expectNothing();
        assertTrue(p.dropped("connection_limit"));
    }

    @Test void perListenerConnectionLimit() {
        TcpHarness p = new TcpHarness(with(Hardening.defaults().withMaxConnectionsPerListener(1))).passiveEstablished();
        p.remotePort = 60011;
        p.inject(S, 0, 0);
        p.expectNothing();
        assertTrue(p.dropped("connection_limit"));
        p.conn.abort(p.now); // the accepted connection goes: room for a new one
        p.next();
        p.inject(S, 0, 0);
        assertEquals(S | A, p.next().tcp().flags());
    }

    @Test void aTinyMtuFromIcmpIsFlooredAt552() {
        TcpHarness h = new TcpHarness().established();
        h.send(new byte[3000]);
        h.out.clear();
        assertEquals(1460, h.conn.status().effectiveMss());
        // RFC 5927 7.2: MTU 68 quoting an in-flight sequence number
        h.layer.icmpDestinationUnreachable(h.now, TcpHarness.LOCAL, TcpHarness.REMOTE, 4, 68, TcpHarness.LOCAL_PORT, 80, h.iss + 1);
        assertEquals(552 - 40, h.conn.status().effectiveMss(), "Linux min_pmtu 552");
        assertEquals(1, h.counters.get("tcp.icmp.pmtu_below_floor"));
        assertEquals(512, h.next().len(), "the segments in flight go again, 512 bytes each");
    }

    @Test void anMtuAboveTheFloorIsTaken() {
        TcpHarness h = new TcpHarness().established();
        h.send(new byte[3000]);
        h.layer.icmpDestinationUnreachable(h.now, TcpHarness.LOCAL, TcpHarness.REMOTE, 4, 1000, TcpHarness.LOCAL_PORT, 80, h.iss + 1);
        assertEquals(960, h.conn.status().effectiveMss());
        assertEquals(0, h.counters.get("tcp.icmp.pmtu_below_floor"));
    }

    @Test void anIcmpQuotingAnOutOfWindowSequenceNumberIsIgnored() {
        TcpHarness h = new TcpHarness().established();
        h.send(new byte[3000]);
        h.layer.icmpDestinationUnreachable(h.now, TcpHarness.LOCAL, TcpHarness.REMOTE, 4, 68, TcpHarness.LOCAL_PORT, 80, h.iss + 100_000);
        assertEquals(1460, h.conn.status().effectiveMss());
        assertEquals(1, h.counters.get("tcp.icmp.out_of_window"));
        // SND.NXT itself is not in flight either
        h.layer.icmpDestinationUnreachable(h.now, TcpHarness.LOCAL, TcpHarness.REMOTE, 4, 68, TcpHarness.LOCAL_PORT, 80, h.iss + 3001);
        assertEquals(1460, h.conn.status().effectiveMss());
        assertEquals(2, h.counters.get("tcp.icmp.out_of_window"));
    }

    /**
     * With window scaling (our shift 7, 128 KiB buffer) the peer sends 3,000 bytes the application
     * does not read: the receive array grows to 4,096 bytes.
     */
    private static TcpHarness holding3000(Hardening limits) {
        TcpHarness h = new TcpHarness(with(limits));
        h.peerSynOptions = java.util.List.of(new org.netstack4j.wire.TcpOption.Mss(1460), new org.netstack4j.wire.TcpOption.WindowScale(7));
        h.established();
        for (int i = 0; i < 3; i++) h.inject(A, 1 + 1000 * i, 1, new byte[1000]);
        h.advance(200);
        return h;
    }

    /**
     * A first connection holds 4,096 bytes of receive array; a second one, opened then (so under
     * pressure when the limits are low), receives 1,000 bytes. Returns with the second one's ACK queued.
     */
    private static TcpHarness secondConnection(Hardening limits) {
        TcpHarness h = holding3000(limits);
        h.out.clear();
        h.localPort = TcpHarness.LOCAL_PORT + 1;
        h.established();
        h.inject(A, 1, 1, new byte[1000]);
        h.advance(200);
        return h;
    }

    private static int lastWindow(TcpHarness h) {
        int w = -1;
        while (!h.out.isEmpty()) w = h.next().tcp().window();
        return w;
    }

    @Test void buffersAreCountedAndReleased() {
        TcpHarness h = holding3000(Hardening.defaults());
        assertEquals(4096, h.layer.bufferMemory());
        assertEquals(131_072 - 3000 >> 7, lastWindow(h), "no pressure: the whole buffer is offered");
        h.conn.abort(h.now);
        assertEquals(0, h.layer.bufferMemory(), "a CLOSED connection's buffers no longer count");
        assertEquals(3000, h.conn.readable(), "though what it received can still be read");
    }

    @Test void underMemoryPressureWindowsStopGrowingTheBuffers() {
        assertEquals(131_072 - 1000 >> 7, lastWindow(secondConnection(Hardening.defaults())), "no pressure: the whole buffer");
        TcpHarness h = secondConnection(Hardening.defaults().withMemory(1000, 1_000_000));
        int w = lastWindow(h) << 7;
        // the right edge stays where the SYN's 65,535 put it (it never moves left): no growth
        assertTrue(w > 0 && w <= 65_535 - 1000, "window under pressure: " + w);
        assertEquals(1, h.counters.get("tcp.memory.pressure"));
        assertTrue(h.counters.get("tcp.memory.window_clamped") > 0);
    }

    @Test void overTheMemoryLimitNewConnectionsAreRefused() {
        TcpHarness h = holding3000(Hardening.defaults().withMemory(1000, 2000));
        TcpException e = assertThrows(TcpException.class,
                () -> h.layer.connect(h.now, TcpHarness.LOCAL, 0, TcpHarness.REMOTE, 81, null));
        assertEquals(TcpError.INSUFFICIENT_RESOURCES, e.error());
        assertEquals(1, h.counters.get("tcp.memory.refused"));
        TcpListener l = h.layer.listen(h.now, TcpHarness.LOCAL, 8080, 8, x -> {});
        h.layer.segmentArrives(h.now, TcpHarness.REMOTE, TcpHarness.LOCAL,
                new org.netstack4j.wire.TcpRepr(60000, 8080, 1, 0, S, 65535, 0, java.util.List.of()), new byte[0], 0, 0);
        assertTrue(h.dropped("memory_limit"));
        assertEquals(0, l.halfOpen());
    }
}
