package org.netstack4j.linux;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;

import org.netstack4j.device.Device;
import org.netstack4j.device.FaultConfig;
import org.netstack4j.device.FaultInjector;
import org.netstack4j.device.FrameSink;
import org.netstack4j.device.Medium;
import org.netstack4j.device.PcapTap;
import org.netstack4j.device.PcapWriter;
import org.netstack4j.host.Host;
import org.netstack4j.runtime.EventLoop;
import org.netstack4j.runtime.IoRegistration;
import org.netstack4j.runtime.IoSource;
import org.netstack4j.socket.NetStack;
import org.netstack4j.tcp.TcpConfig;
import org.netstack4j.time.Time;
import org.netstack4j.trace.Tracer;

/**
 * A netstack4j {@link Host} on a Linux TUN interface, driven in real time: the glue between
 * the sans-IO stack, the {@link EventLoop} and the kernel.
 *
 * <pre>
 *   kernel --read--> reader thread --queue--> loop thread: [fault] -> [pcap] -> TunPort sink -> IpStack
 *   IpStack -> [fault] -> [pcap] -> TunPort.transmit --write(2) on the loop thread--> kernel
 * </pre>
 *
 * The TUN is opened (and, with {@link Builder#netns}, moved into a network namespace); with a
 * {@link Builder#hostAddress} the kernel's side is addressed and brought up ({@code ip addr add},
 * {@code ip link set up}), otherwise the caller configures it. Everything that touches the stack
 * after {@link Builder#open} goes through {@link #loop()} (the sockets of {@link #net()} do this).
 */
public final class TunHost implements AutoCloseable {
    /** Frames the reader thread may queue for the loop before dropping (like a NIC ring). */
    public static final int RX_QUEUE_LIMIT = 4096;

    private final TunDevice tun;
    private final TunPort port;
    private final Host host;
    private final EventLoop loop;
    private final NetStack net;
    private final Ipv4Cidr address;
    private final Ipv4Cidr hostAddress;
    private final FaultInjector faults;
    private final PcapWriter pcap;
    private final IoRegistration registration;
    private boolean closed;

