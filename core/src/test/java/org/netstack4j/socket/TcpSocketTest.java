package org.netstack4j.socket;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.netstack4j.tcp.TcpStatus;
import org.netstack4j.runtime.EventLoop;
import org.netstack4j.tcp.TcpConfig;
import org.netstack4j.tcp.TcpState;
import org.netstack4j.wire.Ipv4Address;

/**
 * Blocking sockets over two real TCP layers on one event loop, joined back to back in memory.
 * Real threads: results are decided by the protocol, never by timing; timeouts are guards
 * (GUARD_S) or the very thing under test (soTimeout, connect timeout).
 */
class TcpSocketTest {
    static final long GUARD_S = 30;
    static final int PORT = 7000;

    final List<Throwable> loopFailures = new CopyOnWriteArrayList<>();
    BackToBack net;
    EventLoop loop;
    NetStack hostA;
    NetStack hostB;

    @BeforeEach void setUp() {
        net = new BackToBack(TcpConfig.defaults(), 42);
        loop = EventLoop.start("netstack4j-loop", net, loopFailures::add);
        hostA = net.stackA(loop);
        hostB = net.stackB(loop);
    }

    @AfterEach void tearDown() {
        loop.close();
        assertTrue(loopFailures.isEmpty(), () -> "event loop failures: " + loopFailures);
    }

    /** Runs {@code body} in a new virtual thread; get() the result with a guard timeout. */
    static <T> Future<T> spawn(Callable<T> body) {
        FutureTask<T> f = new FutureTask<>(body);
        Thread.ofVirtual().name("test-peer").start(f);
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

    static byte[] readAll(InputStream in) throws IOException { return readAll(in, 8192); }

    static byte[] readAll(InputStream in, int chunk) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[chunk];
        int n;
        while ((n = in.read(buf)) >= 0) out.write(buf, 0, n);
        return out.toByteArray();
    }

    /** Reads to the end 1000 bytes at a time: a slow reader, so that the sender's buffer fills now and then. */
    static byte[] readAllInSmallReads(InputStream in) throws IOException { return readAll(in, 1000); }

    static byte[] readExactly(InputStream in, int len) throws IOException {
        byte[] b = new byte[len];
        int got = 0;
        while (got < len) {
            int n = in.read(b, got, len - got);
            if (n < 0) throw new IOException("EOF after " + got + " of " + len + " bytes");
            got += n;
        }
        return b;
    }

    @Test void echo() throws Exception {
        TcpServerSocket server = new TcpServerSocket(hostB, PORT);
        Future<String> serverSide = spawn(() -> {
            try (TcpSocket s = server.accept()) {
                byte[] got = readAll(s.getInputStream());
                s.getOutputStream().write(got);
                return s.getRemoteSocketAddress().toString();
            }
        });
        try (TcpSocket client = hostA.socket()) {
            client.connect(new InetSocketAddress(Net.inet(BackToBack.B), PORT), 5_000);
            assertTrue(client.isConnected());
            assertEquals(PORT, client.getPort());
            assertEquals(BackToBack.A, client.localAddress());
            assertTrue(client.getLocalPort() >= 1024, "ephemeral port " + client.getLocalPort());
            client.getOutputStream().write("hello, netstack4j".getBytes(StandardCharsets.UTF_8));
            client.shutdownOutput();
            assertEquals("hello, netstack4j", new String(readAll(client.getInputStream()), StandardCharsets.UTF_8));
            assertEquals("/10.0.0.1:" + client.getLocalPort(), get(serverSide));
        }
        server.close();
    }

