package org.netstack4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.ref.Reference;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.netstack4j.runtime.EventLoop;
import org.netstack4j.socket.NetStack;
import org.netstack4j.socket.TcpServerSocket;
import org.netstack4j.socket.TcpSocket;

/**
 * What a connection keeps for its 60 s of TIME-WAIT, counted (class histograms, which count
 * objects, not time) after the bench's blocking {@code connect} lifecycle: {@link TcpSocket}
 * and {@link TcpServerSocket} on one {@link EventLoop} over a {@link MemNet}, the server
 * closing first, so every server endpoint ends in TIME-WAIT. A busy server holds tens of
 * thousands of them (the connect row: about 280,000), and every young GC copies the new ones
 * (GC CPU per blocking lifecycle, 160,000 in a row: 3.6-3.9 us before issue 12, 4.5 us on main
 * before perf12c, 2.5-2.9 us after; the Java threads' CPU per lifecycle is the same in all three).
 *
 * <p>1,122 bytes per TIME-WAIT connection before perf12c (985 before issue 12): each kept the
 * closed server TcpSocket (its lock, signal, streams: about 310 bytes) reachable through the
 * connection's listener, and issue 12's SackRecovery and FastRecovery (152 bytes). Now the
 * socket lets go of the connection's events at close and a TIME-WAIT connection keeps only its
 * congestion controller of the loss recovery: 697 to 733 bytes (with the growth of the connection
 * table and timer heap). The bound fails both earlier figures.
 */
class TimeWaitBytesTest {
    static final int CONNECTIONS = 4_000;
    static final double BOUND = 800;

    @Test void aTimeWaitConnectionKeepsNeitherItsSocketNorItsRecovery() throws Exception {
        Measured m = measure(CONNECTIONS);
        System.out.println("TimeWaitBytesTest: " + m);
        assertEquals(CONNECTIONS, m.timeWait, "server connections in TIME-WAIT");
        assertTrue(m.bytesPerTimeWait <= BOUND, m.bytesPerTimeWait + " bytes per TIME-WAIT connection, the bound is " + BOUND + ": " + m);
    }

    record Measured(int timeWait, double bytesPerTimeWait, String top) {
        @Override public String toString() {
            return String.format(Locale.ROOT, "%.1f bytes per TIME-WAIT connection (%d in TIME-WAIT); %s", bytesPerTimeWait, timeWait, top);
        }
    }

    /** n blocking connect lifecycles (open, 1-byte request, 1-byte answer, the server closes first), then the live heap they left. */
    static Measured measure(int n) throws IOException, InterruptedException {
        MemNet net = new MemNet(NetstackRows.CONNECT_CONFIG);
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        try (EventLoop loop = EventLoop.start("timewait-loop", net, failures::add)) {
            NetStack a = NetStack.of(loop, net.a.tcp(), net.a.ip()::sourceAddressFor);
            NetStack b = NetStack.of(loop, net.b.tcp(), net.b.ip()::sourceAddressFor);
            Conn.Acceptor acceptor = Conn.of(new TcpServerSocket(b, NetstackRows.PORT, 1024));
            try {
                Thread server = Measure.daemon("timewait-server", () -> Workloads.connectServer(acceptor));
                Conn.Dialer dial = () -> {
                    TcpSocket s = a.socket();
                    s.connect(MemNet.B, NetstackRows.PORT, 10_000);
                    return Conn.of(s);
                };
                lifecycles(dial, 200); // class loading, the tables' first growth
                int before = awaitTimeWait(loop, net, 200);
                Map<String, long[]> h0 = IdleRows.Histogram.take();
                lifecycles(dial, n);
                int timeWait = awaitTimeWait(loop, net, before + n) - before;
                Map<String, long[]> h1 = IdleRows.Histogram.take();
                Reference.reachabilityFence(server);
                if (!failures.isEmpty()) throw new IOException("event loop failures: " + failures, failures.get(0));
                long delta = IdleRows.Histogram.total(h1) - IdleRows.Histogram.total(h0);
                return new Measured(timeWait, delta / (double) n, IdleRows.Histogram.top(h0, h1, n, 8));
            } finally {
                acceptor.close();
            }
        }
    }

    private static void lifecycles(Conn.Dialer dial, int n) throws IOException {
        for (int i = 0; i < n; i++) {
            try (Conn c = dial.dial()) {
                c.out().write('q');
                if (c.in().read() < 0) throw new IOException("server closed before answering");
                if (c.in().read() >= 0) throw new IOException("more than one byte in the answer");
            }
        }
    }

    /** Until the server holds {@code expected} connections in TIME-WAIT (the client's last FIN may still be on its way); at most 10 s. */
    private static int awaitTimeWait(EventLoop loop, MemNet net, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        int tw;
        while ((tw = loop.call(() -> net.b.tcp().timeWaitCount())) < expected && System.nanoTime() < deadline) Thread.yield();
        return tw;
    }
}
