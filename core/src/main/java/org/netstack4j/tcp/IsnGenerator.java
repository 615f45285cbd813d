package org.netstack4j.tcp;

import java.util.SplittableRandom;
import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.SipHash;

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

    int isn(long now, IpAddress local, int localPort, IpAddress remote, int remotePort) {
        long m = now / 4_000; // RFC 6528: M is a timer incremented every 4 microseconds
        long h = f.hash(local, remote, ((long) localPort << 16) | remotePort);
        return (int) (m + h);
    }

    /**
     * RFC 7323 7.1 (and 5.4): a random offset for TSval, keyed by the same secret but derived
     * from the address pair only, as Linux's secure_tcp_ts_off does. Every connection between the
     * two hosts then reads one monotonic clock, so a quick reconnect from the same port carries
     * TSvals above those the old incarnation sent, and the end holding it in TIME-WAIT accepts
     * the new SYN (RFC 6191 2); a per-connection random offset would make it look old half the time.
     */
    int timestampOffset(IpAddress local, IpAddress remote) {
        return (int) f.hash(local, remote, 7323L);
    }
}
