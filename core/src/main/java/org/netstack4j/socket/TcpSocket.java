package org.netstack4j.socket;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.netstack4j.runtime.EventLoop;
import org.netstack4j.runtime.Signal;
import org.netstack4j.tcp.ConnectOptions;
import org.netstack4j.tcp.TcpConfig;
import org.netstack4j.tcp.TcpConnection;
import org.netstack4j.tcp.TcpMd5Key;
import org.netstack4j.tcp.TcpError;
import org.netstack4j.tcp.TcpEventListener;
import org.netstack4j.tcp.TcpException;
import org.netstack4j.tcp.TcpState;
import org.netstack4j.tcp.TcpStatus;
import org.netstack4j.time.Time;
import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.Ipv6Address;

/**
 * A TCP client socket shaped like {@link java.net.Socket}: blocking connect, streams, timeouts,
 * half-close, linger-0 reset. Safe to use from platform or virtual threads; one reader and one
 * writer at a time, like java.net.
 *
 * <p>How it works: each operation runs a short task on the loop thread that tries it against
 * the {@link TcpConnection} (copying straight between the caller's array and the TCP buffers).
 * If it cannot progress (no data, send buffer full, handshake not done) the task clears a
 * readiness flag and the caller waits on this socket's {@link Signal} until the connection's
 * event callback sets it again. Flags are cleared and set on the loop thread only, so a
 * wakeup cannot be lost between the try and the wait.
 */
public final class TcpSocket implements Closeable {
    private final NetStack stack;
    private final EventLoop loop;
    private final Signal signal;
    private final Events events = new Events();

    // Written on the loop thread inside signal.update; read in await conditions (under the
    // signal's lock) or directly (volatile).
    private volatile TcpConnection conn;
    private volatile boolean established;
    private volatile boolean writeReady = true;
    /** Free send-buffer space as of the loop's last look (published on the loop thread). */
    private volatile int sendSpace;
    /** Bytes of writes queued for the loop and not yet given to TCP (see {@link #write}). */
    private final AtomicInteger unsentQueued = new AtomicInteger();
    /** Why a write that did not wait for the loop failed; thrown by the next write. */
    private volatile IOException writeError;
    /** Why the connect task failed (IOException or RuntimeException); thrown by connect. */
    private volatile Throwable connectError;
    /**
     * The peer's FIN has arrived and every byte before it was read: reads return -1 without
     * asking the loop (nothing can arrive after a FIN). Set on the loop thread.
     */
    private volatile boolean atEof;
    /** The read waiting for data; loop thread only. */
    private PendingRead pendingRead;
    /**
     * A blocked read offers its array to the connection ({@link TcpConnection#offerReadBuffer}):
     * data arriving meanwhile is copied once, not via the receive buffer. On unless
     * {@code -Dnetstack4j.socket.directRead=false}.
     */
    private static final boolean DIRECT_READ = !"false".equals(System.getProperty("netstack4j.socket.directRead"));
    private volatile boolean ended;      // onClosed seen: the connection is gone
    private volatile TcpError error;     // why it ended, if abnormally

    private volatile boolean closed;
    private volatile boolean connecting;
    private volatile boolean inputShutdown;
    private volatile boolean outputShutdown;
    private volatile int soTimeoutMs;
    private volatile int sendTimeoutMs;
    private volatile Boolean noDelay; // null: the TcpConfig default
    private volatile int lingerSeconds = -1;
    /** This socket's TCP configuration; null: the stack's. Fixed once the connection exists. */
    private volatile TcpConfig config;
    private volatile boolean keepAlive;

    private volatile IpAddress localAddress;
    private volatile int localPort;
    private volatile IpAddress remoteAddress;
    /** IPv4 peers shown as ::ffff:a.b.c.d (accepted by a dual-stack :: listener, or connected to a mapped address). */
    private volatile boolean mapped;
    /** The zone (RFC 4007) of a link-local connection: the interface's scope id; 0 otherwise. */
    private volatile int scopeId;
    private volatile int remotePort;

    private final SocketInputStream in = new SocketInputStream();
    private final SocketOutputStream out = new SocketOutputStream();

    /** An unconnected socket on {@code stack}. */
    public TcpSocket(NetStack stack) {
        this.stack = Objects.requireNonNull(stack, "stack");
        this.loop = stack.loop();
        this.signal = new Signal(loop);
    }

    /**
     * An unconnected socket whose connection will use {@code config} (buffers, MSS, window
     * scale, RTO, delayed ACK, MSL, SYN option layout...) instead of the stack's; the
     * stack-wide parts (ephemeral port range, challenge ACK limit) stay the stack's.
     */
    public TcpSocket(NetStack stack, TcpConfig config) {
        this(stack);
        this.config = Objects.requireNonNull(config, "config");
    }

    /** Connects to {@code remote:port} with no timeout beyond the TCP layer's own SYN retries. */
    public TcpSocket(NetStack stack, IpAddress remote, int port) throws IOException {
        this(stack);
        connect(remote, port, 0);
    }

    /** Connects to a java.net {@code remote:port}, like {@code new java.net.Socket(address, port)}. */
    public TcpSocket(NetStack stack, InetAddress remote, int port) throws IOException {
        this(stack);
        connect(remote, port, 0);
    }

