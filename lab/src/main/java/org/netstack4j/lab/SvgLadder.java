package org.netstack4j.lab;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import org.netstack4j.tcp.TcpTimer;
import org.netstack4j.trace.TimerAction;

/**
 * The run as an SVG sequence diagram: two lanes with the host names and lifelines, state boxes
 * on the lanes, slanted arrows from send to arrival with their labels along them, lost segments
 * dashed and ending in an X, timers and notes as small circles on the lifeline (their text outside the
 * lanes, away from the arrows), explanations in a column on the right.
 * <p>Time runs down. While a host waits for a timer that then fires (RTO and its doubling, the
 * persist timer, 2 MSL in TIME-WAIT) the axis is to scale: the instants there are placed in
 * proportion to their distance in time (a bar on the left marks the stretch). Elsewhere rows are
 * by event, and a long idle gap is cut short with a break mark on the lifelines and the elapsed
 * time written at it. Labels never overlap: the layout is checked with {@link TextBox} and rows
 * are moved apart until no two labels meet. Each step of the HTML page ({@link #steps}) is a
 * {@code <g class="... ev" data-i="N">}.
 */
public final class SvgLadder {
    private SvgLadder() {}

    /** Geometry, public so that screenshot tests know where the lanes are. */
    public static final int WIDTH = 1500, LEFT_X = 320, RIGHT_X = 810, EXPL_X = 1040, EXPL_COLS = 58, TOP = 80;
    /** Right edge of the time column. */
    static final double TIME_RIGHT = 90;

    /** Timers whose wait is drawn to scale when they fire. */
    public static boolean scaled(TcpTimer t) {
        return switch (t) {
            case RTO, PERSIST, TWO_MSL, KEEPALIVE, FIN_WAIT_2 -> true;
            case DELAYED_ACK, TLP -> false;
        };
    }

    /** The events a reader steps through: all but the explanations tied to an event (they are part of it). */
    public static List<LabEvent> steps(LabRun run) {
        return run.events().stream().filter(e -> !(e instanceof LabEvent.Explanation x) || x.trigger() == null).toList();
    }

    public static String render(LabRun run, Lang lang) { return render(run, lang, false); }

    public static String render(LabRun run, Lang lang, boolean relativeSeq) {
        if (relativeSeq) run = TextLadder.renarrated(run);
        Layout l = new Layout(run, lang, relativeSeq);
        l.solve();
        return l.svg();
    }

    /** One line of text: where, how big, turned how, and what it says. */
    record Txt(String cls, double x, double y, double px, String anchor, boolean mono, double deg, double cx, double cy,
               String text, boolean bold) {
        Txt(String cls, double x, double y, double px, String anchor, boolean mono, String text) {
            this(cls, x, y, px, anchor, mono, 0, 0, 0, text, false);
        }

        TextBox box() {
            TextBox b = TextBox.of(text, x, y, px * (bold ? 1.08 : 1), anchor, mono, deg, cx, cy);
            return b;
        }

        String svg() {
            return "<text class=\"" + cls + "\" x=\"" + f(x) + "\" y=\"" + f(y) + "\" font-size=\"" + f(px) + "\""
                    + (anchor.equals("start") ? "" : " text-anchor=\"" + anchor + "\"")
                    + (deg == 0 ? "" : " transform=\"rotate(" + f(deg) + ' ' + f(cx) + ' ' + f(cy) + ")\"")
                    + ">" + esc(text) + "</text>";
        }
    }

    private static final class Layout {
        record Item(long time, int order, int index) {}

        /** A label's box and the items whose position it depends on. */
        record Placed(TextBox box, int[] anchors, String what) {}

        final LabRun run;
        final Lang lang;
        final boolean relative;
        final List<LabEvent> ev;
        final List<Item> items = new ArrayList<>();
        final IdentityHashMap<LabEvent, List<LabEvent.Explanation>> explOf = new IdentityHashMap<>();
        final IdentityHashMap<LabEvent, Integer> step = new IdentityHashMap<>();
        final int[] sendItem, arriveItem;
        final TimeAxis axis;
        final long breakMin;
        double[] extras;

        // results of place()
        final double[] y, arrive;
        final List<double[]> timeLabels = new ArrayList<>(); // y, time, item
        List<double[]> breaks = new ArrayList<>(); // y, elapsed, item
        final List<Object[]> expls = new ArrayList<>(); // Explanation, y
        Map<Long, Double> instantY = new HashMap<>();
        double height;
        StringBuilder body;
        List<Placed> placed;

