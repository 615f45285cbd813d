package org.netstack4j.wire;

import java.util.Objects;

/** What ICMP ({@link IcmpRepr}) and ICMPv6 ({@link Icmpv6Repr}) messages check alike: field ranges and the fixed header. */
final class Icmps {
    private Icmps() {}

    /** An echo request or reply (RFC 792, RFC 4443 4.1, 4.2): 16-bit identifier and sequence. */
    static void checkEcho(int identifier, int sequence, byte[] data) {
        Bytes.checkRange("identifier", identifier, 0, 0xffff);
        Bytes.checkRange("sequence", sequence, 0, 0xffff);
        Objects.requireNonNull(data, "data");
    }

    /** An error's code and the quote it carries. */
    static void checkError(int code, byte[] data) {
        Bytes.checkRange("code", code, 0, 0xff);
        Objects.requireNonNull(data, "data");
    }

    /** A message of a type neither codec names: type, code and the rest after the checksum (at least its 4 bytes). */
    static void checkOther(int type, int code, byte[] rest) {
        Bytes.checkRange("type", type, 0, 0xff);
        Bytes.checkRange("code", code, 0, 0xff);
        Objects.requireNonNull(rest, "rest");
        if (rest.length < 4) throw new IllegalArgumentException("rest must hold at least 4 bytes, has " + rest.length);
    }

    /** Why buf[off..off+len) cannot hold a message of {@code proto} ("icmp", "icmpv6"), or null when it can. */
    static <T> Parsed<T> badHeader(String proto, byte[] buf, int off, int len, int headerLength) {
        if (!Bytes.inBounds(buf, off, len)) return Parsed.malformed(proto, MalformedKind.BAD_RANGE, "bad buffer range", 0);
        if (len < headerLength)
            return Parsed.malformed(proto, MalformedKind.TRUNCATED, "truncated: " + len + " bytes, header needs " + headerLength, len);
        return null;
    }
}
