package org.netstack4j.linux;

import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.Ipv4Address;

/**
 * An interface address with its prefix length, as {@code ip addr add} writes it ("10.7.0.2/24").
 * {@link #parse} rejects what the kernel or our stack would not accept, with a message that says why.
 */
public record Ipv4Cidr(Ipv4Address address, int prefixLength) implements Cidr {
    public Ipv4Cidr {
        if (address == null) throw new IllegalArgumentException("address is null");
        if (prefixLength < 1 || prefixLength > 32)
            throw new IllegalArgumentException("prefix length must be 1..32, not " + prefixLength);
    }

    /** Parses "a.b.c.d/len"; the address must be usable by a host (not the network or broadcast address of its subnet). */
    public static Ipv4Cidr parse(String text) {
        if (text == null || text.isBlank()) throw new IllegalArgumentException("empty address: want a.b.c.d/len, e.g. 10.7.0.2/24");
        String t = text.trim();
        int slash = t.indexOf('/');
        if (slash < 0)
            throw new IllegalArgumentException("'" + text + "' has no prefix length: want a.b.c.d/len, e.g. " + t + "/24");
        Ipv4Address a;
        try {
            a = Ipv4Address.parse(t.substring(0, slash));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not a.b.c.d/len: " + e.getMessage());
        }
        int len;
        try {
            len = Integer.parseInt(t.substring(slash + 1));
        } catch (NumberFormatException e) {
            len = -1;
        }
        if (len < 1 || len > 32)
            throw new IllegalArgumentException("'" + text + "': the prefix length must be a number from 1 to 32");
        Ipv4Cidr c = new Ipv4Cidr(a, len);
        int first = a.bits() >>> 24;
        if (first == 0 || first == 127 || first >= 224)
            throw new IllegalArgumentException("'" + text + "': " + a + " is not a unicast host address (0/8, 127/8 and 224/3 are reserved)");
        if (len <= 30 && (a.bits() == c.network().bits() || a.bits() == c.broadcast().bits()))
            throw new IllegalArgumentException("'" + text + "': " + a + " is the " + (a.bits() == c.network().bits() ? "network" : "broadcast")
                    + " address of " + c.network() + "/" + len + "; pick a host address inside it");
        return c;
    }

    public int mask() { return -1 << (32 - prefixLength); }

    public Ipv4Address network() { return new Ipv4Address(address.bits() & mask()); }

    public Ipv4Address broadcast() { return new Ipv4Address(address.bits() | ~mask()); }

    /** Whether {@code a} lies in this subnet. */
    public boolean contains(Ipv4Address a) { return (a.bits() & mask()) == (address.bits() & mask()); }

    @Override public boolean contains(IpAddress a) { return a instanceof Ipv4Address v4 && contains(v4); }

    @Override public String peerProblem(Cidr kernel) {
        if (kernel instanceof Ipv4Cidr k) return peerProblem(k);
        return "the host address " + kernel + " is IPv6 and netstack4j's address " + this + " is IPv4; pair addresses of one family";
    }

    /**
     * Checks that {@code kernel} (the Linux side of a TUN) and {@code this} (netstack4j's side)
     * can talk directly: same subnet, different addresses. Returns null if so, otherwise why not.
     */
    public String peerProblem(Ipv4Cidr kernel) {
        if (kernel.address.equals(address))
            return "the host address " + kernel + " is the same as netstack4j's address " + this + "; give each side its own";
        if (kernel.prefixLength != prefixLength || !contains(kernel.address))
            return "the host address " + kernel + " is not in netstack4j's subnet " + network() + "/" + prefixLength
                    + "; use an address such as " + suggestPeer() + "/" + prefixLength;
        return null;
    }

    @Override public Ipv4Address suggestPeer() {
        Ipv4Address one = new Ipv4Address(network().bits() + 1);
        return one.equals(address) ? new Ipv4Address(network().bits() + 2) : one;
    }

    @Override public String toString() { return address + "/" + prefixLength; }
}
