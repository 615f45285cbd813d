package org.netstack4j.tcp;

/**
 * How long a connection's sender was busy, and how much of that it was held back by the peer's
 * receive window or by its own send buffer: Linux's chronograph (tcp_chrono_start/stop, read as
 * tcp_info's tcpi_busy_time, tcpi_rwnd_limited and tcpi_sndbuf_limited). One condition runs at a
 * time, the more specific one winning (sndbuf-limited over rwnd-limited over busy); stopping a
 * condition goes back to busy while data is queued or in flight, else to nothing. Busy time is
 * the sum of all three.
 */
final class Chrono {
    static final int NONE = 0, BUSY = 1, RWND_LIMITED = 2, SNDBUF_LIMITED = 3;

    private int type = NONE;
    private long start;
    // time spent in each condition before the one running now (fields, not an array: one object per connection)
    private long busyNs, rwndLimitedNs, sndbufLimitedNs;

    /** A condition begins (a no-op while it or a more specific one runs). */
    void start(long now, int t) {
        if (t > type) set(now, t);
    }

    /** A condition ends: busy again while data is queued or in flight, else nothing. */
    void stop(long now, int t, boolean queuesEmpty) {
        if (queuesEmpty) set(now, NONE);
        else if (t == type) set(now, BUSY);
    }

    int type() { return type; }

    private void set(long now, int t) {
        long d = now - start;
        switch (type) {
            case BUSY -> busyNs += d;
            case RWND_LIMITED -> rwndLimitedNs += d;
            case SNDBUF_LIMITED -> sndbufLimitedNs += d;
            default -> { }
        }
        start = now;
        type = t;
    }

    /** Nanoseconds spent in condition {@code t} up to {@code now}. */
    long time(long now, int t) {
        long before = switch (t) {
            case BUSY -> busyNs;
            case RWND_LIMITED -> rwndLimitedNs;
            case SNDBUF_LIMITED -> sndbufLimitedNs;
            default -> 0;
        };
        return before + (t == type ? now - start : 0);
    }

    /** tcpi_busy_time: all three conditions together. */
    long busy(long now) {
        return time(now, BUSY) + time(now, RWND_LIMITED) + time(now, SNDBUF_LIMITED);
    }
}
