package org.netstack4j.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

class TextLadderTest {
    static final TextLadder.Options D = TextLadder.Options.defaults();

    static List<TextLadder.Options> allOptions() {
        return List.of(D, D.withAscii(true), D.withRelativeSeq(true), D.withLang(Lang.ZH),
                D.withLang(Lang.ZH).withAscii(true).withRelativeSeq(true));
    }

    @Test
    void everyLineFits100ColumnsForEveryFixtureAndOption() {
        Fixtures.Trace f = Fixtures.fastRetransmitZeroWindow(), r = Fixtures.refused();
        List<LabRun> runs = List.of(Fixtures.handshakeRun(), TraceConverter.convert("f", f.client(), f.server()),
                TraceConverter.convert("r", r.client(), r.server()));
        for (LabRun run : runs)
            for (TextLadder.Options o : allOptions())
                for (String line : TextLadder.render(run, o).split("\n"))
                    assertTrue(Cols.width(line) <= 100, o + ": " + Cols.width(line) + " columns: " + line);
    }

    @Test
    void narrowerWidthIsHonoured() {
        TextLadder.Options o = new TextLadder.Options(Lang.ZH, false, false, 80);
        for (String line : TextLadder.render(Fixtures.handshakeRun(), o).split("\n"))
            assertTrue(Cols.width(line) <= 80, line);
        assertThrows(IllegalArgumentException.class, () -> new TextLadder.Options(Lang.EN, false, false, 40));
    }

    @Test
    void asciiModeIsPlainAscii() {
        String text = TextLadder.render(Fixtures.handshakeRun(), D.withAscii(true));
        assertTrue(text.chars().allMatch(c -> c < 128), "only ASCII");
        assertTrue(text.contains("|--------------------------------------------------------->|"));
        assertTrue(text.contains("|<---------------------------------------------------------|"));
        assertTrue(text.contains("----X "), "lost segment stops midway with an X");
    }

    @Test
    void unicodeModeDrawsArrowsAndTheLostSegment() {
        String text = TextLadder.render(Fixtures.handshakeRun(), D);
        assertTrue(text.contains("├─────"));
        assertTrue(text.contains("─►│"));
        assertTrue(text.contains("│◄─"));
        assertTrue(text.contains("──✕"));
    }

    @Test
    void labelsCarryFlagsSeqAckLenWin() {
        String text = TextLadder.render(Fixtures.handshakeRun(), D);
        assertTrue(text.contains("SYN seq=3456789012 len=0 win=64240"));
        assertTrue(text.contains("SYN,ACK seq=1103577431 ack=3456789013 len=0 win=65160"));
        assertTrue(text.contains("<mss 1460,sackOK,TS val 1000 ecr 0,nop,wscale 7>"));
    }

    @Test
    void relativeSequenceNumbersStartAtZero() {
        String text = TextLadder.render(Fixtures.handshakeRun(), D.withRelativeSeq(true));
        assertTrue(text.contains("SYN seq=0 len=0"));
        assertTrue(text.contains("SYN,ACK seq=0 ack=1 len=0"));
        assertTrue(text.contains("ACK seq=1 ack=1 len=0"));
        assertTrue(text.contains("PSH,ACK seq=1 ack=1 len=100"));
        assertTrue(text.contains("FIN,ACK seq=101 ack=1 len=0"));
        assertTrue(text.contains("FIN,ACK seq=51 ack=102 len=0"));
    }

    @Test
    void statesAreWrittenWhenTheyChange() {
        String text = TextLadder.render(Fixtures.handshakeRun(), D);
        for (String s : List.of("SYN_SENT", "SYN_RECEIVED", "ESTABLISHED", "FIN_WAIT_1", "CLOSE_WAIT", "FIN_WAIT_2",
                "LAST_ACK", "TIME_WAIT", "CLOSED", "LISTEN"))
            assertTrue(text.contains(s), s);
        String synSentLine = Arrays.stream(text.split("\n")).filter(l -> l.contains("SYN_SENT")).findFirst().orElseThrow();
        assertTrue(synSentLine.indexOf("SYN_SENT") < synSentLine.indexOf('│'), "client states left of its lifeline");
        String synRcvdLine = Arrays.stream(text.split("\n")).filter(l -> l.endsWith("SYN_RECEIVED")).findFirst().orElseThrow();
        assertTrue(synRcvdLine.lastIndexOf('│') < synRcvdLine.indexOf("SYN_RECEIVED"), "server states right of its lifeline");
    }

    @Test
    void stepsAreTaggedInBothLanguages() {
        String en = TextLadder.render(Fixtures.handshakeRun(), D);
        for (String t : List.of("1st handshake ├", "2nd handshake", "3rd handshake ├", "1st wave ├", "┤ 2nd wave",
                "┤ 3rd wave", "4th wave ├", "retransmit ├", "◷ 2MSL set", "◷ RTO fired", "delayed-ACK"))
            assertTrue(en.contains(t), t);
        String zh = TextLadder.render(Fixtures.handshakeRun(), D.withLang(Lang.ZH));
        for (String t : List.of("第一次握手 ├", "┤ 第二次握手", "第三次握手 ├", "第一次挥手 ├", "┤ 第二次挥手", "┤ 第三次挥手",
                "第四次挥手 ├", "客户端", "服务端", "2MSL", "半关闭", "重传计时器 RTO 超时", "延迟确认计时器"))
            assertTrue(zh.contains(t), t);
    }

    @Test
    void timesAreShownInMilliseconds() {
        assertEquals("0.000", TextLadder.ms(0));
        assertEquals("1200.040", TextLadder.ms(1_200_040_000L));
        assertTrue(TextLadder.render(Fixtures.handshakeRun(), D).contains("60610.000"));
    }
}
