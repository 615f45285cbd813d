package org.netstack4j.lab;

import java.util.Locale;

/** One entry point for the CLI: {@code demo NAME [--format text|svg|json] [--lang] [--ascii] [--relative-seq]}. */
public final class LabRender {
    private LabRender() {}

    public enum Format {
        TEXT, SVG, JSON;

        public static Format parse(String s) {
            return switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "text", "txt" -> TEXT;
                case "svg" -> SVG;
                case "json" -> JSON;
                default -> throw new IllegalArgumentException("unknown format (want text, svg or json): " + s);
            };
        }
    }

    /** Renders run in format; ascii applies to text only, relativeSeq to text and SVG (JSON is always raw). */
    public static String render(LabRun run, Format format, Lang lang, boolean ascii, boolean relativeSeq) {
        return switch (format) {
            case TEXT -> TextLadder.render(run, new TextLadder.Options(lang, ascii, relativeSeq, 100));
            case SVG -> SvgLadder.render(run, lang, relativeSeq);
            case JSON -> JsonRun.render(run, lang);
        };
    }
}
