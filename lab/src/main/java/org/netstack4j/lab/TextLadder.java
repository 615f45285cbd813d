package org.netstack4j.lab;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.netstack4j.tcp.TcpTimer;

/**
 * The ladder diagram of a run as text, like the pictures in the teaching notes: client on the
 * left, server on the right, time flowing down. Each segment is a label line (flags, seq, ack,
 * len, win) over an arrow between the lifelines, tagged with its step (第一次握手, 2nd wave, ...);
 * a lost segment's arrow stops midway with an X. States are written beside a lifeline when they
 * change, timers and notes next to the host's lifeline, explanations between the lifelines.
 * Every line fits {@link Options#width()} columns (wide CJK characters count two).
 */
public final class TextLadder {
    private TextLadder() {}

    /** Rendering options; {@link #defaults()} is English, Unicode, raw seq, 100 columns. */
    public record Options(Lang lang, boolean ascii, boolean relativeSeq, int width) {
        public Options {
            if (lang == null) lang = Lang.EN;
            if (width < 72) throw new IllegalArgumentException("width must be at least 72 columns: " + width);
        }

        public static Options defaults() { return new Options(Lang.EN, false, false, 100); }

        public Options withLang(Lang l) { return new Options(l, ascii, relativeSeq, width); }

        public Options withAscii(boolean a) { return new Options(lang, a, relativeSeq, width); }

        public Options withRelativeSeq(boolean r) { return new Options(lang, ascii, r, width); }
    }

    static final int TIME = 9, LABEL = 14;

    /** Renders with the default options. */
    public static String render(LabRun run) { return render(run, Options.defaults()); }

    public static String render(LabRun run, Options o) {
        return new Renderer(o.relativeSeq() ? renarrated(run) : run, o).render();
    }

    /** With relative numbers the explanations are regenerated so their numbers match the arrows. */
    static LabRun renarrated(LabRun run) {
        boolean narrated = run.events().stream().anyMatch(e -> e instanceof LabEvent.Explanation);
        return narrated ? Narration.annotate(run, true) : run;
    }

    /** Options are drawn for SYNs (where they are negotiated) and SACK blocks; timestamps alone are noise. */
    static boolean showOptions(LabEvent.Segment s) {
        return !s.options().isEmpty() && (s.has("SYN") || s.options().contains("sack "));
    }

    /** Short tag of a step, shown on the sender's side of its arrow; null when the key has none. */
    static String tag(String key, Lang lang) {
        return switch (key) {
            case "handshake1" -> lang.pick("1st handshake", "第一次握手");
            case "handshake2" -> lang.pick("2nd handshake", "第二次握手");
            case "handshake3" -> lang.pick("3rd handshake", "第三次握手");
            case "wave1" -> lang.pick("1st wave", "第一次挥手");
            case "wave2" -> lang.pick("2nd wave", "第二次挥手");
            case "wave23" -> lang.pick("2nd+3rd wave", "第二三次挥手");
            case "wave3" -> lang.pick("3rd wave", "第三次挥手");
            case "wave4" -> lang.pick("4th wave", "第四次挥手");
            case "retransmission" -> lang.pick("retransmit", "超时重传");
            case "fast-retransmit" -> lang.pick("fast rexmit", "快速重传");
            case "dup-ack" -> lang.pick("dup ACK", "重复确认");
            case "persist-probe" -> lang.pick("window probe", "零窗口探测");
            case "window-update" -> lang.pick("window update", "窗口更新");
            case "time-wait-reack" -> lang.pick("ACK again", "再次确认");
            case "zero-window" -> lang.pick("zero window", "零窗口");
            case "reset" -> lang.pick("reset", "复位");
            case "simultaneous-open" -> lang.pick("simult. open", "同时打开");
            case "simultaneous-close" -> lang.pick("simult. close", "同时关闭");
            default -> null;
        };
    }

