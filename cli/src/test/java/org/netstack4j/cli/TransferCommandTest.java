package org.netstack4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TransferCommandTest {
    @Test void lossyTransferArrivesIntact() {
        Cli r = Cli.run("transfer", "--bytes", "300K", "--loss", "3", "--reorder", "2", "--dup", "1", "--corrupt", "1",
                "--direction", "both", "--seed", "5");
        assertEquals(0, r.status(), r.out() + r.err());
        assertEquals(2, r.out().split("MATCH", -1).length - 1, r.out());
        assertTrue(r.out().contains("final states: client "), r.out());
        assertTrue(r.out().trim().endsWith("OK"), r.out());
    }

    @Test void ipv6TransferArrivesIntact() {
        Cli r = Cli.run("transfer", "--bytes", "200K", "--loss", "2", "--direction", "both", "--seed", "3", "--ipv6", "--trace");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("over a simulated IPv6 link"), r.out());
        assertEquals(2, r.out().split("MATCH", -1).length - 1);
        assertTrue(r.out().contains("fd00::1") && r.out().contains("fd00::2"), "segments between the IPv6 addresses");
        assertTrue(r.out().contains("DAD: who-has fd00::2 (tentative)"), "duplicate address detection in the trace");
        assertTrue(r.out().trim().endsWith("OK"));
    }

    @Test void ipv6OnlyTransferArrivesIntactWithoutArp() {
        Cli r = Cli.run("transfer", "--bytes", "200K", "--loss", "2", "--direction", "both", "--seed", "4", "--ipv6-only", "--trace");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("over a simulated IPv6-only link"), r.out());
        assertEquals(2, r.out().split("MATCH", -1).length - 1);
        assertTrue(r.out().contains("fd00::1") && r.out().contains("fd00::2"), "segments between the IPv6 addresses");
        assertTrue(!r.out().contains("10.0.0.") && !r.out().contains("who-has 10."), "no IPv4 address, no ARP: " + r.out());
        assertTrue(r.out().trim().endsWith("OK"));
    }

    @Test void badSizeIsAUsageError() {
        Cli r = Cli.run("transfer", "--bytes", "lots");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("--bytes wants a size"), r.err());
    }

    @Test void sizes() {
        assertEquals(10L << 20, TransferCommand.parseSize("10M"));
        assertEquals(64L << 10, TransferCommand.parseSize("64k"));
        assertEquals(1000, TransferCommand.parseSize("1000"));
    }
}
