package org.netstack4j.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.netstack4j.wire.Packets.hex;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class DissectorTest {

    static Dissection dissect(String hex, LinkType link) {
        byte[] f = hex(hex);
        return Dissector.dissect(f, 0, f.length, link);
    }

    static String value(Dissection d, String layer, String field) {
        return d.layer(layer).orElseThrow(() -> new AssertionError("no layer " + layer + "\n" + d.render()))
                .field(field).orElseThrow(() -> new AssertionError("no field " + layer + "/" + field + "\n" + d.render()))
                .value();
    }

    static String note(Dissection d, String layer, String field) {
        return d.layer(layer).orElseThrow().field(field).orElseThrow().note();
    }

    /** The SYN, every field of every layer, in RFC diagram order. */
    @Test void synNamesEveryFieldAndValue() {
        Dissection d = dissect(Packets.SYN, LinkType.ETHERNET);
        assertTrue(d.error().isEmpty(), d.render());
        assertEquals(List.of("Frame", "Ethernet II", "IPv4", "TCP", "Payload"), d.layers().stream().map(Dissection.Layer::name).toList());
        String expected = """
                Frame
                    Length: 74 bytes
                    Link type: ETHERNET (1)
                Ethernet II
                    Destination: 02:42:ac:11:00:03
                    Source: 02:42:ac:11:00:02
                    Type: IPv4 (0x0800)
                IPv4
                    Version: 4
                    Header length: 20 bytes (IHL 5)
                    Type of service: 0x00 (DSCP 0, ECN 0)
                    Total length: 60
                    Identification: 0x1c46 (7238)
                    Flags: 0x2 (DF)
                        Reserved bit: Not set
                        Don't fragment: Set
                        More fragments: Not set
                    Fragment offset: 0
                    Time to live: 64
                    Protocol: TCP (6)
                    Header checksum: 0x26e9 [correct]
                    Source address: 192.168.1.10
                    Destination address: 93.184.216.34
                TCP
                    Source port: 49152
                    Destination port: 80
                    Sequence number: 1000
                    Acknowledgment number: 0 [ACK not set]
                    Data offset: 10 (40 bytes)
                    Flags: 0x02 [S] (SYN)
                        CWR: Not set
                        ECE: Not set
                        URG: Not set
                        ACK: Not set
                        PSH: Not set
                        RST: Not set
                        SYN: Set
                        FIN: Not set
                    Window: 64240
                    Checksum: 0xb26d [correct]
                    Urgent pointer: 0
                    Options: 20 bytes
                        MSS: 1460
                        SACK permitted
                        Timestamps: TSval 3004181451, TSecr 0
                        NOP
                        Window scale: 7 (multiply by 128)
                Payload
                    Length: 0 bytes
                """;
        assertEquals(expected, d.render());
        assertEquals("49152", value(d, "TCP", "Source port"));
        assertEquals("correct", note(d, "TCP", "Checksum"));
        assertEquals(1, d.layer("TCP").orElseThrow().field("MSS").orElseThrow().depth());
    }

    @Test void synAckFlagsAndAck() {
        Dissection d = dissect(Packets.SYN_ACK, LinkType.ETHERNET);
        assertEquals("0x12 [S.] (SYN, ACK)", value(d, "TCP", "Flags"));
        assertEquals("3735928559", value(d, "TCP", "Sequence number"));
        assertEquals("1001", value(d, "TCP", "Acknowledgment number"));
        assertEquals("", note(d, "TCP", "Acknowledgment number"));
        assertEquals("9 (multiply by 512)", value(d, "TCP", "Window scale"));
    }

    @Test void dataSegmentPayload() {
        Dissection d = dissect(Packets.DATA, LinkType.ETHERNET);
        assertEquals("37 bytes", value(d, "Payload", "Length"));
        assertTrue(value(d, "Payload", "Bytes").startsWith("474554202f20"), d.render());
        assertTrue(value(d, "Payload", "Bytes").endsWith("..."));
        assertEquals("0x18 [P.] (PSH, ACK)", value(d, "TCP", "Flags"));
    }

    @Test void udpChecksumCorrectAndNone() {
        Dissection d = dissect(Packets.DNS_QUERY, LinkType.ETHERNET);
        assertEquals("53", value(d, "UDP", "Destination port"));
        assertEquals("37", value(d, "UDP", "Length"));
        assertEquals("correct", note(d, "UDP", "Checksum"));
        assertEquals("29 bytes", value(d, "Payload", "Length"));
        byte[] f = hex(Packets.DNS_QUERY);
        f[40] = 0;
        f[41] = 0;
        Dissection none = Dissector.dissect(f, 0, f.length, LinkType.ETHERNET);
        assertEquals("none", note(none, "UDP", "Checksum"));
        assertTrue(none.error().isEmpty());
    }

    @Test void badIpChecksumIsShownAndReportedButUpperLayersStillShown() {
        byte[] f = hex(Packets.SYN);
        f[25] = (byte) 0xe8; // header checksum 0x26e9 -> 0x26e8
        Dissection d = Dissector.dissect(f, 0, f.length, LinkType.ETHERNET);
        assertEquals("INCORRECT, should be 0x26e9", note(d, "IPv4", "Header checksum"));
        assertEquals("49152", value(d, "TCP", "Source port"));
        assertEquals(24, d.error().orElseThrow().offset());
        assertTrue(d.render().endsWith("malformed: bad header checksum 0x26e8, should be 0x26e9 at byte 24 (ipv4)\n"), d.render());
    }

    @Test void badTcpChecksum() {
        byte[] f = hex(Packets.SYN);
        f[f.length - 1] ^= 1;
        Dissection d = Dissector.dissect(f, 0, f.length, LinkType.ETHERNET);
        assertTrue(note(d, "TCP", "Checksum").startsWith("INCORRECT, should be 0x"), d.render());
        assertEquals("tcp", d.error().orElseThrow().layer());
        assertEquals(34 + 16, d.error().orElseThrow().offset());
    }

    @Test void malformedTcpShowsTheLayersBeforeAndWhy() {
        byte[] f = hex(Packets.SYN);
        f[46] = 0x40; // data offset 4
        Dissection d = Dissector.dissect(f, 0, f.length, LinkType.ETHERNET);
        assertEquals(List.of("Frame", "Ethernet II", "IPv4"), d.layers().stream().map(Dissection.Layer::name).toList());
        assertTrue(d.render().endsWith("malformed: data offset 4 (16 bytes) < 5 at byte 46 (tcp)\n"), d.render());
        assertFalse(d.internalError());
    }

    @Test void badOptionShowsOptionsReadSoFar() {
        byte[] f = hex(Packets.SYN);
        f[34 + 20 + 4 + 1] = 9; // SACK-permitted length 2 -> 9
        Dissection d = Dissector.dissect(f, 0, f.length, LinkType.ETHERNET);
        assertEquals("1460", value(d, "TCP", "MSS"));
        assertEquals("tcp", d.error().orElseThrow().layer());
        assertTrue(d.error().orElseThrow().reason().contains("SACK-permitted option has length 9"), d.render());
        assertEquals(34 + 25, d.error().orElseThrow().offset());
    }

    @Test void unknownOptionAndEol() {
        Dissection d = dissect(Packets.UNKNOWN_OPTION_RAW, LinkType.RAW_IP);
        List<String> opts = new ArrayList<>();
        boolean inOptions = false;
        for (Dissection.Field f : d.layer("TCP").orElseThrow().fields()) {
            if (f.depth() == 0) inOptions = f.name().equals("Options");
            else if (inOptions) opts.add(f.line());
        }
        assertEquals(List.of("MSS: 536", "Unknown option kind 99 (length 4)", "End of option list"), opts);
        assertEquals(List.of("Frame", "IPv4", "TCP", "Payload"), d.layers().stream().map(Dissection.Layer::name).toList());
    }

    @Test void sackBlocks() {
        Dissection d = dissect(Packets.SACK_RAW, LinkType.RAW_IP);
        assertEquals("2001-3001 4001-5001", value(d, "TCP", "SACK"));
    }

    @Test void echo() {
        Dissection d = dissect(Packets.ECHO_REQUEST, LinkType.ETHERNET);
        assertEquals("8 (echo request)", value(d, "ICMP", "Type"));
        assertEquals("0", value(d, "ICMP", "Code"));
        assertEquals("correct", note(d, "ICMP", "Checksum"));
        assertEquals("0x1f2e (7982)", value(d, "ICMP", "Identifier"));
        assertEquals("1", value(d, "ICMP", "Sequence number"));
        assertEquals("40 bytes", value(d, "Payload", "Length"));
        assertEquals("0 (echo reply)", value(dissect(Packets.ECHO_REPLY, LinkType.ETHERNET), "ICMP", "Type"));
    }

    @Test void portUnreachableShowsTheQuotedDatagram() {
        Dissection d = dissect(Packets.PORT_UNREACHABLE, LinkType.ETHERNET);
        assertEquals("3 (destination unreachable)", value(d, "ICMP", "Type"));
        assertEquals("3 (port unreachable)", value(d, "ICMP", "Code"));
        assertEquals("192.168.1.20", value(d, "Quoted IPv4 datagram", "Destination address"));
        assertEquals("UDP (17)", value(d, "Quoted IPv4 datagram", "Protocol"));
        assertEquals("9999", value(d, "Quoted IPv4 datagram", "Destination port"));
        assertTrue(d.error().isEmpty());
    }

    @Test void fragmentationNeededShowsMtu() {
        Dissection d = dissect(Packets.FRAG_NEEDED_RAW, LinkType.RAW_IP);
        assertEquals("4 (fragmentation needed and DF set)", value(d, "ICMP", "Code"));
        assertEquals("1400", value(d, "ICMP", "Next-hop MTU"));
        assertEquals("80", value(d, "Quoted IPv4 datagram", "Destination port"));
        assertEquals("1001", value(d, "Quoted IPv4 datagram", "Sequence number"));
        Dissection te = dissect(Packets.TIME_EXCEEDED_RAW, LinkType.RAW_IP);
        assertEquals("0 (TTL exceeded in transit)", value(te, "ICMP", "Code"));
    }

    @Test void fragmentsAreNotDissectedFurther() {
        Dissection d = dissect(Packets.FRAGMENT_FIRST, LinkType.ETHERNET);
        assertEquals("0x1 (MF)", value(d, "IPv4", "Flags"));
        assertEquals("Set", value(d, "IPv4", "More fragments"));
        assertEquals("0-31 of the datagram (32 bytes)", value(d, "Fragment", "Bytes"));
        assertTrue(d.layer("UDP").isEmpty());
        assertTrue(d.error().isEmpty());
        assertEquals("32", value(dissect(Packets.FRAGMENT_LAST, LinkType.ETHERNET), "IPv4", "Fragment offset"));
    }

    @Test void arpWithPadding() {
        byte[] f = Arrays.copyOf(hex(Packets.ARP_REQUEST), 60);
        Dissection d = Dissector.dissect(f, 0, f.length, LinkType.ETHERNET);
        assertEquals("broadcast", note(d, "Ethernet II", "Destination"));
        assertEquals("request (1)", value(d, "ARP", "Opcode"));
        assertEquals("192.168.1.1", value(d, "ARP", "Target IP address"));
        assertEquals("18 bytes", value(d, "Trailer", "Length"));
        assertEquals("reply (2)", value(dissect(Packets.ARP_REPLY, LinkType.ETHERNET), "ARP", "Opcode"));
    }

    @Test void rawIpAndEmptyInput() {
        Dissection d = dissect(Packets.RST_RAW, LinkType.RAW_IP);
        assertEquals("0x14 [R.] (RST, ACK)", value(d, "TCP", "Flags"));
        Dissection empty = Dissector.dissect(new byte[0], 0, 0, LinkType.RAW_IP);
        assertEquals("truncated: 0 bytes, header needs 20", empty.error().orElseThrow().reason());
        assertTrue(Dissector.dissect(null, 0, 0, LinkType.ETHERNET).error().isPresent());
        assertTrue(Dissector.dissect(new byte[4], 0, 4, null).error().isPresent());
    }

    @Test void offsetWithinALargerBufferCountsFromTheFrame() {
        byte[] frame = hex(Packets.SYN);
        frame[46] = 0x40;
        byte[] big = new byte[frame.length + 100];
        System.arraycopy(frame, 0, big, 37, frame.length);
        Dissection d = Dissector.dissect(big, 37, frame.length, LinkType.ETHERNET);
        assertEquals(46, d.error().orElseThrow().offset());
    }

    @Test void windowScaleAboveFourteen() {
        assertEquals("Window scale: 15 (above 14: used as 14, RFC 7323 2.3, multiply by 16384)",
                new TcpOption.WindowScale(15).describe());
    }

    @Test void linkTypeCodes() {
        assertEquals(1, LinkType.ETHERNET.code());
        assertEquals(101, LinkType.RAW_IP.code());
        assertEquals(LinkType.RAW_IP, LinkType.ofCode(101));
        assertEquals(LinkType.ETHERNET, LinkType.ofCode(1));
    }
}
