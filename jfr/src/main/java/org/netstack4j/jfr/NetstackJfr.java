package org.netstack4j.jfr;

import java.util.List;
import java.util.Objects;
import jdk.jfr.Event;
import jdk.jfr.EventType;
import org.netstack4j.tcp.TcpState;
import org.netstack4j.tcp.TcpTimer;
import org.netstack4j.trace.TimerAction;
import org.netstack4j.trace.TraceEvent;
import org.netstack4j.trace.Tracer;

/**
 * JFR events from a stack's trace events: pass {@link #tracer(String)} where the stack takes its
 * {@link Tracer} ({@code new Host(name, config, NetstackJfr.tracer(name), seed)}), or
 * {@link #tracer(String, Tracer)} beside a tracer already there.
 *
 * <table class="striped">
 * <caption>Events</caption>
 * <thead><tr><th>Name</th><th>When</th><th>Throttle by default</th></tr></thead>
 * <tbody>
 * <tr><td>netstack4j.Connect</td><td>SYN-SENT to ESTABLISHED</td><td>none</td></tr>
 * <tr><td>netstack4j.Accept</td><td>SYN-RECEIVED to ESTABLISHED</td><td>none</td></tr>
 * <tr><td>netstack4j.Close</td><td>any state to CLOSED</td><td>none</td></tr>
 * <tr><td>netstack4j.StateChange</td><td>every TCP state change</td><td>1000/s</td></tr>
 * <tr><td>netstack4j.Retransmission</td><td>a segment sent again (tcp.retransmits)</td><td>100/s</td></tr>
 * <tr><td>netstack4j.RetransmissionTimeout</td><td>the RTO timer fired</td><td>100/s</td></tr>
 * <tr><td>netstack4j.Drop</td><td>a packet dropped (layer, DropReason, reason)</td><td>100/s</td></tr>
 * </tbody>
 * </table>
 *
 * <p>Cost when no recording wants these events: the tracer's {@link Tracer#enabled()} is false
 * (it asks each event type's {@link EventType#isEnabled()}), so the stack builds no trace event
 * at all, per packet or otherwise. While a recording has one of them on, the stack builds its
 * trace events (segments included) and this tracer turns the relevant ones into JFR events,
 * committing only those JFR says it should ({@link Event#shouldCommit()}: enabled, throttle).
 */
public final class NetstackJfr {
    private NetstackJfr() {}

    private static final List<EventType> TYPES = List.of(
            EventType.getEventType(Events.Connect.class), EventType.getEventType(Events.Accept.class),
            EventType.getEventType(Events.Close.class), EventType.getEventType(Events.StateChange.class),
            EventType.getEventType(Events.Retransmission.class),
            EventType.getEventType(Events.RetransmissionTimeout.class), EventType.getEventType(Events.Drop.class));

    /** True while a running recording has at least one netstack4j event enabled. */
    public static boolean recording() {
        for (int i = 0; i < TYPES.size(); i++) if (TYPES.get(i).isEnabled()) return true;
        return false;
    }

    /** A tracer making JFR events for the stack named {@code stack} (the events' "Stack" field). */
    public static Tracer tracer(String stack) { return tracer(stack, Tracer.NONE); }

    /** As {@link #tracer(String)}, also handing every event to {@code next} while it is enabled. */
    public static Tracer tracer(String stack, Tracer next) {
        Objects.requireNonNull(stack, "stack");
        Objects.requireNonNull(next, "next");
        return new JfrTracer(stack, next);
    }

    private record JfrTracer(String stack, Tracer next) implements Tracer {
        @Override public boolean enabled() { return recording() || next.enabled(); }

        @Override public void event(TraceEvent e) {
            if (next.enabled()) next.event(e);
            switch (e) {
                case TraceEvent.Retransmit r -> {
                    Events.Retransmission ev = new Events.Retransmission();
                    if (ev.shouldCommit()) {
                        fill(ev, r.time(), r.connection().toString());
                        ev.seq = r.seq();
                        ev.length = r.length();
                        ev.commit();
                    }
                }
                case TraceEvent.Timer<?> t -> {
                    if (t.name() != TcpTimer.RTO || t.action() != TimerAction.FIRED) return;
                    Events.RetransmissionTimeout ev = new Events.RetransmissionTimeout();
                    if (ev.shouldCommit()) {
                        fill(ev, t.time(), t.connection().toString());
                        ev.commit();
                    }
                }
                case TraceEvent.StateChange<?> sc -> stateChange(sc);
                case TraceEvent.Drop d -> {
                    Events.Drop ev = new Events.Drop();
                    if (ev.shouldCommit()) {
                        ev.stack = stack;
                        ev.stackTime = d.time();
                        ev.layer = d.layer();
                        ev.kind = d.kind().name();
                        ev.reason = d.reason();
                        ev.summary = d.summary();
                        ev.commit();
                    }
                }
                case TraceEvent.Segment s -> { } // per packet: the recording's volume would be the traffic's
                case TraceEvent.Note n -> { }
                case TraceEvent.Relay r -> { }
            }
        }

        private void stateChange(TraceEvent.StateChange<?> sc) {
            Events.StateChange ev = new Events.StateChange();
            if (ev.shouldCommit()) {
                fill(ev, sc.time(), sc.connection().toString());
                ev.from = sc.from().toString();
                ev.to = sc.to().toString();
                ev.cause = sc.cause();
                ev.commit();
            }
            if (sc.to() == TcpState.ESTABLISHED && (sc.from() == TcpState.SYN_SENT || sc.from() == TcpState.SYN_RECEIVED)) {
                Events.ConnectionEvent open = sc.from() == TcpState.SYN_SENT ? new Events.Connect() : new Events.Accept();
                if (open.shouldCommit()) {
                    fill(open, sc.time(), sc.connection().toString());
                    open.commit();
                }
            } else if (sc.to() == TcpState.CLOSED && sc.from() != TcpState.CLOSED) {
                Events.Close close = new Events.Close();
                if (close.shouldCommit()) {
                    fill(close, sc.time(), sc.connection().toString());
                    close.from = sc.from().toString();
                    close.cause = sc.cause();
                    close.commit();
                }
            }
        }

        private void fill(Events.ConnectionEvent ev, long time, String connection) {
            ev.stack = stack;
            ev.stackTime = time;
            ev.connection = connection;
        }
    }
}
