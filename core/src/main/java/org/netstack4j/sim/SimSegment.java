package org.netstack4j.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.netstack4j.device.Device;

/**
 * A shared segment (a hub) for several hosts, created by {@link Simulator#segment}: every frame
 * a port transmits reaches every other port's sink after serialization (per sending port) and
 * latency. Hosts filter by destination address themselves, as on a real hub. Faults strike per
 * transmitted frame, so all receivers see the same fate and the same damage.
 */
public final class SimSegment {
    private final Simulator sim;
    private final String name;
    private final SplittableRandom random;
    private LinkConfig config;
    private final List<Endpoint> ports = new ArrayList<>();

    SimSegment(Simulator sim, String name, LinkConfig config, SplittableRandom random) {
        this.sim = sim;
        this.name = name;
        this.config = config;
        this.random = random;
    }

    public String name() { return name; }

    public LinkConfig config() { return config; }

    /** Adds a port (a host's network card) to the segment. */
    public Device port() {
        Endpoint p = new Endpoint(sim, name + "." + ports.size());
        p.out = new Channel(sim, name + " port " + ports.size(), config, random.split(), (now, frame) -> {
            Endpoint last = null;
            for (Endpoint q : List.copyOf(ports)) {
                if (q == p) continue;
                if (last != null) last.receive(now, frame.clone());
                last = q;
            }
            if (last != null) last.receive(now, frame);
        });
        ports.add(p);
        return p;
    }

    public int ports() { return ports.size(); }

    /** Changes the segment from now on; the medium cannot change. */
    public void setConfig(LinkConfig config) {
        if (config.medium() != this.config.medium())
            throw new IllegalArgumentException("cannot change a segment's medium from " + this.config.medium());
        this.config = config;
        for (Endpoint p : ports) p.out.config = config;
    }

    /** What happened to the frames {@code port} transmitted ("delivered" counts frames, not receivers). */
    public LinkStats stats(Device port) {
        for (Endpoint p : ports) if (p == port) return p.out.stats();
        throw new IllegalArgumentException(port + " is not a port of " + name);
    }
}
