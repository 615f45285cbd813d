package org.netstack4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoCommandTest {
    @TempDir Path dir;

    @Test void listNamesTwelveStories() {
        Cli r = Cli.run("demo", "--list");
        assertEquals(0, r.status());
        for (String s : new String[] {"handshake", "teardown", "lost-final-ack", "old-duplicate", "stale-syn", "simultaneous-open",
                "simultaneous-close", "lost-syn", "refused", "half-close", "retransmission", "zero-window"})
            assertTrue(r.out().contains(s), s);
    }

    @Test void handshakeTextFitsOneHundredColumns() {
        Cli r = Cli.run("demo", "handshake");
        assertEquals(0, r.status(), r.err());
        for (String line : r.out().split("\n")) assertTrue(line.codePointCount(0, line.length()) <= 100, line);
        assertTrue(r.out().contains("SYN_SENT") && r.out().contains("SYN_RECEIVED") && r.out().contains("ESTABLISHED"));
    }

    @Test void jsonAndSvgAndPcap() throws Exception {
        Cli j = Cli.run("demo", "handshake", "--format", "json");
        assertEquals(0, j.status(), j.err());
        assertTrue(j.out().startsWith("{\"scenario\":") || j.out().startsWith("{\"scenario\" :") || j.out().contains("\"scenario\""), j.out());
        assertTrue(j.out().contains("\"hosts\"") && j.out().contains("\"events\""), j.out());
        Path svg = dir.resolve("h.svg"), pcap = dir.resolve("h.pcap");
        Cli s = Cli.run("demo", "handshake", "--format", "svg", "--out", svg.toString(), "--pcap", pcap.toString());
        assertEquals(0, s.status(), s.err());
        assertTrue(Files.readString(svg).contains("<svg"));
        assertTrue(Files.size(pcap) > 24);
    }

    @Test void misuseIsExplained() {
        Cli r = Cli.run("demo", "nosuch");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("demo --list"), r.err());
        r = Cli.run("demo", "handshake", "--two-way");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("stale-syn"), r.err());
        r = Cli.run("demo", "handshake", "--lang", "fr");
        assertEquals(2, r.status());
        r = Cli.run("demo");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("which story"), r.err());
    }
}
