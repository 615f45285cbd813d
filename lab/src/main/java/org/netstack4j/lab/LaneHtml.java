package org.netstack4j.lab;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@link LaneRun} as one self-contained {@link HtmlPage}: {@link LaneSvg}'s ladder, one step
 * per event, each lane's state being what it last noted up to that moment (ARP caches, tables,
 * TCP and conntrack states), and each frame that kept its bytes decoded.
 */
public final class LaneHtml {
    private LaneHtml() {}

    public static String render(LaneRun run, String summaryEn, String summaryZh) {
        List<HtmlPage.Lane> lanes = new ArrayList<>();
        for (LaneRun.Lane l : run.lanes()) lanes.add(new HtmlPage.Lane(l.name(), l.title(Lang.EN), l.title(Lang.ZH)));
        List<HtmlPage.Step> steps = new ArrayList<>();
        String[] lastEn = new String[lanes.size()], lastZh = new String[lanes.size()];
        java.util.Arrays.fill(lastEn, "");
        java.util.Arrays.fill(lastZh, "");
        for (LaneRun.Event e : run.events()) {
            switch (e) {
                case LaneRun.Frame f -> {
                    String en = (f.via() == null ? "" : LaneLadder.via(f.via(), Lang.EN) + ": ") + f.label(Lang.EN);
                    String zh = (f.via() == null ? "" : LaneLadder.via(f.via(), Lang.ZH) + "：") + f.label(Lang.ZH);
                    steps.add(new HtmlPage.Step(f.timeNs(), f.from(), f.from() + " → " + String.join(", ", f.to()) + ": " + en,
                            f.from() + " → " + String.join("、", f.to()) + "：" + zh, f.bytes(), List.of(lastEn), List.of(lastZh)));
                }
                case LaneRun.Note n -> {
                    int k = run.index(n.lane());
                    lastEn[k] = n.en();
                    lastZh[k] = n.zh();
                    steps.add(new HtmlPage.Step(n.timeNs(), n.lane(), n.en(), n.zh(), null, List.of(lastEn), List.of(lastZh)));
                }
            }
        }
        return HtmlPage.render(run.scenario(), summaryEn, summaryZh, "What each lane last noted", "各节点此刻的最新状态",
                lanes, LaneSvg.render(run, Lang.EN), LaneSvg.render(run, Lang.ZH), steps);
    }
}
