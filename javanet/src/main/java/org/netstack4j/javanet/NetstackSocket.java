package org.netstack4j.javanet;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketImpl;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.channels.SocketChannel;
import java.util.Objects;
import java.util.Set;
import org.netstack4j.socket.NetStack;
import org.netstack4j.socket.TcpSocket;

/**
 * A {@link Socket} whose connection runs on a netstack4j stack. Every public method of
 * {@code Socket} is overridden and goes to a {@link TcpSocket}; the base class's platform
 * {@code SocketImpl} is never created, so no kernel socket exists behind it.
 *
 * <p>Differences from a JDK socket: a client socket binds only to the wildcard address and an
 * ephemeral port (the stack picks the source address by route), urgent data received with
 * {@code SO_OOBINLINE} off (the default) is dropped from the stream as the JDK documents (Linux
 * takes it out of band; {@link TcpSocket#readUrgent} reads it), and {@link #getChannel()} is null as for any socket not
 * made by a channel. Options: {@code TCP_NODELAY}, {@code SO_KEEPALIVE}, {@code SO_LINGER},
 * {@code SO_SNDBUF}, {@code SO_RCVBUF}, {@code IP_TOS} (DSCP bits) and {@code SO_REUSEADDR}
 * (accepted, no effect: there is no TIME-WAIT port clash to lift here).
 */
public class NetstackSocket extends Socket {
    private static final Set<SocketOption<?>> OPTIONS = Set.of(StandardSocketOptions.TCP_NODELAY,
            StandardSocketOptions.SO_KEEPALIVE, StandardSocketOptions.SO_LINGER, StandardSocketOptions.SO_SNDBUF,
            StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.IP_TOS);

    private final TcpSocket tcp;
    private volatile boolean bound;
    private volatile boolean reuseAddress;

    /**
     * An unconnected socket on {@code stack}.
     *
     * @throws SocketException never in practice; declared by the {@code Socket} constructor
     */
    public NetstackSocket(NetStack stack) throws SocketException {
        this(new TcpSocket(Objects.requireNonNull(stack, "stack")));
    }

    /** Wraps {@code tcp}, connected or not (the server socket wraps the ones it accepts). */
    NetstackSocket(TcpSocket tcp) throws SocketException {
        super((SocketImpl) null); // no platform SocketImpl: every method below is overridden
        this.tcp = tcp;
        this.bound = tcp.isConnected();
    }

    /** The netstack4j socket underneath, for its TCP status and per-socket configuration. */
    public TcpSocket tcpSocket() { return tcp; }

    @Override public void connect(SocketAddress endpoint) throws IOException { connect(endpoint, 0); }

    @Override public void connect(SocketAddress endpoint, int timeout) throws IOException {
        if (endpoint == null) throw new IllegalArgumentException("connect: The address can't be null");
        if (timeout < 0) throw new IllegalArgumentException("connect: timeout can't be negative");
        if (isClosed()) throw new SocketException("Socket is closed");
        if (isConnected()) throw new SocketException("already connected");
        if (!(endpoint instanceof InetSocketAddress isa)) throw new IllegalArgumentException("Unsupported address type");
        if (isa.isUnresolved()) throw new UnknownHostException(isa.getHostName());
        tcp.connect(isa, timeout);
        bound = true;
    }

    /**
     * Accepts only the wildcard address with port 0 (or null): the stack chooses the source
     * address by route and an ephemeral port at connect time.
     */
    @Override public void bind(SocketAddress bindpoint) throws IOException {
        if (isClosed()) throw new SocketException("Socket is closed");
        if (bound) throw new SocketException("Already bound");
        if (bindpoint != null) {
            if (!(bindpoint instanceof InetSocketAddress isa)) throw new IllegalArgumentException("Unsupported address type");
            if (isa.isUnresolved()) throw new SocketException("Unresolved address");
            if (!isa.getAddress().isAnyLocalAddress() || isa.getPort() != 0)
                throw new SocketException("netstack4j client sockets bind to the wildcard address and an ephemeral port only, not " + isa);
        }
        bound = true;
    }

