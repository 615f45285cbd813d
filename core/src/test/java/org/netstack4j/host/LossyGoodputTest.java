package org.netstack4j.host;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.netstack4j.device.Medium;
import org.netstack4j.sim.LinkConfig;
import org.netstack4j.tcp.TcpConfig;
import org.netstack4j.time.Time;

/**
 * Congestion avoidance keeps growing cwnd on a lossy path. A reduction (beta * cwnd) leaves a
 * cwnd that is not a whole number of segments; the sender must still count such a window as
 * used when the next segment does not fit in it (Linux counts cwnd in packets), or cwnd stays
 * at about two segments for the rest of the transfer: on this path 1.45 Mbit/s instead of the
 * 7 Mbit/s that Mathis et al.'s MSS / RTT * 1.22 / sqrt(p) gives for 1% loss.
 */
class LossyGoodputTest {
    @Test void onePercentLossGivesAtLeastHalfOfMathissRate() {
        LinkConfig link = LinkConfig.builder().medium(Medium.ETHERNET).latencyNs(Time.ms(10))
                .bandwidthBitsPerSec(100_000_000L).loss(0.01).build();
        long bytes = 4_000_000;
        try (TwoHostNetwork net = TwoHostNetwork.builder().seed(1).link(link).tcp(TcpConfig.linuxLike()).build()) {
            BulkTransfer.Result r = BulkTransfer.run(net, bytes, BulkTransfer.Direction.UP, 1, Time.s(3_600));
            assertTrue(r.completed() && r.up() != null && r.up().intact(), "transfer intact");
            double mbps = BulkTransfer.mbitPerSecond(bytes, r.durationNs());
            // Mathis: 1448 B * 8 / 20 ms * 1.22 / 0.1 = 7.07 Mbit/s (loss both ways lowers it a little)
            assertTrue(mbps > 3.5, "goodput " + mbps + " Mbit/s at 1% loss, 20 ms RTT");
        }
    }
}
