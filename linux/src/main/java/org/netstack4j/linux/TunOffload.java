package org.netstack4j.linux;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

import org.netstack4j.device.offload.Segmentation;
import org.netstack4j.device.offload.VirtioNetHeader;
import org.netstack4j.wire.Checksum;

/**
 * The TUN offload mode (IFF_VNET_HDR): what the kernel agreed to, and the pure packet logic at
 * the edge of the descriptor, kept apart from the system calls so it can be tested without root.
 *
 * <ul>
 *   <li>{@link Inbound}: every read is a virtio-net header and a packet. CHECKSUM_PARTIAL packets
 *   (NEEDS_CSUM) get their transport checksum completed; GSO super-packets (TCPV4/TCPV6/UDP_L4)
 *   are cut into gso_size segments, or (TCP, when {@link Inbound#mergeRuns}) handed on whole
 *   with a complete checksum: the kernel built them from in-order segments of one flow, which is
 *   what GRO would have merged. A header that cannot be honoured drops the read (counted).</li>
 *   <li>{@link #coalesce}: the segments the stack wrote in one batch are merged per TCP flow
 *   ({@link Segmentation#merge}: in order, ACK-only, same options) into super-packets carrying a
 *   GSO header (gso_size = the segments' payload, NEEDS_CSUM with the pseudo-header sum in the
 *   checksum field), so the kernel segments them (TSO); one write per up to 64 KiB. With USO
 *   agreed, runs of equal-sized UDP datagrams of one flow likewise become GSO_UDP_L4 packets.</li>
 * </ul>
 */
public final class TunOffload {
    // <linux/if_tun.h>
    static final long TUNSETOFFLOAD = 0x400454d0L;   // _IOW('T', 208, unsigned int)
    static final long TUNSETVNETHDRSZ = 0x400454d8L; // _IOW('T', 216, int)
    static final short IFF_VNET_HDR = 0x4000;
    private static final int TCP = Segmentation.TCP;
    public static final int TUN_F_CSUM = 0x01, TUN_F_TSO4 = 0x02, TUN_F_TSO6 = 0x04, TUN_F_TSO_ECN = 0x08,
            TUN_F_UFO = 0x10, TUN_F_USO4 = 0x20, TUN_F_USO6 = 0x40;
    /** What is asked for, best first; the first the kernel accepts wins (EINVAL: try the next). */
    static final int[] OFFLOAD_ATTEMPTS = {
            TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_USO4 | TUN_F_USO6,
            TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6,
            TUN_F_CSUM,
            0};
    /** The largest IP packet a super-packet may be (IPv4 total length and IPv6 payload length are 16 bits). */
    static final int MAX_SUPER = 65535;

    private TunOffload() {}

    /**
     * What the device runs with: whether every read and write carries a virtio-net header, and
     * the TUN_F_* flags TUNSETOFFLOAD accepted (what the kernel may hand us unfinished).
     */
    public record Offloads(boolean vnetHeader, int flags) {
        public static final Offloads OFF = new Offloads(false, 0);

        public boolean has(int flag) { return (flags & flag) == flag; }

        @Override public String toString() {
            if (!vnetHeader) return "off";
            StringBuilder b = new StringBuilder("vnet_hdr");
            String[] names = {"csum", "tso4", "tso6", "tso_ecn", "ufo", "uso4", "uso6"};
            for (int i = 0; i < names.length; i++) if ((flags & (1 << i)) != 0) b.append('+').append(names[i]);
            return b.toString();
        }
    }

    /**
     * Counters of the offload paths (all zero when offloads are off); txUdpSuperPackets and
     * txDatagramsCoalesced count USO (GSO_UDP_L4) writes and the datagrams in them.
     */
    public record Stats(long rxSuperPackets, long rxChecksumsCompleted, long rxMalformed,
                        long txSuperPackets, long txSegmentsCoalesced, long txUdpSuperPackets, long txDatagramsCoalesced) {
        public Stats(long rxSuperPackets, long rxChecksumsCompleted, long rxMalformed, long txSuperPackets, long txSegmentsCoalesced) {
            this(rxSuperPackets, rxChecksumsCompleted, rxMalformed, txSuperPackets, txSegmentsCoalesced, 0, 0);
        }
    }

