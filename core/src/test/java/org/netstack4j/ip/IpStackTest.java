package org.netstack4j.ip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.netstack4j.ip.TwoHosts.IP_A;
import static org.netstack4j.ip.TwoHosts.IP_B;
import static org.netstack4j.ip.TwoHosts.MAC_A;
import static org.netstack4j.ip.TwoHosts.MAC_B;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.netstack4j.device.Medium;
import org.netstack4j.time.Time;
import org.netstack4j.trace.DropReason;
import org.netstack4j.trace.TraceEvent;
import org.netstack4j.wire.EthernetRepr;
import org.netstack4j.wire.IcmpRepr;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv4Repr;
import org.netstack4j.wire.MacAddress;

class IpStackTest {
    record Reply(long time, Ipv4Address from, int id, int seq, int ttl, byte[] data) {}

    static byte[] bytes(String s) { return s.getBytes(StandardCharsets.US_ASCII); }

    static int etherType(byte[] f) { return (f[12] & 0xff) << 8 | (f[13] & 0xff); }

    static List<Reply> listen(IpStack s) {
        List<Reply> replies = new ArrayList<>();
        s.setEchoReplyListener((now, from, id, seq, ttl, data) -> replies.add(new Reply(now, from, id, seq, ttl, data)));
        return replies;
    }

    /** An Ethernet frame carrying {@code ip} + payload. */
    static byte[] ethIp(MacAddress dst, MacAddress src, Ipv4Repr ip, byte[] payload) {
        byte[] f = new byte[EthernetRepr.HEADER_LENGTH + ip.totalLength()];
        new EthernetRepr(dst, src, EthernetRepr.ETHERTYPE_IPV4).emit(f, 0);
        ip.emit(f, EthernetRepr.HEADER_LENGTH);
        System.arraycopy(payload, 0, f, EthernetRepr.HEADER_LENGTH + ip.headerLength(), payload.length);
        return f;
    }

    static Ipv4Repr ipHeader(Ipv4Address src, Ipv4Address dst, int protocol, int len) {
        return new Ipv4Repr(0, 77, false, false, 0, 64, protocol, src, dst, new byte[0], len);
    }

    // ---------------------------------------------------------------- ARP + ping

    @Test void pingOverEthernetResolvesArpFirst() {
        TwoHosts h = TwoHosts.ethernet();
        List<Reply> replies = listen(h.a);
        h.a.ping(h.now, IP_B, 7, 1, bytes("hello"), -1);
        assertEquals(1, h.link.a.sent.size());
        assertEquals(EthernetRepr.ETHERTYPE_ARP, etherType(h.link.a.sent.get(0)), "first an ARP request");
        h.settle();
        assertEquals(1, replies.size());
        Reply r = replies.get(0);
        assertEquals(IP_B, r.from());
        assertEquals(7, r.id());
        assertEquals(1, r.seq());
        assertEquals(64, r.ttl());
        assertArrayEquals(bytes("hello"), r.data());
        assertEquals(1, h.ca.get("arp.out.requests"));
        assertEquals(1, h.cb.get("arp.in.requests"));
        assertEquals(1, h.cb.get("arp.out.replies"));
        assertEquals(0, h.cb.get("arp.out.requests"), "B learned A from the request");
        assertEquals(1, h.cb.get("icmp.in.echo"));
        assertEquals(1, h.ca.get("icmp.in.echo_reps"));
        assertTrue(h.a.neighbors().stream().anyMatch(n -> n.ip().equals(IP_B) && MAC_B.equals(n.mac())));
        // the second ping needs no ARP
        h.a.ping(h.now, IP_B, 7, 2, bytes("again"), -1);
        h.settle();
        assertEquals(2, replies.size());
        assertEquals(1, h.ca.get("arp.out.requests"));
    }

    @Test void pingOverIpMediumHasNoArp() {
        TwoHosts h = new TwoHosts(Medium.IP, 1500);
        List<Reply> replies = listen(h.a);
        h.a.ping(h.now, IP_B, 1, 1, bytes("tun"), -1);
        assertEquals(0x45, h.link.a.sent.get(0)[0] & 0xff, "a bare IPv4 packet");
        h.settle();
        assertEquals(1, replies.size());
        assertEquals(0, h.ca.get("arp.out.requests"));
        assertTrue(h.a.neighbors().isEmpty());
    }

