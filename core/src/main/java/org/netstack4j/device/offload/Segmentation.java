package org.netstack4j.device.offload;

import java.util.ArrayList;
import java.util.List;
import org.netstack4j.wire.Checksum;

/**
 * Cutting and merging super-packets at the device edge, on raw IP packets (IPv4 or IPv6, no
 * link header), as a NIC's TSO/USO and the kernel's GSO/GRO do:
 *
 * <ul>
 *   <li>{@link #segment}: one TCP super-packet into MSS-sized segments on the wire: each a copy
 *   of the headers with the IP length (and IPv4 ID, one more per segment, and header checksum),
 *   the TCP sequence number and checksum fixed; FIN and PSH only on the last segment, CWR only
 *   on the first (RFC 3168 6.1.2, as Linux's tcp_gso_segment). UDP (USO) is cut into datagrams
 *   of {@code gsoSize} with their own UDP headers.</li>
 *   <li>{@link #completeChecksum}: fills in a CHECKSUM_PARTIAL packet's transport checksum.</li>
 *   <li>{@link #merge}: runs of in-order, full-sized segments of one TCP flow with the same
 *   ACK, window and options and no flags but ACK (PSH allowed on the last) into one packet
 *   (GRO, Linux tcp_gro_receive's rules), so TCP takes one decision and one copy per run.
 *   Segments whose checksum does not verify are never merged: they pass on alone.</li>
 *   <li>{@link #mergeDatagrams}: runs of equal-sized UDP datagrams of one flow into one USO
 *   super-packet (the sending side: what a UDP_SEGMENT sender hands a device).</li>
 * </ul>
 *
 * Untrusted input never throws: a packet that cannot be cut is returned as a {@link Result}
 * with the reason.
 */
public final class Segmentation {
    public static final int TCP = 6, UDP = 17;
    private static final int MAX_IP = 65535;

    private Segmentation() {}

    /** Segments, or why the input could not be cut. */
    public record Result(List<byte[]> packets, String error) {
        static Result fail(String why) { return new Result(List.of(), why); }
        public boolean ok() { return error == null; }
    }

    /** Where the headers of an IP packet are: IP header length, transport protocol, transport header length. */
    record Layout(boolean v6, int ipLen, int protocol, int l4Len) {
        int hdrLen() { return ipLen + l4Len; }
    }

    /** Reads the header layout of a raw IP packet carrying TCP or UDP; null if it is not one. */
    static Layout layout(byte[] p, int len) {
        if (len < 20) return null;
        int version = (p[0] & 0xff) >>> 4;
        int ipLen, protocol, total;
        if (version == 4) {
            ipLen = (p[0] & 0xf) * 4;
            protocol = p[9] & 0xff;
            total = u16(p, 2);
            if (ipLen < 20 || total != len || (u16(p, 6) & 0x3fff) != 0) return null; // no fragments here
        } else if (version == 6) {
            if (len < 40) return null;
            ipLen = 40;
            protocol = p[6] & 0xff; // extension headers are not offloaded
            total = 40 + u16(p, 4);
            if (total != len) return null;
        } else {
            return null;
        }
        int l4;
        if (protocol == TCP) {
            if (len < ipLen + 20) return null;
            l4 = ((p[ipLen + 12] & 0xff) >>> 4) * 4;
            if (l4 < 20 || ipLen + l4 > len) return null;
        } else if (protocol == UDP) {
            if (len < ipLen + 8) return null;
            l4 = 8;
        } else {
            return null;
        }
        return new Layout(version == 6, ipLen, protocol, l4);
    }

