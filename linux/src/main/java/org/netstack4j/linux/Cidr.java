package org.netstack4j.linux;

import org.netstack4j.wire.IpAddress;

/**
 * An interface address of either family with its prefix length, as {@code ip addr add} writes it
 * ("10.7.0.2/24", "fd00:7::2/64"). A TUN may carry several: one IPv4 and any number of IPv6 ones.
 */
public sealed interface Cidr permits Ipv4Cidr, Ipv6Cidr {
    IpAddress address();

    int prefixLength();

    default IpAddress.Family family() { return address().family(); }

    /** Whether {@code a} (of either family) lies in this subnet; false for the other family. */
    boolean contains(IpAddress a);

    /**
     * Checks that {@code kernel} (the Linux side of a TUN) and {@code this} (netstack4j's side)
     * can talk directly: same family and subnet, different addresses. Null if so, otherwise why not.
     */
    String peerProblem(Cidr kernel);

    /** An address for the kernel's side in this subnet: the first one, or the second if the first is ours. */
    IpAddress suggestPeer();

    /** Parses an IPv4 ("a.b.c.d/len") or IPv6 ("x:x::x/len") interface address; the message says what is wrong. */
    static Cidr parse(String text) {
        return text != null && text.indexOf(':') >= 0 ? Ipv6Cidr.parse(text) : Ipv4Cidr.parse(text);
    }
}
