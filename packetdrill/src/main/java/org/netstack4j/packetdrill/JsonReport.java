package org.netstack4j.packetdrill;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes a {@link Summary} as JSON: {"passed":..,"failed":..,"skipped":..,"scripts":[{path,status,line,message,profile}]}. */
public final class JsonReport {
    private JsonReport() {}

    public static String render(Summary s) {
        StringBuilder b = new StringBuilder();
        b.append("{\n  \"passed\": ").append(s.passed()).append(",\n  \"failed\": ").append(s.failed())
            .append(",\n  \"skipped\": ").append(s.skipped()).append(",\n  \"scripts\": [");
        for (int i = 0; i < s.results().size(); i++) {
            ScriptResult r = s.results().get(i);
            b.append(i == 0 ? "\n" : ",\n").append("    {\"path\": ").append(str(r.path().toString()))
                .append(", \"status\": ").append(str(r.status().name()))
                .append(", \"line\": ").append(r.line())
                .append(", \"profile\": ").append(str(r.profile().name().toLowerCase(java.util.Locale.ROOT)))
                .append(", \"message\": ").append(str(r.message())).append('}');
        }
        b.append("\n  ]\n}\n");
        return b.toString();
    }

    public static void write(Summary s, Path file) throws IOException {
        Files.writeString(file, render(s), StandardCharsets.UTF_8);
    }

    static String str(String v) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : v.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.append('"').toString();
    }
}
