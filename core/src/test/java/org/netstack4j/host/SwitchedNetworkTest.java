package org.netstack4j.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.netstack4j.device.Bridge;
import org.netstack4j.device.Device;
import org.netstack4j.device.Hub;
import org.netstack4j.sim.LinkConfig;
import org.netstack4j.sim.SimLink;
import org.netstack4j.sim.Simulator;
import org.netstack4j.tcp.TcpConfig;
import org.netstack4j.tcp.TcpConnection;
import org.netstack4j.tcp.TcpEventListener;
import org.netstack4j.tcp.TcpState;
import org.netstack4j.time.Time;
import org.netstack4j.trace.Tracer;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.MacAddress;

/**
 * Three complete hosts behind a switch (a learning {@link Bridge}) or a {@link Hub}: A sends
 * 100 KB to B over TCP while C only listens. Behind the hub C receives every frame of the
 * transfer; behind the switch C sees only what was flooded before the switch learned A and B.
 */
class SwitchedNetworkTest {
    static final Ipv4Address A = Ipv4Address.of(10, 0, 0, 1), B = Ipv4Address.of(10, 0, 0, 2), C = Ipv4Address.of(10, 0, 0, 3);

    record Run(Simulator sim, SimLink[] links, Host[] hosts) {
        /** Frames delivered from the device (bridge or hub) to host {@code i}. */
        long framesTo(int i) { return links[i].statsBtoA().delivered(); }
    }

    static Run network(Consumer<Device[]> joinPorts, Simulator sim) {
        LinkConfig cfg = LinkConfig.builder().latencyNs(Time.us(50)).build();
        Ipv4Address[] addrs = {A, B, C};
        SimLink[] links = new SimLink[3];
        Host[] hosts = new Host[3];
        Device[] ports = new Device[3];
        for (int i = 0; i < 3; i++) {
            links[i] = sim.link("h" + i, cfg);
            hosts[i] = new Host("h" + i, TcpConfig.defaults(), Tracer.NONE, 11 + i)
                    .addInterface("eth0", links[i].a(), new MacAddress(0x02_00_00_00_00_01L + i), addrs[i], 24);
            ports[i] = links[i].b();
            sim.add(hosts[i]);
        }
        joinPorts.accept(ports);
        return new Run(sim, links, hosts);
    }

    static long transfer(Run run) {
        Simulator sim = run.sim();
        byte[] data = new byte[100_000];
        long[] received = {0};
        byte[] buf = new byte[65536];
        run.hosts()[1].listen(sim.now(), 80, 16, l -> {
            TcpConnection c;
            while ((c = l.accept()) != null) c.setListener(new TcpEventListener() {
                @Override public void onReadable(TcpConnection conn) {
                    int n;
                    while ((n = conn.receive(sim.now(), buf, 0, buf.length)) > 0) received[0] += n;
                }
            });
        });
        int[] sent = {0};
        TcpConnection client = run.hosts()[0].connect(sim.now(), B, 80, new TcpEventListener() {
            @Override public void onWritable(TcpConnection c) {
                if (sent[0] < data.length) sent[0] += c.send(sim.now(), data, sent[0], data.length - sent[0]);
            }
            @Override public void onEstablished(TcpConnection c) { onWritable(c); }
        });
        assertTrue(sim.runUntil(() -> received[0] == data.length, Time.s(30)), "transfer finished");
        assertEquals(TcpState.ESTABLISHED, client.state());
        return received[0];
    }

    @Test void switchKeepsUnicastAwayFromTheBystander() {
        Simulator sim = new Simulator(5);
        Bridge[] br = new Bridge[1];
        Run run = network(ports -> {
            br[0] = new Bridge("sw0");
            for (Device p : ports) br[0].addPort(p);
            sim.add(br[0]);
        }, sim);
        assertEquals(100_000, transfer(run));
        long toB = run.framesTo(1), toC = run.framesTo(2);
        assertTrue(toB > 60, "B got the data segments: " + toB);
        // C saw the ARP request (broadcast) and nothing after the switch had learned both hosts.
        assertEquals(1, toC, "frames the bystander saw");
        assertEquals(0, br[0].lookup(sim.now(), new MacAddress(0x02_00_00_00_00_01L)));
        assertEquals(1, br[0].lookup(sim.now(), new MacAddress(0x02_00_00_00_00_02L)));
        assertEquals(-1, br[0].lookup(sim.now(), new MacAddress(0x02_00_00_00_00_03L)), "C never sent");
        // Five idle minutes later the entries have aged out (802.1D's 300 s).
        sim.runUntil(sim.now() + Time.s(301));
        assertEquals(0, br[0].table(sim.now()).size());
    }

    @Test void hubShowsEveryFrameToEveryone() {
        Simulator sim = new Simulator(5);
        Run run = network(ports -> {
            Hub hub = new Hub("hub0");
            for (Device p : ports) hub.addPort(p);
        }, sim);
        assertEquals(100_000, transfer(run));
        long toA = run.framesTo(0), toB = run.framesTo(1), toC = run.framesTo(2);
        assertEquals(toA + toB, toC, "the bystander sees both directions of the conversation");
    }
}
