package org.netstack4j.trace;

import org.netstack4j.wire.MalformedKind;

/**
 * Why a packet was dropped, as a type ({@link TraceEvent.Drop#kind()}); the words beside it say
 * which rule in which state. The list covers every drop site of the stack, the link simulator
 * and the fault injector; each constant names the sites it stands for.
 */
public enum DropReason {
    // ---- the bytes themselves (parsers' MalformedKind, see of())
    /** A checksum that does not verify (IPv4 header, TCP, UDP, ICMP). */
    CHECKSUM,
    /** Fewer bytes than a header needs or announces; an ICMP error quoting too little. */
    TRUNCATED,
    /** A header field the protocol does not allow (version, IHL, data offset, lengths, ARP types; TTL 0 on output). */
    BAD_HEADER,
    /** A malformed TCP option. */
    BAD_OPTION,

    // ---- addressing and delivery (link, ARP, IP, UDP)
    /** A protocol, EtherType or ARP operation this stack does not implement (IPv6, unknown protocol numbers). */
    UNSUPPORTED,
    /** An address that may not appear there: broadcast/multicast source, ARP sender not unicast or claiming our address, destination 0.0.0.0. */
    BAD_ADDRESS,
    /** Addressed to someone else (no forwarding), a multicast group not joined, an ICMP error about a datagram we did not send. */
    NOT_FOR_US,
    /** No route to the destination. */
    NO_ROUTE,
    /** The next hop never answered ARP. */
    NEIGHBOR_UNREACHABLE,
    /** Larger than allowed: a frame over the link MTU, DF set and over the path MTU, over 65535 bytes, a UDP payload over the limit. */
    TOO_BIG,
    /** A bounded queue or table is full: link and fault queues, ARP pending packets and table, local delivery, UDP receive queue, TCP SYN and accept queues, TCP out-of-order ranges. */
    QUEUE_FULL,
    /** IPv4 reassembly gave up on a fragment or a datagram (invalid, duplicate, memory full, timeout). */
    REASSEMBLY,

    // ---- TCP (RFC 9293 3.10.7) and UDP
    /** Nothing to deliver to: no connection and no listener (TCP, answered with RST unless it was one), a closed connection, a closed UDP port. */
    NO_LISTENER,
    /** A sequence number outside the receive window (RFC 9293 3.10.7.4 first check), a retransmitted SYN in SYN-RECEIVED. */
    OUT_OF_WINDOW,
    /** RFC 5961 blind-attack defences: RST not at RCV.NXT, SYN in a synchronized state, ACK too old; answered with a challenge ACK. */
    CHALLENGE_ACK,
    /** RFC 7323: PAWS rejected an old timestamp, or the timestamp option is missing although negotiated. */
    TIMESTAMP,
    /** An unacceptable ACK: in SYN-SENT or SYN-RECEIVED, of data not yet sent, a RST without an acceptable ACK in SYN-SENT. */
    BAD_ACK,
    /** A segment without the ACK bit where one is required. */
    NO_ACK,
    /** A segment this state does not take: RST, SYN or data where the state machine ignores them (LISTEN, SYN-SENT, TIME-WAIT, after FIN, CLOSING). */
    UNEXPECTED,
    /** Dropped by a configured policy: broadcast echo ignored, deferred accept, stray SYN,ACK in LISTEN or in a two-way lab handshake. */
    POLICY,

    // ---- the link and the fault injector
    /** The link is down. */
    LINK_DOWN,
    /** Lost at random in flight (simulated link or fault injector). */
    LOST,
    /** Dropped by a fault injector's filter. */
    FILTERED;

    /** The drop reason of a packet a parser rejected. */
    public static DropReason of(MalformedKind kind) {
        return switch (kind) {
            case CHECKSUM -> CHECKSUM;
            case TRUNCATED, BAD_RANGE -> TRUNCATED;
            case BAD_HEADER, INTERNAL -> BAD_HEADER;
            case BAD_OPTION -> BAD_OPTION;
        };
    }
}
