package org.netstack4j.lab;

import java.util.ArrayList;
import java.util.List;
import org.netstack4j.wire.Dissector;
import org.netstack4j.wire.LinkType;

/**
 * One self-contained HTML page for any ladder (nothing fetched: the diagrams, the data and the
 * script are inline): the diagram in English and in Chinese, and a panel beside it that steps
 * through the events (previous, play, next, or the arrow keys), shows the selected event, each
 * lane's state at that moment, and the selected packet decoded field by field with its bytes, as
 * {@code decode} prints it. Clicking an event in the diagram selects it; a button switches the
 * language. The diagram marks step {@code i} as {@code <g class="... ev" data-i="i">}, once.
 * <p>Opened as {@code page.html#selftest}, the page steps through every event itself, selects a
 * packet and switches the language, and writes what it found into {@code <pre id="selftest">}
 * (the headless browser test reads it).
 */
final class HtmlPage {
    private HtmlPage() {}

    /** A lane's title. */
    record Lane(String name, String en, String zh) {}

    /**
     * One step: its time, what happened (both languages), the Ethernet frame it carried (or
     * null), and each lane's state after it, in lane order.
     */
    record Step(long timeNs, String lane, String en, String zh, byte[] frame, List<String> stateEn, List<String> stateZh) {}

