package org.netstack4j.packetdrill;

/**
 * When an event happens, as written: {@code 0.1} (absolute), {@code +0.1} (relative to the
 * previous event's start), {@code *} (any time), {@code a~b} or {@code +a~+b} (a range,
 * outbound packets only). A blocking syscall adds {@code ...end}, in the same frame as the
 * start. All values are microseconds.
 */
public record TimeSpec(Kind kind, long startUs, long endUs, long blockingEndUs, boolean blockingRelative) {
    public enum Kind { ABSOLUTE, RELATIVE, ANY, RANGE_ABSOLUTE, RANGE_RELATIVE }

    /** No {@code ...} end time. */
    public static final long NOT_BLOCKING = -1;

    public boolean isBlocking() { return blockingEndUs != NOT_BLOCKING; }

    public boolean isRange() { return kind == Kind.RANGE_ABSOLUTE || kind == Kind.RANGE_RELATIVE; }

    public boolean isRelative() { return kind == Kind.RELATIVE || kind == Kind.RANGE_RELATIVE; }

    TimeSpec withBlockingEnd(long endUs) { return new TimeSpec(kind, startUs, this.endUs, endUs, isRelative()); }
}
