package org.netstack4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.netstack4j.trace.LogText;

/**
 * The file server against hostile and resuming clients, over byte streams with a fake clock:
 * ranges (RFC 9110 14), the Date format, limits and timeouts, paths and links out of the root,
 * escaped log lines, one write per small response.
 */
class HttpHardeningTest {
    @TempDir Path base;
    private Path root;
    private final List<String> log = new ArrayList<>();
    private final AtomicLong nanos = new AtomicLong();
    private HttpFileServer server;
    private static final HttpFileServer.Limits LIMITS = new HttpFileServer.Limits(100, 200, 5, 1000, 3000, 5000);

    @BeforeEach
    void files() throws Exception {
        root = Files.createDirectory(base.resolve("www"));
        byte[] digits = new byte[1000];
        for (int i = 0; i < digits.length; i++) digits[i] = (byte) ('0' + i % 10);
        Files.write(root.resolve("d.txt"), digits);
        Files.setLastModifiedTime(root.resolve("d.txt"), FileTime.from(Instant.parse("2026-12-06T22:07:00Z")));
        Files.writeString(root.resolve("empty.txt"), "");
        Files.writeString(base.resolve("secret"), "top secret\n");
        Files.createSymbolicLink(root.resolve("out"), base.resolve("secret"));
        Files.createSymbolicLink(root.resolve("outdir"), base);
        Files.createSymbolicLink(root.resolve("in"), root.resolve("d.txt"));
        server = new HttpFileServer(root, log::add, LIMITS, nanos::get);
    }

    private String exchange(String requests) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        server.serve(new ByteArrayInputStream(requests.getBytes(StandardCharsets.ISO_8859_1)), out, "peer");
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    private static String get(String target, String... headers) {
        return "GET " + target + " HTTP/1.1\r\nHost: x\r\n" + String.join("", headers) + "\r\n";
    }

    private static String body(String response) { return response.substring(response.indexOf("\r\n\r\n") + 4); }

    // ---- ranges ----

    @Test
    void rangeParsing() {
        assertEquals(new HttpRange.Partial(0, 99), HttpRange.parse("bytes=0-99", 1000));
        assertEquals(new HttpRange.Partial(990, 999), HttpRange.parse("bytes=990-5000", 1000), "last-pos clamped");
        assertEquals(new HttpRange.Partial(500, 999), HttpRange.parse("bytes=500-", 1000));
        assertEquals(new HttpRange.Partial(900, 999), HttpRange.parse("bytes=-100", 1000));
        assertEquals(new HttpRange.Partial(0, 999), HttpRange.parse("bytes=-5000", 1000), "suffix longer than the body: all of it");
        assertEquals(new HttpRange.Partial(7, 7), HttpRange.parse(" Bytes = 7-7 ", 1000), "unit case-insensitive, OWS");
        assertEquals(HttpRange.UNSATISFIABLE, HttpRange.parse("bytes=1000-", 1000));
        assertEquals(HttpRange.UNSATISFIABLE, HttpRange.parse("bytes=99999999999999999999999-", 1000), "huge first-pos");
        assertEquals(HttpRange.UNSATISFIABLE, HttpRange.parse("bytes=-0", 1000));
        assertEquals(HttpRange.UNSATISFIABLE, HttpRange.parse("bytes=0-", 0), "nothing to give from an empty body");
        assertEquals(HttpRange.FULL, HttpRange.parse(null, 1000));
        assertEquals(HttpRange.FULL, HttpRange.parse("bytes=5-1", 1000), "invalid: last < first");
        assertEquals(HttpRange.FULL, HttpRange.parse("bytes=0-1,5-6", 1000), "several ranges: ignored, 200");
        assertEquals(HttpRange.FULL, HttpRange.parse("items=0-1", 1000));
        assertEquals(HttpRange.FULL, HttpRange.parse("bytes=a-b", 1000));
        assertEquals(HttpRange.FULL, HttpRange.parse("bytes=-", 1000));
        assertEquals(HttpRange.FULL, HttpRange.parse("bytes=+1-2", 1000));
        assertEquals("bytes 0-99/1000", new HttpRange.Partial(0, 99).contentRange(1000));
    }