    private TunHost(Builder b) throws IOException {
        Objects.requireNonNull(b.address, "address");
        if (b.hostAddress != null) {
            String problem = b.address.peerProblem(b.hostAddress);
            if (problem != null) throw new IllegalArgumentException(problem);
        }
        TunDevice opened = TunDevice.open(b.name, b.mtu, b.offload);
        // a capture records what the wire carries: received super-packets are then cut into segments
        opened.setMergeReceived(b.pcap == null);
        PcapWriter writer = null;
        try {
            if (b.netns != null) LinuxNet.linkSetNetns(opened.name(), b.netns);
            if (b.hostAddress != null) {
                LinuxNet.addressAdd(b.netns, opened.name(), b.hostAddress.toString());
                LinuxNet.linkUp(b.netns, opened.name());
            }
            this.tun = opened;
            this.port = new TunPort(opened);
            Device dev = port;
            if (b.pcap != null) {
                writer = PcapWriter.open(b.pcap, PcapTap.linkTypeOf(Medium.IP));
                dev = new PcapTap(dev, writer);
            }
            // Always present so that loss can be changed while running (setLoss); no faults cost one branch per frame.
            this.faults = new FaultInjector(dev, lossConfig(b.loss), b.seed ^ 0x7A11L);
            this.pcap = writer;
            this.address = b.address;
            this.hostAddress = b.hostAddress;
            this.host = new Host(b.hostName, b.tcpConfig, b.tracer, b.seed);
            host.addInterface(opened.name(), faults, null, b.address.address(), b.address.prefixLength());
            if (b.hostAddress != null) host.ip().setDefaultGateway(b.hostAddress.address());
            this.loop = EventLoop.start("netstack4j-" + opened.name(), host);
            if (writer != null) writer.setTimeOffset(System.currentTimeMillis() * 1_000_000L - loop.now());
            this.registration = loop.register(opened.name(), new TunSource(opened), port::deliver, RX_QUEUE_LIMIT,
                    TunHost::isConnectionRequest);
            this.net = NetStack.of(loop, host.tcp(), host.ip());
        } catch (IOException | RuntimeException e) {
            opened.close();
            if (writer != null) {
                try { writer.close(); } catch (IOException ignored) { /* already failing */ }
            }
            throw e;
        }
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

    /** netstack4j's address on the link. */
    public Ipv4Cidr address() { return address; }

    /** The kernel's address on the link, or null if the caller configures the kernel side. */
    public Ipv4Cidr hostAddress() { return hostAddress; }

    /** The fault injector between the stack and the TUN (loss both ways); use it on the loop thread. */
    public FaultInjector faults() { return faults; }

    /** Changes the random loss (0..1, each direction) from now on. */
    public void setLoss(double loss) {
        FaultConfig c = lossConfig(loss);
        loop.run(() -> faults.setConfig(c));
    }

    /** Frames the reader thread dropped because the loop fell behind. */
    public long rxQueueDrops() { return registration.dropped(); }

    /** Of {@link #rxQueueDrops}, connection requests dropped once the receive queue was half full. */
    public long rxQueueSynsShed() { return registration.shed(); }

    /**
     * An IPv4 TCP SYN without ACK: under a SYN flood these are shed first when the loop falls
     * behind (the second half of the receive queue is kept for the segments of connections that
     * got past their SYN, so a handshake or request once started is not lost to the flood).
     */
    static boolean isConnectionRequest(byte[] p) {
        if (p.length < 20 || (p[0] & 0xf0) != 0x40 || p[9] != 6) return false;
        int flagsAt = (p[0] & 0x0f) * 4 + 13;
        return flagsAt < p.length && (p[flagsAt] & 0x12) == 0x02;
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
        return "TunHost[" + tun.name() + " " + address + (hostAddress == null ? "" : " peer " + hostAddress) + "]";
    }

    /** Options for {@link TunHost#builder}. */
    public static final class Builder {
        private final String name;
        private Ipv4Cidr address;
        private Ipv4Cidr hostAddress;
        private String netns;
        private double loss;
        private long seed = System.nanoTime();
        private Path pcap;
        private int mtu;
        private TcpConfig tcpConfig = TcpConfig.defaults();
        private Tracer tracer = Tracer.NONE;
        private String hostName = "netstack4j";
        private boolean offload = true;

        private Builder(String name) { this.name = Objects.requireNonNull(name, "name"); }

        /** netstack4j's address, e.g. 10.7.0.2/24 (required). */
        public Builder address(Ipv4Cidr a) { this.address = a; return this; }
        public Builder address(String cidr) { return address(Ipv4Cidr.parse(cidr)); }

        /** The kernel's address on the TUN; when set, the kernel side is addressed and brought up. */
        public Builder hostAddress(Ipv4Cidr a) { this.hostAddress = a; return this; }
        public Builder hostAddress(String cidr) { return hostAddress(cidr == null ? null : Ipv4Cidr.parse(cidr)); }

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

        public Builder tcpConfig(TcpConfig c) { this.tcpConfig = Objects.requireNonNull(c); return this; }

        public Builder tracer(Tracer t) { this.tracer = Objects.requireNonNull(t); return this; }

        public TunHost open() throws IOException { return new TunHost(this); }
    }

    /**
     * The innermost device: transmits are write(2)s on the loop thread; received frames come from
     * the reader thread through the loop ({@link #deliver}) to whatever sink the wrappers attached.
     */
    static final class TunPort implements Device {
        private final TunDevice tun;
        private FrameSink sink = FrameSink.DISCARD;
        private boolean stopped;

        TunPort(TunDevice tun) { this.tun = tun; }

        void deliver(long now, byte[] frame) {
            if (!stopped) sink.receive(now, frame);
        }

        void stop() { stopped = true; }

        @Override public Medium medium() { return Medium.IP; }
        @Override public int mtu() { return tun.mtu(); }
        @Override public void transmit(long now, byte[] frame) { if (!stopped) tun.transmit(now, frame); }
        @Override public void attach(FrameSink s) { this.sink = s == null ? FrameSink.DISCARD : s; }
        @Override public long pollAt() { return stopped ? Time.NEVER : tun.pollAt(); }
        @Override public void poll(long now) { if (!stopped) tun.poll(now); }
    }

    /** The reader thread's view of the TUN: blocking reads; close wakes it (and closes the descriptor). */
    record TunSource(TunDevice tun) implements IoSource {
        @Override public byte[] read() throws IOException { return tun.readBlocking(); }
        @Override public void close() { tun.close(); }
    }
}
