package org.netstack4j.wire;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A Neighbor Discovery option (RFC 4861 section 4.6): type, length in units of 8 bytes
 * (type and length included; 0 is invalid), then the type's fields.
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |    Length     |              ...              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * Prefix Information (type 3, length 4; RFC 4861 4.6.2, RFC 4862 5.5.3):
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |    Length     | Prefix Length |L|A| Reserved1 |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                         Valid Lifetime                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       Preferred Lifetime                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                           Reserved2                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                     Prefix (16 bytes)                         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * MTU (type 5, length 1): 2 reserved bytes, then the 32-bit MTU.
 * Redirected Header (type 4): 6 reserved bytes, then the start of the redirected packet.
 * </pre>
 * Link-layer address options (types 1 and 2) of length 1 carry an Ethernet address; other
 * lengths read as {@link Unknown}. Lifetimes are seconds, 0xffffffff meaning infinity.
 * Reserved fields are ignored on parse and written as zero. Arrays are not copied.
 */
public sealed interface NdOption {
    int TYPE_SOURCE_LINK_LAYER_ADDRESS = 1, TYPE_TARGET_LINK_LAYER_ADDRESS = 2, TYPE_PREFIX_INFORMATION = 3,
        TYPE_REDIRECTED_HEADER = 4, TYPE_MTU = 5;
    long INFINITY = 0xffff_ffffL;

    record SourceLinkLayerAddress(MacAddress address) implements NdOption {
        public SourceLinkLayerAddress { Objects.requireNonNull(address, "address"); }
    }

    record TargetLinkLayerAddress(MacAddress address) implements NdOption {
        public TargetLinkLayerAddress { Objects.requireNonNull(address, "address"); }
    }

    /** L: on-link; A: usable for stateless address autoconfiguration (RFC 4862 5.5.3). */
    record PrefixInformation(int prefixLength, boolean onLink, boolean autonomous, long validLifetime,
                             long preferredLifetime, Ipv6Address prefix) implements NdOption {
        public PrefixInformation {
            Bytes.checkRange("prefixLength", prefixLength, 0, 0xff);
            checkU32("validLifetime", validLifetime);
            checkU32("preferredLifetime", preferredLifetime);
            Objects.requireNonNull(prefix, "prefix");
        }
    }

    /** {@code data} is what follows the 6 reserved bytes (a multiple of 8 bytes). */
    record RedirectedHeader(byte[] data) implements NdOption {
        public RedirectedHeader {
            Objects.requireNonNull(data, "data");
            if (data.length % 8 != 0 || data.length > 255 * 8 - 8)
                throw new IllegalArgumentException("redirected header data must be a multiple of 8 bytes up to 2032, was " + data.length);
        }
        @Override public boolean equals(Object o) { return o instanceof RedirectedHeader r && Arrays.equals(data, r.data); }
        @Override public int hashCode() { return Arrays.hashCode(data); }
        @Override public String toString() { return "RedirectedHeader[" + data.length + " bytes]"; }
    }

    record Mtu(long mtu) implements NdOption {
        public Mtu { checkU32("mtu", mtu); }
    }

    /** Any other option (RFC 4861 4.6: receivers skip what they do not know); data follows type and length. */
    record Unknown(int type, byte[] data) implements NdOption {
        public Unknown {
            Bytes.checkRange("type", type, 0, 0xff);
            Objects.requireNonNull(data, "data");
            if ((data.length + 2) % 8 != 0 || data.length + 2 > 255 * 8)
                throw new IllegalArgumentException("option data must be 2 bytes short of a multiple of 8, was " + data.length);
        }
        @Override public boolean equals(Object o) { return o instanceof Unknown u && type == u.type && Arrays.equals(data, u.data); }
        @Override public int hashCode() { return 31 * type + Arrays.hashCode(data); }
        @Override public String toString() { return "Unknown[type=" + type + ", data=" + Bytes.hex(data) + "]"; }
    }

    private static void checkU32(String what, long v) {
        if (v < 0 || v > 0xffff_ffffL) throw new IllegalArgumentException(what + " must be in [0, 4294967295], was " + v);
    }

    default int type() {
        return switch (this) {
            case SourceLinkLayerAddress s -> TYPE_SOURCE_LINK_LAYER_ADDRESS;
            case TargetLinkLayerAddress t -> TYPE_TARGET_LINK_LAYER_ADDRESS;
            case PrefixInformation p -> TYPE_PREFIX_INFORMATION;
            case RedirectedHeader r -> TYPE_REDIRECTED_HEADER;
            case Mtu m -> TYPE_MTU;
            case Unknown u -> u.type();
        };
    }

    /** Bytes on the wire (a multiple of 8). */
    default int length() {
        return switch (this) {
            case SourceLinkLayerAddress s -> 8;
            case TargetLinkLayerAddress t -> 8;
            case PrefixInformation p -> 32;
            case RedirectedHeader r -> 8 + r.data().length;
            case Mtu m -> 8;
            case Unknown u -> 2 + u.data().length;
        };
    }