    @Test
    void rangeRequestsGet206WithContentRange() throws Exception {
        String r = exchange(get("/d.txt", "Range: bytes=10-19\r\n"));
        assertTrue(r.startsWith("HTTP/1.1 206 Partial Content\r\n"), r);
        assertTrue(r.contains("\r\nContent-Range: bytes 10-19/1000\r\n"), r);
        assertTrue(r.contains("\r\nContent-Length: 10\r\n"), r);
        assertEquals("0123456789", body(r));
        String tail = exchange(get("/d.txt", "Range: bytes=-3\r\n"));
        assertTrue(tail.contains("Content-Range: bytes 997-999/1000\r\n"), tail);
        assertEquals("789", body(tail));
        String resume = exchange(get("/d.txt", "Range: bytes=995-\r\n"));
        assertEquals("56789", body(resume));
        assertEquals(List.of("peer \"GET /d.txt HTTP/1.1\" 206 10", "peer \"GET /d.txt HTTP/1.1\" 206 3",
                "peer \"GET /d.txt HTTP/1.1\" 206 5"), log);
    }

    @Test
    void unsatisfiableRangeIs416WithTheLength() throws Exception {
        String r = exchange(get("/d.txt", "Range: bytes=1000-\r\n") + get("/d.txt"));
        assertTrue(r.startsWith("HTTP/1.1 416 Range Not Satisfiable\r\n"), r);
        assertTrue(r.contains("\r\nContent-Range: bytes */1000\r\n"), r);
        assertTrue(r.contains("HTTP/1.1 200 OK\r\n"), "the connection stays usable after a 416: " + r);
        String empty = exchange(get("/empty.txt", "Range: bytes=0-\r\n"));
        assertTrue(empty.startsWith("HTTP/1.1 416 ") && empty.contains("Content-Range: bytes */0\r\n"), empty);
    }

    @Test
    void multipleRangesAndHeadGetTheWholeBody() throws Exception {
        String multi = exchange(get("/d.txt", "Range: bytes=0-1,5-6\r\n"));
        assertTrue(multi.startsWith("HTTP/1.1 200 OK\r\n"), multi);
        assertEquals(1000, body(multi).length());
        assertTrue(multi.contains("\r\nAccept-Ranges: bytes\r\n"), multi);
        // RFC 9110 14.2: GET is the only method with range handling, so HEAD answers as for a plain GET.
        String head = exchange("HEAD /d.txt HTTP/1.1\r\nHost: x\r\nRange: bytes=0-9\r\n\r\n");
        assertTrue(head.startsWith("HTTP/1.1 200 OK\r\n") && head.contains("Content-Length: 1000\r\n"), head);
        assertTrue(head.contains("Accept-Ranges: bytes\r\n") && head.endsWith("\r\n\r\n"), head);
    }

    @Test
    void ifRangeAppliesTheRangeOnlyWhileTheFileIsUnchanged() throws Exception {
        String same = exchange(get("/d.txt", "Range: bytes=0-4\r\n", "If-Range: Sun, 06 Dec 2026 22:07:00 GMT\r\n"));
        assertTrue(same.startsWith("HTTP/1.1 206 ") && same.contains("Last-Modified: Sun, 06 Dec 2026 22:07:00 GMT\r\n"), same);
        String changed = exchange(get("/d.txt", "Range: bytes=0-4\r\n", "If-Range: Sat, 05 Dec 2026 22:07:00 GMT\r\n"));
        assertTrue(changed.startsWith("HTTP/1.1 200 ") && body(changed).length() == 1000, changed);
        String etag = exchange(get("/d.txt", "Range: bytes=0-4\r\n", "If-Range: \"abc\"\r\n"));
        assertTrue(etag.startsWith("HTTP/1.1 200 "), etag);
    }

    // ---- Date ----

    @Test
    void dateIsAnImfFixdateWithATwoDigitDay() throws Exception {
        assertEquals("Sun, 06 Dec 2026 22:07:00 GMT", HttpFileServer.httpDate(Instant.parse("2026-12-06T22:07:00Z")));
        assertEquals("Mon, 01 Jan 2024 00:00:09 GMT", HttpFileServer.httpDate(Instant.parse("2024-01-01T00:00:09Z")));
        String r = exchange(get("/d.txt"));
        assertTrue(r.matches("(?s).*\r\nDate: (Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d\\d [A-Z][a-z]{2} \\d{4} \\d\\d:\\d\\d:\\d\\d GMT\r\n.*"), r);
    }

    // ---- paths ----

    @Test
    void linksOutOfTheRootAreRefusedAndLinksInsideServed() throws Exception {
        String out = exchange(get("/out") + get("/outdir/secret") + get("/in"));
        assertFalse(out.contains("top secret"), out);
        assertEquals(2, out.split("HTTP/1.1 403 Forbidden\r\n", -1).length - 1, out);
        assertTrue(out.contains("HTTP/1.1 200 OK\r\n") && out.contains("0123456789"), "a link inside the root to a file inside: " + out);
        assertEquals(2, server.pathsRefused());
    }

