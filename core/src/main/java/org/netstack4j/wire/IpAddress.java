package org.netstack4j.wire;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * An IP address of either family: what every layer above {@code ip} names a peer or local
 * address by (DESIGN.md "one address type for both families"). A value: equal addresses are
 * {@code equals}, and the natural order puts every IPv4 address before every IPv6 one, each
 * family in numeric order.
 *
 * <p>An IPv4 address and its IPv4-mapped IPv6 form ({@code ::ffff:a.b.c.d}, RFC 4291 2.5.5.2)
 * are different values here, as they are different on the wire; {@link Ipv6Address#toIpv4}
 * and {@link Ipv4Address#toMapped} convert. Scope ids (RFC 4007) belong to socket addresses,
 * not to these values: {@link #of(InetAddress)} drops one, and a link-local address used
 * with a socket carries its interface beside it.
 */
public sealed interface IpAddress extends Comparable<IpAddress> permits Ipv4Address, Ipv6Address {
    /** The address family, for the few places an RFC rule depends on it (MSS, pseudo-header). */
    enum Family {
        IPV4(4, 20), IPV6(16, 40);

        private final int byteLength, minHeaderLength;

        Family(int byteLength, int minHeaderLength) {
            this.byteLength = byteLength;
            this.minHeaderLength = minHeaderLength;
        }

        /** 4 or 16. */
        public int byteLength() { return byteLength; }

        /** The fixed IP header: 20 bytes for IPv4 (RFC 791), 40 for IPv6 (RFC 8200 3). */
        public int minHeaderLength() { return minHeaderLength; }
    }

    Family family();

    boolean isUnspecified();

    boolean isMulticast();

    boolean isLoopback();

    /** The address bytes, network order (4 or 16 of them), written at buf[off]. */
    void write(byte[] buf, int off);

    /** The upper 64 bits of the 128-bit form (IPv4: its IPv4-mapped IPv6 address). */
    long high64();

    /** The lower 64 bits of the 128-bit form (IPv4: {@code 0xffff_xxxx_xxxx}, IPv4-mapped). */
    long low64();

    default byte[] toBytes() {
        byte[] b = new byte[family().byteLength()];
        write(b, 0);
        return b;
    }

    /**
     * The java.net form: an {@link Inet4Address} for IPv4, an {@link Inet6Address} for IPv6
     * (also for an IPv4-mapped one, which {@code InetAddress.getByAddress} would turn into IPv4).
     */
    default InetAddress toInetAddress() {
        try {
            return switch (this) {
                case Ipv4Address v4 -> InetAddress.getByAddress(v4.toBytes());
                case Ipv6Address v6 -> Inet6Address.getByAddress(null, v6.toBytes(), -1);
            };
        } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes are always an address", e);
        }
    }

    /** The address of a java.net address (its scope id, if any, is dropped). */
    static IpAddress of(InetAddress a) {
        Objects.requireNonNull(a, "address");
        byte[] b = a.getAddress();
        return switch (a) {
            case Inet4Address v4 -> Ipv4Address.read(b, 0);
            case Inet6Address v6 -> Ipv6Address.read(b, 0);
            default -> throw new IllegalArgumentException("unknown address family: " + a);
        };
    }

    /** Parses either family's text form: dotted quad, or RFC 4291 2.2 text (no scope id). */
    static IpAddress parse(String text) {
        Objects.requireNonNull(text, "text");
        return text.indexOf(':') >= 0 ? Ipv6Address.parse(text) : Ipv4Address.parse(text);
    }

    /** The unspecified address of {@code family}: 0.0.0.0 or ::. */
    static IpAddress any(Family family) {
        return switch (family) {
            case IPV4 -> Ipv4Address.ANY;
            case IPV6 -> Ipv6Address.ANY;
        };
    }

    @Override default int compareTo(IpAddress o) {
        int f = family().compareTo(o.family());
        if (f != 0) return f;
        int h = Long.compareUnsigned(high64(), o.high64());
        return h != 0 ? h : Long.compareUnsigned(low64(), o.low64());
    }
}