    /** Writes the option at buf[off]; returns length(). */
    default int emit(byte[] buf, int off) {
        int len = length();
        Arrays.fill(buf, off, off + len, (byte) 0);
        Bytes.put8(buf, off, type());
        Bytes.put8(buf, off + 1, len / 8);
        switch (this) {
            case SourceLinkLayerAddress s -> s.address().write(buf, off + 2);
            case TargetLinkLayerAddress t -> t.address().write(buf, off + 2);
            case PrefixInformation p -> {
                Bytes.put8(buf, off + 2, p.prefixLength());
                Bytes.put8(buf, off + 3, (p.onLink() ? 0x80 : 0) | (p.autonomous() ? 0x40 : 0));
                Bytes.put32(buf, off + 4, (int) p.validLifetime());
                Bytes.put32(buf, off + 8, (int) p.preferredLifetime());
                p.prefix().write(buf, off + 16);
            }
            case RedirectedHeader r -> System.arraycopy(r.data(), 0, buf, off + 8, r.data().length);
            case Mtu m -> Bytes.put32(buf, off + 4, (int) m.mtu());
            case Unknown u -> System.arraycopy(u.data(), 0, buf, off + 2, u.data().length);
        }
        return len;
    }

    /** Writes the options from buf[off]; returns the bytes written. */
    static int emitAll(List<NdOption> options, byte[] buf, int off) {
        int p = off;
        for (NdOption o : options) p += o.emit(buf, p);
        return p - off;
    }

    static int lengthOf(List<NdOption> options) {
        int n = 0;
        for (NdOption o : options) n += o.length();
        return n;
    }

    /**
     * Reads the options in buf[off..off+len) into {@code out}; null when all were read, else
     * why not (offset relative to off): a length of 0 (RFC 4861 4.6: the packet is discarded)
     * or an option running past the end.
     */
    static Parsed.Malformed<NdOption> parseAll(byte[] buf, int off, int len, List<NdOption> out) {
        int p = 0;
        while (p < len) {
            if (len - p < 2) return new Parsed.Malformed<>("ndp-option", MalformedKind.BAD_OPTION, "1 byte left, an option needs at least 8", p);
            int type = Bytes.u8(buf, off + p), units = Bytes.u8(buf, off + p + 1);
            if (units == 0) return new Parsed.Malformed<>("ndp-option", MalformedKind.BAD_OPTION, "option type " + type + " has length 0", p + 1);
            int olen = units * 8;
            if (olen > len - p)
                return new Parsed.Malformed<>("ndp-option", MalformedKind.BAD_OPTION, "option type " + type + " length " + olen
                        + " runs past the " + (len - p) + " bytes left", p + 1);
            out.add(parseOne(buf, off + p, type, olen));
            p += olen;
        }
        return null;
    }

    private static NdOption parseOne(byte[] buf, int o, int type, int olen) {
        return switch (type) {
            case TYPE_SOURCE_LINK_LAYER_ADDRESS -> olen == 8 ? new SourceLinkLayerAddress(MacAddress.read(buf, o + 2)) : unknown(buf, o, type, olen);
            case TYPE_TARGET_LINK_LAYER_ADDRESS -> olen == 8 ? new TargetLinkLayerAddress(MacAddress.read(buf, o + 2)) : unknown(buf, o, type, olen);
            case TYPE_PREFIX_INFORMATION -> olen == 32 ? new PrefixInformation(Bytes.u8(buf, o + 2),
                    (Bytes.u8(buf, o + 3) & 0x80) != 0, (Bytes.u8(buf, o + 3) & 0x40) != 0,
                    Bytes.i32(buf, o + 4) & 0xffff_ffffL, Bytes.i32(buf, o + 8) & 0xffff_ffffL,
                    Ipv6Address.read(buf, o + 16)) : unknown(buf, o, type, olen);
            case TYPE_REDIRECTED_HEADER -> new RedirectedHeader(Arrays.copyOfRange(buf, o + 8, o + olen));
            case TYPE_MTU -> olen == 8 ? new Mtu(Bytes.i32(buf, o + 4) & 0xffff_ffffL) : unknown(buf, o, type, olen);
            default -> unknown(buf, o, type, olen);
        };
    }

    private static NdOption unknown(byte[] buf, int o, int type, int olen) {
        return new Unknown(type, Arrays.copyOfRange(buf, o + 2, o + olen));
    }

    static String typeName(int type) {
        return switch (type) {
            case TYPE_SOURCE_LINK_LAYER_ADDRESS -> "Source link-layer address";
            case TYPE_TARGET_LINK_LAYER_ADDRESS -> "Target link-layer address";
            case TYPE_PREFIX_INFORMATION -> "Prefix information";
            case TYPE_REDIRECTED_HEADER -> "Redirected header";
            case TYPE_MTU -> "MTU";
            case 14 -> "Nonce";
            case 24 -> "Route information";
            case 25 -> "Recursive DNS server";
            case 31 -> "DNS search list";
            default -> "Option type " + type;
        };
    }

    /** "4294967295 (infinity)" or the seconds. */
    static String lifetime(long seconds) {
        return seconds == INFINITY ? seconds + " (infinity)" : seconds + " s";
    }
}
