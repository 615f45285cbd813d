package org.netstack4j.wire;

/**
 * The UDP header (RFC 768). The payload is handled separately.
 * <pre>
 *  0      7 8     15 16    23 24    31
 * +--------+--------+--------+--------+
 * |     Source      |   Destination   |
 * |      Port       |      Port       |
 * +--------+--------+--------+--------+
 * |     Length      |    Checksum     |
 * +--------+--------+--------+--------+
 * |          data octets ...
 * +---------------- ...
 * </pre>
 * The checksum covers the pseudo-header (source, destination, zero, protocol 17, UDP length),
 * header and data; a transmitted zero means "no checksum", so a computed zero is sent as
 * all ones (RFC 768).
 */
public record UdpRepr(int srcPort, int dstPort) {
    public static final int HEADER_LENGTH = 8;

    static final int SRC_PORT = 0, DST_PORT = 2, LENGTH = 4, CHECKSUM = 6;

    public UdpRepr {
        Bytes.checkRange("srcPort", srcPort, 0, 0xffff);
        Bytes.checkRange("dstPort", dstPort, 0, 0xffff);
    }

    /**
     * Parses the datagram at buf[off..off+len) (len = IP payload length): checks the length
     * field (&gt;= 8 and &lt;= len) and the checksum over the pseudo-header (a zero checksum means
     * "none" and is accepted). The payload is buf[off+8 .. off+lengthField).
     * Use {@link #payloadLength(byte[], int)} to read the length after a successful parse.
     */
    public static Parsed<UdpRepr> parse(IpAddress src, IpAddress dst, byte[] buf, int off, int len) {
        if (!Bytes.inBounds(buf, off, len)) return Parsed.malformed("udp", MalformedKind.BAD_RANGE, "bad buffer range", 0);
        if (len < HEADER_LENGTH)
            return Parsed.malformed("udp", MalformedKind.TRUNCATED, "truncated: " + len + " bytes, header needs " + HEADER_LENGTH, len);
        int length = Bytes.u16(buf, off + LENGTH);
        if (length < HEADER_LENGTH)
            return Parsed.malformed("udp", MalformedKind.BAD_HEADER, "length field " + length + " < " + HEADER_LENGTH, LENGTH);
        if (length > len)
            return Parsed.malformed("udp", MalformedKind.TRUNCATED, "length field " + length + " exceeds the " + len + " bytes available", LENGTH);
        int cks = Bytes.u16(buf, off + CHECKSUM);
        if (cks != 0 && !checksumValid(src, dst, buf, off, length))
            return Parsed.malformed("udp", MalformedKind.CHECKSUM, String.format("bad checksum 0x%04x, should be 0x%04x",
                    cks, expectedChecksum(src, dst, buf, off, length)), CHECKSUM);
        return Parsed.ok(new UdpRepr(Bytes.u16(buf, off + SRC_PORT), Bytes.u16(buf, off + DST_PORT)));
    }

    static boolean checksumValid(IpAddress src, IpAddress dst, byte[] buf, int off, int length) {
        return Checksum.finish(Checksum.sum(Checksum.pseudoHeaderSum(src, dst, Ipv4Repr.PROTO_UDP, length),
                buf, off, length)) == 0;
    }

    /** The checksum field value a sender should have written (never 0). */
    static int expectedChecksum(IpAddress src, IpAddress dst, byte[] buf, int off, int length) {
        long s = Checksum.pseudoHeaderSum(src, dst, Ipv4Repr.PROTO_UDP, length);
        s = Checksum.sum(s, buf, off, CHECKSUM);
        int c = Checksum.finish(Checksum.sum(s, buf, off + HEADER_LENGTH, length - HEADER_LENGTH));
        return c == 0 ? 0xffff : c;
    }

    /** Length field minus 8, of an already validated datagram. */
    public static int payloadLength(byte[] buf, int off) { return Bytes.u16(buf, off + LENGTH) - HEADER_LENGTH; }

    /**
     * Writes header + payload with checksum at buf[off]; returns 8 + plen. The payload may
     * already be in place (payload == buf, poff == off + 8). payload may be null when plen is 0.
     */
    public int emit(IpAddress src, IpAddress dst, byte[] buf, int off, byte[] payload, int poff, int plen) {
        int length = HEADER_LENGTH + plen;
        if (length > 0xffff) throw new IllegalArgumentException("UDP datagram too long: " + length);
        if (plen > 0) System.arraycopy(payload, poff, buf, off + HEADER_LENGTH, plen);
        Bytes.put16(buf, off + SRC_PORT, srcPort);
        Bytes.put16(buf, off + DST_PORT, dstPort);
        Bytes.put16(buf, off + LENGTH, length);
        Bytes.put16(buf, off + CHECKSUM, 0);
        int c = Checksum.finish(Checksum.sum(Checksum.pseudoHeaderSum(src, dst, Ipv4Repr.PROTO_UDP, length), buf, off, length));
        Bytes.put16(buf, off + CHECKSUM, c == 0 ? 0xffff : c); // RFC 768: computed zero is sent as all ones
        return length;
    }

    @Override public String toString() { return "UDP " + srcPort + " > " + dstPort; }
}
