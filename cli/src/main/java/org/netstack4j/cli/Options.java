package org.netstack4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** Checks shared by the commands: each failure is a {@link Main.UsageError} that says how to fix it. */
final class Options {
    private Options() {}

    /** A percentage 0..100, given as "5", "5%" or "0.5". Returned as a probability 0..1. */
    static double percent(String flag, String text) {
        String t = text.trim();
        if (t.endsWith("%")) t = t.substring(0, t.length() - 1);
        double v;
        try {
            v = Double.parseDouble(t);
        } catch (NumberFormatException e) {
            throw new Main.UsageError(flag + " wants a percentage from 0 to 100 (for example " + flag + " 5), not '" + text + "'");
        }
        if (!(v >= 0 && v <= 100))
            throw new Main.UsageError(flag + " wants a percentage from 0 to 100 (for example " + flag + " 5), not '" + text + "'");
        return v / 100.0;
    }

    /** --lang: the lab's own parser (en, zh and their spellings), misuse as a usage error. */
    static org.netstack4j.lab.Lang lang(String text) {
        try {
            return org.netstack4j.lab.Lang.parse(text);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageError("--lang wants en or zh, not '" + text + "'");
        }
    }

    static void positive(String flag, long value) {
        if (value <= 0) throw new Main.UsageError(flag + " must be at least 1, not " + value);
    }

    static void range(String flag, long value, long min, long max) {
        if (value < min || value > max)
            throw new Main.UsageError(flag + " must be between " + min + " and " + max + ", not " + value);
    }

    /** Milliseconds as a non-negative decimal (fractions allowed), returned in nanoseconds. */
    static long millis(String flag, double ms) {
        if (!(ms >= 0 && ms <= 3_600_000))
            throw new Main.UsageError(flag + " wants milliseconds from 0 to 3600000, not " + ms);
        return Math.round(ms * 1_000_000.0);
    }

    /** The parent directory of an output file must exist. */
    static Path outputFile(String flag, Path file) {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent))
            throw new Main.UsageError(flag + ": directory " + parent + " does not exist");
        if (Files.isDirectory(file)) throw new Main.UsageError(flag + ": " + file + " is a directory; give a file name");
        return file;
    }
}
