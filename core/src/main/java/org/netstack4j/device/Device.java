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

    /** Sends one frame; the array is handed over (the caller must not change it afterwards). */
    void transmit(long now, byte[] frame);

    /** Sets where received frames go (replacing any earlier sink). */
    void attach(FrameSink sink);

    @Override default long pollAt() { return Time.NEVER; }

    @Override default void poll(long now) {}
}
