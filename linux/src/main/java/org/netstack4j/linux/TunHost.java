package org.netstack4j.linux;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.RejectedExecutionException;
import org.netstack4j.device.Device;
import org.netstack4j.device.FaultConfig;
import org.netstack4j.device.FaultInjector;
import org.netstack4j.device.FramePool;
import org.netstack4j.device.FrameSink;
import org.netstack4j.device.Medium;
import org.netstack4j.device.PcapTap;
import org.netstack4j.device.PcapWriter;
import org.netstack4j.host.Host;
import org.netstack4j.ip.IpInterface;
import org.netstack4j.ip.RoutingTable;
import org.netstack4j.runtime.EventLoop;
import org.netstack4j.runtime.IoRegistration;
import org.netstack4j.runtime.IoSource;
import org.netstack4j.socket.NetStack;
import org.netstack4j.tcp.TcpConfig;
import org.netstack4j.time.Time;
import org.netstack4j.trace.Tracer;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv6Address;

/**
 * A netstack4j {@link Host} on a Linux TUN interface, driven in real time: the glue between
 * the sans-IO stack, the {@link EventLoop} and the kernel.
 *
 * <pre>
 *   kernel --read--> reader thread --queue--> loop thread: [fault] -> [pcap] -> TunPort sink -> IpStack
 *   IpStack -> [fault] -> [pcap] -> TunPort.transmit --write(2) on the loop thread--> kernel
 * </pre>
 *
 * The TUN is opened (and, with {@link Builder#netns}, moved into a network namespace); with
 * {@link Builder#hostAddress}es the kernel's side is addressed and brought up ({@code ip addr add},
 * {@code ip link set up}), otherwise the caller configures it. The interface is dual stack: one
 * IPv4 address and any number of IPv6 ones ({@link Builder#address}, called once per address);
 * each family's first kernel-side address is netstack4j's default gateway for that family. Everything that touches the stack
 * after {@link Builder#open} goes through {@link #loop()} (the sockets of {@link #net()} do this).
 */
public final class TunHost implements AutoCloseable {
    /** System property: the TUN's txqueuelen ({@link Builder#txQueueLength}) when the builder is not told. */
    public static final String TXQUEUELEN_PROPERTY = "netstack4j.tun.txqueuelen";

    /** Frames the reader thread may queue for the loop before dropping (like a NIC ring). */
    public static final int RX_QUEUE_LIMIT = 4096;
    /**
     * System property: {@code false} turns off the recycling of received frames (the reader copies
     * each read into a new array instead of one the stack released; measurements). Read when a host opens.
     */
    static final String RECYCLE_PROPERTY = "netstack4j.tun.recycle";

    /** System property: {@link #RX_SHED_AT}'s value instead (1..{@value #RX_QUEUE_LIMIT}). */
    public static final String SHED_AT_PROPERTY = "netstack4j.tun.shedAt";

    /**
     * Frames waiting for the loop from which connection requests of unknown sources are shed
     * (issue 20): a SYN flood's SYNs then fill at most this much of the receive queue, so the
     * segments of open connections and known clients' SYNs wait behind at most this many (at the
     * 5,500 frames/s a loaded machine's loop managed, 0.1 s; half the queue was 0.4 s). The loop
     * answers as many SYNs either way, while the queue is not empty. Default 512;
     * {@code -D}{@value #SHED_AT_PROPERTY}.
     */
    public static final int RX_SHED_AT = Math.clamp(Integer.getInteger(SHED_AT_PROPERTY, 512), 1, RX_QUEUE_LIMIT);

    private final TunDevice tun;
    private final TunPort port;
    private final Host host;
    private final EventLoop loop;
    private final NetStack net;
    private final List<Cidr> addresses;
    private final List<Cidr> hostAddresses;
    private final FaultInjector faults;
    private final PcapWriter pcap;
    private final IoRegistration registration;
    private boolean closed;

