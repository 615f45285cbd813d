package org.netstack4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.netstack4j.device.PcapWriter;
import org.netstack4j.wire.LinkType;

class DecodeCommandTest {
    /** A SYN made with scapy: 192.168.1.10:49152 > 93.184.216.34:80, MSS, SACK-permitted, timestamps, NOP, wscale 7. */
    static final String SYN = "0242ac1100030242ac11000208004500003c1c464000400626e9c0a8010a5db8d822c0000050000003e800000000a002faf0b26d0000020405b40402080ab3102bcb0000000001030307";

    @Test void synNamesEveryField() {
        Cli r = Cli.run("decode", SYN);
        assertEquals(0, r.status(), r.err());
        String o = r.out();
        for (String want : new String[] {"Ethernet", "IPv4", "TCP", "49152", "80", "1000", "Window", "64240",
                "1460", "SACK permitted", "3004181451", "7", "correct"}) {
            assertTrue(o.contains(want), "missing '" + want + "' in:\n" + o);
        }
        int src = o.indexOf("Source port"), seq = o.indexOf("Sequence number"), win = o.indexOf("Window");
        assertTrue(src >= 0 && seq > src && win > seq, "fields in RFC diagram order:\n" + o);
    }

    /** Scapy: router advertisement fe80::1 > ff02::1 (M, lifetime 1800 s, MTU 1500, prefix 2001:db8:1::/64), raw IPv6. */
    static final String RA = "6000000000403afffe800000000000000000000000000001ff020000000000000000000000000001860074484088070800007530000003e8010102000000000105010000000005dc030440c000278d0000093a800000000020010db8000100000000000000000000";

    @Test void ipv6HexIsRecognisedAndEveryNdFieldPrinted() {
        Cli r = Cli.run("decode", RA);
        assertEquals(0, r.status(), r.out() + r.err());
        String o = r.out();
        String[] inOrder = {"IPv6", "Traffic class", "Flow label", "Payload length", "Next header: ICMPv6 (58)", "Hop limit: 255",
                "Source address: fe80::1", "Destination address: ff02::1", "ICMPv6", "Type: 134 (router advertisement)",
                "Checksum: 0x7448 [correct]", "Cur hop limit: 64", "Managed address configuration (M): Set",
                "Router lifetime: 1800 s", "Reachable time: 30000 ms", "Retrans timer: 1000 ms",
                "Source link-layer address: 02:00:00:00:00:01", "MTU: 1500", "Prefix information: 2001:db8:1::/64",
                "On-link (L): Set", "Autonomous address configuration (A): Set", "Valid lifetime: 2592000 s",
                "Preferred lifetime: 604800 s"};
        int at = -1;
        for (String want : inOrder) {
            int i = o.indexOf(want, at + 1);
            assertTrue(i > at, "missing or out of order '" + want + "' in:\n" + o);
            at = i;
        }
        // an Ethernet frame whose destination MAC starts with 6 stays Ethernet
        Cli eth = Cli.run("decode", "600000000002" + "020000000001" + "86dd" + RA);
        assertEquals(0, eth.status(), eth.out() + eth.err());
        assertTrue(eth.out().contains("Ethernet II") && eth.out().contains("router advertisement"), eth.out());
    }

    /** A raw-IP pcap (what a TUN device gives) with an IPv6 neighbor solicitation and the RA decodes packet by packet. */
    @Test void ipv6PcapDecodes(@TempDir Path dir) throws Exception {
        String ns = "6000000000203afffe800000000000000000000000000001ff0200000000000000000001ff00000287007a9700000000"
                + "fe8000000000000000000000000000020101020000000001";
        Path file = dir.resolve("v6.pcap");
        try (PcapWriter w = PcapWriter.open(file, LinkType.RAW_IP)) {
            w.write(1_000_000, HexFormat.of().parseHex(ns));
            w.write(2_000_000, HexFormat.of().parseHex(RA));
        }
        Cli r = Cli.run("decode", "--pcap", file.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        String o = r.out();
        assertTrue(o.contains("Packet 1") && o.contains("135 (neighbor solicitation)") && o.contains("Target address: fe80::2"), o);
        assertTrue(o.contains("Packet 2") && o.contains("134 (router advertisement)") && o.contains("Prefix: 2001:db8:1::"), o);
        assertFalse(o.contains("malformed"), o);
    }

    @Test void brokenIpv6ChecksumFailsWithTheReason() {
        Cli r = Cli.run("decode", "--link", "ip", RA.substring(0, 84) + "0000" + RA.substring(88));
        assertEquals(1, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("INCORRECT, should be 0x7448"), r.out());
        assertTrue(r.out().contains("malformed: bad checksum 0x0000, should be 0x7448 at byte 42 (icmpv6)"), r.out());
    }

    @Test void garbageHexIsAClearUsageError() {
        Cli r = Cli.run("decode", "zz12");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("not hex"), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }

    @Test void oddDigitsAreAClearUsageError() {
        Cli r = Cli.run("decode", "450");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("odd number of hex digits"), r.err());
    }

    @Test void truncatedPacketShowsHowFarItGotAndFails() {
        Cli r = Cli.run("decode", "4500003c1c4640004006");
        assertEquals(1, r.status(), r.out() + r.err());
        assertTrue(r.out().toLowerCase().contains("malformed"), r.out());
        assertFalse(r.err().contains("Exception"), r.err());
    }

    @Test void missingPcapFileIsAUsageError() {
        Cli r = Cli.run("decode", "--pcap", "/nonexistent/x.pcap");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("no such file"), r.err());
    }
}
