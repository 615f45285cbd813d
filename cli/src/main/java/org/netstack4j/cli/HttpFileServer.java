package org.netstack4j.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A small HTTP/1.1 static file server over any pair of streams (a netstack4j {@code TcpSocket}
 * in {@code serve}): GET and HEAD, persistent connections (RFC 9112 9.3), 404/405/400/501/505,
 * content types by extension, directory index, files streamed in 256 KiB chunks. No ranges, no
 * request bodies beyond skipping a Content-Length one, no chunked requests (501).
 */
final class HttpFileServer {
    static final int MAX_LINE = 8192;
    static final int MAX_HEADERS = 100;
    private static final int CHUNK = 256 * 1024;
    private static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("html", "text/html; charset=utf-8"), Map.entry("htm", "text/html; charset=utf-8"),
            Map.entry("txt", "text/plain; charset=utf-8"), Map.entry("css", "text/css"),
            Map.entry("js", "text/javascript"), Map.entry("json", "application/json"),
            Map.entry("xml", "application/xml"), Map.entry("svg", "image/svg+xml"),
            Map.entry("png", "image/png"), Map.entry("jpg", "image/jpeg"), Map.entry("jpeg", "image/jpeg"),
            Map.entry("gif", "image/gif"), Map.entry("ico", "image/vnd.microsoft.icon"),
            Map.entry("pdf", "application/pdf"), Map.entry("zip", "application/zip"),
            Map.entry("gz", "application/gzip"), Map.entry("pcap", "application/vnd.tcpdump.pcap"),
            Map.entry("md", "text/markdown; charset=utf-8"), Map.entry("wasm", "application/wasm"));

    private final Path root;
    private final Consumer<String> log;

    /** Serves files under {@code root}; {@code log} gets one line per request (or null). */
    HttpFileServer(Path root, Consumer<String> log) {
        this.root = root.toAbsolutePath().normalize();
        this.log = log;
    }

    static String contentType(String fileName) {
        int dot = fileName.lastIndexOf('.');
        String ext = dot < 0 ? "" : fileName.substring(dot + 1).toLowerCase(Locale.ROOT);
        return TYPES.getOrDefault(ext, "application/octet-stream");
    }

    /** Serves requests from {@code in} until the client or a "Connection: close" ends the connection. */
    void serve(InputStream rawIn, OutputStream out, String peer) throws IOException {
        InputStream in = new java.io.BufferedInputStream(rawIn, 16384);
        while (true) {
            String requestLine;
            try {
                requestLine = readLine(in);
            } catch (BadRequest e) {
                respondError(out, 400, "Bad Request", e.getMessage(), false, true);
                return;
            }
            if (requestLine == null) return; // client closed between requests
            if (requestLine.isEmpty()) continue; // RFC 9112 2.2: ignore empty lines before a request-line
            if (!handle(requestLine, in, out, peer)) return;
        }
    }

    /** One request; returns whether the connection stays open. */
    private boolean handle(String requestLine, InputStream in, OutputStream out, String peer) throws IOException {
        String[] parts = requestLine.split(" ", -1);
        Map<String, String> headers;
        try {
            headers = readHeaders(in);
        } catch (BadRequest e) {
            respondError(out, 400, "Bad Request", e.getMessage(), false, true);
            log(peer, requestLine, 400, 0);
            return false;
        }
        if (parts.length != 3 || !parts[2].startsWith("HTTP/")) {
            respondError(out, 400, "Bad Request", "malformed request line", false, true);
            log(peer, requestLine, 400, 0);
            return false;
        }
        String method = parts[0], target = parts[1], version = parts[2];
        if (!version.equals("HTTP/1.1") && !version.equals("HTTP/1.0")) {
            respondError(out, 505, "HTTP Version Not Supported", "only HTTP/1.0 and HTTP/1.1", false, true);
            log(peer, requestLine, 505, 0);
            return false;
        }
        String connection = headers.getOrDefault("connection", "").toLowerCase(Locale.ROOT);
        // RFC 9112 9.3: HTTP/1.1 is persistent unless "close"; HTTP/1.0 only with "keep-alive".
        boolean keepAlive = version.equals("HTTP/1.1") ? !connection.contains("close") : connection.contains("keep-alive");
        boolean head = method.equals("HEAD");
        if (headers.containsKey("transfer-encoding")) {
            respondError(out, 501, "Not Implemented", "request bodies with Transfer-Encoding are not supported", head, true);
            log(peer, requestLine, 501, 0);
            return false;
        }
        if (headers.containsKey("content-length")) {
            long len;
            try {
                len = Long.parseLong(headers.get("content-length").trim());
            } catch (NumberFormatException e) {
                len = -1;
            }
            if (len < 0) {
                respondError(out, 400, "Bad Request", "bad Content-Length", head, true);
                log(peer, requestLine, 400, 0);
                return false;
            }
            in.skipNBytes(len);
        }
        if (!method.equals("GET") && !head) {
            respond(out, 405, "Method Not Allowed", "text/plain; charset=utf-8",
                    ("405 Method Not Allowed: " + method + "\n").getBytes(StandardCharsets.UTF_8), head, keepAlive, "Allow: GET, HEAD\r\n");
            log(peer, requestLine, 405, 0);
            return keepAlive;
        }
        if (version.equals("HTTP/1.1") && !headers.containsKey("host")) {
            // RFC 9112 3.2: a server MUST respond 400 to an HTTP/1.1 request without Host.
            respondError(out, 400, "Bad Request", "missing Host header", head, true);
            log(peer, requestLine, 400, 0);
            return false;
        }
        Path file = resolve(target);
        if (file == null || !Files.exists(file) || !Files.isReadable(file)) {
            respondError(out, 404, "Not Found", "no such file: " + target, head, keepAlive);
            log(peer, requestLine, 404, 0);
            return keepAlive;
        }
        if (Files.isDirectory(file)) {
            String path = pathOf(target);
            if (!path.endsWith("/")) {
                respond(out, 301, "Moved Permanently", "text/plain; charset=utf-8",
                        ("moved to " + path + "/\n").getBytes(StandardCharsets.UTF_8), head, keepAlive,
                        "Location: " + path + "/\r\n");
                log(peer, requestLine, 301, 0);
                return keepAlive;
            }
            Path index = file.resolve("index.html");
            if (Files.isRegularFile(index)) {
                file = index;
            } else {
                byte[] listing = listing(file, path);
                respond(out, 200, "OK", "text/html; charset=utf-8", listing, head, keepAlive, "");
                log(peer, requestLine, 200, head ? 0 : listing.length);
                return keepAlive;
            }
        }
        long size = Files.size(file);
        StringBuilder h = new StringBuilder();
        h.append("HTTP/1.1 200 OK\r\n");
        commonHeaders(h, contentType(file.getFileName().toString()), size, keepAlive);
        h.append("\r\n");
        out.write(h.toString().getBytes(StandardCharsets.ISO_8859_1));
        long sent = 0;
        if (!head) {
            try (InputStream f = Files.newInputStream(file)) {
                byte[] buf = new byte[CHUNK];
                int n;
                while (sent < size && (n = f.read(buf, 0, (int) Math.min(buf.length, size - sent))) > 0) {
                    out.write(buf, 0, n);
                    sent += n;
                }
            }
        }
        out.flush();
        log(peer, requestLine, 200, sent);
        if (!head && sent != size) return false; // the file shrank: Content-Length lied, so end the connection
        return keepAlive;
    }

    private void log(String peer, String requestLine, int status, long bytes) {
        if (log != null) log.accept(peer + " \"" + requestLine + "\" " + status + " " + bytes);
    }

    private static String pathOf(String target) {
        int q = target.indexOf('?');
        String p = q < 0 ? target : target.substring(0, q);
        int hash = p.indexOf('#');
        return hash < 0 ? p : p.substring(0, hash);
    }

    /** The file for a request target, or null if it is not a path under the root. */
    Path resolve(String target) {
        String p = pathOf(target);
        if (p.startsWith("http://")) { // absolute-form (RFC 9112 3.2.2)
            int slash = p.indexOf('/', 7);
            p = slash < 0 ? "/" : p.substring(slash);
        }
        if (!p.startsWith("/")) return null;
        String decoded;
        try {
            decoded = URLDecoder.decode(p.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (decoded.indexOf('\0') >= 0) return null;
        try {
            Path f = root.resolve(decoded.substring(1)).normalize();
            return f.startsWith(root) ? f : null;
        } catch (InvalidPathException e) {
            return null;
        }
    }

    private static byte[] listing(Path dir, String path) throws IOException {
        StringBuilder b = new StringBuilder("<!DOCTYPE html>\n<html><head><title>Index of ").append(escape(path))
                .append("</title></head><body>\n<h1>Index of ").append(escape(path)).append("</h1>\n<ul>\n");
        List<Path> entries;
        try (Stream<Path> s = Files.list(dir)) {
            entries = s.sorted().toList();
        }
        for (Path e : entries) {
            String name = e.getFileName().toString() + (Files.isDirectory(e) ? "/" : "");
            String href = java.net.URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20").replace("%2F", "/");
            b.append("<li><a href=\"").append(href).append("\">").append(escape(name)).append("</a></li>\n");
        }
        return b.append("</ul>\n</body></html>\n").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static void respondError(OutputStream out, int status, String reason, String detail, boolean head, boolean keepAlive)
            throws IOException {
        respond(out, status, reason, "text/plain; charset=utf-8",
                (status + " " + reason + ": " + detail + "\n").getBytes(StandardCharsets.UTF_8), head, keepAlive, "");
    }

    private static void respond(OutputStream out, int status, String reason, String type, byte[] body, boolean head,
                                boolean keepAlive, String extraHeaders) throws IOException {
        StringBuilder h = new StringBuilder();
        h.append("HTTP/1.1 ").append(status).append(' ').append(reason).append("\r\n");
        commonHeaders(h, type, body.length, keepAlive);
        h.append(extraHeaders).append("\r\n");
        ByteArrayOutputStream all = new ByteArrayOutputStream(h.length() + body.length);
        all.write(h.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (!head) all.write(body);
        out.write(all.toByteArray());
        out.flush();
    }

    private static void commonHeaders(StringBuilder h, String type, long length, boolean keepAlive) {
        // RFC 9110 6.6.1: an origin server with a clock sends Date.
        h.append("Date: ").append(DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC))).append("\r\n");
        h.append("Server: netstack4j\r\n");
        h.append("Content-Type: ").append(type).append("\r\n");
        h.append("Content-Length: ").append(length).append("\r\n");
        h.append("Connection: ").append(keepAlive ? "keep-alive" : "close").append("\r\n");
    }

    /** A request we cannot parse. */
    static final class BadRequest extends IOException {
        BadRequest(String m) { super(m); }
    }

    /** One CRLF- (or LF-) terminated line in ISO-8859-1, without the terminator; null at end of stream before any byte. */
    static String readLine(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        while (true) {
            int c = in.read();
            if (c < 0) {
                if (b.isEmpty()) return null;
                throw new BadRequest("connection closed in the middle of a line");
            }
            if (c == '\n') {
                int len = b.length();
                if (len > 0 && b.charAt(len - 1) == '\r') b.setLength(len - 1);
                return b.toString();
            }
            if (b.length() >= MAX_LINE) throw new BadRequest("line longer than " + MAX_LINE + " bytes");
            b.append((char) c);
        }
    }

    /** Header fields until the empty line; names lower-cased, repeated fields joined with ", " (RFC 9110 5.3). */
    static Map<String, String> readHeaders(InputStream in) throws IOException {
        Map<String, String> h = new LinkedHashMap<>();
        for (int i = 0; ; i++) {
            String line = readLine(in);
            if (line == null) throw new BadRequest("connection closed inside the header");
            if (line.isEmpty()) return h;
            if (i >= MAX_HEADERS) throw new BadRequest("more than " + MAX_HEADERS + " header fields");
            int colon = line.indexOf(':');
            // RFC 9112 5.1: no whitespace between the field name and the colon.
            if (colon <= 0 || Character.isWhitespace(line.charAt(colon - 1)) || Character.isWhitespace(line.charAt(0)))
                throw new BadRequest("malformed header field: " + line);
            String name = line.substring(0, colon).toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).strip();
            h.merge(name, value, (a, b) -> a + ", " + b);
        }
    }
}
