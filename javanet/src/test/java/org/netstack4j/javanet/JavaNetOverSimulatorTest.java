package org.netstack4j.javanet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import javax.net.ServerSocketFactory;
import javax.net.SocketFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.netstack4j.device.Medium;
import org.netstack4j.host.TwoHostNetwork;
import org.netstack4j.runtime.EventLoop;
import org.netstack4j.sim.LinkConfig;
import org.netstack4j.socket.NetStack;
import org.netstack4j.time.Time;

/**
 * Plain java.net code (a SocketFactory, a ServerSocketFactory, BufferedReader and PrintWriter,
 * an HTTP/1.1 exchange) over two simulated hosts joined by a lossy link, driven in real time by
 * an event loop. The same client and server code runs over the JDK's own factories on loopback,
 * so what is tested is that code written for java.net runs unchanged.
 */
class JavaNetOverSimulatorTest {
    static final long GUARD_S = 60;
    static final String SERVER = TwoHostNetwork.SERVER_ADDRESS.toString();

    final List<Throwable> loopFailures = new CopyOnWriteArrayList<>();
    TwoHostNetwork net;
    EventLoop loop;
    SocketFactory clientFactory;
    ServerSocketFactory serverFactory;

    @BeforeEach void network() {
        LinkConfig link = LinkConfig.builder().medium(Medium.ETHERNET).latencyNs(Time.ms(1)).loss(0.02).build();
        net = TwoHostNetwork.builder().seed(19).link(link).build();
        loop = EventLoop.start("javanet-sim", net.sim(), loopFailures::add);
        clientFactory = NetstackSocketFactory.of(NetStack.of(loop, net.client().tcp(), net.client().ip()::sourceAddressFor));
        serverFactory = NetstackServerSocketFactory.of(NetStack.of(loop, net.server().tcp(), net.server().ip()::sourceAddressFor));
    }

    @AfterEach void stop() {
        loop.close();
        net.close();
        assertTrue(loopFailures.isEmpty(), () -> "event loop failures: " + loopFailures);
    }

    // ---- java.net code that knows nothing of netstack4j -----------------------------------------