    private final int shard;
    private final TunShards.Steering steering;
    /** Sources that completed a handshake: their SYNs are not shed (shared by the shards of a TUN). */
    private final KnownSources known;
    /** SYNs from known sources read, and those of them kept past the shed (reader thread only: lazySet). */
    private final java.util.concurrent.atomic.AtomicLong knownSyns = new java.util.concurrent.atomic.AtomicLong(),
            knownSynsKept = new java.util.concurrent.atomic.AtomicLong();

    /** One queue, the whole interface: opens the TUN, configures the kernel side, starts the stack. */
    private static TunHost openSingle(Builder b) throws IOException {
        List<Cidr> ours = List.copyOf(b.addresses);
        List<Cidr> kernel = List.copyOf(b.hostAddresses);
        checkAddresses(ours, kernel);
        TunDevice opened = TunDevice.open(b.name, b.mtu, b.offload);
        try {
            configureKernel(b, opened.name(), kernel);
        } catch (IOException | RuntimeException e) {
            opened.close();
            throw e;
        }
        return new TunHost(b, opened, 0, null, new KnownSources(b.seed));
    }

    /**
     * Moves the interface into the namespace and gives the kernel side its addresses, once per
     * interface (not per queue).
     */
    static void configureKernel(Builder b, String name, List<Cidr> kernel) throws IOException {
        if (b.netns != null) LinuxNet.linkSetNetns(name, b.netns);
        // the kernel's queue of packets for us (each TUN queue's ring is txqueuelen long): what it
        // cannot hold while we are behind is dropped before we see it
        if (b.txQueueLength > 0) LinuxNet.ip(b.netns, "link", "set", "dev", name, "txqueuelen", Integer.toString(b.txQueueLength));
        for (Cidr k : kernel) {
            // a TUN is NOARP, so the kernel skips duplicate address detection there anyway; nodad says so
            if (k instanceof Ipv6Cidr) LinuxNet.ip(b.netns, "-6", "addr", "add", k.toString(), "dev", name, "nodad");
            else LinuxNet.addressAdd(b.netns, name, k.toString());
        }
        if (!kernel.isEmpty()) LinuxNet.linkUp(b.netns, name);
    }