    /**
     * Cuts {@code packet} into segments carrying at most {@code gsoSize} payload bytes each, each
     * with its full transport checksum (whatever the packet's checksum field held).
     */
    public static Result segment(byte[] packet, int len, int gsoSize) {
        Layout l = layout(packet, len);
        if (l == null) return Result.fail("not an IPv4 or IPv6 packet carrying TCP or UDP with consistent lengths");
        if (gsoSize <= 0) return Result.fail("gso_size must be positive");
        int payload = len - l.hdrLen();
        if (payload <= gsoSize) return new Result(List.of(complete(java.util.Arrays.copyOf(packet, len), l)), null);
        int n = (payload + gsoSize - 1) / gsoSize;
        List<byte[]> out = new ArrayList<>(n);
        int hdr = l.hdrLen();
        int ipId = l.v6() ? 0 : u16(packet, 4);
        long seq = l.protocol() == TCP ? u32(packet, l.ipLen() + 4) : 0;
        int flags = l.protocol() == TCP ? packet[l.ipLen() + 13] & 0xff : 0;
        for (int i = 0; i < n; i++) {
            int chunk = Math.min(gsoSize, payload - i * gsoSize);
            byte[] s = new byte[hdr + chunk];
            System.arraycopy(packet, 0, s, 0, hdr);
            System.arraycopy(packet, hdr + i * gsoSize, s, hdr, chunk);
            if (l.v6()) {
                put16(s, 4, s.length - 40);
            } else {
                put16(s, 2, s.length);
                put16(s, 4, (ipId + i) & 0xffff);
                put16(s, 10, 0);
                put16(s, 10, Checksum.compute(s, 0, l.ipLen()));
            }
            int t = l.ipLen();
            if (l.protocol() == TCP) {
                put32(s, t + 4, (seq + (long) i * gsoSize) & 0xffff_ffffL);
                int f = flags;
                if (i < n - 1) f &= ~(0x01 | 0x08); // FIN, PSH only on the last
                if (i > 0) f &= ~0x80;              // CWR only on the first
                s[t + 13] = (byte) f;
            } else {
                put16(s, t + 4, 8 + chunk);
            }
            out.add(complete(s, l));
        }
        return new Result(out, null);
    }

    /** Writes the full transport checksum of a packet whose layout is known (over the pseudo-header). */
    private static byte[] complete(byte[] s, Layout l) {
        int t = l.ipLen();
        int at = t + (l.protocol() == TCP ? 16 : 6);
        put16(s, at, 0);
        long sum = pseudo(s, l, s.length - t);
        int c = Checksum.finish(Checksum.sum(sum, s, t, s.length - t));
        if (l.protocol() == UDP && c == 0) c = 0xffff; // RFC 768: 0 means "no checksum"
        put16(s, at, c);
        return s;
    }

    /** RFC 9293 3.1 and RFC 8200 8.1: source and destination address, protocol and transport length. */
    private static long pseudo(byte[] s, Layout l, int l4Length) {
        long sum = l.v6() ? Checksum.sum(0, s, 8, 32) : Checksum.sum(0, s, 12, 8);
        return sum + l.protocol() + l4Length;
    }

    /**
     * The size of the largest segment a TCP super-packet of {@code len} bytes is cut into at
     * {@code gsoSize} payload bytes (its headers plus at most {@code gsoSize}), or -1 if it is
     * not a TCP packet with consistent lengths.
     */
    public static int segmentWireSize(byte[] packet, int len, int gsoSize) {
        Layout l = layout(packet, len);
        if (l == null || l.protocol() != TCP) return -1;
        return l.hdrLen() + Math.min(gsoSize, len - l.hdrLen());
    }

    /** How many segments a TCP super-packet is cut into at {@code gsoSize} payload bytes (at least 1), or -1 if it is not one. */
    public static int segmentCount(byte[] packet, int len, int gsoSize) {
        Layout l = layout(packet, len);
        if (l == null || l.protocol() != TCP || gsoSize <= 0) return -1;
        return Math.max(1, (len - l.hdrLen() + gsoSize - 1) / gsoSize);
    }

    /**
     * Turns the complete TCP checksum of a packet (at offset 0) into the CHECKSUM_PARTIAL form
     * {@link org.netstack4j.device.Device#transmitSegments} takes: the folded, not complemented,
     * pseudo-header sum over the whole TCP length. False if it is not a TCP packet.
     */
    public static boolean toPartialChecksum(byte[] p, int len) {
        Layout l = layout(p, len);
        if (l == null || l.protocol() != TCP) return false;
        int folded = ~Checksum.finish(pseudo(p, l, len - l.ipLen())) & 0xffff;
        put16(p, l.ipLen() + 16, folded);
        return true;
    }

