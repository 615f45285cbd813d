package org.netstack4j.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.netstack4j.time.Time.ms;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.netstack4j.trace.TimerAction;
import org.netstack4j.tcp.TcpTimer;
import org.netstack4j.tcp.TcpState;
import org.netstack4j.trace.TraceEvent;
import org.netstack4j.wire.TcpRepr;

class TraceConverterTest {
    @Test
    void rfcStateNamesBecomeEnumNames() {
        assertEquals("SYN_SENT", TraceConverter.stateName("SYN-SENT"));
        assertEquals("SYN_RECEIVED", TraceConverter.stateName("SYN-RECEIVED"));
        assertEquals("SYN_RECEIVED", TraceConverter.stateName("SYN_RCVD"));
        assertEquals("FIN_WAIT_1", TraceConverter.stateName("FIN-WAIT-1"));
        assertEquals("FIN_WAIT_2", TraceConverter.stateName("fin_wait2"));
        assertEquals("TIME_WAIT", TraceConverter.stateName("TIME-WAIT"));
        assertEquals("CLOSE_WAIT", TraceConverter.stateName("CLOSE_WAIT"));
        assertEquals("LAST_ACK", TraceConverter.stateName("LAST-ACK"));
        assertEquals("CLOSED", TraceConverter.stateName(null));
    }

    @Test
    void segmentsBecomeArrowsWithArrivalTimesAndLosses() {
        LabRun run = Fixtures.handshakeRun();
        List<LabEvent.Segment> segs = run.segments();
        assertEquals(12, segs.size(), "outgoing segments only");
        LabEvent.Segment syn = segs.getFirst();
        assertEquals("client", syn.from());
        assertEquals("server", syn.to());
        assertEquals(List.of("SYN"), syn.flags());
        assertNull(syn.ack());
        assertEquals(ms(11), syn.arrivalNs());
        assertEquals("mss 1460,sackOK,TS val 1000 ecr 0,nop,wscale 7", syn.options());
        assertEquals(Fixtures.X, syn.seq(), "unsigned, above 2^31");
        // the first copy of the data was lost, the retransmission arrived
        LabEvent.Segment lost = segs.get(3), again = segs.get(4);
        assertTrue(lost.dropped());
        assertEquals(-1, lost.arrivalNs());
        assertFalse(again.dropped());
        assertEquals(ms(250), again.arrivalNs());
        assertEquals(1, segs.stream().filter(LabEvent.Segment::dropped).count());
    }

    @Test
    void identicalSegmentsPairByLatestEarlierSend() {
        Fixtures.Trace t = Fixtures.fastRetransmitZeroWindow();
        LabRun run = TraceConverter.convert("f", t.client(), t.server());
        List<LabEvent.Segment> dropped = run.segments().stream().filter(LabEvent.Segment::dropped).toList();
        assertEquals(1, dropped.size());
        assertEquals(ms(40), dropped.getFirst().timeNs());
        assertEquals(Fixtures.X + 1, dropped.getFirst().seq());
        // both window probes (same header) arrived, each at its own time
        List<LabEvent.Segment> probes = run.segments().stream().filter(s -> s.len() == 1).toList();
        assertEquals(List.of(ms(290), ms(690)), probes.stream().map(LabEvent.Segment::arrivalNs).toList());
    }

    @Test
    void eventsAreMergedInTimeOrderWithReactionsAfterSpontaneousEvents() {
        LabRun run = Fixtures.handshakeRun();
        long last = Long.MIN_VALUE;
        for (LabEvent e : run.events()) {
            assertTrue(e.timeNs() >= last);
            last = e.timeNs();
        }
        assertEquals(TcpState.LISTEN, ((LabEvent.State) run.events().getFirst()).to());
        assertEquals(TcpState.CLOSED, run.initialState("client"));
        assertEquals(TcpState.CLOSED, run.initialState("server"));
        assertEquals(Fixtures.X, run.isn("client"));
        assertEquals(Fixtures.Y, run.isn("server"));
    }

