package org.netstack4j.host;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.netstack4j.ip.IpInterface;
import org.netstack4j.ip.UdpSocket;
import org.netstack4j.tcp.TcpConnection;
import org.netstack4j.tcp.TcpEventListener;
import org.netstack4j.time.Time;
import org.netstack4j.wire.EthernetRepr;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv6Address;

/**
 * Hosts whose interfaces have no IPv4 address at all (issue 13: IPv6-only interfaces): duplicate
 * address detection, the handshake and data, UDP and ICMPv6 echo work, and nothing IPv4 (no ARP,
 * no IPv4 packet) is ever sent.
 */
class Ipv6OnlyTest {
    static final Ipv6Address C6 = TwoHostNetwork.CLIENT_ADDRESS6, S6 = TwoHostNetwork.SERVER_ADDRESS6;

    /** Two IPv6-only hosts; every EtherType either sends, in {@code types}. */
    static TwoHostNetwork net(List<Integer> types) {
        return TwoHostNetwork.builder().seed(11).ipv6Only(true).observeFrames((now, host, sent, frame) -> {
            if (sent) types.add((frame[12] & 0xff) << 8 | frame[13] & 0xff);
        }).build();
    }

    @Test void interfaceHasNoIpv4AndNoRoute() {
        List<Integer> types = new ArrayList<>();
        try (TwoHostNetwork net = net(types)) {
            IpInterface eth0 = net.client().ip().interfaces().getFirst();
            assertFalse(eth0.hasIpv4());
            assertNull(eth0.network());
            assertNull(eth0.broadcast());
            assertFalse(eth0.onLink(Ipv4Address.of(0, 0, 0, 0)), "no IPv4 subnet, not even 0.0.0.0/0");
            assertTrue(eth0.toString().contains("IPv6 only"), eth0.toString());
            assertTrue(net.client().ip().isLocalAddress(C6));
            assertFalse(net.client().ip().isLocalAddress(Ipv4Address.ANY));
            assertNull(net.client().ip().sourceAddressFor(Ipv4Address.of(10, 0, 0, 2)));
            assertNull(net.client().ip().sourceAddressFor(Ipv4Address.BROADCAST));
            assertEquals(2, net.client().ip().ipv6Addresses().size(), "link-local and fd00::1: " + net.client().ip().ipv6Addresses());
            // IPv4 out is refused as unroutable, never handed to ARP
            assertFalse(net.client().ip().send(net.now(), Ipv4Address.ANY, Ipv4Address.of(10, 0, 0, 2), 17, -1, new byte[4], 0, 4));
            assertFalse(net.client().ip().send(net.now(), Ipv4Address.ANY, Ipv4Address.BROADCAST, 17, -1, new byte[4], 0, 4));
            net.client().ip().ping(net.now(), Ipv4Address.of(10, 0, 0, 2), 1, 1, new byte[0], -1);
            assertEquals(3, net.client().counters().get("ipv4.out.drop.no_route"), "IPv4 ping: no route either");
            assertFalse(net.client().ip().udpBind(Ipv4Address.ANY, 0).sendTo(net.now(), Ipv4Address.of(10, 0, 0, 2), 53, new byte[1], 0, 1),
                    "UDP to an IPv4 destination has no source");
            net.runUntil(net.now() + Time.s(5));
            assertThrows(IllegalArgumentException.class, () -> new IpInterface("x", eth0.device(), eth0.mac(), null, 24),
                    "no IPv4 address, so no IPv4 prefix");
        }
        assertFalse(types.isEmpty());
        assertTrue(types.stream().allMatch(t -> t == EthernetRepr.ETHERTYPE_IPV6), "only IPv6 frames: " + types);
    }

