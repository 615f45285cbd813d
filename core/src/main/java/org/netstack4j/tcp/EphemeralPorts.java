package org.netstack4j.tcp;

import java.util.SplittableRandom;
import java.util.function.IntPredicate;
import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.SipHash;

/**
 * Ephemeral port selection, RFC 6056 3.3.3 (Algorithm 3, "Simple Hash-Based"):
 * <pre>
 *   offset = F(local_IP, remote_IP, remote_port, secret_key)
 *   port   = min_ephemeral + (next_ephemeral + offset) % num_ephemeral; next_ephemeral++
 * </pre>
 * so each destination sees its own sequence and an off-path attacker cannot guess it.
 */
final class EphemeralPorts {
    private final SipHash f;
    private final int min, num;
    private int nextEphemeral;

    EphemeralPorts(long seed, int min, int max) {
        SplittableRandom r = new SplittableRandom(seed ^ 0x6056L);
        this.f = new SipHash(r.nextLong(), r.nextLong());
        this.min = min;
        this.num = max - min + 1;
        this.nextEphemeral = r.nextInt(num);
    }

    /** A port for which {@code suitable} holds, or -1 when the range is exhausted. */
    int select(IpAddress local, IpAddress remote, int remotePort, IntPredicate suitable) {
        long offset = f.hash(local, remote, remotePort) >>> 1;
        for (int count = num; count > 0; count--) {
            int port = min + (int) ((nextEphemeral + offset) % num);
            nextEphemeral++;
            if (suitable.test(port)) return port;
        }
        return -1;
    }
}
