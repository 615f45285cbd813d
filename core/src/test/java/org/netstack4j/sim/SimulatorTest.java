package org.netstack4j.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.netstack4j.device.Device;
import org.netstack4j.device.FaultConfig;
import org.netstack4j.device.FaultInjector;
import org.netstack4j.device.Medium;
import org.netstack4j.device.PcapTap;
import org.netstack4j.device.PcapWriter;
import org.netstack4j.device.TestFrames;
import org.netstack4j.time.Pollable;
import org.netstack4j.time.Time;
import org.netstack4j.wire.LinkType;

class SimulatorTest {
    /** Wakes every {@code period} and counts. */
    static final class Ticker implements Pollable {
        final long period;
        long next;
        int ticks;

        Ticker(long period) {
            this.period = period;
            this.next = period;
        }

        @Override public long pollAt() { return next; }

        @Override public void poll(long now) {
            ticks++;
            next = now + period;
        }
    }

    @Test void anHourOfIdleVirtualTimeCostsOnlyTheInstantsThatHaveWork() {
        Simulator sim = new Simulator(1);
        Ticker keepalive = new Ticker(Time.s(10));
        sim.add(keepalive);
        SimLink link = sim.link(LinkConfig.builder().latencyNs(Time.ms(20)).build());
        link.a().transmit(0, TestFrames.ethernetUdp(10, 1));
        sim.runUntil(Time.s(3600));
        assertEquals(Time.s(3600), sim.now());
        assertEquals(360, keepalive.ticks);
        assertEquals(361, sim.instantsProcessed(), "360 ticks and one delivery, nothing in between");
        assertEquals(Time.s(3610), sim.nextEventTime());

        Simulator empty = new Simulator(1);
        empty.runUntil(Time.s(3600));
        assertEquals(Time.s(3600), empty.now());
        assertEquals(0, empty.instantsProcessed());
        assertTrue(empty.idle());
    }

    @Test void sameInstantWorkRunsInInsertionOrderEventsFirst() {
        Simulator sim = new Simulator(1);
        List<String> log = new ArrayList<>();
        class Named implements Pollable {
            final String name;
            boolean done;
            Named(String name) { this.name = name; }
            @Override public long pollAt() { return done ? Time.NEVER : Time.ms(5); }
            @Override public void poll(long now) { done = true; log.add(name + "@" + now); }
        }
        sim.add(new Named("p1"));
        sim.add(new Named("p2"));
        sim.at(Time.ms(5), () -> log.add("e1@" + sim.now()));
        sim.at(Time.ms(5), () -> log.add("e2@" + sim.now()));
        sim.at(Time.ms(4), () -> log.add("e0@" + sim.now()));
        sim.runUntilIdle(Time.s(1));
        assertEquals(List.of("e0@4000000", "e1@5000000", "e2@5000000", "p1@5000000", "p2@5000000"), log);
    }

    @Test void runUntilStopsWhenDoneOrAtTheTimeout() {
        Simulator sim = new Simulator(1);
        SimLink link = sim.link(LinkConfig.builder().latencyNs(Time.ms(3)).build());
        List<Long> arrivals = new ArrayList<>();
        link.b().attach((now, f) -> arrivals.add(now));
        sim.add(new Ticker(Time.ms(1)));
        link.a().transmit(0, TestFrames.ethernetUdp(0, 1));
        assertTrue(sim.runUntil(() -> !arrivals.isEmpty(), Time.s(1)));
        assertEquals(Time.ms(3), sim.now());
        assertFalse(sim.runUntil(() -> arrivals.size() > 1, Time.ms(10)));
        assertEquals(Time.ms(13), sim.now(), "the timeout counts from now");
        assertTrue(sim.runUntil(() -> true, Time.s(5)));
        assertEquals(Time.ms(13), sim.now(), "done at once: time does not move");
    }

    @Test void runUntilIdleReturnsWhenNothingIsLeft() {
        Simulator sim = new Simulator(1);
        SimLink link = sim.link(LinkConfig.builder().latencyNs(Time.ms(7)).build());
        link.a().transmit(0, TestFrames.ethernetUdp(0, 1));
        assertEquals(Time.ms(7), sim.runUntilIdle(Time.s(1)));
        assertTrue(sim.idle());
        sim.add(new Ticker(Time.s(1)));
        assertEquals(Time.s(60), sim.runUntilIdle(Time.s(60) - Time.ms(7)), "never idle: stops at the limit");
        assertFalse(sim.idle());
    }

    @Test void timeNeverGoesBackwards() {
        Simulator sim = new Simulator(1);
        sim.runUntil(Time.s(10));
        Ticker late = new Ticker(Time.s(1)); // wants a poll at 1 s, long past
        sim.add(late);
        sim.runUntil(Time.s(10));
        assertEquals(1, late.ticks);
        assertEquals(Time.s(11), late.next);
        sim.at(Time.s(2), () -> {});
        assertEquals(Time.s(10), sim.nextEventTime());
    }

