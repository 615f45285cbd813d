package org.netstack4j.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Jazzer target: UDP headers (RFC 768) with the pseudo-header checksum. Mode bit 0 repairs
 * the checksum. Never throws; a parsed datagram re-emits to one that parses the same.
 */
class UdpFuzzer {
    @FuzzTest(maxDuration = "10s")
    void udp(byte[] data) {
        byte[] b = FuzzFix.body(data);
        if ((FuzzFix.mode(data) & 1) != 0 && b.length >= 8) {
            int length = (b[4] & 0xff) << 8 | (b[5] & 0xff);
            if (length >= 8 && length <= b.length) FuzzFix.fixTransport(b, 0, length, Ipv4Repr.PROTO_UDP);
        }
        Parsed<UdpRepr> p = UdpRepr.parse(FuzzFix.SRC, FuzzFix.DST, b, 0, b.length);
        if (!(p instanceof Parsed.Ok<UdpRepr>(UdpRepr u))) return;
        int plen = UdpRepr.payloadLength(b, 0);
        assertTrue(plen >= 0 && UdpRepr.HEADER_LENGTH + plen <= b.length, "payload within the input");
        byte[] out = new byte[UdpRepr.HEADER_LENGTH + plen];
        assertEquals(out.length, u.emit(FuzzFix.SRC, FuzzFix.DST, out, 0, b, UdpRepr.HEADER_LENGTH, plen));
        assertEquals(u, FuzzFix.reparsed(UdpRepr.parse(FuzzFix.SRC, FuzzFix.DST, out, 0, out.length), u));
        assertEquals(plen, UdpRepr.payloadLength(out, 0));
        u.toString();
    }
}
