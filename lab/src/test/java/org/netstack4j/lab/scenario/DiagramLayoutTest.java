package org.netstack4j.lab.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.netstack4j.lab.LabEvent;
import org.netstack4j.lab.LabRun;
import org.netstack4j.lab.Lang;
import org.netstack4j.lab.LaneRun;
import org.netstack4j.lab.LaneSvg;
import org.netstack4j.lab.SvgLadder;
import org.netstack4j.lab.TextBox;
import org.netstack4j.tcp.TcpState;
import org.netstack4j.tcp.TcpTimer;
import org.netstack4j.time.Time;
import org.netstack4j.trace.TimerAction;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The drawings' layout, computed from the SVG itself: every text's box (from its position, size,
 * anchor and rotation, with {@link TextBox}'s character widths) and every state box, for every
 * story in both languages, and no two may meet. And the time axis: to scale while a host waits for
 * a timer (the RTO doubling 1:2:4, 2 MSL), a long idle gap cut short with a break mark.
 */
class DiagramLayoutTest {
    static Stream<Arguments> diagrams() {
        List<Arguments> out = new ArrayList<>();
        for (Scenario s : Scenarios.all()) {
            List<ScenarioOptions> variants = new ArrayList<>(List.of(ScenarioOptions.defaults()));
            if (s.extraFlags().contains("--no-time-wait")) variants.add(ScenarioOptions.defaults().withNoTimeWait(true));
            if (s.extraFlags().contains("--two-way")) variants.add(ScenarioOptions.defaults().withTwoWay(true));
            for (ScenarioOptions o : variants) {
                LabRun run = LabRunner.run(s, o);
                for (Lang lang : Lang.values())
                    out.add(Arguments.of(s.name() + (o.noTimeWait() ? "-no-time-wait" : o.twoWay() ? "-two-way" : "") + " " + lang,
                            SvgLadder.render(run, lang)));
            }
        }
        for (NetStory s : NetStories.all()) {
            var run = s.run(1, null).run();
            for (Lang lang : Lang.values()) out.add(Arguments.of(s.name() + " " + lang, LaneSvg.render(run, lang)));
        }
        return out.stream();
    }

    /** A drawn label: its box and what it says. */
    record Label(TextBox box, String text) {}

    static Document parse(String svg) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }

    static final Pattern ROTATE = Pattern.compile("rotate\\(([-0-9.]+) ([-0-9.]+) ([-0-9.]+)\\)");

    /** Every text of the SVG and every state box. */
    static List<Label> labels(String svg) throws Exception {
        Document d = parse(svg);
        Element root = d.getDocumentElement();
        boolean allMono = root.getAttribute("font-family").contains("Mono");
        double rootSize = root.hasAttribute("font-size") ? Double.parseDouble(root.getAttribute("font-size")) : 12;
        List<Label> out = new ArrayList<>();
        NodeList texts = d.getElementsByTagNameNS("*", "text");
        for (int i = 0; i < texts.getLength(); i++) {
            Element t = (Element) texts.item(i);
            String cls = t.getAttribute("class");
            double px = t.hasAttribute("font-size") ? Double.parseDouble(t.getAttribute("font-size"))
                    : cls.equals("head") ? 13 : rootSize;
            boolean bold = cls.equals("head") || cls.equals("st") || cls.equals("hn");
            boolean mono = allMono || cls.equals("label") || cls.equals("opts");
            String anchor = t.hasAttribute("text-anchor") ? t.getAttribute("text-anchor") : "start";
            double deg = 0, cx = 0, cy = 0;
            Matcher m = ROTATE.matcher(t.getAttribute("transform"));
            if (m.find()) {
                deg = Double.parseDouble(m.group(1));
                cx = Double.parseDouble(m.group(2));
                cy = Double.parseDouble(m.group(3));
            }
            String s = t.getTextContent();
            out.add(new Label(TextBox.of(s, Double.parseDouble(t.getAttribute("x")), Double.parseDouble(t.getAttribute("y")),
                    px * (bold ? 1.08 : 1), anchor, mono, deg, cx, cy), s));
        }
        NodeList rects = d.getElementsByTagNameNS("*", "rect");
        for (int i = 0; i < rects.getLength(); i++) {
            Element r = (Element) rects.item(i);
            if (!((Element) r.getParentNode()).getAttribute("class").startsWith("state")) continue;
            out.add(new Label(TextBox.rect(Double.parseDouble(r.getAttribute("x")), Double.parseDouble(r.getAttribute("y")),
                    Double.parseDouble(r.getAttribute("width")), Double.parseDouble(r.getAttribute("height"))), "[state box]"));
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("diagrams")
    void noTwoLabelsOverlap(String name, String svg) throws Exception {
        List<Label> ls = labels(svg);
        assertTrue(ls.size() > 10, name);
        List<String> bad = new ArrayList<>();
        for (int a = 0; a < ls.size(); a++)
            for (int b = a + 1; b < ls.size(); b++)
                if (ls.get(a).box().intersects(ls.get(b).box()) && !inside(ls.get(a), ls.get(b)))
                    bad.add("'" + ls.get(a).text() + "' / '" + ls.get(b).text() + "'");
        assertEquals(List.of(), bad.subList(0, Math.min(bad.size(), 10)), name + ": " + bad.size() + " overlapping labels");
    }

    /** A state's name is inside its own box. */
    static boolean inside(Label a, Label b) {
        Label box = a.text().equals("[state box]") ? a : b.text().equals("[state box]") ? b : null;
        Label text = box == a ? b : a;
        if (box == null || text.text().equals("[state box]")) return false;
        TextBox o = box.box(), t = text.box();
        return t.top() >= o.top() && t.bottom() <= o.bottom() + 3 && t.xs()[0] >= o.xs()[0] && t.xs()[1] <= o.xs()[1];
    }

    /** y of the time label that reads "T ms". */
    static Map<String, Double> timeLabels(String svg) throws Exception {
        Map<String, Double> out = new LinkedHashMap<>();
        NodeList texts = parse(svg).getElementsByTagNameNS("*", "text");
        for (int i = 0; i < texts.getLength(); i++) {
            Element t = (Element) texts.item(i);
            if (t.getAttribute("class").equals("time")) out.put(t.getTextContent(), Double.parseDouble(t.getAttribute("y")));
        }
        return out;
    }

    /** The client's SYN lost three times, RTO 1 s doubling; answered at 7 s; then 93 s of nothing. */
    static LabRun rtoDoubling() {
        List<LabEvent> ev = new ArrayList<>();
        ev.add(new LabEvent.State(0, "client", TcpState.CLOSED, TcpState.SYN_SENT, "user OPEN (active)"));
        long[] sends = {0, Time.s(1), Time.s(3), Time.s(7)};
        for (int i = 0; i < sends.length; i++) {
            long t = sends[i];
            if (i > 0) ev.add(new LabEvent.Timer(t, "client", TcpTimer.RTO, TimerAction.FIRED, 0));
            boolean last = i == sends.length - 1;
            ev.add(new LabEvent.Segment(t, "client", "server", List.of("SYN"), 1000, null, 0, 65535, !last,
                    last ? t + Time.ms(10) : -1, "", null));
            ev.add(new LabEvent.Timer(t, "client", TcpTimer.RTO, TimerAction.SET, t + Time.s(1) * (1L << i)));
        }
        long t = Time.s(7) + Time.ms(10);
        ev.add(new LabEvent.State(t, "server", TcpState.LISTEN, TcpState.SYN_RECEIVED, "rcv SYN"));
        ev.add(new LabEvent.Segment(t, "server", "client", List.of("SYN", "ACK"), 5000, 1001L, 0, 65535, false, t + Time.ms(10), "", null));
        t += Time.ms(10);
        ev.add(new LabEvent.Timer(t, "client", TcpTimer.RTO, TimerAction.CANCEL, 0));
        ev.add(new LabEvent.State(t, "client", TcpState.SYN_SENT, TcpState.ESTABLISHED, "rcv SYN,ACK"));
        ev.add(new LabEvent.Note(Time.s(100), "client", "the application is still thinking"));
        return new LabRun("rto-doubling", List.of("client", "server"), ev);
    }

    @Test
    void rtoGapsAreDrawnInTheRatioOfTheirDurations() throws Exception {
        for (Lang lang : Lang.values()) {
            String svg = SvgLadder.render(rtoDoubling(), lang);
            Map<String, Double> y = timeLabels(svg);
            double g1 = y.get("1000.000 ms") - y.get("0.000 ms"), g2 = y.get("3000.000 ms") - y.get("1000.000 ms"),
                    g3 = y.get("7000.000 ms") - y.get("3000.000 ms");
            assertTrue(g1 > 40, "the first RTO is visible: " + g1);
            assertEquals(2.0, g2 / g1, 0.01, "1:2 " + y);
            assertEquals(4.0, g3 / g1, 0.01, "1:4 " + y);
            // 93 s idle drawn far shorter than to scale (it would be 93 times the first second), with a break mark
            double idle = y.get("100000.000 ms") - y.get("7020.000 ms");
            assertTrue(idle < g1, "the idle gap is compressed: " + idle + " vs " + g1 + " for one second");
            assertTrue(svg.contains(lang.pick("≈ 92.98 s later", "≈ 92.98 秒后")), "the break says how long: " + svg);
            assertTrue(svg.contains("class=\"break\""), "a break mark on the lifelines");
        }
    }

    @Test
    void lostSynRetransmissionsAndTimeWaitAreToScale() throws Exception {
        Map<String, Double> y = timeLabels(SvgLadder.render(LabRunner.run(Scenarios.byName("lost-syn").orElseThrow(),
                ScenarioOptions.defaults()), Lang.EN));
        double g1 = y.get("1000.000 ms") - y.get("0.000 ms"), g2 = y.get("3000.000 ms") - y.get("1000.000 ms");
        assertEquals(2.0, g2 / g1, 0.01, "RTO 1 s then 2 s: " + y);
        LabRun td = LabRunner.run(Scenarios.byName("teardown").orElseThrow(), ScenarioOptions.defaults());
        long from = -1, to = -1;
        for (LabEvent e : td.events()) {
            if (e instanceof LabEvent.State st && st.to() == TcpState.TIME_WAIT) from = st.timeNs();
            if (e instanceof LabEvent.State st && st.from() == TcpState.TIME_WAIT) to = st.timeNs();
        }
        assertEquals(Time.s(60), to - from, "2 MSL");
        String teardown = SvgLadder.render(td, Lang.EN);
        Map<String, Double> t = timeLabels(teardown);
        double timeWait = t.get(org.netstack4j.lab.TextLadder.ms(to) + " ms") - t.get(org.netstack4j.lab.TextLadder.ms(from) + " ms");
        assertTrue(timeWait >= 160, "2 MSL gets a to-scale stretch: " + timeWait);
        assertTrue(teardown.contains("class=\"scale\""), "the stretch is marked");
        // the server application's 40 ms pauses are idle gaps: a break each, with the time written
        assertTrue(teardown.contains("≈ 40 ms later"), "idle gap written");
    }

    /** 2 MSL (60 s) on the client and, inside it, the server's RTO of 300 ms that resends its FIN. */
    static LabRun rtoInsideTwoMsl() {
        List<LabEvent> ev = new ArrayList<>();
        ev.add(new LabEvent.State(Time.s(1), "client", TcpState.FIN_WAIT_2, TcpState.TIME_WAIT, "rcv FIN"));
        ev.add(new LabEvent.Timer(Time.s(1), "client", TcpTimer.TWO_MSL, TimerAction.SET, Time.s(61)));
        ev.add(new LabEvent.Timer(Time.s(2), "server", TcpTimer.RTO, TimerAction.SET, Time.ms(2300)));
        ev.add(new LabEvent.Timer(Time.ms(2300), "server", TcpTimer.RTO, TimerAction.FIRED, 0));
        ev.add(new LabEvent.Segment(Time.ms(2300), "server", "client", List.of("FIN", "ACK"), 5000, 1001L, 0, 65535, false,
                Time.ms(2310), "", null));
        ev.add(new LabEvent.Segment(Time.ms(2310), "client", "server", List.of("ACK"), 1001, 5001L, 0, 65535, false,
                Time.ms(2320), "", null));
        ev.add(new LabEvent.Note(Time.s(31), "client", "still in TIME_WAIT"));
        ev.add(new LabEvent.Timer(Time.s(61), "client", TcpTimer.TWO_MSL, TimerAction.FIRED, 0));
        ev.add(new LabEvent.State(Time.s(61), "client", TcpState.TIME_WAIT, TcpState.CLOSED, "2MSL timeout"));
        return new LabRun("rto-in-2msl", List.of("client", "server"), ev);
    }

    /** The scales the bars' titles give, pixels per second. */
    static List<Double> scales(String svg) {
        List<Double> out = new ArrayList<>();
        Matcher m = Pattern.compile("1 (?:s|秒) = ([0-9.]+) (?:px|像素)").matcher(svg);
        while (m.find()) out.add(Double.parseDouble(m.group(1)));
        return out;
    }

    @Test
    void aShortRtoInsideTwoMslHasItsOwnScale() throws Exception {
        for (Lang lang : Lang.values()) {
            String svg = SvgLadder.render(rtoInsideTwoMsl(), lang);
            Map<String, Double> y = timeLabels(svg);
            // one scale for both would give the 300 ms at most 900 px / 60 s * 0.3 s = 4.5 px
            double rto = y.get("2300.000 ms") - y.get("2000.000 ms");
            assertTrue(rto >= 160, "the RTO gets a readable stretch of its own: " + rto + " " + y);
            double msl = y.get("61000.000 ms") - y.get("1000.000 ms");
            assertTrue(msl >= 160 + rto, "2 MSL is drawn to scale as well: " + msl);
            // the 2 MSL's own scale holds on its stretch after the RTO: 31 s -> 61 s against 2.3 s -> 31 s
            double late = y.get("61000.000 ms") - y.get("31000.000 ms"), mid = y.get("31000.000 ms") - y.get("2300.000 ms");
            assertEquals(30.0 / 28.7, late / mid, 0.01, "in proportion within 2 MSL: " + y);
            List<Double> k = scales(svg);
            assertTrue(k.stream().distinct().count() >= 2, "two scales, each on its bar: " + k);
        }
    }

    @Test
    void theLaneLadderSharesTheTimeAxis() throws Exception {
        // the udp story's TCP half: the lost segment comes back after the RTO (200 ms), drawn to scale
        NetStory.Result r = NetStories.byName("udp").orElseThrow().run(1, null);
        LaneRun.Wait w = r.run().waits().stream().filter(x -> x.timer().equals("RTO")).findFirst().orElseThrow();
        for (Lang lang : Lang.values()) {
            String svg = LaneSvg.render(r.run(), lang);
            Map<String, Double> y = timeLabels(svg);
            // the timer may be set between two events: the stretch starts at the event before
            long first = r.run().events().stream().mapToLong(LaneRun.Event::timeNs).filter(t -> t <= w.fromNs()).max().orElseThrow();
            double stretch = y.get(org.netstack4j.lab.TextLadder.ms(w.toNs()) + " ms") - y.get(org.netstack4j.lab.TextLadder.ms(first) + " ms");
            assertTrue(stretch >= 160 && stretch <= 900 + 40, "the RTO's wait is to scale: " + stretch + " " + y);
            assertTrue(svg.contains("class=\"scale\""), "the stretch is marked");
            // by event elsewhere: the first part's instants (0.2 ms apart) sit a row apart, not 0.2 ms to scale
            assertTrue(y.get("0.200 ms") - y.get("0.000 ms") < 100, y.toString());
        }
        // the switch's ageing story waits 100 s, 300 s: breaks, not 400 s to any scale
        String sw = LaneSvg.render(NetStories.byName("switch-learning").orElseThrow().run(1, null).run(), Lang.EN);
        assertTrue(sw.contains("class=\"break\""), "a break mark on the lifelines");
        Map<String, Double> y = timeLabels(sw);
        assertTrue(y.keySet().stream().anyMatch(k -> k.startsWith("≈ ") && k.endsWith(" s later")), "the break says how long: " + y.keySet());
        double total = y.values().stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        assertTrue(total < 3000, "the 401 s fit on a page: " + total);
    }

    @Test
    void aBurstAndItsDuplicateAcksDoNotOverlap() throws Exception {
        String svg = SvgLadder.render(LabRunner.run(Scenarios.byName("retransmission").orElseThrow(), ScenarioOptions.defaults()), Lang.EN);
        List<Label> segs = labels(svg).stream().filter(l -> l.text().contains("seq=")).toList();
        assertTrue(segs.size() > 20);
        for (int a = 0; a < segs.size(); a++)
            for (int b = a + 1; b < segs.size(); b++)
                assertFalse(segs.get(a).box().intersects(segs.get(b).box()), segs.get(a).text() + " / " + segs.get(b).text());
    }

    @Test
    void noOverlapIsNotVacuous() throws Exception {
        // two labels written at the same place are caught
        String svg = "<svg xmlns=\"http://www.w3.org/2000/svg\"><text x=\"10\" y=\"10\" font-size=\"10\">abc</text>"
                + "<text x=\"15\" y=\"14\" font-size=\"10\">def</text></svg>";
        List<Label> ls = labels(svg);
        if (!ls.get(0).box().intersects(ls.get(1).box())) fail("overlap not seen");
    }
}
