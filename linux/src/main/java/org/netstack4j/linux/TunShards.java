package org.netstack4j.linux;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Function;

import org.netstack4j.tcp.TcpConfig;

/**
 * One TUN opened with IFF_MULTI_QUEUE as N queues, each served by its own shard: a whole
 * {@link TunHost} (stack, event-loop thread, timers, reader thread) that reads and writes only
 * its own descriptor.
 *
 * <p>Which shard sees a packet: the kernel's tun driver picks the queue of each packet it sends
 * us by flow (automq: its flow table remembers the queue a flow was last written from, new flows
 * go by hash), so a connection normally stays on the shard that writes its packets. The flow
 * table forgets a flow after 3 s without a write from our side, so an idle connection's next
 * packet may land on another queue; and UDP sockets live on one shard. The {@link Steering}
 * covers both: each shard notes the TCP flows it opened or accepted (the SYN or SYN,ACK it
 * writes) in a shared lossy table, and a reader that gets a segment of another shard's flow, or
 * any UDP or ICMP packet on a shard other than 0, hands it to that shard's loop (counted per shard
 * as {@code tun.steered_out}). ICMP errors about a TCP flow thus reach shard 0, not the flow's
 * shard (a PMTU update is then missed by a connection on another shard).
 *
 * <p>Shared across shards: the addresses (every shard has all of them), the seed (the same ISN,
 * SYN cookie and IP ID secrets, so a cookie sent by one shard verifies on another), and listeners
 * by convention: a server listens on every shard ({@link #shards()}) and merges what they accept.
 * Not shared: the ephemeral port range, cut into one slice per shard ({@link #portRange}), so two
 * shards never pick the same 4-tuple. UDP sockets belong on {@link #first()}.
 */
public final class TunShards implements AutoCloseable {
    private final List<TunHost> shards;
    private final TunDevice.Queues queues;
    private final Steering steering;

    private TunShards(List<TunHost> shards, TunDevice.Queues queues, Steering steering) {
        this.shards = List.copyOf(shards);
        this.queues = queues;
        this.steering = steering;
    }

    static TunShards open(TunHost.Builder b, int queues) throws IOException {
        if (queues < 1) throw new IllegalArgumentException("queues must be at least 1: " + queues);
        List<Cidr> kernel = List.copyOf(b.hostAddresses());
        TunHost.checkAddresses(List.copyOf(b.addresses()), kernel);
        if (queues == 1) {
            TunHost one = b.open();
            return new TunShards(List.of(one), new TunDevice.Queues(List.of(one.tun()), 1, null), null);
        }
        TunDevice.Queues q = TunDevice.openQueues(b.name(), b.mtu(), b.offload(), queues);
        List<TunDevice> devices = q.devices();
        List<TunHost> hosts = new ArrayList<>();
        try {
            TunHost.configureKernel(b, devices.getFirst().name(), kernel);
            Steering steering = devices.size() == 1 ? null : new Steering(devices.size(), b.seed());
            KnownSources known = new KnownSources(b.seed()); // one table: a client's SYNs land on any queue
            for (int i = 0; i < devices.size(); i++) {
                TunHost h = new TunHost(b, devices.get(i), i, steering, known);
                hosts.add(h);
                if (steering != null) steering.hosts[i] = h;
            }
            return new TunShards(hosts, q, steering);
        } catch (IOException | RuntimeException e) {
            for (TunHost h : hosts) h.close();
            for (int i = hosts.size(); i < devices.size(); i++) devices.get(i).close(); // idempotent
            throw e;
        }
    }

    /** The shards, one per queue, in queue order. */
    public List<TunHost> shards() { return shards; }

    /** Shard 0: where UDP sockets and single connections go. */
    public TunHost first() { return shards.getFirst(); }

    public int size() { return shards.size(); }

    /** The interface name. */
    public String name() { return first().name(); }

    /** Queues asked for. */
    public int asked() { return queues.asked(); }

    /** Why fewer queues than asked for were opened (the kernel refused IFF_MULTI_QUEUE, ...), or null. */
    public String fallback() { return queues.fallback(); }

    /**
     * From now on only new connections to these local TCP ports may start on any shard (each shard
     * must listen on them); connection requests to every other port are handed to shard 0, where
     * single-shard services (and their dynamic ports, e.g. FTP data) listen. Without this call every
     * port is spread (every shard is alike, e.g. a gateway intercepting on each).
     */
    public void spreadOnly(int... ports) {
        if (steering != null) steering.spreadOnly(ports);
    }

    /** Frames a shard's reader handed to another shard (index: the reader's shard). */
    public long steered(int shard) { return steering == null ? 0 : steering.steered.get(shard); }

