package org.netstack4j.tcp;

import java.util.List;
import org.netstack4j.trace.DropReason;
import org.netstack4j.trace.Tracer;
import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.TcpEncoder;
import org.netstack4j.wire.TcpOption;
import org.netstack4j.wire.IpMeta;
import org.netstack4j.wire.TcpRepr;

/**
 * What a connection may use of the stack it lives in, instead of the whole {@link TcpLayer}:
 * the way out for its segments, the stack's counters and tracer, the timer queue, and the
 * shared buffers (DESIGN.md 10). Implemented by the layer; a test or another host could
 * give a connection a different one.
 */
interface ConnectionContext {
    // ---- output

    /** The stack's reused header encoder for the common segment (no options but timestamps). */
    TcpEncoder encoder();

    /** A scratch array of at least {@code n} bytes, valid until the next call. */
    byte[] scratch(int n);

    /**
     * A connection's common segment (never a RST): no record is built unless tracing. {@code ecn}
     * is the IP header's ECN codepoint ({@link IpMeta#ECT0} on new data of an ECN-capable
     * connection, RFC 3168 6.1.4; else {@link IpMeta#NOT_ECT}).
     */
    void transmit(long now, TcpConnection c, IpAddress src, IpAddress dst, TcpEncoder seg, byte[] payload, int off, int len, int ecn);

    /**
     * TSO: the largest IP packet the route to {@code dst} takes as a super-segment, or 0 (also
     * while tracing, so that traces show the segments the wire carries).
     */
    int gsoMaxSize(IpAddress dst);

    /**
     * A common segment carrying {@code len / segmentSize} (rounded up) segments' worth of payload
     * that the device cuts ({@link TcpOutput#sendSegmented}); counted as that many segments.
     */
    void transmitSegmented(long now, TcpConnection c, IpAddress src, IpAddress dst, TcpEncoder seg, byte[] payload, int off,
                           int len, int ecn, int segmentSize);

    /** A connection's segment with options beyond timestamps (SYN, SACK); {@code ecn} as above. */
    void transmit(long now, TcpConnection c, IpAddress src, IpAddress dst, TcpRepr seg, byte[] payload, int off, int len, int ecn);

    /**
     * A believed ICMP error lowered the path MTU to {@code dst}: later connections there start
     * with it (PathMtuCache); {@code locked}: the error reported less than the floor.
     */
    void learnPathMtu(long now, IpAddress dst, int mtu, boolean locked);

    /** A RST carrying {@code options} (a connection's abort RST with its timestamps). */
    void sendRst(long now, IpAddress src, int srcPort, IpAddress dst, int dstPort, int seq, int ack, boolean withAck,
                 List<TcpOption> options);

    /** A RST with a window field and {@code options} (Linux's abort RST, tcp_send_active_reset, carries the window). */
    void sendRst(long now, IpAddress src, int srcPort, IpAddress dst, int dstPort, int seq, int ack, boolean withAck,
                 int window, List<TcpOption> options);

    default void sendRst(long now, IpAddress src, int srcPort, IpAddress dst, int dstPort, int seq, int ack, boolean withAck) {
        sendRst(now, src, srcPort, dst, dstPort, seq, ack, withAck, List.of());
    }

    /** RFC 5961 10: may one more challenge ACK go out now (a budget per second for the whole stack)? */
    boolean allowChallengeAck(long now);

    /** TcpConfig.coalesceAcks: call {@link TcpConnection#batchEnded} once the burst being processed ends. */
    void ackAtBatchEnd(long now, TcpConnection c);

    // ---- observability

    TcpCounters counters();

    Tracer tracer();

    /** Counts the drop as "tcp.drop.{@code key}" and traces it, of {@code kind}, with {@code reason} and the segment. */
    void drop(long now, DropReason kind, String key, String reason, TcpConnection c, TcpRepr seg, int len);

    // ---- timers and lifetime

    /** The connection's earliest deadline changed to {@code at} (see {@link TcpConnection#pollAt()}). */
    void reschedule(TcpConnection c, long at);

    /** The deadline the timer queue holds for the connection. */
    long queuedDeadline(TcpConnection c);

    /** The connection is CLOSED: out of the connection table and the timer queue. */
    void forget(TcpConnection c);

    // ---- buffers

    Rings sendRings();

    Rings receiveRings();

    /** A ring of {@code capacity} bytes whose array counts in the layer's buffer memory (Hardening). */
    RingBuffer newRing(int capacity);

    /**
     * The receive window the connection may offer from {@code avail} free bytes of {@code rcv}:
     * clamped under memory pressure (Hardening.memoryPressureBytes, Linux tcp_mem).
     */
    long memoryClampedWindow(long avail, RingBuffer rcv, int mss);

    RttEstimator newRttEstimator(TcpConfig c);

    // ---- Hardening limits (stack-wide counts)

    /** The connection changed state (the TIME-WAIT count). */
    void stateChanged(TcpState from, TcpState to);

    /** May one more connection enter TIME-WAIT (Hardening.maxTimeWait)? Counted when not. */
    boolean timeWaitAllowed();

    /** The connection becomes an orphan: false (and counted) when over Hardening.maxOrphans. */
    boolean orphanAllowed();

    /** An orphan reached CLOSED or TIME-WAIT. */
    void orphanClosed();
}
