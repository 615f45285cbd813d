package org.netstack4j.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.netstack4j.device.Device;
import org.netstack4j.device.FaultConfig;
import org.netstack4j.device.FaultInjector;
import org.netstack4j.device.FrameSink;
import org.netstack4j.device.Medium;
import org.netstack4j.device.PcapTap;
import org.netstack4j.device.PcapWriter;
import org.netstack4j.tcp.TcpConfig;
import org.netstack4j.trace.Tracer;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv4Repr;
import org.netstack4j.wire.TcpOption;
import org.netstack4j.wire.TcpRepr;

/**
 * Issue 15: a device that completed or verified a received packet's TCP checksum (TUN offloads:
 * virtio-net NEEDS_CSUM, DATA_VALID) says so with the frame ({@link FrameSink#CHECKSUM_VERIFIED}
 * in {@link FrameSink#receive(long, byte[], int)}'s info, handed on to TCP in
 * {@code IpMeta.checksumVerified}), and TCP then does not sum the payload again. Shown with a SYN
 * whose checksum is wrong: dropped as malformed unless the device vouches for that very frame; a
 * frame delivered without the word, a duplicate, or a frame that passed a corrupting fault
 * injector, is checked as always.
 */
class ChecksumVerifiedTest {
    static final Ipv4Address PEER = Ipv4Address.of(10, 9, 0, 1), US = Ipv4Address.of(10, 9, 0, 2);

    /** Frames are pushed in by the test, with or without the device's word on the checksum. */
    static final class VouchingDevice implements Device {
        FrameSink sink = FrameSink.DISCARD;
        final List<byte[]> sent = new ArrayList<>();

        @Override public Medium medium() { return Medium.IP; }
        @Override public int mtu() { return 1500; }
        @Override public void transmit(long now, byte[] frame) { sent.add(frame); }
        @Override public void attach(FrameSink s) { sink = s; }
    }

    /** A SYN to port 80 with its TCP checksum off by one. */
    static byte[] badSyn(int srcPort) {
        TcpRepr t = new TcpRepr(srcPort, 80, 1000, 0, TcpRepr.SYN, 65535, 0, List.of(new TcpOption.Mss(1460)));
        Ipv4Repr ip = new Ipv4Repr(0, 1, true, false, 0, 64, Ipv4Repr.PROTO_TCP, PEER, US, new byte[0], t.headerLength());
        byte[] b = new byte[ip.totalLength()];
        ip.emit(b, 0);
        t.emit(PEER, US, b, ip.headerLength(), new byte[0], 0, 0);
        b[ip.headerLength() + 17] ^= 1;
        return b;
    }

    private static Host host(Device dev) {
        Host h = new Host("us", TcpConfig.defaults(), Tracer.NONE, 3).addInterface("tun0", dev, null, US, 24);
        h.tcp().listen(0, US, 80, 16, c -> {});
        return h;
    }

    private static long malformed(Host h) { return h.counters().snapshot().getOrDefault("tcp.in.drop.malformed", 0L); }

    @Test
    void aVouchedForChecksumIsNotCheckedAgainAndAnythingElseIs() {
        VouchingDevice dev = new VouchingDevice();
        Host h = host(dev);
        byte[] syn = badSyn(40000);
        dev.sink.receive(1, syn);
        assertEquals(1, malformed(h), "a bad checksum nobody vouched for is dropped");
        assertTrue(dev.sent.isEmpty());

        byte[] vouched = badSyn(40001);
        dev.sink.receive(2, vouched, FrameSink.CHECKSUM_VERIFIED);
        assertEquals(1, malformed(h), "the device vouched for this frame: not summed");
        assertEquals(1, dev.sent.size(), "the SYN was answered");

        dev.sink.receive(3, vouched.clone(), 0);
        assertEquals(2, malformed(h), "the same bytes without the device's word are checked");
        dev.sink.receive(4, badSyn(40004), 1448);
        assertEquals(3, malformed(h), "a segment size alone says nothing of the checksum");
    }

    @Test
    void wrappersPassTheWordOnUnlessTheyMayHaveAlteredTheFrame() throws Exception {
        VouchingDevice dev = new VouchingDevice();
        java.nio.file.Path file = java.nio.file.Files.createTempFile("nsj-csum", ".pcap");
        try (PcapWriter w = PcapWriter.open(file, PcapTap.linkTypeOf(Medium.IP))) {
            FaultInjector faults = new FaultInjector(new PcapTap(dev, w), FaultConfig.builder().bothDirections(true).queueLimit(0).build(), 1);
            Host h = host(faults);
            byte[] syn = badSyn(40002);
            dev.sink.receive(1, syn, FrameSink.CHECKSUM_VERIFIED);
            assertEquals(0, malformed(h), "through a pcap tap and a fault injector that did nothing");
            assertEquals(1, dev.sent.size(), "the SYN was answered");

            faults.setConfig(FaultConfig.builder().corrupt(1.0).bothDirections(true).queueLimit(0).build());
            byte[] corrupted = badSyn(40003);
            dev.sink.receive(2, corrupted, FrameSink.CHECKSUM_VERIFIED);
            assertEquals(1, malformed(h), "an injector that corrupted a received frame does not pass the word on");

            faults.setConfig(FaultConfig.builder().duplicate(1.0).bothDirections(true).queueLimit(0).build());
            dev.sink.receive(3, badSyn(40005), FrameSink.CHECKSUM_VERIFIED);
            assertEquals(2, malformed(h), "the duplicate is a copy: checked; the original is not");
            assertEquals(3, dev.sent.size(), "the original SYN was answered (its SYN,ACK duplicated on the way out)");
        } finally {
            java.nio.file.Files.deleteIfExists(file);
        }
    }
}