    /**
     * Every shard's counters summed ({@code name value}, non-zero ones), and with more than one
     * shard each shard's own under {@code qN.name}.
     */
    public Map<String, Long> counters() {
        Map<String, Long> sum = new TreeMap<>();
        Map<String, Long> each = new TreeMap<>();
        for (TunHost h : shards) {
            Map<String, Long> c = h.loop().call(() -> h.host().counters().snapshot());
            c = new TreeMap<>(c);
            c.put("tun.rx_queue_drops", h.rxQueueDrops());
            c.put("tun.rx_syns_shed_behind", h.rxSynsShedBehind());
            c.put("tun.steered_out", steered(h.shard()));
            for (Map.Entry<String, Long> e : c.entrySet()) {
                if (e.getValue() == 0) continue;
                sum.merge(e.getKey(), e.getValue(), Long::sum);
                if (shards.size() > 1) each.put("q" + h.shard() + "." + e.getKey(), e.getValue());
            }
        }
        sum.putAll(each);
        return sum;
    }

    /** {@link TunHost#resetCounters} on every shard: {@link #counters} counts from now on. */
    public void resetCounters() {
        for (TunHost h : shards) h.resetCounters();
    }

    /**
     * Waits until no frame has been read for {@code quietNanos} on any shard (at most {@code
     * maxNanos}): e.g. until the replies to traffic this process sent have come back.
     */
    public void awaitQuiet(long quietNanos, long maxNanos) throws InterruptedException {
        long start = System.nanoTime(), last = -1, quietSince = start;
        while (System.nanoTime() - start < maxNanos) {
            long read = 0;
            for (TunHost h : shards) read += h.rxFramesRead();
            long now = System.nanoTime();
            if (read != last) {
                last = read;
                quietSince = now;
            } else if (now - quietSince >= quietNanos) {
                return;
            }
            Thread.sleep(10);
        }
    }

    /** Runs {@code f} on every shard's loop and returns the results in shard order. */
    public <T> List<T> onEach(Function<TunHost, T> f) {
        List<T> out = new ArrayList<>();
        for (TunHost h : shards) out.add(h.loop().call(() -> f.apply(h)));
        return out;
    }

    /** Closes every shard (the interface disappears with its last queue). */
    @Override public void close() {
        for (int i = shards.size() - 1; i >= 0; i--) shards.get(i).close();
    }

    @Override public String toString() {
        return "TunShards[" + name() + " x" + shards.size() + (fallback() == null ? "" : " (" + fallback() + ")") + "]";
    }

    /**
     * The slice of the ephemeral range {@code [min, max]} that shard {@code shard} of {@code shards}
     * uses: contiguous, disjoint, covering the range, sizes differing by at most one.
     */
    static int[] portRange(int min, int max, int shard, int shards) {
        if (shards < 1 || shard < 0 || shard >= shards) throw new IllegalArgumentException("shard " + shard + " of " + shards);
        int count = max - min + 1;
        if (count < shards) throw new IllegalArgumentException("ephemeral range " + min + "-" + max + " is smaller than " + shards + " shards");
        int lo = min + (int) ((long) count * shard / shards);
        int hi = min + (int) ((long) count * (shard + 1) / shards) - 1;
        return new int[] {lo, hi};
    }

    /** {@code c} with its ephemeral range cut to shard {@code shard}'s slice. */
    static TcpConfig portsOf(TcpConfig c, int shard, int shards) {
        int[] r = portRange(c.limits().ephemeralPortMin(), c.limits().ephemeralPortMax(), shard, shards);
        // lo is within the old range, so setting the minimum first never makes min > max
        return c.withLimits(l -> l.withEphemeralPortMin(r[0]).withEphemeralPortMax(r[1]));
    }

