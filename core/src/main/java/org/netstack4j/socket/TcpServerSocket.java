package org.netstack4j.socket;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import org.netstack4j.runtime.EventLoop;
import org.netstack4j.runtime.Signal;
import org.netstack4j.tcp.TcpConnection;
import org.netstack4j.tcp.TcpConfig;
import org.netstack4j.tcp.TcpException;
import org.netstack4j.tcp.TcpListener;
import org.netstack4j.tcp.TcpMd5Key;
import org.netstack4j.time.Time;
import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv6Address;

/**
 * A listening socket shaped like {@link java.net.ServerSocket}: bind, blocking accept (with
 * SO_TIMEOUT), close. The TCP layer completes handshakes on its own (up to the backlog);
 * accept hands out established connections as {@link TcpSocket}s.
 */
public final class TcpServerSocket implements Closeable {
    /** java.net's default backlog. */
    public static final int DEFAULT_BACKLOG = 50;

    private final NetStack stack;
    private final EventLoop loop;
    private final Signal signal;
    private volatile TcpListener listener;
    /** The accept waiting for a connection; loop thread only. */
    private PendingAccept pendingAccept;
    private volatile boolean closed;
    private volatile int soTimeoutMs;
    private volatile IpAddress localAddress;
    /** Bound to an IPv6 address: IPv4 peers are shown IPv4-mapped. */
    private volatile boolean mapsIpv4;
    private volatile boolean v6Only;
    private volatile int localPort = -1;
    /** The configuration of the accepted connections; null: the stack's. */
    private volatile TcpConfig config;

    /** An unbound server socket. */
    public TcpServerSocket(NetStack stack) { this(stack, (TcpConfig) null); }

    /**
     * An unbound server socket whose accepted connections (and SYN queue) use {@code config}
     * (null: the stack's), like the options a java.net ServerSocket passes to accepted sockets.
     */
    public TcpServerSocket(NetStack stack, TcpConfig config) {
        this.stack = Objects.requireNonNull(stack, "stack");
        this.loop = stack.loop();
        this.signal = new Signal(loop);
        this.config = config;
    }

    /** Bound to {@code port} on every local address, backlog 50. */
    public TcpServerSocket(NetStack stack, int port) throws IOException { this(stack, port, DEFAULT_BACKLOG); }

    public TcpServerSocket(NetStack stack, int port, int backlog) throws IOException {
        this(stack);
        bind(Ipv4Address.ANY, port, backlog);
    }

    public void bind(int port, int backlog) throws IOException { bind(Ipv4Address.ANY, port, backlog); }

    /**
     * Like {@link java.net.ServerSocket#bind(SocketAddress, int)}: null or an unspecified address
     * with port 0 is refused (there are no ephemeral listening ports here), the wildcard address
     * listens on every local address.
     */
    public void bind(SocketAddress endpoint, int backlog) throws IOException {
        if (endpoint == null) throw new IllegalArgumentException("bind needs an address with a port");
        if (!(endpoint instanceof InetSocketAddress isa)) throw new IllegalArgumentException("unsupported address type: " + endpoint);
        bind(Net.address(isa), isa.getPort(), backlog);
    }

    /** {@link #bind(IpAddress, int, int)} on a java.net address. */
    public void bind(InetAddress local, int port, int backlog) throws IOException {
        bind(local == null ? Ipv4Address.ANY : Net.address(local), port, backlog);
    }

    /**
     * IPV6_V6ONLY (RFC 3493 5.3), before {@link #bind}: a socket bound to {@code ::} then takes
     * IPv6 connections only. Off by default, like Linux: IPv4 connections come too, their
     * addresses shown as ::ffff:a.b.c.d.
     */
    public void setV6Only(boolean on) throws SocketException {
        if (listener != null) throw new SocketException("IPV6_V6ONLY must be set before bind");
        v6Only = on;
    }

    public boolean getV6Only() { return v6Only; }

    private volatile int fastOpenQlen;

    /**
     * TCP_FASTOPEN (RFC 7413): take data on SYNs with a valid cookie, at most {@code qlen} such
     * connections not yet established at a time; 0 turns it off. The stack's
     * {@link org.netstack4j.tcp.FastOpen#mode()} needs its server bit. Such a connection is
     * accepted before its handshake completes, with the SYN's data readable.
     */
    public void setFastOpen(int qlen) throws IOException {
        if (qlen < 0) throw new IllegalArgumentException("qlen >= 0");
        fastOpenQlen = qlen;
        TcpListener l = listener;
        if (l != null) Net.onLoop(loop, now -> { l.setFastOpen(qlen); return l; });
    }

    public int getFastOpen() { return fastOpenQlen; }