    @Override public InetAddress getInetAddress() { return isConnected() ? tcp.getInetAddress() : null; }
    @Override public InetAddress getLocalAddress() {
        return isConnected() ? tcp.getLocalAddress() : wildcard();
    }
    @Override public int getPort() { return isConnected() ? tcp.getPort() : 0; }
    @Override public int getLocalPort() { return isConnected() ? tcp.getLocalPort() : bound ? 0 : -1; }
    @Override public SocketAddress getRemoteSocketAddress() { return isConnected() ? tcp.getRemoteSocketAddress() : null; }
    @Override public SocketAddress getLocalSocketAddress() {
        if (isConnected()) return tcp.getLocalSocketAddress();
        return bound ? new InetSocketAddress(wildcard(), 0) : null;
    }

    private static InetAddress wildcard() { return new InetSocketAddress(0).getAddress(); }

    @Override public SocketChannel getChannel() { return null; }

    @Override public InputStream getInputStream() throws IOException {
        if (isClosed()) throw new SocketException("Socket is closed");
        if (!isConnected()) throw new SocketException("Socket is not connected");
        if (isInputShutdown()) throw new SocketException("Socket input is shutdown");
        return tcp.getInputStream();
    }

    @Override public OutputStream getOutputStream() throws IOException {
        if (isClosed()) throw new SocketException("Socket is closed");
        if (!isConnected()) throw new SocketException("Socket is not connected");
        if (isOutputShutdown()) throw new SocketException("Socket output is shutdown");
        return tcp.getOutputStream();
    }

    @Override public void setTcpNoDelay(boolean on) throws SocketException { checkOpen(); tcp.setTcpNoDelay(on); }
    @Override public boolean getTcpNoDelay() throws SocketException { checkOpen(); return tcp.getTcpNoDelay(); }
    @Override public void setSoLinger(boolean on, int linger) throws SocketException {
        checkOpen();
        if (on && linger < 0) throw new IllegalArgumentException("invalid value for SO_LINGER");
        tcp.setSoLinger(on, Math.min(linger, 65535));
    }
    @Override public int getSoLinger() throws SocketException { checkOpen(); return tcp.getSoLinger(); }

    /** One byte sent urgent, as Linux's MSG_OOB (RFC 9293 3.8.5 discourages urgent data; RFC 6093). */
    @Override public void sendUrgentData(int data) throws IOException {
        checkOpen();
        tcp.sendUrgentData(data);
    }
    @Override public void setOOBInline(boolean on) throws SocketException {
        checkOpen();
        try {
            tcp.setOobInline(on);
        } catch (SocketException e) {
            throw e;
        } catch (IOException e) {
            throw new SocketException(e.getMessage(), e);
        }
    }
    @Override public boolean getOOBInline() throws SocketException { checkOpen(); return tcp.getOobInline(); }

    @Override public void setSoTimeout(int timeout) throws SocketException {
        checkOpen();
        if (timeout < 0) throw new IllegalArgumentException("timeout < 0");
        tcp.setSoTimeout(timeout);
    }
    @Override public int getSoTimeout() throws SocketException { checkOpen(); return tcp.getSoTimeout(); }
    @Override public void setSendBufferSize(int size) throws SocketException {
        if (size <= 0) throw new IllegalArgumentException("negative send size");
        checkOpen();
        tcp.setSendBufferSize(size);
    }
    @Override public int getSendBufferSize() throws SocketException { checkOpen(); return tcp.getSendBufferSize(); }
    @Override public void setReceiveBufferSize(int size) throws SocketException {
        if (size <= 0) throw new IllegalArgumentException("invalid receive size");
        checkOpen();
        tcp.setReceiveBufferSize(size);
    }
    @Override public int getReceiveBufferSize() throws SocketException { checkOpen(); return tcp.getReceiveBufferSize(); }
    @Override public void setKeepAlive(boolean on) throws SocketException { checkOpen(); tcp.setKeepAlive(on); }
    @Override public boolean getKeepAlive() throws SocketException { checkOpen(); return tcp.getKeepAlive(); }
    /**
     * IP_TOS / IPV6_TCLASS: the DSCP bits of every segment (the SYN too when set before connect);
     * the ECN bits are TCP's (RFC 3168) and ignored, as on Linux, so they read back 0.
     */
    @Override public void setTrafficClass(int tc) throws SocketException {
        if (tc < 0 || tc > 255) throw new IllegalArgumentException("tc is not in range 0 -- 255");
        checkOpen();
        try {
            tcp.setTrafficClass(tc);
        } catch (SocketException e) {
            throw e;
        } catch (IOException e) {
            throw new SocketException(e.getMessage(), e);
        }
    }
    @Override public int getTrafficClass() throws SocketException { checkOpen(); return tcp.getTrafficClass(); }
    @Override public void setReuseAddress(boolean on) throws SocketException { checkOpen(); reuseAddress = on; }
    @Override public boolean getReuseAddress() throws SocketException { checkOpen(); return reuseAddress; }