    /** Wraps a connection handed over by a listener; runs on the loop thread. */
    TcpSocket(NetStack stack, TcpConnection accepted) { this(stack, accepted, false); }

    /** {@code mapped}: the listener is a dual-stack IPv6 one, an IPv4 peer shows as ::ffff:a.b.c.d. */
    TcpSocket(NetStack stack, TcpConnection accepted, boolean mapped) {
        this(stack);
        this.mapped = mapped;
        this.conn = accepted;
        this.established = true;
        this.ended = accepted.state() == TcpState.CLOSED;
        this.error = accepted.error();
        this.sendSpace = accepted.writable();
        this.trafficClass = accepted.trafficClass(); // the listener's, inherited
        cacheAddresses(accepted);
        accepted.setListener(events);
    }

    private void cacheAddresses(TcpConnection c) {
        localAddress = Net.mapped(c.localAddress(), mapped);
        localPort = c.localPort();
        remoteAddress = Net.mapped(c.remoteAddress(), mapped);
        remotePort = c.remotePort();
        if (c.localAddress() instanceof Ipv6Address v6 && v6.isLinkLocal()) scopeId = stack.scopeIdOf(v6);
    }

    // ---- connect ----------------------------------------------------------------------

    public void connect(SocketAddress endpoint) throws IOException { connect(endpoint, 0); }

    /** Like {@link java.net.Socket#connect(SocketAddress, int)}; timeoutMs 0 = no timeout. */
    public void connect(SocketAddress endpoint, int timeoutMs) throws IOException {
        if (!(endpoint instanceof InetSocketAddress isa)) throw new IllegalArgumentException("unsupported address type: " + endpoint);
        connect(Net.address(isa), isa.getPort(), timeoutMs, Net.scopeId(isa.getAddress()));
    }

    /**
     * {@link #connect(IpAddress, int, int)} to a java.net address; a link-local
     * {@link java.net.Inet6Address} with a scope id leaves by that interface (RFC 4007 11).
     */
    public void connect(InetAddress remote, int port, int timeoutMs) throws IOException {
        connect(Net.address(remote), port, timeoutMs, Net.scopeId(remote));
    }

    /**
     * {@link #connect(IpAddress, int, int)} within a zone: {@code scopeId} is the interface (as
     * {@code fe80::1%eth0} names it, see {@code IpStack.scopeId}) a link-local {@code remote} is
     * reached on; 0: none given (the first IPv6 interface).
     */
    public void connect(IpAddress remote, int port, int timeoutMs, int scopeId) throws IOException {
        if (scopeId < 0) throw new IllegalArgumentException("negative scope id: " + scopeId);
        this.scopeId = scopeId;
        connect(remote, port, timeoutMs);
    }

    /**
     * Opens a connection (RFC 9293 3.10.1 OPEN, active) and waits until it is established.
     * Throws ConnectException("Connection refused") on RST, ConnectException("Connection timed
     * out") when the TCP layer gives up, SocketTimeoutException("Connect timed out") when
     * {@code timeoutMs} (0 = none) passes first (the attempt is then aborted).
     */
    public void connect(IpAddress remote, int port, int timeoutMs) throws IOException {
        connect(remote, port, timeoutMs, null);
    }

