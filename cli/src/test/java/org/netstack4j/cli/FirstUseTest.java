package org.netstack4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What a first-time user meets: parser errors, help text, and failures that say what happened. */
class FirstUseTest {
    private static final List<String> COMMANDS =
            List.of("demo", "explain", "ping", "decode", "transfer", "packetdrill", "serve", "get", "resolve", "mail", "bench");

    @Test
    void parserErrorsAreOneLinePlusWhereToGetHelp() {
        for (String[] args : new String[][] {{"demo", "--bogus"}, {"transfer"}, {"transfer", "--bytes"}, {"frobnicate"}, {},
                {"serve", "--tun", "x", "--address", "10.7.0.2/24", "--echo", "--discard"}, {"ping", "--count", "many"}}) {
            Cli r = Cli.run(args);
            assertEquals(2, r.status(), String.join(" ", args) + ": " + r.err());
            List<String> lines = r.err().strip().lines().toList();
            assertEquals(2, lines.size(), String.join(" ", args) + ": " + r.err());
            assertTrue(lines.get(0).startsWith("netstack4j"), r.err());
            assertTrue(lines.get(1).startsWith("Try 'netstack4j") && lines.get(1).contains("--help"), r.err());
            assertEquals("", r.out(), "no usage dump on stdout");
        }
        assertTrue(Cli.run("demo", "--bogus").err().startsWith("netstack4j demo: unknown option '--bogus'"));
        assertTrue(Cli.run("frobnicate").err().startsWith("netstack4j: unknown command 'frobnicate'"));
        assertTrue(Cli.run("transfer").err().contains("--bytes"), "names the missing option");
    }

    @Test
    void commandSummariesAreWholeSentences() {
        String help = Cli.run("--help").out();
        List<String> lines = help.substring(help.indexOf("Commands:\n") + 10).lines().takeWhile(l -> !l.isBlank()).toList();
        StringBuilder summary = new StringBuilder();
        int commands = 0;
        for (String line : lines) {
            if (line.startsWith("  ") && !line.startsWith("    ")) { // a new command
                if (!summary.isEmpty()) assertTrue(summary.toString().strip().endsWith("."), "cut summary: " + summary);
                summary.setLength(0);
                commands++;
            }
            summary.append(line.strip().replaceFirst("^\\S+\\s+", " ")).append(' ');
        }
        assertTrue(summary.toString().strip().endsWith("."), summary.toString());
        assertTrue(commands >= COMMANDS.size(), help);
    }

    @Test
    void helpLinesFitAndAreNotRagged() {
        for (String c : COMMANDS) {
            String out = Cli.run(c, "--help").out();
            List<String> desc = out.lines().dropWhile(l -> !l.startsWith("Usage:")).dropWhile(l -> !l.isEmpty() && !Character.isUpperCase(l.charAt(0)) || l.startsWith("Usage:") || l.startsWith(" "))
                    .takeWhile(l -> !l.startsWith("  -") && !l.startsWith("      -")).toList();
            for (String l : out.lines().toList()) assertTrue(l.length() <= Main.WIDTH, c + ": " + l.length() + " columns: " + l);
            // Ragged wrapping leaves a short line followed by one that could have fitted on it.
            for (int i = 0; i + 1 < desc.size(); i++) {
                String a = desc.get(i), b = desc.get(i + 1);
                if (a.isBlank() || b.isBlank() || b.startsWith(" ")) continue;
                String firstWord = b.strip().split(" ")[0];
                assertTrue(a.length() + 1 + firstWord.length() > Main.WIDTH - 1, c + ": ragged wrap:\n" + a + "\n" + b);
            }
        }
    }

    @Test
    void wrapKeepsParagraphsAndHangingIndents() {
        String[] w = Main.wrap(new String[] {"aaa bbb ccc", "ddd", "", "item: one two three four", "      five"}, 14);
        assertEquals(List.of("aaa bbb ccc", "ddd", "", "item: one two", "      three", "      four", "      five"), List.of(w));
    }

    @Test
    void pingHelpSaysRealMillisecondsForTun() {
        String out = Cli.run("ping", "--help").out();
        assertTrue(out.contains("real ones with --tun") && out.contains("real with --tun"), out);
    }

    @Test
    void benchOnlyWithAnUnknownRowListsTheValidNames() {
        Cli r = Cli.run("bench", "--only", "nosuch");
        assertEquals(2, r.status());
        assertEquals("netstack4j bench: --only: unknown row 'nosuch'; the rows are bulk, bulk6, bulk_1core, bulk_no_offload, connect,"
                + " connect6, pingpong, idle_bytes, bulk_nb, connect_nb, pingpong_nb, lossy_goodput, ecn_goodput, gateway_iperf3, route_iperf3, tun",
                r.err().strip());
    }

    @Test
    void transferWithTotalLossSaysTheConnectionNeverOpened() {
        Cli r = Cli.run("transfer", "--bytes", "1M", "--loss", "100");
        assertEquals(1, r.status(), r.out() + r.err());
        String emptySha = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        assertFalse(r.out().contains(emptySha), "no SHA-256 of nothing: " + r.out());
        assertFalse(r.out().contains("86400"), r.out());
        assertTrue(r.out().contains("sent     0 of 1048576 bytes"), r.out());
        assertTrue(r.out().contains("NOTHING ARRIVED"), r.out());
        assertTrue(r.out().contains("the connection never opened"), r.out());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("simulated duration ([0-9.]+) s").matcher(r.out());
        assertTrue(m.find() && Double.parseDouble(m.group(1)) < 600, "stops when the client gives up: " + r.out());
        assertTrue(r.out().strip().endsWith("FAILED"), r.out());
    }
}
