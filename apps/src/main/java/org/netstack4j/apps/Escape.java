package org.netstack4j.apps;

/** Text from a peer made safe for a reply, a log line or a terminal. */
public final class Escape {
    private Escape() {}

    /** Control characters (C0, DEL, C1) as {@code \xNN}; everything else as it is. */
    public static String printable(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) sb.append(String.format("\\x%02x", (int) c));
            else sb.append(c);
        }
        return sb.toString();
    }
}