    @Test void aPollableThatStaysDueIsReportedNotLoopedForever() {
        Simulator sim = new Simulator(1);
        sim.setMaxIterationsPerInstant(1000);
        sim.add(new Pollable() {
            @Override public long pollAt() { return 0; }
            @Override public void poll(long now) {}
            @Override public String toString() { return "stuck-host"; }
        });
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> sim.runUntil(Time.s(1)));
        assertTrue(e.getMessage().contains("stuck-host"), e.getMessage());
    }

    @Test void randomStreamsDependOnSeedAndPurposeOnly() {
        Simulator a = new Simulator(5), b = new Simulator(5), c = new Simulator(6);
        long[] x = draws(a.random("host1")), y = draws(b.random("host1"));
        assertArrayEquals(x, y);
        assertArrayEquals(x, draws(a.random("host1")));
        assertFalse(Arrays.equals(x, draws(a.random("host2"))));
        assertFalse(Arrays.equals(x, draws(c.random("host1"))));
    }

    private static long[] draws(SplittableRandom r) { return r.longs(8).toArray(); }

    /**
     * A small world: host A sends frames at random moments, host B echoes each after a random
     * think time, over a slow, lossy, duplicating, reordering, corrupting link, with A's side
     * also behind a FaultInjector and a pcap tap. Returns the log of every arrival plus the pcap.
     */
    private static String world(long seed) throws IOException {
        Simulator sim = new Simulator(seed);
        SimLink link = sim.link(LinkConfig.builder().medium(Medium.IP).latencyNs(Time.ms(2))
                .bandwidthBitsPerSec(2_000_000).queueLimit(8)
                .loss(0.05).duplicate(0.03).reorder(0.05).corrupt(0.02).build());
        ByteArrayOutputStream pcap = new ByteArrayOutputStream();
        Device aDev = new FaultInjector(new PcapTap(link.a(), new PcapWriter(pcap, LinkType.RAW_IP)),
                FaultConfig.builder().delayNs(Time.us(300)).loss(0.02).build(), sim.random("fault-a").nextLong());
        StringBuilder log = new StringBuilder();

        final class HostA implements Pollable {
            final SplittableRandom rnd = sim.random("hostA");
            long nextSend = 0;
            int id;
            @Override public long pollAt() { return Math.min(aDev.pollAt(), id < 300 ? nextSend : Time.NEVER); }
            @Override public void poll(long now) {
                aDev.poll(now);
                if (id < 300 && nextSend <= now) {
                    aDev.transmit(now, TestFrames.ipv4Udp(rnd.nextInt(1200), id++));
                    nextSend = now + rnd.nextLong(Time.ms(5));
                }
            }
        }
        final class HostB implements Pollable {
            final SplittableRandom rnd = sim.random("hostB");
            final ArrayDeque<long[]> replies = new ArrayDeque<>(); // {due, id, len}
            @Override public long pollAt() { return replies.isEmpty() ? Time.NEVER : replies.peek()[0]; }
            @Override public void poll(long now) {
                while (!replies.isEmpty() && replies.peek()[0] <= now) {
                    long[] r = replies.poll();
                    link.b().transmit(now, TestFrames.ipv4Udp((int) r[2], (int) r[1]));
                }
            }
        }
        HostA a = new HostA();
        HostB b = new HostB();
        aDev.attach((now, f) -> log.append(now).append(" A<").append(TestFrames.id(f, 0)).append(' ')
                .append(Arrays.hashCode(f)).append('\n'));
        link.b().attach((now, f) -> {
            log.append(now).append(" B<").append(TestFrames.id(f, 0)).append(' ').append(Arrays.hashCode(f)).append('\n');
            long due = Math.max(now + b.rnd.nextLong(Time.ms(1)), b.replies.isEmpty() ? 0 : b.replies.peekLast()[0]);
            b.replies.add(new long[] {due, TestFrames.id(f, 0), f.length - 28});
        });
        sim.add(a);
        sim.add(b);
        long end = sim.runUntilIdle(Time.s(60));
        assertTrue(sim.idle());
        log.append("end ").append(end).append(' ').append(link.stats()).append('\n');
        log.append("pcap ").append(Arrays.hashCode(pcap.toByteArray())).append(' ').append(pcap.size());
        return log.toString();
    }

    @Test void theSameSeedGivesAnIdenticalRunAndAnotherSeedAnother() throws IOException {
        String first = world(2024);
        assertTrue(first.lines().count() > 500, "the world did something: " + first.lines().count() + " lines");
        assertEquals(first, world(2024));
        assertNotEquals(first, world(2025));
    }
}
