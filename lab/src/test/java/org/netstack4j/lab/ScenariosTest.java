package org.netstack4j.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.w3c.dom.Document;

/**
 * The seed scenarios on the real stack (IpStack + TcpLayer on a simulated link): each shows the
 * moments it is meant to teach, and every rendering of it is valid. No goldens here: the TCP
 * engine may still change its timing details; the fixtures' goldens pin the rendering.
 */
class ScenariosTest {
    static Stream<Arguments> expectations() {
        List<String> open = List.of("handshake1", "handshake2", "handshake3");
        List<String> close = List.of("wave1", "wave2", "wave3", "wave4", "time-wait");
        return Stream.of(
                Arguments.of("handshake", concat(open, List.of("why-three"), close, List.of("why-four"))),
                Arguments.of("half-close", concat(open, close, List.of("half-close"))),
                Arguments.of("lost-syn", concat(open, List.of("lost", "retransmission"))),
                Arguments.of("lost-data", concat(open, List.of("lost", "retransmission"))),
                Arguments.of("lost-last-ack", concat(open, close, List.of("lost", "retransmission", "time-wait-reack"))),
                Arguments.of("fast-retransmit", concat(open, List.of("lost", "dup-ack", "fast-retransmit"))),
                Arguments.of("zero-window", concat(open, List.of("zero-window", "persist-probe", "window-update"))),
                Arguments.of("refused", List.of("handshake1", "reset")),
                Arguments.of("two-way", List.of("handshake1", "handshake2", "two-way")),
                Arguments.of("no-time-wait", concat(open, close, List.of("no-time-wait"))),
                Arguments.of("simultaneous-close", concat(open, List.of("wave1", "simultaneous-close", "time-wait"))));
    }

    @SafeVarargs
    @SuppressWarnings("varargs") // the array is only read
    static List<String> concat(List<String>... parts) { return Stream.of(parts).flatMap(List::stream).toList(); }

    @Test
    void everyScenarioHasAnExpectationAndADescription() {
        assertEquals(Scenarios.names(), expectations().map(a -> (String) a.get()[0]).toList());
        for (String n : Scenarios.names()) {
            assertTrue(!Scenarios.description(n, Lang.EN).isBlank());
            assertTrue(Cols.width(Scenarios.description(n, Lang.ZH)) > 0);
        }
        assertThrows(IllegalArgumentException.class, () -> Scenarios.run("no-such-thing"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("expectations")
    void scenarioShowsItsMomentsAndRendersEverywhere(String name, List<String> keys) throws Exception {
        LabRun run = Scenarios.run(name);
        List<String> got = NarrationTest.keys(run);
        assertTrue(got.containsAll(keys), name + ": want " + keys + " in " + got);
        List<Map<String, Object>> ev = JsonRunTest.checkSchema(JsonRun.render(run), name);
        assertTrue(ev.stream().anyMatch(e -> e.get("type").equals("segment")));
        for (TextLadder.Options o : TextLadderTest.allOptions())
            for (String line : TextLadder.render(run, o).split("\n"))
                assertTrue(Cols.width(line) <= 100, name + " " + o + ": " + line);
        for (Lang lang : Lang.values()) {
            Document d = SvgLadderTest.parse(SvgLadder.render(run, lang, true));
            assertEquals(2, SvgLadderTest.groups(d, "lane").size());
            assertEquals(run.segments().size(), SvgLadderTest.groups(d, "seg").size());
            assertEquals(run.segments().stream().filter(LabEvent.Segment::dropped).count(),
                    SvgLadderTest.groups(d, "lost").size());
        }
    }

    @Test
    void scenariosAreDeterministic() {
        assertEquals(JsonRun.render(Scenarios.run("fast-retransmit")), JsonRun.render(Scenarios.run("fast-retransmit")));
    }

    @Test
    void theHandshakeOnTheRealStackLooksLikeTheNotes() {
        LabRun run = Scenarios.run("handshake");
        List<LabEvent.Segment> s = run.segments();
        assertEquals(List.of("SYN"), s.get(0).flags());
        assertEquals(List.of("SYN", "ACK"), s.get(1).flags());
        assertEquals(s.get(0).seq() + 1, s.get(1).ack(), "ack = x + 1: the SYN consumed one number");
        assertEquals(List.of("ACK"), s.get(2).flags());
        assertEquals(s.get(1).seq() + 1, s.get(2).ack(), "ack = y + 1");
        assertEquals(s.get(0).seq() + 1, s.get(2).seq(), "seq = x + 1");
        assertTrue(run.events().stream().anyMatch(e -> e instanceof LabEvent.State st && st.host().equals("server")
                && st.to().equals("LISTEN")));
        assertTrue(run.events().stream().anyMatch(e -> e instanceof LabEvent.Timer t && t.name().equals("2MSL")
                && t.action().equals("fired")));
        assertTrue(TextLadder.render(run, TextLadder.Options.defaults().withLang(Lang.ZH)).contains("第四次挥手"));
    }
}
