package org.netstack4j.tcp;

import java.lang.management.ManagementFactory;
import java.util.ArrayDeque;
import org.netstack4j.time.Time;
import org.netstack4j.trace.Counters;
import org.netstack4j.trace.Tracer;
import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.TcpRepr;

/**
 * Measures the heap cost of idle ESTABLISHED connections: two TcpLayers wired back to back in
 * one thread (a lossless, zero-latency wire in virtual time), N connections opened in batches,
 * then the used heap after a full GC minus the used heap before. Shared by
 * {@link ManyConnectionsScaleTest}; also a command-line tool:
 * <pre>
 *   java -Xmx4g -cp core/target/classes:core/target/test-classes org.netstack4j.tcp.IdleFootprint 1000000 [histo] [exchange]
 * </pre>
 * "histo" also prints the top of {@code jcmd PID GC.class_histogram} while the connections are alive;
 * "exchange" then sends one byte each way on every connection, lets the delayed ACKs fire, and
 * measures again (idle after activity).
 */
public final class IdleFootprint {
    static final Ipv4Address SERVER = Ipv4Address.parse("10.0.0.2");
    static final int SERVER_PORT = 80;
    static final int PORTS_PER_ADDRESS = 50_000;
    private static final byte[] EMPTY = new byte[0];

    /** A segment on the wire; payload copied (TcpOutput's slice is only valid during the call). */
    record Pkt(boolean toServer, IpAddress src, IpAddress dst, TcpRepr tcp, byte[] payload) {}

    /** Client layer, server layer, the wire between them, and both ends of every connection. */
    static final class Pair {
        final ArrayDeque<Pkt> wire = new ArrayDeque<>();
        final TcpLayer client, server;
        final TcpListener listener;
        TcpConnection[] clientEnds = new TcpConnection[0], serverEnds = new TcpConnection[0];
        int opened, accepted;
        long now = Time.s(1);
        long delivered;

        Pair(TcpConfig cfg, long seed) {
            client = new TcpLayer(cfg, out(true), Tracer.NONE, new Counters(), seed);
            server = new TcpLayer(cfg, out(false), Tracer.NONE, new Counters(), seed + 1);
            listener = server.listen(now, Ipv4Address.ANY, SERVER_PORT, 1 << 20, l -> {
                TcpConnection c;
                while ((c = l.accept()) != null) serverEnds[accepted++] = c;
            });
        }

        private TcpOutput out(boolean toServer) {
            return (now, src, dst, tcp, p, off, len) ->
                    wire.add(new Pkt(toServer, src, dst, tcp, len == 0 ? EMPTY : java.util.Arrays.copyOfRange(p, off, off + len)));
        }

        private final java.util.Map<Integer, Ipv4Address> addresses = new java.util.HashMap<>();

        /** One client address per {@link #PORTS_PER_ADDRESS} connections (shared, as a host's would be). */
        Ipv4Address clientAddress(int i) {
            int a = i / PORTS_PER_ADDRESS;
            return addresses.computeIfAbsent(a, k -> Ipv4Address.of(10, 1 + (k >> 8), k & 0xff, 1));
        }

        /** Opens n more connections, batch by batch, each batch driven until the wire is quiet. */
        void open(int n, int batch) {
            batch = Math.min(batch, server.config().limits().synQueueLimit()); // more SYNs at once would be dropped
            int target = opened + n;
            if (clientEnds.length < target) {
                clientEnds = java.util.Arrays.copyOf(clientEnds, target);
                serverEnds = java.util.Arrays.copyOf(serverEnds, target);
            }
            while (opened < target) {
                int end = Math.min(target, opened + batch);
                for (; opened < end; opened++) {
                    clientEnds[opened] = client.connect(now, clientAddress(opened), 1024 + opened % PORTS_PER_ADDRESS,
                            SERVER, SERVER_PORT, null);
                }
                drain();
                now += Time.us(10);
            }
        }

        /** Delivers everything on the wire (replies included) at the current instant, then runs due timers. */
        void drain() {
            Pkt p;
            while ((p = wire.poll()) != null) {
                delivered++;
                (p.toServer() ? server : client).segmentArrives(now, p.src(), p.dst(), p.tcp(), p.payload(), 0, p.payload().length);
            }
            if (client.pollAt() <= now) client.poll(now);
            if (server.pollAt() <= now) server.poll(now);
            while ((p = wire.poll()) != null) {
                delivered++;
                (p.toServer() ? server : client).segmentArrives(now, p.src(), p.dst(), p.tcp(), p.payload(), 0, p.payload().length);
            }
        }

