package org.netstack4j.trace;

/**
 * Text from the network made safe for a log line or a terminal: every C0 control (including ESC,
 * BEL, CR, LF and TAB), DEL and every C1 control (U+0080..U+009F) becomes {@code \xNN}, so a
 * client cannot move the cursor, change colours, ring the bell or start a forged line. Used by
 * every server and log that prints what a peer sent (the CLI's servers, the apps module).
 */
public final class LogText {
    private LogText() {}

    /** {@code s} with its control characters escaped: one line, nothing a terminal acts on. */
    public static String controls(String s) { return escape(s, false); }

    /**
     * A quoted log field: controls escaped and also '"' and '\' (as \x22 and \x5c), so the field's
     * end is unambiguous and the escaped text reads back as exactly what the peer sent.
     */
    public static String field(String s) { return escape(s, true); }

    private static String escape(String s, boolean field) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean bad = c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) || (field && (c == '\\' || c == '"'));
            if (bad) {
                if (b == null) b = new StringBuilder(s.length() + 16).append(s, 0, i);
                b.append("\\x").append(Character.forDigit(c >> 4 & 0xf, 16)).append(Character.forDigit(c & 0xf, 16));
            } else if (b != null) {
                b.append(c);
            }
        }
        return b == null ? s : b.toString();
    }
}
