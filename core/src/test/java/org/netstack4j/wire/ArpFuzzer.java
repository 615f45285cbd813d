package org.netstack4j.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;

/** Jazzer target: ARP (RFC 826). Never throws; a parsed packet re-emits to the same 28 bytes. */
class ArpFuzzer {
    @FuzzTest(maxDuration = "10s")
    void arp(byte[] data) {
        Parsed<ArpRepr> p = ArpRepr.parse(data, 0, data.length);
        if (!(p instanceof Parsed.Ok<ArpRepr>(ArpRepr a))) return;
        byte[] out = new byte[ArpRepr.LENGTH];
        assertEquals(ArpRepr.LENGTH, a.emit(out, 0));
        assertArrayEquals(Arrays.copyOf(data, ArpRepr.LENGTH), out);
        assertEquals(a, FuzzFix.reparsed(ArpRepr.parse(out, 0, out.length), a));
        a.toString();
    }
}
