package org.netstack4j.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.netstack4j.wire.Packets.hex;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Real frames (see {@link Packets}) decoded field by field and re-encoded to identical bytes. */
class RealPacketsTest {
    static final Ipv4Address CLIENT = Ipv4Address.parse("192.168.1.10"), SERVER = Ipv4Address.parse("93.184.216.34");
    static final MacAddress CLIENT_MAC = MacAddress.parse("02:42:ac:11:00:02"), SERVER_MAC = MacAddress.parse("02:42:ac:11:00:03");

    @ParameterizedTest
    @ValueSource(strings = {"SYN", "SYN_ACK", "DATA", "DNS_QUERY", "ECHO_REQUEST", "ECHO_REPLY", "PORT_UNREACHABLE",
            "ARP_REQUEST", "ARP_REPLY", "FRAGMENT_FIRST", "FRAGMENT_LAST"})
    void ethernetFramesReencodeToIdenticalBytes(String name) throws Exception {
        byte[] f = hex((String) Packets.class.getDeclaredField(name).get(null));
        assertArrayEquals(f, Packets.reencode(f, LinkType.ETHERNET), name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"FRAG_NEEDED_RAW", "TIME_EXCEEDED_RAW", "SACK_RAW", "UNKNOWN_OPTION_RAW", "RST_RAW"})
    void rawIpPacketsReencodeToIdenticalBytes(String name) throws Exception {
        byte[] f = hex((String) Packets.class.getDeclaredField(name).get(null));
        assertArrayEquals(f, Packets.reencode(f, LinkType.RAW_IP), name);
    }

    @Test void syn() {
        byte[] f = hex(Packets.SYN);
        EthernetRepr eth = EthernetRepr.parse(f, 0, f.length).value();
        assertEquals(new EthernetRepr(SERVER_MAC, CLIENT_MAC, EthernetRepr.ETHERTYPE_IPV4), eth);
        Ipv4Repr ip = Ipv4Repr.parse(f, 14, f.length - 14).value();
        assertEquals(new Ipv4Repr(0, 0x1c46, true, false, 0, 64, Ipv4Repr.PROTO_TCP, CLIENT, SERVER, new byte[0], 40), ip);
        TcpRepr tcp = TcpRepr.parse(CLIENT, SERVER, f, 34, 40, true).value();
        assertEquals(new TcpRepr(49152, 80, 1000, 0, TcpRepr.SYN, 64240, 0, List.of(
                new TcpOption.Mss(1460), new TcpOption.SackPermitted(), new TcpOption.Timestamps((int) 3004181451L, 0),
                new TcpOption.Nop(), new TcpOption.WindowScale(7))), tcp);
        assertEquals(40, tcp.headerLength());
        assertEquals("Flags [S], seq 1000, win 64240, options [mss 1460,sackOK,TS val 3004181451 ecr 0,nop,wscale 7]",
                tcp.toString());
    }

    @Test void synAck() {
        byte[] f = hex(Packets.SYN_ACK);
        Ipv4Repr ip = Ipv4Repr.parse(f, 14, f.length - 14).value();
        assertEquals(56, ip.ttl());
        assertEquals(SERVER, ip.src());
        TcpRepr tcp = TcpRepr.parse(ip.src(), ip.dst(), f, 34, ip.payloadLength(), true).value();
        assertEquals(0xdeadbeef, tcp.seq());
        assertEquals(1001, tcp.ack());
        assertEquals(TcpRepr.SYN | TcpRepr.ACK, tcp.flags());
        assertEquals(new TcpOption.Mss(1400), tcp.option(TcpOption.Mss.class));
        assertEquals(new TcpOption.Timestamps(1234567, (int) 3004181451L), tcp.option(TcpOption.Timestamps.class));
        assertEquals(new TcpOption.WindowScale(9), tcp.option(TcpOption.WindowScale.class));
        assertEquals("Flags [S.], seq 3735928559, ack 1001, win 65160, options [mss 1400,sackOK,TS val 1234567 ecr 3004181451,nop,wscale 9]",
                tcp.toString());
    }

