package org.netstack4j.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

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
        server.replaceAll(e -> e instanceof org.netstack4j.trace.TraceEvent.StateChange sc && sc.to().equals("SYN-RECEIVED")
                ? new org.netstack4j.trace.TraceEvent.StateChange(sc.time(), sc.connection(), "LISTEN", "ESTABLISHED", "rcv SYN (two-way lab mode)")
                : e);
        assertTrue(keys(TraceConverter.convert("two-way", t.client(), server)).contains("two-way"));
    }
}
