package org.netstack4j.ip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.netstack4j.ip.TwoHosts.IP_A;
import static org.netstack4j.ip.TwoHosts.IP_B;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.netstack4j.device.Medium;
import org.netstack4j.wire.IpMeta;
import org.netstack4j.wire.Ipv4Repr;
import org.netstack4j.wire.Ipv6Address;

/** The per-packet IP metadata: what a transport learns on input and sets on output (TOS with ECN, TTL). */
class IpMetaTest {
    private record Got(IpMeta meta, Ipv4Repr ip) {}

    private static IpProtocolHandler recorder(List<Got> got) {
        return new IpProtocolHandler() {
            @Override public void receive(long now, Ipv4Repr ip, byte[] buf, int off, int len) {
                throw new AssertionError("the stack calls the IpMeta variant");
            }

            @Override public void receive(long now, IpMeta meta, Ipv4Repr ip, byte[] buf, int off, int len) {
                got.add(new Got(meta, ip));
            }
        };
    }

    @Test void trafficClassAndTtlGoOutAndComeBackIn() {
        for (TwoHosts h : List.of(TwoHosts.ethernet(), new TwoHosts(Medium.IP, 1500))) {
            List<Got> got = new ArrayList<>();
            h.b.setProtocolHandler(200, recorder(got));
            // DSCP AF41 (34) with ECT(0), TTL 17
            int tc = 34 << 2 | IpMeta.ECT0;
            assertEquals(true, h.a.send(h.now, new IpMeta(IP_A, IP_B, tc, 17, IpMeta.ANY_INTERFACE), 200, false, 4,
                    (buf, at) -> { for (int i = 0; i < 4; i++) buf[at + i] = (byte) i; }));
            h.settle();
            assertEquals(1, got.size());
            IpMeta m = got.getFirst().meta();
            assertEquals(new IpMeta(IP_A, IP_B, tc, 17, 0), m); // interface 0 of b
            assertEquals(IpMeta.ECT0, m.ecn());
            assertEquals(34, m.dscp());
            assertEquals(tc, got.getFirst().ip().tos());
        }
    }

    @Test void defaultsAreNotEctAndTtl64() {
        TwoHosts h = TwoHosts.ethernet();
        List<Got> got = new ArrayList<>();
        h.b.setProtocolHandler(200, recorder(got));
        h.a.send(h.now, IpMeta.out(IP_A, IP_B), 200, false, 0, (buf, at) -> { });
        h.settle();
        assertEquals(new IpMeta(IP_A, IP_B, 0, IpStack.DEFAULT_TTL, 0), got.getFirst().meta());
        assertEquals(IpMeta.NOT_ECT, got.getFirst().meta().ecn());
    }

    @Test void ourOwnAddressIsTheLocalInterface() {
        TwoHosts h = TwoHosts.ethernet();
        List<Got> got = new ArrayList<>();
        h.a.setProtocolHandler(200, recorder(got));
        h.a.send(h.now, IpMeta.out(IP_A, IP_A).withEcn(IpMeta.CE), 200, false, 0, (buf, at) -> { });
        h.settle();
        assertEquals(new IpMeta(IP_A, IP_A, IpMeta.CE, IpStack.DEFAULT_TTL, IpMeta.LOCAL), got.getFirst().meta());
    }

    @Test void udpSocketsSetAndSeeTrafficClassAndTtl() {
        TwoHosts h = TwoHosts.ethernet();
        UdpSocket rx = h.b.udpBind(IP_B, 5000);
        UdpSocket tx = h.a.udpBind(IP_A, 0);
        tx.setTrafficClass(46 << 2 | IpMeta.ECT1); // EF, ECT(1)
        tx.setTtl(9);
        assertEquals(true, tx.sendTo(h.now, IP_B, 5000, new byte[] {1, 2, 3}, 0, 3));
        tx.setTrafficClass(0);
        tx.setTtl(-1);
        tx.sendTo(h.now, IP_B, 5000, new byte[] {4}, 0, 1);
        h.settle();
        UdpDatagram first = rx.receive(), second = rx.receive();
        assertEquals(new IpMeta(IP_A, IP_B, 46 << 2 | IpMeta.ECT1, 9, 0), first.ip());
        assertEquals(IP_A, first.src());
        assertEquals(tx.localPort(), first.srcPort());
        assertEquals(new IpMeta(IP_A, IP_B, 0, IpStack.DEFAULT_TTL, 0), second.ip());
        assertThrows(IllegalArgumentException.class, () -> tx.setTrafficClass(256));
    }

    @Test void ipv6IsNotRoutedYet() {
        TwoHosts h = TwoHosts.ethernet();
        Ipv6Address a = Ipv6Address.parse("2001:db8::1"), b = Ipv6Address.parse("2001:db8::2");
        assertFalse(h.a.send(h.now, IpMeta.out(a, b), 200, false, 0, (buf, at) -> { throw new AssertionError("not built"); }));
        assertEquals(1L, h.ca.snapshot().get("ipv4.out.drop.no_route"));
        assertEquals(null, h.a.sourceAddressFor(b));
        assertEquals(0, h.a.mtuFor(b));
    }

    @Test void metaChecksItsFields() {
        assertThrows(IllegalArgumentException.class, () -> new IpMeta(IP_A, Ipv6Address.LOOPBACK, 0, 64, 0));
        assertThrows(IllegalArgumentException.class, () -> new IpMeta(IP_A, IP_B, 256, 64, 0));
        assertThrows(IllegalArgumentException.class, () -> new IpMeta(IP_A, IP_B, 0, 256, 0));
        assertEquals(0b1011_0111, new IpMeta(IP_A, IP_B, 0b1011_0100, 1, 0).withEcn(IpMeta.CE).trafficClass());
    }
}
