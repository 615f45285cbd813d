package org.netstack4j.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;

/** Jazzer target: Ethernet II headers. Never throws; a parsed header re-emits to the same 14 bytes. */
class EthernetFuzzer {
    @FuzzTest(maxDuration = "10s")
    void ethernet(byte[] data) {
        Parsed<EthernetRepr> p = EthernetRepr.parse(data, 0, data.length);
        if (!(p instanceof Parsed.Ok<EthernetRepr>(EthernetRepr e))) return;
        byte[] out = new byte[EthernetRepr.HEADER_LENGTH];
        assertEquals(EthernetRepr.HEADER_LENGTH, e.emit(out, 0));
        assertArrayEquals(Arrays.copyOf(data, EthernetRepr.HEADER_LENGTH), out);
        assertEquals(e, FuzzFix.reparsed(EthernetRepr.parse(out, 0, out.length), e));
        e.toString();
    }
}
