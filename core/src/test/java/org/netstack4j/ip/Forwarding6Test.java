package org.netstack4j.ip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.netstack4j.device.Medium;
import org.netstack4j.trace.Counters;
import org.netstack4j.wire.Icmpv6Repr;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv6Address;
import org.netstack4j.wire.Ipv6ExtensionHeader;
import org.netstack4j.wire.Ipv6Repr;
import org.netstack4j.wire.MacAddress;
import org.netstack4j.wire.Parsed;
import org.netstack4j.wire.TcpRepr;

/**
 * A router R between A (fd00:1::2, link 1, MTU 1500) and B (fd00:2::2, link 2, MTU 1280), on
 * bare-IP {@link TestLink}s as in {@link ForwardingTest}: what R sends for crafted IPv6 packets,
 * and A and B talking through it.
 */
class Forwarding6Test {
    static final Ipv6Address A = Ipv6Address.parse("fd00:1::2"), RA = Ipv6Address.parse("fd00:1::1"),
            RB = Ipv6Address.parse("fd00:2::1"), B = Ipv6Address.parse("fd00:2::2");

    final TestLink l1 = new TestLink(Medium.IP, 1500), l2 = new TestLink(Medium.IP, 1280);
    final Counters cr = new Counters(), cb = new Counters();
    final IpStack a = new IpStack(null, new Counters(), 1), r = new IpStack(null, cr, 2), b = new IpStack(null, cb, 3);
    long now;

    Forwarding6Test() {
        connect(a, r, b, l1, l2, false);
        a.routes().add(new RoutingTable.Route6(Ipv6Address.ANY, 0, null, a.interfaces().getFirst()));
        b.routes().add(new RoutingTable.Route6(Ipv6Address.ANY, 0, null, b.interfaces().getFirst()));
        r.setIpv6Forwarding(true);
    }

    /** A on l1, R between l1 and l2, B on l2, with the addresses above (and MACs 02:00:00:00:00:0x over Ethernet). */
    static void connect(IpStack a, IpStack r, IpStack b, TestLink l1, TestLink l2, boolean ethernet) {
        a.addInterface(new IpInterface("a0", l1.a, mac(ethernet, 1), Ipv4Address.parse("10.1.0.2"), 24));
        r.addInterface(new IpInterface("ra", l1.b, mac(ethernet, 2), Ipv4Address.parse("10.1.0.1"), 24));
        r.addInterface(new IpInterface("rb", l2.a, mac(ethernet, 3), Ipv4Address.parse("10.2.0.1"), 24));
        b.addInterface(new IpInterface("b0", l2.b, mac(ethernet, 4), Ipv4Address.parse("10.2.0.2"), 24));
        a.addIpv6Address("a0", A, 64);
        r.addIpv6Address("ra", RA, 64);
        r.addIpv6Address("rb", RB, 64);
        b.addIpv6Address("b0", B, 64);
    }

    private static MacAddress mac(boolean ethernet, int n) { return ethernet ? new MacAddress(0x02_00_00_00_00_00L + n) : null; }

    /** Echo replies over IPv6 only: {@code reply} gets the sender and the hop limit. */
    static EchoReplyListener echo6(BiConsumer<Ipv6Address, Integer> reply) {
        return new EchoReplyListener() {
            @Override public void onEchoReply(long t, Ipv4Address from, int id, int seq, int ttl, byte[] data) { }
            @Override public void onEchoReply6(long t, Ipv6Address from, int id, int seq, int hopLimit, byte[] data) { reply.accept(from, hopLimit); }
        };
    }

    /** An IPv6 packet of the TCP segment {@code seg} from {@code src} to {@code dst}. */
    static byte[] tcp(Ipv6Address src, Ipv6Address dst, TcpRepr seg) {
        Ipv6Repr ip = Ipv6Repr.of(src, dst, Ipv6Repr.NH_TCP, 64, seg.headerLength());
        byte[] p = new byte[ip.totalLength()];
        ip.emit(p, 0);
        seg.emit(src, dst, p, Ipv6Repr.HEADER_LENGTH, null, 0, 0);
        return p;
    }

    void settle() {
        for (int i = 0; i < 100; i++) if (l1.drain(now) + l2.drain(now) == 0) return;
    }

    static byte[] packet(Ipv6Address src, Ipv6Address dst, int hopLimit, int payload) {
        Ipv6Repr ip = new Ipv6Repr(0, 0x12345, payload, Ipv6Repr.NH_UDP, hopLimit, src, dst);
        byte[] p = new byte[ip.totalLength()];
        ip.emit(p, 0);
        for (int i = Ipv6Repr.HEADER_LENGTH; i < p.length; i++) p[i] = (byte) i;
        return p;
    }

