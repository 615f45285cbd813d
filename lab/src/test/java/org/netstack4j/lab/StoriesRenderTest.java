package org.netstack4j.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.netstack4j.lab.scenario.LabRunner;
import org.netstack4j.lab.scenario.Scenario;
import org.netstack4j.lab.scenario.ScenarioOptions;
import org.netstack4j.lab.scenario.Scenarios;
import org.w3c.dom.Document;

/**
 * Every story of {@code netstack4j demo} (the real stack on the simulator) through every renderer:
 * the narration recognises the moments each story is about, the JSON keeps its schema, text fits
 * 100 columns in every mode, the SVG parses with one arrow per segment. No goldens here: the TCP
 * engine may still change timing details; the fixtures' goldens pin the rendering itself.
 */
class StoriesRenderTest {
    static final List<String> OPEN = List.of("handshake1", "handshake2", "handshake3", "why-three");
    static final List<String> CLOSE = List.of("wave1", "wave2", "wave3", "why-four", "wave4", "time-wait");

    static Stream<Scenario> stories() { return Scenarios.all().stream(); }

    static List<String> expected(String story) {
        return switch (story) {
            case "handshake" -> OPEN;
            case "teardown", "half-close" -> concat(OPEN, CLOSE, List.of("half-close"));
            case "lost-final-ack" -> concat(OPEN, CLOSE, List.of("lost", "retransmission", "time-wait-reack"));
            case "lost-syn" -> concat(OPEN, List.of("lost", "retransmission"));
            case "refused" -> List.of("handshake1", "reset");
            case "simultaneous-open" -> List.of("handshake1", "simultaneous-open", "handshake2");
            case "simultaneous-close" -> concat(OPEN, List.of("wave1", "simultaneous-close", "time-wait"));
            case "retransmission" -> concat(OPEN, List.of("lost", "dup-ack", "fast-retransmit", "retransmission"));
            case "zero-window" -> concat(OPEN, List.of("zero-window", "persist-probe", "window-update"));
            default -> List.of("handshake1");
        };
    }

    static List<String> concat(List<String> a, List<String> b) { return Stream.concat(a.stream(), b.stream()).toList(); }

    static List<String> concat(List<String> a, List<String> b, List<String> c) { return concat(concat(a, b), c); }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stories")
    void storyIsNarratedAndRendersEverywhere(Scenario story) throws Exception {
        LabRun run = LabRunner.run(story, ScenarioOptions.defaults());
        List<String> keys = NarrationTest.keys(run);
        assertTrue(keys.containsAll(expected(story.name())), story.name() + ": want " + expected(story.name()) + " in " + keys);
        List<Map<String, Object>> ev = JsonRunTest.checkSchema(JsonRun.render(run), story.name());
        assertTrue(ev.stream().anyMatch(e -> e.get("type").equals("segment")));
        for (TextLadder.Options o : TextLadderTest.allOptions())
            for (String line : TextLadder.render(run, o).split("\n"))
                assertTrue(Cols.width(line) <= 100, story.name() + " " + o + ": " + line);
        for (Lang lang : Lang.values()) {
            Document d = SvgLadderTest.parse(SvgLadder.render(run, lang, true));
            assertEquals(2, SvgLadderTest.groups(d, "lane").size());
            assertEquals(run.segments().size(), SvgLadderTest.groups(d, "seg").size());
            assertEquals(run.segments().stream().filter(LabEvent.Segment::dropped).count(),
                    SvgLadderTest.groups(d, "lost").size());
        }
    }

    @Test
    void noFalseRetransmissionsInSimultaneousOpenOrAfterWindowProbes() {
        for (String name : List.of("simultaneous-open", "zero-window")) {
            LabRun run = LabRunner.run(Scenarios.byName(name).orElseThrow(), ScenarioOptions.defaults());
            assertFalse(NarrationTest.keys(run).contains("retransmission"), name + ": " + NarrationTest.keys(run));
        }
    }

    @Test
    void twoWayLabModeIsCalledOut() {
        LabRun run = LabRunner.run(Scenarios.byName("stale-syn").orElseThrow(), ScenarioOptions.defaults().withTwoWay(true));
        assertTrue(NarrationTest.keys(run).contains("two-way"), NarrationTest.keys(run).toString());
    }

    @Test
    void noTimeWaitLabModeIsCalledOut() {
        LabRun run = LabRunner.run(Scenarios.byName("lost-final-ack").orElseThrow(), ScenarioOptions.defaults().withNoTimeWait(true));
        assertTrue(NarrationTest.keys(run).containsAll(List.of("no-time-wait", "reset")), NarrationTest.keys(run).toString());
    }

    @Test
    void storyNotesStandAtTheirInstantInTheSvg() throws Exception {
        LabRun run = LabRunner.run(Scenarios.byName("teardown").orElseThrow(), ScenarioOptions.defaults());
        String svg = SvgLadder.render(run, Lang.EN);
        SvgLadderTest.parse(svg);
        long stories = run.events().stream().filter(e -> e instanceof LabEvent.Explanation x && x.trigger() == null).count();
        assertTrue(stories > 0);
        assertEquals(NarrationTest.keys(run).size(), SvgLadderTest.groups(SvgLadderTest.parse(svg), "expl").size(),
                "every explanation, story notes included, is drawn once");
        // --relative-seq re-narrates: the story's own notes must survive that
        String relSvg = SvgLadder.render(run, Lang.EN, true);
        assertEquals(NarrationTest.keys(run).size(), SvgLadderTest.groups(SvgLadderTest.parse(relSvg), "expl").size());
        LabEvent.Explanation story = run.events().stream().filter(e -> e instanceof LabEvent.Explanation x && x.trigger() == null)
                .map(e -> (LabEvent.Explanation) e).findFirst().orElseThrow();
        String firstWords = story.en().substring(0, Math.min(20, story.en().length()));
        assertTrue(TextLadder.render(run, TextLadder.Options.defaults().withRelativeSeq(true)).contains(firstWords));
    }
}