    @Test void timestampsOfAWriteAndARead() throws Exception {
        TcpServerSocket server = new TcpServerSocket(hostB, PORT);
        Future<Void> serverSide = spawn(() -> {
            try (TcpSocket s = server.accept()) {
                s.getOutputStream().write(readExactly(s.getInputStream(), 1000));
                assertEquals(-1, s.getInputStream().read());
            }
            return null;
        });
        try (TcpSocket client = hostA.socket()) {
            client.connect(BackToBack.B, PORT, 5_000);
            client.setTimestamping(org.netstack4j.tcp.Timestamping.TX_SCHED | org.netstack4j.tcp.Timestamping.TX_SOFTWARE
                    | org.netstack4j.tcp.Timestamping.TX_ACK | org.netstack4j.tcp.Timestamping.OPT_ID
                    | org.netstack4j.tcp.Timestamping.RX_SOFTWARE);
            client.getOutputStream().write(new byte[1000]);
            readExactly(client.getInputStream(), 1000); // the echo also acknowledges the write
            List<org.netstack4j.tcp.Timestamping.Event> events = new java.util.ArrayList<>();
            for (org.netstack4j.tcp.Timestamping.Event e; (e = client.pollTimestamp()) != null; ) events.add(e);
            assertEquals(List.of("SCHED 999", "SND 999", "ACK 999"), events.stream().map(e -> e.kind() + " " + e.key()).toList());
            long sent = events.get(1).nanos(), acked = events.get(2).nanos();
            assertTrue(acked > sent, "the ACK came a round trip after the send: " + events);
            assertTrue(client.lastReadTimestamp() >= acked, "the echo's last byte came with or after that ACK");
            client.shutdownOutput();
            get(serverSide);
        }
        server.close();
    }

    @Test void eachSocketCanHaveItsOwnConfiguration() throws Exception {
        // The stack's defaults: MSS 1460, 128 KiB buffers, window scale. The server socket's
        // accepted connections and the client socket each bring their own.
        TcpConfig serverCfg = TcpConfig.defaults().withOptions(o -> o.withMss(500)).withBuffers(bf -> bf.withReceiveBufferSize(4000)).withOptions(o -> o.withWindowScale(false));
        TcpServerSocket server = new TcpServerSocket(hostB, serverCfg);
        server.bind(PORT, 10);
        Future<TcpStatus> serverSide = spawn(() -> {
            try (TcpSocket s = server.accept()) {
                assertEquals(500, s.config().options().mss());
                assertEquals(1, readExactly(s.getInputStream(), 1).length);
                return s.status();
            }
        });
        try (TcpSocket client = new TcpSocket(hostA, TcpConfig.defaults().withOptions(o -> o.withTimestamps(false)))) {
            client.setReceiveBufferSize(8000);
            client.setSendBufferSize(3000);
            client.connect(BackToBack.B, PORT, 5_000);
            assertThrows(SocketException.class, () -> client.setReceiveBufferSize(16000), "the window scale is already agreed");
            assertEquals(8000, client.getReceiveBufferSize());
            assertEquals(3000, client.getSendBufferSize());
            TcpStatus c = client.status(); // before any data: the window of the SYN,ACK
            client.getOutputStream().write(1);
            TcpStatus sv = get(serverSide);
            assertEquals(500, c.effectiveMss(), "the server's MSS option (500) bounds the client's segments");
            assertEquals(4000, c.sndWnd(), "the server's 4000-byte buffer is the client's send window");
            assertEquals(8000, sv.sndWnd(), "the client's 8000-byte buffer is the server's send window");
            assertEquals(0, c.rcvWscale(), "no window scale: the server did not offer it");
            assertFalse(c.timestamps(), "the client's configuration has no timestamps");
        }
        server.close();
        // A socket without its own configuration still uses the stack's.
        try (TcpSocket plain = hostA.socket()) {
            assertEquals(TcpConfig.defaults().buffers().receiveBufferSize(), plain.getReceiveBufferSize());
        }
    }

