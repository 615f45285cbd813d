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
}
