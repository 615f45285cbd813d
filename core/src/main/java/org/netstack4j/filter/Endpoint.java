package org.netstack4j.filter;

import java.util.Objects;
import org.netstack4j.wire.Ipv4Address;

/**
 * One end of a flow: an address and a port (TCP, UDP), an ICMP query identifier, or 0 for
 * protocols without either. The address type appears here and in the few places that read or
 * write address bytes; when the IP seam lands, {@code Ipv4Address} becomes {@code IpAddress} here.
 */
public record Endpoint(Ipv4Address address, int port) {
    public Endpoint {
        Objects.requireNonNull(address, "address");
        if (port < 0 || port > 0xffff) throw new IllegalArgumentException("port must be in [0, 65535], was " + port);
    }

    // written out: the generated record methods cost several times more on the per-packet lookup
    @Override public boolean equals(Object o) {
        return o instanceof Endpoint e && port == e.port && address.equals(e.address);
    }

    @Override public int hashCode() { return address.hashCode() * 31 + port; }

    @Override public String toString() { return address + ":" + port; }
}
