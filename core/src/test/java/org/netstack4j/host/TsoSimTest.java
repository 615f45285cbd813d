package org.netstack4j.host;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.netstack4j.device.Device;
import org.netstack4j.device.FrameSink;
import org.netstack4j.device.Medium;
import org.netstack4j.device.offload.Segmentation;
import org.netstack4j.device.TsoEdge;
import org.netstack4j.sim.LinkConfig;
import org.netstack4j.sim.SimLink;
import org.netstack4j.sim.Simulator;
import org.netstack4j.tcp.TcpConfig;
import org.netstack4j.tcp.TcpConnection;
import org.netstack4j.tcp.TcpEventListener;
import org.netstack4j.time.Time;
import org.netstack4j.trace.Tracer;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv6Address;

/**
 * A sender whose device cuts super-segments (TSO, {@link TsoEdge} in front of the simulated
 * link) puts the same conversation on the wire as a sender without offloads: after the edge, the
 * frames are MSS segments identical in content (every byte but the IPv4 ID and header checksum)
 * and in timing, with and without loss, and every TCP checksum verifies.
 */
class TsoSimTest {
    static final Ipv4Address A = Ipv4Address.of(10, 9, 0, 1), B = Ipv4Address.of(10, 9, 0, 2);
    static final Ipv6Address A6 = Ipv6Address.parse("fd09::1"), B6 = Ipv6Address.parse("fd09::2");

    /** Records every frame the sender puts on the link, with its time. */
    static final class Wire implements Device {
        final Device inner;
        final List<byte[]> frames = new ArrayList<>();
        final List<Long> times = new ArrayList<>();

        Wire(Device inner) { this.inner = inner; }

        @Override public Medium medium() { return inner.medium(); }
        @Override public int mtu() { return inner.mtu(); }
        @Override public void transmit(long now, byte[] frame) {
            frames.add(frame.clone());
            times.add(now);
            inner.transmit(now, frame);
        }
        @Override public void attach(FrameSink sink) { inner.attach(sink); }
        @Override public long pollAt() { return inner.pollAt(); }
        @Override public void poll(long now) { inner.poll(now); }
    }

    record Run(Wire wire, byte[] received, long superSegments) {}

    static Run transfer(boolean tso, boolean v6, double loss, byte[] data) {
        return transfer(tso, v6, loss, data, TcpConfig.defaults(), false);
    }

    /** {@link #transfer} with the sender's TCP configuration and {@link Host#setDontFragment}. */
    static Run transfer(boolean tso, boolean v6, double loss, byte[] data, TcpConfig senderTcp, boolean hostDf) {
        Simulator sim = new Simulator(7);
        SimLink link = sim.link(LinkConfig.builder().medium(Medium.IP).latencyNs(Time.ms(5))
                .bandwidthBitsPerSec(200_000_000L).queueLimit(400).loss(loss).build());
        Wire wire = new Wire(link.a());
        TsoEdge edge = tso ? new TsoEdge(wire) : null;
        Host sender = new Host("a", senderTcp, Tracer.NONE, 1)
                .addInterface("tun0", tso ? edge : wire, null, A, 24);
        sender.setDontFragment(hostDf);
        Host receiver = new Host("b", TcpConfig.defaults(), Tracer.NONE, 2).addInterface("tun0", link.b(), null, B, 24);
        if (v6) {
            sender.addIpv6Address("tun0", A6, 64);
            receiver.addIpv6Address("tun0", B6, 64);
        }
        sim.add(sender);
        sim.add(receiver);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        boolean[] eof = {false};
        TcpEventListener reader = new TcpEventListener() {
            @Override public void onReadable(TcpConnection conn) {
                byte[] b = new byte[65536];
                int n;
                while ((n = conn.receive(sim.now(), b, 0, b.length)) > 0) got.write(b, 0, n);
            }
            @Override public void onRemoteClosed(TcpConnection conn) { eof[0] = true; conn.close(sim.now()); }
        };
        receiver.listen(0, 80, 8, l -> {
            TcpConnection c;
            while ((c = l.accept()) != null) {
                c.setListener(reader);
                reader.onReadable(c);
            }
        });
        int[] sent = {0};
        TcpEventListener writer = new TcpEventListener() {
            @Override public void onEstablished(TcpConnection c) { onWritable(c); }
            @Override public void onWritable(TcpConnection c) {
                while (sent[0] < data.length) {
                    int n = c.send(sim.now(), data, sent[0], data.length - sent[0]);
                    if (n <= 0) return;
                    sent[0] += n;
                }
                c.close(sim.now());
            }
        };
        sim.runUntil(Time.ms(1)); // IPv6 addresses settle
        sender.connect(sim.now(), v6 ? B6 : B, 80, writer);
        assertTrue(sim.runUntil(() -> eof[0], Time.s(120)), "transfer did not finish");
        return new Run(wire, got.toByteArray(), tso ? edge.superSegments() : 0);
    }

