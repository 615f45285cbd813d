package org.netstack4j.filter;

import java.util.Objects;
import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv6Address;

/**
 * An address prefix such as 10.0.0.0/8 or fd00::/8 (a bare address is a /32 or /128). Host bits
 * must be zero. A prefix contains addresses of its own family only.
 */
public record Prefix(IpAddress network, int length) {
    public Prefix {
        Objects.requireNonNull(network, "network");
        int max = bits(network);
        if (length < 0 || length > max) throw new IllegalArgumentException("prefix length must be in [0, " + max + "], was " + length);
        if (!masked(network, length).equals(network))
            throw new IllegalArgumentException("host bits set in " + network + "/" + length);
    }

    public static final Prefix ANY = new Prefix(Ipv4Address.ANY, 0);

    static int mask(int length) { return length == 0 ? 0 : -1 << (32 - length); }

    private static int bits(IpAddress a) { return a instanceof Ipv4Address ? 32 : 128; }

    /** {@code a} with all but its first {@code length} bits cleared. */
    static IpAddress masked(IpAddress a, int length) {
        return switch (a) {
            case Ipv4Address v4 -> new Ipv4Address(v4.bits() & mask(length));
            case Ipv6Address v6 -> new Ipv6Address(v6.high() & mask64(length), v6.low() & mask64(length - 64));
        };
    }

    /** The first {@code n} bits of a long set (n clamped to 0..64). */
    private static long mask64(int n) { return n <= 0 ? 0 : n >= 64 ? -1L : ~(-1L >>> n); }

    public boolean contains(IpAddress a) {
        return switch (network) {
            case Ipv4Address n -> a instanceof Ipv4Address v4 && (v4.bits() & mask(length)) == n.bits();
            case Ipv6Address n -> a instanceof Ipv6Address v6
                    && (v6.high() & mask64(length)) == n.high() && (v6.low() & mask64(length - 64)) == n.low();
        };
    }

    /** "10.0.0.0/8", "192.0.2.1", "fd00::/8" or "2001:db8::1"; the message says what is wrong. */
    static java.util.Optional<Prefix> parse(String text, StringBuilder why) {
        int slash = text.indexOf('/');
        String addr = slash < 0 ? text : text.substring(0, slash);
        IpAddress a;
        try {
            a = addr.contains(":") ? Ipv6Address.parse(addr) : Ipv4Address.parse(addr);
        } catch (IllegalArgumentException e) {
            why.append(e.getMessage());
            return java.util.Optional.empty();
        }
        int max = bits(a);
        int len = max;
        if (slash >= 0) {
            String l = text.substring(slash + 1);
            if (!l.matches("[0-9]{1,3}") || Integer.parseInt(l) > max) {
                why.append("prefix length must be 0 to ").append(max).append(": ").append(text);
                return java.util.Optional.empty();
            }
            len = Integer.parseInt(l);
        }
        IpAddress net = masked(a, len);
        if (!net.equals(a)) {
            why.append("host bits set in ").append(text).append(" (did you mean ").append(net).append('/').append(len).append("?)");
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new Prefix(a, len));
    }

    @Override public String toString() { return length == bits(network) ? network.toString() : network + "/" + length; }
}
