package org.netstack4j.host;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.netstack4j.ip.EchoReplyListener;
import org.netstack4j.path.PmtuDiscovery;
import org.netstack4j.sim.LinkConfig;
import org.netstack4j.sim.SimLink;
import org.netstack4j.sim.Simulator;
import org.netstack4j.tcp.ConnectOptions;
import org.netstack4j.tcp.TcpConfig;
import org.netstack4j.tcp.TcpConnection;
import org.netstack4j.tcp.TcpEventListener;
import org.netstack4j.tcp.TcpState;
import org.netstack4j.time.Time;
import org.netstack4j.trace.TraceEvent;
import org.netstack4j.trace.Tracer;
import org.netstack4j.wire.IcmpRepr;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.MacAddress;
import org.netstack4j.wire.TcpOption;
import org.netstack4j.wire.TcpRepr;

/**
 * Complete hosts in a chain A — R — B (or A — R1 — R2 — B) on simulated Ethernet links, the
 * routers with forwarding on. Link i is 10.(i+1).0.0/24, its left end .1 and right end .2;
 * every node routes to the subnets it is not on through its neighbours.
 */
class RouterSimTest {
    record Net(Simulator sim, Host[] nodes) {
        Host a() { return nodes[0]; }
        Host b() { return nodes[nodes.length - 1]; }
        Ipv4Address bAddr() { return addr(nodes.length - 2, 2); }
    }

    static Ipv4Address addr(int link, int end) { return Ipv4Address.of(10, link + 1, 0, end); }

    /** mtus[i]: the MTU of link i; nodes = links + 1. */
    static Net chain(Tracer tracerA, int... mtus) { return chain(TcpConfig.defaults(), tracerA, mtus); }

    /** {@link #chain} whose hosts and routers run {@code tcp}. */
    static Net chain(TcpConfig tcp, Tracer tracerA, int... mtus) {
        Simulator sim = new Simulator(42);
        int n = mtus.length + 1;
        Host[] nodes = new Host[n];
        for (int i = 0; i < n; i++) {
            nodes[i] = new Host("n" + i, tcp, i == 0 && tracerA != null ? tracerA : Tracer.NONE, 100 + i);
            sim.add(nodes[i]);
        }
        for (int i = 0; i < mtus.length; i++) {
            SimLink l = sim.link("l" + i, LinkConfig.builder().latencyNs(Time.us(200)).bandwidthBitsPerSec(100_000_000L)
                    .mtu(mtus[i]).build());
            nodes[i].addInterface("e" + i + "r", l.a(), new MacAddress(0x02_00_00_00_10_00L + i * 2), addr(i, 1), 24);
            nodes[i + 1].addInterface("e" + i + "l", l.b(), new MacAddress(0x02_00_00_00_10_01L + i * 2), addr(i, 2), 24);
        }
        for (int j = 0; j < n; j++) {
            for (int k = 0; k < mtus.length; k++) {
                if (k == j - 1 || k == j) continue; // connected
                Ipv4Address via = k < j ? addr(j - 1, 1) : addr(j, 2);
                nodes[j].ip().routes().add(new org.netstack4j.ip.RoutingTable.Route(addr(k, 0), 24, via, null));
            }
            if (j > 0 && j < n - 1) nodes[j].ip().setForwarding(true);
        }
        return new Net(sim, nodes);
    }

    /** A sends {@code size} bytes to B:80; returns what B received. */
    static byte[] transfer(Net net, int size) { return transfer(net, size, new ArrayList<>()); }

    /** ... and adds the client address B's listener saw to {@code peers}. */
    static byte[] transfer(Net net, int size, List<org.netstack4j.wire.IpAddress> peers) {
        return transfer(net, size, peers, net.bAddr());
    }

    /** ... to B's address {@code to} (either family). */
    static byte[] transfer(Net net, int size, List<org.netstack4j.wire.IpAddress> peers, org.netstack4j.wire.IpAddress to) {
        return transfer(net, size, peers, to, 80, o -> o);
    }

