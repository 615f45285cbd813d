package org.netstack4j.filter;

import java.util.Objects;
import org.netstack4j.wire.IpAddress;

/**
 * One end of a flow: an address of either family and a port (TCP, UDP), an ICMP query
 * identifier, or 0 for protocols without either.
 */
public record Endpoint(IpAddress address, int port) {
    public Endpoint {
        Objects.requireNonNull(address, "address");
        if (port < 0 || port > 0xffff) throw new IllegalArgumentException("port must be in [0, 65535], was " + port);
    }

    // written out: the generated record methods cost several times more on the per-packet lookup
    @Override public boolean equals(Object o) {
        return o instanceof Endpoint e && port == e.port && address.equals(e.address);
    }

    @Override public int hashCode() { return address.hashCode() * 31 + port; }

    @Override public String toString() {
        return address instanceof org.netstack4j.wire.Ipv6Address ? "[" + address + "]:" + port : address + ":" + port;
    }
}
