package org.netstack4j.lab.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.netstack4j.lab.scenario.StoryArtifactsTest.isBlue;
import static org.netstack4j.lab.scenario.StoryArtifactsTest.isGrey;
import static org.netstack4j.lab.scenario.StoryArtifactsTest.isOther;
import static org.netstack4j.lab.scenario.StoryArtifactsTest.near;
import static org.netstack4j.lab.scenario.StoryArtifactsTest.onPath;
import static org.netstack4j.lab.scenario.StoryArtifactsTest.run;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.netstack4j.lab.LaneHtml;
import org.netstack4j.lab.LaneRun;
import org.netstack4j.lab.LaneSvg;
import org.netstack4j.lab.Lang;

/**
 * The multi-lane stories' artifacts checked by outside tools: tshark reads each pcap cleanly,
 * headless Chromium draws each SVG with a lifeline per lane and one arrow per frame at the first
 * lane, and the HTML page loads without a script error, steps through every event, decodes a
 * selected frame and switches to Chinese (its own #selftest run, read back from the DOM).
 */
class LaneArtifactsTest {
    @TempDir Path dir;

    static Stream<String> stories() { return NetStories.all().stream().map(NetStory::name); }

    static final List<String> CHROMIUM = List.of("chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--hide-scrollbars", "--force-device-scale-factor=1");

