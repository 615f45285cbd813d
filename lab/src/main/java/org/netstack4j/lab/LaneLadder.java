package org.netstack4j.lab;

import java.util.ArrayList;
import java.util.List;
import org.netstack4j.trace.RelayAction;

/**
 * The ladder of a {@link LaneRun} as text: one lifeline per lane (hosts and devices), time
 * flowing down. A frame is a label line over an arrow from its lane to each lane it reaches
 * (a flood or a repeat has several heads); lifelines it passes without stopping are crossed.
 * Notes are written beside their lane. Every line fits the width (wide characters count two).
 */
public final class LaneLadder {
    private LaneLadder() {}

    static final int TIME = 11;

    public static String render(LaneRun run) { return render(run, Lang.EN, false, 100); }

    public static String render(LaneRun run, Lang lang, boolean ascii, int width) {
        if (width < 72) throw new IllegalArgumentException("width must be at least 72 columns: " + width);
        return new Renderer(run, lang, ascii, width).render();
    }

    /** What a device did, as the arrow's prefix. */
    static String via(RelayAction a, Lang lang) {
        return switch (a) {
            case REPEATED -> lang.pick("repeat", "中继");
            case FLOODED -> lang.pick("flood", "泛洪");
            case FORWARDED -> lang.pick("forward", "转发");
            case FILTERED -> lang.pick("filter", "过滤");
            case LEARNED -> lang.pick("learn", "学习");
            case MOVED -> lang.pick("move", "迁移");
            case AGED -> lang.pick("age out", "老化");
        };
    }

    private static final class Renderer {
        final LaneRun run;
        final Lang lang;
        final boolean ascii;
        final int width;
        final int[] x;
        final List<String> out = new ArrayList<>();
        final char line, dash, cross;
        final String head, tail;

        Renderer(LaneRun run, Lang lang, boolean ascii, int width) {
            this.run = run;
            this.lang = lang;
            this.ascii = ascii;
            this.width = width;
            int n = run.lanes().size();
            int margin = 8, left = TIME + 1 + margin, right = width - margin;
            x = new int[n];
            for (int i = 0; i < n; i++) x[i] = left + (right - left) * i / (n - 1);
            line = ascii ? '|' : '│';
            dash = ascii ? '-' : '─';
            cross = ascii ? '+' : '┼';
            head = ascii ? ">" : "►";
            tail = ascii ? "<" : "◄";
        }

        /** A row as cells; a wide character takes its cell and leaves the next one empty. */
        String[] blank() {
            String[] r = new String[width];
            java.util.Arrays.fill(r, " ");
            for (int xi : x) r[xi] = String.valueOf(line);
            return r;
        }

        void put(String[] r, int col, String text) {
            int c = col;
            for (int i = 0; i < text.length(); ) {
                int cp = text.codePointAt(i);
                int w = Cols.width(new String(Character.toChars(cp)));
                if (c < 0 || c + w > width) break;
                r[c] = new String(Character.toChars(cp));
                if (w == 2) r[c + 1] = "";
                c += w;
                i += Character.charCount(cp);
            }
        }

        void emit(String time, String[] r) {
            put(r, 0, Cols.padLeft(Cols.fit(time, TIME), TIME));
            out.add(String.join("", r).stripTrailing());
        }

        String render() {
            out.add(Cols.fit(lang.pick("netstack4j demo: ", "netstack4j 演示：") + run.scenario(), width));
            out.add("");
            String[] h = new String[width];
            java.util.Arrays.fill(h, " ");
            put(h, 0, Cols.padLeft(lang.pick("t (ms)", "时间(ms)"), TIME));
            for (int i = 0; i < x.length; i++) {
                String t = Cols.fit(run.lanes().get(i).title(lang), 16);
                put(h, x[i] - Cols.width(t) / 2, t);
            }
            out.add(String.join("", h).stripTrailing());
            emit("", blank());
            for (LaneRun.Event e : run.events()) {
                String t = TextLadder.ms(e.timeNs());
                switch (e) {
                    case LaneRun.Frame f -> frame(f, t);
                    case LaneRun.Note n -> note(n, t);
                }
            }
            emit("", blank());
            out.add(Cols.fit(lang.pick(
                    ascii ? "legend: --> frame   + lifeline crossed   ! note" : "legend: ──► frame   ┼ lifeline crossed   ‼ note",
                    ascii ? "图例：--> 帧   + 越过的生命线   ! 注释" : "图例：──► 帧   ┼ 越过的生命线   ‼ 注释"), width));
            return String.join("\n", out) + "\n";
        }

        void frame(LaneRun.Frame f, String time) {
            int from = x[run.index(f.from())];
            int lo = from, hi = from;
            for (String to : f.to()) {
                lo = Math.min(lo, x[run.index(to)]);
                hi = Math.max(hi, x[run.index(to)]);
            }
            String label = (f.via() == null ? "" : via(f.via(), lang) + ": ") + f.label(lang);
            String[] r = blank();
            // Centred over the arrow when it fits between its ends; else from the left end on,
            // over the lifelines to its right (or ending at the right edge).
            int w = Cols.width(label);
            int start = w <= hi - lo - 3 ? lo + 1 + (hi - lo - w) / 2 : lo + 2;
            String fitted = Cols.fit(label, width - start);
            if (Cols.width(fitted) < w && lo + 2 + w > width) {
                start = Math.max(TIME + 1, width - w);
                fitted = Cols.fit(label, width - start);
            }
            put(r, start, fitted);
            emit(time, r);
            String[] a = blank();
            for (int c = lo + 1; c < hi; c++) a[c] = String.valueOf(dash);
            for (int xi : x) if (xi > lo && xi < hi) a[xi] = String.valueOf(cross);
            a[from] = ascii ? "|" : from == lo ? "├" : from == hi ? "┤" : "┼";
            for (String to : f.to()) {
                int t = x[run.index(to)];
                if (t > from) a[t - 1] = head;
                else a[t + 1] = tail;
            }
            emit("", a);
        }

        void note(LaneRun.Note n, String time) {
            int lane = run.index(n.lane());
            int col = x[lane];
            boolean rightSide = lane < x.length - 1 || col < width / 2;
            int room = rightSide ? width - col - 2 : col - 2 - (TIME + 1);
            String mark = ascii ? "! " : "‼ ";
            List<String> lines = Cols.wrap(mark + n.text(lang), Math.max(room, 16));
            for (int k = 0; k < lines.size(); k++) {
                String[] r = blank();
                String text = (k == 0 ? "" : "  ") + lines.get(k);
                if (rightSide) put(r, col + 2, text);
                else put(r, col - 1 - Cols.width(text), text);
                emit(k == 0 ? time : "", r);
            }
        }
    }
}
