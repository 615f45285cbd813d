package org.netstack4j.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.netstack4j.device.Medium;
import org.netstack4j.sim.LinkConfig;
import org.netstack4j.tcp.ConnectOptions;
import org.netstack4j.tcp.FastOpen;
import org.netstack4j.tcp.TcpConnection;
import org.netstack4j.tcp.TcpListener;
import org.netstack4j.time.Time;

/**
 * TCP Fast Open (RFC 7413) end to end in the simulator, over a 10 ms one-way link: a first
 * connection learns the server's cookie; the next request travels in the SYN and its answer
 * comes back one round trip after the connect, where a request sent after the handshake takes
 * two. IPv4 and IPv6 (the cookie covers the address pair of either family).
 */
class FastOpenTransferTest {
    private static final long ONE_WAY = Time.ms(10), RTT = 2 * ONE_WAY;
    private static final int PORT = 80;
    private static final byte[] REQUEST = "GET / HTTP/1.0\r\n\r\n".getBytes(), ANSWER = "HTTP/1.0 200 OK\r\n\r\nhello".getBytes();

    /** An echo-like server: whatever a connection has to read is answered with ANSWER once. */
    private static final class Server {
        final List<TcpConnection> conns = new ArrayList<>();
        final List<Integer> requestBytes = new ArrayList<>();
        final TcpListener listener;

        Server(TwoHostNetwork net, int qlen) {
            listener = net.server().tcp().listen(net.now(), net.serverAddress(), PORT, 16, l -> { });
            listener.setFastOpen(qlen);
        }

        void serve(long now) {
            TcpConnection c;
            while ((c = listener.accept()) != null) {
                conns.add(c);
                requestBytes.add(0);
            }
            for (int i = 0; i < conns.size(); i++) {
                TcpConnection k = conns.get(i);
                if (requestBytes.get(i) >= REQUEST.length) continue;
                byte[] b = new byte[100];
                int n = k.receive(now, b, 0, b.length);
                if (n <= 0) continue;
                requestBytes.set(i, requestBytes.get(i) + n);
                if (requestBytes.get(i) >= REQUEST.length) k.send(now, ANSWER, 0, ANSWER.length);
            }
        }
    }

    /** Connects (Fast Open or not), sends the request, returns how long until the whole answer was read. */
    private static long exchange(TwoHostNetwork net, Server server, boolean fastOpen) {
        long start = net.now();
        TcpConnection c = fastOpen
            ? net.client().tcp().connect(start, net.serverAddress(), PORT, null,
                ConnectOptions.from(ipv6(net) ? TwoHostNetwork.CLIENT_ADDRESS6 : TwoHostNetwork.CLIENT_ADDRESS).withFastOpen(REQUEST, false))
            : net.client().tcp().connect(start, (ipv6(net) ? TwoHostNetwork.CLIENT_ADDRESS6 : TwoHostNetwork.CLIENT_ADDRESS), 0, net.serverAddress(), PORT, null);
        int[] sent = {c.synDataLength()};
        int[] got = {0};
        boolean done = net.runUntil(() -> {
            long now = net.now();
            server.serve(now);
            if (sent[0] < REQUEST.length && c.writable() > 0 && c.state().name().equals("ESTABLISHED"))
                sent[0] += c.send(now, REQUEST, sent[0], REQUEST.length - sent[0]);
            byte[] b = new byte[100];
            int n = c.receive(now, b, 0, b.length);
            if (n > 0) got[0] += n;
            return got[0] >= ANSWER.length;
        }, Time.s(10));
        assertTrue(done, "answer received");
        long took = net.now() - start;
        c.close(net.now());
        return took;
    }

    private static boolean ipv6(TwoHostNetwork net) { return net.ipv6(); }

    private static void run(boolean ipv6) {
        LinkConfig link = LinkConfig.builder().medium(Medium.ETHERNET).latencyNs(ONE_WAY).build();
        try (TwoHostNetwork net = TwoHostNetwork.builder().seed(16).link(link).staticArp(true).ipv6(ipv6).build()) {
            net.server().tcp().fastOpen().setMode(FastOpen.CLIENT | FastOpen.SERVER);
            Server server = new Server(net, 16);
            String fam = ipv6 ? "IPv6: " : "IPv4: ";
            exchange(net, server, false); // warm-up: ARP / neighbor discovery, outside the measured exchanges
            // no cookie yet: the SYN asks for one and the request waits for the handshake
            long first = exchange(net, server, true);
            assertEquals(1, net.client().tcp().fastOpen().cachedCookies(), fam + "the SYN,ACK's cookie is cached");
            assertEquals(1, net.server().counters().get("tcp.fastopen.cookie_reqd"), fam);
            // with the cookie: the request rides in the SYN, the answer comes one round trip later
            long fast = exchange(net, server, true);
            // plain TCP for comparison: handshake, then request
            long plain = exchange(net, server, false);
            assertTrue(first >= 2 * RTT && first < 2 * RTT + Time.ms(5), fam + "without a cookie: two round trips, took " + first);
            assertTrue(fast >= RTT && fast < RTT + Time.ms(5), fam + "with the cookie: one round trip, took " + fast);
            assertTrue(plain >= 2 * RTT && plain < 2 * RTT + Time.ms(5), fam + "plain TCP: two round trips, took " + plain);
            assertEquals(1, net.client().counters().get("tcp.fastopen.active"), fam + net.client().counters().snapshot());
            assertEquals(1, net.server().counters().get("tcp.fastopen.passive"), fam + net.server().counters().snapshot());
            assertEquals(0, net.server().counters().get("tcp.fastopen.passive_fail"), fam);
            assertNotNull(server.conns.get(2));
            assertEquals(REQUEST.length, (int) server.requestBytes.get(2), fam);
        }
    }

    @Test void theRequestInTheSynSavesOneRoundTripIpv4() { run(false); }

    @Test void theRequestInTheSynSavesOneRoundTripIpv6() { run(true); }
}
