package org.netstack4j.examples;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import javax.net.SocketFactory;
import org.netstack4j.javanet.NetstackSocketFactory;
import org.netstack4j.linux.TunHost;

/**
 * An HTTP client embedded in an application, its TCP/IP in user space: the application opens a
 * TUN interface ({@link TunHost}), and its requests go out through netstack4j, not the kernel's
 * TCP. The client is plain java.net code over a {@link SocketFactory}, so any HTTP library that
 * takes one works the same way.
 *
 * <p>Run (root): {@code java --enable-native-access=ALL-UNNAMED -cp ... org.netstack4j.examples.EmbeddedHttpClient tun8 10.8.0.2/24 10.8.0.1/24 http://10.8.0.1:8000/}
 * fetches from a server listening on the kernel's side of the TUN.
 */
public final class EmbeddedHttpClient {
    private EmbeddedHttpClient() {}

    public record Response(int status, Map<String, String> headers, byte[] body) {}

    /** GET {@code url} (http, HTTP/1.1, Content-Length or read to close) with a socket from {@code sockets}. */
    public static Response get(SocketFactory sockets, URI url) throws IOException {
        int port = url.getPort() < 0 ? 80 : url.getPort();
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        try (Socket s = sockets.createSocket(url.getHost(), port)) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + url.getHost() + ":" + port
                    + "\r\nUser-Agent: netstack4j-example\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String statusLine = line(in);
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) throw new IOException("not an HTTP response: " + statusLine);
            Map<String, String> headers = new LinkedHashMap<>();
            for (String h; !(h = line(in)).isEmpty(); ) {
                int colon = h.indexOf(':');
                if (colon > 0) headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
            }
            String length = headers.get("content-length");
            byte[] body = length != null ? in.readNBytes(Integer.parseInt(length)) : in.readAllBytes();
            if (length != null && body.length != Integer.parseInt(length)) throw new IOException("body cut short: " + body.length + " of " + length);
            return new Response(Integer.parseInt(parts[1]), headers, body);
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) throw new IOException("connection closed in the response head");
            if (c != '\r') b.write(c);
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    /** {@code EmbeddedHttpClient TUN-NAME OUR-CIDR KERNEL-CIDR URL}: fetches URL through netstack4j on the TUN. */
    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: EmbeddedHttpClient TUN-NAME OUR-CIDR KERNEL-CIDR URL   (e.g. tun8 10.8.0.2/24 10.8.0.1/24 http://10.8.0.1:8000/)");
            System.exit(2);
        }
        try (TunHost tun = TunHost.builder(args[0]).address(args[1]).hostAddress(args[2]).open()) {
            Response r = get(NetstackSocketFactory.of(tun.net()), URI.create(args[3]));
            System.out.println("HTTP " + r.status() + ", " + r.body().length + " bytes");
            System.out.write(r.body(), 0, Math.min(r.body().length, 2000));
            System.out.flush();
        }
    }
}
