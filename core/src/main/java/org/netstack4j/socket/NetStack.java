package org.netstack4j.socket;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.function.IntFunction;
import java.util.function.ToIntFunction;
import java.util.function.UnaryOperator;
import org.netstack4j.ip.IpStack;
import org.netstack4j.ip.UdpSocket;
import org.netstack4j.runtime.EventLoop;
import org.netstack4j.tcp.TcpLayer;
import org.netstack4j.wire.IpAddress;

/**
 * What the sockets need from a host: the loop that drives it, its TCP layer and a way to
 * choose the local (source) address for a destination. A real host answers the last from its
 * routing table (e.g. {@code IpStack.sourceAddressFor}); tests use a fixed address. UDP
 * ({@link DatagramSocket}) needs the host's {@link IpStack} as well: {@link #of(EventLoop, TcpLayer, IpStack)}.
 */
public interface NetStack {
    EventLoop loop();

    /** The TCP layer; touch it only on the loop thread. */
    TcpLayer tcp();

    /** The local address to use towards {@code destination}, or null if there is no route. Called on the loop thread. */
    IpAddress sourceAddressFor(IpAddress destination);

    /**
     * Binds a UDP port (RFC 768) of this host; called on the loop thread. Throws
     * IllegalArgumentException when the port is taken, UnsupportedOperationException when this
     * stack was made without an IP layer.
     */
    default UdpSocket udpBind(IpAddress local, int port) {
        throw new UnsupportedOperationException("this NetStack has no UDP: make it with NetStack.of(loop, tcp, ipStack)");
    }

    /** A UDP socket bound to {@code port} (0: a free ephemeral one) on every local address of both families. */
    default DatagramSocket datagramSocket(int port) throws IOException { return new DatagramSocket(this, port); }

    /**
     * RFC 4007 zones: our link-local address on the interface with scope id {@code scopeId}
     * (what {@code fe80::1%eth0} names), or null. Called on the loop thread. The default knows no interfaces.
     */
    default IpAddress linkLocalAddress(int scopeId) { return null; }

    /** The scope id of the interface holding our address {@code local}; 0 if unknown. Called on the loop thread. */
    default int scopeIdOf(IpAddress local) { return 0; }

    /** A new unconnected socket. */
    default TcpSocket socket() { return new TcpSocket(this); }

    /** A server socket listening on {@code port} on every local address, backlog 50 like java.net. */
    default TcpServerSocket serverSocket(int port) throws IOException { return new TcpServerSocket(this, port); }

    /** A socket connected to a java.net {@code remote} address and port (resolved). */
    default TcpSocket connect(InetSocketAddress remote) throws IOException {
        TcpSocket s = socket();
        try {
            s.connect(remote);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    /** A server socket bound to a java.net local address and port (the wildcard: every address), backlog 50. */
    default TcpServerSocket serverSocket(InetSocketAddress local) throws IOException {
        TcpServerSocket s = new TcpServerSocket(this);
        try {
            s.bind(local, TcpServerSocket.DEFAULT_BACKLOG);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    /** A host's NetStack: TCP and UDP, source addresses from {@code ip}'s routes. */
    static NetStack of(EventLoop loop, TcpLayer tcp, IpStack ip) {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(tcp, "tcp");
        Objects.requireNonNull(ip, "ip");
        return new NetStack() {
            @Override public EventLoop loop() { return loop; }
            @Override public TcpLayer tcp() { return tcp; }
            @Override public IpAddress sourceAddressFor(IpAddress destination) { return ip.sourceAddressFor(destination); }
            @Override public UdpSocket udpBind(IpAddress local, int port) { return ip.udpBind(local, port); }
            @Override public IpAddress linkLocalAddress(int scopeId) { return ip.linkLocalAddress(scopeId); }
            @Override public int scopeIdOf(IpAddress local) { return ip.scopeIdOf(local); }
            @Override public String toString() { return "NetStack[" + loop + "]"; }
        };
    }

    /** A NetStack from its parts, without UDP; {@code sourceAddressFor} runs on the loop thread. */
    static NetStack of(EventLoop loop, TcpLayer tcp, UnaryOperator<IpAddress> sourceAddressFor) {
        return of(loop, tcp, sourceAddressFor, scopeId -> null, local -> 0);
    }

    /**
     * A NetStack whose link-local addresses have zones, e.g. from an IpStack:
     * {@code NetStack.of(loop, host.tcp(), ip::sourceAddressFor, ip::linkLocalAddress, ip::scopeIdOf)}.
     */
    static NetStack of(EventLoop loop, TcpLayer tcp, UnaryOperator<IpAddress> sourceAddressFor,
                       IntFunction<IpAddress> linkLocalAddress, ToIntFunction<IpAddress> scopeIdOf) {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(tcp, "tcp");
        Objects.requireNonNull(sourceAddressFor, "sourceAddressFor");
        Objects.requireNonNull(linkLocalAddress, "linkLocalAddress");
        Objects.requireNonNull(scopeIdOf, "scopeIdOf");
        return new NetStack() {
            @Override public EventLoop loop() { return loop; }
            @Override public TcpLayer tcp() { return tcp; }
            @Override public IpAddress sourceAddressFor(IpAddress destination) { return sourceAddressFor.apply(destination); }
            @Override public IpAddress linkLocalAddress(int scopeId) { return linkLocalAddress.apply(scopeId); }
            @Override public int scopeIdOf(IpAddress local) { return scopeIdOf.applyAsInt(local); }
            @Override public String toString() { return "NetStack[" + loop + "]"; }
        };
    }
}
