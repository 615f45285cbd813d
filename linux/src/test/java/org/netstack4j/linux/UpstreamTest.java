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

    @Test void udpAssociateRequestAndBoundAddress() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        InetSocketAddress bnd = Upstream.Socks5.request(new ByteArrayInputStream(new byte[] {5, 0, 5, 0, 0, 1, 127, 0, 0, 1, (byte) 0xdf, 0x0b}),
                out, Upstream.Socks5.UDP_ASSOCIATE, new InetSocketAddress(ip("127.0.0.1"), 40000));
        // RFC 1928 4: CMD 3, DST = where the client will send from
        assertArrayEquals(new byte[] {5, 1, 0, 5, 3, 0, 1, 127, 0, 0, 1, (byte) 0x9c, 0x40}, out.toByteArray());
        assertEquals(new InetSocketAddress(ip("127.0.0.1"), 57099), bnd, "the relay's address from BND");
    }

    @Test void udpRequestHeaderRoundTrips() {
        byte[] b = Upstream.Socks5.encapsulate(TARGET, new byte[] {'h', 'i'});
        // RFC 1928 7: RSV RSV FRAG ATYP DST.ADDR DST.PORT DATA
        assertArrayEquals(new byte[] {0, 0, 0, 1, 10, 77, 0, 2, 0x1f, 0x40, 'h', 'i'}, b);
        Upstream.Datagram d = Upstream.Socks5.decapsulate(b, b.length);
        assertEquals(TARGET, d.from());
        assertArrayEquals(new byte[] {'h', 'i'}, d.data());
        InetSocketAddress v6 = new InetSocketAddress(ip("fd00::99"), 53);
        byte[] b6 = Upstream.Socks5.encapsulate(v6, new byte[0]);
        assertEquals(3 + 1 + 16 + 2, b6.length);
        assertEquals(v6, Upstream.Socks5.decapsulate(b6, b6.length).from());
        assertEquals(0, Upstream.Socks5.decapsulate(b6, b6.length).data().length);
    }

    @Test void udpRepliesDroppedWhenFragmentedOrShort() {
        byte[] b = Upstream.Socks5.encapsulate(TARGET, new byte[] {1, 2, 3});
        b[2] = 1; // FRAG 1: "MUST drop" without fragmentation support
        assertEquals(null, Upstream.Socks5.decapsulate(b, b.length));
        b[2] = 0;
        assertEquals(null, Upstream.Socks5.decapsulate(b, 9), "cut inside DST.PORT");
        byte[] domain = {0, 0, 0, 3, 1, 'a', 0, 53, 'x'};
        assertEquals(null, Upstream.Socks5.decapsulate(domain, domain.length), "a domain name is not an IP endpoint");
    }
}
