package org.netstack4j.lab.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.netstack4j.lab.LabEvent;
import org.netstack4j.lab.LabRender;
import org.netstack4j.lab.LabRun;
import org.netstack4j.lab.Lang;
import org.netstack4j.lab.SvgLadder;

/**
 * What the lab writes for each story, checked by outside tools: tshark reads every pcap without a
 * malformed packet or a bad checksum, and headless Chromium draws every SVG with two lanes and one
 * arrow per delivered segment. Both tools come from scripts/install-deps.sh; without them the
 * checks skip with the reason.
 */
class StoryArtifactsTest {
    @TempDir Path dir;

    static Stream<String> stories() { return Scenarios.all().stream().map(Scenario::name); }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stories")
    void tsharkReadsThePcapCleanly(String story) throws Exception {
        assumeTrue(onPath("tshark"), "tshark is not installed (scripts/install-deps.sh installs it)");
        Path pcap = dir.resolve(story + ".pcap");
        LabRunner.run(Scenarios.byName(story).orElseThrow(), ScenarioOptions.defaults().withPcap(pcap));
        String all = run("tshark", "-r", pcap.toString(), "-T", "fields", "-e", "frame.number");
        long frames = all.lines().filter(l -> !l.isBlank()).count();
        assertTrue(frames >= 1, story + ": no frames in the pcap");
        String bad = run("tshark", "-r", pcap.toString(), "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE",
                "-Y", "_ws.malformed || ip.checksum.status == 2 || tcp.checksum.status == 2 || icmp.checksum.status == 2"
                        // 0 is Wireshark's "bad" (2 is "unverified")
                        + " || ip.checksum.status == 0 || tcp.checksum.status == 0 || icmp.checksum.status == 0");
        assertEquals("", bad.strip(), story + ": tshark found malformed packets or bad checksums");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stories")
    void chromiumDrawsLanesAndArrows(String story) throws Exception {
        assumeTrue(onPath("chromium"), "chromium is not installed (scripts/install-deps.sh installs it)");
        LabRun run = LabRunner.run(Scenarios.byName(story).orElseThrow(), ScenarioOptions.defaults());
        String svg = SvgLadder.render(run, Lang.EN);
        int height = Integer.parseInt(svg.replaceFirst("(?s).*?<svg[^>]*height=\"([0-9]+)(\\.[0-9]+)?\".*", "$1"));
        Path svgFile = dir.resolve(story + ".svg"), png = dir.resolve(story + ".png");
        Files.writeString(svgFile, svg, StandardCharsets.UTF_8);
        run("chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                "--force-device-scale-factor=1", "--user-data-dir=" + dir.resolve("profile-" + story),
                "--window-size=" + SvgLadder.WIDTH + "," + height, "--screenshot=" + png, svgFile.toUri().toString());
        BufferedImage img = ImageIO.read(png.toFile());
        assertTrue(img != null && img.getWidth() >= SvgLadder.WIDTH - 1, story + ": no screenshot");

        // Two lifelines: grey pixels down most of each lane's column below the header.
        for (int x : new int[] {SvgLadder.LEFT_X, SvgLadder.RIGHT_X}) {
            int grey = 0, rows = 0;
            for (int y = 100; y < img.getHeight() - 20; y++, rows++) if (near(img, x, y, c -> isGrey(c) || isBlue(c) || isOther(c))) grey++;
            assertTrue(grey > rows * 0.6, story + ": no lifeline at x=" + x + " (" + grey + "/" + rows + ")");
        }
        // One blue arrow per delivered segment crosses a column just right of the left lane.
        long delivered = run.segments().stream().filter(s -> !s.dropped()).count();
        int x = SvgLadder.LEFT_X + 40, runs = 0;
        boolean in = false;
        for (int y = 90; y < img.getHeight(); y++) {
            boolean blue = isBlue(img.getRGB(x, y));
            if (blue && !in) runs++;
            in = blue;
        }
        assertEquals(delivered, runs, story + ": arrows drawn vs segments delivered");
    }

    /**
     * The two-host stories' HTML page: loads with no script error, its step control reaches every
     * event of the diagram, a clicked segment shows its frame decoded (Ethernet, IPv4, TCP), the
     * language switch shows the Chinese diagram; a screenshot shows both lifelines and the arrows.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("stories")
    void theHtmlPageStepsThroughEveryEventAndDecodesASegment(String story) throws Exception {
        assumeTrue(onPath("chromium"), "chromium is not installed (scripts/install-deps.sh installs it)");
        Scenario s = Scenarios.byName(story).orElseThrow();
        LabRun run = LabRunner.run(s, ScenarioOptions.defaults());
        String html = LabRender.render(run, LabRender.Format.HTML, Lang.EN, false, false, s.summary(), s.summaryZh());
        assertEquals(-1, html.replace("http://www.w3.org/2000/svg", "").indexOf("http://"), "nothing to fetch");
        assertTrue(!html.contains("https://") && !html.contains(" src="), "nothing to fetch");
        Path file = dir.resolve(story + ".html");
        Files.writeString(file, html, StandardCharsets.UTF_8);
        List<String> chromium = LaneArtifactsTest.CHROMIUM;
        List<String> dump = new ArrayList<>(chromium);
        dump.addAll(List.of("--user-data-dir=" + dir.resolve("profile-dom-" + story), "--virtual-time-budget=5000", "--dump-dom",
                file.toUri() + "#selftest"));
        String dom = run(dump.toArray(String[]::new));
        String result = dom.replaceFirst("(?s).*<pre id=\"selftest\"[^>]*>(.*?)</pre>.*", "$1");
        Map<String, String> r = result.lines().filter(l -> l.contains("="))
                .collect(Collectors.toMap(l -> l.substring(0, l.indexOf('=')), l -> l.substring(l.indexOf('=') + 1)));
        int n = SvgLadder.steps(run).size();
        assertEquals(Integer.toString(n), r.get("events"), story + ": " + result);
        assertEquals(Integer.toString(n), r.get("stepped"), story + ": the step control reaches every event: " + result);
        assertEquals("0", r.get("bad"), story + ": every step selects exactly one event and describes it: " + result);
        String decoded = r.getOrDefault("decoded", "");
        assertTrue(decoded.contains("Ethernet II") && decoded.contains("IPv4") && decoded.contains("TCP"),
                story + ": a clicked segment is decoded: " + result);
        assertEquals("true", r.get("zh"), story + ": the language switch shows the Chinese diagram: " + result);
        assertEquals("0", r.get("errors"), story + ": script errors: " + result);

        Path png = dir.resolve(story + "-page.png");
        List<String> shot = new ArrayList<>(chromium);
        shot.addAll(List.of("--user-data-dir=" + dir.resolve("profile-png-" + story), "--window-size=1960,900",
                "--screenshot=" + png, file.toUri().toString()));
        run(shot.toArray(String[]::new));
        BufferedImage img = ImageIO.read(png.toFile());
        assertTrue(img != null, story + ": no screenshot of the page");
        int svgHeight = Integer.parseInt(SvgLadder.render(run, Lang.EN).replaceFirst("(?s).*?<svg[^>]*height=\"([0-9]+)(\\.[0-9]+)?\".*", "$1"));
        int bottom = Math.min(img.getHeight(), svgHeight) - 30;
        for (int x : new int[] {SvgLadder.LEFT_X, SvgLadder.RIGHT_X}) {
            int grey = 0, rows = 0;
            for (int y = 100; y < bottom; y++, rows++) if (near(img, x, y, c -> isGrey(c) || isBlue(c) || isOther(c))) grey++;
            assertTrue(grey > rows * 0.6, story + ": no lifeline on the page at x=" + x + " (" + grey + "/" + rows + ")");
        }
        boolean arrows = false;
        for (int y = 90; y < img.getHeight() && !arrows; y++) arrows = isBlue(img.getRGB(SvgLadder.LEFT_X + 40, y));
        assertTrue(arrows, story + ": no arrow on the page");
    }

    interface ColorTest { boolean test(int rgb); }

    static boolean near(BufferedImage img, int x, int y, ColorTest t) {
        for (int dx = -2; dx <= 2; dx++) if (x + dx >= 0 && x + dx < img.getWidth() && t.test(img.getRGB(x + dx, y))) return true;
        return false;
    }

    static int r(int c) { return (c >> 16) & 0xff; }
    static int g(int c) { return (c >> 8) & 0xff; }
    static int b(int c) { return c & 0xff; }
    /** The arrows' #1f4e8c, anti-aliased. */
    static boolean isBlue(int c) { return b(c) > r(c) + 40 && b(c) > g(c) + 10 && r(c) < 150; }
    /** The lifelines' #888. */
    static boolean isGrey(int c) { return Math.abs(r(c) - g(c)) < 12 && Math.abs(g(c) - b(c)) < 12 && r(c) < 225 && r(c) > 60; }
    /** State boxes and anything else drawn over the lane. */
    static boolean isOther(int c) { return (r(c) + g(c) + b(c)) < 3 * 245; }

    static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator))
            if (new File(d, tool).canExecute()) return true;
        return false;
    }

    /**
     * Runs a tool, its output into a file so that the time limit holds: reading its stdout first
     * waited for as long as a hung tool (headless chromium once, of some 60 screenshots under load)
     * kept it open, the whole build with it.
     */
    static String run(String... cmd) throws IOException, InterruptedException {
        Path out = Files.createTempFile("nsj-tool", ".out");
        try {
            Process p = new ProcessBuilder(new ArrayList<>(List.of(cmd))).redirectError(ProcessBuilder.Redirect.DISCARD)
                    .redirectOutput(out.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                fail("timed out: " + String.join(" ", cmd));
            }
            assertEquals(0, p.exitValue(), "failed: " + String.join(" ", cmd));
            return Files.readString(out, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
