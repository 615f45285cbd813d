package org.netstack4j.apps.net;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The stream sockets the application protocols need, whatever stack provides them: netstack4j's
 * own (over a TUN device or the simulator) or the JDK's ({@link JavaNetwork}, for tests on
 * loopback and for comparison). Blocking, one virtual thread per connection.
 */
public interface Network {
    /** A connected stream. */
    interface Connection extends Closeable {
        InputStream input() throws IOException;
        OutputStream output() throws IOException;
        /** Reads give up with a {@link java.net.SocketTimeoutException} after this long (0: never). */
        void setReadTimeout(int ms) throws IOException;
        /** The peer's address as text (no port). */
        String peerHost();
        /** Our own address as text (no port). */
        String localHost();
        /** Ends our sending direction (FIN), keeping the connection open for reading. */
        void shutdownOutput() throws IOException;
    }

    /** A listening socket. */
    interface Listener extends Closeable {
        Connection accept() throws IOException;
        int port();
        void setAcceptTimeout(int ms) throws IOException;
    }

    /** A bound UDP port. */
    interface Datagrams extends Closeable {
        /** A received datagram: its bytes and where it came from. */
        record Datagram(byte[] data, String host, int port) {}

        /** Waits up to {@code timeoutMs} (0: forever) for a datagram; null on timeout. */
        Datagram receive(int timeoutMs) throws IOException;
        void send(String host, int port, byte[] data) throws IOException;
        int port();
    }

    /** Binds a UDP port (0: any free port) on every address of this network. */
    Datagrams bindUdp(int port) throws IOException;

    /** Listens on {@code port} (0: any free port) on every address of this network. */
    Listener listen(int port, int backlog) throws IOException;

    /** Connects to {@code host} (an address literal) and {@code port}. */
    Connection connect(String host, int port, int timeoutMs) throws IOException;
}
