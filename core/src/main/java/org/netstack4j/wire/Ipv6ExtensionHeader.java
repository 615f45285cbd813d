package org.netstack4j.wire;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The IPv6 extension headers a host walks (RFC 8200 section 4): Hop-by-Hop Options (4.3),
 * Routing (4.4), Fragment (4.5) and Destination Options (4.6). Each starts with the Next
 * Header of what follows; {@link Ipv6Chain} walks them and decides what the packet gets.
 * <pre>
 * Hop-by-Hop / Destination Options (length (Hdr Ext Len + 1) * 8):
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Next Header  |  Hdr Ext Len  |                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
 * .                            Options                            .
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * Routing (length (Hdr Ext Len + 1) * 8):
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Next Header  |  Hdr Ext Len  |  Routing Type | Segments Left |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * .                       type-specific data                      .
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * Fragment (8 bytes):
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Next Header  |   Reserved    |      Fragment Offset    |Res|M|
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                         Identification                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 * Reserved fields are ignored on parse and written as zero. Arrays are not copied.
 */
public sealed interface Ipv6ExtensionHeader {
    /** Longest options or routing header: Hdr Ext Len 255. */
    int MAX_LENGTH = 256 * 8;
    int FRAGMENT_LENGTH = 8;

    /** RFC 8200 4.3: examined by every node on the path; must come first. */
    record HopByHop(int nextHeader, List<Ipv6Option> options) implements Ipv6ExtensionHeader {
        public HopByHop {
            Bytes.checkRange("nextHeader", nextHeader, 0, 0xff);
            options = List.copyOf(options);
            checkOptionsLength(options);
        }
        /** Options followed by the padding that makes the header a multiple of 8 bytes. */
        public static HopByHop padded(int nextHeader, List<Ipv6Option> options) {
            return new HopByHop(nextHeader, pad(options));
        }
    }

    /** RFC 8200 4.6: examined by the destination only. */
    record DestinationOptions(int nextHeader, List<Ipv6Option> options) implements Ipv6ExtensionHeader {
        public DestinationOptions {
            Bytes.checkRange("nextHeader", nextHeader, 0, 0xff);
            options = List.copyOf(options);
            checkOptionsLength(options);
        }
        public static DestinationOptions padded(int nextHeader, List<Ipv6Option> options) {
            return new DestinationOptions(nextHeader, pad(options));
        }
    }

    /** RFC 8200 4.4; {@code data} is everything after Segments Left (its length is 4 modulo 8). */
    record Routing(int nextHeader, int routingType, int segmentsLeft, byte[] data) implements Ipv6ExtensionHeader {
        public Routing {
            Bytes.checkRange("nextHeader", nextHeader, 0, 0xff);
            Bytes.checkRange("routingType", routingType, 0, 0xff);
            Bytes.checkRange("segmentsLeft", segmentsLeft, 0, 0xff);
            Objects.requireNonNull(data, "data");
            if ((data.length + 4) % 8 != 0 || data.length + 4 > MAX_LENGTH)
                throw new IllegalArgumentException("routing data must be 4 bytes short of a multiple of 8, up to "
                        + (MAX_LENGTH - 4) + ", was " + data.length);
        }
        @Override public boolean equals(Object o) {
            return o instanceof Routing r && nextHeader == r.nextHeader && routingType == r.routingType
                    && segmentsLeft == r.segmentsLeft && Arrays.equals(data, r.data);
        }
        @Override public int hashCode() { return Objects.hash(nextHeader, routingType, segmentsLeft, Arrays.hashCode(data)); }
        @Override public String toString() {
            return "Routing[nextHeader=" + nextHeader + ", type=" + routingType + ", segmentsLeft=" + segmentsLeft
                    + ", data=" + Bytes.hex(data) + "]";
        }
    }

