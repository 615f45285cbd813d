package org.netstack4j.socket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.netstack4j.device.Medium;
import org.netstack4j.host.TwoHostNetwork;
import org.netstack4j.runtime.EventLoop;
import org.netstack4j.sim.LinkConfig;
import org.netstack4j.tcp.FastOpen;
import org.netstack4j.time.Time;

/**
 * TCP Fast Open through the java.net-shaped sockets: {@link TcpServerSocket#setFastOpen} and
 * {@link TcpSocket#connect(org.netstack4j.wire.IpAddress, int, int, byte[])}. The first connect
 * learns the cookie (its data follows the handshake); the second puts the request in the SYN,
 * and the server reads it from a socket accepted before the handshake completed.
 */
class FastOpenSocketTest {
    @Test void aRequestInTheSynReachesTheServerSocket() throws Exception {
        LinkConfig link = LinkConfig.builder().medium(Medium.ETHERNET).latencyNs(Time.ms(2)).build();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        byte[] request = "hello, fast open".getBytes();
        try (TwoHostNetwork net = TwoHostNetwork.builder().seed(16).link(link).build();
             EventLoop loop = EventLoop.start("netstack4j-loop", net.sim(), failures::add)) {
            CompletableFuture.runAsync(() -> net.server().tcp().fastOpen().setMode(FastOpen.CLIENT | FastOpen.SERVER), loop).get();
            NetStack client = NetStack.of(loop, net.client().tcp(), net.client().ip()::sourceAddressFor);
            NetStack server = NetStack.of(loop, net.server().tcp(), net.server().ip()::sourceAddressFor);
            try (TcpServerSocket listener = server.serverSocket(7)) {
                listener.setFastOpen(8);
                for (int round = 0; round < 2; round++) {
                    Future<byte[]> got = TcpSocketTest.spawn(() -> {
                        try (TcpSocket s = listener.accept()) {
                            InputStream in = s.getInputStream();
                            byte[] b = in.readNBytes(request.length);
                            s.getOutputStream().write('!');
                            return b;
                        }
                    });
                    try (TcpSocket s = client.socket()) {
                        s.connect(TwoHostNetwork.SERVER_ADDRESS, 7, 10_000, request);
                        assertEquals('!', s.getInputStream().read());
                    }
                    assertArrayEquals(request, TcpSocketTest.get(got));
                }
            }
            long[] c = CompletableFuture.supplyAsync(() -> new long[] {net.server().counters().get("tcp.fastopen.cookie_reqd"),
                net.server().counters().get("tcp.fastopen.passive"), net.client().counters().get("tcp.fastopen.active")}, loop).get();
            assertEquals(1, c[0], "the first connect asked for a cookie");
            assertEquals(1, c[1], "the second one's SYN data was taken");
            assertEquals(1, c[2], "and acknowledged by the SYN,ACK");
        }
        assertTrue(failures.isEmpty(), () -> "loop failures: " + failures);
    }
}
