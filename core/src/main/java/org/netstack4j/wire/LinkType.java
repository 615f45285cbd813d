package org.netstack4j.wire;

/** What a frame starts with; codes are the pcap LINKTYPE_ values (tcpdump.org/linktypes.html). */
public enum LinkType {
    /** LINKTYPE_ETHERNET: an Ethernet II header, then the payload. */
    ETHERNET(1),
    /** LINKTYPE_RAW: a bare IPv4 or IPv6 packet (what a TUN device carries). */
    RAW_IP(101);

    private final int code;

    LinkType(int code) { this.code = code; }

    public int code() { return code; }

    /** The link type for a pcap code; IllegalArgumentException for codes this project does not handle. */
    public static LinkType ofCode(int code) {
        for (LinkType t : values()) if (t.code == code) return t;
        throw new IllegalArgumentException("unsupported pcap link type " + code + " (supported: 1 Ethernet, 101 raw IP)");
    }
}
