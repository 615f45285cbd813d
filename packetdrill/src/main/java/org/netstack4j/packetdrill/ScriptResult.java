package org.netstack4j.packetdrill;

import java.nio.file.Path;
import java.util.List;

/**
 * How one script went. line is the script line of the first mismatch (FAIL) or of the
 * unsupported construct (SKIP), 0 when not tied to a line; message says what was expected
 * and what happened, or names the construct. log holds the conversation (verbose output).
 */
public record ScriptResult(Path path, Status status, int line, String message, Profile profile, List<String> log) {
    public enum Status { PASS, FAIL, SKIP }

    /** The one-line form the CLI prints: {@code PASS path}, {@code FAIL path:12: ...}, {@code SKIP path: ...}. */
    public String oneLine() {
        return switch (status) {
            case PASS -> "PASS " + path + (message.isEmpty() ? "" : " (" + message + ")");
            case FAIL -> "FAIL " + path + (line > 0 ? ":" + line : "") + ": " + message;
            case SKIP -> "SKIP " + path + (line > 0 ? ":" + line : "") + ": " + message;
        };
    }
}
