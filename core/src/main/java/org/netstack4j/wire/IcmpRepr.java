package org.netstack4j.wire;

import java.util.Arrays;
import java.util.Objects;

/**
 * ICMPv4 (RFC 792) message. Variants carry what their type needs; {@code data} is the
 * echo payload or the quoted original datagram (IP header + first bytes) for errors.
 * Arrays are not copied: treat them as immutable.
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |     Code      |          Checksum             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Identifier (echo) / unused  | Sequence (echo) / Next-Hop MTU|
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Data (echo) / Internet Header + 64 bits of Original Data  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * Next-Hop MTU: RFC 1191 section 4, destination unreachable code 4.
 * </pre>
 */
public sealed interface IcmpRepr {
    int TYPE_ECHO_REPLY = 0, TYPE_DEST_UNREACHABLE = 3, TYPE_ECHO_REQUEST = 8, TYPE_TIME_EXCEEDED = 11;
    int CODE_NET_UNREACHABLE = 0, CODE_HOST_UNREACHABLE = 1, CODE_PROTOCOL_UNREACHABLE = 2,
        CODE_PORT_UNREACHABLE = 3, CODE_FRAGMENTATION_NEEDED = 4;
    int CODE_TTL_EXCEEDED = 0, CODE_REASSEMBLY_TIME_EXCEEDED = 1;
    int HEADER_LENGTH = 8;

    record EchoRequest(int identifier, int sequence, byte[] data) implements IcmpRepr {
        public EchoRequest {
            Icmps.checkEcho(identifier, sequence, data);
        }
        @Override public boolean equals(Object o) {
            return o instanceof EchoRequest e && identifier == e.identifier && sequence == e.sequence
                    && Arrays.equals(data, e.data);
        }
        @Override public int hashCode() { return Objects.hash(identifier, sequence, Arrays.hashCode(data)); }
        @Override public String toString() {
            return "ICMP echo request, id " + identifier + ", seq " + sequence + ", length " + length();
        }
    }

    record EchoReply(int identifier, int sequence, byte[] data) implements IcmpRepr {
        public EchoReply {
            Icmps.checkEcho(identifier, sequence, data);
        }
        @Override public boolean equals(Object o) {
            return o instanceof EchoReply e && identifier == e.identifier && sequence == e.sequence
                    && Arrays.equals(data, e.data);
        }
        @Override public int hashCode() { return Objects.hash(identifier, sequence, Arrays.hashCode(data)); }
        @Override public String toString() {
            return "ICMP echo reply, id " + identifier + ", seq " + sequence + ", length " + length();
        }
    }

    /**
     * nextHopMtu is meaningful for code 4 (fragmentation needed, RFC 1191), else 0. It is
     * read from and written to bytes 6-7 whatever the code, so parse/emit round-trip.
     * Bytes 4-5 (unused; RFC 4884 length) are ignored on parse and written as zero, as are
     * bytes 4-7 of time exceeded.
     */
    record DestinationUnreachable(int code, int nextHopMtu, byte[] data) implements IcmpRepr {
        public DestinationUnreachable {
            Bytes.checkRange("code", code, 0, 0xff);
            Bytes.checkRange("nextHopMtu", nextHopMtu, 0, 0xffff);
            Objects.requireNonNull(data, "data");
        }
        @Override public boolean equals(Object o) {
            return o instanceof DestinationUnreachable d && code == d.code && nextHopMtu == d.nextHopMtu
                    && Arrays.equals(data, d.data);
        }
        @Override public int hashCode() { return Objects.hash(code, nextHopMtu, Arrays.hashCode(data)); }
        @Override public String toString() {
            return "ICMP " + codeName(TYPE_DEST_UNREACHABLE, code)
                    + (code == CODE_FRAGMENTATION_NEEDED ? ", next-hop MTU " + nextHopMtu : "")
                    + ", length " + length();
        }
    }

