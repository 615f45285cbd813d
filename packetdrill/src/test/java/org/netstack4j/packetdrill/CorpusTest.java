package org.netstack4j.packetdrill;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the whole shared corpus against the real engine and prints the counts and the most
 * common reasons. The ratchet: it fails when fewer scripts pass than the baseline recorded in
 * CONFORMANCE.md at the repository root, or when a script that does not pass is missing from
 * that file's list (so the list of failures and their reasons stays true).
 */
class CorpusTest {

    @Test
    void runsTheCorpus(@TempDir Path tmp) throws Exception {
        var dir = Corpus.locate();
        Assumptions.assumeTrue(dir.isPresent(), "packetdrill corpus (shared/conformance/packetdrill) not found; set -D"
            + Corpus.PROPERTY);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Path json = tmp.resolve("report.json");
        Summary s = Runner.run(List.of(dir.get()), Options.defaults().withJson(json),
            new PrintStream(buf, true, StandardCharsets.UTF_8));
        String out = buf.toString(StandardCharsets.UTF_8);
        Map<String, Integer> reasons = new TreeMap<>();
        for (ScriptResult r : s.results()) {
            if (r.status() == ScriptResult.Status.PASS) continue;
            String m = r.message();
            String key = r.status() + " " + (m.contains(":") ? m.substring(0, m.indexOf(':')) : m);
            if (key.length() > 90) key = key.substring(0, 90);
            reasons.merge(key, 1, Integer::sum);
        }
        System.out.println(out);
        System.out.println("packetdrill corpus: " + s.line());
        reasons.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).limit(25)
            .forEach(e -> System.out.printf("  %3d  %s%n", e.getValue(), e.getKey()));
        assertEquals(s.results().size(), s.passed() + s.failed() + s.skipped());
        assertTrue(out.strip().endsWith(s.line()), "last line is the summary");
        assertTrue(Files.readString(json).contains("\"scripts\""));

        Path conformance = Path.of("..", "CONFORMANCE.md");
        assertTrue(Files.exists(conformance), "CONFORMANCE.md is missing at the repository root");
        String doc = Files.readString(conformance);
        var m = java.util.regex.Pattern.compile("(?m)^Baseline: (\\d+) scripts pass").matcher(doc);
        assertTrue(m.find(), "CONFORMANCE.md has no 'Baseline: N scripts pass' line");
        int baseline = Integer.parseInt(m.group(1));
        assertTrue(s.passed() >= baseline, "packetdrill corpus: " + s.passed() + " pass, fewer than the baseline "
            + baseline + " in CONFORMANCE.md");
        for (ScriptResult r : s.results()) {
            if (r.status() == ScriptResult.Status.PASS) continue;
            String p = r.path().toString().replace('\\', '/');
            String rel = p.contains("conformance/packetdrill/") ? p.substring(p.indexOf("conformance/packetdrill/") + 24) : p;
            assertTrue(doc.contains("`" + rel + "`"), rel + " does not pass (" + r.status() + ") but is not listed in CONFORMANCE.md"
                + " (regenerate it with scripts/conformance-report.py)");
        }
        // Kept for the lead's ratchet and for humans: target/packetdrill-corpus.json
        if (Files.isDirectory(Path.of("target"))) Files.copy(json, Path.of("target", "packetdrill-corpus.json"),
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
