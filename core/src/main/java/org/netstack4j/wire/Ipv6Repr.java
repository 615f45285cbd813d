package org.netstack4j.wire;

import java.util.Objects;

/**
 * The IPv6 fixed header (RFC 8200 section 3). {@code payloadLength} counts everything after
 * these 40 bytes, extension headers included. The traffic class holds DSCP (upper six bits,
 * RFC 2474) and ECN (lower two, RFC 3168); the flow label is 20 bits (RFC 6437).
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version| Traffic Class |           Flow Label                  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Payload Length        |  Next Header  |   Hop Limit   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * +                         Source Address                        +
 * |                          (16 bytes)                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * +                      Destination Address                      +
 * |                          (16 bytes)                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 * There is no header checksum: upper layers cover the addresses with the pseudo-header of
 * RFC 8200 8.1 ({@link Checksum#pseudoHeaderSum(Ipv6Address, Ipv6Address, int, int)}).
 */
public record Ipv6Repr(int trafficClass, int flowLabel, int payloadLength, int nextHeader, int hopLimit,
                       Ipv6Address src, Ipv6Address dst) {
    public static final int HEADER_LENGTH = 40;
    public static final int MAX_PAYLOAD_LENGTH = 65535;
    /** RFC 8200 5: every link carries at least 1280-byte packets. */
    public static final int MIN_MTU = 1280;

    // Next Header values (IANA "Assigned Internet Protocol Numbers"; RFC 8200 4 and 4.7)
    public static final int NH_HOP_BY_HOP = 0, NH_TCP = 6, NH_UDP = 17, NH_ROUTING = 43, NH_FRAGMENT = 44,
            NH_ESP = 50, NH_AH = 51, NH_ICMPV6 = 58, NH_NO_NEXT_HEADER = 59, NH_DESTINATION_OPTIONS = 60,
            NH_MOBILITY = 135, NH_HIP = 139, NH_SHIM6 = 140;

    static final int VER_TC_FLOW = 0, PAYLOAD_LENGTH = 4, NEXT_HEADER = 6, HOP_LIMIT = 7, SRC = 8, DST = 24;

    public Ipv6Repr {
        Bytes.checkRange("trafficClass", trafficClass, 0, 0xff);
        Bytes.checkRange("flowLabel", flowLabel, 0, 0xf_ffff);
        Bytes.checkRange("payloadLength", payloadLength, 0, MAX_PAYLOAD_LENGTH);
        Bytes.checkRange("nextHeader", nextHeader, 0, 0xff);
        Bytes.checkRange("hopLimit", hopLimit, 0, 0xff);
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(dst, "dst");
    }

    public static Ipv6Repr of(Ipv6Address src, Ipv6Address dst, int nextHeader, int hopLimit, int payloadLength) {
        return new Ipv6Repr(0, 0, payloadLength, nextHeader, hopLimit, src, dst);
    }

    public int dscp() { return trafficClass >>> 2; }
    public int ecn() { return trafficClass & 3; }
    public int totalLength() { return HEADER_LENGTH + payloadLength; }

    /**
     * Parses the fixed header of buf[off..off+len): version 6, 40 bytes, payload within len.
     * Bytes past 40 + payload length (Ethernet padding) are ignored. A payload length of 0
     * with a Jumbo Payload option (RFC 2675) is not supported and reads as an empty payload.
     */
    public static Parsed<Ipv6Repr> parse(byte[] buf, int off, int len) {
        Parsed<Ipv6HeaderView> v = Ipv6HeaderView.of(buf, off, len);
        if (!(v instanceof Parsed.Ok<Ipv6HeaderView>(Ipv6HeaderView h))) return ((Parsed.Malformed<Ipv6HeaderView>) v).cast();
        return Parsed.ok(new Ipv6Repr(h.trafficClass(), h.flowLabel(), h.payloadLength(), h.nextHeader(), h.hopLimit(),
                h.src(), h.dst()));
    }

    /** Writes the 40-byte header at buf[off]; returns 40. */
    public int emit(byte[] buf, int off) {
        Bytes.put32(buf, off + VER_TC_FLOW, 6 << 28 | trafficClass << 20 | flowLabel);
        Bytes.put16(buf, off + PAYLOAD_LENGTH, payloadLength);
        Bytes.put8(buf, off + NEXT_HEADER, nextHeader);
        Bytes.put8(buf, off + HOP_LIMIT, hopLimit);
        src.write(buf, off + SRC);
        dst.write(buf, off + DST);
        return HEADER_LENGTH;
    }

    /** The name of a Next Header value ("TCP", "Fragment", "ICMPv6", ...). */
    public static String nextHeaderName(int nh) {
        return switch (nh) {
            case NH_HOP_BY_HOP -> "Hop-by-Hop Options";
            case NH_TCP -> "TCP";
            case NH_UDP -> "UDP";
            case NH_ROUTING -> "Routing";
            case NH_FRAGMENT -> "Fragment";
            case NH_ESP -> "ESP";
            case NH_AH -> "AH";
            case NH_ICMPV6 -> "ICMPv6";
            case NH_NO_NEXT_HEADER -> "No Next Header";
            case NH_DESTINATION_OPTIONS -> "Destination Options";
            case NH_MOBILITY -> "Mobility";
            case NH_HIP -> "HIP";
            case NH_SHIM6 -> "Shim6";
            default -> "protocol " + nh;
        };
    }

    /** tcpdump-like: "fe80::1 > ff02::1: ICMPv6, hlim 255, tc 0x00, flow 0x00000, payload length 16". */
    @Override public String toString() {
        return src + " > " + dst + ": " + nextHeaderName(nextHeader) + ", hlim " + hopLimit
                + String.format(", tc 0x%02x, flow 0x%05x", trafficClass, flowLabel) + ", payload length " + payloadLength;
    }
}
