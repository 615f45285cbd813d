package org.netstack4j.lab;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The run as an SVG sequence diagram: two lanes with the host names and lifelines, state boxes
 * on the lanes, slanted arrows from send to arrival with their labels along them, lost segments
 * dashed and ending in an X, timers and notes as small circles on the lifeline (their text outside the
 * lanes, away from the arrows), explanations in a column
 * on the right. Vertical space is by event, not proportional to time (2MSL would not fit);
 * each new instant is labelled on the left.
 */
public final class SvgLadder {
    private SvgLadder() {}

    /** Geometry, public so that screenshot tests know where the lanes are. */
    public static final int WIDTH = 1500, LEFT_X = 320, RIGHT_X = 810, EXPL_X = 1040, EXPL_COLS = 58, TOP = 80;

    public static String render(LabRun run, Lang lang) { return render(run, lang, false); }

    public static String render(LabRun run, Lang lang, boolean relativeSeq) {
        if (relativeSeq) run = TextLadder.renarrated(run);
        List<LabEvent> ev = run.events();
        // Layout: event rows and arrival points, in time order.
        record Item(long time, int order, int index) {}
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < ev.size(); i++) {
            LabEvent e = ev.get(i);
            if (e instanceof LabEvent.Explanation x) {
                // explanations without a trigger (a story's own notes) stand at their instant
                if (x.trigger() == null) items.add(new Item(e.timeNs(), 2, i));
                continue;
            }
            items.add(new Item(e.timeNs(), 1, i));
            if (e instanceof LabEvent.Segment s && !s.dropped()) items.add(new Item(s.arrivalNs(), 0, i));
        }
        items.sort(Comparator.comparingLong(Item::time).thenComparingInt(Item::order).thenComparingInt(Item::index));
        java.util.IdentityHashMap<LabEvent, List<LabEvent.Explanation>> explOf = new java.util.IdentityHashMap<>();
        for (LabEvent e : ev) {
            if (e instanceof LabEvent.Explanation x && x.trigger() != null)
                explOf.computeIfAbsent(x.trigger(), k -> new ArrayList<>()).add(x);
        }
        double[] y = new double[ev.size()];
        double[] arrive = new double[ev.size()];
        List<double[]> timeLabels = new ArrayList<>(); // y, time
        Map<Long, Boolean> labelled = new HashMap<>();
        StringBuilder body = new StringBuilder();
        double cursor = TOP + 20;
        double explCursor = TOP;
        for (Item it : items) {
            LabEvent e = ev.get(it.index());
            if (it.order() == 0) {
                cursor = Math.max(cursor, y[it.index()] + 30);
                arrive[it.index()] = cursor;
                cursor += 16; // several arrivals at one instant fan out instead of meeting in a point
                continue;
            }
            if (it.order() == 2) {
                explCursor = explanation(body, (LabEvent.Explanation) e, lang, Math.max(cursor - 20, explCursor));
                continue;
            }
            List<LabEvent.Explanation> xs = explOf.getOrDefault(e, List.of());
            // An event with explanations waits for the previous ones, so that each stays level with its event.
            if (!xs.isEmpty()) cursor = Math.max(cursor, explCursor);
            if (labelled.put(it.time(), Boolean.TRUE) == null) timeLabels.add(new double[] {cursor, it.time()});
            y[it.index()] = cursor;
            for (LabEvent.Explanation x : xs) explCursor = explanation(body, x, lang, Math.max(cursor, explCursor));
            cursor += switch (e) {
                case LabEvent.Segment s -> 26;
                case LabEvent.State s -> 30;
                case LabEvent.Timer t -> 20;
                case LabEvent.Note n -> 20;
                case LabEvent.Explanation x -> 0;
            };
        }

        for (double[] tl : timeLabels) {
            body.append("<text class=\"time\" x=\"12\" y=\"").append(f(tl[0] + 4)).append("\">")
                    .append(esc(TextLadder.ms((long) tl[1]) + " ms")).append("</text>\n");
        }
        for (int i = 0; i < ev.size(); i++) {
            LabEvent e = ev.get(i);
            switch (e) {
                case LabEvent.Segment s -> segment(body, run, ev, i, s, y[i], arrive[i], lang, relativeSeq);
                case LabEvent.State st -> {
                    double x = laneX(run, st.host());
                    body.append("<g class=\"state\"><title>").append(esc(st.from().name() + " -> " + st.to().name()
                                    + (st.cause().isEmpty() ? "" : " (" + st.cause() + ")"))).append("</title>")
                            .append("<rect x=\"").append(f(x - 62)).append("\" y=\"").append(f(y[i] - 2))
                            .append("\" width=\"124\" height=\"22\" rx=\"5\"/>")
                            .append("<text x=\"").append(f(x)).append("\" y=\"").append(f(y[i] + 13)).append("\">")
                            .append(esc(st.to().name())).append("</text></g>\n");
                }
                case LabEvent.Timer t -> mark(body, run, t.host(), y[i], "timer", TextLadder.timerText(t, lang));
                case LabEvent.Note n -> mark(body, run, n.host(), y[i], "note", n.text());
                case LabEvent.Explanation x -> { }
            }
        }
        double height = Math.max(cursor, explCursor) + 30;

