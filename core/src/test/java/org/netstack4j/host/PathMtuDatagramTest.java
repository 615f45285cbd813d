package org.netstack4j.host;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.netstack4j.host.RouterSimTest.Net;
import org.netstack4j.ip.UdpDatagram;
import org.netstack4j.ip.UdpError;
import org.netstack4j.ip.UdpSocket;
import org.netstack4j.path.PmtuDiscovery;
import org.netstack4j.time.Time;
import org.netstack4j.wire.IcmpRepr;
import org.netstack4j.wire.Ipv4Address;

/**
 * IPv4 path MTU discovery for UDP and ping (RFC 1191) through A — R1 — R2 — B whose middle
 * link is small: R1's "fragmentation needed" lowers A's path MTU cache when A believes it
 * (RFC 5927: a socket of ours sent the quoted datagram, an echo identifier of ours), floored
 * at 552 as Linux; what A sends next is sized by it as Linux's IP_MTU_DISCOVER modes say.
 */
class PathMtuDatagramTest {
    static byte[] data(int n) {
        byte[] d = new byte[n];
        for (int i = 0; i < n; i++) d[i] = (byte) (i * 31);
        return d;
    }

    static void settle(Net net) { net.sim().runUntil(net.sim().now() + Time.ms(50)); }

    /** A's socket in {@code mode}. */
    static UdpSocket source(Net net, PmtuDiscovery mode) {
        UdpSocket src = net.a().ip().udpBind(Ipv4Address.ANY, 0);
        src.setPmtuDiscovery(mode);
        return src;
    }

    @Test void aWantSocketLearnsThePathMtuThenFragmentsAtTheSource() {
        Net net = RouterSimTest.chain(null, 1500, 576, 1500);
        UdpSocket sink = net.b().ip().udpBind(Ipv4Address.ANY, 9000);
        UdpSocket src = source(net, PmtuDiscovery.WANT);
        byte[] d = data(1000);
        assertTrue(src.sendTo(net.sim().now(), net.bAddr(), 9000, d, 0, d.length));
        settle(net);
        assertNull(sink.receive(), "DF (it fit A's 1500): R1 dropped it");
        assertEquals(1, net.nodes()[1].counters().get("ipv4.fwd.drop.frag_needed"));
        UdpError e = src.error();
        assertNotNull(e);
        assertEquals(IcmpRepr.CODE_FRAGMENTATION_NEEDED, e.code());
        assertEquals(576, net.a().ip().pathMtus().mtu(net.sim().now(), net.bAddr()), "learnt through UDP");
        assertEquals(576, src.mtu(net.bAddr()), "IP_MTU");
        assertEquals(1, net.a().counters().get("ipv4.pmtu.updates"));

        assertTrue(src.sendTo(net.sim().now(), net.bAddr(), 9000, d, 0, d.length));
        settle(net);
        UdpDatagram got = sink.receive();
        assertNotNull(got, "fragmented by A at 576, no DF");
        assertArrayEquals(d, got.data());
        assertEquals(2, net.a().counters().get("ipv4.frag.creates"));
        assertEquals(0, net.nodes()[1].counters().get("ipv4.fwd.fragmented"));
    }

    @Test void aDoSocketGetsEmsgsizeOnceThePathMtuIsKnown() {
        Net net = RouterSimTest.chain(null, 1500, 576, 1500);
        UdpSocket sink = net.b().ip().udpBind(Ipv4Address.ANY, 9000);
        UdpSocket src = source(net, PmtuDiscovery.DO);
        assertEquals(1500 - 28, src.maxPayload(net.bAddr()));
        byte[] d = data(1000);
        assertTrue(src.sendTo(net.sim().now(), net.bAddr(), 9000, d, 0, d.length));
        settle(net);
        assertNull(sink.receive());
        assertEquals(576, src.mtu(net.bAddr()));
        assertEquals(576 - 28, src.maxPayload(net.bAddr()));
        assertFalse(src.sendTo(net.sim().now(), net.bAddr(), 9000, d, 0, d.length), "EMSGSIZE");
        assertEquals(1, net.a().counters().get("udp.out.drop.emsgsize"));
        byte[] fits = data(576 - 28);
        assertTrue(src.sendTo(net.sim().now(), net.bAddr(), 9000, fits, 0, fits.length));
        settle(net);
        assertArrayEquals(fits, sink.receive().data());
    }

