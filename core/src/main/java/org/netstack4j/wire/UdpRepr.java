package org.netstack4j.wire;

/** The UDP header (RFC 768). The payload is handled separately. */
public record UdpRepr(int srcPort, int dstPort) {
    public static final int HEADER_LENGTH = 8;

    /**
     * Parses the datagram at buf[off..off+len) (len = IP payload length): checks the length
     * field (>= 8 and <= len) and the checksum over the pseudo-header (a zero checksum means
     * "none" and is accepted). The payload is buf[off+8 .. off+lengthField).
     * Use {@link #payloadLength(byte[], int)} to read the length after a successful parse.
     */
    public static Parsed<UdpRepr> parse(Ipv4Address src, Ipv4Address dst, byte[] buf, int off, int len) { throw new UnsupportedOperationException("TODO(wire)"); }

    /** Length field minus 8, of an already validated datagram. */
    public static int payloadLength(byte[] buf, int off) { throw new UnsupportedOperationException("TODO(wire)"); }

    /** Writes header + payload with checksum at buf[off]; returns 8 + plen. */
    public int emit(Ipv4Address src, Ipv4Address dst, byte[] buf, int off, byte[] payload, int poff, int plen) { throw new UnsupportedOperationException("TODO(wire)"); }
}
