package org.netstack4j.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.netstack4j.device.PcapReader;
import org.netstack4j.ip.UdpSocket;
import org.netstack4j.tcp.TcpConnection;
import org.netstack4j.tcp.TcpEventListener;
import org.netstack4j.time.Time;
import org.netstack4j.wire.EthernetRepr;
import org.netstack4j.wire.Ipv6Address;
import org.netstack4j.wire.Ipv6HeaderView;
import org.netstack4j.wire.Ipv6Repr;
import org.netstack4j.wire.Parsed;

/**
 * RFC 6437 flow labels on what we originate (issue 13): each TCP connection and UDP flow carries
 * one stable non-zero label, both directions of a connection and different connections differ,
 * ICMPv6 (Neighbor Discovery, echo, errors) carries 0, and the switch turns labels off; read
 * from the simulator's pcap of the client's link, as on a wire.
 */
class FlowLabelTest {
    static final Ipv6Address C6 = TwoHostNetwork.CLIENT_ADDRESS6, S6 = TwoHostNetwork.SERVER_ADDRESS6;

    /** One IPv6 packet of the capture: its next header, flow label and (TCP/UDP) ports. */
    record Seen(int nextHeader, int label, Ipv6Address src, int srcPort, int dstPort) {
        String flow() { return nextHeader + " " + src + " " + srcPort + " > " + dstPort; }
    }

    static List<Seen> capture(Path pcap) throws IOException {
        List<Seen> out = new ArrayList<>();
        for (PcapReader.Record r : PcapReader.readAll(pcap)) {
            byte[] f = r.data();
            if (f.length < EthernetRepr.HEADER_LENGTH || ((f[12] & 0xff) << 8 | (f[13] & 0xff)) != 0x86dd) continue;
            int off = EthernetRepr.HEADER_LENGTH;
            if (!(Ipv6HeaderView.of(f, off, f.length - off) instanceof Parsed.Ok<Ipv6HeaderView>(Ipv6HeaderView ip))) throw new AssertionError("bad IPv6 packet in the capture");
            int p = off + Ipv6Repr.HEADER_LENGTH;
            boolean ports = ip.nextHeader() == Ipv6Repr.NH_TCP || ip.nextHeader() == Ipv6Repr.NH_UDP;
            out.add(new Seen(ip.nextHeader(), ip.flowLabel(), ip.src(),
                    ports ? (f[p] & 0xff) << 8 | (f[p + 1] & 0xff) : -1, ports ? (f[p + 2] & 0xff) << 8 | (f[p + 3] & 0xff) : -1));
        }
        return out;
    }

    /** Two TCP connections to port 80 and a UDP exchange on port 9, then a ping: the capture. */
    static List<Seen> run(Path pcap, boolean labels) throws IOException {
        try (TwoHostNetwork net = TwoHostNetwork.builder().seed(11).ipv6(true).pcap(pcap).build()) {
            net.client().ip().setIpv6FlowLabels(labels);
            net.server().ip().setIpv6FlowLabels(labels);
            net.server().listen(net.now(), 80, 4, l -> {
                TcpConnection c;
                while ((c = l.accept()) != null) c.send(net.now(), new byte[3000], 0, 3000);
            });
            List<TcpConnection> conns = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                TcpConnection c = net.client().connect(net.now(), S6, 80, TcpEventListener.NONE);
                conns.add(c);
                net.runUntil(() -> c.readable() >= 3000, Time.s(5));
                c.send(net.now(), new byte[100], 0, 100);
                net.runUntil(net.now() + Time.ms(50));
            }
            UdpSocket srv = net.server().ip().udpBind(S6, 9);
            UdpSocket cli = net.client().ip().udpBind(Ipv6Address.ANY, 0);
            for (int i = 0; i < 3; i++) assertTrue(cli.sendTo(net.now(), S6, 9, new byte[] {(byte) i}, 0, 1));
            net.runUntil(net.now() + Time.ms(50));
            assertEquals(3, drain(srv));
            net.client().ip().ping6(net.now(), S6, 1, 1, new byte[8], 64);
            net.runUntil(net.now() + Time.ms(50));
            for (TcpConnection c : conns) assertTrue(c.readable() >= 3000, c.status().toString());
        }
        return capture(pcap);
    }

    static int drain(UdpSocket s) {
        int n = 0;
        while (s.receive() != null) n++;
        return n;
    }

    @Test void everyTcpAndUdpFlowHasOneStableLabelAndIcmpv6HasNone(@TempDir Path dir) throws IOException {
        List<Seen> seen = run(dir.resolve("on.pcap"), true);
        Map<String, Set<Integer>> byFlow = new HashMap<>();
        int icmp = 0;
        for (Seen s : seen) {
            if (s.nextHeader() == Ipv6Repr.NH_ICMPV6) {
                icmp++;
                assertEquals(0, s.label(), "ICMPv6 (ND, echo) is unlabelled: " + s);
                continue;
            }
            byFlow.computeIfAbsent(s.flow(), k -> new HashSet<>()).add(s.label());
        }
        assertTrue(icmp >= 4, "ND and the ping were captured: " + icmp);
        // two TCP connections, each in two directions, plus UDP client to server
        assertEquals(5, byFlow.size(), byFlow.toString());
        Set<Integer> labels = new HashSet<>();
        for (var e : byFlow.entrySet()) {
            assertEquals(1, e.getValue().size(), "one label per flow direction: " + e);
            int label = e.getValue().iterator().next();
            assertNotEquals(0, label, e.getKey());
            assertTrue(label <= 0xf_ffff);
            labels.add(label);
        }
        assertEquals(5, labels.size(), "flows get different labels: " + byFlow);
    }

    @Test void labelsDependOnTheSecretAndTurnOff(@TempDir Path dir) throws IOException {
        List<Seen> again = run(dir.resolve("again.pcap"), true);
        List<Seen> first = run(dir.resolve("first.pcap"), true);
        assertEquals(first, again, "same seed, same labels (deterministic)");
        for (Seen s : run(dir.resolve("off.pcap"), false)) assertEquals(0, s.label(), "labels off: " + s);
    }
}
