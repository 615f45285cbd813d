package org.netstack4j.wire;

import java.util.Arrays;
import java.util.Objects;

/**
 * An option of a Hop-by-Hop or Destination Options header (RFC 8200 section 4.2): Pad1 is a
 * single zero byte, every other option is type, data length, data.
 * <pre>
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+- - - - - - - - -
 * |  Option Type  |  Opt Data Len |  Option Data
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+- - - - - - - - -
 * Option Type: |act|c| 5 bits |  act: what a node that does not know the type does
 *              (see {@link Action}); c: the data may change en route.
 * </pre>
 * Arrays are not copied: treat them as immutable.
 */
public sealed interface Ipv6Option {
    int TYPE_PAD1 = 0, TYPE_PADN = 1, TYPE_ROUTER_ALERT = 5, TYPE_JUMBO_PAYLOAD = 0xc2;

    /** RFC 8200 4.2: the two high-order bits of an option type a node does not recognise. */
    enum Action {
        /** 00: skip over this option and continue processing the header. */
        SKIP,
        /** 01: discard the packet. */
        DISCARD,
        /** 10: discard the packet and send ICMPv6 Parameter Problem, code 2, pointing to the option type. */
        DISCARD_AND_REPORT,
        /** 11: as 10, but only if the destination is not a multicast address. */
        DISCARD_AND_REPORT_UNLESS_MULTICAST
    }

    record Pad1() implements Ipv6Option {}

    /** dataLength zero bytes of padding (sent as zeros; received contents are not checked). */
    record PadN(int dataLength) implements Ipv6Option {
        public PadN { Bytes.checkRange("dataLength", dataLength, 0, 0xff); }
    }

    /** RFC 2711: the router should look at this packet more closely; value 0 is MLD. */
    record RouterAlert(int value) implements Ipv6Option {
        public RouterAlert { Bytes.checkRange("value", value, 0, 0xffff); }
    }

    /** Any other type, kept whole so a header round-trips and its action can be applied. */
    record Unknown(int type, byte[] data) implements Ipv6Option {
        public Unknown {
            Bytes.checkRange("type", type, 0, 0xff);
            Objects.requireNonNull(data, "data");
            Bytes.checkRange("data length", data.length, 0, 0xff);
            if (type == TYPE_PAD1) throw new IllegalArgumentException("type 0 is Pad1, which has no length");
        }
        @Override public boolean equals(Object o) {
            return o instanceof Unknown u && type == u.type && Arrays.equals(data, u.data);
        }
        @Override public int hashCode() { return 31 * type + Arrays.hashCode(data); }
        @Override public String toString() { return "Unknown[type=" + type + ", data=" + Bytes.hex(data) + "]"; }
    }

    static Action action(int type) {
        return switch (type >>> 6) {
            case 0 -> Action.SKIP;
            case 1 -> Action.DISCARD;
            case 2 -> Action.DISCARD_AND_REPORT;
            default -> Action.DISCARD_AND_REPORT_UNLESS_MULTICAST;
        };
    }

    /** RFC 8200 4.2: the third-highest bit says the option data may change on the way. */
    static boolean mayChange(int type) { return (type & 0x20) != 0; }

    default int type() {
        return switch (this) {
            case Pad1 p -> TYPE_PAD1;
            case PadN p -> TYPE_PADN;
            case RouterAlert r -> TYPE_ROUTER_ALERT;
            case Unknown u -> u.type();
        };
    }

    /** Bytes on the wire, type and length bytes included. */
    default int length() {
        return switch (this) {
            case Pad1 p -> 1;
            case PadN p -> 2 + p.dataLength();
            case RouterAlert r -> 4;
            case Unknown u -> 2 + u.data().length;
        };
    }

    default boolean isPadding() { return this instanceof Pad1 || this instanceof PadN; }

    /** Writes the option at buf[off]; returns length(). */
    default int emit(byte[] buf, int off) {
        Bytes.put8(buf, off, type());
        switch (this) {
            case Pad1 p -> { }
            case PadN p -> {
                Bytes.put8(buf, off + 1, p.dataLength());
                Arrays.fill(buf, off + 2, off + 2 + p.dataLength(), (byte) 0);
            }
            case RouterAlert r -> {
                Bytes.put8(buf, off + 1, 2);
                Bytes.put16(buf, off + 2, r.value());
            }
            case Unknown u -> {
                Bytes.put8(buf, off + 1, u.data().length);
                System.arraycopy(u.data(), 0, buf, off + 2, u.data().length);
            }
        }
        return length();
    }

    /**
     * Reads the option at buf[off], which must lie before end. Malformed (offset relative to
     * off) when its length runs past end. A Router Alert whose length is not 2 reads as Unknown.
     */
    static Parsed<Ipv6Option> parse(byte[] buf, int off, int end) {
        int type = Bytes.u8(buf, off);
        if (type == TYPE_PAD1) return Parsed.ok(new Pad1());
        if (off + 2 > end) return Parsed.malformed("ipv6-option", MalformedKind.BAD_OPTION, "option type 0x" + Integer.toHexString(type)
                + " has no length byte before the end of the header", 0);
        int dl = Bytes.u8(buf, off + 1);
        if (off + 2 + dl > end)
            return Parsed.malformed("ipv6-option", MalformedKind.BAD_OPTION, "option type 0x" + Integer.toHexString(type) + " data length " + dl
                    + " runs " + (off + 2 + dl - end) + " bytes past the end of the header", 1);
        if (type == TYPE_PADN) return Parsed.ok(new PadN(dl));
        if (type == TYPE_ROUTER_ALERT && dl == 2) return Parsed.ok(new RouterAlert(Bytes.u16(buf, off + 2)));
        return Parsed.ok(new Unknown(type, Arrays.copyOfRange(buf, off + 2, off + 2 + dl)));
    }

    /** "Pad1", "PadN", "Router Alert", "Jumbo Payload" or "type 0x1e". */
    static String typeName(int type) {
        return switch (type) {
            case TYPE_PAD1 -> "Pad1";
            case TYPE_PADN -> "PadN";
            case TYPE_ROUTER_ALERT -> "Router Alert";
            case TYPE_JUMBO_PAYLOAD -> "Jumbo Payload";
            case 0x04 -> "Tunnel Encapsulation Limit";
            case 0x26 -> "Quick-Start";
            case 0x63 -> "RPL Option";
            case 0xc9 -> "Home Address";
            default -> String.format("type 0x%02x", type);
        };
    }

    static String actionText(Action a) {
        return switch (a) {
            case SKIP -> "skip if unrecognised";
            case DISCARD -> "discard if unrecognised";
            case DISCARD_AND_REPORT -> "discard and send parameter problem if unrecognised";
            case DISCARD_AND_REPORT_UNLESS_MULTICAST -> "discard, and send parameter problem unless multicast, if unrecognised";
        };
    }
}
