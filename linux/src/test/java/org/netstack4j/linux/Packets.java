package org.netstack4j.linux;

import java.util.Arrays;

/**
 * Hand-built IPv4/ICMP/ARP/Ethernet bytes for the device tests, independent of the stack's own
 * codecs so a codec bug cannot hide a device bug (and the other way round).
 */
final class Packets {
    private Packets() {}

    static final int ETH_IPV4 = 0x0800;
    static final int ETH_ARP = 0x0806;
    static final int PROTO_ICMP = 1;

    /** RFC 1071 Internet checksum of {@code len} bytes (one's complement sum of 16-bit words). */
    static int checksum(byte[] b, int off, int len) {
        long sum = 0;
        int i = off;
        for (; i + 1 < off + len; i += 2) {
            sum += ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
        }
        if (i < off + len) {
            sum += (b[i] & 0xff) << 8;
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (int) (~sum & 0xffff);
    }

    static byte[] ip(int a, int b, int c, int d) {
        return new byte[] {(byte) a, (byte) b, (byte) c, (byte) d};
    }

    static int u16(byte[] b, int off) {
        return ((b[off] & 0xff) << 8) | (b[off + 1] & 0xff);
    }

    static void put16(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }

    /** A 20-byte IPv4 header (RFC 791) followed by {@code payload}, header checksum filled in. */
    static byte[] ipv4(byte[] src, byte[] dst, int protocol, byte[] payload) {
        byte[] p = new byte[20 + payload.length];
        p[0] = 0x45;
        put16(p, 2, p.length);
        put16(p, 4, 0x1234);
        p[8] = 64;
        p[9] = (byte) protocol;
        System.arraycopy(src, 0, p, 12, 4);
        System.arraycopy(dst, 0, p, 16, 4);
        put16(p, 10, checksum(p, 0, 20));
        System.arraycopy(payload, 0, p, 20, payload.length);
        return p;
    }

    /** ICMP echo (RFC 792): type 8 request or 0 reply, with checksum. */
    static byte[] icmpEcho(int type, int id, int seq, byte[] data) {
        byte[] m = new byte[8 + data.length];
        m[0] = (byte) type;
        put16(m, 4, id);
        put16(m, 6, seq);
        System.arraycopy(data, 0, m, 8, data.length);
        put16(m, 2, checksum(m, 0, m.length));
        return m;
    }

    static boolean isIpv4Icmp(byte[] p, int off) {
        return p.length >= off + 28 && (p[off] & 0xf0) == 0x40 && p[off + 9] == PROTO_ICMP;
    }

    static int ihl(byte[] p, int off) {
        return (p[off] & 0x0f) * 4;
    }

    static int icmpType(byte[] p, int off) {
        return p[off + ihl(p, off)] & 0xff;
    }

    /**
     * If {@code p[off..]} is an IPv4 ICMP echo request, returns the echo reply as an IP packet:
     * addresses swapped, type 0, both checksums recomputed; otherwise null.
     */
    static byte[] echoReplyFor(byte[] p, int off) {
        if (!isIpv4Icmp(p, off) || icmpType(p, off) != 8) {
            return null;
        }
        int totalLen = u16(p, off + 2);
        byte[] r = Arrays.copyOfRange(p, off, off + totalLen);
        int hl = ihl(r, 0);
        byte[] src = Arrays.copyOfRange(r, 12, 16);
        System.arraycopy(r, 16, r, 12, 4);
        System.arraycopy(src, 0, r, 16, 4);
        r[8] = 64;
        put16(r, 10, 0);
        put16(r, 10, checksum(r, 0, hl));
        r[hl] = 0;
        put16(r, hl + 2, 0);
        put16(r, hl + 2, checksum(r, hl, totalLen - hl));
        return r;
    }

    // ---- Ethernet and ARP (RFC 826) ----

    static byte[] ethernet(byte[] dst, byte[] src, int type, byte[] payload) {
        byte[] f = new byte[14 + payload.length];
        System.arraycopy(dst, 0, f, 0, 6);
        System.arraycopy(src, 0, f, 6, 6);
        put16(f, 12, type);
        System.arraycopy(payload, 0, f, 14, payload.length);
        return f;
    }

    static int etherType(byte[] f) {
        return f.length >= 14 ? u16(f, 12) : -1;
    }

    static byte[] srcMac(byte[] f) {
        return Arrays.copyOfRange(f, 6, 12);
    }

    /** True if {@code f} is an ARP request (op 1) for target protocol address {@code target}. */
    static boolean isArpRequestFor(byte[] f, byte[] target) {
        return etherType(f) == ETH_ARP && f.length >= 42 && u16(f, 14 + 6) == 1
                && Arrays.equals(f, 14 + 24, 14 + 28, target, 0, 4);
    }

    /** The ARP reply to request {@code req}: "{@code ip} is at {@code mac}". */
    static byte[] arpReply(byte[] req, byte[] mac, byte[] ip) {
        byte[] a = new byte[28];
        put16(a, 0, 1);          // htype Ethernet
        put16(a, 2, ETH_IPV4);   // ptype IPv4
        a[4] = 6;
        a[5] = 4;
        put16(a, 6, 2);          // op reply
        System.arraycopy(mac, 0, a, 8, 6);
        System.arraycopy(ip, 0, a, 14, 4);
        System.arraycopy(req, 14 + 8, a, 18, 6);   // tha = requester's sha
        System.arraycopy(req, 14 + 14, a, 24, 4);  // tpa = requester's spa
        return ethernet(srcMac(req), mac, ETH_ARP, a);
    }
}
