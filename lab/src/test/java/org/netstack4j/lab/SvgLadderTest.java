package org.netstack4j.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class SvgLadderTest {
    static Document parse(String svg) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }

    static List<Element> groups(Document d, String cls) {
        List<Element> out = new ArrayList<>();
        NodeList gs = d.getElementsByTagNameNS("http://www.w3.org/2000/svg", "g");
        for (int i = 0; i < gs.getLength(); i++) {
            Element g = (Element) gs.item(i);
            if (List.of(g.getAttribute("class").split(" ")).contains(cls)) out.add(g);
        }
        return out;
    }

    @Test
    void wellFormedWithTwoLanesAndOneArrowPerSegment() throws Exception {
        LabRun run = Fixtures.handshakeRun();
        for (Lang lang : Lang.values()) {
            Document d = parse(SvgLadder.render(run, lang));
            Element root = d.getDocumentElement();
            assertEquals("svg", root.getLocalName());
            assertEquals("http://www.w3.org/2000/svg", root.getNamespaceURI());
            List<Element> lanes = groups(d, "lane");
            assertEquals(2, lanes.size());
            for (Element lane : lanes) assertEquals(1, lane.getElementsByTagNameNS("*", "line").getLength(), "lifeline");
            List<Element> segs = groups(d, "seg");
            assertEquals(run.segments().size(), segs.size());
            for (Element s : segs) assertEquals(1, s.getElementsByTagNameNS("*", "line").getLength());
            List<Element> lost = groups(d, "lost");
            assertEquals(1, lost.size());
            assertTrue(lost.getFirst().getElementsByTagNameNS("*", "path").getLength() == 1, "the X");
            long delivered = segs.stream().filter(s -> ((Element) s.getElementsByTagNameNS("*", "line").item(0))
                    .getAttribute("marker-end").equals("url(#head)")).count();
            assertEquals(run.segments().size() - 1, delivered);
            assertTrue(groups(d, "timer").size() > 5);
            assertTrue(groups(d, "state").size() >= 2 + 12);
        }
    }

    @Test
    void arrowsSlantDownFromSendToArrival() throws Exception {
        Document d = parse(SvgLadder.render(Fixtures.handshakeRun(), Lang.EN));
        for (Element s : groups(d, "seg")) {
            Element line = (Element) s.getElementsByTagNameNS("*", "line").item(0);
            assertTrue(Double.parseDouble(line.getAttribute("y2")) > Double.parseDouble(line.getAttribute("y1")));
        }
    }

    @Test
    void chineseTextAndEscapingSurviveParsing() throws Exception {
        Fixtures.Trace r = Fixtures.refused();
        String svg = SvgLadder.render(TraceConverter.convert("<refused & \"quoted\">", r.client(), r.server()), Lang.ZH);
        Document d = parse(svg);
        assertTrue(d.getDocumentElement().getTextContent().contains("第一次握手"));
        assertTrue(d.getDocumentElement().getTextContent().contains("<refused & \"quoted\">"));
        assertTrue(svg.contains("RST,ACK"));
    }
}