    @Test void oneMegabyteBothWaysWithSha256() throws Exception {
        byte[] data = new byte[1 << 20];
        new SplittableRandom(7).nextBytes(data);
        byte[] expected = MessageDigest.getInstance("SHA-256").digest(data);
        TcpServerSocket server = new TcpServerSocket(hostB, PORT);
        Future<Long> serverSide = spawn(() -> {
            try (TcpSocket s = server.accept()) {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                InputStream in = s.getInputStream();
                byte[] buf = new byte[16384];
                long total = 0;
                int n;
                while ((n = in.read(buf)) >= 0) {
                    sha.update(buf, 0, n);
                    total += n;
                }
                OutputStream out = s.getOutputStream();
                out.write(sha.digest());
                out.write(data); // and the megabyte back
                return total;
            }
        });
        try (TcpSocket client = new TcpSocket(hostA, BackToBack.B, PORT)) {
            Future<byte[]> reader = spawn(() -> readAll(client.getInputStream()));
            OutputStream out = client.getOutputStream();
            for (int off = 0; off < data.length; off += 10_000) out.write(data, off, Math.min(10_000, data.length - off));
            client.shutdownOutput();
            byte[] back = get(reader);
            assertEquals(1 << 20, get(serverSide));
            assertEquals(32 + data.length, back.length);
            assertArrayEquals(expected, java.util.Arrays.copyOf(back, 32), "server's SHA-256 of what it received");
            assertArrayEquals(expected, MessageDigest.getInstance("SHA-256").digest(java.util.Arrays.copyOfRange(back, 32, back.length)));
        }
        server.close();
    }

    @Test void connectToAClosedPortIsRefused() throws Exception {
        TcpSocket s = hostA.socket();
        ConnectException e = assertThrows(ConnectException.class, () -> s.connect(BackToBack.B, 9, 5_000));
        assertEquals("Connection refused", e.getMessage());
        assertTrue(s.isClosed(), "a failed connect closes the socket, like java.net");
        assertFalse(s.isConnected());
    }

    @Test void connectToABlackHoleTimesOut() throws Exception {
        TcpSocket s = hostA.socket();
        long t0 = loop.now();
        SocketTimeoutException e = assertThrows(SocketTimeoutException.class, () -> s.connect(BackToBack.BLACK_HOLE, 80, 300));
        assertEquals("Connect timed out", e.getMessage());
        assertTrue(loop.now() - t0 >= TimeUnit.MILLISECONDS.toNanos(300));
        // the abort was queued before this call: the SYN-SENT connection is gone
        assertEquals(0, loop.call(net.a::connectionCount));
        assertTrue(net.blackHoled >= 1);
    }

    @Test void readTimesOutAndTheSocketStaysUsable() throws Exception {
        TcpServerSocket server = new TcpServerSocket(hostB, PORT);
        try (TcpSocket client = new TcpSocket(hostA, BackToBack.B, PORT); TcpSocket accepted = server.accept()) {
            client.setSoTimeout(200);
            long t0 = loop.now();
            SocketTimeoutException e = assertThrows(SocketTimeoutException.class, () -> client.getInputStream().read());
            assertEquals("Read timed out", e.getMessage());
            assertTrue(loop.now() - t0 >= TimeUnit.MILLISECONDS.toNanos(200));
            accepted.getOutputStream().write(42);
            assertEquals(42, client.getInputStream().read());
        }
        server.close();
    }

    @Test void writeTimesOutWhenThePeerStopsReading() throws Exception {
        TcpServerSocket server = new TcpServerSocket(hostB, PORT);
        try (TcpSocket client = new TcpSocket(hostA, BackToBack.B, PORT); TcpSocket accepted = server.accept()) {
            accepted.setSendTimeout(200);
            assertEquals(200, accepted.getSendTimeout());
            long t0 = loop.now();
            // the client never reads: its receive buffer and then our send buffer fill up
            byte[] big = new byte[32 << 20];
            SocketTimeoutException e = assertThrows(SocketTimeoutException.class, () -> accepted.getOutputStream().write(big));
            assertEquals("Write timed out", e.getMessage());
            assertTrue(loop.now() - t0 >= TimeUnit.MILLISECONDS.toNanos(200));
            // what was written before the timeout is intact and still readable
            assertEquals(0, client.getInputStream().read());
        }
        server.close();
    }

