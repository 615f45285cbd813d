package org.netstack4j.wire;

/** Ethernet II header (14 bytes): destination, source, EtherType. Payload follows. */
public record EthernetRepr(MacAddress dst, MacAddress src, int etherType) {
    public static final int HEADER_LENGTH = 14;
    public static final int ETHERTYPE_IPV4 = 0x0800;
    public static final int ETHERTYPE_ARP = 0x0806;
    public static final int ETHERTYPE_IPV6 = 0x86dd;

    /** Parses the header at buf[off..off+len). The payload is buf[off+14 .. off+len). */
    public static Parsed<EthernetRepr> parse(byte[] buf, int off, int len) { throw new UnsupportedOperationException("TODO(wire)"); }

    /** Writes the 14-byte header at buf[off]; returns 14. */
    public int emit(byte[] buf, int off) { throw new UnsupportedOperationException("TODO(wire)"); }
}
