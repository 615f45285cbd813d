package org.netstack4j.lab;

import java.util.Locale;

/** One entry point for the CLI: {@code demo NAME [--format text|svg|json|html] [--lang] [--ascii] [--relative-seq]}. */
public final class LabRender {
    private LabRender() {}

    public enum Format {
        TEXT, SVG, JSON, HTML;

        public static Format parse(String s) {
            return switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "text", "txt" -> TEXT;
                case "svg" -> SVG;
                case "json" -> JSON;
                case "html" -> HTML;
                default -> throw new IllegalArgumentException("unknown format (want text, svg, json or html): " + s);
            };
        }
    }

    /** Renders run in format; ascii applies to text only, relativeSeq to text, SVG and HTML (JSON is always raw). */
    public static String render(LabRun run, Format format, Lang lang, boolean ascii, boolean relativeSeq) {
        return render(run, format, lang, ascii, relativeSeq, run.scenario(), run.scenario());
    }

    /** As above; the HTML page shows the story's one-line summary in both languages. */
    public static String render(LabRun run, Format format, Lang lang, boolean ascii, boolean relativeSeq,
                                String summaryEn, String summaryZh) {
        return switch (format) {
            case TEXT -> TextLadder.render(run, new TextLadder.Options(lang, ascii, relativeSeq, 100));
            case SVG -> SvgLadder.render(run, lang, relativeSeq);
            case JSON -> JsonRun.render(run, lang);
            case HTML -> LadderHtml.render(run, summaryEn, summaryZh, relativeSeq);
        };
    }

    /** A multi-lane story in format: the ladder as text, SVG, JSON or the interactive HTML page. */
    public static String render(LaneRun run, Format format, Lang lang, boolean ascii, String summaryEn, String summaryZh) {
        return switch (format) {
            case TEXT -> LaneLadder.render(run, lang, ascii, 100);
            case SVG -> LaneSvg.render(run, lang);
            case JSON -> LaneJson.render(run, lang);
            case HTML -> LaneHtml.render(run, summaryEn, summaryZh);
        };
    }
}
