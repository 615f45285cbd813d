package org.netstack4j.device;

/** Where a device hands the frames it receives. The array is handed over: the sink owns it. */
@FunctionalInterface
public interface FrameSink {
    FrameSink DISCARD = (now, frame) -> {};

    void receive(long now, byte[] frame);
}
