package org.netstack4j.socket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.netstack4j.host.TwoHostNetwork;
import org.netstack4j.runtime.EventLoop;
import org.netstack4j.tcp.FastOpen;
import org.netstack4j.tcp.TcpConfig;

/**
 * IP_TOS / IPV6_TCLASS on TCP sockets: every segment a socket sends carries its DSCP bits (RFC
 * 2474), the SYN too when set before connect; a listener's SYN,ACK and accepted connections carry
 * the listener's; the two ECN bits stay TCP's own (RFC 3168 6.1.1), whatever the caller passes.
 * Read from the frames on the simulated wire.
 */
class TrafficClassTest {
    static final int PORT = 4000;
    final List<Throwable> failures = new CopyOnWriteArrayList<>();
    /** The TOS / traffic class byte and TCP flags of each TCP frame, by sender. */
    final List<int[]> fromClient = new CopyOnWriteArrayList<>(), fromServer = new CopyOnWriteArrayList<>();
    TwoHostNetwork net;
    EventLoop loop;

    @AfterEach void stop() {
        if (loop != null) loop.close();
        if (net != null) net.close();
        assertTrue(failures.isEmpty(), () -> "loop failures: " + failures);
    }

    void start(boolean ipv6, TcpConfig tcp) {
        net = TwoHostNetwork.builder().seed(3).ipv6(ipv6).tcp(tcp).observeFrames((now, host, sent, f) -> {
            if (!sent || f.length < 14 + 40) return;
            int type = (f[12] & 0xff) << 8 | f[13] & 0xff;
            int tos, proto, l4;
            if (type == 0x0800) {
                tos = f[15] & 0xff;
                proto = f[14 + 9] & 0xff;
                l4 = 14 + (f[14] & 0x0f) * 4;
            } else if (type == 0x86DD) {
                tos = (f[14] & 0x0f) << 4 | (f[15] & 0xf0) >>> 4;
                proto = f[14 + 6] & 0xff;
                l4 = 14 + 40;
            } else {
                return;
            }
            if (proto != 6) return;
            int[] seen = {tos, f[l4 + 13] & 0xff};
            (host.equals("client") ? fromClient : fromServer).add(seen);
        }).build();
        loop = EventLoop.start("netstack4j-loop", net.sim(), failures::add);
    }

    static NetStack stack(EventLoop loop, org.netstack4j.host.Host h) {
        return DualStackSocketTest.stack(loop, h);
    }

    static Set<Integer> tosOf(List<int[]> frames) {
        Set<Integer> s = new TreeSet<>();
        for (int[] f : frames) s.add(f[0]);
        return s;
    }

    static boolean hasSyn(List<int[]> frames) {
        return frames.stream().anyMatch(f -> (f[1] & 0x02) != 0);
    }

    /** Connects, says "hi", hears "ok"; the client's traffic class is {@code clientTos} from before connect. */
    void exchange(int clientTos, int serverTos) throws Exception {
        NetStack client = stack(loop, net.client()), server = stack(loop, net.server());
        try (TcpServerSocket l = new TcpServerSocket(server)) {
            l.setTrafficClass(serverTos); // before bind, as java.net allows
            l.bind(new InetSocketAddress(net.ipv6() ? java.net.InetAddress.getByName("::") : java.net.InetAddress.getByName("0.0.0.0"), PORT), 4);
            Future<Integer> accepted = TcpSocketTest.spawn(() -> {
                try (TcpSocket s = l.accept()) {
                    assertArrayEquals("hi".getBytes(), s.getInputStream().readNBytes(2));
                    s.getOutputStream().write("ok".getBytes());
                    s.getOutputStream().flush();
                    assertEquals(-1, s.getInputStream().read());
                    return s.getTrafficClass();
                }
            });
            try (TcpSocket s = client.socket()) {
                s.setTrafficClass(clientTos);
                s.connect(new InetSocketAddress(net.serverAddress().toInetAddress(), PORT));
                s.getOutputStream().write("hi".getBytes());
                s.getOutputStream().flush();
                assertArrayEquals("ok".getBytes(), s.getInputStream().readNBytes(2));
                assertEquals(clientTos & ~3, s.getTrafficClass(), "the ECN bits read back 0");
            }
            assertEquals(serverTos & ~3, accepted.get(30, TimeUnit.SECONDS), "the accepted socket inherits the listener's");
        }
    }

