package org.netstack4j.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.AbstractChannel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ConnectionPendingException;
import java.nio.channels.UnresolvedAddressException;
import java.util.concurrent.TimeUnit;
import org.netstack4j.socket.NetStack;
import org.netstack4j.tcp.ConnectOptions;
import org.netstack4j.tcp.TcpConnection;
import org.netstack4j.tcp.TcpError;
import org.netstack4j.tcp.TcpEventListener;
import org.netstack4j.tcp.TcpException;
import org.netstack4j.tcp.TcpState;
import org.netstack4j.time.Time;
import org.netstack4j.wire.IpAddress;

/**
 * A Netty {@link SocketChannel} over a netstack4j {@link TcpConnection}. Everything runs on the
 * {@link NetstackEventLoop}, which holds the stack: reads copy from the TCP receive buffer into
 * the allocator's buffers (a connection nobody reads closes its window: back-pressure), writes
 * copy into the send buffer as far as it has room and resume when the connection reports it
 * writable. Connection events never call the pipeline from inside the stack: they queue a task.
 */
public class NetstackSocketChannel extends AbstractChannel implements SocketChannel {
    private static final ChannelMetadata METADATA = new ChannelMetadata(false, 16);
    private static final byte[] EMPTY = new byte[0];
    /** How long a closed channel's connection may wait in FIN-WAIT-2 (as TcpSocket, Linux tcp_fin_timeout). */
    private static final long ORPHAN_FIN_WAIT_2 = Time.s(60);

    private final NetstackSocketChannelConfig config;
    private final Events events = new Events();
    /** Set at registration (accepted channels: at creation). */
    private volatile NetstackEventLoop loop;
    /** The connection (loop only, published for the address getters). */
    private volatile TcpConnection conn;
    private volatile boolean open = true;
    private volatile boolean active;
    private volatile boolean inputShutdown;
    private volatile boolean outputShutdown;
    private volatile InetSocketAddress local;
    private volatile InetSocketAddress remote;
    /** The address given to bind() before connect, or null. */
    private InetSocketAddress bindAddress;

    // loop only
    private boolean readPending;
    private boolean readQueued;
    private boolean flushQueued;
    private boolean eofSeen;
    private ChannelPromise connectPromise;
    private ScheduledFuture<?> connectTimeout;
    private SocketAddress requestedRemote;

    /** An unconnected channel, as a Bootstrap creates it. */
    public NetstackSocketChannel() {
        super(null);
        config = new NetstackSocketChannelConfig(this);
    }

    /** An accepted connection (on the server channel's loop). */
    NetstackSocketChannel(NetstackServerSocketChannel parent, NetstackEventLoop loop, TcpConnection accepted) {
        super(parent);
        config = new NetstackSocketChannelConfig(this);
        this.loop = loop;
        this.conn = accepted;
        this.active = true;
        cacheAddresses(accepted);
        accepted.setListener(events);
    }

    @Override public ServerSocketChannel parent() { return (ServerSocketChannel) super.parent(); }

    @Override public NetstackSocketChannelConfig config() { return config; }

    @Override public ChannelMetadata metadata() { return METADATA; }

    @Override public boolean isOpen() { return open; }

    @Override public boolean isActive() { return open && active; }

    @Override public InetSocketAddress localAddress() { return (InetSocketAddress) super.localAddress(); }

    @Override public InetSocketAddress remoteAddress() { return (InetSocketAddress) super.remoteAddress(); }

    @Override protected SocketAddress localAddress0() { return local; }

    @Override protected SocketAddress remoteAddress0() { return remote; }

    /** The TCP connection (null before connect); touch it only on the event loop. */
    public TcpConnection connection() { return conn; }

    @Override protected boolean isCompatible(EventLoop l) {
        if (!(l instanceof NetstackEventLoop n)) return false;
        // an accepted connection lives in its listener's stack
        return !(parent() instanceof NetstackServerSocketChannel p) || p.stack() == null || n.stack().tcp() == p.stack().tcp();
    }

    @Override protected AbstractUnsafe newUnsafe() { return new NetstackUnsafe(); }

