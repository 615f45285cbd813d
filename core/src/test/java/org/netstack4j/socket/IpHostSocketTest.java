package org.netstack4j.socket;

import static org.junit.jupiter.api.Assertions.*;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.security.MessageDigest;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.netstack4j.host.Host;
import org.netstack4j.runtime.EventLoop;
import org.netstack4j.tcp.TcpConfig;
import org.netstack4j.trace.Tracer;
import org.netstack4j.wire.Ipv4Address;

/** Sockets over complete hosts ({@link Host}: IP + TCP, real encoding and checksums) on one event loop. */
class IpHostSocketTest {
    static final Ipv4Address A = Ipv4Address.of(192, 168, 7, 1);
    static final Ipv4Address B = Ipv4Address.of(192, 168, 7, 2);

    @Test void oneMegabyteThroughIpAndBackWithSha256() throws Exception {
        P2pWire wire = new P2pWire();
        Host hostA = new Host("a", TcpConfig.defaults(), Tracer.NONE, 1).addInterface("p2p0", wire.a, null, A, 24);
        Host hostB = new Host("b", TcpConfig.defaults(), Tracer.NONE, 2).addInterface("p2p0", wire.b, null, B, 24);
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        try (EventLoop loop = EventLoop.start("netstack4j-loop", P2pWire.both(hostA, hostB), failures::add)) {
            NetStack a = NetStack.of(loop, hostA.tcp(), hostA.ip()::sourceAddressFor);
            NetStack b = NetStack.of(loop, hostB.tcp(), hostB.ip()::sourceAddressFor);
            byte[] data = new byte[1 << 20];
            new SplittableRandom(3).nextBytes(data);
            try (TcpServerSocket server = b.serverSocket(5001)) {
                Future<byte[]> serverSide = TcpSocketTest.spawn(() -> {
                    try (TcpSocket s = server.accept()) {
                        byte[] got = TcpSocketTest.readAll(s.getInputStream());
                        s.getOutputStream().write(MessageDigest.getInstance("SHA-256").digest(got));
                        return got;
                    }
                });
                try (TcpSocket client = a.socket()) {
                    client.connect(B, 5001, 5_000);
                    assertEquals(A, client.localAddress(), "source address chosen by the IP stack");
                    OutputStream out = client.getOutputStream();
                    out.write(data);
                    client.shutdownOutput();
                    InputStream in = client.getInputStream();
                    byte[] digest = TcpSocketTest.readAll(in);
                    assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(data), digest);
                    assertArrayEquals(data, TcpSocketTest.get(serverSide));
                }
                ConnectException refused = assertThrows(ConnectException.class, () -> a.socket().connect(B, 5002, 5_000));
                assertEquals("Connection refused", refused.getMessage());
            }
        }
        assertTrue(failures.isEmpty(), () -> "loop failures: " + failures);
    }
}
