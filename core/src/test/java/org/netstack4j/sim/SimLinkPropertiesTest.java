package org.netstack4j.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.netstack4j.device.FaultInjector;
import org.netstack4j.device.Medium;
import org.netstack4j.device.TestFrames;
import org.netstack4j.time.Time;

/** Invariants of a simulated link over random configurations and random traffic. */
class SimLinkPropertiesTest {
    @Property(tries = 200, seed = "20261125")
    void accountingTimingAndOrderHold(@ForAll long seed,
                                      @ForAll @LongRange(min = 0, max = 50_000_000) long latencyNs,
                                      @ForAll @LongRange(min = 0, max = 100_000_000) long bandwidth,
                                      @ForAll @IntRange(min = 0, max = 20) int queueLimit,
                                      @ForAll @DoubleRange(min = 0, max = 0.3) double loss,
                                      @ForAll @DoubleRange(min = 0, max = 0.3) double duplicate,
                                      @ForAll boolean reorder) {
        Simulator sim = new Simulator(seed);
        LinkConfig cfg = LinkConfig.builder().medium(Medium.IP).latencyNs(latencyNs).bandwidthBitsPerSec(bandwidth)
                .queueLimit(queueLimit).loss(loss).duplicate(duplicate).reorder(reorder ? 0.1 : 0).build();
        SimLink link = sim.link(cfg);
        Map<Integer, Long> sentAt = new HashMap<>();
        Map<Integer, Integer> length = new HashMap<>();
        List<long[]> arrivals = new ArrayList<>(); // {time, id}
        link.b().attach((now, f) -> arrivals.add(new long[] {now, TestFrames.id(f, 0)}));
        SplittableRandom traffic = new SplittableRandom(seed);
        long t = 0;
        for (int id = 0; id < 200; id++) {
            t += traffic.nextLong(Time.ms(2));
            int len = traffic.nextInt(1500 - 28 + 1);
            int frameId = id;
            long at = t;
            sentAt.put(id, at);
            length.put(id, 28 + len);
            sim.at(at, () -> link.a().transmit(sim.now(), TestFrames.ipv4Udp(len, frameId)));
        }
        sim.runUntilIdle(Time.s(100_000_000)); // at 1 bit/s, 200 frames take weeks of virtual time
        assertTrue(sim.idle());
        LinkStats s = link.statsAtoB();

        assertEquals(200, s.transmitted());
        assertEquals(s.transmitted() - s.lost() - s.queueDropped() - s.mtuDropped() - s.downDropped() + s.duplicated(),
                s.delivered());
        assertEquals(s.delivered(), arrivals.size());
        if (queueLimit == 0 || bandwidth == 0) assertEquals(0, s.queueDropped());
        long previous = Long.MIN_VALUE;
        int lastId = -1;
        for (long[] a : arrivals) {
            int id = (int) a[1];
            long earliest = sentAt.get(id) + latencyNs + FaultInjector.serializationNs(length.get(id), bandwidth);
            assertTrue(a[0] >= earliest, "frame " + id + " arrived at " + a[0] + " before " + earliest);
            if (!reorder) {
                assertTrue(a[0] >= previous, "arrival times never go backwards");
                assertTrue(id >= lastId, "FIFO without reordering");
                if (bandwidth == 0) assertEquals(earliest, a[0], "exact without queueing");
            }
            previous = a[0];
            lastId = id;
        }
    }
}