    @Test void acceptTimesOut() throws Exception {
        try (TcpServerSocket server = new TcpServerSocket(hostB, PORT)) {
            server.setSoTimeout(100);
            SocketTimeoutException e = assertThrows(SocketTimeoutException.class, server::accept);
            assertEquals("Accept timed out", e.getMessage());
        }
    }

    @Test void lingerZeroCloseResetsThePeer() throws Exception {
        TcpServerSocket server = new TcpServerSocket(hostB, PORT);
        try (TcpSocket client = new TcpSocket(hostA, BackToBack.B, PORT)) {
            TcpSocket accepted = server.accept();
            accepted.setSoLinger(true, 0);
            accepted.close();
            SocketException e = assertThrows(SocketException.class, () -> client.getInputStream().read());
            assertEquals("Connection reset", e.getMessage());
            assertEquals(TcpState.CLOSED, client.state());
            SocketException w = assertThrows(SocketException.class, () -> client.getOutputStream().write(1));
            assertEquals("Connection reset", w.getMessage());
        }
        server.close();
    }

    @Test void dataSentToAClosedSocketIsAnsweredWithReset() throws Exception {
        // The client closes (FIN-WAIT-2 once the server ACKs); the server, in CLOSE-WAIT, still
        // writes: nobody will ever read it, so the client's stack resets (RFC 1122 4.2.2.13).
        TcpServerSocket server = new TcpServerSocket(hostB, PORT);
        TcpSocket client = new TcpSocket(hostA, BackToBack.B, PORT);
        try (TcpSocket accepted = server.accept()) {
            client.close();
            assertEquals(-1, accepted.getInputStream().read()); // the client's FIN
            accepted.getOutputStream().write("late".getBytes(StandardCharsets.US_ASCII));
            SocketException e = assertThrows(SocketException.class, () -> {
                // the RST may come after this write returned; the next calls see it
                for (int i = 0; i < 1000; i++) {
                    accepted.getOutputStream().write(1);
                    accepted.setSoTimeout(50);
                    try {
                        accepted.getInputStream().read();
                    } catch (SocketTimeoutException notYet) {
                        // keep writing
                    }
                }
            });
            assertEquals("Connection reset", e.getMessage());
        }
        server.close();
    }

    @Test void shutdownOutputHalfCloses() throws Exception {
        TcpServerSocket server = new TcpServerSocket(hostB, PORT);
        Future<String> serverSide = spawn(() -> {
            try (TcpSocket s = server.accept()) {
                String request = new String(readAll(s.getInputStream()), StandardCharsets.US_ASCII); // until the client's FIN
                TcpState afterFin = s.state();
                s.getOutputStream().write(("re:" + request).getBytes(StandardCharsets.US_ASCII));
                return request + "/" + afterFin.rfcName();
            }
        });
        try (TcpSocket client = new TcpSocket(hostA, BackToBack.B, PORT)) {
            client.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
            client.shutdownOutput();
            assertTrue(client.isOutputShutdown());
            SocketException e = assertThrows(SocketException.class, () -> client.getOutputStream().write(1));
            assertEquals("Socket output is shutdown", e.getMessage());
            // still reading: the server answers after seeing our FIN
            assertEquals("re:ping", new String(readAll(client.getInputStream()), StandardCharsets.US_ASCII));
            assertEquals("ping/CLOSE-WAIT", get(serverSide));
            assertEquals(TcpState.TIME_WAIT, client.state()); // we closed first (RFC 9293 3.6)
        }
        server.close();
    }

