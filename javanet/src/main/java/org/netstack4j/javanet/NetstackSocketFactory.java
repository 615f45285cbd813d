package org.netstack4j.javanet;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Objects;
import javax.net.SocketFactory;
import org.netstack4j.socket.NetStack;

/**
 * A {@link SocketFactory} whose sockets ({@link NetstackSocket}) run on a netstack4j stack. Hand
 * it to any library that takes a {@code SocketFactory}: a JDBC driver's {@code socketFactory}
 * property, an HTTP client's {@code socketFactory(...)}, a mail client.
 *
 * <p>Host names are resolved by a {@link Resolver}: by default the JDK's
 * ({@link InetAddress#getAllByName}, which uses the host's resolver, not the netstack4j network);
 * give your own (for example one over netstack4j's DNS stub resolver) to keep the lookup on the
 * stack too. Local address and port arguments are accepted only as the wildcard and 0: the stack
 * picks the source address by route and an ephemeral port.
 */
public final class NetstackSocketFactory extends SocketFactory {
    /** Turns a host name into addresses, tried in order. */
    @FunctionalInterface
    public interface Resolver {
        /**
         * The addresses of {@code host}, at least one.
         *
         * @throws UnknownHostException if {@code host} has none
         */
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private final NetStack stack;
    private final Resolver resolver;
    private final int connectTimeoutMs;

    private NetstackSocketFactory(NetStack stack, Resolver resolver, int connectTimeoutMs) {
        this.stack = Objects.requireNonNull(stack, "stack");
        this.resolver = Objects.requireNonNull(resolver, "resolver");
        if (connectTimeoutMs < 0) throw new IllegalArgumentException("connect timeout < 0: " + connectTimeoutMs);
        this.connectTimeoutMs = connectTimeoutMs;
    }

    /** Sockets on {@code stack}, names resolved by the JDK, no connect timeout beyond TCP's own. */
    public static NetstackSocketFactory of(NetStack stack) { return new NetstackSocketFactory(stack, InetAddress::getAllByName, 0); }

    /** This factory with host names resolved by {@code resolver}. */
    public NetstackSocketFactory withResolver(Resolver resolver) { return new NetstackSocketFactory(stack, resolver, connectTimeoutMs); }

    /**
     * This factory with a connect timeout for the sockets it connects itself (the
     * {@code createSocket(host, port...)} forms); 0: none beyond TCP's SYN retries.
     */
    public NetstackSocketFactory withConnectTimeout(int timeoutMs) { return new NetstackSocketFactory(stack, resolver, timeoutMs); }

    /** The stack the sockets run on. */
    public NetStack stack() { return stack; }

    /** An unconnected socket: the form most libraries use, then {@code connect(address, timeout)}. */
    @Override public Socket createSocket() throws IOException { return new NetstackSocket(stack); }

    @Override public Socket createSocket(String host, int port) throws IOException {
        InetAddress[] all = resolver.resolve(host);
        if (all == null || all.length == 0) throw new UnknownHostException(host);
        IOException failure = null;
        for (InetAddress a : all) {
            try {
                return createSocket(a, port);
            } catch (IOException e) {
                if (failure == null) failure = e;
                else failure.addSuppressed(e);
            }
        }
        throw failure;
    }

    @Override public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        checkLocal(localHost, localPort);
        return createSocket(host, port);
    }

    @Override public Socket createSocket(InetAddress host, int port) throws IOException {
        NetstackSocket s = new NetstackSocket(stack);
        try {
            s.connect(new InetSocketAddress(host, port), connectTimeoutMs);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    @Override public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        checkLocal(localAddress, localPort);
        return createSocket(address, port);
    }

    private static void checkLocal(InetAddress local, int localPort) throws SocketException {
        if ((local != null && !local.isAnyLocalAddress()) || localPort != 0)
            throw new SocketException("netstack4j client sockets bind to the wildcard address and an ephemeral port only, not "
                    + local + ":" + localPort);
    }

    @Override public String toString() { return "NetstackSocketFactory[" + stack + "]"; }
}
