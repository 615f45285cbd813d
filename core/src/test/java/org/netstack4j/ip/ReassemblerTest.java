package org.netstack4j.ip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.netstack4j.time.Time;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv4Repr;

class ReassemblerTest {
    static final Ipv4Address A = Ipv4Address.parse("10.0.0.1"), B = Ipv4Address.parse("10.0.0.2");
    final Reassembler r = new Reassembler();
    final byte[] data = new byte[4000];

    ReassemblerTest() { new SplittableRandom(7).nextBytes(data); }

    /** A fragment of {@link #data}: header bytes (zeros, not read) then data[off .. off+len). */
    record Frag(Ipv4Repr ip, byte[] buf) {}

    Frag frag(int id, int off, int len, boolean mf) {
        Ipv4Repr ip = new Ipv4Repr(0, id, false, mf, off, 64, Ipv4Repr.PROTO_UDP, A, B, new byte[0], len);
        byte[] buf = new byte[20 + len];
        buf[0] = (byte) 0x45;
        System.arraycopy(data, off, buf, 20, len);
        return new Frag(ip, buf);
    }

    Reassembler.Result add(long now, Frag f) { return r.add(now, f.ip(), f.buf(), 0); }

    /** 4000 bytes over MTU 1500: 1480 + 1480 + 1040. */
    List<Frag> threeFragments(int id) {
        return List.of(frag(id, 0, 1480, true), frag(id, 1480, 1480, true), frag(id, 2960, 1040, false));
    }

    @Test void inOrder() {
        List<Frag> f = threeFragments(1);
        assertInstanceOf(Reassembler.Incomplete.class, add(0, f.get(0)));
        assertInstanceOf(Reassembler.Incomplete.class, add(0, f.get(1)));
        var done = assertInstanceOf(Reassembler.Complete.class, add(0, f.get(2)));
        assertArrayEquals(data, done.payload());
        assertEquals(4000, done.header().payloadLength());
        assertFalse(done.header().moreFragments());
        assertEquals(0, done.header().fragmentOffset());
        assertEquals(0, r.memoryUsed());
        assertEquals(0, r.inProgress());
    }

    @Test void outOfOrderWithDuplicates() {
        List<Frag> f = threeFragments(2);
        assertInstanceOf(Reassembler.Incomplete.class, add(0, f.get(2)));
        assertInstanceOf(Reassembler.Incomplete.class, add(0, f.get(1)));
        var dup = assertInstanceOf(Reassembler.Dropped.class, add(0, f.get(1)));
        assertEquals("duplicates", dup.counter());
        assertFalse(dup.datagramDiscarded());
        var done = assertInstanceOf(Reassembler.Complete.class, add(0, f.get(0)));
        assertArrayEquals(data, done.payload());
        assertEquals(0, r.memoryUsed());
    }

    @Test void overlapDiscardsTheDatagram() {
        assertInstanceOf(Reassembler.Incomplete.class, add(0, frag(3, 0, 1480, true)));
        var d = assertInstanceOf(Reassembler.Dropped.class, add(0, frag(3, 1472, 8, true)));
        assertEquals("overlaps", d.counter());
        assertTrue(d.datagramDiscarded());
        assertEquals(0, r.inProgress());
        assertEquals(0, r.memoryUsed());
    }

    @Test void missingFragmentTimesOutAndReleasesMemory() {
        List<Frag> f = threeFragments(4);
        add(Time.s(1), f.get(0));
        add(Time.s(1), f.get(2));
        assertTrue(r.memoryUsed() > 2500);
        assertEquals(Time.s(31), r.nextDeadline());
        assertTrue(r.expire(Time.s(31) - 1).isEmpty());
        List<Reassembler.Expired> gone = r.expire(Time.s(31));
        assertEquals(1, gone.size());
        assertEquals(4, gone.get(0).key().identification());
        assertEquals(28, gone.get(0).quote().length, "header + 8 data bytes for ICMP time exceeded");
        assertEquals(0, r.memoryUsed());
        assertEquals(Time.NEVER, r.nextDeadline());
    }

    @Test void timeoutWithoutTheFirstFragmentHasNoQuote() {
        add(0, threeFragments(5).get(1));
        assertNull(r.expire(Reassembler.TIMEOUT_NS).get(0).quote());
    }

    @Test void memoryIsBounded() {
        // 1480-byte fragments of distinct datagrams, never completed.
        int fits = Reassembler.MAX_MEMORY / (1480 + Reassembler.FRAGMENT_OVERHEAD);
        for (int id = 0; id < fits; id++) assertInstanceOf(Reassembler.Incomplete.class, add(0, frag(100 + id, 0, 1480, true)));
        var d = assertInstanceOf(Reassembler.Dropped.class, add(0, frag(9999, 0, 1480, true)));
        assertEquals("memory_full", d.counter());
        assertTrue(r.memoryUsed() <= Reassembler.MAX_MEMORY);
        r.expire(Reassembler.TIMEOUT_NS);
        assertEquals(0, r.memoryUsed());
        assertInstanceOf(Reassembler.Incomplete.class, add(Reassembler.TIMEOUT_NS, frag(9999, 0, 1480, true)));
    }

    @Test void pingOfDeathIsRefused() {
        Ipv4Repr ip = new Ipv4Repr(0, 6, false, false, 65528, 64, 1, A, B, new byte[0], 100);
        var d = assertInstanceOf(Reassembler.Dropped.class, r.add(0, ip, new byte[120], 0));
        assertEquals("invalid", d.counter());
        assertEquals(0, r.inProgress());
    }

    @Test void nonLastFragmentMustBeAMultipleOf8() {
        var d = assertInstanceOf(Reassembler.Dropped.class, add(0, frag(7, 0, 100, true)));
        assertEquals("invalid", d.counter());
    }

    @Test void dataBeyondTheLastFragmentDiscards() {
        add(0, frag(8, 1480, 1480, true));
        var d = assertInstanceOf(Reassembler.Dropped.class, add(0, frag(8, 0, 1000, false)));
        assertTrue(d.datagramDiscarded());
        assertEquals(0, r.memoryUsed());
    }

    @Test void fragmentCountIsBounded() {
        for (int i = 0; i < Reassembler.MAX_FRAGMENTS; i++)
            assertInstanceOf(Reassembler.Incomplete.class, add(0, frag(9, i * 8, 8, true)));
        var d = assertInstanceOf(Reassembler.Dropped.class, add(0, frag(9, Reassembler.MAX_FRAGMENTS * 8, 8, true)));
        assertEquals("too_many_fragments", d.counter());
        assertEquals(0, r.memoryUsed());
    }
}
