package org.netstack4j.bench;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.netstack4j.runtime.EventLoop;
import org.netstack4j.socket.NetStack;
import org.netstack4j.socket.TcpServerSocket;
import org.netstack4j.socket.TcpSocket;
import org.netstack4j.tcp.TcpConfig;

/**
 * The socket rows on netstack4j: two hosts on one {@link MemNet} driven by one
 * {@link EventLoop}; the client and the server are application threads using the blocking
 * {@link TcpSocket} API, so every call crosses to the loop thread and back.
 */
final class NetstackRows {
    static final int PORT = 5001;
    /**
     * For the connect rows: ephemeral ports 1024-65535 instead of 49152-65535, so a client port
     * is rarely reused while the server still holds the old connection in TIME-WAIT (60 s). The
     * TSval offset is per address pair (RFC 7323 7.1), so a reused port's new SYN carries a newer
     * TSval and replaces the TIME-WAIT connection (RFC 6191); the wider range keeps those
     * replacements out of the measurement.
     */
    static final TcpConfig CONNECT_CONFIG = TcpConfig.defaults().withLimits(lm -> lm.withEphemeralPortMin(1024));

    private NetstackRows() {}

    enum Kind { BULK, CONNECT, PINGPONG }

    /** Bytes/s (BULK), connections/s (CONNECT) or round trips/s (PINGPONG). */
    static double run(Kind kind, Measure.Durations d) throws IOException { return run(kind, d, false); }

    /** As {@link #run(Kind, Measure.Durations)}, over IPv6 (fd00:213::1 to fd00:213::2, MSS 1440) when {@code ipv6}. */
    static double run(Kind kind, Measure.Durations d, boolean ipv6) throws IOException {
        MemNet net = new MemNet(kind == Kind.CONNECT ? CONNECT_CONFIG : TcpConfig.defaults(), ipv6);
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        try (EventLoop loop = EventLoop.start("bench-loop", net, failures::add)) {
            NetStack a = NetStack.of(loop, net.a.tcp(), net.a.ip()::sourceAddressFor);
            NetStack b = NetStack.of(loop, net.b.tcp(), net.b.ip()::sourceAddressFor);
            Conn.Acceptor acceptor = Conn.of(new TcpServerSocket(b, PORT, 1024));
            try {
                Measure.daemon("bench-server", switch (kind) {
                    case BULK -> () -> Workloads.sinkServer(acceptor);
                    case CONNECT -> () -> Workloads.connectServer(acceptor);
                    case PINGPONG -> () -> Workloads.echoServer(acceptor);
                });
                Conn.Dialer dial = () -> {
                    TcpSocket s = a.socket();
                    s.connect(MemNet.serverAddress(ipv6), PORT, 10_000);
                    return Conn.of(s);
                };
                double r = Measure.rate(d, switch (kind) {
                    case BULK -> (n, stop) -> Workloads.bulkClient(dial, n, stop);
                    case CONNECT -> (n, stop) -> Workloads.connectClient(dial, n, stop);
                    case PINGPONG -> (n, stop) -> Workloads.pingpongClient(dial, n, stop);
                });
                if (!failures.isEmpty()) throw new IOException("event loop failures: " + failures, failures.get(0));
                return r;
            } finally {
                acceptor.close();
            }
        }
    }
}
