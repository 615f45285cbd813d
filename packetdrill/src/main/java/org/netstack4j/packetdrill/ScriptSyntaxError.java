package org.netstack4j.packetdrill;

/** The text is not a packetdrill script (as far as this parser understands the language). */
public final class ScriptSyntaxError extends RuntimeException {
    private final int line;

    public ScriptSyntaxError(int line, String message) {
        super(message);
        this.line = line;
    }

    public int line() { return line; }
}
