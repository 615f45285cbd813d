package org.netstack4j.packetdrill;

/**
 * The script language's digits are ASCII: {@link Character#isDigit} and {@link Character#digit}
 * also take other scripts' digits ("୭", U+0B6D), which {@code Double.parseDouble} and
 * {@code HexFormat} then refuse with an exception the parser did not expect (found by
 * ScriptParserFuzzer's campaign; the input is kept as a seed).
 */
final class Ascii {
    private Ascii() {}

    /** '0'..'9'. */
    static boolean isDigit(char c) { return c >= '0' && c <= '9'; }

    /** '0'..'9', 'a'..'f', 'A'..'F'. */
    static boolean isHexDigit(char c) { return isDigit(c) || (c | 0x20) >= 'a' && (c | 0x20) <= 'f'; }
}
