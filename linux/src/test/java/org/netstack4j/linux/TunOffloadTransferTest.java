package org.netstack4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.netstack4j.socket.TcpServerSocket;
import org.netstack4j.socket.TcpSocket;
import org.netstack4j.tcp.TcpConfig;

/**
 * Large transfers both ways between the kernel's TCP (python3 in a namespace this test creates)
 * and netstack4j over a TUN with offloads on and no capture, so received GSO super-packets go to
 * TCP whole: the SHA-256 of what arrived equals that of what was sent, and super-packets were
 * used in both directions. The TUN is opened as two queues (the default on a 2-CPU machine): the
 * kernel's connection is accepted by whichever shard its queue feeds, and netstack4j's own
 * connection starts on shard 1. Needs root, /dev/net/tun, ip and python3; skips with the reason otherwise.
 */
class TunOffloadTransferTest {
    /** Bytes each way: 1 GB took about 10 s per direction here (see the printed rates). */
    static final long BYTES = 1_000_000_000L;
    private static final int CHUNK = 1 << 17;

    private static final String PY_SEND = """
            import hashlib, random, socket, sys
            n = int(sys.argv[3])
            blk = random.Random(15).randbytes(%d)
            h = hashlib.sha256()
            s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=20)
            s.settimeout(None)
            i = 0
            while n > 0:
                b = i.to_bytes(8, 'big') + blk[8:min(len(blk), n)]
                s.sendall(b); h.update(b); n -= len(b); i += 1
            s.shutdown(socket.SHUT_WR)
            s.recv(1)
            print('sent', h.hexdigest(), flush=True)
            """.formatted(CHUNK);
    static final String PY_RECV = """
            import hashlib, socket, sys
            l = socket.socket()
            l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            l.bind((sys.argv[1], int(sys.argv[2])))
            l.listen(1)
            print('ready', flush=True)
            c, _ = l.accept()
            h = hashlib.sha256(); n = 0
            buf = bytearray(1 << 20); v = memoryview(buf)
            while True:
                k = c.recv_into(buf)
                if k == 0: break
                h.update(v[:k]); n += k
            print('received', n, h.hexdigest(), flush=True)
            """;

    private static String ns;
    private static TunShards shards;
    private static TunHost host;

    @BeforeAll
    static void setUp() throws Exception {
        String why = LinuxNet.whyUnavailable();
        assumeTrue(why == null, "needs a real TUN: " + why);
        assumeTrue(LinuxNet.findOnPath("python3") != null, "needs python3 (scripts/install-deps.sh)");
        long pid = ProcessHandle.current().pid();
        ns = "nsj-offload-" + pid;
        LinuxNet.netnsAdd(ns);
        LinuxNet.linkUp(ns, "lo");
        shards = TunHost.builder("nsjo" + pid % 100000).address("10.213.9.2/24").hostAddress("10.213.9.1/24").netns(ns)
                .offload(true).seed(15)
                .tcpConfig(TcpConfig.defaults().withBuffers(bf -> bf.withReceiveBufferSize(4 << 20).withSendBufferSize(4 << 20)))
                .openShards(2);
        assertEquals(2, shards.size(), "two queues: " + shards.fallback());
        host = shards.shards().get(1);
        assumeTrue(host.tun().offloads().has(TunOffload.TUN_F_CSUM | TunOffload.TUN_F_TSO4),
                "the kernel did not agree to checksum and TSO4 offloads: " + host.tun().offloads());
    }

    @AfterAll
    static void tearDown() {
        if (shards != null) shards.close();
        if (ns != null) LinuxNet.netnsDeleteQuietly(ns);
    }