    static String timerName(TcpTimer timer, Lang lang) {
        if (lang == Lang.EN) return timer.toString();
        return switch (timer) {
            case RTO -> "重传计时器 RTO";
            case TWO_MSL -> "2MSL 计时器";
            case DELAYED_ACK -> "延迟确认计时器";
            case PERSIST -> "坚持计时器";
            case KEEPALIVE -> "保活计时器";
            case TLP, FIN_WAIT_2 -> timer.toString();
        };
    }

    static String timerText(LabEvent.Timer t, Lang lang) {
        String name = timerName(t.name(), lang);
        return switch (t.action()) {
            case SET -> lang.pick(name + " set, expires at " + ms(t.deadlineNs()) + " ms",
                    name + " 启动，" + ms(t.deadlineNs()) + " ms 到期");
            case FIRED -> lang.pick(name + " fired", name + " 超时");
            case CANCEL -> lang.pick(name + " cancelled", name + " 取消");
        };
    }

    /** Milliseconds with microsecond precision: "1200.040". */
    public static String ms(long ns) {
        long us = Math.floorDiv(ns, 1_000L);
        return Math.floorDiv(us, 1000L) + "." + String.format(Locale.ROOT, "%03d", Math.floorMod(us, 1000L));
    }

    /** "SYN,ACK seq=1000 ack=2001 len=0 win=65535" (seq/ack relative to each side's ISN if asked). */
    static String segmentLabel(LabRun run, LabEvent.Segment s, boolean relative) {
        long seq = s.seq();
        Long ack = s.ack();
        if (relative) {
            seq = (seq - run.isn(s.from())) & 0xffffffffL;
            if (ack != null) ack = (ack - run.isn(s.to())) & 0xffffffffL;
        }
        return s.flagText() + " seq=" + seq + (ack == null ? "" : " ack=" + ack) + " len=" + s.len() + " win=" + s.win();
    }

    private static final class Renderer {
        final LabRun run;
        final Options o;
        final Lang lang;
        final int mid;
        final char line, dash;
        final String head, tail, lost, tmark, emark, nmark;
        final List<String> out = new ArrayList<>();

        Renderer(LabRun run, Options o) {
            this.run = run;
            this.o = o;
            this.lang = o.lang();
            this.mid = o.width() - (TIME + 1 + LABEL + 1 + 1 + 1 + 1 + LABEL);
            this.line = o.ascii() ? '|' : '│';
            this.dash = o.ascii() ? '-' : '─';
            this.head = o.ascii() ? ">" : "►";
            this.tail = o.ascii() ? "<" : "◄";
            this.lost = o.ascii() ? "X" : "✕";
            this.tmark = o.ascii() ? "@ " : "◷ ";
            this.emark = o.ascii() ? ">> " : "» ";
            this.nmark = o.ascii() ? "! " : "‼ ";
        }

        String hostLabel(String host) { return lang == Lang.ZH ? Narration.zhHost(host) : host; }

        void row(String time, String left, char leftLine, String middle, char rightLine, String right) {
            String s = Cols.padLeft(Cols.fit(time, TIME), TIME) + " "
                    + Cols.padLeft(Cols.fit(left, LABEL), LABEL) + " "
                    + leftLine + Cols.pad(Cols.fit(middle, mid), mid) + rightLine + " "
                    + Cols.fit(right, LABEL);
            out.add(Cols.fit(s.stripTrailing(), o.width()));
        }

        void row(String time, String left, String middle, String right) { row(time, left, line, middle, line, right); }