        /** Jumps virtual time to the earlier pollAt of both layers (bounded by {@code limit}) and runs it. */
        void advanceTo(long limit) {
            while (true) {
                drain();
                long next = Math.min(client.pollAt(), server.pollAt());
                if (next > limit || next == Time.NEVER) break;
                now = Math.max(now, next);
            }
            now = Math.max(now, limit);
            drain();
        }

        int established() {
            int n = 0;
            for (int i = 0; i < opened; i++) if (clientEnds[i].state() == TcpState.ESTABLISHED) n++;
            for (int i = 0; i < accepted; i++) if (serverEnds[i].state() == TcpState.ESTABLISHED) n++;
            return n;
        }
    }

    static long usedHeapAfterGc() {
        var mem = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) { // a few full collections until the figure settles
            System.gc();
            long u = mem.getHeapMemoryUsage().getUsed();
            if (Math.abs(u - used) < 64 * 1024) return Math.min(u, used);
            used = u;
        }
        return used;
    }

    /**
     * Heap bytes per idle ESTABLISHED connection (one end): (used after - used before) / 2n.
     * Counts everything the two layers keep for the connections (connection objects, demux map,
     * timers), excluding the caller's arrays of the connections.
     */
    static double bytesPerConnection(Pair p, long before) {
        long after = usedHeapAfterGc();
        long arrays = 2L * 16 + 2L * 4 * p.clientEnds.length; // the two TcpConnection[] held by this harness
        return (after - before - arrays) / (2.0 * p.opened);
    }

    /** Every client end sends one byte, the server end reads it and answers one, the client reads it; then 1 s passes. */
    static void exchangeOneByteEachWay(Pair p) {
        byte[] one = {1}, in = new byte[8];
        for (int i = 0; i < p.opened; i++) p.clientEnds[i].send(p.now, one, 0, 1);
        p.drain();
        for (int i = 0; i < p.accepted; i++) {
            if (p.serverEnds[i].receive(p.now, in, 0, in.length) != 1) throw new IllegalStateException("server end " + i);
            p.serverEnds[i].send(p.now, one, 0, 1);
        }
        p.drain();
        for (int i = 0; i < p.opened; i++)
            if (p.clientEnds[i].receive(p.now, in, 0, in.length) != 1) throw new IllegalStateException("client end " + i);
        p.advanceTo(p.now + Time.s(1));
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        java.util.List<String> flags = java.util.Arrays.asList(args);
        boolean histo = flags.contains("histo"), exchange = flags.contains("exchange");
        long before = usedHeapAfterGc();
        long t0 = System.nanoTime();
        Pair p = new Pair(TcpConfig.defaults(), 42);
        p.open(n, 10_000);
        long t1 = System.nanoTime();
        System.out.printf("opened %d connection pairs in %.1f s wall, %d segments, %d ends ESTABLISHED%n",
                p.opened, (t1 - t0) / 1e9, p.delivered, p.established());
        double per = bytesPerConnection(p, before);
        System.out.printf("heap: %.0f bytes per idle ESTABLISHED connection end (%.1f MiB for %d ends)%n",
                per, per * 2 * n / (1 << 20), 2 * n);
        long a0 = System.nanoTime();
        for (int i = 0; i < 1000; i++) p.client.pollAt();
        System.out.printf("pollAt: %.0f ns per call with %d connections%n", (System.nanoTime() - a0) / 1000.0,
                p.client.connectionCount() + p.server.connectionCount());
        if (histo) {
            long pid = ProcessHandle.current().pid();
            Process pr = new ProcessBuilder("jcmd", Long.toString(pid), "GC.class_histogram").redirectErrorStream(true).start();
            try (var r = new java.io.BufferedReader(new java.io.InputStreamReader(pr.getInputStream()))) {
                r.lines().limit(25).forEach(System.out::println);
            }
            pr.waitFor();
        }
        if (exchange) {
            exchangeOneByteEachWay(p);
            System.out.printf("after one byte each way on every connection: %.0f bytes per connection end%n",
                    bytesPerConnection(p, before));
        }
        if (p.established() != 2 * n) throw new IllegalStateException("not all established");
        System.out.println(p.client.connectionCount() + p.server.connectionCount() + " connections kept alive");
    }
}
