package org.netstack4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

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
