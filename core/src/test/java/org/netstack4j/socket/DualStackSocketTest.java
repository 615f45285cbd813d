package org.netstack4j.socket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.netstack4j.host.Host;
import org.netstack4j.host.TwoHostNetwork;
import org.netstack4j.ip.Ipv6AddressState;
import org.netstack4j.runtime.EventLoop;
import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.Ipv6Address;

/**
 * The blocking sockets on a dual-stack simulated network: java.net IPv6 addresses in and out,
 * a listener on :: taking IPv4 peers as ::ffff:a.b.c.d unless IPV6_V6ONLY (RFC 3493 5.3),
 * IPv4-mapped destinations reached over IPv4, and link-local addresses with their zone (RFC 4007).
 */
class DualStackSocketTest {
    final List<Throwable> failures = new CopyOnWriteArrayList<>();
    TwoHostNetwork net;
    EventLoop loop;
    NetStack client, server;

    static NetStack stack(EventLoop loop, Host h) {
        return NetStack.of(loop, h.tcp(), h.ip()::sourceAddressFor, h.ip()::linkLocalAddress, h.ip()::scopeIdOf);
    }

    @BeforeEach void start() {
        net = TwoHostNetwork.builder().seed(7).ipv6(true).build();
        loop = EventLoop.start("netstack4j-loop", net.sim(), failures::add);
        client = stack(loop, net.client());
        server = stack(loop, net.server());
    }

    @AfterEach void stop() {
        loop.close();
        net.close();
        assertTrue(failures.isEmpty(), () -> "loop failures: " + failures);
    }

    /** Accepts one connection, reads "hi" and returns the accepted socket's view of the peer. */
    static Future<IpAddress[]> acceptOne(TcpServerSocket listener) {
        return TcpSocketTest.spawn(() -> {
            try (TcpSocket s = listener.accept()) {
                byte[] b = s.getInputStream().readNBytes(2);
                assertArrayEquals("hi".getBytes(), b);
                // java.net shows an IPv4 peer of a dual-stack socket as an Inet4Address; our own
                // API keeps the IPv4-mapped form (RFC 3493 3.7)
                assertEquals(Net.unmapped(s.remoteAddress()), IpAddress.of(s.getInetAddress()));
                assertEquals(s.remoteAddress() instanceof Ipv6Address v6 && v6.isIpv4Mapped(),
                        s.getInetAddress() instanceof java.net.Inet4Address && s.remoteAddress() instanceof Ipv6Address,
                        "an IPv4-mapped peer is a java.net Inet4Address");
                return new IpAddress[] {s.remoteAddress(), s.localAddress()};
            }
        });
    }

    static void sayHi(TcpSocket s) throws Exception {
        s.getOutputStream().write("hi".getBytes());
        s.getOutputStream().flush();
    }

    @Test void listenerOnAnyIpv6AcceptsIpv4PeersAsMappedAddresses() throws Exception {
        try (TcpServerSocket l = new TcpServerSocket(server)) {
            l.bind(new InetSocketAddress(Inet6Address.getByName("::"), 80), 8);
            Future<IpAddress[]> seen = acceptOne(l);
            try (TcpSocket s = client.socket()) {
                s.connect(new InetSocketAddress(TwoHostNetwork.SERVER_ADDRESS.toInetAddress(), 80), 5000);
                sayHi(s);
                IpAddress[] peer = TcpSocketTest.get(seen);
                assertEquals(Ipv6Address.parse("::ffff:10.0.0.1"), peer[0]);
                assertEquals(Ipv6Address.parse("::ffff:10.0.0.2"), peer[1]);
            }
            // and an IPv6 peer keeps its own address, given as a java.net Inet6Address
            seen = acceptOne(l);
            try (TcpSocket s = client.connect(new InetSocketAddress(Inet6Address.getByName("fd00::2"), 80))) {
                sayHi(s);
                assertEquals(TwoHostNetwork.CLIENT_ADDRESS6, TcpSocketTest.get(seen)[0]);
                assertInstanceOf(Inet6Address.class, s.getInetAddress());
                assertEquals(TwoHostNetwork.CLIENT_ADDRESS6, IpAddress.of(s.getLocalAddress()));
            }
        }
    }

