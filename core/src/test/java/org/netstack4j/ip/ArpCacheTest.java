package org.netstack4j.ip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.netstack4j.time.Time;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.MacAddress;

class ArpCacheTest {
    static final Ipv4Address B = Ipv4Address.parse("10.0.0.2");
    static final MacAddress MAC_B = MacAddress.parse("02:00:00:00:00:02");
    final ArpCache cache = new ArpCache();

    static byte[] frame(int tag) { return new byte[] {(byte) tag}; }

    @Test void firstPacketStartsResolutionLaterOnesWait() {
        assertNull(cache.lookup(0, B));
        ArpCache.Enqueued first = cache.enqueue(0, B, frame(1));
        assertTrue(first.accepted());
        assertTrue(first.sendRequest());
        ArpCache.Enqueued second = cache.enqueue(Time.ms(10), B, frame(2));
        assertFalse(second.sendRequest());
        assertNull(second.dropped());
        assertEquals(Time.s(1), cache.nextDeadline());
    }

    @Test void replyFlushesTheQueueInOrder() {
        cache.enqueue(0, B, frame(1));
        cache.enqueue(0, B, frame(2));
        List<byte[]> waiting = cache.update(Time.ms(5), B, MAC_B, false);
        assertEquals(2, waiting.size());
        assertArrayEquals(frame(1), waiting.get(0));
        assertArrayEquals(frame(2), waiting.get(1));
        assertEquals(MAC_B, cache.lookup(Time.ms(6), B));
        assertEquals(Time.NEVER, cache.nextDeadline());
    }

    @Test void queueIsBoundedAndDropsTheOldest() {
        for (int i = 0; i < ArpCache.MAX_QUEUE; i++) assertNull(cache.enqueue(0, B, frame(i)).dropped());
        ArpCache.Enqueued over = cache.enqueue(0, B, frame(99));
        assertArrayEquals(frame(0), over.dropped());
        List<byte[]> waiting = cache.update(1, B, MAC_B, false);
        assertEquals(ArpCache.MAX_QUEUE, waiting.size());
        assertArrayEquals(frame(1), waiting.get(0));
        assertArrayEquals(frame(99), waiting.get(ArpCache.MAX_QUEUE - 1));
    }

    @Test void retriesTwiceThenFailsWithTheQueuedFrames() {
        cache.enqueue(0, B, frame(1));
        assertTrue(cache.timers(Time.s(1) - 1).retry().isEmpty());
        assertEquals(List.of(B), cache.timers(Time.s(1)).retry());
        assertEquals(List.of(B), cache.timers(Time.s(2)).retry());
        assertTrue(cache.timers(Time.s(3) - 1).failed().isEmpty());
        ArpCache.TimerWork w = cache.timers(Time.s(3));
        assertTrue(w.retry().isEmpty());
        assertEquals(1, w.failed().size());
        assertEquals(B, w.failed().get(0).ip());
        assertEquals(1, w.failed().get(0).queued().size());
        assertEquals(0, cache.size());
        assertEquals(Time.NEVER, cache.nextDeadline());
    }

    @Test void resolvedEntryExpiresAfterItsLifetime() {
        cache.update(0, B, MAC_B, true);
        assertEquals(MAC_B, cache.lookup(ArpCache.LIFETIME_NS - 1, B));
        assertNull(cache.lookup(ArpCache.LIFETIME_NS, B));
        assertTrue(cache.enqueue(ArpCache.LIFETIME_NS, B, frame(1)).sendRequest());
    }

    @Test void unsolicitedReplyIsOnlyCachedWhenAskedTo() {
        assertTrue(cache.update(0, B, MAC_B, false).isEmpty());
        assertNull(cache.lookup(0, B));
        cache.update(0, B, MAC_B, true);
        assertSame(MAC_B, cache.lookup(0, B));
    }

    @Test void tableIsBounded() {
        for (int i = 0; i < ArpCache.MAX_ENTRIES; i++)
            assertTrue(cache.enqueue(0, new Ipv4Address(0x0a000000 + i), frame(i)).accepted());
        ArpCache.Enqueued refused = cache.enqueue(0, Ipv4Address.parse("10.9.9.9"), frame(7));
        assertFalse(refused.accepted());
        assertArrayEquals(frame(7), refused.dropped());
        // a resolved entry can be evicted to make room
        cache.update(0, new Ipv4Address(0x0a000000), MAC_B, false);
        assertTrue(cache.enqueue(0, Ipv4Address.parse("10.9.9.9"), frame(7)).accepted());
        assertEquals(ArpCache.MAX_ENTRIES, cache.size());
    }
}
