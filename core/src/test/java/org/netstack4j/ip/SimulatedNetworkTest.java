package org.netstack4j.ip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.netstack4j.device.Device;
import org.netstack4j.sim.LinkConfig;
import org.netstack4j.sim.SimLink;
import org.netstack4j.sim.SimSegment;
import org.netstack4j.sim.Simulator;
import org.netstack4j.time.Time;
import org.netstack4j.trace.Counters;
import org.netstack4j.trace.Tracer;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.MacAddress;

/** IpStacks on the simulator's links and hub segments, in virtual time. */
class SimulatedNetworkTest {
    static Ipv4Address ip(String s) { return Ipv4Address.parse(s); }

    static IpStack host(Simulator sim, Device dev, int n, Counters c) {
        IpStack s = new IpStack(Tracer.NONE, c, n);
        s.addInterface(new IpInterface("eth0", dev, new MacAddress(0x020000000000L + n), ip("10.0.0." + n), 24));
        sim.add(s);
        return s;
    }

    @Test void pingRoundTripIsTwoLatenciesPlusArp() {
        Simulator sim = new Simulator(1);
        SimLink link = sim.link(LinkConfig.builder().latencyNs(Time.ms(10)).build());
        IpStack a = host(sim, link.a(), 1, new Counters());
        host(sim, link.b(), 2, new Counters());
        List<Long> replyTimes = new ArrayList<>();
        a.setEchoReplyListener((now, from, id, seq, ttl, data) -> replyTimes.add(now));
        a.ping(sim.now(), ip("10.0.0.2"), 1, 1, new byte[56], -1);
        sim.runUntil(Time.s(1));
        a.ping(sim.now(), ip("10.0.0.2"), 1, 2, new byte[56], -1);
        sim.runUntilIdle(Time.s(10));
        assertEquals(List.of(Time.ms(40), Time.s(1) + Time.ms(20)), replyTimes,
                "ARP request+reply, then echo request+reply; the second ping needs no ARP");
    }

    @Test void hubWithThreeHosts() {
        Simulator sim = new Simulator(2);
        SimSegment hub = sim.segment("lan", LinkConfig.builder().latencyNs(Time.us(50)).build());
        Counters ca = new Counters(), cb = new Counters(), cc = new Counters();
        IpStack a = host(sim, hub.port(), 1, ca);
        IpStack b = host(sim, hub.port(), 2, cb);
        IpStack c = host(sim, hub.port(), 3, cc);
        List<Ipv4Address> from = new ArrayList<>();
        a.setEchoReplyListener((now, f, id, seq, ttl, data) -> from.add(f));
        a.ping(sim.now(), ip("10.0.0.2"), 1, 1, new byte[8], -1);
        a.ping(sim.now(), ip("10.0.0.3"), 1, 2, new byte[8], -1);
        sim.runUntilIdle(Time.s(5));
        assertEquals(List.of(ip("10.0.0.2"), ip("10.0.0.3")), from);
        assertEquals(2, ca.get("arp.out.requests"));
        assertEquals(2, cb.get("arp.in.requests"), "B hears both broadcasts");
        assertEquals(1, cb.get("arp.out.replies"), "but answers only its own");
        assertTrue(cc.get("eth.in.drop.not_for_us") > 0, "C ignores the unicast frames between A and B");
        assertEquals(1, b.neighbors().size(), "B learned only A");
        assertEquals(1, c.neighbors().size(), "C learned only A");
    }

    /** Sends 30 datagrams of 4000 bytes over a lossy link; returns how many arrived whole. */
    static int lossyTransfer(long seed, List<byte[]> received, Counters cb) {
        Simulator sim = new Simulator(seed);
        SimLink link = sim.link(LinkConfig.builder().latencyNs(Time.ms(1)).loss(0.1).build());
        IpStack a = host(sim, link.a(), 1, new Counters());
        IpStack b = host(sim, link.b(), 2, cb);
        UdpSocket server = b.udpBind(Ipv4Address.ANY, 9000);
        UdpSocket client = a.udpBind(Ipv4Address.ANY, 0);
        SplittableRandom rnd = new SplittableRandom(seed);
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            byte[] d = new byte[4000];
            rnd.nextBytes(d);
            sent.add(d);
            long t = Time.ms(100) * i;
            sim.at(t, () -> client.sendTo(sim.now(), ip("10.0.0.2"), 9000, d, 0, d.length));
        }
        sim.runUntilIdle(Time.s(60));
        for (UdpDatagram d; (d = server.receive()) != null; ) received.add(d.data());
        for (byte[] r : received) assertTrue(sent.stream().anyMatch(s -> java.util.Arrays.equals(s, r)), "intact or absent");
        assertEquals(0, b.reassemblyMemory(), "incomplete datagrams timed out and freed");
        return received.size();
    }

    @Test void lossyLinkDeliversWholeDatagramsOrNothingDeterministically() {
        Counters c1 = new Counters(), c2 = new Counters();
        List<byte[]> r1 = new ArrayList<>(), r2 = new ArrayList<>();
        int n1 = lossyTransfer(7, r1, c1);
        int n2 = lossyTransfer(7, r2, c2);
        assertEquals(n1, n2);
        for (int i = 0; i < n1; i++) assertArrayEquals(r1.get(i), r2.get(i));
        assertEquals(c1.snapshot(), c2.snapshot());
        assertTrue(n1 > 0 && n1 < 30, "some lost, some delivered: " + n1);
        assertEquals(n1, c1.get("ipv4.reasm.ok"));
        assertTrue(c1.get("ipv4.reasm.timeout") > 0);
    }
}
