package org.netstack4j.javanet;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Objects;
import javax.net.ServerSocketFactory;
import org.netstack4j.socket.NetStack;

/**
 * A {@link ServerSocketFactory} whose server sockets ({@link NetstackServerSocket}) listen on a
 * netstack4j stack, for servers that take a {@code ServerSocketFactory}.
 */
public final class NetstackServerSocketFactory extends ServerSocketFactory {
    private final NetStack stack;

    private NetstackServerSocketFactory(NetStack stack) { this.stack = Objects.requireNonNull(stack, "stack"); }

    /** Server sockets on {@code stack}. */
    public static NetstackServerSocketFactory of(NetStack stack) { return new NetstackServerSocketFactory(stack); }

    /** The stack the server sockets listen on. */
    public NetStack stack() { return stack; }

    /** An unbound server socket. */
    @Override public ServerSocket createServerSocket() throws IOException { return new NetstackServerSocket(stack); }

    @Override public ServerSocket createServerSocket(int port) throws IOException { return createServerSocket(port, 0, null); }

    @Override public ServerSocket createServerSocket(int port, int backlog) throws IOException { return createServerSocket(port, backlog, null); }

    /** A server socket bound to {@code ifAddress} (null: every local address) and {@code port}; backlog &lt; 1 means 50. */
    @Override public ServerSocket createServerSocket(int port, int backlog, InetAddress ifAddress) throws IOException {
        if (port < 0 || port > 0xffff) throw new IllegalArgumentException("Port value out of range: " + port);
        NetstackServerSocket s = new NetstackServerSocket(stack);
        try {
            s.bind(ifAddress == null ? new InetSocketAddress(port) : new InetSocketAddress(ifAddress, port), backlog);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    @Override public String toString() { return "NetstackServerSocketFactory[" + stack + "]"; }
}
