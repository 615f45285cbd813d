package org.netstack4j.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.netstack4j.device.FrameSink;
import org.netstack4j.device.offload.Segmentation;
import org.netstack4j.device.offload.VirtioNetHeader;
import org.netstack4j.socket.TcpServerSocket;
import org.netstack4j.socket.TcpSocket;
import org.netstack4j.tcp.TcpConfig;

/**
 * Issue 15: the device's word on each received frame ({@link FrameSink#CHECKSUM_VERIFIED}, the
 * merged segment size) travels with that frame, from the read that decoded it to TCP, so a
 * checksum left partial ({@link TunTapDevice#leaveVouchedChecksumsPartial}) is never summed by
 * TCP, and a frame whose checksum was not taken care of is never marked verified.
 */
class TunPendingInfoTest {
    private static final int MSS = 1448;

    /** Reads of a GSO super-packet cut here, a left-partial packet and a plain one, with and without the ring. */
    @Test
    void everyPendingFrameCarriesItsOwnWord() throws Exception {
        for (boolean ring : new boolean[] {false, true}) {
            try (SeqpacketPair pair = new SeqpacketPair();
                 TunDevice dev = new TunDevice(TunOpen.adopt(pair.deviceFd, "pair", 1500,
                         new TunOffload.Offloads(true, TunOffload.OFFLOAD_ATTEMPTS[0])).withUring(ring))) {
                dev.leaveVouchedChecksumsPartial(true);
                dev.setMergeReceived(false); // as under a capture: super-packets are cut into segments here
                byte[] d = TunOffloadTest.data(3 * MSS);
                byte[] big = Segmentation.merge(TunOffloadTest.run(false, 5000, 3, MSS, d), 65535).get(0).packet();
                pair.write(TunOffload.gso(big, MSS));                                   // one read, three segments
                byte[] small = TunOffloadTest.segment(false, 5001, 1, 1, d, 0, 500, true);
                byte[] partial = TunOffload.gso(small, MSS);
                new VirtioNetHeader(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_NONE, 0, 0, 20, 16).write(partial, 0);
                pair.write(partial);                                                    // one read, left partial
                byte[] plain = TunOffloadTest.segment(false, 5002, 1, 1, d, 0, 100, false);
                pair.write(TunOffloadTest.frame(VirtioNetHeader.NONE, plain));           // one read, nothing said

                List<byte[]> frames = new ArrayList<>();
                List<Integer> infos = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    frames.add(dev.readBlocking());
                    infos.add(dev.lastReadInfo());
                }
                String where = ring ? "io_uring reads" : "read(2)";
                for (int i = 0; i < 3; i++) {
                    assertEquals(0, infos.get(i), where + ": segment " + i + " of a read cut here: TCP checks it");
                    assertTrue(Segmentation.checksumOk(frames.get(i), frames.get(i).length), where + ": segment " + i + "'s own checksum");
                }
                assertEquals(FrameSink.CHECKSUM_VERIFIED | FrameSink.CHECKSUM_PARTIAL, infos.get(3),
                        where + ": the left-partial packet is vouched for, and said to be partial");
                assertFalse(Segmentation.checksumOk(frames.get(3), frames.get(3).length), where + ": its checksum is still partial");
                assertEquals(0, infos.get(4), where + ": nothing said of the plain packet");
                assertArrayEquals(plain, frames.get(4));
                assertEquals(1, dev.rxChecksumsLeftPartial());
                for (int i = 0; i < 5; i++) {
                    assertTrue((infos.get(i) & FrameSink.CHECKSUM_VERIFIED) != 0 || Segmentation.checksumOk(frames.get(i), frames.get(i).length),
                            where + ": frame " + i + " reaches TCP with a partial checksum and unverified");
                }
            }
        }
    }

    /**
     * The kernel sends to netstack4j over a TunHost, whose device leaves vouched checksums partial
     * by default (local delivery needs no sum, as in Linux's stack): the word must reach TCP
     * through TunHost's reader and loop, or TCP sums a partial checksum and drops every data
     * segment (the transfer then stalls); and the device completes no checksum at all.
     */
    @Test
    void leftPartialChecksumsReachTcpVerifiedThroughTunHost() throws Exception {
        TunHost.Builder b = transferHost(11);
        if (b == null) return;
        try (TunHost host = b.open()) {
            transfer(host, "nsj-partial-" + ProcessHandle.current().pid() + "-11");
            long left = host.tun().rxChecksumsLeftPartial();
            assertTrue(left > 0, "the kernel's checksums were left partial and vouched for: " + left);
            assertEquals(0, host.tun().offloadStats().rxChecksumsCompleted(), "local delivery: no checksum completed");
        } finally {
            LinuxNet.netnsDeleteQuietly("nsj-partial-" + ProcessHandle.current().pid() + "-11");
        }
    }

    /**
     * The same with a capture: the capture writes what the wire would carry, so every TCP packet
     * received in it has a checksum that verifies (the tap completes the partial ones), and the
     * transfer is intact.
     */
    @Test
    void aCaptureCompletesThePartialChecksums() throws Exception {
        java.nio.file.Path pcap = java.nio.file.Files.createTempFile("nsj-partial", ".pcap");
        TunHost.Builder b = transferHost(12);
        if (b == null) return;
        try {
            try (TunHost host = b.pcap(pcap).open()) {
                transfer(host, "nsj-partial-" + ProcessHandle.current().pid() + "-12");
                host.flushPcap();
                assertTrue(host.tun().rxChecksumsLeftPartial() > 0, "left partial by the device: " + host.tun().rxChecksumsLeftPartial());
            }
            int tcp = 0;
            for (org.netstack4j.device.PcapReader.Record r : org.netstack4j.device.PcapReader.readAll(pcap)) {
                byte[] p = r.data();
                if (p.length < 20 || (p[0] & 0xf0) != 0x40 || p[9] != 6) continue;
                tcp++;
                assertTrue(Segmentation.checksumOk(p, p.length), "TCP packet " + tcp + " in the capture has a complete checksum");
            }
            assertTrue(tcp > 1000, "the capture holds the transfer: " + tcp);
        } finally {
            LinuxNet.netnsDeleteQuietly("nsj-partial-" + ProcessHandle.current().pid() + "-12");
            java.nio.file.Files.deleteIfExists(pcap);
        }
    }

    /** A TunHost builder on a fresh namespace {@code nsj-partial-PID-K}, or null (skipped) without a TUN or python3. */
    private static TunHost.Builder transferHost(int k) throws Exception {
        String why = LinuxNet.whyUnavailable();
        assumeTrue(why == null, "needs a real TUN: " + why);
        assumeTrue(LinuxNet.findOnPath("python3") != null, "needs python3 (scripts/install-deps.sh)");
        long pid = ProcessHandle.current().pid();
        String ns = "nsj-partial-" + pid + "-" + k;
        LinuxNet.netnsAdd(ns);
        return TunHost.builder("nsjp" + k + (pid % 10000)).address("10.213." + k + ".2/24").hostAddress("10.213." + k + ".1/24")
                .netns(ns).offload(true).seed(15)
                .tcpConfig(TcpConfig.defaults().withBuffers(bf -> bf.withReceiveBufferSize(1 << 20).withSendBufferSize(1 << 20)));
    }

    /** 20 MiB from the kernel (python in {@code ns}) to netstack4j, checked byte by byte. */
    private static void transfer(TunHost host, String ns) throws Exception {
        {
            assumeTrue(host.tun().offloads().has(TunOffload.TUN_F_CSUM | TunOffload.TUN_F_TSO4),
                    "the kernel did not agree to checksum and TSO4 offloads: " + host.tun().offloads());
            long bytes = 20L << 20;
            String addr = host.address().address().toString();
            try (TcpServerSocket server = new TcpServerSocket(host.net(), 5311)) {
                server.setSoTimeout(20_000);
                Process sender = LinuxNet.netnsStart(ns, "python3", "-c", """
                        import socket, sys
                        s = socket.create_connection((sys.argv[1], 5311), timeout=20)
                        n = int(sys.argv[2]); b = bytes(range(256)) * 512
                        while n > 0:
                            k = min(n, len(b)); s.sendall(b[:k]); n -= k
                        s.close()
                        print('sent', flush=True)
                        """, addr, Long.toString(bytes));
                try (TcpSocket s = server.accept()) {
                    s.setSoTimeout(20_000);
                    InputStream in = s.getInputStream();
                    byte[] buf = new byte[1 << 16];
                    long total = 0;
                    int n;
                    while ((n = in.read(buf)) >= 0) {
                        for (int i = 0; i < n; i++) {
                            if (buf[i] != (byte) ((total + i) % (128 * 1024) % 256)) throw new AssertionError("byte " + (total + i) + " differs");
                        }
                        total += n;
                    }
                    assertEquals(bytes, total, "everything the kernel sent arrived");
                } finally {
                    assertTrue(sender.waitFor(20, TimeUnit.SECONDS));
                    sender.destroyForcibly();
                }
            }
        }
    }
}
