package org.netstack4j.linux;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.netstack4j.ip.UdpIntercept;
import org.netstack4j.runtime.EventLoop;
import org.netstack4j.socket.InterceptedFlow;
import org.netstack4j.socket.TcpSocket;
import org.netstack4j.tcp.TcpConfig;
import org.netstack4j.tcp.TcpIntercept;
import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.Ipv4Address;

/**
 * A tun2socks-style gateway on a Linux TUN: every TCP flow entering the TUN, to any address,
 * is terminated in netstack4j ({@link TcpIntercept}) and relayed to its original destination
 * through an {@link Upstream} (the host's sockets, or a SOCKS5 proxy); the client's SYN is
 * answered only once the upstream connect succeeded, and an upstream refusal reaches the client
 * as a RST, an unreachable upstream as an ICMP error. UDP flows ({@link UdpIntercept}, one
 * session per client endpoint) are relayed through {@link Config#udpUpstream}: the host's own UDP
 * sockets, or a SOCKS5 UDP ASSOCIATE per session (RFC 1928 section 7); a session whose
 * association fails or ends is closed. Echo requests to any address are answered by
 * netstack4j. One log line per flow.
 *
 * <p>The relay keeps no unbounded buffer: each direction copies through one array of at most {@link #COPY_MAX} with
 * blocking reads and writes, so a slow side slows the other (TCP's windows do the rest); a
 * FIN is passed on as a half-close (shutdownOutput) and a reset as a reset (SO_LINGER 0). A UDP
 * session queues at most {@link #UDP_QUEUE} datagrams towards the upstream (more are dropped,
 * counted).
 */
public final class TunGateway implements AutoCloseable {
    /** Datagrams a UDP session may queue for its upstream socket. */
    public static final int UDP_QUEUE = 256;

    /**
     * The TUN {@code name} and netstack4j's {@code address} on it (and IPv6 ones,
     * {@code addresses6}: the gateway then intercepts IPv6 too); optionally the namespace to move
     * it into and the kernel side's addresses there ({@code peer}, {@code peer6}: a default
     * route of that family via netstack4j is added in that namespace).
     */
    public record Config(String name, Ipv4Cidr address, List<Ipv6Cidr> addresses6, String netns, Ipv4Cidr peer, Ipv6Cidr peer6,
                         Upstream upstream, Upstream udpUpstream, int connectTimeoutMs, TcpIntercept.Config tcp,
                         UdpIntercept.Config udpConfig, Consumer<String> log) {
        public Config {
            Objects.requireNonNull(name, "name");
            addresses6 = addresses6 == null ? List.of() : List.copyOf(addresses6);
            // address null: an IPv6-only gateway (then at least one IPv6 address, and no IPv4 peer)
            if (address == null && addresses6.isEmpty()) throw new IllegalArgumentException("the gateway needs an address of netstack4j's on the TUN");
            if (peer != null && address == null) throw new IllegalArgumentException("an IPv4 peer " + peer + " needs an IPv4 address of netstack4j's");
            if (peer6 != null && addresses6.isEmpty()) throw new IllegalArgumentException("an IPv6 peer " + peer6 + " needs an IPv6 address of netstack4j's");
            Objects.requireNonNull(upstream, "upstream");
            if (connectTimeoutMs <= 0) throw new IllegalArgumentException("connect timeout must be > 0");
            if (tcp == null) tcp = TcpIntercept.Config.defaults();
            if (udpConfig == null) udpConfig = UdpIntercept.Config.defaults();
            if (log == null) log = line -> {};
        }

        /** Whether UDP is relayed ({@code udpUpstream} non-null) or refused. */
        public boolean udp() { return udpUpstream != null; }
    }

    private final Config config;
    private final TunShards shards;
    /** Shard 0: UDP sessions (the steering hands every UDP datagram there) and the gateway's own work. */
    private final TunHost tun;
    /** The relay of {@link Upstream.Direct} flows when asked for (null: a thread pump per flow). */
    private LoopRelay loopRelay;
    private final AtomicLong flows = new AtomicLong(), relayed = new AtomicLong(), refused = new AtomicLong(),
            resets = new AtomicLong(), bytesUp = new AtomicLong(), bytesDown = new AtomicLong(),
            udpSessions = new AtomicLong(), udpOut = new AtomicLong(), udpIn = new AtomicLong(), udpDropped = new AtomicLong();

