package org.netstack4j.lab.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.netstack4j.tcp.TcpTimer;
import org.netstack4j.tcp.TcpState;
import org.netstack4j.lab.LabEvent;
import org.netstack4j.lab.LabRun;
import org.netstack4j.time.Time;

/** Each story does what the notes say it shows, on the real stacks. */
class ScenariosTest {
    static LabRun run(String name) { return run(name, ScenarioOptions.defaults()); }

    static LabRun run(String name, ScenarioOptions o) {
        return LabRunner.run(Scenarios.byName(name).orElseThrow(), o);
    }

    static List<String> states(LabRun run, String host) {
        List<String> out = new java.util.ArrayList<>();
        out.add(run.initialState(host).name());
        for (LabEvent e : run.events()) if (e instanceof LabEvent.State s && s.host().equals(host)) out.add(s.to().name());
        return out;
    }

    static List<LabEvent.Segment> segs(LabRun run, Predicate<LabEvent.Segment> p) {
        return run.segments().stream().filter(p).toList();
    }

    static boolean noted(LabRun run, String fragment) {
        return run.events().stream().anyMatch(e -> e instanceof LabEvent.Explanation x && x.en().contains(fragment));
    }

    @Test void twelveStoriesWithUniqueNames() {
        assertEquals(12, Scenarios.all().size());
        assertEquals(12, Scenarios.all().stream().map(Scenario::name).distinct().count());
    }

    @Test void handshake() {
        LabRun r = run("handshake");
        assertEquals(List.of("CLOSED", "SYN_SENT", "ESTABLISHED"), states(r, "client"));
        assertEquals(List.of("LISTEN", "SYN_RECEIVED", "ESTABLISHED"), states(r, "server"));
        List<LabEvent.Segment> s = r.segments();
        assertEquals(3, s.size());
        LabEvent.Segment syn = s.get(0), synAck = s.get(1), ack = s.get(2);
        assertEquals(List.of("SYN"), syn.flags());
        assertNull(syn.ack());
        assertEquals(List.of("SYN", "ACK"), synAck.flags());
        assertEquals((syn.seq() + 1) & 0xffffffffL, synAck.ack());       // ack = x + 1: the SYN used one number
        assertEquals(List.of("ACK"), ack.flags());
        assertEquals((syn.seq() + 1) & 0xffffffffL, ack.seq());          // seq = x + 1
        assertEquals((synAck.seq() + 1) & 0xffffffffL, ack.ack());       // ack = y + 1
        assertEquals(0, ack.len());
        assertTrue(syn.options().contains("mss"), syn.options());
        assertTrue(synAck.options().contains("mss"), synAck.options());
    }

    @Test void teardownIsFourWavesWithDataInCloseWaitThenTwoMsl() {
        LabRun r = run("teardown");
        assertEquals(List.of("CLOSED", "SYN_SENT", "ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2", "TIME_WAIT", "CLOSED"),
                states(r, "client"));
        assertEquals(List.of("LISTEN", "SYN_RECEIVED", "ESTABLISHED", "CLOSE_WAIT", "LAST_ACK", "CLOSED"), states(r, "server"));
        List<LabEvent.Segment> fins = segs(r, s -> s.has("FIN"));
        assertEquals(2, fins.size());
        long u = fins.get(0).seq(), w = fins.get(1).seq();
        assertEquals("client", fins.get(0).from());
        assertEquals((u + 1) & 0xffffffffL, fins.get(1).ack());
        assertTrue(segs(r, s -> s.from().equals("server") && s.len() > 0).size() >= 1, "server sends data in CLOSE_WAIT");
        LabEvent.Segment last = segs(r, s -> s.from().equals("client") && s.ack() != null && s.ack() == ((w + 1) & 0xffffffffL)).get(0);
        assertEquals((u + 1) & 0xffffffffL, last.seq());
        LabEvent.State tw = r.events().stream().filter(e -> e instanceof LabEvent.State st && st.to() == TcpState.TIME_WAIT)
                .map(e -> (LabEvent.State) e).findFirst().orElseThrow();
        LabEvent.State closed = r.events().stream().filter(e -> e instanceof LabEvent.State st && st.host().equals("client")
                && st.to() == TcpState.CLOSED).map(e -> (LabEvent.State) e).reduce((a, b) -> b).orElseThrow();
        assertEquals(2 * Time.s(30), closed.timeNs() - tw.timeNs(), "TIME-WAIT lasts 2 MSL");
    }

    @Test void lostFinalAckIsAnsweredFromTimeWait() {
        LabRun r = run("lost-final-ack");
        assertEquals(1, segs(r, LabEvent.Segment::dropped).size());
        assertEquals(2, segs(r, s -> s.from().equals("server") && s.has("FIN")).size(), "the server retransmits its FIN");
        assertTrue(segs(r, s -> s.has("RST")).isEmpty());
        assertTrue(noted(r, "server application: connection closed cleanly"));
    }

