package org.netstack4j.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.netstack4j.time.Time;

class FaultInjectorTest {
    private static final FaultConfig MIXED = FaultConfig.builder()
            .loss(0.10).duplicate(0.05).reorder(0.05).corrupt(0.02).build();

    /** Sends 10,000 frames one microsecond apart and returns the log of what came out: "time id hash". */
    private static List<String> run(long seed, FaultConfig cfg, FaultStats[] statsOut) {
        RecordingDevice wire = new RecordingDevice(Medium.IP);
        FaultInjector fi = new FaultInjector(wire, cfg, seed);
        for (int i = 0; i < 10_000; i++) {
            long now = Time.us(i);
            if (fi.pollAt() <= now) fi.poll(now);
            fi.transmit(now, TestFrames.ipv4Udp(64, i));
        }
        fi.poll(Time.s(1));
        assertEquals(Time.NEVER, fi.pollAt());
        statsOut[0] = fi.stats();
        List<String> log = new ArrayList<>();
        for (RecordingDevice.Sent s : wire.sent)
            log.add(s.time() + " " + TestFrames.id(s.frame(), 0) + " " + java.util.Arrays.hashCode(s.frame()));
        return log;
    }

    @Test void statisticsOver10000FramesAreWithinBoundsAndRepeatable() {
        FaultStats[] st = new FaultStats[1];
        List<String> log = run(42, MIXED, st);
        FaultStats s = st[0];
        assertEquals(10_000, s.offered());
        // Binomial bounds of about +-5 standard deviations.
        assertBetween(850, 1150, s.lost(), "lost");                 // 10000 * 0.10, sd 30
        assertBetween(350, 560, s.duplicated(), "duplicated");      // ~9000 * 0.05, sd 21
        assertBetween(330, 620, s.reordered(), "reordered");        // ~9450 * 0.05 while nothing is held
        assertBetween(110, 250, s.corrupted(), "corrupted");        // ~9000 * 0.02, sd 13
        assertEquals(0, s.filtered());
        assertEquals(0, s.queueDropped());
        assertEquals(s.offered() - s.lost() + s.duplicated(), s.passed());
        assertEquals(s.passed(), log.size());
        int inversions = 0, dupes = 0;
        for (int i = 1; i < log.size(); i++) {
            int prev = Integer.parseInt(log.get(i - 1).split(" ")[1]), cur = Integer.parseInt(log.get(i).split(" ")[1]);
            if (cur < prev) inversions++;
            if (cur == prev) dupes++;
        }
        assertTrue(inversions > 300, "frames were really reordered: " + inversions);
        assertTrue(dupes > 200, "duplicates were adjacent mostly: " + dupes);

        FaultStats[] again = new FaultStats[1];
        assertEquals(log, run(42, MIXED, again), "same seed, same result");
        assertEquals(s, again[0]);
        assertNotEquals(log, run(43, MIXED, again), "another seed, another result");
    }

    private static void assertBetween(long lo, long hi, long v, String what) {
        assertTrue(v >= lo && v <= hi, what + " = " + v + ", expected in [" + lo + ", " + hi + "]");
    }

    @Test void corruptionChangesExactlyOneByteOfTheIpPayloadAndTheChecksumCatchesIt() {
        for (Medium m : Medium.values()) {
            RecordingDevice wire = new RecordingDevice(m);
            FaultInjector fi = new FaultInjector(wire, FaultConfig.builder().corrupt(1.0).build(), 7);
            int ipOff = m == Medium.ETHERNET ? 14 : 0;
            for (int i = 0; i < 2000; i++) {
                int len = i % 200;
                fi.transmit(0, m == Medium.ETHERNET ? TestFrames.ethernetUdp(len, i) : TestFrames.ipv4Udp(len, i));
                byte[] original = m == Medium.ETHERNET ? TestFrames.ethernetUdp(len, i) : TestFrames.ipv4Udp(len, i);
                byte[] got = wire.sent.get(i).frame();
                List<Integer> diff = differences(original, got);
                assertEquals(1, diff.size(), "exactly one byte changed");
                assertTrue(diff.get(0) >= ipOff + 20, "in the IP payload: " + diff.get(0));
                assertFalse(TestFrames.checksumsOk(got, ipOff), "the checksum catches it");
            }
            assertEquals(2000, fi.corrupted());
        }
    }

    @Property(tries = 300, seed = "20261125")
    void anySingleByteChangeIsCaughtByTheInternetChecksum(@ForAll @IntRange(min = 0, max = 1472) int len,
                                                          @ForAll long seed) {
        byte[] p = TestFrames.ipv4Udp(len, 1);
        Corruption.corrupt(p, Medium.IP, 1, new SplittableRandom(seed));
        assertFalse(TestFrames.checksumsOk(p, 0));
    }

