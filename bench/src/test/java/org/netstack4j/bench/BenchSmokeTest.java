package org.netstack4j.bench;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

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

    @Test void unknownRowIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Bench.Options(true, Set.of("nope"), System.err));
    }
}
