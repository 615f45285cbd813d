package org.netstack4j.lab;

/** Output language of labels and explanations. Chinese uses the teaching notes' own terms. */
public enum Lang {
    EN, ZH;

    /** Picks the text for this language. */
    public String pick(String en, String zh) { return this == ZH ? zh : en; }

    /** "en" / "zh" (case-insensitive) to a Lang; throws IllegalArgumentException otherwise. */
    public static Lang parse(String s) {
        return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "en", "english" -> EN;
            case "zh", "cn", "zh-cn", "chinese" -> ZH;
            default -> throw new IllegalArgumentException("unknown language (want en or zh): " + s);
        };
    }
}