    @Override protected void doRegister(ChannelPromise promise) {
        NetstackEventLoop l = (NetstackEventLoop) eventLoop();
        loop = l;
        l.registered(this);
        promise.setSuccess();
    }

    @Override protected void doDeregister() {
        NetstackEventLoop l = loop;
        if (l != null) l.deregistered(this);
    }

    private NetStack stack() { return loop.stack(); }

    boolean stackNoDelay() {
        NetstackEventLoop l = loop;
        return l != null && l.stack().tcp().config().sending().noDelay();
    }

    int stackSendBufferSize() {
        NetstackEventLoop l = loop;
        return l == null ? 0 : l.stack().tcp().config().buffers().sendBufferSize();
    }

    int stackReceiveBufferSize() {
        NetstackEventLoop l = loop;
        return l == null ? 0 : l.stack().tcp().config().buffers().receiveBufferSize();
    }

    /** Applies the options that act on the connection, on the loop (no-op before there is one). */
    void applyOptions() {
        NetstackEventLoop l = loop;
        if (l == null || conn == null) return;
        if (l.inEventLoop()) applyOptionsNow();
        else l.execute(this::applyOptionsNow);
    }

    private void applyOptionsNow() {
        TcpConnection c = conn;
        if (c == null || c.state() == TcpState.CLOSED) return;
        Boolean nd = config.tcpNoDelayOrNull();
        if (nd != null) c.setNoDelay(nd);
        if (config.sendBufferSizeOrZero() > 0) c.setSendBufferSize(config.sendBufferSizeOrZero());
        if (config.keepAliveSet()) c.setKeepalive(loop.now(), true);
        c.setTrafficClass(config.getTrafficClass());
    }

    private void cacheAddresses(TcpConnection c) {
        local = new InetSocketAddress(c.localAddress().toInetAddress(), c.localPort());
        remote = new InetSocketAddress(c.remoteAddress().toInetAddress(), c.remotePort());
    }

    @Override protected void doBind(SocketAddress localAddress) throws Exception {
        if (conn != null) throw new AlreadyConnectedException();
        InetSocketAddress a = (InetSocketAddress) localAddress;
        if (a.isUnresolved()) throw new UnresolvedAddressException();
        bindAddress = a;
        local = a;
    }

    // ---- connection events: queued, never run inside the stack ------------------------------

    /** The TCP layer's callbacks (on the loop, from inside the stack): each queues the work. */
    private final class Events implements TcpEventListener {
        @Override public void onEstablished(TcpConnection c) { loop.execute(NetstackSocketChannel.this::finishConnect); }
        @Override public void onReadable(TcpConnection c) { queueRead(); }
        @Override public void onRemoteClosed(TcpConnection c) { queueRead(); }
        @Override public void onWritable(TcpConnection c) { queueFlush(); }
        @Override public void onClosed(TcpConnection c, TcpError error) { loop.execute(() -> connectionEnded(error)); }
    }

    private void queueRead() {
        if (readQueued || !isRegistered()) return;
        readQueued = true;
        loop.execute(this::readNow);
    }

    private void queueFlush() {
        if (flushQueued || !isRegistered()) return;
        flushQueued = true;
        loop.execute(() -> {
            flushQueued = false;
            ((NetstackUnsafe) unsafe()).flushNow();
        });
    }

    private void finishConnect() {
        ChannelPromise p = connectPromise;
        if (p == null) return;
        connectPromise = null;
        if (connectTimeout != null) connectTimeout.cancel(false);
        cacheAddresses(conn);
        active = true;
        boolean set = p.trySuccess();
        if (isActive()) pipeline().fireChannelActive();
        if (!set) unsafe().close(unsafe().voidPromise());
    }

    /** The connection reached CLOSED: a pending connect fails; a reset is reported; the channel closes. */
    private void connectionEnded(TcpError error) {
        if (!open) return;
        ChannelPromise p = connectPromise;
        if (p != null) {
            connectPromise = null;
            if (connectTimeout != null) connectTimeout.cancel(false);
            IOException e = exception(error == null ? TcpError.CONNECTION_ABORTED : error, true);
            unsafe().close(unsafe().voidPromise()); // closed before the failure is seen
            p.tryFailure(((NetstackUnsafe) unsafe()).annotate(e, requestedRemote));
            return;
        }
        if (error != null) {
            pipeline().fireExceptionCaught(exception(error, false));
            unsafe().close(unsafe().voidPromise());
            return;
        }
        // orderly end (both FINs): what is left to read is read first, then the channel closes
        queueRead();
        loop.execute(() -> {
            if (open && (conn == null || conn.readable() == 0)) unsafe().close(unsafe().voidPromise());
        });
    }

