package org.netstack4j.wire;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * Walks the extension headers of a received IPv6 packet (RFC 8200 section 4) and says what
 * the IP layer should do with it, as a value: deliver the upper-layer header found at an
 * offset, reassemble a fragment, answer with an ICMPv6 Parameter Problem (code and pointer),
 * or drop with a reason. A pure function of the bytes: the IP layer only acts on the verdict.
 *
 * <p>Offsets and pointers count from the first byte of the IPv6 header, as the Parameter
 * Problem pointer does (RFC 4443 3.4). The walk is bounded ({@link Limits}, RFC 8504 5.3):
 * a chain of many or long headers costs a bounded amount of work and is dropped.
 */
public final class Ipv6Chain {
    private Ipv6Chain() {}

    /** ICMPv6 Parameter Problem codes (RFC 4443 3.4, RFC 7112). */
    public static final int CODE_ERRONEOUS_HEADER = 0, CODE_UNRECOGNIZED_NEXT_HEADER = 1,
            CODE_UNRECOGNIZED_OPTION = 2, CODE_INCOMPLETE_HEADER_CHAIN = 3;

    /**
     * Bounds on the walk (RFC 8504 5.3 lets a host choose them): extension headers per
     * packet, bytes from the end of the fixed header to the end of the last extension header,
     * non-padding options per options header, and consecutive padding bytes (RFC 8504 5.3:
     * more than 7 is never needed to align anything).
     */
    public record Limits(int maxHeaders, int maxChainLength, int maxOptions, int maxPadding) {
        public static final Limits DEFAULT = new Limits(8, 1024, 8, 7);
        public Limits {
            Bytes.checkRange("maxHeaders", maxHeaders, 0, 1024);
            Bytes.checkRange("maxChainLength", maxChainLength, 0, 65535);
            Bytes.checkRange("maxOptions", maxOptions, 0, 1024);
            Bytes.checkRange("maxPadding", maxPadding, 0, 65535);
        }
    }

    /** An extension header and where it starts. */
    public record Entry(int offset, Ipv6ExtensionHeader header) {}

    /** What the IP layer should do; {@code headers} are the extension headers read, in order. */
    public sealed interface Verdict {
        List<Entry> headers();

        /**
         * Hand buf[off+offset .. off+offset+length) to the upper-layer protocol {@code nextHeader}
         * (also 59, No Next Header, which has nothing to deliver). An atomic fragment's header is
         * among {@code headers}.
         */
        record Deliver(List<Entry> headers, int nextHeader, int offset, int length) implements Verdict {}

        /**
         * A fragment (RFC 8200 4.5): the unfragmentable part is buf[off .. off+fragmentHeaderOffset),
         * the fragment data buf[off+dataOffset .. +dataLength).
         */
        record Reassemble(List<Entry> headers, Ipv6ExtensionHeader.Fragment fragment, int fragmentHeaderOffset,
                          int dataOffset, int dataLength) implements Verdict {}

        /**
         * Discard, and answer the source with ICMPv6 Parameter Problem of this code and pointer,
         * unless RFC 4443 2.4 (e) forbids it (the IP layer's rule: no error about an ICMPv6 error
         * or redirect, a packet from an address that is not one node's, or to a multicast
         * address other than for code 2) or the rate limit of 2.4 (f) is reached.
         */
        record ParameterProblem(List<Entry> headers, int code, int pointer, String reason) implements Verdict {}

        /** Discard silently. */
        record Drop(List<Entry> headers, String reason) implements Verdict {}

        /** Not well formed (truncated header, option running past its header): discard and count as malformed. */
        record Invalid(List<Entry> headers, Parsed.Malformed<?> problem) implements Verdict {}
    }