    static byte[] data(int n) {
        byte[] d = new byte[n];
        new SplittableRandom(42).nextBytes(d);
        return d;
    }

    /** The frame without the IPv4 identification and header checksum (the edge numbers its cuts itself). */
    static byte[] content(byte[] f) {
        byte[] c = f.clone();
        if ((c[0] & 0xff) >>> 4 == 4) {
            c[4] = c[5] = 0;
            c[10] = c[11] = 0;
        }
        return c;
    }

    void sameWire(boolean v6, double loss) {
        byte[] data = data(3_000_000 + 777);
        Run plain = transfer(false, v6, loss, data);
        Run tso = transfer(true, v6, loss, data);
        assertArrayEquals(data, plain.received());
        assertArrayEquals(data, tso.received());
        assertTrue(tso.superSegments() > 100, "the sender used TSO: " + tso.superSegments() + " super-segments");
        assertEquals(plain.wire().frames.size(), tso.wire().frames.size(), "frames on the wire");
        for (int i = 0; i < plain.wire().frames.size(); i++) {
            byte[] p = plain.wire().frames.get(i), t = tso.wire().frames.get(i);
            assertTrue(t.length <= 1500, "frame " + i + " is MSS-sized: " + t.length);
            assertTrue(Segmentation.checksumOk(t, t.length), "frame " + i + " has a valid TCP checksum");
            assertArrayEquals(content(p), content(t), "frame " + i);
            assertEquals(plain.wire().times.get(i), tso.wire().times.get(i), "time of frame " + i);
        }
    }

    @Test void sameWireAsPlainSender() { sameWire(false, 0); }

    @Test void sameWireAsPlainSenderWithLoss() { sameWire(false, 0.01); }

    @Test void sameWireAsPlainSenderIpv6() { sameWire(true, 0); }

    /**
     * DF does not cost TSO: the super-segment's header carries DF and every segment cut from it
     * keeps it, as the kernel's GSO copies the IP header. Both ways to DF: the stack-wide switch
     * and the Linux profile's IP_PMTUDISC_WANT.
     */
    @Test void dontFragmentKeepsTsoAndEverySegmentCarriesIt() {
        byte[] data = data(1_000_000);
        for (Run r : List.of(transfer(true, false, 0, data, TcpConfig.defaults(), true),
                transfer(true, false, 0, data, TcpConfig.linuxLike(), false))) {
            assertArrayEquals(data, r.received());
            assertTrue(r.superSegments() > 30, "the sender used TSO: " + r.superSegments() + " super-segments");
            for (byte[] f : r.wire().frames) assertEquals(0x40, f[6] & 0x40, "DF on every frame");
        }
        Run plain = transfer(true, false, 0, data);
        assertTrue(plain.wire().frames.stream().allMatch(f -> (f[6] & 0x40) == 0), "the RFC profile's TCP sends without DF");
    }
}