    @Test void closeWakesABlockedReader() throws Exception {
        TcpServerSocket server = new TcpServerSocket(hostB, PORT);
        TcpSocket client = new TcpSocket(hostA, BackToBack.B, PORT);
        try (TcpSocket accepted = server.accept()) {
            Future<String> reader = spawn(() -> {
                try {
                    client.getInputStream().read();
                    return "read returned";
                } catch (SocketException e) {
                    return e.getMessage();
                }
            });
            // the reader may or may not be parked yet; either way it must end with "Socket closed"
            client.close();
            assertEquals("Socket closed", get(reader));
            assertEquals(-1, accepted.getInputStream().read(), "our close sent a FIN");
        }
        server.close();
    }

    @Test void interruptingABlockedReaderClosesTheSocket() throws Exception {
        TcpServerSocket server = new TcpServerSocket(hostB, PORT);
        TcpSocket client = new TcpSocket(hostA, BackToBack.B, PORT);
        try (TcpSocket accepted = server.accept()) {
            String[] outcome = new String[2];
            Thread reader = Thread.ofVirtual().start(() -> {
                try {
                    client.getInputStream().read();
                    outcome[0] = "read returned";
                } catch (IOException e) {
                    outcome[0] = e.getMessage();
                }
                outcome[1] = String.valueOf(Thread.currentThread().isInterrupted());
            });
            reader.interrupt(); // before or during the read: the outcome is the same
            reader.join(TimeUnit.SECONDS.toMillis(GUARD_S));
            assertFalse(reader.isAlive());
            assertEquals("Closed by interrupt", outcome[0]);
            assertEquals("true", outcome[1], "interrupt status kept");
            assertTrue(client.isClosed());
            assertEquals(-1, accepted.getInputStream().read());
        }
        server.close();
    }

    @Test void closingTheLoopWakesBlockedCallers() throws Exception {
        TcpServerSocket server = new TcpServerSocket(hostB, PORT);
        TcpSocket client = new TcpSocket(hostA, BackToBack.B, PORT);
        Future<String> reader = spawn(() -> {
            try {
                client.getInputStream().read();
                return "read returned";
            } catch (SocketException e) {
                return e.getMessage();
            }
        });
        loop.close();
        assertEquals("Network stack closed", get(reader));
        assertThrows(SocketException.class, server::accept);
    }

    @Test void bindingAPortTwiceFails() throws Exception {
        try (TcpServerSocket first = new TcpServerSocket(hostB, PORT)) {
            assertThrows(java.net.BindException.class, () -> new TcpServerSocket(hostB, PORT));
            assertTrue(first.isBound());
        }
    }

    @Test void synRetriesExhaustedIsConnectionTimedOut() throws Exception {
        loop.close();
        net = new BackToBack(TcpConfig.defaults().withTimers(tm -> tm.withInitialRtoNs(TimeUnit.MILLISECONDS.toNanos(20)).withSynRetries(1)), 43);
        loop = EventLoop.start("netstack4j-loop", net, loopFailures::add);
        TcpSocket s = net.stackA(loop).socket();
        ConnectException e = assertThrows(ConnectException.class, () -> s.connect(BackToBack.BLACK_HOLE, 80, 0));
        assertEquals("Connection timed out", e.getMessage());
        assertTrue(net.blackHoled >= 2, "SYN and its retransmission went out: " + net.blackHoled);
    }

    @Test void noSourceAddressIsNoRouteToHost() {
        TcpSocket s = NetStack.of(loop, net.a, dst -> null).socket();
        java.net.NoRouteToHostException e = assertThrows(java.net.NoRouteToHostException.class, () -> s.connect(BackToBack.B, PORT, 1000));
        assertEquals("No route to host", e.getMessage());
        assertTrue(s.isClosed());
    }

