package org.netstack4j.bench;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.netstack4j.linux.LinuxNet;

/** Runs the kernel-free rows in --quick mode and checks the output's shape; no timing assertions. */
class BenchSmokeTest {
    @Test void quickCoreRowsProduceWellFormedJson() throws Exception {
        List<Row> rows = Bench.run(new Bench.Options(true, Set.of("bulk_nb", "connect_nb", "pingpong_nb"), System.err));
        assertEquals(List.of("bulk_nb", "connect_nb", "pingpong_nb"), rows.stream().map(Row::name).toList());
        for (Row r : rows) {
            assertTrue(r.netstack4j() > 0, () -> r.name() + " did no work: " + r);
            assertNull(r.kernel(), "no kernel twin for " + r.name());
            assertNull(r.ratio());
        }
        String json = Bench.json(rows);
        String number = "-?[0-9]+(\\.[0-9]+)?";
        String row = "\\{\"name\":\"[a-z_]+\",\"unit\":\"[^\"]+\",\"netstack4j\":" + number
                + ",\"kernel\":(null|" + number + "),\"ratio\":(null|" + number + "),\"kernel_setup\":\"[^\"]*\",\"detail\":\"[^\"]*\"\\}";
        assertTrue(Pattern.compile("\\{\"results\":\\[(\\s*" + row + ",?)+\\s*\\]\\}").matcher(json).matches(), json);
        String table = Bench.table(rows);
        assertTrue(table.startsWith("name"), table);
        assertTrue(table.contains("pingpong_nb"), table);
    }

    @Test void quickKernelRowsMeasureBothSides() throws Exception {
        Assumptions.assumeTrue(LinuxNet.isRoot() && LinuxNet.ipCommand() != null,
                "needs root and iproute2 (the kernel twin runs over a veth pair into a namespace the bench creates)");
        List<Row> rows = Bench.run(new Bench.Options(true, Set.of("bulk", "bulk_1core", "bulk_no_offload", "connect", "pingpong"), System.err));
        assertEquals(List.of("bulk", "bulk_1core", "bulk_no_offload", "connect", "pingpong"), rows.stream().map(Row::name).toList());
        for (Row r : rows) {
            if (r.detail().startsWith("not measured: ")) {
                assertTrue(r.name().startsWith("bulk_"), () -> "only the extra bulk rows may lack a tool: " + r);
                continue;
            }
            assertTrue(r.netstack4j() > 0, () -> r.name() + ": netstack4j did no work: " + r);
            assertTrue(r.kernel() != null && r.kernel() > 0, () -> r.name() + ": the kernel did no work: " + r);
            assertTrue(r.kernelSetup().startsWith("veth pair MTU 1500"), r::kernelSetup);
        }
    }

    /** Issue 16: RACK-TLP at least as good as duplicate-ACK loss detection on the same lossy seeds. */
    @Test void quickLossyRowsCompareRackWithDuplicateAcks() throws Exception {
        List<Row> rows = Bench.run(new Bench.Options(true, Set.of("lossy_goodput"), System.err));
        assertEquals(List.of("lossy_goodput_1pct", "lossy_goodput_5pct"), rows.stream().map(Row::name).toList());
        for (Row r : rows) assertTrue(r.netstack4j() > 0 && r.detail().contains("RACK-TLP"), r::toString);
    }

    /** Issue 16: CUBIC with ECN through a CE-marking queue retransmits nothing; without ECN the queue drops. */
    @Test void quickEcnRowHasNoRetransmissions() throws Exception {
        List<Row> rows = Bench.run(new Bench.Options(true, Set.of("ecn_goodput"), System.err));
        assertEquals(List.of("ecn_goodput"), rows.stream().map(Row::name).toList());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("with ECN [0-9.]+ Mbit/s, (\\d+) retransmissions, (\\d+) CE marks; "
                + "without ECN \\(the queue tail-drops\\) [0-9.]+ Mbit/s, (\\d+) retransmissions").matcher(rows.getFirst().detail());
        assertTrue(m.find(), rows.getFirst().detail());
        assertEquals(0, Long.parseLong(m.group(1)), rows.getFirst().detail());
        assertTrue(Long.parseLong(m.group(2)) > 0, "the queue marked frames: " + rows.getFirst().detail());
        assertTrue(Long.parseLong(m.group(3)) > 0, "drop-tail loses: " + rows.getFirst().detail());
    }

    /** Issue 13: the IPv6 twins of bulk and connect, each with the IPv4 figure of the same run. */
    @Test void quickIpv6RowsGiveTheirRatioToIpv4() throws Exception {
        List<Row> rows = Bench.run(new Bench.Options(true, Set.of("bulk6", "connect6"), System.err));
        assertEquals(List.of("bulk6", "connect6"), rows.stream().map(Row::name).toList());
        for (Row r : rows) {
            assertTrue(r.netstack4j() > 0, () -> r.name() + " did no work over IPv6: " + r);
            assertTrue(r.detail().matches(".*: [0-9]+\\.[0-9]{2}x the IPv4 figure of this run \\([0-9.]+ .*"), r::detail);
        }
    }

    @Test void unknownRowIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Bench.Options(true, Set.of("nope"), System.err));
    }
}
