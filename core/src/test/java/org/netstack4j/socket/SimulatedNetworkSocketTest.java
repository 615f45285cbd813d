package org.netstack4j.socket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.netstack4j.device.Medium;
import org.netstack4j.host.TwoHostNetwork;
import org.netstack4j.runtime.EventLoop;
import org.netstack4j.sim.LinkConfig;
import org.netstack4j.time.Time;

/**
 * Blocking sockets across the simulator's links in real time: the event loop drives the whole
 * simulated network (two complete hosts, a 2 ms link that loses 2% of frames), and ordinary
 * threads use java.net-shaped sockets on it. This is the README's library example.
 */
class SimulatedNetworkSocketTest {
    @Test void echoAcrossALossyLinkInRealTime() throws Exception {
        LinkConfig link = LinkConfig.builder().medium(Medium.ETHERNET).latencyNs(Time.ms(2)).loss(0.02).build();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        try (TwoHostNetwork net = TwoHostNetwork.builder().seed(7).link(link).build();
             EventLoop loop = EventLoop.start("netstack4j-loop", net.sim(), failures::add)) {
            NetStack client = NetStack.of(loop, net.client().tcp(), net.client().ip()::sourceAddressFor);
            NetStack server = NetStack.of(loop, net.server().tcp(), net.server().ip()::sourceAddressFor);
            byte[] data = new byte[200_000];
            new SplittableRandom(1).nextBytes(data);
            try (TcpServerSocket listener = server.serverSocket(7)) {
                Future<byte[]> echoed = TcpSocketTest.spawn(() -> {
                    try (TcpSocket s = listener.accept()) {
                        byte[] got = TcpSocketTest.readAll(s.getInputStream());
                        s.getOutputStream().write(MessageDigest.getInstance("SHA-256").digest(got));
                        return got;
                    }
                });
                try (TcpSocket s = client.socket()) {
                    s.connect(TwoHostNetwork.SERVER_ADDRESS, 7, 10_000);
                    OutputStream out = s.getOutputStream();
                    out.write(data);
                    s.shutdownOutput();
                    InputStream in = s.getInputStream();
                    assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(data), TcpSocketTest.readAll(in));
                }
                assertArrayEquals(data, TcpSocketTest.get(echoed));
            }
        }
        assertTrue(failures.isEmpty(), () -> "loop failures: " + failures);
    }
}
