package org.netstack4j.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.management.ObjectName;
import org.netstack4j.tcp.TcpConfig;
import org.netstack4j.tcp.TcpConnection;
import org.netstack4j.tcp.TcpEventListener;
import org.netstack4j.tcp.TcpState;
import org.netstack4j.wire.Ipv4Address;

/**
 * {@code idle_bytes}: memory per idle ESTABLISHED connection endpoint (one side of a
 * connection: a TcpConnection here, a socket in the kernel). Both sides of every connection
 * live on the measured host, so the difference is divided by 2N.
 */
final class IdleRows {
    static final int BASE_PORT = 6000, PORTS = 8;

    private IdleRows() {}

    /** A measurement: bytes per endpoint and how it was obtained. */
    record Result(double bytesPerEndpoint, String detail) {}

    /**
     * N connections between the two hosts of a {@link MemNet}, opened through the
     * non-blocking API (explicit client ports, 8 server ports), accepted and held. Live heap
     * is measured with a class histogram (which runs a full GC) before and after.
     */
    static Result netstack4j(int n) {
        MemNet net = new MemNet(TcpConfig.defaults());
        List<TcpConnection> accepted = new ArrayList<>(n);
        List<TcpConnection> opened = new ArrayList<>(n);
        long now = System.nanoTime();
        for (int p = 0; p < PORTS; p++) {
            net.b.tcp().listen(now, Ipv4Address.ANY, BASE_PORT + p, 1 << 20, l -> {
                TcpConnection c;
                while ((c = l.accept()) != null) accepted.add(c);
            });
        }
        Map<String, long[]> before = Histogram.take();
        for (int i = 0; i < n; i++) {
            int localPort = 1024 + i / PORTS;
            opened.add(net.a.tcp().connect(now, MemNet.A, localPort, MemNet.B, BASE_PORT + i % PORTS, TcpEventListener.NONE));
            if (i % 512 == 511) net.pump(now);
        }
        net.pump(now);
        long established = opened.stream().filter(c -> c.state() == TcpState.ESTABLISHED).count();
        if (established != n || accepted.size() != n)
            throw new IllegalStateException("idle_bytes: " + established + " client / " + accepted.size() + " server established of " + n);
        Map<String, long[]> after = Histogram.take();
        Reference.reachabilityFence(net);
        Reference.reachabilityFence(opened);
        Reference.reachabilityFence(accepted);
        long delta = Histogram.total(after) - Histogram.total(before);
        double per = delta / (2.0 * n);
        return new Result(per, String.format(Locale.ROOT, "live heap +%.1f MB for %d connections (%d endpoints); per endpoint: %s",
                delta / 1e6, n, 2 * n, Histogram.top(before, after, 2L * n, 6)));
    }

    /**
     * The kernel: N connections from a client JVM in the root namespace to the peer JVM (both
     * java.net, held open); /proc/slabinfo read before and after. Per socket = the growth of
     * the sum over all slab caches of active_objs * objsize, divided by 2N (both ends are on
     * this kernel). It includes the socket's file, inode and dentry (a socket is a file), the
     * bind bucket and the TCP sock itself; it counts nothing of the JVMs' heaps.
     */
    static Result kernel(KernelRig rig, int n) throws IOException {
        if (!Files.isReadable(Path.of("/proc/slabinfo")) || slab() == null)
            return new Result(Double.NaN, "n/a: /proc/slabinfo not readable (needs root)");
        int wanted = n;
        n = KernelRig.maxIdleConnections(wanted);
        if (n < 1000) return new Result(Double.NaN, "n/a: the descriptor limit allows only " + n + " connections");
        Map<String, long[]> before = slab();
        Process p = new ProcessBuilder(rig.idleClientCommand(n)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String done = out.readLine();
            if (done == null || !done.equals("DONE " + n)) throw new IOException("idle client: " + done);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            int held;
            while ((held = rig.held()) < n) {
                if (System.nanoTime() > deadline) throw new IOException("kernel peer accepted only " + held + " of " + n);
                sleep(100);
            }
            Map<String, long[]> after = slab();
            long delta = sum(after) - sum(before);
            double per = delta / (2.0 * n);
            return new Result(per, String.format(Locale.ROOT, "slab +%.1f MB (sum over all caches of active_objs*objsize) for %d connections (%d sockets)%s; per socket: %s",
                    delta / 1e6, n, 2 * n, n < wanted ? ", fewer than " + wanted + " because of the descriptor limit" : "",
                    Histogram.top(before, after, 2L * n, 6)));
        } finally {
            Measure.closeQuietly(p.getOutputStream());
            try {
                if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** name -> {active_objs, active_objs * objsize}; null if unreadable. */
    static Map<String, long[]> slab() {
        try {
            Map<String, long[]> m = new HashMap<>();
            for (String line : Files.readAllLines(Path.of("/proc/slabinfo"))) {
                if (line.startsWith("slabinfo") || line.startsWith("#")) continue;
                String[] f = line.trim().split("\\s+");
                if (f.length < 4) continue;
                long active = Long.parseLong(f[1]), size = Long.parseLong(f[3]);
                m.merge(f[0], new long[] {active, active * size}, (x, y) -> new long[] {x[0] + y[0], x[1] + y[1]});
            }
            return m;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static long sum(Map<String, long[]> m) {
        long s = 0;
        for (long[] v : m.values()) s += v[1];
        return s;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Live-object class histograms through the HotSpot diagnostic command MBean (like {@code jcmd GC.class_histogram}). */
    static final class Histogram {
        private Histogram() {}

        /** class -> {instances, bytes}, live objects only (the command runs a full GC first). */
        static Map<String, long[]> take() {
            try {
                Object out = ManagementFactory.getPlatformMBeanServer().invoke(
                        new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                        new Object[] {new String[0]}, new String[] {String[].class.getName()});
                Map<String, long[]> m = new HashMap<>();
                for (String line : out.toString().split("\n")) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length < 4 || !f[0].endsWith(":")) continue;
                    m.put(f[3], new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
                }
                return m;
            } catch (Exception e) {
                // Not HotSpot: fall back to used heap after GC, as one pseudo-class.
                for (int i = 0; i < 3; i++) System.gc();
                long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
                return Map.of("(used heap)", new long[] {0, used});
            }
        }

        static long total(Map<String, long[]> m) { return sum(m); }

        /** The k entries that grew most, in bytes per {@code per}: "TcpConnection 312, byte[] 96, ...". */
        static String top(Map<String, long[]> before, Map<String, long[]> after, long per, int k) {
            List<Map.Entry<String, Long>> grown = new ArrayList<>();
            for (Map.Entry<String, long[]> e : after.entrySet()) {
                long[] b = before.getOrDefault(e.getKey(), new long[2]);
                grown.add(Map.entry(e.getKey(), e.getValue()[1] - b[1]));
            }
            grown.sort((x, y) -> Long.compare(y.getValue(), x.getValue()));
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < Math.min(k, grown.size()); i++) {
                String name = grown.get(i).getKey();
                name = name.substring(name.lastIndexOf('.') + 1);
                if (i > 0) s.append(", ");
                s.append(name).append(' ').append(Math.round(grown.get(i).getValue() / (double) per));
            }
            return s.toString();
        }
    }
}
