package org.netstack4j.examples;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.FutureTask;
import javax.net.ServerSocketFactory;
import javax.net.SocketFactory;
import org.netstack4j.device.Medium;
import org.netstack4j.host.TwoHostNetwork;
import org.netstack4j.javanet.NetstackServerSocketFactory;
import org.netstack4j.javanet.NetstackSocketFactory;
import org.netstack4j.runtime.EventLoop;
import org.netstack4j.sim.LinkConfig;
import org.netstack4j.socket.NetStack;
import org.netstack4j.time.Time;

/**
 * A test harness for your own networking code: two simulated hosts on a link with the latency
 * and loss you choose, and a {@link SocketFactory}/{@link ServerSocketFactory} for each side, so
 * plain java.net client and server code (or any library taking a SocketFactory) runs over a lossy
 * network inside a unit test, no root, no kernel. The simulator is driven in real time by an
 * event loop; the loss pattern is seeded, so a run can be repeated.
 *
 * <pre>{@code
 * try (LossyLinkHarness net = LossyLinkHarness.start(0.05, Time.ms(20), 42)) {
 *     try (ServerSocket server = net.serverSockets().createServerSocket(7)) {
 *         ... your server on a thread: server.accept() ...
 *         try (Socket s = net.clientSockets().createSocket(LossyLinkHarness.SERVER, 7)) { ... your client ... }
 *     }
 *     assertTrue(net.serverCounter("tcp.retransmits") > 0); // the loss was real
 * }
 * }</pre>
 */
public final class LossyLinkHarness implements AutoCloseable {
    /** The server host's address, for {@code createSocket(SERVER, port)}. */
    public static final String SERVER = TwoHostNetwork.SERVER_ADDRESS.toString();

    private final TwoHostNetwork net;
    private final EventLoop loop;
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();

    private LossyLinkHarness(double loss, long latencyNs, long seed) {
        net = TwoHostNetwork.builder().seed(seed)
                .link(LinkConfig.builder().medium(Medium.ETHERNET).latencyNs(latencyNs).loss(loss).build()).build();
        loop = EventLoop.start("harness", net.sim(), failures::add);
    }

    /** Two hosts joined by a link losing {@code loss} of the frames (each way), {@code latencyNs} one way. */
    public static LossyLinkHarness start(double loss, long latencyNs, long seed) { return new LossyLinkHarness(loss, latencyNs, seed); }

    public SocketFactory clientSockets() {
        return NetstackSocketFactory.of(NetStack.of(loop, net.client().tcp(), net.client().ip()));
    }

    public ServerSocketFactory serverSockets() {
        return NetstackServerSocketFactory.of(NetStack.of(loop, net.server().tcp(), net.server().ip()));
    }

    /** A counter of the client's stack ("tcp.retransmits", "tcp.timeouts", ...), read on its thread. */
    public long clientCounter(String name) { return onLoop(() -> net.client().counters().get(name)); }

    public long serverCounter(String name) { return onLoop(() -> net.server().counters().get(name)); }

    private long onLoop(java.util.concurrent.Callable<Long> c) {
        FutureTask<Long> f = new FutureTask<>(c);
        loop.execute(f);
        try {
            return f.get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** What the loop threw (should stay empty). */
    public List<Throwable> failures() { return List.copyOf(failures); }

    @Override public void close() {
        loop.close();
        net.close();
    }

    /** A demonstration: an uppercasing line server and its client over a 5% lossy link. */
    public static void main(String[] args) throws Exception {
        try (LossyLinkHarness h = start(0.05, Time.ms(10), 1);
             ServerSocket server = h.serverSockets().createServerSocket(7)) {
            Thread.ofVirtual().start(() -> {
                try (Socket s = server.accept();
                     BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                     PrintWriter out = new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8)) {
                    for (String line; (line = in.readLine()) != null; ) out.println(line.toUpperCase(Locale.ROOT));
                } catch (IOException e) {
                    System.err.println("server: " + e);
                }
            });
            try (Socket s = h.clientSockets().createSocket(SERVER, 7);
                 BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                 PrintWriter out = new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8)) {
                for (int i = 0; i < 100; i++) {
                    out.println("line " + i);
                    if (i % 25 == 0) System.out.println(in.readLine()); else in.readLine();
                }
            }
            System.out.println("retransmissions: client " + h.clientCounter("tcp.retransmits") + ", server " + h.serverCounter("tcp.retransmits"));
        }
    }
}
