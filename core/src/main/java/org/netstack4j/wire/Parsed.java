package org.netstack4j.wire;

/**
 * The result of parsing untrusted bytes: either the value or a {@link Malformed} with the
 * reason. Parsers never throw on bad input.
 */
public sealed interface Parsed<T> permits Parsed.Ok, Parsed.Malformed {

    record Ok<T>(T value) implements Parsed<T> {}

    /**
     * Why parsing stopped. {@code layer} is a short protocol name ("ipv4", "tcp", ...),
     * {@code kind} what went wrong as a type (callers switch on it, never on the words),
     * {@code reason} the same in words for a person, {@code offset} the byte offset where the
     * problem was found, counted from the start of the region given to the parser
     * ({@code off}), so 12 means buf[off + 12]. The
     * {@link Dissector} re-bases offsets to the start of the frame.
     */
    record Malformed<T>(String layer, MalformedKind kind, String reason, int offset) implements Parsed<T> {
        @Override public String toString() { return layer + ": " + reason + " (at byte " + offset + ")"; }
        /** The same failure, re-typed, for parsers that wrap another parser. */
        @SuppressWarnings("unchecked")
        public <U> Malformed<U> cast() { return (Malformed<U>) (Malformed<?>) this; }
    }

    static <T> Parsed<T> ok(T value) { return new Ok<>(value); }

    static <T> Parsed<T> malformed(String layer, MalformedKind kind, String reason, int offset) {
        return new Malformed<>(layer, kind, reason, offset);
    }

    default boolean isOk() { return this instanceof Ok; }

    /** The value; throws IllegalStateException on a Malformed (use only after isOk()). */
    default T value() {
        if (this instanceof Ok<T> ok) return ok.value();
        throw new IllegalStateException("not parsed: " + this);
    }
}
