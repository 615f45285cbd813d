package org.netstack4j.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.netstack4j.device.Device;
import org.netstack4j.device.Medium;
import org.netstack4j.device.TestFrames;
import org.netstack4j.time.Time;
import org.netstack4j.trace.TraceEvent;

class SimLinkTest {
    record Arrival(long time, int id, byte[] frame) {}

    private static List<Arrival> collect(Device d, Medium m) {
        List<Arrival> got = new ArrayList<>();
        int ipOff = m == Medium.ETHERNET ? 14 : 0;
        d.attach((now, f) -> got.add(new Arrival(now, TestFrames.id(f, ipOff), f)));
        return got;
    }

    private static LinkConfig.Builder ip() { return LinkConfig.builder().medium(Medium.IP); }

    @Test void a1500ByteFrameAt10MbitArrivesAfterSerializationPlusLatency() {
        Simulator sim = new Simulator(1);
        SimLink link = sim.link(ip().latencyNs(Time.ms(5)).bandwidthBitsPerSec(10_000_000).build());
        List<Arrival> atB = collect(link.b(), Medium.IP);
        sim.at(Time.ms(100), () -> link.a().transmit(sim.now(), TestFrames.ipv4Udp(1472, 1)));
        sim.runUntil(Time.s(1));
        assertEquals(1, atB.size());
        assertEquals(Time.ms(100) + Time.us(1200) + Time.ms(5), atB.get(0).time());
        assertArrayEquals(TestFrames.ipv4Udp(1472, 1), atB.get(0).frame());
    }

    @Test void framesQueueBehindEachOtherPerDirectionButNotAcross() {
        Simulator sim = new Simulator(1);
        SimLink link = sim.link(ip().latencyNs(Time.ms(1)).bandwidthBitsPerSec(10_000_000).build());
        List<Arrival> atB = collect(link.b(), Medium.IP), atA = collect(link.a(), Medium.IP);
        for (int id = 1; id <= 3; id++) link.a().transmit(0, TestFrames.ipv4Udp(1472, id));
        link.b().transmit(0, TestFrames.ipv4Udp(1472, 9));
        sim.runUntilIdle(Time.s(1));
        assertEquals(List.of(Time.us(2200), Time.us(3400), Time.us(4600)), atB.stream().map(Arrival::time).toList());
        assertEquals(List.of(1, 2, 3), atB.stream().map(Arrival::id).toList());
        assertEquals(List.of(Time.us(2200)), atA.stream().map(Arrival::time).toList());
        assertEquals(new LinkStats(3, 3, 0, 0, 0, 0, 0, 0, 0), link.statsAtoB());
    }

    @Test void infiniteBandwidthAndNoLatencyDeliversInTheSameInstant() {
        Simulator sim = new Simulator(1);
        SimLink link = sim.link(LinkConfig.defaults());
        List<Arrival> atB = collect(link.b(), Medium.ETHERNET);
        link.a().transmit(0, TestFrames.ethernetUdp(10, 1));
        assertTrue(atB.isEmpty(), "never delivered from inside transmit");
        sim.runUntilIdle(Time.s(1));
        assertEquals(0, atB.get(0).time());
        assertEquals(0, sim.now());
        assertEquals(Medium.ETHERNET, link.a().medium());
        assertEquals(1500, link.b().mtu());
    }

    @Test void framesOverTheMtuAreDroppedAndCounted() {
        Simulator sim = new Simulator(1);
        List<TraceEvent> trace = new ArrayList<>();
        sim.setTracer(trace::add);
        SimLink eth = sim.link(LinkConfig.defaults());
        SimLink raw = sim.link(ip().mtu(576).build());
        List<Arrival> ethB = collect(eth.b(), Medium.ETHERNET), rawB = collect(raw.b(), Medium.IP);
        eth.a().transmit(0, TestFrames.ethernetUdp(1472, 1)); // 1514 bytes: fits
        eth.a().transmit(0, TestFrames.ethernetUdp(1473, 2)); // 1515: too big
        raw.a().transmit(0, TestFrames.ipv4Udp(548, 3));      // 576: fits
        raw.a().transmit(0, TestFrames.ipv4Udp(549, 4));      // 577: too big
        sim.runUntilIdle(Time.s(1));
        assertEquals(List.of(1), ethB.stream().map(Arrival::id).toList());
        assertEquals(List.of(3), rawB.stream().map(Arrival::id).toList());
        assertEquals(1, eth.statsAtoB().mtuDropped());
        assertEquals(1, raw.stats().mtuDropped());
        assertEquals(2, trace.size());
        TraceEvent.Drop d = (TraceEvent.Drop) trace.get(0);
        assertEquals("link", d.layer());
        assertEquals("frame of 1515 bytes exceeds MTU 1500", d.reason());
        assertEquals("link0 a>b 1515 bytes", d.summary());
    }

    @Test void aFullQueueTailDrops() {
        Simulator sim = new Simulator(1);
        SimLink link = sim.link(ip().bandwidthBitsPerSec(1_000_000).queueLimit(3).build());
        List<Arrival> atB = collect(link.b(), Medium.IP);
        for (int id = 1; id <= 10; id++) link.a().transmit(0, TestFrames.ipv4Udp(97, id)); // 1 ms each
        // After 1.5 ms one frame has left the queue: room for one more.
        sim.at(Time.us(1500), () -> link.a().transmit(sim.now(), TestFrames.ipv4Udp(97, 11)));
        sim.runUntilIdle(Time.s(1));
        assertEquals(List.of(1, 2, 3, 11), atB.stream().map(Arrival::id).toList());
        assertEquals(List.of(Time.ms(1), Time.ms(2), Time.ms(3), Time.ms(4)), atB.stream().map(Arrival::time).toList());
        assertEquals(7, link.statsAtoB().queueDropped());
    }

