package org.netstack4j.apps.smtp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import org.netstack4j.apps.Server;
import org.netstack4j.apps.net.Network;

/** SMTP on a {@link Network}: a receiving server and a one-message sender. */
public final class Smtp {
    private Smtp() {}

    /** The per-connection loop of a server: bytes in, session, replies out, until the session ends. */
    public static Server.Handler server(String hostname, SmtpServerSession.Mailbox box, SmtpServerSession.Limits limits) {
        return c -> {
            SmtpServerSession s = new SmtpServerSession(hostname, box, limits);
            OutputStream out = c.output();
            InputStream in = c.input();
            byte[] buf = new byte[16384];
            out.write(s.takeOutput());
            out.flush();
            while (!s.closed()) {
                int n = in.read(buf);
                if (n < 0) return;
                s.receive(buf, 0, n);
                byte[] reply = s.takeOutput();
                if (reply.length > 0) {
                    out.write(reply);
                    out.flush();
                }
            }
        };
    }

    /** Sends one message; returns the session (see {@link SmtpClientSession#delivered()} and its transcript). */
    public static SmtpClientSession send(Network net, String host, int port, int timeoutMs, String helo, String from,
                                         List<String> to, byte[] message) throws IOException {
        SmtpClientSession s = new SmtpClientSession(helo, from, to, message);
        try (Network.Connection c = net.connect(host, port, timeoutMs)) {
            c.setReadTimeout(timeoutMs);
            InputStream in = c.input();
            OutputStream out = c.output();
            byte[] buf = new byte[4096];
            while (!s.done()) {
                int n = in.read(buf);
                if (n < 0) {
                    s.closed();
                    break;
                }
                s.receive(buf, 0, n);
                byte[] cmd = s.takeOutput();
                if (cmd.length > 0) {
                    out.write(cmd);
                    out.flush();
                }
            }
        }
        return s;
    }
}
