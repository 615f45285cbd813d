package org.netstack4j.ip;

import org.netstack4j.wire.Ipv6Address;

/**
 * One IPv6 address of an interface, as {@code ip -6 addr} shows it (RFC 4862 5.5.4):
 * TENTATIVE while duplicate address detection runs (only DAD's own messages are accepted for
 * it), PREFERRED once no one else claimed it, DEPRECATED once a SLAAC address's preferred
 * lifetime ran out (still ours and still received on, but no new connection picks it, RFC 4862
 * 5.5.4), DUPLICATE when someone claimed it (never used).
 */
public record Ipv6AddressState(String iface, Ipv6Address address, int prefixLength, State state) {
    public enum State { TENTATIVE, PREFERRED, DEPRECATED, DUPLICATE }

    @Override public String toString() {
        return "inet6 " + address + "/" + prefixLength + " dev " + iface
                + (state == State.PREFERRED ? "" : " " + state.name().toLowerCase());
    }
}
