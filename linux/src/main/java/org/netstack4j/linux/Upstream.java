package org.netstack4j.linux;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Objects;
import org.netstack4j.tcp.TcpIntercept.Refusal;

/**
 * Where the gateway relays an intercepted TCP flow: straight from the host's own sockets
 * ({@link Direct}) or through a SOCKS5 proxy ({@link Socks5}, RFC 1928 CONNECT, no
 * authentication). A failed connect is an {@link Failed} carrying the answer the client should
 * get: refused becomes a RST, unreachable an ICMP error.
 */
public sealed interface Upstream {
    /** Connects to {@code target} within {@code timeoutMs}; the socket is connected (and, for SOCKS5, the tunnel open). */
    Socket connect(InetSocketAddress target, int timeoutMs) throws Failed;

    /** A short name for logs: "direct" or "socks5 HOST:PORT". */
    String describe();

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
            DataInputStream in = new DataInputStream(rawIn);
            // 3: VER 5, NMETHODS 1, METHOD 0 (no authentication required)
            out.write(new byte[] {5, 1, 0});
            out.flush();
            int ver = in.readUnsignedByte(), method = in.readUnsignedByte();
            if (ver != 5) throw new Failed("not a SOCKS5 server (version " + ver + ")", Refusal.RESET, null);
            if (method != 0) throw new Failed("SOCKS5 server wants authentication (method " + method + ")", Refusal.ADMIN_PROHIBITED, null);
            // 4: VER 5, CMD 1 CONNECT, RSV, ATYP 1 (IPv4) or 4 (IPv6), DST.ADDR, DST.PORT
            byte[] addr = target.getAddress().getAddress();
            byte[] req = new byte[4 + addr.length + 2];
            req[0] = 5;
            req[1] = 1;
            req[3] = (byte) (target.getAddress() instanceof Inet4Address ? 1 : 4);
            System.arraycopy(addr, 0, req, 4, addr.length);
            req[4 + addr.length] = (byte) (target.getPort() >> 8);
            req[5 + addr.length] = (byte) target.getPort();
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
            in.readFully(new byte[n + 2]);
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
