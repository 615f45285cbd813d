package org.netstack4j.packetdrill;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Jazzer target: the packetdrill script parser, then the interpreter on what parses. The parser
 * raises only {@link Unsupported} or {@link ScriptSyntaxError}; a run ends as PASS, FAIL or SKIP,
 * and never with a programming error (index, null, arithmetic, cast) thrown from below it.
 */
class ScriptParserFuzzer {
    private static final Pattern BUG = Pattern.compile(
            "stack threw java\\.lang\\.(IndexOutOfBounds|ArrayIndexOutOfBounds|StringIndexOutOfBounds|NullPointer"
                    + "|Arithmetic|ClassCast|NegativeArraySize)Exception");

    @FuzzTest(maxDuration = "10s")
    void script(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        Script s;
        try {
            s = ScriptParser.parse(Path.of("fuzz.pkt"), text, ScriptParser.DEFAULT_DEFINES);
        } catch (Unsupported | ScriptSyntaxError expected) {
            return;
        }
        ScriptResult r = new Interpreter(s, Profile.detect(s), EngineStack.FACTORY, 1, null).run();
        assertNotNull(r.status());
        assertFalse(BUG.matcher(r.message()).lookingAt(), () -> r.oneLine() + "\n" + text);
    }
}
