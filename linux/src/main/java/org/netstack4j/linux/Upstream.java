package org.netstack4j.linux;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Objects;
import org.netstack4j.tcp.TcpIntercept.Refusal;

/**
 * Where the gateway relays an intercepted TCP flow: straight from the host's own sockets
 * ({@link Direct}) or through a SOCKS5 proxy ({@link Socks5}, RFC 1928 CONNECT, no
 * authentication); and where it relays a UDP session ({@link #openUdp}: a host socket, or a
 * SOCKS5 UDP ASSOCIATE). A failed connect is an {@link Failed} carrying the answer the client should
 * get: refused becomes a RST, unreachable an ICMP error.
 */
public sealed interface Upstream {
    /** Connects to {@code target} within {@code timeoutMs}; the socket is connected (and, for SOCKS5, the tunnel open). */
    Socket connect(InetSocketAddress target, int timeoutMs) throws Failed;

    /**
     * Opens a UDP path for one intercepted UDP session of {@code family}: a host socket
     * ({@link Direct}) or a SOCKS5 UDP association ({@link Socks5}, RFC 1928 section 7). Blocks
     * for the proxy's handshake: call it off the stack's loop.
     */
    UdpPath openUdp(java.net.ProtocolFamily family, int timeoutMs) throws IOException;

    /** A short name for logs: "direct" or "socks5 HOST:PORT". */
    String describe();

    /** A datagram from {@code from} (the original remote endpoint, not a proxy's). */
    record Datagram(InetSocketAddress from, byte[] data) {}

    /** Where one UDP session's datagrams go to and come from; closing it ends the session's upstream. */
    interface UdpPath extends java.io.Closeable {
        void send(InetSocketAddress to, byte[] data) throws IOException;

        /** Blocks for the next datagram; null for one that is to be dropped (malformed, fragmented, not from the relay). */
        Datagram receive(ByteBuffer scratch) throws IOException;
    }

    /** Why the upstream connect failed, and how the intercepted client is to be refused. */
    final class Failed extends IOException {
        private final Refusal refusal;

        public Failed(String message, Refusal refusal, Throwable cause) {
            super(message, cause);
            this.refusal = refusal;
        }

        public Refusal refusal() { return refusal; }
    }

    /** The kernel's own sockets. */
    record Direct() implements Upstream {
        @Override public Socket connect(InetSocketAddress target, int timeoutMs) throws Failed {
            Socket s = new Socket();
            try {
                s.setTcpNoDelay(true);
                s.connect(target, timeoutMs);
                return s;
            } catch (IOException e) {
                try { s.close(); } catch (IOException ignored) { /* failing already */ }
                throw failure(e);
            }
        }

        @Override public UdpPath openUdp(java.net.ProtocolFamily family, int timeoutMs) throws IOException {
            DatagramChannel ch = DatagramChannel.open(family);
            try {
                ch.bind(null);
            } catch (IOException e) {
                ch.close();
                throw e;
            }
            return new UdpPath() {
                @Override public void send(InetSocketAddress to, byte[] data) throws IOException { ch.send(ByteBuffer.wrap(data), to); }

                @Override public Datagram receive(ByteBuffer bb) throws IOException {
                    bb.clear();
                    InetSocketAddress from = (InetSocketAddress) ch.receive(bb);
                    bb.flip();
                    byte[] d = new byte[bb.remaining()];
                    bb.get(d);
                    return new Datagram(from, d);
                }

                @Override public void close() throws IOException { ch.close(); }
            };
        }

        @Override public String describe() { return "direct"; }
    }

    /** RFC 1928 SOCKS5 CONNECT through {@code proxy}, method "no authentication required". */
    record Socks5(InetSocketAddress proxy) implements Upstream {
        public Socks5 {
            Objects.requireNonNull(proxy, "proxy");
        }

        @Override public Socket connect(InetSocketAddress target, int timeoutMs) throws Failed {
            Socket s = new Socket();
            try {
                s.setTcpNoDelay(true);
                try {
                    s.connect(proxy, timeoutMs);
                } catch (IOException e) {
                    // the proxy itself is down: the client cannot get anywhere
                    throw new Failed("SOCKS5 proxy " + proxy + ": " + e.getMessage(), Refusal.HOST_UNREACHABLE, e);
                }
                s.setSoTimeout(timeoutMs);
                handshake(s.getInputStream(), s.getOutputStream(), target);
                s.setSoTimeout(0);
                return s;
            } catch (Failed f) {
                close(s);
                throw f;
            } catch (IOException e) {
                close(s);
                throw new Failed("SOCKS5 " + proxy + ": " + e.getMessage(), Refusal.RESET, e);
            }
        }

        private static void close(Socket s) {
            try { s.close(); } catch (IOException ignored) { /* failing already */ }
        }

