package org.netstack4j.ip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.netstack4j.path.PmtuDiscovery;
import org.netstack4j.trace.Counters;
import org.netstack4j.wire.Icmpv6Repr;
import org.netstack4j.wire.Ipv6Address;
import org.netstack4j.wire.Ipv6Repr;

/**
 * IPv6 path MTU discovery for UDP and ping6 (RFC 8201) through Forwarding6Test's router R
 * (A on a 1500 link, B behind a 1280 one): R's packet too big lowers A's path MTU only when
 * A believes it (RFC 5927: a UDP socket of ours in a mode that takes path MTUs, an echo
 * identifier we sent); a DO socket then gets EMSGSIZE, the others fragment at the source.
 */
class PathMtu6DatagramTest {
    static final Ipv6Address A = Forwarding6Test.A, B = Forwarding6Test.B, RA = Forwarding6Test.RA;

    /** Forwarding6Test's network: a, r, b on links l1 (1500) and l2 (1280). */
    final Forwarding6Test net = new Forwarding6Test();
    final IpStack a = net.a, r = net.r, b = net.b;
    final Counters ca = a.counters();
    final long now = 0;

    void settle() { net.settle(); }

    static byte[] data(int n) {
        byte[] d = new byte[n];
        for (int i = 0; i < n; i++) d[i] = (byte) (i * 13);
        return d;
    }

    @Test void aDoSocketGetsEmsgsizeOnceItsPacketTooBigIsBelieved() {
        UdpSocket sink = b.udpBind(Ipv6Address.ANY, 9);
        UdpSocket src = a.udpBind(Ipv6Address.ANY, 0);
        src.setPmtuDiscovery(PmtuDiscovery.DO);
        byte[] d = data(1400);
        assertTrue(src.sendTo(now, B, 9, d, 0, d.length));
        settle();
        assertNull(sink.receive());
        assertEquals(1280, src.mtu(B));
        assertEquals(1280 - 48, src.maxPayload(B));
        assertFalse(src.sendTo(now, B, 9, d, 0, d.length), "EMSGSIZE rather than fragments");
        assertEquals(1, ca.get("udp.out.drop.emsgsize"));
        src.setPmtuDiscovery(PmtuDiscovery.WANT);
        assertTrue(src.sendTo(now, B, 9, d, 0, d.length));
        settle();
        assertArrayEquals(d, sink.receive().data(), "WANT: fragmented at the source");
    }

    @Test void aPacketTooBigAboutAPortNoSocketHoldsIsNotBelieved() {
        UdpSocket src = a.udpBind(Ipv6Address.ANY, 0);
        byte[] d = data(1400);
        src.sendTo(now, B, 9, d, 0, d.length);
        src.close();
        settle();
        assertEquals(1, ca.get("icmp6.in.pkt_too_bigs"), "R said packet too big");
        assertEquals(1500, a.mtuFor(B));
        assertEquals(1, ca.get("icmpv6.in.pmtu.unverified"));
    }

    @Test void anInterfaceSocketIgnoresPacketTooBig() {
        UdpSocket src = a.udpBind(Ipv6Address.ANY, 0);
        src.setPmtuDiscovery(PmtuDiscovery.INTERFACE);
        byte[] d = data(1400);
        assertTrue(src.sendTo(now, B, 9, d, 0, d.length));
        settle();
        assertEquals(1500, a.mtuFor(B));
    }

    @Test void ping6LearnsFromAnErrorAboutItsOwnIdentifierOnly() {
        // a forged packet too big quoting an echo request with an identifier A never sent
        byte[] quote = new byte[Ipv6Repr.HEADER_LENGTH + 8];
        new Ipv6Repr(0, 0, 1408, Ipv6Repr.NH_ICMPV6, 64, A, B).emit(quote, 0);
        quote[40] = (byte) Icmpv6Repr.TYPE_ECHO_REQUEST;
        quote[44] = 0; quote[45] = 99;
        Icmpv6Repr forged = new Icmpv6Repr.PacketTooBig(1280, quote);
        r.send(now, RA, A, Ipv6Repr.NH_ICMPV6, 0, -1, false, forged.length(), (buf, o) -> forged.emit(RA, A, buf, o));
        settle();
        assertEquals(1500, a.mtuFor(B), "not about an echo request of ours");
        assertEquals(1, ca.get("icmpv6.in.pmtu.unverified"));

        a.ping6(now, B, 7, 1, new byte[1400], -1);
        settle();
        assertEquals(1280, a.mtuFor(B), "R's error about our own ping");
    }
}