    private TunGateway(Config c, TcpConfig tcpConfig, int queues, boolean relayOnLoop) throws IOException {
        this.config = c;
        TunHost.Builder b = TunHost.builder(c.name()).tcpConfig(tcpConfig).seed(System.nanoTime());
        if (c.address() != null) b.address(c.address());
        if (c.netns() != null) b.netns(c.netns());
        c.addresses6().forEach(b::address);
        if (c.peer() != null) b.hostAddress(c.peer());
        if (c.peer6() != null) b.hostAddress(c.peer6());
        this.shards = b.openShards(queues);
        this.tun = shards.first();
        try {
            // the gateway terminates every TCP flow and forwards nothing: the payload the kernel
            // left to be checksummed (NEEDS_CSUM) is vouched for and never summed. One queue only:
            // a frame steered to another shard's loop loses its device's word and is verified there.
            if (shards.size() == 1) tun.tun().leaveVouchedChecksumsPartial(true);
            if (c.peer() != null) LinuxNet.ip(c.netns(), "route", "replace", "default", "via", c.address().address().toString());
            if (c.peer6() != null) // the IPv6 default route of the clients' side: via netstack4j's address in the peer's subnet
                LinuxNet.ip(c.netns(), "-6", "route", "replace", "default", "via", c.addresses6().stream().filter(a -> a.peerProblem(c.peer6()) == null)
                        .findFirst().orElse(c.addresses6().getFirst()).address().toString(), "dev", tun.name());
            if (c.peer() == null && c.peer6() == null) LinuxNet.linkUp(c.netns(), tun.name());
            UdpRelay udp = c.udp() ? new UdpRelay(c.udpUpstream()) : null;
            // with loopRelay the host's own sockets are relayed by the loops (LoopRelay); otherwise, and
            // through a SOCKS5 tunnel, by a thread per direction
            this.loopRelay = c.upstream() instanceof Upstream.Direct && relayOnLoop ? new LoopRelay(tun.name(), bytesUp, bytesDown) : null;
            // every shard intercepts the TCP flows the kernel queues to it; UDP sessions live on shard 0
            for (TunHost h : shards.shards()) {
                TcpIntercept.Handler tcp = loopRelay != null
                        ? (now, syn) -> Thread.ofVirtual().name("flow " + describe(syn)).start(() -> relayOnLoop(h, syn))
                        : InterceptedFlow.handler(h.net(), this::relay);
                h.loop().run(() -> h.host().intercept(h.name(), c.tcp(), tcp, c.udpConfig(), h.shard() == 0 ? udp : null));
            }
        } catch (IOException | RuntimeException e) {
            if (loopRelay != null) loopRelay.close();
            shards.close();
            throw e;
        }
    }

    /** Opens the TUN (root or CAP_NET_ADMIN), configures it and starts intercepting. */
    public static TunGateway open(Config c) throws IOException { return open(c, 1); }

    /** {@link #open(Config)} with the TUN opened as {@code queues} queues, each shard intercepting its own flows. */
    public static TunGateway open(Config c, int queues) throws IOException { return open(c, queues, false); }

    /**
     * {@link #open(Config, int)}; {@code loopRelay}: direct flows are relayed by the stack's loop
     * ({@link LoopRelay}: non-blocking host sockets, no thread per flow, about 15% less CPU per
     * byte) rather than by a thread per direction over blocking streams (as SOCKS5 flows always
     * are). Measured on 2 loaded cores, one bulk flow is faster with the threads (they copy on the
     * other core while the loop reads the TUN), hence not the default.
     */
    public static TunGateway open(Config c, int queues, boolean loopRelay) throws IOException {
        return new TunGateway(c, tcpConfig(), queues, loopRelay);
    }

