package org.netstack4j.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** External tools the tests use (installed by scripts/install-deps.sh); tests skip with a reason without them. */
final class Tools {
    private Tools() {}

    /**
     * The path of {@code tool}; skips the test with a reason naming the package otherwise. The
     * reason says "scripts/install-deps.sh": with CI=true, scripts/test.sh fails the build on
     * such a skip (see there), so a tool that could not be installed is never a silent pass.
     */
    static String require(String tool, String aptPackage) {
        String path = org.netstack4j.linux.LinuxNet.findOnPath(tool);
        org.junit.jupiter.api.Assumptions.assumeTrue(path != null,
                tool + " is not installed: apt-get install " + aptPackage + " (scripts/install-deps.sh installs it)");
        return path;
    }

    static boolean has(String tool) {
        return org.netstack4j.linux.LinuxNet.findOnPath(tool) != null;
    }

    /** Runs a command, returning stdout (stderr is discarded); fails the test on a non-zero exit. */
    static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(new ArrayList<>(List.of(cmd))).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + String.join(" ", cmd));
        }
        if (p.exitValue() != 0) throw new AssertionError("exit " + p.exitValue() + ": " + String.join(" ", cmd));
        return new String(out, StandardCharsets.UTF_8);
    }
}
