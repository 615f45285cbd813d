package org.netstack4j.lab;

import java.util.List;

/**
 * A {@link LaneRun} as an SVG sequence diagram: one lifeline per lane (hosts and devices, the
 * device's kind under its name), one row per event from top to bottom. A frame is a horizontal
 * arrow from its lane with a head at every lane it reaches (a flood or a repeat has several),
 * its label on its own line above it; a note is a dot on its lane with its text wrapped beside
 * it. Rows never share space, so labels cannot overlap; each new instant is written on the left.
 * Time is drawn as in the two-host ladder, by the same {@link TimeAxis}: to scale while a host
 * waits for a timer that fires (the udp story's RTO, 2 MSL), each wait at its own scale, elsewhere
 * by event, with a long idle gap (20 ms or more) cut short by a break mark across the lifelines
 * and its length written in the time column. Every event is a {@code <g class="ev" data-i="N">},
 * which the HTML page uses to select and highlight it.
 */
public final class LaneSvg {
    private LaneSvg() {}

    /** Geometry, public so that screenshot tests know where the lanes are. */
    public static final int WIDTH = 1400, LEFT = 150, RIGHT = 1300, TOP = 80, FRAME_ROW = 34, LINE = 15;
    /** The arrows' colour: #1f4e8c. */
    public static final String ARROW = "#1f4e8c";

    public static int laneX(LaneRun run, int lane) {
        int n = run.lanes().size();
        return LEFT + (RIGHT - LEFT) * lane / (n - 1);
    }

    /** Idle gaps at least this long are cut short with a break mark. */
    static final long BREAK_MIN = 20_000_000L;

    public static String render(LaneRun run, Lang lang) {
        List<TimeAxis.Span> waits = run.waits().stream().map(w -> new TimeAxis.Span(w.lane() + "/" + w.timer(), w.fromNs(), w.toNs())).toList();
        TimeAxis axis = new TimeAxis(waits, run.events().stream().map(LaneRun.Event::timeNs).toList());
        TimeAxis.Walk walk = axis.new Walk(BREAK_MIN);
        StringBuilder body = body(run, lang, walk);
        if (!axis.isEmpty()) {
            // the scales follow from the rows' natural heights; then the rows are placed again with them
            axis.chooseScales(walk.instantY);
            walk = axis.new Walk(BREAK_MIN);
            body = body(run, lang, walk);
        }
        int n = run.lanes().size();
        double[] lifelines = new double[n];
        for (int i = 0; i < n; i++) lifelines[i] = laneX(run, i);
        axis.scaleBars(body, walk.instantY, lang);
        for (double[] br : walk.breaks) {
            body.append("<g class=\"break\">");
            TimeAxis.breakMark(body, br[0], lifelines);
            body.append(text(10, (int) Math.round(br[0] + TimeAxis.BREAK_H / 2 + 4), TimeAxis.gap((long) br[1], lang), "time", "start"));
            body.append("</g>\n");
        }
        int y = (int) Math.round(walk.y);
        if (!axis.isEmpty() || !walk.breaks.isEmpty()) {
            body.append(text(10, y + 14, TimeAxis.legend(!axis.isEmpty(), lang), "time", "start"));
            y += 20;
        }
        return svg(run, lang, body, y);
    }

