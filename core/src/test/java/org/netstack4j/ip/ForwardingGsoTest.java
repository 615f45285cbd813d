package org.netstack4j.ip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.netstack4j.device.Device;
import org.netstack4j.device.FrameSink;
import org.netstack4j.device.Medium;
import org.netstack4j.device.offload.Segmentation;
import org.netstack4j.trace.Counters;
import org.netstack4j.wire.IcmpRepr;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv4Repr;
import org.netstack4j.wire.Ipv6Address;
import org.netstack4j.wire.Ipv6Repr;
import org.netstack4j.wire.Parsed;

/**
 * Forwarding a GRO super-packet (a device's receive offload hands a run of TCP segments over
 * whole with their segment size, {@link FrameSink#receive(long, byte[], int)}): kept whole for
 * a device that segments (GSO), cut into the original segments for one that does not, and
 * checked against the next hop's MTU by its segments' size, not its own.
 */
class ForwardingGsoTest {
    static final Ipv4Address A = Ipv4Address.parse("10.1.0.2"), RA = Ipv4Address.parse("10.1.0.1"),
            RB = Ipv4Address.parse("10.2.0.1"), B = Ipv4Address.parse("10.2.0.2");
    static final int SEG = 1000, SEGMENTS = 10;

    /** An IP-medium device that records what it is given; {@code gso} > 0 takes super-segments. */
    static final class Port implements Device {
        final int mtu, gso;
        FrameSink sink = FrameSink.DISCARD;
        final List<byte[]> sent = new ArrayList<>();
        final List<byte[]> supers = new ArrayList<>();
        final List<Integer> sizes = new ArrayList<>();

        Port(int mtu, int gso) {
            this.mtu = mtu;
            this.gso = gso;
        }

        @Override public Medium medium() { return Medium.IP; }
        @Override public int mtu() { return mtu; }
        @Override public int gsoMaxSize() { return gso; }
        @Override public void transmit(long now, byte[] frame) { sent.add(frame); }
        @Override public void transmitSegments(long now, byte[] packet, int segmentSize) {
            supers.add(packet);
            sizes.add(segmentSize);
        }
        @Override public void attach(FrameSink s) { sink = s; }
    }

    final Counters counters = new Counters();
    final IpStack r = new IpStack(null, counters, 2);
    final Port in = new Port(1500, 65535);

    Port router(Port out) {
        r.addInterface(new IpInterface("ra", in, null, RA, 24));
        r.addInterface(new IpInterface("rb", out, null, RB, 24));
        r.setForwarding(true);
        return out;
    }

    static byte[] payload() {
        byte[] d = new byte[SEG * SEGMENTS - 123];
        for (int i = 0; i < d.length; i++) d[i] = (byte) (i * 7 + 3);
        return d;
    }

    /** An IPv4 TCP packet (ACK, 20-byte header) from A to B with a complete checksum. */
    static byte[] tcp4(byte[] data, boolean df) {
        Ipv4Repr ip = new Ipv4Repr(0, 0x4321, df, false, 0, 64, Ipv4Repr.PROTO_TCP, A, B, new byte[0], 20 + data.length);
        byte[] p = new byte[ip.totalLength()];
        ip.emit(p, 0);
        tcpHeader(p, 20, data);
        return p;
    }

    static void tcpHeader(byte[] p, int at, byte[] data) {
        p[at] = (byte) 0x9c; p[at + 1] = 0x40;               // source port 40000
        p[at + 2] = 0x00; p[at + 3] = 0x50;                  // destination port 80
        p[at + 4] = 0x10; p[at + 5] = 0x20; p[at + 6] = 0x30; p[at + 7] = 0x40; // sequence number
        p[at + 11] = 1;                                      // acknowledgment number
        p[at + 12] = 0x50;                                   // data offset 5
        p[at + 13] = 0x10;                                   // ACK
        p[at + 14] = (byte) 0xff; p[at + 15] = (byte) 0xff;  // window
        System.arraycopy(data, 0, p, at + 20, data.length);
        assertTrue(Segmentation.toPartialChecksum(p, p.length));
        assertTrue(Segmentation.completeChecksum(p, p.length, at, 16));
        assertTrue(Segmentation.checksumOk(p, p.length));
    }