    /** The java.net exception for a connection error, as netstack4j's blocking sockets report it. */
    static IOException exception(TcpError error, boolean connecting) {
        return switch (error) {
            case CONNECTION_REFUSED -> new ConnectException("Connection refused");
            case CONNECTION_RESET, TIMED_OUT, CONNECTION_ABORTED -> {
                String m = Character.toUpperCase(error.message().charAt(0)) + error.message().substring(1);
                yield connecting ? new ConnectException(m) : new SocketException(m);
            }
            case HOST_UNREACHABLE -> new NoRouteToHostException("No route to host");
            case NETWORK_UNREACHABLE -> new NoRouteToHostException("Network is unreachable");
            case CONNECTION_DOES_NOT_EXIST -> new SocketException("Socket is not connected");
            case CONNECTION_CLOSING -> new SocketException("Broken pipe");
            case CONNECTION_ALREADY_EXISTS -> new BindException("Address already in use");
            case INSUFFICIENT_RESOURCES -> new SocketException("No buffer space available");
        };
    }

    // ---- reading --------------------------------------------------------------------------

    @Override protected void doBeginRead() {
        if (inputShutdown && eofSeen) return;
        readPending = true;
        queueRead();
    }

    /** On the loop: reads what TCP holds, as Netty's NIO byte channels do, while a read is pending. */
    private void readNow() {
        readQueued = false;
        TcpConnection c = conn;
        if (!open || c == null || !readPending || eofSeen) return;
        if (c.readable() == 0) {
            // nothing buffered: only the end of the stream or an error is news (a round that
            // reads nothing fires nothing, or the pipeline's read() after readComplete would spin)
            int r;
            try {
                r = c.receive(loop.now(), EMPTY, 0, 0);
            } catch (TcpException e) {
                r = 0; // the error arrives through onClosed
            }
            if (r >= 0) return;
        }
        ChannelPipeline pipeline = pipeline();
        RecvByteBufAllocator.Handle h = unsafe().recvBufAllocHandle();
        h.reset(config);
        ByteBufAllocator alloc = config.getAllocator();
        boolean eof = false;
        long now = loop.now();
        do {
            ByteBuf buf = h.allocate(alloc);
            int n;
            try {
                h.attemptedBytesRead(buf.writableBytes());
                n = receive(c, now, buf);
            } catch (TcpException e) {
                buf.release();
                h.readComplete();
                pipeline.fireChannelReadComplete();
                pipeline.fireExceptionCaught(exception(e.error(), false));
                unsafe().close(unsafe().voidPromise());
                return;
            }
            h.lastBytesRead(n);
            if (n <= 0) {
                buf.release();
                eof = n < 0;
                if (eof) readPending = false;
                break;
            }
            h.incMessagesRead(1);
            readPending = false;
            pipeline.fireChannelRead(buf);
        } while (h.continueReading() && open);
        h.readComplete();
        pipeline.fireChannelReadComplete();
        if (eof) readEof();
    }

    private int receive(TcpConnection c, long now, ByteBuf buf) {
        int room = buf.writableBytes();
        if (buf.hasArray()) {
            int n = c.receive(now, buf.array(), buf.arrayOffset() + buf.writerIndex(), room);
            if (n > 0) buf.writerIndex(buf.writerIndex() + n);
            return n;
        }
        byte[] tmp = loop.scratch(room);
        int n = c.receive(now, tmp, 0, room);
        if (n > 0) buf.writeBytes(tmp, 0, n);
        return n;
    }