    @Test void heavierCorruptionChangesNBytes() {
        RecordingDevice wire = new RecordingDevice(Medium.IP);
        FaultInjector fi = new FaultInjector(wire, FaultConfig.builder().corrupt(1.0).corruptBytes(4).build(), 7);
        for (int i = 0; i < 500; i++) {
            fi.transmit(0, TestFrames.ipv4Udp(100, i));
            assertEquals(4, differences(TestFrames.ipv4Udp(100, i), wire.sent.get(i).frame()).size());
        }
    }

    @Test void twoByteCorruptionSometimesPassesTheChecksum() {
        // +d in one byte and -d in another byte of the same weight cancel in the one's-complement
        // sum: roughly 1 frame in 500 gets through undetected. That is what the heavier mode is for.
        SplittableRandom r = new SplittableRandom(11);
        int undetected = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] p = TestFrames.ipv4Udp(64, i);
            Corruption.corrupt(p, Medium.IP, 2, r);
            if (TestFrames.checksumsOk(p, 0)) undetected++;
        }
        assertTrue(undetected > 5 && undetected < 200, "undetected: " + undetected);
    }

    @Test void corruptionRegionFallsBackSensibly() {
        byte[] arp = new byte[42];
        arp[12] = 0x08; arp[13] = 0x06;
        assertEquals(14L << 32 | 42, Corruption.region(arp, Medium.ETHERNET));
        byte[] headerOnly = TestFrames.ipv4Udp(0, 1);
        headerOnly = java.util.Arrays.copyOf(headerOnly, 20);
        headerOnly[2] = 0; headerOnly[3] = 20;
        assertEquals(20L, Corruption.region(headerOnly, Medium.IP)); // [0,20): the IP header itself
        assertEquals(3L, Corruption.region(new byte[3], Medium.IP));
        assertEquals(-1, Corruption.corrupt(new byte[0], Medium.IP, 1, new SplittableRandom(1)));
    }

    private static List<Integer> differences(byte[] a, byte[] b) {
        assertEquals(a.length, b.length);
        List<Integer> d = new ArrayList<>();
        for (int i = 0; i < a.length; i++) if (a[i] != b[i]) d.add(i);
        return d;
    }

    @Test void dropFilterDropsEveryMatchAndDropOnceOnlyTheFirst() {
        RecordingDevice wire = new RecordingDevice(Medium.IP);
        FaultInjector fi = new FaultInjector(wire, FaultConfig.NONE, 1);
        fi.setDropFilter(f -> TestFrames.id(f, 0) == 5);
        for (int id : new int[] {4, 5, 6, 5}) fi.transmit(0, TestFrames.ipv4Udp(0, id));
        assertEquals(List.of(4, 6), wire.sentIds());
        assertEquals(2, fi.filtered());
        fi.dropOnce(f -> TestFrames.id(f, 0) == 5); // "lose this segment, let the retransmission through"
        for (int id : new int[] {5, 6, 5}) fi.transmit(0, TestFrames.ipv4Udp(0, id));
        assertEquals(List.of(4, 6, 6, 5), wire.sentIds());
        fi.setDropFilter(null);
        fi.transmit(0, TestFrames.ipv4Udp(0, 5));
        assertEquals(List.of(4, 6, 6, 5, 5), wire.sentIds());
        assertEquals(3, fi.outgoingStats().filtered());
    }

    @Test void reorderHoldsAFrameUntilTheNextOneHasGone() {
        RecordingDevice wire = new RecordingDevice(Medium.IP);
        FaultInjector fi = new FaultInjector(wire, FaultConfig.builder().reorder(1.0).reorderHoldNs(Time.ms(5)).build(), 1);
        for (int id = 1; id <= 5; id++) fi.transmit(Time.ms(id), TestFrames.ipv4Udp(0, id));
        assertEquals(List.of(2, 1, 4, 3), wire.sentIds());
        assertEquals(Time.ms(10), fi.pollAt(), "frame 5 waits for a successor at most 5 ms");
        fi.poll(Time.ms(10) - 1);
        assertEquals(4, wire.sent.size());
        fi.poll(Time.ms(10));
        assertEquals(List.of(2, 1, 4, 3, 5), wire.sentIds());
        assertEquals(Time.ms(10), wire.sent.get(4).time());
        assertEquals(3, fi.reordered());
    }

    @Test void delayHoldsFramesAndReportsPollAt() {
        RecordingDevice wire = new RecordingDevice(Medium.IP);
        FaultInjector fi = new FaultInjector(wire, FaultConfig.builder().delayNs(Time.ms(10)).build(), 1);
        fi.transmit(Time.ms(1), TestFrames.ipv4Udp(0, 1));
        fi.transmit(Time.ms(2), TestFrames.ipv4Udp(0, 2));
        assertEquals(Time.ms(11), fi.pollAt());
        fi.poll(Time.ms(11) - 1);
        assertTrue(wire.sent.isEmpty());
        fi.poll(Time.ms(11));
        assertEquals(List.of(1), wire.sentIds());
        assertEquals(Time.ms(12), fi.pollAt());
        fi.poll(Time.ms(20));
        assertEquals(List.of(1, 2), wire.sentIds());
        assertEquals(Time.NEVER, fi.pollAt());
    }

    @Test void rateLimitSpacesFramesAndTailDrops() {
        RecordingDevice wire = new RecordingDevice(Medium.IP);
        // 1 Mbit/s: a 125-byte packet (97 bytes of UDP payload) takes exactly 1 ms.
        FaultInjector fi = new FaultInjector(wire,
                FaultConfig.builder().rateBitsPerSec(1_000_000).queueLimit(3).build(), 1);
        for (int id = 1; id <= 4; id++) fi.transmit(0, TestFrames.ipv4Udp(97, id));
        assertEquals(1, fi.queueDropped());
        List<Long> times = new ArrayList<>();
        while (fi.pollAt() != Time.NEVER) {
            long t = fi.pollAt();
            times.add(t);
            fi.poll(t);
        }
        assertEquals(List.of(Time.ms(1), Time.ms(2), Time.ms(3)), times);
        assertEquals(List.of(1, 2, 3), wire.sentIds());
        assertEquals(Time.ms(3), wire.sent.get(2).time());
    }

    @Test void incomingFramesAreLeftAloneUnlessBothDirections() {
        for (boolean both : new boolean[] {false, true}) {
            RecordingDevice wire = new RecordingDevice(Medium.IP);
            FaultInjector fi = new FaultInjector(wire, FaultConfig.builder().loss(1.0).bothDirections(both).build(), 1);
            List<byte[]> got = new ArrayList<>();
            fi.attach((now, f) -> got.add(f));
            wire.inject(0, TestFrames.ipv4Udp(0, 1));
            fi.transmit(0, TestFrames.ipv4Udp(0, 2));
            assertTrue(wire.sent.isEmpty());
            assertEquals(both ? 0 : 1, got.size());
            assertEquals(both ? 1 : 0, fi.incomingStats().lost());
            assertEquals(1, fi.outgoingStats().lost());
        }
    }

    @Test void wrapsTransparentlyAndPollsTheInnerDevice() {
        LoopbackDevice lo = new LoopbackDevice(Medium.IP, 9000);
        FaultInjector fi = new FaultInjector(lo, FaultConfig.NONE, 1);
        List<byte[]> got = new ArrayList<>();
        fi.attach((now, f) -> got.add(f));
        assertEquals(9000, fi.mtu());
        fi.transmit(Time.ms(3), TestFrames.ipv4Udp(1, 1));
        assertEquals(Time.ms(3), fi.pollAt());
        fi.poll(Time.ms(3));
        assertEquals(1, got.size());
        assertArrayEquals(TestFrames.ipv4Udp(1, 1), got.get(0));
    }

    @Test void ethernetPaddingIsNeverTheCorruptedPart() {
        // A minimum-size frame: 14 + 28 bytes of IPv4/UDP, padded to 60 bytes. Damage to the
        // padding would go unnoticed by every checksum, so it is outside the region.
        byte[] f = java.util.Arrays.copyOf(TestFrames.ethernetUdp(0, 1), 60);
        assertEquals((14L + 20) << 32 | (14 + 28), Corruption.region(f, Medium.ETHERNET));
    }

    @Test void whatItDoesIsTraced() {
        RecordingDevice wire = new RecordingDevice(Medium.IP);
        FaultInjector fi = new FaultInjector(wire, 1);
        List<org.netstack4j.trace.TraceEvent> trace = new ArrayList<>();
        fi.setTracer(trace::add);
        fi.dropOnce(f -> true);
        fi.transmit(Time.ms(1), TestFrames.ipv4Udp(0, 1));
        fi.setConfig(FaultConfig.builder().duplicate(1.0).build());
        fi.transmit(Time.ms(2), TestFrames.ipv4Udp(0, 2));
        assertEquals(List.of(
                new org.netstack4j.trace.TraceEvent.Drop(Time.ms(1), "fault", org.netstack4j.trace.DropReason.FILTERED, "dropped by filter", "out 28 bytes"),
                new org.netstack4j.trace.TraceEvent.Note(Time.ms(2), "fault", "duplicated: out 28 bytes")), trace);
        assertEquals(List.of(2, 2), wire.sentIds());
    }

    @Test void configIsValidated() {
        assertThrows(IllegalArgumentException.class, () -> FaultConfig.builder().loss(1.5).build());
        assertThrows(IllegalArgumentException.class, () -> FaultConfig.builder().corrupt(Double.NaN).build());
        assertThrows(IllegalArgumentException.class, () -> FaultConfig.builder().corruptBytes(0).build());
        assertEquals(MIXED, MIXED);
    }
}
