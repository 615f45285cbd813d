package org.netstack4j.wire;

import static org.netstack4j.wire.Ipv6Repr.DST;
import static org.netstack4j.wire.Ipv6Repr.HEADER_LENGTH;
import static org.netstack4j.wire.Ipv6Repr.HOP_LIMIT;
import static org.netstack4j.wire.Ipv6Repr.NEXT_HEADER;
import static org.netstack4j.wire.Ipv6Repr.PAYLOAD_LENGTH;
import static org.netstack4j.wire.Ipv6Repr.SRC;
import static org.netstack4j.wire.Ipv6Repr.VER_TC_FLOW;

/**
 * A read-only view of the IPv6 fixed header (RFC 8200 section 3, diagram in {@link Ipv6Repr})
 * in a byte array; nothing is copied. {@link #of} checks version 6, the 40 bytes and that the
 * payload length fits in the buffer, so every getter stays in bounds.
 */
public final class Ipv6HeaderView {
    private final byte[] buf;
    private final int off;

    private Ipv6HeaderView(byte[] buf, int off) {
        this.buf = buf;
        this.off = off;
    }

    /** Checked view of untrusted bytes buf[off..off+len); Malformed offsets are relative to off. */
    public static Parsed<Ipv6HeaderView> of(byte[] buf, int off, int len) {
        if (!Bytes.inBounds(buf, off, len)) return Parsed.malformed("ipv6", MalformedKind.BAD_RANGE, "bad buffer range", 0);
        if (len < HEADER_LENGTH)
            return Parsed.malformed("ipv6", MalformedKind.TRUNCATED, "truncated: " + len + " bytes, header needs " + HEADER_LENGTH, len);
        int version = Bytes.u8(buf, off) >>> 4;
        if (version != 6) return Parsed.malformed("ipv6", MalformedKind.BAD_HEADER, "version " + version + " is not 6", VER_TC_FLOW);
        int pl = Bytes.u16(buf, off + PAYLOAD_LENGTH);
        if (HEADER_LENGTH + pl > len)
            return Parsed.malformed("ipv6", MalformedKind.TRUNCATED, "payload length " + pl + " exceeds the " + (len - HEADER_LENGTH)
                    + " bytes after the header", PAYLOAD_LENGTH);
        return Parsed.ok(new Ipv6HeaderView(buf, off));
    }

    public int version() { return Bytes.u8(buf, off) >>> 4; }
    public int trafficClass() { return (Bytes.i32(buf, off + VER_TC_FLOW) >>> 20) & 0xff; }
    public int dscp() { return trafficClass() >>> 2; }
    public int ecn() { return trafficClass() & 3; }
    public int flowLabel() { return Bytes.i32(buf, off + VER_TC_FLOW) & 0xf_ffff; }
    public int payloadLength() { return Bytes.u16(buf, off + PAYLOAD_LENGTH); }
    public int nextHeader() { return Bytes.u8(buf, off + NEXT_HEADER); }
    public int hopLimit() { return Bytes.u8(buf, off + HOP_LIMIT); }
    public Ipv6Address src() { return Ipv6Address.read(buf, off + SRC); }
    public Ipv6Address dst() { return Ipv6Address.read(buf, off + DST); }
    public int totalLength() { return HEADER_LENGTH + payloadLength(); }
    /** Absolute index in the buffer of the first byte after the fixed header. */
    public int payloadOffset() { return off + HEADER_LENGTH; }
}
