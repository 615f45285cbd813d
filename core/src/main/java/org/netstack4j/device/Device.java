package org.netstack4j.device;

import org.netstack4j.time.Pollable;
import org.netstack4j.time.Time;

/**
 * A network device seen from the stack: frames go out with {@link #transmit}, frames that
 * arrive are pushed to the {@link FrameSink} given to {@link #attach}. Devices compose by
 * wrapping ({@code new FaultInjector(new PcapTap(link, out), seed)}); a wrapper that holds
 * frames (delay, rate limit) reports when it needs time through {@link Pollable}.
 * Single-threaded: all calls come from the one thread that drives the stack.
 */
public interface Device extends Pollable {
    Medium medium();

    /** Largest IP packet (L3 MTU) this device carries, e.g. 1500. */
    int mtu();

    /**
     * Sends one frame; the array is handed over (the caller must not change it afterwards). If
     * this device has a {@link #framePool()}, the frame may come from it and the device (or its
     * far end) may release it there once nothing refers to it any more.
     */
    void transmit(long now, byte[] frame);

    /**
     * Frame recycling, opt-in (default: none). A device that returns a pool promises that it and
     * whatever it hands frames to keep no reference to a frame after passing it on: no queues that
     * outlive the hand-over, no duplicates, no captures. The stack then takes output frames from the
     * pool (writing every byte: pooled arrays are not zeroed) and releases received frames to it
     * when it has provably finished with them (see {@link FrameSink}). Devices that keep, delay or
     * duplicate frames (fault injection, links with queues, pcap, traces) must not opt in, and a
     * wrapper does not inherit the pool of what it wraps.
     */
    default FramePool framePool() { return null; }

    /**
     * TCP segmentation offload (TSO), opt-in (default 0: none): the largest IP packet this device
     * takes as a TCP super-segment through {@link #transmitSegments}, cutting it into segments of
     * the given size itself (and completing their checksums). Only IP-medium devices offer it; a
     * wrapper does not inherit it (so pcap taps and fault injectors see the segments the wire
     * carries unless they sit behind a {@link org.netstack4j.device.TsoEdge}).
     */
    default int gsoMaxSize() { return 0; }

    /**
     * Sends one TCP super-segment (a raw IP packet of up to {@link #gsoMaxSize} bytes) to be cut
     * into segments of {@code segmentSize} payload bytes. Its TCP checksum field holds only the
     * folded pseudo-header sum (CHECKSUM_PARTIAL, virtio NEEDS_CSUM). Called only when
     * {@link #gsoMaxSize} allowed it; by default the packet is cut here with
     * {@link org.netstack4j.device.offload.Segmentation#segment} and each segment transmitted.
     */
    default void transmitSegments(long now, byte[] packet, int segmentSize) {
        org.netstack4j.device.offload.Segmentation.Result r =
                org.netstack4j.device.offload.Segmentation.segment(packet, packet.length, segmentSize);
        for (byte[] p : r.packets()) transmit(now, p);
    }

    /** Sets where received frames go (replacing any earlier sink). */
    void attach(FrameSink sink);

    @Override default long pollAt() { return Time.NEVER; }

    @Override default void poll(long now) {}
}
