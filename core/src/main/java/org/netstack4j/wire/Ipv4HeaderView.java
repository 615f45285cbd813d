package org.netstack4j.wire;

/**
 * A read-only view of an IPv4 header (RFC 791 section 3.1) in a byte array; nothing is
 * copied. {@link #of} checks the structure (version 4, IHL >= 5 and within the buffer,
 * IHL*4 &lt;= total length &lt;= buffer) so every getter stays in bounds; it does not verify
 * the checksum (see {@link #checksumValid()}).
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version|  IHL  |Type of Service|          Total Length         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Identification        |Flags|      Fragment Offset    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Time to Live |    Protocol   |         Header Checksum       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       Source Address                          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Destination Address                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Options                    |    Padding    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class Ipv4HeaderView {
    private static final int VER_IHL = 0, TOS = 1, TOTAL_LENGTH = 2, IDENT = 4, FLAGS_FRAG = 6, TTL = 8,
            PROTOCOL = 9, CHECKSUM = 10, SRC = 12, DST = 16, OPTIONS = 20;

    private final byte[] buf;
    private final int off;

    private Ipv4HeaderView(byte[] buf, int off) {
        this.buf = buf;
        this.off = off;
    }

    /** Checked view of untrusted bytes buf[off..off+len); Malformed offsets are relative to off. */
    public static Parsed<Ipv4HeaderView> of(byte[] buf, int off, int len) {
        if (!Bytes.inBounds(buf, off, len)) return Parsed.malformed("ipv4", MalformedKind.BAD_RANGE, "bad buffer range", 0);
        if (len < Ipv4Repr.MIN_HEADER_LENGTH)
            return Parsed.malformed("ipv4", MalformedKind.TRUNCATED, "truncated: " + len + " bytes, header needs 20", len);
        int version = Bytes.u8(buf, off + VER_IHL) >>> 4;
        if (version != 4) return Parsed.malformed("ipv4", MalformedKind.BAD_HEADER, "version " + version + " is not 4", VER_IHL);
        int ihl = Bytes.u8(buf, off + VER_IHL) & 0xf;
        if (ihl < 5) return Parsed.malformed("ipv4", MalformedKind.BAD_HEADER, "IHL " + ihl + " (" + ihl * 4 + " bytes) < 5", VER_IHL);
        if (ihl * 4 > len)
            return Parsed.malformed("ipv4", MalformedKind.TRUNCATED, "IHL " + ihl + " (" + ihl * 4 + " bytes) runs past the " + len + " bytes available", VER_IHL);
        int total = Bytes.u16(buf, off + TOTAL_LENGTH);
        if (total < ihl * 4)
            return Parsed.malformed("ipv4", MalformedKind.BAD_HEADER, "total length " + total + " < header length " + ihl * 4, TOTAL_LENGTH);
        if (total > len)
            return Parsed.malformed("ipv4", MalformedKind.TRUNCATED, "total length " + total + " exceeds the " + len + " bytes available", TOTAL_LENGTH);
        return Parsed.ok(new Ipv4HeaderView(buf, off));
    }

    public int version() { return Bytes.u8(buf, off + VER_IHL) >>> 4; }
    public int ihl() { return Bytes.u8(buf, off + VER_IHL) & 0xf; }
    public int headerLength() { return ihl() * 4; }
    public int tos() { return Bytes.u8(buf, off + TOS); }
    /** Differentiated Services Code Point (RFC 2474): the upper six bits of the TOS byte. */
    public int dscp() { return tos() >>> 2; }
    /** ECN field (RFC 3168): the lower two bits of the TOS byte. */
    public int ecn() { return tos() & 3; }
    public int totalLength() { return Bytes.u16(buf, off + TOTAL_LENGTH); }
    public int identification() { return Bytes.u16(buf, off + IDENT); }
    /** The three flag bits (reserved, DF, MF) as a number 0..7. */
    public int flags() { return Bytes.u16(buf, off + FLAGS_FRAG) >>> 13; }
    public boolean reservedFlag() { return (Bytes.u16(buf, off + FLAGS_FRAG) & Ipv4Repr.FLAG_RESERVED) != 0; }
    public boolean dontFragment() { return (Bytes.u16(buf, off + FLAGS_FRAG) & Ipv4Repr.FLAG_DF) != 0; }
    public boolean moreFragments() { return (Bytes.u16(buf, off + FLAGS_FRAG) & Ipv4Repr.FLAG_MF) != 0; }
    /** Fragment offset in bytes. */
    public int fragmentOffset() { return (Bytes.u16(buf, off + FLAGS_FRAG) & Ipv4Repr.OFFSET_MASK) * 8; }
    public int ttl() { return Bytes.u8(buf, off + TTL); }
    public int protocol() { return Bytes.u8(buf, off + PROTOCOL); }
    public int checksum() { return Bytes.u16(buf, off + CHECKSUM); }
    public boolean checksumValid() { return Checksum.compute(buf, off, headerLength()) == 0; }
    /** The checksum the header should carry. */
    public int expectedChecksum() { return Ipv4Repr.expectedChecksum(buf, off, headerLength()); }
    public Ipv4Address src() { return Ipv4Address.read(buf, off + SRC); }
    public Ipv4Address dst() { return Ipv4Address.read(buf, off + DST); }
    public int optionsOffset() { return off + OPTIONS; }
    public int optionsLength() { return headerLength() - OPTIONS; }
    /** Absolute index in the buffer of the first payload byte. */
    public int payloadOffset() { return off + headerLength(); }
    public int payloadLength() { return totalLength() - headerLength(); }
}
