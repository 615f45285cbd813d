package org.netstack4j.packetdrill;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A parsed script: its {@code --option[=value]} lines (value "" when absent), its events in
 * order, and whatever it contains that the runner will have to refuse ({@code unsupported},
 * the construct name and line, null when none).
 */
public record Script(Path path, Map<String, String> options, List<Event> events, String source) {
    public String option(String name, String dflt) { return options.getOrDefault(name, dflt); }
}