    static Ipv6Repr parse(byte[] p) { return ((Parsed.Ok<Ipv6Repr>) Ipv6Repr.parse(p, 0, p.length)).value(); }

    static Icmpv6Repr icmp(byte[] p) {
        Ipv6Repr ip = parse(p);
        assertEquals(Ipv6Repr.NH_ICMPV6, ip.nextHeader());
        return ((Parsed.Ok<Icmpv6Repr>) Icmpv6Repr.parse(ip.src(), ip.dst(), p, Ipv6Repr.HEADER_LENGTH, ip.payloadLength())).value();
    }

    /** The destination of the packet an ICMPv6 error quotes. */
    static Ipv6Address quotedDst(byte[] quote) { return Ipv6Address.read(quote, 24); }

    @Test void offByDefaultAndSeparateFromIpv4() {
        IpStack host = new IpStack(null, new Counters(), 9);
        assertFalse(host.ipv6Forwarding());
        r.setIpv6Forwarding(false);
        r.setForwarding(true); // IPv4 forwarding does not forward IPv6
        l1.b.inject(now, packet(A, B, 64, 100));
        assertTrue(l2.a.sent.isEmpty());
        assertEquals(1, cr.get("ipv6.in.drop.not_for_us"));
    }

    @Test void forwardsWithTheHopLimitOneLowerAndTheRestUntouched() {
        byte[] in = packet(A, B, 64, 100);
        l1.b.inject(now, in.clone());
        byte[] out = l2.a.sent.getFirst();
        assertEquals(63, parse(out).hopLimit());
        assertEquals(in.length, out.length);
        for (int i = 0; i < in.length; i++) if (i != 7) assertEquals(in[i], out[i], "byte " + i);
        assertEquals(1, cr.get("ipv6.fwd.datagrams"));
        assertEquals(1, cr.get("ipv6.fwd.ra.in"));
        assertEquals(1, cr.get("ipv6.fwd.rb.out"));
        assertTrue(l1.b.sent.isEmpty(), "no error back");
    }

    @Test void hopLimitOneGivesTimeExceededFromTheIncomingInterface() {
        l1.b.inject(now, packet(A, B, 1, 40));
        assertTrue(l2.a.sent.isEmpty());
        byte[] err = l1.b.sent.getFirst();
        assertEquals(RA, parse(err).src());
        assertEquals(A, parse(err).dst());
        Icmpv6Repr.TimeExceeded te = assertInstanceOf(Icmpv6Repr.TimeExceeded.class, icmp(err));
        assertEquals(Icmpv6Repr.CODE_HOP_LIMIT_EXCEEDED, te.code());
        assertEquals(B, quotedDst(te.data()));
        assertEquals(1, cr.get("ipv6.fwd.drop.hop_limit_exceeded"));
        assertEquals(1, cr.get("icmp6.out.time_excds"));
    }

    @Test void hopLimitTwoStillPassesWithOne() {
        l1.b.inject(now, packet(A, B, 2, 40));
        assertEquals(1, parse(l2.a.sent.getFirst()).hopLimit());
    }

    @Test void noRouteGivesNoRouteToDestination() {
        l1.b.inject(now, packet(A, Ipv6Address.parse("2001:db8::1"), 64, 40));
        Icmpv6Repr.DestinationUnreachable du = assertInstanceOf(Icmpv6Repr.DestinationUnreachable.class, icmp(l1.b.sent.getFirst()));
        assertEquals(Icmpv6Repr.CODE_NO_ROUTE, du.code());
        assertEquals(1, cr.get("ipv6.fwd.drop.no_route"));
    }

    @Test void tooBigForTheNextHopGivesPacketTooBigWithItsMtuAndIsNeverFragmented() {
        l1.b.inject(now, packet(A, B, 64, 1281 - Ipv6Repr.HEADER_LENGTH));
        assertTrue(l2.a.sent.isEmpty(), "routers do not fragment IPv6 (RFC 8200 5)");
        byte[] err = l1.b.sent.getFirst();
        assertEquals(RA, parse(err).src());
        Icmpv6Repr.PacketTooBig ptb = assertInstanceOf(Icmpv6Repr.PacketTooBig.class, icmp(err));
        assertEquals(1280, ptb.mtu());
        assertEquals(B, quotedDst(ptb.data()));
        assertTrue(err.length <= 1280, "RFC 4443 2.4 (c): the error fits the minimum MTU");
        assertEquals(1, cr.get("ipv6.fwd.drop.too_big"));
        // exactly the next hop's MTU passes
        l1.b.inject(now, packet(A, B, 64, 1280 - Ipv6Repr.HEADER_LENGTH));
        assertEquals(1280, l2.a.sent.getFirst().length);
    }