    /**
     * Walks the IPv6 packet at buf[off..off+len). {@code known} says which upper-layer
     * protocols the node handles; any other one is answered with code 1 (RFC 8200 4).
     */
    public static Verdict walk(byte[] buf, int off, int len, Limits limits, IntPredicate known) {
        List<Entry> read = new ArrayList<>();
        Parsed<Ipv6HeaderView> hv = Ipv6HeaderView.of(buf, off, len);
        if (!(hv instanceof Parsed.Ok<Ipv6HeaderView>(Ipv6HeaderView ip)))
            return new Verdict.Invalid(List.of(), (Parsed.Malformed<?>) hv);
        boolean multicast = ip.dst().isMulticast();
        int end = off + ip.totalLength();
        int nh = ip.nextHeader();
        int nhPointer = Ipv6Repr.NEXT_HEADER; // where the current Next Header value sits
        int at = Ipv6Repr.HEADER_LENGTH;      // relative to off
        while (Ipv6ExtensionHeader.isExtension(nh)) {
            // RFC 8200 4.1: Hop-by-Hop only right after the IPv6 header; elsewhere it is an
            // unrecognised Next Header (as Linux and the RFC 8200 4 rule treat it)
            if (nh == Ipv6Repr.NH_HOP_BY_HOP && at != Ipv6Repr.HEADER_LENGTH)
                return new Verdict.ParameterProblem(List.copyOf(read), CODE_UNRECOGNIZED_NEXT_HEADER, nhPointer,
                        "Hop-by-Hop Options header not immediately after the IPv6 header");
            if (read.size() == limits.maxHeaders())
                return new Verdict.Drop(List.copyOf(read), "more than " + limits.maxHeaders() + " extension headers");
            Parsed<Ipv6ExtensionHeader> p = Ipv6ExtensionHeader.parse(nh, buf, off + at, end);
            if (!(p instanceof Parsed.Ok<Ipv6ExtensionHeader>(Ipv6ExtensionHeader h))) {
                Parsed.Malformed<?> m = (Parsed.Malformed<?>) p;
                return new Verdict.Invalid(List.copyOf(read), new Parsed.Malformed<>(m.layer(), m.kind(), m.reason(), at + m.offset()));
            }
            if (at + h.length() - Ipv6Repr.HEADER_LENGTH > limits.maxChainLength())
                return new Verdict.Drop(List.copyOf(read), "extension headers longer than " + limits.maxChainLength() + " bytes");
            read.add(new Entry(at, h));
            switch (h) {
                case Ipv6ExtensionHeader.HopByHop hbh -> {
                    Verdict v = options(read, hbh.options(), at, limits, multicast);
                    if (v != null) return v;
                }
                case Ipv6ExtensionHeader.DestinationOptions d -> {
                    Verdict v = options(read, d.options(), at, limits, multicast);
                    if (v != null) return v;
                }
                case Ipv6ExtensionHeader.Routing r -> {
                    // RFC 8200 4.4: with Segments Left 0 an unrecognised type is ignored. A host
                    // forwards nothing, so every type with segments left is unrecognised here;
                    // RFC 5095 3 deprecates type 0, which gets the same answer.
                    if (r.segmentsLeft() != 0)
                        return new Verdict.ParameterProblem(List.copyOf(read), CODE_ERRONEOUS_HEADER, at + 2,
                                "routing type " + r.routingType()
                                        + (r.routingType() == 0 ? " (deprecated, RFC 5095)" : " not processed by a host")
                                        + " with " + r.segmentsLeft() + " segments left");
                }
                case Ipv6ExtensionHeader.Fragment f -> {
                    if (!f.isAtomic()) return fragment(read, f, buf, off, at, end - off, limits);
                    // RFC 6946 4: an atomic fragment is processed in isolation, as if it had no fragment header
                }
            }
            nhPointer = at;
            nh = h.nextHeader();
            at += h.length();
        }
        if (nh == Ipv6Repr.NH_NO_NEXT_HEADER || known.test(nh))
            return new Verdict.Deliver(List.copyOf(read), nh, at, end - off - at);
        return new Verdict.ParameterProblem(List.copyOf(read), CODE_UNRECOGNIZED_NEXT_HEADER, nhPointer,
                "unrecognized next header " + nh + " (" + Ipv6Repr.nextHeaderName(nh) + ")");
    }

    /** The walk with {@link Limits#DEFAULT}, for a node that handles TCP, UDP and ICMPv6. */
    public static Verdict walk(byte[] buf, int off, int len) {
        return walk(buf, off, len, Limits.DEFAULT, nh -> nh == Ipv6Repr.NH_TCP || nh == Ipv6Repr.NH_UDP
                || nh == Ipv6Repr.NH_ICMPV6);
    }

