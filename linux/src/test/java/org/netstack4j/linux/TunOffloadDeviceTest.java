package org.netstack4j.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.netstack4j.device.offload.Segmentation;
import org.netstack4j.device.offload.VirtioNetHeader;
import org.netstack4j.time.Time;

/**
 * The device in the vnet-header mode without root: one end of an AF_UNIX SOCK_SEQPACKET pair
 * stands in for the TUN (one packet per read/write), the test plays the kernel on the other end.
 */
class TunOffloadDeviceTest {
    private static final int MSS = 1448;
    private SeqpacketPair pair;
    private TunDevice dev;

    @BeforeEach
    void pair() throws TunException {
        pair = new SeqpacketPair();
        dev = new TunDevice(TunOpen.adopt(pair.deviceFd, "pair", 1500, new TunOffload.Offloads(true, TunOffload.OFFLOAD_ATTEMPTS[0])));
    }

    @AfterEach
    void close() {
        dev.close();
        pair.close();
    }

    @Test
    void transmitsOfOneBurstAreWrittenAtPollAsOneSuperPacketPerFlow() {
        byte[] d = TunOffloadTest.data(40 * MSS);
        List<byte[]> flow = TunOffloadTest.run(false, 5000, 40, 700, d);
        byte[] other = TunOffloadTest.segment(false, 6000, 9, 1, d, 0, 64, true);
        for (byte[] p : flow) dev.transmit(Time.ms(3), p);
        dev.transmit(Time.ms(4), other);
        // the batch limit (64 packets) was not reached: nothing written yet, and the device asks to be polled now
        assertTrue(pair.drain(70000).isEmpty());
        assertEquals(Time.ms(3), dev.pollAt());
        dev.poll(Time.ms(4));
        assertEquals(Time.NEVER, dev.pollAt());
        List<byte[]> wire = pair.drain(70000);
        assertEquals(2, wire.size());
        byte[] sup = wire.get(0);
        VirtioNetHeader h = VirtioNetHeader.read(sup, 0, sup.length);
        assertEquals(VirtioNetHeader.GSO_TCPV4, h.gsoType());
        assertEquals(MSS, h.gsoSize());
        assertEquals(10 + 20 + 32 + 39 * MSS + 700, sup.length);
        assertEquals(VirtioNetHeader.NONE, VirtioNetHeader.read(wire.get(1), 0, wire.get(1).length));
        assertEquals(new TunOffload.Stats(0, 0, 0, 1, 40), dev.offloadStats());
        assertEquals(2, dev.stats().txPackets());
    }

    /**
     * TSO from the stack: a super-segment with a partial checksum goes out in one write with a GSO
     * header (NEEDS_CSUM at the TCP checksum), after what transmit held; cut as the kernel would,
     * it gives segments whose checksums verify.
     */
    @Test
    void aSuperSegmentIsWrittenAtOnceWithItsGsoHeaderAfterHeldFrames() {
        assertEquals(65535, dev.gsoMaxSize());
        for (boolean v6 : new boolean[] {false, true}) {
            byte[] d = TunOffloadTest.data(30 * MSS);
            byte[] sup = TunOffloadTest.segment(v6, 5000, 1000, 7, d, 0, d.length, true);
            int ip = v6 ? 40 : 20;
            // the stack's TSO output leaves the folded pseudo-header sum in the checksum field
            byte[] partial = sup.clone();
            partial[ip + 16] = 0;
            partial[ip + 17] = 0;
            long pseudo = v6 ? org.netstack4j.wire.Checksum.sum(0, partial, 8, 32) : org.netstack4j.wire.Checksum.sum(0, partial, 12, 8);
            int folded = ~org.netstack4j.wire.Checksum.finish(pseudo + 6 + partial.length - ip) & 0xffff;
            partial[ip + 16] = (byte) (folded >>> 8);
            partial[ip + 17] = (byte) folded;
            byte[] held = TunOffloadTest.segment(v6, 6000, 9, 1, d, 0, 64, true);
            dev.transmit(Time.ms(1), held);
            dev.transmitSegments(Time.ms(1), partial.clone(), MSS);
            List<byte[]> wire = pair.drain(70000);
            assertEquals(2, wire.size(), "the held frame, then the super-segment, without a poll");
            assertEquals(VirtioNetHeader.NONE, VirtioNetHeader.read(wire.get(0), 0, wire.get(0).length));
            byte[] f = wire.get(1);
            VirtioNetHeader h = VirtioNetHeader.read(f, 0, f.length);
            assertEquals(new VirtioNetHeader(VirtioNetHeader.F_NEEDS_CSUM, v6 ? VirtioNetHeader.GSO_TCPV6 : VirtioNetHeader.GSO_TCPV4,
                    ip + 32, MSS, ip, 16), h);
            byte[] packet = java.util.Arrays.copyOfRange(f, VirtioNetHeader.LENGTH, f.length);
            assertArrayEquals(partial, packet);
            assertTrue(Segmentation.completeChecksum(packet, packet.length, h.csumStart(), h.csumOffset()));
            assertArrayEquals(sup, packet, "completing the partial checksum gives the full one");
            Segmentation.Result cut = Segmentation.segment(partial, partial.length, MSS);
            assertEquals(30, cut.packets().size());
            for (byte[] c : cut.packets()) assertTrue(Segmentation.checksumOk(c, c.length));
        }
        assertEquals(new TunOffload.Stats(0, 0, 0, 2, 60), dev.offloadStats());
    }

    @Test
    void aSuperPacketFromTheKernelIsCutAndAwaitSeesSegmentsStillPending() {
        byte[] d = TunOffloadTest.data(10 * MSS);
        List<byte[]> segs = TunOffloadTest.run(true, 5000, 10, MSS, d);
        byte[] big = Segmentation.merge(segs, 65535).get(0).packet();
        byte[] frame = TunOffload.gso(big, MSS);
        pair.write(frame);
        pair.write(new byte[4]);

        List<byte[]> got = new ArrayList<>();
        dev.attach((now, f) -> got.add(f));
        dev.setMergeReceived(false);
        dev.setReadBatch(4);
        assertTrue(dev.awaitReadable(0));
        assertEquals(4, dev.readAvailable(1));
        assertTrue(dev.awaitReadable(0), "segments already read must count as readable");
        assertEquals(4, dev.readAvailable(2));
        assertEquals(2, dev.readAvailable(3)); // the last two, then the short read is dropped
        assertEquals(0, dev.readAvailable(4));
        assertFalse(dev.awaitReadable(0));
        assertEquals(10, got.size());
        for (int i = 0; i < 10; i++) assertArrayEquals(segs.get(i), got.get(i), "segment " + i);
        assertEquals(new TunOffload.Stats(1, 0, 1, 0, 0), dev.offloadStats());
    }
}
