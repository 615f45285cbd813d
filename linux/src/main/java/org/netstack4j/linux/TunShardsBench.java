package org.netstack4j.linux;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.netstack4j.socket.TcpServerSocket;
import org.netstack4j.socket.TcpSocket;
import org.netstack4j.tcp.TcpConfig;

/**
 * The multi-queue rows of {@link TunBench}: bulk TCP with offloads over {@value #FLOWS} parallel
 * connections, on a TUN opened as one queue and as two ({@link TunShards}), so both queues carry
 * traffic: {@code tun_offload_bulk_{kernel_to_nsj,nsj_to_kernel}_4flows_{1q,2q}}. Kernel to
 * netstack4j: one python3 process, a thread per connection, each sending for the given time;
 * netstack4j listens on every shard and counts the bytes of all connections from the first byte
 * to the last EOF (the kernel picks each connection's queue by flow hash; the note says how the
 * bytes split). netstack4j to kernel: connection i starts on shard i mod N; a python3 receiver
 * with a thread per connection counts from its first recv to its last EOF.
 */
final class TunShardsBench {
    private TunShardsBench() {}

    static final int FLOWS = 4;
    private static final int CHUNK = 128 * 1024;

    private static final String PY_SEND_N = """
            import socket, sys, threading, time
            host, port, secs, n = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
            socks = [socket.create_connection((host, port), timeout=10) for _ in range(n)]
            b = bytes(%d)
            sent = [0] * n
            end = time.monotonic() + secs
            def one(i):
                s = socks[i]; s.settimeout(None)
                while time.monotonic() < end:
                    s.sendall(b); sent[i] += len(b)
                s.close()
            ts = [threading.Thread(target=one, args=(i,)) for i in range(n)]
            for t in ts: t.start()
            for t in ts: t.join()
            print('sent', sum(sent), flush=True)
            """.formatted(CHUNK);

    private static final String PY_RECV_N = """
            import socket, sys, threading, time
            l = socket.socket()
            l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            l.bind((sys.argv[1], int(sys.argv[2])))
            n = int(sys.argv[3])
            l.listen(n)
            print('ready', flush=True)
            lock = threading.Lock(); first = [None]; last = [0.0]; total = [0]
            def one(c):
                b = bytearray(%d); got = 0
                k = c.recv_into(b)
                with lock:
                    if first[0] is None: first[0] = time.monotonic()
                while k:
                    got += k
                    k = c.recv_into(b)
                with lock:
                    total[0] += got; last[0] = max(last[0], time.monotonic())
            ts = []
            for _ in range(n):
                c, _ = l.accept()
                t = threading.Thread(target=one, args=(c,)); t.start(); ts.append(t)
            for t in ts: t.join()
            print('result', total[0], last[0] - first[0], flush=True)
            """.formatted(CHUNK);

