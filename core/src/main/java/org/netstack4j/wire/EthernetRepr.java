package org.netstack4j.wire;

import java.util.Objects;

/**
 * Ethernet II header (14 bytes): destination, source, EtherType. Payload follows.
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  Destination MAC (6 bytes)                    |
 * +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                               |                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+       Source MAC (6 bytes)    +
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           EtherType           |  payload ...
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public record EthernetRepr(MacAddress dst, MacAddress src, int etherType) {
    public static final int HEADER_LENGTH = 14;
    /** Shortest frame without the FCS (IEEE 802.3: 64 with it); shorter frames are padded with zeros. */
    public static final int MIN_FRAME_LENGTH = 60;
    public static final int ETHERTYPE_IPV4 = 0x0800;
    public static final int ETHERTYPE_ARP = 0x0806;
    public static final int ETHERTYPE_IPV6 = 0x86dd;

    private static final int DST = 0, SRC = 6, TYPE = 12;

    public EthernetRepr {
        Objects.requireNonNull(dst, "dst");
        Objects.requireNonNull(src, "src");
        Bytes.checkRange("etherType", etherType, 0, 0xffff);
    }

    /** Parses the header at buf[off..off+len). The payload is buf[off+14 .. off+len). */
    public static Parsed<EthernetRepr> parse(byte[] buf, int off, int len) {
        if (!Bytes.inBounds(buf, off, len)) return Parsed.malformed("ethernet", MalformedKind.BAD_RANGE, "bad buffer range", 0);
        if (len < HEADER_LENGTH)
            return Parsed.malformed("ethernet", MalformedKind.TRUNCATED, "truncated: " + len + " bytes, header needs " + HEADER_LENGTH, len);
        return Parsed.ok(new EthernetRepr(MacAddress.read(buf, off + DST), MacAddress.read(buf, off + SRC),
                Bytes.u16(buf, off + TYPE)));
    }

    /** Writes the 14-byte header at buf[off]; returns 14. */
    public int emit(byte[] buf, int off) {
        dst.write(buf, off + DST);
        src.write(buf, off + SRC);
        Bytes.put16(buf, off + TYPE, etherType);
        return HEADER_LENGTH;
    }

    /** A short name for well-known EtherTypes, else hex. */
    public static String etherTypeName(int etherType) {
        return switch (etherType) {
            case ETHERTYPE_IPV4 -> "IPv4";
            case ETHERTYPE_ARP -> "ARP";
            case ETHERTYPE_IPV6 -> "IPv6";
            default -> String.format("0x%04x", etherType);
        };
    }

    @Override public String toString() {
        return src + " > " + dst + ", ethertype " + etherTypeName(etherType) + String.format(" (0x%04x)", etherType);
    }
}