    @Override public void close() throws IOException { tcp.close(); }
    @Override public void shutdownInput() throws IOException { tcp.shutdownInput(); }
    @Override public void shutdownOutput() throws IOException { tcp.shutdownOutput(); }

    @Override public boolean isConnected() { return tcp.isConnected(); }
    @Override public boolean isBound() { return bound || tcp.isConnected(); }
    @Override public boolean isClosed() { return tcp.isClosed(); }
    @Override public boolean isInputShutdown() { return tcp.isInputShutdown(); }
    @Override public boolean isOutputShutdown() { return tcp.isOutputShutdown(); }

    /** Ignored, as the JDK's own sockets ignore it. */
    @Override public void setPerformancePreferences(int connectionTime, int latency, int bandwidth) { }

    @Override public <T> Socket setOption(SocketOption<T> name, T value) throws IOException {
        Objects.requireNonNull(name, "name");
        if (!OPTIONS.contains(name)) throw new UnsupportedOperationException("'" + name + "' not supported");
        if (name == StandardSocketOptions.TCP_NODELAY) setTcpNoDelay((Boolean) value);
        else if (name == StandardSocketOptions.SO_KEEPALIVE) setKeepAlive((Boolean) value);
        else if (name == StandardSocketOptions.SO_LINGER) {
            int v = (Integer) value;
            setSoLinger(v >= 0, Math.max(v, 0));
        } else if (name == StandardSocketOptions.SO_SNDBUF) setSendBufferSize((Integer) value);
        else if (name == StandardSocketOptions.SO_RCVBUF) setReceiveBufferSize((Integer) value);
        else if (name == StandardSocketOptions.IP_TOS) setTrafficClass((Integer) value);
        else setReuseAddress((Boolean) value);
        return this;
    }

    @SuppressWarnings("unchecked")
    @Override public <T> T getOption(SocketOption<T> name) throws IOException {
        Objects.requireNonNull(name, "name");
        if (!OPTIONS.contains(name)) throw new UnsupportedOperationException("'" + name + "' not supported");
        Object v;
        if (name == StandardSocketOptions.TCP_NODELAY) v = getTcpNoDelay();
        else if (name == StandardSocketOptions.SO_KEEPALIVE) v = getKeepAlive();
        else if (name == StandardSocketOptions.SO_LINGER) v = getSoLinger();
        else if (name == StandardSocketOptions.SO_SNDBUF) v = getSendBufferSize();
        else if (name == StandardSocketOptions.SO_RCVBUF) v = getReceiveBufferSize();
        else if (name == StandardSocketOptions.IP_TOS) v = getTrafficClass();
        else v = getReuseAddress();
        return (T) v;
    }

    @Override public Set<SocketOption<?>> supportedOptions() { return OPTIONS; }

    private void checkOpen() throws SocketException {
        if (isClosed()) throw new SocketException("Socket is closed");
    }

    @Override public String toString() {
        if (isConnected())
            return "NetstackSocket[addr=" + getInetAddress() + ",port=" + getPort() + ",localport=" + getLocalPort() + "]";
        return "NetstackSocket[unconnected]";
    }
}
