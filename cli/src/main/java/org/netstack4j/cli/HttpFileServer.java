package org.netstack4j.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.netstack4j.trace.LogText;

/**
 * A small HTTP/1.1 static file server over any pair of streams (a netstack4j {@code TcpSocket}
 * in {@code serve}): GET and HEAD, persistent connections (RFC 9112 9.3), single byte ranges
 * (RFC 9110 14, see {@link HttpRange}), 301/400/403/404/405/408/413/414/416/431/501/505,
 * content types by extension, directory index, files streamed in 256 KiB chunks.
 *
 * <p>Hostile clients: the whole request head must arrive within the header timeout (slowloris),
 * an idle keep-alive connection is closed after the idle timeout, the request line and header are
 * bounded ({@link Limits}), no path or symbolic link leads out of the root (real paths are
 * compared), and request lines are logged with their control characters escaped
 * ({@link LogText}). Each response's header and its first body bytes go out in one write, so
 * nothing waits for Nagle's algorithm (RFC 896) behind a small header segment.
 */
final class HttpFileServer {
    /** Size and time limits; {@link #DEFAULT} is what {@code serve} uses unless told otherwise. */
    record Limits(int maxRequestLine, int maxHeaderBytes, int maxHeaders, long maxBody, int headerTimeoutMs, int idleTimeoutMs,
                  int writeTimeoutMs) {
        /** A response write that gets no room in the send buffer for this long ends the connection. */
        static final int DEFAULT_WRITE_TIMEOUT_MS = 30_000;
        static final Limits DEFAULT = new Limits(8192, 32 * 1024, 100, 64 * 1024, 10_000, 15_000, DEFAULT_WRITE_TIMEOUT_MS);

        Limits {
            if (maxRequestLine < 16 || maxHeaderBytes < 16 || maxHeaders < 1 || maxBody < 0 || headerTimeoutMs < 0 || idleTimeoutMs < 0
                    || writeTimeoutMs < 0)
                throw new IllegalArgumentException("bad limits");
        }

        /** With the default write timeout. */
        Limits(int maxRequestLine, int maxHeaderBytes, int maxHeaders, long maxBody, int headerTimeoutMs, int idleTimeoutMs) {
            this(maxRequestLine, maxHeaderBytes, maxHeaders, maxBody, headerTimeoutMs, idleTimeoutMs, DEFAULT_WRITE_TIMEOUT_MS);
        }
    }

    /**
     * A response write that got no room within the write timeout (the client stopped reading):
     * counted in {@link #writeTimeouts()}; the caller should reset the connection, since what is
     * queued will not be read.
     */
    static final class WriteTimedOut extends SocketTimeoutException {
        WriteTimedOut(String peer) { super("no room to write to " + peer + " within the write timeout (the client stopped reading)"); }
    }

    /** Sets the timeout of the connection's blocking reads in ms (0: none): {@code TcpSocket.setSoTimeout}. */
    @FunctionalInterface
    interface ReadTimeout {
        ReadTimeout NONE = ms -> {};

        void set(int ms) throws IOException;
    }

