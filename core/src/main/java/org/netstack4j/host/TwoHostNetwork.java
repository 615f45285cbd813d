package org.netstack4j.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import org.netstack4j.device.Device;
import org.netstack4j.device.FaultConfig;
import org.netstack4j.device.FaultInjector;
import org.netstack4j.device.FrameSink;
import org.netstack4j.device.Medium;
import org.netstack4j.device.PcapTap;
import org.netstack4j.device.PcapWriter;
import org.netstack4j.sim.LinkConfig;
import org.netstack4j.sim.SimLink;
import org.netstack4j.sim.Simulator;
import org.netstack4j.tcp.TcpConfig;
import org.netstack4j.time.Time;
import org.netstack4j.trace.TraceEvent;
import org.netstack4j.trace.Tracer;
import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv6Address;
import org.netstack4j.wire.LinkType;
import org.netstack4j.wire.MacAddress;

/**
 * The standard lab network: a client (10.0.0.1) and a server (10.0.0.2) on one simulated
 * Ethernet link, each a complete {@link Host}. Each host's device is wrapped in a
 * {@link FaultInjector} (so a scenario can lose a chosen frame on its way out) and the
 * client's in a {@link PcapTap} when a capture is asked for, which records every frame the
 * client sends and receives. Everything runs in the simulator's virtual time.
 */
public final class TwoHostNetwork implements AutoCloseable {
    public static final Ipv4Address CLIENT_ADDRESS = Ipv4Address.of(10, 0, 0, 1);
    public static final Ipv4Address SERVER_ADDRESS = Ipv4Address.of(10, 0, 0, 2);
    /** The IPv6 addresses of a dual-stack network ({@link Builder#ipv6}). */
    public static final Ipv6Address CLIENT_ADDRESS6 = Ipv6Address.parse("fd00::1");
    public static final Ipv6Address SERVER_ADDRESS6 = Ipv6Address.parse("fd00::2");
    public static final MacAddress CLIENT_MAC = new MacAddress(0x02_00_00_00_00_01L);
    public static final MacAddress SERVER_MAC = new MacAddress(0x02_00_00_00_00_02L);

    private final Simulator sim;
    private final Host client;
    private final Host server;
    private final TraceLog clientLog = new TraceLog();
    private final TraceLog serverLog = new TraceLog();
    private final FaultInjector clientFaults;
    private final FaultInjector serverFaults;
    private final PcapWriter pcap;
    private final boolean ipv6;

    private TwoHostNetwork(Builder b) {
        sim = new Simulator(b.seed);
        SimLink link = sim.link(b.link);
        clientFaults = new FaultInjector(link.a(), FaultConfig.NONE, b.seed * 31 + 1);
        serverFaults = new FaultInjector(link.b(), FaultConfig.NONE, b.seed * 31 + 2);
        Device clientDevice = clientFaults;
        Device serverDevice = serverFaults;
        if (b.pcapFile != null) {
            try {
                pcap = PcapWriter.open(b.pcapFile, LinkType.ETHERNET);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write pcap file " + b.pcapFile + ": " + e.getMessage(), e);
            }
            clientDevice = new PcapTap(clientFaults, pcap);
        } else {
            pcap = null;
        }
        if (b.observer != null) {
            clientDevice = new Observed(clientDevice, "client", b.observer);
            serverDevice = new Observed(serverDevice, "server", b.observer);
        }
        // IPv6 only: no IPv4 address on either interface (null), IPv6 enabled with the link-local address
        client = new Host("client", b.clientTcp, both(clientLog, b.clientTracer), b.seed * 7 + 1)
                .addInterface("eth0", clientDevice, CLIENT_MAC, b.ipv6Only ? null : CLIENT_ADDRESS, b.ipv6Only ? 0 : 24);
        server = new Host("server", b.serverTcp, both(serverLog, b.serverTracer), b.seed * 7 + 2)
                .addInterface("eth0", serverDevice, SERVER_MAC, b.ipv6Only ? null : SERVER_ADDRESS, b.ipv6Only ? 0 : 24);
        if (b.staticArp && !b.ipv6Only) {
            client.ip().addStaticNeighbor(SERVER_ADDRESS, SERVER_MAC);
            server.ip().addStaticNeighbor(CLIENT_ADDRESS, CLIENT_MAC);
        }
        sim.add(client);
        sim.add(server);
        ipv6 = b.ipv6 || b.ipv6Only;
        if (ipv6) {
            // dual stack: fd00::1/64 and fd00::2/64 beside the link-local addresses; both are
            // tentative until duplicate address detection (RFC 4862) is over, about a second
            client.addIpv6Address("eth0", CLIENT_ADDRESS6, 64);
            server.addIpv6Address("eth0", SERVER_ADDRESS6, 64);
            sim.runUntil(() -> client.ip().isLocalAddress(CLIENT_ADDRESS6) && server.ip().isLocalAddress(SERVER_ADDRESS6), Time.s(10));
        }
    }

