package org.netstack4j.packetdrill;

import java.util.List;

/** The outcome of a run: counts and one result per script, in the order run. */
public record Summary(int passed, int failed, int skipped, List<ScriptResult> results) {
    /** The CLI's exit status: 0 when nothing failed. */
    public int exitCode() { return failed == 0 ? 0 : 1; }

    public String line() { return passed + " passed, " + failed + " failed, " + skipped + " skipped"; }
}
