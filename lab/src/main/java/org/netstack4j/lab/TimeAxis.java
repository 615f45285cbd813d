package org.netstack4j.lab;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The time axis both SVG ladders share ({@link SvgLadder} for two hosts, {@link LaneSvg} for any
 * number of lanes). Time runs down. While a host waits for a timer that then fires (an RTO, 2 MSL)
 * the axis is to scale: the instants there are placed in proportion to their distance in time.
 * Elsewhere rows are by event, and a long idle gap is cut short with a break mark on the
 * lifelines and the elapsed time written at it.
 * <p>Each timer's wait has its own scale. The waits of one timer of one host that follow each
 * other (an RTO doubling: 1 s, 2 s, 4 s) are one wait with one scale, so that the doubling shows.
 * Where two timers' waits overlap (an RTO of 200 ms while 2 MSL of 60 s runs), one scale for
 * both would leave the short one a few pixels; so the stretch they share belongs to the shorter
 * wait and is drawn at its scale, and the longer wait's scale holds on the rest of its stretch.
 * Each stretch has a bar on the left whose title gives its scale.
 */
final class TimeAxis {
    /** Height of a break mark, the height a timed wait gets at least and at most. */
    static final double BREAK_H = 30, MIN_SCALED = 160, MAX_SCALED = 900;

    /** A host's timer (key: host and timer) waiting from..to (ns), set to fired. */
    record Span(String key, long from, long to) {}

    /** A stretch drawn to scale, and the wait (an index into {@link #waits}) whose scale it uses. */
    record Region(long from, long to, int owner) {}

    /** The waits, [from, to] in ns: one timer's spans that touch or overlap joined into one. */
    final List<long[]> waits = new ArrayList<>();
    final List<Region> regions = new ArrayList<>();
    /** Instants that start a to-scale cluster, with their region. */
    final Map<Long, Integer> clusterStart = new HashMap<>();
    /**
     * An instant on the border of two touching stretches ends the first (placed at its scale)
     * and starts the second: the second's region, by instant.
     */
    final Map<Long, Integer> alsoStarts = new HashMap<>();
    /** Pixels per nanosecond of each wait (0 until {@link #chooseScales}). */
    final double[] k;

    /**
     * The axis for the waits (timer set to timer fired, per host and timer) over the instants
     * the drawing has. Inside each stretch, instants at least 1/50 of it apart start a new
     * cluster; clusters are placed in proportion to their times.
     */
    TimeAxis(List<Span> spans, List<Long> instants) {
        Map<String, long[]> open = new HashMap<>();
        for (Span s : spans.stream().sorted(java.util.Comparator.comparingLong(Span::from)).toList()) {
            if (s.to() <= s.from()) continue;
            long[] last = open.get(s.key());
            if (last != null && s.from() <= last[1]) {
                last[1] = Math.max(last[1], s.to());
                continue;
            }
            long[] w = waits.stream().filter(x -> x[0] == s.from() && x[1] == s.to()).findFirst().orElse(null);
            if (w == null) {
                w = new long[] {s.from(), s.to()};
                waits.add(w);
            }
            open.put(s.key(), w);
        }
        // elementary pieces between all ends; each belongs to the shortest wait covering it
        TreeSet<Long> ends = new TreeSet<>();
        for (long[] w : waits) {
            ends.add(w[0]);
            ends.add(w[1]);
        }
        Long prev = null;
        for (long p : ends) {
            if (prev != null) {
                int owner = -1;
                for (int i = 0; i < waits.size(); i++) {
                    long[] w = waits.get(i);
                    if (w[0] <= prev && p <= w[1] && (owner < 0 || w[1] - w[0] < length(owner))) owner = i;
                }
                Region last = regions.isEmpty() ? null : regions.getLast();
                if (owner >= 0 && last != null && last.owner() == owner && last.to() == prev)
                    regions.set(regions.size() - 1, new Region(last.from(), p, owner));
                else if (owner >= 0) regions.add(new Region(prev, p, owner));
            }
            prev = p;
        }
        List<Long> sorted = instants.stream().distinct().sorted().toList();
        // a drawing whose rows are its events only (the lane ladder) may have none where a timer was
        // set: the stretch then starts at the event before (and ends at the event after), not later
        for (int r = 0; r < regions.size(); r++) {
            Region g = regions.get(r);
            long floor = r == 0 ? Long.MIN_VALUE : regions.get(r - 1).to(), ceil = r + 1 < regions.size() ? regions.get(r + 1).from() : Long.MAX_VALUE;
            long from = g.from(), to = g.to();
            for (long t : sorted) {
                if (t <= g.from() && t >= floor) from = t;
                if (t >= g.to() && t <= ceil) {
                    to = t;
                    break;
                }
            }
            regions.set(r, new Region(from, to, g.owner()));
        }
        for (int r = 0; r < regions.size(); r++) {
            long a = regions.get(r).from(), b = regions.get(r).to(), delta = Math.max(1, (b - a) / 50);
            Long before = null;
            for (long t : sorted) {
                if (t < a || t > b) continue;
                if (before == null && clusterStart.containsKey(t)) alsoStarts.put(t, r);
                else if (before == null || t - before >= delta) clusterStart.put(t, r);
                before = t;
            }
        }
        k = new double[waits.size()];
    }

