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

    /**
     * A TCP super-packet a device with receive offload (GRO) built from a run of in-order
     * segments of one flow, each of {@code segmentSize} payload bytes but the last, with a
     * complete checksum: a router can forward it whole and have it cut into those segments again
     * on the way out (GSO). A sink that does not care takes it as one packet (the default).
     */
    default void receive(long now, byte[] frame, int segmentSize) { receive(now, frame); }
}
