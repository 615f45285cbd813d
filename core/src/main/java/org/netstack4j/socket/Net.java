package org.netstack4j.socket;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import org.netstack4j.runtime.EventLoop;
import org.netstack4j.tcp.TcpError;
import org.netstack4j.tcp.TcpException;
import org.netstack4j.wire.IpAddress;

/** Helpers shared by the sockets: running on the loop, error mapping, address conversion. */
final class Net {
    private Net() {}

    /** A task for the loop that may fail with an IOException meant for the caller. */
    @FunctionalInterface
    interface LoopTask<T> {
        T run(long now) throws IOException;
    }

    /**
     * Runs {@code task} on the loop and returns its result; IOExceptions thrown by it reach
     * the caller unchanged. Refuses to block the loop thread itself.
     */
    static <T> T onLoop(EventLoop loop, LoopTask<T> task) throws IOException {
        if (loop.inLoop()) throw new IllegalStateException("blocking socket call on the event loop thread");
        try {
            Callable<T> c = () -> task.run(loop.now());
            return loop.call(c);
        } catch (RejectedExecutionException e) {
            throw stackClosed();
        } catch (CompletionException e) {
            if (e.getCause() instanceof IOException io) {
                io.addSuppressed(new Exception("caller stack"));
                throw io;
            }
            throw e;
        }
    }

    /** {@link #exception(TcpError, boolean)} for a TcpException thrown by a user call, keeping it as the cause. */
    static IOException exception(TcpException e, boolean connecting) {
        IOException io = exception(e.error(), connecting);
        io.initCause(e);
        return io;
    }

    static SocketException stackClosed() { return new SocketException("Network stack closed"); }

    /**
     * The java.net exception for a connection that ended with {@code error}: what a JDK socket
     * on Linux reports for ECONNREFUSED, ECONNRESET, ETIMEDOUT, ... ({@code connecting}: the
     * error ended a connect() call, where java.net uses ConnectException).
     */
    static IOException exception(TcpError error, boolean connecting) {
        return switch (error) {
            case CONNECTION_REFUSED -> new ConnectException("Connection refused");
            case CONNECTION_RESET -> connecting ? new ConnectException("Connection reset") : new SocketException("Connection reset");
            case TIMED_OUT -> connecting ? new ConnectException("Connection timed out") : new SocketException("Connection timed out");
            case CONNECTION_ABORTED -> connecting ? new ConnectException("Connection aborted") : new SocketException("Connection aborted");
            case HOST_UNREACHABLE -> new NoRouteToHostException("No route to host");
            case NETWORK_UNREACHABLE -> new NoRouteToHostException("Network is unreachable");
            case CONNECTION_DOES_NOT_EXIST -> new SocketException("Socket is not connected");
            case CONNECTION_CLOSING -> new SocketException("Broken pipe");
            case CONNECTION_ALREADY_EXISTS -> new BindException("Address already in use");
            case INSUFFICIENT_RESOURCES -> new SocketException("No buffer space available");
        };
    }

    /** Our address for a java.net one, of either family (a scope id is dropped: IpAddress has none). */
    static IpAddress address(InetAddress address) throws IOException {
        if (address == null) throw new UnknownHostException("unresolved address");
        return IpAddress.of(address);
    }

    /** The address a java.net {@link InetSocketAddress} names (resolved; port checked). */
    static IpAddress address(InetSocketAddress isa) throws IOException {
        if (isa.isUnresolved()) throw new UnknownHostException(isa.getHostName());
        return address(isa.getAddress());
    }

    static InetAddress inet(IpAddress address) { return address == null ? null : address.toInetAddress(); }
}
