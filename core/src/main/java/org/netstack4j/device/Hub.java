package org.netstack4j.device;

import java.util.ArrayList;
import java.util.List;

/**
 * A repeater hub joining {@link Device}s as its ports: every frame that enters one port leaves
 * by every other port, whatever its addresses, so all ports share one collision domain and every
 * station sees every frame (what makes a sniffer on a hub see everyone's traffic, and what a
 * {@link Bridge} ends). The hub reads no header: a runt frame is repeated too, as a physical-layer
 * repeater does. (In the simulator, {@code Simulator.segment} is the shared medium itself, with a
 * serialization delay per sender; this class joins devices of any kind, TAPs included.)
 */
public final class Hub {
    private final String name;
    private final List<Device> ports = new ArrayList<>();
    private final List<long[]> counters = new ArrayList<>(); // per port: {received, transmitted}

    public Hub(String name) { this.name = name; }

    public String name() { return name; }

    /** Adds {@code device} as the next port (numbered from 0) and takes over its sink. */
    public int addPort(Device device) {
        int index = ports.size();
        ports.add(device);
        counters.add(new long[2]);
        device.attach((now, frame) -> repeat(index, now, frame));
        return index;
    }

    public int ports() { return ports.size(); }

    /** Frames that entered by {@code port}. */
    public long received(int port) { return counters.get(port)[0]; }

    /** Frames repeated out of {@code port}. */
    public long transmitted(int port) { return counters.get(port)[1]; }

    private void repeat(int in, long now, byte[] frame) {
        counters.get(in)[0]++;
        int last = -1;
        for (int p = 0; p < ports.size(); p++) {
            if (p == in) continue;
            if (last >= 0) out(last, now, frame.clone());
            last = p;
        }
        if (last >= 0) out(last, now, frame);
    }

    private void out(int port, long now, byte[] frame) {
        counters.get(port)[1]++;
        ports.get(port).transmit(now, frame);
    }

    @Override public String toString() { return name; }
}
