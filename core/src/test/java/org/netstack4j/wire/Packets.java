package org.netstack4j.wire;

import java.util.HexFormat;

/**
 * Real frames for tests, generated with Scapy 2.5.0 (Debian python3-scapy), whose codecs are
 * independent of ours; checksums are Scapy's. Addresses: client 192.168.1.10
 * (02:42:ac:11:00:02), server 93.184.216.34 (02:42:ac:11:00:03).
 */
final class Packets {
    private Packets() {}

    /** Ethernet + IPv4 (DF, id 0x1c46) + TCP SYN 49152 > 80, seq 1000, win 64240, [mss 1460,sackOK,TS val 3004181451 ecr 0,nop,wscale 7]. */
    static final String SYN = "0242ac1100030242ac11000208004500003c1c464000400626e9c0a8010a5db8d822c0000050000003e800000000a002faf0b26d0000020405b40402080ab3102bcb0000000001030307";
    /** SYN-ACK 80 > 49152, seq 3735928559, ack 1001, win 65160, [mss 1400,sackOK,TS val 1234567 ecr 3004181451,nop,wscale 9]. */
    static final String SYN_ACK = "0242ac1100020242ac11000308004500003c0000400038064b2f5db8d822c0a8010a0050c000deadbeef000003e9a012fe883ac70000020405780402080a0012d687b3102bcb01030309";
    /** PSH+ACK with 37 bytes "GET / HTTP/1.1..." and [nop,nop,TS val 3004181470 ecr 1234567]. */
    static final String DATA = "0242ac1100030242ac1100020800450000591c474000400626cbc0a8010a5db8d822c0000050000003e9deadbef0801801f61d0700000101080ab3102bde0012d687474554202f20485454502f312e310d0a486f73743a206578616d706c652e636f6d0d0a0d0a";
    /** UDP 53001 > 53, DNS query id 0x1234 for example.com A. */
    static final String DNS_QUERY = "0242ac1100030242ac1100020800450000393a2b00004011bd2dc0a8010ac0a80101cf0900350025cb67123401000001000000000000076578616d706c6503636f6d0000010001";
    /** ICMP echo request id 0x1f2e seq 1 to 8.8.8.8, 40 data bytes 0x10..0x37. */
    static final String ECHO_REQUEST = "0242ac1100030242ac11000208004500004404d2400040016425c0a8010a08080808080019fe1f2e0001101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637";
    /** The matching echo reply, TTL 117. */
    static final String ECHO_REPLY = "0242ac1100020242ac11000308004500004400000000750173f708080808c0a8010a000021fe1f2e0001101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637";
    /** ICMP port unreachable from 192.168.1.20 (TOS 0xc0), quoting UDP 40000 > 9999 "hello" in full. */
    static final String PORT_UNREACHABLE = "0242ac1100020242ac110003080045c0003d222200004001d46fc0a80114c0a8010a0303808a0000000045000021111100004011e64cc0a8010ac0a801149c40270f000d754368656c6c6f";
    /** Raw IP: ICMP fragmentation needed, next-hop MTU 1400, quoting 28 bytes of a TCP segment. */
    static final String FRAG_NEEDED_RAW = "4500003800070000ff01ef0d0a0000fec0a8010a0304334a0000057845000028000540003f06443ec0a8010a5db8d822c0000050000003e9";
    /** Raw IP: ICMP time exceeded in transit, quoting 28 bytes of the UDP datagram above. */
    static final String TIME_EXCEEDED_RAW = "4500003800090000ff01ef0b0a0000fec0a8010a0b00bc5f0000000045000021111100004011e64cc0a8010ac0a801149c40270f000d7543";
    /** ARP request who-has 192.168.1.1 tell 192.168.1.10 (broadcast). */
    static final String ARP_REQUEST = "ffffffffffff0242ac110002080600010800060400010242ac110002c0a8010a000000000000c0a80101";
    /** ARP reply 192.168.1.1 is-at 02:42:ac:11:00:01. */
    static final String ARP_REPLY = "0242ac1100020242ac110001080600010800060400020242ac110001c0a801010242ac110002c0a8010a";
    /** First fragment (MF, offset 0, id 0xabcd) of a UDP 5000 > 6000 datagram with 40 bytes of data. */
    static final String FRAGMENT_FIRST = "0242ac1100030242ac110002080045000034abcd20004011b75ec0a8010a5db8d8221388177000305f77000102030405060708090a0b0c0d0e0f1011121314151617";
    /** Last fragment (offset 32) of the same datagram. */
    static final String FRAGMENT_LAST = "0242ac1100030242ac110002080045000024abcd00044011d76ac0a8010a5db8d82218191a1b1c1d1e1f2021222324252627";
    /** Raw IP: ACK with [nop,nop,sack 2 {2001:3001}{4001:5001}]. */
    static final String SACK_RAW = "4500003c0010400038064b1f5db8d822c0a8010a0050c000deadbef0000003e9a01001fdc796000001010512000007d100000bb900000fa100001389";
    /** Raw IP: SYN with [mss 536, kind 99 length 4 (abcd), eol] + 3 zero padding bytes. */
    static final String UNKNOWN_OPTION_RAW = "450000340011000040068326c0a8010a5db8d822c00101bb000000050000000080020400af990000020402186304abcd00000000";
    /** Raw IP: RST+ACK 80 > 49152, ack 1001, win 0. */
    static final String RST_RAW = "450000280000400038064b435db8d822c0a8010a0050c00000000000000003e950140000f4090000";

    static byte[] hex(String s) { return HexFormat.of().parseHex(s); }

    /**
     * Parses every layer of a frame with the Repr codecs and emits it again into a fresh
     * array of the same length (transport payloads and trailers are copied from the input).
     */
    static byte[] reencode(byte[] f, LinkType link) {
        byte[] out = new byte[f.length];
        int o = 0;
        if (link == LinkType.ETHERNET) {
            EthernetRepr e = EthernetRepr.parse(f, 0, f.length).value();
            o = e.emit(out, 0);
            if (e.etherType() == EthernetRepr.ETHERTYPE_ARP) {
                int n = ArpRepr.parse(f, o, f.length - o).value().emit(out, o);
                System.arraycopy(f, o + n, out, o + n, f.length - o - n);
                return out;
            }
        }
        Ipv4Repr ip = Ipv4Repr.parse(f, o, f.length - o).value();
        int p = o + ip.emit(out, o);
        int pl = ip.payloadLength();
        if (ip.isFragment()) {
            System.arraycopy(f, p, out, p, pl);
        } else {
            switch (ip.protocol()) {
                case Ipv4Repr.PROTO_TCP -> {
                    TcpRepr t = TcpRepr.parse(ip.src(), ip.dst(), f, p, pl, true).value();
                    int hl = t.headerLength();
                    t.emit(ip.src(), ip.dst(), out, p, f, p + hl, pl - hl);
                }
                case Ipv4Repr.PROTO_UDP -> {
                    UdpRepr u = UdpRepr.parse(ip.src(), ip.dst(), f, p, pl).value();
                    u.emit(ip.src(), ip.dst(), out, p, f, p + 8, UdpRepr.payloadLength(f, p));
                }
                case Ipv4Repr.PROTO_ICMP -> IcmpRepr.parse(f, p, pl).value().emit(out, p);
                default -> System.arraycopy(f, p, out, p, pl);
            }
        }
        System.arraycopy(f, p + pl, out, p + pl, f.length - p - pl);
        return out;
    }
}
