package org.netstack4j.wire;

/**
 * A read-only view of a TCP header (RFC 9293 section 3.1) in a byte array; nothing is
 * copied. {@link #of} checks the structure (20 bytes, 5 &lt;= data offset, header within the
 * segment) so every getter stays in bounds; options and checksum are checked by
 * {@link TcpRepr#parse} (or {@link #checksumValid}).
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Source Port          |       Destination Port        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                        Sequence Number                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Acknowledgment Number                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Data |       |C|E|U|A|P|R|S|F|                               |
 * | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
 * |       |       |R|E|G|K|H|T|N|N|                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Checksum            |         Urgent Pointer        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                           [Options]                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class TcpHeaderView {
    private static final int SRC_PORT = 0, DST_PORT = 2, SEQ = 4, ACK = 8, DATA_OFFSET = 12, FLAGS = 13,
            WINDOW = 14, CHECKSUM = 16, URGENT = 18, OPTIONS = 20;

    private final byte[] buf;
    private final int off;
    private final int len;

    private TcpHeaderView(byte[] buf, int off, int len) {
        this.buf = buf;
        this.off = off;
        this.len = len;
    }

    /** Checked view of untrusted bytes buf[off..off+len) (len = IP payload length). */
    public static Parsed<TcpHeaderView> of(byte[] buf, int off, int len) {
        if (!Bytes.inBounds(buf, off, len)) return Parsed.malformed("tcp", MalformedKind.BAD_RANGE, "bad buffer range", 0);
        if (len < OPTIONS) return Parsed.malformed("tcp", MalformedKind.TRUNCATED, "truncated: " + len + " bytes, header needs 20", len);
        int dataOffset = Bytes.u8(buf, off + DATA_OFFSET) >>> 4;
        if (dataOffset < 5)
            return Parsed.malformed("tcp", MalformedKind.BAD_HEADER, "data offset " + dataOffset + " (" + dataOffset * 4 + " bytes) < 5", DATA_OFFSET);
        if (dataOffset * 4 > len)
            return Parsed.malformed("tcp", MalformedKind.TRUNCATED, "data offset " + dataOffset + " (" + dataOffset * 4
                    + " bytes) runs past the " + len + "-byte segment", DATA_OFFSET);
        return Parsed.ok(new TcpHeaderView(buf, off, len));
    }

    public int srcPort() { return Bytes.u16(buf, off + SRC_PORT); }
    public int dstPort() { return Bytes.u16(buf, off + DST_PORT); }
    /** Raw 32-bit sequence number (compare with modular arithmetic only). */
    public int seq() { return Bytes.i32(buf, off + SEQ); }
    public int ack() { return Bytes.i32(buf, off + ACK); }
    public int dataOffset() { return Bytes.u8(buf, off + DATA_OFFSET) >>> 4; }
    public int headerLength() { return dataOffset() * 4; }
    /** The four bits between data offset and CWR (reserved; bit 3 was the historic NS flag). */
    public int reserved() { return Bytes.u8(buf, off + DATA_OFFSET) & 0xf; }
    /** The flags with Accurate ECN's AE as {@link TcpRepr#AE} (0x100). */
    public int flags() { return Bytes.u8(buf, off + FLAGS) | (Bytes.u8(buf, off + DATA_OFFSET) & 1) << 8; }
    public boolean has(int flag) { return (flags() & flag) != 0; }
    public int window() { return Bytes.u16(buf, off + WINDOW); }
    public int checksum() { return Bytes.u16(buf, off + CHECKSUM); }
    public boolean checksumValid(IpAddress src, IpAddress dst) { return TcpRepr.checksumValid(src, dst, buf, off, len); }
    public int expectedChecksum(IpAddress src, IpAddress dst) { return TcpRepr.expectedChecksum(src, dst, buf, off, len); }
    public int urgentPointer() { return Bytes.u16(buf, off + URGENT); }
    public int optionsOffset() { return off + OPTIONS; }
    public int optionsLength() { return headerLength() - OPTIONS; }
    public int payloadOffset() { return off + headerLength(); }
    public int payloadLength() { return len - headerLength(); }
}