    /**
     * TCP Fast Open (RFC 7413; Linux sendto with MSG_FASTOPEN): connects and sends {@code
     * firstData}, as much of it as fits in the SYN when a cookie for the server is cached (the
     * stack's {@link org.netstack4j.tcp.FastOpen} client bit must be on), the rest once
     * connected. Without a cookie the SYN asks for one and all the data follows the handshake.
     */
    public void connect(IpAddress remote, int port, int timeoutMs, byte[] firstData) throws IOException {
        Objects.requireNonNull(remote, "remote");
        // a dual-stack socket reaches an IPv4-mapped address over IPv4 (RFC 4038 4.2) and shows it mapped
        if (remote instanceof Ipv6Address v6 && v6.isIpv4Mapped()) mapped = true;
        IpAddress peer = Net.unmapped(remote);
        int zone = scopeId;
        if (port < 1 || port > 0xffff) throw new IllegalArgumentException("port out of range: " + port);
        if (timeoutMs < 0) throw new IllegalArgumentException("connect: timeout can't be negative");
        ensureOpen();
        synchronized (this) {
            if (connecting || conn != null) throw new SocketException("Already connected");
            connecting = true;
        }
        long deadline = timeoutMs == 0 ? Time.NEVER : loop.now() + Time.ms(timeoutMs);
        Boolean wantNoDelay = noDelay;
        TcpConfig cfg = config;
        int[] inSyn = {0};
        // The caller does not wait for the open itself, only for its outcome: one handoff less.
        try {
            loop.execute(() -> {
                if (closed) return;
                try {
                    IpAddress src;
                    if (zone > 0 && peer instanceof Ipv6Address v6 && v6.isLinkLocal()) {
                        // RFC 4007 6: our link-local address on that interface picks the link
                        src = stack.linkLocalAddress(zone);
                        if (src == null) throw new SocketException("No such device (no interface or link-local address for scope id " + zone + ")");
                    } else {
                        src = stack.sourceAddressFor(peer);
                    }
                    if (src == null) throw new NoRouteToHostException("No route to host");
                    TcpConnection c;
                    try {
                        // everything set before connect applies from the SYN on, a Fast Open SYN's too
                        ConnectOptions o = ConnectOptions.from(src).withConfig(cfg).withMd5Keys(md5Keys).withTrafficClass(trafficClass);
                        c = stack.tcp().connect(loop.now(), peer, port, events, firstData == null ? o : o.withFastOpen(firstData, false));
                        if (firstData != null) inSyn[0] = c.synDataLength();
                    } catch (TcpException e) {
                        throw Net.exception(e, true);
                    } catch (IllegalStateException e) {
                        throw new SocketException("Operation not supported (" + e.getMessage() + ")");
                    }
                    if (wantNoDelay != null) c.setNoDelay(wantNoDelay);
                    cacheAddresses(c);
                    conn = c;
                } catch (IOException | RuntimeException e) {
                    connectError = e;
                    signal.signal();
                }
            });
        } catch (RejectedExecutionException e) {
            close();
            throw Net.stackClosed();
        }
        boolean done = await(() -> established || ended || closed || connectError != null, deadline);
        if (established) {
            if (firstData != null && inSyn[0] < firstData.length) getOutputStream().write(firstData, inSyn[0], firstData.length - inSyn[0]);
            return;
        }
        Throwable failed = connectError;
        if (failed != null) {
            close();
            if (failed instanceof IOException io) {
                io.addSuppressed(new Exception("caller stack"));
                throw io;
            }
            throw (RuntimeException) failed;
        }
        // Decide the outcome before closing: the abort below ends the connection too.
        boolean wasEnded = ended, wasClosed = closed;
        TcpError e = error;
        // Like java.net, a failed connect closes the socket (aborting a pending SYN-SENT).
        close();
        if (wasEnded) throw Net.exception(e == null ? TcpError.CONNECTION_ABORTED : e, true);
        if (wasClosed) throw new SocketException("Socket closed");
        if (loop.isClosed()) throw Net.stackClosed();
        if (!done) throw new SocketTimeoutException("Connect timed out");
        throw new SocketException("Socket closed");
    }

    // ---- data -------------------------------------------------------------------------

    public InputStream getInputStream() throws IOException {
        ensureOpen();
        ensureConnected();
        return in;
    }

    public OutputStream getOutputStream() throws IOException {
        ensureOpen();
        ensureConnected();
        return out;
    }

    /**
     * Reads at least one byte into {@code dst} from its position, which it advances, blocking up
     * to soTimeout as the stream's read does; -1 at end of stream, 0 when {@code dst} is full.
     * The receive ring is copied straight into {@code dst}: a direct buffer a host
     * SocketChannel then writes needs no heap array between (the gateway's relay, issue 14).
     */
    public int read(java.nio.ByteBuffer dst) throws IOException {
        return read(null, dst, 0, dst.remaining());
    }

