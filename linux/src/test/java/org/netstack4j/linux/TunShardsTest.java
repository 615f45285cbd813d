package org.netstack4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.netstack4j.socket.TcpServerSocket;
import org.netstack4j.socket.TcpSocket;

/**
 * A TUN opened with two queues (IFF_MULTI_QUEUE), one shard each, with the kernel's TCP (python3
 * in a namespace this test creates) as the client: every connection is accepted by exactly one
 * shard, both shards get some, and none is reset, also after idling past the kernel's flow-table
 * expiry (3 s). Needs root, /dev/net/tun, ip and python3; skips with the reason otherwise.
 *
 * <p>Real time and a loaded machine give RSTs after a clean close, which reset nothing: a shard
 * starved for 200 ms sends a FIN again that was already acknowledged, and the second ACK from the
 * kernel's TIME-WAIT finds only the listener (RFC 9293 3.10.7.2: RST); or the kernel's ACK of our
 * last data goes out by hash to the other queue (tun_get_user passes our packet up before it
 * updates its flow entry), is steered back, and arrives after the FIN and the final ACK that
 * followed it, when the connection is gone. So the tests count, via {@link RstWatch}, only RSTs
 * for connections that had not ended cleanly.
 */
class TunShardsTest {
    /** Opens N connections (P at once), sends each a line, reads the echo; prints "ok PORT" or "err PORT why". */
    private static final String PY_CLIENTS = """
            import socket, sys, time, threading
            host, port, n, par, idle = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
            out = []; lock = threading.Lock()
            def one(i):
                p = 0
                try:
                    s = socket.create_connection((host, port), timeout=10)
                    p = s.getsockname()[1]
                    s.sendall(b'hello %d\\n' % i)
                    got = b''
                    while not got.endswith(b'\\n'): got += s.recv(100)
                    if idle: time.sleep(idle)
                    s.sendall(b'again %d\\n' % i)
                    got2 = b''
                    while not got2.endswith(b'\\n'):
                        k = s.recv(100)
                        if not k: raise Exception('eof')
                        got2 += k
                    s.shutdown(socket.SHUT_WR)
                    s.recv(1)
                    s.close()
                    ok = got == b'hello %d\\n' % i and got2 == b'again %d\\n' % i
                    with lock: out.append(('ok %d' if ok else 'err %d bad echo') % p)
                except Exception as e:
                    with lock: out.append('err %d %r' % (p, e))
            for start in range(0, n, par):
                ts = [threading.Thread(target=one, args=(i,)) for i in range(start, min(n, start + par))]
                for t in ts: t.start()
                for t in ts: t.join()
            print('\\n'.join(out), flush=True)
            """;

    private static String ns;
    private static TunShards shards;
    private static final Map<Integer, Set<Integer>> accepted = new ConcurrentHashMap<>();
    private static final List<TcpServerSocket> servers = new ArrayList<>();
    /** The shards' RSTs: one for a connection in use fails a test; one after a clean close does not (RstWatch). */
    private static RstWatch rsts;

    @BeforeAll
    static void setUp() throws Exception {
        RootEnv.requireTun();
        org.junit.jupiter.api.Assumptions.assumeTrue(LinuxNet.findOnPath("python3") != null, "needs python3 (scripts/install-deps.sh)");
        ns = RootEnv.netnsName();
        rsts = new RstWatch(); // per class run: the same seed gives the same ports again
        LinuxNet.netnsAdd(ns);
        LinuxNet.linkUp(ns, "lo");
        shards = TunHost.builder(RootEnv.ifName('q')).address("10.213.15.2/24").hostAddress("10.213.15.1/24").netns(ns)
                .seed(15).tracer(rsts).openShards(2);
        assertNull(shards.fallback(), "this kernel accepts IFF_MULTI_QUEUE");
        assertEquals(2, shards.size());
        // an echo server on every shard, each noting the client ports it accepted
        for (TunHost h : shards.shards()) {
            TcpServerSocket server = new TcpServerSocket(h.net(), 7015, 128);
            servers.add(server);
            Set<Integer> ports = ConcurrentHashMap.newKeySet();
            accepted.put(h.shard(), ports);
            Thread.ofVirtual().start(() -> {
                while (true) {
                    TcpSocket s;
                    try {
                        s = server.accept();
                    } catch (java.io.IOException e) {
                        return;
                    }
                    ports.add(s.getPort());
                    Thread.ofVirtual().start(() -> echo(s));
                }
            });
        }
    }

    private static void echo(TcpSocket s) {
        try (s) {
            s.setSoTimeout(30_000);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            byte[] buf = new byte[256];
            int n;
            while ((n = in.read(buf)) > 0) out.write(buf, 0, n);
        } catch (java.io.IOException ignored) {
            // the client's error report says what went wrong
        }
    }

    @AfterAll
    static void tearDown() {
        for (TcpServerSocket s : servers) s.close();
        if (shards != null) shards.close();
        if (ns != null) LinuxNet.netnsDeleteQuietly(ns);
    }