        Layout(LabRun run, Lang lang, boolean relative) {
            this.run = run;
            this.lang = lang;
            this.relative = relative;
            this.ev = run.events();
            List<LabEvent> steps = steps(run);
            for (int i = 0; i < steps.size(); i++) step.put(steps.get(i), i);
            for (int i = 0; i < ev.size(); i++) {
                LabEvent e = ev.get(i);
                if (e instanceof LabEvent.Explanation x) {
                    // explanations without a trigger (a story's own notes) stand at their instant
                    if (x.trigger() == null) items.add(new Item(e.timeNs(), 2, i));
                    else explOf.computeIfAbsent(x.trigger(), q -> new ArrayList<>()).add(x);
                    continue;
                }
                items.add(new Item(e.timeNs(), 1, i));
                if (e instanceof LabEvent.Segment s && !s.dropped()) items.add(new Item(s.arrivalNs(), 0, i));
            }
            items.sort(Comparator.comparingLong(Item::time).thenComparingInt(Item::order).thenComparingInt(Item::index));
            sendItem = new int[ev.size()];
            arriveItem = new int[ev.size()];
            java.util.Arrays.fill(arriveItem, -1);
            for (int i = 0; i < items.size(); i++) {
                Item it = items.get(i);
                if (it.order() == 0) arriveItem[it.index()] = i;
                else sendItem[it.index()] = i;
            }
            y = new double[ev.size()];
            arrive = new double[ev.size()];
            axis = new TimeAxis(waits(), items.stream().map(Item::time).toList());
            long flight = -1;
            for (LabEvent e : ev)
                if (e instanceof LabEvent.Segment s && !s.dropped()) flight = Math.max(flight, s.arrivalNs() - s.timeNs());
            breakMin = flight < 0 ? 20_000_000L : Math.max(1_000_000L, 2 * flight);
            extras = new double[items.size()];
        }

        /** The waits drawn to scale: from a timer's setting to its firing, for the timers a story waits on. */
        List<TimeAxis.Span> waits() {
            List<TimeAxis.Span> spans = new ArrayList<>();
            Map<String, Long> setAt = new HashMap<>();
            for (LabEvent e : ev) {
                if (!(e instanceof LabEvent.Timer t) || !scaled(t.name())) continue;
                String key = t.host() + "/" + t.name();
                if (t.action() == TimerAction.SET) setAt.put(key, t.timeNs());
                else if (t.action() == TimerAction.FIRED && setAt.containsKey(key) && t.timeNs() > setAt.get(key))
                    spans.add(new TimeAxis.Span(key, setAt.remove(key), t.timeNs()));
                else setAt.remove(key);
            }
            return spans;
        }

        boolean inFlight(long from, long to) {
            for (LabEvent e : ev)
                if (e instanceof LabEvent.Segment s && !s.dropped() && s.timeNs() <= from && s.arrivalNs() >= to) return true;
            return false;
        }

        /** Positions every item for the current extras and scales. */
        void place() {
            timeLabels.clear();
            expls.clear();
            TimeAxis.Walk walk = axis.new Walk(breakMin);
            breaks = walk.breaks;
            instantY = walk.instantY;
            double cursor = TOP + 20, explCursor = TOP;
            Long prevT = null;
            boolean labelled = false;
            for (int i = 0; i < items.size(); i++) {
                Item it = items.get(i);
                LabEvent e = ev.get(it.index());
                long t = it.time();
                if (prevT == null || t != prevT) {
                    cursor = walk.at(t, cursor, this::inFlight, i);
                    prevT = t;
                    labelled = false;
                }
                if (it.order() == 0) {
                    cursor = Math.max(cursor, y[it.index()] + 30) + extras[i];
                    arrive[it.index()] = cursor;
                    cursor += 16; // several arrivals at one instant fan out instead of meeting in a point
                    continue;
                }
                if (it.order() == 2) {
                    double at = Math.max(cursor - 20, explCursor);
                    expls.add(new Object[] {e, at, i});
                    explCursor = at + explHeight((LabEvent.Explanation) e);
                    continue;
                }
                List<LabEvent.Explanation> xs = explOf.getOrDefault(e, List.of());
                // An event with explanations waits for the previous ones, so that each stays level with its event.
                if (!xs.isEmpty()) cursor = Math.max(cursor, explCursor);
                cursor += extras[i];
                if (!labelled) {
                    timeLabels.add(new double[] {cursor, t, i});
                    labelled = true;
                }
                y[it.index()] = cursor;
                for (LabEvent.Explanation x : xs) {
                    double at = Math.max(cursor, explCursor);
                    expls.add(new Object[] {x, at, i});
                    explCursor = at + explHeight(x);
                }
                cursor += switch (e) {
                    case LabEvent.Segment s -> 26;
                    case LabEvent.State s -> 30;
                    case LabEvent.Timer tm -> 20;
                    case LabEvent.Note n -> 20;
                    case LabEvent.Explanation x -> 0;
                };
            }
            height = Math.max(cursor, explCursor) + 50;
        }

