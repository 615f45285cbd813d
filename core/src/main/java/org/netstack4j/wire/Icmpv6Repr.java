package org.netstack4j.wire;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * An ICMPv6 message (RFC 4443) or Neighbor Discovery message (RFC 4861 section 4). The
 * checksum covers the IPv6 pseudo-header (RFC 4443 2.3, RFC 8200 8.1), so parse and emit take
 * the addresses. Errors carry as much of the invoking packet as fits ({@link #quote}).
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |     Code      |          Checksum             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | echo: Identifier | Sequence; packet too big: MTU; parameter   |
 * | problem: Pointer; unreachable, time exceeded, RS, NS: unused   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Router Advertisement (RFC 4861 4.2):                          |
 * | Cur Hop Limit |M|O|H|Prf|P|Rsv|       Router Lifetime         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Reachable Time, then Retrans Timer (RA only)         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Neighbor Advertisement: |R|S|O| Reserved (29 bits) |          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | NS, NA, Redirect: Target Address (16); Redirect: Destination  |
 * | Address (16); then ND options ({@link NdOption}). Echo: data;  |
 * | errors: as much of the invoking packet as fits in 1280 bytes  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 * Neighbor Discovery messages with a code other than 0 parse as {@link Other} (RFC 4861 6.1
 * and 7.1.1 discard them); so do echo messages with a code other than 0. Checking the hop
 * limit of 255 (RFC 4861 6.1.1) is the IP layer's job. Unused and reserved fields are ignored
 * on parse and written as zero. Arrays are not copied: treat them as immutable.
 */
public sealed interface Icmpv6Repr {
    int TYPE_DEST_UNREACHABLE = 1, TYPE_PACKET_TOO_BIG = 2, TYPE_TIME_EXCEEDED = 3, TYPE_PARAMETER_PROBLEM = 4,
        TYPE_ECHO_REQUEST = 128, TYPE_ECHO_REPLY = 129, TYPE_ROUTER_SOLICITATION = 133,
        TYPE_ROUTER_ADVERTISEMENT = 134, TYPE_NEIGHBOR_SOLICITATION = 135, TYPE_NEIGHBOR_ADVERTISEMENT = 136,
        TYPE_REDIRECT = 137;
    int CODE_NO_ROUTE = 0, CODE_ADMIN_PROHIBITED = 1, CODE_BEYOND_SCOPE = 2, CODE_ADDRESS_UNREACHABLE = 3,
        CODE_PORT_UNREACHABLE = 4;
    int CODE_HOP_LIMIT_EXCEEDED = 0, CODE_REASSEMBLY_TIME_EXCEEDED = 1;
    int HEADER_LENGTH = 8;
    /** RFC 4443 2.4 (c): an error must not make a packet longer than the minimum IPv6 MTU. */
    int MAX_ERROR_LENGTH = Ipv6Repr.MIN_MTU - Ipv6Repr.HEADER_LENGTH;
    /** RA flags byte (RFC 4861 4.2, RFC 4191 2.2). */
    int RA_MANAGED = 0x80, RA_OTHER = 0x40;

    record EchoRequest(int identifier, int sequence, byte[] data) implements Icmpv6Repr {
        public EchoRequest {
            Icmps.checkEcho(identifier, sequence, data);
        }
        @Override public boolean equals(Object o) {
            return o instanceof EchoRequest e && identifier == e.identifier && sequence == e.sequence && Arrays.equals(data, e.data);
        }
        @Override public int hashCode() { return Objects.hash(identifier, sequence, Arrays.hashCode(data)); }
        @Override public String toString() { return "ICMPv6 echo request, id " + identifier + ", seq " + sequence + ", length " + length(); }
    }

    record EchoReply(int identifier, int sequence, byte[] data) implements Icmpv6Repr {
        public EchoReply {
            Icmps.checkEcho(identifier, sequence, data);
        }
        @Override public boolean equals(Object o) {
            return o instanceof EchoReply e && identifier == e.identifier && sequence == e.sequence && Arrays.equals(data, e.data);
        }
        @Override public int hashCode() { return Objects.hash(identifier, sequence, Arrays.hashCode(data)); }
        @Override public String toString() { return "ICMPv6 echo reply, id " + identifier + ", seq " + sequence + ", length " + length(); }
    }

    record DestinationUnreachable(int code, byte[] data) implements Icmpv6Repr {
        public DestinationUnreachable {
            Icmps.checkError(code, data);
        }
        @Override public boolean equals(Object o) {
            return o instanceof DestinationUnreachable d && code == d.code && Arrays.equals(data, d.data);
        }
        @Override public int hashCode() { return 31 * code + Arrays.hashCode(data); }
        @Override public String toString() { return "ICMPv6 " + codeName(TYPE_DEST_UNREACHABLE, code) + ", length " + length(); }
    }

    /** RFC 4443 3.2 (code 0); the MTU of the next-hop link, 32 bits. */
    record PacketTooBig(long mtu, byte[] data) implements Icmpv6Repr {
        public PacketTooBig {
            if (mtu < 0 || mtu > 0xffff_ffffL) throw new IllegalArgumentException("mtu must be in [0, 4294967295], was " + mtu);
            Objects.requireNonNull(data, "data");
        }
        @Override public boolean equals(Object o) {
            return o instanceof PacketTooBig p && mtu == p.mtu && Arrays.equals(data, p.data);
        }
        @Override public int hashCode() { return Long.hashCode(mtu) * 31 + Arrays.hashCode(data); }
        @Override public String toString() { return "ICMPv6 packet too big, MTU " + mtu + ", length " + length(); }
    }

    record TimeExceeded(int code, byte[] data) implements Icmpv6Repr {
        public TimeExceeded {
            Icmps.checkError(code, data);
        }
        @Override public boolean equals(Object o) {
            return o instanceof TimeExceeded t && code == t.code && Arrays.equals(data, t.data);
        }
        @Override public int hashCode() { return 31 * code + Arrays.hashCode(data); }
        @Override public String toString() { return "ICMPv6 time exceeded: " + codeName(TYPE_TIME_EXCEEDED, code) + ", length " + length(); }
    }

    /** RFC 4443 3.4: the pointer is the offset in the invoking packet of the field in error (32 bits). */
    record ParameterProblem(int code, long pointer, byte[] data) implements Icmpv6Repr {
        public ParameterProblem {
            Bytes.checkRange("code", code, 0, 0xff);
            if (pointer < 0 || pointer > 0xffff_ffffL) throw new IllegalArgumentException("pointer must be in [0, 4294967295], was " + pointer);
            Objects.requireNonNull(data, "data");
        }
        @Override public boolean equals(Object o) {
            return o instanceof ParameterProblem p && code == p.code && pointer == p.pointer && Arrays.equals(data, p.data);
        }
        @Override public int hashCode() { return Objects.hash(code, pointer, Arrays.hashCode(data)); }
        @Override public String toString() {
            return "ICMPv6 parameter problem: " + codeName(TYPE_PARAMETER_PROBLEM, code) + ", pointer " + pointer + ", length " + length();
        }
    }

    /** RFC 4861 4.1. */
    record RouterSolicitation(List<NdOption> options) implements Icmpv6Repr {
        public RouterSolicitation { options = List.copyOf(options); }
        @Override public String toString() { return "ICMPv6 router solicitation, options " + options; }
    }

    /**
     * RFC 4861 4.2. {@code flags} is the whole flags byte (M, O, and the bits later RFCs gave
     * meaning: H (RFC 6275), Prf (RFC 4191), P (RFC 4389)); times are milliseconds, the
     * lifetime seconds, 0 meaning unspecified (or, for the lifetime, not a default router).
     */
    record RouterAdvertisement(int curHopLimit, int flags, int routerLifetime, long reachableTime, long retransTimer,
                               List<NdOption> options) implements Icmpv6Repr {
        public RouterAdvertisement {
            Bytes.checkRange("curHopLimit", curHopLimit, 0, 0xff);
            Bytes.checkRange("flags", flags, 0, 0xff);
            Bytes.checkRange("routerLifetime", routerLifetime, 0, 0xffff);
            if (reachableTime < 0 || reachableTime > 0xffff_ffffL || retransTimer < 0 || retransTimer > 0xffff_ffffL)
                throw new IllegalArgumentException("reachableTime and retransTimer must be 32-bit unsigned");
            options = List.copyOf(options);
        }
        /** M: addresses are available through DHCPv6. */
        public boolean managed() { return (flags & RA_MANAGED) != 0; }
        /** O: other configuration is available through DHCPv6. */
        public boolean other() { return (flags & RA_OTHER) != 0; }
        /** RFC 4191 2.2 default router preference: 1 high, 0 medium, -1 low, 2 reserved (as bits 10). */
        public int preference() {
            int p = (flags >>> 3) & 3;
            return p == 3 ? -1 : p;
        }
        @Override public String toString() {
            return "ICMPv6 router advertisement, hop limit " + curHopLimit + String.format(", flags 0x%02x", flags)
                    + ", lifetime " + routerLifetime + " s, reachable " + reachableTime + " ms, retrans " + retransTimer
                    + " ms, options " + options;
        }
    }

    /** RFC 4861 4.3. */
    record NeighborSolicitation(Ipv6Address target, List<NdOption> options) implements Icmpv6Repr {
        public NeighborSolicitation {
            Objects.requireNonNull(target, "target");
            options = List.copyOf(options);
        }
        @Override public String toString() { return "ICMPv6 neighbor solicitation, who has " + target + ", options " + options; }
    }

    /** RFC 4861 4.4: R router, S solicited, O override. */
    record NeighborAdvertisement(boolean router, boolean solicited, boolean override, Ipv6Address target,
                                 List<NdOption> options) implements Icmpv6Repr {
        public NeighborAdvertisement {
            Objects.requireNonNull(target, "target");
            options = List.copyOf(options);
        }
        @Override public String toString() {
            return "ICMPv6 neighbor advertisement, tgt is " + target + ", flags [" + (router ? "R" : "") + (solicited ? "S" : "")
                    + (override ? "O" : "") + "], options " + options;
        }
    }

    /** RFC 4861 4.5. */
    record Redirect(Ipv6Address target, Ipv6Address destination, List<NdOption> options) implements Icmpv6Repr {
        public Redirect {
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(destination, "destination");
            options = List.copyOf(options);
        }
        @Override public String toString() { return "ICMPv6 redirect, " + destination + " to " + target + ", options " + options; }
    }

    /** Any other type/code; rest is everything after the checksum (at least 4 bytes). */
    record Other(int type, int code, byte[] rest) implements Icmpv6Repr {
        public Other {
            Icmps.checkOther(type, code, rest);
        }
        @Override public boolean equals(Object o) {
            return o instanceof Other t && type == t.type && code == t.code && Arrays.equals(rest, t.rest);
        }
        @Override public int hashCode() { return Objects.hash(type, code, Arrays.hashCode(rest)); }
        @Override public String toString() { return "ICMPv6 type " + type + ", code " + code + ", length " + length(); }
    }

    /** Shortest message of each Neighbor Discovery type (RFC 4861 6.1.1, 6.1.2, 7.1.1, 7.1.2, 8.1). */
    static int minimumLength(int type) {
        return switch (type) {
            case TYPE_ROUTER_SOLICITATION -> 8;
            case TYPE_ROUTER_ADVERTISEMENT -> 16;
            case TYPE_NEIGHBOR_SOLICITATION, TYPE_NEIGHBOR_ADVERTISEMENT -> 24;
            case TYPE_REDIRECT -> 40;
            default -> HEADER_LENGTH;
        };
    }

    /**
     * Parses buf[off..off+len) (the whole upper-layer payload) and verifies the checksum with
     * the pseudo-header of src and dst. Malformed offsets are relative to off.
     */
    static Parsed<Icmpv6Repr> parse(Ipv6Address src, Ipv6Address dst, byte[] buf, int off, int len) {
        Parsed<Icmpv6Repr> bad = Icmps.badHeader("icmpv6", buf, off, len, HEADER_LENGTH);
        if (bad != null) return bad;
        if (!checksumValid(src, dst, buf, off, len))
            return Parsed.malformed("icmpv6", MalformedKind.CHECKSUM, String.format("bad checksum 0x%04x, should be 0x%04x",
                    Bytes.u16(buf, off + 2), expectedChecksum(src, dst, buf, off, len)), 2);
        return parseBody(buf, off, len);
    }

    /** {@link #parse} without the checksum check (for the dissector, which shows a bad checksum and goes on). */
    static Parsed<Icmpv6Repr> parseBody(byte[] buf, int off, int len) {
        Parsed<Icmpv6Repr> cannot = Icmps.badHeader("icmpv6", buf, off, len, HEADER_LENGTH);
        if (cannot != null) return cannot;
        int type = Bytes.u8(buf, off), code = Bytes.u8(buf, off + 1);
        boolean nd = type >= TYPE_ROUTER_SOLICITATION && type <= TYPE_REDIRECT;
        if (nd && code == 0 && len < minimumLength(type))
            return Parsed.malformed("icmpv6", MalformedKind.TRUNCATED, typeName(type) + " of " + len + " bytes, needs at least " + minimumLength(type), len);
        List<NdOption> options = new ArrayList<>();
        if (nd && code == 0) {
            int oo = minimumLength(type);
            Parsed.Malformed<NdOption> bad = NdOption.parseAll(buf, off + oo, len - oo, options);
            if (bad != null) return Parsed.malformed("icmpv6", bad.kind(), bad.reason(), oo + bad.offset());
        }
        int w1 = Bytes.u16(buf, off + 4), w2 = Bytes.u16(buf, off + 6);
        long word = Bytes.i32(buf, off + 4) & 0xffff_ffffL;
        byte[] data = Arrays.copyOfRange(buf, off + HEADER_LENGTH, off + len);
        Icmpv6Repr r = switch (type) {
            case TYPE_ECHO_REQUEST -> code == 0 ? new EchoRequest(w1, w2, data) : null;
            case TYPE_ECHO_REPLY -> code == 0 ? new EchoReply(w1, w2, data) : null;
            case TYPE_DEST_UNREACHABLE -> new DestinationUnreachable(code, data);
            case TYPE_PACKET_TOO_BIG -> code == 0 ? new PacketTooBig(word, data) : null;
            case TYPE_TIME_EXCEEDED -> new TimeExceeded(code, data);
            case TYPE_PARAMETER_PROBLEM -> new ParameterProblem(code, word, data);
            case TYPE_ROUTER_SOLICITATION -> code == 0 ? new RouterSolicitation(options) : null;
            case TYPE_ROUTER_ADVERTISEMENT -> code == 0 ? new RouterAdvertisement(Bytes.u8(buf, off + 4), Bytes.u8(buf, off + 5),
                    w2, Bytes.i32(buf, off + 8) & 0xffff_ffffL, Bytes.i32(buf, off + 12) & 0xffff_ffffL, options) : null;
            case TYPE_NEIGHBOR_SOLICITATION -> code == 0 ? new NeighborSolicitation(Ipv6Address.read(buf, off + 8), options) : null;
            case TYPE_NEIGHBOR_ADVERTISEMENT -> code == 0 ? new NeighborAdvertisement((w1 & 0x8000) != 0, (w1 & 0x4000) != 0,
                    (w1 & 0x2000) != 0, Ipv6Address.read(buf, off + 8), options) : null;
            case TYPE_REDIRECT -> code == 0 ? new Redirect(Ipv6Address.read(buf, off + 8), Ipv6Address.read(buf, off + 24), options) : null;
            default -> null;
        };
        return Parsed.ok(r != null ? r : new Other(type, code, Arrays.copyOfRange(buf, off + 4, off + len)));
    }

    static boolean checksumValid(Ipv6Address src, Ipv6Address dst, byte[] buf, int off, int len) {
        return Checksum.finish(Checksum.sum(Checksum.pseudoHeaderSum(src, dst, Ipv6Repr.NH_ICMPV6, len), buf, off, len)) == 0;
    }

    /** The checksum buf[off..off+len) should carry. */
    static int expectedChecksum(Ipv6Address src, Ipv6Address dst, byte[] buf, int off, int len) {
        long s = Checksum.sum(Checksum.pseudoHeaderSum(src, dst, Ipv6Repr.NH_ICMPV6, len), buf, off, 2);
        return Checksum.finish(Checksum.sum(s, buf, off + 4, len - 4));
    }

    /** RFC 4443 2.4 (c): the start of the invoking packet at buf[off..off+len), at most what fits in 1280 bytes. */
    static byte[] quote(byte[] buf, int off, int len) {
        return Arrays.copyOfRange(buf, off, off + Math.min(len, MAX_ERROR_LENGTH - HEADER_LENGTH));
    }

    default int type() {
        return switch (this) {
            case EchoRequest e -> TYPE_ECHO_REQUEST;
            case EchoReply e -> TYPE_ECHO_REPLY;
            case DestinationUnreachable d -> TYPE_DEST_UNREACHABLE;
            case PacketTooBig p -> TYPE_PACKET_TOO_BIG;
            case TimeExceeded t -> TYPE_TIME_EXCEEDED;
            case ParameterProblem p -> TYPE_PARAMETER_PROBLEM;
            case RouterSolicitation r -> TYPE_ROUTER_SOLICITATION;
            case RouterAdvertisement r -> TYPE_ROUTER_ADVERTISEMENT;
            case NeighborSolicitation n -> TYPE_NEIGHBOR_SOLICITATION;
            case NeighborAdvertisement n -> TYPE_NEIGHBOR_ADVERTISEMENT;
            case Redirect r -> TYPE_REDIRECT;
            case Other o -> o.type();
        };
    }

    default int code() {
        return switch (this) {
            case DestinationUnreachable d -> d.code();
            case TimeExceeded t -> t.code();
            case ParameterProblem p -> p.code();
            case Other o -> o.code();
            case EchoRequest e -> 0;
            case EchoReply e -> 0;
            case PacketTooBig p -> 0;
            case RouterSolicitation r -> 0;
            case RouterAdvertisement r -> 0;
            case NeighborSolicitation n -> 0;
            case NeighborAdvertisement n -> 0;
            case Redirect r -> 0;
        };
    }

    default int length() {
        return switch (this) {
            case EchoRequest e -> HEADER_LENGTH + e.data().length;
            case EchoReply e -> HEADER_LENGTH + e.data().length;
            case DestinationUnreachable d -> HEADER_LENGTH + d.data().length;
            case PacketTooBig p -> HEADER_LENGTH + p.data().length;
            case TimeExceeded t -> HEADER_LENGTH + t.data().length;
            case ParameterProblem p -> HEADER_LENGTH + p.data().length;
            case RouterSolicitation r -> 8 + NdOption.lengthOf(r.options());
            case RouterAdvertisement r -> 16 + NdOption.lengthOf(r.options());
            case NeighborSolicitation n -> 24 + NdOption.lengthOf(n.options());
            case NeighborAdvertisement n -> 24 + NdOption.lengthOf(n.options());
            case Redirect r -> 40 + NdOption.lengthOf(r.options());
            case Other o -> 4 + o.rest().length;
        };
    }

    /** True for the error messages (types 0-127, RFC 4443 2.1), which must never be answered with an error. */
    default boolean isError() { return type() < 128; }

    /** Writes the message at buf[off] with its checksum over the pseudo-header of src and dst; returns length(). */
    default int emit(Ipv6Address src, Ipv6Address dst, byte[] buf, int off) {
        int len = length();
        Arrays.fill(buf, off, off + HEADER_LENGTH, (byte) 0);
        Bytes.put8(buf, off, type());
        Bytes.put8(buf, off + 1, code());
        switch (this) {
            case EchoRequest e -> echo(buf, off, e.identifier(), e.sequence(), e.data());
            case EchoReply e -> echo(buf, off, e.identifier(), e.sequence(), e.data());
            case DestinationUnreachable d -> System.arraycopy(d.data(), 0, buf, off + 8, d.data().length);
            case PacketTooBig p -> {
                Bytes.put32(buf, off + 4, (int) p.mtu());
                System.arraycopy(p.data(), 0, buf, off + 8, p.data().length);
            }
            case TimeExceeded t -> System.arraycopy(t.data(), 0, buf, off + 8, t.data().length);
            case ParameterProblem p -> {
                Bytes.put32(buf, off + 4, (int) p.pointer());
                System.arraycopy(p.data(), 0, buf, off + 8, p.data().length);
            }
            case RouterSolicitation r -> NdOption.emitAll(r.options(), buf, off + 8);
            case RouterAdvertisement r -> {
                Bytes.put8(buf, off + 4, r.curHopLimit());
                Bytes.put8(buf, off + 5, r.flags());
                Bytes.put16(buf, off + 6, r.routerLifetime());
                Bytes.put32(buf, off + 8, (int) r.reachableTime());
                Bytes.put32(buf, off + 12, (int) r.retransTimer());
                NdOption.emitAll(r.options(), buf, off + 16);
            }
            case NeighborSolicitation n -> {
                n.target().write(buf, off + 8);
                NdOption.emitAll(n.options(), buf, off + 24);
            }
            case NeighborAdvertisement n -> {
                Bytes.put8(buf, off + 4, (n.router() ? 0x80 : 0) | (n.solicited() ? 0x40 : 0) | (n.override() ? 0x20 : 0));
                n.target().write(buf, off + 8);
                NdOption.emitAll(n.options(), buf, off + 24);
            }
            case Redirect r -> {
                r.target().write(buf, off + 8);
                r.destination().write(buf, off + 24);
                NdOption.emitAll(r.options(), buf, off + 40);
            }
            case Other o -> System.arraycopy(o.rest(), 0, buf, off + 4, o.rest().length);
        }
        Bytes.put16(buf, off + 2, Checksum.finish(Checksum.sum(Checksum.pseudoHeaderSum(src, dst, Ipv6Repr.NH_ICMPV6, len),
                buf, off, len)));
        return len;
    }

    private static void echo(byte[] buf, int off, int id, int seq, byte[] data) {
        Bytes.put16(buf, off + 4, id);
        Bytes.put16(buf, off + 6, seq);
        System.arraycopy(data, 0, buf, off + 8, data.length);
    }

    static String typeName(int type) {
        return switch (type) {
            case TYPE_DEST_UNREACHABLE -> "destination unreachable";
            case TYPE_PACKET_TOO_BIG -> "packet too big";
            case TYPE_TIME_EXCEEDED -> "time exceeded";
            case TYPE_PARAMETER_PROBLEM -> "parameter problem";
            case TYPE_ECHO_REQUEST -> "echo request";
            case TYPE_ECHO_REPLY -> "echo reply";
            case 130 -> "multicast listener query";
            case 131 -> "multicast listener report";
            case 132 -> "multicast listener done";
            case TYPE_ROUTER_SOLICITATION -> "router solicitation";
            case TYPE_ROUTER_ADVERTISEMENT -> "router advertisement";
            case TYPE_NEIGHBOR_SOLICITATION -> "neighbor solicitation";
            case TYPE_NEIGHBOR_ADVERTISEMENT -> "neighbor advertisement";
            case TYPE_REDIRECT -> "redirect";
            case 143 -> "multicast listener report v2";
            default -> "type " + type;
        };
    }

    static String codeName(int type, int code) {
        return switch (type) {
            case TYPE_DEST_UNREACHABLE -> switch (code) {
                case CODE_NO_ROUTE -> "no route to destination";
                case CODE_ADMIN_PROHIBITED -> "communication with destination administratively prohibited";
                case CODE_BEYOND_SCOPE -> "beyond scope of source address";
                case CODE_ADDRESS_UNREACHABLE -> "address unreachable";
                case CODE_PORT_UNREACHABLE -> "port unreachable";
                case 5 -> "source address failed ingress/egress policy";
                case 6 -> "reject route to destination";
                case 7 -> "error in source routing header";
                default -> "code " + code;
            };
            case TYPE_TIME_EXCEEDED -> switch (code) {
                case CODE_HOP_LIMIT_EXCEEDED -> "hop limit exceeded in transit";
                case CODE_REASSEMBLY_TIME_EXCEEDED -> "fragment reassembly time exceeded";
                default -> "code " + code;
            };
            case TYPE_PARAMETER_PROBLEM -> Ipv6Chain.codeName(code);
            default -> "code " + code;
        };
    }
}