    @Test
    void traversalAbsoluteAndEncodedPathsAreNotFound() throws Exception {
        String secret = base.resolve("secret").toString();
        String r = exchange(get("/../secret") + get("/%2e%2e/secret") + get("/%2E%2E%2Fsecret") + get("/.%2e/secret")
                + get("/" + secret) + get("/%2F" + secret.substring(1)) + get("http://x/../secret") + get("/d.txt/../../secret")
                + get("/..%5csecret") + get("secret"));
        assertFalse(r.contains("top secret"), r);
        assertEquals(10, r.split("HTTP/1.1 404 Not Found\r\n", -1).length - 1, r);
    }

    // ---- limits and timeouts ----

    @Test
    void sizeLimitsHaveTheirStatusCodes() throws Exception {
        assertTrue(exchange("GET /" + "a".repeat(200) + " HTTP/1.1\r\n\r\n").startsWith("HTTP/1.1 414 URI Too Long\r\n"));
        assertTrue(exchange(get("/d.txt", "X: " + "a".repeat(250) + "\r\n")).startsWith("HTTP/1.1 431 Request Header Fields Too Large\r\n"));
        assertTrue(exchange(get("/d.txt", "A: 1\r\n".repeat(6))).startsWith("HTTP/1.1 431 "), "more than 5 fields");
        assertTrue(exchange(get("/d.txt", ("X: " + "a".repeat(40) + "\r\n").repeat(5))).startsWith("HTTP/1.1 431 "),
                "the fields together are over 200 bytes");
        assertTrue(exchange(get("/d.txt", "Content-Length: 5000\r\n")).startsWith("HTTP/1.1 413 Content Too Large\r\n"));
        assertTrue(exchange("\r\n".repeat(20)).startsWith("HTTP/1.1 400 "));
        String within = exchange(get("/d.txt", "A: 1\r\n".repeat(4)));
        assertTrue(within.startsWith("HTTP/1.1 200 "), within);
        assertTrue(server.summary().contains("414: 1") && server.summary().contains("431: 3"), server.summary());
    }

    /** A client that sends one byte per read, each after {@code step} ms of the fake clock; then stalls (timeout). */
    private InputStream trickle(String bytes, long stepMs, List<Integer> timeouts) {
        byte[] b = bytes.getBytes(StandardCharsets.ISO_8859_1);
        return new InputStream() {
            int i;

            @Override public int read() throws IOException {
                int t = timeouts.getLast();
                if (i == b.length) { // the client sends nothing more: the read times out
                    nanos.addAndGet(t * 1_000_000L);
                    throw new SocketTimeoutException("Read timed out");
                }
                nanos.addAndGet(stepMs * 1_000_000L);
                if (t > 0 && stepMs > t) throw new AssertionError("read given " + t + " ms took " + stepMs);
                return b[i++] & 0xff;
            }

            @Override public int read(byte[] buf, int off, int len) throws IOException {
                if (len == 0) return 0;
                int c = read();
                buf[off] = (byte) c;
                return 1;
            }
        };
    }

    @Test
    void slowlorisHeaderIsCutOffAt408() throws Exception {
        List<Integer> timeouts = new ArrayList<>(List.of(0));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // 100 ms per byte: a header of 60 bytes would need 6 s; the limit is 3 s.
        server.serve(trickle(get("/d.txt", "X-a: " + "b".repeat(30) + "\r\n"), 100, timeouts), out, "peer", timeouts::add);
        String r = out.toString(StandardCharsets.ISO_8859_1);
        assertTrue(r.startsWith("HTTP/1.1 408 Request Timeout\r\n") && r.contains("Connection: close\r\n"), r);
        assertEquals(1, server.headerTimeouts());
        assertTrue(nanos.get() <= 3_100_000_000L, "cut off at the deadline, not later: " + nanos.get());
        assertTrue(timeouts.subList(1, timeouts.size()).stream().allMatch(t -> t > 0 && t <= 3000), "each read bounded: " + timeouts);
        assertEquals(List.of("peer \"-\" 408 0"), log);
    }

    @Test
    void idleKeepAliveConnectionIsClosedSilently() throws Exception {
        List<Integer> timeouts = new ArrayList<>(List.of(0));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        server.serve(trickle(get("/d.txt"), 0, timeouts), out, "peer", timeouts::add);
        String r = out.toString(StandardCharsets.ISO_8859_1);
        assertTrue(r.startsWith("HTTP/1.1 200 OK\r\n") && !r.contains("408"), r);
        assertEquals(1, server.idleCloses());
        assertEquals(0, server.headerTimeouts());
        assertEquals(5000, (int) timeouts.getLast(), "the idle wait is the idle timeout: " + timeouts);
    }

