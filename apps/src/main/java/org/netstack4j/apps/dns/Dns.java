package org.netstack4j.apps.dns;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.netstack4j.apps.Server;
import org.netstack4j.apps.net.Network;
import org.netstack4j.trace.LogText;

/**
 * DNS on a {@link Network}: an authoritative server on UDP and TCP (RFC 7766: length-prefixed
 * messages, several queries per connection, an idle timeout), and a blocking client that drives
 * the sans-IO {@link Resolver} with real sockets and the system clock.
 */
public final class Dns {
    private Dns() {}

    /** A running server: close it to stop both transports. */
    public static final class Running implements AutoCloseable {
        private final Network.Datagrams udp;
        private final Server tcp;
        private final Thread udpThread;
        private final AtomicLong udpQueries = new AtomicLong();
        private volatile boolean closed;

        Running(Network.Datagrams udp, Server tcp, Authority a, Consumer<String> log) {
            this.udp = udp;
            this.tcp = tcp;
            this.udpThread = Thread.ofVirtual().name("dns-udp").start(() -> {
                while (!closed) {
                    try {
                        Network.Datagrams.Datagram d = udp.receive(0);
                        if (d == null) continue;
                        udpQueries.incrementAndGet();
                        byte[] reply = a.answer(d.data(), 0, d.data().length, true);
                        if (reply != null) udp.send(d.host(), d.port(), reply);
                    } catch (IOException e) {
                        if (!closed) log.accept("dns: udp: " + LogText.controls(String.valueOf(e.getMessage())));
                    }
                }
            });
        }

        public int port() { return udp.port(); }
        public long udpQueries() { return udpQueries.get(); }
        public Server tcp() { return tcp; }

        @Override public void close() throws IOException {
            closed = true;
            udp.close();
            tcp.close();
            udpThread.interrupt();
        }
    }

    /** Serves {@code authority} on {@code port} over UDP and TCP. */
    public static Running serve(Network net, int port, Authority authority, int maxTcpConnections, Consumer<String> log) throws IOException {
        Network.Datagrams udp = net.bindUdp(port);
        Server tcp = new Server("dns-tcp", net.listen(udp.port(), 16), maxTcpConnections, 10_000, log, c -> {
            DataInputStream in = new DataInputStream(c.input());
            OutputStream out = c.output();
            while (true) {
                int len;
                try {
                    len = in.readUnsignedShort();
                } catch (java.io.EOFException e) {
                    return;
                }
                byte[] q = in.readNBytes(len);
                if (q.length < len) return;
                byte[] r = authority.answer(q, 0, q.length, false);
                if (r == null) return;
                byte[] framed = new byte[r.length + 2];
                framed[0] = (byte) (r.length >>> 8);
                framed[1] = (byte) r.length;
                System.arraycopy(r, 0, framed, 2, r.length);
                out.write(framed);
                out.flush();
            }
        });
        return new Running(udp, tcp, authority, log);
    }

    /** A blocking client: one lookup at a time through a {@link Resolver}. */
    public static final class Client {
        private final Network net;
        private final Resolver resolver;
        private final long origin = System.nanoTime();

        public Client(Network net, Resolver resolver) {
            this.net = net;
            this.resolver = resolver;
        }

        public Resolver resolver() { return resolver; }

        /** Looks {@code name} up; waits at most the resolver's timeouts. */
        public synchronized Resolver.Result lookup(DnsName name, int type) throws IOException {
            Resolver.Result[] result = new Resolver.Result[1];
            resolver.lookup(now(), name, type, r -> result[0] = r);
            List<Attempt> open = new ArrayList<>();
            try {
                while (result[0] == null) {
                    Object o;
                    while ((o = resolver.pollTransmit()) != null) {
                        if (o instanceof Resolver.Datagram d) open.add(send(d));
                        else if (o instanceof Resolver.TcpExchange t) resolver.onTcpResponse(now(), t.exchangeId(), exchange(t));
                    }
                    if (result[0] != null) break;
                    long waitNs = Math.max(1_000_000, resolver.pollAt() - now());
                    Attempt a = open.isEmpty() ? null : open.getLast();
                    Network.Datagrams.Datagram got = a == null ? null : a.socket.receive((int) Math.min(Integer.MAX_VALUE, waitNs / 1_000_000));
                    if (got != null) {
                        resolver.onDatagram(now(), a.localPort, InetAddress.getByName(got.host()), got.port(), got.data(), 0, got.data().length);
                    } else {
                        resolver.poll(now());
                    }
                }
            } finally {
                for (Attempt a : open) a.socket.close();
            }
            return result[0];
        }

