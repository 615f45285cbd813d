package org.netstack4j.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Set;
import java.util.concurrent.FutureTask;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.netstack4j.device.Medium;
import org.netstack4j.host.BulkTransfer;
import org.netstack4j.host.TwoHostNetwork;
import org.netstack4j.runtime.EventLoop;
import org.netstack4j.sim.LinkConfig;
import org.netstack4j.tcp.TcpConnection;
import org.netstack4j.tcp.TcpEventListener;
import org.netstack4j.time.Time;

class NetstackMetricsTest {
    static TwoHostNetwork lossy(long seed) {
        return TwoHostNetwork.builder().seed(seed)
                .link(LinkConfig.builder().medium(Medium.ETHERNET).latencyNs(Time.ms(5)).loss(0.02).build()).build();
    }

    @Test void countersAndGaugesOfASimulatedTransfer() {
        TwoHostNetwork net = lossy(4);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        NetstackMetrics.direct("client", net.client().tcp()).bindTo(registry);
        NetstackMetrics.direct("server", net.server().tcp()).bindTo(registry);

        // two connections left open, one transfer finished
        for (int i = 0; i < 2; i++) net.client().connect(net.now(), TwoHostNetwork.SERVER_ADDRESS, 9, new TcpEventListener() { });
        net.server().listen(net.now(), 9, 8, l -> l.accept());
        BulkTransfer.Result r = BulkTransfer.run(net, 1_000_000, BulkTransfer.Direction.UP, 4, Time.s(60));
        assertTrue(r.ok(), r::toString);
        registry.getMeters().forEach(m -> m.measure().forEach(x -> x.getValue())); // a scrape: registers counters seen since binding

        long rtx = net.client().counters().get("tcp.retransmits");
        assertTrue(rtx > 0);
        assertEquals(rtx, registry.get("netstack4j.tcp.retransmits").tag("stack", "client").functionCounter().count());
        assertEquals(net.server().counters().get("tcp.in.segments"),
                registry.get("netstack4j.tcp.in.segments").tag("stack", "server").functionCounter().count());
        assertEquals(2, registry.get("netstack4j.tcp.connections").tags("stack", "client", "state", "ESTABLISHED").gauge().value());
        long clientConnections = net.client().tcp().connections().size();
        double sum = registry.find("netstack4j.tcp.connections").tag("stack", "client").gauges().stream().mapToDouble(g -> g.value()).sum();
        assertEquals(clientConnections, sum, "every connection in exactly one state");
        assertEquals(net.client().tcp().bufferMemory(), registry.get("netstack4j.tcp.buffer.memory").tag("stack", "client").gauge().value());
        assertTrue(registry.get("netstack4j.tcp.buffer.memory").tag("stack", "client").gauge().value() >= 0);

        // bounded cardinality: no tag but stack and state, no address or port anywhere
        Set<String> tagKeys = registry.getMeters().stream().flatMap(m -> m.getId().getTags().stream()).map(t -> t.getKey()).collect(Collectors.toSet());
        assertEquals(Set.of("stack", "state"), tagKeys);
        List<String> values = registry.getMeters().stream().flatMap(m -> m.getId().getTags().stream()).map(t -> t.getValue()).distinct().toList();
        values.forEach(v -> assertTrue(!v.contains("10.0.0") && !v.contains(":"), v));
        assertEquals(11 * 2, registry.find("netstack4j.tcp.connections").meters().size());
    }

    @Test void throughAnEventLoopFromTheRegistrysThread() throws Exception {
        TwoHostNetwork net = TwoHostNetwork.builder().seed(5)
                .link(LinkConfig.builder().medium(Medium.ETHERNET).latencyNs(Time.ms(1)).build()).build();
        try (EventLoop loop = EventLoop.start("metrics-test", net.sim())) {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            NetstackMetrics.of("server", net.server().tcp(), loop, 0).bindTo(registry);
            FutureTask<TcpConnection> connect = new FutureTask<>(() -> {
                net.server().listen(net.now(), 7, 8, l -> l.accept());
                return net.client().connect(net.now(), TwoHostNetwork.SERVER_ADDRESS, 7, new TcpEventListener() { });
            });
            loop.execute(connect);
            connect.get();
            Meter established = registry.get("netstack4j.tcp.connections").tags("state", "ESTABLISHED").gauge();
            // the loop runs the simulator in real time: the handshake takes a few milliseconds
            long giveUp = System.nanoTime() + Time.s(30);
            while (established.measure().iterator().next().getValue() < 1 && System.nanoTime() < giveUp) Thread.onSpinWait();
            assertEquals(1.0, registry.get("netstack4j.tcp.connections").tags("state", "ESTABLISHED").gauge().value());
            assertTrue(established.getId().getTags().size() == 2);
        }
    }
}