    @Test
    void slowButTimelyClientIsServed() throws Exception {
        List<Integer> timeouts = new ArrayList<>(List.of(0));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        server.serve(trickle(get("/d.txt"), 50, timeouts), out, "peer", timeouts::add); // 30 bytes * 50 ms = 1.5 s < 3 s
        assertTrue(out.toString(StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 200 OK\r\n"));
    }

    // ---- logs ----

    @Test
    void controlCharactersAreEscapedInLogs() throws Exception {
        assertEquals("a\\x1b[2Jb\\x07c\\x0d\\x0ad\\x09\\x7f\\x9b", LogText.controls("a\u001b[2Jb\u0007c\r\nd\t\u007f\u009b"));
        assertEquals("q\\x22\\x5c\\x00", LogText.field("q\"\\\0"));
        assertEquals("plain é ü", LogText.controls("plain é ü"));
        String r = exchange("GET /\u001b]0;pwned\u0007\u001b[2J\"x\\\u0085 HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals(List.of("peer \"GET /\\x1b]0;pwned\\x07\\x1b[2J\\x22x\\x5c\\x85 HTTP/1.1\" 400 0"), log,
                "logged escaped, and refused: a request line has no control characters");
        assertTrue(r.startsWith("HTTP/1.1 400 Bad Request\r\n"), r);
        assertTrue(log.getFirst().chars().noneMatch(c -> c < 0x20 || (c >= 0x7f && c <= 0x9f)), log.getFirst());
    }

    // ---- one write ----

    @Test
    void smallResponsesAreOneWrite() throws Exception {
        List<Integer> writes = new ArrayList<>();
        OutputStream out = new OutputStream() {
            @Override public void write(int b) { writes.add(1); }

            @Override public void write(byte[] b, int off, int len) { writes.add(len); }
        };
        server.serve(new ByteArrayInputStream((get("/d.txt") + get("/d.txt", "Range: bytes=0-9\r\n") + get("/nope"))
                .getBytes(StandardCharsets.ISO_8859_1)), out, "peer");
        assertEquals(3, writes.size(), "header and body together, one write per response: " + writes);
        assertTrue(writes.get(0) > 1000, writes.toString());
    }

    @Test
    void overloadAnswerIs503WithRetryAfter() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        HttpFileServer.overloaded(out);
        String r = out.toString(StandardCharsets.ISO_8859_1);
        assertTrue(r.startsWith("HTTP/1.1 503 Service Unavailable\r\n") && r.contains("Retry-After: 1\r\n")
                && r.contains("Connection: close\r\n"), r);
    }

    /**
     * A client that stops reading: the socket's send timeout (TcpSocketTest
     * writeTimesOutWhenThePeerStopsReading) fails the write; the server counts it and ends the
     * connection, also in the middle of a body. The output here accepts 600 bytes, then times out.
     */
    @Test
    void writeTimeoutIsCountedAndEndsTheConnection() throws Exception {
        assertEquals(HttpFileServer.Limits.DEFAULT_WRITE_TIMEOUT_MS, LIMITS.writeTimeoutMs(), "the six-limit constructor keeps the default");
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        OutputStream stalled = new OutputStream() {
            @Override public void write(int b) throws IOException { write(new byte[] {(byte) b}, 0, 1); }
            @Override public void write(byte[] b, int off, int len) throws IOException {
                int room = 600 - got.size();
                if (len > room) {
                    got.write(b, off, room);
                    throw new SocketTimeoutException("Write timed out");
                }
                got.write(b, off, len);
            }
        };
        InputStream in = new ByteArrayInputStream((get("/d.txt") + get("/d.txt")).getBytes(StandardCharsets.ISO_8859_1));
        HttpFileServer.WriteTimedOut e = org.junit.jupiter.api.Assertions.assertThrows(HttpFileServer.WriteTimedOut.class,
                () -> server.serve(in, stalled, "peer"));
        assertTrue(e.getMessage().contains("peer"), e.getMessage());
        assertEquals(1, server.writeTimeouts());
        assertTrue(server.summary().contains("write timeouts 1"), server.summary());
        assertEquals(600, got.size(), "nothing written after the timeout");
        assertTrue(got.toString(StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 200 OK\r\n"));
        assertEquals(0, server.headerTimeouts(), "not a header timeout");
    }
}
