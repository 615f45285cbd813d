package org.netstack4j.cli;

import java.util.Locale;

/**
 * The Range header of a GET (RFC 9110 14.1.2, 14.2) against a representation of a known length.
 * Only single ranges are honoured: {@code bytes=a-b}, {@code bytes=a-} and {@code bytes=-n}. A
 * request for several ranges, an unknown unit or a syntactically invalid set is ignored (the
 * whole representation with 200), which RFC 9110 14.2 allows ("A server MAY ignore the Range
 * header field"); this avoids multipart/byteranges and the amplification of many small ranges.
 */
sealed interface HttpRange {
    /** Serve the whole representation (no Range, or one we ignore). */
    record Full() implements HttpRange {}

    /** 206 with bytes first..last (inclusive, both within the length). */
    record Partial(long first, long last) implements HttpRange {
        long length() { return last - first + 1; }

        /** The Content-Range value (RFC 9110 14.4): "bytes 0-99/1234". */
        String contentRange(long completeLength) { return "bytes " + first + "-" + last + "/" + completeLength; }
    }

    /** 416 with "Content-Range: bytes *&#47;length" (RFC 9110 15.5.17). */
    record Unsatisfiable() implements HttpRange {}

    Full FULL = new Full();
    Unsatisfiable UNSATISFIABLE = new Unsatisfiable();

    /** The range to serve for the header value {@code header} (null: no Range) of a {@code length}-byte representation. */
    static HttpRange parse(String header, long length) {
        if (header == null) return FULL;
        String h = header.strip();
        int eq = h.indexOf('=');
        // RFC 9110 14.1: range-unit is case-insensitive; "bytes" is the only one we know.
        if (eq < 0 || !h.substring(0, eq).strip().toLowerCase(Locale.ROOT).equals("bytes")) return FULL;
        String set = h.substring(eq + 1).strip();
        if (set.isEmpty() || set.indexOf(',') >= 0) return FULL; // none, or several ranges: ignored (see the class comment)
        int dash = set.indexOf('-');
        if (dash < 0) return FULL;
        String a = set.substring(0, dash).strip(), b = set.substring(dash + 1).strip();
        if (a.isEmpty()) {
            // suffix-range "-n": the last n bytes (RFC 9110 14.1.2); "-0" or an empty body cannot be satisfied.
            long n = digits(b);
            if (n < 0) return FULL;
            if (n == 0 || length == 0) return UNSATISFIABLE;
            return new Partial(Math.max(0, length - n), length - 1);
        }
        long first = digits(a);
        if (first < 0) return FULL;
        long last;
        if (b.isEmpty()) {
            last = Long.MAX_VALUE;
        } else {
            last = digits(b);
            // RFC 9110 14.1.1: a range-spec with last-pos < first-pos is invalid, so the set is ignored.
            if (last < 0 || last < first) return FULL;
        }
        // RFC 9110 14.1.1: satisfiable when first-pos < length; last-pos is clamped to length - 1.
        if (first >= length) return UNSATISFIABLE;
        return new Partial(first, Math.min(last, length - 1));
    }

    /** A non-empty run of ASCII digits as a number (saturating at Long.MAX_VALUE), or -1 if it is not one. */
    private static long digits(String s) {
        if (s.isEmpty()) return -1;
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') return -1;
            v = v > (Long.MAX_VALUE - 9) / 10 ? Long.MAX_VALUE : v * 10 + (c - '0');
        }
        return v;
    }
}