    @Test void ipv4SegmentsCarryEachSidesDscpBits() throws Exception {
        start(false, TcpConfig.defaults());
        exchange(0xB8 /* EF, DSCP 46 */, 0x28 /* AF11 */);
        assertTrue(hasSyn(fromClient) && hasSyn(fromServer));
        assertEquals(Set.of(0xB8), tosOf(fromClient), "every client segment, SYN and FIN included");
        assertEquals(Set.of(0x28), tosOf(fromServer), "the listener's SYN,ACK and the accepted connection's segments");
    }

    @Test void ipv6TrafficClassLikewise() throws Exception {
        start(true, TcpConfig.defaults());
        exchange(0x48 /* AF21 */, 0xB8);
        assertTrue(hasSyn(fromClient));
        assertEquals(Set.of(0x48), tosOf(fromClient));
        assertEquals(Set.of(0xB8), tosOf(fromServer));
    }

    @Test void theEcnBitsStayTcpsOwn() throws Exception {
        start(false, TcpConfig.defaults().withOptions(o -> o.withEcn(TcpConfig.Options.ECN_ON)));
        exchange(0xBB /* EF with CE asked for: ignored */, 0x29 /* AF11 with ECT(1) asked for: ignored */);
        Set<Integer> client = tosOf(fromClient);
        // RFC 3168 6.1.1: the SYN and pure ACKs Not-ECT, data ECT(0); never the CE the caller passed
        assertTrue(client.contains(0xB8) && client.contains(0xBA), () -> "client TOS bytes " + client);
        assertFalse(client.contains(0xBB));
        assertTrue(tosOf(fromServer).stream().allMatch(t -> t == 0x28 || t == 0x2A), () -> "server TOS bytes " + tosOf(fromServer));
        assertTrue(tosOf(fromServer).contains(0x2A), "the server's data went ECT(0)");
    }

    @Test void aFastOpenSynCarriesTheDscpBitsToo() throws Exception {
        start(false, TcpConfig.defaults());
        CompletableFuture.runAsync(() -> net.server().tcp().fastOpen().setMode(FastOpen.CLIENT | FastOpen.SERVER), loop).get();
        NetStack client = stack(loop, net.client()), server = stack(loop, net.server());
        byte[] request = "hi".getBytes();
        try (TcpServerSocket l = server.serverSocket(PORT)) {
            l.setFastOpen(8);
            for (int round = 0; round < 2; round++) { // the first SYN asks for a cookie, the second carries the request
                Future<byte[]> got = TcpSocketTest.spawn(() -> {
                    try (TcpSocket s = l.accept()) {
                        byte[] b = s.getInputStream().readNBytes(request.length);
                        s.getOutputStream().write('!');
                        return b;
                    }
                });
                try (TcpSocket s = client.socket()) {
                    s.setTrafficClass(0xB8);
                    s.connect(net.serverAddress(), PORT, 10_000, request);
                    assertEquals('!', s.getInputStream().read());
                }
                assertArrayEquals(request, got.get(30, TimeUnit.SECONDS));
            }
        }
        long synData = CompletableFuture.supplyAsync(() -> net.server().counters().get("tcp.fastopen.passive"), loop).get();
        assertEquals(1, synData, "the second SYN's data was taken");
        List<int[]> syns = fromClient.stream().filter(f -> (f[1] & 0x02) != 0).toList();
        assertEquals(2, syns.size());
        assertEquals(Set.of(0xB8), tosOf(syns), "both Fast Open SYNs carry the socket's DSCP bits");
        assertEquals(Set.of(0xB8), tosOf(fromClient));
    }

    @Test void defaultIsZeroAndRangeChecked() throws Exception {
        start(false, TcpConfig.defaults());
        exchange(0, 0);
        assertEquals(Set.of(0), tosOf(fromClient));
        assertEquals(Set.of(0), tosOf(fromServer));
        try (TcpSocket s = stack(loop, net.client()).socket()) {
            assertThrows(IllegalArgumentException.class, () -> s.setTrafficClass(256));
            assertThrows(IllegalArgumentException.class, () -> s.setTrafficClass(-1));
        }
    }
}
