package org.netstack4j.tcp;

/**
 * Defences against hostile peers and the stack-wide resource limits of one TCP layer (issue
 * 20), kept together in {@link TcpConfig#hardening()}. Every limit is counted when it bites
 * (README "Limits"). The stack-wide limits are read from the layer's own configuration; a
 * per-connection or per-listener {@link TcpConfig} only changes the per-listener ones.
 *
 * @param synCookies when a listener answers a SYN with a SYN cookie instead of keeping state
 *        (RFC 4987 3.6; Linux net.ipv4.tcp_syncookies 0/1/2).
 * @param halfOpenLimit SYN-RECEIVED connections of all listeners together; past it a SYN gets a
 *        cookie (or is dropped when cookies are off), as when a listener's own SYN queue
 *        ({@link TcpConfig.Limits#synQueueLimit()}) is full.
 * @param synAckRetriesUnderPressure SYN,ACK retransmissions of a half-open connection while its
 *        listener's SYN queue is more than half full (Linux reqsk_timer_handler lowers its
 *        threshold down to 2 the same way): a flood's half-open entries give their slots back
 *        after about 7 s (1 + 2 + 4 s) instead of 63 s.
 * @param maxConnections connections of the layer in any state but TIME-WAIT (which has its own
 *        limit): past it a SYN to a listener is dropped and an active open fails with
 *        "insufficient resources".
 * @param maxConnectionsPerListener connections accepted from one listener and still open
 *        (SYN-RECEIVED and the accept queue count too): past it a new SYN is dropped.
 * @param maxOrphans connections closed by the application but still exchanging FINs (Linux
 *        tcp_max_orphans): past it a newly orphaned connection is reset at once.
 * @param maxTimeWait connections in TIME-WAIT (Linux tcp_max_tw_buckets): past it a connection
 *        entering TIME-WAIT goes straight to CLOSED (Linux's TCPTimeWaitOverflow).
 * @param memoryPressureBytes send and receive buffer arrays of all connections together above
 *        which the layer is under memory pressure (Linux tcp_mem's second value): a receive
 *        window no longer grows a connection's buffer by more than 4 MSS.
 * @param memoryLimitBytes the hard limit (tcp_mem's third value): no new connection (a SYN is
 *        dropped, a connect fails), and a receive window never needs more array than is held.
 */
public record Hardening(
        SynCookieMode synCookies,
        int halfOpenLimit,
        int synAckRetriesUnderPressure,
        int maxConnections,
        int maxConnectionsPerListener,
        int maxOrphans,
        int maxTimeWait,
        long memoryPressureBytes,
        long memoryLimitBytes) {

    /** Linux net.ipv4.tcp_syncookies. */
    public enum SynCookieMode {
        /** 0: never; a full SYN queue drops SYNs. */
        NEVER,
        /** 1 (Linux's default): when the listener's SYN queue or the stack's half-open limit is full. */
        WHEN_FULL,
        /** 2: every SYN to a listener is answered with a cookie (testing). */
        ALWAYS
    }

    public Hardening {
        java.util.Objects.requireNonNull(synCookies, "synCookies");
        if (halfOpenLimit < 1 || maxConnections < 1 || maxConnectionsPerListener < 1 || maxOrphans < 0 || maxTimeWait < 0)
            throw new IllegalArgumentException("hardening limits must be positive");
        if (synAckRetriesUnderPressure < 0) throw new IllegalArgumentException("synAckRetriesUnderPressure >= 0");
        if (memoryPressureBytes < 0 || memoryLimitBytes < memoryPressureBytes)
            throw new IllegalArgumentException("0 <= memoryPressureBytes <= memoryLimitBytes");
    }

    /**
     * Cookies when full, 16,384 half-open, 2 SYN,ACK retries under pressure, 2,097,152
     * connections (about 1.1 GiB of idle connection state; the README's million-pair
     * footprint fits), 1,048,576 per listener, 65,536 orphans, 262,144 TIME-WAIT (Linux's
     * tcp_max_tw_buckets on a machine of a few GB), buffer memory under pressure above 256 MiB
     * and refused above 512 MiB (keep them below the heap: -Xmx).
     */
    public static Hardening defaults() {
        return new Hardening(SynCookieMode.WHEN_FULL, 16_384, 2, 1 << 21, 1 << 20, 65_536, 262_144, 256L << 20, 512L << 20);
    }

    public Hardening withSynCookies(SynCookieMode v) { return new Hardening(v, halfOpenLimit, synAckRetriesUnderPressure, maxConnections, maxConnectionsPerListener, maxOrphans, maxTimeWait, memoryPressureBytes, memoryLimitBytes); }
    public Hardening withHalfOpenLimit(int v) { return new Hardening(synCookies, v, synAckRetriesUnderPressure, maxConnections, maxConnectionsPerListener, maxOrphans, maxTimeWait, memoryPressureBytes, memoryLimitBytes); }
    public Hardening withSynAckRetriesUnderPressure(int v) { return new Hardening(synCookies, halfOpenLimit, v, maxConnections, maxConnectionsPerListener, maxOrphans, maxTimeWait, memoryPressureBytes, memoryLimitBytes); }
    public Hardening withMaxConnections(int v) { return new Hardening(synCookies, halfOpenLimit, synAckRetriesUnderPressure, v, maxConnectionsPerListener, maxOrphans, maxTimeWait, memoryPressureBytes, memoryLimitBytes); }
    public Hardening withMaxConnectionsPerListener(int v) { return new Hardening(synCookies, halfOpenLimit, synAckRetriesUnderPressure, maxConnections, v, maxOrphans, maxTimeWait, memoryPressureBytes, memoryLimitBytes); }
    public Hardening withMaxOrphans(int v) { return new Hardening(synCookies, halfOpenLimit, synAckRetriesUnderPressure, maxConnections, maxConnectionsPerListener, v, maxTimeWait, memoryPressureBytes, memoryLimitBytes); }
    public Hardening withMaxTimeWait(int v) { return new Hardening(synCookies, halfOpenLimit, synAckRetriesUnderPressure, maxConnections, maxConnectionsPerListener, maxOrphans, v, memoryPressureBytes, memoryLimitBytes); }
    public Hardening withMemoryPressureBytes(long v) { return new Hardening(synCookies, halfOpenLimit, synAckRetriesUnderPressure, maxConnections, maxConnectionsPerListener, maxOrphans, maxTimeWait, v, memoryLimitBytes); }
    public Hardening withMemoryLimitBytes(long v) { return new Hardening(synCookies, halfOpenLimit, synAckRetriesUnderPressure, maxConnections, maxConnectionsPerListener, maxOrphans, maxTimeWait, memoryPressureBytes, v); }

    /** Both memory thresholds at once. */
    public Hardening withMemory(long pressureBytes, long limitBytes) {
        return new Hardening(synCookies, halfOpenLimit, synAckRetriesUnderPressure, maxConnections, maxConnectionsPerListener, maxOrphans, maxTimeWait, pressureBytes, limitBytes);
    }
}
