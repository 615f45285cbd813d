package org.netstack4j.host;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.netstack4j.sim.LinkConfig;
import org.netstack4j.tcp.TcpConfig;
import org.netstack4j.tcp.TcpConnection;
import org.netstack4j.tcp.TcpListener;
import org.netstack4j.tcp.TcpState;
import org.netstack4j.tcp.TcpStatus;
import org.netstack4j.tcp.TcpError;
import org.netstack4j.sim.SimLink;
import org.netstack4j.sim.Simulator;
import org.netstack4j.time.Time;
import org.netstack4j.trace.Counters;
import org.netstack4j.trace.TraceEvent;
import org.netstack4j.trace.Tracer;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.MacAddress;

/** TCP through the real codecs, IP stacks and a simulated Ethernet link (loss, corruption). */
class HostTcpSimTest {
    static final Ipv4Address A = Ipv4Address.parse("192.168.1.1"), B = Ipv4Address.parse("192.168.1.2");

    record Hosts(Simulator sim, Host a, Host b, Counters ca, Counters cb) {}

    static Hosts hosts(long seed, LinkConfig link, Tracer tracer) {
        Simulator sim = new Simulator(seed);
        SimLink l = sim.link(link);
        Host ta = new Host("a", TcpConfig.defaults(), tracer, seed)
                .addInterface("eth0", l.a(), MacAddress.parse("02:00:00:00:00:01"), A, 24);
        Host tb = new Host("b", TcpConfig.defaults(), tracer, seed + 1)
                .addInterface("eth0", l.b(), MacAddress.parse("02:00:00:00:00:02"), B, 24);
        sim.add(ta);
        sim.add(tb);
        return new Hosts(sim, ta, tb, ta.counters(), tb.counters());
    }

    @Test void transferThroughCodecsWithLossAndCorruption() {
        LinkConfig link = LinkConfig.builder().latencyNs(Time.ms(5)).bandwidthBitsPerSec(100_000_000L)
                .loss(0.01).corrupt(0.01).build();
        Hosts h = hosts(9, link, Tracer.NONE);
        byte[] data = new byte[300_000];
        new SplittableRandom(1).nextBytes(data);
        TcpListener l = h.b.tcp().listen(h.sim.now(), Ipv4Address.ANY, 80, 4, x -> {});
        TcpConnection c = h.a.tcp().connect(h.sim.now(), A, 0, B, 80, null);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        int[] sent = {0};
        TcpConnection[] server = {null};
        byte[] buf = new byte[65536];
        boolean done = h.sim.runUntil(() -> {
            long now = h.sim.now();
            if (c.state() == TcpState.ESTABLISHED && sent[0] < data.length) {
                sent[0] += c.send(now, data, sent[0], data.length - sent[0]);
                if (sent[0] == data.length) c.close(now);
            }
            if (server[0] == null) server[0] = l.accept();
            if (server[0] != null) {
                int n;
                while ((n = server[0].receive(now, buf, 0, buf.length)) > 0) got.write(buf, 0, n);
                if (n < 0 && server[0].state() == TcpState.CLOSE_WAIT) server[0].close(now);
            }
            return server[0] != null && server[0].state() == TcpState.CLOSED;
        }, Time.s(600));
        assertTrue(done, "transfer finished: " + c.status() + " / " + (server[0] == null ? null : server[0].status()));
        assertArrayEquals(data, got.toByteArray());
        assertTrue(h.cb.get("tcp.in.segments") > data.length / 1448, "every segment went through emit, IP and parse");
    }

    @Test void handshakeTraceShowsRealOptionsOnTheWire() {
        List<TraceEvent> trace = new ArrayList<>();
        Hosts h = hosts(3, LinkConfig.builder().latencyNs(Time.ms(1)).build(), trace::add);
        h.b.tcp().listen(h.sim.now(), Ipv4Address.ANY, 80, 4, x -> {});
        TcpConnection c = h.a.tcp().connect(h.sim.now(), A, 0, B, 80, null);
        assertTrue(h.sim.runUntil(() -> c.state() == TcpState.ESTABLISHED, Time.s(5)));
        TcpStatus st = c.status();
        assertTrue(st.timestamps() && st.sack());
        assertEquals(7, st.sndWscale());
        assertEquals(1448, st.effectiveMss());
        long segs = trace.stream().filter(e -> e instanceof TraceEvent.Segment).count();
        assertTrue(segs >= 4, "SYN, SYN-ACK, ACK traced in and out");
    }

    @Test void connectToClosedPortThroughIpIsRefused() {
        Hosts h = hosts(4, LinkConfig.builder().latencyNs(Time.ms(1)).build(), Tracer.NONE);
        TcpConnection c = h.a.tcp().connect(h.sim.now(), A, 0, B, 9, null);
        assertTrue(h.sim.runUntil(() -> c.state() == TcpState.CLOSED, Time.s(5)));
        assertEquals(TcpError.CONNECTION_REFUSED, c.error());
    }
}
