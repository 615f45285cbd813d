package org.netstack4j.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Golden-file comparison shared by the lab's tests: compares rendered text with a file under
 * src/test/resources/golden/, or rewrites it with {@code -Dnetstack4j.golden.update=true}.
 */
public final class Golden {
    public static final Path ROOT = Path.of("src", "test", "resources", "golden");
    public static final boolean UPDATE = Boolean.getBoolean("netstack4j.golden.update");

    private Golden() {}

    public static void check(Path dir, String name, String actual) throws IOException {
        Path file = dir.resolve(name);
        if (UPDATE) {
            Files.createDirectories(dir);
            Files.writeString(file, actual, StandardCharsets.UTF_8);
            return;
        }
        assertTrue(Files.exists(file), "missing golden file " + file + " (run with -Dnetstack4j.golden.update=true)");
        assertEquals(Files.readString(file, StandardCharsets.UTF_8), actual,
                name + " differs from its golden file (if intended: -Dnetstack4j.golden.update=true, then review the diff)");
    }

    /** Every line of a text output (JSON is exempt) fits {@code columns}, wide characters counted double. */
    public static void assertFits(String name, String actual, int columns) {
        if (name.endsWith(".json")) return;
        for (String line : actual.split("\n", -1))
            assertTrue(Cols.width(line) <= columns, name + ": line of " + Cols.width(line) + " columns: " + line);
    }
}
