package org.netstack4j.lab;

/**
 * A {@link LaneRun} as JSON, one event per line:
 * <pre>{"scenario": "arp", "lanes": [{"name":"A","kind":"host"}, ...], "events": [
 *   {"type":"frame","t_us":0,"from":"A","to":["B"],"label":"...","via":null},
 *   {"type":"note","t_us":0,"lane":"sw0","text":"..."}]}</pre>
 * {@code via} is what a device did (REPEATED, FLOODED, FORWARDED) or null for a host's send.
 */
public final class LaneJson {
    private LaneJson() {}

    public static String render(LaneRun run, Lang lang) {
        StringBuilder sb = new StringBuilder();
        sb.append("{\"scenario\": ").append(JsonRun.str(run.scenario())).append(", \"lanes\": [");
        for (int i = 0; i < run.lanes().size(); i++) {
            LaneRun.Lane l = run.lanes().get(i);
            sb.append(i == 0 ? "" : ", ").append("{\"name\":").append(JsonRun.str(l.name()))
                    .append(",\"kind\":").append(JsonRun.str(l.kind().name().toLowerCase(java.util.Locale.ROOT))).append('}');
        }
        sb.append("], \"events\": [");
        boolean first = true;
        for (LaneRun.Event e : run.events()) {
            sb.append(first ? "\n  " : ",\n  ");
            first = false;
            switch (e) {
                case LaneRun.Frame f -> {
                    sb.append("{\"type\":\"frame\",\"t_us\":").append(f.tUs()).append(",\"from\":").append(JsonRun.str(f.from()))
                            .append(",\"to\":[");
                    for (int i = 0; i < f.to().size(); i++) sb.append(i == 0 ? "" : ",").append(JsonRun.str(f.to().get(i)));
                    sb.append("],\"label\":").append(JsonRun.str(f.label(lang))).append(",\"via\":")
                            .append(f.via() == null ? "null" : JsonRun.str(f.via().name())).append('}');
                }
                case LaneRun.Note n -> sb.append("{\"type\":\"note\",\"t_us\":").append(n.tUs()).append(",\"lane\":")
                        .append(JsonRun.str(n.lane())).append(",\"text\":").append(JsonRun.str(n.text(lang))).append('}');
            }
        }
        sb.append(first ? "]}\n" : "\n]}\n");
        return sb.toString();
    }
}
