package org.netstack4j.socket;

import java.io.Closeable;
import java.io.IOException;
import java.net.BindException;
import java.net.DatagramPacket;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Objects;
import org.netstack4j.ip.UdpDatagram;
import org.netstack4j.ip.UdpError;
import org.netstack4j.ip.UdpSocket;
import org.netstack4j.path.PmtuDiscovery;
import org.netstack4j.runtime.EventLoop;
import org.netstack4j.runtime.Signal;
import org.netstack4j.time.Time;
import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv6Address;

/**
 * A UDP socket shaped like {@link java.net.DatagramSocket}: bind, send, blocking receive with
 * SO_TIMEOUT, close. Bound to the wildcard it takes the port on both families (the IPv4 and the
 * IPv6 unspecified address, like a dual-stack java.net socket); bound to one address, on that
 * address only.
 *
 * <p>How it waits: a receive polls the {@link UdpSocket}s on the loop thread; when they are
 * empty it clears {@link #readable} there and waits on this socket's {@link Signal}, which the
 * UdpSocket's receive listener sets again (on the loop thread too), so a datagram arriving
 * between the poll and the wait is never missed.
 */
public final class DatagramSocket implements Closeable {
    /** Tries for a free ephemeral port that is free in both families. */
    private static final int BIND_TRIES = 16;

    private final EventLoop loop;
    private final Signal signal;
    /** IPv4 and/or IPv6 sockets on one port; touched on the loop thread only. */
    private final UdpSocket v4, v6;
    private final int port;
    private volatile boolean readable = true;
    private volatile boolean closed;
    private volatile int soTimeoutMs;

    /** Bound to {@code port} (0: a free ephemeral port) on every local address of both families. */
    public DatagramSocket(NetStack stack, int port) throws IOException { this(stack, null, port); }

    /** Bound to {@code local} (null or unspecified: every address, both families) and {@code port} (0: ephemeral). */
    public DatagramSocket(NetStack stack, IpAddress local, int port) throws IOException {
        Objects.requireNonNull(stack, "stack");
        if (port < 0 || port > 0xffff) throw new IllegalArgumentException("port out of range (0-65535): " + port);
        this.loop = stack.loop();
        this.signal = new Signal(loop);
        UdpSocket[] bound = Net.onLoop(loop, now -> bind(stack, local, port));
        this.v4 = bound[0];
        this.v6 = bound[1];
        this.port = (v4 != null ? v4 : v6).localPort();
    }

    /** On the loop: the socket(s) for {@code local}, both families on one port for the wildcard. */
    private UdpSocket[] bind(NetStack stack, IpAddress local, int port) throws IOException {
        try {
            if (local != null && !local.isUnspecified()) {
                UdpSocket s = listen(stack.udpBind(local, port));
                return local instanceof Ipv4Address ? new UdpSocket[] {s, null} : new UdpSocket[] {null, s};
            }
            for (int i = 0; i < BIND_TRIES; i++) {
                UdpSocket a = stack.udpBind(Ipv4Address.ANY, port);
                try {
                    UdpSocket b = stack.udpBind(Ipv6Address.ANY, a.localPort());
                    return new UdpSocket[] {listen(a), listen(b)};
                } catch (IllegalArgumentException taken) {
                    a.close();
                    if (port != 0) throw taken;
                }
            }
            throw new BindException("no ephemeral UDP port free in both families");
        } catch (IllegalArgumentException e) {
            BindException b = new BindException(e.getMessage().contains("in use") ? "Address already in use" : e.getMessage());
            b.initCause(e);
            throw b;
        }
    }

    private UdpSocket listen(UdpSocket s) {
        s.setReceiveListener(() -> { if (!readable) signal.update(() -> readable = true); });
        return s;
    }

    /** Sends {@code data[off..off+len)} to {@code dst:dstPort}; "sent" means handed to the link, not delivered. */
    public void send(IpAddress dst, int dstPort, byte[] data, int off, int len) throws IOException {
        Objects.requireNonNull(dst, "dst");
        Objects.checkFromIndexSize(off, len, data.length);
        if (dstPort < 1 || dstPort > 0xffff) throw new IllegalArgumentException("port out of range (1-65535): " + dstPort);
        ensureOpen();
        if (len > UdpSocket.MAX_PAYLOAD) throw new SocketException("Message too long");
        UdpSocket s = socketFor(dst);
        // -1: sent; 0: not sent (no route...); > 0: EMSGSIZE, the MTU it did not fit
        int r = Net.onLoop(loop, now -> len > s.maxPayload(dst) ? Math.max(1, s.mtu(dst)) : s.sendTo(now, dst, dstPort, data, off, len) ? -1 : 0);
        if (r > 0) throw new SocketException("Message too long (EMSGSIZE): " + len + " bytes do not fit the path MTU " + r);
        if (r == 0) {
            ensureOpen();
            throw new NoRouteToHostException("No route to host");
        }
    }