    /**
     * SO_RCVBUF of the accepted connections. Only before bind, as java.net.ServerSocket asks for
     * a buffer above 64 KB: the window scale of the SYN,ACK comes from it (RFC 7323 2.2).
     */
    public void setReceiveBufferSize(int bytes) throws SocketException {
        if (bytes <= 0) throw new IllegalArgumentException("invalid receive size: " + bytes);
        synchronized (this) {
            if (closed) throw new SocketException("Socket is closed");
            if (listener != null) throw new SocketException("set the receive buffer before bind: the window scale is agreed in the SYN,ACK");
            TcpConfig c = config != null ? config : stack.tcp().config();
            config = c.withBuffers(bf -> bf.withSocketReceiveBuffer(Math.max(bytes, c.options().mss())));
        }
    }

    /** SO_RCVBUF of the connections this socket accepts. */
    public int getReceiveBufferSize() {
        TcpConfig c = config;
        return (c != null ? c : stack.tcp().config()).buffers().receiveBufferSize();
    }

    /**
     * Starts listening (RFC 9293 3.10.1 OPEN, passive) on {@code local}: {@link Ipv4Address#ANY}
     * takes every address of both families (addresses as they are); {@link Ipv6Address#ANY} is
     * a dual-stack IPv6 socket (IPv4 peers shown IPv4-mapped, unless {@link #setV6Only}); an
     * IPv4-mapped address listens on that IPv4 address.
     */
    public void bind(IpAddress local, int port, int backlog) throws IOException {
        Objects.requireNonNull(local, "local");
        IpAddress onWire = Net.unmapped(local);
        boolean only = v6Only;
        mapsIpv4 = local instanceof Ipv6Address;
        if (port < 1 || port > 0xffff) throw new IllegalArgumentException("port out of range (1-65535): " + port);
        int b = backlog < 1 ? DEFAULT_BACKLOG : backlog;
        if (closed) throw new SocketException("Socket is closed");
        synchronized (this) {
            if (listener != null) throw new SocketException("Already bound");
            TcpConfig cfg = config;
            listener = Net.onLoop(loop, now -> {
                try {
                    TcpListener l = cfg == null ? stack.tcp().listen(now, onWire, port, b, this::serviceAccept)
                            : stack.tcp().listen(now, onWire, port, b, this::serviceAccept, cfg);
                    l.setV6Only(only); // on the loop, before any segment can reach it
                    l.setFastOpen(fastOpenQlen);
                    l.setTrafficClass(trafficClass);
                    return l;
                } catch (TcpException e) {
                    throw Net.exception(e, false);
                }
            });
        }
        localAddress = local;
        localPort = port;
    }

    /**
     * TCP_MD5SIG on the listening socket (RFC 2385): connections from peers in the key's
     * address/prefix are signed with it and unsigned ones dropped. After {@link #bind}; an empty
     * key removes the key of that address and prefix.
     */
    public void setMd5Key(TcpMd5Key key) throws IOException {
        java.util.Objects.requireNonNull(key, "key");
        TcpListener l = listener;
        if (l == null) throw new SocketException("set TCP-MD5 keys after bind");
        Net.onLoop(loop, now -> { l.setMd5Key(key); return null; });
    }

    /**
     * IP_TOS / IPV6_TCLASS on the listening socket, before or after {@link #bind}: the DSCP bits
     * of its SYN,ACKs and of the connections accepted from then on (Linux: children inherit it).
     * The ECN bits are TCP's and ignored.
     */
    public void setTrafficClass(int tos) throws IOException {
        if (tos < 0 || tos > 255) throw new IllegalArgumentException("traffic class must be 0..255: " + tos);
        if (closed) throw new SocketException("Socket is closed");
        synchronized (this) {
            trafficClass = tos & ~0b11;
            TcpListener l = listener;
            if (l != null) Net.onLoop(loop, now -> { l.setTrafficClass(tos); return null; });
        }
    }

    /** The DSCP bits set by {@link #setTrafficClass} (ECN bits read 0). */
    public int getTrafficClass() { return trafficClass; }

    private volatile int trafficClass;

    /**
     * Waits for an established connection (up to SO_TIMEOUT: then SocketTimeoutException
     * "Accept timed out", and the server socket stays usable).
     */
    public TcpSocket accept() throws IOException {
        TcpListener l = listener;
        if (closed) throw new SocketException("Socket is closed");
        if (l == null) throw new SocketException("Socket is not bound yet");
        int timeout = soTimeoutMs;
        long deadline = timeout == 0 ? Time.NEVER : loop.now() + Time.ms(timeout);
        if (closed) throw new SocketException("Socket closed");
        if (loop.inLoop()) throw new IllegalStateException("blocking socket call on the event loop thread");
        // One task: it accepts now, or leaves the request with the loop and the listener's
        // next callback fills it (no second trip to the loop after the wakeup).
        PendingAccept p = new PendingAccept();
        try {
            loop.execute(() -> {
                TcpConnection c = l.accept();
                if (c != null) complete(p, c);
                else pendingAccept = p;
            });
        } catch (RejectedExecutionException e) {
            throw Net.stackClosed();
        }
        try {
            signal.await(() -> p.socket != null || closed, deadline);
        } catch (InterruptedException e) {
            close();
            cancel(p);
            TcpSocket orphan = p.socket;
            if (orphan != null) orphan.close();
            Thread.currentThread().interrupt();
            throw new SocketException("Closed by interrupt");
        }
        if (p.socket == null) cancel(p);
        TcpSocket s = p.socket;
        if (closed) {
            if (s != null) s.close();
            throw new SocketException("Socket closed");
        }
        if (s != null) return s;
        if (loop.isClosed()) throw Net.stackClosed();
        throw new SocketTimeoutException("Accept timed out");
    }

