package org.netstack4j.device.offload;

/**
 * The virtio-net header a TUN/TAP device with IFF_VNET_HDR puts before every packet (virtio 1.x
 * spec 5.1.6, Linux include/uapi/linux/virtio_net.h), little-endian as the kernel uses it on
 * little-endian hosts (or after TUNSETVNETLE):
 *
 * <pre>
 *  0        1        2               4               6               8              10
 * +--------+--------+-------+-------+-------+-------+-------+-------+-------+-------+
 * | flags  |gso_type|    hdr_len    |   gso_size    |  csum_start   |  csum_offset  |
 * +--------+--------+-------+-------+-------+-------+-------+-------+-------+-------+
 * </pre>
 *
 * {@code flags}: NEEDS_CSUM (the checksum at csum_start + csum_offset holds only the
 * pseudo-header sum; the rest is still to be added) and DATA_VALID (the device verified it).
 * {@code gso_type}: NONE, TCPV4, TCPV6, UDP_L4 (USO), with the ECN bit (the segments carry CWR
 * as TCP ECN says). {@code hdr_len} is the length of all headers, {@code gso_size} the payload
 * of each segment (the MSS).
 */
public record VirtioNetHeader(int flags, int gsoType, int hdrLen, int gsoSize, int csumStart, int csumOffset) {
    public static final int LENGTH = 10;
    public static final int F_NEEDS_CSUM = 1, F_DATA_VALID = 2;
    public static final int GSO_NONE = 0, GSO_TCPV4 = 1, GSO_UDP = 3, GSO_TCPV6 = 4, GSO_UDP_L4 = 5, GSO_ECN = 0x80;
    public static final VirtioNetHeader NONE = new VirtioNetHeader(0, GSO_NONE, 0, 0, 0, 0);

    public VirtioNetHeader {
        if ((flags & ~0xff) != 0 || (gsoType & ~0xff) != 0) throw new IllegalArgumentException("flags and gso_type are one byte each");
        for (int v : new int[] {hdrLen, gsoSize, csumStart, csumOffset})
            if (v < 0 || v > 0xffff) throw new IllegalArgumentException("16-bit field out of range: " + v);
    }

    /** Reads the header at {@code off}; null if fewer than 10 bytes are there (a malformed read). */
    public static VirtioNetHeader read(byte[] b, int off, int len) {
        if (len < LENGTH || off < 0 || off + LENGTH > b.length) return null;
        return new VirtioNetHeader(b[off] & 0xff, b[off + 1] & 0xff, le16(b, off + 2), le16(b, off + 4), le16(b, off + 6), le16(b, off + 8));
    }

    public void write(byte[] b, int off) {
        b[off] = (byte) flags;
        b[off + 1] = (byte) gsoType;
        putLe16(b, off + 2, hdrLen);
        putLe16(b, off + 4, gsoSize);
        putLe16(b, off + 6, csumStart);
        putLe16(b, off + 8, csumOffset);
    }

    public boolean needsChecksum() { return (flags & F_NEEDS_CSUM) != 0; }

    public boolean dataValid() { return (flags & F_DATA_VALID) != 0; }

    /** The GSO type without the ECN bit. */
    public int gso() { return gsoType & ~GSO_ECN; }

    public boolean ecn() { return (gsoType & GSO_ECN) != 0; }

    private static int le16(byte[] b, int off) { return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8; }

    private static void putLe16(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
    }

    @Override public String toString() {
        return "vnet[flags=" + flags + (needsChecksum() ? "(needs_csum)" : "") + (dataValid() ? "(data_valid)" : "")
                + " gso=" + switch (gso()) {
                    case GSO_NONE -> "none"; case GSO_TCPV4 -> "tcpv4"; case GSO_TCPV6 -> "tcpv6";
                    case GSO_UDP -> "udp"; case GSO_UDP_L4 -> "udp_l4"; default -> String.valueOf(gso());
                } + (ecn() ? "+ecn" : "") + " hdr_len=" + hdrLen + " gso_size=" + gsoSize
                + " csum_start=" + csumStart + " csum_offset=" + csumOffset + "]";
    }
}
