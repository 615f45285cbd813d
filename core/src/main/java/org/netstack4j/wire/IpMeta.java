package org.netstack4j.wire;

import java.util.Objects;

/**
 * What IP knows about one packet that a transport may need, handed from IP to TCP and UDP on
 * input and given back on output (DESIGN.md "IpMeta both ways"). Family-blind: IPv4's TOS
 * byte and IPv6's traffic class are the same 8 bits (RFC 2474: DSCP in the upper six, RFC
 * 3168: ECN in the lower two), IPv4's TTL and IPv6's hop limit the same counter.
 *
 * @param trafficClass the TOS / traffic class byte: {@link #dscp()} and {@link #ecn()}
 * @param ttl          TTL or hop limit as received; on output 0..255, or {@link #DEFAULT_TTL}
 *                     for the stack's default
 * @param ifaceIndex   on input the index of the receiving interface in the stack's list
 *                     ({@link #LOCAL} for our own loopback queue); on output
 *                     {@link #ANY_INTERFACE}: the route decides
 * @param checksumVerified on input: the receiving device completed or verified this packet's
 *                     transport checksum (TUN offloads: virtio-net NEEDS_CSUM or DATA_VALID) and
 *                     said so with the frame ({@link org.netstack4j.device.FrameSink#CHECKSUM_VERIFIED}),
 *                     so the transport need not sum it again; never for a reassembled or rebuilt
 *                     packet; false on output
 */
public record IpMeta(IpAddress src, IpAddress dst, int trafficClass, int ttl, int ifaceIndex, boolean checksumVerified) {
    /** On output: the stack's default TTL / hop limit. */
    public static final int DEFAULT_TTL = -1;
    /** On output: the interface the route picks. */
    public static final int ANY_INTERFACE = -1;
    /** On input: a packet we sent to one of our own addresses (never on a device). */
    public static final int LOCAL = -2;

    /** RFC 3168 5: the ECN field's codepoints. */
    public static final int NOT_ECT = 0b00, ECT1 = 0b01, ECT0 = 0b10, CE = 0b11;

    public IpMeta {
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(dst, "dst");
        if (src.family() != dst.family())
            throw new IllegalArgumentException("addresses of two families: " + src + " > " + dst);
        if (trafficClass < 0 || trafficClass > 255) throw new IllegalArgumentException("traffic class must be 0..255: " + trafficClass);
        if (ttl < DEFAULT_TTL || ttl > 255) throw new IllegalArgumentException("ttl must be -1 or 0..255: " + ttl);
    }

    /** Metadata without the device's word on the checksum (output, or input nobody vouched for). */
    public IpMeta(IpAddress src, IpAddress dst, int trafficClass, int ttl, int ifaceIndex) {
        this(src, dst, trafficClass, ttl, ifaceIndex, false);
    }

    /** Output metadata with nothing set: traffic class 0 (Not-ECT), default TTL, interface by route. */
    public static IpMeta out(IpAddress src, IpAddress dst) {
        return new IpMeta(src, dst, 0, DEFAULT_TTL, ANY_INTERFACE);
    }

    public IpAddress.Family family() { return src.family(); }

    /** The lower two bits (RFC 3168 5). */
    public int ecn() { return trafficClass & 0b11; }

    /** The upper six bits (RFC 2474 3). */
    public int dscp() { return trafficClass >>> 2; }

    /** The same packet's metadata with {@code ecn} in the lower two bits of the traffic class. */
    public IpMeta withEcn(int ecn) {
        return new IpMeta(src, dst, (trafficClass & ~0b11) | (ecn & 0b11), ttl, ifaceIndex, checksumVerified);
    }
}
