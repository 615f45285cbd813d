package org.netstack4j.host;

import org.netstack4j.device.Medium;
import org.netstack4j.sim.LinkConfig;
import org.netstack4j.tcp.TcpConfig;
import org.netstack4j.time.Time;
import org.netstack4j.trace.Counters;

/**
 * The fixture of the ECN transfer tests ({@link EcnTransferTest}, {@link AccEcnTransferTest}): a
 * 10 MB upload with CUBIC through a 10 Mbit/s bottleneck whose 100-frame queue marks ECN-capable
 * frames CE once 10 are waiting (a step-marking AQM), between two hosts of the Linux profile.
 */
final class EcnBottleneck {
    static final long BYTES = 10_000_000;

    private EcnBottleneck() {}

    static LinkConfig bottleneck() {
        return LinkConfig.builder().medium(Medium.ETHERNET).latencyNs(Time.ms(10)).bandwidthBitsPerSec(10_000_000L)
                .queueLimit(100).ceThreshold(10).build();
    }

    /** The Linux profile with tcp_ecn {@code ecn} and a receive buffer large enough that cwnd, not rwnd, fills the queue. */
    static TcpConfig linux(int ecn) {
        return TcpConfig.linuxLike().withOptions(o -> o.withEcn(ecn))
                .withBuffers(b -> b.withReceiveBufferSize(4 << 20).withSendBufferSize(4 << 20));
    }

    record Run(BulkTransfer.Result result, Counters client, Counters server) {}

    /** The transfer from a {@code client} host to a {@code server} host, seed 7, within 600 s of virtual time. */
    static Run run(TcpConfig client, TcpConfig server, boolean ipv6) {
        try (TwoHostNetwork net = TwoHostNetwork.builder().seed(7).link(bottleneck()).clientTcp(client).serverTcp(server)
                .ipv6(ipv6).build()) {
            BulkTransfer.Result r = BulkTransfer.run(net, BYTES, BulkTransfer.Direction.UP, 7, Time.s(600));
            return new Run(r, net.client().counters(), net.server().counters());
        }
    }
}
