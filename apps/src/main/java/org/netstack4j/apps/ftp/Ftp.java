package org.netstack4j.apps.ftp;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.netstack4j.apps.Server;
import org.netstack4j.apps.net.Network;
import org.netstack4j.trace.LogText;

/**
 * FTP on a {@link Network}: the server's connection loop, which opens the data connections its
 * session asks for (passive: a listener on a free port; active: a connection back to the
 * client), and a client that downloads one file or a listing, passive or active.
 */
public final class Ftp {
    public static final int DATA_TIMEOUT_MS = 15_000;

    private Ftp() {}

    /** Reads one line (CR LF or LF), at most {@code max} bytes; null at end of stream. */
    static String readLine(InputStream in, int max) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') break;
            if (sb.length() < max) sb.append((char) c);
        }
        if (c < 0 && sb.isEmpty()) return null;
        int n = sb.length();
        if (n > 0 && sb.charAt(n - 1) == '\r') sb.setLength(n - 1);
        return sb.toString();
    }

    public static Server.Handler server(Path root, FtpServerSession.Config config, Network net) {
        return c -> {
            FtpServerSession s = new FtpServerSession(root, config, c.peerHost());
            InputStream in = new BufferedInputStream(c.input());
            OutputStream out = c.output();
            Network.Listener passive = null;
            try {
                flush(s, out);
                while (!s.closed()) {
                    String line = readLine(in, config.maxLine() + 1);
                    if (line == null) return;
                    Object r = s.command(line);
                    if (r instanceof String mode) { // PASV or EPSV: a listener on a free port
                        if (passive != null) passive.close();
                        passive = net.listen(0, 1);
                        passive.setAcceptTimeout(DATA_TIMEOUT_MS);
                        s.passiveReady(mode.equals("EPSV"), c.localHost(), passive.port());
                    }
                    flush(s, out);
                    if (r instanceof FtpServerSession.DataRequest d) {
                        String err = null;
                        try (Network.Connection data = d.passive() ? passive.accept() : net.connect(d.activeHost(), d.activePort(), DATA_TIMEOUT_MS)) {
                            send(d, data.output());
                        } catch (IOException e) {
                            err = (d.passive() ? "" : "connect: ") + e.getMessage();
                        } finally {
                            if (passive != null) { passive.close(); passive = null; }
                        }
                        s.dataFinished(err);
                        flush(s, out);
                    }
                }
                if (s.tooManyErrors()) throw new IOException("too many errors (" + config.maxErrors() + "), closed after 421");
            } finally {
                if (passive != null) passive.close();
            }
        };
    }

    private static void flush(FtpServerSession s, OutputStream out) throws IOException {
        String r = s.takeOutput();
        if (r.isEmpty()) return;
        out.write(r.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void send(FtpServerSession.DataRequest d, OutputStream out) throws IOException {
        if (d.isListing()) {
            out.write(d.listing());
        } else {
            try (InputStream f = Files.newInputStream(d.file())) {
                f.skipNBytes(d.offset());
                if (!d.ascii()) {
                    f.transferTo(out);
                } else { // TYPE A: line ends as CR LF on the wire (RFC 959 3.1.1.1)
                    byte[] buf = new byte[8192];
                    int n, prev = -1;
                    java.io.ByteArrayOutputStream chunk = new java.io.ByteArrayOutputStream(9000);
                    while ((n = f.read(buf)) > 0) {
                        chunk.reset();
                        for (int i = 0; i < n; i++) {
                            if (buf[i] == '\n' && prev != '\r') chunk.write('\r');
                            chunk.write(buf[i]);
                            prev = buf[i];
                        }
                        chunk.writeTo(out);
                    }
                }
            }
        }
        out.flush();
    }

    /** A client's result: bytes received, the server's last reply, and the dialogue. */
    public record Download(long bytes, String lastReply, java.util.List<String> transcript) {}

    /**
     * Downloads {@code path} (or lists it when {@code list}) from an FTP server into {@code sink},
     * in passive (EPSV, then PASV) or active (EPRT, then PORT) mode, binary type.
     */
    public static Download retrieve(Network net, String host, int port, String user, String password, String path,
                                    boolean active, boolean list, OutputStream sink) throws IOException {
        java.util.List<String> log = new java.util.ArrayList<>();
        try (Network.Connection c = net.connect(host, port, DATA_TIMEOUT_MS)) {
            c.setReadTimeout(DATA_TIMEOUT_MS);
            InputStream in = new BufferedInputStream(c.input());
            OutputStream out = c.output();
            expect(in, log, 220);
            cmd(out, log, "USER " + user);
            String r = reply(in, log);
            if (r.startsWith("331")) { cmd(out, log, "PASS " + password); r = reply(in, log); }
            if (!r.startsWith("230")) throw new IOException("login refused: " + r);
            cmd(out, log, "TYPE I");
            expect(in, log, 200);
            Network.Listener listener = null;
            String dataHost = host;
            int dataPort;
            try {
                if (active) {
                    listener = net.listen(0, 1);
                    listener.setAcceptTimeout(DATA_TIMEOUT_MS);
                    String me = c.localHost();
                    cmd(out, log, "EPRT |" + (me.contains(":") ? 2 : 1) + "|" + me + "|" + listener.port() + "|");
                    r = reply(in, log);
                    if (!r.startsWith("200") && !me.contains(":")) {
                        cmd(out, log, "PORT " + me.replace('.', ',') + "," + (listener.port() >>> 8) + "," + (listener.port() & 0xff));
                        r = reply(in, log);
                    }
                    if (!r.startsWith("200")) throw new IOException("active mode refused: " + r);
                    dataPort = listener.port();
                } else {
                    cmd(out, log, "EPSV");
                    r = reply(in, log);
                    if (r.startsWith("229")) {
                        dataPort = Integer.parseInt(r.replaceAll(".*\\(\\|\\|\\|(\\d+)\\|\\).*", "$1"));
                    } else {
                        cmd(out, log, "PASV");
                        r = reply(in, log);
                        if (!r.startsWith("227")) throw new IOException("passive mode refused: " + r);
                        String[] f = r.replaceAll(".*\\((\\d+,\\d+,\\d+,\\d+,\\d+,\\d+)\\).*", "$1").split(",");
                        dataHost = f[0] + "." + f[1] + "." + f[2] + "." + f[3];
                        dataPort = Integer.parseInt(f[4]) * 256 + Integer.parseInt(f[5]);
                    }
                }
                Network.Connection data = active ? null : net.connect(dataHost, dataPort, DATA_TIMEOUT_MS);
                cmd(out, log, (list ? "LIST " : "RETR ") + path);
                r = reply(in, log);
                if (!r.startsWith("150") && !r.startsWith("125")) {
                    if (data != null) data.close();
                    throw new IOException("transfer refused: " + r);
                }
                long bytes;
                try (Network.Connection d = active ? listener.accept() : data) {
                    d.setReadTimeout(DATA_TIMEOUT_MS);
                    bytes = d.input().transferTo(sink);
                }
                r = reply(in, log);
                if (!r.startsWith("226") && !r.startsWith("250")) throw new IOException("transfer failed: " + r);
                cmd(out, log, "QUIT");
                reply(in, log);
                return new Download(bytes, r, log);
            } finally {
                if (listener != null) listener.close();
            }
        }
    }

    private static void cmd(OutputStream out, java.util.List<String> log, String line) throws IOException {
        log.add("C: " + (line.startsWith("PASS ") ? "PASS ****" : line));
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Reads a whole reply (multi-line replies end with "NNN "); returns its last line. */
    private static String reply(InputStream in, java.util.List<String> log) throws IOException {
        String first = readLine(in, 4096);
        if (first == null) throw new IOException("the server closed the control connection");
        log.add("S: " + LogText.controls(first));
        String line = first;
        if (first.length() >= 4 && first.charAt(3) == '-') {
            String code = first.substring(0, 3);
            do {
                line = readLine(in, 4096);
                if (line == null) throw new IOException("the server closed the control connection");
                log.add("S: " + LogText.controls(line));
            } while (!(line.startsWith(code) && line.length() >= 4 && line.charAt(3) == ' '));
        }
        return line;
    }

    private static void expect(InputStream in, java.util.List<String> log, int code) throws IOException {
        String r = reply(in, log);
        if (!r.startsWith(String.valueOf(code))) throw new IOException("expected " + code + ", got: " + r);
    }
}