    /** Shard N's capture file: name.pcap becomes name.qN.pcap. */
    static Path pcapOf(Path p, int shard) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        String q = dot > 0 ? n.substring(0, dot) + ".q" + shard + n.substring(dot) : n + ".q" + shard;
        return p.resolveSibling(q);
    }

    /**
     * Which shard owns a TCP flow: a lossy table of 2^16 slots (a flow's slot is a keyed hash of its
     * 4-tuple; a later flow in the same slot replaces it, so the table is bounded under any SYN
     * flood, and a forgotten flow simply stays on the queue the kernel chose, as without steering).
     * Written by a shard's loop when it writes a SYN or SYN,ACK; read by every reader thread.
     */
    static final class Steering {
        static final int SLOTS = 1 << 16;
        private final int shards;
        private final long k0, k1;
        private final AtomicLongArray table = new AtomicLongArray(SLOTS);
        final AtomicLongArray steered;
        final TunHost[] hosts;
        /** When set: the only local TCP ports whose new connections may start on any shard; other SYNs go to shard 0. */
        private volatile java.util.BitSet spread;

        Steering(int shards, long seed) {
            if (shards < 2 || shards > 255) throw new IllegalArgumentException("2..255 shards, not " + shards);
            this.shards = shards;
            java.util.SplittableRandom r = new java.util.SplittableRandom(seed ^ 0x51A2D5L);
            this.k0 = r.nextLong();
            this.k1 = r.nextLong();
            this.steered = new AtomicLongArray(shards);
            this.hosts = new TunHost[shards];
        }

        int shards() { return shards; }

        /** On shard {@code shard}'s loop, for each packet it writes: a SYN or SYN,ACK makes the flow its own. */
        void sent(int shard, byte[] p) {
            int t = transportOffset(p);
            if (t < 0 || protocol(p) != 6 || t + 14 > p.length || (p[t + 13] & 0x02) == 0) return;
            long h = flowHash(p, t, false);
            table.set(slot(h), tag(h) | (shard + 1));
        }

        /**
         * Which shard must handle a packet read from the kernel, or -1 for the one that read it: a
         * TCP segment (other than a SYN without ACK: a new connection goes to the shard the kernel
         * chose) of a flow the table knows, or shard 0 for UDP.
         */
        int ownerOf(byte[] p) {
            int proto = protocol(p);
            if (proto == 17 || proto == 1 || proto == 58) return 0; // UDP sockets and pings live on shard 0
            if (proto != 6) return -1;
            int t = transportOffset(p);
            if (t < 0 || t + 14 > p.length) return -1;
            if ((p[t + 13] & 0x12) == 0x02) {
                java.util.BitSet only = spread;
                return only == null || only.get(((p[t + 2] & 0xff) << 8) | (p[t + 3] & 0xff)) ? -1 : 0;
            }
            long h = flowHash(p, t, true);
            long e = table.get(slot(h));
            return e != 0 && (e & ~0xFFL) == tag(h) ? (int) (e & 0xFF) - 1 : -1;
        }

        void spreadOnly(int... ports) {
            java.util.BitSet b = new java.util.BitSet(65536);
            for (int port : ports) b.set(port);
            spread = b;
        }

        /** On shard {@code shard}'s reader: true if the frame went to another shard's loop. */
        boolean forwarded(int shard, byte[] frame) { return forwarded(shard, frame, 0); }

        /** The same, handing on what the device said of the frame ({@code info}: a partial checksum stays partial). */
        boolean forwarded(int shard, byte[] frame, int info) {
            int owner = ownerOf(frame);
            if (owner < 0 || owner == shard) return false;
            TunHost target = hosts[owner];
            if (target == null) return false; // still starting
            try {
                target.deliverForwarded(frame, info);
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                return true; // that shard is shutting down: the frame is lost as on a closed interface
            }
            steered.incrementAndGet(shard);
            return true;
        }

        private static int slot(long h) { return (int) (h >>> 48) & (SLOTS - 1); }

        private static long tag(long h) { return h & ~0xFFL; }

        /** IP protocol / next header of an IPv4 or IPv6 packet (IPv6 without extension headers), else -1. */
        static int protocol(byte[] p) {
            if (p.length < 20) return -1;
            return switch ((p[0] & 0xf0) >>> 4) {
                case 4 -> p[9] & 0xff;
                case 6 -> p.length < 40 ? -1 : p[6] & 0xff;
                default -> -1;
            };
        }

        /** Where the TCP/UDP header starts (IPv4 first fragments only), or -1. */
        static int transportOffset(byte[] p) {
            if (p.length < 20) return -1;
            int version = (p[0] & 0xf0) >>> 4;
            if (version == 4) {
                if ((((p[6] & 0x1f) << 8) | (p[7] & 0xff)) != 0) return -1; // not the first fragment: no ports
                return (p[0] & 0x0f) * 4;
            }
            return version == 6 && p.length >= 40 ? 40 : -1;
        }

        /**
         * A keyed hash of the flow's (remote address, local address, remote port, local port): for
         * a packet read ({@code inbound}) the remote side is the source, for one written the destination.
         */
        long flowHash(byte[] p, int t, boolean inbound) {
            boolean v6 = (p[0] & 0xf0) == 0x60;
            int addrLen = v6 ? 16 : 4;
            int src = v6 ? 8 : 12, dst = src + addrLen;
            int remote = inbound ? src : dst, local = inbound ? dst : src;
            int remotePort = inbound ? t : t + 2, localPort = inbound ? t + 2 : t;
            long h = k0;
            for (int i = 0; i < addrLen; i++) h = mix(h, p[remote + i]);
            for (int i = 0; i < addrLen; i++) h = mix(h, p[local + i]);
            h = mix(h, p[remotePort]);
            h = mix(h, p[remotePort + 1]);
            h = mix(h, p[localPort]);
            h = mix(h, p[localPort + 1]);
            h ^= k1;
            h ^= h >>> 33;
            h *= 0xff51afd7ed558ccdL;
            h ^= h >>> 33;
            h *= 0xc4ceb9fe1a85ec53L;
            return h ^ (h >>> 33);
        }

        private static long mix(long h, byte b) { return (h ^ (b & 0xff)) * 0x100000001b3L; }
    }
}
