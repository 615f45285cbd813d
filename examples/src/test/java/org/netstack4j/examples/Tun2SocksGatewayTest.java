package org.netstack4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.SocketFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.netstack4j.device.Medium;
import org.netstack4j.host.TwoHostNetwork;
import org.netstack4j.ip.RoutingTable;
import org.netstack4j.javanet.NetstackSocketFactory;
import org.netstack4j.runtime.EventLoop;
import org.netstack4j.sim.LinkConfig;
import org.netstack4j.socket.NetStack;
import org.netstack4j.time.Time;
import org.netstack4j.wire.Ipv4Address;

/**
 * The gateway example in the simulator: the client host routes everything through the gateway
 * host, whose interface intercepts any destination; the gateway's "Internet" is an upstream that
 * sends every flow to a server on this machine's loopback and notes where the flow was going.
 */
class Tun2SocksGatewayTest {
    final List<Throwable> loopFailures = new CopyOnWriteArrayList<>();
    final List<InetSocketAddress> dialed = new CopyOnWriteArrayList<>();
    TwoHostNetwork net;
    EventLoop loop;
    ServerSocket internet;
    SocketFactory client;

    @BeforeEach void network() throws Exception {
        internet = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::uppercaseServer);
        Tun2SocksGateway.Upstream toLoopback = original -> {
            dialed.add(original);
            if (original.getPort() != 80) throw new ConnectException("Connection refused");
            return Tun2SocksGateway.DIRECT.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), internet.getLocalPort()));
        };
        net = TwoHostNetwork.builder().seed(11)
                .link(LinkConfig.builder().medium(Medium.ETHERNET).latencyNs(Time.ms(2)).loss(0.01).build()).build();
        // the client's default route: via the gateway
        net.client().ip().routes().add(new RoutingTable.Route(Ipv4Address.parse("0.0.0.0"), 0, TwoHostNetwork.SERVER_ADDRESS, null));
        loop = EventLoop.start("gateway-sim", net.sim(), loopFailures::add);
        NetStack gatewayStack = NetStack.of(loop, net.server().tcp(), net.server().ip());
        loop.call(() -> {
            Tun2SocksGateway.install(net.server(), "eth0", gatewayStack, toLoopback);
            return null;
        });
        client = NetstackSocketFactory.of(NetStack.of(loop, net.client().tcp(), net.client().ip()));
    }

    private void uppercaseServer() {
        while (!internet.isClosed()) {
            try {
                Socket s = internet.accept();
                Thread.ofVirtual().start(() -> {
                    try (s; BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                         PrintWriter out = new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8)) {
                        for (String line; (line = in.readLine()) != null; ) out.println(line.toUpperCase(Locale.ROOT));
                    } catch (IOException e) {
                        // client went away
                    }
                });
            } catch (IOException e) {
                return;
            }
        }
    }

    @AfterEach void stop() throws IOException {
        loop.close();
        net.close();
        internet.close();
        assertTrue(loopFailures.isEmpty(), () -> "event loop failures: " + loopFailures);
    }

    @Test void anyDestinationIsRelayedUpstream() throws Exception {
        try (Socket s = client.createSocket("203.0.113.7", 80);
             BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
             PrintWriter out = new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8)) {
            s.setSoTimeout(30_000);
            for (int i = 0; i < 200; i++) {
                out.println("hello " + i + " through the gateway");
                assertEquals("HELLO " + i + " THROUGH THE GATEWAY", in.readLine());
            }
            s.shutdownOutput();
            assertEquals(null, in.readLine(), "the upstream's FIN comes back through the gateway");
        }
        assertEquals(List.of(new InetSocketAddress("203.0.113.7", 80)), dialed, "dialed where the client was going");
    }

    @Test void anUpstreamThatRefusesIsAResetAtTheClient() {
        assertThrows(ConnectException.class, () -> client.createSocket("198.51.100.1", 81).close());
        assertEquals(List.of(new InetSocketAddress("198.51.100.1", 81)), dialed);
    }
}