    /** Adds the rows for 1 and 2 queues; addresses 10.215.{@code net}.x. */
    static void rows(List<TunBench.Row> rows, String tag, int net, double seconds, Double veth, String vethNote, Double ceiling,
                     PrintStream log) {
        for (int queues : new int[] {1, 2}) {
            String suffix = "_" + FLOWS + "flows_" + queues + "q";
            String k2nName = "tun_offload_bulk_kernel_to_nsj" + suffix;
            String n2kName = "tun_offload_bulk_nsj_to_kernel" + suffix;
            String tunNs = "nsjb-" + tag + "-m" + queues;
            Double k2n = null, n2k = null;
            String k2nNote = "", n2kNote = "", agreed = "not opened", problem = null;
            try {
                LinuxNet.netnsAdd(tunNs);
                TcpConfig cfg = TcpConfig.defaults().withBuffers(bf -> bf.withReceiveBufferSize(TunBench.NSJ_BUFFER)
                        .withSendBufferSize(TunBench.NSJ_BUFFER));
                try (TunShards shards = TunHost.builder("nsjb" + tag + "m" + queues).mtu(TunBench.MTU).netns(tunNs).offload(true)
                        .address("10.215." + net + ".2/24").hostAddress("10.215." + net + ".1/24").tcpConfig(cfg).openShards(queues)) {
                    if (shards.fallback() != null) log.println("  " + shards.fallback());
                    log.println(k2nName + " ...");
                    try {
                        TunBench.CpuMeter cpu = TunBench.CpuMeter.start();
                        long[] perShard = new long[shards.size()];
                        k2n = kernelToNsj(shards, tunNs, seconds, perShard);
                        k2nNote = "bytes per shard " + java.util.Arrays.toString(perShard) + "; CPU: " + cpu.stop();
                        log.println("  " + k2nNote);
                    } catch (Exception e) {
                        problem = "kernel_to_nsj: " + e;
                        log.println(k2nName + " failed: " + e);
                    }
                    log.println(n2kName + " ...");
                    try {
                        TunBench.CpuMeter cpu = TunBench.CpuMeter.start();
                        n2k = nsjToKernel(shards, tunNs, seconds);
                        n2kNote = "CPU: " + cpu.stop();
                        log.println("  " + n2kNote);
                    } catch (Exception e) {
                        problem = (problem == null ? "" : problem + "; ") + "nsj_to_kernel: " + e;
                        log.println(n2kName + " failed: " + e);
                    }
                    agreed = shards.size() + " queue(s) (asked " + queues + "), offloads " + shards.first().tun().offloads();
                    for (TunHost h : shards.shards())
                        if (h.rxQueueDrops() > 0) log.println("note: shard " + h.shard() + " reader queue dropped " + h.rxQueueDrops() + " frames");
                }
            } catch (Exception e) {
                problem = "TUN setup: " + e;
                log.println("tun_offload_bulk_*" + suffix + " TUN setup failed: " + e);
            } finally {
                LinuxNet.netnsDeleteQuietly(tunNs);
            }
            String setup = agreed + "; " + FLOWS + " connections at once; netstack4j TcpConfig.defaults() with "
                    + (TunBench.NSJ_BUFFER >> 10) + " KiB send/receive buffers; " + vethNote + "; ";
            rows.add(TunBench.bulkRow(k2nName, k2n, veth, ceiling, "python3, a thread per connection, sendall(128 KiB) loops "
                    + "(kernel TCP) -> netstack4j listening on every shard, MTU 1500; payload counted by netstack4j from the first "
                    + "read to the last EOF; " + setup + k2nNote, problem));
            rows.add(TunBench.bulkRow(n2kName, n2k, veth, ceiling, "netstack4j TcpSocket write(128 KiB) loops, connection i on "
                    + "shard i mod queues -> python3 recv_into, a thread per connection (kernel TCP); payload counted from the first "
                    + "recv to the last EOF; " + setup + n2kNote, problem));
        }
    }

    /** {@value #FLOWS} python3 connections to netstack4j; Gbit/s of all of them; {@code perShard} gets each shard's bytes. */
    static double kernelToNsj(TunShards shards, String ns, double seconds, long[] perShard) throws Exception {
        int port = 5211;
        List<TcpServerSocket> servers = new ArrayList<>();
        AtomicLong firstByte = new AtomicLong(Long.MAX_VALUE), lastEof = new AtomicLong();
        AtomicLong[] bytes = new AtomicLong[shards.size()];
        List<Thread> readers = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.CountDownLatch accepted = new java.util.concurrent.CountDownLatch(FLOWS);
        try {
            for (TunHost h : shards.shards()) {
                TcpServerSocket server = new TcpServerSocket(h.net(), port, FLOWS);
                servers.add(server);
                AtomicLong counted = bytes[h.shard()] = new AtomicLong();
                Thread.ofVirtual().start(() -> {
                    while (true) {
                        TcpSocket s;
                        try {
                            s = server.accept();
                        } catch (IOException closed) {
                            return;
                        }
                        accepted.countDown();
                        readers.add(Thread.ofVirtual().start(() -> drain(s, counted, firstByte, lastEof, seconds)));
                    }
                });
            }
            Process sender = LinuxNet.netnsStart(ns, "python3", "-c", PY_SEND_N, shards.first().address().address().toString(),
                    Integer.toString(port), Double.toString(seconds), Integer.toString(FLOWS));
            try {
                if (!accepted.await(15, TimeUnit.SECONDS)) throw new IOException("only " + (FLOWS - accepted.getCount()) + " connections came");
                for (Thread t : List.copyOf(readers)) t.join((long) (seconds * 1000) + 30_000);
                if (!sender.waitFor((long) seconds + 15, TimeUnit.SECONDS)) throw new IOException("python3 sender did not finish");
                String out = new String(sender.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!out.contains("sent")) throw new IOException("python3 sender: " + out.strip());
            } finally {
                sender.destroyForcibly();
            }
        } finally {
            servers.forEach(TcpServerSocket::close);
        }
        long total = 0;
        for (int i = 0; i < bytes.length; i++) total += perShard[i] = bytes[i].get();
        return total * 8 / ((lastEof.get() - firstByte.get()) / 1e9) / 1e9;
    }

