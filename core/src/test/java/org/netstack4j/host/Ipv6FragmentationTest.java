package org.netstack4j.host;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.netstack4j.ip.EchoReplyListener;
import org.netstack4j.ip.UdpDatagram;
import org.netstack4j.ip.UdpSocket;
import org.netstack4j.sim.LinkConfig;
import org.netstack4j.time.Time;
import org.netstack4j.trace.DropReason;
import org.netstack4j.trace.TraceEvent;
import org.netstack4j.wire.Icmpv6Repr;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv6Address;
import org.netstack4j.wire.Ipv6ExtensionHeader;
import org.netstack4j.wire.Ipv6Repr;

/**
 * IPv6 fragmentation at the source and reassembly (RFC 8200 4.5) between two simulated hosts:
 * UDP bigger than the path MTU both ways, and hand-made fragments for the receiver's rules
 * (order, duplicates, overlaps per RFC 5722, atomic fragments per RFC 6946, the 60 s timer
 * with its Time Exceeded, the memory bound).
 */
class Ipv6FragmentationTest {
    static final Ipv6Address C6 = TwoHostNetwork.CLIENT_ADDRESS6, S6 = TwoHostNetwork.SERVER_ADDRESS6;

    static TwoHostNetwork net(int mtu) {
        return TwoHostNetwork.builder().seed(7).ipv6(true).link(LinkConfig.builder().mtu(mtu).build()).build();
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    @Test void udpDatagramOf8000BytesCrossesA1280MtuBothWays() {
        try (TwoHostNetwork net = net(1280)) {
            UdpSocket c = net.client().ip().udpBind(C6, 5000), s = net.server().ip().udpBind(S6, 6000);
            byte[] up = random(8000, 1), down = random(8000, 2);
            assertTrue(c.sendTo(net.now(), S6, 6000, up, 0, up.length));
            net.runUntil(net.now() + Time.ms(100));
            UdpDatagram d = s.receive();
            assertNotNull(d, "reassembled at the server");
            assertArrayEquals(up, d.data());
            assertEquals(C6, d.ip().src());
            assertTrue(s.sendTo(net.now(), C6, 5000, down, 0, down.length));
            net.runUntil(net.now() + Time.ms(100));
            UdpDatagram back = c.receive();
            assertNotNull(back, "reassembled at the client");
            assertArrayEquals(down, back.data());
            // 8 + 8000 bytes of UDP in fragments of (1280 - 40 - 8) & ~7 = 1232 bytes: 7 of them
            for (Host h : List.of(net.client(), net.server())) {
                assertEquals(7, h.counters().get("ipv6.frag.creates"));
                assertEquals(1, h.counters().get("ipv6.frag.oks"));
                assertEquals(7, h.counters().get("ipv6.reasm.reqds"));
                assertEquals(1, h.counters().get("ipv6.reasm.ok"));
                assertEquals(0, h.ip().reassemblyMemory());
                assertEquals(0, h.counters().get("ipv6.out.drop.too_big"));
            }
            for (TraceLog log : List.of(net.clientLog(), net.serverLog()))
                for (TraceEvent e : log.events())
                    if (e instanceof TraceEvent.Drop x)
                        assertTrue(x.kind() != DropReason.TOO_BIG && x.kind() != DropReason.REASSEMBLY, "dropped: " + x);
        }
    }

    // ------------------------------------------------------------------ hand-made fragments

    /** An echo request of {@code n} data bytes, emitted with its checksum, as the fragmentable part. */
    static byte[] echoRequest(int n, int seq) {
        Icmpv6Repr.EchoRequest req = new Icmpv6Repr.EchoRequest(77, seq, random(n, seq));
        byte[] b = new byte[req.length()];
        req.emit(C6, S6, b, 0);
        return b;
    }

    /** Sends from the client one fragment: data[from .. from+len) at offset {@code from}. */
    static void fragment(TwoHostNetwork net, int id, byte[] data, int from, int len, boolean more) {
        var fh = new Ipv6ExtensionHeader.Fragment(Ipv6Repr.NH_ICMPV6, from, more, id);
        assertTrue(net.client().ip().send(net.now(), C6, S6, Ipv6Repr.NH_FRAGMENT, 0, -1, false,
                Ipv6ExtensionHeader.FRAGMENT_LENGTH + len, (b, o) -> {
                    fh.emit(b, o);
                    System.arraycopy(data, from, b, o + Ipv6ExtensionHeader.FRAGMENT_LENGTH, len);
                }));
    }

    record Reply(int seq, byte[] data) {}

    static List<Reply> replies(Host h) {
        List<Reply> out = new ArrayList<>();
        h.ip().setEchoReplyListener(new EchoReplyListener() {
            @Override public void onEchoReply(long now, Ipv4Address from, int id, int seq, int ttl, byte[] data) {}
            @Override public void onEchoReply6(long now, Ipv6Address from, int id, int seq, int hopLimit, byte[] data) {
                out.add(new Reply(seq, data));
            }
        });
        return out;
    }

    /** The neighbours resolved, so that fragments leave at once and in the order sent. */
    static TwoHostNetwork resolved() {
        TwoHostNetwork net = net(1500);
        net.client().ip().ping6(net.now(), S6, 1, 0, new byte[0], -1);
        net.runUntil(net.now() + Time.ms(50));
        return net;
    }

    @Test void outOfOrderFragmentsWithADuplicateAreReassembledAndTheBigReplyIsFragmented() {
        try (TwoHostNetwork net = resolved()) {
            List<Reply> got = replies(net.client());
            byte[] p = echoRequest(3000, 1); // 3008 bytes: 1448 + 1448 + 112
            fragment(net, 0x1234, p, 2896, p.length - 2896, false);
            fragment(net, 0x1234, p, 1448, 1448, true);
            fragment(net, 0x1234, p, 1448, 1448, true); // exact duplicate: ignored (RFC 8200 4.5)
            fragment(net, 0x1234, p, 0, 1448, true);
            net.runUntil(net.now() + Time.ms(50));
            assertEquals(1, got.size(), "the echo reply came back");
            assertArrayEquals(Arrays.copyOfRange(p, 8, p.length), got.get(0).data());
            assertEquals(1, net.server().counters().get("ipv6.reasm.duplicates"));
            assertEquals(1, net.server().counters().get("ipv6.reasm.ok"));
            // the 3048-byte reply over MTU 1500: the server fragmented it
            assertEquals(3, net.server().counters().get("ipv6.frag.creates"));
            assertEquals(1, net.client().counters().get("ipv6.reasm.ok"));
        }
    }

    @Test void overlappingFragmentsDiscardTheWholeDatagram() {
        try (TwoHostNetwork net = resolved()) {
            List<Reply> got = replies(net.client());
            byte[] p = echoRequest(2000, 2);
            fragment(net, 9, p, 0, 1448, true);
            fragment(net, 9, p, 1440, p.length - 1440, false); // starts 8 bytes inside the first: RFC 5722
            net.runUntil(net.now() + Time.ms(50));
            assertEquals(1, net.server().counters().get("ipv6.reasm.overlaps"));
            assertEquals(1, net.server().counters().get("ipv6.reasm.fails"));
            assertEquals(0, net.server().ip().reassembliesInProgress());
            assertEquals(0, net.server().ip().reassemblyMemory());
            // the missing piece alone completes nothing: the datagram is gone
            fragment(net, 9, p, 1448, p.length - 1448, false);
            net.runUntil(net.now() + Time.ms(50));
            assertTrue(got.isEmpty());
            assertEquals(0, net.server().counters().get("ipv6.reasm.ok"));
        }
    }

    @Test void atomicFragmentIsProcessedInIsolation() {
        try (TwoHostNetwork net = resolved()) {
            List<Reply> got = replies(net.client());
            byte[] p = echoRequest(100, 3);
            fragment(net, 5, p, 0, p.length, false); // offset 0, M clear: RFC 6946
            net.runUntil(net.now() + Time.ms(50));
            assertEquals(1, got.size());
            assertEquals(0, net.server().counters().get("ipv6.reasm.reqds"), "never enters reassembly");
            assertEquals(0, net.server().ip().reassembliesInProgress());
        }
    }

    @Test void incompleteDatagramTimesOutAfter60sWithTimeExceededOnlyWhenFragmentZeroCame() {
        try (TwoHostNetwork net = resolved()) {
            byte[] p = echoRequest(3000, 4);
            long start = net.now();
            fragment(net, 21, p, 0, 1448, true);          // fragment zero, the rest never comes
            fragment(net, 22, p, 1448, 1448, true);       // another datagram without its fragment zero
            net.runUntil(start + Time.s(60) - Time.ms(1));
            assertEquals(2, net.server().ip().reassembliesInProgress());
            assertTrue(net.server().ip().reassemblyMemory() > 2896);
            assertEquals(0, net.client().counters().get("icmp6.in.time_excds"));
            net.runUntil(start + Time.s(60) + Time.ms(10));
            assertEquals(0, net.server().ip().reassembliesInProgress());
            assertEquals(0, net.server().ip().reassemblyMemory());
            assertEquals(2, net.server().counters().get("ipv6.reasm.timeout"));
            assertEquals(2, net.server().counters().get("ipv6.reasm.fails"));
            // RFC 8200 4.5: Time Exceeded, code 1, to the source, for the datagram whose first fragment came
            assertEquals(1, net.server().counters().get("icmp6.out.time_excds"));
            assertEquals(1, net.client().counters().get("icmp6.in.time_excds"));
        }
    }

    @Test void reassemblyMemoryIsBoundedAndCounted() {
        try (TwoHostNetwork net = resolved()) {
            byte[] p = echoRequest(3000, 5);
            int sent = 0;
            for (int id = 100; id < 300; id++) {
                fragment(net, id, p, 0, 1448, true);
                if (++sent % 16 == 0) net.runUntil(net.now() + Time.ms(5)); // let the link queue drain
            }
            net.runUntil(net.now() + Time.ms(50));
            int max = 256 * 1024;
            assertTrue(net.server().ip().reassemblyMemory() <= max, "" + net.server().ip().reassemblyMemory());
            long full = net.server().counters().get("ipv6.reasm.memory_full");
            assertTrue(full > 0, "some first fragments did not fit");
            assertEquals(200, full + net.server().ip().reassembliesInProgress());
            net.runUntil(net.now() + Time.s(61));
            assertEquals(0, net.server().ip().reassemblyMemory(), "the timer gives the memory back");
            assertEquals(0, net.server().ip().reassembliesInProgress());
            // and a datagram fits again
            List<Reply> got = replies(net.client());
            fragment(net, 1000, p, 0, 1448, true);
            fragment(net, 1000, p, 1448, 1448, true);
            fragment(net, 1000, p, 2896, p.length - 2896, false);
            net.runUntil(net.now() + Time.ms(50));
            assertEquals(1, got.size());
        }
    }
}
