package org.netstack4j.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.netstack4j.time.Time;
import org.netstack4j.wire.MacAddress;

class BridgeTest {
    /** A port whose far side is the test: it records what the bridge sends and injects frames. */
    static final class Wire implements Device {
        final List<byte[]> sent = new ArrayList<>();
        FrameSink sink = FrameSink.DISCARD;
        @Override public Medium medium() { return Medium.ETHERNET; }
        @Override public int mtu() { return 1500; }
        @Override public void transmit(long now, byte[] frame) { sent.add(frame); }
        @Override public void attach(FrameSink s) { sink = s; }
        void inject(long now, byte[] frame) { sink.receive(now, frame); }
    }

    static final MacAddress A = new MacAddress(0x02_00_00_00_00_0aL);
    static final MacAddress B = new MacAddress(0x02_00_00_00_00_0bL);
    static final MacAddress C = new MacAddress(0x02_00_00_00_00_0cL);

    static byte[] frame(MacAddress dst, MacAddress src, int tag) {
        byte[] f = new byte[60];
        dst.write(f, 0);
        src.write(f, 6);
        f[12] = 0x08;
        f[14] = (byte) tag;
        return f;
    }

    final Wire p0 = new Wire(), p1 = new Wire(), p2 = new Wire();

    Bridge bridge(Bridge.Config cfg) {
        Bridge br = new Bridge("br0", cfg);
        br.addPort(p0);
        br.addPort(p1);
        br.addPort(p2);
        return br;
    }

    @Test void unknownDestinationIsFloodedThenLearnedAddressGoesToOnePort() {
        Bridge br = bridge(Bridge.Config.DEFAULT);
        p0.inject(0, frame(B, A, 1));                  // B unknown: flooded to ports 1 and 2
        assertEquals(1, p1.sent.size());
        assertEquals(1, p2.sent.size());
        assertEquals(0, br.lookup(0, A));
        p1.inject(1, frame(A, B, 2));                  // A known behind port 0: only port 0
        assertEquals(1, p0.sent.size());
        assertEquals(1, p2.sent.size(), "port 2 must not see a frame for a learned address");
        assertEquals(2, p0.sent.get(0)[14]);
        p0.inject(2, frame(B, A, 3));                  // now B is known too
        assertEquals(2, p1.sent.size());
        assertEquals(1, p2.sent.size());
        assertEquals(1, br.counters(2).flooded());
        assertEquals(1, br.counters(1).flooded());
        assertEquals(1, br.counters(1).transmitted() - br.counters(1).flooded());
        assertEquals(List.of(new Bridge.Entry(A, 0, Time.s(300) + 2), new Bridge.Entry(B, 1, Time.s(300) + 1)),
                br.table(2));
    }

    @Test void broadcastIsFloodedAndEachPortGetsItsOwnCopy() {
        bridge(Bridge.Config.DEFAULT);
        byte[] f = frame(MacAddress.BROADCAST, A, 7);
        p0.inject(0, f);
        assertEquals(0, p0.sent.size());
        assertArrayEquals(f, p1.sent.get(0));
        assertArrayEquals(f, p2.sent.get(0));
        p1.sent.get(0)[14] = 99;                     // a receiver changing its copy changes no other
        assertEquals(7, p2.sent.get(0)[14]);
    }

    @Test void frameForAnAddressBehindTheSamePortIsFiltered() {
        Bridge br = bridge(Bridge.Config.DEFAULT);
        p0.inject(0, frame(MacAddress.BROADCAST, B, 1)); // learn B on port 0
        p0.inject(1, frame(B, A, 2));                    // A talks to B on the same segment
        assertEquals(1, br.counters(0).filtered());
        assertEquals(1, p1.sent.size());
        assertEquals(1, p2.sent.size());
    }

    @Test void entriesAgeOutAndTheBridgeFloodsAgain() {
        Bridge br = bridge(new Bridge.Config(Time.s(10), 16));
        p0.inject(0, frame(MacAddress.BROADCAST, A, 1));
        assertEquals(Time.s(10), br.pollAt());
        br.poll(Time.s(10) - 1);
        assertEquals(0, br.lookup(Time.s(10) - 1, A));
        br.poll(Time.s(10));
        assertEquals(-1, br.lookup(Time.s(10), A));
        assertEquals(1, br.counters().aged());
        assertEquals(Time.NEVER, br.pollAt());
        p1.inject(Time.s(11), frame(A, B, 2));
        assertEquals(1, p2.sent.size() - 1, "unknown again: flooded to port 2 as well");
    }

    @Test void stationThatMovesIsFollowed() {
        Bridge br = bridge(Bridge.Config.DEFAULT);
        p0.inject(0, frame(MacAddress.BROADCAST, A, 1));
        p2.inject(1, frame(MacAddress.BROADCAST, A, 2));
        assertEquals(2, br.lookup(1, A));
        assertEquals(1, br.counters().moved());
    }

    @Test void fullTableLearnsNothingNewAndFloods() {
        Bridge br = bridge(new Bridge.Config(Time.s(300), 2));
        for (int i = 0; i < 100; i++) p0.inject(i, frame(MacAddress.BROADCAST, new MacAddress(0x02_00_00_00_10_00L + i), i));
        assertEquals(2, br.table(100).size());
        assertEquals(98, br.counters().tableFull());
        p1.inject(101, frame(new MacAddress(0x02_00_00_00_10_05L), B, 1)); // not learned: flooded
        assertEquals(101, p2.sent.size());
    }

    @Test void runtsAndGroupSourcesAreDroppedAndCounted() {
        Bridge br = bridge(Bridge.Config.DEFAULT);
        p0.inject(0, new byte[10]);
        p0.inject(0, frame(B, MacAddress.BROADCAST, 1));
        assertEquals(2, br.counters(0).malformed());
        assertEquals(0, p1.sent.size() + p2.sent.size());
        assertEquals(0, br.table(0).size());
    }

    @Test void hubRepeatsEverythingToEveryOtherPort() {
        Hub hub = new Hub("hub0");
        hub.addPort(p0);
        hub.addPort(p1);
        hub.addPort(p2);
        p0.inject(0, frame(B, A, 1));
        p1.inject(1, frame(A, B, 2));
        assertEquals(2, p2.sent.size(), "on a hub every station sees every frame");
        assertEquals(1, p0.sent.size());
        assertEquals(1, p1.sent.size());
        assertEquals(1, hub.received(0));
        assertEquals(2, hub.transmitted(2));
    }
}