    /**
     * The relay's TCP buffers, per direction: what a bulk flow may have in flight between the
     * client's kernel and the relay thread. The default 128 KiB window capped a flow at one
     * window per round trip through the loop and the relay; the rings grow only as data waits
     * (and shrink back when drained), so an idle flow costs what it did. System property
     * {@code netstack4j.gateway.buffer} (bytes, at least 64 KiB) sets another size.
     */
    static final int RELAY_BUFFER = Math.max(64 * 1024, Integer.getInteger("netstack4j.gateway.buffer", 1024 * 1024));

    static TcpConfig tcpConfig() {
        return TcpConfig.defaults().withBuffers(b -> b.withReceiveBufferSize(RELAY_BUFFER).withSendBufferSize(RELAY_BUFFER));
    }

    /** Shard 0 (the only one with one queue). */
    public TunHost tun() { return tun; }

    /** Every shard. */
    public TunShards shards() { return shards; }

    /** The stack's counters and the relay's (gateway.*), non-zero only. */
    public Map<String, Long> counters() {
        Map<String, Long> m = new TreeMap<>();
        try {
            m.putAll(shards.counters());
        } catch (RuntimeException closed) {
            // the loop is gone: the relay's counters only
        }
        Map<String, AtomicLong> own = Map.of("gateway.tcp.flows", flows, "gateway.tcp.relayed", relayed, "gateway.tcp.refused", refused,
                "gateway.tcp.resets", resets, "gateway.tcp.bytes_up", bytesUp, "gateway.tcp.bytes_down", bytesDown,
                "gateway.udp.sessions", udpSessions, "gateway.udp.datagrams_up", udpOut, "gateway.udp.datagrams_down", udpIn,
                "gateway.udp.dropped", udpDropped);
        own.forEach((k, v) -> { if (v.get() != 0) m.put(k, v.get()); });
        return m;
    }

    /** Not to be relayed: netstack4j's own address and the TUN's subnet (that would loop back into the TUN). */
    private boolean inside(IpAddress a) {
        return config.address() != null && config.address().contains(a) || config.addresses6().stream().anyMatch(c -> c.contains(a));
    }

    // ------------------------------------------------------------------ TCP

    private void relay(InterceptedFlow f) {
        flows.incrementAndGet();
        long t0 = System.nanoTime();
        String id = "tcp " + f;
        try {
            if (inside(f.originalAddress())) {
                f.refuse(TcpIntercept.Refusal.RESET);
                refused.incrementAndGet();
                config.log().accept(id + " refused: inside the TUN's own subnet");
                return;
            }
            Socket up;
            try {
                up = connectUpstream(new InetSocketAddress(f.originalAddress().toInetAddress(), f.originalPort()));
            } catch (Upstream.Failed e) {
                f.refuse(e.refusal());
                refused.incrementAndGet();
                config.log().accept(id + " refused (" + e.refusal().name().toLowerCase(java.util.Locale.ROOT) + "): " + e.getMessage());
                return;
            }
            TcpSocket down;
            try {
                down = f.accept(config.connectTimeoutMs());
            } catch (IOException e) {
                closeQuietly(up);
                config.log().accept(id + " client gone before the handshake ended: " + e.getMessage());
                return;
            }
            relayed.incrementAndGet();
            String end = pump(down, up);
            config.log().accept(String.format("%s via %s: %s; %d ms", id, config.upstream().describe(), end,
                    (System.nanoTime() - t0) / 1_000_000));
        } catch (IOException | RuntimeException e) {
            config.log().accept(id + " failed: " + e);
        }
    }

    /**
     * The upstream socket of a thread-relayed flow. Direct: a SocketChannel's socket (connected
     * as {@link Upstream.Direct#connect} does), so that both copies go through direct buffers:
     * the receive ring into one the host socket writes ({@link #copyDirect}), the host socket into one
     * the send ring takes, with no heap array and no JDK copy into a temporary
     * direct buffer between.
     */
    private Socket connectUpstream(InetSocketAddress target) throws Upstream.Failed {
        if (!(config.upstream() instanceof Upstream.Direct)) return config.upstream().connect(target, config.connectTimeoutMs());
        SocketChannel ch = null;
        try {
            ch = SocketChannel.open();
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.socket().connect(target, config.connectTimeoutMs());
            return ch.socket();
        } catch (IOException e) {
            if (ch != null) closeQuietly(ch);
            throw Upstream.failure(e);
        }
    }

