package org.netstack4j.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class ColsTest {
    @Test
    void wideCharactersCountTwo() {
        assertEquals(4, Cols.width("abcd"));
        assertEquals(10, Cols.width("第一次握手"));
        assertEquals(4, Cols.width("（）"));
        assertEquals(1, Cols.width("─"));
    }

    @Test
    void wrapKeepsClosingPunctuationOffTheLineStart() {
        List<String> lines = Cols.wrap("第一次握手：客户端给服务端发一个 SYN 报文，并指明客户端的初始化序列号。", 20);
        for (String l : lines) {
            assertTrue(Cols.width(l) <= 20, l);
            assertTrue("，。；：）".indexOf(l.charAt(0)) < 0, l);
        }
        assertEquals("第一次握手：客户端给服务端发一个 SYN 报文，并指明客户端的初始化序列号。".replace(" ", ""),
                String.join("", lines).replace(" ", ""));
    }

    @Test
    void noLineOfAnyExplanationStartsWithClosingPunctuation() {
        for (String key : List.of("handshake", "fast")) {
            LabRun run = key.equals("handshake") ? Fixtures.handshakeRun() : GoldenTest.fast();
            for (LabEvent e : run.events()) {
                if (!(e instanceof LabEvent.Explanation x)) continue;
                for (int cols = 20; cols <= 60; cols++)
                    for (String l : Cols.wrap(x.zh(), cols)) {
                        assertTrue(Cols.width(l) <= cols, l);
                        assertTrue("，。；：）」”、！？".indexOf(l.charAt(0)) < 0, cols + ": " + l);
                        assertTrue("（「“".indexOf(l.charAt(l.length() - 1)) < 0, cols + ": " + l);
                    }
            }
        }
    }

    @Property(seed = "42")
    void wrapNeverExceedsTheWidthAndKeepsEveryNonSpaceCharacter(@ForAll String text, @ForAll @IntRange(min = 4, max = 60) int cols) {
        String clean = text.replaceAll("[\\p{Cntrl}\\p{Cs}]", "");
        List<String> lines = Cols.wrap(clean, cols);
        for (String l : lines) assertTrue(Cols.width(l) <= cols, l);
        assertEquals(noSpace(clean), noSpace(String.join("", lines)));
    }

    static String noSpace(String s) {
        StringBuilder sb = new StringBuilder();
        s.codePoints().filter(c -> !Character.isWhitespace(c)).forEach(sb::appendCodePoint);
        return sb.toString();
    }

    @Test
    void fitCutsWithAMark() {
        assertEquals("abc~", Cols.fit("abcdef", 4));
        assertEquals("ab", Cols.fit("ab", 4));
        assertTrue(Cols.width(Cols.fit("第一次握手", 5)) <= 5);
    }
}