    @Test void arpEntryExpiresAfter60Seconds() {
        TwoHosts h = TwoHosts.ethernet();
        List<Reply> replies = listen(h.a);
        h.a.ping(h.now, IP_B, 1, 1, new byte[0], -1);
        h.settle();
        h.advanceTo(Time.s(30));
        h.a.ping(h.now, IP_B, 1, 2, new byte[0], -1);
        h.settle();
        assertEquals(1, h.ca.get("arp.out.requests"));
        h.advanceTo(Time.s(61));
        h.a.ping(h.now, IP_B, 1, 3, new byte[0], -1);
        h.settle();
        assertEquals(2, h.ca.get("arp.out.requests"), "expired: asked again");
        assertEquals(3, replies.size());
    }

    @Test void unresolvedNeighbourQueueIsBoundedThenHostUnreachable() {
        TwoHosts h = TwoHosts.ethernet();
        Ipv4Address nobody = Ipv4Address.parse("10.0.0.99");
        UdpSocket s = h.a.udpBind(Ipv4Address.ANY, 4000);
        for (int i = 0; i < 10; i++) assertTrue(s.sendTo(h.now, nobody, 9, bytes("x" + i), 0, 2));
        assertEquals(2, h.ca.get("arp.queue.overflow"));
        h.advance(Time.s(1));
        assertEquals(2, h.ca.get("arp.out.requests"));
        h.advance(Time.s(1));
        assertEquals(3, h.ca.get("arp.out.requests"));
        assertEquals(0, h.ca.get("arp.resolve.failed"));
        h.advance(Time.s(1));
        assertEquals(3, h.ca.get("arp.out.requests"), "3 requests, then give up");
        assertEquals(1, h.ca.get("arp.resolve.failed"));
        assertEquals(ArpCache.MAX_QUEUE, h.ca.get("ipv4.out.drop.no_arp"));
        UdpError e = s.error();
        assertNotNull(e);
        assertEquals("host unreachable", e.message());
        assertEquals(nobody, e.dst());
        assertNull(s.error(), "error() clears it");
        assertTrue(h.a.neighbors().isEmpty());
        assertEquals(Time.NEVER, h.a.pollAt());
        assertFalse(TwoHosts.drops(h.ta, "arp").isEmpty());
    }

    @Test void gratuitousOrUnsolicitedArpIsNotCached() {
        TwoHosts h = TwoHosts.ethernet();
        // B asks for 10.0.0.3 (not A): A must not learn B from it.
        h.b.ping(h.now, Ipv4Address.parse("10.0.0.3"), 1, 1, new byte[0], -1);
        h.settle();
        assertEquals(1, h.ca.get("arp.in.requests"));
        assertEquals(0, h.ca.get("arp.out.replies"));
        assertTrue(h.a.neighbors().isEmpty());
    }

    // ---------------------------------------------------------------- UDP

    @Test void udpSendReceiveBothWays() {
        TwoHosts h = TwoHosts.ethernet();
        UdpSocket server = h.b.udpBind(IP_B, 5353);
        UdpSocket client = h.a.udpBind(Ipv4Address.ANY, 0);
        assertTrue(client.localPort() >= 49152);
        assertTrue(client.sendTo(h.now, IP_B, 5353, bytes("query"), 0, 5));
        h.settle();
        UdpDatagram d = server.receive();
        assertNotNull(d);
        assertEquals(IP_A, d.src());
        assertEquals(client.localPort(), d.srcPort());
        assertEquals(IP_B, d.dst());
        assertArrayEquals(bytes("query"), d.data());
        assertNull(server.receive());
        server.sendTo(h.now, d.src(), d.srcPort(), bytes("answer"), 0, 6);
        h.settle();
        UdpDatagram back = client.receive();
        assertArrayEquals(bytes("answer"), back.data());
        assertEquals(5353, back.srcPort());
        assertEquals(1, h.cb.get("udp.in.datagrams"));
        assertEquals(1, h.ca.get("udp.out.datagrams"));
    }

    @Test void udpReceiveQueueIsBounded() {
        TwoHosts h = TwoHosts.ethernet();
        UdpSocket server = h.b.udpBind(Ipv4Address.ANY, 7);
        UdpSocket client = h.a.udpBind(Ipv4Address.ANY, 0);
        for (int i = 0; i < UdpSocket.MAX_QUEUED_DATAGRAMS + 5; i++) {
            client.sendTo(h.now, IP_B, 7, new byte[] {(byte) i}, 0, 1);
            h.settle();
        }
        assertEquals(UdpSocket.MAX_QUEUED_DATAGRAMS, server.available());
        assertEquals(5, h.cb.get("udp.in.drop.rcvbuf_full"));
        assertEquals(0, server.receive().data()[0]);
    }