    private static void drain(TcpSocket s, AtomicLong counted, AtomicLong firstByte, AtomicLong lastEof, double seconds) {
        try (s) {
            s.setSoTimeout((int) (seconds * 1000) + 15_000);
            InputStream in = s.getInputStream();
            byte[] buf = new byte[CHUNK];
            int n = in.read(buf);
            firstByte.accumulateAndGet(System.nanoTime(), Math::min);
            long total = Math.max(n, 0);
            while (n >= 0) {
                n = in.read(buf);
                if (n > 0) total += n;
            }
            lastEof.accumulateAndGet(System.nanoTime(), Math::max);
            counted.addAndGet(total);
        } catch (IOException e) {
            // the sender's result says the run failed
        }
    }

    /** {@value #FLOWS} netstack4j connections (connection i on shard i mod N) to python3; Gbit/s as the receiver counted. */
    static double nsjToKernel(TunShards shards, String ns, double seconds) throws Exception {
        int port = 5212;
        Process receiver = LinuxNet.netnsStart(ns, "python3", "-c", PY_RECV_N, shards.first().hostAddress().address().toString(),
                Integer.toString(port), Integer.toString(FLOWS));
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(receiver.getInputStream(), StandardCharsets.UTF_8));
            String ready = lines.readLine();
            if (!"ready".equals(ready)) throw new IOException("python3 receiver: " + ready);
            List<Thread> writers = new ArrayList<>();
            List<IOException> failures = java.util.Collections.synchronizedList(new ArrayList<>());
            // closed only once the receiver reported: a close right after the FIN could outrun the queued data
            List<TcpSocket> sockets = java.util.Collections.synchronizedList(new ArrayList<>());
            long end = System.nanoTime() + (long) (seconds * 1e9);
            for (int i = 0; i < FLOWS; i++) {
                TunHost h = shards.shards().get(i % shards.size());
                writers.add(Thread.ofVirtual().start(() -> {
                    TcpSocket s = new TcpSocket(h.net());
                    sockets.add(s);
                    try {
                        s.connect(h.hostAddress().address(), port, 10_000);
                        OutputStream out = s.getOutputStream();
                        byte[] buf = new byte[CHUNK];
                        while (System.nanoTime() < end) out.write(buf);
                        s.shutdownOutput();
                    } catch (IOException e) {
                        failures.add(e);
                    }
                }));
            }
            try {
                for (Thread t : writers) t.join();
                if (!failures.isEmpty()) throw failures.getFirst();
                for (String l; (l = lines.readLine()) != null; ) {
                    if (l.startsWith("result ")) {
                        String[] f = l.split(" ");
                        return Long.parseLong(f[1]) * 8 / Double.parseDouble(f[2]) / 1e9;
                    }
                }
                throw new IOException("python3 receiver gave no result");
            } finally {
                for (TcpSocket s : sockets) s.close();
            }
        } finally {
            receiver.destroyForcibly();
        }
    }

    /** The row names, for {@link TunBench}'s skipped list. */
    static List<String> names() {
        List<String> n = new ArrayList<>();
        for (int q : new int[] {1, 2}) {
            n.add("tun_offload_bulk_kernel_to_nsj_" + FLOWS + "flows_" + q + "q");
            n.add("tun_offload_bulk_nsj_to_kernel_" + FLOWS + "flows_" + q + "q");
        }
        return n;
    }
}
