package org.netstack4j.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.netstack4j.path.PathMtuCache;
import org.netstack4j.time.Time;
import org.netstack4j.trace.Counters;
import org.netstack4j.wire.Ipv4Address;

/** The layer's path MTU memory (PathMtuCache) and the sender's chronograph (Chrono). */
class PathMtuCacheChronoTest {
    private final Counters counters = new Counters();
    static final Ipv4Address A = Ipv4Address.of(192, 0, 2, 1), B = Ipv4Address.of(192, 0, 2, 2);

    @Test
    void aLearntMtuOnlyLowersAndExpires() {
        PathMtuCache c = new PathMtuCache(counters);
        assertEquals(0, c.mtu(0, A));
        c.lower(0, A, 1200);
        c.lower(Time.s(1), A, 1400); // a larger report never raises it
        assertEquals(1200, c.mtu(Time.s(2), A));
        assertEquals(0, c.mtu(Time.s(2), B));
        c.lower(Time.s(3), A, 1000);
        assertEquals(1000, c.mtu(Time.s(4), A));
        // lives 10 minutes from the last lowering
        assertEquals(1000, c.mtu(Time.s(3) + PathMtuCache.LIFETIME_NS - 1, A));
        assertEquals(0, c.mtu(Time.s(3) + PathMtuCache.LIFETIME_NS, A));
        assertEquals(0, c.size());
        assertEquals(2, counters.get("path.mtu.learnt"));
        assertEquals(1, counters.get("path.mtu.expired"));
    }

    @Test
    void theOldestEntryIsForgottenWhenFull() {
        PathMtuCache c = new PathMtuCache(counters);
        for (int i = 0; i < PathMtuCache.MAX_ENTRIES; i++) c.lower(i, Ipv4Address.of(10, 0, i >> 8, i & 255), 1280);
        c.lower(1000, A, 1280);
        assertEquals(PathMtuCache.MAX_ENTRIES, c.size());
        assertEquals(0, c.mtu(1001, Ipv4Address.of(10, 0, 0, 0)));
        assertEquals(1280, c.mtu(1001, Ipv4Address.of(10, 0, 0, 1)));
        assertEquals(1280, c.mtu(1001, A));
        assertEquals(1, counters.get("path.mtu.evicted"));
    }

    @Test
    void newConnectionsToTheSamePeerSendWithinALearntMtu() {
        TcpHarness h = new TcpHarness().established();
        h.send(new byte[3000]);
        h.layer.icmpDestinationUnreachable(h.now, TcpHarness.LOCAL, TcpHarness.REMOTE, 4, 1000, TcpHarness.LOCAL_PORT, 80, h.iss + 1);
        assertEquals(0, h.layer.connections().stream().mapToInt(Rare::pathMss).max().orElse(0),
            "the connection that learnt it lowers effMss itself (IcmpErrors), no path cap on it");
        TcpConnection later = h.layer.newConnection(h.now, TcpHarness.LOCAL, 40002, TcpHarness.REMOTE, 80, null, null, h.layer.config());
        assertEquals(PathInfo.mssForMtu(TcpHarness.REMOTE.family(), 1000), Rare.pathMss(later));
        TcpConnection other = h.layer.newConnection(h.now, TcpHarness.LOCAL, 40003, Ipv4Address.of(198, 51, 100, 9), 80, null, null,
            h.layer.config());
        assertEquals(0, Rare.pathMss(other));
    }

    @Test
    void theChronographRunsOneConditionAtATimeAndBusyIsTheirSum() {
        Chrono ch = new Chrono();
        ch.start(0, Chrono.BUSY);
        ch.start(10, Chrono.RWND_LIMITED);
        ch.start(15, Chrono.BUSY); // less specific: no change
        ch.stop(30, Chrono.RWND_LIMITED, false); // back to busy
        ch.start(40, Chrono.SNDBUF_LIMITED);
        ch.stop(45, Chrono.RWND_LIMITED, false); // not the running one: no change
        ch.stop(50, Chrono.SNDBUF_LIMITED, true); // nothing queued: stops
        assertEquals(20, ch.time(100, Chrono.RWND_LIMITED));
        assertEquals(10, ch.time(100, Chrono.SNDBUF_LIMITED));
        assertEquals(20, ch.time(100, Chrono.BUSY));
        assertEquals(50, ch.busy(100));
        ch.start(200, Chrono.BUSY);
        assertEquals(60, ch.busy(210));
    }
}
