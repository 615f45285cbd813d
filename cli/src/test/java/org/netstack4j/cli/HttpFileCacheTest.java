package org.netstack4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The small-file cache of the file server, on a fake clock: what it keeps and for how long, that
 * a changed link target or file is seen again within the validation interval, that nothing the
 * path resolution refuses is served from it, and its byte limit.
 */
class HttpFileCacheTest {
    @TempDir Path base;
    private Path root;
    private final List<String> log = new ArrayList<>();
    private final AtomicLong nanos = new AtomicLong(5_000_000_000L);
    private HttpFileServer server;

    @BeforeEach
    void files() throws Exception {
        root = Files.createDirectory(base.resolve("www"));
        Files.writeString(root.resolve("a.txt"), "first\n");
        Files.writeString(root.resolve("b.txt"), "bee\n");
        Files.writeString(base.resolve("secret"), "top secret\n");
        Files.createSymbolicLink(root.resolve("link"), root.resolve("a.txt"));
        server = new HttpFileServer(root, log::add, HttpFileServer.Limits.DEFAULT, nanos::get, new HttpFileCache(1000, 600));
    }

    private String get(String target) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String req = "GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
        server.serve(new ByteArrayInputStream(req.getBytes(StandardCharsets.ISO_8859_1)), out, "peer");
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    private static String body(String response) { return response.substring(response.indexOf("\r\n\r\n") + 4); }

    @Test
    void aSmallFileIsReadOnceAndServedFromMemoryWithinTheInterval() throws Exception {
        assertEquals("first\n", body(get("/a.txt")));
        assertEquals(1, server.cache().loads());
        Files.writeString(root.resolve("a.txt"), "second\n");
        nanos.addAndGet(HttpFileCache.VALID_NANOS - 1);
        String stale = get("/a.txt");
        assertEquals("first\n", body(stale), "within the interval the file system is not looked at");
        assertTrue(stale.contains("\r\nContent-Length: 6\r\n") && stale.contains("\r\nConnection: close\r\n"), stale);
        assertEquals(1, server.cache().hits());
        nanos.addAndGet(1);
        assertEquals("second\n", body(get("/a.txt")), "after the interval the file is resolved and read again");
        assertEquals(2, server.cache().loads());
    }

    @Test
    void aDeletedFileIsNotFoundAfterTheInterval() throws Exception {
        assertTrue(get("/b.txt").startsWith("HTTP/1.1 200 "));
        Files.delete(root.resolve("b.txt"));
        nanos.addAndGet(HttpFileCache.VALID_NANOS);
        assertTrue(get("/b.txt").startsWith("HTTP/1.1 404 "));
    }

    @Test
    void aLinkRetargetedOutOfTheRootIsRefusedAfterTheInterval() throws Exception {
        assertEquals("first\n", body(get("/link")));
        Files.delete(root.resolve("link"));
        Files.createSymbolicLink(root.resolve("link"), base.resolve("secret"));
        nanos.addAndGet(HttpFileCache.VALID_NANOS);
        String r = get("/link");
        assertTrue(r.startsWith("HTTP/1.1 403 "), r);
        assertTrue(!r.contains("top secret"), r);
        assertEquals(1, server.pathsRefused());
        nanos.addAndGet(HttpFileCache.VALID_NANOS);
        assertTrue(get("/link").startsWith("HTTP/1.1 403 "), "a refused target is never cached");
    }

    @Test
    void escapesAreRefusedWhateverIsCached() throws Exception {
        get("/a.txt");
        for (String t : List.of("/../secret", "/%2e%2e/secret", "//" + base.resolve("secret")))
            assertTrue(get(t).startsWith("HTTP/1.1 404 "), t);
        assertEquals(0, server.cache().hits());
    }

    @Test
    void theByteLimitHoldsByEvictingAndLargeFilesAreNotKept() throws Exception {
        Files.write(root.resolve("big"), new byte[601]);
        Files.write(root.resolve("m1"), new byte[600]);
        Files.write(root.resolve("m2"), new byte[600]);
        assertEquals(601, body(get("/big")).length());
        assertEquals(0, server.cache().size(), "larger than the per-file limit: served from disk");
        get("/m1");
        get("/m2");
        assertTrue(server.cache().bytes() <= 1000, "bytes " + server.cache().bytes());
        assertEquals(1, server.cache().evictions());
        assertEquals(600, body(get("/m1")).length());
        assertEquals(2, server.cache().evictions());
        assertEquals(600, server.cache().bytes());
        assertTrue(server.summary().contains("file cache: "), server.summary());
    }

    @Test
    void theRenderedResponseIsSharedWithinASecond() throws Exception {
        get("/a.txt");
        HttpFileCache.Entry e = server.cache().fresh("/a.txt", nanos.get());
        String date = HttpFileServer.httpDateNow();
        HttpFileCache.Rendered r = e.full(date, true);
        assertSame(r, e.full(date, true));
        String text = new String(r.bytes(), StandardCharsets.ISO_8859_1);
        assertTrue(text.startsWith("HTTP/1.1 200 OK\r\nDate: " + date + "\r\n"), text);
        assertTrue(text.endsWith("\r\nConnection: keep-alive\r\n\r\nfirst\n"), text);
        assertEquals(text.indexOf("\r\n\r\n") + 4, r.headerLength());
    }

    @Test
    void cachingOffServesFromDisk() throws Exception {
        server = new HttpFileServer(root, null, HttpFileServer.Limits.DEFAULT, nanos::get, new HttpFileCache(0, 0));
        assertEquals("first\n", body(get("/a.txt")));
        assertEquals(0, server.cache().loads());
    }
}
