package org.netstack4j.apps.smtp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import org.netstack4j.apps.Server;
import org.netstack4j.apps.dns.Dns;
import org.netstack4j.apps.dns.DnsName;
import org.netstack4j.apps.dns.DnsType;
import org.netstack4j.apps.dns.ResourceRecord;
import org.netstack4j.apps.dns.Resolver;
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
            if (s.tooManyErrors()) throw new IOException("too many errors (" + limits.maxErrors() + "), closed after 421");
        };
    }

    /**
     * Where mail for {@code domain} goes (RFC 5321 5.1): the addresses of its MX hosts, lowest
     * preference first; with no MX records, the domain's own addresses (the implicit MX).
     */
    public static List<String> mailHosts(Dns.Client dns, String domain) throws IOException {
        if (Dns.Client.isLiteral(domain.replaceAll("^\\[|\\]$", ""))) return dns.addresses(domain);
        DnsName name;
        try {
            name = DnsName.parse(domain);
        } catch (IllegalArgumentException e) {
            throw new java.net.UnknownHostException(domain + ": " + e.getMessage());
        }
        List<ResourceRecord.Rdata.Mx> mx = new java.util.ArrayList<>();
        switch (dns.lookup(name, DnsType.MX)) {
            case Resolver.Result.Answer a -> {
                for (ResourceRecord rr : a.records()) if (rr.data() instanceof ResourceRecord.Rdata.Mx m) mx.add(m);
            }
            case Resolver.Result.NxDomain nx -> throw new java.net.UnknownHostException(domain + ": no such domain (NXDOMAIN)");
            case Resolver.Result.NoData nd -> { return dns.addresses(domain); }
            case Resolver.Result.Failure f -> throw new java.net.UnknownHostException(domain + ": MX lookup failed: " + f.reason());
        }
        mx.sort(java.util.Comparator.comparingInt(ResourceRecord.Rdata.Mx::preference));
        List<String> out = new java.util.ArrayList<>();
        IOException last = null;
        for (ResourceRecord.Rdata.Mx m : mx) {
            try {
                out.addAll(dns.addresses(m.exchange().toString()));
            } catch (IOException e) {
                last = e;
            }
        }
        if (out.isEmpty()) throw last != null ? last : new java.net.UnknownHostException(domain + ": MX records name no host");
        return out;
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
