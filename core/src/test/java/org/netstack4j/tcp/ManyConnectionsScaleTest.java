package org.netstack4j.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.netstack4j.time.Time;
import org.netstack4j.trace.Counters;
import org.netstack4j.trace.Tracer;
import org.netstack4j.wire.Ipv4Address;

/**
 * 100,000 connection pairs between two layers in virtual time (DESIGN.md 10: an idle connection
 * costs a few hundred bytes; timers are data, so an idle connection costs the event loop nothing).
 * Deterministic; no timing assertions. The heap bound is loose (measured about 480 bytes per
 * connection end, see {@link IdleFootprint}); the target is 1 KiB.
 */
class ManyConnectionsScaleTest {
    static final int PAIRS = 100_000;

    /** The reference: what the old full scan computed. */
    static long scanPollAt(TcpLayer l) {
        long at = Time.NEVER;
        for (TcpConnection c : l.connections()) at = Math.min(at, c.pollAt());
        return at;
    }

    @Test void hundredThousandIdleConnectionsAreCheapAndTimersStayExact() {
        long before = IdleFootprint.usedHeapAfterGc();
        IdleFootprint.Pair p = new IdleFootprint.Pair(TcpConfig.defaults(), 7);
        p.open(PAIRS, 10_000);
        assertEquals(PAIRS, p.client.connectionCount());
        assertEquals(PAIRS, p.server.connectionCount());
        assertEquals(PAIRS, p.accepted);
        assertEquals(2 * PAIRS, p.established(), "every end ESTABLISHED");
        assertEquals(0, p.client.counters().get("tcp.retransmits") + p.server.counters().get("tcp.retransmits"));

        // idle: no timer armed anywhere, and the layers know it without looking at each connection
        assertEquals(Time.NEVER, p.client.pollAt());
        assertEquals(Time.NEVER, p.server.pollAt());

        double perEnd = IdleFootprint.bytesPerConnection(p, before);
        System.out.printf("ManyConnectionsScaleTest: %.0f heap bytes per idle ESTABLISHED connection end%n", perEnd);
        assertTrue(perEnd < 1024, "idle connection end costs " + perEnd + " bytes, the bound is 1 KiB");

        // a round of 1-byte exchanges on a sample: each way, then the delayed ACKs fire
        byte[] one = {42}, in = new byte[4];
        List<Integer> sample = new ArrayList<>();
        for (int i = 0; i < PAIRS; i += 997) sample.add(i);
        for (int i : sample) assertEquals(1, p.clientEnds[i].send(p.now, one, 0, 1));
        p.drain();
        for (int i : sample) {
            TcpConnection s = serverEnd(p, p.clientEnds[i]);
            assertEquals(1, s.receive(p.now, in, 0, 4));
            assertEquals(42, in[0]);
            assertEquals(1, s.send(p.now, one, 0, 1));
        }
        p.drain();
        for (int i : sample) assertEquals(1, p.clientEnds[i].receive(p.now, in, 0, 4));
        for (int i : sample) assertEquals(0, p.clientEnds[i].bufferBytes(), "read everything: the receive ring is released");
        // the request's ACK rode on the reply; the reply's ACK is delayed at the client, its RTO runs at the server
        assertEquals(p.now + TcpConfig.defaults().acks().delayedAckNs(), p.client.pollAt());
        assertEquals(scanPollAt(p.client), p.client.pollAt());
        assertEquals(scanPollAt(p.server), p.server.pollAt());

        // keepalive on a few more: the earliest deadline stays the minimum over all connections
        p.now += Time.ms(1);
        for (int i = 5; i < PAIRS; i += 20_011) p.serverEnds[i].setKeepalive(p.now, true);
        assertEquals(scanPollAt(p.server), p.server.pollAt());
        assertTrue(p.server.pollAt() < p.now + TcpConfig.defaults().timers().keepaliveIdleNs(), "the replies' RTOs come first");

        long acksBefore = p.client.counters().get("tcp.out.segments");
        p.advanceTo(p.now + Time.s(1));
        assertEquals(sample.size(), p.client.counters().get("tcp.out.segments") - acksBefore, "one delayed ACK per sampled connection");
        assertEquals(Time.NEVER, p.client.pollAt());
        assertEquals(scanPollAt(p.server), p.server.pollAt());
        for (int i = 5; i < PAIRS; i += 20_011) p.serverEnds[i].setKeepalive(p.now, false);
        assertEquals(Time.NEVER, p.server.pollAt());
        assertEquals(2 * PAIRS, p.established());
        // everything read and acknowledged: the sampled connections are back to the idle cost
        for (int i : sample) assertEquals(0, p.clientEnds[i].bufferBytes() + serverEnd(p, p.clientEnds[i]).bufferBytes());
    }