    long length(int wait) { return waits.get(wait)[1] - waits.get(wait)[0]; }

    boolean isEmpty() { return regions.isEmpty(); }

    /** from..to lies within one stretch drawn to scale (no break there). */
    boolean insideRegion(long from, long to) {
        for (Region r : regions) if (r.from() <= from && to <= r.to()) return true;
        // a gap across the border of two touching stretches is to scale as well
        for (int i = 0; i + 1 < regions.size(); i++)
            if (regions.get(i).to() == regions.get(i + 1).from() && regions.get(i).from() <= from && to <= regions.get(i + 1).to()) return true;
        return false;
    }

    /**
     * One placement pass down the page: {@link #at} gives each new instant its y, pushed down
     * to its place on a to-scale stretch, or after a break mark when a long idle gap comes.
     */
    final class Walk {
        private final double[] clusterY = new double[regions.size()];
        private final long[] clusterT = new long[regions.size()];
        private final boolean[] seen = new boolean[regions.size()];
        private final long breakMin;
        private Long prevT;
        /** Break marks: y, elapsed ns, the item after it. */
        final List<double[]> breaks = new ArrayList<>();
        final Map<Long, Double> instantY = new HashMap<>();
        /** Where the caller's rows ended (its own bookkeeping). */
        double y;

        /** Gaps of at least breakMin (ns) outside the to-scale stretches are cut short. */
        Walk(long breakMin) { this.breakMin = breakMin; }

        /**
         * The y of instant t, the first at or after cursor; a long gap with something in flight
         * over it (inFlight of the gap's ends) is not cut. item is what a break mark is tied to.
         */
        double at(long t, double cursor, java.util.function.BiPredicate<Long, Long> inFlight, int item) {
            if (prevT != null && t == prevT) return cursor;
            Integer r = clusterStart.get(t);
            if (prevT != null) {
                if (r != null && seen[r]) {
                    cursor = Math.max(cursor, clusterY[r] + k[regions.get(r).owner()] * (t - clusterT[r]));
                } else if (t - prevT >= breakMin && !insideRegion(prevT, t) && !inFlight.test(prevT, t)) {
                    breaks.add(new double[] {cursor, t - prevT, item});
                    cursor += BREAK_H;
                }
            }
            for (Integer s : new Integer[] {r, alsoStarts.get(t)}) {
                if (s == null) continue;
                seen[s] = true;
                clusterY[s] = cursor;
                clusterT[s] = t;
            }
            instantY.put(t, cursor);
            prevT = t;
            return cursor;
        }

        Long previous() { return prevT; }
    }

