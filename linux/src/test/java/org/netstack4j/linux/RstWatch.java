package org.netstack4j.linux;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

import org.netstack4j.tcp.TcpState;
import org.netstack4j.trace.FourTuple;
import org.netstack4j.trace.TraceEvent;
import org.netstack4j.trace.Tracer;
import org.netstack4j.wire.TcpRepr;

/**
 * A tracer (shared by the shards of a {@link TunShards}, so called from several loop threads) that
 * tells the RSTs a stack sends into two kinds:
 * <ul>
 * <li>late: for a connection that had already ended cleanly (LAST-ACK to CLOSED by the ACK of
 * our FIN, or TIME-WAIT reached). Under CPU starvation the stack's FIN can time out
 * (200 ms minimum RTO) before the peer's ACK of it is read; the FIN sent again draws a second ACK
 * from the peer's TIME-WAIT, which finds no connection any more and is answered with a RST (RFC
 * 9293 3.10.7.2, LISTEN: an ACK gets {@code <SEQ=SEG.ACK><CTL=RST>}; Linux does the same). Nothing
 * is lost: the peer's TIME-WAIT just ends early. Likewise an old segment that a shard steered to
 * the connection's owner after newer ones (TunShards: steered frames take another path to the
 * loop) and that arrives when the connection is gone.
 * <li>resets: any other RST (a connection still in use, e.g. a segment a shard got for a flow it
 * does not own). A test asserts there are none.
 * </ul>
 */
final class RstWatch implements Tracer {
    private final Set<FourTuple> ended = ConcurrentHashMap.newKeySet();
    private final Map<FourTuple, Queue<TraceEvent>> history = new ConcurrentHashMap<>();
    private final Queue<String> resets = new ConcurrentLinkedQueue<>();
    private final AtomicLong late = new AtomicLong();

    @Override public void event(TraceEvent e) {
        switch (e) {
            case TraceEvent.StateChange<?> c -> {
                note(c.connection(), e);
                // our FIN acknowledged: TIME-WAIT reached, or LAST-ACK left by the ACK (not by a RST or a timeout)
                String from = c.from().name(), to = c.to().name();
                if (to.equals(TcpState.TIME_WAIT.name())
                        || from.equals(TcpState.LAST_ACK.name()) && to.equals(TcpState.CLOSED.name()) && "rcv ACK of FIN".equals(c.cause()))
                    ended.add(c.connection());
            }
            case TraceEvent.Segment s -> {
                note(s.connection(), e);
                if (s.in() || !s.tcp().has(TcpRepr.RST)) return;
                if (ended.contains(s.connection())) late.incrementAndGet();
                else resets.add(s.toString());
            }
            default -> { }
        }
    }

    private void note(FourTuple t, TraceEvent e) {
        history.computeIfAbsent(t, k -> new ConcurrentLinkedQueue<>()).add(e);
    }

    /** RSTs sent for a connection that had not ended cleanly (so far). */
    int resets() { return resets.size(); }

    /** RSTs sent answering a segment of a connection that had ended cleanly. */
    long late() { return late.get(); }

    /** The resets from the {@code from}-th on, each with its connection's traced segments and state changes. */
    String resetsSince(int from) {
        List<String> all = new ArrayList<>(resets);
        StringBuilder b = new StringBuilder();
        for (String r : all.subList(Math.min(from, all.size()), all.size())) {
            b.append("\n  ").append(r);
            for (Map.Entry<FourTuple, Queue<TraceEvent>> h : history.entrySet()) {
                if (!r.contains("connection=" + h.getKey() + ",")) continue;
                for (TraceEvent e : h.getValue()) b.append("\n    ").append(e);
            }
        }
        return b.toString();
    }
}
