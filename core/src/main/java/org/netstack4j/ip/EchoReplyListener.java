package org.netstack4j.ip;

import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.IcmpRepr;
import org.netstack4j.wire.Icmpv6Repr;
import org.netstack4j.wire.Ipv6Address;

/** Receives ICMP echo replies (and, optionally, errors about our echo requests): ping's ear. */
@FunctionalInterface
public interface EchoReplyListener {
    void onEchoReply(long now, Ipv4Address from, int id, int seq, int ttl, byte[] data);

    /**
     * An ICMP error (destination unreachable, time exceeded) about an echo request we sent,
     * reported by {@code reporter}: what ping prints as "Destination Host Unreachable" and
     * traceroute as a hop.
     */
    default void onEchoError(long now, Ipv4Address reporter, IcmpRepr error, int id, int seq) {}

    /** An ICMPv6 echo reply (ping6). */
    default void onEchoReply6(long now, Ipv6Address from, int id, int seq, int hopLimit, byte[] data) {}

    /** An ICMPv6 error about an echo request we sent. */
    default void onEcho6Error(long now, Ipv6Address reporter, Icmpv6Repr error, int id, int seq) {}
}