    @Test void optionsReachTheConnection() throws Exception {
        TcpServerSocket server = new TcpServerSocket(hostB, PORT);
        try (TcpSocket client = hostA.socket()) {
            assertEquals(TcpConfig.defaults().sending().noDelay(), client.getTcpNoDelay(), "unset: the TcpConfig default");
            client.setTcpNoDelay(true);
            client.connect(BackToBack.B, PORT, 5_000);
            assertTrue(client.getTcpNoDelay());
            assertTrue(loop.call(() -> net.a.connections().iterator().next().noDelay()));
            assertEquals(TcpState.ESTABLISHED, client.status().state());
            try (TcpSocket accepted = server.accept()) {
                assertEquals(client.getLocalPort(), accepted.getPort());
                assertEquals(PORT, accepted.getLocalPort());
                assertEquals(BackToBack.B, accepted.localAddress());
                accepted.getOutputStream().write(new byte[100]);
                assertEquals(100, readExactly(client.getInputStream(), 100).length);
                assertEquals(0, client.getInputStream().available());
            }
        }
        server.close();
    }

    static String statuses(TcpSocket... sockets) {
        StringBuilder b = new StringBuilder();
        for (TcpSocket s : sockets) {
            try {
                b.append('\n').append(s.status());
            } catch (IOException e) {
                b.append('\n').append(e);
            }
        }
        return b.toString();
    }

    @Test void aWriterBlocksWhileThePeerDoesNotReadThenFinishes() throws Exception {
        TcpServerSocket server = new TcpServerSocket(hostB, PORT);
        byte[] data = new byte[1 << 20];
        new SplittableRandom(11).nextBytes(data);
        try (TcpSocket client = new TcpSocket(hostA, BackToBack.B, PORT); TcpSocket accepted = server.accept()) {
            Future<Void> writer = spawn(() -> {
                client.getOutputStream().write(data);
                client.shutdownOutput();
                return null;
            });
            // Wait (guarded) until the sender's buffer is full: flow control has stopped it,
            // so a 1 MB write cannot have completed (the two buffers hold 256 KB).
            long guard = loop.now() + TimeUnit.SECONDS.toNanos(GUARD_S);
            int sndBuf = TcpConfig.defaults().buffers().sendBufferSize();
            while (client.status().sendQueued() < sndBuf) {
                assertTrue(loop.now() < guard, () -> "send buffer never filled: " + statuses(client, accepted));
                Thread.onSpinWait();
            }
            assertFalse(writer.isDone(), "the writer must be blocked by the closed window");
            byte[] got = readAll(accepted.getInputStream());
            get(writer);
            assertArrayEquals(data, got);
        }
        server.close();
    }

    /**
     * Small writes return without waiting for the loop (they are queued when they surely fit
     * the send buffer) and large ones wait for space: mixed, over a slow reader that lets the
     * buffer fill, every byte arrives once and in order.
     */
    @Test void queuedAndBlockingWritesKeepTheirOrder() throws Exception {
        TcpServerSocket server = new TcpServerSocket(hostB, PORT);
        byte[] data = new byte[3 << 20];
        new SplittableRandom(12).nextBytes(data);
        try (TcpSocket client = new TcpSocket(hostA, BackToBack.B, PORT); TcpSocket accepted = server.accept()) {
            Future<Void> writer = spawn(() -> {
                SplittableRandom r = new SplittableRandom(13);
                OutputStream out = client.getOutputStream();
                int off = 0;
                while (off < data.length) {
                    int len = Math.min(data.length - off, r.nextInt(4) == 0 ? 1 + r.nextInt(200_000) : 1 + r.nextInt(3000));
                    out.write(data, off, len);
                    off += len;
                }
                client.shutdownOutput();
                return null;
            });
            byte[] got = readAllInSmallReads(accepted.getInputStream());
            get(writer);
            assertArrayEquals(data, got);
        }
        server.close();
    }

    @Test void shutdownInputWakesAReaderAndDiscardsWhatArrives() throws Exception {
        TcpServerSocket server = new TcpServerSocket(hostB, PORT);
        try (TcpSocket client = new TcpSocket(hostA, BackToBack.B, PORT); TcpSocket accepted = server.accept()) {
            Future<Integer> reader = spawn(() -> client.getInputStream().read());
            client.shutdownInput();
            assertEquals(-1, get(reader));
            // more than the receive buffer: only possible if the discarded data reopens the window
            byte[] big = new byte[3 * TcpConfig.defaults().buffers().receiveBufferSize()];
            accepted.getOutputStream().write(big);
            assertEquals(-1, client.getInputStream().read());
            client.getOutputStream().write(7); // the other direction still works
            assertEquals(7, accepted.getInputStream().read());
        }
        server.close();
    }