    @Test
    void everyConnectionStaysOnOneShardAndNoneIsReset() throws Exception {
        Map<Integer, Integer> shardOf = run(50, 10, 0);
        long perShard0 = shardOf.values().stream().filter(q -> q == 0).count();
        System.out.printf("[queues] 50 connections: %d on shard 0, %d on shard 1; counters %s%n",
                perShard0, 50 - perShard0, shards.counters());
        assertTrue(perShard0 > 0 && perShard0 < 50, "the kernel spread 50 flows over both queues: " + perShard0 + " on shard 0");
    }

    /** Echoes a line at once, stays silent IDLE seconds, sends "late", expects "bye". */
    private static final String PY_LATE = """
            import socket, sys, threading, time
            l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            l.bind((sys.argv[1], int(sys.argv[2]))); l.listen(64)
            idle = float(sys.argv[3])
            print('ready', flush=True)
            def one(c):
                f = c.makefile('rwb')
                f.write(f.readline()); f.flush()
                time.sleep(idle)
                f.write(b'late\\n'); f.flush()
                f.readline(); c.close()
            while True:
                c, _ = l.accept()
                threading.Thread(target=one, args=(c,)).start()
            """;

    @Test
    void idleConnectionsSurviveTheKernelForgettingTheirQueue() throws Exception {
        long steeredBefore = shards.steered(0) + shards.steered(1);
        int resetsBefore = rsts.resets();
        Process server = LinuxNet.netnsStart(ns, "python3", "-c", PY_LATE, "10.213.15.1", "7016", "7");
        try {
            var ready = new java.io.BufferedReader(new java.io.InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("ready", ready.readLine());
            // active opens from both shards: the kernel's flow table sends the replies to the writer's
            // queue until the entry expires 3 s after our last write (TUN_FLOW_EXPIRE); then by hash
            List<TcpSocket> sockets = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                TcpSocket s = new TcpSocket(shards.shards().get(i % 2).net());
                s.connect(shards.first().hostAddress().address(), 7016, 10_000);
                s.setSoTimeout(30_000);
                s.getOutputStream().write(("hi " + i + "\n").getBytes(StandardCharsets.US_ASCII));
                sockets.add(s);
            }
            for (int i = 0; i < sockets.size(); i++) {
                assertEquals("hi " + i, line(sockets.get(i).getInputStream()));
            }
            for (TcpSocket s : sockets) {
                assertEquals("late", line(s.getInputStream()), "the kernel's data after 7 s of silence arrived");
                s.getOutputStream().write("bye\n".getBytes(StandardCharsets.US_ASCII));
                s.close();
            }
        } finally {
            server.destroyForcibly();
        }
        long steered = shards.steered(0) + shards.steered(1) - steeredBefore;
        Map<String, Long> after = shards.counters();
        System.out.printf("[queues] 12 connections idle 7 s: %d frames steered to their shard; RSTs after a clean close so far: %d%n",
                steered, rsts.late());
        assertEquals(resetsBefore, rsts.resets(), () -> "a shard reset a connection: " + after + rsts.resetsSince(resetsBefore));
        // 12 flows re-hashed over 2 queues: about half land on the other shard (all on the right one: 1 in 4096)
        assertTrue(steered > 0, "no frame needed steering: did the kernel's flow entries not expire?");
    }

    private static String line(InputStream in) throws java.io.IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') b.append((char) c);
        return b.toString();
    }

    /** Runs the python clients; asserts every one succeeded, was accepted by exactly one shard, and no RST was sent. */
    private static Map<Integer, Integer> run(int n, int parallel, double idleSeconds) throws Exception {
        Map<String, Long> before = shards.counters();
        int resetsBefore = rsts.resets();
        Process p = LinuxNet.netnsStart(ns, "python3", "-c", PY_CLIENTS, "10.213.15.2", "7015", Integer.toString(n),
                Integer.toString(parallel), Double.toString(idleSeconds));
        String out;
        try {
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "python3 did not finish");
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            p.destroyForcibly();
        }
        Map<Integer, Integer> shardOf = new HashMap<>();
        List<String> lines = out.strip().lines().toList();
        assertEquals(n, lines.size(), out);
        for (String line : lines) {
            assertTrue(line.startsWith("ok "), "a connection failed: " + line + "\n" + out);
            int port = Integer.parseInt(line.substring(3));
            List<Integer> on = new ArrayList<>();
            for (Map.Entry<Integer, Set<Integer>> e : accepted.entrySet()) if (e.getValue().contains(port)) on.add(e.getKey());
            assertEquals(1, on.size(), "client port " + port + " accepted by shards " + on);
            shardOf.put(port, on.getFirst());
        }
        Map<String, Long> after = shards.counters();
        assertEquals(resetsBefore, rsts.resets(), () -> "a shard reset a connection: " + after + rsts.resetsSince(resetsBefore));
        assertEquals(before.getOrDefault("tcp.in.rsts", 0L), after.getOrDefault("tcp.in.rsts", 0L), "the kernel sent a RST: " + after);
        return shardOf;
    }
}