    /** The events' rows, each new instant placed by walk. */
    private static StringBuilder body(LaneRun run, Lang lang, TimeAxis.Walk walk) {
        int n = run.lanes().size();
        int spacing = (RIGHT - LEFT) / (n - 1);
        StringBuilder body = new StringBuilder();
        int y = TOP + 20;
        String lastTime = null;
        for (int i = 0; i < run.events().size(); i++) {
            LaneRun.Event e = run.events().get(i);
            String t = TextLadder.ms(e.timeNs());
            y = (int) Math.ceil(walk.at(e.timeNs(), y, (a, b) -> false, i));
            body.append("<g class=\"ev\" data-i=\"").append(i).append("\">");
            int top = y;
            switch (e) {
                case LaneRun.Frame f -> {
                    int from = laneX(run, run.index(f.from()));
                    int lo = from, hi = from;
                    for (String to : f.to()) {
                        lo = Math.min(lo, laneX(run, run.index(to)));
                        hi = Math.max(hi, laneX(run, run.index(to)));
                    }
                    String label = (f.via() == null ? "" : LaneLadder.via(f.via(), lang) + ": ") + f.label(lang);
                    int ay = y + FRAME_ROW - 10;
                    // the label starts over the arrow's left end; long labels run on to the right
                    int lx = Math.min(lo + 6, WIDTH - 8 - label.length() * 7);
                    body.append(text(Math.max(LEFT - 60, lx), ay - 6, label, "lbl", "start"));
                    body.append(String.format("<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"/>", lo, ay, hi, ay, ARROW));
                    for (String to : f.to()) {
                        int tx = laneX(run, run.index(to));
                        int d = tx > from ? -1 : 1;
                        body.append(String.format("<polygon points=\"%d,%d %d,%d %d,%d\" fill=\"%s\"/>", tx, ay, tx + 9 * d, ay - 5, tx + 9 * d, ay + 5, ARROW));
                    }
                    body.append(String.format("<rect class=\"hit\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"transparent\"/>", lo, top, Math.max(hi - lo, 40), FRAME_ROW));
                    y += FRAME_ROW;
                }
                case LaneRun.Note note -> {
                    int lane = run.index(note.lane());
                    int x = laneX(run, lane);
                    boolean left = lane == n - 1;
                    int room = left ? spacing * Math.min(lane, 2) - 20 : spacing * Math.min(n - 1 - lane, 2) - 20;
                    List<String> lines = Cols.wrap(note.text(lang), Math.max(24, room / 7));
                    body.append(String.format("<circle cx=\"%d\" cy=\"%d\" r=\"4\" fill=\"#a05a00\"/>", x, y + 8));
                    for (int k = 0; k < lines.size(); k++)
                        body.append(text(left ? x - 10 : x + 10, y + 12 + k * LINE, lines.get(k), "note", left ? "end" : "start"));
                    y += 6 + lines.size() * LINE;
                }
            }
            if (!t.equals(lastTime)) {
                body.append(text(10, top + 16, t + " ms", "time", "start"));
                lastTime = t;
            }
            body.append("</g>\n");
        }
        walk.y = y;
        return body;
    }

    private static String svg(LaneRun run, Lang lang, StringBuilder body, int y) {
        int n = run.lanes().size();
        int height = y + 30;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"DejaVu Sans Mono, Noto Sans Mono CJK SC, monospace\" font-size=\"11\">%n",
                WIDTH, height, WIDTH, height));
        sb.append("<style>.lbl{fill:#222}.note{fill:#6b3d00}.time{fill:#777}.head{font-weight:bold;fill:#111;font-size:13px}"
                + ".kind{fill:#666}.ev.sel .lbl,.ev.sel .note{fill:#c00000;font-weight:bold}.ev .note,.ev .lbl{paint-order:stroke;stroke:#fff;stroke-width:3px}</style>\n");
        sb.append("<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n");
        sb.append(text(10, 24, lang.pick("netstack4j demo: ", "netstack4j 演示：") + run.scenario(), "head", "start"));
        for (int i = 0; i < n; i++) {
            LaneRun.Lane l = run.lanes().get(i);
            int x = laneX(run, i);
            sb.append(text(x, TOP - 22, l.name(), "head", "middle"));
            if (l.kind() != LaneRun.Kind.HOST) sb.append(text(x, TOP - 5, l.kind().label(lang), "kind", "middle"));
            sb.append(String.format("<line class=\"life\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\" stroke-width=\"1.5\"/>%n", x, TOP, x, height - 20));
        }
        sb.append(body);
        sb.append("</svg>\n");
        return sb.toString();
    }

    private static String text(int x, int y, String s, String cls, String anchor) {
        return String.format("<text x=\"%d\" y=\"%d\" class=\"%s\" text-anchor=\"%s\">%s</text>", x, y, cls, anchor, SvgLadder.esc(s));
    }
}
