package org.netstack4j.socket;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.Inet6Address;
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
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv6Address;

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

    /**
     * A java.net address for ours. An IPv4-mapped address (an IPv4 peer of a dual-stack socket)
     * becomes an {@link java.net.Inet4Address}, as java.net reports such peers (its
     * {@code InetAddress.getByAddress} does the same); our own API keeps ::ffff:a.b.c.d.
     */
    static InetAddress inet(IpAddress address) {
        if (address == null) return null;
        return unmapped(address).toInetAddress();
    }

    /** A java.net address for ours; a link-local IPv6 one carries its zone ({@code scopeId} > 0, RFC 4007 11). */
    static InetAddress inet(IpAddress address, int scopeId) {
        if (scopeId <= 0 || !(address instanceof Ipv6Address v6) || !v6.isLinkLocal()) return inet(address);
        try {
            return Inet6Address.getByAddress(null, v6.toBytes(), scopeId);
        } catch (UnknownHostException e) {
            throw new AssertionError("16 bytes are always an address", e);
        }
    }

    /** The zone of a java.net address: its scope id, 0 when it has none. */
    static int scopeId(InetAddress address) {
        return address instanceof Inet6Address v6 ? Math.max(0, v6.getScopeId()) : 0;
    }

    /** How a dual-stack socket shows an IPv4 address: ::ffff:a.b.c.d (RFC 4291 2.5.5.2); others unchanged. */
    static IpAddress mapped(IpAddress address, boolean mapped) {
        return mapped && address instanceof Ipv4Address v4 ? Ipv6Address.mapped(v4) : address;
    }

    /** What goes on the wire for an address a socket was given: the IPv4 address inside an IPv4-mapped one. */
    static IpAddress unmapped(IpAddress address) {
        return address instanceof Ipv6Address v6 && v6.isIpv4Mapped() ? v6.toIpv4() : address;
    }
}
