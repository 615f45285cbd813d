package org.netstack4j.socket;

import static org.junit.jupiter.api.Assertions.*;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.netstack4j.runtime.EventLoop;
import org.netstack4j.tcp.TcpConfig;

/**
 * 10,000 virtual threads, each holding an open connection to one server on the same stack
 * pair (20,000 TCP connections on one loop), then each doing one request/response.
 * Tagged "slow" (about 10-30 s on 2 cores); size with -Dnetstack4j.connections=N.
 */
@Tag("slow")
class ManyConnectionsTest {
    static final int PORT = 8080;

    @Test @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void tenThousandVirtualThreadsEachHoldAConnection() throws Exception {
        int n = Integer.getInteger("netstack4j.connections", 10_000);
        // Small buffers: each connection that has sent or received a byte holds both rings
        // (allocated on first use), so the 128 KB defaults would cost 5 GB at this scale.
        // The SYN queue must take a burst of n handshakes (default 256, like a small somaxconn).
        TcpConfig config = TcpConfig.defaults()
                .withBuffers(bf -> bf.withSendBufferSize(4096).withReceiveBufferSize(4096)).withLimits(lm -> lm.withSynQueueLimit(n));
        BackToBack net = new BackToBack(config, 2026);
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        try (EventLoop loop = EventLoop.start("netstack4j-loop", net, failures::add)) {
            NetStack a = net.stackA(loop);
            NetStack b = net.stackB(loop);
            TcpServerSocket server = new TcpServerSocket(b, PORT, n);
            CountDownLatch allConnected = new CountDownLatch(n);
            CountDownLatch allAccepted = new CountDownLatch(n);
            CountDownLatch counted = new CountDownLatch(1);
            AtomicInteger served = new AtomicInteger();
            AtomicInteger answered = new AtomicInteger();
            List<Thread> handlers = new ArrayList<>(n); // touched by the acceptor only, until it is joined

            Thread acceptor = Thread.ofVirtual().name("acceptor").start(() -> {
                try {
                    for (int i = 0; i < n; i++) {
                        TcpSocket s = server.accept();
                        allAccepted.countDown();
                        handlers.add(Thread.ofVirtual().start(() -> {
                            try (s) {
                                DataInputStream in = new DataInputStream(s.getInputStream());
                                int request = in.readInt();
                                new DataOutputStream(s.getOutputStream()).writeInt(request * 2);
                                assertEquals(-1, in.read(), "client closes after the answer");
                                served.incrementAndGet();
                            } catch (Throwable t) {
                                failures.add(t);
                            }
                        }));
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            });
            List<Thread> clients = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                int id = i;
                clients.add(Thread.ofVirtual().start(() -> {
                    try (TcpSocket s = a.socket()) {
                        s.connect(BackToBack.B, PORT, 30_000);
                        allConnected.countDown();
                        assertTrue(counted.await(45, TimeUnit.SECONDS), "all connections open at once");
                        new DataOutputStream(s.getOutputStream()).writeInt(id);
                        assertEquals(id * 2, new DataInputStream(s.getInputStream()).readInt());
                        answered.incrementAndGet();
                    } catch (Throwable t) {
                        allConnected.countDown();
                        failures.add(t);
                    }
                }));
            }
            long t0 = loop.now();
            assertTrue(allConnected.await(45, TimeUnit.SECONDS));
            long connectedNs = loop.now() - t0;
            // A client is ESTABLISHED one half round trip before its server side: wait for the acceptor too.
            assertTrue(allAccepted.await(45, TimeUnit.SECONDS), "all connections accepted");
            // Nobody has closed yet (a closed connection lingers in TIME-WAIT anyway): 2n TCBs.
            int tcbs = loop.call(() -> net.a.connectionCount() + net.b.connectionCount());
            counted.countDown();
            assertTrue(tcbs >= 2 * n, "connections alive at once: " + tcbs);
            for (Thread t : clients) t.join(TimeUnit.SECONDS.toMillis(55));
            System.out.printf("ManyConnectionsTest: %d connections (%d TCBs) open in %d ms, all answered in %d ms, %d loop polls, %d segments%n",
                    n, tcbs, connectedNs / 1_000_000, (loop.now() - t0) / 1_000_000, loop.polls(), loop.call(() -> net.delivered));
            acceptor.join(TimeUnit.SECONDS.toMillis(5));
            assertFalse(acceptor.isAlive(), "acceptor finished");
            for (Thread t : handlers) t.join(TimeUnit.SECONDS.toMillis(5));
            assertTrue(failures.isEmpty(), () -> failures.size() + " failures, first: " + failures.peek());
            assertEquals(n, answered.get());
            assertEquals(n, served.get());
            server.close();
        }
    }
}
