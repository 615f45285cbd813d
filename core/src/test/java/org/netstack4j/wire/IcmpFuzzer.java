package org.netstack4j.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Jazzer target: ICMPv4 messages (RFC 792). Mode bit 0 repairs the checksum. Never throws; a
 * parsed message re-emits to bytes that parse to the same record.
 */
class IcmpFuzzer {
    @FuzzTest(maxDuration = "10s")
    void icmp(byte[] data) {
        byte[] b = FuzzFix.body(data);
        if ((FuzzFix.mode(data) & 1) != 0) FuzzFix.fix(b, 0, b.length, 2, 0);
        Parsed<IcmpRepr> p = IcmpRepr.parse(b, 0, b.length);
        if (!(p instanceof Parsed.Ok<IcmpRepr>(IcmpRepr m))) return;
        assertEquals(b.length, m.length());
        byte[] out = new byte[m.length()];
        assertEquals(m.length(), m.emit(out, 0));
        assertEquals(m, FuzzFix.reparsed(IcmpRepr.parse(out, 0, out.length), m));
        m.toString();
        IcmpRepr.typeName(m.type());
        IcmpRepr.codeName(m.type(), m.code());
    }
}
