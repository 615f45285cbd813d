package org.netstack4j.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.HexFormat;

import org.junit.jupiter.api.Test;

/** The test helpers themselves, against a captured packet, so the root tests can trust them. */
class PacketsTest {
    // ping 10.213.0.2 from 10.213.0.1: IPv4 header + ICMP echo request id 0x0001 seq 1, 4 data bytes.
    private static final byte[] REQUEST = HexFormat.of().parseHex(
            "45000020123440004001" + "0000" + "0ad500010ad50002" + "0800" + "0000" + "00010001" + "61626364");

    private static byte[] request() {
        byte[] p = REQUEST.clone();
        Packets.put16(p, 10, Packets.checksum(p, 0, 20));
        Packets.put16(p, 22, Packets.checksum(p, 20, 12));
        return p;
    }

    @Test
    void rfc1071ExampleChecksum() {
        // RFC 1071 section 3: words 0001 f203 f4f5 f6f7 sum to ddf2, checksum is its complement.
        byte[] b = HexFormat.of().parseHex("0001f203f4f5f6f7");
        assertEquals(~0xddf2 & 0xffff, Packets.checksum(b, 0, b.length));
    }

    @Test
    void validPacketChecksumsToZero() {
        byte[] p = request();
        assertEquals(0, Packets.checksum(p, 0, 20));
        assertEquals(0, Packets.checksum(p, 20, 12));
    }

    @Test
    void echoReplySwapsAddressesAndFixesChecksums() {
        byte[] r = Packets.echoReplyFor(request(), 0);
        assertArrayEquals(Packets.ip(10, 213, 0, 2), java.util.Arrays.copyOfRange(r, 12, 16));
        assertArrayEquals(Packets.ip(10, 213, 0, 1), java.util.Arrays.copyOfRange(r, 16, 20));
        assertEquals(0, r[20]);
        assertEquals(0, Packets.checksum(r, 0, 20));
        assertEquals(0, Packets.checksum(r, 20, 12));
        assertNull(Packets.echoReplyFor(r, 0), "a reply is not answered");
    }
}
