package org.netstack4j.device;

import java.util.SplittableRandom;

/**
 * Deliberate damage to a frame, shared by {@link FaultInjector} and the simulated link.
 *
 * <p>By default one byte of the IP payload region (the transport header and data) is changed
 * to a different value. A single changed byte is always caught by the Internet checksum
 * (RFC 1071): it moves the one's-complement sum by d or d*256 with 0 &lt; |d| &lt; 256, never by a
 * multiple of 0xffff. The one exception is a UDP datagram sent without a checksum (field 0,
 * RFC 768), which nothing can protect. Changing several bytes ({@code bytes > 1}) can cancel
 * out in the sum (for example +x in one 16-bit word and -x in another), so such damage
 * sometimes passes the checksum, as it occasionally does on real networks (RFC 1071 section 2,
 * Stone and Partridge 2000).
 */
public final class Corruption {
    private Corruption() {}

    private static final int ETHERNET_HEADER = 14;
    private static final int ETHERTYPE_IPV4 = 0x0800;

    /**
     * Changes {@code bytes} distinct bytes (at least one) of {@code frame} in place, each to a
     * different value, and returns the offset of the first byte changed (-1 if the frame is
     * empty). Bytes are chosen in {@link #region}.
     */
    public static int corrupt(byte[] frame, Medium medium, int bytes, SplittableRandom random) {
        if (frame.length == 0) return -1;
        long region = region(frame, medium);
        int start = (int) (region >>> 32), end = (int) region;
        int size = end - start;
        int n = Math.max(1, Math.min(bytes, size));
        int first = -1;
        if (n == 1) {
            first = start + random.nextInt(size);
            frame[first] ^= (byte) (1 + random.nextInt(255));
            return first;
        }
        // n distinct positions: a partial Fisher-Yates shuffle over the region's offsets.
        int[] positions = new int[size];
        for (int i = 0; i < size; i++) positions[i] = start + i;
        for (int i = 0; i < n; i++) {
            int j = i + random.nextInt(size - i);
            int p = positions[j];
            positions[j] = positions[i];
            positions[i] = p;
            frame[p] ^= (byte) (1 + random.nextInt(255));
            if (i == 0) first = p;
        }
        return first;
    }

    /**
     * The byte range [start, end) that corruption targets, packed as {@code start << 32 | end}:
     * the IPv4 payload (bounded by the IP total length) when the frame holds IPv4 with a
     * payload; the IPv4 header when it has none; otherwise everything after the Ethernet
     * header, or the whole frame. Never empty for a non-empty frame.
     */
    public static long region(byte[] frame, Medium medium) {
        int len = frame.length;
        int ip = 0;
        switch (medium) {
            case ETHERNET -> {
                if (len <= ETHERNET_HEADER) return pack(0, len);
                int type = (frame[12] & 0xff) << 8 | (frame[13] & 0xff);
                if (type != ETHERTYPE_IPV4) return pack(ETHERNET_HEADER, len);
                ip = ETHERNET_HEADER;
            }
            case IP -> ip = 0;
        }
        if (len - ip < 20 || (frame[ip] & 0xf0) != 0x40) return pack(ip, len);
        int ihl = (frame[ip] & 0x0f) * 4;
        if (ihl < 20 || ip + ihl > len) return pack(ip, len);
        int total = (frame[ip + 2] & 0xff) << 8 | (frame[ip + 3] & 0xff);
        int end = total >= ihl ? Math.min(len, ip + total) : len;
        int start = ip + ihl;
        if (start >= end) return pack(ip, ip + ihl);
        return pack(start, end);
    }

    private static long pack(int start, int end) { return (long) start << 32 | (end & 0xffffffffL); }
}