    /** RFC 8200 4.5; {@code fragmentOffset} in bytes (a multiple of 8). Offset 0 without M is atomic (RFC 6946). */
    record Fragment(int nextHeader, int fragmentOffset, boolean more, int identification) implements Ipv6ExtensionHeader {
        public Fragment {
            Bytes.checkRange("nextHeader", nextHeader, 0, 0xff);
            Bytes.checkRange("fragmentOffset", fragmentOffset, 0, 0x1fff * 8);
            if ((fragmentOffset & 7) != 0)
                throw new IllegalArgumentException("fragmentOffset must be a multiple of 8, was " + fragmentOffset);
        }
        /** RFC 6946: a fragment header on a whole packet, to be processed in isolation. */
        public boolean isAtomic() { return fragmentOffset == 0 && !more; }
    }

    private static void checkOptionsLength(List<Ipv6Option> options) {
        int n = 2;
        for (Ipv6Option o : options) n += Objects.requireNonNull(o, "option").length();
        if (n % 8 != 0 || n > MAX_LENGTH)
            throw new IllegalArgumentException("options header length must be a multiple of 8 up to " + MAX_LENGTH
                    + ", was " + n + " (use padded(...))");
    }

    /** RFC 8200 4.2: Pad1 for one byte, PadN for more. */
    private static List<Ipv6Option> pad(List<Ipv6Option> options) {
        int n = 2;
        for (Ipv6Option o : options) n += o.length();
        int gap = (8 - n % 8) % 8;
        if (gap == 0) return options;
        List<Ipv6Option> out = new ArrayList<>(options);
        out.add(gap == 1 ? new Ipv6Option.Pad1() : new Ipv6Option.PadN(gap - 2));
        return out;
    }

    /** True for the Next Header values that name one of these headers. */
    static boolean isExtension(int nextHeader) {
        return nextHeader == Ipv6Repr.NH_HOP_BY_HOP || nextHeader == Ipv6Repr.NH_ROUTING
                || nextHeader == Ipv6Repr.NH_FRAGMENT || nextHeader == Ipv6Repr.NH_DESTINATION_OPTIONS;
    }

    int nextHeader();

    /** The Next Header value that names this header in the one before it. */
    default int protocol() {
        return switch (this) {
            case HopByHop h -> Ipv6Repr.NH_HOP_BY_HOP;
            case DestinationOptions d -> Ipv6Repr.NH_DESTINATION_OPTIONS;
            case Routing r -> Ipv6Repr.NH_ROUTING;
            case Fragment f -> Ipv6Repr.NH_FRAGMENT;
        };
    }

    default int length() {
        return switch (this) {
            case HopByHop h -> optionsLength(h.options());
            case DestinationOptions d -> optionsLength(d.options());
            case Routing r -> 4 + r.data().length;
            case Fragment f -> FRAGMENT_LENGTH;
        };
    }

    private static int optionsLength(List<Ipv6Option> options) {
        int n = 2;
        for (Ipv6Option o : options) n += o.length();
        return n;
    }

    /** Writes the header at buf[off]; returns length(). */
    default int emit(byte[] buf, int off) {
        int len = length();
        Bytes.put8(buf, off, nextHeader());
        switch (this) {
            case HopByHop h -> emitOptions(buf, off, len, h.options());
            case DestinationOptions d -> emitOptions(buf, off, len, d.options());
            case Routing r -> {
                Bytes.put8(buf, off + 1, len / 8 - 1);
                Bytes.put8(buf, off + 2, r.routingType());
                Bytes.put8(buf, off + 3, r.segmentsLeft());
                System.arraycopy(r.data(), 0, buf, off + 4, r.data().length);
            }
            case Fragment f -> {
                Bytes.put8(buf, off + 1, 0);
                Bytes.put16(buf, off + 2, f.fragmentOffset() | (f.more() ? 1 : 0));
                Bytes.put32(buf, off + 4, f.identification());
            }
        }
        return len;
    }