    @Test
    void timersDropsAndNotesAreKept() {
        Fixtures.Trace t = Fixtures.refused();
        LabRun run = TraceConverter.convert("refused", t.client(), t.server());
        assertTrue(run.events().stream().anyMatch(e -> e instanceof LabEvent.Note n && n.host().equals("server")
                && n.text().startsWith("drop (tcp): no listener on port 80")));
        assertTrue(run.events().stream().anyMatch(e -> e instanceof LabEvent.Note n && n.host().equals("client")
                && n.text().equals("app: connect failed: connection refused")));
        LabRun hs = Fixtures.handshakeRun();
        assertTrue(hs.events().stream().anyMatch(e -> e instanceof LabEvent.Timer tm && tm.name() == TcpTimer.TWO_MSL
                && tm.action() == TimerAction.SET && tm.deadlineNs() == ms(610) + 60_000_000_000L));
    }

    @Test
    void aSegmentNobodyReceivedIsDroppedEvenWithAnEmptyPeer() {
        TcpRepr syn = Fixtures.c2s(Fixtures.X, null, TcpRepr.SYN, 1000, List.of());
        List<TraceEvent> client = List.of(
                TraceEvent.Segment.of(0, false, Fixtures.C, Fixtures.S, syn, 0),
                TraceEvent.Segment.of(ms(1000), false, Fixtures.C, Fixtures.S, syn, 0));
        LabRun run = TraceConverter.convert("lost-syn", client, List.of());
        assertEquals(2, run.segments().size());
        assertTrue(run.segments().stream().allMatch(LabEvent.Segment::dropped));
    }

    @Test
    void receiverSideOptionPaddingDoesNotMakeASegmentLost() {
        TcpRepr sent = Fixtures.c2s(Fixtures.X, null, TcpRepr.SYN, 1000,
                List.of(new org.netstack4j.wire.TcpOption.Mss(1460), new org.netstack4j.wire.TcpOption.WindowScale(7)));
        TcpRepr parsed = Fixtures.c2s(Fixtures.X, null, TcpRepr.SYN, 1000,
                List.of(new org.netstack4j.wire.TcpOption.Mss(1460), new org.netstack4j.wire.TcpOption.Nop(),
                        new org.netstack4j.wire.TcpOption.WindowScale(7), new org.netstack4j.wire.TcpOption.EndOfList()));
        LabRun run = TraceConverter.convert("pad",
                List.of(TraceEvent.Segment.of(0, false, Fixtures.C, Fixtures.S, sent, 0)),
                List.of(TraceEvent.Segment.of(ms(5), true, Fixtures.C, Fixtures.S, parsed, 0)));
        assertFalse(run.segments().getFirst().dropped());
        assertEquals(ms(5), run.segments().getFirst().arrivalNs());
    }

    @Test
    void labRenderDispatchesOnFormat() {
        LabRun run = Fixtures.handshakeRun();
        assertEquals(JsonRun.render(run), LabRender.render(run, LabRender.Format.parse("json"), Lang.EN, false, false));
        assertTrue(LabRender.render(run, LabRender.Format.parse("SVG"), Lang.ZH, false, true).startsWith("<?xml"));
        assertEquals(TextLadder.render(run, TextLadder.Options.defaults().withAscii(true)),
                LabRender.render(run, LabRender.Format.TEXT, Lang.EN, true, false));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> LabRender.Format.parse("png"));
    }

    @Test
    void aSharedTraceIsSplitByAddress() {
        Fixtures.Trace t = Fixtures.handshakeAndTeardown();
        List<TraceEvent> all = new java.util.ArrayList<>(t.client());
        all.addAll(t.server());
        all.sort(java.util.Comparator.comparingLong(TraceEvent::time)); // stable: each host keeps its order
        LabRun shared = TraceConverter.convertShared("handshake", all, Fixtures.C, Fixtures.S);
        assertEquals(JsonRun.render(Fixtures.handshakeRun()), JsonRun.render(shared));
    }
}