    /** The payloads of segments, in order, with each segment's checksum and size checked. */
    static byte[] reassemble(List<byte[]> segments, int headers) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        long seq = -1;
        for (byte[] s : segments) {
            assertTrue(Segmentation.checksumOk(s, s.length), "segment checksum");
            assertTrue(s.length - headers <= SEG, "segment of " + (s.length - headers) + " bytes");
            int t = headers - 20;
            long sq = ((s[t + 4] & 0xffL) << 24) | ((s[t + 5] & 0xff) << 16) | ((s[t + 6] & 0xff) << 8) | (s[t + 7] & 0xff);
            if (seq >= 0) assertEquals(seq, sq, "sequence numbers follow each other");
            seq = sq + s.length - headers;
            all.write(s, headers, s.length - headers);
        }
        return all.toByteArray();
    }

    @Test void aSuperPacketGoesOutWholeToADeviceThatSegments() {
        Port out = router(new Port(1500, 65535));
        byte[] data = payload();
        in.sink.receive(0, tcp4(data, true), SEG);
        assertEquals(List.of(), out.sent);
        assertEquals(1, out.supers.size());
        assertEquals(List.of(SEG), out.sizes);
        byte[] p = out.supers.getFirst();
        assertEquals(63, p[8] & 0xff, "TTL one lower");
        // the device cuts it as a NIC would: every segment then carries a valid checksum
        Segmentation.Result cut = Segmentation.segment(p, p.length, SEG);
        assertEquals(SEGMENTS, cut.packets().size());
        for (byte[] s : cut.packets()) assertEquals(63, ((Parsed.Ok<Ipv4Repr>) Ipv4Repr.parse(s, 0, s.length)).value().ttl());
        assertArrayEquals(data, reassemble(cut.packets(), 40));
        assertEquals(SEGMENTS, counters.get("ipv4.fwd.datagrams"));
        assertEquals(1, counters.get("ipv4.fwd.gso_packets"));
        assertEquals(SEGMENTS, counters.get("ipv4.fwd.ra.in"));
        assertEquals(SEGMENTS, counters.get("ipv4.fwd.rb.out"));
    }

    @Test void aSuperPacketIsCutForADeviceWithoutSegmentationOffload() {
        Port out = router(new Port(1500, 0));
        byte[] data = payload();
        in.sink.receive(0, tcp4(data, true), SEG);
        assertEquals(List.of(), out.supers);
        assertEquals(SEGMENTS, out.sent.size());
        for (byte[] s : out.sent) assertEquals(63, ((Parsed.Ok<Ipv4Repr>) Ipv4Repr.parse(s, 0, s.length)).value().ttl());
        assertArrayEquals(data, reassemble(out.sent, 40));
        assertEquals(SEGMENTS, counters.get("ipv4.fwd.datagrams"));
        assertEquals(0, counters.get("ipv4.fwd.gso_packets"));
    }

    @Test void segmentsLargerThanTheNextHopMtuWithDfGiveFragmentationNeeded() {
        Port out = router(new Port(576, 65535));
        in.sink.receive(0, tcp4(payload(), true), SEG);
        assertEquals(List.of(), out.sent);
        assertEquals(List.of(), out.supers);
        assertEquals(1, in.sent.size());
        byte[] err = in.sent.getFirst();
        Ipv4Repr ip = ((Parsed.Ok<Ipv4Repr>) Ipv4Repr.parse(err, 0, err.length)).value();
        IcmpRepr icmp = ((Parsed.Ok<IcmpRepr>) IcmpRepr.parse(err, ip.headerLength(), ip.payloadLength())).value();
        assertEquals(IcmpRepr.TYPE_DEST_UNREACHABLE, icmp.type());
        assertEquals(IcmpRepr.CODE_FRAGMENTATION_NEEDED, icmp.code());
        assertEquals(1, counters.get("ipv4.fwd.drop.frag_needed"));
    }

    @Test void segmentsSmallerThanTheNextHopMtuPassWhereTheWholeWouldNot() {
        // 1040-byte segments fit an MTU of 1200 though the super-packet is ten times that
        Port out = router(new Port(1200, 0));
        byte[] data = payload();
        in.sink.receive(0, tcp4(data, true), SEG);
        assertEquals(SEGMENTS, out.sent.size());
        assertArrayEquals(data, reassemble(out.sent, 40));
        assertEquals(0, counters.get("ipv4.fwd.drop.frag_needed"));
    }

    @Test void withoutDfTooLargeSegmentsAreCutAndThenFragmented() {
        Port out = router(new Port(576, 65535));
        in.sink.receive(0, tcp4(payload(), false), SEG);
        assertEquals(List.of(), out.supers);
        // each 1040-byte segment becomes two fragments (552 + 488 payload bytes)
        assertEquals(2 * SEGMENTS, out.sent.size());
        for (byte[] f : out.sent) assertTrue(f.length <= 576);
        assertEquals(SEGMENTS, counters.get("ipv4.fwd.fragmented"));
    }

    @Test void ipv6SuperPacketGoesOutWholeOrCut() {
        Ipv6Address a6 = Ipv6Address.parse("fd00:1::2"), b6 = Ipv6Address.parse("fd00:2::2");
        for (int gso : new int[] {65535, 0}) {
            Counters c = new Counters();
            IpStack r6 = new IpStack(null, c, 2);
            Port i6 = new Port(1500, 65535), o6 = new Port(1500, gso);
            r6.addInterface(new IpInterface("ra", i6, null, RA, 24));
            r6.addInterface(new IpInterface("rb", o6, null, RB, 24));
            r6.addIpv6Address("ra", Ipv6Address.parse("fd00:1::1"), 64);
            r6.addIpv6Address("rb", Ipv6Address.parse("fd00:2::1"), 64);
            r6.setIpv6Forwarding(true);
            byte[] data = payload();
            Ipv6Repr ip = new Ipv6Repr(0, 0, 20 + data.length, 6, 64, a6, b6);
            byte[] p = new byte[40 + 20 + data.length];
            ip.emit(p, 0);
            tcpHeader(p, 40, data);
            i6.sink.receive(0, p, SEG);
            List<byte[]> segments = gso > 0 ? Segmentation.segment(o6.supers.getFirst(), o6.supers.getFirst().length, SEG).packets() : o6.sent;
            assertEquals(gso > 0 ? 1 : 0, o6.supers.size());
            assertEquals(SEGMENTS, segments.size());
            for (byte[] s : segments) assertEquals(63, s[7] & 0xff, "hop limit one lower");
            assertArrayEquals(data, reassemble(segments, 60));
            assertEquals(SEGMENTS, c.get("ipv6.fwd.datagrams"));
        }
    }
}