    @Test void lostFinalAckWithoutTimeWaitEndsInReset() {
        LabRun r = run("lost-final-ack", ScenarioOptions.defaults().withNoTimeWait(true));
        assertEquals(1, segs(r, s -> s.from().equals("client") && s.has("RST")).size());
        assertTrue(noted(r, "server application: error \"connection reset\""));
    }

    @Test void oldDuplicateIsHarmlessWithTimeWaitAndCorruptsWithout() {
        assertTrue(noted(run("old-duplicate"), "all correct"));
        assertTrue(noted(run("old-duplicate", ScenarioOptions.defaults().withNoTimeWait(true)), "from the OLD connection"));
    }

    @Test void staleSynOpensNothingUnlessTwoWay() {
        LabRun r = run("stale-syn");
        assertEquals(1, segs(r, s -> s.from().equals("client") && s.has("RST")).size());
        assertTrue(noted(r, "the server now holds 0 connection(s)"));
        LabRun two = run("stale-syn", ScenarioOptions.defaults().withTwoWay(true));
        assertTrue(segs(two, s -> s.from().equals("client") && s.has("RST")).isEmpty());
        assertTrue(states(two, "server").contains("ESTABLISHED"));
        assertTrue(noted(two, "the server now holds 1 connection(s)"));
    }

    @Test void simultaneousOpen() {
        LabRun r = run("simultaneous-open");
        assertEquals(List.of("CLOSED", "SYN_SENT", "SYN_RECEIVED", "ESTABLISHED"), states(r, "client"));
        assertEquals(List.of("CLOSED", "SYN_SENT", "SYN_RECEIVED", "ESTABLISHED"), states(r, "server"));
    }

    @Test void simultaneousCloseGoesThroughClosing() {
        LabRun r = run("simultaneous-close");
        for (String h : List.of("client", "server")) {
            List<String> st = states(r, h);
            assertTrue(st.containsAll(List.of("FIN_WAIT_1", "CLOSING", "TIME_WAIT")), h + " " + st);
            assertEquals("CLOSED", st.get(st.size() - 1));
        }
    }

    @Test void lostSynBacksOffExponentially() {
        LabRun r = run("lost-syn");
        List<LabEvent.Segment> syns = segs(r, s -> s.from().equals("client") && s.has("SYN"));
        assertEquals(3, syns.size());
        assertTrue(syns.get(0).dropped() && syns.get(1).dropped() && !syns.get(2).dropped());
        long first = syns.get(1).timeNs() - syns.get(0).timeNs(), second = syns.get(2).timeNs() - syns.get(1).timeNs();
        assertEquals(Time.s(1), first);
        assertEquals(2 * first, second);
        assertEquals("ESTABLISHED", states(r, "client").get(states(r, "client").size() - 1));
    }

    @Test void refused() {
        LabRun r = run("refused");
        assertEquals(1, segs(r, s -> s.from().equals("server") && s.has("RST")).size());
        assertTrue(noted(r, "connection refused"));
    }

    @Test void halfClose() {
        LabRun r = run("half-close");
        LabEvent.Segment clientFin = segs(r, s -> s.from().equals("client") && s.has("FIN")).get(0);
        assertTrue(segs(r, s -> s.from().equals("server") && s.len() > 0 && s.timeNs() > clientFin.timeNs()).size() >= 2);
        assertTrue(noted(r, "client received 3000 bytes after it had sent its FIN"));
    }

    @Test void retransmissionFastThenByTimeout() {
        LabRun r = run("retransmission");
        List<LabEvent.Segment> data = segs(r, s -> s.from().equals("client") && s.len() > 0);
        List<LabEvent.Segment> lost = data.stream().filter(LabEvent.Segment::dropped).toList();
        assertEquals(2, lost.size());
        for (LabEvent.Segment l : lost)
            assertEquals(1, data.stream().filter(s -> s.seq() == l.seq() && !s.dropped()).count(), "retransmitted once: " + l);
        LabEvent.Segment fast = data.stream().filter(s -> s.seq() == lost.get(0).seq() && !s.dropped()).findFirst().orElseThrow();
        assertTrue(fast.timeNs() - lost.get(0).timeNs() < Time.ms(200), "fast retransmit, before any RTO");
        LabEvent.Segment slow = data.stream().filter(s -> s.seq() == lost.get(1).seq() && !s.dropped()).findFirst().orElseThrow();
        assertTrue(slow.timeNs() - lost.get(1).timeNs() >= Time.ms(200), "retransmitted by the RTO");
    }

    @Test void zeroWindowProbesThenReopens() {
        LabRun r = run("zero-window");
        assertFalse(segs(r, s -> s.from().equals("server") && s.win() == 0).isEmpty(), "the window closes");
        assertTrue(r.events().stream().anyMatch(e -> e instanceof LabEvent.Timer t && t.name() == TcpTimer.PERSIST));
        assertTrue(noted(r, "the server application starts reading"));
    }

    @Test void sameSeedSameRun() {
        for (Scenario s : Scenarios.all()) assertEquals(s.run(ScenarioOptions.defaults()), s.run(ScenarioOptions.defaults()), s.name());
    }
}
