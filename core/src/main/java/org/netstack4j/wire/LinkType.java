package org.netstack4j.wire;

/**
 * Link-layer header types as numbered by tcpdump.org's LINKTYPE_ registry (the {@code network}
 * field of a pcap file header, the argument to a dissector).
 */
public enum LinkType {
    /** LINKTYPE_ETHERNET: Ethernet II frames (destination MAC first). */
    ETHERNET(1),
    /** LINKTYPE_RAW: raw IPv4/IPv6 packets, no link header (TUN, point-to-point). */
    RAW_IP(101);

    private final int code;

    LinkType(int code) { this.code = code; }

    /** The LINKTYPE_ number. */
    public int code() { return code; }
}