    private static Tracer both(TraceLog log, Tracer extra) {
        if (extra == Tracer.NONE) return log;
        return new Tracer() {
            @Override public void event(TraceEvent e) {
                log.event(e);
                if (extra.enabled()) extra.event(e);
            }
        };
    }

    /** True when built with {@link Builder#ipv6}. */
    public boolean ipv6() { return ipv6; }

    /** The server's address for a transfer: IPv6 when the network is dual stack, else IPv4. */
    public IpAddress serverAddress() { return ipv6 ? SERVER_ADDRESS6 : SERVER_ADDRESS; }

    public static Builder builder() { return new Builder(); }

    public Simulator sim() { return sim; }
    public Host client() { return client; }
    public Host server() { return server; }
    public TraceLog clientLog() { return clientLog; }
    public TraceLog serverLog() { return serverLog; }
    /** Faults applied to frames the client sends. */
    public FaultInjector clientFaults() { return clientFaults; }
    /** Faults applied to frames the server sends. */
    public FaultInjector serverFaults() { return serverFaults; }
    public long now() { return sim.now(); }

    public void runUntil(long timeNs) { sim.runUntil(timeNs); }

    public boolean runUntil(BooleanSupplier done, long timeoutNs) { return sim.runUntil(done, timeoutNs); }

    @Override public void close() {
        if (pcap != null) {
            try {
                pcap.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * Sees every frame a host hands to its device ({@code sent}) or takes from it, at the host's
     * side of the fault injector: a frame the injector then loses is still seen as sent. The
     * array is a copy the observer may keep.
     */
    @FunctionalInterface
    public interface FrameObserver {
        void frame(long now, String host, boolean sent, byte[] frame);
    }

    /** A transparent device that shows each frame to an observer. */
    private static final class Observed implements Device {
        private final Device inner;
        private final String host;
        private final FrameObserver observer;
        private FrameSink sink = FrameSink.DISCARD;

        Observed(Device inner, String host, FrameObserver observer) {
            this.inner = inner;
            this.host = host;
            this.observer = observer;
            inner.attach((now, frame) -> {
                observer.frame(now, host, false, frame.clone());
                sink.receive(now, frame);
            });
        }

        @Override public Medium medium() { return inner.medium(); }
        @Override public int mtu() { return inner.mtu(); }
        @Override public void transmit(long now, byte[] frame) {
            observer.frame(now, host, true, frame.clone());
            inner.transmit(now, frame);
        }
        @Override public void attach(FrameSink sink) { this.sink = sink == null ? FrameSink.DISCARD : sink; }
        @Override public long pollAt() { return inner.pollAt(); }
        @Override public void poll(long now) { inner.poll(now); }
    }

    public static final class Builder {
        private long seed = 1;
        private LinkConfig link = LinkConfig.builder().medium(Medium.ETHERNET).build();
        private TcpConfig clientTcp = TcpConfig.defaults();
        private TcpConfig serverTcp = TcpConfig.defaults();
        private Path pcapFile;
        private boolean staticArp;
        private boolean ipv6;
        private boolean ipv6Only;
        private Tracer clientTracer = Tracer.NONE;
        private Tracer serverTracer = Tracer.NONE;
        private FrameObserver observer;

        public Builder seed(long seed) { this.seed = seed; return this; }
        /** Tracers that see each host's events too (beside {@link #clientLog()} and {@link #serverLog()}). */
        public Builder tracers(Tracer client, Tracer server) {
            this.clientTracer = client == null ? Tracer.NONE : client;
            this.serverTracer = server == null ? Tracer.NONE : server;
            return this;
        }
        public Builder link(LinkConfig link) { this.link = link; return this; }
        public Builder tcp(TcpConfig both) { this.clientTcp = both; this.serverTcp = both; return this; }
        public Builder clientTcp(TcpConfig c) { this.clientTcp = c; return this; }
        public Builder serverTcp(TcpConfig c) { this.serverTcp = c; return this; }
        public Builder pcap(Path file) { this.pcapFile = file; return this; }
        /** Shows every frame each host sends and receives to observer (the lab keeps them to decode). */
        public Builder observeFrames(FrameObserver observer) { this.observer = observer; return this; }
        /** Permanent ARP entries for the peer (like {@code arp -s}), so no ARP exchange precedes the first frame. */
        public Builder staticArp(boolean on) { this.staticArp = on; return this; }
        /**
         * Dual stack: the hosts also get {@link #CLIENT_ADDRESS6} and {@link #SERVER_ADDRESS6}
         * (and link-local addresses), transfers go over IPv6, and build() runs the simulator
         * until duplicate address detection is over.
         */
        public Builder ipv6(boolean on) { this.ipv6 = on; return this; }
        /** IPv6 only: {@link #ipv6} without the IPv4 addresses (the interfaces have none; no ARP). */
        public Builder ipv6Only(boolean on) { this.ipv6Only = on; return this; }
        public TwoHostNetwork build() { return new TwoHostNetwork(this); }
    }
}