    @Test void linkLocalSourcesAndDestinationsStayOnTheirLink() {
        l1.b.inject(now, packet(Ipv6Address.parse("fe80::2"), B, 64, 40));
        l1.b.inject(now, packet(A, Ipv6Address.parse("fe80::99"), 64, 40));
        assertTrue(l2.a.sent.isEmpty());
        // RFC 4443 3.1: the link-local source is told "beyond scope of source address", by its own
        // link and from R's link-local address there; the link-local destination gets nothing
        assertEquals(1, l1.b.sent.size());
        Icmpv6Repr.DestinationUnreachable du = assertInstanceOf(Icmpv6Repr.DestinationUnreachable.class, icmp(l1.b.sent.getFirst()));
        assertEquals(Icmpv6Repr.CODE_BEYOND_SCOPE, du.code());
        assertEquals(Ipv6Address.parse("fe80::2"), parse(l1.b.sent.getFirst()).dst());
        assertTrue(parse(l1.b.sent.getFirst()).src().isLinkLocal());
        assertEquals(2, cr.get("ipv6.fwd.drop.link_local"));
    }

    @Test void martianAddressesAreNotForwarded() {
        for (String s : List.of("::ffff:10.1.0.2", "::"))
            l1.b.inject(now, packet(Ipv6Address.parse(s), B, 64, 40));
        l1.b.inject(now, packet(A, Ipv6Address.parse("::ffff:10.2.0.2"), 64, 40));
        assertEquals(3, cr.get("ipv6.fwd.drop.martian"));
        // ::1 off the wire is neither ours nor anyone's (RFC 4291 2.5.3)
        l1.b.inject(now, packet(Ipv6Address.parse("::1"), B, 64, 40));
        l1.b.inject(now, packet(A, Ipv6Address.parse("::1"), 64, 40));
        assertEquals(2, cr.get("ipv6.in.drop.loopback"));
        assertEquals(0, cr.get("ipv6.in.delivers"));
        assertTrue(l2.a.sent.isEmpty());
        assertTrue(l1.b.sent.isEmpty(), "no errors about them either");
        // multicast beyond the link: not joined, never routed
        l1.b.inject(now, packet(A, Ipv6Address.parse("ff0e::1"), 64, 40));
        assertTrue(l2.a.sent.isEmpty());
    }

    @Test void notSentBackOutOfAPointToPointInterface() {
        l1.b.inject(now, packet(A, Ipv6Address.parse("fd00:1::77"), 64, 40));
        Icmpv6Repr.DestinationUnreachable du = assertInstanceOf(Icmpv6Repr.DestinationUnreachable.class, icmp(l1.b.sent.getFirst()));
        assertEquals(Icmpv6Repr.CODE_ADDRESS_UNREACHABLE, du.code());
        assertEquals(1, cr.get("ipv6.fwd.drop.same_interface"));
    }

    @Test void fragmentsPassAsTheyAre() {
        Ipv6ExtensionHeader.Fragment fh = new Ipv6ExtensionHeader.Fragment(Ipv6Repr.NH_UDP, 0, true, 0x77);
        Ipv6Repr ip = new Ipv6Repr(0, 0, Ipv6ExtensionHeader.FRAGMENT_LENGTH + 64, Ipv6Repr.NH_FRAGMENT, 64, A, B);
        byte[] p = new byte[ip.totalLength()];
        ip.emit(p, 0);
        fh.emit(p, Ipv6Repr.HEADER_LENGTH);
        l1.b.inject(now, p.clone());
        byte[] out = l2.a.sent.getFirst();
        p[7] = 63;
        assertArrayEquals(p, out);
        assertEquals(0, cr.get("ipv6.reasm.reqds"), "a router does not reassemble what it forwards");
    }

    @Test void pingAndUdpEndToEndWithPathMtuDiscoveryThroughTheRouter() {
        List<Integer> replies = new ArrayList<>();
        a.setEchoReplyListener(echo6((from, hopLimit) -> {
            assertEquals(B, from);
            replies.add(hopLimit);
        }));
        a.ping6(now, B, 7, 1, new byte[56], -1);
        settle();
        assertEquals(List.of(63), replies, "B's reply, one hop lower");

        UdpSocket sink = b.udpBind(Ipv6Address.ANY, 9);
        UdpSocket src = a.udpBind(Ipv6Address.ANY, 0);
        byte[] data = new byte[1400];
        for (int i = 0; i < data.length; i++) data[i] = (byte) (i * 7);
        assertEquals(1500, a.mtuFor(B));
        src.sendTo(now, B, 9, data, 0, data.length);
        settle();
        assertEquals(null, sink.receive(), "1448 bytes do not fit link 2: Packet Too Big instead");
        assertEquals(1280, a.mtuFor(B), "A learnt the path MTU from R's error (RFC 8201)");
        src.sendTo(now, B, 9, data, 0, data.length);
        settle();
        UdpDatagram d = sink.receive();
        assertNotNull(d, "fragmented at the source this time");
        assertArrayEquals(data, d.data());
        assertEquals(1 + 2, cr.get("ipv6.fwd.rb.out"), "the ping, then two fragments through R");
        assertEquals(1, cb.get("ipv6.reasm.ok"));
    }