    /** Turns reads (header + packet) into packets for the stack. Used by the reading thread only. */
    static final class Inbound {
        /** Hand TCP super-packets to the stack whole (GRO) instead of cutting them. */
        boolean mergeRuns;
        long superPackets, checksumsCompleted, malformed, checksumsVouched;
        /** The gso_size of the last read when it was handed on whole (one packet), else 0. */
        int mergedSegmentSize;
        /**
         * Whether the last read decoded into one packet whose TCP checksum the device completed
         * here (NEEDS_CSUM) or verified (DATA_VALID), so the stack need not sum it again. Only a TCP
         * checksum counts (csum_start at the TCP header of an IPv4 packet or of an IPv6 packet
         * without extension headers, csum_offset 16); segments cut here never.
         */
        boolean vouched;
        /**
         * A NEEDS_CSUM TCP packet that is vouched for is left with its partial checksum (the
         * pseudo-header sum) rather than completed: for a device whose stack only terminates
         * TCP (never forwards it, so never writes such a packet out again), where nothing reads
         * the field. Saves one pass over every received payload. Counted in checksumsLeftPartial.
         */
        boolean leaveVouchedPartial;
        long checksumsLeftPartial;
        /** Whether the last read's one packet was left partial by {@link #leaveVouchedPartial} (CHECKSUM_PARTIAL in its word). */
        private boolean leftPartial;
        /**
         * A NEEDS_CSUM TCP super-packet handed on whole (mergeRuns) is left with its partial
         * checksum and vouched for, whatever {@link #leaveVouchedPartial} says: for a router
         * without filter or NAT, which forwards it whole (Segmentation#toPartialChecksum writes the
         * pseudo-header sum the GSO write needs, so a completed sum would be thrown away) or cuts
         * it (each segment summed anew). Plain packets are still completed: they go out as they
         * are. Saves one pass over every forwarded payload. Counted in checksumsLeftPartial.
         */
        boolean leaveSuperPartial;

        Inbound(boolean mergeRuns) { this.mergeRuns = mergeRuns; }

        /**
         * What the last read's one packet carries to the stack ({@link org.netstack4j.device.FrameSink#receive(long, byte[], int)}):
         * its merged segment size and {@link org.netstack4j.device.FrameSink#CHECKSUM_VERIFIED}.
         */
        int lastInfo() {
            return mergedSegmentSize | (vouched ? org.netstack4j.device.FrameSink.CHECKSUM_VERIFIED : 0)
                    | (vouched && leftPartial ? org.netstack4j.device.FrameSink.CHECKSUM_PARTIAL : 0);
        }

        /** A read with an all-zero header, handed on as it came (nothing said of it). */
        void plain() {
            mergedSegmentSize = 0;
            vouched = false;
            leftPartial = false;
        }

        // The header of the read being decoded, as plain fields (the reader decodes it in place:
        // no VirtioNetHeader record per read). gso is without the ECN bit.
        private int hFlags, hGso, hGsoSize, hCsumStart, hCsumOffset;

        private boolean needsChecksum() { return (hFlags & VirtioNetHeader.F_NEEDS_CSUM) != 0; }

        /**
         * NEEDS_CSUM: completes the checksum, or only checks that it is a TCP checksum that
         * {@link #vouch} will vouch for when {@link #leaveVouchedPartial}. False if the offsets lie outside.
         */
        private boolean complete(byte[] p, int n) {
            if (leaveVouchedPartial && vouchable(p)) {
                checksumsLeftPartial++;
                leftPartial = true; // said in the word: a capture or a router completes it (FrameSink#CHECKSUM_PARTIAL)
                return true;
            }
            if (!Segmentation.completeChecksum(p, n, hCsumStart, hCsumOffset)) return false;
            checksumsCompleted++;
            return true;
        }