    /** A ring that grows with its data (and past a wrap) reads back exactly what was written. */
    @Test void ringGrowsWithTheDataAndKeepsEveryByte() {
        SplittableRandom r = new SplittableRandom(5);
        RingBuffer ring = new RingBuffer(100_000);
        java.util.ArrayDeque<Byte> ref = new java.util.ArrayDeque<>();
        byte next = 0;
        int maxArray = 0;
        for (int step = 0; step < 5000; step++) {
            if (r.nextInt(3) > 0) {
                byte[] b = new byte[r.nextInt(3000)];
                for (int k = 0; k < b.length; k++) b[k] = next++;
                int n = ring.write(b, 0, b.length);
                for (int k = 0; k < n; k++) ref.add(b[k]);
                next -= (byte) (b.length - n);
            } else {
                byte[] b = new byte[r.nextInt(5000)];
                int n = ring.read(b, 0, b.length);
                for (int k = 0; k < n; k++) assertEquals(ref.poll(), b[k], "step " + step);
            }
            assertEquals(ref.size(), ring.size());
            assertTrue(ring.allocated() <= 100_000);
            maxArray = Math.max(maxArray, ring.allocated());
        }
        assertTrue(maxArray > 8192, "it grew");
        // out-of-order bytes written past the committed end survive a growth
        RingBuffer rcv = new RingBuffer(65536);
        byte[] a = {1, 2, 3}, far = {9, 8}, farther = {7};
        rcv.writeAt(1000, a, 0, 3);            // a hole of 1000 bytes, then 3 bytes
        assertEquals(1024, rcv.allocated(), "sized by the data, not the capacity");
        rcv.writeAt(3000, far, 0, 2);
        rcv.writeAt(20_000, farther, 0, 1);    // grows while out-of-order bytes are held
        assertTrue(rcv.allocated() >= 20_001);
        rcv.writeAt(0, new byte[20_001], 0, 1000); // the hole fills
        rcv.commit(1003);
        byte[] out = new byte[20_001];
        assertEquals(1003, rcv.read(out, 0, out.length));
        assertEquals(1, out[1000]);
        assertEquals(3, out[1002]);
        rcv.writeAt(0, new byte[20_001], 0, 3000 - 1003); // up to the 2nd range
        rcv.commit(3000 - 1003 + 2);
        assertEquals(1999, rcv.read(out, 0, out.length));
        assertEquals(9, out[1997]);
        assertEquals(8, out[1998]);
        rcv.writeAt(0, new byte[20_001], 0, 20_000 - 3002);
        rcv.commit(20_000 - 3002 + 1);
        assertEquals(16_999, rcv.read(out, 0, out.length));
        assertEquals(7, out[16_998]);
    }

    private static TcpConnection serverEnd(IdleFootprint.Pair p, TcpConnection client) {
        TcpConnection s = p.server.find(client.remoteAddress(), client.remotePort(), client.localAddress(), client.localPort());
        assertNotNull(s, "server end of " + client);
        return s;
    }

    /**
     * Random user calls (keepalive on/off, sends, reads, closes, aborts) on a few hundred
     * connections while time jumps: after every step the queue's earliest deadline equals a full
     * scan of the connections, and closed connections leave the queue.
     */
    @Test void timerQueueAgreesWithAFullScan() {
        SplittableRandom r = new SplittableRandom(3);
        IdleFootprint.Pair p = new IdleFootprint.Pair(TcpConfig.defaults().withTimers(tm -> tm.withKeepaliveIdleNs(Time.s(10))), 11);
        p.open(300, 300);
        byte[] b = new byte[100];
        for (int step = 0; step < 4000; step++) {
            int i = r.nextInt(300);
            TcpConnection c = r.nextBoolean() ? p.clientEnds[i] : p.serverEnds[i];
            try {
                switch (r.nextInt(100)) {
                    case 0, 1 -> c.close(p.now);
                    case 2 -> c.abort(p.now);
                    default -> {
                        switch (r.nextInt(4)) {
                            case 0 -> c.setKeepalive(p.now, true);
                            case 1 -> c.setKeepalive(p.now, false);
                            case 2 -> { if (c.writable() > 0) c.send(p.now, b, 0, 1 + r.nextInt(100)); }
                            default -> c.receive(p.now, b, 0, b.length);
                        }
                    }
                }
            } catch (TcpException closed) {
                // a call on a connection that is already closing or closed
            }
            if (r.nextInt(10) == 0) p.drain();
            if (r.nextInt(50) == 0) p.advanceTo(p.now + Time.ms(r.nextInt(3000)));
            assertEquals(scanPollAt(p.client), p.client.pollAt(), "step " + step);
            assertEquals(scanPollAt(p.server), p.server.pollAt(), "step " + step);
        }
        for (int k = 0; k < 300; k++) {
            p.clientEnds[k].close(p.now);
            p.serverEnds[k].close(p.now);
        }
        p.advanceTo(p.now + Time.s(600)); // every connection through FIN exchange and 2MSL
        assertEquals(0, p.client.connectionCount() + p.server.connectionCount());
        assertEquals(Time.NEVER, p.client.pollAt());
        assertEquals(Time.NEVER, p.server.pollAt());
    }