    /**
     * Chooses each wait's pixels per nanosecond from a pass placed with the current scales: every
     * cluster fits before the next one (then all are in proportion), within the wait's bounds.
     */
    void chooseScales(Map<Long, Double> instantY) {
        double[] want = new double[waits.size()];
        for (int w = 0; w < waits.size(); w++) want[w] = MIN_SCALED / Math.max(1, length(w));
        for (int r = 0; r < regions.size(); r++) {
            List<Long> starts = new ArrayList<>();
            for (Map.Entry<Long, Integer> c : clusterStart.entrySet()) if (c.getValue() == r) starts.add(c.getKey());
            for (Map.Entry<Long, Integer> c : alsoStarts.entrySet()) if (c.getValue() == r) starts.add(c.getKey());
            starts.sort(null);
            int w = regions.get(r).owner();
            for (int m = 0; m + 1 < starts.size(); m++) {
                double h = instantY.get(starts.get(m + 1)) - instantY.get(starts.get(m));
                want[w] = Math.max(want[w], (h + 6) / (starts.get(m + 1) - starts.get(m)));
            }
        }
        for (int w = 0; w < waits.size(); w++) k[w] = Math.min(want[w], MAX_SCALED / Math.max(1, length(w)));
    }

    void resetScales() { java.util.Arrays.fill(k, 0); }

    /** The bars that mark the to-scale stretches, each titled with its own scale. */
    void scaleBars(StringBuilder body, Map<Long, Double> instantY, Lang lang) {
        for (Region r : regions) {
            // the drawing's instants nearest the stretch's ends (a timer may be set between two events)
            Double top = null, bottom = null;
            long first = Long.MAX_VALUE, last = Long.MIN_VALUE;
            for (Map.Entry<Long, Double> e : instantY.entrySet()) {
                long t = e.getKey();
                if (t < r.from() || t > r.to()) continue;
                if (t < first) { first = t; top = e.getValue(); }
                if (t > last) { last = t; bottom = e.getValue(); }
            }
            if (top == null || bottom == null) continue;
            body.append("<rect class=\"scale\" x=\"3\" y=\"").append(SvgLadder.f(top)).append("\" width=\"4\" height=\"")
                    .append(SvgLadder.f(Math.max(2, bottom - top))).append("\" fill=\"#7cb342\"><title>")
                    .append(SvgLadder.esc(lang.pick("time to scale here: 1 s = ", "此段时间按比例绘制：1 秒 = ")
                            + SvgLadder.f(Math.round(k[r.owner()] * 1e9 * 10) / 10.0) + lang.pick(" px", " 像素")))
                    .append("</title></rect>\n");
        }
    }

    /** A break mark across each lifeline at y (white gap between two slanted strokes). */
    static void breakMark(StringBuilder body, double y, double[] lifelines) {
        for (double x : lifelines) {
            body.append("<rect x=\"").append(SvgLadder.f(x - 8)).append("\" y=\"").append(SvgLadder.f(y + 8))
                    .append("\" width=\"16\" height=\"").append(SvgLadder.f(BREAK_H - 16)).append("\" fill=\"#fff\"/>");
            for (double dy : new double[] {8, BREAK_H - 8})
                body.append("<path d=\"M").append(SvgLadder.f(x - 8)).append(',').append(SvgLadder.f(y + dy + 3)).append(" L")
                        .append(SvgLadder.f(x + 8)).append(',').append(SvgLadder.f(y + dy - 3)).append("\" stroke=\"#888\" stroke-width=\"1.5\"/>");
        }
    }

    /** The legend line under a drawing with to-scale stretches or breaks. */
    static String legend(boolean scaled, Lang lang) {
        return lang.pick(
                !scaled ? "≈ a long idle gap drawn short, its length written at it"
                        : "green bar: time to scale (the wait for a timer); ≈ a long idle gap drawn short",
                !scaled ? "≈ 较长的空闲间隔被压缩，旁边写出实际时长"
                        : "绿色竖条：按比例绘制的时间（等待计时器）；≈ 较长的空闲间隔被压缩");
    }

    /** What a break says: "≈ 40 ms later". */
    static String gap(long ns, Lang lang) {
        return lang.pick("≈ " + elapsed(ns, lang) + " later", "≈ " + elapsed(ns, lang) + "后");
    }

    /** A duration as a reader says it: "40 ms", "1.5 s", "60 s". */
    static String elapsed(long ns, Lang lang) {
        if (ns >= 1_000_000_000L) {
            String s = new java.math.BigDecimal(ns).movePointLeft(9).stripTrailingZeros().toPlainString();
            return s + lang.pick(" s", " 秒");
        }
        String ms = new java.math.BigDecimal(ns).movePointLeft(6).stripTrailingZeros().toPlainString();
        return ms + lang.pick(" ms", " 毫秒");
    }
}
