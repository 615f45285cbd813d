package org.netstack4j.device;

/**
 * Where a device hands the frames it receives. The array is handed over: the sink owns it. When
 * the device has a {@link Device#framePool()}, the sink may {@link FramePool#release release} the
 * array to that pool once it keeps no reference to it, so the device must not touch the array
 * after this call either.
 */
@FunctionalInterface
public interface FrameSink {
    FrameSink DISCARD = (now, frame) -> {};

    void receive(long now, byte[] frame);

    /** {@link #receive(long, byte[], int)}'s {@code info}: the bits that hold a super-packet's segment size (0: a plain frame). */
    int SEGMENT_SIZE_MASK = 0xFFFF;

    /**
     * {@link #receive(long, byte[], int)}'s {@code info}: the device completed or verified this
     * frame's TCP checksum (receive checksum offload: virtio-net NEEDS_CSUM or DATA_VALID, like
     * Linux's CHECKSUM_PARTIAL and CHECKSUM_UNNECESSARY), so TCP need not sum the payload again.
     * It travels with the frame it was said of (IP hands it on in {@link org.netstack4j.wire.IpMeta#checksumVerified});
     * a wrapper that may alter a frame, or hands on a copy, clears it.
     */
    int CHECKSUM_VERIFIED = 1 << 16;

    /**
     * {@link #receive(long, byte[], int)}'s {@code info}, with {@link #CHECKSUM_VERIFIED}: the
     * frame's TCP checksum field holds only the pseudo-header sum, as the local kernel wrote it
     * (virtio-net NEEDS_CSUM, Linux's CHECKSUM_PARTIAL). Fine for local delivery (the data never
     * left the machine; Linux's own stack delivers such skbs the same way); whoever writes the
     * frame out, a capture or forwarding, completes it first ({@link #completePartial}).
     */
    int CHECKSUM_PARTIAL = 1 << 17;

    /** Whether a receive {@code info} carries {@link #CHECKSUM_PARTIAL}. */
    static boolean checksumPartial(int info) { return (info & CHECKSUM_PARTIAL) != 0; }

    /** Where the IP packet starts in a frame of {@code medium} (for {@link #completePartial}). */
    static int ipOffset(Medium medium) {
        return switch (medium) {
            case ETHERNET -> 14;
            case IP -> 0;
        };
    }

    /**
     * Completes, in place, the TCP checksum of a frame received with {@link #CHECKSUM_PARTIAL}
     * (the IP packet at {@code ipAt}: 0 on a TUN, 14 after an Ethernet header) and returns
     * {@code info} without that bit. A frame too short to hold what was said keeps its bytes.
     */
    static int completePartial(byte[] frame, int ipAt, int info) {
        if (!checksumPartial(info)) return info;
        org.netstack4j.device.offload.Segmentation.completeTcpChecksum(frame, ipAt);
        return info & ~CHECKSUM_PARTIAL;
    }

    /** The segment size in a receive {@code info} (0: a plain frame). */
    static int segmentSize(int info) { return info & SEGMENT_SIZE_MASK; }

    /** Whether a receive {@code info} carries {@link #CHECKSUM_VERIFIED}. */
    static boolean checksumVerified(int info) { return (info & CHECKSUM_VERIFIED) != 0; }

    /**
     * A frame with what the device knows of it, {@code info}: {@link #segmentSize} and flags
     * ({@link #CHECKSUM_VERIFIED}); 0 says nothing (the same as {@link #receive(long, byte[])}).
     * A segment size says the frame is a TCP super-packet a device with receive offload (GRO)
     * built from a run of in-order segments of one flow, each of that many payload bytes but the
     * last, with a complete checksum: a router can forward it whole and have it cut into those
     * segments again on the way out (GSO). A sink that does not care takes it as one packet (the default).
     */
    default void receive(long now, byte[] frame, int info) { receive(now, frame); }
}
