package org.netstack4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The gateway and route rows: their parsers, and one --quick run where root and iperf3 are there. */
class GatewayRowsTest {
    @Test void parsesIperf3ReceiverRateAndPingAverage() {
        String json = "{\"end\": {\"sum_sent\": {\"bytes\": 5, \"bits_per_second\": 9.9e9},\n"
                + " \"sum_received\": {\"start\": 0, \"bytes\": 100, \"bits_per_second\": 1234500000.5, \"sender\": true}}}";
        assertEquals(1234.5, GatewayRows.iperfMbps(json), 1e-6);
        assertTrue(Double.isNaN(GatewayRows.iperfMbps("{\"error\": \"unable to connect to server: Connection refused\"}")));
        assertEquals(0.204, GatewayRows.pingAvg("20 packets transmitted, 20 received, 0% packet loss, time 987ms\n"
                + "rtt min/avg/max/mdev = 0.151/0.204/0.514/0.099 ms\n"), 1e-9);
        assertTrue(Double.isNaN(GatewayRows.pingAvg("20 packets transmitted, 0 received, 100% packet loss")));
    }

    /** The ratio of each round's pair, median over rounds; a round either side missed is left out. */
    @Test void pairedRatioIsTheMedianOfThePerRoundRatios() {
        List<GatewayRows.Run> ours = List.of(new GatewayRows.Run(6000, 0), new GatewayRows.Run(6700, 0), new GatewayRows.Run(8100, 0));
        List<GatewayRows.Run> slirp = List.of(new GatewayRows.Run(3700, 0), new GatewayRows.Run(3400, 0), new GatewayRows.Run(2600, 0));
        // per round 1.62, 1.97, 3.12: the median 1.97, where the medians' ratio is 6700 / 3400 = 1.97 too by chance
        assertEquals(6700.0 / 3400, GatewayRows.pairedRatio(ours, slirp), 1e-9);
        List<GatewayRows.Run> slow = List.of(new GatewayRows.Run(2000, 0), new GatewayRows.Run(Double.NaN, -1), new GatewayRows.Run(4000, 0));
        // rounds 1 and 3 only: 3.0 and 2.025, the lower middle of an even count
        assertEquals(8100.0 / 4000, GatewayRows.pairedRatio(ours, slow), 1e-9);
        assertTrue(Double.isNaN(GatewayRows.pairedRatio(ours, List.of())));
    }

    @Test void quickRunMeasuresGatewayAndRoute() throws Exception {
        String why = GatewayRows.whyNot();
        Assumptions.assumeTrue(why == null, () -> "skipped: " + why);
        List<Row> rows = Bench.run(new Bench.Options(true, Set.of("gateway_iperf3", "route_iperf3"), System.err));
        assertEquals(List.of("gateway_iperf3", "route_iperf3"), rows.stream().map(Row::name).toList());
        for (Row r : rows) {
            assertTrue(r.netstack4j() > 0, () -> "no throughput through " + r.name() + ": " + r);
            assertTrue(r.detail().contains("slirp4netns") && r.detail().contains("pasta") && r.detail().contains("kernel"), r::detail);
        }
    }
}