    /**
     * Completes a CHECKSUM_PARTIAL packet (virtio NEEDS_CSUM): the 16 bits at
     * {@code csumStart + csumOffset} hold the pseudo-header sum; the ones' complement sum of
     * everything from {@code csumStart} goes there. Returns false if the offsets lie outside.
     */
    public static boolean completeChecksum(byte[] p, int len, int csumStart, int csumOffset) {
        if (csumStart < 0 || csumOffset < 0 || csumStart + csumOffset + 2 > len) return false;
        int c = Checksum.finish(Checksum.sum(0, p, csumStart, len - csumStart));
        put16(p, csumStart + csumOffset, c);
        return true;
    }

    /**
     * Completes the partial TCP checksum (pseudo-header sum in the field) of the IPv4 packet, or
     * IPv6 packet without extension headers, at {@code ipAt} of {@code frame}: what the device
     * would have done for a NEEDS_CSUM packet. False (nothing changed) if it is not such a packet.
     */
    public static boolean completeTcpChecksum(byte[] frame, int ipAt) {
        if (frame.length < ipAt + 20) return false;
        int v = (frame[ipAt] & 0xff) >>> 4;
        int tcp, end;
        if (v == 4 && frame[ipAt + 9] == TCP) {
            tcp = ipAt + (frame[ipAt] & 0x0f) * 4;
            end = ipAt + u16(frame, ipAt + 2);
        } else if (v == 6 && frame.length >= ipAt + 40 && frame[ipAt + 6] == TCP) {
            tcp = ipAt + 40;
            end = ipAt + 40 + u16(frame, ipAt + 4);
        } else {
            return false;
        }
        if (end > frame.length || tcp + 20 > end) return false;
        int c = Checksum.finish(Checksum.sum(0, frame, tcp, end - tcp));
        put16(frame, tcp + 16, c);
        return true;
    }

    /** True if the transport checksum of a TCP or UDP packet verifies. */
    public static boolean checksumOk(byte[] p, int len) {
        Layout l = layout(p, len);
        if (l == null) return false;
        int t = l.ipLen();
        if (l.protocol() == UDP && !l.v6() && u16(p, t + 6) == 0) return true;
        return Checksum.finish(Checksum.sum(pseudo(p, l, len - t), p, t, len - t)) == 0;
    }

    /** A packet produced by {@link #merge}: the bytes, how many segments it holds, and their size. */
    public record Merged(byte[] packet, int segments, int segmentSize) {}

    /**
     * Merges runs of consecutive TCP segments (GRO). {@code maxBytes} bounds a merged packet (at
     * most 65535). Packets that are not TCP, or that break a run, pass through unchanged, in order.
     */
    public static List<Merged> merge(List<byte[]> packets, int maxBytes) {
        return mergeRuns(packets, maxBytes, Integer.MAX_VALUE, TCP_RUNS);
    }

    /**
     * Merges runs of consecutive UDP datagrams of one flow into USO super-packets (the inverse of
     * {@link #segment} at the first datagram's payload size, as Linux's UDP_SEGMENT sender builds
     * them): the same IP header but for length, ID and checksum (IPv4: DF or not, never a
     * fragment; the same ECN bits), the same ports, every payload as long as the first but the
     * last, which may be shorter and ends the run; at most {@code maxSegments} datagrams and
     * {@code maxBytes} bytes. A merged packet's UDP checksum field holds the folded, not
     * complemented, pseudo-header sum over the whole UDP length (CHECKSUM_PARTIAL: the device
     * completes each datagram's checksum); the payloads are not summed here. Datagrams of our
     * own stack are trusted: this is for the sending side only. Anything else passes through
     * unchanged, in order.
     */
    public static List<Merged> mergeDatagrams(List<byte[]> packets, int maxBytes, int maxSegments) {
        return mergeRuns(packets, maxBytes, maxSegments, UDP_RUNS);
    }

