package org.netstack4j.lab;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.netstack4j.tcp.TcpState;
import org.netstack4j.tcp.TcpTimer;
import org.netstack4j.trace.TimerAction;

/**
 * A two-host {@link LabRun} as one self-contained {@link HtmlPage}: {@link SvgLadder}'s diagram,
 * one step per event ({@link SvgLadder#steps}), each host's TCP state and running timers after
 * the step, and each segment's frame (the bytes the link carried) decoded.
 */
public final class LadderHtml {
    private LadderHtml() {}

    public static String render(LabRun run, String summaryEn, String summaryZh, boolean relativeSeq) {
        if (relativeSeq) run = TextLadder.renarrated(run);
        List<HtmlPage.Lane> lanes = new ArrayList<>();
        for (String h : run.hosts()) lanes.add(new HtmlPage.Lane(h, h, Narration.zhHost(h) + " (" + h + ")"));
        Map<String, TcpState> state = new LinkedHashMap<>();
        Map<String, Map<TcpTimer, Long>> timers = new LinkedHashMap<>();
        for (String h : run.hosts()) {
            state.put(h, run.initialState(h));
            timers.put(h, new LinkedHashMap<>());
        }
        java.util.IdentityHashMap<LabEvent, List<LabEvent.Explanation>> why = new java.util.IdentityHashMap<>();
        for (LabEvent e : run.events())
            if (e instanceof LabEvent.Explanation x && x.trigger() != null) why.computeIfAbsent(x.trigger(), k -> new ArrayList<>()).add(x);
        List<HtmlPage.Step> steps = new ArrayList<>();
        for (LabEvent e : SvgLadder.steps(run)) {
            String en, zh;
            byte[] frame = null;
            switch (e) {
                case LabEvent.Segment s -> {
                    String label = TextLadder.segmentLabel(run, s, relativeSeq)
                            + (s.options().isEmpty() ? "" : " <" + s.options() + ">");
                    en = s.from() + " → " + s.to() + ": " + label + (s.dropped() ? " (lost on the way)" : "");
                    zh = Narration.zhHost(s.from()) + " → " + Narration.zhHost(s.to()) + "：" + label + (s.dropped() ? "（途中丢失）" : "");
                    frame = s.frame();
                }
                case LabEvent.State st -> {
                    state.put(st.host(), st.to());
                    en = st.host() + ": " + st.from().name() + " → " + st.to().name() + (st.cause().isEmpty() ? "" : " (" + st.cause() + ")");
                    zh = Narration.zhHost(st.host()) + "：" + st.from().name() + " → " + st.to().name()
                            + (st.cause().isEmpty() ? "" : "（" + Zh.cause(st.cause()) + "）");
                }
                case LabEvent.Timer t -> {
                    if (t.action() == TimerAction.SET) timers.get(t.host()).put(t.name(), t.deadlineNs());
                    else timers.get(t.host()).remove(t.name());
                    en = t.host() + ": " + TextLadder.timerText(t, Lang.EN);
                    zh = Narration.zhHost(t.host()) + "：" + TextLadder.timerText(t, Lang.ZH);
                }
                case LabEvent.Note n -> {
                    en = n.host() + ": " + n.text();
                    zh = Narration.zhHost(n.host()) + "：" + n.text(Lang.ZH);
                }
                case LabEvent.Explanation x -> {
                    en = x.text(Lang.EN);
                    zh = x.text(Lang.ZH);
                }
            }
            for (LabEvent.Explanation x : why.getOrDefault(e, List.of())) {
                en += "\n» " + x.text(Lang.EN);
                zh += "\n» " + x.text(Lang.ZH);
            }
            List<String> stEn = new ArrayList<>(), stZh = new ArrayList<>();
            for (String h : run.hosts()) {
                StringBuilder a = new StringBuilder(state.get(h).name()), b = new StringBuilder(state.get(h).name());
                for (Map.Entry<TcpTimer, Long> t : timers.get(h).entrySet()) {
                    a.append("\n◷ ").append(TextLadder.timerName(t.getKey(), Lang.EN)).append(" until ").append(TextLadder.ms(t.getValue())).append(" ms");
                    b.append("\n◷ ").append(TextLadder.timerName(t.getKey(), Lang.ZH)).append("：").append(TextLadder.ms(t.getValue())).append(" ms 到期");
                }
                if (timers.get(h).isEmpty()) {
                    a.append("\n(no timer running)");
                    b.append("\n（没有运行中的计时器）");
                }
                stEn.add(a.toString());
                stZh.add(b.toString());
            }
            steps.add(new HtmlPage.Step(e.timeNs(), e.host(), en, zh, frame, stEn, stZh));
        }
        return HtmlPage.render(run.scenario(), summaryEn, summaryZh, "Each host's TCP state and running timers",
                "各主机此刻的 TCP 状态与运行中的计时器", lanes,
                SvgLadder.render(run, Lang.EN, relativeSeq), SvgLadder.render(run, Lang.ZH, relativeSeq), steps);
    }
}
