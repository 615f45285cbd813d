package org.netstack4j.socket;

import java.io.IOException;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.netstack4j.runtime.EventLoop;
import org.netstack4j.tcp.TcpLayer;
import org.netstack4j.wire.Ipv4Address;

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
    Ipv4Address sourceAddressFor(Ipv4Address destination);

    /** A new unconnected socket. */
    default TcpSocket socket() { return new TcpSocket(this); }

    /** A server socket listening on {@code port} on every local address, backlog 50 like java.net. */
    default TcpServerSocket serverSocket(int port) throws IOException { return new TcpServerSocket(this, port); }

    /** A NetStack from its parts; {@code sourceAddressFor} runs on the loop thread. */
    static NetStack of(EventLoop loop, TcpLayer tcp, UnaryOperator<Ipv4Address> sourceAddressFor) {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(tcp, "tcp");
        Objects.requireNonNull(sourceAddressFor, "sourceAddressFor");
        return new NetStack() {
            @Override public EventLoop loop() { return loop; }
            @Override public TcpLayer tcp() { return tcp; }
            @Override public Ipv4Address sourceAddressFor(Ipv4Address destination) { return sourceAddressFor.apply(destination); }
            @Override public String toString() { return "NetStack[" + loop + "]"; }
        };
    }
}
