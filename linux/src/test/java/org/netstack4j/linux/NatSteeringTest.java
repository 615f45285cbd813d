package org.netstack4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.netstack4j.filter.Endpoint;
import org.netstack4j.filter.NatConfig;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv6Address;

/** Which queue a packet read from the kernel belongs to when two queues masquerade behind one address. */
class NatSteeringTest {
    static final byte[] X = {(byte) 203, 0, 113, 1}, R = {(byte) 198, 51, 100, 1};
    // 2 slices: ports 1024-33279 / 33280-65535, 1-511 / 512-1023, identifiers 0-32767 / 32768-65535
    final NatConfig v4 = NatConfig.masquerade("b0", Ipv4Address.parse("203.0.113.1"))
            .withForwards(List.of(new NatConfig.PortForward(6, 40000, new Endpoint(Ipv4Address.parse("10.1.0.2"), 80))))
            .withSlice(0, 2);
    final NatConfig v6 = NatConfig.masquerade("b0", Ipv6Address.parse("fd00:2::1")).withSlice(0, 2);
    final NatSteering s = new NatSteering(List.of(v4, v6));

    static byte[] ipv4(byte[] src, byte[] dst, int proto, int l4len) {
        byte[] p = new byte[20 + l4len];
        p[0] = 0x45;
        p[9] = (byte) proto;
        System.arraycopy(src, 0, p, 12, 4);
        System.arraycopy(dst, 0, p, 16, 4);
        return p;
    }

    static void u16(byte[] p, int at, int v) {
        p[at] = (byte) (v >>> 8);
        p[at + 1] = (byte) v;
    }

    static byte[] ports(byte[] src, byte[] dst, int proto, int sport, int dport) {
        byte[] p = ipv4(src, dst, proto, 20);
        u16(p, 20, sport);
        u16(p, 22, dport);
        return p;
    }

    @Test void tcpAndUdpGoByDestinationPort() {
        assertEquals(0, s.ownerOf(ports(R, X, 6, 80, 1024)));
        assertEquals(0, s.ownerOf(ports(R, X, 6, 80, 33279)));
        assertEquals(1, s.ownerOf(ports(R, X, 6, 80, 33280)));
        assertEquals(1, s.ownerOf(ports(R, X, 17, 53, 65535)));
        assertEquals(0, s.ownerOf(ports(R, X, 17, 53, 511)), "the low class has its own slices");
        assertEquals(1, s.ownerOf(ports(R, X, 17, 53, 512)));
        assertEquals(-1, s.ownerOf(ports(R, X, 6, 80, 40000)), "a port forward stays where the kernel put it");
        assertEquals(-1, s.ownerOf(ports(R, R, 6, 80, 40000)), "not to the external address");
        byte[] later = ports(R, X, 6, 80, 40001);
        later[6] = 0x00;
        later[7] = 0x10;
        assertEquals(-1, s.ownerOf(later), "a later fragment has no ports");
    }

    @Test void icmpGoesByIdentifierOrByTheQuotedSourcePort() {
        byte[] reply = ipv4(R, X, 1, 8);
        u16(reply, 24, 40000);
        assertEquals(1, s.ownerOf(reply), "echo reply: its identifier");
        reply[20] = 8; // an echo request to the router itself
        assertEquals(-1, s.ownerOf(reply));
        // port unreachable quoting what the NAT sent: X:2000 -> R:53 (UDP)
        byte[] err = ipv4(R, X, 1, 8 + 28);
        err[20] = 3;
        err[21] = 3;
        byte[] quoted = ports(X, R, 17, 40000, 53);
        System.arraycopy(quoted, 0, err, 28, 28);
        assertEquals(1, s.ownerOf(err));
        u16(err, 48, 2000);
        assertEquals(0, s.ownerOf(err));
    }

    @Test void ipv6GoesTheSameWay() {
        byte[] p = new byte[40 + 20];
        p[0] = 0x60;
        p[6] = 6;
        byte[] x = Ipv6Address.parse("fd00:2::1").toBytes();
        System.arraycopy(x, 0, p, 24, 16);
        u16(p, 42, 60000);
        assertEquals(1, s.ownerOf(p));
        u16(p, 42, 2000);
        assertEquals(0, s.ownerOf(p));
        p[6] = 58; // ICMPv6 echo reply
        p[40] = (byte) 129;
        u16(p, 44, 65000);
        assertEquals(1, s.ownerOf(p));
    }
}