    /** Told on the loop (while holding it) of each connection the non-blocking accept takes. */
    @FunctionalInterface
    public interface LoopAcceptor {
        /**
         * {@code c} was accepted (established, or a Fast Open one with its SYN's data); its events
         * are the acceptor's to take ({@link TcpConnection#setListener}). Called from inside the
         * stack: do the connection's first receive or send from a task ({@link EventLoop#execute}),
         * not from this call. {@code ipv4Mapped}: a dual-stack listener's IPv4 peer, which java.net
         * would show as ::ffff:a.b.c.d.
         */
        void accepted(TcpConnection c, boolean ipv4Mapped);
    }

    /** The non-blocking accept's acceptor (loop thread only); null: connections wait for {@link #accept}. */
    private LoopAcceptor loopAcceptor;

    /**
     * The non-blocking accept: from now on each connection the listener completes goes to {@code
     * acceptor} on the loop as soon as it is ready (those already waiting at once), with no thread
     * woken and no {@link TcpSocket} made, for applications that serve their connections from the
     * loop through the non-blocking API. Blocking {@link #accept} callers get nothing afterwards.
     */
    public void acceptOnLoop(LoopAcceptor acceptor) throws IOException {
        Objects.requireNonNull(acceptor, "acceptor");
        TcpListener l = listener;
        if (closed) throw new SocketException("Socket is closed");
        if (l == null) throw new SocketException("Socket is not bound yet");
        Net.onLoop(loop, now -> {
            loopAcceptor = acceptor;
            serviceAccept(l);
            return null;
        });
    }

    /** On the loop: a connection is ready to accept. */
    private void serviceAccept(TcpListener l) {
        LoopAcceptor a = loopAcceptor;
        if (a != null) {
            for (TcpConnection c; (c = l.accept()) != null; ) a.accepted(c, mapsIpv4 && c.localAddress() instanceof Ipv4Address);
            return;
        }
        PendingAccept p = pendingAccept;
        if (p == null) return;
        TcpConnection c = l.accept();
        if (c == null) return;
        pendingAccept = null;
        complete(p, c);
    }

    private void complete(PendingAccept p, TcpConnection c) {
        p.socket = new TcpSocket(stack, c, mapsIpv4 && c.localAddress() instanceof Ipv4Address);
        signal.signal();
    }

    /** Withdraws an accept the loop may still complete. */
    private void cancel(PendingAccept p) {
        try {
            Net.onLoop(loop, now -> {
                if (pendingAccept == p) pendingAccept = null;
                return null;
            });
        } catch (IOException | RuntimeException e) {
            // the stack is closed
        }
    }

    /** An accept left with the loop. */
    private static final class PendingAccept {
        volatile TcpSocket socket;
    }

    public void setSoTimeout(int timeoutMs) throws SocketException {
        if (timeoutMs < 0) throw new IllegalArgumentException("timeout < 0");
        if (closed) throw new SocketException("Socket is closed");
        soTimeoutMs = timeoutMs;
    }

    public int getSoTimeout() { return soTimeoutMs; }

    public int getLocalPort() { return localPort; }

    public IpAddress localAddress() { return localAddress; }

    /** The bound address as java.net has it (the wildcard when listening on every address), null if unbound. */
    public InetAddress getInetAddress() { return Net.inet(localAddress); }

    /** The bound address and port, null if unbound. */
    public SocketAddress getLocalSocketAddress() {
        return localAddress == null ? null : new InetSocketAddress(getInetAddress(), localPort);
    }

    public boolean isBound() { return listener != null; }

    public boolean isClosed() { return closed; }

    /** Stops listening; threads blocked in accept get SocketException("Socket closed"). */
    @Override public void close() {
        if (closed) return;
        closed = true;
        signal.signal();
        TcpListener l = listener;
        if (l == null) return;
        try {
            loop.execute(() -> l.close(loop.now()));
        } catch (RejectedExecutionException ignored) {
            // the stack is gone, and the listener with it
        }
    }

    @Override public String toString() {
        return "TcpServerSocket[" + (listener == null ? "unbound" : localAddress + ":" + localPort) + (closed ? ", closed" : "") + "]";
    }
}
