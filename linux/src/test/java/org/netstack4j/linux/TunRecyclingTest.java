package org.netstack4j.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.netstack4j.device.FaultInjector;
import org.netstack4j.host.Host;
import org.netstack4j.tcp.TcpConfig;
import org.netstack4j.trace.Tracer;
import org.netstack4j.wire.Ipv4Address;

/**
 * Received frames recycled to the reader (TunHost's TunPort and {@link TunRxPool}): an array comes
 * back only when IP released it to the port's pool (TCP borrowed it), never one a protocol that
 * may keep it (UDP) got. No root: the device adopts one end of a socket pair.
 */
class TunRecyclingTest {
    private static final byte[] US = Packets.ip(10, 9, 0, 2);
    private static final byte[] PEER = Packets.ip(10, 9, 0, 1);

    private static byte[] packet(int protocol, int length, int fill) {
        byte[] payload = new byte[length - 20];
        Arrays.fill(payload, (byte) fill);
        return Packets.ipv4(PEER, US, protocol, payload);
    }

    @Test
    void aFrameTheStackKeepsIsNeverFilledAgainOneItReleasedIs() throws Exception {
        try (SeqpacketPair pair = new SeqpacketPair();
             TunDevice dev = new TunDevice(TunOpen.adopt(pair.deviceFd, "pair", 65535))) {
            dev.setRecycling(true);
            TunHost.TunPort port = new TunHost.TunPort(dev, 0, null, true);
            FaultInjector faults = new FaultInjector(port, 1); // TunHost's stack sees the port through one
            faults.passFramePool(true);
            assertSame(port.framePool(), faults.framePool());
            Host host = new Host("h", TcpConfig.defaults(), Tracer.NONE, 1);
            host.addInterface("pair", faults, null, Ipv4Address.parse("10.9.0.2"), 24);

            byte[] udp = packet(17, 3000, 0x55); // UDP may keep the array: IP does not release it
            byte[] tcp = packet(6, 3000, 0x66);  // TCP copies what it keeps: IP releases it
            pair.write(udp);
            byte[] kept = dev.readBlocking();
            port.receive(1, kept);
            pair.write(tcp);
            byte[] lent = dev.readBlocking();
            port.receive(2, lent);

            byte[] next = packet(6, 3000, 0x77);
            pair.write(next);
            byte[] again = dev.readBlocking();
            assertSame(lent, again, "the array TCP borrowed is filled again");
            assertNotSame(kept, again);
            assertArrayEquals(next, again);
            assertArrayEquals(udp, kept, "the frame UDP got is never overwritten");
            assertEquals(1, dev.rxFramesReused());

            // another length, and a small frame: new arrays
            pair.write(packet(6, 2500, 0x11));
            assertNotSame(kept, dev.readBlocking());
            assertEquals(1, dev.rxFramesReused());
        }
    }

    @Test
    void offByDefaultAndPoolSizesAreBounded() throws Exception {
        try (SeqpacketPair pair = new SeqpacketPair();
             TunDevice dev = new TunDevice(TunOpen.adopt(pair.deviceFd, "pair", 65535))) {
            TunHost.TunPort port = new TunHost.TunPort(dev);
            assertNull(port.framePool());
            byte[] tcp = packet(6, 3000, 0x66);
            pair.write(tcp);
            byte[] first = dev.readBlocking();
            dev.recycle(first); // ignored: recycling is off
            pair.write(tcp);
            assertNotSame(first, dev.readBlocking());
            assertEquals(0, dev.rxFramesReused());
        }
        TunRxPool pool = new TunRxPool();
        byte[] small = new byte[TunRxPool.MIN_LENGTH - 1];
        pool.giveBack(small);
        assertNotSame(small, pool.take(small.length));
        for (int i = 0; i < 2 * TunRxPool.RETURNS; i++) pool.giveBack(new byte[4000]); // the ring keeps RETURNS
        int reused = 0;
        for (int i = 0; i < 2 * TunRxPool.RETURNS; i++) pool.take(4000);
        reused = (int) pool.reused();
        assertEquals(TunRxPool.KEPT, reused, "the reader keeps KEPT of what the ring held");
    }
}
