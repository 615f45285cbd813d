package org.netstack4j.wire;

/** ARP for IPv4 over Ethernet (RFC 826): 28 bytes. */
public record ArpRepr(int operation, MacAddress senderMac, Ipv4Address senderIp,
                      MacAddress targetMac, Ipv4Address targetIp) {
    public static final int LENGTH = 28;
    public static final int OP_REQUEST = 1;
    public static final int OP_REPLY = 2;

    /** Parses an ARP packet (htype 1, ptype 0x0800, hlen 6, plen 4; anything else is Malformed). */
    public static Parsed<ArpRepr> parse(byte[] buf, int off, int len) { throw new UnsupportedOperationException("TODO(wire)"); }

    /** Writes the 28 bytes at buf[off]; returns 28. */
    public int emit(byte[] buf, int off) { throw new UnsupportedOperationException("TODO(wire)"); }
}