    /**
     * java.net on Linux (checked with JDK 25: ServerSocket bound to no address, to
     * InetAddress.getByName("0.0.0.0") and to "::"): every wildcard takes IPv4 and IPv6 peers, and
     * an accepted IPv4 peer is an Inet4Address. A socket bound with no address, or to 0.0.0.0,
     * behaves the same here: both families, each peer in its own family (nothing mapped).
     */
    @Test void ipv4WildcardAndNoAddressTakeBothFamiliesAsJavaNetDoes() throws Exception {
        try (TcpServerSocket noAddress = new TcpServerSocket(server, 82);
             TcpServerSocket zeros = new TcpServerSocket(server)) {
            zeros.bind(java.net.InetAddress.getByName("0.0.0.0"), 83, 8);
            for (TcpServerSocket l : List.of(noAddress, zeros)) {
                int port = l.getLocalPort();
                Future<IpAddress[]> seen = acceptOne(l);
                try (TcpSocket s = client.socket()) {
                    s.connect(TwoHostNetwork.SERVER_ADDRESS, port, 5000);
                    sayHi(s);
                    assertEquals(TwoHostNetwork.CLIENT_ADDRESS, TcpSocketTest.get(seen)[0], "IPv4 peer on " + port);
                }
                seen = acceptOne(l);
                try (TcpSocket s = client.socket()) {
                    s.connect(TwoHostNetwork.SERVER_ADDRESS6, port, 5000);
                    sayHi(s);
                    assertEquals(TwoHostNetwork.CLIENT_ADDRESS6, TcpSocketTest.get(seen)[0], "IPv6 peer on " + port);
                }
            }
        }
    }

    @Test void v6OnlyListenerRefusesIpv4() throws Exception {
        try (TcpServerSocket l = new TcpServerSocket(server)) {
            l.setV6Only(true);
            l.bind(Ipv6Address.ANY, 81, 8);
            assertThrows(SocketException.class, () -> l.setV6Only(false), "only before bind");
            ConnectException refused = assertThrows(ConnectException.class,
                    () -> client.socket().connect(TwoHostNetwork.SERVER_ADDRESS, 81, 5000));
            assertEquals("Connection refused", refused.getMessage());
            Future<IpAddress[]> seen = acceptOne(l);
            try (TcpSocket s = client.socket()) {
                s.connect(TwoHostNetwork.SERVER_ADDRESS6, 81, 5000);
                sayHi(s);
                assertEquals(TwoHostNetwork.CLIENT_ADDRESS6, TcpSocketTest.get(seen)[0]);
            }
        }
    }

    @Test void ipv4MappedDestinationIsReachedOverIpv4() throws Exception {
        try (TcpServerSocket l = new TcpServerSocket(server)) {
            l.bind(TwoHostNetwork.SERVER_ADDRESS, 82, 8); // an IPv4-only listener
            Future<IpAddress[]> seen = acceptOne(l);
            long v4Before = net.client().counters().get("ipv4.out.packets");
            try (TcpSocket s = client.socket()) {
                s.connect(Ipv6Address.parse("::ffff:10.0.0.2"), 82, 5000);
                sayHi(s);
                assertEquals(TwoHostNetwork.CLIENT_ADDRESS, TcpSocketTest.get(seen)[0], "the server sees plain IPv4");
                assertEquals(Ipv6Address.parse("::ffff:10.0.0.2"), s.remoteAddress(), "the client's socket shows it mapped");
                assertEquals(Ipv6Address.parse("::ffff:10.0.0.1"), s.localAddress());
            }
            assertTrue(net.client().counters().get("ipv4.out.packets") > v4Before);
        }
    }

    static Ipv6Address linkLocal(Host h) {
        for (Ipv6AddressState a : h.ip().ipv6Addresses()) if (a.address().isLinkLocal()) return a.address();
        throw new AssertionError("no link-local address");
    }

    @Test void linkLocalConnectionsCarryTheirZone() throws Exception {
        int eth0 = net.client().ip().scopeId("eth0");
        assertEquals(1, eth0);
        assertEquals("eth0", net.client().ip().interfaceName(eth0));
        assertEquals(0, net.client().ip().scopeId("nope"));
        Ipv6Address serverLl = linkLocal(net.server());
        try (TcpServerSocket l = new TcpServerSocket(server)) {
            l.bind(Ipv6Address.ANY, 83, 8);
            Future<IpAddress[]> seen = acceptOne(l);
            Inet6Address zoned = Inet6Address.getByAddress(null, serverLl.toBytes(), eth0); // fe80::...%1
            try (TcpSocket s = client.socket()) {
                s.connect(new InetSocketAddress(zoned, 83), 5000);
                sayHi(s);
                assertEquals(linkLocal(net.client()), TcpSocketTest.get(seen)[0]);
                assertEquals(eth0, s.scopeId());
                Inet6Address remote = assertInstanceOf(Inet6Address.class, s.getInetAddress());
                assertEquals(eth0, remote.getScopeId());
                assertEquals(linkLocal(net.client()), IpAddress.of(s.getLocalAddress()));
            }
            SocketException noDevice = assertThrows(SocketException.class,
                    () -> client.socket().connect(serverLl, 83, 5000, 9));
            assertTrue(noDevice.getMessage().startsWith("No such device"), noDevice.getMessage());
        }
    }
}
