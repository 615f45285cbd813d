package org.netstack4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PingCommandTest {
    @TempDir Path dir;

    @Test void fiveRepliesLikePingAndAPcapTsharkReads() throws Exception {
        Path pcap = dir.resolve("ping.pcap");
        Cli r = Cli.run("ping", "--count", "5", "--pcap", pcap.toString());
        assertEquals(0, r.status(), r.err());
        for (int seq = 1; seq <= 5; seq++)
            assertTrue(r.out().contains("64 bytes from 10.0.0.2: icmp_seq=" + seq + " ttl=64 time="), r.out());
        assertTrue(r.out().contains("5 packets transmitted, 5 received, 0% packet loss"), r.out());
        assertTrue(Files.size(pcap) > 24);

        assumeTrue(Tools.has("tshark"), "tshark is not installed (scripts/install-deps.sh installs it)");
        String fields = Tools.run("tshark", "-r", pcap.toString(), "-o", "ip.check_checksum:TRUE", "-Y", "icmp",
                "-T", "fields", "-e", "icmp.type", "-e", "ip.checksum.status", "-e", "icmp.checksum.status");
        List<String> lines = Arrays.stream(fields.split("\n")).filter(l -> !l.isBlank()).toList();
        assertEquals(10, lines.size(), fields);
        assertEquals(5, lines.stream().filter(l -> l.startsWith("8\t")).count(), "echo requests");
        assertEquals(5, lines.stream().filter(l -> l.startsWith("0\t")).count(), "echo replies");
        for (String l : lines) assertTrue(l.endsWith("\t1\t1"), "checksums good (status 1): " + l);
    }

    @Test void totalLossExitsNonZeroLikePing() {
        Cli r = Cli.run("ping", "--count", "3", "--loss", "100");
        assertEquals(1, r.status());
        assertTrue(r.out().contains("3 packets transmitted, 0 received, 100% packet loss"), r.out());
    }

    @Test void sameSeedSameOutput() {
        assertEquals(Cli.run("ping", "--count", "20", "--loss", "30", "--seed", "9").out(),
                Cli.run("ping", "--count", "20", "--loss", "30", "--seed", "9").out());
    }

    @Test void fragmentedLargePings() {
        Cli r = Cli.run("ping", "--count", "2", "--size", "4000");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("4008 bytes from 10.0.0.2: icmp_seq=2"), r.out());
    }

    @Test void misuseIsExplained() {
        Cli r = Cli.run("ping", "--count", "0");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("--count"), r.err());
        r = Cli.run("ping", "--loss", "lots");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("--loss wants a percentage"), r.err());
        r = Cli.run("ping", "--pcap", dir.resolve("no/such/dir/x.pcap").toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains("does not exist"), r.err());
    }

    @Test void ping6OnTheSimulatorWithFragmentedRequests() {
        Cli r = Cli.run("ping", "--ipv6", "--count", "2", "--size", "3000");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("PING fd00::2 (fd00::2) 3000(3048) bytes of data, from fd00::1"), r.out());
        assertTrue(r.out().contains("3008 bytes from fd00::2: icmp_seq=2"), r.out());
        assertTrue(r.out().contains("2 packets transmitted, 2 received, 0% packet loss"), r.out());
    }

    @Test void ipv6HostOverTunNeedsAnIpv6Address() {
        Cli r = Cli.run("ping", "fd00:7::1", "--tun", "nsj0", "--address", "10.7.0.2/24");
        assertEquals(2, r.status(), r.out() + r.err());
        assertTrue(r.err().contains("netstack4j has no IPv6 address on the TUN") && r.err().contains("--address fd00:7::2/64"), r.err());
    }
}