    /**
     * A stack on one opened queue of the TUN (the kernel side is already configured); shard
     * {@code shard} of a {@link TunShards} when {@code steering} is not null. Closes {@code opened}
     * if it fails.
     */
    TunHost(Builder b, TunDevice opened, int shard, TunShards.Steering steering, KnownSources known) throws IOException {
        List<Cidr> ours = List.copyOf(b.addresses);
        List<Cidr> kernel = List.copyOf(b.hostAddresses);
        Ipv4Cidr v4 = firstOf(ours, Ipv4Cidr.class); // null: an IPv6-only TUN
        this.shard = shard;
        this.steering = steering;
        // a capture records what the wire carries: received super-packets are then cut into segments
        opened.setMergeReceived(b.pcap == null);
        // a checksum the local kernel left to complete (NEEDS_CSUM) is vouched for and left partial:
        // local delivery needs no sum (as in Linux's stack); a capture completes it (FrameSink#CHECKSUM_PARTIAL)
        opened.leaveVouchedChecksumsPartial(true);
        // reads through io_uring (many outstanding, one io_uring_enter per burst) unless turned off;
        // writes staged and submitted once per loop burst (the loop polls the device after each)
        opened.setIoUring(b.ioUring);
        opened.setBatchedWrites(b.ioUring);
        // received frames the stack is done with go back to the reader (TunPort#framePool); not with
        // a capture (PcapTap keeps no pool anyway) and not when -Dnetstack4j.tun.recycle=false
        boolean recycle = b.pcap == null && !"false".equals(System.getProperty(RECYCLE_PROPERTY));
        opened.setRecycling(recycle);
        PcapWriter writer = null;
        try {
            this.tun = opened;
            this.port = new TunPort(opened, shard, steering, recycle);
            Device dev = port;
            if (b.pcap != null) {
                writer = PcapWriter.open(steering == null ? b.pcap : TunShards.pcapOf(b.pcap, shard), PcapTap.linkTypeOf(Medium.IP));
                dev = new PcapTap(dev, writer);
            }
            // Always present so that loss can be changed while running (setLoss); no faults cost one branch per frame.
            this.faults = new FaultInjector(dev, lossConfig(b.loss), b.seed ^ 0x7A11L ^ shard);
            faults.passFramePool(true); // the port's pool, if recycling (loss only drops: nothing kept)
            this.pcap = writer;
            this.addresses = ours;
            this.hostAddresses = kernel;
            TcpConfig tcpConfig = steering == null ? b.tcpConfig : TunShards.portsOf(b.tcpConfig, shard, steering.shards());
            // one seed for every shard: the same ISN, SYN cookie and IP ID secrets (a cookie sent by
            // one shard verifies on another); the ephemeral ports are partitioned instead
            this.host = new Host(b.hostName, tcpConfig, b.tracer, b.seed);
            host.addInterface(opened.name(), faults, null, v4 == null ? null : v4.address(), v4 == null ? 0 : v4.prefixLength());
            for (Cidr c : ours) if (c instanceof Ipv6Cidr a) host.addIpv6Address(opened.name(), a.address(), a.prefixLength());
            Ipv4Cidr gw4 = firstOf(kernel, Ipv4Cidr.class);
            if (gw4 != null) host.ip().setDefaultGateway(gw4.address());
            Ipv6Cidr gw6 = firstOf(kernel, Ipv6Cidr.class);
            if (gw6 != null) {
                IpInterface iface = host.ip().interfaces().getFirst();
                host.ip().routes().add(new RoutingTable.Route6(Ipv6Address.ANY, 0, gw6.address(), iface));
            }
            String suffix = steering == null ? "" : "-q" + shard;
            this.loop = EventLoop.start("netstack4j-" + opened.name() + suffix, host);
            if (writer != null) writer.setTimeOffset(System.currentTimeMillis() * 1_000_000L - loop.now());
            this.known = known;
            // the port itself, not port::deliver: its receive(now, frame, info) keeps the device's word
            // (merged segment size, checksum verified) that the reader thread read with each frame
            this.registration = loop.register(opened.name() + suffix, new TunSource(opened, shard, steering, known, knownSyns),
                    port, RX_QUEUE_LIMIT, this::sheddable, RX_SHED_AT);
            this.net = NetStack.of(loop, host.tcp(), host.ip());
        } catch (IOException | RuntimeException e) {
            opened.close();
            if (writer != null) {
                try { writer.close(); } catch (IOException ignored) { /* already failing */ }
            }
            throw e;
        }
    }

    /** Which queue (shard) of its interface this stack serves: 0 unless part of a {@link TunShards}. */
    public int shard() { return shard; }

    /** Hands a frame another shard's reader read to this shard's stack (on this loop), with the device's word on it. */
    void deliverForwarded(byte[] frame, int info) {
        loop.execute(() -> port.deliver(loop.now(), frame, info));
    }

    /**
     * At most one IPv4 address (the stack's interface has one, or none: IPv6 only) and any IPv6
     * ones, at least one address in all, no address twice; each
     * kernel-side address in the subnet of one of ours of its family and not equal to any of ours;
     * otherwise an {@link IllegalArgumentException} that says which and why.
     */
    public static void checkAddresses(List<Cidr> ours, List<Cidr> kernel) {
        long v4 = ours.stream().filter(c -> c instanceof Ipv4Cidr).count();
        if (ours.isEmpty())
            throw new IllegalArgumentException("netstack4j needs an address on the TUN, e.g. 10.7.0.2/24 or fd00:7::2/64");
        if (v4 > 1) throw new IllegalArgumentException("one IPv4 address per TUN, not " + v4 + ": " + ours);
        for (int i = 0; i < ours.size(); i++)
            for (int j = i + 1; j < ours.size(); j++)
                if (ours.get(i).address().equals(ours.get(j).address()))
                    throw new IllegalArgumentException("the address " + ours.get(i).address() + " is given twice");
        for (Cidr k : kernel) {
            List<Cidr> same = ours.stream().filter(o -> o.family() == k.family()).toList();
            if (same.isEmpty())
                throw new IllegalArgumentException("the host address " + k + " has no netstack4j address of its family (IPv"
                        + (k instanceof Ipv4Cidr ? 4 : 6) + ") to pair with; add one with --address");
            for (Cidr o : same) if (o.address().equals(k.address())) throw new IllegalArgumentException(o.peerProblem(k));
            if (same.stream().noneMatch(o -> o.peerProblem(k) == null)) throw new IllegalArgumentException(same.getFirst().peerProblem(k));
        }
    }