    /** The peer's FIN, after all its data: half-closure events, or close (Netty's closeOnRead). */
    private void readEof() {
        eofSeen = true;
        if (!open) return;
        if (config.isAllowHalfClosure()) {
            inputShutdown = true;
            pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
            pipeline().fireUserEventTriggered(ChannelInputShutdownReadComplete.INSTANCE);
            if (conn.state() == TcpState.CLOSED) unsafe().close(unsafe().voidPromise());
        } else {
            unsafe().close(unsafe().voidPromise());
        }
    }

    // ---- writing --------------------------------------------------------------------------

    @Override protected Object filterOutboundMessage(Object msg) {
        if (msg instanceof ByteBuf) return msg;
        throw new UnsupportedOperationException("unsupported message type: " + msg.getClass().getName() + " (expected: ByteBuf)");
    }

    /** Copies what fits into the send buffer; the rest waits for onWritable. */
    @Override protected void doWrite(ChannelOutboundBuffer in) throws Exception {
        TcpConnection c = conn;
        long now = loop.now();
        while (true) {
            Object msg = in.current();
            if (msg == null) return;
            ByteBuf buf = (ByteBuf) msg;
            int len = buf.readableBytes();
            if (len == 0) {
                in.remove();
                continue;
            }
            int room = c.writable();
            if (room <= 0) {
                if (c.error() != null) throw exception(c.error(), false);
                if (c.state() == TcpState.CLOSED) throw new SocketException("Socket is not connected");
                return; // onWritable resumes
            }
            int n = Math.min(room, len);
            boolean more = n < len || in.size() > 1; // MSG_MORE: the flush goes on
            int w;
            try {
                w = send(c, now, buf, n, more);
            } catch (TcpException e) {
                throw exception(e.error(), false);
            }
            if (w > 0) in.removeBytes(w);
            if (w < len) {
                if (w <= 0) return;
                // the buffer is full now; onWritable resumes
                if (c.writable() <= 0) return;
            }
        }
    }

    private int send(TcpConnection c, long now, ByteBuf buf, int n, boolean more) {
        int at = buf.readerIndex();
        if (buf.hasArray()) return c.send(now, buf.array(), buf.arrayOffset() + at, n, more);
        byte[] tmp = loop.scratch(n);
        buf.getBytes(at, tmp, 0, n);
        return c.send(now, tmp, 0, n, more);
    }

    // ---- closing --------------------------------------------------------------------------

    @Override protected void doDisconnect() { doClose(); }

    /**
     * FIN after the queued data, or RST when unread data remains (as Linux does, RFC 2525 2.17),
     * the handshake is still running, or SO_LINGER is 0. Does not wait for the FIN handshake.
     */
    @Override protected void doClose() {
        boolean wasOpen = open;
        open = false;
        active = false;
        ChannelPromise p = connectPromise;
        if (p != null) {
            connectPromise = null;
            p.tryFailure(new java.nio.channels.ClosedChannelException());
        }
        if (connectTimeout != null) connectTimeout.cancel(false);
        TcpConnection c = conn;
        if (!wasOpen || c == null) return;
        c.setListener(null);
        if (c.state() == TcpState.CLOSED) return;
        long now = loop.now();
        try {
            if (config.getSoLinger() == 0 || c.readable() > 0 || c.state() == TcpState.SYN_SENT) {
                c.abort(now);
                return;
            }
            if (!outputShutdown) c.close(now);
            c.orphan(now, ORPHAN_FIN_WAIT_2);
        } catch (TcpException ignored) {
            // already closing (the peer reset it meanwhile): nothing left to do
        }
    }

    @Override protected void doShutdownOutput() {
        outputShutdown = true;
        TcpConnection c = conn;
        if (c != null && c.state() != TcpState.CLOSED) c.close(loop.now());
    }

    private void shutdownInputNow() {
        inputShutdown = true;
        readPending = false;
        TcpConnection c = conn;
        if (c == null) return;
        // discard what is buffered and what comes, so the window never closes on the peer
        byte[] sink = loop.scratch(8192);
        long now = loop.now();
        while (c.readable() > 0 && c.receive(now, sink, 0, sink.length) > 0) {
            // dropped
        }
        c.setListener(new TcpEventListener() {
            @Override public void onReadable(TcpConnection cc) {
                loop.execute(() -> {
                    while (cc.readable() > 0 && cc.receive(loop.now(), sink, 0, sink.length) > 0) {
                        // dropped
                    }
                });
            }
            @Override public void onWritable(TcpConnection cc) { events.onWritable(cc); }
            @Override public void onClosed(TcpConnection cc, TcpError error) { events.onClosed(cc, error); }
        });
    }