    static String render(String scenario, String summaryEn, String summaryZh, String stateEn, String stateZh,
                         List<Lane> lanes, String svgEn, String svgZh, List<Step> steps) {
        StringBuilder data = new StringBuilder("{\"scenario\":").append(JsonRun.str(scenario))
                .append(",\"summary\":{\"en\":").append(JsonRun.str(summaryEn)).append(",\"zh\":").append(JsonRun.str(summaryZh))
                .append("},\"state\":{\"en\":").append(JsonRun.str(stateEn)).append(",\"zh\":").append(JsonRun.str(stateZh))
                .append("},\"lanes\":[");
        for (int i = 0; i < lanes.size(); i++) {
            Lane l = lanes.get(i);
            data.append(i == 0 ? "" : ",").append("{\"name\":").append(JsonRun.str(l.name())).append(",\"en\":")
                    .append(JsonRun.str(l.en())).append(",\"zh\":").append(JsonRun.str(l.zh())).append('}');
        }
        data.append("],\"events\":[");
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            data.append(i == 0 ? "\n" : ",\n").append("{\"t\":").append(JsonRun.str(TextLadder.ms(s.timeNs())))
                    .append(",\"type\":").append(s.frame() == null ? "\"event\"" : "\"frame\"")
                    .append(",\"lane\":").append(JsonRun.str(s.lane()))
                    .append(",\"en\":").append(JsonRun.str(s.en())).append(",\"zh\":").append(JsonRun.str(s.zh()));
            data.append(",\"st\":{\"en\":").append(array(s.stateEn())).append(",\"zh\":").append(array(s.stateZh())).append('}');
            byte[] b = s.frame();
            if (b != null) {
                data.append(",\"decoded\":").append(JsonRun.str(Dissector.dissect(b, 0, b.length, LinkType.ETHERNET).render()))
                        .append(",\"hex\":").append(JsonRun.str(hex(b)));
            }
            data.append('}');
        }
        data.append("]}");
        String json = data.toString().replace("</", "<\\/");
        return PAGE.replace("@TITLE@", SvgLadder.esc("netstack4j: " + scenario))
                .replace("@SVG_EN@", svgEn.replaceFirst("^<\\?xml[^>]*>\\s*", ""))
                .replace("@SVG_ZH@", svgZh.replaceFirst("^<\\?xml[^>]*>\\s*", ""))
                .replace("@DATA@", json);
    }

    private static String array(List<String> xs) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < xs.size(); i++) sb.append(i == 0 ? "" : ",").append(JsonRun.str(xs.get(i)));
        return sb.append(']').toString();
    }

    /** Offset, 16 bytes in hex, as decode's listing. */
    static String hex(byte[] b) {
        List<String> lines = new ArrayList<>();
        for (int off = 0; off < b.length; off += 16) {
            StringBuilder sb = new StringBuilder(String.format("%04x ", off));
            for (int i = off; i < Math.min(b.length, off + 16); i++) sb.append(i == off + 8 ? "  " : " ").append(String.format("%02x", b[i] & 0xff));
            lines.add(sb.toString());
        }
        return String.join("\n", lines);
    }

    static final String PAGE = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>@TITLE@</title>
            <style>
            body{margin:0;font-family:sans-serif;font-size:14px;display:flex;align-items:flex-start}
            #diagram{flex:0 0 auto}
            #diagram svg{display:block}
            #panel{flex:0 0 440px;position:sticky;top:0;height:100vh;overflow:auto;background:#f6f6f6;border-left:1px solid #ccc;padding:10px;box-sizing:border-box}
            #panel pre{background:#fff;border:1px solid #ddd;padding:6px;font-size:11px;white-space:pre-wrap;word-break:break-all}
            button{font-size:14px;margin:2px}
            .ev{cursor:pointer}
            .ev.sel line,.ev.sel polygon,.ev.sel circle{stroke:#c00000;fill:#c00000}
            .ev.sel text{fill:#c00000}.ev.sel rect{stroke:#c00000;stroke-width:2}
            #state td{padding:1px 6px;vertical-align:top;font-size:12px;white-space:pre-line}
            #what{white-space:pre-line}
            [hidden]{display:none}
            </style></head><body>
            <div id="diagram"><div id="svg-en">@SVG_EN@</div><div id="svg-zh" hidden>@SVG_ZH@</div></div>
            <div id="panel">
            <h3 id="title"></h3><p id="summary"></p>
            <div><button id="prev">◀</button><button id="play">▶</button><button id="next">▶|</button>
            <span id="pos"></span> <button id="lang">中文</button></div>
            <p><b id="time"></b></p><p id="what"></p>
            <h4 id="h-state"></h4><table id="state"></table>
            <h4 id="h-decoded"></h4><pre id="decoded"></pre><pre id="hex"></pre>
            <pre id="selftest" hidden></pre>
            </div>
            <script type="application/json" id="data">@DATA@</script>
            <script>
            "use strict";
            const errors = [];
            window.addEventListener("error", e => errors.push(String(e.message)));
            const D = JSON.parse(document.getElementById("data").textContent);
            const UI = {en: {decoded: "Selected packet, decoded (as decode prints it)", none: "(no packet at this step)",
                             lang: "中文", play: "▶", pause: "||", time: "t = ", ms: " ms"},
                        zh: {decoded: "选中的数据包（逐字段解码，同 decode 命令）", none: "（此步没有数据包）",
                             lang: "English", play: "▶", pause: "||", time: "时间 ", ms: " 毫秒"}};
            let lang = "en", cur = -1, timer = null;
            const $ = id => document.getElementById(id);
            function svg() { return $("svg-" + lang); }
            function select(i) {
              if (D.events.length === 0) return;
              cur = Math.max(0, Math.min(D.events.length - 1, i));
              document.querySelectorAll(".ev.sel").forEach(g => g.classList.remove("sel"));
              document.querySelectorAll('.ev[data-i="' + cur + '"]').forEach(g => g.classList.add("sel"));
              const e = D.events[cur];
              $("pos").textContent = (cur + 1) + " / " + D.events.length;
              $("time").textContent = UI[lang].time + e.t + UI[lang].ms;
              $("what").textContent = e[lang];
              const st = $("state");
              st.replaceChildren();
              D.lanes.forEach((l, k) => {
                const tr = document.createElement("tr");
                const a = document.createElement("td"), b = document.createElement("td");
                a.textContent = l[lang];
                b.textContent = e.st[lang][k];
                tr.append(a, b);
                st.append(tr);
              });
              $("decoded").textContent = e.type === "frame" ? (e.decoded || "") : UI[lang].none;
              $("hex").textContent = e.type === "frame" ? (e.hex || "") : "";
              const g = svg().querySelector('.ev[data-i="' + cur + '"]');
              if (g && g.scrollIntoView) g.scrollIntoView({block: "center"});
            }
            function setLang(l) {
              lang = l;
              document.documentElement.lang = l === "zh" ? "zh-CN" : "en";
              $("svg-en").hidden = l !== "en";
              $("svg-zh").hidden = l !== "zh";
              $("lang").textContent = UI[l].lang;
              $("title").textContent = (l === "zh" ? "netstack4j 演示：" : "netstack4j demo: ") + D.scenario;
              $("summary").textContent = D.summary[l];
              $("h-state").textContent = D.state[l];
              $("h-decoded").textContent = UI[l].decoded;
              select(Math.max(cur, 0));
            }
            function play() {
              if (timer) { clearInterval(timer); timer = null; $("play").textContent = UI[lang].play; return; }
              $("play").textContent = UI[lang].pause;
              timer = setInterval(() => { if (cur >= D.events.length - 1) play(); else select(cur + 1); }, 600);
            }
            $("prev").onclick = () => select(cur - 1);
            $("next").onclick = () => select(cur + 1);
            $("play").onclick = play;
            $("lang").onclick = () => setLang(lang === "en" ? "zh" : "en");
            document.querySelectorAll(".ev").forEach(g => g.addEventListener("click", () => select(Number(g.dataset.i))));
            document.addEventListener("keydown", k => {
              if (k.key === "ArrowDown" || k.key === "ArrowRight") { select(cur + 1); k.preventDefault(); }
              if (k.key === "ArrowUp" || k.key === "ArrowLeft") { select(cur - 1); k.preventDefault(); }
            });
            setLang("en");
            if (location.hash === "#selftest") {
              const r = [];
              select(0);
              let stepped = 1, bad = 0;
              while (cur < D.events.length - 1) {
                const before = cur;
                $("next").click();
                if (cur !== before + 1 || svg().querySelectorAll(".ev.sel").length !== 1 || !$("what").textContent) bad++;
                stepped++;
              }
              r.push("events=" + D.events.length, "stepped=" + stepped, "bad=" + bad);
              const f = D.events.findIndex(e => e.type === "frame");
              if (f >= 0) {
                svg().querySelector('.ev[data-i="' + f + '"]').dispatchEvent(new MouseEvent("click", {bubbles: true}));
                r.push("clicked=" + cur, "decoded=" + $("decoded").textContent.split("\\n").filter(l => /^\\S/.test(l)).join("|"));
              }
              $("lang").click();
              r.push("zh=" + (!$("svg-zh").hidden && $("svg-en").hidden && $("title").textContent.startsWith("netstack4j 演示")));
              $("lang").click();
              select(0);
              window.scrollTo(0, 0);
              r.push("errors=" + errors.length + (errors.length ? ":" + errors.join(";") : ""));
              $("selftest").textContent = r.join("\\n");
            }
            </script></body></html>
            """;
}