        /** Whether the header covers {@code p}'s TCP checksum: NEEDS_CSUM at the TCP header's checksum field, or DATA_VALID. */
        private boolean vouchable(byte[] p) {
            if ((hFlags & (VirtioNetHeader.F_NEEDS_CSUM | VirtioNetHeader.F_DATA_VALID)) == 0 || p.length < 20) return false;
            int v = (p[0] & 0xff) >>> 4;
            int tcpAt = v == 4 && p[9] == TCP ? (p[0] & 0x0f) * 4 : v == 6 && p.length >= 40 && p[6] == TCP ? 40 : -1;
            return tcpAt >= 0 && tcpAt + 20 <= p.length && !(needsChecksum() && (hCsumStart != tcpAt || hCsumOffset != 16));
        }

        /** Marks {@code p} as verified if the header says the device took care of its TCP checksum. */
        private void vouch(byte[] p) {
            if (!vouchable(p)) return;
            checksumsVouched++;
            vouched = true;
        }

        /**
         * Decodes one read of {@code len} bytes and adds the packets it holds to {@code out}, in
         * order. Returns false (and counts it) if the read was dropped as malformed.
         */
        boolean decode(byte[] read, int len, Collection<byte[]> out) {
            VirtioNetHeader h = VirtioNetHeader.read(read, 0, len);
            if (h == null) return drop();
            return decode(h, Arrays.copyOfRange(read, VirtioNetHeader.LENGTH, len), out);
        }

        /** The same for a header already parsed and the packet after it ({@code p} is handed over). */
        boolean decode(VirtioNetHeader h, byte[] p, Collection<byte[]> out) {
            return decode(h.flags(), h.gsoType(), h.gsoSize(), h.csumStart(), h.csumOffset(), p, out);
        }

        /** The same for the header's fields (flags, gso_type, gso_size, csum_start, csum_offset) as read in place. */
        boolean decode(int flags, int gsoType, int gsoSize, int csumStart, int csumOffset, byte[] p, Collection<byte[]> out) {
            hFlags = flags;
            hGso = gsoType & ~VirtioNetHeader.GSO_ECN;
            hGsoSize = gsoSize;
            hCsumStart = csumStart;
            hCsumOffset = csumOffset;
            int n = p.length;
            mergedSegmentSize = 0;
            vouched = false;
            leftPartial = false;
            if (n == 0) return drop();
            switch (hGso) {
                case VirtioNetHeader.GSO_NONE -> {
                    if (needsChecksum() && !complete(p, n)) return drop();
                    vouch(p);
                    out.add(p);
                    return true;
                }
                case VirtioNetHeader.GSO_TCPV4, VirtioNetHeader.GSO_TCPV6, VirtioNetHeader.GSO_UDP_L4 -> {
                    int version = (p[0] & 0xff) >>> 4;
                    boolean tcp = hGso != VirtioNetHeader.GSO_UDP_L4;
                    if (hGsoSize == 0
                            || (hGso == VirtioNetHeader.GSO_TCPV4 && version != 4)
                            || (hGso == VirtioNetHeader.GSO_TCPV6 && version != 6)) return drop();
                    if (tcp && mergeRuns) {
                        // one packet with a full checksum: NEEDS_CSUM completes it (TCP verifies it as
                        // for any segment), otherwise it is recomputed
                        if (needsChecksum() && leaveSuperPartial && vouchable(p)) {
                            superPackets++;
                            checksumsLeftPartial++;
                            mergedSegmentSize = hGsoSize;
                            vouch(p);
                            out.add(p);
                            return true;
                        }
                        if (needsChecksum() && complete(p, n)) {
                            superPackets++;
                            mergedSegmentSize = hGsoSize;
                            vouch(p);
                            out.add(p);
                            return true;
                        }
                        Segmentation.Result whole = Segmentation.segment(p, n, MAX_SUPER);
                        if (!whole.ok() || whole.packets().size() != 1) return drop();
                        superPackets++;
                        mergedSegmentSize = hGsoSize;
                        out.add(whole.packets().get(0));
                        return true;
                    }
                    Segmentation.Result r = Segmentation.segment(p, n, hGsoSize);
                    if (!r.ok()) return drop();
                    superPackets++;
                    out.addAll(r.packets());
                    return true;
                }
                default -> {
                    return drop(); // UFO and unknown types were never negotiated
                }
            }
        }

