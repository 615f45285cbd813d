package org.netstack4j.cli;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.netstack4j.apps.dns.Dns;
import org.netstack4j.apps.dns.Resolver;
import org.netstack4j.apps.net.Network;
import org.netstack4j.time.Time;

/** {@code --dns ADDR[:PORT]}: the DNS server a command's resolver asks (an address: there is nobody to resolve it). */
final class DnsOption {
    private DnsOption() {}

    record Server(InetAddress address, int port) {
        @Override public String toString() { return address.getHostAddress() + (port == 53 ? "" : ":" + port); }
    }

    /** Parses "10.7.0.1", "10.7.0.1:5353", "fd00::1" or "[fd00::1]:5353". */
    static Server parse(String text) {
        String t = text.strip();
        String host = t;
        int port = 53;
        if (t.startsWith("[")) {
            int end = t.indexOf(']');
            if (end < 0) throw new Main.UsageError("--dns: missing ']' in " + text);
            host = t.substring(1, end);
            if (t.length() > end + 1) {
                if (t.charAt(end + 1) != ':') throw new Main.UsageError("--dns: expected [ADDRESS]:PORT, not " + text);
                port = port("--dns", t.substring(end + 2));
            }
        } else if (t.indexOf(':') == t.lastIndexOf(':') && t.indexOf(':') >= 0) {
            host = t.substring(0, t.indexOf(':'));
            port = port("--dns", t.substring(t.indexOf(':') + 1));
        }
        if (!Dns.Client.isLiteral(host))
            throw new Main.UsageError("--dns wants the DNS server's address (e.g. --dns 10.7.0.1 or --dns 10.7.0.1:5353), not '" + text + "'");
        try {
            return new Server(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new Main.UsageError("--dns: '" + text + "' is not an address");
        }
    }

    /** A port number given to {@code flag}, or a usage error. */
    static int port(String flag, String p) {
        try {
            int n = Integer.parseInt(p);
            if (n >= 1 && n <= 65535) return n;
        } catch (NumberFormatException ignored) {
            // said below
        }
        throw new Main.UsageError(flag + ": bad port '" + p + "' (1-65535)");
    }

    /** A blocking resolver client asking {@code server} over {@code net}: 2 s per attempt, 3 attempts. */
    static Dns.Client client(Network net, Server server, long seed) {
        Resolver r = new Resolver(new Resolver.Config(List.of(server.address()), server.port(), Time.s(2), 3, 256, 86_400), seed);
        return new Dns.Client(net, r);
    }
}
