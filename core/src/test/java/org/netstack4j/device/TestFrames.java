package org.netstack4j.device;

/**
 * Hand-built IPv4/UDP packets for device and simulator tests (independent of the wire codecs,
 * so these tests do not wait for them), with a local RFC 1071 checksum to verify them.
 */
public final class TestFrames {
    private TestFrames() {}

    /** An IPv4 packet 10.0.0.1 -> 10.0.0.2 carrying UDP 1000 -> 2000 with {@code payloadLen} bytes; {@code id} marks it. */
    public static byte[] ipv4Udp(int payloadLen, int id) {
        int total = 20 + 8 + payloadLen;
        byte[] p = new byte[total];
        p[0] = 0x45;
        p[2] = (byte) (total >>> 8);
        p[3] = (byte) total;
        p[4] = (byte) (id >>> 8);
        p[5] = (byte) id;
        p[8] = 64;
        p[9] = 17;
        p[12] = 10; p[15] = 1;
        p[16] = 10; p[19] = 2;
        put16(p, 10, checksum(p, 0, 20, 0));
        put16(p, 20, 1000);
        put16(p, 22, 2000);
        put16(p, 24, 8 + payloadLen);
        for (int i = 0; i < payloadLen; i++) p[28 + i] = (byte) (id * 31 + i);
        int c = checksum(p, 20, 8 + payloadLen, pseudo(p));
        put16(p, 26, c == 0 ? 0xffff : c);
        return p;
    }

    /** The same packet inside an Ethernet II frame 02:00:00:00:00:02 <- 02:00:00:00:00:01. */
    public static byte[] ethernetUdp(int payloadLen, int id) {
        byte[] ip = ipv4Udp(payloadLen, id);
        byte[] f = new byte[14 + ip.length];
        f[0] = 2; f[5] = 2;
        f[6] = 2; f[11] = 1;
        f[12] = 0x08;
        System.arraycopy(ip, 0, f, 14, ip.length);
        return f;
    }

    /** The id given to {@link #ipv4Udp} (IP identification field), at IP offset {@code ipOff}. */
    public static int id(byte[] frame, int ipOff) { return (frame[ipOff + 4] & 0xff) << 8 | (frame[ipOff + 5] & 0xff); }

    /** True if both the IPv4 header checksum and the UDP checksum verify. */
    public static boolean checksumsOk(byte[] frame, int ipOff) {
        if (checksum(frame, ipOff, 20, 0) != 0) return false;
        int total = (frame[ipOff + 2] & 0xff) << 8 | (frame[ipOff + 3] & 0xff);
        byte[] p = java.util.Arrays.copyOfRange(frame, ipOff, ipOff + total);
        return checksum(p, 20, total - 20, pseudo(p)) == 0;
    }

    private static long pseudo(byte[] p) {
        long s = 0;
        for (int i = 12; i < 20; i += 2) s += (p[i] & 0xff) << 8 | (p[i + 1] & 0xff);
        int total = (p[2] & 0xff) << 8 | (p[3] & 0xff);
        return s + 17 + (total - 20);
    }

    /** RFC 1071: complement of the one's-complement sum (0 when a block with its checksum verifies). */
    public static int checksum(byte[] b, int off, int len, long initial) {
        long s = initial;
        for (int i = 0; i + 1 < len; i += 2) s += (b[off + i] & 0xff) << 8 | (b[off + i + 1] & 0xff);
        if ((len & 1) != 0) s += (b[off + len - 1] & 0xff) << 8;
        while ((s >>> 16) != 0) s = (s & 0xffff) + (s >>> 16);
        return (int) (~s & 0xffff);
    }

    private static void put16(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }
}
