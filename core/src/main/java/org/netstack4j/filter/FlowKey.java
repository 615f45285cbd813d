package org.netstack4j.filter;

import java.util.Objects;
import org.netstack4j.wire.Ipv4Repr;

/**
 * The 5-tuple of a flow as one direction sees it: protocol, source and destination endpoints.
 * For ICMP echo both ports hold the identifier, so the reply's key is the request's
 * {@link #reverse()}; for protocols without ports both are 0.
 */
public record FlowKey(int protocol, Endpoint src, Endpoint dst) {
    public FlowKey {
        if (protocol < 0 || protocol > 0xff) throw new IllegalArgumentException("protocol must be in [0, 255], was " + protocol);
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(dst, "dst");
    }

    /** The key of the other direction. */
    public FlowKey reverse() { return new FlowKey(protocol, dst, src); }

    // written out: the generated record methods cost several times more on the per-packet lookup
    @Override public boolean equals(Object o) {
        return o instanceof FlowKey k && protocol == k.protocol && src.equals(k.src) && dst.equals(k.dst);
    }

    @Override public int hashCode() { return (src.hashCode() * 31 + dst.hashCode()) * 31 + protocol; }

    /** conntrack -L style: "tcp 10.0.0.1:40000 > 10.0.0.2:80". */
    @Override public String toString() {
        String name = protocol == 58 ? "icmp6" : Ipv4Repr.protocolName(protocol).toLowerCase(java.util.Locale.ROOT);
        return name + " " + src + " > " + dst;
    }
}
