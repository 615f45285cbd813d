package org.netstack4j.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import org.junit.jupiter.api.Test;
import org.netstack4j.tcp.TcpIntercept.Refusal;

/** The SOCKS5 client's bytes (RFC 1928) against scripted server answers, and how failures become refusals. */
class UpstreamTest {
    static final InetSocketAddress TARGET = new InetSocketAddress(ip("10.77.0.2"), 8000);

    static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static byte[] run(byte[] server, InetSocketAddress target) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Upstream.Socks5.handshake(new ByteArrayInputStream(server), out, target);
        return out.toByteArray();
    }

    @Test void connectRequestIsRfc1928() throws Exception {
        byte[] sent = run(new byte[] {5, 0, 5, 0, 0, 1, 127, 0, 0, 1, 0x1f, 0x40}, TARGET);
        assertArrayEquals(new byte[] {5, 1, 0, /* request */ 5, 1, 0, 1, 10, 77, 0, 2, 0x1f, 0x40}, sent);
        byte[] sent6 = run(new byte[] {5, 0, 5, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 80},
                new InetSocketAddress(ip("fd00::99"), 443));
        assertEquals(3 + 4 + 16 + 2, sent6.length);
        assertEquals(4, sent6[6], "ATYP 4: IPv6");
        // a domain-name bound address in the reply (ATYP 3) is read over too
        run(new byte[] {5, 0, 5, 0, 0, 3, 3, 'a', 'b', 'c', 0, 1}, TARGET);
    }

    @Test void repliesBecomeTheClientsRefusal() {
        java.util.Map<Integer, Refusal> want = java.util.Map.of(5, Refusal.RESET, 4, Refusal.HOST_UNREACHABLE,
                3, Refusal.NETWORK_UNREACHABLE, 2, Refusal.ADMIN_PROHIBITED, 1, Refusal.RESET);
        want.forEach((rep, refusal) -> {
            Upstream.Failed f = assertThrows(Upstream.Failed.class, () -> run(new byte[] {5, 0, 5, (byte) (int) rep, 0, 1, 0, 0, 0, 0, 0, 0}, TARGET));
            assertEquals(refusal, f.refusal(), "REP " + rep + ": " + f.getMessage());
        });
        Upstream.Failed auth = assertThrows(Upstream.Failed.class, () -> run(new byte[] {5, (byte) 0xff}, TARGET));
        assertEquals(Refusal.ADMIN_PROHIBITED, auth.refusal());
        assertThrows(Upstream.Failed.class, () -> run(new byte[] {4, 0}, TARGET), "not SOCKS5");
        assertThrows(EOFException.class, () -> run(new byte[] {5, 0, 5}, TARGET), "a short reply");
    }

    @Test void kernelConnectFailures() {
        assertEquals(Refusal.RESET, Upstream.failure(new ConnectException("Connection refused")).refusal());
        assertEquals(Refusal.HOST_UNREACHABLE, Upstream.failure(new NoRouteToHostException("No route to host")).refusal());
        assertEquals(Refusal.NETWORK_UNREACHABLE, Upstream.failure(new ConnectException("Network is unreachable")).refusal());
        assertEquals(Refusal.HOST_UNREACHABLE, Upstream.failure(new java.net.SocketTimeoutException("Connect timed out")).refusal());
    }
}
