package org.netstack4j.wire;

import java.util.Arrays;
import java.util.Objects;

/**
 * The IPv4 header (RFC 791). {@code fragmentOffset} is in bytes (a multiple of 8);
 * {@code options} holds the raw option bytes (length a multiple of 4, possibly 0);
 * {@code payloadLength} is totalLength - headerLength. The options array is not copied:
 * treat it as immutable.
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
 * Flags: bit 0 reserved (must be zero), bit 1 DF, bit 2 MF.
 * </pre>
 * The reserved flag bit is ignored on parse (not carried) and written as zero. Version,
 * IHL, total length and checksum are derived, not stored.
 */
public record Ipv4Repr(int tos, int identification, boolean dontFragment, boolean moreFragments,
                       int fragmentOffset, int ttl, int protocol, Ipv4Address src, Ipv4Address dst,
                       byte[] options, int payloadLength) {
    public static final int MIN_HEADER_LENGTH = 20;
    public static final int MAX_HEADER_LENGTH = 60;
    public static final int MAX_TOTAL_LENGTH = 65535;
    public static final int PROTO_ICMP = 1;
    public static final int PROTO_TCP = 6;
    public static final int PROTO_UDP = 17;

    static final byte[] NO_OPTIONS = new byte[0];

    static final int VER_IHL = 0, TOS = 1, TOTAL_LENGTH = 2, IDENT = 4, FLAGS_FRAG = 6, TTL = 8,
            PROTOCOL = 9, CHECKSUM = 10, SRC = 12, DST = 16;
    static final int FLAG_RESERVED = 0x8000, FLAG_DF = 0x4000, FLAG_MF = 0x2000, OFFSET_MASK = 0x1fff;

    public Ipv4Repr {
        Bytes.checkRange("tos", tos, 0, 0xff);
        Bytes.checkRange("identification", identification, 0, 0xffff);
        Bytes.checkRange("fragmentOffset", fragmentOffset, 0, OFFSET_MASK * 8);
        if ((fragmentOffset & 7) != 0)
            throw new IllegalArgumentException("fragmentOffset must be a multiple of 8, was " + fragmentOffset);
        Bytes.checkRange("ttl", ttl, 0, 0xff);
        Bytes.checkRange("protocol", protocol, 0, 0xff);
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(dst, "dst");
        Objects.requireNonNull(options, "options");
        if (options.length % 4 != 0 || options.length > MAX_HEADER_LENGTH - MIN_HEADER_LENGTH)
            throw new IllegalArgumentException("options length must be a multiple of 4 up to 40, was " + options.length);
        Bytes.checkRange("payloadLength", payloadLength, 0, MAX_TOTAL_LENGTH - MIN_HEADER_LENGTH - options.length);
    }

    /** A header without options. */
    public static Ipv4Repr of(Ipv4Address src, Ipv4Address dst, int protocol, int ttl, int payloadLength) {
        return new Ipv4Repr(0, 0, false, false, 0, ttl, protocol, src, dst, NO_OPTIONS, payloadLength);
    }

    public int headerLength() { return MIN_HEADER_LENGTH + options.length; }
    public int totalLength() { return headerLength() + payloadLength; }

    /**
     * What is wrong with the options (RFC 791 3.1 option format), or null when they parse: every
     * option but End of Option List (0) and No Operation (1) has a length octet of at least 2
     * that keeps it inside the header; the route options (Record Route 7, Loose 131 and Strict
     * 137 Source Route) need a pointer of at least 4 and Internet Timestamp (68) of at least 5
     * (Linux ip_options_compile, which answers such a header with a parameter problem).
     */
    public String optionsProblem() {
        if (options.length == 0) return null; // the common case: no builder per datagram
        StringBuilder why = new StringBuilder();
        return checkOptions(why) < 0 ? null : why.toString();
    }

    /**
     * The octet of the header where {@link #optionsProblem} found the fault, as the pointer of an
     * ICMP parameter problem (RFC 792) gives it: the option's type octet for a bad length, its
     * length octet when a route option has no room for a pointer, the pointer octet when the
     * pointer is too small (as Linux ip_options_compile); -1 when the options parse.
     */
    public int optionsProblemPointer() { return checkOptions(null); }

    /** Walks the options; on a fault, writes why into {@code why} (if not null) and returns its header offset, else -1. */
    private int checkOptions(StringBuilder why) {
        int i = 0;
        while (i < options.length) {
            int type = options[i] & 0xff;
            if (type == 0) return -1; // End of Option List: the rest is padding
            if (type == 1) { i++; continue; }
            if (i + 1 >= options.length) return fault(why, i, "option " + type + " at " + i + " has no length octet");
            int len = options[i + 1] & 0xff;
            if (len < 2) return fault(why, i, "option " + type + " at " + i + " has length " + len + " < 2");
            if (i + len > options.length) return fault(why, i, "option " + type + " at " + i + " (length " + len + ") runs past the header");
            int minPointer = switch (type) {
                case 7, 131, 137 -> 4;
                case 68 -> 5;
                default -> 0;
            };
            if (minPointer > 0 && len < 3) return fault(why, i + 1, "option " + type + " at " + i + " has a pointer below " + minPointer);
            if (minPointer > 0 && (options[i + 2] & 0xff) < minPointer)
                return fault(why, i + 2, "option " + type + " at " + i + " has a pointer below " + minPointer);
            i += len;
        }
        return -1;
    }

    private static int fault(StringBuilder why, int optionOffset, String reason) {
        if (why != null) why.append(reason);
        return MIN_HEADER_LENGTH + optionOffset;
    }

    /** True for any fragment of a fragmented datagram (MF set or offset non-zero). */
    public boolean isFragment() { return moreFragments || fragmentOffset != 0; }

    /**
     * Parses and validates (version 4, IHL >= 5 and within len, total length within len and
     * >= IHL*4, header checksum). The payload is buf[off+headerLength() .. +payloadLength);
     * bytes past the total length (Ethernet padding) are ignored.
     */
    public static Parsed<Ipv4Repr> parse(byte[] buf, int off, int len) {
        // One test for the usual good header; the reasons are worked out apart (a small method the
        // JIT inlines into the receive path, so the Parsed wrapper need not be allocated).
        if (!Bytes.inBounds(buf, off, len) || len < MIN_HEADER_LENGTH) return malformed(buf, off, len);
        int verIhl = Bytes.u8(buf, off + VER_IHL);
        int hl = (verIhl & 0xf) * 4;
        int total = Bytes.u16(buf, off + TOTAL_LENGTH);
        if (verIhl >>> 4 != 4 || hl < MIN_HEADER_LENGTH || hl > len || total < hl || total > len
                || Checksum.compute(buf, off, hl) != 0) return malformed(buf, off, len);
        int ff = Bytes.u16(buf, off + FLAGS_FRAG);
        byte[] options = hl == MIN_HEADER_LENGTH ? NO_OPTIONS : Arrays.copyOfRange(buf, off + MIN_HEADER_LENGTH, off + hl);
        return Parsed.ok(new Ipv4Repr(Bytes.u8(buf, off + TOS), Bytes.u16(buf, off + IDENT),
                (ff & FLAG_DF) != 0, (ff & FLAG_MF) != 0, (ff & OFFSET_MASK) * 8,
                Bytes.u8(buf, off + TTL), Bytes.u8(buf, off + PROTOCOL),
                Ipv4Address.read(buf, off + SRC), Ipv4Address.read(buf, off + DST), options, total - hl));
    }

    /** Why {@link #parse} refused the header: the first check that fails, in the order of the checks. */
    private static Parsed<Ipv4Repr> malformed(byte[] buf, int off, int len) {
        if (!Bytes.inBounds(buf, off, len)) return Parsed.malformed("ipv4", MalformedKind.BAD_RANGE, "bad buffer range", 0);
        if (len < MIN_HEADER_LENGTH)
            return Parsed.malformed("ipv4", MalformedKind.TRUNCATED, "truncated: " + len + " bytes, header needs " + MIN_HEADER_LENGTH, len);
        int version = Bytes.u8(buf, off + VER_IHL) >>> 4;
        if (version != 4) return Parsed.malformed("ipv4", MalformedKind.BAD_HEADER, "version " + version + " is not 4", VER_IHL);
        int ihl = Bytes.u8(buf, off + VER_IHL) & 0xf;
        int hl = ihl * 4;
        if (ihl < 5) return Parsed.malformed("ipv4", MalformedKind.BAD_HEADER, "IHL " + ihl + " (" + hl + " bytes) < 5", VER_IHL);
        if (hl > len)
            return Parsed.malformed("ipv4", MalformedKind.TRUNCATED, "IHL " + ihl + " (" + hl + " bytes) runs past the " + len + " bytes available", VER_IHL);
        int total = Bytes.u16(buf, off + TOTAL_LENGTH);
        if (total < hl)
            return Parsed.malformed("ipv4", MalformedKind.BAD_HEADER, "total length " + total + " < header length " + hl, TOTAL_LENGTH);
        if (total > len)
            return Parsed.malformed("ipv4", MalformedKind.TRUNCATED, "total length " + total + " exceeds the " + len + " bytes available", TOTAL_LENGTH);
        return Parsed.malformed("ipv4", MalformedKind.CHECKSUM, String.format("bad header checksum 0x%04x, should be 0x%04x",
                Bytes.u16(buf, off + CHECKSUM), expectedChecksum(buf, off, hl)), CHECKSUM);
    }

    /** The checksum the header at buf[off..off+hl) should carry. */
    static int expectedChecksum(byte[] buf, int off, int hl) {
        long s = Checksum.sum(0, buf, off, CHECKSUM);
        return Checksum.finish(Checksum.sum(s, buf, off + CHECKSUM + 2, hl - CHECKSUM - 2));
    }

    /** Writes the header (with its checksum) at buf[off]; returns headerLength(). */
    public int emit(byte[] buf, int off) {
        int hl = headerLength();
        Bytes.put8(buf, off + VER_IHL, 0x40 | (hl / 4));
        Bytes.put8(buf, off + TOS, tos);
        Bytes.put16(buf, off + TOTAL_LENGTH, hl + payloadLength);
        Bytes.put16(buf, off + IDENT, identification);
        Bytes.put16(buf, off + FLAGS_FRAG, (dontFragment ? FLAG_DF : 0) | (moreFragments ? FLAG_MF : 0) | (fragmentOffset / 8));
        Bytes.put8(buf, off + TTL, ttl);
        Bytes.put8(buf, off + PROTOCOL, protocol);
        src.write(buf, off + SRC);
        dst.write(buf, off + DST);
        System.arraycopy(options, 0, buf, off + MIN_HEADER_LENGTH, options.length);
        // summed from the fields, not read back from the bytes just stored one by one
        int s = src.bits(), d = dst.bits();
        long sum = (0x40 | (hl / 4)) << 8 | tos;
        sum += ((hl + payloadLength) & 0xffff) + identification
                + ((dontFragment ? FLAG_DF : 0) | (moreFragments ? FLAG_MF : 0) | (fragmentOffset / 8))
                + (ttl << 8 | protocol) + (s >>> 16) + (s & 0xffff) + (d >>> 16) + (d & 0xffff);
        if (options.length > 0) sum = Checksum.sum(sum, options, 0, options.length);
        Bytes.put16(buf, off + CHECKSUM, Checksum.finish(sum));
        return hl;
    }

    public static String protocolName(int protocol) {
        return switch (protocol) {
            case PROTO_ICMP -> "ICMP";
            case PROTO_TCP -> "TCP";
            case PROTO_UDP -> "UDP";
            default -> "protocol " + protocol;
        };
    }

    @Override public boolean equals(Object o) {
        return o instanceof Ipv4Repr r && tos == r.tos && identification == r.identification
                && dontFragment == r.dontFragment && moreFragments == r.moreFragments
                && fragmentOffset == r.fragmentOffset && ttl == r.ttl && protocol == r.protocol
                && src.equals(r.src) && dst.equals(r.dst) && Arrays.equals(options, r.options)
                && payloadLength == r.payloadLength;
    }

    @Override public int hashCode() {
        return Objects.hash(tos, identification, dontFragment, moreFragments, fragmentOffset, ttl, protocol,
                src, dst, Arrays.hashCode(options), payloadLength);
    }

    /** tcpdump-like: "10.0.0.1 > 10.0.0.2: TCP, ttl 64, id 1, flags [DF], offset 0, length 60". */
    @Override public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append(src).append(" > ").append(dst).append(": ").append(protocolName(protocol))
                .append(", tos 0x").append(Integer.toHexString(tos))
                .append(", ttl ").append(ttl).append(", id ").append(identification)
                .append(", flags [").append(dontFragment ? "DF" : "").append(dontFragment && moreFragments ? "," : "")
                .append(moreFragments ? "MF" : "").append(!dontFragment && !moreFragments ? "none" : "").append(']')
                .append(", offset ").append(fragmentOffset)
                .append(", length ").append(totalLength());
        if (options.length > 0) sb.append(", options ").append(Bytes.hex(options));
        return sb.toString();
    }
}