        boolean drop() {
            malformed++;
            return false;
        }
    }

    /**
     * The frames to write for one batch of packets the stack sent: each is a virtio-net header
     * followed by the packet; runs of one TCP flow become one GSO super-packet. Counts go to
     * {@code counts[0]} (super-packets) and {@code counts[1]} (segments folded into them).
     */
    static List<byte[]> coalesce(List<byte[]> batch, long[] counts) {
        return coalesce(batch, counts, false, false);
    }

    /**
     * {@link #coalesce(List, long[])}; with {@code uso4} / {@code uso6} (TUN_F_USO4 / TUN_F_USO6
     * agreed) runs of equal-sized UDP datagrams of one flow also become one GSO_UDP_L4
     * super-packet ({@link Segmentation#mergeDatagrams}, at most {@link #UDP_MAX_SEGMENTS}
     * datagrams); counts[2] and counts[3] count those super-packets and the datagrams in them.
     * Without USO every datagram is written on its own.
     */
    static List<byte[]> coalesce(List<byte[]> batch, long[] counts, boolean uso4, boolean uso6) {
        List<byte[]> frames = new ArrayList<>(batch.size());
        if (batch.size() == 1) {
            frames.add(plain(batch.get(0)));
            return frames;
        }
        List<byte[]> datagrams = null; // a stretch of lone UDP packets that USO may merge
        for (Segmentation.Merged m : Segmentation.merge(batch, MAX_SUPER)) {
            if (m.segments() == 1 && (uso4 || uso6) && usoCandidate(m.packet(), uso4, uso6)) {
                if (datagrams == null) datagrams = new ArrayList<>();
                datagrams.add(m.packet());
                continue;
            }
            if (datagrams != null) {
                addDatagrams(frames, datagrams, counts);
                datagrams = null;
            }
            if (m.segments() == 1) {
                frames.add(plain(m.packet()));
                continue;
            }
            frames.add(gso(m.packet(), m.segmentSize()));
            counts[0]++;
            counts[1] += m.segments();
        }
        if (datagrams != null) addDatagrams(frames, datagrams, counts);
        return frames;
    }

    /**
     * The most datagrams one GSO_UDP_L4 packet may carry (Linux UDP_MAX_SEGMENTS: 64 before 6.12,
     * 128 since; virtio_net_hdr_to_skb refuses more).
     */
    static final int UDP_MAX_SEGMENTS = 64;

    /** An IPv4 (USO4) or IPv6 (USO6) UDP packet. */
    private static boolean usoCandidate(byte[] p, boolean uso4, boolean uso6) {
        if (p.length < 28) return false;
        int v = (p[0] & 0xff) >>> 4;
        return v == 4 ? uso4 && p[9] == Segmentation.UDP : v == 6 && uso6 && p.length >= 48 && p[6] == Segmentation.UDP;
    }

    private static void addDatagrams(List<byte[]> frames, List<byte[]> datagrams, long[] counts) {
        for (Segmentation.Merged m : Segmentation.mergeDatagrams(datagrams, MAX_SUPER, UDP_MAX_SEGMENTS)) {
            if (m.segments() == 1) {
                frames.add(plain(m.packet()));
                continue;
            }
            frames.add(uso(m.packet(), m.segmentSize()));
            if (counts.length > 3) {
                counts[2]++;
                counts[3] += m.segments();
            }
        }
    }