        double explHeight(LabEvent.Explanation x) { return Cols.wrap(x.text(lang), EXPL_COLS).size() * 15 + 10; }

        /**
         * Chooses each to-scale stretch's pixels per nanosecond so that every cluster fits before
         * the next one (then all are in proportion), within the stretch's bounds; then moves rows
         * apart until no two labels meet.
         */
        void solve() {
            for (int round = 0; round < 200; round++) {
                axis.resetScales();
                place();
                axis.chooseScales(instantY);
                place();
                draw();
                boolean moved = false;
                // sweep down the page: only boxes whose vertical extents meet can intersect
                List<Placed> byTop = new ArrayList<>(placed);
                byTop.sort(Comparator.comparingDouble(p -> p.box().top()));
                for (int a = 0; a < byTop.size(); a++) {
                    Placed pa = byTop.get(a);
                    double bottom = pa.box().bottom();
                    for (int b = a + 1; b < byTop.size() && byTop.get(b).box().top() < bottom; b++) {
                        Placed pb = byTop.get(b);
                        if (pa.anchors() == pb.anchors() || !pa.box().intersects(pb.box())) continue;
                        boolean bLater = first(pb) != first(pa) ? first(pb) > first(pa) : last(pb) >= last(pa);
                        Placed later = bLater ? pb : pa, other = bLater ? pa : pb;
                        boolean any = false;
                        for (int anchor : later.anchors()) {
                            if (anchor > first(other)) {
                                extras[anchor] += 6;
                                any = true;
                            }
                        }
                        if (!any) extras[last(later)] += 6;
                        moved = true;
                    }
                }
                if (!moved) return;
            }
        }

        static int first(Placed p) { return java.util.Arrays.stream(p.anchors()).min().orElse(0); }

        static int last(Placed p) { return java.util.Arrays.stream(p.anchors()).max().orElse(0); }

        /** Builds the body and the list of placed labels. */
        void draw() {
            body = new StringBuilder();
            placed = new ArrayList<>();
            axis.scaleBars(body, instantY, lang);
            for (double[] tl : timeLabels) {
                Txt t = new Txt("time", 12, tl[0] + 4, 10, "start", false, TextLadder.ms((long) tl[1]) + " ms");
                body.append(t.svg()).append('\n');
                placed.add(new Placed(t.box(), new int[] {(int) tl[2]}, "time"));
            }
            for (double[] br : breaks) {
                body.append("<g class=\"break\">");
                TimeAxis.breakMark(body, br[0], new double[] {LEFT_X, RIGHT_X});
                Txt t = new Txt("gap", (LEFT_X + RIGHT_X) / 2.0, br[0] + TimeAxis.BREAK_H / 2 + 4, 10, "middle", false,
                        TimeAxis.gap((long) br[1], lang));
                body.append(t.svg()).append("</g>\n");
                placed.add(new Placed(t.box(), new int[] {(int) br[2]}, "break"));
            }
            for (Object[] x : expls) explanation((LabEvent.Explanation) x[0], (double) x[1], (int) x[2]);
            for (int i = 0; i < ev.size(); i++) {
                LabEvent e = ev.get(i);
                String ev0 = step.containsKey(e) ? " ev\" data-i=\"" + step.get(e) : "";
                int[] anchors = e instanceof LabEvent.Segment s && !s.dropped()
                        ? new int[] {sendItem[i], arriveItem[i]} : new int[] {sendItem[i]};
                switch (e) {
                    case LabEvent.Segment s -> segment(i, s, ev0, anchors);
                    case LabEvent.State st -> {
                        double x = laneX(run, st.host());
                        body.append("<g class=\"state").append(ev0).append("\"><title>").append(esc(st.from().name() + " -> " + st.to().name()
                                        + (st.cause().isEmpty() ? "" : lang.pick(" (" + st.cause() + ")", "（" + Zh.cause(st.cause()) + "）")))).append("</title>")
                                .append("<rect x=\"").append(f(x - 62)).append("\" y=\"").append(f(y[i] - 2))
                                .append("\" width=\"124\" height=\"22\" rx=\"5\"/>")
                                .append(new Txt("st", x, y[i] + 13, 11, "middle", false, 0, 0, 0, st.to().name(), true).svg())
                                .append("</g>\n");
                        placed.add(new Placed(TextBox.rect(x - 62, y[i] - 2, 124, 22), anchors, "state"));
                    }
                    case LabEvent.Timer t -> mark(t.host(), y[i], "timer" + ev0, TextLadder.timerText(t, lang), anchors);
                    case LabEvent.Note n -> mark(n.host(), y[i], "note" + ev0, n.text(lang), anchors);
                    case LabEvent.Explanation x -> { }
                }
            }
        }

