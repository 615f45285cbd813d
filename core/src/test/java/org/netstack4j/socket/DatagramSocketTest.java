package org.netstack4j.socket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.BindException;
import java.net.DatagramPacket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.netstack4j.host.TwoHostNetwork;
import org.netstack4j.ip.UdpDatagram;
import org.netstack4j.ip.UdpError;
import org.netstack4j.runtime.EventLoop;

/** The blocking UDP socket across two simulated hosts driven in real time by an event loop, both families. */
class DatagramSocketTest {
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private TwoHostNetwork net;
    private EventLoop loop;
    private NetStack client, server;

    @BeforeEach void start() {
        net = TwoHostNetwork.builder().seed(3).ipv6(true).build();
        loop = EventLoop.start("netstack4j-loop", net.sim(), failures::add);
        client = NetStack.of(loop, net.client().tcp(), net.client().ip());
        server = NetStack.of(loop, net.server().tcp(), net.server().ip());
    }

    @AfterEach void stop() {
        loop.close();
        net.close();
        assertTrue(failures.isEmpty(), () -> "loop failures: " + failures);
    }

    @Test void echoOverBothFamiliesOnOnePort() throws Exception {
        try (DatagramSocket echo = server.datagramSocket(5353); DatagramSocket c = client.datagramSocket(0)) {
            Future<Integer> served = TcpSocketTest.spawn(() -> {
                for (int i = 0; i < 2; i++) {
                    UdpDatagram d = echo.receive();
                    echo.send(d.src(), d.srcPort(), d.data(), 0, d.data().length);
                }
                return 2;
            });
            c.setSoTimeout(5000);
            byte[] hello = "hello v4".getBytes(StandardCharsets.US_ASCII);
            c.send(TwoHostNetwork.SERVER_ADDRESS, 5353, hello, 0, hello.length);
            UdpDatagram back = c.receive();
            assertArrayEquals(hello, back.data());
            assertEquals(TwoHostNetwork.SERVER_ADDRESS, back.src());
            assertEquals(5353, back.srcPort());
            assertEquals(c.getLocalPort(), back.dstPort());

            byte[] hello6 = "hello v6".getBytes(StandardCharsets.US_ASCII);
            c.send(new DatagramPacket(hello6, hello6.length, new InetSocketAddress(TwoHostNetwork.SERVER_ADDRESS6.toInetAddress(), 5353)));
            DatagramPacket p = new DatagramPacket(new byte[100], 100);
            c.receive(p);
            assertEquals("hello v6", new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII));
            assertEquals(TwoHostNetwork.SERVER_ADDRESS6.toInetAddress(), p.getAddress());
            assertEquals(2, TcpSocketTest.get(served));
        }
    }

    @Test void receiveTimesOutAndStaysUsable() throws Exception {
        try (DatagramSocket s = server.datagramSocket(9999); DatagramSocket c = client.datagramSocket(0)) {
            s.setSoTimeout(50);
            long t0 = System.nanoTime();
            assertThrows(SocketTimeoutException.class, s::receive);
            assertTrue(System.nanoTime() - t0 >= 45_000_000L, "waited the timeout");
            c.send(TwoHostNetwork.SERVER_ADDRESS, 9999, new byte[] {1, 2, 3}, 0, 3);
            s.setSoTimeout(5000);
            assertArrayEquals(new byte[] {1, 2, 3}, s.receive().data());
        }
    }

    @Test void closeWakesABlockedReceiver() throws Exception {
        DatagramSocket s = server.datagramSocket(0);
        Future<Throwable> blocked = TcpSocketTest.spawn(() -> {
            try {
                s.receive();
                return null;
            } catch (SocketException e) {
                return e;
            }
        });
        // closing before the receiver blocks or while it waits ends the same way
        s.close();
        Throwable t = TcpSocketTest.get(blocked);
        assertEquals("Socket closed", t.getMessage());
        assertThrows(SocketException.class, () -> s.send(TwoHostNetwork.CLIENT_ADDRESS, 9, new byte[1], 0, 1));
    }

    @Test void portsAreExclusiveAndEphemeralPortsDiffer() throws Exception {
        try (DatagramSocket a = server.datagramSocket(53); DatagramSocket b = server.datagramSocket(0); DatagramSocket c = server.datagramSocket(0)) {
            assertThrows(BindException.class, () -> server.datagramSocket(53));
            assertTrue(b.getLocalPort() >= 49152);
            assertNotEquals(b.getLocalPort(), c.getLocalPort());
            assertEquals(53, a.getLocalPort());
        }
        server.datagramSocket(53).close(); // free again after close
    }

    @Test void portUnreachableIsReported() throws Exception {
        try (DatagramSocket c = client.datagramSocket(0); DatagramSocket open = server.datagramSocket(4445)) {
            c.send(TwoHostNetwork.SERVER_ADDRESS, 4444, new byte[] {7}, 0, 1);
            // a datagram sent after it to an open port: once it is there, the ICMP answer to the
            // first (sent earlier on the same FIFO link) is back too
            c.send(TwoHostNetwork.SERVER_ADDRESS, 4445, new byte[] {8}, 0, 1);
            open.setSoTimeout(5000);
            UdpDatagram d = open.receive();
            open.send(d.src(), d.srcPort(), d.data(), 0, 1);
            c.setSoTimeout(5000);
            assertArrayEquals(new byte[] {8}, c.receive().data());
            UdpError e = c.error();
            assertTrue(e != null && e.message().contains("port unreachable"), "got " + e);
            assertEquals(null, c.error(), "cleared by reading it");
        }
    }

    @Test void ipPmtudiscDoRefusesADatagramLargerThanTheMtuWithEmsgsize() throws Exception {
        try (DatagramSocket c = client.datagramSocket(0)) {
            int mtu = c.getMtu(TwoHostNetwork.SERVER_ADDRESS);
            assertTrue(mtu >= 576, "IP_MTU " + mtu);
            byte[] big = new byte[mtu - 28 + 1];
            c.send(TwoHostNetwork.SERVER_ADDRESS, 5353, big, 0, big.length); // DONT: fragmented
            c.setPathMtuDiscovery(org.netstack4j.path.PmtuDiscovery.DO);
            SocketException e = assertThrows(SocketException.class, () -> c.send(TwoHostNetwork.SERVER_ADDRESS, 5353, big, 0, big.length));
            assertTrue(e.getMessage().startsWith("Message too long"), e.getMessage());
            c.send(TwoHostNetwork.SERVER_ADDRESS, 5353, big, 0, big.length - 1);
        }
    }

    @Test void aStackWithoutIpHasNoUdp() {
        NetStack tcpOnly = NetStack.of(loop, net.client().tcp(), net.client().ip()::sourceAddressFor);
        assertThrows(UnsupportedOperationException.class, () -> tcpOnly.datagramSocket(0));
    }
}
