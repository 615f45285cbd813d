package org.netstack4j.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.netstack4j.time.Time;

/** The JSON form: parsed back with a strict parser, every field of every event checked. */
class JsonRunTest {
    static final List<String> FLAG_ORDER = List.of("SYN", "FIN", "RST", "PSH", "ACK", "URG", "ECE", "CWR");
    static final Set<String> STATES = Set.of("CLOSED", "LISTEN", "SYN_SENT", "SYN_RECEIVED", "ESTABLISHED",
            "FIN_WAIT_1", "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT");

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> checkSchema(String json, String scenario) {
        Map<String, Object> top = (Map<String, Object>) MiniJson.parse(json);
        assertEquals(List.of("scenario", "hosts", "events"), new ArrayList<>(top.keySet()));
        assertEquals(scenario, top.get("scenario"));
        assertEquals(List.of("client", "server"), top.get("hosts"));
        List<Map<String, Object>> events = (List<Map<String, Object>>) top.get("events");
        long lastT = Long.MIN_VALUE;
        for (Map<String, Object> e : events) {
            long t = (Long) e.get("t_us");
            assertTrue(t >= lastT, "events in time order: " + e);
            lastT = t;
            switch ((String) e.get("type")) {
                case "segment" -> {
                    assertEquals(List.of("type", "t_us", "from", "to", "flags", "seq", "ack", "len", "win", "dropped"),
                            new ArrayList<>(e.keySet()));
                    assertTrue(Set.of("client", "server").contains(e.get("from")));
                    assertTrue(Set.of("client", "server").contains(e.get("to")));
                    assertFalse(e.get("from").equals(e.get("to")));
                    List<String> flags = (List<String>) e.get("flags");
                    int last = -1;
                    for (String f : flags) {
                        int idx = FLAG_ORDER.indexOf(f);
                        assertTrue(idx > last, "flags in order SYN, FIN, RST, PSH, ACK, URG: " + flags);
                        last = idx;
                    }
                    long seq = (Long) e.get("seq");
                    assertTrue(seq >= 0 && seq <= 0xffffffffL, "raw unsigned seq");
                    if (flags.contains("ACK")) {
                        long ack = (Long) e.get("ack");
                        assertTrue(ack >= 0 && ack <= 0xffffffffL);
                    } else {
                        assertNull(e.get("ack"), "ack is null without the ACK flag");
                    }
                    assertTrue((Long) e.get("len") >= 0);
                    assertTrue((Long) e.get("win") >= 0 && (Long) e.get("win") <= 65535);
                    assertInstanceOf(Boolean.class, e.get("dropped"));
                }
                case "state" -> {
                    assertEquals(List.of("type", "t_us", "host", "from", "to", "cause"), new ArrayList<>(e.keySet()));
                    assertTrue(STATES.contains(e.get("from")), "state name " + e.get("from"));
                    assertTrue(STATES.contains(e.get("to")), "state name " + e.get("to"));
                    assertInstanceOf(String.class, e.get("cause"));
                }
                case "timer" -> {
                    assertEquals(List.of("type", "t_us", "host", "name", "action", "deadline_us"), new ArrayList<>(e.keySet()));
                    if (e.get("action").equals("set")) assertTrue((Long) e.get("deadline_us") >= t);
                }
                case "note" -> {
                    assertEquals(List.of("type", "t_us", "host", "text"), new ArrayList<>(e.keySet()).subList(0, 4));
                    assertInstanceOf(String.class, e.get("text"));
                }
                default -> throw new AssertionError("unknown event type " + e);
            }
        }
        return events;
    }

    @Test
    void handshakeJsonFollowsTheSchema() {
        List<Map<String, Object>> events = checkSchema(JsonRun.render(Fixtures.handshakeRun()), "handshake");
        List<Map<String, Object>> segs = events.stream().filter(e -> e.get("type").equals("segment")).toList();
        assertEquals(12, segs.size());
        Map<String, Object> syn = segs.getFirst();
        assertEquals(1000L, syn.get("t_us"));
        assertEquals(List.of("SYN"), syn.get("flags"));
        assertEquals(Fixtures.X, syn.get("seq"));
        assertNull(syn.get("ack"));
        assertEquals(64240L, syn.get("win"));
        Map<String, Object> synAck = segs.get(1);
        assertEquals(List.of("SYN", "ACK"), synAck.get("flags"));
        assertEquals(Fixtures.X + 1, synAck.get("ack"));
        assertEquals(1, segs.stream().filter(e -> e.get("dropped").equals(Boolean.TRUE)).count());
        assertTrue(events.stream().anyMatch(e -> e.get("type").equals("state") && e.get("to").equals("TIME_WAIT")
                && e.get("from").equals("FIN_WAIT_2")));
        assertTrue(events.stream().anyMatch(e -> e.get("type").equals("timer") && e.get("name").equals("2MSL")
                && e.get("deadline_us").equals((Time.s(60) + Time.ms(610)) / 1000)));
    }

    @Test
    void otherFixturesFollowTheSchema() {
        Fixtures.Trace f = Fixtures.fastRetransmitZeroWindow();
        checkSchema(JsonRun.render(TraceConverter.convert("fast", f.client(), f.server())), "fast");
        Fixtures.Trace r = Fixtures.refused();
        List<Map<String, Object>> ev = checkSchema(JsonRun.render(TraceConverter.convert("refused", r.client(), r.server()),
                Lang.ZH), "refused");
        assertTrue(ev.stream().anyMatch(e -> e.get("type").equals("segment")
                && e.get("flags").equals(List.of("RST", "ACK"))));
        assertTrue(ev.stream().anyMatch(e -> e.get("type").equals("note")
                && ((String) e.get("text")).contains("SYN \"quoted\"\tport")), "escaped note text round-trips");
    }

    @Test
    void emptyRunIsValidJson() {
        checkSchema(JsonRun.render(new LabRun("empty", List.of("client", "server"), List.of())), "empty");
    }

    @Test
    void stringsAreEscaped() {
        String nasty = "q\"b\\s/\n\r\t\b\f\u0001\u001f\u2028 中文 é";
        assertEquals(nasty, MiniJson.parse(JsonRun.str(nasty)));
        assertEquals("\"\\u0001\"", JsonRun.str("\u0001"));
        LabRun run = new LabRun("a\"b", List.of("client", "server"),
                List.of(new LabEvent.Note(5_000, "client", nasty)));
        @SuppressWarnings("unchecked")
        Map<String, Object> top = (Map<String, Object>) MiniJson.parse(JsonRun.render(run));
        assertEquals("a\"b", top.get("scenario"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> ev = (List<Map<String, Object>>) top.get("events");
        assertEquals(nasty, ev.getFirst().get("text"));
        assertEquals(5L, ev.getFirst().get("t_us"));
    }

    @Test
    void explanationsFollowTheLanguage() {
        String zh = JsonRun.render(Fixtures.handshakeRun(), Lang.ZH);
        assertTrue(zh.contains("第一次握手"));
        assertTrue(zh.contains("\"key\":\"handshake1\""));
        assertFalse(JsonRun.render(Fixtures.handshakeRun()).contains("第一次握手"));
    }
}