    @Test void aFirewallFiltersForwardedIpv6() {
        var rules = ((org.netstack4j.filter.RuleSet.Loaded.Ok) org.netstack4j.filter.RuleSet.parse("""
                chain forward policy drop
                accept state established,related
                accept in ra out rb
                reject with tcp-reset in rb tcp to port 23
                """)).rules();
        r.setNetfilter(new org.netstack4j.filter.Netfilter(rules, org.netstack4j.filter.ConnTrackConfig.defaults(), List.of(),
                java.util.Map.of(), java.util.Map.of("ra", RA, "rb", RB), cr));
        List<Ipv6Address> repliesAtA = new ArrayList<>(), repliesAtB = new ArrayList<>();
        a.setEchoReplyListener(echo6((from, hopLimit) -> repliesAtA.add(from)));
        b.setEchoReplyListener(echo6((from, hopLimit) -> repliesAtB.add(from)));
        a.ping6(now, B, 1, 1, new byte[8], -1);
        settle();
        assertEquals(List.of(B), repliesAtA, "out allowed, the reply back in by state");
        b.ping6(now, A, 2, 1, new byte[8], -1);
        settle();
        assertEquals(List.of(), repliesAtB, "unsolicited from B: dropped");
        assertEquals(1, cr.get("ipv6.filtered.forward"));
        assertEquals(0, cr.get("ipv4.filtered.forward"));

        // B's SYN to A's telnet port: R answers with a reset from A's address
        byte[] p = tcp(B, A, new TcpRepr(5555, 23, 1000, 0, TcpRepr.SYN, 1000, 0, List.of()));
        int before = l2.a.sent.size();
        l2.a.inject(now, p);
        byte[] rst = l2.a.sent.get(before);
        Ipv6Repr rip = parse(rst);
        assertEquals(A, rip.src());
        assertEquals(B, rip.dst());
        TcpRepr th = ((Parsed.Ok<TcpRepr>) TcpRepr.parse(rip.src(), rip.dst(), rst, Ipv6Repr.HEADER_LENGTH, rip.payloadLength(), true)).value();
        assertEquals(TcpRepr.RST | TcpRepr.ACK, th.flags());
        assertEquals(1001, th.ack());
        assertTrue(l1.b.sent.stream().noneMatch(f -> parse(f).nextHeader() == Ipv6Repr.NH_TCP), "the SYN never reached A's link");
        assertEquals(1, cr.get("ipv4.filtered.rejects_sent"));

        // a corrupt segment from A (bad TCP checksum) is dropped before the firewall tracks it
        byte[] bp = tcp(A, B, new TcpRepr(40000, 80, 1, 0, TcpRepr.SYN, 1000, 0, List.of()));
        bp[Ipv6Repr.HEADER_LENGTH + 16] ^= 1;
        int out = l2.a.sent.size();
        l1.b.inject(now, bp);
        assertEquals(out, l2.a.sent.size(), "not forwarded");
        assertEquals(1, cr.get("ipv6.filtered.prerouting"));
    }

    @Test void overEthernetNeighborDiscoveryFindsEachNextHop() {
        TestLink e1 = new TestLink(Medium.ETHERNET, 1500), e2 = new TestLink(Medium.ETHERNET, 1500);
        Counters c2 = new Counters();
        IpStack ea = new IpStack(null, new Counters(), 11), er = new IpStack(null, c2, 12), eb = new IpStack(null, new Counters(), 13);
        for (IpStack st : List.of(ea, er, eb)) st.setIpv6DadTransmits(0);
        connect(ea, er, eb, e1, e2, true);
        ea.routes().add(new RoutingTable.Route6(Ipv6Address.ANY, 0, RA, null));
        eb.routes().add(new RoutingTable.Route6(Ipv6Address.ANY, 0, RB, null));
        er.setIpv6Forwarding(true);
        UdpSocket sink = eb.udpBind(Ipv6Address.ANY, 9);
        UdpSocket src = ea.udpBind(Ipv6Address.ANY, 0);
        byte[] data = "through a router over Ethernet".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        src.sendTo(now, B, 9, data, 0, data.length);
        for (int i = 0; i < 100; i++) if (e1.drain(now) + e2.drain(now) == 0) break;
        UdpDatagram d = sink.receive();
        assertNotNull(d, "A resolved R, R resolved B (RFC 4861), R forwarded");
        assertArrayEquals(data, d.data());
        assertEquals(63, d.ip().ttl());
        assertEquals(1, c2.get("ipv6.fwd.datagrams"));
    }
}
