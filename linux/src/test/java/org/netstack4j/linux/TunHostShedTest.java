package org.netstack4j.linux;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv4Repr;
import org.netstack4j.wire.Ipv6Address;
import org.netstack4j.wire.Ipv6Repr;
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
        assertFalse(TunHost.isConnectionRequest(v6), "an IPv6 packet that is no TCP SYN");
    }

    private static final Ipv6Address A6 = Ipv6Address.parse("2001:db8::7"), B6 = Ipv6Address.parse("fd00::2");

    /** An IPv6 TCP segment behind {@code ext} (whole extension headers, the first byte of each set here to chain them). */
    private static byte[] packet6(int flags, byte[]... ext) {
        TcpRepr t = new TcpRepr(40000, 80, 1, flags == TcpRepr.SYN ? 0 : 1, flags, 512, 0, List.of());
        int extLen = 0;
        for (byte[] e : ext) extLen += e.length;
        Ipv6Repr ip = new Ipv6Repr(0, 0, extLen + t.headerLength(), ext.length == 0 ? Ipv6Repr.NH_TCP : ext[0][0] & 0xff, 64, A6, B6);
        byte[] b = new byte[ip.totalLength()];
        int at = Ipv6Repr.HEADER_LENGTH;
        for (int i = 0; i < ext.length; i++) {
            System.arraycopy(ext[i], 0, b, at, ext[i].length);
            b[at] = (byte) (i + 1 < ext.length ? ext[i + 1][0] : Ipv6Repr.NH_TCP);
            at += ext[i].length;
        }
        ip.emit(b, 0);
        t.emit(A6, B6, b, at, new byte[0], 0, 0);
        return b;
    }

    /** An extension header of 8 bytes: its own Next Header value (the chain's), length 0, PadN. */
    private static byte[] ext(int type) { return new byte[] {(byte) type, 0, 1, 4, 0, 0, 0, 0}; }

    @Test
    void ipv6SynsAreShedToo() {
        assertTrue(TunHost.isConnectionRequest(packet6(TcpRepr.SYN)));
        assertTrue(TunHost.isConnectionRequest(packet6(TcpRepr.SYN, ext(Ipv6Repr.NH_HOP_BY_HOP), ext(Ipv6Repr.NH_DESTINATION_OPTIONS))),
                "behind extension headers");
        assertFalse(TunHost.isConnectionRequest(packet6(TcpRepr.SYN | TcpRepr.ACK)), "a SYN,ACK belongs to our connect");
        assertFalse(TunHost.isConnectionRequest(packet6(TcpRepr.ACK)), "the handshake's ACK (or a cookie) is kept");
        byte[] frag = packet6(TcpRepr.SYN, ext(Ipv6Repr.NH_FRAGMENT));
        assertFalse(TunHost.isConnectionRequest(frag), "a fragment is not classified");
        byte[] many = packet6(TcpRepr.SYN, ext(0), ext(60), ext(60), ext(60), ext(60));
        assertFalse(TunHost.isConnectionRequest(many), "more extension headers than walked");
        byte[] cut = packet6(TcpRepr.SYN, ext(Ipv6Repr.NH_HOP_BY_HOP));
        assertFalse(TunHost.isConnectionRequest(java.util.Arrays.copyOf(cut, 44)), "cut short");
        byte[] udp = packet6(TcpRepr.SYN);
        udp[6] = 17;
        assertFalse(TunHost.isConnectionRequest(udp), "not TCP");
    }
}
