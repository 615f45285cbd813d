package org.netstack4j.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;

/**
 * Jazzer target: TCP headers and options (RFC 9293 3.1, RFC 7323, RFC 2018). Mode bit 0
 * repairs the checksum, bit 1 skips its verification. Never throws; a parsed segment re-emits
 * (header, options, payload) to one that parses to the same record with the same payload.
 */
class TcpHeaderFuzzer {
    @FuzzTest(maxDuration = "10s")
    void tcp(byte[] data) {
        byte[] b = FuzzFix.body(data);
        int mode = FuzzFix.mode(data);
        if ((mode & 1) != 0) FuzzFix.fixTransport(b, 0, b.length, Ipv4Repr.PROTO_TCP);
        Parsed<TcpRepr> p = TcpRepr.parse(FuzzFix.SRC, FuzzFix.DST, b, 0, b.length, (mode & 2) == 0);
        if (!(p instanceof Parsed.Ok<TcpRepr>(TcpRepr t))) return;
        int hl = ((b[12] & 0xff) >>> 4) * 4;
        assertTrue(t.headerLength() <= hl, "options fit in the data offset");
        byte[] payload = Arrays.copyOfRange(b, hl, b.length);
        byte[] out = new byte[t.headerLength() + payload.length];
        assertEquals(out.length, t.emit(FuzzFix.SRC, FuzzFix.DST, out, 0, payload, 0, payload.length));
        TcpRepr again = FuzzFix.reparsed(TcpRepr.parse(FuzzFix.SRC, FuzzFix.DST, out, 0, out.length, true), t);
        assertEquals(t, again);
        assertArrayEquals(payload, Arrays.copyOfRange(out, again.headerLength(), out.length));
        t.toString();
        for (TcpOption o : t.options()) o.describe();
    }
}
