package org.netstack4j.wire;

import java.util.List;

/**
 * The TCP header (RFC 9293 3.1). seq, ack and tsVal are raw 32-bit values; window is the
 * raw 16-bit field (unscaled). options keeps wire order, including NOP and EOL, so that
 * emit reproduces the exact layout; emit pads to a multiple of 4 with zero (EOL) bytes.
 */
public record TcpRepr(int srcPort, int dstPort, int seq, int ack, int flags, int window,
                      int urgentPointer, List<TcpOption> options) {
    public static final int MIN_HEADER_LENGTH = 20;
    public static final int FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10,
        URG = 0x20, ECE = 0x40, CWR = 0x80;

    public boolean has(int flag) { return (flags & flag) != 0; }

    /** 20 + options rounded up to a multiple of 4. */
    public int headerLength() { throw new UnsupportedOperationException("TODO(wire)"); }

    /**
     * Parses and validates the segment at buf[off..off+len) (len = IP payload length): data
     * offset >= 5 and within len, options well-formed, checksum over the pseudo-header when
     * verifyChecksum. The payload is buf[off+headerLength() .. off+len).
     */
    public static Parsed<TcpRepr> parse(Ipv4Address src, Ipv4Address dst, byte[] buf, int off, int len,
                                        boolean verifyChecksum) { throw new UnsupportedOperationException("TODO(wire)"); }

    /** Writes header + payload with a correct checksum at buf[off]; returns headerLength() + plen. */
    public int emit(Ipv4Address src, Ipv4Address dst, byte[] buf, int off, byte[] payload, int poff, int plen) { throw new UnsupportedOperationException("TODO(wire)"); }
}
