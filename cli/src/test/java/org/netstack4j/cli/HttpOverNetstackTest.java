package org.netstack4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.netstack4j.device.Device;
import org.netstack4j.device.FrameSink;
import org.netstack4j.device.Medium;
import org.netstack4j.host.Host;
import org.netstack4j.runtime.EventLoop;
import org.netstack4j.socket.NetStack;
import org.netstack4j.socket.TcpServerSocket;
import org.netstack4j.socket.TcpSocket;
import org.netstack4j.tcp.TcpConfig;
import org.netstack4j.time.Pollable;
import org.netstack4j.time.Time;
import org.netstack4j.trace.Tracer;
import org.netstack4j.wire.Ipv4Address;

/**
 * The HTTP server and client of serve/get between two complete netstack4j hosts joined by an
 * in-memory IP link on one real-time loop: no TUN, no root, so this runs everywhere.
 */
class HttpOverNetstackTest {
    @TempDir Path root;
    private EventLoop loop;
    private NetStack client;
    private NetStack server;

    /** One end of an in-memory point-to-point IP link: frames wait in the peer's inbox until its host polls. */
    private static final class Port implements Device {
        final ArrayDeque<byte[]> inbox = new ArrayDeque<>();
        Port peer;
        FrameSink sink = FrameSink.DISCARD;

        @Override public Medium medium() { return Medium.IP; }
        @Override public int mtu() { return 1500; }
        @Override public void transmit(long now, byte[] frame) { peer.inbox.add(frame); }
        @Override public void attach(FrameSink s) { sink = s; }
        @Override public long pollAt() { return inbox.isEmpty() ? Time.NEVER : 0; }
        @Override public void poll(long now) {
            for (int n = inbox.size(); n > 0; n--) sink.receive(now, inbox.poll());
        }
    }

    @BeforeEach
    void hosts() {
        Port pa = new Port(), pb = new Port();
        pa.peer = pb;
        pb.peer = pa;
        TcpConfig cfg = TcpConfig.defaults().withBuffers(bf -> bf.withReceiveBufferSize(1 << 20).withSendBufferSize(1 << 20));
        Host a = new Host("a", cfg, Tracer.NONE, 1).addInterface("p0", pa, null, Ipv4Address.parse("10.213.9.1"), 24);
        Host b = new Host("b", cfg, Tracer.NONE, 2).addInterface("p0", pb, null, Ipv4Address.parse("10.213.9.2"), 24);
        loop = EventLoop.start("http-test", new Pollable() {
            @Override public long pollAt() { return Math.min(a.pollAt(), b.pollAt()); }
            @Override public void poll(long now) {
                if (a.pollAt() <= now) a.poll(now);
                if (b.pollAt() <= now) b.poll(now);
            }
        });
        client = NetStack.of(loop, a.tcp(), a.ip()::sourceAddressFor);
        server = NetStack.of(loop, b.tcp(), b.ip()::sourceAddressFor);
    }

    @AfterEach
    void stop() {
        loop.close();
    }

    private static HttpGet.Url url(String path) {
        return HttpGet.Url.parse("http://10.213.9.2" + path);
    }

    @Test
    void getFetchesFilesFromTheFileServerIntact() throws Exception {
        Random rnd = new Random(5);
        int[] sizes = {0, 1024, 3 << 20};
        for (int size : sizes) {
            byte[] b = new byte[size];
            rnd.nextBytes(b);
            Files.write(root.resolve("f" + size), b);
        }
        try (ConnectionServer cs = new ConnectionServer(new TcpServerSocket(server, 80), loop,
                s -> new HttpFileServer(root, null).serve(s.getInputStream(), s.getOutputStream(), "p"), null)) {
            cs.start();
            for (int size : sizes) {
                ByteArrayOutputStream body = new ByteArrayOutputStream();
                HttpGet.Response r = HttpGet.get(client, url("/f" + size), body, HttpGet.Progress.NONE, 10_000);
                assertEquals(200, r.status());
                assertEquals(size, r.bytes());
                byte[] want = Files.readAllBytes(root.resolve("f" + size));
                assertEquals(HexFormat.of().formatHex(HttpGet.sha256().digest(want)), r.sha256());
                assertTrue(java.util.Arrays.equals(want, body.toByteArray()));
            }
            HttpGet.Response missing = HttpGet.get(client, url("/nope"), OutputStream.nullOutputStream(), HttpGet.Progress.NONE, 10_000);
            assertEquals(404, missing.status());
            assertTrue(!missing.ok());
        }
    }