    @Test void closedPortAnswersPortUnreachableToTheSendersSocket() {
        TwoHosts h = TwoHosts.ethernet();
        UdpSocket client = h.a.udpBind(IP_A, 3333);
        client.sendTo(h.now, IP_B, 9, bytes("anyone?"), 0, 7);
        h.settle();
        assertEquals(1, h.cb.get("udp.no_ports"));
        assertEquals(1, h.cb.get("icmp.out.dest_unreachs"));
        assertEquals(1, h.ca.get("icmp.in.dest_unreachs"));
        UdpError e = client.error();
        assertNotNull(e);
        assertEquals("port unreachable", e.message());
        assertEquals(IP_B, e.reporter());
        assertEquals(9, e.dstPort());
        assertEquals(IcmpRepr.TYPE_DEST_UNREACHABLE, e.type());
        assertEquals(IcmpRepr.CODE_PORT_UNREACHABLE, e.code());
    }

    @Test void closedSocketFreesThePort() {
        TwoHosts h = TwoHosts.ethernet();
        UdpSocket s = h.b.udpBind(Ipv4Address.ANY, 53);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> h.b.udpBind(IP_B, 53));
        s.close();
        UdpSocket client = h.a.udpBind(Ipv4Address.ANY, 0);
        client.sendTo(h.now, IP_B, 53, bytes("q"), 0, 1);
        h.settle();
        assertEquals(1, h.cb.get("udp.no_ports"));
        assertNotNull(h.b.udpBind(IP_B, 53));
    }

    @Test void udpToBroadcastOnClosedPortSendsNoIcmp() {
        TwoHosts h = TwoHosts.ethernet();
        UdpSocket client = h.a.udpBind(Ipv4Address.ANY, 68);
        client.sendTo(h.now, Ipv4Address.BROADCAST, 67, bytes("discover"), 0, 8);
        client.sendTo(h.now, Ipv4Address.parse("10.0.0.255"), 67, bytes("discover"), 0, 8);
        h.settle();
        assertEquals(2, h.cb.get("udp.no_ports"));
        assertEquals(0, h.cb.get("icmp.out.msgs"), "RFC 1122 3.2.2: no ICMP error for broadcasts");
        assertEquals(0, h.ca.get("arp.out.requests"), "broadcasts need no ARP");
    }

    // ---------------------------------------------------------------- fragmentation + reassembly

    static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    @Test void udp4000BytesIsFragmentedAndReassembled() {
        TwoHosts h = TwoHosts.ethernet();
        UdpSocket server = h.b.udpBind(Ipv4Address.ANY, 9000);
        UdpSocket client = h.a.udpBind(Ipv4Address.ANY, 0);
        byte[] data = randomBytes(4000, 1);
        assertTrue(client.sendTo(h.now, IP_B, 9000, data, 0, data.length));
        h.settle();
        assertEquals(3, h.ca.get("ipv4.frag.creates"));
        assertEquals(1, h.ca.get("ipv4.frag.oks"));
        List<Integer> ipLengths = new ArrayList<>();
        for (byte[] f : h.link.a.sent)
            if (etherType(f) == EthernetRepr.ETHERTYPE_IPV4) ipLengths.add((f[16] & 0xff) << 8 | (f[17] & 0xff));
        assertEquals(List.of(1500, 1500, 1068), ipLengths, "4008 UDP bytes = 1480 + 1480 + 1048");
        assertEquals(3, h.cb.get("ipv4.reasm.reqds"));
        assertEquals(1, h.cb.get("ipv4.reasm.ok"));
        assertArrayEquals(data, server.receive().data());
        assertEquals(0, h.b.reassemblyMemory());
    }

    /** Sends a datagram from A to B, capturing A's IPv4 frames instead of delivering them. */
    static List<byte[]> captureFragments(TwoHosts h, byte[] data, int port) {
        h.a.ping(h.now, IP_B, 0, 0, new byte[0], -1); // resolve ARP first
        h.settle();
        h.link.a.lose = f -> etherType(f) == EthernetRepr.ETHERTYPE_IPV4;
        int before = h.link.a.sent.size();
        UdpSocket client = h.a.udpBind(IP_A, 1234);
        client.sendTo(h.now, IP_B, port, data, 0, data.length);
        List<byte[]> frames = new ArrayList<>(h.link.a.sent.subList(before, h.link.a.sent.size()));
        h.link.a.lose = f -> false;
        return frames;
    }

    @Test void outOfOrderAndDuplicateFragments() {
        TwoHosts h = TwoHosts.ethernet();
        UdpSocket server = h.b.udpBind(Ipv4Address.ANY, 9000);
        byte[] data = randomBytes(4000, 2);
        List<byte[]> f = captureFragments(h, data, 9000);
        assertEquals(3, f.size());
        h.link.b.inject(h.now, f.get(2).clone());
        h.link.b.inject(h.now, f.get(1).clone());
        h.link.b.inject(h.now, f.get(1).clone());
        assertEquals(0, server.available());
        h.link.b.inject(h.now, f.get(0).clone());
        assertArrayEquals(data, server.receive().data());
        assertEquals(1, h.cb.get("ipv4.reasm.duplicates"));
        assertEquals(1, h.cb.get("ipv4.reasm.ok"));
        // a late duplicate after completion starts a datagram that times out quietly
        h.link.b.inject(h.now, f.get(1).clone());
        h.advance(Time.s(31));
        assertEquals(0, h.b.reassemblyMemory());
        assertEquals(0, h.cb.get("icmp.out.time_excds"), "fragment zero never arrived: no ICMP");
    }

    @Test void missingFragmentTimesOutWithTimeExceededAndReleasesMemory() {
        TwoHosts h = TwoHosts.ethernet();
        UdpSocket server = h.b.udpBind(Ipv4Address.ANY, 9000);
        List<byte[]> f = captureFragments(h, randomBytes(4000, 3), 9000);
        h.link.b.inject(h.now, f.get(0).clone());
        h.link.b.inject(h.now, f.get(2).clone());
        assertEquals(1, h.b.reassembliesInProgress());
        assertTrue(h.b.reassemblyMemory() > 2000);
        long start = h.now;
        assertEquals(start + Time.s(30), h.b.pollAt());
        h.advanceTo(start + Time.s(30) - 1);
        assertEquals(0, h.cb.get("ipv4.reasm.timeout"));
        h.advanceTo(start + Time.s(30));
        assertEquals(1, h.cb.get("ipv4.reasm.timeout"));
        assertEquals(1, h.cb.get("ipv4.reasm.fails"));
        assertEquals(0, h.b.reassemblyMemory());
        assertEquals(0, h.b.reassembliesInProgress());
        assertEquals(1, h.cb.get("icmp.out.time_excds"));
        assertEquals(1, h.ca.get("icmp.in.time_excds"));
        assertEquals(0, server.available());
        assertTrue(TwoHosts.drops(h.tb, "ipv4").stream().anyMatch(d -> d.reason().contains("reassembly timeout")));
    }

    @Test void noTimeExceededAboutAnIcmpError() {
        TwoHosts h = TwoHosts.ethernet();
        h.a.ping(h.now, IP_B, 0, 0, new byte[0], -1);
        h.settle();
        // A fragmented ICMP destination unreachable whose last fragment is lost.
        byte[] quote = randomBytes(3000, 4);
        IcmpRepr err = new IcmpRepr.DestinationUnreachable(IcmpRepr.CODE_HOST_UNREACHABLE, 0, quote);
        byte[] icmp = new byte[err.length()];
        err.emit(icmp, 0);
        h.link.a.lose = f -> etherType(f) == EthernetRepr.ETHERTYPE_IPV4 && (f[20] & 0x20) == 0; // MF clear: the last
        long icmpOut = h.cb.get("icmp.out.msgs");
        assertTrue(h.a.send(h.now, Ipv4Address.ANY, IP_B, Ipv4Repr.PROTO_ICMP, -1, icmp, 0, icmp.length));
        h.advance(Time.s(31));
        assertEquals(1, h.cb.get("ipv4.reasm.timeout"));
        assertEquals(icmpOut, h.cb.get("icmp.out.msgs"), "RFC 1122 3.2.2: never an error about an ICMP error");
    }

    @Test void dontFragmentTooBigIsDroppedAndCounted() {
        TwoHosts h = TwoHosts.ethernet();
        UdpSocket client = h.a.udpBind(Ipv4Address.ANY, 0);
        client.setDontFragment(true);
        int sentBefore = h.link.a.sent.size();
        assertFalse(client.sendTo(h.now, IP_B, 9, new byte[2000], 0, 2000));
        // refused by UDP before IP (IP_PMTUDISC_DO: EMSGSIZE, Linux __ip_append_data)
        assertEquals(1, h.ca.get("udp.out.drop.emsgsize"));
        assertEquals(sentBefore, h.link.a.sent.size(), "nothing transmitted, not even ARP");
        assertTrue(TwoHosts.drops(h.ta, "udp").get(0).reason().contains("EMSGSIZE"));
        // IP's own check, for a sender that sets DF itself
        assertFalse(h.a.send(h.now, Ipv4Address.ANY, IP_B, Ipv4Repr.PROTO_UDP, -1, true, new byte[2000], 0, 2000));
        assertEquals(1, h.ca.get("ipv4.frag.fails"));
        assertTrue(TwoHosts.drops(h.ta, "ipv4").get(0).reason().contains("DF"));
        // DF and small enough: sent, with DF on the wire
        assertTrue(client.sendTo(h.now, IP_B, 9, new byte[100], 0, 100));
        h.settle();
        byte[] udp = h.link.a.sent.stream().filter(f -> etherType(f) == EthernetRepr.ETHERTYPE_IPV4).findFirst().orElseThrow();
        assertEquals(0x40, udp[20] & 0x40, "DF bit set");
    }

    // ---------------------------------------------------------------- protocols, TTL, routes

    @Test void unknownProtocolAnswersProtocolUnreachableToTheHandler() {
        TwoHosts h = TwoHosts.ethernet();
        List<IcmpRepr> errors = new ArrayList<>();
        List<Ipv4Repr> quoted = new ArrayList<>();
        h.a.setProtocolHandler(253, new IpProtocolHandler() {
            @Override public void receive(long now, Ipv4Repr ip, byte[] buf, int off, int len) {}
            @Override public void icmpError(long now, IcmpRepr error, Ipv4Repr q, byte[] b, int off, int len) {
                errors.add(error);
                quoted.add(q);
            }
        });
        byte[] payload = bytes("experimental");
        assertTrue(h.a.send(h.now, Ipv4Address.ANY, IP_B, 253, -1, payload, 0, payload.length));
        h.settle();
        assertEquals(1, h.cb.get("ipv4.in.unknown_protos"));
        assertEquals(1, errors.size());
        var du = assertInstanceOf(IcmpRepr.DestinationUnreachable.class, errors.get(0));
        assertEquals(IcmpRepr.CODE_PROTOCOL_UNREACHABLE, du.code());
        assertEquals(253, quoted.get(0).protocol());
        assertEquals(IP_B, quoted.get(0).dst());
        assertEquals(payload.length, quoted.get(0).payloadLength());
    }

    @Test void registeredHandlerReceivesThePayloadAndTtl() {
        TwoHosts h = TwoHosts.ethernet();
        List<String> got = new ArrayList<>();
        h.b.setProtocolHandler(Ipv4Repr.PROTO_TCP, (now, ip, buf, off, len) ->
                got.add(ip.src() + " ttl " + ip.ttl() + " " + new String(buf, off, len, StandardCharsets.US_ASCII)));
        byte[] p = bytes("segment");
        assertTrue(h.a.send(h.now, Ipv4Address.ANY, IP_B, Ipv4Repr.PROTO_TCP, 1, p, 0, p.length));
        assertTrue(h.a.send(h.now, IP_A, IP_B, Ipv4Repr.PROTO_TCP, -1, p, 0, p.length));
        h.settle();
        assertEquals(List.of("10.0.0.1 ttl 1 segment", "10.0.0.1 ttl 64 segment"), got);
        assertEquals(2, h.cb.get("ipv4.in.delivers"));
    }

    @Test void ttlZeroIsNeverSent() {
        TwoHosts h = TwoHosts.ethernet();
        assertFalse(h.a.send(h.now, Ipv4Address.ANY, IP_B, Ipv4Repr.PROTO_TCP, 0, new byte[1], 0, 1));
        assertEquals(1, h.ca.get("ipv4.out.drop.bad_ttl"));
        assertTrue(h.link.a.sent.isEmpty());
    }

    @Test void noRouteAndDefaultGateway() {
        TwoHosts h = TwoHosts.ethernet();
        Ipv4Address far = Ipv4Address.parse("192.0.2.1");
        assertNull(h.a.sourceAddressFor(far));
        assertFalse(h.a.send(h.now, Ipv4Address.ANY, far, Ipv4Repr.PROTO_UDP, -1, new byte[8], 0, 8));
        assertEquals(1, h.ca.get("ipv4.out.drop.no_route"));
        h.a.setDefaultGateway(IP_B);
        assertEquals(IP_A, h.a.sourceAddressFor(far));
        assertTrue(h.a.send(h.now, Ipv4Address.ANY, far, 200, -1, new byte[8], 0, 8));
        h.settle();
        // B is the next hop (its MAC), but B is a host: it does not forward.
        assertEquals(1, h.cb.get("ipv4.in.drop.not_for_us"));
        assertEquals("not for us (no forwarding)", TwoHosts.drops(h.tb, "ipv4").get(0).reason());
    }

    @Test void broadcastEchoIsIgnored() {
        TwoHosts h = TwoHosts.ethernet();
        List<Reply> replies = listen(h.a);
        h.a.ping(h.now, Ipv4Address.parse("10.0.0.255"), 1, 1, new byte[0], -1);
        h.settle();
        assertEquals(1, h.cb.get("icmp.in.drop.broadcast_echo"));
        assertTrue(replies.isEmpty());
    }

    @Test void pingToOurOwnAddressLoopsBackOnPoll() {
        TwoHosts h = TwoHosts.ethernet();
        List<Reply> replies = listen(h.a);
        h.a.ping(h.now, IP_A, 3, 4, bytes("me"), -1);
        assertTrue(h.link.a.sent.isEmpty());
        assertTrue(h.a.pollAt() <= h.now);
        h.settle();
        assertEquals(1, replies.size());
        assertEquals(IP_A, replies.get(0).from());
    }

    @Test void echoErrorsReachThePinger() {
        TwoHosts h = TwoHosts.ethernet();
        List<String> errs = new ArrayList<>();
        h.a.setEchoReplyListener(new EchoReplyListener() {
            @Override public void onEchoReply(long now, Ipv4Address from, int id, int seq, int ttl, byte[] data) {}
            @Override public void onEchoError(long now, Ipv4Address reporter, IcmpRepr error, int id, int seq) {
                errs.add(IpStack.describe(error) + " id " + id + " seq " + seq + " from " + reporter);
            }
        });
        h.a.ping(h.now, Ipv4Address.parse("10.0.0.77"), 5, 6, new byte[0], -1);
        h.advance(Time.s(5));
        assertEquals(List.of("host unreachable id 5 seq 6 from 10.0.0.1"), errs);
    }

    // ---------------------------------------------------------------- malformed input

    @Test void malformedPacketsAreCountedAndTracedNeverThrown() {
        TwoHosts h = TwoHosts.ethernet();
        byte[] good = ethIp(MAC_B, MAC_A, ipHeader(IP_A, IP_B, 200, 4), new byte[4]);
        byte[] badSum = good.clone();
        badSum[EthernetRepr.HEADER_LENGTH + 10] ^= 0x55;
        h.link.b.inject(0, badSum);
        assertEquals(1, h.cb.get("ipv4.in.drop.bad_checksum"));
        byte[] badVersion = good.clone();
        badVersion[EthernetRepr.HEADER_LENGTH] = 0x65;
        h.link.b.inject(0, badVersion);
        byte[] truncated = java.util.Arrays.copyOf(good, EthernetRepr.HEADER_LENGTH + 12);
        h.link.b.inject(0, truncated);
        h.link.b.inject(0, new byte[5]);
        h.link.b.inject(0, new byte[0]);
        assertEquals(3, h.cb.get("ipv4.in.hdr_errors"));
        assertEquals(2, h.cb.get("eth.in.drop.malformed"));
        List<TraceEvent.Drop> ipDrops = TwoHosts.drops(h.tb, "ipv4");
        assertEquals(3, ipDrops.size());
        assertTrue(ipDrops.get(0).reason().contains("checksum"), ipDrops.get(0).reason());
        assertEquals(List.of(DropReason.CHECKSUM, DropReason.BAD_HEADER, DropReason.TRUNCATED),
                ipDrops.stream().map(TraceEvent.Drop::kind).toList());
        assertEquals(List.of(DropReason.TRUNCATED, DropReason.TRUNCATED),
                TwoHosts.drops(h.tb, "ethernet").stream().map(TraceEvent.Drop::kind).toList());
        // a UDP datagram with a bad checksum
        byte[] udp = new byte[12];
        new org.netstack4j.wire.UdpRepr(1, 2).emit(IP_A, IP_B, udp, 0, new byte[4], 0, 4);
        udp[6] ^= 0x01;
        h.link.b.inject(0, ethIp(MAC_B, MAC_A, ipHeader(IP_A, IP_B, Ipv4Repr.PROTO_UDP, 12), udp));
        assertEquals(1, h.cb.get("udp.in.drop.bad_checksum"));
        // an ICMP message with a bad checksum
        h.link.b.inject(0, ethIp(MAC_B, MAC_A, ipHeader(IP_A, IP_B, Ipv4Repr.PROTO_ICMP, 8), new byte[] {8, 0, 0, 1, 0, 0, 0, 0}));
        assertEquals(1, h.cb.get("icmp.in.errors"));
        // a frame for another station, an unknown EtherType
        byte[] other = good.clone();
        MacAddress.parse("02:00:00:00:00:99").write(other, 0);
        h.link.b.inject(0, other);
        assertEquals(1, h.cb.get("eth.in.drop.not_for_us"));
        byte[] ipv6 = good.clone();
        ipv6[12] = (byte) 0x86;
        ipv6[13] = (byte) 0xdd;
        h.link.b.inject(0, ipv6);
        assertEquals(1, h.cb.get("ipv6.in.dropped"));
        byte[] vlan = good.clone();
        vlan[12] = (byte) 0x81;
        vlan[13] = 0;
        h.link.b.inject(0, vlan);
        assertEquals(1, h.cb.get("eth.in.drop.unknown_ethertype"));
        assertEquals(0, h.link.b.sent.size(), "none of this is answered");
    }

    @Test void spoofedBroadcastSourceIsDropped() {
        TwoHosts h = TwoHosts.ethernet();
        h.link.b.inject(0, ethIp(MAC_B, MAC_A, ipHeader(Ipv4Address.BROADCAST, IP_B, 200, 0), new byte[0]));
        assertEquals(1, h.cb.get("ipv4.in.drop.bad_source"));
        assertEquals(0, h.link.b.sent.size());
    }

    // ---------------------------------------------------------------- more

    @Test void fragmentationOverIpMediumWithSmallMtu() {
        TwoHosts h = new TwoHosts(Medium.IP, 576);
        UdpSocket server = h.b.udpBind(Ipv4Address.ANY, 9000);
        UdpSocket client = h.a.udpBind(Ipv4Address.ANY, 0);
        byte[] data = randomBytes(1400, 9);
        assertTrue(client.sendTo(h.now, IP_B, 9000, data, 0, data.length));
        assertEquals(3, h.ca.get("ipv4.frag.creates"), "1408 bytes in 552-byte pieces");
        for (byte[] f : h.link.a.sent) assertTrue(f.length <= 576);
        h.settle();
        assertArrayEquals(data, server.receive().data());
        assertEquals(576, h.a.mtuFor(IP_B));
        assertEquals(0, h.a.mtuFor(Ipv4Address.parse("192.0.2.9")));
    }

    @Test void handlerMaySendFromInsideReceive() {
        TwoHosts h = TwoHosts.ethernet();
        List<Integer> got = new ArrayList<>();
        // an "echo" transport on B answering every datagram from inside receive()
        h.b.setProtocolHandler(200, (now, ip, buf, off, len) ->
                h.b.send(now, ip.dst(), ip.src(), 200, -1, buf, off, len));
        h.a.setProtocolHandler(200, (now, ip, buf, off, len) -> got.add(len));
        h.a.send(h.now, Ipv4Address.ANY, IP_B, 200, -1, new byte[3000], 0, 3000);
        h.settle();
        assertEquals(List.of(3000), got, "fragmented both ways, reassembled both ways");
    }

    @Test void icmpErrorsAreTracedAsNotes() {
        TwoHosts h = TwoHosts.ethernet();
        h.a.udpBind(IP_A, 5000).sendTo(h.now, IP_B, 9, new byte[4], 0, 4);
        h.settle();
        assertTrue(h.tb.stream().anyMatch(e -> e instanceof TraceEvent.Note n && n.layer().equals("icmp")
                && n.text().startsWith("sending port unreachable to 10.0.0.1")), h.tb.toString());
        assertTrue(h.ta.stream().anyMatch(e -> e instanceof TraceEvent.Note n && n.layer().equals("arp")
                && n.text().equals("10.0.0.2 is-at 02:00:00:00:00:0b")), h.ta.toString());
    }

    @Test void icmpErrorAboutSomeoneElsesDatagramIsDropped() {
        TwoHosts h = TwoHosts.ethernet();
        UdpSocket s = h.b.udpBind(Ipv4Address.ANY, 53);
        // a port unreachable quoting a datagram from 10.0.0.50 (not B) to port 53
        byte[] quote = new byte[28];
        ipHeader(Ipv4Address.parse("10.0.0.50"), IP_A, Ipv4Repr.PROTO_UDP, 8).emit(quote, 0);
        quote[20] = 0; quote[21] = 53; quote[22] = 0; quote[23] = 53;
        IcmpRepr err = new IcmpRepr.DestinationUnreachable(IcmpRepr.CODE_PORT_UNREACHABLE, 0, quote);
        byte[] icmp = new byte[err.length()];
        err.emit(icmp, 0);
        h.link.b.inject(0, ethIp(MAC_B, MAC_A, ipHeader(IP_A, IP_B, Ipv4Repr.PROTO_ICMP, icmp.length), icmp));
        assertEquals(1, h.cb.get("icmp.in.drop.quote_not_ours"));
        assertNull(s.error());
    }

    @Test void icmpErrorRateIsLimited() {
        TwoHosts h = TwoHosts.ethernet();
        UdpSocket client = h.a.udpBind(IP_A, 5000);
        client.sendTo(h.now, IP_B, 9, new byte[1], 0, 1);
        h.settle();
        for (int i = 0; i < 100; i++) client.sendTo(h.now, IP_B, 9, new byte[1], 0, 1);
        h.settle();
        assertEquals(IpStack.ICMP_ERROR_BURST, h.cb.get("icmp.out.dest_unreachs"));
        assertEquals(101 - IpStack.ICMP_ERROR_BURST, h.cb.get("icmp.out.rate_limited"));
        h.advance(Time.ms(10));
        client.sendTo(h.now, IP_B, 9, new byte[1], 0, 1);
        h.settle();
        assertEquals(IpStack.ICMP_ERROR_BURST + 1, h.cb.get("icmp.out.dest_unreachs"), "tokens refill over time");
    }

    @Test void loopbackDeviceCarriesOurOwnTraffic() {
        org.netstack4j.trace.Counters c = new org.netstack4j.trace.Counters();
        IpStack s = new IpStack(null, c, 3);
        org.netstack4j.device.LoopbackDevice lo = new org.netstack4j.device.LoopbackDevice(Medium.IP, 65535);
        s.addInterface(new IpInterface("lo", lo, null, Ipv4Address.parse("127.0.0.1"), 8));
        UdpSocket server = s.udpBind(Ipv4Address.ANY, 7);
        UdpSocket client = s.udpBind(Ipv4Address.ANY, 0);
        // 127.0.0.2 is not our address: it goes out of lo and comes back in
        client.sendTo(0, Ipv4Address.parse("127.0.0.2"), 7, bytes("x"), 0, 1);
        assertEquals(1, lo.queued());
        s.poll(s.pollAt());
        assertEquals(1, c.get("ipv4.in.drop.not_for_us"), "127.0.0.2 is not configured here");
        client.sendTo(0, Ipv4Address.parse("127.0.0.1"), 7, bytes("y"), 0, 1);
        assertEquals(0, lo.queued(), "our own address loops back inside the stack");
        s.poll(s.pollAt());
        assertArrayEquals(bytes("y"), server.receive().data());
    }

    @Test void toStringShowsInterfacesRoutesAndNeighbours() {
        TwoHosts h = TwoHosts.ethernet();
        h.a.setDefaultGateway(IP_B);
        h.a.ping(0, IP_B, 1, 1, new byte[0], -1);
        h.settle();
        assertEquals("""
                eth0 10.0.0.1/24 02:00:00:00:00:0a mtu 1500
                10.0.0.0/24 dev eth0
                default via 10.0.0.2
                10.0.0.2 dev eth0 lladdr 02:00:00:00:00:0b
                """, h.a.toString());
    }

    @Test void udpWithZeroChecksumIsAccepted() {
        TwoHosts h = TwoHosts.ethernet();
        UdpSocket server = h.b.udpBind(IP_B, 69);
        byte[] udp = new byte[11];
        new org.netstack4j.wire.UdpRepr(1069, 69).emit(IP_A, IP_B, udp, 0, bytes("abc"), 0, 3);
        udp[6] = 0;
        udp[7] = 0; // RFC 768: zero means the sender computed no checksum
        h.link.b.inject(0, ethIp(MAC_B, MAC_A, ipHeader(IP_A, IP_B, Ipv4Repr.PROTO_UDP, udp.length), udp));
        UdpDatagram d = server.receive();
        assertArrayEquals(bytes("abc"), d.data());
        assertEquals(1069, d.srcPort());
    }
}
