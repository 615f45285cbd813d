package org.netstack4j.packetdrill;

/** A construct the parser or the interpreter knows about but does not support: the script is SKIPped. */
public final class Unsupported extends RuntimeException {
    private final int line;

    public Unsupported(int line, String construct) {
        super(construct);
        this.line = line;
    }

    public int line() { return line; }
}