    String chromium(String story, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(CHROMIUM);
        cmd.add("--user-data-dir=" + dir.resolve("profile-" + story + "-" + args.length + args[0].length()));
        cmd.addAll(List.of(args));
        return run(cmd.toArray(String[]::new));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stories")
    void tsharkReadsThePcapCleanly(String story) throws Exception {
        assumeTrue(onPath("tshark"), "tshark is not installed (scripts/install-deps.sh installs it)");
        Path pcap = dir.resolve(story + ".pcap");
        NetStories.byName(story).orElseThrow().run(1, pcap);
        String all = run("tshark", "-r", pcap.toString(), "-T", "fields", "-e", "frame.number");
        assertTrue(all.lines().filter(l -> !l.isBlank()).count() >= 2, story + ": no frames in the pcap");
        String bad = run("tshark", "-r", pcap.toString(), "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE",
                "-o", "udp.check_checksum:TRUE",
                // checksum.status: 0 bad, 1 good, 2 unverified. An ICMP error quotes a segment cut to
                // fit 576 bytes (RFC 1812 4.3.2.3), whose TCP/UDP checksum cannot add up: those are
                // checked in frames without ICMP only.
                "-Y", "_ws.malformed || ip.checksum.status == 0 || icmp.checksum.status == 0"
                        + " || (!icmp && (tcp.checksum.status == 0 || udp.checksum.status == 0))");
        assertEquals("", bad.strip(), story + ": tshark found malformed packets or bad checksums");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stories")
    void chromiumDrawsALifelinePerLaneAndAnArrowPerFrame(String story) throws Exception {
        assumeTrue(onPath("chromium"), "chromium is not installed (scripts/install-deps.sh installs it)");
        LaneRun run = NetStories.byName(story).orElseThrow().run(1, null).run();
        String svg = LaneSvg.render(run, Lang.EN);
        int height = Integer.parseInt(svg.replaceFirst("(?s).*?<svg[^>]*height=\"([0-9]+)\".*", "$1"));
        Path file = dir.resolve(story + ".svg"), png = dir.resolve(story + ".png");
        Files.writeString(file, svg, StandardCharsets.UTF_8);
        chromium(story, "--window-size=" + LaneSvg.WIDTH + "," + height, "--screenshot=" + png, file.toUri().toString());
        BufferedImage img = ImageIO.read(png.toFile());
        assertTrue(img != null && img.getHeight() >= height - 1, story + ": no screenshot");
        assertLifelines(story, run, img, img.getHeight() - 30, 0.9);
        // Every frame that starts or ends at the first lane crosses the column just right of it.
        long expected = run.events().stream().filter(e -> e instanceof LaneRun.Frame f && f.lanes().contains(run.lanes().get(0).name())).count();
        int x = LaneSvg.laneX(run, 0) + 20, runs = 0;
        boolean in = false;
        for (int y = LaneSvg.TOP; y < img.getHeight(); y++) {
            boolean blue = isBlue(img.getRGB(x, y));
            if (blue && !in) runs++;
            in = blue;
        }
        assertEquals(expected, runs, story + ": arrows at the first lane vs frames there");
    }

    static void assertLifelines(String story, LaneRun run, BufferedImage img, int bottom, double drawn) {
        for (int i = 0; i < run.lanes().size(); i++) {
            int x = LaneSvg.laneX(run, i), grey = 0, rows = 0;
            for (int y = LaneSvg.TOP + 5; y < bottom; y++, rows++) if (near(img, x, y, c -> isGrey(c) || isBlue(c) || isOther(c))) grey++;
            assertTrue(grey > rows * drawn, story + ": no lifeline for " + run.lanes().get(i).name() + " at x=" + x + " (" + grey + "/" + rows + ")");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stories")
    void theHtmlPageStepsThroughEveryEventAndDecodesAFrame(String story) throws Exception {
        assumeTrue(onPath("chromium"), "chromium is not installed (scripts/install-deps.sh installs it)");
        NetStory s = NetStories.byName(story).orElseThrow();
        LaneRun run = s.run(1, null).run();
        String html = LaneHtml.render(run, s.summary(), s.summaryZh());
        assertTrue(!html.contains("http://") || html.replace("http://www.w3.org/2000/svg", "").indexOf("http://") < 0, "nothing to fetch");
        assertTrue(!html.contains("https://") && !html.contains(" src="), "nothing to fetch");
        Path file = dir.resolve(story + ".html");
        Files.writeString(file, html, StandardCharsets.UTF_8);
        String dom = chromium(story, "--virtual-time-budget=5000", "--dump-dom", file.toUri() + "#selftest");
        String result = dom.replaceFirst("(?s).*<pre id=\"selftest\"[^>]*>(.*?)</pre>.*", "$1");
        Map<String, String> r = result.lines().filter(l -> l.contains("="))
                .collect(Collectors.toMap(l -> l.substring(0, l.indexOf('=')), l -> l.substring(l.indexOf('=') + 1)));
        int n = run.events().size();
        assertEquals(Integer.toString(n), r.get("events"), story + ": " + result);
        assertEquals(Integer.toString(n), r.get("stepped"), story + ": the step control reaches every event: " + result);
        assertEquals("0", r.get("bad"), story + ": every step selects exactly one event and describes it: " + result);
        assertTrue(r.getOrDefault("decoded", "").contains("Ethernet II"), story + ": a clicked frame is decoded: " + result);
        assertEquals("true", r.get("zh"), story + ": the language switch shows the Chinese diagram: " + result);
        assertEquals("0", r.get("errors"), story + ": script errors: " + result);

        Path png = dir.resolve(story + "-page.png");
        chromium(story, "--window-size=1840,900", "--screenshot=" + png, file.toUri().toString());
        BufferedImage img = ImageIO.read(png.toFile());
        assertTrue(img != null, story + ": no screenshot of the page");
        int svgHeight = Integer.parseInt(LaneSvg.render(run, Lang.EN).replaceFirst("(?s).*?<svg[^>]*height=\"([0-9]+)\".*", "$1"));
        // on the page, 80%: CI saw 678 of 785 rows drawn (86%). Not a control over the diagram: the
        // rows missing are the bottom ones, y 763 to 869, white under every lane whose raster tile
        // (254 px apart) headless chromium had not drawn yet when it took the screenshot (4 of 24
        // shots with --virtual-time-budget under load, lab21). --run-all-compositor-stages-before-draw
        // waits for them (0 of 24) but then hung chromium in 3 of some 45 screenshots; a missing
        // lifeline draws none
        assertLifelines(story, run, img, Math.min(img.getHeight(), svgHeight) - 30, 0.8);
        boolean arrows = false;
        for (int y = LaneSvg.TOP; y < img.getHeight() && !arrows; y++) arrows = isBlue(img.getRGB(LaneSvg.laneX(run, 0) + 20, y));
        assertTrue(arrows || run.events().stream().noneMatch(e -> e instanceof LaneRun.Frame), story + ": no arrow on the page");
    }
}
