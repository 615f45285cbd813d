package org.netstack4j.ip;

import org.netstack4j.wire.Ipv6Address;

/**
 * One IPv6 address of an interface, as {@code ip -6 addr} shows it (RFC 4862 5.5.4):
 * TENTATIVE while duplicate address detection runs (only DAD's own messages are accepted for
 * it), PREFERRED once no one else claimed it, DUPLICATE when someone did (never used).
 */
public record Ipv6AddressState(String iface, Ipv6Address address, int prefixLength, State state) {
    public enum State { TENTATIVE, PREFERRED, DUPLICATE }

    @Override public String toString() {
        return "inet6 " + address + "/" + prefixLength + " dev " + iface
                + (state == State.PREFERRED ? "" : " " + state.name().toLowerCase());
    }
}
