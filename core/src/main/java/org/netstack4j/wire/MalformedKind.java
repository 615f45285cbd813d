package org.netstack4j.wire;

/**
 * What kind of problem stopped a parser ({@link Parsed.Malformed#kind()}): the type a caller
 * switches on (counters, drop reasons), beside the reason in words a person reads.
 */
public enum MalformedKind {
    /** The region given to the parser is not inside the array (a caller's error, not the packet's). */
    BAD_RANGE,
    /** Fewer bytes than the header needs, or than its own length fields announce. */
    TRUNCATED,
    /** A header field with a value the protocol does not allow (version, IHL, data offset, a length below the minimum, ARP types). */
    BAD_HEADER,
    /** An option (TCP, IPv6 Hop-by-Hop or Destination, Neighbor Discovery) whose length is missing, zero, too small, wrong for its kind or runs past its header. */
    BAD_OPTION,
    /** The checksum does not verify. */
    CHECKSUM,
    /** The dissector itself failed (a bug); only {@link Dissector} reports it. */
    INTERNAL
}
