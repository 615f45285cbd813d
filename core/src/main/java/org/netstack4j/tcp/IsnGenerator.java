package org.netstack4j.tcp;

import java.util.SplittableRandom;
import org.netstack4j.wire.Ipv4Address;

/**
 * Initial sequence numbers per RFC 6528 3: ISN = M + F(localip, localport, remoteip, remoteport,
 * secretkey), where M is a 4 microsecond timer (here derived from the {@code now} passed in) and
 * F is SipHash-2-4 keyed with a secret drawn from the layer's seed.
 */
final class IsnGenerator {
    private final SipHash f;

    IsnGenerator(long seed) {
        SplittableRandom r = new SplittableRandom(seed ^ 0x6528L);
        this.f = new SipHash(r.nextLong(), r.nextLong());
    }

    int isn(long now, Ipv4Address local, int localPort, Ipv4Address remote, int remotePort) {
        long m = now / 4_000; // RFC 6528: M is a timer incremented every 4 microseconds
        long h = f.hash(((long) local.bits() << 32) | (remote.bits() & 0xffffffffL), ((long) localPort << 16) | remotePort);
        return (int) (m + h);
    }

    /** RFC 7323 7.1: a per-connection random offset for TSval, from the same secret but a different input. */
    int timestampOffset(Ipv4Address local, int localPort, Ipv4Address remote, int remotePort) {
        return (int) f.hash(((long) local.bits() << 32) | (remote.bits() & 0xffffffffL), ((long) localPort << 16) | remotePort, 7323L);
    }
}
