package org.netstack4j.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.netstack4j.wire.MalformedTest.A;
import static org.netstack4j.wire.MalformedTest.B;
import static org.netstack4j.wire.MalformedTest.malformed;
import static org.netstack4j.wire.MalformedTest.tcpWithOptions;

import org.junit.jupiter.api.Test;

/** Every Malformed says what went wrong as a kind, beside the words. */
class MalformedKindTest {

    static MalformedKind kind(Parsed<?> p) { return malformed(p).kind(); }

    @Test void tcpKinds() {
        byte[] b = tcpWithOptions();
        assertEquals(MalformedKind.TRUNCATED, kind(TcpRepr.parse(A, B, b, 0, 19, true)));
        assertEquals(MalformedKind.BAD_RANGE, kind(TcpRepr.parse(A, B, b, -1, 4, true)));
        byte[] offset = tcpWithOptions();
        offset[12] = 0x40;
        assertEquals(MalformedKind.BAD_HEADER, kind(TcpRepr.parse(A, B, offset, 0, offset.length, false)));
        assertEquals(MalformedKind.BAD_HEADER, kind(TcpHeaderView.of(offset, 0, offset.length)));
        byte[] past = tcpWithOptions(1, 1, 1, 1);
        past[12] = (byte) 0xf0;
        assertEquals(MalformedKind.TRUNCATED, kind(TcpRepr.parse(A, B, past, 0, past.length, false)));
        assertEquals(MalformedKind.BAD_OPTION, kind(TcpRepr.parse(A, B, tcpWithOptions(2, 3, 5, 0), 0, 24, true)));
        byte[] sum = tcpWithOptions(2, 4, 5, 0xb4);
        sum[23] ^= 0x01;
        assertEquals(MalformedKind.CHECKSUM, kind(TcpRepr.parse(A, B, sum, 0, sum.length, true)));
    }

    @Test void ipv4AndUdpKinds() {
        byte[] ip = MalformedTest.ipv4();
        byte[] v6 = ip.clone();
        v6[0] = 0x65;
        assertEquals(MalformedKind.BAD_HEADER, kind(Ipv4Repr.parse(v6, 0, v6.length)));
        assertEquals(MalformedKind.BAD_HEADER, kind(Ipv4HeaderView.of(v6, 0, v6.length)));
        assertEquals(MalformedKind.TRUNCATED, kind(Ipv4Repr.parse(ip, 0, 12)));
        byte[] sum = ip.clone();
        sum[10] ^= 0x55;
        assertEquals(MalformedKind.CHECKSUM, kind(Ipv4Repr.parse(sum, 0, sum.length)));
        byte[] udp = new byte[12];
        new UdpRepr(1, 2).emit(A, B, udp, 0, new byte[4], 0, 4);
        udp[6] ^= 0x01;
        assertEquals(MalformedKind.CHECKSUM, kind(UdpRepr.parse(A, B, udp, 0, udp.length)));
        assertEquals(MalformedKind.TRUNCATED, kind(UdpRepr.parse(A, B, udp, 0, 7)));
    }

    @Test void theDissectorKeepsTheKind() {
        byte[] tcp = tcpWithOptions(2, 3, 5, 0);
        byte[] b = new byte[20 + tcp.length];
        Ipv4Repr.of(A, B, 6, 64, tcp.length).emit(b, 0);
        System.arraycopy(tcp, 0, b, 20, tcp.length);
        Dissection d = Dissector.dissect(b, 0, b.length, LinkType.RAW_IP);
        assertEquals(MalformedKind.BAD_OPTION, d.error().orElseThrow().kind(), d.render());
    }
}
