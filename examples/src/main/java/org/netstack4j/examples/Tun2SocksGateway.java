package org.netstack4j.examples;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import org.netstack4j.host.Host;
import org.netstack4j.linux.TunHost;
import org.netstack4j.socket.InterceptedFlow;
import org.netstack4j.socket.NetStack;
import org.netstack4j.socket.TcpSocket;
import org.netstack4j.tcp.TcpIntercept;

/**
 * A tun2socks-style gateway in a page, on the core's interception API: every TCP flow entering
 * the stack's interface, to ANY address, is held at its SYN ({@code Host.intercept}); we dial
 * where it was going through an {@link Upstream}, and only if that worked does the client get its
 * SYN,ACK ({@link InterceptedFlow#accept}); otherwise a RST. Then bytes are copied both ways.
 * The real one, with SOCKS5, UDP, limits and counters, is {@code netstack4j gateway}.
 *
 * <p>Run: {@code java --enable-native-access=ALL-UNNAMED -cp ... org.netstack4j.examples.Tun2SocksGateway tun7 10.7.0.2/24 10.7.0.1/24}
 * (root), then route traffic into the TUN on the kernel side, e.g. {@code ip route add 203.0.113.0/24 dev tun7}:
 * {@code curl http://203.0.113.7/} is relayed by this process's own sockets.
 */
public final class Tun2SocksGateway {
    private Tun2SocksGateway() {}

    /** Where a flow goes: a connected socket towards its original destination (direct, SOCKS5, ...). */
    @FunctionalInterface
    public interface Upstream {
        Socket connect(InetSocketAddress original) throws IOException;
    }

    /** This machine's own sockets. */
    public static final Upstream DIRECT = original -> {
        Socket s = new Socket();
        s.connect(original, 10_000);
        return s;
    };

    /** Intercepts every TCP flow arriving on {@code ifName}; call on the stack's loop thread or before it runs. */
    public static void install(Host host, String ifName, NetStack stack, Upstream upstream) {
        host.intercept(ifName, TcpIntercept.Config.defaults(), InterceptedFlow.handler(stack, flow -> relay(flow, upstream)), null, null);
    }

    /** One flow, on its own virtual thread: dial first, then answer the client's SYN. */
    static void relay(InterceptedFlow flow, Upstream upstream) {
        try {
            Socket up;
            try {
                up = upstream.connect(new InetSocketAddress(flow.originalAddress().toInetAddress(), flow.originalPort()));
            } catch (IOException e) {
                flow.refuse(TcpIntercept.Refusal.RESET); // the client sees "connection refused", as it would direct
                return;
            }
            try (up; TcpSocket down = flow.accept(10_000)) {
                InputStream fromClient = down.getInputStream();
                OutputStream toServer = up.getOutputStream();
                Thread toUpstream = Thread.ofVirtual().start(() -> copy(fromClient, toServer, up::shutdownOutput));
                copy(up.getInputStream(), down.getOutputStream(), down::shutdownOutput);
                toUpstream.join();
            }
        } catch (IOException | InterruptedException e) {
            // the flow ends; either side may have reset it
        }
    }

    interface Shutdown { void run() throws IOException; }

    private static void copy(InputStream in, OutputStream out, Shutdown then) {
        try (in) {
            in.transferTo(out);
            out.flush();
            then.run(); // half-close: pass the FIN on
        } catch (IOException e) {
            // reset or closed under us: the other direction ends too
        }
    }

    /** {@code Tun2SocksGateway TUN-NAME OUR-CIDR KERNEL-CIDR}: relays every flow through this machine's sockets. */
    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: Tun2SocksGateway TUN-NAME OUR-CIDR KERNEL-CIDR   (e.g. tun7 10.7.0.2/24 10.7.0.1/24)");
            System.exit(2);
        }
        try (TunHost tun = TunHost.builder(args[0]).address(args[1]).hostAddress(args[2]).open()) {
            tun.loop().call(() -> {
                install(tun.host(), tun.name(), tun.net(), DIRECT);
                return null;
            });
            System.out.println("relaying every TCP flow entering " + tun.name() + "; Ctrl-C stops");
            Thread.currentThread().join();
        }
    }
}