    private static String describe(TcpIntercept.HeldSyn syn) {
        return syn.clientAddress() + ":" + syn.clientPort() + " > " + syn.originalAddress() + ":" + syn.originalPort();
    }

    /**
     * A flow to the host's own sockets ({@link Upstream.Direct}), on a virtual thread: connects a
     * SocketChannel (blocking, within the timeout), then answers the held SYN on the loop and
     * leaves the copying to {@link LoopRelay}; a failed connect refuses the flow as
     * {@link Upstream#connect} would (RST, ICMP unreachable).
     */
    private void relayOnLoop(TunHost h, TcpIntercept.HeldSyn syn) {
        flows.incrementAndGet();
        long t0 = System.nanoTime();
        String id = "tcp " + describe(syn);
        EventLoop loop = h.loop();
        try {
            if (inside(syn.originalAddress())) {
                loop.call(() -> syn.refuse(loop.now(), TcpIntercept.Refusal.RESET));
                refused.incrementAndGet();
                config.log().accept(id + " refused: inside the TUN's own subnet");
                return;
            }
            SocketChannel ch = SocketChannel.open();
            try {
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                ch.socket().connect(new InetSocketAddress(syn.originalAddress().toInetAddress(), syn.originalPort()), config.connectTimeoutMs());
            } catch (IOException e) {
                closeQuietly(ch);
                Upstream.Failed f = Upstream.failure(e);
                loop.call(() -> syn.refuse(loop.now(), f.refusal()));
                refused.incrementAndGet();
                config.log().accept(id + " refused (" + f.refusal().name().toLowerCase(java.util.Locale.ROOT) + "): " + f.getMessage());
                return;
            }
            String via = config.upstream().describe();
            LoopRelay.Flow flow = loopRelay.flow(loop, ch, (up, down, reset) -> {
                if (reset) resets.incrementAndGet();
                config.log().accept(String.format("%s via %s: %d B up, %d B down%s; %d ms", id, via, up, down, reset ? ", reset" : "",
                        (System.nanoTime() - t0) / 1_000_000));
            });
            boolean accepted = loop.call(() -> syn.accept(loop.now(), flow) != null);
            if (!accepted) {
                flow.discard();
                config.log().accept(id + " client gone before the handshake ended");
                return;
            }
            relayed.incrementAndGet();
        } catch (IOException | RuntimeException e) {
            config.log().accept(id + " failed: " + e);
        }
    }

    private static void closeQuietly(SocketChannel ch) {
        try { ch.close(); } catch (IOException ignored) { /* best effort */ }
    }