    record TimeExceeded(int code, byte[] data) implements IcmpRepr {
        public TimeExceeded {
            Icmps.checkError(code, data);
        }
        @Override public boolean equals(Object o) {
            return o instanceof TimeExceeded t && code == t.code && Arrays.equals(data, t.data);
        }
        @Override public int hashCode() { return Objects.hash(code, Arrays.hashCode(data)); }
        @Override public String toString() {
            return "ICMP time exceeded: " + codeName(TYPE_TIME_EXCEEDED, code) + ", length " + length();
        }
    }

    /**
     * Any other type/code, kept for display. rest is the 4 bytes after the checksum, then data.
     * Echo messages with a non-zero code also parse as Other (RFC 792: code 0).
     */
    record Other(int type, int code, byte[] rest) implements IcmpRepr {
        public Other {
            Icmps.checkOther(type, code, rest);
        }
        @Override public boolean equals(Object o) {
            return o instanceof Other t && type == t.type && code == t.code && Arrays.equals(rest, t.rest);
        }
        @Override public int hashCode() { return Objects.hash(type, code, Arrays.hashCode(rest)); }
        @Override public String toString() {
            return "ICMP type " + type + ", code " + code + ", length " + length();
        }
    }

    /** Parses and verifies the checksum over buf[off..off+len). Malformed offsets are relative to off. */
    static Parsed<IcmpRepr> parse(byte[] buf, int off, int len) {
        Parsed<IcmpRepr> bad = Icmps.badHeader("icmp", buf, off, len, HEADER_LENGTH);
        if (bad != null) return bad;
        if (Checksum.compute(buf, off, len) != 0) {
            int expected = Checksum.finish(Checksum.sum(Checksum.sum(0, buf, off, 2), buf, off + 4, len - 4));
            return Parsed.malformed("icmp", MalformedKind.CHECKSUM, String.format("bad checksum 0x%04x, should be 0x%04x",
                    Bytes.u16(buf, off + 2), expected), 2);
        }
        int type = Bytes.u8(buf, off);
        int code = Bytes.u8(buf, off + 1);
        int w1 = Bytes.u16(buf, off + 4), w2 = Bytes.u16(buf, off + 6);
        byte[] data = java.util.Arrays.copyOfRange(buf, off + HEADER_LENGTH, off + len);
        IcmpRepr r;
        if (type == TYPE_ECHO_REQUEST && code == 0) r = new EchoRequest(w1, w2, data);
        else if (type == TYPE_ECHO_REPLY && code == 0) r = new EchoReply(w1, w2, data);
        else if (type == TYPE_DEST_UNREACHABLE) r = new DestinationUnreachable(code, w2, data);
        else if (type == TYPE_TIME_EXCEEDED) r = new TimeExceeded(code, data);
        else r = new Other(type, code, java.util.Arrays.copyOfRange(buf, off + 4, off + len));
        return Parsed.ok(r);
    }

    default int type() {
        return switch (this) {
            case EchoRequest e -> TYPE_ECHO_REQUEST;
            case EchoReply e -> TYPE_ECHO_REPLY;
            case DestinationUnreachable d -> TYPE_DEST_UNREACHABLE;
            case TimeExceeded t -> TYPE_TIME_EXCEEDED;
            case Other o -> o.type();
        };
    }

    default int code() {
        return switch (this) {
            case EchoRequest e -> 0;
            case EchoReply e -> 0;
            case DestinationUnreachable d -> d.code();
            case TimeExceeded t -> t.code();
            case Other o -> o.code();
        };
    }

    default int length() {
        return switch (this) {
            case EchoRequest e -> HEADER_LENGTH + e.data().length;
            case EchoReply e -> HEADER_LENGTH + e.data().length;
            case DestinationUnreachable d -> HEADER_LENGTH + d.data().length;
            case TimeExceeded t -> HEADER_LENGTH + t.data().length;
            case Other o -> 4 + o.rest().length;
        };
    }