        StringBuilder sb = new StringBuilder();
        sb.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"").append(f(height))
                .append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(f(height)).append("\">\n");
        sb.append("<title>").append(esc(lang.pick("netstack4j demo: ", "netstack4j 演示：") + run.scenario())).append("</title>\n");
        sb.append("""
                <defs>
                  <marker id="head" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse">
                    <path d="M0,0 L10,5 L0,10 z" fill="#1f4e8c"/>
                  </marker>
                </defs>
                <style>
                  text { font-family: "DejaVu Sans", "Noto Sans CJK SC", sans-serif; font-size: 12px; fill: #222; }
                  .host rect { fill: #1f4e8c; } .host text { fill: #fff; font-weight: bold; font-size: 14px; text-anchor: middle; }
                  .lifeline { stroke: #888; stroke-width: 1.5; }
                  .state rect { fill: #fff6d5; stroke: #c9a227; } .state text { text-anchor: middle; font-size: 11px; font-weight: bold; }
                  .seg line { stroke: #1f4e8c; stroke-width: 1.5; }
                  .seg text.label { font-family: "DejaVu Sans Mono", monospace; font-size: 11px; text-anchor: middle; }
                  .seg text.opts { font-family: "DejaVu Sans Mono", monospace; font-size: 9px; fill: #666; text-anchor: middle; }
                  .seg text.tag { font-size: 11px; font-style: italic; fill: #555; text-anchor: middle; }
                  .lost line { stroke: #b22222; stroke-dasharray: 6 4; } .lost path { stroke: #b22222; stroke-width: 2.5; fill: none; }
                  .timer circle { fill: #fff; stroke: #2e7d32; stroke-width: 1.5; } .timer text { fill: #2e7d32; font-size: 10px; }
                  .note circle { fill: #b22222; } .note text { fill: #b22222; font-size: 10px; }
                  .time { fill: #777; font-size: 10px; }
                  .expl text { fill: #333; }
                </style>
                """);
        sb.append("<rect x=\"0\" y=\"0\" width=\"").append(WIDTH).append("\" height=\"").append(f(height)).append("\" fill=\"#fff\"/>\n");
        for (String h : run.hosts()) {
            double x = laneX(run, h);
            String name = lang == Lang.ZH ? Narration.zhHost(h) + " (" + h + ")" : h;
            sb.append("<g class=\"host lane\" id=\"lane-").append(esc(h)).append("\"><rect x=\"").append(f(x - 70))
                    .append("\" y=\"20\" width=\"140\" height=\"34\" rx=\"6\"/><text x=\"").append(f(x)).append("\" y=\"42\">")
                    .append(esc(name)).append("</text>")
                    .append("<line class=\"lifeline\" x1=\"").append(f(x)).append("\" y1=\"54\" x2=\"").append(f(x))
                    .append("\" y2=\"").append(f(height - 10)).append("\"/></g>\n");
            sb.append("<g class=\"state\"><rect x=\"").append(f(x - 62)).append("\" y=\"58\" width=\"124\" height=\"22\" rx=\"5\"/>")
                    .append("<text x=\"").append(f(x)).append("\" y=\"73\">").append(esc(run.initialState(h).name()))
                    .append("</text></g>\n");
        }
        sb.append(body);
        sb.append("</svg>\n");
        return sb.toString();
    }

    /** Writes one explanation at height ey in the right column; returns where the next may start. */
    private static double explanation(StringBuilder body, LabEvent.Explanation x, Lang lang, double ey) {
        List<String> lines = Cols.wrap(x.text(lang), EXPL_COLS);
        body.append("<g class=\"expl\"><text x=\"").append(EXPL_X).append("\" y=\"").append(f(ey + 12)).append("\">");
        for (int k = 0; k < lines.size(); k++) {
            body.append("<tspan x=\"").append(EXPL_X).append("\" dy=\"").append(k == 0 ? "0" : "15").append("\">")
                    .append(esc(lines.get(k))).append("</tspan>");
        }
        body.append("</text></g>\n");
        return ey + lines.size() * 15 + 10;
    }

    static double laneX(LabRun run, String host) { return host.equals(run.left()) ? LEFT_X : RIGHT_X; }

    private static void segment(StringBuilder sb, LabRun run, List<LabEvent> ev, int i, LabEvent.Segment s,
                                double y1, double y2, Lang lang, boolean relative) {
        double x1 = laneX(run, s.from()), x2 = laneX(run, s.to());
        String label = TextLadder.segmentLabel(run, s, relative);
        String tag = "";
        for (int j = i + 1; j < ev.size() && ev.get(j).timeNs() == s.timeNs(); j++) {
            if (ev.get(j) instanceof LabEvent.Explanation x && x.trigger() == s) {
                String t = TextLadder.tag(x.key(), lang);
                if (t != null) { tag = t; break; }
            }
        }
        String under = tag, over = TextLadder.showOptions(s) ? "<" + s.options() + ">" : "";
        if (s.dropped()) {
            double ex = x1 + (x2 - x1) * 0.6, ey = y1 + 22;
            sb.append("<g class=\"seg lost\"><line x1=\"").append(f(x1)).append("\" y1=\"").append(f(y1))
                    .append("\" x2=\"").append(f(ex)).append("\" y2=\"").append(f(ey)).append("\"/>")
                    .append("<path d=\"M").append(f(ex - 6)).append(',').append(f(ey - 6)).append(" L").append(f(ex + 6))
                    .append(',').append(f(ey + 6)).append(" M").append(f(ex - 6)).append(',').append(f(ey + 6))
                    .append(" L").append(f(ex + 6)).append(',').append(f(ey - 6)).append("\"/>");
            text(sb, x1, y1, ex, ey, label, under, over);
            sb.append("</g>\n");
            return;
        }
        sb.append("<g class=\"seg\"><line x1=\"").append(f(x1)).append("\" y1=\"").append(f(y1)).append("\" x2=\"")
                .append(f(x2)).append("\" y2=\"").append(f(y2)).append("\" marker-end=\"url(#head)\"/>");
        text(sb, x1, y1, x2, y2, label, under, over);
        sb.append("</g>\n");
    }

    /** Label above and tag below the line from (x1,y1) to (x2,y2), rotated to read left to right. */
    private static void text(StringBuilder sb, double x1, double y1, double x2, double y2, String label,
                             String under, String over) {
        double lx = Math.min(x1, x2), rx = Math.max(x1, x2);
        double ly = x1 <= x2 ? y1 : y2, ry = x1 <= x2 ? y2 : y1;
        double mx = (lx + rx) / 2, my = (ly + ry) / 2;
        double angle = Math.toDegrees(Math.atan2(ry - ly, rx - lx));
        String rot = " transform=\"rotate(" + f(angle) + ' ' + f(mx) + ' ' + f(my) + ")\"";
        sb.append("<text class=\"label\" x=\"").append(f(mx)).append("\" y=\"").append(f(my - 5)).append('"').append(rot)
                .append('>').append(esc(label)).append("</text>");
        if (!over.isEmpty())
            sb.append("<text class=\"opts\" x=\"").append(f(mx)).append("\" y=\"").append(f(my - 18)).append('"').append(rot)
                    .append('>').append(esc(over)).append("</text>");
        if (!under.isEmpty())
            sb.append("<text class=\"tag\" x=\"").append(f(mx)).append("\" y=\"").append(f(my + 13)).append('"').append(rot)
                    .append('>').append(esc(under)).append("</text>");
    }

    private static void mark(StringBuilder sb, LabRun run, String host, double y, String cls, String text) {
        double x = laneX(run, host);
        boolean left = host.equals(run.left());
        // Room beside the lane (about 5.5 px a character at 10 px): the page edge on the left, the
        // explanation column on the right. Longer text is cut; the whole of it is the tooltip.
        int room = (int) ((left ? x - 14 - 72 : EXPL_X - x - 24) / 5.6); // 72 px: the time column
        String shown = text.length() <= room ? text : text.substring(0, Math.max(1, room - 1)) + "…";
        sb.append("<g class=\"").append(cls).append("\"><title>").append(esc(text)).append("</title><circle cx=\"").append(f(x)).append("\" cy=\"").append(f(y + 6))
                .append("\" r=\"4\"/><text x=\"").append(f(left ? x - 9 : x + 9)).append("\" y=\"").append(f(y + 10))
                .append("\" text-anchor=\"").append(left ? "end" : "start").append("\">").append(esc(shown))
                .append("</text></g>\n");
    }

    static String f(double v) {
        if (v == Math.rint(v)) return Long.toString((long) v);
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** XML text/attribute escaping; characters XML 1.0 forbids are replaced by U+FFFD. */
    static String esc(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&apos;");
                default -> sb.append(c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0xFFFE || c == 0xFFFF ? '\uFFFD' : c);
            }
        }
        return sb.toString();
    }
}
