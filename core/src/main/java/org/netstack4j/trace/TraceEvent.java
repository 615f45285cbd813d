package org.netstack4j.trace;

import java.util.List;
import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.MacAddress;
import org.netstack4j.wire.TcpRepr;

/**
 * What the stack reports as it works. Every event carries the time it happened (ns).
 * Layers add their own record types here as they need them; renderers (ladder diagrams,
 * JSON, logs) consume these and nothing else. Events are typed: a consumer switches on
 * states, timers, drop kinds and four-tuples, never on words; the words (reasons, causes,
 * summaries) are for people. {@code toString()} is the record form people read in logs.
 */
public sealed interface TraceEvent {
    long time();

    /**
     * A packet dropped: the layer ("ipv4", "tcp", "link", ...), the kind (what a consumer
     * switches on) and the reason in words.
     */
    record Drop(long time, String layer, DropReason kind, String reason, String summary) implements TraceEvent {
        @Override public String toString() {
            return "Drop[time=" + time + ", layer=" + layer + ", reason=" + reason + ", summary=" + summary + "]";
        }
    }

    /** A free-form note from a layer (ARP resolved, route missing, ...). */
    record Note(long time, String layer, String text) implements TraceEvent {}

    /**
     * A TCP segment received (in=true) or sent, with the connection it belongs to as the
     * tracing host sees it (local first); {@link #src()} and {@link #dst()} follow from it.
     */
    record Segment(long time, boolean in, FourTuple connection, TcpRepr tcp, int payloadLength)
            implements TraceEvent {

        /** The segment from src to dst as the host that sent (in=false) or received it traces it. */
        public static Segment of(long time, boolean in, IpAddress src, IpAddress dst, TcpRepr tcp, int payloadLength) {
            return new Segment(time, in, FourTuple.of(in, src, tcp.srcPort(), dst, tcp.dstPort()), tcp, payloadLength);
        }

        public IpAddress src() { return in ? connection.remoteAddress() : connection.localAddress(); }

        public IpAddress dst() { return in ? connection.localAddress() : connection.remoteAddress(); }

        @Override public String toString() {
            return "Segment[time=" + time + ", in=" + in + ", connection=" + connection + ", src=" + src()
                    + ", dst=" + dst() + ", tcp=" + tcp + ", payloadLength=" + payloadLength + "]";
        }
    }

    /**
     * A state change and its cause ("rcv SYN,ACK", "user close", "2MSL timeout"). {@code S} is
     * the protocol's state enum (TCP: {@code org.netstack4j.tcp.TcpState}); its toString() is the
     * name people read ("SYN-SENT"), its name() the constant (SYN_SENT).
     */
    record StateChange<S extends Enum<S>>(long time, FourTuple connection, S from, S to, String cause)
            implements TraceEvent {}

    /**
     * A segment sent again (what {@code tcp.retransmits} counts, one event per increment): the
     * connection, the first sequence number resent and the sequence space it covers (SYN and FIN
     * count one). The segment itself is traced as a {@link Segment} too; this event says it was a
     * retransmission, whatever the cause (timeout, fast retransmit, RACK, a tail loss probe of old data).
     */
    record Retransmit(long time, FourTuple connection, long seq, int length) implements TraceEvent {}

    /**
     * A timer set, fired or cancelled. {@code N} is the protocol's timer enum (TCP:
     * {@code org.netstack4j.tcp.TcpTimer}); its toString() is the name people read ("RTO",
     * "2MSL", "delayed-ACK", "persist").
     */
    record Timer<N extends Enum<N>>(long time, FourTuple connection, N name, TimerAction action, long deadline)
            implements TraceEvent {}

    /**
     * What a frame-relaying device (a hub or a bridge/switch) did with one frame or one table
     * entry: {@code device} is its name, {@code inPort} the port the frame entered by (for
     * LEARNED and AGED the port the address lives behind), {@code outPorts} where it went
     * (empty when filtered), {@code src}/{@code dst} the frame's addresses (for LEARNED and AGED
     * src is the address and dst null).
     */
    record Relay(long time, String device, RelayAction action, int inPort, List<Integer> outPorts,
                 MacAddress src, MacAddress dst, int length) implements TraceEvent {
        public Relay {
            outPorts = List.copyOf(outPorts);
        }

        @Override public String toString() {
            return switch (action) {
                case REPEATED, FLOODED, FORWARDED -> "Relay[time=" + time + ", " + device + " " + action + " " + src
                        + " > " + dst + " (" + length + " bytes) from port " + inPort + " to ports " + outPorts + "]";
                case FILTERED -> "Relay[time=" + time + ", " + device + " FILTERED " + src + " > " + dst
                        + " on port " + inPort + " (destination is behind the same port)]";
                case LEARNED, MOVED, AGED -> "Relay[time=" + time + ", " + device + " " + action + " " + src
                        + " on port " + inPort + "]";
            };
        }
    }
}
