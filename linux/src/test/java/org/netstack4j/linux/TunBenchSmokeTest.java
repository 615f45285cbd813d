package org.netstack4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Runs the TUN benchmark once, quickly: every row present and positive (no timing thresholds). */
class TunBenchSmokeTest {
    @Test
    void quickRunFillsEveryRow() {
        String why = TunBench.whyUnavailable();
        assumeTrue(why == null, "TunBench needs root, /dev/net/tun, ip and python3: " + why);
        List<TunBench.Row> rows = TunBench.run(true, System.err);
        System.err.print(TunBench.toTable(rows));
        assertEquals(List.of("tun_ceiling", "tun_ceiling_write_only", "tun_bulk_kernel_to_nsj",
                "tun_bulk_nsj_to_kernel", "tun_offload_bulk_kernel_to_nsj", "tun_offload_bulk_nsj_to_kernel",
                "tun_http_wrk",
                "tun_offload_bulk_kernel_to_nsj_4flows_1q", "tun_offload_bulk_nsj_to_kernel_4flows_1q",
                "tun_offload_bulk_kernel_to_nsj_4flows_2q", "tun_offload_bulk_nsj_to_kernel_4flows_2q",
                "veth_bulk_kernel_to_kernel"), rows.stream().map(TunBench.Row::name).toList());
        for (TunBench.Row r : rows) {
            if (r.name().equals("tun_http_wrk") && TunHttpBench.whyUnavailable() != null) {
                // wrk, nginx or the cli (serve runs as its own JVM) is missing here: the row says so
                assertTrue(r.kernelSetup().startsWith("skipped: "), r.kernelSetup());
                continue;
            }
            Double v = r.name().startsWith("veth") ? r.kernel() : r.netstack4j();
            assertNotNull(v, r.name() + ": " + r.kernelSetup());
            assertTrue(v > 0, r.name() + " = " + v);
            if (r.name().startsWith("tun_bulk") || r.name().startsWith("tun_offload_bulk")) {
                assertNotNull(r.ratio(), r.name() + " ratio");
                assertTrue(r.ratio() > 0, r.name() + " ratio");
            }
        }
        assertTrue(TunBench.toJson(rows).contains("\"tun_ceiling\""));
    }

    @Test
    void skippedRowsCarryTheReason() {
        // Formatting never fails on nulls (the shape a skipped run returns).
        List<TunBench.Row> rows = List.of(new TunBench.Row("x", "Gbit/s", null, null, null, "skipped: \"why\""));
        assertTrue(TunBench.toTable(rows).contains("skipped"));
        assertTrue(TunBench.toJson(rows).contains("\"netstack4j\": null"));
        assertTrue(TunBench.toJson(rows).contains("\\\"why\\\""));
    }
}
