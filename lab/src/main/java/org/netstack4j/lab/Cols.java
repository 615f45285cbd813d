package org.netstack4j.lab;

import java.util.ArrayList;
import java.util.List;

/** Terminal column arithmetic: East Asian wide characters take two columns (UAX #11, W and F). */
final class Cols {
    private Cols() {}

    static int width(int cp) {
        if (cp < 0x1100) return 1;
        if (cp <= 0x115F || (cp >= 0x2E80 && cp <= 0x303E) || (cp >= 0x3041 && cp <= 0x33FF)
                || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xA000 && cp <= 0xA4CF)
                || (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFE30 && cp <= 0xFE4F)
                || (cp >= 0xFF00 && cp <= 0xFF60) || (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD))
            return 2;
        return 1;
    }

    /** Columns the string occupies. */
    static int width(String s) {
        int w = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            w += width(cp);
            i += Character.charCount(cp);
        }
        return w;
    }

    static String pad(String s, int cols) {
        int w = width(s);
        return w >= cols ? s : s + " ".repeat(cols - w);
    }

    static String padLeft(String s, int cols) {
        int w = width(s);
        return w >= cols ? s : " ".repeat(cols - w) + s;
    }

    /** Cuts s to at most cols columns, ending with "~" when something was cut. */
    static String fit(String s, int cols) {
        if (width(s) <= cols) return s;
        StringBuilder sb = new StringBuilder();
        int w = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            int cw = width(cp);
            if (w + cw > cols - 1) break;
            sb.appendCodePoint(cp);
            w += cw;
            i += Character.charCount(cp);
        }
        return sb.append('~').toString();
    }

    /**
     * Wraps text into lines of at most cols columns: breaks at spaces, or between any two wide
     * characters (Chinese has no spaces); a word longer than a line is cut.
     */
    static List<String> wrap(String text, int cols) {
        // With wide text, the last two columns are kept for closing punctuation, which must not
        // begin a line (a simple kinsoku rule).
        if (width(text) <= cols && text.indexOf('\n') < 0) return text.isEmpty() ? List.of() : List.of(text);
        boolean wideText = text.codePoints().anyMatch(c -> width(c) == 2);
        int soft = wideText ? cols - 2 : cols;
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        int lineW = 0;
        int i = 0;
        while (i < text.length()) {
            // next token: a run of narrow non-space characters, one wide character, or one space
            int cp = text.codePointAt(i);
            int j = i + Character.charCount(cp);
            if (cp != ' ' && width(cp) == 1) {
                while (j < text.length()) {
                    int c2 = text.codePointAt(j);
                    if (c2 == ' ' || width(c2) == 2) break;
                    j += Character.charCount(c2);
                }
            }
            String tok = text.substring(i, j);
            int tw = width(tok);
            if (tok.equals(" ")) {
                if (lineW > 0 && lineW + 1 <= cols) { line.append(' '); lineW++; }
            } else if (lineW + tw <= soft || (closing(tok) && lineW + tw <= cols)) {
                line.append(tok);
                lineW += tw;
            } else {
                String carry = "";
                if (closing(tok)) {
                    // closing punctuation may not start a line: take the previous characters along,
                    // back to one that is not closing punctuation itself
                    while (line.length() > 0) {
                        int last = line.codePointBefore(line.length());
                        carry = new String(Character.toChars(last)) + carry;
                        line.setLength(line.length() - Character.charCount(last));
                        if (!closing(new String(Character.toChars(last)))) break;
                    }
                }
                // nor may opening punctuation end one
                while (line.length() > 0 && opening(line.codePointBefore(line.length()))) {
                    int last = line.codePointBefore(line.length());
                    carry = new String(Character.toChars(last)) + carry;
                    line.setLength(line.length() - Character.charCount(last));
                }
                String done = line.toString().stripTrailing();
                if (!done.isEmpty()) lines.add(done);
                line.setLength(0);
                lineW = 0;
                tok = carry + tok;
                while (width(tok) > soft) { // hard cut
                    String head = cutTo(tok, soft);
                    lines.add(head);
                    tok = tok.substring(head.length());
                }
                line.append(tok);
                lineW = width(tok);
            }
            i = j;
        }
        String done = line.toString().stripTrailing();
        if (!done.isEmpty()) lines.add(done);
        return lines;
    }

    private static boolean opening(int cp) { return "（「“".indexOf(cp) >= 0; }

    private static boolean closing(String tok) {
        return tok.length() == 1 && "，。；：）」”、！？".indexOf(tok.charAt(0)) >= 0;
    }

    private static String cutTo(String s, int cols) {
        int w = 0, i = 0;
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            if (w + width(cp) > cols) break;
            w += width(cp);
            i += Character.charCount(cp);
        }
        return s.substring(0, Math.max(i, 1));
    }
}
