package org.netstack4j.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.netstack4j.tcp.TcpState;

class NarrationTest {
    static List<String> keys(LabRun run) {
        return run.events().stream().filter(e -> e instanceof LabEvent.Explanation)
                .map(e -> ((LabEvent.Explanation) e).key()).toList();
    }

    @Test
    void handshakeAndTeardownMomentsAreExplainedOnceEach() {
        List<String> k = keys(Fixtures.handshakeRun());
        assertEquals(List.of("handshake1", "handshake2", "handshake3", "why-three", "lost", "retransmission",
                "delayed-ack", "wave1", "wave2", "half-close", "wave3", "why-four", "wave4", "time-wait"), k);
        assertTrue(Narration.KEYS.containsAll(k));
    }

    @Test
    void fastRetransmitZeroWindowAndCombinedWaves() {
        Fixtures.Trace t = Fixtures.fastRetransmitZeroWindow();
        List<String> k = keys(TraceConverter.convert("f", t.client(), t.server()));
        for (String want : List.of("lost", "dup-ack", "fast-retransmit", "zero-window", "persist-probe", "wave1",
                "wave23", "wave4", "time-wait"))
            assertTrue(k.contains(want), want + " in " + k);
        assertFalse(k.contains("retransmission"), "the retransmission was fast, not on timeout");
        assertFalse(k.contains("wave2"));
        assertFalse(k.contains("why-four"), "FIN and ACK came together here");
    }

    @Test
    void resetIsExplained() {
        Fixtures.Trace t = Fixtures.refused();
        assertEquals(List.of("handshake1", "reset"), keys(TraceConverter.convert("r", t.client(), t.server())));
    }

    @Test
    void explanationsComeAfterTheirTriggerAndUseTheNotesTerms() {
        LabRun run = Fixtures.handshakeRun();
        List<LabEvent> ev = run.events();
        for (int i = 0; i < ev.size(); i++) {
            if (ev.get(i) instanceof LabEvent.Explanation x) {
                int trig = -1;
                for (int j = 0; j < ev.size(); j++) if (ev.get(j) == x.trigger()) trig = j;
                assertTrue(trig >= 0 && trig < i, x.key() + " follows its trigger");
                assertEquals(x.trigger().timeNs(), x.timeNs());
            }
        }
        String zh = ev.stream().filter(e -> e instanceof LabEvent.Explanation)
                .map(e -> ((LabEvent.Explanation) e).zh()).reduce("", String::concat);
        for (String term : List.of("第一次握手", "第二次握手", "第三次握手", "第一次挥手", "第二次挥手", "第三次挥手",
                "第四次挥手", "2MSL", "半关闭", "CLOSE_WAIT", "TIME_WAIT", "消耗掉一个序号", "不消耗序号"))
            assertTrue(zh.contains(term), term);
    }

    @Test
    void annotateIsIdempotent() {
        LabRun run = Fixtures.handshakeRun();
        assertEquals(keys(run), keys(Narration.annotate(run)));
    }

    @Test
    void twoWayHandshakeIsCalledOut() {
        Fixtures.Trace t = Fixtures.handshakeAndTeardown();
        List<org.netstack4j.trace.TraceEvent> server = new java.util.ArrayList<>(t.server());
        server.replaceAll(e -> e instanceof org.netstack4j.trace.TraceEvent.StateChange<?> sc && sc.to() == TcpState.SYN_RECEIVED
                ? new org.netstack4j.trace.TraceEvent.StateChange<>(sc.time(), sc.connection(), TcpState.LISTEN, TcpState.ESTABLISHED, "rcv SYN (two-way lab mode)")
                : e);
        assertTrue(keys(TraceConverter.convert("two-way", t.client(), server)).contains("two-way"));
    }

    @Test
    void simultaneousOpenAndClose() {
        Fixtures.Host c = new Fixtures.Host(Fixtures.CONN_C, Fixtures.C, Fixtures.S);
        Fixtures.Host sv = new Fixtures.Host(Fixtures.CONN_S, Fixtures.S, Fixtures.C);
        long x = Fixtures.X, y = Fixtures.Y;
        var synC = Fixtures.c2s(x, null, Fixtures.SYN, 1000, List.of());
        var synS = Fixtures.s2c(y, null, Fixtures.SYN, 1000, List.of());
        c.state(0, "CLOSED", "SYN-SENT", "user OPEN").out(0, synC, 0);
        sv.state(1, "CLOSED", "SYN-SENT", "user OPEN").out(1, synS, 0);
        var saC = Fixtures.c2s(x, y + 1, Fixtures.SYN | Fixtures.ACK, 1000, List.of());
        var saS = Fixtures.s2c(y, x + 1, Fixtures.SYN | Fixtures.ACK, 1000, List.of());
        c.in(11, synS, 0).state(11, "SYN-SENT", "SYN-RECEIVED", "rcv SYN").out(11, saC, 0);
        sv.in(10, synC, 0).state(10, "SYN-SENT", "SYN-RECEIVED", "rcv SYN").out(10, saS, 0);
        var finC = Fixtures.c2s(x + 1, y + 1, Fixtures.FIN | Fixtures.ACK, 1000, List.of());
        var finS = Fixtures.s2c(y + 1, x + 1, Fixtures.FIN | Fixtures.ACK, 1000, List.of());
        c.state(100, "ESTABLISHED", "FIN-WAIT-1", "user CLOSE").out(100, finC, 0);
        sv.state(101, "ESTABLISHED", "FIN-WAIT-1", "user CLOSE").out(101, finS, 0);
        c.in(111, finS, 0).state(111, "FIN-WAIT-1", "CLOSING", "rcv FIN").out(111, Fixtures.c2s(x + 2, y + 2, Fixtures.ACK, 1000, List.of()), 0);
        sv.in(110, finC, 0).state(110, "FIN-WAIT-1", "CLOSING", "rcv FIN").out(110, Fixtures.s2c(y + 2, x + 2, Fixtures.ACK, 1000, List.of()), 0);
        List<String> k = keys(TraceConverter.convert("simultaneous", c.ev, sv.ev));
        assertTrue(k.contains("simultaneous-open"), k.toString());
        assertTrue(k.contains("simultaneous-close"), k.toString());
        assertFalse(k.contains("wave3") || k.contains("wave4") || k.contains("why-four"), k.toString());
    }
}