    private static final int CHUNK = 256 * 1024;
    private static final int MAX_EMPTY_LINES = 8;
    // RFC 9110 5.6.7: IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT" (two-digit day).
    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);
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
    private final Path realRoot;
    private final Consumer<String> log;
    private final Limits limits;
    private final LongSupplier clock;
    private final Map<Integer, LongAdder> statuses = new ConcurrentSkipListMap<>();
    private final LongAdder headerTimeouts = new LongAdder();
    private final LongAdder idleCloses = new LongAdder();
    private final LongAdder writeTimeouts = new LongAdder();
    private final LongAdder pathsRefused = new LongAdder();
    private final HttpFileCache cache;

    /** Serves files under {@code root} with the default limits; {@code log} gets one line per request (or null). */
    HttpFileServer(Path root, Consumer<String> log) throws IOException {
        this(root, log, Limits.DEFAULT, System::nanoTime);
    }

    /** {@code clock}: nanoseconds for the header and idle deadlines (tests pass a fake one). */
    HttpFileServer(Path root, Consumer<String> log, Limits limits, LongSupplier clock) throws IOException {
        this(root, log, limits, clock, new HttpFileCache(HttpFileCache.DEFAULT_MAX_BYTES, HttpFileCache.DEFAULT_MAX_FILE_BYTES));
    }

    /** {@code cache}: where small files are kept (its validation interval runs on {@code clock}). */
    HttpFileServer(Path root, Consumer<String> log, Limits limits, LongSupplier clock, HttpFileCache cache) throws IOException {
        this.cache = cache;
        this.root = root.toAbsolutePath().normalize();
        this.realRoot = this.root.toRealPath();
        this.log = log;
        this.limits = limits;
        this.clock = clock;
    }

    static String contentType(String fileName) {
        int dot = fileName.lastIndexOf('.');
        String ext = dot < 0 ? "" : fileName.substring(dot + 1).toLowerCase(Locale.ROOT);
        return TYPES.getOrDefault(ext, "application/octet-stream");
    }

    /** An RFC 9110 5.6.7 IMF-fixdate. */
    static String httpDate(Instant t) { return IMF_FIXDATE.format(t); }

    /** The current second's IMF-fixdate, formatted once a second (every response carries it). */
    static String httpDateNow() {
        long sec = System.currentTimeMillis() / 1000;
        DateStamp d = dateStamp;
        if (d == null || d.second != sec) dateStamp = d = new DateStamp(sec, httpDate(Instant.ofEpochSecond(sec)));
        return d.text;
    }

    private record DateStamp(long second, String text) {}

    private static volatile DateStamp dateStamp;

    // ---- counters ----

    /** Responses sent with {@code status} so far. */
    long responses(int status) {
        LongAdder a = statuses.get(status);
        return a == null ? 0 : a.sum();
    }

    /** Requests whose head did not arrive within the header timeout (answered 408 and closed). */
    long headerTimeouts() { return headerTimeouts.sum(); }

    /** Keep-alive connections closed after the idle timeout without a new request. */
    long idleCloses() { return idleCloses.sum(); }

    /** Targets refused because they led out of the root (.., absolute paths, symbolic links). */
    long pathsRefused() { return pathsRefused.sum(); }

    /** Connections ended because a response write got no room within the write timeout. */
    long writeTimeouts() { return writeTimeouts.sum(); }

    Limits limits() { return limits; }

    HttpFileCache cache() { return cache; }

    /** "requests 12 (200: 10, 404: 2); header timeouts 0; idle keep-alive closes 3; paths refused 0". */
    String summary() {
        Map<Integer, Long> by = new TreeMap<>();
        statuses.forEach((k, v) -> by.put(k, v.sum()));
        long total = by.values().stream().mapToLong(Long::longValue).sum();
        StringBuilder b = new StringBuilder("requests ").append(total);
        if (!by.isEmpty()) {
            b.append(" (");
            by.forEach((k, v) -> b.append(k).append(": ").append(v).append(", "));
            b.setLength(b.length() - 2);
            b.append(')');
        }
        return b.append("; header timeouts (408) ").append(headerTimeouts()).append("; idle keep-alive closes ").append(idleCloses())
                .append("; write timeouts ").append(writeTimeouts()).append("; paths refused ").append(pathsRefused())
                .append("; file cache: ").append(cache.hits()).append(" hits, ").append(cache.loads()).append(" loads, ")
                .append(cache.evictions()).append(" evictions, ").append(cache.bytes()).append(" of ").append(cache.maxBytes())
                .append(" bytes").toString();
    }

    /** The answer to a connection over the connection cap (RFC 9110 15.6.4): 503, Retry-After, close. */
    static void overloaded(OutputStream out) throws IOException {
        byte[] body = "503 Service Unavailable: too many connections; try again later\n".getBytes(StandardCharsets.UTF_8);
        StringBuilder h = new StringBuilder();
        statusLine(h, 503, "Service Unavailable");
        commonHeaders(h, httpDateNow(), "", "text/plain; charset=utf-8", body.length, false);
        h.append("Retry-After: 1\r\n\r\n");
        byte[] hb = h.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = java.util.Arrays.copyOf(hb, hb.length + body.length);
        System.arraycopy(body, 0, all, hb.length, body.length);
        out.write(all);
        out.flush();
    }

    // ---- connection loop ----

    /** Serves requests from {@code in} without read timeouts (tests, pipes). */
    void serve(InputStream rawIn, OutputStream out, String peer) throws IOException {
        serve(rawIn, out, peer, ReadTimeout.NONE);
    }

    /**
     * Serves requests until the client or a "Connection: close" ends the connection, an error
     * closes it, or a timeout: the first request's head must be complete within the header
     * timeout of the call; later ones must start within the idle timeout of the previous response
     * and be complete within the header timeout of their first byte.
     */
    void serve(InputStream rawIn, OutputStream rawOut, String peer, ReadTimeout timeout) throws IOException {
        Deadline deadline = new Deadline(rawIn, timeout, clock);
        OutputStream out = new WriteTimeoutCounter(rawOut, peer);
        RequestInput in = new RequestInput(deadline, 16384);
        for (boolean first = true; ; first = false) {
            if (!first) {
                deadline.expireIn(limits.idleTimeoutMs());
                int c;
                try {
                    c = in.peek();
                } catch (SocketTimeoutException e) {
                    idleCloses.increment();
                    return;
                }
                if (c < 0) return;
            }
            deadline.expireIn(limits.headerTimeoutMs());
            Head head;
            try {
                head = readHead(in, limits);
            } catch (SocketTimeoutException e) {
                headerTimedOut(out, peer);
                return;
            } catch (HttpError e) {
                refuseHead(out, e, peer);
                return;
            }
            if (head == null) return; // client closed between requests
            if (handle(head, in, out, peer, true) != KEEP) return;
        }
    }

    /**
     * At most this many bytes of head (leading empty lines, request line, fields, the empty line)
     * can be buffered before {@link #readHead} must refuse them (414, 431 or 400).
     */
    static int maxHeadBytes(Limits limits) {
        return (MAX_EMPTY_LINES + 1) * 2 + limits.maxRequestLine() + 2 + limits.maxHeaderBytes() + 2;
    }

    /** A head parsed from buffered bytes ({@link #parseHead}): {@code head} null means the peer closed before a request. */
    record Parsed(Head head, int length) {}

    /**
     * The request head at {@code b[off, off + len)} as {@link #readHead} reads it from a stream,
     * for a server that buffers what arrived (the event loop): null when the head is not complete
     * yet and more may come; with {@code eof} (the peer sent FIN after these bytes) the answer is
     * final. Throws {@link HttpError} as readHead does (414, 431, 400).
     */
    static Parsed parseHead(byte[] b, int off, int len, Limits limits, boolean eof) throws HttpError {
        RequestInput in = new RequestInput(b, off, len);
        try {
            Head h = readHead(in, limits);
            if (in.hitEnd && !eof) return null;
            return new Parsed(h, in.pos - off);
        } catch (HttpError e) {
            if (in.hitEnd && !eof) return null;
            throw e;
        } catch (IOException e) {
            throw new IllegalStateException("no I/O on buffered bytes", e);
        }
    }

    /** The length a request announces in Content-Length: -1 when there is none or it is invalid (handle answers that). */
    static long bodyLength(Head head) {
        String cl = head.headers().get("content-length");
        if (cl == null || head.headers().containsKey("transfer-encoding")) return -1;
        try {
            return Long.parseLong(cl.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The head did not arrive within the header timeout: counted, answered 408 (the connection then ends). */
    void headerTimedOut(OutputStream out, String peer) throws IOException {
        headerTimeouts.increment();
        respondError(out, 408, "Request Timeout", "the request header did not arrive within "
                + limits.headerTimeoutMs() + " ms", false, false);
        log(peer, "-", 408, 0);
    }

    /** A head refused before it was understood: answered with its status (the connection then ends). */
    void refuseHead(OutputStream out, HttpError e, String peer) throws IOException {
        respondError(out, e.status, e.reason, e.getMessage(), false, false);
        log(peer, e.requestLine == null ? "-" : e.requestLine, e.status, 0);
    }

    /** A keep-alive connection closed after the idle timeout (by the event loop). */
    void countIdleClose() { idleCloses.increment(); }

    /** A connection reset because its response got no room within the write timeout (by the event loop). */
    void countWriteTimeout() { writeTimeouts.increment(); }

    /** The nanosecond clock of the header and idle deadlines. */
    long nanoTime() { return clock.getAsLong(); }

    /** A request line and its header fields (names lower-cased, repeated fields joined with ", " as RFC 9110 5.3 allows). */
    record Head(String requestLine, Map<String, String> headers) {}

    /** A request refused before it was understood: answered with {@code status} and the connection closed. */
    static final class HttpError extends IOException {
        final int status;
        final String reason;
        final String requestLine;

        HttpError(int status, String reason, String detail, String requestLine) {
            super(detail);
            this.status = status;
            this.reason = reason;
            this.requestLine = requestLine;
        }
    }

    /**
     * Reads a request head; null if the stream ends before its first byte. Too long a request line
     * is 414 (RFC 9112 3), too large a header section 431 (RFC 6585 5), a malformed one 400.
     */
    static Head readHead(InputStream in, Limits limits) throws IOException {
        String requestLine;
        int empty = 0;
        do { // RFC 9112 2.2: ignore at least one empty line before a request-line
            requestLine = readLine(in, limits.maxRequestLine(), 414, "URI Too Long", null);
            if (requestLine == null) return null;
        } while (requestLine.isEmpty() && ++empty <= MAX_EMPTY_LINES);
        if (requestLine.isEmpty()) throw new HttpError(400, "Bad Request", "only empty lines", null);
        return new Head(requestLine, readFields(in, limits, requestLine));
    }

    /** Header fields until the empty line, within {@code limits} (431 beyond them, 400 if malformed). */
    private static Map<String, String> readFields(InputStream in, Limits limits, String requestLine) throws IOException {
        Map<String, String> h = new LinkedHashMap<>();
        int budget = limits.maxHeaderBytes();
        for (int i = 0; ; i++) {
            String line = readLine(in, Math.max(0, budget), 431, "Request Header Fields Too Large", requestLine);
            if (line == null) throw new HttpError(400, "Bad Request", "connection closed inside the header", requestLine);
            if (line.isEmpty()) return h;
            budget -= line.length() + 2;
            if (i >= limits.maxHeaders())
                throw new HttpError(431, "Request Header Fields Too Large", "more than " + limits.maxHeaders() + " header fields", requestLine);
            int colon = line.indexOf(':');
            // RFC 9112 5.1: no whitespace between the field name and the colon; 5.2: no obs-fold.
            if (colon <= 0 || Character.isWhitespace(line.charAt(colon - 1)) || Character.isWhitespace(line.charAt(0)))
                throw new HttpError(400, "Bad Request", "malformed header field", requestLine);
            String name = line.substring(0, colon).toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).strip();
            h.merge(name, value, (a, b) -> a + ", " + b);
        }
    }

    /** Header fields of a response or a chunked trailer (the client, HttpGet), with the default limits. */
    static Map<String, String> readHeaders(InputStream in) throws IOException {
        return readFields(in, Limits.DEFAULT, null);
    }

    /**
     * One CRLF- (or LF-) terminated line in ISO-8859-1, without the terminator; null at end of
     * stream before any byte; HttpError {@code status} when longer than {@code max} bytes.
     */
    private static String readLine(InputStream in, int max, int status, String reason, String requestLine) throws IOException {
        if (in instanceof RequestInput r) {
            String line = r.bufferedLine(max);
            if (line != null) return line;
        }
        StringBuilder b = new StringBuilder();
        while (true) {
            int c = in.read();
            if (c < 0) {
                if (b.isEmpty()) return null;
                throw new HttpError(400, "Bad Request", "connection closed in the middle of a line", requestLine);
            }
            if (c == '\n') {
                int len = b.length();
                if (len > 0 && b.charAt(len - 1) == '\r') b.setLength(len - 1);
                return b.toString();
            }
            if (b.length() >= max) throw new HttpError(status, reason, "longer than " + max + " bytes", requestLine);
            b.append((char) c);
        }
    }

    /** One line without limits beyond 8 KiB (the tests' fake servers read requests with it). */
    static String readLine(InputStream in) throws IOException {
        return readLine(in, 8192, 400, "Bad Request", null);
    }

    // ---- one request ----

    /** {@link #handle}'s outcomes: the connection ends, stays open, or the request needs a thread that may block. */
    static final int CLOSE = 0, KEEP = 1, BLOCKS = 2;

    /**
     * One request; returns {@link #KEEP} when the connection stays open, else {@link #CLOSE}. With
     * {@code mayBlock} false (the event loop) it answers only what needs no file system call (the
     * errors decided from the head, files in the cache) and returns {@link #BLOCKS}, having
     * written and counted nothing, for anything else; called again with {@code mayBlock} true (on
     * a thread, with the same body), it answers that.
     */
    int handle(Head req, InputStream in, OutputStream out, String peer, boolean mayBlock) throws IOException {
        String requestLine = req.requestLine();
        Map<String, String> headers = req.headers();
        String[] parts = requestLine.split(" ", -1);
        // RFC 9112 3: the request-line has no control characters (a bare CR in a target could
        // otherwise end up in a Location header).
        boolean controls = false;
        for (int i = 0; i < requestLine.length() && !controls; i++) {
            char c = requestLine.charAt(i);
            controls = c < 0x20 || c == 0x7f;
        }
        if (controls || parts.length != 3 || !parts[2].startsWith("HTTP/")) {
            respondError(out, 400, "Bad Request", "malformed request line", false, false);
            log(peer, requestLine, 400, 0);
            return CLOSE;
        }
        String method = parts[0], target = parts[1], version = parts[2];
        if (!version.equals("HTTP/1.1") && !version.equals("HTTP/1.0")) {
            respondError(out, 505, "HTTP Version Not Supported", "only HTTP/1.0 and HTTP/1.1", false, false);
            log(peer, requestLine, 505, 0);
            return CLOSE;
        }
        String connection = headers.getOrDefault("connection", "").toLowerCase(Locale.ROOT);
        // RFC 9112 9.3: HTTP/1.1 is persistent unless "close"; HTTP/1.0 only with "keep-alive".
        boolean keepAlive = version.equals("HTTP/1.1") ? !connection.contains("close") : connection.contains("keep-alive");
        boolean head = method.equals("HEAD");
        if (headers.containsKey("transfer-encoding")) {
            respondError(out, 501, "Not Implemented", "request bodies with Transfer-Encoding are not supported", head, false);
            log(peer, requestLine, 501, 0);
            return CLOSE;
        }
        if (headers.containsKey("content-length")) {
            long len;
            try {
                len = Long.parseLong(headers.get("content-length").trim());
            } catch (NumberFormatException e) {
                len = -1;
            }
            if (len < 0) {
                respondError(out, 400, "Bad Request", "bad Content-Length", head, false);
                log(peer, requestLine, 400, 0);
                return CLOSE;
            }
            if (len > limits.maxBody()) { // RFC 9110 15.5.14
                respondError(out, 413, "Content Too Large", "request bodies are limited to " + limits.maxBody() + " bytes", head, false);
                log(peer, requestLine, 413, 0);
                return CLOSE;
            }
            try {
                in.skipNBytes(len);
            } catch (SocketTimeoutException e) {
                headerTimeouts.increment();
                respondError(out, 408, "Request Timeout", "the request body did not arrive in time", head, false);
                log(peer, requestLine, 408, 0);
                return CLOSE;
            }
        }
        if (!method.equals("GET") && !head) {
            respond(out, 405, "Method Not Allowed", "text/plain; charset=utf-8",
                    ("405 Method Not Allowed\n").getBytes(StandardCharsets.UTF_8), head, keepAlive, "", "Allow: GET, HEAD\r\n");
            log(peer, requestLine, 405, 0);
            return keepAlive ? KEEP : CLOSE;
        }
        if (version.equals("HTTP/1.1") && !headers.containsKey("host")) {
            // RFC 9112 3.2: a server MUST respond 400 to an HTTP/1.1 request without Host.
            respondError(out, 400, "Bad Request", "missing Host header", head, false);
            log(peer, requestLine, 400, 0);
            return CLOSE;
        }
        String key = pathOf(target);
        long now = clock.getAsLong();
        HttpFileCache.Entry cached = cache.fresh(key, now);
        if (cached != null) return sendCached(cached, method, headers, head, keepAlive, out, peer, requestLine) ? KEEP : CLOSE;
        if (!mayBlock) return BLOCKS;
        Resolved r = resolve(target);
        if (r.status() != 200) {
            if (r.status() == 403) respondError(out, 403, "Forbidden", "the target leads out of the served directory", head, keepAlive);
            else respondError(out, 404, "Not Found", "no such file", head, keepAlive);
            log(peer, requestLine, r.status(), 0);
            return keepAlive ? KEEP : CLOSE;
        }
        Path file = r.file();
        if (Files.isDirectory(file)) {
            String path = pathOf(target);
            if (!path.endsWith("/")) {
                String location = path.startsWith("/") ? path + "/" : "/";
                respond(out, 301, "Moved Permanently", "text/plain; charset=utf-8",
                        "moved\n".getBytes(StandardCharsets.UTF_8), head, keepAlive, "", "Location: " + location + "\r\n");
                log(peer, requestLine, 301, 0);
                return keepAlive ? KEEP : CLOSE;
            }
            Path index = file.resolve("index.html");
            if (Files.isRegularFile(index) && index.toRealPath().startsWith(realRoot)) {
                file = index.toRealPath();
            } else {
                byte[] listing = listing(file, path);
                respond(out, 200, "OK", "text/html; charset=utf-8", listing, head, keepAlive, "", "");
                log(peer, requestLine, 200, head ? 0 : listing.length);
                return keepAlive ? KEEP : CLOSE;
            }
        }
        HttpFileCache.Entry loaded = cache.load(key, file, contentType(file.getFileName().toString()), now);
        if (loaded != null) return sendCached(loaded, method, headers, head, keepAlive, out, peer, requestLine) ? KEEP : CLOSE;
        return sendFile(file, method, headers, head, keepAlive, out, peer, requestLine) ? KEEP : CLOSE;
    }

    /** A file's body from {@code first}: writes {@code header} and then {@code length} bytes; returns the body bytes sent. */
    @FunctionalInterface
    private interface Body {
        long send(long first, long length, byte[] header) throws IOException;
    }

    /** A small file from memory: a plain GET or HEAD is one write of the pre-rendered response. */
    private boolean sendCached(HttpFileCache.Entry e, String method, Map<String, String> headers, boolean head, boolean keepAlive,
                               OutputStream out, String peer, String requestLine) throws IOException {
        if (!method.equals("GET") || !headers.containsKey("range")) {
            HttpFileCache.Rendered r = e.full(httpDateNow(), keepAlive);
            count(200);
            out.write(r.bytes(), 0, head ? r.headerLength() : r.bytes().length);
            out.flush();
            log(peer, requestLine, 200, head ? 0 : e.body.length);
            return keepAlive;
        }
        return sendRange(e.body.length, e.lastModified, e.fileHeaders, e.type, (first, length, header) -> {
            byte[] all = java.util.Arrays.copyOf(header, header.length + (int) length);
            System.arraycopy(e.body, (int) first, all, header.length, (int) length);
            out.write(all);
            return length;
        }, method, headers, head, keepAlive, out, peer, requestLine);
    }

    private boolean sendFile(Path file, String method, Map<String, String> headers, boolean head, boolean keepAlive,
                             OutputStream out, String peer, String requestLine) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            String lastModified = httpDate(Files.getLastModifiedTime(file).toInstant());
            return sendRange(ch.size(), lastModified, "Last-Modified: " + lastModified + "\r\nAccept-Ranges: bytes\r\n",
                    contentType(file.getFileName().toString()), (first, length, header) -> copy(ch, first, length, header, out),
                    method, headers, head, keepAlive, out, peer, requestLine);
        }
    }

    /** The 200, 206 or 416 response to a GET or HEAD of a file of {@code size} bytes whose body {@code body} writes. */
    private boolean sendRange(long size, String lastModified, String fileHeaders, String type, Body body, String method,
                              Map<String, String> headers, boolean head, boolean keepAlive, OutputStream out, String peer,
                              String requestLine) throws IOException {
        // RFC 9110 14.2: range handling is defined for GET only; other methods ignore Range.
        HttpRange range = method.equals("GET") ? HttpRange.parse(headers.get("range"), size) : HttpRange.FULL;
        // RFC 9110 13.1.5: If-Range with a date applies the Range only if it exactly matches
        // Last-Modified; we send no entity tags, so an If-Range tag never matches.
        String ifRange = headers.get("if-range");
        if (ifRange != null && !(range instanceof HttpRange.Full) && !ifRange.equals(lastModified)) range = HttpRange.FULL;
        long first, length;
        StringBuilder h = new StringBuilder();
        switch (range) {
            case HttpRange.Unsatisfiable u -> {
                respond(out, 416, "Range Not Satisfiable", "text/plain; charset=utf-8",
                        "416 Range Not Satisfiable\n".getBytes(StandardCharsets.UTF_8), head, keepAlive,
                        fileHeaders + "Content-Range: bytes */" + size + "\r\n", "");
                log(peer, requestLine, 416, 0);
                return keepAlive;
            }
            case HttpRange.Partial p -> {
                first = p.first();
                length = p.length();
                statusLine(h, 206, "Partial Content");
                commonHeaders(h, httpDateNow(), fileHeaders + "Content-Range: " + p.contentRange(size) + "\r\n", type, length, keepAlive);
            }
            case HttpRange.Full f -> {
                first = 0;
                length = size;
                statusLine(h, 200, "OK");
                commonHeaders(h, httpDateNow(), fileHeaders, type, length, keepAlive);
            }
        }
        h.append("\r\n");
        int status = range instanceof HttpRange.Partial ? 206 : 200;
        count(status);
        byte[] header = h.toString().getBytes(StandardCharsets.ISO_8859_1);
        long sent = 0;
        if (head) out.write(header);
        else sent = body.send(first, length, header);
        out.flush();
        log(peer, requestLine, status, sent);
        if (!head && sent != length) return false; // the file shrank: Content-Length lied, so end the connection
        return keepAlive;
    }

    /**
     * Writes {@code header} and {@code length} bytes of the file from {@code first}: the header and
     * the first chunk in one write (a small response is one write); returns the body bytes sent.
     */
    private static long copy(FileChannel ch, long first, long length, byte[] header, OutputStream out) throws IOException {
        int firstChunk = (int) Math.min(length, CHUNK);
        byte[] buf = new byte[header.length + firstChunk];
        System.arraycopy(header, 0, buf, 0, header.length);
        long pos = first, sent = 0;
        int filled = fill(ch, ByteBuffer.wrap(buf, header.length, firstChunk), pos);
        out.write(buf, 0, header.length + filled);
        sent += filled;
        pos += filled;
        if (filled < firstChunk) return sent;
        byte[] chunk = buf.length >= CHUNK ? buf : new byte[CHUNK];
        while (sent < length) {
            int want = (int) Math.min(CHUNK, length - sent);
            int n = fill(ch, ByteBuffer.wrap(chunk, 0, want), pos);
            if (n <= 0) break;
            out.write(chunk, 0, n);
            sent += n;
            pos += n;
            if (n < want) break;
        }
        return sent;
    }

    /** Reads into {@code b} from {@code pos} until it is full or the file ends; returns the bytes read. */
    private static int fill(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        int total = 0;
        while (b.hasRemaining()) {
            int n = ch.read(b, pos + total);
            if (n < 0) break;
            total += n;
        }
        return total;
    }

    private void log(String peer, String requestLine, int status, long bytes) {
        if (log != null) log.accept(peer + " \"" + LogText.field(requestLine) + "\" " + status + " " + bytes);
    }

    private static String pathOf(String target) {
        int q = target.indexOf('?');
        String p = q < 0 ? target : target.substring(0, q);
        int hash = p.indexOf('#');
        return hash < 0 ? p : p.substring(0, hash);
    }

    /** A request target resolved: 200 with the real path of an existing readable file or directory, else 403 or 404. */
    record Resolved(int status, Path file) {}

    /**
     * The real path for a request target. Not found (404): no such file, a "..", "." or empty
     * segment, a NUL, anything not under the root after decoding. Forbidden (403): an existing
     * file whose real path (symbolic links followed) is outside the root's real path; a link
     * inside the root to a file inside it is fine.
     */
    Resolved resolve(String target) {
        String p = pathOf(target);
        if (p.regionMatches(true, 0, "http://", 0, 7)) { // absolute-form (RFC 9112 3.2.2)
            int slash = p.indexOf('/', 7);
            p = slash < 0 ? "/" : p.substring(slash);
        }
        if (!p.startsWith("/")) return notFound(true);
        String decoded;
        try {
            decoded = URLDecoder.decode(p.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return notFound(true);
        }
        if (decoded.indexOf('\0') >= 0 || decoded.indexOf('\\') >= 0) return notFound(true);
        for (String seg : decoded.substring(1).split("/", -1)) {
            if (seg.equals("..") || seg.equals(".")) return notFound(true);
        }
        Path f;
        try {
            f = root.resolve(decoded.substring(1)).normalize();
        } catch (InvalidPathException e) {
            return notFound(true);
        }
        if (!f.startsWith(root)) return notFound(true); // "//etc/passwd" resolves to an absolute path
        if (!Files.exists(f)) return notFound(false);
        Path real;
        try {
            real = f.toRealPath();
        } catch (IOException e) {
            return notFound(false);
        }
        if (!real.startsWith(realRoot)) {
            pathsRefused.increment();
            return new Resolved(403, null);
        }
        if (!Files.isReadable(real)) return notFound(false);
        return new Resolved(200, real);
    }

    private Resolved notFound(boolean escape) {
        if (escape) pathsRefused.increment();
        return new Resolved(404, null);
    }

    private static byte[] listing(Path dir, String path) throws IOException {
        StringBuilder b = new StringBuilder("<!DOCTYPE html>\n<html><head><title>Index of ").append(escapeHtml(path))
                .append("</title></head><body>\n<h1>Index of ").append(escapeHtml(path)).append("</h1>\n<ul>\n");
        List<Path> entries;
        try (Stream<Path> s = Files.list(dir)) {
            entries = s.sorted().toList();
        }
        for (Path e : entries) {
            String name = e.getFileName().toString() + (Files.isDirectory(e) ? "/" : "");
            String href = java.net.URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20").replace("%2F", "/");
            b.append("<li><a href=\"").append(href).append("\">").append(escapeHtml(name)).append("</a></li>\n");
        }
        return b.append("</ul>\n</body></html>\n").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String escapeHtml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private void count(int status) {
        LongAdder a = statuses.get(status);
        if (a == null) a = statuses.computeIfAbsent(status, k -> new LongAdder());
        a.increment();
    }

    private void respondError(OutputStream out, int status, String reason, String detail, boolean head, boolean keepAlive)
            throws IOException {
        respond(out, status, reason, "text/plain; charset=utf-8",
                (status + " " + reason + ": " + detail + "\n").getBytes(StandardCharsets.UTF_8), head, keepAlive, "", "");
    }

    /** A whole response in one write: {@code before} goes before Content-Type, {@code after} after Connection. */
    private void respond(OutputStream out, int status, String reason, String type, byte[] body, boolean head,
                         boolean keepAlive, String before, String after) throws IOException {
        count(status);
        StringBuilder h = new StringBuilder();
        statusLine(h, status, reason);
        commonHeaders(h, httpDateNow(), before, type, body.length, keepAlive);
        h.append(after).append("\r\n");
        byte[] hb = h.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = new byte[hb.length + (head ? 0 : body.length)];
        System.arraycopy(hb, 0, all, 0, hb.length);
        if (!head) System.arraycopy(body, 0, all, hb.length, body.length);
        out.write(all);
        out.flush();
    }

    static void statusLine(StringBuilder h, int status, String reason) {
        h.append("HTTP/1.1 ").append(status).append(' ').append(reason).append("\r\n");
    }

    /** {@code date}: now as an IMF-fixdate ({@link #httpDateNow}). */
    static void commonHeaders(StringBuilder h, String date, String before, String type, long length, boolean keepAlive) {
        // RFC 9110 6.6.1: an origin server with a clock sends Date.
        h.append("Date: ").append(date).append("\r\n");
        h.append("Server: netstack4j\r\n");
        h.append(before);
        h.append("Content-Type: ").append(type).append("\r\n");
        h.append("Content-Length: ").append(length).append("\r\n");
        h.append("Connection: ").append(keepAlive ? "keep-alive" : "close").append("\r\n");
    }

    /**
     * The connection's input with a deadline: each read is given the time left (as the socket's
     * read timeout) and fails with SocketTimeoutException once it is gone, however slowly the
     * bytes trickle in. This is what closes slowloris connections.
     */
    /**
     * Turns a write's SocketTimeoutException (the socket's send timeout, set from
     * {@link Limits#writeTimeoutMs}) into a counted {@link WriteTimedOut}.
     */
    private final class WriteTimeoutCounter extends java.io.FilterOutputStream {
        private final String peer;

        WriteTimeoutCounter(OutputStream out, String peer) {
            super(out);
            this.peer = peer;
        }

        private WriteTimedOut timedOut(SocketTimeoutException e) {
            writeTimeouts.increment();
            WriteTimedOut w = new WriteTimedOut(peer);
            w.initCause(e);
            return w;
        }

        @Override public void write(int b) throws IOException {
            try {
                out.write(b);
            } catch (SocketTimeoutException e) {
                throw timedOut(e);
            }
        }

        @Override public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (SocketTimeoutException e) {
                throw timedOut(e);
            }
        }

        @Override public void flush() throws IOException {
            try {
                out.flush();
            } catch (SocketTimeoutException e) {
                throw timedOut(e);
            }
        }
    }

    /**
     * The connection's input, buffered without the per-call locking of BufferedInputStream (the
     * head is read a byte at a time) and with whole lines taken straight from the buffer.
     */
    private static final class RequestInput extends InputStream {
        /** Null: the bytes in {@code buf} are all there is for now ({@link #hitEnd} says a read wanted more). */
        private final InputStream in;
        private final byte[] buf;
        private int pos, lim;
        private boolean hitEnd;

        RequestInput(InputStream in, int size) {
            this.in = in;
            this.buf = new byte[size];
        }

        /** Over {@code len} bytes of {@code b} from {@code off}, not copied. */
        RequestInput(byte[] b, int off, int len) {
            this.in = null;
            this.buf = b;
            this.pos = off;
            this.lim = off + len;
        }

        private boolean fill() throws IOException {
            if (in == null) {
                hitEnd = true;
                return false;
            }
            pos = 0;
            lim = 0;
            int n = in.read(buf, 0, buf.length);
            if (n <= 0) return false;
            lim = n;
            return true;
        }

        /** The next byte without taking it, -1 at the end of the stream. */
        int peek() throws IOException {
            if (pos == lim && !fill()) return -1;
            return buf[pos] & 0xff;
        }

        /**
         * The next line (without CRLF or LF) if it is whole in the buffer and at most {@code max}
         * bytes before its LF, else null (and nothing taken): the byte-wise path decides then.
         */
        String bufferedLine(int max) {
            int end = Math.min(lim, pos + max + 1);
            for (int i = pos; i < end; i++) {
                if (buf[i] == '\n') {
                    int len = i > pos && buf[i - 1] == '\r' ? i - 1 - pos : i - pos;
                    String line = new String(buf, pos, len, StandardCharsets.ISO_8859_1);
                    pos = i + 1;
                    return line;
                }
            }
            return null;
        }

        @Override public int read() throws IOException {
            if (pos == lim && !fill()) return -1;
            return buf[pos++] & 0xff;
        }

        @Override public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) return 0;
            if (pos == lim) {
                if (len >= buf.length) return in.read(b, off, len);
                if (!fill()) return -1;
            }
            int n = Math.min(len, lim - pos);
            System.arraycopy(buf, pos, b, off, n);
            pos += n;
            return n;
        }

        @Override public int available() throws IOException { return (lim - pos) + (in == null ? 0 : in.available()); }

        @Override public void close() throws IOException {
            if (in != null) in.close();
        }
    }

    private static final class Deadline extends InputStream {
        private final InputStream in;
        private final ReadTimeout timeout;
        private final LongSupplier clock;
        private long deadline;
        private boolean armed;

        Deadline(InputStream in, ReadTimeout timeout, LongSupplier clock) {
            this.in = in;
            this.timeout = timeout;
            this.clock = clock;
        }

        /** Reads must finish within {@code ms} from now (0: no deadline). */
        void expireIn(int ms) {
            armed = ms > 0;
            deadline = clock.getAsLong() + ms * 1_000_000L;
        }

        private void arm() throws IOException {
            if (!armed) {
                timeout.set(0);
                return;
            }
            long left = deadline - clock.getAsLong();
            if (left <= 0) throw new SocketTimeoutException("deadline passed");
            timeout.set((int) Math.max(1, Math.min(Integer.MAX_VALUE, (left + 999_999) / 1_000_000)));
        }

        @Override public int read() throws IOException {
            arm();
            return in.read();
        }

        @Override public int read(byte[] b, int off, int len) throws IOException {
            arm();
            return in.read(b, off, len);
        }

        @Override public int available() throws IOException { return in.available(); }

        @Override public void close() throws IOException { in.close(); }
    }
}
