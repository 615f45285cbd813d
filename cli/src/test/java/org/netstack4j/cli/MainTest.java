package org.netstack4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MainTest {
    @Test void helpListsTheCommands() {
        Cli r = Cli.run("--help");
        assertEquals(0, r.status());
        for (String c : new String[] {"demo", "explain", "ping", "decode", "transfer"}) assertTrue(r.out().contains(c), r.out());
    }

    @Test void everyCommandHasHelp() {
        for (String c : new String[] {"demo", "explain", "ping", "decode", "transfer"}) {
            Cli r = Cli.run(c, "--help");
            assertEquals(0, r.status(), c);
            assertTrue(r.out().contains("Usage:"), r.out());
        }
    }

    @Test void unknownCommandIsNamed() {
        Cli r = Cli.run("frobnicate");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("frobnicate"), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }

    @Test void unknownOptionIsNamed() {
        Cli r = Cli.run("ping", "--colour");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("--colour"), r.err());
    }
}
