package org.netstack4j.wire;

/** The Internet checksum (RFC 1071) and its incremental update (RFC 1624). */
public final class Checksum {
    private Checksum() {}

    /** One's-complement sum of buf[off..off+len) added to {@code initial}, not folded/complemented. */
    public static long sum(long initial, byte[] buf, int off, int len) { throw new UnsupportedOperationException("TODO(wire)"); }

    /** Sum of the IPv4 pseudo-header (RFC 9293 3.1, RFC 768). */
    public static long pseudoHeaderSum(Ipv4Address src, Ipv4Address dst, int protocol, int length) { throw new UnsupportedOperationException("TODO(wire)"); }

    /** Folds a sum to 16 bits and complements it: the value to put in a checksum field. */
    public static int finish(long sum) { throw new UnsupportedOperationException("TODO(wire)"); }

    /** Checksum of buf[off..off+len) (finish(sum(0, ...))). */
    public static int compute(byte[] buf, int off, int len) { return finish(sum(0, buf, off, len)); }

    /** RFC 1624 eqn. 3: new checksum after a 16-bit field changed from oldValue to newValue. */
    public static int update(int oldChecksum, int oldValue, int newValue) { throw new UnsupportedOperationException("TODO(wire)"); }
}