    private static <T extends Cidr> T firstOf(List<Cidr> cidrs, Class<T> type) {
        for (Cidr c : cidrs) if (type.isInstance(c)) return type.cast(c);
        return null;
    }

    private static FaultConfig lossConfig(double loss) {
        return FaultConfig.builder().loss(loss).bothDirections(true).queueLimit(0).build();
    }

    public static Builder builder(String tunName) { return new Builder(tunName); }

    /** The stack (touch it only on {@link #loop()}'s thread). */
    public Host host() { return host; }

    public EventLoop loop() { return loop; }

    /** Sockets over this host: {@code new TcpSocket(net())}, {@code new TcpServerSocket(net(), 80)}. */
    public NetStack net() { return net; }

    /** The interface name the kernel uses. */
    public String name() { return tun.name(); }

    public TunDevice tun() { return tun; }

    /** netstack4j's IPv4 address on the link, or null on an IPv6-only TUN. */
    public Ipv4Cidr address() { return firstOf(addresses, Ipv4Cidr.class); }

    /** netstack4j's first IPv6 address on the link (besides its link-local one), or null. */
    public Ipv6Cidr address6() { return firstOf(addresses, Ipv6Cidr.class); }

    /** All of netstack4j's configured addresses, in the order given. */
    public List<Cidr> addresses() { return addresses; }

    /** The kernel's IPv4 address on the link, or null (none given, or the caller configures the kernel side). */
    public Ipv4Cidr hostAddress() { return firstOf(hostAddresses, Ipv4Cidr.class); }

    /** The kernel's first IPv6 address on the link, or null. */
    public Ipv6Cidr hostAddress6() { return firstOf(hostAddresses, Ipv6Cidr.class); }

    /** All kernel-side addresses this host configured (empty if the caller configures the kernel side). */
    public List<Cidr> hostAddresses() { return hostAddresses; }

    /** The fault injector between the stack and the TUN (loss both ways); use it on the loop thread. */
    public FaultInjector faults() { return faults; }

    /** Changes the random loss (0..1, each direction) from now on. */
    public void setLoss(double loss) {
        FaultConfig c = lossConfig(loss);
        loop.run(() -> faults.setConfig(c));
    }

    /** What the reader's counters had reached at the last {@link #resetCounters} (read by the getters below). */
    private volatile long[] rxBase = new long[8];

    /**
     * Counts from now on: the stack's counters go back to 0 (on the loop) and the reader's counters
     * ({@link #rxFramesRead} and the others; not the longest wait) count from their present values.
     * {@code serve} calls it after its start-up warm-up, so that what it prints and what a user
     * reads are the served traffic's, not the warm-up's SYNs, SYN,ACKs and the kernel's RSTs.
     */
    public void resetCounters() {
        loop.run(() -> host.counters().reset());
        rxBase = new long[] {registration.dropped(), registration.shed(), registration.shedBehind(), registration.received(),
                registration.delivered(), registration.slowBatches(), knownSyns.get(), knownSynsKept.get()};
    }

    /** Frames the reader thread dropped because the loop fell behind. */
    public long rxQueueDrops() { return registration.dropped() - rxBase[0]; }

    /** Of {@link #rxQueueDrops}, connection requests dropped once {@link #RX_SHED_AT} frames waited. */
    public long rxQueueSynsShed() { return registration.shed() - rxBase[1]; }

