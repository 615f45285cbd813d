package org.netstack4j.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.netstack4j.sim.LinkConfig;
import org.netstack4j.tcp.TcpConnection;
import org.netstack4j.tcp.TcpState;
import org.netstack4j.tcp.TcpTimer;
import org.netstack4j.time.Time;
import org.netstack4j.trace.DropReason;
import org.netstack4j.trace.FourTuple;
import org.netstack4j.trace.TimerAction;
import org.netstack4j.trace.TraceEvent;
import org.netstack4j.wire.Ipv4Address;

/** Trace events from real stacks are typed: states, timers, four-tuples and drop kinds, not text. */
class TypedTraceTest {
    static final Ipv4Address C = TwoHostNetwork.CLIENT_ADDRESS, S = TwoHostNetwork.SERVER_ADDRESS;

    static <T extends TraceEvent> List<T> of(List<TraceEvent> events, Class<T> type) {
        List<T> out = new ArrayList<>();
        for (TraceEvent e : events) if (type.isInstance(e)) out.add(type.cast(e));
        return out;
    }

    @Test void handshakeStateChangesCarryTcpStatesAndTheConnectionsFourTuple() {
        try (TwoHostNetwork net = TwoHostNetwork.builder().seed(5).build()) {
            net.server().tcp().listen(net.now(), Ipv4Address.ANY, 80, 4, x -> {});
            TcpConnection c = net.client().tcp().connect(net.now(), C, 0, S, 80, null);
            assertTrue(net.runUntil(() -> c.state() == TcpState.ESTABLISHED, Time.s(5)));
            net.runUntil(net.now() + Time.ms(100));

            FourTuple client = new FourTuple(C, c.localPort(), S, 80), server = new FourTuple(S, 80, C, c.localPort());
            List<TraceEvent.StateChange<?>> cs = new ArrayList<>(), ss = new ArrayList<>();
            for (TraceEvent.StateChange<?> sc : of(net.clientLog().events(), TraceEvent.StateChange.class)) cs.add(sc);
            for (TraceEvent.StateChange<?> sc : of(net.serverLog().events(), TraceEvent.StateChange.class)) ss.add(sc);
            assertEquals(List.of(TcpState.CLOSED, TcpState.SYN_SENT), cs.stream().map(TraceEvent.StateChange::from).toList());
            assertEquals(List.of(TcpState.SYN_SENT, TcpState.ESTABLISHED), cs.stream().map(TraceEvent.StateChange::to).toList());
            assertEquals(List.of(TcpState.SYN_RECEIVED, TcpState.ESTABLISHED), ss.stream().map(TraceEvent.StateChange::to).toList());
            assertTrue(cs.stream().allMatch(sc -> sc.connection().equals(client)), cs.toString());
            assertTrue(ss.stream().allMatch(sc -> sc.connection().equals(server)), ss.toString());
            // toString stays the form people read: RFC names and "a:p>b:q"
            assertTrue(cs.get(1).toString().contains("connection=" + client + ", from=SYN-SENT, to=ESTABLISHED"), cs.get(1).toString());
            assertEquals("10.0.0.1:" + c.localPort() + ">10.0.0.2:80", client.toString());

            // the client's SYN armed the RTO; the SYN,ACK cancelled it
            List<TraceEvent.Timer<?>> timers = new ArrayList<>();
            for (TraceEvent.Timer<?> t : of(net.clientLog().events(), TraceEvent.Timer.class)) timers.add(t);
            assertEquals(TcpTimer.RTO, timers.get(0).name());
            assertEquals(TimerAction.SET, timers.get(0).action());
            assertTrue(timers.stream().anyMatch(t -> t.name() == TcpTimer.RTO && t.action() == TimerAction.CANCEL));
            assertEquals("RTO", timers.get(0).name().toString());

            // segments: the tuple is the tracing host's view, src/dst follow from it
            for (TraceEvent.Segment seg : of(net.clientLog().events(), TraceEvent.Segment.class)) {
                assertEquals(client, seg.connection());
                assertEquals(seg.in() ? S : C, seg.src());
                assertEquals(seg.in() ? C : S, seg.dst());
            }
            for (TraceEvent.Segment seg : of(net.serverLog().events(), TraceEvent.Segment.class))
                assertEquals(server, seg.connection());
        }
    }

    @Test void aCorruptedSegmentIsDroppedWithTheChecksumKind() {
        LinkConfig link = LinkConfig.builder().latencyNs(Time.ms(1)).corrupt(0.3).build();
        try (TwoHostNetwork net = TwoHostNetwork.builder().seed(11).link(link).build()) {
            net.server().tcp().listen(net.now(), Ipv4Address.ANY, 80, 4, x -> {});
            TcpConnection c = net.client().tcp().connect(net.now(), C, 0, S, 80, null);
            net.runUntil(() -> c.state() == TcpState.ESTABLISHED, Time.s(60));
            List<TraceEvent> all = new ArrayList<>(net.clientLog().events());
            all.addAll(net.serverLog().events());
            List<TraceEvent.Drop> bad = of(all, TraceEvent.Drop.class).stream()
                    .filter(d -> d.reason().contains("checksum")).toList();
            assertFalse(bad.isEmpty(), "30% corruption damaged some frame of the handshake");
            for (TraceEvent.Drop d : bad) assertEquals(DropReason.CHECKSUM, d.kind(), d.toString());
            assertTrue(bad.stream().anyMatch(d -> d.layer().equals("tcp")), bad.toString());
        }
    }
}
