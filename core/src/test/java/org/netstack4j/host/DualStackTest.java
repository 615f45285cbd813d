package org.netstack4j.host;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.netstack4j.ip.EchoReplyListener;
import org.netstack4j.ip.Ipv6AddressState;
import org.netstack4j.ip.Ipv6Neighbor;
import org.netstack4j.ip.Ipv6Neighbor.NdState;
import org.netstack4j.ip.UdpError;
import org.netstack4j.ip.UdpSocket;
import org.netstack4j.tcp.TcpConnection;
import org.netstack4j.tcp.TcpEventListener;
import org.netstack4j.time.Time;
import org.netstack4j.trace.TraceEvent;
import org.netstack4j.wire.Icmpv6Repr;
import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv6Address;
import org.netstack4j.wire.Ipv6Repr;
import org.netstack4j.wire.NdOption;
import org.netstack4j.wire.TcpOption;
import org.netstack4j.wire.TcpRepr;

/** Two hosts with both families on one simulated Ethernet link (issue 13): ND, DAD, ping6, TCP and UDP over IPv6. */
class DualStackTest {
    static final Ipv6Address C6 = TwoHostNetwork.CLIENT_ADDRESS6, S6 = TwoHostNetwork.SERVER_ADDRESS6;

    static TwoHostNetwork net() { return TwoHostNetwork.builder().seed(7).ipv6(true).build(); }

    static List<String> notes(TraceLog log, String layer) {
        List<String> out = new ArrayList<>();
        for (TraceEvent e : log.events()) if (e instanceof TraceEvent.Note n && n.layer().equals(layer)) out.add(n.text());
        return out;
    }

    static Ipv6Neighbor neighbor(Host h, Ipv6Address ip) {
        for (Ipv6Neighbor n : h.ip().ipv6Neighbors()) if (n.ip().equals(ip)) return n;
        return null;
    }

    static Ipv6Address linkLocal(Host h) {
        for (Ipv6AddressState a : h.ip().ipv6Addresses()) if (a.address().isLinkLocal()) return a.address();
        throw new AssertionError("no link-local address");
    }

    record Reply(long time, Ipv6Address from, int id, int seq, byte[] data) {}

    static List<Reply> listen(Host h) {
        List<Reply> replies = new ArrayList<>();
        h.ip().setEchoReplyListener(new EchoReplyListener() {
            @Override public void onEchoReply(long now, Ipv4Address from, int id, int seq, int ttl, byte[] data) {}
            @Override public void onEchoReply6(long now, Ipv6Address from, int id, int seq, int hopLimit, byte[] data) {
                replies.add(new Reply(now, from, id, seq, data));
            }
        });
        return replies;
    }

    @Test void duplicateAddressDetectionMakesEveryAddressPreferred() {
        try (TwoHostNetwork net = net()) {
            for (Host h : List.of(net.client(), net.server())) {
                List<Ipv6AddressState> addrs = h.ip().ipv6Addresses();
                assertEquals(2, addrs.size(), addrs.toString());
                for (Ipv6AddressState a : addrs) assertEquals(Ipv6AddressState.State.PREFERRED, a.state(), a.toString());
                assertEquals(2, h.counters().get("nd.dad.ok"));
            }
            assertTrue(linkLocal(net.client()).isLinkLocal());
            assertFalse(linkLocal(net.client()).equals(linkLocal(net.server())));
            assertTrue(notes(net.clientLog(), "nd").contains("DAD: who-has fd00::1 (tentative)"), notes(net.clientLog(), "nd").toString());
            assertTrue(net.now() >= Time.s(1), "DAD waits RetransTimer");
        }
    }

    @Test void linkLocalAddressIsStablePerRfc7217() {
        Ipv6Address a, b, other;
        try (TwoHostNetwork n = net()) { a = linkLocal(n.client()); }
        try (TwoHostNetwork n = net()) { b = linkLocal(n.client()); }
        try (TwoHostNetwork n = TwoHostNetwork.builder().seed(8).ipv6(true).build()) { other = linkLocal(n.client()); }
        assertEquals(a, b, "same secret, same interface: same address");
        assertFalse(a.equals(other), "another secret (seed): another interface id");
        assertEquals(0xfe80_0000_0000_0000L, a.high());
    }