    private static void emitOptions(byte[] buf, int off, int len, List<Ipv6Option> options) {
        Bytes.put8(buf, off + 1, len / 8 - 1);
        int p = off + 2;
        for (Ipv6Option o : options) p += o.emit(buf, p);
    }

    /**
     * Reads the header named {@code nextHeader} (one of the four above) at buf[off], which
     * must end by {@code end}. Malformed offsets are relative to off. Options are parsed for
     * structure only; their meaning is for {@link Ipv6Chain}.
     */
    static Parsed<Ipv6ExtensionHeader> parse(int nextHeader, byte[] buf, int off, int end) {
        String layer = "ipv6-" + switch (nextHeader) {
            case Ipv6Repr.NH_HOP_BY_HOP -> "hop-by-hop";
            case Ipv6Repr.NH_ROUTING -> "routing";
            case Ipv6Repr.NH_FRAGMENT -> "fragment";
            case Ipv6Repr.NH_DESTINATION_OPTIONS -> "destination-options";
            default -> "ext";
        };
        if (!isExtension(nextHeader)) return Parsed.malformed(layer, MalformedKind.BAD_HEADER, "next header " + nextHeader + " is not an extension header", 0);
        if (!Bytes.inBounds(buf, off, end - off)) return Parsed.malformed(layer, MalformedKind.BAD_RANGE, "bad buffer range", 0);
        int avail = end - off;
        int need = nextHeader == Ipv6Repr.NH_FRAGMENT ? FRAGMENT_LENGTH : 2;
        if (avail < need)
            return Parsed.malformed(layer, MalformedKind.TRUNCATED, "truncated: " + avail + " bytes, header needs at least " + need, avail);
        int nh = Bytes.u8(buf, off);
        int len = nextHeader == Ipv6Repr.NH_FRAGMENT ? FRAGMENT_LENGTH : (Bytes.u8(buf, off + 1) + 1) * 8;
        if (len > avail)
            return Parsed.malformed(layer, MalformedKind.TRUNCATED, "header length " + len + " (Hdr Ext Len " + Bytes.u8(buf, off + 1)
                    + ") runs past the " + avail + " bytes left in the packet", 1);
        switch (nextHeader) {
            case Ipv6Repr.NH_FRAGMENT -> {
                int w = Bytes.u16(buf, off + 2);
                return Parsed.ok(new Fragment(nh, w & 0xfff8, (w & 1) != 0, Bytes.i32(buf, off + 4)));
            }
            case Ipv6Repr.NH_ROUTING -> {
                return Parsed.ok(new Routing(nh, Bytes.u8(buf, off + 2), Bytes.u8(buf, off + 3),
                        Arrays.copyOfRange(buf, off + 4, off + len)));
            }
            default -> {
                List<Ipv6Option> options = new ArrayList<>();
                for (int p = off + 2; p < off + len; ) {
                    Parsed<Ipv6Option> o = Ipv6Option.parse(buf, p, off + len);
                    if (!(o instanceof Parsed.Ok<Ipv6Option>(Ipv6Option opt))) {
                        Parsed.Malformed<Ipv6Option> m = (Parsed.Malformed<Ipv6Option>) o;
                        return Parsed.malformed(layer, m.kind(), m.reason(), p - off + m.offset());
                    }
                    options.add(opt);
                    p += opt.length();
                }
                return Parsed.ok(nextHeader == Ipv6Repr.NH_HOP_BY_HOP ? new HopByHop(nh, options)
                        : new DestinationOptions(nh, options));
            }
        }
    }

    /** "Type 0 (source route, deprecated: RFC 5095)", "Type 4 (segment routing)", ... */
    static String routingTypeName(int type) {
        return switch (type) {
            case 0 -> "source route, deprecated by RFC 5095";
            case 1 -> "Nimrod, deprecated";
            case 2 -> "Mobile IPv6, RFC 6275";
            case 3 -> "RPL source route, RFC 6554";
            case 4 -> "segment routing, RFC 8754";
            default -> "unassigned or experimental";
        };
    }
}