        /** RFC 1928 sections 3, 4 and 6: greeting, CONNECT request, reply. */
        static void handshake(InputStream rawIn, OutputStream out, InetSocketAddress target) throws IOException {
            request(rawIn, out, CONNECT, target);
        }

        static final int CONNECT = 1, UDP_ASSOCIATE = 3;

        /**
         * RFC 1928 sections 3, 4 and 6 for command {@code cmd}: greeting, request, reply; returns
         * the reply's BND.ADDR:BND.PORT (unresolved when the server names a domain).
         */
        static InetSocketAddress request(InputStream rawIn, OutputStream out, int cmd, InetSocketAddress target) throws IOException {
            DataInputStream in = new DataInputStream(rawIn);
            // 3: VER 5, NMETHODS 1, METHOD 0 (no authentication required)
            out.write(new byte[] {5, 1, 0});
            out.flush();
            int ver = in.readUnsignedByte(), method = in.readUnsignedByte();
            if (ver != 5) throw new Failed("not a SOCKS5 server (version " + ver + ")", Refusal.RESET, null);
            if (method != 0) throw new Failed("SOCKS5 server wants authentication (method " + method + ")", Refusal.ADMIN_PROHIBITED, null);
            // 4: VER 5, CMD (1 CONNECT, 3 UDP ASSOCIATE), RSV, ATYP 1 (IPv4) or 4 (IPv6), DST.ADDR, DST.PORT
            byte[] req = new byte[3 + addressLength(target)];
            req[0] = 5;
            req[1] = (byte) cmd;
            putAddress(req, 3, target);
            out.write(req);
            out.flush();
            // 6: VER, REP, RSV, ATYP, BND.ADDR, BND.PORT
            int rver = in.readUnsignedByte(), rep = in.readUnsignedByte();
            in.readUnsignedByte();
            int atyp = in.readUnsignedByte();
            if (rver != 5) throw new Failed("bad SOCKS5 reply version " + rver, Refusal.RESET, null);
            if (rep != 0) throw new Failed("SOCKS5: " + replyText(rep), refusalOf(rep), null);
            int n = switch (atyp) {
                case 1 -> 4;
                case 4 -> 16;
                case 3 -> in.readUnsignedByte();
                default -> throw new Failed("bad SOCKS5 address type " + atyp, Refusal.RESET, null);
            };
            byte[] bnd = new byte[n + 2];
            in.readFully(bnd);
            int port = (bnd[n] & 0xff) << 8 | bnd[n + 1] & 0xff;
            if (atyp == 3) return InetSocketAddress.createUnresolved(new String(bnd, 0, n, java.nio.charset.StandardCharsets.US_ASCII), port);
            return new InetSocketAddress(InetAddress.getByAddress(java.util.Arrays.copyOf(bnd, n)), port);
        }

        /** ATYP, the address and the port: 1 + 4 + 2 bytes for IPv4, 1 + 16 + 2 for IPv6. */
        static int addressLength(InetSocketAddress a) { return 1 + a.getAddress().getAddress().length + 2; }

        /** Writes ATYP, DST.ADDR and DST.PORT (RFC 1928 sections 4 and 7) at {@code off}; returns the offset after them. */
        static int putAddress(byte[] b, int off, InetSocketAddress a) {
            byte[] addr = a.getAddress().getAddress();
            b[off] = (byte) (a.getAddress() instanceof Inet4Address ? 1 : 4);
            System.arraycopy(addr, 0, b, off + 1, addr.length);
            int p = off + 1 + addr.length;
            b[p] = (byte) (a.getPort() >> 8);
            b[p + 1] = (byte) a.getPort();
            return p + 2;
        }

        /** RFC 1928 7: RSV (2), FRAG 0, ATYP, DST.ADDR, DST.PORT, then the data. */
        static byte[] encapsulate(InetSocketAddress to, byte[] data) {
            byte[] b = new byte[3 + addressLength(to) + data.length];
            int off = putAddress(b, 3, to);
            System.arraycopy(data, 0, b, off, data.length);
            return b;
        }

        /**
         * RFC 1928 7, a relayed reply: its header names the remote endpoint. Null when it is to be
         * dropped: too short, a fragment (FRAG != 0: "an implementation that does not support
         * fragmentation MUST drop any datagram whose FRAG field is other than X'00'"), or a
         * domain name as the address.
         */
        static Datagram decapsulate(byte[] b, int len) {
            if (len < 4 || b[2] != 0) return null;
            int n = switch (b[3]) {
                case 1 -> 4;
                case 4 -> 16;
                default -> -1;
            };
            if (n < 0 || len < 4 + n + 2) return null;
            try {
                InetAddress from = InetAddress.getByAddress(java.util.Arrays.copyOfRange(b, 4, 4 + n));
                int port = (b[4 + n] & 0xff) << 8 | b[5 + n] & 0xff;
                return new Datagram(new InetSocketAddress(from, port), java.util.Arrays.copyOfRange(b, 6 + n, len));
            } catch (java.net.UnknownHostException e) {
                return null; // cannot happen for 4 or 16 bytes
            }
        }