    @Test
    void kernelToNetstack4jArrivesIntactThroughSuperPackets() throws Exception {
        long superBefore = rxSuperPackets();
        TcpServerSocket server0 = new TcpServerSocket(shards.shards().get(0).net(), 5301);
        try (server0; TcpServerSocket server1 = new TcpServerSocket(shards.shards().get(1).net(), 5301)) {
            // a listener on each shard: the connection comes to the one the kernel's queue choice feeds
            java.util.concurrent.CompletableFuture<TcpSocket> first = new java.util.concurrent.CompletableFuture<>();
            for (TcpServerSocket server : java.util.List.of(server0, server1)) {
                server.setSoTimeout(20_000);
                Thread.ofVirtual().start(() -> {
                    try {
                        first.complete(server.accept());
                    } catch (java.io.IOException e) {
                        // the other listener got it (or the timeout: the future's get says so)
                    }
                });
            }
            Process sender = LinuxNet.netnsStart(ns, "python3", "-c", PY_SEND, "10.213.9.2", "5301", Long.toString(BYTES));
            try (TcpSocket s = first.get(25, TimeUnit.SECONDS)) {
                s.setSoTimeout(60_000);
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                InputStream in = s.getInputStream();
                byte[] buf = new byte[CHUNK];
                long total = 0, start = System.nanoTime();
                int n;
                while ((n = in.read(buf)) >= 0) {
                    md.update(buf, 0, n);
                    total += n;
                }
                double secs = (System.nanoTime() - start) / 1e9;
                s.close(); // lets the sender's recv(1) return
                String out = output(sender);
                System.out.printf("[offload] kernel -> netstack4j %,d bytes in %.1f s (%.2f Gbit/s)%n", total, secs, total * 8 / secs / 1e9);
                assertEquals(BYTES, total);
                assertEquals("sent " + HexFormat.of().formatHex(md.digest()), out.strip());
            } finally {
                sender.destroyForcibly();
            }
        }
        long rxSuper = rxSuperPackets();
        System.out.println("[offload] " + host.tun().offloads() + ": " + shards.onEach(h -> h.tun().offloadStats()));
        assertTrue(rxSuper > superBefore, "no GSO super-packet came from the kernel: " + rxSuper);
        for (TunHost h : shards.shards()) assertEquals(0, h.loop().call(() -> h.tun().offloadStats().rxMalformed()));
    }

    private static long rxSuperPackets() {
        return shards.onEach(h -> h.tun().offloadStats().rxSuperPackets()).stream().mapToLong(Long::longValue).sum();
    }

    @Test
    void netstack4jToKernelArrivesIntactThroughSuperPackets() throws Exception {
        long superBefore = host.loop().call(() -> host.tun().offloadStats().txSuperPackets());
        Process receiver = LinuxNet.netnsStart(ns, "python3", "-c", PY_RECV, "10.213.9.1", "5302");
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(receiver.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("ready", lines.readLine());
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            long start = System.nanoTime();
            try (TcpSocket s = new TcpSocket(host.net())) {
                s.connect(host.hostAddress().address(), 5302, 10_000);
                OutputStream out = s.getOutputStream();
                byte[] buf = new byte[CHUNK];
                new Random(15).nextBytes(buf);
                long i = 0;
                for (long left = BYTES; left > 0; left -= buf.length, i++) {
                    java.nio.ByteBuffer.wrap(buf).putLong(0, i); // every block differs: a misplaced one changes the hash
                    int n = (int) Math.min(buf.length, left);
                    md.update(buf, 0, n);
                    out.write(buf, 0, n);
                }
                s.shutdownOutput();
                String result = lines.readLine();
                double secs = (System.nanoTime() - start) / 1e9;
                System.out.printf("[offload] netstack4j -> kernel %,d bytes in %.1f s (%.2f Gbit/s)%n", BYTES, secs, BYTES * 8 / secs / 1e9);
                assertEquals("received " + BYTES + " " + HexFormat.of().formatHex(md.digest()), result);
            }
        } finally {
            receiver.destroyForcibly();
        }
        var stats = host.loop().call(() -> host.tun().offloadStats());
        System.out.println("[offload] " + host.tun().offloads() + ": " + stats);
        assertTrue(stats.txSuperPackets() > superBefore, "netstack4j wrote no GSO super-packet: " + stats);
    }

    private static String output(Process p) throws Exception {
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "python3 did not finish");
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
}