    @Test void ping6BothWaysWithNeighborDiscoveryInTheTrace() {
        try (TwoHostNetwork net = net()) {
            List<Reply> atClient = listen(net.client()), atServer = listen(net.server());
            net.client().ip().ping6(net.now(), S6, 7, 1, new byte[] {1, 2, 3}, -1);
            net.runUntil(net.now() + Time.ms(100));
            assertEquals(1, atClient.size());
            assertEquals(S6, atClient.get(0).from());
            assertArrayEquals(new byte[] {1, 2, 3}, atClient.get(0).data());
            assertTrue(notes(net.clientLog(), "nd").contains("who-has fd00::2 tell fd00::1"), notes(net.clientLog(), "nd").toString());
            assertTrue(notes(net.serverLog(), "nd").contains("fd00::2 is-at 02:00:00:00:00:02 to fd00::1"), notes(net.serverLog(), "nd").toString());
            // RFC 4861 7.2.5: a solicited NA makes the entry REACHABLE; the NS made the server's STALE, the reply DELAY
            assertEquals(NdState.REACHABLE, neighbor(net.client(), S6).state());
            assertEquals(TwoHostNetwork.SERVER_MAC, neighbor(net.client(), S6).mac());
            assertEquals(NdState.DELAY, neighbor(net.server(), C6).state());

            net.server().ip().ping6(net.now(), C6, 8, 1, new byte[0], -1);
            net.runUntil(net.now() + Time.ms(100));
            assertEquals(1, atServer.size());
            assertEquals(C6, atServer.get(0).from());
            // to and from the link-local addresses too
            net.client().ip().ping6(net.now(), linkLocal(net.server()), 7, 2, new byte[0], -1);
            net.runUntil(net.now() + Time.ms(100));
            assertEquals(2, atClient.size());
            assertEquals(linkLocal(net.server()), atClient.get(1).from());
        }
    }

    @Test void neighborUnreachabilityDetectionWalksTheStates() {
        try (TwoHostNetwork net = net()) {
            listen(net.client());
            net.client().ip().ping6(net.now(), S6, 7, 1, new byte[0], -1);
            net.runUntil(net.now() + Time.ms(100));
            assertEquals(NdState.DELAY, neighbor(net.server(), C6).state());
            // RFC 4861 7.3.3: DELAY_FIRST_PROBE_TIME (5 s), then a unicast probe, answered: REACHABLE
            net.runUntil(net.now() + Time.s(5));
            assertEquals(NdState.REACHABLE, neighbor(net.server(), C6).state());
            assertTrue(notes(net.serverLog(), "nd").contains("who-has fd00::1 tell fd00::2 (unicast probe)"));
            // REACHABLE_TIME (30 s, times a factor in [0.5, 1.5)): STALE
            net.runUntil(net.now() + Time.s(46));
            assertEquals(NdState.STALE, neighbor(net.server(), C6).state());
            assertEquals(NdState.STALE, neighbor(net.client(), S6).state());
        }
    }

    @Test void unansweredSolicitationsGiveUpAndDropTheQueuedPackets() {
        try (TwoHostNetwork net = net()) {
            Ipv6Address nobody = Ipv6Address.parse("fd00::99");
            for (int i = 0; i < 10; i++) net.client().ip().ping6(net.now(), nobody, 1, i, new byte[0], -1);
            Ipv6Neighbor n = neighbor(net.client(), nobody);
            assertEquals(NdState.INCOMPLETE, n.state());
            assertEquals(8, n.queued(), "bounded queue while INCOMPLETE");
            assertEquals(2, net.client().counters().get("nd.queue.overflow"));
            net.runUntil(net.now() + Time.s(4));
            assertEquals(null, neighbor(net.client(), nobody));
            assertEquals(1, net.client().counters().get("nd.resolve.failed"));
            assertEquals(8, net.client().counters().get("ipv6.out.drop.no_neighbor"));
        }
    }

    @Test void tcpTransferOverIpv6IsIntactWithMssFromMtuLess60() {
        try (TwoHostNetwork net = net()) {
            BulkTransfer.Result r = BulkTransfer.run(net, 1_000_000, BulkTransfer.Direction.BOTH, 7, Time.s(600));
            assertTrue(r.ok(), r.toString());
            boolean sawV6Syn = false;
            for (TraceEvent e : net.clientLog().events())
                if (e instanceof TraceEvent.Segment s && !s.in() && s.tcp().has(TcpRepr.SYN)) {
                    assertEquals(S6, s.connection().remoteAddress());
                    int mss = s.tcp().options().stream().filter(o -> o instanceof TcpOption.Mss)
                            .mapToInt(o -> ((TcpOption.Mss) o).mss()).findFirst().orElse(0);
                    assertEquals(1440, mss, "RFC 8200 8.3: MSS = 1500 - 40 - 20");
                    sawV6Syn = true;
                }
            assertTrue(sawV6Syn);
            assertTrue(net.client().counters().get("ipv6.in.delivers") > 500);
            assertEquals(0, net.client().counters().get("ipv4.out.packets"));
        }
    }

