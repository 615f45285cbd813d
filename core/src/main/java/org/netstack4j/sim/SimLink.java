package org.netstack4j.sim;

import java.util.SplittableRandom;
import org.netstack4j.device.Device;

/**
 * A point-to-point link between two {@link Device} endpoints, created by
 * {@link Simulator#link}. A frame transmitted on {@link #a()} reaches the sink attached to
 * {@link #b()} after its serialization time (queued behind earlier frames in the same
 * direction) plus the latency, unless a fault ({@link LinkConfig}) strikes; and vice versa.
 * Delivery is a synchronous {@code sink.receive(now, frame)} call from the simulator loop.
 */
public final class SimLink {
    private final String name;
    private final Endpoint a;
    private final Endpoint b;
    private final Channel ab;
    private final Channel ba;

    SimLink(Simulator sim, String name, LinkConfig config, SplittableRandom random) {
        this.name = name;
        this.a = new Endpoint(sim, name + ".a");
        this.b = new Endpoint(sim, name + ".b");
        this.ab = new Channel(sim, name + " a>b", config, random.split(), b::receive);
        this.ba = new Channel(sim, name + " b>a", config, random.split(), a::receive);
        a.out = ab;
        b.out = ba;
    }

    public String name() { return name; }

    public Device a() { return a; }

    public Device b() { return b; }

    public LinkConfig config() { return ab.config; }

    /** Changes the link from now on (frames in flight keep their times); the medium cannot change. */
    public void setConfig(LinkConfig config) {
        if (config.medium() != ab.config.medium())
            throw new IllegalArgumentException("cannot change a link's medium from " + ab.config.medium());
        ab.config = config;
        ba.config = config;
    }

    /** A link that is down drops every frame transmitted (frames already in flight still arrive). */
    public void setUp(boolean up) {
        ab.up = up;
        ba.up = up;
    }

    public boolean isUp() { return ab.up; }

    public LinkStats statsAtoB() { return ab.stats(); }

    public LinkStats statsBtoA() { return ba.stats(); }

    /** Both directions summed. */
    public LinkStats stats() { return ab.stats().plus(ba.stats()); }

    @Override public String toString() { return name; }
}