    @Test void dataSegment() {
        byte[] f = hex(Packets.DATA);
        Ipv4Repr ip = Ipv4Repr.parse(f, 14, f.length - 14).value();
        assertEquals(69, ip.payloadLength());
        TcpRepr tcp = TcpRepr.parse(ip.src(), ip.dst(), f, 34, ip.payloadLength(), true).value();
        assertEquals(32, tcp.headerLength());
        assertEquals(TcpRepr.PSH | TcpRepr.ACK, tcp.flags());
        assertEquals(502, tcp.window());
        String payload = new String(f, 34 + 32, 37, java.nio.charset.StandardCharsets.US_ASCII);
        assertEquals("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n", payload);
        assertEquals(37, tcp.sequenceLength(37));
    }

    @Test void dnsQuery() {
        byte[] f = hex(Packets.DNS_QUERY);
        Ipv4Repr ip = Ipv4Repr.parse(f, 14, f.length - 14).value();
        assertEquals(Ipv4Repr.PROTO_UDP, ip.protocol());
        assertFalse(ip.dontFragment());
        assertEquals(Ipv4Address.parse("192.168.1.1"), ip.dst());
        UdpRepr udp = UdpRepr.parse(ip.src(), ip.dst(), f, 34, ip.payloadLength()).value();
        assertEquals(new UdpRepr(53001, 53), udp);
        assertEquals(29, UdpRepr.payloadLength(f, 34));
        assertEquals(0x12, f[42]); // DNS id 0x1234 starts the payload
    }

    @Test void echoRequestAndReply() {
        byte[] req = hex(Packets.ECHO_REQUEST), rep = hex(Packets.ECHO_REPLY);
        byte[] data = new byte[40];
        for (int i = 0; i < 40; i++) data[i] = (byte) (0x10 + i);
        assertEquals(new IcmpRepr.EchoRequest(0x1f2e, 1, data), IcmpRepr.parse(req, 34, req.length - 34).value());
        assertEquals(new IcmpRepr.EchoReply(0x1f2e, 1, data), IcmpRepr.parse(rep, 34, rep.length - 34).value());
        assertEquals(117, Ipv4Repr.parse(rep, 14, rep.length - 14).value().ttl());
    }

    @Test void portUnreachableQuotesTheUdpDatagram() {
        byte[] f = hex(Packets.PORT_UNREACHABLE);
        Ipv4Repr ip = Ipv4Repr.parse(f, 14, f.length - 14).value();
        assertEquals(0xc0, ip.tos());
        IcmpRepr icmp = IcmpRepr.parse(f, 34, ip.payloadLength()).value();
        IcmpRepr.DestinationUnreachable du = assertInstanceOf(IcmpRepr.DestinationUnreachable.class, icmp);
        assertEquals(IcmpRepr.CODE_PORT_UNREACHABLE, du.code());
        assertEquals(33, du.data().length);
        Ipv4Repr quoted = Ipv4Repr.parse(du.data(), 0, du.data().length).value();
        assertEquals(Ipv4Address.parse("192.168.1.20"), quoted.dst());
        UdpRepr qudp = UdpRepr.parse(quoted.src(), quoted.dst(), du.data(), 20, quoted.payloadLength()).value();
        assertEquals(new UdpRepr(40000, 9999), qudp);
    }

    @Test void quoteTakesHeaderPlusEightBytes() {
        byte[] quoted = hex(Packets.PORT_UNREACHABLE);
        quoted = Arrays.copyOfRange(quoted, 42, quoted.length); // the UDP datagram inside the error
        assertArrayEquals(Arrays.copyOf(quoted, 28), IcmpRepr.quote(quoted, 0, quoted.length));
        assertArrayEquals(Arrays.copyOf(quoted, 24), IcmpRepr.quote(quoted, 0, 24));
        byte[] te = hex(Packets.TIME_EXCEEDED_RAW);
        assertArrayEquals(Arrays.copyOfRange(te, 28, 56), Arrays.copyOf(quoted, 28), "scapy quoted the same 28 bytes");
    }

    @Test void fragmentationNeededCarriesNextHopMtu() {
        byte[] f = hex(Packets.FRAG_NEEDED_RAW);
        Ipv4Repr ip = Ipv4Repr.parse(f, 0, f.length).value();
        IcmpRepr.DestinationUnreachable du = assertInstanceOf(IcmpRepr.DestinationUnreachable.class,
                IcmpRepr.parse(f, 20, ip.payloadLength()).value());
        assertEquals(IcmpRepr.CODE_FRAGMENTATION_NEEDED, du.code());
        assertEquals(1400, du.nextHopMtu());
        assertEquals(28, du.data().length);
        // the quoted header says 40 bytes but only 28 were quoted: Ipv4Repr refuses, the view too
        assertInstanceOf(Parsed.Malformed.class, Ipv4Repr.parse(du.data(), 0, 28));
    }

