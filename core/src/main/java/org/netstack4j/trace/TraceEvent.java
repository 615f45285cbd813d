package org.netstack4j.trace;

/**
 * What the stack reports as it works. Every event carries the time it happened (ns).
 * Layers add their own record types here as they need them; renderers (ladder diagrams,
 * JSON, logs) consume these and nothing else.
 */
public sealed interface TraceEvent {
    long time();

    /** A packet dropped, with the layer ("ipv4", "tcp", ...) and the reason in words. */
    record Drop(long time, String layer, String reason, String summary) implements TraceEvent {}

    /** A free-form note from a layer (ARP resolved, route missing, ...). */
    record Note(long time, String layer, String text) implements TraceEvent {}

    /** A TCP segment received (in=true) or sent, with the connection it belongs to. */
    record Segment(long time, boolean in, String connection, org.netstack4j.wire.IpAddress src,
                   org.netstack4j.wire.IpAddress dst, org.netstack4j.wire.TcpRepr tcp, int payloadLength)
            implements TraceEvent {}

    /** A TCP state change and its cause ("rcv SYN,ACK", "user close", "2MSL timeout"). */
    record StateChange(long time, String connection, String from, String to, String cause) implements TraceEvent {}

    /** A timer armed, fired or cancelled: name like "RTO", "2MSL", "delayed-ACK", "persist". */
    record Timer(long time, String connection, String name, String action, long deadline) implements TraceEvent {}
}
