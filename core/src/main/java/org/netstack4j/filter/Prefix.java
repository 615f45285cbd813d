package org.netstack4j.filter;

import java.util.Objects;
import org.netstack4j.wire.Ipv4Address;

/** An address prefix such as 10.0.0.0/8 (a bare address is a /32). Host bits must be zero. */
public record Prefix(Ipv4Address network, int length) {
    public Prefix {
        Objects.requireNonNull(network, "network");
        if (length < 0 || length > 32) throw new IllegalArgumentException("prefix length must be in [0, 32], was " + length);
        if ((network.bits() & ~mask(length)) != 0)
            throw new IllegalArgumentException("host bits set in " + network + "/" + length);
    }

    public static final Prefix ANY = new Prefix(Ipv4Address.ANY, 0);

    static int mask(int length) { return length == 0 ? 0 : -1 << (32 - length); }

    public boolean contains(Ipv4Address a) { return (a.bits() & mask(length)) == network.bits(); }

    /** "10.0.0.0/8" or "192.0.2.1"; the message says what is wrong. */
    static java.util.Optional<Prefix> parse(String text, StringBuilder why) {
        int slash = text.indexOf('/');
        String addr = slash < 0 ? text : text.substring(0, slash);
        Ipv4Address a;
        try {
            a = Ipv4Address.parse(addr);
        } catch (IllegalArgumentException e) {
            why.append(addr.contains(":") ? "IPv6 addresses are not supported yet: " + text : e.getMessage());
            return java.util.Optional.empty();
        }
        int len = 32;
        if (slash >= 0) {
            String l = text.substring(slash + 1);
            if (!l.matches("[0-9]{1,2}") || Integer.parseInt(l) > 32) {
                why.append("prefix length must be 0 to 32: ").append(text);
                return java.util.Optional.empty();
            }
            len = Integer.parseInt(l);
        }
        if ((a.bits() & ~mask(len)) != 0) {
            why.append("host bits set in ").append(text).append(" (did you mean ")
                    .append(new Ipv4Address(a.bits() & mask(len))).append('/').append(len).append("?)");
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new Prefix(a, len));
    }

    @Override public String toString() { return length == 32 ? network.toString() : network + "/" + length; }
}