        void explanation(LabEvent.Explanation x, double ey, int item) {
            List<String> lines = Cols.wrap(x.text(lang), EXPL_COLS);
            String cls = x.trigger() == null && step.containsKey(x) ? "expl ev\" data-i=\"" + step.get(x) : "expl";
            body.append("<g class=\"").append(cls).append("\">");
            for (int k = 0; k < lines.size(); k++) {
                Txt t = new Txt("ex", EXPL_X, ey + 12 + 15 * k, 12, "start", false, lines.get(k));
                body.append(t.svg());
                placed.add(new Placed(t.box(), new int[] {item}, "expl"));
            }
            body.append("</g>\n");
        }

        void segment(int i, LabEvent.Segment s, String ev0, int[] anchors) {
            double x1 = laneX(run, s.from()), x2 = laneX(run, s.to());
            double y1 = y[i];
            String label = TextLadder.segmentLabel(run, s, relative);
            String tag = "";
            for (int j = i + 1; j < ev.size() && ev.get(j).timeNs() == s.timeNs(); j++) {
                if (ev.get(j) instanceof LabEvent.Explanation x && x.trigger() == s) {
                    String t = TextLadder.tag(x.key(), lang);
                    if (t != null) { tag = t; break; }
                }
            }
            String over = TextLadder.showOptions(s) ? "<" + s.options() + ">" : "";
            if (s.dropped()) {
                double ex = x1 + (x2 - x1) * 0.6, ey = y1 + 22;
                body.append("<g class=\"seg lost").append(ev0).append("\"><line x1=\"").append(f(x1)).append("\" y1=\"").append(f(y1))
                        .append("\" x2=\"").append(f(ex)).append("\" y2=\"").append(f(ey)).append("\"/>")
                        .append("<path d=\"M").append(f(ex - 6)).append(',').append(f(ey - 6)).append(" L").append(f(ex + 6))
                        .append(',').append(f(ey + 6)).append(" M").append(f(ex - 6)).append(',').append(f(ey + 6))
                        .append(" L").append(f(ex + 6)).append(',').append(f(ey - 6)).append("\"/>");
                labels(x1, y1, ex, ey, label, tag, over, anchors);
                body.append("</g>\n");
                return;
            }
            double y2 = arrive[i];
            body.append("<g class=\"seg").append(ev0).append("\"><line x1=\"").append(f(x1)).append("\" y1=\"").append(f(y1)).append("\" x2=\"")
                    .append(f(x2)).append("\" y2=\"").append(f(y2)).append("\" marker-end=\"url(#head)\"/>");
            labels(x1, y1, x2, y2, label, tag, over, anchors);
            body.append("</g>\n");
        }

        /** Label above and tag below the line from (x1,y1) to (x2,y2), rotated to read left to right. */
        void labels(double x1, double y1, double x2, double y2, String label, String under, String over, int[] anchors) {
            double lx = Math.min(x1, x2), rx = Math.max(x1, x2);
            double ly = x1 <= x2 ? y1 : y2, ry = x1 <= x2 ? y2 : y1;
            double mx = (lx + rx) / 2, my = (ly + ry) / 2;
            double angle = Math.round(Math.toDegrees(Math.atan2(ry - ly, rx - lx)) * 10) / 10.0;
            List<Txt> ts = new ArrayList<>();
            ts.add(new Txt("label", mx, my - 5, 11, "middle", true, angle, mx, my, label, false));
            if (!over.isEmpty()) ts.add(new Txt("opts", mx, my - 18, 9, "middle", true, angle, mx, my, over, false));
            if (!under.isEmpty()) ts.add(new Txt("tag", mx, my + 14, 11, "middle", false, angle, mx, my, under, false));
            for (Txt t : ts) {
                body.append(t.svg());
                placed.add(new Placed(t.box(), anchors, "segment"));
            }
        }

