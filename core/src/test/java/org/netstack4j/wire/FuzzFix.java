package org.netstack4j.wire;

import java.util.Arrays;

/**
 * Helpers for the Jazzer targets of this package ({@code *Fuzzer}): the first input byte is a
 * mode (which checksum to repair, which link type), the rest the bytes under test. A repaired
 * checksum lets the fuzzer past the one check random bytes almost never pass, so the code
 * behind it is reached; the unrepaired half keeps the refusal paths covered.
 */
final class FuzzFix {
    private FuzzFix() {}

    static final Ipv4Address SRC = Ipv4Address.parse("192.168.1.10"), DST = Ipv4Address.parse("93.184.216.34");

    /** The input after the mode byte (empty if there is none). */
    static byte[] body(byte[] data) {
        return data.length == 0 ? data : Arrays.copyOfRange(data, 1, data.length);
    }

    static int mode(byte[] data) { return data.length == 0 ? 0 : data[0] & 0xff; }

    /** Writes the 16-bit one's complement checksum of b[off..off+len) (plus a pseudo-header sum) at b[at]. */
    static void fix(byte[] b, int off, int len, int at, long initial) {
        if (at < 0 || at + 2 > b.length || off < 0 || len < 0 || off + len > b.length) return;
        b[at] = 0;
        b[at + 1] = 0;
        int c = Checksum.finish(Checksum.sum(initial, b, off, len));
        b[at] = (byte) (c >>> 8);
        b[at + 1] = (byte) c;
    }

    /** Repairs an IPv4 header checksum at b[off] when the IHL fits. */
    static void fixIpv4(byte[] b, int off) {
        if (b.length < off + 20) return;
        int hl = (b[off] & 0xf) * 4;
        if (hl >= 20 && off + hl <= b.length) fix(b, off, hl, off + 10, 0);
    }

    /** Repairs a TCP or UDP checksum over the whole of b[off..off+len) for SRC > DST. */
    static void fixTransport(byte[] b, int off, int len, int protocol) {
        int at = off + (protocol == Ipv4Repr.PROTO_TCP ? 16 : 6);
        if (len < (protocol == Ipv4Repr.PROTO_TCP ? 20 : 8)) return;
        fix(b, off, len, at, Checksum.pseudoHeaderSum(SRC, DST, protocol, len));
    }

    /** A parse that must succeed (on bytes our own emit wrote). */
    static <T> T reparsed(Parsed<T> p, Object original) {
        if (p instanceof Parsed.Ok<T>(T v)) return v;
        throw new AssertionError("emit of " + original + " does not parse back: " + p);
    }
}
