package org.netstack4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.netstack4j.socket.TcpSocket;
import org.netstack4j.tcp.TcpConfig;
import org.netstack4j.wire.Ipv4Address;

/**
 * TSO end to end: netstack4j hands the TUN 64 KiB super-segments (partial checksum, GSO
 * header); the kernel forwards them out of a veth with TSO, GSO and checksum offload off, so it
 * cuts them there and completes their checksums from the pseudo-header sum we wrote,
 * and tshark on the far end of the veth sees only valid MSS-sized segments (no bad IP or TCP
 * checksum, no malformed packet, no frame over 1514 bytes) while the receiver gets every byte.
 */
class TunTsoWireTest {
    private static final long BYTES = 24L << 20;

    @Test
    void superSegmentsLeaveTheKernelAsValidMssSegments(@TempDir Path dir) throws Exception {
        String why = LinuxNet.whyUnavailable();
        assumeTrue(why == null, "needs a real TUN: " + why);
        String tshark = LinuxNet.findOnPath("tshark");
        assumeTrue(tshark != null, "needs tshark (scripts/install-deps.sh)");
        assumeTrue(LinuxNet.findOnPath("python3") != null, "needs python3");
        assumeTrue(LinuxNet.findOnPath("ethtool") != null, "needs ethtool (to turn the veth's TSO and GSO off)");
        long pid = ProcessHandle.current().pid();
        String nsA = "nsj-tso-" + pid + "-a", nsB = "nsj-tso-" + pid + "-b";
        String vA = "tsoa" + pid % 100000, vB = "tsob" + pid % 100000;
        Process capture = null, receiver = null;
        try {
            LinuxNet.netnsAdd(nsA);
            LinuxNet.netnsAdd(nsB);
            LinuxNet.linkUp(nsA, "lo");
            LinuxNet.linkUp(nsB, "lo");
            LinuxNet.ip(nsA, "link", "add", vA, "mtu", "1500", "type", "veth", "peer", "name", vB, "mtu", "1500", "netns", nsB);
            LinuxNet.addressAdd(nsA, vA, "10.214.10.1/24");
            LinuxNet.addressAdd(nsB, vB, "10.214.10.2/24");
            LinuxNet.linkUp(nsA, vA);
            LinuxNet.linkUp(nsB, vB);
            LinuxNet.routeAdd(nsB, "10.214.9.0/24", vB, "10.214.10.1");
            LinuxNet.netnsExec(nsA, "sysctl", "-qw", "net.ipv4.ip_forward=1");
            // no TSO, GSO or checksum offload on the veth: the kernel cuts our super-segments and
            // completes their checksums in software, so the capture shows what a wire would carry
            LinuxNet.Result off = LinuxNet.netnsExec(nsA, "ethtool", "-K", vA, "tso", "off", "gso", "off", "tx", "off");
            assertTrue(off.ok(), "ethtool -K: " + off.stderr());
            off = LinuxNet.netnsExec(nsB, "ethtool", "-K", vB, "tx", "off");
            assertTrue(off.ok(), "ethtool -K: " + off.stderr());
            try (TunHost host = TunHost.builder("nsjt" + pid % 100000).address("10.214.9.2/24").hostAddress("10.214.9.1/24")
                    .netns(nsA).offload(true).seed(3)
                    .tcpConfig(TcpConfig.defaults().withBuffers(b -> b.withReceiveBufferSize(1 << 20).withSendBufferSize(1 << 20)))
                    .open()) {
                assumeTrue(host.tun().gsoMaxSize() > 0, "the kernel did not agree to TSO: " + host.tun().offloads());
                Path pcap = dir.resolve("veth.pcap");
                capture = LinuxNet.netnsStart(nsB, tshark, "-n", "-i", vB, "-w", pcap.toString(), "-f", "tcp port 5310");
                BufferedReader capOut = new BufferedReader(new InputStreamReader(capture.getInputStream(), StandardCharsets.UTF_8));
                String l;
                while ((l = capOut.readLine()) != null && !l.contains("Capturing on")) { /* tshark starting */ }
                receiver = LinuxNet.netnsStart(nsB, "python3", "-c", TunOffloadTransferTest.PY_RECV, "10.214.10.2", "5310");
                BufferedReader lines = new BufferedReader(new InputStreamReader(receiver.getInputStream(), StandardCharsets.UTF_8));
                assertEquals("ready", lines.readLine());
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                try (TcpSocket s = new TcpSocket(host.net())) {
                    s.connect(Ipv4Address.parse("10.214.10.2"), 5310, 10_000);
                    OutputStream out = s.getOutputStream();
                    byte[] buf = new byte[1 << 17];
                    new Random(5).nextBytes(buf);
                    long i = 0;
                    for (long left = BYTES; left > 0; left -= buf.length, i++) {
                        java.nio.ByteBuffer.wrap(buf).putLong(0, i);
                        md.update(buf);
                        out.write(buf);
                    }
                    s.shutdownOutput();
                    assertEquals("received " + BYTES + " " + HexFormat.of().formatHex(md.digest()), lines.readLine());
                }
                var stats = host.loop().call(() -> host.tun().offloadStats());
                System.out.println("[tso] " + host.tun().offloads() + ": " + stats);
                long tso = host.loop().call(() -> host.tun().tsoWrites());
                assertTrue(tso > 50 && stats.txSegmentsCoalesced() > BYTES / 1448 * 9 / 10,
                        "TCP handed the TUN super-segments (" + tso + ") carrying nearly every segment: " + stats);
                Thread.sleep(500); // the last frames reach the capture
                capture.destroy();
                assertTrue(capture.waitFor(30, TimeUnit.SECONDS));
                capture = null;
                // every TCP payload is "data" (Decode As over all ports): an application dissector may take the random
                // payload for its protocol and call it malformed (cli's TunInteropTest saw EtherCAT on
                // a client port of 34980); _ws.malformed still flags what these find
                Process bad = new ProcessBuilder(tshark, "-n", "-r", pcap.toString(), "-d", "tcp.port==1-65535,data",
                        "-o", "tcp.check_checksum:TRUE",
                        "-o", "ip.check_checksum:TRUE", "-o", "tcp.desegment_tcp_streams:FALSE",
                        // checksums of what netstack4j sent (the subject here); the kernel's own ACKs from B may
                        // carry 0xFFFF for a zero checksum (skb_checksum_help's CSUM_MANGLED_0), which tshark calls Bad
                        "-Y", "(ip.src == 10.214.9.2 && (tcp.checksum.status == \"Bad\" || ip.checksum.status == \"Bad\"))"
                                + " || _ws.malformed || frame.len > 1514")
                        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
                String badOut = new String(bad.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                assertTrue(bad.waitFor(120, TimeUnit.SECONDS));
                assertEquals("", badOut, "tshark found bad or oversized packets");
                Process full = new ProcessBuilder(tshark, "-n", "-r", pcap.toString(), "-o", "tcp.check_checksum:TRUE",
                        "-Y", "tcp.len == 1448 && tcp.checksum.status == \"Good\" && ip.src == 10.214.9.2", "-T", "fields", "-e", "frame.number")
                        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
                long good = new String(full.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().count();
                assertTrue(full.waitFor(120, TimeUnit.SECONDS));
                assertTrue(good > BYTES / 1448 / 2, "verified full-sized segments on the veth: " + good);
                System.out.printf("[tso] %d verified 1448-byte segments on the veth%n", good);
            }
        } finally {
            if (capture != null) capture.destroyForcibly();
            if (receiver != null) receiver.destroyForcibly();
            LinuxNet.netnsDeleteQuietly(nsA);
            LinuxNet.netnsDeleteQuietly(nsB);
        }
    }
}