    /**
     * Of {@link #rxQueueSynsShed}, those shed while the reader was behind the kernel (frames waiting
     * in the TUN's ring, not in ours: {@link IoRegistration#shedBehind}).
     */
    public long rxSynsShedBehind() { return registration.shedBehind() - rxBase[2]; }

    /** Frames the reader thread read from the TUN (this shard's queue), before any drop. */
    public long rxFramesRead() { return registration.received() - rxBase[3]; }

    /** Frames the loop took from the receive queue. */
    public long rxFramesDelivered() { return registration.delivered() - rxBase[4]; }

    /** The longest a batch of received frames waited for the loop, in nanoseconds ({@link IoRegistration#maxWaitNanos}). */
    public long rxQueueMaxWaitNanos() { return registration.maxWaitNanos(); }

    /** Batches of received frames that waited {@link IoRegistration#SLOW_BATCH_NANOS} or more for the loop. */
    public long rxQueueSlowBatches() { return registration.slowBatches() - rxBase[5]; }

    /**
     * Issue 20: warms this stack's path through the TUN for a SYN flood (what an in-memory warm-up,
     * {@link SynFloodWarmup}, cannot reach: the TUN's reads and writes, the
     * readers' steering and shedding checks). Hands the loop {@code syns} connection requests to
     * {@code listenPort}, as if from the kernel side's IPv4 address with random ports (as frames
     * another queue's reader hands over); the SYN,ACKs (cookies once the SYN queue is full) go out
     * through the TUN to the local kernel, whose RSTs come back through the readers. Nothing goes
     * beyond the kernel side of this TUN. Before that, the readers' checks of a frame (known
     * sources, the shed's rule) run on 100,000 spoofed SYNs (on the calling thread; they change
     * nothing). Stops after {@code maxNanos}; returns the SYNs handed over (0 without an IPv4
     * address on both sides). Counted like any SYN until {@link #resetCounters}.
     */
    public long warmSynPath(int listenPort, long syns, long maxNanos) {
        Ipv4Cidr kernel = firstOf(hostAddresses, Ipv4Cidr.class), ours = firstOf(addresses, Ipv4Cidr.class);
        if (kernel == null || ours == null) return 0;
        SplittableRandom random = new SplittableRandom(shard * 7919L + 20);
        long start = System.nanoTime(), sent = 0;
        // the readers' checks of each frame (KnownSources, the shed's rule) on spoofed SYNs, on this
        // thread: a SYN teaches KnownSources nothing and no spoofed source is known, so no state changes
        for (int i = 0; i < 100_000; i++) {
            byte[] f = SynFloodWarmup.syn(Ipv4Address.of(198, 18 + (i & 1), random.nextInt(256),
                    1 + random.nextInt(254)), ours.address(), 1024 + random.nextInt(60_000), listenPort, random.nextInt(), (i & 3) == 0);
            if (known != null) known.observe(f);
            sheddable(f);
        }
        while (sent < syns && System.nanoTime() - start < maxNanos) {
            byte[][] batch = new byte[512][];
            for (int i = 0; i < batch.length; i++)
                // ports below Linux's ephemeral range (32768-60999): no 4-tuple of a real client of the kernel's
                batch[i] = SynFloodWarmup.syn(kernel.address(), ours.address(), 1024 + random.nextInt(31_744),
                        listenPort, random.nextInt(), (i & 3) == 0);
            loop.run(() -> {
                for (byte[] f : batch) port.deliver(loop.now(), f, 0);
            });
            sent += batch.length;
        }
        return sent;
    }

    /** Connection requests read from sources that completed a handshake before ({@link KnownSources}). */
    public long rxKnownSyns() { return knownSyns.get() - rxBase[6]; }

    /** Of {@link #rxKnownSyns}, those kept while {@link #RX_SHED_AT} or more frames waited (they would have been shed). */
    public long rxKnownSynsKept() { return knownSynsKept.get() - rxBase[7]; }