    /** Reads at least one byte, blocking up to soTimeout; -1 at end of stream (FIN received and all data read). */
    private int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        return read(b, null, off, len);
    }

    /** Into {@code b} at off, or (non-null) into {@code bb} at its position. */
    private int read(byte[] b, java.nio.ByteBuffer bb, int off, int len) throws IOException {
        if (len == 0) return 0;
        int timeout = soTimeoutMs;
        long deadline = timeout == 0 ? Time.NEVER : loop.now() + Time.ms(timeout);
        ensureOpen();
        if (inputShutdown) return -1;
        if (atEof && error == null) return -1; // (after a later reset the loop answers: "Connection reset")
        TcpConnection c = conn;
        // One task: it reads now, or leaves the request with the loop, and the connection's
        // next event fills it (the bytes come with the wakeup; no second trip to the loop).
        PendingRead p = new PendingRead(b, bb, off, len);
        try {
            loop.execute(() -> {
                if (p.attempt(c, loop.now())) {
                    noteEof(c);
                    signal.signal();
                } else {
                    pendingRead = p;
                    // while it waits, data that arrives in order goes straight into its array (ReadTarget)
                    if (b != null && DIRECT_READ) c.offerReadBuffer(b, off, len);
                }
            });
        } catch (RejectedExecutionException e) {
            throw Net.stackClosed();
        }
        try {
            await(() -> p.done || closed || inputShutdown, deadline);
        } catch (SocketException interrupted) {
            cancelRead(p);
            throw interrupted;
        }
        if (!p.done) cancelRead(p);
        // The loop no longer touches b (or bb) from here on.
        ensureOpen();
        if (p.done) return p.result();
        if (inputShutdown) return -1;
        if (loop.isClosed()) throw Net.stackClosed();
        throw new SocketTimeoutException("Read timed out");
    }

    /** Withdraws a read the loop may still fill; afterwards the loop no longer touches its buffer. */
    private void cancelRead(PendingRead p) {
        try {
            Net.onLoop(loop, now -> {
                if (pendingRead == p) {
                    pendingRead = null;
                    int placed = conn.withdrawReadBuffer();
                    if (placed > 0) p.complete(placed); // already in the caller's array: the read returns it
                }
                return null;
            });
        } catch (IOException | RuntimeException e) {
            // the stack is closed: its loop touches nothing any more
        }
    }

    /** On the loop: completes the waiting read if the connection now has data, an end or an error. */
    private void serviceRead(TcpConnection c) {
        PendingRead p = pendingRead;
        if (p != null && p.attempt(c, loop.now())) {
            pendingRead = null;
            signal.signal();
        }
        noteEof(c);
    }

    /** On the loop: publishes {@link #atEof} once the FIN has been received and everything before it read. */
    private void noteEof(TcpConnection c) {
        if (atEof || c.readable() > 0) return;
        boolean finReceived = switch (c.state()) {
            case CLOSE_WAIT, LAST_ACK, CLOSING, TIME_WAIT -> true; // states entered on the peer's FIN (RFC 9293 3.3.2)
            case CLOSED -> c.error() == null; // receive() answers -1 from here on
            case LISTEN, SYN_SENT, SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2 -> false;
        };
        if (finReceived) atEof = true;
    }

    /** A read left with the loop: the caller's buffer and, once {@link #done}, the outcome. */
    private static final class PendingRead {
        private final byte[] b;
        private final java.nio.ByteBuffer bb; // non-null: read into it instead of b
        private final int off, len;
        private int n;
        private IOException error;
        volatile boolean done; // written last: publishes n and error

        PendingRead(byte[] b, java.nio.ByteBuffer bb, int off, int len) {
            this.b = b;
            this.bb = bb;
            this.off = off;
            this.len = len;
        }

        /** On the loop: tries the read; true when it is complete (bytes, end of stream or error). */
        boolean attempt(TcpConnection c, long now) {
            int placed = c.withdrawReadBuffer(); // bytes that arrived while it waited, already in b
            try {
                TcpError e = c.error();
                if (e != null && placed == 0) throw Net.exception(e, false);
                int r;
                try {
                    r = bb != null ? c.receive(now, bb) : placed == len ? 0 : c.receive(now, b, off + placed, len - placed);
                } catch (TcpException te) {
                    if (placed > 0) return complete(placed); // the data first, the error on the next read
                    throw Net.exception(te, false);
                }
                if (placed > 0) return complete(placed + Math.max(r, 0));
                if (r == 0 && c.state() == TcpState.CLOSED) r = -1; // gone without FIN or error: nothing more will come
                if (r == 0) return false;
                n = r;
            } catch (IOException io) {
                error = io;
            }
            done = true;
            return true;
        }

        /** Completes the read with {@code n} bytes (on the loop). */
        boolean complete(int n) {
            this.n = n;
            done = true;
            return true;
        }

        int result() throws IOException {
            if (error != null) {
                error.addSuppressed(new Exception("caller stack"));
                throw error;
            }
            return n;
        }
    }

    /**
     * java.net.Socket.sendUrgentData: one byte of urgent data after what was written, sent with
     * URG and the urgent pointer as Linux's MSG_OOB ({@link TcpConnection#sendUrgent}); the peer
     * reads it in band or out of band as its socket chooses (RFC 6093).
     */
    public void sendUrgentData(int data) throws IOException {
        write(new byte[] {(byte) data}, 0, 1, true);
    }

    /**
     * SO_TIMESTAMPING: Linux's SOF_TIMESTAMPING_* bits ({@link org.netstack4j.tcp.Timestamping});
     * 0 turns it off. Transmit timestamps are read with {@link #pollTimestamp}, the receive
     * timestamp of the last read with {@link #lastReadTimestamp}; times are the stack's clock.
     */
    public void setTimestamping(int flags) throws IOException {
        ensureOpen();
        TcpConnection c = conn;
        Net.onLoop(loop, now -> {
            c.setTimestamping(flags);
            return null;
        });
    }

    /** The oldest transmit timestamp not yet taken, or null (Linux: recvmsg with MSG_ERRQUEUE). */
    public org.netstack4j.tcp.Timestamping.Event pollTimestamp() throws IOException {
        TcpConnection c = conn;
        return Net.onLoop(loop, now -> c.pollTimestamp());
    }

    /** When the stack accepted the last byte the last read returned (RX_SOFTWARE); {@code Long.MIN_VALUE} if unknown. */
    public long lastReadTimestamp() throws IOException {
        TcpConnection c = conn;
        return Net.onLoop(loop, now -> c.lastReadTimestamp());
    }

    /**
     * recv(MSG_OOB) as Linux: the urgent byte received (0-255), taken out of the stream while
     * SO_OOBINLINE is off (the default), or one of {@link TcpConnection#URGENT_INVALID} (none,
     * read already, or inline), {@link TcpConnection#URGENT_NOT_YET} (the pointer arrived, the
     * byte not yet: this never blocks), {@link TcpConnection#URGENT_EOF}; {@code peek} leaves it.
     */
    public int readUrgent(boolean peek) throws IOException {
        ensureOpen();
        TcpConnection c = conn;
        if (c == null) throw new SocketException("Socket is not connected");
        return Net.onLoop(loop, now -> c.receiveUrgent(peek));
    }

    /** SIOCATMARK: the next byte read follows the urgent mark (reads stop at it). */
    public boolean atMark() throws IOException {
        ensureOpen();
        TcpConnection c = conn;
        return c != null && Net.onLoop(loop, now -> c.atMark());
    }

    /** SO_OOBINLINE: urgent bytes stay in the stream; off (the default), they are read with {@link #readUrgent}. */
    public void setOobInline(boolean on) throws IOException {
        ensureOpen();
        oobInline = on;
        TcpConnection c = conn;
        if (c != null) Net.onLoop(loop, now -> { c.setOobInline(on); return null; });
    }

    public boolean getOobInline() { return oobInline; }

    private volatile boolean oobInline;

    /**
     * IP_TOS / IPV6_TCLASS ({@link java.net.Socket#setTrafficClass}): the DSCP bits (RFC 2474) of
     * every segment, the SYN too when set before connect (with Fast Open, from the segment after
     * the SYN). The two ECN bits belong to TCP (RFC 3168) and are ignored, as Linux does on a
     * stream socket.
     */
    public void setTrafficClass(int tos) throws IOException {
        if (tos < 0 || tos > 255) throw new IllegalArgumentException("traffic class must be 0..255: " + tos);
        ensureOpen();
        trafficClass = tos & ~0b11;
        TcpConnection c = conn;
        if (c != null) Net.onLoop(loop, now -> { c.setTrafficClass(tos); return null; });
    }

    /** The DSCP bits set by {@link #setTrafficClass} (ECN bits read 0). */
    public int getTrafficClass() { return trafficClass; }

    private volatile int trafficClass;

    /**
     * TCP_MD5SIG (RFC 2385) before connect: when the key's address/prefix holds the peer, every
     * segment of the connection is signed with it and unsigned or wrongly signed segments are
     * dropped. An empty key removes the key of that address and prefix.
     */
    public void setMd5Key(TcpMd5Key key) throws SocketException {
        Objects.requireNonNull(key, "key");
        ensureOpen();
        synchronized (this) {
            if (connecting || conn != null) throw new SocketException("set TCP-MD5 keys before connect");
            List<TcpMd5Key> l = new java.util.ArrayList<>(md5Keys);
            l.removeIf(k -> k.address().equals(key.address()) && k.prefixLength() == key.prefixLength());
            if (key.key().length > 0) l.add(key);
            md5Keys = List.copyOf(l);
        }
    }

    private volatile List<TcpMd5Key> md5Keys = List.of();

    /** Writes all of b[off..off+len), blocking while the send buffer is full. */
    private void write(byte[] b, int off, int len) throws IOException { write(b, off, len, false); }

    /** {@code urgent}: MSG_OOB, the last byte is urgent (never queued without the loop). */
    private void write(byte[] b, int off, int len, boolean urgent) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        write(b, null, off, len, urgent);
    }

    /**
     * Writes all of {@code src} from its position to its limit, blocking while the send buffer
     * is full (up to the send timeout without progress) as the stream's write does; the position
     * advances by what the send ring took, also when the write then fails or times out (a small
     * write that did not wait for the loop counts as taken; an error surfaces on the next write,
     * as with the stream). Returns the count written. The buffer is copied straight into the send ring: a direct buffer a
     * host SocketChannel filled needs no heap array between (the gateway's relay, issue 14).
     * The caller must not touch {@code src} until the call returns.
     */
    public int write(java.nio.ByteBuffer src) throws IOException {
        int len = src.remaining();
        write(null, src, 0, len, false);
        return len;
    }

    /** From {@code b} at off, or (non-null) from {@code bb} at its position (advancing it). */
    private void write(byte[] b, java.nio.ByteBuffer bb, int off, int len, boolean urgent) throws IOException {
        while (len > 0) {
            ensureOpen();
            if (outputShutdown) throw new SocketException("Socket output is shutdown");
            IOException failed = writeError;
            if (failed != null) {
                writeError = null;
                throw failed;
            }
            TcpConnection c = conn;
            // A write that surely fits the send buffer does not wait for the loop: its bytes are
            // copied and queued; an error surfaces on the next write. Read the queued count
            // before the space: the loop publishes the new space before it un-counts a write.
            int queued = unsentQueued.get();
            if (!urgent && len <= ASYNC_WRITE_MAX && len <= sendSpace - queued) {
                unsentQueued.addAndGet(len);
                int o = off, l = len;
                try {
                    // A free loop takes the caller's bytes at once (no copy); a busy one gets a copy.
                    if (loop.runIfFree(() -> sendQueued(c, b, bb, o, l))) {
                        if (bb != null && bb.remaining() != 0) bb.position(bb.limit()); // a failed send: reported by the next write
                        return;
                    }
                    byte[] copy;
                    if (bb != null) bb.get(copy = new byte[len]);
                    else copy = Arrays.copyOfRange(b, off, off + len);
                    loop.execute(() -> sendQueued(c, copy, null, 0, copy.length));
                } catch (RejectedExecutionException e) {
                    unsentQueued.addAndGet(-len);
                    throw Net.stackClosed();
                }
                return;
            }
            int o = off, l = len;
            int n = Net.onLoop(loop, now -> {
                TcpError e = c.error();
                if (e != null) throw Net.exception(e, false);
                int w;
                try {
                    w = urgent ? c.sendUrgent(now, b, o, l) : bb != null ? c.send(now, bb) : c.send(now, b, o, l);
                } catch (TcpException te) {
                    throw Net.exception(te, false);
                } finally {
                    sendSpace = c.writable();
                }
                if (w == 0) signal.update(() -> writeReady = false);
                return w;
            });
            off += n;
            len -= n;
            if (n == 0) {
                // the send buffer is full: wait for space, at most the send timeout without progress
                int timeout = sendTimeoutMs;
                long deadline = timeout == 0 ? Time.NEVER : loop.now() + Time.ms(timeout);
                if (!await(() -> writeReady || closed, deadline)) {
                    if (loop.isClosed()) throw Net.stackClosed();
                    ensureOpen();
                    if (timeout > 0) throw new SocketTimeoutException("Write timed out");
                }
            }
        }
    }

    /** How long a closed socket's connection may wait in FIN-WAIT-2 for the peer's FIN. */
    private static final long ORPHAN_FIN_WAIT_2 = Time.s(60);

    /** A {@link #serviceRead} is queued with the loop (touched only while holding the loop). */
    private boolean readServiceQueued;

    /** Writes up to this size may be queued without waiting (they are copied once). */
    private static final int ASYNC_WRITE_MAX = 64 * 1024;

    /** On the loop: gives a queued write to TCP (from b, or bb if non-null); it fits, as the caller checked against {@link #sendSpace}. */
    private void sendQueued(TcpConnection c, byte[] b, java.nio.ByteBuffer bb, int off, int len) {
        try {
            TcpError e = c.error();
            if (e != null) throw Net.exception(e, false);
            int w;
            try {
                w = bb != null ? c.send(loop.now(), bb) : c.send(loop.now(), b, off, len);
            } catch (TcpException te) {
                throw Net.exception(te, false);
            }
            if (w != len) {
                // Cannot happen: only this socket's writes use the space, and they are counted.
                writeError = new SocketException("internal error: queued write did not fit (" + w + " of " + len + ")");
                throw new IllegalStateException("queued write did not fit the send buffer: " + w + " of " + len);
            }
        } catch (IOException io) {
            if (writeError == null) writeError = io;
        } finally {
            sendSpace = c.writable();
            unsentQueued.addAndGet(-len);
        }
    }

    private int available() throws IOException {
        ensureOpen();
        if (inputShutdown) return 0;
        TcpConnection c = conn;
        return Net.onLoop(loop, now -> Math.max(0, c.readable()));
    }

    // ---- half-close and close -------------------------------------------------------------

    /** Sends FIN after the queued data (RFC 9293 3.10.4 CLOSE); reading continues until the peer's FIN. */
    public void shutdownOutput() throws IOException {
        ensureOpen();
        ensureConnected();
        if (outputShutdown) throw new SocketException("Socket output is already shutdown");
        outputShutdown = true;
        TcpConnection c = conn;
        Net.onLoop(loop, now -> {
            TcpError e = c.error();
            if (e != null) throw Net.exception(e, false);
            if (c.state() != TcpState.CLOSED) {
                try {
                    c.close(now);
                } catch (TcpException te) {
                    throw Net.exception(te, false);
                }
            }
            return null;
        });
    }

    /**
     * Further reads return -1; data that arrives is acknowledged and discarded (as java.net
     * documents), so the peer is never stalled by a window we will not open. No FIN is sent.
     */
    public void shutdownInput() throws IOException {
        ensureOpen();
        ensureConnected();
        if (inputShutdown) throw new SocketException("Socket input is already shutdown");
        inputShutdown = true;
        signal.signal();
        TcpConnection c = conn;
        runLater(now -> discardInput(c, now));
    }

    /** On the loop: reads and drops whatever is buffered (which reopens the receive window). */
    private static void discardInput(TcpConnection c, long now) {
        byte[] sink = new byte[8192];
        while (c.readable() > 0 && c.receive(now, sink, 0, sink.length) > 0) {
            // dropped
        }
    }

    /**
     * Closes the socket: threads blocked on it get SocketException("Socket closed"). The
     * connection closes gracefully (FIN after queued data), or is reset (RST) when unread
     * data remains (as Linux does, RFC 2525 2.17) or when SO_LINGER is on with timeout 0.
     * Does not wait for the FIN handshake.
     */
    @Override public void close() {
        if (closed) return;
        closed = true;
        signal.signal();
        if (conn == null && !connecting) return;
        boolean abort = lingerSeconds == 0;
        boolean finSent = outputShutdown;
        // conn is read on the loop: a connect task queued before this one has set it by then.
        runLater(now -> {
            pendingRead = null;
            TcpConnection c = conn;
            if (c != null) c.withdrawReadBuffer(); // the closed socket's blocked read no longer takes bytes
            if (c == null || c.state() == TcpState.CLOSED) return;
            try {
                if (abort || c.readable() > 0 || c.state() == TcpState.SYN_SENT) {
                    c.abort(now);
                    return;
                }
                if (!finSent) c.close(now);
                // Nobody reads this connection again: later data is answered with RST and
                // FIN-WAIT-2 ends after 60 s (RFC 1122 4.2.2.13; Linux tcp_fin_timeout).
                c.orphan(now, ORPHAN_FIN_WAIT_2);
                // Nothing of this closed socket waits for the connection's events any more: let
                // go of it, so FIN-WAIT and the 60 s of TIME-WAIT do not keep the socket, its
                // streams and its signal reachable (a busy server keeps thousands in TIME-WAIT)
                c.setListener(null);
            } catch (TcpException ignored) {
                // already closing (e.g. the peer reset it meanwhile): nothing left to do
            }
        });
    }

    /** Runs a task on the loop without waiting; ignored if the stack is already closed. */
    private void runLater(java.util.function.LongConsumer task) {
        try {
            loop.execute(() -> task.accept(loop.now()));
        } catch (java.util.concurrent.RejectedExecutionException ignored) {
            // the stack is gone, and with it the connection
        }
    }

    // ---- options and getters ----------------------------------------------------------------

    /** Read timeout in ms (0 = none); an expired read throws SocketTimeoutException and the socket stays usable. */
    public void setSoTimeout(int timeoutMs) throws SocketException {
        if (timeoutMs < 0) throw new IllegalArgumentException("timeout < 0");
        ensureOpenUnchecked();
        soTimeoutMs = timeoutMs;
    }

    public int getSoTimeout() { return soTimeoutMs; }

    /**
     * Write timeout in ms (0 = none), like Linux's SO_SNDTIMEO: a write that finds the send buffer
     * full and gets no room for this long throws SocketTimeoutException("Write timed out"). The
     * bytes written before stay queued; the caller usually closes the socket (a peer that stopped
     * reading would otherwise hold a writer, and its buffer, for as long as it answers window probes).
     */
    public void setSendTimeout(int timeoutMs) throws SocketException {
        if (timeoutMs < 0) throw new IllegalArgumentException("timeout < 0");
        ensureOpenUnchecked();
        sendTimeoutMs = timeoutMs;
    }

    public int getSendTimeout() { return sendTimeoutMs; }

    /** Disables Nagle's algorithm (RFC 896) when true. */
    public void setTcpNoDelay(boolean on) throws SocketException {
        ensureOpenUnchecked();
        noDelay = on;
        TcpConnection c = conn;
        if (c != null) runLater(now -> c.setNoDelay(on));
    }

    public boolean getTcpNoDelay() {
        Boolean on = noDelay;
        return on != null ? on : stack.tcp().config().sending().noDelay();
    }

    /** This socket's TCP configuration: its own ({@link #TcpSocket(NetStack, TcpConfig)}, the buffer setters) or the stack's. */
    public TcpConfig config() {
        TcpConnection c = conn;
        if (c != null) return c.config();
        TcpConfig cfg = config;
        return cfg != null ? cfg : stack.tcp().config();
    }

    /**
     * SO_RCVBUF: the receive buffer, from which the advertised window comes. Only before
     * connect: the window scale is agreed in the SYN from this size (RFC 7323 2.2), so it
     * cannot grow later; afterwards SocketException says so.
     */
    public void setReceiveBufferSize(int bytes) throws SocketException {
        if (bytes <= 0) throw new IllegalArgumentException("invalid receive size: " + bytes);
        ensureOpenUnchecked();
        synchronized (this) {
            if (connecting || conn != null)
                throw new SocketException("set the receive buffer before connect: the window scale is agreed in the SYN");
            config = config().withBuffers(bf -> bf.withSocketReceiveBuffer(Math.max(bytes, config().options().mss())));
        }
    }

    public int getReceiveBufferSize() { return config().buffers().receiveBufferSize(); }

    /** SO_SNDBUF: how many bytes may wait for acknowledgement or sending; takes effect at once when connected. */
    public void setSendBufferSize(int bytes) throws SocketException {
        if (bytes <= 0) throw new IllegalArgumentException("invalid send size: " + bytes);
        ensureOpenUnchecked();
        TcpConnection c;
        synchronized (this) {
            c = conn;
            if (c == null && !connecting) {
                config = config().withBuffers(bf -> bf.withSendBufferSize(bytes));
                return;
            }
        }
        if (c == null) throw new SocketException("set the send buffer before connect or once connected, not while connecting");
        runLater(now -> {
            c.setSendBufferSize(bytes);
            sendSpace = c.writable();
        });
    }

    public int getSendBufferSize() {
        TcpConnection c = conn;
        return c != null ? c.sendBufferSize() : config().buffers().sendBufferSize();
    }

    /** SO_KEEPALIVE (RFC 9293 3.8.4), with the idle time, interval and probe count of the configuration. */
    public void setKeepAlive(boolean on) throws SocketException {
        ensureOpenUnchecked();
        keepAlive = on;
        TcpConnection c = conn;
        if (c != null) runLater(now -> c.setKeepalive(now, on));
    }

    public boolean getKeepAlive() { return keepAlive || config().timers().keepalive(); }

    /** Only "on with 0" changes behaviour: close() then resets the connection. Otherwise close() never blocks. */
    public void setSoLinger(boolean on, int lingerSeconds) throws SocketException {
        ensureOpenUnchecked();
        if (on && lingerSeconds < 0) throw new IllegalArgumentException("invalid value for SO_LINGER");
        this.lingerSeconds = on ? lingerSeconds : -1;
    }

    public int getSoLinger() { return lingerSeconds; }

    /** True once connected (stays true after close, like java.net). */
    public boolean isConnected() { return established; }

    public boolean isClosed() { return closed; }

    public boolean isInputShutdown() { return inputShutdown; }

    public boolean isOutputShutdown() { return outputShutdown; }

    public InetAddress getInetAddress() { return Net.inet(remoteAddress, scopeId); }

    public int getPort() { return remotePort; }

    public InetAddress getLocalAddress() { return Net.inet(localAddress, scopeId); }

    /** The zone (interface scope id) of a link-local connection; 0 otherwise. */
    public int scopeId() { return scopeId; }

    public int getLocalPort() { return conn == null ? -1 : localPort; }

    public SocketAddress getRemoteSocketAddress() {
        return remoteAddress == null ? null : new InetSocketAddress(getInetAddress(), remotePort);
    }

    public SocketAddress getLocalSocketAddress() {
        return localAddress == null ? null : new InetSocketAddress(getLocalAddress(), localPort);
    }

    public IpAddress remoteAddress() { return remoteAddress; }

    public IpAddress localAddress() { return localAddress; }

    /** A TCP_INFO-like snapshot of the connection (null before connect). */
    public TcpStatus status() throws IOException {
        TcpConnection c = conn;
        if (c == null) return null;
        return Net.onLoop(loop, now -> c.status());
    }

    /** The TCP state of the underlying connection (CLOSED before connect). */
    public TcpState state() throws IOException {
        TcpConnection c = conn;
        if (c == null) return TcpState.CLOSED;
        return Net.onLoop(loop, now -> c.state());
    }

    @Override public String toString() {
        TcpConnection c = conn;
        return "TcpSocket[" + (c == null ? "unconnected" : localAddress + ":" + localPort + ">" + remoteAddress + ":" + remotePort)
                + (closed ? ", closed" : "") + "]";
    }

    // ---- internals ----------------------------------------------------------------------------

    private void ensureOpen() throws SocketException {
        if (closed) throw new SocketException("Socket closed");
    }

    private void ensureOpenUnchecked() throws SocketException { ensureOpen(); }

    private void ensureConnected() throws SocketException {
        if (!established) throw new SocketException("Socket is not connected");
    }

    /**
     * Waits on this socket's signal. An interrupt closes the socket, as an interrupted
     * virtual thread's java.net socket does, and surfaces as SocketException("Closed by interrupt").
     */
    private boolean await(BooleanSupplier ready, long deadline) throws SocketException {
        if (loop.inLoop()) throw new IllegalStateException("blocking socket call on the event loop thread");
        try {
            return signal.await(ready, deadline);
        } catch (InterruptedException e) {
            close();
            Thread.currentThread().interrupt();
            throw new SocketException("Closed by interrupt");
        }
    }

    /** Connection callbacks, on the loop thread. */
    private final class Events implements TcpEventListener {
        @Override public void onEstablished(TcpConnection c) {
            cacheAddresses(c);
            if (keepAlive) c.setKeepalive(loop.now(), true);
            if (oobInline) c.setOobInline(true);
            sendSpace = c.writable();
            signal.update(() -> established = true);
        }

        @Override public void onReadable(TcpConnection c) {
            if (inputShutdown) {
                discardInput(c, loop.now());
            } else if (pendingRead != null && !readServiceQueued) {
                // Complete the waiting read after the packets that arrived together have all
                // been processed (a task queued now runs after this poll round), so it takes
                // them in one go rather than one segment per wake-up.
                readServiceQueued = true;
                loop.execute(() -> {
                    readServiceQueued = false;
                    serviceRead(c);
                });
            }
        }

        @Override public void onWritable(TcpConnection c) {
            sendSpace = c.writable();
            // Only a write that found no space waits for this (writeReady is written only
            // while holding the loop, as here): waking on every ACK would also wake a reader
            // waiting on the same signal, for nothing.
            if (!writeReady) signal.update(() -> writeReady = true);
        }

        @Override public void onRemoteClosed(TcpConnection c) { serviceRead(c); }

        @Override public void onClosed(TcpConnection c, TcpError e) {
            sendSpace = 0;
            signal.update(() -> {
                ended = true;
                if (e != null && error == null) error = e;
                writeReady = true;
            });
            serviceRead(c);
        }
    }

    private final class SocketInputStream extends InputStream {
        @Override public int read() throws IOException {
            byte[] one = new byte[1];
            int n = TcpSocket.this.read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override public int read(byte[] b, int off, int len) throws IOException { return TcpSocket.this.read(b, off, len); }

        @Override public int available() throws IOException { return TcpSocket.this.available(); }

        @Override public void close() { TcpSocket.this.close(); }
    }

    private final class SocketOutputStream extends OutputStream {
        @Override public void write(int b) throws IOException { TcpSocket.this.write(new byte[] {(byte) b}, 0, 1); }

        @Override public void write(byte[] b, int off, int len) throws IOException { TcpSocket.this.write(b, off, len); }

        @Override public void close() { TcpSocket.this.close(); }
    }
}