    private UdpSocket socketFor(IpAddress dst) { return dst instanceof Ipv6Address && v6 != null ? v6 : v4 != null ? v4 : v6; }

    /**
     * IP_MTU_DISCOVER (and IPV6_MTU_DISCOVER) for both families' sockets: under {@link PmtuDiscovery#DO}
     * a datagram larger than the path MTU fails with SocketException "Message too long" (EMSGSIZE).
     */
    public void setPathMtuDiscovery(PmtuDiscovery mode) throws IOException {
        Objects.requireNonNull(mode, "mode");
        ensureOpen();
        Net.onLoop(loop, now -> {
            if (v4 != null) v4.setPmtuDiscovery(mode);
            if (v6 != null) v6.setPmtuDiscovery(mode);
            return null;
        });
    }

    /** IP_MTU: the MTU datagrams to {@code dst} are sized by now ({@link UdpSocket#mtu}); 0 if no route. */
    public int getMtu(IpAddress dst) throws IOException {
        Objects.requireNonNull(dst, "dst");
        ensureOpen();
        return Net.onLoop(loop, now -> socketFor(dst).mtu(dst));
    }

    /** Like {@link java.net.DatagramSocket#send}: the packet's address, port and bytes. */
    public void send(DatagramPacket p) throws IOException {
        if (!(p.getSocketAddress() instanceof InetSocketAddress isa)) throw new IllegalArgumentException("packet has no destination");
        send(Net.address(isa), isa.getPort(), p.getData(), p.getOffset(), p.getLength());
    }

    /**
     * The next datagram, waiting up to SO_TIMEOUT (0: forever): then SocketTimeoutException
     * "Receive timed out", and the socket stays usable. Closing the socket ends the wait with
     * SocketException("Socket closed").
     */
    public UdpDatagram receive() throws IOException {
        int timeout = soTimeoutMs;
        long deadline = timeout == 0 ? Time.NEVER : loop.now() + Time.ms(timeout);
        while (true) {
            ensureOpen();
            UdpDatagram d = Net.onLoop(loop, now -> {
                UdpDatagram got = v4 == null ? null : v4.receive();
                if (got == null && v6 != null) got = v6.receive();
                if (got == null) readable = false;
                return got;
            });
            if (d != null) return d;
            boolean ready;
            try {
                ready = signal.await(() -> readable || closed, deadline);
            } catch (InterruptedException e) {
                close();
                Thread.currentThread().interrupt();
                throw new SocketException("Closed by interrupt");
            }
            ensureOpen();
            if (!ready) {
                if (loop.isClosed()) throw Net.stackClosed();
                throw new SocketTimeoutException("Receive timed out");
            }
        }
    }

    /** Like {@link java.net.DatagramSocket#receive}: fills {@code p} (truncating to its buffer) with the data and the sender. */
    public void receive(DatagramPacket p) throws IOException {
        UdpDatagram d = receive();
        int n = Math.min(d.data().length, p.getData().length - p.getOffset());
        System.arraycopy(d.data(), 0, p.getData(), p.getOffset(), n);
        p.setLength(n);
        p.setSocketAddress(new InetSocketAddress(Net.inet(d.src()), d.srcPort()));
    }

    /** The latest ICMP error (port or host unreachable...) about a datagram we sent, cleared by this call; null if none. */
    public UdpError error() throws IOException {
        ensureOpen();
        return Net.onLoop(loop, now -> {
            UdpError e = v4 == null ? null : v4.error();
            return e != null || v6 == null ? e : v6.error();
        });
    }

    public void setSoTimeout(int timeoutMs) throws SocketException {
        if (timeoutMs < 0) throw new IllegalArgumentException("timeout < 0");
        ensureOpen();
        soTimeoutMs = timeoutMs;
    }

    public int getSoTimeout() { return soTimeoutMs; }

    public int getLocalPort() { return port; }

    public boolean isClosed() { return closed; }

    /** Unbinds the port; a thread blocked in receive gets SocketException("Socket closed"). */
    @Override public void close() {
        if (closed) return;
        closed = true;
        signal.signal();
        try {
            loop.execute(() -> {
                if (v4 != null) v4.close();
                if (v6 != null) v6.close();
            });
        } catch (java.util.concurrent.RejectedExecutionException ignored) {
            // the stack is gone, and the ports with it
        }
    }

    private void ensureOpen() throws SocketException {
        if (closed) throw new SocketException("Socket closed");
    }

    @Override public String toString() { return "DatagramSocket[port " + port + (closed ? ", closed" : "") + "]"; }
}