    @Test void aReportBelow552IsFlooredAndLocksThePathSoWantSendsWithoutDf() {
        Net net = RouterSimTest.chain(null, 1500, 300, 1500);
        UdpSocket sink = net.b().ip().udpBind(Ipv4Address.ANY, 9000);
        UdpSocket src = source(net, PmtuDiscovery.WANT);
        byte[] d = data(500);
        src.sendTo(net.sim().now(), net.bAddr(), 9000, d, 0, d.length);
        settle(net);
        assertNull(sink.receive());
        assertEquals(552, net.a().ip().pathMtus().mtu(net.sim().now(), net.bAddr()), "Linux's min_pmtu");
        assertTrue(net.a().ip().pathMtus().locked(net.sim().now(), net.bAddr()));
        src.sendTo(net.sim().now(), net.bAddr(), 9000, d, 0, d.length);
        settle(net);
        assertArrayEquals(d, sink.receive().data(), "no DF on a locked path: R1 fragmented it");
        assertTrue(net.nodes()[1].counters().get("ipv4.fwd.fragmented") > 0);
    }

    @Test void anErrorAboutAPortNoSocketHoldsIsNotBelieved() {
        Net net = RouterSimTest.chain(null, 1500, 576, 1500);
        UdpSocket src = source(net, PmtuDiscovery.DO);
        byte[] d = data(1000);
        src.sendTo(net.sim().now(), net.bAddr(), 9000, d, 0, d.length);
        src.close(); // the error comes back to a port nobody holds
        settle(net);
        assertEquals(1, net.nodes()[1].counters().get("ipv4.fwd.drop.frag_needed"));
        assertEquals(0, net.a().ip().pathMtus().mtu(net.sim().now(), net.bAddr()));
        assertEquals(1, net.a().counters().get("icmp.in.pmtu.unverified"));
    }

    @Test void aSocketIgnoringPathMtusDoesNotLowerTheCache() {
        Net net = RouterSimTest.chain(null, 1500, 576, 1500);
        UdpSocket src = source(net, PmtuDiscovery.PROBE); // DF, sized by the interface; IP_PMTUDISC_PROBE still believes
        byte[] d = data(1000);
        src.sendTo(net.sim().now(), net.bAddr(), 9000, d, 0, d.length);
        settle(net);
        assertEquals(576, net.a().ip().pathMtus().mtu(net.sim().now(), net.bAddr()));
        assertEquals(1500, src.mtu(net.bAddr()), "PROBE: the interface's");

        Net net2 = RouterSimTest.chain(null, 1500, 576, 1500);
        UdpSocket s2 = source(net2, PmtuDiscovery.INTERFACE);
        net2.a().ip().ping(net2.sim().now(), net2.bAddr(), 5, 1, new byte[10], -1); // ARP warm-up
        settle(net2);
        s2.setPmtuDiscovery(PmtuDiscovery.DO);
        s2.sendTo(net2.sim().now(), net2.bAddr(), 9000, d, 0, d.length);
        s2.setPmtuDiscovery(PmtuDiscovery.INTERFACE); // the error arrives under INTERFACE: ignored (ip_sk_accept_pmtu)
        settle(net2);
        assertEquals(0, net2.a().ip().pathMtus().mtu(net2.sim().now(), net2.bAddr()));
    }

    @Test void aPingWithDfLearnsThePathMtu() {
        Net net = RouterSimTest.chain(null, 1500, 576, 1500);
        net.a().ip().ping(net.sim().now(), net.bAddr(), 77, 1, new byte[1000], -1, true);
        settle(net);
        assertEquals(1, net.nodes()[1].counters().get("ipv4.fwd.drop.frag_needed"));
        assertEquals(576, net.a().ip().pathMtus().mtu(net.sim().now(), net.bAddr()), "learnt through ping");
    }
}
