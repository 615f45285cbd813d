package org.netstack4j.linux;

import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.Ipv6Address;

/**
 * An IPv6 interface address with its prefix length ("fd00:7::2/64"). {@link #parse} rejects what
 * cannot be a host's unicast address on a link, with a message that says why.
 */
public record Ipv6Cidr(Ipv6Address address, int prefixLength) implements Cidr {
    public Ipv6Cidr {
        if (address == null) throw new IllegalArgumentException("address is null");
        if (prefixLength < 1 || prefixLength > 128)
            throw new IllegalArgumentException("prefix length must be 1..128, not " + prefixLength);
    }

    /** Parses "x:x::x/len" (RFC 4291 2.3); multicast, unspecified, loopback and IPv4-mapped addresses are refused. */
    public static Ipv6Cidr parse(String text) {
        if (text == null || text.isBlank()) throw new IllegalArgumentException("empty address: want x:x::x/len, e.g. fd00:7::2/64");
        String t = text.trim();
        int slash = t.indexOf('/');
        if (slash < 0)
            throw new IllegalArgumentException("'" + text + "' has no prefix length: want x:x::x/len, e.g. " + t + "/64");
        Ipv6Address a;
        try {
            a = Ipv6Address.parse(t.substring(0, slash));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not x:x::x/len: " + e.getMessage());
        }
        int len;
        try {
            len = Integer.parseInt(t.substring(slash + 1));
        } catch (NumberFormatException e) {
            len = -1;
        }
        if (len < 1 || len > 128)
            throw new IllegalArgumentException("'" + text + "': the prefix length must be a number from 1 to 128");
        if (a.isMulticast() || a.isUnspecified() || a.isLoopback() || a.isIpv4Mapped())
            throw new IllegalArgumentException("'" + text + "': " + a + " is not a unicast host address (ff00::/8, ::, ::1 and ::ffff:0:0/96 are not)");
        return new Ipv6Cidr(a, len);
    }

    /** The prefix: the address with the host bits cleared. */
    public Ipv6Address network() {
        long hiMask = prefixLength >= 64 ? -1L : -1L << (64 - prefixLength);
        long loMask = prefixLength <= 64 ? 0 : prefixLength == 128 ? -1L : -1L << (128 - prefixLength);
        return new Ipv6Address(address.high() & hiMask, address.low() & loMask);
    }

    @Override public boolean contains(IpAddress a) {
        return a instanceof Ipv6Address v6 && new Ipv6Cidr(v6, prefixLength).network().equals(network());
    }

    @Override public String peerProblem(Cidr kernel) {
        if (!(kernel instanceof Ipv6Cidr k))
            return "the host address " + kernel + " is IPv4 and netstack4j's address " + this + " is IPv6; pair addresses of one family";
        if (k.address.equals(address))
            return "the host address " + kernel + " is the same as netstack4j's address " + this + "; give each side its own";
        if (k.prefixLength != prefixLength || !contains(k.address))
            return "the host address " + kernel + " is not in netstack4j's prefix " + network() + "/" + prefixLength
                    + "; use an address such as " + suggestPeer() + "/" + prefixLength;
        return null;
    }

    @Override public Ipv6Address suggestPeer() {
        Ipv6Address n = network();
        Ipv6Address one = new Ipv6Address(n.high(), n.low() + 1);
        return one.equals(address) ? new Ipv6Address(n.high(), n.low() + 2) : one;
    }

    @Override public String toString() { return address + "/" + prefixLength; }
}