    /**
     * On the reader thread, once {@link #RX_SHED_AT} frames wait: a connection request is shed,
     * unless its source completed a handshake before ({@link KnownSources}): a flood's random
     * sources are shed, a returning client's SYN is kept like the segments of open connections.
     */
    private boolean sheddable(byte[] p) {
        if (!isConnectionRequest(p)) return false;
        if (shed(p, known)) return true;
        knownSynsKept.lazySet(knownSynsKept.get() + 1);
        return false;
    }

    /** The shed's rule: a connection request ({@link #isConnectionRequest}) from a source not in {@code known}. */
    static boolean shed(byte[] p, KnownSources known) {
        return isConnectionRequest(p) && !known.known(p);
    }

    /**
     * A TCP SYN without ACK, over IPv4 or IPv6: under a SYN flood these are shed first when the
     * loop falls behind (the receive queue beyond {@link #RX_SHED_AT} frames is kept for the segments of
     * connections that got past their SYN, so a handshake or request once started is not lost to
     * the flood). Over IPv6 the TCP header may follow Hop-by-Hop, Routing and Destination Options
     * headers (RFC 8200 4.1; at most {@link #SHED_MAX_EXTENSIONS}); a fragment is never shed.
     */
    static boolean isConnectionRequest(byte[] p) {
        if (p.length < 1) return false;
        int tcpAt = switch ((p[0] & 0xf0) >>> 4) {
            case 4 -> p.length >= 20 && p[9] == 6 ? (p[0] & 0x0f) * 4 : -1;
            case 6 -> ipv6TcpOffset(p);
            default -> -1;
        };
        int flagsAt = tcpAt + 13;
        return tcpAt >= 0 && flagsAt < p.length && (p[flagsAt] & 0x12) == 0x02;
    }

    /** Extension headers walked to find an IPv6 packet's TCP header (a SYN flood's have none). */
    static final int SHED_MAX_EXTENSIONS = 4;

    /** Where the TCP header of an IPv6 packet starts, or -1 (not TCP, a fragment, too many or cut headers). */
    private static int ipv6TcpOffset(byte[] p) {
        if (p.length < 40) return -1;
        int nh = p[6] & 0xff, at = 40;
        // Hop-by-Hop (0), Routing (43), Destination Options (60): length in 8-byte units after the first 8
        for (int i = 0; i < SHED_MAX_EXTENSIONS && (nh == 0 || nh == 43 || nh == 60); i++) {
            if (at + 8 > p.length) return -1;
            nh = p[at] & 0xff;
            at += ((p[at + 1] & 0xff) + 1) * 8;
        }
        return nh == 6 ? at : -1;
    }