        /**
         * RFC 1928 4 and 7, UDP ASSOCIATE: a control connection to the proxy, a UDP socket bound on
         * the same local address (its address and port are the request's DST, so the relay accepts
         * datagrams from it only), datagrams to the relay the reply names (BND; the proxy's own
         * address when BND is unspecified). The association ends when the control connection
         * does, so it is watched: its end closes the UDP socket.
         */
        @Override public UdpPath openUdp(java.net.ProtocolFamily family, int timeoutMs) throws IOException {
            Socket control = new Socket();
            DatagramChannel ch = null;
            try {
                try {
                    control.connect(proxy, timeoutMs);
                } catch (IOException e) {
                    throw new Failed("SOCKS5 proxy " + proxy + ": " + e.getMessage(), Refusal.HOST_UNREACHABLE, e);
                }
                InetAddress local = control.getLocalAddress();
                ch = DatagramChannel.open(local instanceof Inet4Address ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6);
                ch.bind(new InetSocketAddress(local, 0));
                control.setSoTimeout(timeoutMs);
                InetSocketAddress bnd = request(control.getInputStream(), control.getOutputStream(), UDP_ASSOCIATE,
                        (InetSocketAddress) ch.getLocalAddress());
                control.setSoTimeout(0);
                InetSocketAddress relay = bnd.isUnresolved() ? new InetSocketAddress(bnd.getHostString(), bnd.getPort()) : bnd;
                if (relay.isUnresolved() || relay.getAddress().isAnyLocalAddress()) relay = new InetSocketAddress(proxy.getAddress(), relay.getPort());
                return new Association(control, ch, relay);
            } catch (IOException | RuntimeException e) {
                close(control);
                if (ch != null) ch.close();
                throw e;
            }
        }

        /** One UDP ASSOCIATE: the control connection, the UDP socket, the relay's address. */
        private static final class Association implements UdpPath {
            private final Socket control;
            private final DatagramChannel channel;
            private final InetSocketAddress relay;

            Association(Socket control, DatagramChannel channel, InetSocketAddress relay) {
                this.control = control;
                this.channel = channel;
                this.relay = relay;
                Thread.ofVirtual().name("socks5-udp-control " + relay).start(() -> {
                    try {
                        InputStream in = control.getInputStream();
                        while (in.read() >= 0) { /* nothing is sent on it after the reply */ }
                    } catch (IOException closed) {
                        // closed by us or reset by the proxy: either way the association is over
                    }
                    try { close(); } catch (IOException ignored) { /* best effort */ }
                });
            }

            @Override public void send(InetSocketAddress to, byte[] data) throws IOException {
                channel.send(ByteBuffer.wrap(encapsulate(to, data)), relay);
            }

            @Override public Datagram receive(ByteBuffer bb) throws IOException {
                bb.clear();
                InetSocketAddress from = (InetSocketAddress) channel.receive(bb);
                // RFC 1928 7: the client accepts datagrams from the relay only
                if (!from.equals(relay)) return null;
                return decapsulate(bb.array(), bb.position());
            }

            @Override public void close() throws IOException {
                Socks5.close(control);
                channel.close();
            }
        }

        /** RFC 1928 6: the REP field. */
        static String replyText(int rep) {
            return switch (rep) {
                case 1 -> "general SOCKS server failure";
                case 2 -> "connection not allowed by ruleset";
                case 3 -> "Network unreachable";
                case 4 -> "Host unreachable";
                case 5 -> "Connection refused";
                case 6 -> "TTL expired";
                case 7 -> "Command not supported";
                case 8 -> "Address type not supported";
                default -> "reply " + rep;
            };
        }

        static Refusal refusalOf(int rep) {
            return switch (rep) {
                case 2 -> Refusal.ADMIN_PROHIBITED;
                case 3 -> Refusal.NETWORK_UNREACHABLE;
                case 4, 6 -> Refusal.HOST_UNREACHABLE;
                default -> Refusal.RESET;
            };
        }

        @Override public String describe() { return "socks5 " + proxy.getHostString() + ":" + proxy.getPort(); }
    }

    /** How a kernel connect failure is passed on to the client. */
    static Failed failure(IOException e) {
        String m = String.valueOf(e.getMessage());
        Refusal r;
        if (e instanceof ConnectException && m.contains("refused")) r = Refusal.RESET;
        else if (e instanceof NoRouteToHostException || m.contains("unreachable")) r = m.contains("Network") ? Refusal.NETWORK_UNREACHABLE : Refusal.HOST_UNREACHABLE;
        else if (e instanceof SocketTimeoutException) r = Refusal.HOST_UNREACHABLE;
        else r = Refusal.RESET;
        return new Failed(m, r, e);
    }
}
