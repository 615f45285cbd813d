package org.netstack4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.netstack4j.ip.UdpSocket;
import org.netstack4j.wire.Ipv4Address;

/**
 * Issue 15, USO: netstack4j sends bursts of UDP datagrams over a TUN with offloads on, where
 * runs of equal-sized datagrams of one flow leave as one GSO_UDP_L4 write the kernel cuts back;
 * a kernel UDP receiver (python3 in a namespace this test creates) gets every datagram, each
 * intact (the SHA-256 over all of them in order matches what was sent) and with a valid checksum
 * (the kernel drops a datagram whose checksum fails). Where the kernel did not agree to USO4 the
 * same datagrams go one write each and must arrive the same. Needs root, /dev/net/tun, ip and
 * python3; skips with the reason otherwise.
 */
class TunUsoInteropTest {
    static final int BURSTS = 40, PER_BURST = 50, SIZE = 1200;

    private static final String PY_RECV = """
            import hashlib, socket, sys
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.setsockopt(socket.SOL_SOCKET, 33, 16 << 20)  # SO_RCVBUFFORCE: no drop for want of room
            s.bind((sys.argv[1], int(sys.argv[2])))
            n = int(sys.argv[3])
            got = {}
            print('ready', flush=True)
            s.settimeout(15)
            try:
                while len(got) < n:
                    b = s.recv(65536)
                    got[int.from_bytes(b[:4], 'big')] = b
            except socket.timeout:
                pass
            h = hashlib.sha256()
            for i in sorted(got): h.update(got[i])
            print('received', len(got), h.hexdigest(), flush=True)
            """;

    /** Datagram {@code i}: its index, then a pattern; the last of each burst is short, ending a USO run. */
    static byte[] datagram(int i) {
        int len = i % PER_BURST == PER_BURST - 1 ? 100 + i % 300 : SIZE;
        byte[] b = new byte[len];
        for (int k = 4; k < len; k++) b[k] = (byte) (i * 31 + k * 7);
        b[0] = (byte) (i >>> 24); b[1] = (byte) (i >>> 16); b[2] = (byte) (i >>> 8); b[3] = (byte) i;
        return b;
    }

    @Test
    void aKernelUdpReceiverGetsEveryDatagramIntact() throws Exception {
        String why = LinuxNet.whyUnavailable();
        assumeTrue(why == null, "needs a real TUN: " + why);
        assumeTrue(LinuxNet.findOnPath("python3") != null, "needs python3 (scripts/install-deps.sh)");
        long pid = ProcessHandle.current().pid();
        String ns = "nsj-uso-" + pid;
        int n = BURSTS * PER_BURST;
        try {
            LinuxNet.netnsAdd(ns);
            LinuxNet.linkUp(ns, "lo");
            try (TunHost host = TunHost.builder("nsju" + pid % 100000).address("10.213.16.2/24").hostAddress("10.213.16.1/24")
                    .netns(ns).offload(true).seed(15).open()) {
                Process receiver = LinuxNet.netnsStart(ns, "python3", "-c", PY_RECV, "10.213.16.1", "5400", Integer.toString(n));
                try {
                    BufferedReader lines = new BufferedReader(new InputStreamReader(receiver.getInputStream(), StandardCharsets.UTF_8));
                    assertEquals("ready", lines.readLine());
                    MessageDigest md = MessageDigest.getInstance("SHA-256");
                    UdpSocket s = host.loop().call(() -> host.net().udpBind(Ipv4Address.parse("10.213.16.2"), 0));
                    Ipv4Address dst = Ipv4Address.parse("10.213.16.1");
                    for (int b = 0; b < BURSTS; b++) {
                        int first = b * PER_BURST;
                        // one burst on the loop: the device holds the datagrams until the burst ends, then writes them
                        assertTrue(host.loop().call(() -> {
                            boolean all = true;
                            for (int i = first; i < first + PER_BURST; i++) {
                                byte[] d = datagram(i);
                                all &= s.sendTo(host.loop().now(), dst, 5400, d, 0, d.length);
                            }
                            return all;
                        }), "burst " + b + " sent");
                        for (int i = first; i < first + PER_BURST; i++) md.update(datagram(i));
                        Thread.sleep(2); // the kernel's queue to the receiver is the limit, not this test
                    }
                    assertTrue(receiver.waitFor(30, TimeUnit.SECONDS), "the receiver ends");
                    String out = lines.readLine();
                    TunOffload.Stats stats = host.loop().call(() -> host.tun().offloadStats());
                    System.out.println("[uso] " + host.tun().offloads() + ": " + stats + "; receiver: " + out);
                    assertEquals("received " + n + " " + HexFormat.of().formatHex(md.digest()), out);
                    if (host.tun().offloads().has(TunOffload.TUN_F_CSUM | TunOffload.TUN_F_USO4)) {
                        assertEquals(BURSTS, stats.txUdpSuperPackets(), "one USO write per burst");
                        assertEquals(n, stats.txDatagramsCoalesced());
                    } else {
                        assertEquals(0, stats.txUdpSuperPackets(), "USO not agreed: one write per datagram");
                    }
                } finally {
                    receiver.destroyForcibly();
                }
            }
        } finally {
            LinuxNet.netnsDeleteQuietly(ns);
        }
    }
}
