package org.netstack4j.wire;

/**
 * The IPv4 header (RFC 791). {@code fragmentOffset} is in bytes (a multiple of 8);
 * {@code options} holds the raw option bytes (length a multiple of 4, possibly 0);
 * {@code payloadLength} is totalLength - headerLength.
 */
public record Ipv4Repr(int tos, int identification, boolean dontFragment, boolean moreFragments,
                       int fragmentOffset, int ttl, int protocol, Ipv4Address src, Ipv4Address dst,
                       byte[] options, int payloadLength) {
    public static final int MIN_HEADER_LENGTH = 20;
    public static final int PROTO_ICMP = 1;
    public static final int PROTO_TCP = 6;
    public static final int PROTO_UDP = 17;

    public int headerLength() { return MIN_HEADER_LENGTH + options.length; }
    public int totalLength() { return headerLength() + payloadLength; }

    /**
     * Parses and validates (version 4, IHL >= 5 and within len, total length within len and
     * >= IHL*4, header checksum). The payload is buf[off+headerLength() .. +payloadLength);
     * bytes past the total length (Ethernet padding) are ignored.
     */
    public static Parsed<Ipv4Repr> parse(byte[] buf, int off, int len) { throw new UnsupportedOperationException("TODO(wire)"); }

    /** Writes the header (with its checksum) at buf[off]; returns headerLength(). */
    public int emit(byte[] buf, int off) { throw new UnsupportedOperationException("TODO(wire)"); }
}
