package org.netstack4j.sim;

import org.netstack4j.device.Device;
import org.netstack4j.device.FrameSink;
import org.netstack4j.device.Medium;

/**
 * A host's attachment to a simulated medium. It never holds frames itself (the medium is
 * driven by the {@link Simulator}), so it keeps the default pollAt of NEVER.
 */
final class Endpoint implements Device {
    private final Simulator sim;
    private final String name;
    Channel out;
    private FrameSink sink = FrameSink.DISCARD;

    Endpoint(Simulator sim, String name) {
        this.sim = sim;
        this.name = name;
    }

    @Override public Medium medium() { return out.config.medium(); }

    @Override public int mtu() { return out.config.mtu(); }

    /** Sends at {@code now}, or at the simulator's time if {@code now} lies in its past. */
    @Override public void transmit(long now, byte[] frame) { out.transmit(Math.max(now, sim.now()), frame); }

    @Override public void attach(FrameSink sink) { this.sink = sink == null ? FrameSink.DISCARD : sink; }

    void receive(long now, byte[] frame) { sink.receive(now, frame); }

    @Override public String toString() { return name; }
}
