package org.netstack4j.wire;

/**
 * A read-only view of a UDP header (RFC 768) in a byte array; nothing is copied.
 * {@link #of} checks that the header and the length field fit in the buffer; it does not
 * verify the checksum (see {@link #checksumValid}).
 * <pre>
 *  0      7 8     15 16    23 24    31
 * +--------+--------+--------+--------+
 * |     Source      |   Destination   |
 * |      Port       |      Port       |
 * +--------+--------+--------+--------+
 * |     Length      |    Checksum     |
 * +--------+--------+--------+--------+
 * </pre>
 */
public final class UdpHeaderView {
    private static final int SRC_PORT = 0, DST_PORT = 2, LENGTH = 4, CHECKSUM = 6, HEADER_LENGTH = 8;

    private final byte[] buf;
    private final int off;

    private UdpHeaderView(byte[] buf, int off) {
        this.buf = buf;
        this.off = off;
    }

    /** Checked view of untrusted bytes buf[off..off+len) (len = IP payload length). */
    public static Parsed<UdpHeaderView> of(byte[] buf, int off, int len) {
        if (!Bytes.inBounds(buf, off, len)) return Parsed.malformed("udp", MalformedKind.BAD_RANGE, "bad buffer range", 0);
        if (len < HEADER_LENGTH) return Parsed.malformed("udp", MalformedKind.TRUNCATED, "truncated: " + len + " bytes, header needs 8", len);
        int length = Bytes.u16(buf, off + LENGTH);
        if (length < HEADER_LENGTH) return Parsed.malformed("udp", MalformedKind.BAD_HEADER, "length field " + length + " < 8", LENGTH);
        if (length > len)
            return Parsed.malformed("udp", MalformedKind.TRUNCATED, "length field " + length + " exceeds the " + len + " bytes available", LENGTH);
        return Parsed.ok(new UdpHeaderView(buf, off));
    }

    public int srcPort() { return Bytes.u16(buf, off + SRC_PORT); }
    public int dstPort() { return Bytes.u16(buf, off + DST_PORT); }
    public int length() { return Bytes.u16(buf, off + LENGTH); }
    public int checksum() { return Bytes.u16(buf, off + CHECKSUM); }
    /** RFC 768: a zero checksum field means the sender computed none. */
    public boolean hasChecksum() { return checksum() != 0; }
    public boolean checksumValid(IpAddress src, IpAddress dst) {
        return !hasChecksum() || UdpRepr.checksumValid(src, dst, buf, off, length());
    }
    public int expectedChecksum(IpAddress src, IpAddress dst) {
        return UdpRepr.expectedChecksum(src, dst, buf, off, length());
    }
    public int payloadOffset() { return off + HEADER_LENGTH; }
    public int payloadLength() { return length() - HEADER_LENGTH; }
}
