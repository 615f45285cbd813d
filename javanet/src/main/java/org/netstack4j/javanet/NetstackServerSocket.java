package org.netstack4j.javanet;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketImpl;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.util.Objects;
import java.util.Set;
import org.netstack4j.socket.NetStack;
import org.netstack4j.socket.TcpServerSocket;

/**
 * A {@link ServerSocket} listening on a netstack4j stack: {@link #accept()} returns
 * {@link NetstackSocket}s. Every public method of {@code ServerSocket} is overridden and goes to
 * a {@link TcpServerSocket}; the {@code SocketImpl} handed to the base class refuses every call,
 * so no kernel socket exists behind it. Options: {@code SO_RCVBUF} (for accepted connections is
 * the stack's configuration, so it is reported, not changed) and {@code SO_REUSEADDR} (accepted,
 * no effect).
 */
public class NetstackServerSocket extends ServerSocket {
    private static final Set<SocketOption<?>> OPTIONS = Set.of(StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_REUSEADDR,
            StandardSocketOptions.IP_TOS);

    private final NetStack stack;
    private final TcpServerSocket tcp;
    private volatile boolean reuseAddress = true;
    private volatile int receiveBufferSize;

    /** An unbound server socket on {@code stack}; {@link #bind(SocketAddress, int)} it. */
    public NetstackServerSocket(NetStack stack) {
        super(new NoPlatformImpl());
        this.stack = Objects.requireNonNull(stack, "stack");
        this.tcp = new TcpServerSocket(stack);
    }

    /** The netstack4j server socket underneath. */
    public TcpServerSocket tcpServerSocket() { return tcp; }

    /** The stack the sockets of this server run on. */
    public NetStack stack() { return stack; }

    @Override public void bind(SocketAddress endpoint) throws IOException { bind(endpoint, TcpServerSocket.DEFAULT_BACKLOG); }

    /** Binds to {@code endpoint} (null: the wildcard address and an ephemeral port); backlog &lt; 1 means 50. */
    @Override public void bind(SocketAddress endpoint, int backlog) throws IOException {
        if (isClosed()) throw new SocketException("Socket is closed");
        if (isBound()) throw new SocketException("Already bound");
        if (endpoint == null) endpoint = new InetSocketAddress(0);
        if (!(endpoint instanceof InetSocketAddress isa)) throw new IllegalArgumentException("Unsupported address type");
        if (isa.isUnresolved()) throw new SocketException("Unresolved address");
        int b = backlog < 1 ? TcpServerSocket.DEFAULT_BACKLOG : backlog;
        if (isa.getPort() != 0) {
            tcp.bind(isa, b);
            return;
        }
        // Port 0: the first free port of the IANA dynamic range (RFC 6335), as the JDK's
        // ServerSocket(0) gets one from the kernel.
        for (int port = EPHEMERAL_FIRST; port <= 0xffff; port++) {
            try {
                tcp.bind(new InetSocketAddress(isa.getAddress(), port), b);
                return;
            } catch (BindException inUse) {
                // taken: the next one
            }
        }
        throw new BindException("no free port in " + EPHEMERAL_FIRST + "-65535");
    }

    private static final int EPHEMERAL_FIRST = 49152;

    @Override public InetAddress getInetAddress() { return isBound() ? tcp.getInetAddress() : null; }
    @Override public int getLocalPort() { return isBound() ? tcp.getLocalPort() : -1; }
    @Override public SocketAddress getLocalSocketAddress() { return isBound() ? tcp.getLocalSocketAddress() : null; }

    /** Waits for a connection (up to SO_TIMEOUT) and returns it as a {@link NetstackSocket}. */
    @Override public Socket accept() throws IOException {
        if (isClosed()) throw new SocketException("Socket is closed");
        if (!isBound()) throw new SocketException("Socket is not bound yet");
        return new NetstackSocket(tcp.accept());
    }

    @Override public void close() throws IOException { tcp.close(); }
    @Override public ServerSocketChannel getChannel() { return null; }
    @Override public boolean isBound() { return tcp.isBound(); }
    @Override public boolean isClosed() { return tcp.isClosed(); }