    @Test void udpToAClosedPortGetsPortUnreachable() {
        try (TwoHostNetwork net = net()) {
            UdpSocket s = net.client().ip().udpBind(Ipv6Address.ANY, 0);
            assertTrue(s.sendTo(net.now(), S6, 9, new byte[] {42}, 0, 1));
            net.runUntil(net.now() + Time.ms(100));
            UdpError e = s.error();
            assertNotNull(e);
            assertEquals(Icmpv6Repr.TYPE_DEST_UNREACHABLE, e.type());
            assertEquals(Icmpv6Repr.CODE_PORT_UNREACHABLE, e.code());
            assertEquals(S6, e.reporter());
            assertEquals(1, net.server().counters().get("icmp6.out.dest_unreachs"));
            // and a datagram to a bound port arrives with its IpMeta
            UdpSocket srv = net.server().ip().udpBind(S6, 9);
            s.sendTo(net.now(), S6, 9, new byte[] {43}, 0, 1);
            net.runUntil(net.now() + Time.ms(100));
            var d = srv.receive();
            assertEquals(C6, d.ip().src());
            assertEquals(64, d.ip().ttl());
        }
    }

    @Test void unknownNextHeaderGetsParameterProblemCode1PointingAtIt() {
        try (TwoHostNetwork net = net()) {
            List<Icmpv6Repr> errors = new ArrayList<>();
            net.client().ip().setProtocolHandler(253, new org.netstack4j.ip.IpProtocolHandler() {
                @Override public void receive(long now, org.netstack4j.wire.Ipv4Repr ip, byte[] buf, int off, int len) {}
                @Override public void icmpv6Error(long now, Icmpv6Repr error, Ipv6Address src, Ipv6Address dst, byte[] q, int off, int len) {
                    errors.add(error);
                }
            });
            assertTrue(net.client().ip().send(net.now(), C6, S6, 253, 0, -1, false, 8, (b, o) -> {}));
            net.runUntil(net.now() + Time.ms(100));
            assertEquals(1, errors.size());
            Icmpv6Repr.ParameterProblem pp = (Icmpv6Repr.ParameterProblem) errors.get(0);
            assertEquals(1, pp.code());
            assertEquals(6, pp.pointer(), "RFC 8200 4: the pointer names the Next Header field");
            assertEquals(1, net.server().counters().get("ipv6.in.unknown_protos"));
        }
    }

    @Test void icmpv6ErrorsAreRateLimited() {
        try (TwoHostNetwork net = net()) {
            net.client().ip().ping6(net.now(), S6, 1, 1, new byte[0], -1); // resolve the neighbours first
            net.runUntil(net.now() + Time.ms(10));
            for (int i = 0; i < 60; i++) net.client().ip().send(net.now(), C6, S6, 253, 0, -1, false, 8, (b, o) -> {});
            net.runUntil(net.now() + Time.us(100)); // under one millisecond: no refill
            assertEquals(50, net.server().counters().get("icmp6.out.parm_problems"));
            assertEquals(10, net.server().counters().get("icmp6.out.rate_limited"));
        }
    }

    @Test void duplicateAddressIsDetectedAndNotUsed() {
        try (TwoHostNetwork net = net()) {
            net.server().ip().addIpv6Address("eth0", C6, 64); // the client's address
            net.runUntil(net.now() + Time.s(2));
            assertEquals(1, net.server().counters().get("nd.dad.duplicates"));
            assertFalse(net.server().ip().isLocalAddress(C6));
            boolean dup = net.server().ip().ipv6Addresses().stream()
                    .anyMatch(a -> a.address().equals(C6) && a.state() == Ipv6AddressState.State.DUPLICATE);
            assertTrue(dup, net.server().ip().ipv6Addresses().toString());
            assertTrue(net.client().ip().isLocalAddress(C6), "the owner keeps it");
        }
    }

