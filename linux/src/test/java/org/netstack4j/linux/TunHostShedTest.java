package org.netstack4j.linux;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv4Repr;
import org.netstack4j.wire.TcpOption;
import org.netstack4j.wire.TcpRepr;

/** Which received packets {@link TunHost} sheds first when its loop falls behind: IPv4 TCP SYNs without ACK. */
class TunHostShedTest {
    private static final Ipv4Address A = Ipv4Address.parse("198.51.100.7"), B = Ipv4Address.parse("10.0.0.2");

    private static byte[] packet(int flags, byte[] ipOptions) {
        TcpRepr t = new TcpRepr(40000, 80, 1, flags == TcpRepr.SYN ? 0 : 1, flags, 512, 0,
                flags == TcpRepr.SYN ? List.of(new TcpOption.Mss(1460)) : List.of());
        Ipv4Repr ip = new Ipv4Repr(0, 1, false, false, 0, 64, Ipv4Repr.PROTO_TCP, A, B, ipOptions, t.headerLength());
        byte[] b = new byte[ip.totalLength()];
        ip.emit(b, 0);
        t.emit(A, B, b, ip.headerLength(), new byte[0], 0, 0);
        return b;
    }

    @Test
    void onlyBareSynsAreShed() {
        assertTrue(TunHost.isConnectionRequest(packet(TcpRepr.SYN, new byte[0])));
        assertTrue(TunHost.isConnectionRequest(packet(TcpRepr.SYN, new byte[] {1, 1, 1, 0})), "IP options move the TCP header");
        assertFalse(TunHost.isConnectionRequest(packet(TcpRepr.SYN | TcpRepr.ACK, new byte[0])), "a SYN,ACK belongs to our connect");
        assertFalse(TunHost.isConnectionRequest(packet(TcpRepr.ACK, new byte[0])), "the handshake's ACK (or a cookie) is kept");
        assertFalse(TunHost.isConnectionRequest(packet(TcpRepr.ACK | TcpRepr.PSH, new byte[0])));
        assertFalse(TunHost.isConnectionRequest(new byte[] {0x45, 0, 0, 20}), "too short");
        byte[] udp = packet(TcpRepr.SYN, new byte[0]);
        udp[9] = 17;
        assertFalse(TunHost.isConnectionRequest(udp), "not TCP");
        byte[] v6 = new byte[60];
        v6[0] = 0x60;
        assertFalse(TunHost.isConnectionRequest(v6), "IPv6 is not classified (yet)");
    }
}