    /** Writes buffered pcap records to the file (no-op without --pcap). */
    public void flushPcap() throws IOException {
        if (pcap == null) return;
        try {
            loop.call(() -> {
                pcap.flush();
                return null;
            });
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof IOException io) throw io;
            throw e;
        }
    }

    /**
     * Stops the stack and deletes the TUN interface (connections still open simply vanish: close
     * sockets first for FINs). Order matters: the loop stops writing before the reader thread closes
     * the descriptor, so no write can race the close.
     */
    @Override public synchronized void close() {
        if (closed) return;
        closed = true;
        try {
            loop.run(port::stop);
        } catch (RejectedExecutionException ignored) {
            // loop already gone
        }
        loop.close();
        tun.close();
        if (pcap != null) {
            try {
                pcap.close();
            } catch (IOException ignored) {
                // the capture is best effort at shutdown
            }
        }
    }

    @Override public String toString() {
        return "TunHost[" + tun.name() + " " + join(addresses) + (hostAddresses.isEmpty() ? "" : " peer " + join(hostAddresses)) + "]";
    }

    /** Addresses as {@code ip addr} lists them on one line: "10.7.0.2/24 fd00:7::2/64". */
    public static String join(List<Cidr> cidrs) {
        StringBuilder sb = new StringBuilder();
        for (Cidr c : cidrs) sb.append(sb.isEmpty() ? "" : " ").append(c);
        return sb.toString();
    }

    /** Options for {@link TunHost#builder}. */
    public static final class Builder {
        private final String name;
        private final List<Cidr> addresses = new ArrayList<>();
        private final List<Cidr> hostAddresses = new ArrayList<>();
        private String netns;
        private double loss;
        private long seed = System.nanoTime();
        private Path pcap;
        private int mtu;
        private TcpConfig tcpConfig = TcpConfig.defaults();
        private Tracer tracer = Tracer.NONE;
        private String hostName = "netstack4j";
        private boolean offload = true;
        private boolean ioUring = true;
        private int txQueueLength = Integer.getInteger(TXQUEUELEN_PROPERTY, 0);

        private Builder(String name) { this.name = Objects.requireNonNull(name, "name"); }

        /**
         * Adds an address of netstack4j's, e.g. 10.7.0.2/24 or fd00:7::2/64: exactly one IPv4
         * address (required) and any number of IPv6 ones, one call each.
         */
        public Builder address(Cidr a) { addresses.add(Objects.requireNonNull(a, "address")); return this; }
        public Builder address(String cidr) { return address(Cidr.parse(cidr)); }

        /**
         * Adds a kernel-side address on the TUN (null: none), each in the subnet of one of ours;
         * when any is given, the kernel side is addressed and brought up.
         */
        public Builder hostAddress(Cidr a) { if (a != null) hostAddresses.add(a); return this; }
        public Builder hostAddress(String cidr) { return hostAddress(cidr == null ? null : Cidr.parse(cidr)); }

        /** Moves the TUN into this existing network namespace before configuring it (tests). */
        public Builder netns(String ns) { this.netns = ns; return this; }

        /** Random loss, 0..1, applied to frames in both directions. */
        public Builder loss(double p) { this.loss = p; return this; }

        public Builder seed(long s) { this.seed = s; return this; }

        /** Records every packet crossing the TUN (after loss on the way out, before it on the way in). */
        public Builder pcap(Path file) { this.pcap = file; return this; }

        /** Sets the interface MTU (0 = the kernel's default, 1500). */
        public Builder mtu(int m) { this.mtu = m; return this; }

        /**
         * Use the TUN's offloads (IFF_VNET_HDR: 64 KiB GSO reads and writes, checksums left to the
         * kernel), default true; falls back to plain 1500-byte packets if the kernel refuses.
         */
        public Builder offload(boolean on) { this.offload = on; return this; }

        /**
         * Batch the TUN's system calls through io_uring (default true; also off with
         * {@code -Dnetstack4j.tun.iouring=false}): reads kept outstanding and reaped many per
         * io_uring_enter, writes submitted once per loop burst. Falls back to read(2)/write(2) when
         * the kernel refuses io_uring (seccomp, {@code kernel.io_uring_disabled}, before Linux 5.6).
         */
        public Builder ioUring(boolean on) { this.ioUring = on; return this; }

        /**
         * The kernel's queue of packets waiting for netstack4j to read them, per TUN queue
         * ({@code ip link set dev NAME txqueuelen N}; the kernel's default is 500; 0 leaves it):
         * a longer one rides out a burst (a SYN flood) the reader falls behind on, at the cost of
         * latency and memory. Default from {@code -D}{@value #TXQUEUELEN_PROPERTY}.
         */
        public Builder txQueueLength(int packets) {
            if (packets < 0) throw new IllegalArgumentException("txqueuelen must be >= 0: " + packets);
            this.txQueueLength = packets;
            return this;
        }

        public Builder tcpConfig(TcpConfig c) { this.tcpConfig = Objects.requireNonNull(c); return this; }

        public Builder tracer(Tracer t) { this.tracer = Objects.requireNonNull(t); return this; }

        public TunHost open() throws IOException { return openSingle(this); }

        /**
         * Opens the TUN as {@code queues} queues (IFF_MULTI_QUEUE), one stack each; one queue is
         * {@link #open()} in a {@link TunShards} of one. See {@link TunShards}.
         */
        public TunShards openShards(int queues) throws IOException { return TunShards.open(this, queues); }

        String name() { return name; }
        int mtu() { return mtu; }
        boolean offload() { return offload; }
        List<Cidr> addresses() { return addresses; }
        List<Cidr> hostAddresses() { return hostAddresses; }
        long seed() { return seed; }
    }

    /**
     * The innermost device: transmits are write(2)s on the loop thread; received frames come from
     * the reader thread through the loop ({@link #deliver}) to whatever sink the wrappers attached.
     */
    static final class TunPort implements Device, FrameSink {
        private final TunDevice tun;
        private final int shard;
        private final TunShards.Steering steering;
        private FrameSink sink = FrameSink.DISCARD;
        private boolean stopped;

        /**
         * Holding the loop: the frames the stack released (IP gives back a frame TCP merely borrowed,
         * Device#framePool), each handed back to the reader thread after its delivery; null when off.
         */
        private final FramePool pool;

        TunPort(TunDevice tun) { this(tun, 0, null, false); }

        TunPort(TunDevice tun, int shard, TunShards.Steering steering, boolean recycle) {
            this.tun = tun;
            this.shard = shard;
            this.steering = steering;
            // arrays up to a 64 KiB super-packet; each is taken back out after its delivery, so few wait here
            this.pool = recycle ? new FramePool(4, 65_535) : null;
        }

        void deliver(long now, byte[] frame) { deliver(now, frame, 0); }

        /** info: what the device said of the frame (FrameSink#receive(long, byte[], int)), or 0. */
        private void deliver(long now, byte[] frame, int info) {
            if (stopped) return;
            if (info == 0) sink.receive(now, frame);
            else sink.receive(now, frame, info);
            // released by the stack during that call (or an earlier one): back to the reader
            if (pool != null && pool.available(frame.length) > 0) tun.recycle(pool.take(frame.length));
        }

        @Override public FramePool framePool() { return pool; }

        /** From the reader's registration: a frame, with what the device said of it (segment size, checksum). */
        @Override public void receive(long now, byte[] frame) { deliver(now, frame); }

        @Override public void receive(long now, byte[] frame, int info) { deliver(now, frame, info); }

        void stop() { stopped = true; }

        @Override public Medium medium() { return Medium.IP; }
        @Override public int mtu() { return tun.mtu(); }
        @Override public void transmit(long now, byte[] frame) {
            if (stopped) return;
            if (steering != null) steering.sent(shard, frame);
            tun.transmit(now, frame);
        }
        @Override public int gsoMaxSize() { return tun.gsoMaxSize(); }
        @Override public void transmitSegments(long now, byte[] packet, int segmentSize) {
            if (stopped) return;
            if (steering != null) steering.sent(shard, packet);
            tun.transmitSegments(now, packet, segmentSize);
        }
        @Override public void attach(FrameSink s) { this.sink = s == null ? FrameSink.DISCARD : s; }
        @Override public long pollAt() { return stopped ? Time.NEVER : tun.pollAt(); }
        @Override public void poll(long now) { if (!stopped) tun.poll(now); }
    }

    /** The reader thread's view of the TUN: blocking reads; close wakes it (and closes the descriptor). */
    record TunSource(TunDevice tun, int shard, TunShards.Steering steering, KnownSources known,
                     java.util.concurrent.atomic.AtomicLong knownSyns) implements IoSource {
        TunSource(TunDevice tun) { this(tun, 0, null, null, null); }

        /**
         * The next frame for this shard; a frame of a flow another shard owns is handed to that shard
         * instead. Every frame read teaches {@link KnownSources} (before steering: the table is shared).
         */
        @Override public byte[] read() throws IOException {
            while (true) {
                byte[] frame = tun.readBlocking();
                if (frame != null && known != null && known.observe(frame)) knownSyns.lazySet(knownSyns.get() + 1);
                if (frame == null || steering == null || !steering.forwarded(shard, frame, tun.lastReadInfo())) return frame;
            }
        }

        @Override public int lastFrameInfo() { return tun.lastReadInfo(); }

        @Override public boolean hasReadyFrames() { return tun.hasReadyFrames(); }

        @Override public void close() { tun.close(); }
    }
}
