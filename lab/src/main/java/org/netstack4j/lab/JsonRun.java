package org.netstack4j.lab;

import org.netstack4j.trace.TimerAction;

/**
 * The run as JSON, in the fixed form external checks rely on:
 * <pre>{"scenario": "handshake", "hosts": ["client", "server"], "events": [ ... ]}</pre>
 * with one event object per line. Segment and state events have exactly the documented fields
 * (flags in the order SYN, FIN, RST, PSH, ACK, URG; raw seq/ack; ack null without the ACK flag);
 * timers carry host, name, action, deadline_us; notes host and text; explanations are notes
 * with an extra "key". Written by hand: lab depends on core only.
 */
public final class JsonRun {
    private JsonRun() {}

    /** English explanation texts. */
    public static String render(LabRun run) { return render(run, Lang.EN); }

    /** Explanation notes in the given language. */
    public static String render(LabRun run, Lang lang) {
        StringBuilder sb = new StringBuilder();
        sb.append("{\"scenario\": ").append(str(run.scenario())).append(", \"hosts\": [")
                .append(str(run.left())).append(", ").append(str(run.right())).append("], \"events\": [");
        boolean first = true;
        for (LabEvent e : run.events()) {
            sb.append(first ? "\n  " : ",\n  ");
            first = false;
            event(sb, e, lang);
        }
        sb.append(first ? "]}\n" : "\n]}\n");
        return sb.toString();
    }

    static void event(StringBuilder sb, LabEvent e, Lang lang) {
        switch (e) {
            case LabEvent.Segment s -> {
                sb.append("{\"type\":\"segment\",\"t_us\":").append(s.tUs())
                        .append(",\"from\":").append(str(s.from())).append(",\"to\":").append(str(s.to()))
                        .append(",\"flags\":[");
                for (int i = 0; i < s.flags().size(); i++) sb.append(i == 0 ? "" : ",").append(str(s.flags().get(i)));
                sb.append("],\"seq\":").append(s.seq()).append(",\"ack\":").append(s.ack() == null ? "null" : s.ack().toString())
                        .append(",\"len\":").append(s.len()).append(",\"win\":").append(s.win())
                        .append(",\"dropped\":").append(s.dropped()).append('}');
            }
            case LabEvent.State st -> sb.append("{\"type\":\"state\",\"t_us\":").append(st.tUs())
                    .append(",\"host\":").append(str(st.host())).append(",\"from\":").append(str(st.from().name()))
                    .append(",\"to\":").append(str(st.to().name())).append(",\"cause\":").append(str(lang == Lang.ZH ? Zh.cause(st.cause()) : st.cause())).append('}');
            case LabEvent.Timer t -> sb.append("{\"type\":\"timer\",\"t_us\":").append(t.tUs())
                    .append(",\"host\":").append(str(t.host())).append(",\"name\":").append(str(t.name().toString()))
                    .append(",\"action\":").append(str(t.action().toString())).append(",\"deadline_us\":")
                    .append(t.action() == TimerAction.SET ? Long.toString(Math.floorDiv(t.deadlineNs(), 1000L)) : "null")
                    .append('}');
            case LabEvent.Note n -> sb.append("{\"type\":\"note\",\"t_us\":").append(n.tUs())
                    .append(",\"host\":").append(str(n.host())).append(",\"text\":").append(str(n.text(lang))).append('}');
            case LabEvent.Explanation x -> sb.append("{\"type\":\"note\",\"t_us\":").append(x.tUs())
                    .append(",\"host\":").append(str(x.host())).append(",\"text\":").append(str(x.text(lang)))
                    .append(",\"key\":").append(str(x.key())).append('}');
        }
    }

    /** A JSON string literal (RFC 8259 7): quotes, backslash and control characters escaped. */
    public static String str(String s) {
        if (s == null) return "null";
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    // U+2028/2029 are legal JSON but break JavaScript string literals: escape them too.
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        return sb.append('"').toString();
    }
}
