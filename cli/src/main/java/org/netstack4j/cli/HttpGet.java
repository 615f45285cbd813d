package org.netstack4j.cli;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import org.netstack4j.socket.NetStack;
import org.netstack4j.socket.TcpSocket;
import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv6Address;

/**
 * An HTTP/1.1 GET over a netstack4j {@link TcpSocket}: one request with "Connection: close", the
 * body framed by chunked encoding, Content-Length or the end of the connection (RFC 9112 6.3),
 * hashed with SHA-256 while it is copied to the sink. A name in the URL is resolved first (GetCommand's --dns).
 */
final class HttpGet {
    private HttpGet() {}

    /**
     * An http:// URL: its host an IPv4 literal ({@code host}), or a name ({@code name}, with
     * {@code host} null until {@link #resolved} gives the address the name stands for).
     */
    record Url(IpAddress host, int port, String path, String name) {
        Url(IpAddress host, int port, String path) { this(host, port, path, null); }

        static Url parse(String text) {
            String t = text.trim();
            if (!t.regionMatches(true, 0, "http://", 0, 7)) {
                if (t.regionMatches(true, 0, "https://", 0, 8))
                    throw new IllegalArgumentException("https is not supported (no TLS in netstack4j): use http://");
                throw new IllegalArgumentException("'" + text + "' is not an http:// URL (for example http://10.7.0.1:8000/file)");
            }
            String rest = t.substring(7);
            int slash = rest.indexOf('/');
            String authority = slash < 0 ? rest : rest.substring(0, slash);
            String path = slash < 0 ? "/" : rest.substring(slash);
            int hash = path.indexOf('#');
            if (hash >= 0) path = path.substring(0, hash);
            if (authority.contains("@")) throw new IllegalArgumentException("user names in URLs are not supported: " + text);
            boolean bracketed = authority.startsWith("[");
            int close = authority.indexOf(']');
            if (bracketed && close < 0) throw new IllegalArgumentException("missing ']' in '" + text + "'");
            // RFC 3986 3.2.2: an IPv6 literal is written in brackets, http://[fd00:7::1]:8000/
            int colon = bracketed ? (close + 1 < authority.length() ? close + 1 : -1) : authority.indexOf(':');
            if (bracketed && colon >= 0 && authority.charAt(colon) != ':') throw new IllegalArgumentException("bad port in '" + text + "'");
            String hostText = bracketed ? authority.substring(1, close) : colon < 0 ? authority : authority.substring(0, colon);
            int port = 80;
            if (colon >= 0) {
                try {
                    port = Integer.parseInt(authority.substring(colon + 1));
                } catch (NumberFormatException e) {
                    port = -1;
                }
                if (port < 1 || port > 65535) throw new IllegalArgumentException("bad port in '" + text + "'");
            }
            IpAddress host = null;
            String name = null;
            try {
                host = bracketed ? Ipv6Address.parse(hostText) : Ipv4Address.parse(hostText);
            } catch (IllegalArgumentException e) {
                if (bracketed) throw new IllegalArgumentException("'" + hostText + "' in brackets is not an IPv6 address: " + e.getMessage());
                if (hostText.contains(":")) throw new IllegalArgumentException("an IPv6 address in a URL goes in brackets: http://[" + hostText + "]/");
                if ( hostText.matches("[0-9.]+") || !hostText.matches("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9.])?"))
                    throw new IllegalArgumentException("'" + hostText + "' is neither an IPv4 address nor a host name (e.g. http://10.7.0.1:8000/ or http://www.example.test/ with --dns)");
                name = hostText;
            }
            if (path.chars().anyMatch(c -> c <= ' ' || c >= 0x7f))
                throw new IllegalArgumentException("the path contains spaces or control characters; percent-encode them: " + text);
            return new Url(host, port, path, name);
        }

        /** The same URL with {@code address} for its name. */
        Url resolved(IpAddress address) { return new Url(address, port, path, name); }

        String hostHeader() {
            String h = name != null ? name : host instanceof Ipv6Address ? "[" + host + "]" : host.toString();
            return port == 80 ? h : h + ":" + port;
        }

        @Override public String toString() { return "http://" + hostHeader() + path; }
    }

    /** The outcome: status line, headers (names lower-cased), body bytes and their SHA-256. */
    record Response(String version, int status, String reason, Map<String, String> headers, long bytes, String sha256, long nanos) {
        boolean ok() { return status >= 200 && status < 300; }
        double mbitPerSecond() { return nanos <= 0 ? 0 : bytes * 8e3 / nanos; }
    }

    /** Told about progress while the body arrives; {@code total} is -1 when unknown. */
    @FunctionalInterface
    interface Progress {
        Progress NONE = (bytes, total) -> {};