    /** What makes a run for {@link #mergeRuns}: TCP segments ({@link #merge}) or UDP datagrams ({@link #mergeDatagrams}). */
    private interface RunRule {
        /** The payload size of the run {@code first} may start, or -1: it passes through alone. */
        int start(byte[] first, Layout l);

        /** Whether {@code p}, with {@code pay} payload bytes, continues the run of {@code total} bytes so far. */
        boolean joins(byte[] first, byte[] p, Layout l, int pay, int size, int total);

        /** Whether the run ends with {@code p} (its payload {@code pay}, the run's size {@code size}). */
        boolean endsWith(byte[] p, Layout l, int pay, int size);

        /** The merged packet's last touches (flags, lengths, checksum); returns it. */
        byte[] finish(byte[] merged, byte[] last, Layout l, int total);
    }

    private static final RunRule TCP_RUNS = new RunRule() {
        @Override public int start(byte[] first, Layout l) {
            // the flag test first: a SYN, FIN or RST (a SYN,ACK per SYN under a flood) is never summed here
            return l.protocol() == TCP && mergeable(first, l) && checksumOk(first, first.length) ? first.length - l.hdrLen() : -1;
        }

        @Override public boolean joins(byte[] first, byte[] p, Layout l, int pay, int size, int total) {
            long nextSeq = u32(first, l.ipLen() + 4) + size + (total - first.length);
            return sameFlow(first, p, l) && u32(p, l.ipLen() + 4) == (nextSeq & 0xffff_ffffL) && mergeable(p, l) && checksumOk(p, p.length);
        }

        @Override public boolean endsWith(byte[] p, Layout l, int pay, int size) {
            return size == 0 || pay < size || (p[l.ipLen() + 13] & 0x08) != 0; // a short or PSH segment ends the run
        }

        @Override public byte[] finish(byte[] m, byte[] last, Layout l, int total) {
            m[l.ipLen() + 13] = last[l.ipLen() + 13]; // the last segment's flags (PSH)
            return complete(m, l);
        }
    };

    private static final RunRule UDP_RUNS = new RunRule() {
        @Override public int start(byte[] first, Layout l) {
            int size = first.length - l.hdrLen();
            return l.protocol() == UDP && size > 0 && u16(first, l.ipLen() + 4) == 8 + size ? size : -1;
        }

        @Override public boolean joins(byte[] first, byte[] p, Layout l, int pay, int size, int total) {
            return sameDatagramFlow(first, p, l) && u16(p, l.ipLen() + 4) == 8 + pay;
        }

        @Override public boolean endsWith(byte[] p, Layout l, int pay, int size) {
            return pay < size; // a short datagram ends the run (only the last may be short)
        }

        @Override public byte[] finish(byte[] m, byte[] last, Layout l, int total) {
            int t = l.ipLen();
            put16(m, t + 4, total - t);
            put16(m, t + 6, ~Checksum.finish(pseudo(m, l, total - t)) & 0xffff);
            return m;
        }
    };

    /**
     * The loop of {@link #merge} and {@link #mergeDatagrams}: runs that {@code rule} accepts (at most
     * {@code maxSegments} packets, {@code maxBytes} bytes, every payload at most the first's) become
     * one packet each; everything else passes through unchanged, in order.
     */
    private static List<Merged> mergeRuns(List<byte[]> packets, int maxBytes, int maxSegments, RunRule rule) {
        int limit = Math.min(maxBytes, MAX_IP);
        List<Merged> out = new ArrayList<>(packets.size());
        int i = 0;
        while (i < packets.size()) {
            byte[] first = packets.get(i);
            Layout l = layout(first, first.length);
            int size = l == null ? -1 : rule.start(first, l);
            if (size < 0) {
                out.add(new Merged(first, 1, l == null ? first.length : first.length - l.hdrLen()));
                i++;
                continue;
            }
            int j = i + 1, total = first.length;
            boolean closed = rule.endsWith(first, l, size, size);
            while (!closed && j < packets.size() && j - i < maxSegments) {
                byte[] p = packets.get(j);
                int pay = p.length - l.hdrLen();
                if (pay <= 0 || pay > size || total + pay > limit || !rule.joins(first, p, l, pay, size, total)) break;
                total += pay;
                j++;
                closed = rule.endsWith(p, l, pay, size);
            }
            if (j == i + 1) {
                out.add(new Merged(first, 1, size));
                i++;
                continue;
            }
            byte[] m = concatenate(packets, i, j, total, l);
            out.add(new Merged(rule.finish(m, packets.get(j - 1), l, total), j - i, size));
            i = j;
        }
        return out;
    }