    /** Copies both ways until both ends closed; returns a summary. */
    private String pump(TcpSocket down, Socket up) throws IOException {
        AtomicBoolean reset = new AtomicBoolean();
        long[] moved = new long[2];
        InputStream downIn = down.getInputStream(), upIn = up.getInputStream();
        OutputStream downOut = down.getOutputStream(), upOut = up.getOutputStream();
        Runnable abort = () -> {
            if (!reset.compareAndSet(false, true)) return;
            resets.incrementAndGet();
            try { up.setSoLinger(true, 0); } catch (IOException ignored) { /* closing anyway */ }
            try { down.setSoLinger(true, 0); } catch (IOException ignored) { /* closing anyway */ }
            closeQuietly(up);
            down.close();
        };
        SocketChannel upCh = up.getChannel();
        Thread clientToServer = Thread.ofVirtual().name("up " + down).start(() -> moved[0] = upCh != null
                ? copyDirect(down::read, b -> writeAll(upCh, b), upCh::shutdownOutput, bytesUp, abort)
                : copy(downIn, upOut, () -> up.shutdownOutput(), bytesUp, abort));
        moved[1] = upCh != null ? copyDirect(upCh::read, down::write, down::shutdownOutput, bytesDown, abort)
                : copy(upIn, downOut, down::shutdownOutput, bytesDown, abort);
        try {
            clientToServer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeQuietly(up);
        down.close();
        return moved[0] + " B up, " + moved[1] + " B down" + (reset.get() ? ", reset" : "");
    }

    private interface HalfClose { void run() throws IOException; }

    /**
     * The relay's buffer per direction starts at {@link #COPY_MIN} and doubles (up to
     * {@link #COPY_MAX}) whenever a read fills it: an idle or chatty flow holds 2 x 4 KiB, a bulk
     * one gets 256 KiB reads and writes (each a trip through the loop or a system call). (Fixed 32 KiB buffers were 64 KiB of the 75.5 KiB of heap each of
     * 10,000 held flows cost.)
     */
    static final int COPY_MIN = 4 * 1024, COPY_MAX = 256 * 1024;

    private static long copy(InputStream in, OutputStream out, HalfClose fin, AtomicLong counter, Runnable abort) {
        byte[] buf = new byte[COPY_MIN];
        long total = 0;
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                if (n == 0) continue;
                out.write(buf, 0, n);
                total += n;
                counter.addAndGet(n);
                if (n == buf.length && buf.length < COPY_MAX) buf = new byte[buf.length * 2];
            }
            out.flush();
            fin.run(); // the FIN goes on: a half-close, the other direction keeps going
        } catch (IOException e) {
            abort.run(); // a reset (or a failed write) on one side resets the other
        }
        return total;
    }

    /** A blocking read into a buffer at its position (-1 at the end) or a write of all of its remaining bytes. */
    private interface BufferIo { int apply(ByteBuffer b) throws IOException; }

    /**
     * {@link #copy} between the connection and a host SocketChannel (blocking) through a direct
     * buffer, either way: client to host, the receive ring is copied into it
     * ({@link TcpSocket#read(ByteBuffer)}) and the kernel takes it; host to client, the kernel
     * fills it and the send ring takes it ({@link TcpSocket#write(ByteBuffer)}). No heap array
     * between, no JDK copy into a temporary direct buffer. Growing as {@link #COPY_MIN} to {@link #COPY_MAX}.
     */
    private static long copyDirect(BufferIo in, BufferIo out, HalfClose fin, AtomicLong counter, Runnable abort) {
        ByteBuffer buf = ByteBuffer.allocateDirect(COPY_MIN);
        long total = 0;
        try {
            int n;
            while ((n = in.apply(buf.clear())) >= 0) {
                if (n == 0) continue;
                out.apply(buf.flip());
                total += n;
                counter.addAndGet(n);
                if (n == buf.capacity() && buf.capacity() < COPY_MAX) buf = ByteBuffer.allocateDirect(buf.capacity() * 2);
            }
            fin.run(); // the FIN goes on: a half-close, the other direction keeps going
        } catch (IOException e) {
            abort.run(); // a reset (or a failed write) on one side resets the other
        }
        return total;
    }

    /** All of {@code b} into the host socket (blocking). */
    private static int writeAll(SocketChannel ch, ByteBuffer b) throws IOException {
        int n = b.remaining();
        while (b.hasRemaining()) ch.write(b);
        return n;
    }

    private static void closeQuietly(Socket s) {
        try { s.close(); } catch (IOException ignored) { /* best effort */ }
    }

    // ------------------------------------------------------------------ UDP

    private record Outgoing(InetSocketAddress to, byte[] data) {}

    /**
     * One UDP session's upstream path ({@link Upstream#openUdp}: an unconnected host socket, so
     * endpoint-independent, or a SOCKS5 UDP association), a sender and a receiver thread. The
     * sender opens the path (a SOCKS5 handshake blocks, so not on the loop) and then drains the
     * queue; datagrams queued meanwhile wait, up to {@link #UDP_QUEUE}.
     */
    private static final class UdpFlow {
        final ArrayBlockingQueue<Outgoing> queue = new ArrayBlockingQueue<>(UDP_QUEUE);
        volatile Upstream.UdpPath path;
        volatile boolean closed;
        Thread sender, receiver;
        long out, in;
        volatile String failure;

        void closePath() {
            Upstream.UdpPath p = path;
            if (p != null) {
                try { p.close(); } catch (IOException ignored) { /* best effort */ }
            }
        }
    }

    private final class UdpRelay implements UdpIntercept.Handler {
        private final Upstream upstream;

        UdpRelay(Upstream upstream) { this.upstream = upstream; }

        @Override public void onSession(long now, UdpIntercept.Session s) {
            udpSessions.incrementAndGet();
            UdpFlow f = new UdpFlow();
            s.attachment = f;
            f.sender = Thread.ofVirtual().name("udp-up " + s).start(() -> {
                try {
                    f.path = upstream.openUdp(s.clientAddress() instanceof Ipv4Address ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6,
                            config.connectTimeoutMs());
                } catch (IOException | RuntimeException e) {
                    f.failure = "no upstream: " + e.getMessage();
                    tun.loop().execute(() -> s.close(tun.loop().now()));
                    return;
                }
                if (f.closed) { // the session ended while the path was being opened
                    f.closePath();
                    return;
                }
                f.receiver = Thread.ofVirtual().name("udp-down " + s).start(() -> receive(s, f));
                try {
                    while (true) {
                        Outgoing o = f.queue.take();
                        f.path.send(o.to(), o.data());
                    }
                } catch (InterruptedException | IOException e) {
                    // the session ended
                }
            });
        }

        private void receive(UdpIntercept.Session s, UdpFlow f) {
            ByteBuffer bb = ByteBuffer.allocate(65535 + 262);
            try {
                while (true) {
                    Upstream.Datagram d = f.path.receive(bb);
                    if (d == null) {
                        udpDropped.incrementAndGet();
                        continue;
                    }
                    IpAddress src = IpAddress.of(d.from().getAddress());
                    udpIn.incrementAndGet();
                    tun.loop().execute(() -> {
                        f.in++;
                        s.send(tun.loop().now(), src, d.from().getPort(), d.data(), 0, d.data().length);
                    });
                }
            } catch (IOException | RuntimeException e) {
                // closed: the session ended (or the loop did, or the proxy ended the association)
            }
            if (!f.closed) {
                f.failure = "upstream closed";
                try {
                    tun.loop().execute(() -> s.close(tun.loop().now()));
                } catch (RuntimeException loopGone) {
                    // the gateway is closing
                }
            }
        }

        @Override public void onDatagram(long now, UdpIntercept.Session s, IpAddress dst, int dstPort, byte[] data) {
            if (!(s.attachment instanceof UdpFlow f)) return;
            if (inside(dst) || !f.queue.offer(new Outgoing(new InetSocketAddress(dst.toInetAddress(), dstPort), data))) {
                udpDropped.incrementAndGet();
                return;
            }
            f.out++;
            udpOut.incrementAndGet();
        }

        @Override public void onClosed(long now, UdpIntercept.Session s, String reason) {
            if (!(s.attachment instanceof UdpFlow f)) return;
            f.closed = true;
            f.sender.interrupt();
            f.closePath();
            config.log().accept("udp " + s.clientAddress() + ":" + s.clientPort() + " via " + upstream.describe() + ": " + f.out
                    + " datagrams up, " + f.in + " down; " + (f.failure != null ? f.failure : reason));
        }
    }

    /** Ends the UDP sessions first (each gets its log line and its upstream closed), then the TUN. */
    @Override public void close() {
        try {
            tun.loop().run(() -> {
                var u = tun.host().ip().udpIntercept();
                if (u != null) for (UdpIntercept.Session s : u.sessions()) s.close(tun.loop().now());
            });
        } catch (RuntimeException loopGone) {
            // already closed
        }
        shards.close();
        if (loopRelay != null) loopRelay.close();
    }

    @Override public String toString() { return "TunGateway[" + tun.name() + " " + TunHost.join(tun.addresses()) + " via " + config.upstream().describe() + "]"; }
}