    @Override public boolean isInputShutdown() { return inputShutdown || !isActive(); }

    @Override public boolean isOutputShutdown() { return outputShutdown || !isActive(); }

    @Override public boolean isShutdown() { return (inputShutdown && outputShutdown) || !isActive(); }

    @Override public ChannelFuture shutdownOutput() { return shutdownOutput(newPromise()); }

    @Override public ChannelFuture shutdownOutput(ChannelPromise promise) {
        onLoop(() -> ((AbstractUnsafe) unsafe()).shutdownOutput(promise));
        return promise;
    }

    @Override public ChannelFuture shutdownInput() { return shutdownInput(newPromise()); }

    @Override public ChannelFuture shutdownInput(ChannelPromise promise) {
        onLoop(() -> {
            if (conn == null) {
                promise.setFailure(new SocketException("Socket is not connected"));
                return;
            }
            shutdownInputNow();
            promise.setSuccess();
        });
        return promise;
    }

    @Override public ChannelFuture shutdown() { return shutdown(newPromise()); }

    @Override public ChannelFuture shutdown(ChannelPromise promise) {
        ChannelFuture out = shutdownOutput();
        out.addListener(f -> shutdownInput().addListener(g -> {
            Throwable cause = f.cause() != null ? f.cause() : g.cause();
            if (cause != null) promise.setFailure(cause);
            else promise.setSuccess();
        }));
        return promise;
    }

    private void onLoop(Runnable r) {
        EventLoop l = eventLoop();
        if (l.inEventLoop()) r.run();
        else l.execute(r);
    }

    private final class NetstackUnsafe extends AbstractUnsafe {
        @Override public void connect(SocketAddress remoteAddress, SocketAddress localAddress, ChannelPromise promise) {
            if (!promise.setUncancellable() || !ensureOpen(promise)) return;
            try {
                if (connectPromise != null) throw new ConnectionPendingException();
                if (conn != null) throw new AlreadyConnectedException();
                InetSocketAddress r = (InetSocketAddress) remoteAddress;
                if (r.isUnresolved()) throw new UnresolvedAddressException();
                InetSocketAddress l = localAddress != null ? (InetSocketAddress) localAddress : bindAddress;
                IpAddress dst = IpAddress.of(r.getAddress());
                IpAddress src = l != null && !l.getAddress().isAnyLocalAddress() ? IpAddress.of(l.getAddress()) : stack().sourceAddressFor(dst);
                if (src == null) throw new NoRouteToHostException("No route to host");
                TcpConnection c;
                try {
                    c = stack().tcp().connect(loop.now(), dst, r.getPort(), events, ConnectOptions.from(src)
                            .withLocalPort(l == null ? 0 : l.getPort())
                            .withTrafficClass(config.getTrafficClass())); // the SYN carries the DSCP bits too
                } catch (TcpException e) {
                    throw exception(e.error(), true);
                }
                conn = c;
                applyOptionsNow();
                connectPromise = promise;
                requestedRemote = remoteAddress;
                int ms = config.getConnectTimeoutMillis();
                if (ms > 0) {
                    connectTimeout = loop.schedule(() -> {
                        ChannelPromise p = connectPromise;
                        if (p != null && p.tryFailure(new ConnectTimeoutException("connection timed out after " + ms + " ms: " + remoteAddress))) {
                            connectPromise = null;
                            close(voidPromise());
                        }
                    }, ms, TimeUnit.MILLISECONDS);
                }
            } catch (Throwable t) {
                promise.tryFailure(annotate(t, remoteAddress));
                closeIfClosed();
            }
        }

        Throwable annotate(Throwable t, SocketAddress remoteAddress) { return annotateConnectException(t, remoteAddress); }

        void flushNow() {
            if (isActive()) flush0();
        }
    }
}