    @Test void tcpHandshakeAndDataUdpAndPing6WithoutArp() {
        List<Integer> types = new ArrayList<>();
        try (TwoHostNetwork net = net(types)) {
            // TCP: handshake and 100 kB
            List<byte[]> got = new ArrayList<>();
            net.server().listen(net.now(), 80, 4, l -> {
                TcpConnection a;
                while ((a = l.accept()) != null) a.setListener(new TcpEventListener() {
                    @Override public void onReadable(TcpConnection c) {
                        byte[] b = new byte[65536];
                        int n;
                        while ((n = c.receive(net.now(), b, 0, b.length)) > 0) got.add(java.util.Arrays.copyOf(b, n));
                    }
                });
            });
            byte[] data = new byte[100_000];
            new java.util.Random(3).nextBytes(data);
            int[] sent = {0};
            TcpConnection c = net.client().connect(net.now(), S6, 80, new TcpEventListener() {
                @Override public void onEstablished(TcpConnection c) { sent[0] += c.send(net.now(), data, 0, data.length); }
                @Override public void onWritable(TcpConnection c) {
                    if (sent[0] < data.length) sent[0] += c.send(net.now(), data, sent[0], data.length - sent[0]);
                }
            });
            assertEquals(C6, c.localAddress(), "the source is our IPv6 address");
            assertTrue(net.runUntil(() -> got.stream().mapToInt(b -> b.length).sum() == data.length, Time.s(30)));
            java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
            for (byte[] b : got) all.writeBytes(b);
            assertArrayEquals(data, all.toByteArray());

            // UDP both ways
            UdpSocket srv = net.server().ip().udpBind(Ipv6Address.ANY, 5353);
            UdpSocket cli = net.client().ip().udpBind(Ipv6Address.ANY, 0);
            assertTrue(cli.sendTo(net.now(), S6, 5353, new byte[] {1, 2}, 0, 2));
            net.runUntil(net.now() + Time.ms(50));
            var d = srv.receive();
            assertNotNull(d);
            assertEquals(C6, d.ip().src());
            assertTrue(srv.sendTo(net.now(), C6, cli.localPort(), new byte[] {3}, 0, 1));
            net.runUntil(net.now() + Time.ms(50));
            assertNotNull(cli.receive());

            // ICMPv6 echo to the global and the link-local address
            List<DualStackTest.Reply> replies = DualStackTest.listen(net.client());
            net.client().ip().ping6(net.now(), S6, 9, 1, new byte[] {7}, -1);
            net.client().ip().ping6(net.now(), DualStackTest.linkLocal(net.server()), 9, 2, new byte[0], -1);
            net.runUntil(net.now() + Time.ms(100));
            assertEquals(2, replies.size());
            assertEquals(S6, replies.get(0).from());
            assertEquals(DualStackTest.linkLocal(net.server()), replies.get(1).from());

            for (Host h : List.of(net.client(), net.server())) {
                assertEquals(0, h.counters().get("arp.out.requests"), h.name());
                assertEquals(0, h.counters().get("ipv4.out.requests"), h.name());
                assertTrue(h.ip().neighbors().isEmpty(), "no ARP cache entries: " + h.ip().neighbors());
            }
        }
        assertTrue(types.stream().allMatch(t -> t == EthernetRepr.ETHERTYPE_IPV6), "only IPv6 frames: " + types);
    }

    @Test void arpArrivingOnAnIpv6OnlyInterfaceIsDroppedAndCounted() {
        List<Integer> types = new ArrayList<>();
        try (TwoHostNetwork net = net(types)) {
            // a dual-stack neighbour asks who has an IPv4 address: the IPv6-only server has none to answer for
            byte[] frame = new byte[60];
            new EthernetRepr(org.netstack4j.wire.MacAddress.BROADCAST, TwoHostNetwork.CLIENT_MAC, EthernetRepr.ETHERTYPE_ARP).emit(frame, 0);
            new org.netstack4j.wire.ArpRepr(org.netstack4j.wire.ArpRepr.OP_REQUEST, TwoHostNetwork.CLIENT_MAC, Ipv4Address.of(10, 0, 0, 1),
                    org.netstack4j.wire.MacAddress.ZERO, Ipv4Address.of(10, 0, 0, 2)).emit(frame, EthernetRepr.HEADER_LENGTH);
            net.client().ip().interfaces().getFirst().device().transmit(net.now(), frame);
            net.runUntil(net.now() + Time.ms(10));
            assertEquals(1, net.server().counters().get("arp.in.drop.no_ipv4"));
            assertEquals(0, net.server().counters().get("arp.out.replies"));
        }
    }

    @Test void mixedHostIpv4InterfaceBesideAnIpv6OnlyOne() {
        // a host with one IPv4-only and one IPv6-only interface keeps each family on its own
        org.netstack4j.sim.Simulator sim = new org.netstack4j.sim.Simulator(5);
        var l1 = sim.link(org.netstack4j.sim.LinkConfig.builder().medium(org.netstack4j.device.Medium.IP).build());
        var l2 = sim.link(org.netstack4j.sim.LinkConfig.builder().medium(org.netstack4j.device.Medium.IP).build());
        Host h = new Host("h", org.netstack4j.tcp.TcpConfig.defaults(), null, 1)
                .addInterface("v4", l1.a(), null, Ipv4Address.of(10, 1, 0, 1), 24)
                .addInterface("v6", l2.a(), null, null, 0)
                .addIpv6Address("v6", Ipv6Address.parse("fd00:6::1"), 64);
        sim.add(h);
        assertEquals(Ipv4Address.of(10, 1, 0, 1), h.ip().sourceAddressFor(Ipv4Address.BROADCAST), "IPv4 broadcast leaves by the IPv4 interface");
        assertEquals(Ipv4Address.of(10, 1, 0, 1), h.ip().sourceAddressFor(Ipv4Address.of(10, 1, 0, 9)));
        assertEquals(Ipv6Address.parse("fd00:6::1"), h.ip().sourceAddressFor(Ipv6Address.parse("fd00:6::9")));
        assertTrue(h.ip().ipv6Addresses().stream().noneMatch(a -> a.iface().equals("v4")), "IPv6 stays off on the IPv4-only interface");
    }
}
