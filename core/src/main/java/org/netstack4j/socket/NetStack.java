package org.netstack4j.socket;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.netstack4j.runtime.EventLoop;
import org.netstack4j.tcp.TcpLayer;
import org.netstack4j.wire.IpAddress;

/**
 * What the sockets need from a host: the loop that drives it, its TCP layer and a way to
 * choose the local (source) address for a destination. A real host answers the last from its
 * routing table (e.g. {@code IpStack.sourceAddressFor}); tests use a fixed address.
 */
public interface NetStack {
    EventLoop loop();

    /** The TCP layer; touch it only on the loop thread. */
    TcpLayer tcp();

    /** The local address to use towards {@code destination}, or null if there is no route. Called on the loop thread. */
    IpAddress sourceAddressFor(IpAddress destination);

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

    /** A NetStack from its parts; {@code sourceAddressFor} runs on the loop thread. */
    static NetStack of(EventLoop loop, TcpLayer tcp, UnaryOperator<IpAddress> sourceAddressFor) {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(tcp, "tcp");
        Objects.requireNonNull(sourceAddressFor, "sourceAddressFor");
        return new NetStack() {
            @Override public EventLoop loop() { return loop; }
            @Override public TcpLayer tcp() { return tcp; }
            @Override public IpAddress sourceAddressFor(IpAddress destination) { return sourceAddressFor.apply(destination); }
            @Override public String toString() { return "NetStack[" + loop + "]"; }
        };
    }
}
