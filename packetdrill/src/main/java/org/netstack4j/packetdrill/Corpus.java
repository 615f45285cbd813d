package org.netstack4j.packetdrill;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** Finds the shared conformance corpus and expands paths to the .pkt files they contain. */
public final class Corpus {
    private Corpus() {}

    public static final String PROPERTY = "netstack4j.packetdrill.corpus";
    public static final String ENV = "NETSTACK4J_PACKETDRILL_CORPUS";
    private static final Path RELATIVE = Path.of("shared", "conformance", "packetdrill");

    /**
     * The corpus directory: the system property, else the environment variable, else the first
     * {@code shared/conformance/packetdrill} found walking up from the working directory.
     */
    public static Optional<Path> locate() {
        String p = System.getProperty(PROPERTY);
        if (p == null || p.isBlank()) p = System.getenv(ENV);
        if (p != null && !p.isBlank()) {
            Path dir = Path.of(p);
            return Files.isDirectory(dir) ? Optional.of(dir) : Optional.empty();
        }
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path c = d.resolve(RELATIVE);
            if (Files.isDirectory(c)) return Optional.of(c);
        }
        return Optional.empty();
    }

    /** Files as given, directories expanded recursively to their *.pkt files, sorted. */
    public static List<Path> expand(List<Path> paths) {
        List<Path> out = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.walk(p)) {
                    s.filter(f -> f.toString().endsWith(".pkt") && Files.isRegularFile(f)).sorted().forEach(out::add);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            } else {
                out.add(p);
            }
        }
        return out;
    }
}