        void mark(String host, double y, String cls, String text, int[] anchors) {
            double x = laneX(run, host);
            boolean left = host.equals(run.left());
            // Room beside the lane: the time column on the left, the explanation column on the
            // right. Longer text is cut; the whole of it is the tooltip.
            double room = left ? x - 9 - TIME_RIGHT - 4 : EXPL_X - 16 - (x + 9);
            String shown = text;
            if (TextBox.width(shown, 10, false) > room) {
                double w = TextBox.width("…", 10, false);
                int n = 0;
                while (n < text.length() && w + TextBox.width(text.substring(n, n + 1), 10, false) <= room) {
                    w += TextBox.width(text.substring(n, n + 1), 10, false);
                    n++;
                }
                shown = text.substring(0, Math.max(1, n)) + "…";
            }
            Txt t = new Txt("mk", left ? x - 9 : x + 9, y + 10, 10, left ? "end" : "start", false, shown);
            body.append("<g class=\"").append(cls).append("\"><title>").append(esc(text)).append("</title><circle cx=\"").append(f(x)).append("\" cy=\"").append(f(y + 6))
                    .append("\" r=\"4\"/>").append(t.svg()).append("</g>\n");
            placed.add(new Placed(t.box(), anchors, "mark"));
        }

        String svg() {
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
                      text { font-family: "DejaVu Sans", "Noto Sans CJK SC", sans-serif; fill: #222; }
                      .host rect { fill: #1f4e8c; } .host text { fill: #fff; font-weight: bold; text-anchor: middle; }
                      .lifeline { stroke: #888; stroke-width: 1.5; }
                      .state rect { fill: #fff6d5; stroke: #c9a227; } .state text { font-weight: bold; }
                      .seg line { stroke: #1f4e8c; stroke-width: 1.5; }
                      text.label, text.opts { font-family: "DejaVu Sans Mono", "Noto Sans Mono CJK SC", monospace; }
                      text.opts { fill: #666; }
                      text.tag { font-style: italic; fill: #555; }
                      .lost line { stroke: #b22222; stroke-dasharray: 6 4; } .lost path { stroke: #b22222; stroke-width: 2.5; fill: none; }
                      .timer circle { fill: #fff; stroke: #2e7d32; stroke-width: 1.5; } .timer text { fill: #2e7d32; }
                      .note circle { fill: #b22222; } .note text { fill: #b22222; }
                      .time { fill: #777; }
                      .expl text { fill: #333; }
                      .break path { stroke: #888; stroke-width: 1.5; } .break text { fill: #777; font-style: italic; }
                      .scale { fill: #7cb342; }
                    </style>
                    """);
            sb.append("<rect x=\"0\" y=\"0\" width=\"").append(WIDTH).append("\" height=\"").append(f(height)).append("\" fill=\"#fff\"/>\n");
            for (String h : run.hosts()) {
                double x = laneX(run, h);
                String name = lang == Lang.ZH ? Narration.zhHost(h) + " (" + h + ")" : h;
                sb.append("<g class=\"host lane\" id=\"lane-").append(esc(h)).append("\"><rect x=\"").append(f(x - 70))
                        .append("\" y=\"20\" width=\"140\" height=\"34\" rx=\"6\"/>")
                        .append(new Txt("hn", x, 42, 14, "middle", false, name).svg())
                        .append("<line class=\"lifeline\" x1=\"").append(f(x)).append("\" y1=\"54\" x2=\"").append(f(x))
                        .append("\" y2=\"").append(f(height - 30)).append("\"/></g>\n");
                sb.append("<g class=\"state\"><rect x=\"").append(f(x - 62)).append("\" y=\"58\" width=\"124\" height=\"22\" rx=\"5\"/>")
                        .append(new Txt("st", x, 73, 11, "middle", false, 0, 0, 0, run.initialState(h).name(), true).svg())
                        .append("</g>\n");
            }
            sb.append(body);
            String legend = TimeAxis.legend(!axis.isEmpty(), lang);
            if (!axis.isEmpty() || !breaks.isEmpty())
                sb.append(new Txt("legend", 12, height - 12, 10, "start", false, legend).svg()).append('\n');
            sb.append("</svg>\n");
            return sb.toString();
        }
    }

    static double laneX(LabRun run, String host) { return host.equals(run.left()) ? LEFT_X : RIGHT_X; }

    static String f(double v) {
        if (v == Math.rint(v)) return Long.toString((long) v);
        long tenths = Math.round(v * 10);
        if (tenths % 10 == 0) return Long.toString(tenths / 10);
        return (tenths < 0 ? "-" : "") + Math.abs(tenths) / 10 + "." + Math.abs(tenths) % 10;
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