    @Test void packetTooBigLowersThePathMtuAndTheTransferCompletes() {
        try (TwoHostNetwork net = net()) {
            // the server plays a router that says the path to it is 1280 bytes, once the client is sending
            long[] sent = {0};
            TcpConnection[] conn = new TcpConnection[1];
            net.server().listen(net.now(), 80, 4, l -> l.accept());
            conn[0] = net.client().connect(net.now(), S6, 80, new TcpEventListener() {
                @Override public void onEstablished(TcpConnection c) {
                    byte[] d = new byte[20_000];
                    sent[0] += c.send(net.now(), d, 0, d.length);
                }
            });
            net.runUntil(() -> sent[0] > 0, Time.s(5));
            TcpConnection c = conn[0];
            byte[] quote = new byte[48];
            new Ipv6Repr(0, 0, 1440, Ipv6Repr.NH_TCP, 64, C6, S6).emit(quote, 0);
            quote[40] = (byte) (c.localPort() >> 8); quote[41] = (byte) c.localPort();
            quote[42] = 0; quote[43] = 80;
            int seq = c.status().sndUna();
            quote[44] = (byte) (seq >>> 24); quote[45] = (byte) (seq >>> 16); quote[46] = (byte) (seq >>> 8); quote[47] = (byte) seq;
            Icmpv6Repr ptb = new Icmpv6Repr.PacketTooBig(1280, quote);
            net.server().ip().send(net.now(), S6, C6, Ipv6Repr.NH_ICMPV6, 0, -1, false, ptb.length(), (b, o) -> ptb.emit(S6, C6, b, o));
            net.runUntil(net.now() + Time.ms(10));
            assertEquals(1280, net.client().ip().mtuFor(S6));
            assertEquals(1, net.client().counters().get("tcp.pmtu_reductions"));
            assertTrue(c.status().effectiveMss() <= 1280 - 60);
            // a PTB below 1280 never lowers it further (RFC 8201 4)
            Icmpv6Repr small = new Icmpv6Repr.PacketTooBig(600, quote);
            net.server().ip().send(net.now(), S6, C6, Ipv6Repr.NH_ICMPV6, 0, -1, false, small.length(), (b, o) -> small.emit(S6, C6, b, o));
            net.runUntil(net.now() + Time.ms(10));
            assertEquals(1280, net.client().ip().mtuFor(S6));
            // one cache for IP and TCP: the IPv6 layer's entry, which TCP's own lowering (floored at 1280) leaves as it is
            assertEquals(1280, net.client().ip().pathMtus().mtu(net.now(), S6));
            assertEquals(1, net.client().counters().get("path.mtu.learnt"));
            // everything sent is acknowledged, in segments that fit the new path MTU
            net.runUntil(() -> c.status().sndUna() == c.status().sndNxt(), Time.s(30));
            assertEquals(c.status().sndUna(), c.status().sndNxt());
            assertEquals(20_000, sent[0]);
        }
    }

    @Test void routerAdvertisementGivesSlaacAddressDefaultRouteAndMtu() {
        try (TwoHostNetwork net = net()) {
            Ipv6Address router = linkLocal(net.server());
            Icmpv6Repr ra = new Icmpv6Repr.RouterAdvertisement(64, 0, 1800, 0, 0, List.of(
                    new NdOption.SourceLinkLayerAddress(TwoHostNetwork.SERVER_MAC),
                    new NdOption.Mtu(1400),
                    new NdOption.PrefixInformation(64, true, true, 86400, 14400, Ipv6Address.parse("2001:db8:1::"))));
            Ipv6Address allNodes = Ipv6Address.parse("ff02::1");
            net.server().ip().send(net.now(), router, allNodes, Ipv6Repr.NH_ICMPV6, 0, 255, false, ra.length(),
                    (b, o) -> ra.emit(router, allNodes, b, o));
            net.runUntil(net.now() + Time.s(2));
            Ipv6AddressState slaac = net.client().ip().ipv6Addresses().stream()
                    .filter(a -> a.address().high() == Ipv6Address.parse("2001:db8:1::").high()).findFirst().orElseThrow();
            assertEquals(Ipv6AddressState.State.PREFERRED, slaac.state());
            assertEquals(64, slaac.prefixLength());
            assertEquals(1, net.client().counters().get("nd.slaac.addresses"));
            // the default route goes via the router; its MTU option lowers the link MTU
            IpAddress far = Ipv6Address.parse("2001:db8:99::1");
            assertEquals(slaac.address(), net.client().ip().sourceAddressFor(far));
            assertEquals(1400, net.client().ip().mtuFor(far));
            assertTrue(net.client().ip().routes().toString().contains("default via " + router), net.client().ip().routes().toString());
        }
    }
}