    /**
     * The data an ICMP error carries about the datagram at buf[off..off+len): its IP header
     * plus the first 64 bits of its data (RFC 792; RFC 1812 4.3.2.3 allows more, this stays
     * with the minimum every host understands). Assumes a structurally valid IPv4 header.
     */
    static byte[] quote(byte[] buf, int off, int len) {
        int hl = (buf[off] & 0xf) * 4;
        return java.util.Arrays.copyOfRange(buf, off, off + Math.min(len, hl + 8));
    }

    /** True for error messages (destination unreachable, time exceeded), which quote a datagram. */
    default boolean isError() {
        return this instanceof DestinationUnreachable || this instanceof TimeExceeded;
    }

    /** Writes the message with its checksum at buf[off]; returns length(). */
    default int emit(byte[] buf, int off) {
        Bytes.put8(buf, off, type());
        Bytes.put8(buf, off + 1, code());
        Bytes.put16(buf, off + 2, 0);
        byte[] tail;
        switch (this) {
            case EchoRequest e -> { Bytes.put16(buf, off + 4, e.identifier()); Bytes.put16(buf, off + 6, e.sequence()); tail = e.data(); }
            case EchoReply e -> { Bytes.put16(buf, off + 4, e.identifier()); Bytes.put16(buf, off + 6, e.sequence()); tail = e.data(); }
            case DestinationUnreachable d -> { Bytes.put16(buf, off + 4, 0); Bytes.put16(buf, off + 6, d.nextHopMtu()); tail = d.data(); }
            case TimeExceeded t -> { Bytes.put32(buf, off + 4, 0); tail = t.data(); }
            case Other o -> { System.arraycopy(o.rest(), 0, buf, off + 4, 4); tail = Arrays.copyOfRange(o.rest(), 4, o.rest().length); }
        }
        System.arraycopy(tail, 0, buf, off + HEADER_LENGTH, tail.length);
        int len = length();
        Bytes.put16(buf, off + 2, Checksum.compute(buf, off, len));
        return len;
    }

    /** Human name of a type ("echo request", "destination unreachable", ...). */
    static String typeName(int type) {
        return switch (type) {
            case TYPE_ECHO_REPLY -> "echo reply";
            case TYPE_DEST_UNREACHABLE -> "destination unreachable";
            case 5 -> "redirect";
            case TYPE_ECHO_REQUEST -> "echo request";
            case TYPE_TIME_EXCEEDED -> "time exceeded";
            case 12 -> "parameter problem";
            case 13 -> "timestamp";
            case 14 -> "timestamp reply";
            default -> "type " + type;
        };
    }

    /** Human name of a code for its type ("port unreachable", "TTL exceeded in transit", ...). */
    static String codeName(int type, int code) {
        if (type == TYPE_DEST_UNREACHABLE) {
            return switch (code) {
                case CODE_NET_UNREACHABLE -> "net unreachable";
                case CODE_HOST_UNREACHABLE -> "host unreachable";
                case CODE_PROTOCOL_UNREACHABLE -> "protocol unreachable";
                case CODE_PORT_UNREACHABLE -> "port unreachable";
                case CODE_FRAGMENTATION_NEEDED -> "fragmentation needed and DF set";
                case 5 -> "source route failed";
                case 6 -> "destination network unknown";
                case 7 -> "destination host unknown";
                case 9, 10 -> "communication administratively prohibited (" + code + ")";
                case 13 -> "communication administratively prohibited";
                default -> "code " + code;
            };
        }
        if (type == TYPE_TIME_EXCEEDED) {
            return switch (code) {
                case CODE_TTL_EXCEEDED -> "TTL exceeded in transit";
                case CODE_REASSEMBLY_TIME_EXCEEDED -> "fragment reassembly time exceeded";
                default -> "code " + code;
            };
        }
        return "code " + code;
    }
}
