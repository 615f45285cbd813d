package org.netstack4j.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Jazzer target: the request parsing of {@code serve --http}, through its public entry
 * ({@link HttpFileServer#serve}: the bytes a client sends, the bytes it gets back). Only an
 * IOException may end a connection (the input ran out); every response starts with a status
 * line; a file outside the root is never served, whatever the request target.
 */
class HttpRequestFuzzer {
    private static final Path ROOT;
    private static final String SECRET = "netstack4j-fuzz-secret-0451";

    static {
        try {
            Path dir = Files.createTempDirectory("http-fuzz");
            ROOT = Files.createDirectories(dir.resolve("root"));
            Files.writeString(dir.resolve("secret.txt"), SECRET);
            Files.writeString(ROOT.resolve("index.html"), "<p>hello</p>\n");
            Files.writeString(ROOT.resolve("a b.txt"), "spaces\n");
            Files.createDirectories(ROOT.resolve("sub/deeper"));
            Files.write(ROOT.resolve("sub/data.bin"), new byte[3000]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "10s")
    void request(byte[] data) {
        List<String> log = new ArrayList<>();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            new HttpFileServer(ROOT, log::add).serve(new ByteArrayInputStream(data), out, "10.0.0.2:40000");
        } catch (IOException endOfInput) {
            // the client went away mid-request: the connection ends, the server goes on
        }
        String response = out.toString(StandardCharsets.ISO_8859_1);
        String request = new String(data, StandardCharsets.ISO_8859_1);
        // (an error response may quote the request, so a request that carries the secret proves nothing)
        assertFalse(response.contains(SECRET) && !request.contains(SECRET), () -> "served a file outside the root for:\n" + request);
        if (!response.isEmpty()) assertTrue(response.startsWith("HTTP/1.1 "), () -> "response without a status line: " + response);
    }
}