    /**
     * The first packet of {@code packets[from..to)} followed by the payloads of the others, as
     * one packet of {@code total} bytes with its IP length (and IPv4 header checksum) set.
     */
    private static byte[] concatenate(List<byte[]> packets, int from, int to, int total, Layout l) {
        byte[] first = packets.get(from);
        byte[] m = new byte[total];
        System.arraycopy(first, 0, m, 0, first.length);
        int at = first.length;
        for (int k = from + 1; k < to; k++) {
            byte[] p = packets.get(k);
            System.arraycopy(p, l.hdrLen(), m, at, p.length - l.hdrLen());
            at += p.length - l.hdrLen();
        }
        if (l.v6()) put16(m, 4, total - 40);
        else {
            put16(m, 2, total);
            put16(m, 10, 0);
            put16(m, 10, Checksum.compute(m, 0, l.ipLen()));
        }
        return m;
    }

    /** Same IP header (but length, ID and checksum) and the same ports: datagrams one USO packet may carry. */
    private static boolean sameDatagramFlow(byte[] a, byte[] b, Layout l) {
        Layout lb = layout(b, b.length);
        if (lb == null || !lb.equals(l)) return false;
        boolean ip = l.v6() ? range(a, b, 0, 4) && range(a, b, 6, 34)
                : range(a, b, 0, 2) && range(a, b, 6, 4) && range(a, b, 12, l.ipLen() - 12);
        return ip && range(a, b, l.ipLen(), 4);
    }

    /** Only ACK (and PSH on the last segment of a run) may be set; ECN CE and flag changes end GRO. */
    private static boolean mergeable(byte[] p, Layout l) {
        int f = p[l.ipLen() + 13] & 0xff;
        if ((f & ~(0x10 | 0x08)) != 0 || (f & 0x10) == 0) return false;
        if (!l.v6() && (p[1] & 3) == 3) return false;                     // CE marks are kept per packet
        if (l.v6() && ((p[1] >>> 4) & 3) == 3) return false;
        return true;
    }

    /** Same IP header (but length, ID and checksum), same ports, ACK, window, and same TCP options. */
    private static boolean sameFlow(byte[] a, byte[] b, Layout l) {
        Layout lb = layout(b, b.length);
        if (lb == null || !lb.equals(l)) return false;
        if (l.v6()) {
            if (!range(a, b, 0, 4) || !range(a, b, 6, 34)) return false;
        } else {
            if (!range(a, b, 0, 2) || !range(a, b, 6, 4) || !range(a, b, 12, l.ipLen() - 12)) return false;
        }
        int t = l.ipLen();
        return range(a, b, t, 4) && range(a, b, t + 8, 4) && range(a, b, t + 12, 1) && range(a, b, t + 14, 2)
                && range(a, b, t + 18, l.l4Len() - 18);
    }

    private static boolean range(byte[] a, byte[] b, int off, int len) {
        return java.util.Arrays.equals(a, off, off + len, b, off, off + len);
    }

    static int u16(byte[] b, int off) { return (b[off] & 0xff) << 8 | (b[off + 1] & 0xff); }

    static long u32(byte[] b, int off) { return ((long) u16(b, off) << 16) | u16(b, off + 2); }

    static void put16(byte[] b, int off, int v) { b[off] = (byte) (v >>> 8); b[off + 1] = (byte) v; }

    static void put32(byte[] b, int off, long v) { put16(b, off, (int) (v >>> 16)); put16(b, off + 2, (int) v); }
}