        /**
         * The addresses of {@code host} as text: the literal itself if it is one, else its A
         * records, then its AAAA records (CNAMEs followed by the resolver). Throws
         * UnknownHostException saying why when there are none.
         */
        public List<String> addresses(String host) throws IOException {
            return addresses(host, new int[] {DnsType.A, DnsType.AAAA}, true, "");
        }

        /**
         * The addresses of {@code host} in the order to try them, for a host that can use IPv4
         * ({@code ipv4}) and/or IPv6 ({@code ipv6}). RFC 6724 section 6 reduced to its default
         * policy table (rule 6, precedence: ::/0 at 40 above IPv4's ::ffff:0:0/96 at 35): the AAAA
         * addresses first, then the A addresses, both asked so that a caller whose connection to one
         * fails tries the next. A family the host cannot use is not asked; a literal of it is refused.
         */
        public List<String> addresses(String host, boolean ipv4, boolean ipv6) throws IOException {
            if (!ipv4 && !ipv6) throw new IllegalArgumentException("neither IPv4 nor IPv6");
            String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
            boolean six = h.indexOf(':') >= 0;
            if (isLiteral(h) && (six ? !ipv6 : !ipv4))
                throw new java.net.UnknownHostException(h + " is an IPv" + (six ? "6" : "4") + " address and this host has no IPv" + (six ? "6" : "4"));
            int[] types = ipv6 && ipv4 ? new int[] {DnsType.AAAA, DnsType.A} : new int[] {ipv6 ? DnsType.AAAA : DnsType.A};
            return addresses(h, types, false, ipv4 && ipv6 ? "" : " (this host has IPv" + (ipv4 ? "4" : "6") + " only)");
        }

        /** The records of {@code types} in turn; with {@code firstFound}, those of the first type that has some. */
        private List<String> addresses(String host, int[] types, boolean firstFound, String suffix) throws IOException {
            String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
            if (isLiteral(h)) return List.of(h);
            DnsName name;
            try {
                name = DnsName.parse(h);
            } catch (IllegalArgumentException e) {
                throw new java.net.UnknownHostException(h + ": " + e.getMessage());
            }
            List<String> out = new ArrayList<>();
            String why = null;
            for (int type : types) {
                switch (lookup(name, type)) {
                    case Resolver.Result.Answer a -> {
                        for (ResourceRecord rr : a.records()) if (rr.type() == type) out.add(rr.data().toString());
                    }
                    case Resolver.Result.NxDomain nx -> { throw new java.net.UnknownHostException(h + ": no such name (NXDOMAIN)"); }
                    case Resolver.Result.NoData nd -> {
                        if (why == null) why = firstFound ? "the name has no address records" : "no " + DnsType.name(type) + " record";
                    }
                    case Resolver.Result.Failure f -> why = f.reason();
                }
                if (firstFound && !out.isEmpty()) return out;
            }
            if (out.isEmpty()) throw new java.net.UnknownHostException(h + ": " + (why == null ? "no address" : why) + suffix);
            return out;
        }

        /** True for an IPv4 dotted quad or an IPv6 literal (text only: never a lookup). */
        public static boolean isLiteral(String h) {
            return h.matches("\\d{1,3}(\\.\\d{1,3}){3}") || h.indexOf(':') >= 0 && h.matches("[0-9A-Fa-f:.]+");
        }

        private record Attempt(Network.Datagrams socket, int localPort) {}

        private Attempt send(Resolver.Datagram d) throws IOException {
            Network.Datagrams s;
            try {
                s = net.bindUdp(d.localPort());
            } catch (IOException busy) { // the random port is taken: any free one (the answer is still checked)
                s = net.bindUdp(0);
            }
            s.send(d.server().getHostAddress(), d.serverPort(), d.payload());
            return new Attempt(s, d.localPort());
        }

        private byte[] exchange(Resolver.TcpExchange t) {
            try (Network.Connection c = net.connect(t.server().getHostAddress(), t.serverPort(), 5000)) {
                c.setReadTimeout(5000);
                c.output().write(t.payload());
                c.output().flush();
                InputStream in = c.input();
                DataInputStream din = new DataInputStream(in);
                int len = din.readUnsignedShort();
                byte[] r = din.readNBytes(len);
                return r.length == len ? r : null;
            } catch (IOException e) {
                return null;
            }
        }

        private long now() { return System.nanoTime() - origin; }
    }
}