    @Override public void setSoTimeout(int timeout) throws SocketException {
        if (isClosed()) throw new SocketException("Socket is closed");
        if (timeout < 0) throw new IllegalArgumentException("timeout < 0");
        tcp.setSoTimeout(timeout);
    }
    @Override public int getSoTimeout() throws IOException {
        if (isClosed()) throw new SocketException("Socket is closed");
        return tcp.getSoTimeout();
    }
    @Override public void setReuseAddress(boolean on) throws SocketException {
        if (isClosed()) throw new SocketException("Socket is closed");
        reuseAddress = on;
    }
    @Override public boolean getReuseAddress() throws SocketException {
        if (isClosed()) throw new SocketException("Socket is closed");
        return reuseAddress;
    }
    /**
     * Before bind: the receive buffer (and so the window scale) of the accepted connections, as
     * ServerSocket documents; after bind only remembered and reported, as the window scale of
     * further connections is the listener's.
     */
    @Override public void setReceiveBufferSize(int size) throws SocketException {
        if (size <= 0) throw new IllegalArgumentException("negative receive size");
        if (isClosed()) throw new SocketException("Socket is closed");
        if (!isBound()) tcp.setReceiveBufferSize(size);
        receiveBufferSize = size;
    }
    @Override public int getReceiveBufferSize() throws SocketException {
        if (isClosed()) throw new SocketException("Socket is closed");
        return receiveBufferSize != 0 ? receiveBufferSize : tcp.getReceiveBufferSize();
    }
    /** Ignored, as the JDK's own sockets ignore it. */
    @Override public void setPerformancePreferences(int connectionTime, int latency, int bandwidth) { }

    @Override public <T> ServerSocket setOption(SocketOption<T> name, T value) throws IOException {
        Objects.requireNonNull(name, "name");
        if (!OPTIONS.contains(name)) throw new UnsupportedOperationException("'" + name + "' not supported");
        if (name == StandardSocketOptions.SO_RCVBUF) setReceiveBufferSize((Integer) value);
        else if (name == StandardSocketOptions.IP_TOS) {
            int tos = (Integer) value;
            if (tos < 0 || tos > 255) throw new IllegalArgumentException("Invalid IP_TOS value: " + tos);
            if (isClosed()) throw new SocketException("Socket is closed");
            tcp.setTrafficClass(tos); // the accepted sockets' DSCP bits, as the JDK's ServerSocket
        } else setReuseAddress((Boolean) value);
        return this;
    }

    @SuppressWarnings("unchecked")
    @Override public <T> T getOption(SocketOption<T> name) throws IOException {
        Objects.requireNonNull(name, "name");
        if (!OPTIONS.contains(name)) throw new UnsupportedOperationException("'" + name + "' not supported");
        Object v = name == StandardSocketOptions.SO_RCVBUF ? getReceiveBufferSize()
                : name == StandardSocketOptions.IP_TOS ? (Object) tcp.getTrafficClass() : getReuseAddress();
        return (T) v;
    }

    @Override public Set<SocketOption<?>> supportedOptions() { return OPTIONS; }

    @Override public String toString() {
        return isBound() ? "NetstackServerSocket[addr=" + getInetAddress() + ",localport=" + getLocalPort() + "]"
                : "NetstackServerSocket[unbound]";
    }

    /** The base class needs a SocketImpl; this one is never reached, and refuses if it were. */
    private static final class NoPlatformImpl extends SocketImpl {
        private static SocketException refused() { return new SocketException("no platform socket behind a netstack4j server socket"); }
        @Override protected void create(boolean stream) throws IOException { throw refused(); }
        @Override protected void connect(String host, int port) throws IOException { throw refused(); }
        @Override protected void connect(InetAddress address, int port) throws IOException { throw refused(); }
        @Override protected void connect(SocketAddress address, int timeout) throws IOException { throw refused(); }
        @Override protected void bind(InetAddress host, int port) throws IOException { throw refused(); }
        @Override protected void listen(int backlog) throws IOException { throw refused(); }
        @Override protected void accept(SocketImpl s) throws IOException { throw refused(); }
        @Override protected InputStream getInputStream() throws IOException { throw refused(); }
        @Override protected OutputStream getOutputStream() throws IOException { throw refused(); }
        @Override protected int available() throws IOException { throw refused(); }
        @Override protected void close() { }
        @Override protected void sendUrgentData(int data) throws IOException { throw refused(); }
        @Override public void setOption(int optID, Object value) throws SocketException { throw refused(); }
        @Override public Object getOption(int optID) throws SocketException { throw refused(); }
    }
}