    /** ... to B's port {@code port}, A connecting with {@code options} (from the routed source address). */
    static byte[] transfer(Net net, int size, List<org.netstack4j.wire.IpAddress> peers, org.netstack4j.wire.IpAddress to, int port,
                           UnaryOperator<ConnectOptions> options) {
        Simulator sim = net.sim();
        byte[] data = new byte[size];
        for (int i = 0; i < size; i++) data[i] = (byte) (i * 31 + (i >>> 9));
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[65536];
        net.b().listen(sim.now(), port, 16, l -> {
            TcpConnection c;
            while ((c = l.accept()) != null) {
                peers.add(c.remoteAddress());
                c.setListener(new TcpEventListener() {
                @Override public void onReadable(TcpConnection conn) {
                    int k;
                    while ((k = conn.receive(sim.now(), buf, 0, buf.length)) > 0) got.write(buf, 0, k);
                }
                });
            }
        });
        int[] sent = {0};
        TcpConnection client = net.a().tcp().connect(sim.now(), to, port, new TcpEventListener() {
            @Override public void onWritable(TcpConnection c) {
                if (sent[0] < data.length) sent[0] += c.send(sim.now(), data, sent[0], data.length - sent[0]);
            }
            @Override public void onEstablished(TcpConnection c) { onWritable(c); }
        }, options.apply(ConnectOptions.from(net.a().ip().sourceAddressFor(to))));
        assertTrue(sim.runUntil(() -> got.size() == data.length, Time.s(60)), "transfer finished: " + got.size());
        assertEquals(TcpState.ESTABLISHED, client.state());
        assertArrayEquals(data, got.toByteArray(), "intact");
        return got.toByteArray();
    }

    record Echo(Ipv4Address from, int ttl, IcmpRepr error) {}

    static List<Echo> listen(Host h) {
        List<Echo> out = new ArrayList<>();
        h.ip().setEchoReplyListener(new EchoReplyListener() {
            @Override public void onEchoReply(long now, Ipv4Address from, int id, int seq, int ttl, byte[] data) {
                out.add(new Echo(from, ttl, null));
            }
            @Override public void onEchoError(long now, Ipv4Address reporter, IcmpRepr error, int id, int seq) {
                out.add(new Echo(reporter, -1, error));
            }
        });
        return out;
    }

    @Test void tcpTransferThroughTheRouterIsIntact() {
        Net net = chain(null, 1500, 1500);
        transfer(net, 1_000_000);
        Host r = net.nodes()[1];
        assertTrue(r.counters().get("ipv4.fwd.datagrams") > 700, "R forwarded the segments");
        assertTrue(r.counters().get("ipv4.fwd.e0l.in") > 600);
        assertTrue(r.counters().get("ipv4.fwd.e1r.in") > 100, "B's ACKs");
        assertEquals(0, r.counters().get("tcp.in.segments"), "R's own TCP saw nothing: " + r.counters().get("tcp.in.segments"));
    }

    @Test void ttlSeenAcrossOneRouterIs63() {
        Net net = chain(null, 1500, 1500);
        List<Echo> atA = listen(net.a()), atB = listen(net.b());
        net.a().ip().ping(net.sim().now(), net.bAddr(), 1, 1, new byte[8], -1);
        net.b().ip().ping(net.sim().now(), addr(0, 1), 2, 1, new byte[8], -1);
        net.sim().runUntil(net.sim().now() + Time.s(1));
        assertEquals(List.of(new Echo(net.bAddr(), 63, null)), atA);
        assertEquals(List.of(new Echo(addr(0, 1), 63, null)), atB, "TTL seen at B");
    }

    @Test void pingWithTtlOneGetsTimeExceededFromTheRouter() {
        Net net = chain(null, 1500, 1500);
        List<Echo> atA = listen(net.a());
        net.a().ip().ping(net.sim().now(), net.bAddr(), 1, 1, new byte[8], 1);
        net.sim().runUntil(net.sim().now() + Time.s(1));
        assertEquals(1, atA.size());
        assertEquals(addr(0, 2), atA.getFirst().from(), "R's address on A's side");
        assertInstanceOf(IcmpRepr.TimeExceeded.class, atA.getFirst().error());
    }

    @Test void noRouteGivesNetUnreachable() {
        Net net = chain(null, 1500, 1500);
        net.a().ip().setDefaultGateway(addr(0, 2));
        List<Echo> atA = listen(net.a());
        net.a().ip().ping(net.sim().now(), Ipv4Address.of(192, 0, 2, 1), 1, 1, new byte[8], -1);
        net.sim().runUntil(net.sim().now() + Time.s(1));
        IcmpRepr.DestinationUnreachable du = assertInstanceOf(IcmpRepr.DestinationUnreachable.class, atA.getFirst().error());
        assertEquals(IcmpRepr.CODE_NET_UNREACHABLE, du.code());
    }