    @Test
    void getDecodesChunkedBodies() throws Exception {
        try (ConnectionServer cs = new ConnectionServer(new TcpServerSocket(server, 81), loop, s -> {
            var in = new java.io.BufferedInputStream(s.getInputStream());
            while (!HttpFileServer.readLine(in).isEmpty()) { /* request */ }
            s.getOutputStream().write(("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: 1\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        }, null)) {
            cs.start();
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            long[] progress = {0};
            HttpGet.Response r = HttpGet.get(client, HttpGet.Url.parse("http://10.213.9.2:81/"), body, (n, t) -> progress[0] = n, 10_000);
            assertEquals(200, r.status());
            assertEquals("hello, world", body.toString(StandardCharsets.US_ASCII));
            assertEquals(12, progress[0]);
        }
    }

    @Test
    void closingTheServerEndsOpenConnectionsWithFin() throws Exception {
        ConnectionServer cs = new ConnectionServer(new TcpServerSocket(server, 7), loop, s -> ServeCommand.echo(s, null), null);
        cs.start();
        try (TcpSocket s = new TcpSocket(client, Ipv4Address.parse("10.213.9.2"), 7)) {
            s.setSoTimeout(5000);
            s.getOutputStream().write("hi".getBytes(StandardCharsets.US_ASCII));
            assertEquals('h', s.getInputStream().read());
            assertEquals('i', s.getInputStream().read());
            cs.close(2000);
            assertEquals(-1, s.getInputStream().read(), "a clean FIN, not a reset or a hang");
            assertEquals(1, cs.accepted());
        }
        assertThrows(java.net.ConnectException.class, () -> new TcpSocket(client, Ipv4Address.parse("10.213.9.2"), 7),
                "the listener is gone");
    }

    @Test
    void connectionsOverTheCapGet503AndAreCounted() throws Exception {
        Files.writeString(root.resolve("a.txt"), "hello\n");
        HttpFileServer files = new HttpFileServer(root, null);
        try (ConnectionServer cs = ServeCommand.httpServer(new TcpServerSocket(server, 8080), loop, files, null, 2)) {
            cs.start();
            java.util.List<TcpSocket> held = new java.util.ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) { // two keep-alive connections, each served once and left open
                    TcpSocket s = new TcpSocket(client, Ipv4Address.parse("10.213.9.2"), 8080);
                    held.add(s);
                    s.setSoTimeout(5000);
                    s.getOutputStream().write("GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    byte[] got = new byte[4096];
                    int n = s.getInputStream().read(got);
                    String r = new String(got, 0, n, StandardCharsets.ISO_8859_1);
                    assertTrue(r.startsWith("HTTP/1.1 200 OK"), r);
                }
                try (TcpSocket third = new TcpSocket(client, Ipv4Address.parse("10.213.9.2"), 8080)) {
                    third.setSoTimeout(5000);
                    String r = new String(third.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                    assertTrue(r.startsWith("HTTP/1.1 503 Service Unavailable\r\n"), r);
                    assertTrue(r.contains("Connection: close\r\n"), r);
                }
                assertEquals(1, cs.refused());
                assertEquals(2, cs.accepted());
            } finally {
                for (TcpSocket s : held) s.close();
            }
        }
    }

    // ---- the event-loop path of serve --http (HttpLoopConnection) ----

    /** A response read off a raw connection: status line, header block, body. */
    private record Reply(String status, String header, byte[] body) {
        String text() { return new String(body, StandardCharsets.ISO_8859_1); }
    }

    private static Reply readReply(java.io.InputStream in) throws java.io.IOException {
        String status = HttpFileServer.readLine(in);
        StringBuilder h = new StringBuilder();
        long length = 0;
        for (String line; !(line = HttpFileServer.readLine(in)).isEmpty(); ) {
            h.append(line).append("\r\n");
            if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) length = Long.parseLong(line.substring(15).strip());
        }
        return new Reply(status, h.toString(), in.readNBytes((int) length));
    }

    private TcpSocket open(int port) throws java.io.IOException {
        TcpSocket s = new TcpSocket(client, Ipv4Address.parse("10.213.9.2"), port);
        s.setSoTimeout(10_000);
        return s;
    }

    private static byte[] ascii(String s) { return s.getBytes(StandardCharsets.ISO_8859_1); }

    /** Lets the loop run what is queued (the server's service task included) before the test looks. */
    private void settle() { for (int i = 0; i < 3; i++) loop.call(() -> null); }

    @Test
    void pipelinedRequestsAreAnsweredInOrderOnOneConnection() throws Exception {
        Files.writeString(root.resolve("a.txt"), "alpha\n");
        Files.writeString(root.resolve("b.txt"), "bravo!\n");
        HttpFileServer files = new HttpFileServer(root, null);
        try (ConnectionServer cs = ServeCommand.httpServer(new TcpServerSocket(server, 8081), loop, files, null, 10)) {
            cs.start();
            try (TcpSocket s = open(8081)) {
                // a miss (a worker loads the cache), then hits answered on the loop, a 404, a 405; one write
                s.getOutputStream().write(ascii("GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n" + "GET /b.txt HTTP/1.1\r\nHost: x\r\n\r\n"
                        + "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n" + "HEAD /b.txt HTTP/1.1\r\nHost: x\r\n\r\n"
                        + "POST /a.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
                        + "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n" + "GET /b.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
                var in = s.getInputStream();
                Reply a = readReply(in), b = readReply(in), a2 = readReply(in);
                assertEquals("HTTP/1.1 200 OK", a.status());
                assertEquals("alpha\n", a.text());
                assertEquals("bravo!\n", b.text());
                assertEquals("alpha\n", a2.text());
                String head = HttpFileServer.readLine(in);
                assertEquals("HTTP/1.1 200 OK", head, "HEAD: a header, no body");
                while (!HttpFileServer.readLine(in).isEmpty()) { /* HEAD's header */ }
                Reply post = readReply(in);
                assertEquals("HTTP/1.1 405 Method Not Allowed", post.status(), "the body was skipped, not taken for a request");
                assertEquals("HTTP/1.1 404 Not Found", readReply(in).status());
                Reply last = readReply(in);
                assertEquals("bravo!\n", last.text());
                assertTrue(last.header().contains("Connection: close\r\n"), last.header());
                assertEquals(-1, in.read(), "closed after Connection: close");
            }
            assertTrue(files.cache().hits() >= 3, "answered from the cache on the loop: " + files.summary());
            assertEquals(5, files.responses(200), files.summary());
            assertEquals(1, files.responses(404), files.summary());
            assertEquals(1, files.responses(405), files.summary());
        }
    }

    @Test
    void aRequestHeadSplitAcrossSegmentsIsAnsweredOnlyWhenComplete() throws Exception {
        Files.writeString(root.resolve("a.txt"), "alpha\n");
        HttpFileServer files = new HttpFileServer(root, null);
        try (ConnectionServer cs = ServeCommand.httpServer(new TcpServerSocket(server, 8082), loop, files, null, 10)) {
            cs.start();
            try (TcpSocket s = open(8082)) {
                s.setTcpNoDelay(true);
                var out = s.getOutputStream();
                for (String request : new String[] {"GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n", "\r\nGET /a.txt HTTP/1.1\nHost: x\n\n"}) {
                    for (int cut = 0, i = 0; cut < request.length(); i++) { // pieces of 1, 2, 3... bytes
                        int next = Math.min(request.length(), cut + 1 + i % 3);
                        out.write(ascii(request.substring(cut, next)));
                        cut = next;
                        settle();
                        if (cut < request.length()) assertEquals(0, s.getInputStream().available(), "answered after " + cut + " bytes");
                    }
                    Reply r = readReply(s.getInputStream());
                    assertEquals("HTTP/1.1 200 OK", r.status());
                    assertEquals("alpha\n", r.text());
                }
            }
        }
    }

    @Test
    void slowlorisOnTheLoopGets408AtTheHeaderTimeoutAndIdleConnectionsAreClosed() throws Exception {
        Files.writeString(root.resolve("a.txt"), "alpha\n");
        java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong();
        java.util.List<String> log = new java.util.concurrent.CopyOnWriteArrayList<>();
        HttpFileServer files = new HttpFileServer(root, log::add, new HttpFileServer.Limits(8192, 32 * 1024, 100, 64 * 1024, 3000, 5000), nanos::get);
        try (ConnectionServer cs = ServeCommand.httpServer(java.util.List.of(new TcpServerSocket(server, 8083)), java.util.List.of(loop),
                files, null, 10, 0)) {
            cs.start();
            try (TcpSocket s = open(8083)) {
                var out = s.getOutputStream();
                out.write(ascii("GET /a.txt HTTP/1.1\r\nHo"));
                for (int i = 1; i <= 3; i++) { // a header line now and then does not move the deadline
                    nanos.addAndGet(Time.ms(999));
                    out.write(ascii("X-" + i + ": b\r\n"));
                    settle();
                    cs.checkTimeouts();
                    assertEquals(0, s.getInputStream().available(), "nothing before the header timeout");
                }
                nanos.addAndGet(Time.ms(3));
                cs.checkTimeouts();
                Reply r = readReply(s.getInputStream());
                assertEquals("HTTP/1.1 408 Request Timeout", r.status());
                assertEquals(-1, s.getInputStream().read(), "and the connection is closed");
                assertEquals(1, files.headerTimeouts());
                assertTrue(log.contains("10.213.9.1:" + s.getLocalPort() + " \"-\" 408 0"), log.toString());
            }
            try (TcpSocket s = open(8083)) { // a keep-alive connection left idle after its responses
                // the second is answered from the cache on the loop, which arms the idle deadline before
                // the response leaves (after the first, a worker's, the loop takes over a moment later)
                s.getOutputStream().write(ascii("GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n"));
                assertEquals("alpha\n", readReply(s.getInputStream()).text());
                assertEquals("alpha\n", readReply(s.getInputStream()).text());
                nanos.addAndGet(Time.ms(4999));
                cs.checkTimeouts();
                settle();
                assertEquals(0, s.getInputStream().available());
                assertEquals(0, files.idleCloses());
                nanos.addAndGet(Time.ms(1));
                cs.checkTimeouts();
                assertEquals(-1, s.getInputStream().read(), "closed after the idle timeout, without a response");
                assertEquals(1, files.idleCloses());
            }
            settle();
            assertEquals(0, cs.active(), "both connections were let go once the client closed them");
        }
    }

    @Test
    void aLargeFileFallsBackToAWorkerAndTheConnectionReturnsToTheLoop() throws Exception {
        byte[] big = new byte[3 << 20];
        new Random(7).nextBytes(big);
        Files.write(root.resolve("big.bin"), big);
        Files.writeString(root.resolve("a.txt"), "alpha\n");
        HttpFileServer files = new HttpFileServer(root, null);
        try (ConnectionServer cs = ServeCommand.httpServer(new TcpServerSocket(server, 8084), loop, files, null, 10)) {
            cs.start();
            try (TcpSocket s = open(8084)) {
                s.getOutputStream().write(ascii("GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n" + "GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n"
                        + "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n" + "GET /big.bin HTTP/1.1\r\nHost: x\r\nRange: bytes=1048576-\r\n\r\n"
                        + "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n"));
                var in = s.getInputStream();
                assertEquals("alpha\n", readReply(in).text());
                Reply whole = readReply(in);
                assertEquals("HTTP/1.1 200 OK", whole.status());
                assertTrue(java.util.Arrays.equals(big, whole.body()), "3 MiB intact through the worker");
                assertEquals("alpha\n", readReply(in).text(), "the loop serves the pipelined request after the worker");
                Reply part = readReply(in);
                assertEquals("HTTP/1.1 206 Partial Content", part.status());
                assertTrue(java.util.Arrays.equals(java.util.Arrays.copyOfRange(big, 1 << 20, big.length), part.body()));
                assertEquals("alpha\n", readReply(in).text());
            }
            assertTrue(files.cache().bytes() < 1 << 20, "the large file was not cached: " + files.summary());
        }
    }

    @Test
    void aClientThatStopsReadingIsResetAfterTheWriteTimeout() throws Exception {
        byte[] big = new byte[4 << 20];
        new Random(8).nextBytes(big);
        Files.write(root.resolve("big.bin"), big);
        java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong();
        HttpFileServer files = new HttpFileServer(root, null, new HttpFileServer.Limits(8192, 32 * 1024, 100, 64 * 1024, 3000, 5000, 1000),
                nanos::get);
        try (ConnectionServer cs = ServeCommand.httpServer(java.util.List.of(new TcpServerSocket(server, 8085)), java.util.List.of(loop),
                files, null, 10, 0)) {
            cs.start();
            try (TcpSocket s = open(8085)) {
                s.getOutputStream().write(ascii("GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")); // and never read on
                assertEquals("HTTP/1.1 200 OK", HttpFileServer.readLine(s.getInputStream()), "the worker is sending");
                // Each round: a write timeout of the fake clock passes; the server resets once a whole
                // one went by without room in the send buffer (the client's window is full by then).
                // Bounded by real time, not by a count of rounds: the worker (a virtual thread) may not
                // have queued its first chunk yet when the first rounds run, and then no timeout is due.
                long giveUp = System.nanoTime() + Time.s(30);
                int rounds = 0;
                while (files.writeTimeouts() == 0 && System.nanoTime() - giveUp < 0) {
                    settle();
                    nanos.addAndGet(Time.ms(1001));
                    cs.checkTimeouts();
                    rounds++;
                }
                if (rounds > 1000) System.err.println("write timeout after " + rounds + " rounds");
                assertEquals(1, files.writeTimeouts(), files.summary());
                settle();
                assertEquals(0, cs.active(), "the connection was let go");
                java.io.IOException e = assertThrows(java.io.IOException.class, () -> s.getInputStream().transferTo(OutputStream.nullOutputStream()));
                assertTrue(e.getMessage().contains("reset"), e.toString());
            }
        }
    }
}