    @Test void reorderedFramesArriveAfterTheirSuccessor() {
        Simulator sim = new Simulator(1);
        SimLink link = sim.link(ip().latencyNs(Time.ms(1)).reorder(1.0).reorderHoldNs(Time.ms(3)).build());
        List<Arrival> atB = collect(link.b(), Medium.IP);
        for (int id : new int[] {1, 2, 10}) {
            sim.at(Time.ms(id), () -> link.a().transmit(sim.now(), TestFrames.ipv4Udp(0, id)));
        }
        sim.runUntilIdle(Time.s(1));
        assertEquals(List.of(2, 1, 10), atB.stream().map(Arrival::id).toList());
        // 1 (due at 2 ms) is held until 2 arrives at 3 ms; 10 (due at 11 ms) finds no successor
        // and waits out the 3 ms hold.
        assertEquals(List.of(Time.ms(3), Time.ms(3), Time.ms(14)), atB.stream().map(Arrival::time).toList());
        assertEquals(2, link.statsAtoB().reordered());
    }

    @Test void lossDuplicationAndCorruptionAreCounted() {
        Simulator sim = new Simulator(99);
        SimLink link = sim.link(ip().latencyNs(Time.us(10)).loss(0.1).duplicate(0.1).corrupt(0.1).build());
        List<Arrival> atB = collect(link.b(), Medium.IP);
        for (int i = 0; i < 10_000; i++) {
            int id = i;
            sim.at(Time.us(i), () -> link.a().transmit(sim.now(), TestFrames.ipv4Udp(20, id)));
        }
        sim.runUntilIdle(Time.s(1));
        LinkStats s = link.statsAtoB();
        assertEquals(10_000, s.transmitted());
        assertTrue(s.lost() > 850 && s.lost() < 1150, "lost " + s.lost());
        assertTrue(s.duplicated() > 750 && s.duplicated() < 1050, "duplicated " + s.duplicated());
        assertTrue(s.corrupted() > 750 && s.corrupted() < 1050, "corrupted " + s.corrupted());
        assertEquals(s.transmitted() - s.lost() + s.duplicated(), s.delivered());
        assertEquals(s.delivered(), atB.size());
        long bad = atB.stream().filter(a -> !TestFrames.checksumsOk(a.frame(), 0)).count();
        assertTrue(bad >= s.corrupted(), "every corrupted frame (and its duplicate) fails the checksum");
        assertTrue(atB.stream().allMatch(a -> a.time() == Time.us(a.id() + 10)));
    }

    @Test void aLinkThatIsDownDropsWhatIsSent() {
        Simulator sim = new Simulator(1);
        SimLink link = sim.link(ip().latencyNs(Time.ms(10)).build());
        List<Arrival> atB = collect(link.b(), Medium.IP);
        link.a().transmit(0, TestFrames.ipv4Udp(0, 1));
        link.setUp(false);
        assertFalse(link.isUp());
        link.a().transmit(0, TestFrames.ipv4Udp(0, 2));
        sim.runUntil(Time.ms(20));
        link.setUp(true);
        link.a().transmit(sim.now(), TestFrames.ipv4Udp(0, 3));
        sim.runUntilIdle(Time.s(1));
        assertEquals(List.of(1, 3), atB.stream().map(Arrival::id).toList());
        assertEquals(1, link.statsAtoB().downDropped());
    }

    @Test void configurationIsValidatedAndTheMediumIsFixed() {
        assertThrows(IllegalArgumentException.class, () -> LinkConfig.builder().mtu(20).build());
        assertThrows(IllegalArgumentException.class, () -> LinkConfig.builder().loss(-0.1).build());
        Simulator sim = new Simulator(1);
        SimLink link = sim.link("wan", LinkConfig.defaults());
        assertThrows(IllegalArgumentException.class, () -> sim.link("wan", LinkConfig.defaults()));
        assertThrows(IllegalArgumentException.class, () -> link.setConfig(ip().build()));
        link.setConfig(LinkConfig.defaults().toBuilder().latencyNs(Time.ms(7)).build());
        assertEquals(Time.ms(7), link.config().latencyNs());
        assertEquals("link0", sim.link(LinkConfig.defaults()).name());
    }

    @Test void aSegmentDeliversToEveryOtherPort() {
        Simulator sim = new Simulator(1);
        SimSegment lan = sim.segment("lan", LinkConfig.defaults().toBuilder().latencyNs(Time.us(5)).build());
        Device h1 = lan.port(), h2 = lan.port(), h3 = lan.port();
        List<Arrival> at1 = collect(h1, Medium.ETHERNET), at2 = collect(h2, Medium.ETHERNET), at3 = collect(h3, Medium.ETHERNET);
        h1.transmit(0, TestFrames.ethernetUdp(0, 1));
        h3.transmit(0, TestFrames.ethernetUdp(0, 3));
        sim.runUntilIdle(Time.s(1));
        assertEquals(List.of(3), at1.stream().map(Arrival::id).toList());
        assertEquals(List.of(1, 3), at2.stream().map(Arrival::id).toList());
        assertEquals(List.of(1), at3.stream().map(Arrival::id).toList());
        assertEquals(Time.us(5), at2.get(0).time());
        assertNotSame(at2.get(0).frame(), at3.get(0).frame(), "each receiver owns its copy");
        assertArrayEquals(at2.get(0).frame(), at3.get(0).frame());
        assertEquals(3, lan.ports());
        assertEquals(1, lan.stats(h1).delivered());
    }
}
