package org.netstack4j.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Throttle;
import jdk.jfr.Timespan;
import jdk.jfr.Unsigned;

/**
 * The JFR event types, by name (the names and fields are the contract: {@code jfr print --events
 * netstack4j.Retransmission}, JMC's event browser). Not public: a recording is read by name.
 * Every event says which stack ({@link NetstackJfr#tracer(String)}) and the stack's own clock at
 * the event ({@code stackTime}: virtual time in the simulator), beside JFR's wall-clock start time.
 * Stack traces are off: the stack's thread is an event loop, its stack says nothing.
 *
 * <p>Per-packet volume (retransmissions, drops) is throttled by default ({@code throttle}
 * setting, JDK 25's {@link Throttle}); a recording that must see every event sets it to "off".
 */
final class Events {
    private Events() {}

    static final String CATEGORY = "netstack4j";

    @StackTrace(false)
    abstract static class StackEvent extends Event {
        @Label("Stack") String stack;
        @Label("Stack Time") @Description("The stack's clock at the event (virtual time in the simulator)") @Timespan long stackTime;
    }

    abstract static class ConnectionEvent extends StackEvent {
        @Label("Connection") @Description("local address:port > remote address:port") String connection;
    }

    @Name("netstack4j.Connect") @Label("TCP Connect") @Category({CATEGORY, "TCP"})
    @Description("An active open completed: SYN-SENT to ESTABLISHED")
    static final class Connect extends ConnectionEvent {}

    @Name("netstack4j.Accept") @Label("TCP Accept") @Category({CATEGORY, "TCP"})
    @Description("A passive open completed: SYN-RECEIVED to ESTABLISHED")
    static final class Accept extends ConnectionEvent {}

    @Name("netstack4j.Close") @Label("TCP Close") @Category({CATEGORY, "TCP"})
    @Description("A connection reached CLOSED (after a close, a reset, a timeout or an abort)")
    static final class Close extends ConnectionEvent {
        @Label("Last State") String from;
        @Label("Cause") String cause;
    }

    @Name("netstack4j.StateChange") @Label("TCP State Change") @Category({CATEGORY, "TCP"})
    @Description("Any TCP state transition (RFC 9293 names) and its cause")
    @Throttle("1000/s")
    static final class StateChange extends ConnectionEvent {
        @Label("From") String from;
        @Label("To") String to;
        @Label("Cause") String cause;
    }

    @Name("netstack4j.Retransmission") @Label("TCP Retransmission") @Category({CATEGORY, "TCP"})
    @Description("A segment sent again (one event per increment of tcp.retransmits)")
    @Throttle("100/s")
    static final class Retransmission extends ConnectionEvent {
        @Label("Sequence Number") @Unsigned long seq;
        @Label("Length") @Description("Sequence space resent; SYN and FIN count one") @DataAmount long length;
    }

    @Name("netstack4j.RetransmissionTimeout") @Label("TCP Retransmission Timeout") @Category({CATEGORY, "TCP"})
    @Description("The retransmission timer (RFC 6298) fired")
    @Throttle("100/s")
    static final class RetransmissionTimeout extends ConnectionEvent {}

    @Name("netstack4j.Drop") @Label("Packet Drop") @Category({CATEGORY, "Drops"})
    @Description("A packet dropped, with the layer, the kind (DropReason) and the reason in words")
    @Throttle("100/s")
    static final class Drop extends StackEvent {
        @Label("Layer") String layer;
        @Label("Kind") String kind;
        @Label("Reason") String reason;
        @Label("Packet") String summary;
    }
}
