package org.netstack4j.wire;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Jazzer target: the {@link Dissector} behind {@code netstack4j decode}. Mode bit 0 picks raw
 * IP over Ethernet, bit 1 repairs the IPv4 header checksum. It must never reach its internal
 * error catch-all, its listing renders, and a reported problem lies inside the frame.
 */
class DissectorFuzzer {
    @FuzzTest(maxDuration = "10s")
    void dissect(byte[] data) {
        int mode = FuzzFix.mode(data);
        LinkType link = (mode & 1) != 0 ? LinkType.RAW_IP : LinkType.ETHERNET;
        // one byte in front of the frame, so offsets are checked to be frame-relative
        byte[] b = data.length == 0 ? new byte[1] : data.clone();
        if ((mode & 2) != 0) FuzzFix.fixIpv4(b, link == LinkType.RAW_IP ? 1 : 1 + EthernetRepr.HEADER_LENGTH);
        int len = b.length - 1;
        Dissection d = Dissector.dissect(b, 1, len, link);
        assertFalse(d.internalError(), () -> "internal error: " + d.error());
        d.render();
        d.error().ifPresent(e -> assertTrue(e.offset() >= 0 && e.offset() <= len,
                () -> "error offset " + e.offset() + " outside the " + len + "-byte frame: " + e));
    }
}
