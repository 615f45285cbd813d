package org.netstack4j.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.netstack4j.trace.RelayAction;

/** The multi-lane ladder on hand-built runs: arrows with several heads, crossed lifelines, ASCII, width. */
class LaneLadderTest {
    static LaneRun run() {
        return new LaneRun("t", List.of(new LaneRun.Lane("A", LaneRun.Kind.HOST), new LaneRun.Lane("hub0", LaneRun.Kind.HUB),
                new LaneRun.Lane("B", LaneRun.Kind.HOST), new LaneRun.Lane("C", LaneRun.Kind.HOST)), List.of(
                new LaneRun.Frame(0, "A", List.of("hub0"), "hello", null),
                new LaneRun.Frame(1_000, "hub0", List.of("A", "C"), "hello again", RelayAction.REPEATED),
                new LaneRun.Note(2_000, "C", "a note beside the last lane", "最后一条生命线旁的注释")));
    }

    @Test void asciiArrowsHaveAHeadAtEveryTargetAndCrossWhatTheyPass() {
        String text = LaneLadder.render(run(), Lang.EN, true, 80);
        for (String line : text.split("\n")) {
            assertTrue(line.length() <= 80, line);
            assertTrue(line.chars().allMatch(c -> c < 128), "ASCII only: " + line);
        }
        String repeat = text.lines().filter(l -> l.contains("<") && l.contains(">")).findFirst().orElseThrow();
        assertEquals(1, repeat.chars().filter(c -> c == '<').count(), repeat);
        assertEquals(1, repeat.chars().filter(c -> c == '>').count(), repeat);
        assertTrue(repeat.contains("+"), "B's lifeline crossed: " + repeat);
        assertTrue(text.contains("repeat: hello again") && text.contains("! a note beside the last lane"), text);
    }

    @Test void chineseNamesTheDevicesAndFitsTheWidth() {
        String zh = LaneLadder.render(run(), Lang.ZH, false, 72);
        assertTrue(zh.contains("hub0 集线器") && zh.contains("中继: hello again") && zh.contains("最后一条生命线旁的注释"), zh);
        for (String line : zh.split("\n")) assertTrue(Cols.width(line) <= 72, line);
    }

    @Test void eventsOnUnknownLanesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new LaneRun("t", List.of(new LaneRun.Lane("A", LaneRun.Kind.HOST),
                new LaneRun.Lane("B", LaneRun.Kind.HOST)), List.of(new LaneRun.Frame(0, "A", List.of("Z"), "x", null))));
        assertThrows(IllegalArgumentException.class, () -> new LaneRun.Frame(0, "A", List.of("A"), "x", null));
    }
}