    @Test void arpFailureOnTheFarSideGivesHostUnreachable() {
        Net net = chain(null, 1500, 1500);
        List<Echo> atA = listen(net.a());
        net.a().ip().ping(net.sim().now(), addr(1, 9), 1, 1, new byte[8], -1);
        net.sim().runUntil(net.sim().now() + Time.s(10));
        IcmpRepr.DestinationUnreachable du = assertInstanceOf(IcmpRepr.DestinationUnreachable.class, atA.getFirst().error());
        assertEquals(IcmpRepr.CODE_HOST_UNREACHABLE, du.code());
        assertEquals(addr(0, 2), atA.getFirst().from());
    }

    @Test void pathMtuDiscoveryThroughAnMtu576Hop() {
        List<TraceEvent> trace = new ArrayList<>();
        Net net = chain(trace::add, 1500, 576, 1500);
        net.a().setDontFragment(true);
        transfer(net, 300_000);
        Host r1 = net.nodes()[1];
        assertTrue(r1.counters().get("ipv4.fwd.drop.frag_needed") > 0, "R1 said fragmentation needed");
        assertEquals(0, r1.counters().get("ipv4.fwd.fragmented"));
        assertTrue(net.a().counters().get("tcp.pmtu_reductions") > 0, "A lowered its MSS");
        // what TCP learnt sits in the stack's one path MTU cache, the IP layer's
        assertEquals(1, net.a().counters().get("path.mtu.learnt"));
        assertEquals(576, net.a().ip().pathMtus().mtu(net.sim().now(), net.bAddr()));
        int maxLate = 0;
        List<TraceEvent.Segment> segs = new ArrayList<>();
        for (TraceEvent e : trace) if (e instanceof TraceEvent.Segment s && !s.in()) segs.add(s);
        for (TraceEvent.Segment s : segs.subList(segs.size() / 2, segs.size())) maxLate = Math.max(maxLate, s.payloadLength());
        assertTrue(maxLate <= 576 - 40 && maxLate > 400, "segments fit the 576 hop: " + maxLate);
    }

    @Test void withoutDontFragmentTheRouterFragments() {
        Net net = chain(null, 1500, 576, 1500);
        transfer(net, 300_000);
        Host r1 = net.nodes()[1];
        assertEquals(0, r1.counters().get("ipv4.fwd.drop.frag_needed"));
        assertTrue(r1.counters().get("ipv4.fwd.fragmented") > 100, "R1 fragmented the full-size segments");
        assertTrue(net.b().counters().get("ipv4.reasm.ok") > 100, "B reassembled them");
    }

    /** The largest payload A sent in {@code trace}'s second half, and the MSS its first SYN announced. */
    static int[] maxLatePayloadAndSynMss(List<TraceEvent> trace) {
        List<TraceEvent.Segment> segs = new ArrayList<>();
        for (TraceEvent e : trace) if (e instanceof TraceEvent.Segment s && !s.in()) segs.add(s);
        int maxLate = 0;
        for (TraceEvent.Segment s : segs.subList(segs.size() / 2, segs.size())) maxLate = Math.max(maxLate, s.payloadLength());
        TcpRepr syn = segs.stream().filter(s -> s.tcp().has(TcpRepr.SYN)).findFirst().orElseThrow().tcp();
        int mss = syn.options().stream().filter(o -> o instanceof TcpOption.Mss).mapToInt(o -> ((TcpOption.Mss) o).mss()).findFirst().orElse(-1);
        return new int[] {maxLate, mss};
    }

