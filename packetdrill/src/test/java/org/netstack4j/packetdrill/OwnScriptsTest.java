package org.netstack4j.packetdrill;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Small scripts written for this project (src/test/resources/scripts) pass against the real engine. */
class OwnScriptsTest {

    private static Path scripts() throws URISyntaxException {
        return Path.of(OwnScriptsTest.class.getResource("/scripts").toURI());
    }

    @Test
    void ownScriptsPass() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Summary s = Runner.run(List.of(scripts()), Options.defaults().withVerbose(true),
            new PrintStream(buf, true, StandardCharsets.UTF_8));
        String out = buf.toString(StandardCharsets.UTF_8);
        assertEquals(120, s.results().size(), out);
        assertEquals(s.results().size(), s.passed(), out);
        assertEquals(0, s.exitCode());
        assertTrue(out.strip().endsWith("120 passed, 0 failed, 0 skipped"), out);
    }

    @Test
    void aBrokenExpectationFailsWithLineAndBothPackets() throws Exception {
        String text = """
            0 < S 0:0(0) win 1000 <mss 1460>
            +0 > R. 0:0(0) ack 2 win 0
            """;
        Script script = ScriptParser.parse(Path.of("broken.pkt"), text, ScriptParser.DEFAULT_DEFINES);
        ScriptResult r = new Interpreter(script, Profile.LINUX, EngineStack.FACTORY, 1, null).run();
        assertEquals(ScriptResult.Status.FAIL, r.status());
        assertEquals(2, r.line());
        assertTrue(r.oneLine().startsWith("FAIL broken.pkt:2: ack differs (got 1): expected > R. 0:0(0) ack 2 win 0 got"),
            r.oneLine());
    }

    @Test
    void commandLineParsesFlagsAndReturnsTheExitStatus() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        Path json = java.nio.file.Files.createTempFile("pd", ".json");
        int rc = Runner.main(new String[] {"--profile=linux", "--json", json.toString(), scripts().resolve("closed-port-rst.pkt").toString()},
            new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, rc, out + "" + err);
        assertTrue(java.nio.file.Files.readString(json).contains("\"passed\": 1"));
        assertTrue(out.toString(StandardCharsets.UTF_8).strip().endsWith("1 passed, 0 failed, 0 skipped"));
        int bad = Runner.main(new String[] {"--profile", "solaris", "x.pkt"}, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, bad);
        int missing = Runner.main(new String[] {"/no/such/file.pkt"}, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(1, missing);
        java.nio.file.Files.deleteIfExists(json);
    }
}