        String render() {
            String title = lang.pick("netstack4j demo: ", "netstack4j 演示：") + run.scenario();
            out.add(Cols.fit(title, o.width()));
            out.add("");
            String tl = lang.pick("t (ms)", "时间(ms)");
            String l = hostLabel(run.left()), r = hostLabel(run.right());
            out.add(Cols.fit((Cols.padLeft(tl, TIME) + " " + Cols.padLeft(l, LABEL + 2)
                    + " ".repeat(mid - 1) + " " + r).stripTrailing(), o.width()));
            row("", run.initialState(run.left()).name(), "", run.initialState(run.right()).name());
            List<LabEvent> ev = run.events();
            for (int i = 0; i < ev.size(); i++) {
                LabEvent e = ev.get(i);
                String t = TextLadder.ms(e.timeNs());
                switch (e) {
                    case LabEvent.Segment s -> segment(s, t, tagFor(ev, i));
                    case LabEvent.State st -> state(st, t);
                    case LabEvent.Timer tm -> beside(tm.host(), t, tmark + timerText(tm, lang));
                    case LabEvent.Note n -> beside(n.host(), t, nmark + n.text(o.lang()));
                    case LabEvent.Explanation x -> explanation(x);
                }
            }
            row("", "", "", "");
            out.add(Cols.fit(lang.pick(
                    o.ascii() ? "legend: --> segment   --X lost   @ timer   >> explanation"
                            : "legend: ──► segment   ──✕ lost   ◷ timer   » explanation",
                    o.ascii() ? "图例：--> 报文段   --X 丢失   @ 计时器   >> 说明"
                            : "图例：──► 报文段   ──✕ 丢失   ◷ 计时器   » 说明"), o.width()));
            return String.join("\n", out) + "\n";
        }

        /** Tag of the first explanation triggered by segment i (they follow it in the same instant). */
        String tagFor(List<LabEvent> ev, int i) {
            LabEvent seg = ev.get(i);
            for (int j = i + 1; j < ev.size() && ev.get(j).timeNs() == seg.timeNs(); j++) {
                if (ev.get(j) instanceof LabEvent.Explanation x && x.trigger() == seg) {
                    String tg = tag(x.key(), lang);
                    if (tg != null) return tg;
                }
            }
            return "";
        }

        void segment(LabEvent.Segment s, String time, String tag) {
            boolean ltr = s.from().equals(run.left());
            String label = segmentLabel(run, s, o.relativeSeq());
            row(time, "", center(label), "");
            if (showOptions(s)) row("", "", center("<" + s.options() + ">"), "");
            String arrow;
            if (s.dropped()) {
                int k = mid * 3 / 5;
                arrow = ltr ? String.valueOf(dash).repeat(k) + lost
                        : " ".repeat(mid - k - 1) + lost + String.valueOf(dash).repeat(k);
            } else {
                arrow = ltr ? String.valueOf(dash).repeat(mid - 1) + head : tail + String.valueOf(dash).repeat(mid - 1);
            }
            char origin = o.ascii() ? '|' : (ltr ? '├' : '┤');
            if (ltr) row("", tag, origin, arrow, line, "");
            else row("", "", line, arrow, origin, tag);
        }

        String center(String text) {
            String t = Cols.fit(text, mid - 2);
            int pad = (mid - Cols.width(t)) / 2;
            return " ".repeat(pad) + t;
        }

        void state(LabEvent.State st, String time) {
            String cause = st.cause().isEmpty() ? "" : o.lang() == Lang.ZH ? "（" + Zh.cause(st.cause()) + "）" : "(" + st.cause() + ")";
            if (st.host().equals(run.left())) row(time, st.to().name(), " " + cause, "");
            else row(time, "", Cols.padLeft(cause + " ", mid), st.to().name());
        }

        void beside(String host, String time, String text) {
            List<String> lines = Cols.wrap(text, mid - 4);
            for (int k = 0; k < lines.size(); k++) {
                String t = k == 0 ? time : "";
                String pre = k == 0 ? "" : "  ";
                if (host.equals(run.right())) row(t, "", Cols.padLeft(pre + lines.get(k) + " ", mid), "");
                else row(t, "", " " + pre + lines.get(k), "");
            }
        }

        void explanation(LabEvent.Explanation x) {
            List<String> lines = Cols.wrap(x.text(lang), mid - 2 - Cols.width(emark));
            for (int k = 0; k < lines.size(); k++)
                row("", "", " " + (k == 0 ? emark : " ".repeat(Cols.width(emark))) + lines.get(k), "");
        }
    }
}