    @Test void theLinuxProfileSetsDfAndTheNextConnectionStartsWithinThePath() {
        List<TraceEvent> trace = new ArrayList<>();
        Net net = chain(TcpConfig.linuxLike(), trace::add, 1500, 576, 1500);
        transfer(net, 300_000); // no Host.setDontFragment: IP_PMTUDISC_WANT, the Linux profile's
        Host r1 = net.nodes()[1];
        long needed = r1.counters().get("ipv4.fwd.drop.frag_needed");
        assertTrue(needed > 0, "DF on: R1 said fragmentation needed");
        assertEquals(0, r1.counters().get("ipv4.fwd.fragmented"));
        assertTrue(net.a().counters().get("tcp.pmtu_reductions") > 0, "A lowered its MSS");
        assertEquals(576, net.a().ip().pathMtus().mtu(net.sim().now(), net.bAddr()));
        assertEquals(1460, maxLatePayloadAndSynMss(trace)[1], "the first SYN announced the interface's MSS");

        trace.clear();
        transfer(net, 300_000, new ArrayList<>(), net.bAddr(), 81, o -> o);
        assertEquals(needed, r1.counters().get("ipv4.fwd.drop.frag_needed"), "the next connection sent nothing too big");
        assertEquals(0, r1.counters().get("ipv4.fwd.fragmented"));
        int[] late = maxLatePayloadAndSynMss(trace);
        assertEquals(576 - 40, late[1], "its SYN announced the path's MSS (RFC 9293 3.7.1 over the path MTU, as Linux's ipv4_mtu)");
        assertTrue(late[0] <= 576 - 40 && late[0] > 400, "segments fit the 576 hop: " + late[0]);
    }

    @Test void ipMtuDiscoverPerSocket() {
        // DONT under the Linux profile: no DF, R1 fragments
        Net net = chain(TcpConfig.linuxLike(), null, 1500, 576, 1500);
        transfer(net, 100_000, new ArrayList<>(), net.bAddr(), 80, o -> o.withPmtuDiscovery(PmtuDiscovery.DONT));
        Host r1 = net.nodes()[1];
        assertEquals(0, r1.counters().get("ipv4.fwd.drop.frag_needed"));
        assertTrue(r1.counters().get("ipv4.fwd.fragmented") > 30, "R1 fragmented the full-size segments");
        // DO under the RFC profile (whose TCP sends without DF): DF, path MTU discovery
        Net rfc = chain(null, 1500, 576, 1500);
        transfer(rfc, 100_000, new ArrayList<>(), rfc.bAddr(), 80, o -> o.withPmtuDiscovery(PmtuDiscovery.DO));
        assertTrue(rfc.nodes()[1].counters().get("ipv4.fwd.drop.frag_needed") > 0);
        assertEquals(0, rfc.nodes()[1].counters().get("ipv4.fwd.fragmented"));
        assertEquals(576, rfc.a().ip().pathMtus().mtu(rfc.sim().now(), rfc.bAddr()));
    }

    @Test void ipv4DatagramsAreSizedByTheLearntPathMtu() {
        Net net = chain(TcpConfig.linuxLike(), null, 1500, 576, 1500);
        transfer(net, 100_000);
        Host r1 = net.nodes()[1];
        long aFragments = net.a().counters().get("ipv4.frag.creates");
        // a datagram without DF larger than the path: A fragments it to the learnt 576, not R1
        Ipv4Address src = net.a().ip().sourceAddressFor(net.bAddr());
        assertTrue(net.a().ip().send(net.sim().now(), src, net.bAddr(), 17, 64, false, new byte[1400], 0, 1400));
        net.sim().runUntil(net.sim().now() + Time.ms(50));
        assertEquals(aFragments + 3, net.a().counters().get("ipv4.frag.creates"), "three fragments of at most 576 bytes");
        assertEquals(0, r1.counters().get("ipv4.fwd.fragmented"));
        assertTrue(net.b().counters().get("ipv4.reasm.ok") > 0, "B reassembled it");
        // with DF the same datagram is refused at A (RFC 1191: the sender learns from its own cache)
        long fails = net.a().counters().get("ipv4.frag.fails");
        assertFalse(net.a().ip().send(net.sim().now(), src, net.bAddr(), 17, 64, true, new byte[1400], 0, 1400));
        assertEquals(fails + 1, net.a().counters().get("ipv4.frag.fails"));
    }

    @Test void aHostDoesNotForward() {
        Net net = chain(null, 1500, 1500);
        net.nodes()[1].ip().setForwarding(false);
        List<Echo> atA = listen(net.a());
        net.a().ip().ping(net.sim().now(), net.bAddr(), 1, 1, new byte[8], -1);
        net.sim().runUntil(net.sim().now() + Time.s(1));
        assertTrue(atA.isEmpty());
        assertEquals(1, net.nodes()[1].counters().get("ipv4.in.drop.not_for_us"));
    }
}