    /**
     * A UDP super-packet for the kernel to cut into datagrams of {@code gsoSize} payload bytes
     * (GSO_UDP_L4, which virtio_net_hdr_to_skb accepts only with NEEDS_CSUM and csum_offset 6):
     * its checksum field already holds the pseudo-header sum ({@link Segmentation#mergeDatagrams};
     * __udp_gso_segment adjusts it per datagram).
     */
    static byte[] uso(byte[] packet, int gsoSize) {
        boolean v6 = (packet[0] & 0xff) >>> 4 == 6;
        int ipLen = v6 ? 40 : (packet[0] & 0xf) * 4;
        byte[] f = plain(packet);
        new VirtioNetHeader(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_UDP_L4, ipLen + 8, gsoSize, ipLen, 6).write(f, 0);
        return f;
    }

    /**
     * The GSO header of a TCP super-packet whose checksum field already holds the folded
     * pseudo-header sum (as the stack's TSO output writes it, TcpEncoder#emitPartial), written into
     * {@code dst} at {@code off} field by field (virtio 1.x 5.1.6, little-endian): no header record per super-segment.
     */
    static void writeGsoHeader(byte[] packet, int mss, byte[] dst, int off) {
        boolean v6 = (packet[0] & 0xff) >>> 4 == 6;
        int ipLen = v6 ? 40 : (packet[0] & 0xf) * 4;
        int tcpLen = ((packet[ipLen + 12] & 0xff) >>> 4) * 4;
        int hdrLen = ipLen + tcpLen;
        dst[off] = VirtioNetHeader.F_NEEDS_CSUM;
        dst[off + 1] = (byte) (v6 ? VirtioNetHeader.GSO_TCPV6 : VirtioNetHeader.GSO_TCPV4);
        dst[off + 2] = (byte) hdrLen;
        dst[off + 3] = (byte) (hdrLen >>> 8);
        dst[off + 4] = (byte) mss;
        dst[off + 5] = (byte) (mss >>> 8);
        dst[off + 6] = (byte) ipLen;
        dst[off + 7] = 0;
        dst[off + 8] = 16; // csum_offset: the TCP checksum field
        dst[off + 9] = 0;
    }

    /** The TCP payload length of an IPv4 or IPv6 TCP packet. */
    static int payloadLength(byte[] packet) {
        boolean v6 = (packet[0] & 0xff) >>> 4 == 6;
        int ipLen = v6 ? 40 : (packet[0] & 0xf) * 4;
        return packet.length - ipLen - ((packet[ipLen + 12] & 0xff) >>> 4) * 4;
    }

    /** True if the TCP packet carries CWR (kept on the first segment only: needs GSO_ECN, which we do not ask for). */
    static boolean hasCwr(byte[] packet) {
        int ipLen = (packet[0] & 0xff) >>> 4 == 6 ? 40 : (packet[0] & 0xf) * 4;
        return (packet[ipLen + 13] & 0x80) != 0;
    }

    /** A header saying "nothing to do" (checksums complete, no GSO) and the packet. */
    static byte[] plain(byte[] packet) {
        byte[] f = new byte[VirtioNetHeader.LENGTH + packet.length];
        System.arraycopy(packet, 0, f, VirtioNetHeader.LENGTH, packet.length);
        return f;
    }

    /**
     * A TCP super-packet for the kernel to segment: NEEDS_CSUM, csum_start at the TCP header,
     * csum_offset 16, and the checksum field holding the folded (not complemented) pseudo-header
     * sum over the whole TCP length (CHECKSUM_PARTIAL: tcp_gso_segment adjusts it per segment).
     */
    static byte[] gso(byte[] packet, int mss) {
        boolean v6 = (packet[0] & 0xff) >>> 4 == 6;
        int ipLen = v6 ? 40 : (packet[0] & 0xf) * 4;
        int l4 = packet.length - ipLen;
        byte[] f = plain(packet);
        writeGsoHeader(packet, mss, f, 0);
        long sum = v6 ? Checksum.sum(0, packet, 8, 32) : Checksum.sum(0, packet, 12, 8);
        int folded = ~Checksum.finish(sum + Segmentation.TCP + l4) & 0xffff;
        int at = VirtioNetHeader.LENGTH + ipLen + 16;
        f[at] = (byte) (folded >>> 8);
        f[at + 1] = (byte) folded;
        return f;
    }
}
