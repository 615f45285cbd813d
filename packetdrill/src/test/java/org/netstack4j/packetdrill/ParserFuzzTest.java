package org.netstack4j.packetdrill;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Mangled scripts (corpus files with bytes deleted, duplicated or replaced, seeded) never make
 * the parser or the runner throw anything but the two documented outcomes: every script ends
 * as PASS, FAIL or SKIP.
 */
class ParserFuzzTest {
    private static final String ALPHABET = "0123456789.:+-*~<>()[]{}=,|`%!/ \nSFRPabcdefghijklmnopqrstuvwxyz_\"";

    @Test
    void mangledScriptsNeverCrash() throws Exception {
        var dir = Corpus.locate();
        Assumptions.assumeTrue(dir.isPresent(), "packetdrill corpus not found; set -D" + Corpus.PROPERTY);
        List<Path> files = Corpus.expand(List.of(dir.get()));
        SplittableRandom rnd = new SplittableRandom(20261125);
        int runs = 0;
        for (int i = 0; i < 400; i++) {
            Path f = files.get(rnd.nextInt(files.size()));
            String text = Files.readString(f);
            StringBuilder b = new StringBuilder(text);
            int edits = 1 + rnd.nextInt(4);
            for (int e = 0; e < edits && b.length() > 0; e++) {
                int at = rnd.nextInt(b.length());
                switch (rnd.nextInt(3)) {
                    case 0 -> b.deleteCharAt(at);
                    case 1 -> b.insert(at, ALPHABET.charAt(rnd.nextInt(ALPHABET.length())));
                    default -> b.setCharAt(at, ALPHABET.charAt(rnd.nextInt(ALPHABET.length())));
                }
            }
            String mangled = b.toString();
            Script s;
            try {
                s = ScriptParser.parse(f, mangled, ScriptParser.DEFAULT_DEFINES);
            } catch (Unsupported | ScriptSyntaxError expected) {
                continue;
            } catch (RuntimeException ex) {
                fail("parser threw " + ex + " on a mangled " + f + ":\n" + mangled, ex);
                return;
            }
            // Run a quarter of the parsed ones (the engine is fast, but keep the test short).
            if (rnd.nextInt(4) == 0) {
                ScriptResult r = new Interpreter(s, Profile.detect(s), EngineStack.FACTORY, 1, null).run();
                assertNotNull(r.status());
                if (r.message().startsWith("stack threw")) System.out.println("fuzz: " + r.oneLine());
                runs++;
            }
        }
        System.out.println("fuzz: " + runs + " mangled scripts ran to PASS/FAIL/SKIP");
    }
}