    /** A one-request HTTP/1.1 server: serves {@code body} for GET /data, 404 otherwise. */
    static String serveOnce(ServerSocket listener, byte[] body) throws IOException {
        try (Socket s = listener.accept()) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            String requestLine = in.readLine();
            String line;
            String host = null;
            while ((line = in.readLine()) != null && !line.isEmpty())
                if (line.toLowerCase(Locale.ROOT).startsWith("host:")) host = line.substring(5).trim();
            boolean found = requestLine.equals("GET /data HTTP/1.1");
            byte[] payload = found ? body : "not found\n".getBytes(StandardCharsets.US_ASCII);
            OutputStream out = s.getOutputStream();
            PrintWriter head = new PrintWriter(out, false, StandardCharsets.US_ASCII);
            head.print((found ? "HTTP/1.1 200 OK" : "HTTP/1.1 404 Not Found") + "\r\n");
            head.print("Content-Type: application/octet-stream\r\n");
            head.print("Content-Length: " + payload.length + "\r\n");
            head.print("Connection: close\r\n\r\n");
            head.flush();
            out.write(payload);
            out.flush();
            return requestLine + " host=" + host + " from " + s.getInetAddress().getHostAddress();
        }
    }

    record Response(String status, Map<String, String> headers, byte[] body) {}

    /** GET {@code path} with a socket from {@code factory}, the way a library taking a SocketFactory does. */
    static Response get(SocketFactory factory, String host, int port, String path) throws IOException {
        try (Socket s = factory.createSocket(host, port)) {
            s.setSoTimeout(30_000);
            s.setTcpNoDelay(true);
            PrintWriter out = new PrintWriter(s.getOutputStream(), false, StandardCharsets.US_ASCII);
            out.print("GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nConnection: close\r\n\r\n");
            out.flush();
            InputStream in = s.getInputStream();
            String status = readLine(in);
            Map<String, String> headers = new LinkedHashMap<>();
            String line;
            while (!(line = readLine(in)).isEmpty()) {
                int colon = line.indexOf(':');
                headers.put(line.substring(0, colon).toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
            int length = Integer.parseInt(headers.get("content-length"));
            byte[] body = in.readNBytes(length);
            assertEquals(length, body.length, "body cut short");
            assertEquals(-1, in.read(), "the server closes after the response");
            return new Response(status, headers, body);
        }
    }

    /** One CRLF-terminated line, byte by byte (the body follows on the same stream). */
    static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) throw new IOException("EOF in a header line");
            if (b != '\r') line.write(b);
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    // ---- the tests --------------------------------------------------------------------------------

    @Test void anHttpExchangeOverALossySimulatedLink() throws Exception {
        byte[] body = new byte[300_000];
        new SplittableRandom(5).nextBytes(body);
        try (ServerSocket listener = serverFactory.createServerSocket(8080)) {
            assertInstanceOf(NetstackServerSocket.class, listener);
            assertEquals(8080, listener.getLocalPort());
            Future<String> served = spawn(() -> serveOnce(listener, body));
            Response r = get(clientFactory, SERVER, 8080, "/data");
            assertEquals("HTTP/1.1 200 OK", r.status());
            assertEquals(String.valueOf(body.length), r.headers().get("content-length"));
            assertArrayEquals(sha256(body), sha256(r.body()));
            assertEquals("GET /data HTTP/1.1 host=" + SERVER + ":8080 from " + TwoHostNetwork.CLIENT_ADDRESS, get(served));
        }
        // the link lost frames and TCP repaired it under the java.net code
        FutureTask<Long> retransmits = new FutureTask<>(() -> net.server().counters().get("tcp.retransmits"));
        loop.execute(retransmits);
        assertTrue(get(retransmits) > 0, "the server retransmitted over the 2% lossy link");
    }

    @Test void theSameCodeRunsOverTheJdksOwnSockets() throws Exception {
        byte[] body = "hello from the kernel's TCP\n".getBytes(StandardCharsets.US_ASCII);
        try (ServerSocket listener = ServerSocketFactory.getDefault().createServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Future<String> served = spawn(() -> serveOnce(listener, body));
            Response r = get(SocketFactory.getDefault(), "127.0.0.1", listener.getLocalPort(), "/data");
            assertEquals("HTTP/1.1 200 OK", r.status());
            assertArrayEquals(body, r.body());
            assertTrue(get(served).startsWith("GET /data HTTP/1.1"));
        }
    }

    @Test void socketsAreJavaNetSocketsWithJavaNetBehaviour() throws Exception {
        try (ServerSocket listener = serverFactory.createServerSocket()) {
            assertFalse(listener.isBound());
            listener.bind(null); // port 0: the first free dynamic port
            assertTrue(listener.isBound());
            assertEquals(49152, listener.getLocalPort());
            Future<Integer> accepted = spawn(() -> {
                try (Socket s = listener.accept()) {
                    assertInstanceOf(NetstackSocket.class, s);
                    assertTrue(s.isConnected());
                    return s.getInputStream().read();
                }
            });
            Socket s = clientFactory.createSocket();
            assertFalse(s.isConnected());
            assertNull(s.getRemoteSocketAddress());
            assertThrows(SocketException.class, s::getInputStream, "not connected yet");
            s.connect(new InetSocketAddress(InetAddress.getByName(SERVER), listener.getLocalPort()), 10_000);
            assertTrue(s.isConnected() && s.isBound());
            assertNull(s.getChannel(), "no platform channel behind it");
            assertEquals(new InetSocketAddress(InetAddress.getByName(SERVER), listener.getLocalPort()), s.getRemoteSocketAddress());
            assertEquals(TwoHostNetwork.CLIENT_ADDRESS.toString(), s.getLocalAddress().getHostAddress());
            s.setOption(StandardSocketOptions.TCP_NODELAY, true);
            assertTrue(s.getOption(StandardSocketOptions.TCP_NODELAY));
            assertThrows(UnsupportedOperationException.class, () -> s.getOption(StandardSocketOptions.IP_MULTICAST_LOOP));
            s.getOutputStream().write(42);
            assertEquals(42, get(accepted));
            s.close();
            assertTrue(s.isClosed());
            assertThrows(SocketException.class, s::getOutputStream);
        }
    }

    @Test void aServerSocketsReceiveBufferSetBeforeBindIsTheAcceptedSockets() throws Exception {
        try (ServerSocket listener = serverFactory.createServerSocket()) {
            // ServerSocket.setReceiveBufferSize: before bind, for the accepted sockets' window
            listener.setReceiveBufferSize(20_000);
            assertEquals(20_000, listener.getReceiveBufferSize());
            listener.bind(null);
            Future<Integer> accepted = spawn(() -> {
                try (Socket s = listener.accept()) {
                    return s.getReceiveBufferSize();
                }
            });
            try (Socket s = clientFactory.createSocket(SERVER, listener.getLocalPort())) {
                assertEquals(20_000, get(accepted));
            }
        }
    }

    @Test void trafficClassIsIpTosAndAcceptedSocketsInheritTheServers() throws Exception {
        try (ServerSocket listener = serverFactory.createServerSocket()) {
            assertTrue(listener.supportedOptions().contains(StandardSocketOptions.IP_TOS));
            listener.setOption(StandardSocketOptions.IP_TOS, 0x28); // before bind, as the JDK's ServerSocket allows
            listener.bind(null);
            assertEquals(0x28, listener.getOption(StandardSocketOptions.IP_TOS));
            Future<Integer> accepted = spawn(() -> {
                try (Socket s = listener.accept()) {
                    s.getInputStream().read();
                    return s.getTrafficClass();
                }
            });
            try (Socket s = clientFactory.createSocket()) {
                s.setTrafficClass(0xBB); // EF and CE: the ECN bits are TCP's, so they read back 0
                s.connect(new InetSocketAddress(InetAddress.getByName(SERVER), listener.getLocalPort()), 10_000);
                assertEquals(0xB8, s.getTrafficClass());
                s.setOption(StandardSocketOptions.IP_TOS, 0x48);
                assertEquals(0x48, s.getOption(StandardSocketOptions.IP_TOS));
                assertThrows(IllegalArgumentException.class, () -> s.setTrafficClass(256));
                s.getOutputStream().write(1);
                assertEquals(0x28, get(accepted));
            }
        }
    }

    @Test void urgentDataIsSentAndReadInBand() throws Exception {
        try (ServerSocket listener = serverFactory.createServerSocket()) {
            listener.bind(null);
            Future<String> accepted = spawn(() -> {
                try (Socket s = listener.accept()) {
                    s.setOOBInline(true);
                    assertTrue(s.getOOBInline());
                    return new String(s.getInputStream().readNBytes(4), StandardCharsets.US_ASCII);
                }
            });
            try (Socket s = clientFactory.createSocket(SERVER, listener.getLocalPort())) {
                s.getOutputStream().write("ab".getBytes(StandardCharsets.US_ASCII));
                s.sendUrgentData('!'); // URG on the wire; SO_OOBINLINE keeps it in band (RFC 6093)
                s.getOutputStream().write('c');
                assertEquals("ab!c", get(accepted));
            }
        }
    }

    @Test void urgentDataIsDroppedFromTheStreamWithoutOobInline() throws Exception {
        try (ServerSocket listener = serverFactory.createServerSocket()) {
            listener.bind(null);
            Future<String> accepted = spawn(() -> {
                try (Socket s = listener.accept()) {
                    assertFalse(s.getOOBInline());
                    s.shutdownOutput();
                    return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                }
            });
            try (Socket s = clientFactory.createSocket(SERVER, listener.getLocalPort())) {
                s.getOutputStream().write("ab".getBytes(StandardCharsets.US_ASCII));
                s.sendUrgentData('!'); // java.net: "TCP urgent data received on a socket is silently discarded"
                s.getOutputStream().write('c');
                s.shutdownOutput();
                assertEquals("abc", get(accepted));
            }
        }
    }

    @Test void refusedAndTimedOutAreTheJavaNetExceptions() throws Exception {
        assertThrows(ConnectException.class, () -> clientFactory.createSocket(SERVER, 9));
        try (ServerSocket listener = serverFactory.createServerSocket(8081)) {
            listener.setSoTimeout(200);
            assertThrows(SocketTimeoutException.class, listener::accept);
            Future<Void> silent = spawn(() -> {
                try (Socket s = listener.accept()) {
                    s.getInputStream().read(); // waits for the client to give up
                }
                return null;
            });
            try (Socket s = clientFactory.createSocket(SERVER, 8081)) {
                s.setSoTimeout(200);
                assertThrows(SocketTimeoutException.class, () -> s.getInputStream().read());
                assertFalse(s.isClosed(), "a read timeout leaves the socket usable");
            }
            get(silent);
        }
    }

    @Test void clientSocketsBindOnlyToTheWildcard() throws Exception {
        try (Socket s = clientFactory.createSocket()) {
            assertThrows(SocketException.class, () -> s.bind(new InetSocketAddress(InetAddress.getByName("10.0.0.1"), 1234)));
            s.bind(new InetSocketAddress(0));
            assertTrue(s.isBound());
            assertFalse(s.isConnected());
        }
    }

    static byte[] sha256(byte[] b) throws Exception { return MessageDigest.getInstance("SHA-256").digest(b); }

    static <T> Future<T> spawn(Callable<T> body) {
        FutureTask<T> f = new FutureTask<>(body);
        Thread.ofVirtual().name("javanet-peer").start(f);
        return f;
    }

    static <T> T get(Future<T> f) throws Exception {
        try {
            return f.get(GUARD_S, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception ex) throw ex;
            throw e;
        }
    }

    static String hex(byte[] b) { return HexFormat.of().formatHex(b); }
}
