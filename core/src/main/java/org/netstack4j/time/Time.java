package org.netstack4j.time;

/** Time values: plain {@code long} nanoseconds on a monotonic (or virtual) clock. */
public final class Time {
    private Time() {}
    public static final long NEVER = Long.MAX_VALUE;
    public static long us(long v) { return v * 1_000L; }
    public static long ms(long v) { return v * 1_000_000L; }
    public static long s(long v) { return v * 1_000_000_000L; }
}