    /**
     * A poll runs the due connections in creation order, whatever their deadlines, as the scan
     * over all connections did: the traces and goldens of many-connection runs stay the same.
     */
    @Test void dueConnectionsRunInCreationOrder() {
        IdleFootprint.Pair p = new IdleFootprint.Pair(TcpConfig.defaults().withTimers(tm -> tm.withKeepaliveIdleNs(Time.s(10))), 13);
        p.open(4, 4);
        long t = p.now;
        for (int k = 3; k >= 0; k--) p.clientEnds[k].setKeepalive(t + Time.ms(10 * (3 - k)), true); // newest due first
        assertEquals(t + Time.s(10), p.client.pollAt());
        p.client.poll(t + Time.s(11));
        List<Integer> ports = new ArrayList<>();
        for (IdleFootprint.Pkt pkt : p.wire) ports.add(pkt.tcp().srcPort());
        assertEquals(List.of(1024, 1025, 1026, 1027), ports, "keep-alive probes in creation order");
    }

    /** The last connection found is remembered, and forgotten when it is replaced or removed. */
    @Test void connectionTableForgetsItsLastHitWhenItLeaves() {
        TcpLayer layer = new TcpLayer(TcpConfig.defaults(), (now, s, d, t, pl, o, l) -> {}, Tracer.NONE, new Counters(), 5);
        ConnectionTable table = new ConnectionTable(7);
        Ipv4Address a = Ipv4Address.parse("10.0.0.1"), b = Ipv4Address.parse("10.0.0.2");
        TcpConnection c = layer.newConnection(0, a, 1000, b, 80, null, null, layer.config());
        TcpConnection other = layer.newConnection(0, a, 1001, b, 80, null, null, layer.config());
        table.put(c);
        table.put(other);
        assertSame(c, table.get(a, 1000, b, 80));
        assertSame(c, table.get(a, 1000, b, 80), "again, from the last hit");
        assertNull(table.get(b, 80, a, 1000), "the reversed pair is another connection");
        assertSame(other, table.get(a, 1001, b, 80));
        assertSame(c, table.get(a, 1000, b, 80));
        TcpConnection replacement = layer.newConnection(0, a, 1000, b, 80, null, null, layer.config());
        assertSame(c, table.put(replacement));
        assertSame(replacement, table.get(a, 1000, b, 80), "not the replaced last hit");
        assertTrue(table.remove(replacement));
        assertNull(table.get(a, 1000, b, 80), "not the removed last hit");
        assertSame(other, table.get(a, 1001, b, 80));
    }

    /** The demultiplexing table against a HashMap, with inserts, lookups, removals and growth/shrink. */
    @Test void connectionTableAgreesWithAHashMap() {
        TcpLayer layer = new TcpLayer(TcpConfig.defaults(), (now, s, d, t, pl, o, l) -> {}, Tracer.NONE, new Counters(), 5);
        ConnectionTable table = new ConnectionTable(99);
        Map<String, TcpConnection> ref = new HashMap<>();
        SplittableRandom r = new SplittableRandom(17);
        Ipv4Address[] addrs = {Ipv4Address.parse("10.0.0.1"), Ipv4Address.parse("10.0.0.2"), Ipv4Address.parse("192.168.1.9")};
        List<TcpConnection> all = new ArrayList<>();
        for (int step = 0; step < 40_000; step++) {
            Ipv4Address la = addrs[r.nextInt(3)], ra = addrs[r.nextInt(3)];
            int lp = 1 + r.nextInt(3000), rp = 1 + r.nextInt(4);
            String key = la + ":" + lp + ">" + ra + ":" + rp;
            int op = step < 20_000 ? r.nextInt(3) : 1 + r.nextInt(2); // grow, then mostly shrink
            if (op == 0 && !ref.containsKey(key)) {
                TcpConnection c = layer.newConnection(0, la, lp, ra, rp, null, null, layer.config());
                assertNull(table.put(c));
                ref.put(key, c);
                all.add(c);
            } else if (op == 1) {
                TcpConnection c = ref.remove(key);
                if (c != null) assertTrue(table.remove(c));
            }
            assertSame(ref.get(key), table.get(la, lp, ra, rp), key);
            assertEquals(ref.size(), table.size());
        }
        for (TcpConnection c : all) {
            TcpConnection in = table.get(c.localAddress(), c.localPort(), c.remoteAddress(), c.remotePort());
            assertEquals(ref.containsValue(c), in == c);
        }
        List<TcpConnection> ordered = table.inCreationOrder();
        assertEquals(ref.size(), ordered.size());
        for (int k = 1; k < ordered.size(); k++) assertTrue(ordered.get(k - 1).order < ordered.get(k).order);
        assertNotNull(table.toString());
    }
}
