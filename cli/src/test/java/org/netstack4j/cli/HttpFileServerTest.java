package org.netstack4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP file server over plain byte streams: requests in, the exact responses out. */
class HttpFileServerTest {
    @TempDir Path root;
    private final List<String> log = new ArrayList<>();
    private HttpFileServer server;

    @BeforeEach
    void files() throws Exception {
        Files.writeString(root.resolve("a.txt"), "hello\n");
        Files.write(root.resolve("data.bin"), new byte[300_000]);
        Files.createDirectories(root.resolve("sub"));
        Files.writeString(root.resolve("sub/x.json"), "{}");
        Files.createDirectories(root.resolve("site"));
        Files.writeString(root.resolve("site/index.html"), "<p>index</p>");
        server = new HttpFileServer(root, log::add);
    }

    private String exchange(String requests) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        server.serve(new ByteArrayInputStream(requests.getBytes(StandardCharsets.ISO_8859_1)), out, "peer");
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void getServesTheFileWithLengthAndType() throws Exception {
        String r = exchange("GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n");
        assertTrue(r.startsWith("HTTP/1.1 200 OK\r\n"), r);
        assertTrue(r.contains("\r\nContent-Length: 6\r\n"), r);
        assertTrue(r.contains("\r\nContent-Type: text/plain; charset=utf-8\r\n"), r);
        assertTrue(r.contains("\r\nDate: "), r);
        assertTrue(r.endsWith("\r\n\r\nhello\n"), r);
        assertEquals(List.of("peer \"GET /a.txt HTTP/1.1\" 200 6"), log);
    }

    @Test
    void headHasTheHeadersButNoBody() throws Exception {
        String r = exchange("HEAD /data.bin HTTP/1.1\r\nHost: x\r\n\r\n");
        assertTrue(r.contains("Content-Length: 300000\r\n"), r);
        assertTrue(r.contains("Content-Type: application/octet-stream\r\n"), r);
        assertTrue(r.endsWith("\r\n\r\n"), r);
    }

    @Test
    void keepAliveServesSeveralRequestsOnOneConnection() throws Exception {
        String r = exchange("GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /sub/x.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals(3, r.split("HTTP/1.1 ", -1).length - 1, r); // the 4th request comes after "close"
        assertTrue(r.contains("HTTP/1.1 404 Not Found"), r);
        assertTrue(r.contains("Content-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"), r);
        assertEquals(3, log.size(), log.toString());
    }

    @Test
    void largeFileIsStreamedWhole() throws Exception {
        String r = exchange("GET /data.bin HTTP/1.0\r\n\r\n");
        int body = r.indexOf("\r\n\r\n") + 4;
        assertEquals(300_000, r.length() - body);
        assertTrue(r.contains("Connection: close"), "HTTP/1.0 without keep-alive closes");
    }

    @Test
    void http10KeepAliveIsHonoured() throws Exception {
        String r = exchange("GET /a.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /a.txt HTTP/1.0\r\n\r\n");
        assertEquals(2, r.split("HTTP/1.1 200 OK", -1).length - 1, r);
    }

    @Test
    void errorsHaveTheRightStatus() throws Exception {
        assertTrue(exchange("POST /a.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc").contains("405 Method Not Allowed\r\n"));
        assertTrue(exchange("POST /a.txt HTTP/1.1\r\nHost: x\r\n\r\n").contains("Allow: GET, HEAD\r\n"));
        assertTrue(exchange("GET /a.txt HTTP/1.1\r\n\r\n").startsWith("HTTP/1.1 400 Bad Request"), "HTTP/1.1 needs Host");
        assertTrue(exchange("GET /a.txt\r\n\r\n").startsWith("HTTP/1.1 400 Bad Request"));
        assertTrue(exchange("GET /a.txt HTTP/2.0\r\n\r\n").startsWith("HTTP/1.1 505 "));
        assertTrue(exchange("GET /a.txt HTTP/1.1\r\nHost: x\r\nBad header\r\n\r\n").startsWith("HTTP/1.1 400 "));
        assertTrue(exchange("PUT /a.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n").startsWith("HTTP/1.1 501 "));
        assertTrue(exchange("GET /" + "a".repeat(9000) + " HTTP/1.1\r\n\r\n").startsWith("HTTP/1.1 414 URI Too Long\r\n"));
        assertEquals("", exchange(""), "a client that closes at once gets nothing");
    }

    @Test
    void pathsCannotEscapeTheRoot() throws Exception {
        Files.writeString(root.getParent().resolve("secret-" + root.getFileName()), "secret");
        String r = exchange("GET /../secret-" + root.getFileName() + " HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /%2e%2e/secret-" + root.getFileName() + " HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /a.txt%00 HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals(3, r.split("404 Not Found\r\n", -1).length - 1, r);
        assertTrue(!r.contains("secret\n") && !r.contains("\r\n\r\nsecret"), r);
    }

    @Test
    void directoriesRedirectThenServeIndexOrListing() throws Exception {
        String r = exchange("GET /site HTTP/1.1\r\nHost: x\r\n\r\nGET /site/ HTTP/1.1\r\nHost: x\r\n\r\nGET /?q=1 HTTP/1.1\r\nHost: x\r\n\r\n");
        assertTrue(r.contains("301 Moved Permanently") && r.contains("Location: /site/\r\n"), r);
        assertTrue(r.contains("<p>index</p>"), r);
        assertTrue(r.contains("<a href=\"a.txt\">a.txt</a>") && r.contains("<a href=\"sub/\">sub/</a>"), r);
    }

    @Test
    void contentTypes() {
        assertEquals("text/html; charset=utf-8", HttpFileServer.contentType("x.HTML"));
        assertEquals("image/png", HttpFileServer.contentType("a.b.png"));
        assertEquals("application/octet-stream", HttpFileServer.contentType("README"));
    }
}