    @Test void closingTheServerSocketWakesABlockedAccept() throws Exception {
        TcpServerSocket server = new TcpServerSocket(hostB, PORT);
        Future<String> acceptor = spawn(() -> {
            try {
                server.accept();
                return "accepted";
            } catch (SocketException e) {
                return e.getMessage();
            }
        });
        server.close();
        // "Socket closed" if accept was blocked, "Socket is closed" if it had not started (java.net wording)
        assertTrue(get(acceptor).matches("Socket (is )?closed"));
        // the port is free again once the close task ran (it was queued before this connect)
        ConnectException e = assertThrows(ConnectException.class, () -> hostA.socket().connect(BackToBack.B, PORT, 5_000));
        assertEquals("Connection refused", e.getMessage());
    }

    // ---- java.net addresses beside the IpAddress overloads

    private static Future<String> echoOnce(TcpServerSocket server) {
        return spawn(() -> {
            try (TcpSocket s = server.accept()) {
                byte[] got = readAll(s.getInputStream());
                s.getOutputStream().write(got);
                return s.getInetAddress().getHostAddress() + " " + s.getLocalAddress().getHostAddress();
            }
        });
    }

    @Test void serverSocketOnAJavaNetAddressAndClientByInetSocketAddress() throws Exception {
        InetAddress b = InetAddress.getByName("10.0.0.2");
        try (TcpServerSocket server = hostB.serverSocket(new InetSocketAddress(b, PORT))) {
            assertEquals(new InetSocketAddress(b, PORT), server.getLocalSocketAddress());
            assertEquals(Ipv4Address.parse("10.0.0.2"), server.localAddress());
            Future<String> peer = echoOnce(server);
            try (TcpSocket c = hostA.connect(new InetSocketAddress(b, PORT))) {
                assertEquals(b, c.getInetAddress());
                assertEquals(InetAddress.getByName("10.0.0.1"), c.getLocalAddress());
                c.getOutputStream().write("x".getBytes(StandardCharsets.UTF_8));
                c.shutdownOutput();
                assertEquals("x", new String(readAll(c.getInputStream()), StandardCharsets.UTF_8));
            }
            assertEquals("10.0.0.1 10.0.0.2", get(peer));
        }
    }

    @Test void wildcardBindAndConnectByInetAddress() throws Exception {
        try (TcpServerSocket server = new TcpServerSocket(hostB)) {
            server.bind(new InetSocketAddress(PORT), 5); // the wildcard, as java.net's ServerSocket
            assertEquals(InetAddress.getByName("0.0.0.0"), server.getInetAddress());
            Future<String> peer = echoOnce(server);
            try (TcpSocket c = new TcpSocket(hostA, InetAddress.getByName("10.0.0.2"), PORT)) {
                c.shutdownOutput();
                assertEquals(0, readAll(c.getInputStream()).length);
            }
            assertEquals("10.0.0.1 10.0.0.2", get(peer));
        }
    }

    @Test void ipv6HasNoRouteYet() throws Exception {
        NetStack v4only = NetStack.of(loop, net.a, dst -> dst instanceof Ipv4Address ? BackToBack.A : null);
        try (TcpSocket c = v4only.socket()) {
            assertThrows(NoRouteToHostException.class,
                    () -> c.connect(new InetSocketAddress(InetAddress.getByName("2001:db8::2"), PORT), 1_000));
        }
        assertThrows(IllegalArgumentException.class, () -> new TcpServerSocket(hostB).bind(null, 5));
    }
}
