package org.netstack4j.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;

/**
 * Jazzer target: IPv4 headers (RFC 791). Mode bit 0 repairs the header checksum. Never throws;
 * a parsed header re-emits to a header that parses to the same record, byte for byte the
 * same when the reserved flag (not carried) was clear.
 */
class Ipv4Fuzzer {
    @FuzzTest(maxDuration = "10s")
    void ipv4(byte[] data) {
        byte[] b = FuzzFix.body(data);
        if ((FuzzFix.mode(data) & 1) != 0) FuzzFix.fixIpv4(b, 0);
        Parsed<Ipv4Repr> p = Ipv4Repr.parse(b, 0, b.length);
        if (!(p instanceof Parsed.Ok<Ipv4Repr>(Ipv4Repr ip))) return;
        int hl = ip.headerLength();
        assertTrue(hl + ip.payloadLength() <= b.length, "payload within the input");
        byte[] out = new byte[ip.totalLength()];
        System.arraycopy(b, hl, out, hl, ip.payloadLength());
        assertEquals(hl, ip.emit(out, 0));
        assertEquals(ip, FuzzFix.reparsed(Ipv4Repr.parse(out, 0, out.length), ip));
        if ((b[6] & 0x80) == 0) assertArrayEquals(Arrays.copyOf(b, hl), Arrays.copyOf(out, hl));
        ip.toString();
    }
}