        void update(long bytes, long total);
    }

    /**
     * Connects, sends the request and copies the body to {@code sink}. {@code timeoutMs} bounds the
     * connect and each read (0 = none).
     */
    static Response get(NetStack net, Url url, OutputStream sink, Progress progress, int timeoutMs) throws IOException {
        return get(net, url, sink, progress, timeoutMs, timeoutMs);
    }

    /** As above with its own bound on the connect (0 = none). */
    static Response get(NetStack net, Url url, OutputStream sink, Progress progress, int connectTimeoutMs, int timeoutMs)
            throws IOException {
        long start = System.nanoTime();
        try (TcpSocket s = new TcpSocket(net)) {
            s.connect(url.host(), url.port(), connectTimeoutMs);
            s.setSoTimeout(timeoutMs);
            String request = "GET " + url.path() + " HTTP/1.1\r\nHost: " + url.hostHeader()
                    + "\r\nUser-Agent: netstack4j\r\nAccept: */*\r\nConnection: close\r\n\r\n";
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = new BufferedInputStream(s.getInputStream(), 65536);
            String statusLine;
            Map<String, String> headers;
            int status;
            while (true) {
                statusLine = HttpFileServer.readLine(in);
                if (statusLine == null) throw new ProtocolException("the server closed the connection without a response");
                headers = HttpFileServer.readHeaders(in);
                status = statusOf(statusLine);
                if (status >= 200 || status == 101) break; // 1xx interim responses carry no body (RFC 9110 15.2)
            }
            String[] sl = statusLine.split(" ", 3);
            MessageDigest sha = sha256();
            long total = -1;
            long got;
            String te = headers.getOrDefault("transfer-encoding", "").toLowerCase(Locale.ROOT);
            if (status == 204 || status == 304) {
                got = 0;
            } else if (te.endsWith("chunked")) {
                got = chunked(in, sink, sha, progress);
            } else if (headers.containsKey("content-length")) {
                try {
                    total = Long.parseLong(headers.get("content-length").trim());
                } catch (NumberFormatException e) {
                    throw new ProtocolException("bad Content-Length: " + headers.get("content-length"));
                }
                got = copy(in, sink, sha, total, total, progress);
                if (got < total) throw new ProtocolException("connection closed after " + got + " of " + total + " bytes");
            } else {
                got = copy(in, sink, sha, Long.MAX_VALUE, -1, progress);
            }
            sink.flush();
            return new Response(sl[0], status, sl.length > 2 ? sl[2] : "", headers, got,
                    HexFormat.of().formatHex(sha.digest()), System.nanoTime() - start);
        }
    }

    private static int statusOf(String line) throws ProtocolException {
        String[] p = line.split(" ", 3);
        if (p.length < 2 || !p[0].startsWith("HTTP/") || p[1].length() != 3)
            throw new ProtocolException("not an HTTP response: " + line);
        try {
            return Integer.parseInt(p[1]);
        } catch (NumberFormatException e) {
            throw new ProtocolException("not an HTTP response: " + line);
        }
    }

    private static long copy(InputStream in, OutputStream sink, MessageDigest sha, long limit, long total, Progress progress)
            throws IOException {
        byte[] buf = new byte[65536];
        long got = 0;
        while (got < limit) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, limit - got));
            if (n < 0) break;
            sha.update(buf, 0, n);
            sink.write(buf, 0, n);
            got += n;
            progress.update(got, total);
        }
        return got;
    }

    /** RFC 9112 7.1: chunk-size [ext] CRLF data CRLF ... 0 CRLF trailers CRLF. */
    private static long chunked(InputStream in, OutputStream sink, MessageDigest sha, Progress progress) throws IOException {
        long got = 0;
        while (true) {
            String line = HttpFileServer.readLine(in);
            if (line == null) throw new ProtocolException("connection closed inside a chunked body");
            int semi = line.indexOf(';');
            long size;
            try {
                size = Long.parseLong((semi < 0 ? line : line.substring(0, semi)).trim(), 16);
            } catch (NumberFormatException e) {
                throw new ProtocolException("bad chunk size: " + line);
            }
            if (size < 0) throw new ProtocolException("bad chunk size: " + line);
            if (size == 0) {
                HttpFileServer.readHeaders(in); // trailer section
                return got;
            }
            long n = copy(in, sink, sha, size, -1, (b, t) -> {});
            if (n < size) throw new ProtocolException("connection closed inside a chunk");
            got += n;
            progress.update(got, -1);
            if (!"".equals(HttpFileServer.readLine(in))) throw new ProtocolException("missing CRLF after a chunk");
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