    /** RFC 8200 4.2 actions for the options of the header at {@code at}; null to go on. */
    private static Verdict options(List<Entry> read, List<Ipv6Option> options, int at, Limits limits, boolean multicast) {
        int p = at + 2, padding = 0, real = 0;
        for (Ipv6Option o : options) {
            if (o.isPadding()) {
                padding += o.length();
                if (padding > limits.maxPadding())
                    return new Verdict.Drop(List.copyOf(read), "more than " + limits.maxPadding()
                            + " consecutive bytes of padding in an options header");
            } else {
                padding = 0;
                if (++real > limits.maxOptions())
                    return new Verdict.Drop(List.copyOf(read), "more than " + limits.maxOptions() + " options in one header");
                if (o instanceof Ipv6Option.Unknown u) {
                    String why = "unrecognized option " + Ipv6Option.typeName(u.type());
                    switch (Ipv6Option.action(u.type())) {
                        case SKIP -> { }
                        case DISCARD -> { return new Verdict.Drop(List.copyOf(read), why + " (action 01: discard)"); }
                        case DISCARD_AND_REPORT -> {
                            return new Verdict.ParameterProblem(List.copyOf(read), CODE_UNRECOGNIZED_OPTION, p, why);
                        }
                        case DISCARD_AND_REPORT_UNLESS_MULTICAST -> {
                            if (multicast)
                                return new Verdict.Drop(List.copyOf(read), why + " (action 11, multicast destination: discard)");
                            return new Verdict.ParameterProblem(List.copyOf(read), CODE_UNRECOGNIZED_OPTION, p, why);
                        }
                    }
                }
            }
            p += o.length();
        }
        return null;
    }

    /** RFC 8200 4.5 checks on a fragment that is not atomic. */
    private static Verdict fragment(List<Entry> read, Ipv6ExtensionHeader.Fragment f, byte[] buf, int off, int at,
                                    int total, Limits limits) {
        int dataOffset = at + Ipv6ExtensionHeader.FRAGMENT_LENGTH;
        int dataLength = total - dataOffset;
        List<Entry> h = List.copyOf(read);
        // "If the length of a fragment ... is not a multiple of 8 octets and the M flag of that
        // fragment is 1, then that fragment must be discarded and an ICMP Parameter Problem,
        // Code 0, message should be sent ..., pointing to the Payload Length field"
        if (f.more() && dataLength % 8 != 0)
            return new Verdict.ParameterProblem(h, CODE_ERRONEOUS_HEADER, Ipv6Repr.PAYLOAD_LENGTH,
                    "fragment of " + dataLength + " bytes with M set is not a multiple of 8");
        // "If the length and offset of a fragment are such that the Payload Length of the packet
        // reassembled from that fragment would exceed 65,535 octets, ... pointing to the Fragment Offset field"
        if (f.fragmentOffset() + dataLength + dataOffset - Ipv6Repr.HEADER_LENGTH - Ipv6ExtensionHeader.FRAGMENT_LENGTH
                > Ipv6Repr.MAX_PAYLOAD_LENGTH)
            return new Verdict.ParameterProblem(h, CODE_ERRONEOUS_HEADER, at + 2,
                    "fragment offset " + f.fragmentOffset() + " + " + dataLength + " bytes exceeds 65535");
        // RFC 8200 4.5 (RFC 7112): the first fragment must hold the whole header chain up to the upper-layer header
        if (f.fragmentOffset() == 0 && !chainComplete(buf, off + dataOffset, off + total, f.nextHeader(), limits))
            return new Verdict.ParameterProblem(h, CODE_INCOMPLETE_HEADER_CHAIN, 0,
                    "first fragment does not hold the whole extension header chain");
        return new Verdict.Reassemble(h, f, at, dataOffset, dataLength);
    }

    /** True when the extension headers from nh at buf[p] end before {@code end} (structure only). */
    private static boolean chainComplete(byte[] buf, int p, int end, int nh, Limits limits) {
        for (int n = 0; Ipv6ExtensionHeader.isExtension(nh); n++) {
            if (n > limits.maxHeaders()) return false;
            int len = nh == Ipv6Repr.NH_FRAGMENT ? Ipv6ExtensionHeader.FRAGMENT_LENGTH
                    : p + 2 <= end ? (Bytes.u8(buf, p + 1) + 1) * 8 : Integer.MAX_VALUE;
            if (len > end - p) return false;
            nh = Bytes.u8(buf, p);
            p += len;
        }
        return true;
    }

    /** Human text for a Parameter Problem code. */
    public static String codeName(int code) {
        return switch (code) {
            case CODE_ERRONEOUS_HEADER -> "erroneous header field encountered";
            case CODE_UNRECOGNIZED_NEXT_HEADER -> "unrecognized Next Header type encountered";
            case CODE_UNRECOGNIZED_OPTION -> "unrecognized IPv6 option encountered";
            case CODE_INCOMPLETE_HEADER_CHAIN -> "IPv6 first fragment has incomplete IPv6 header chain";
            default -> "code " + code;
        };
    }
}