    @Test void timeExceeded() {
        byte[] f = hex(Packets.TIME_EXCEEDED_RAW);
        IcmpRepr.TimeExceeded te = assertInstanceOf(IcmpRepr.TimeExceeded.class, IcmpRepr.parse(f, 20, f.length - 20).value());
        assertEquals(IcmpRepr.CODE_TTL_EXCEEDED, te.code());
        assertEquals(28, te.data().length);
    }

    @Test void arpRequestAndReply() {
        byte[] req = hex(Packets.ARP_REQUEST), rep = hex(Packets.ARP_REPLY);
        assertTrue(EthernetRepr.parse(req, 0, req.length).value().dst().isBroadcast());
        ArpRepr a = ArpRepr.parse(req, 14, req.length - 14).value();
        assertEquals(new ArpRepr(ArpRepr.OP_REQUEST, CLIENT_MAC, CLIENT, MacAddress.ZERO, Ipv4Address.parse("192.168.1.1")), a);
        assertEquals("ARP, Request who-has 192.168.1.1 tell 192.168.1.10", a.toString());
        ArpRepr r = ArpRepr.parse(rep, 14, rep.length - 14).value();
        assertEquals(ArpRepr.OP_REPLY, r.operation());
        assertEquals(MacAddress.parse("02:42:ac:11:00:01"), r.senderMac());
        assertEquals("ARP, Reply 192.168.1.1 is-at 02:42:ac:11:00:01", r.toString());
    }

    @Test void arpPaddedToMinimumFrameIsAccepted() {
        byte[] f = Arrays.copyOf(hex(Packets.ARP_REQUEST), 60);
        assertEquals(ArpRepr.OP_REQUEST, ArpRepr.parse(f, 14, 46).value().operation());
        assertArrayEquals(f, Packets.reencode(f, LinkType.ETHERNET));
    }

    @Test void fragments() {
        byte[] first = hex(Packets.FRAGMENT_FIRST), last = hex(Packets.FRAGMENT_LAST);
        Ipv4Repr a = Ipv4Repr.parse(first, 14, first.length - 14).value();
        Ipv4Repr b = Ipv4Repr.parse(last, 14, last.length - 14).value();
        assertTrue(a.moreFragments());
        assertEquals(0, a.fragmentOffset());
        assertEquals(32, a.payloadLength());
        assertTrue(a.isFragment());
        assertFalse(b.moreFragments());
        assertEquals(32, b.fragmentOffset());
        assertEquals(16, b.payloadLength());
        assertEquals(0xabcd, b.identification());
    }

    @Test void sackBlocks() {
        byte[] f = hex(Packets.SACK_RAW);
        TcpRepr t = TcpRepr.parse(SERVER, CLIENT, f, 20, f.length - 20, true).value();
        assertEquals(new TcpOption.Sack(List.of(new TcpOption.SackBlock(2001, 3001), new TcpOption.SackBlock(4001, 5001))),
                t.option(TcpOption.Sack.class));
        assertEquals("Flags [.], seq 3735928560, ack 1001, win 509, options [nop,nop,sack 2 {2001:3001}{4001:5001}]", t.toString());
    }

    @Test void unknownOptionKeptByLength() {
        byte[] f = hex(Packets.UNKNOWN_OPTION_RAW);
        TcpRepr t = TcpRepr.parse(CLIENT, SERVER, f, 20, f.length - 20, true).value();
        assertEquals(List.of(new TcpOption.Mss(536), new TcpOption.Unknown(99, new byte[] {(byte) 0xab, (byte) 0xcd}),
                new TcpOption.EndOfList()), t.options());
        assertEquals(32, t.headerLength());
    }

    @Test void rst() {
        byte[] f = hex(Packets.RST_RAW);
        TcpRepr t = TcpRepr.parse(SERVER, CLIENT, f, 20, f.length - 20, true).value();
        assertEquals("Flags [R.], seq 0, ack 1001, win 0", t.toString());
    }
}
