package org.netstack4j.filter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.netstack4j.filter.Pkts.ip;
import static org.netstack4j.wire.TcpRepr.ACK;
import static org.netstack4j.wire.TcpRepr.FIN;
import static org.netstack4j.wire.TcpRepr.RST;
import static org.netstack4j.wire.TcpRepr.SYN;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.netstack4j.filter.Nat.Action;
import org.netstack4j.filter.NatConfig.Filtering;
import org.netstack4j.time.Time;
import org.netstack4j.trace.Counters;
import org.netstack4j.wire.Checksum;
import org.netstack4j.wire.IcmpRepr;
import org.netstack4j.wire.Ipv4Repr;

/**
 * NAT behaviours per RFC 4787 (UDP), RFC 5382 (TCP), RFC 5508 (ICMP), virtual time. Inside: A
 * 10.0.0.2 and B 10.0.0.3 on "lan"; the NAT's external address X 203.0.113.1 on "wan"; remotes R1
 * 198.51.100.1, R2 198.51.100.2.
 */
class NatTest {
    static final String A = "10.0.0.2", B = "10.0.0.3", X = "203.0.113.1", R1 = "198.51.100.1", R2 = "198.51.100.2";
    static final int UDP = Ipv4Repr.PROTO_UDP, TCP = Ipv4Repr.PROTO_TCP, ICMP = Ipv4Repr.PROTO_ICMP;

    final Counters counters = new Counters();
    NatConfig config = NatConfig.masquerade("wan", ip(X));
    Nat nat = new Nat(config, counters);
    long now = Time.s(10);

    void use(NatConfig c) {
        config = c;
        nat = new Nat(c, counters);
    }

    /** Runs a hook on the bytes; checks the result still parses with every checksum verified. */
    Action out(byte[] b) {
        Action a = nat.outbound(Pkts.parse(b), "wan", now);
        Pkts.parse(b);
        return a;
    }

    Action in(byte[] b) { return in(b, "wan"); }

    Action in(byte[] b, String iface) {
        Action a = nat.inbound(Pkts.parse(b), iface, now);
        Pkts.parse(b);
        return a;
    }

    static FlowKey key(byte[] b) { return Pkts.parse(b).key(); }

    int udpOut(String src, int sport, String dst, int dport) {
        byte[] b = Pkts.udpBytes(src, sport, dst, dport, 12);
        assertEquals(Action.TRANSLATED, out(b));
        assertEquals(ip(X), key(b).src().address());
        return key(b).src().port();
    }

    @Test void udpMappingIsEndpointIndependentAndPreservesThePort() {
        int p1 = udpOut(A, 5000, R1, 53);
        int p2 = udpOut(A, 5000, R2, 53);
        int p3 = udpOut(A, 5000, R1, 123);
        assertEquals(5000, p1, "port preservation");
        assertEquals(p1, p2);
        assertEquals(p1, p3);
        // B's 5000 is taken: another port, of the same range
        int pb = udpOut(B, 5000, R1, 53);
        assertNotEquals(5000, pb);
        assertTrue(pb >= 1024);
        assertEquals(2, nat.mappings());
        // below 1024 stays below 1024 (RFC 4787 REQ-3)
        int low = udpOut(A, 123, R1, 123);
        assertTrue(low >= 1 && low < 1024, "got " + low);
    }

    @Test void portParityIsKeptWhenAsked() {
        use(config.withPorts(new PortRange(20000, 20999), true));
        for (int i = 0; i < 50; i++) {
            int internal = 30001 + 2 * i; // odd, outside the range: never preserved
            assertEquals(1, udpOut(A, internal, R1, 53) & 1);
        }
    }

    @Test void endpointIndependentFilteringLetsAnyRemoteIn() {
        use(config.withFiltering(Filtering.ENDPOINT_INDEPENDENT, Filtering.ENDPOINT_INDEPENDENT));
        int p = udpOut(A, 5000, R1, 53);
        byte[] b = Pkts.udpBytes(R2, 7777, X, p, 4);
        assertEquals(Action.TRANSLATED, in(b));
        assertEquals(new Endpoint(ip(A), 5000), key(b).dst());
    }

    @Test void addressDependentFilteringLetsInOnlyAddressesSentTo() {
        use(config.withFiltering(Filtering.ADDRESS_DEPENDENT, Filtering.ADDRESS_DEPENDENT));
        int p = udpOut(A, 5000, R1, 53);
        assertEquals(Action.TRANSLATED, in(Pkts.udpBytes(R1, 9999, X, p, 4)), "same address, other port");
        assertEquals(Action.FILTERED, in(Pkts.udpBytes(R2, 53, X, p, 4)));
        assertEquals(1, counters.get("nat.filtered"));
    }

    @Test void addressAndPortDependentFilteringLetsInOnlyEndpointsSentTo() {
        use(config.withFiltering(Filtering.ADDRESS_AND_PORT_DEPENDENT, Filtering.ADDRESS_AND_PORT_DEPENDENT));
        int p = udpOut(A, 5000, R1, 53);
        byte[] reply = Pkts.udpBytes(R1, 53, X, p, 4);
        assertEquals(Action.TRANSLATED, in(reply));
        assertArrayEquals(Pkts.udpBytes(R1, 53, A, 5000, 4), reply, "byte for byte what A would get without NAT");
        assertEquals(Action.FILTERED, in(Pkts.udpBytes(R1, 54, X, p, 4)));
        assertEquals(Action.FILTERED, in(Pkts.udpBytes(R2, 53, X, p, 4)));
    }

    @Test void udpMappingsLastFiveMinutesAndOnlyOutboundRefreshes() {
        int p = udpOut(A, 5000, R1, 53);
        now += Time.s(200);
        assertEquals(Action.TRANSLATED, in(Pkts.udpBytes(R1, 53, X, p, 4))); // inbound: no refresh (RFC 4787 REQ-6 default)
        nat.poll(now + Time.s(100) - 1);
        assertEquals(1, nat.mappings());
        nat.poll(now + Time.s(100));
        assertEquals(0, nat.mappings());
        assertEquals(1, counters.get("nat.mappings.expired"));
        now += Time.s(100);
        assertEquals(Action.UNCHANGED, in(Pkts.udpBytes(R1, 53, X, p, 4)), "no mapping: for the host itself");
        // outbound refreshes
        udpOut(A, 5000, R1, 53);
        now += Time.s(299);
        udpOut(A, 5000, R1, 53);
        nat.poll(now + Time.s(299));
        assertEquals(1, nat.mappings());
        nat.poll(now + Time.s(300));
        assertEquals(0, nat.mappings());
    }

    @Test void aSessionPastItsTimeoutNoLongerOpensTheFilter() {
        use(config.withFiltering(Filtering.ADDRESS_DEPENDENT, Filtering.ADDRESS_DEPENDENT));
        int p = udpOut(A, 5000, R1, 53);
        now += Time.s(250);
        udpOut(A, 5000, R2, 53);
        now += Time.s(60); // R1's session is 310 s old: gone; R2's is alive
        assertEquals(Action.FILTERED, in(Pkts.udpBytes(R1, 53, X, p, 4)));
        assertEquals(Action.TRANSLATED, in(Pkts.udpBytes(R2, 53, X, p, 4)));
    }

    long tcpDeadline(int extPort) { return nat.byExternal(TCP, extPort).orElseThrow().deadline() - now; }

    @Test void tcpTimeoutsAreTransitoryThenEstablishedThenTransitory() {
        byte[] syn = Pkts.tcpBytes(A, 40000, R1, 80, SYN, 1, 0, 1000, 0, List.of());
        assertEquals(Action.TRANSLATED, out(syn));
        int p = key(syn).src().port();
        assertEquals(Time.s(240), tcpDeadline(p), "RFC 5382 REQ-5: transitory 4 min");
        assertEquals(Action.TRANSLATED, in(Pkts.tcpBytes(R1, 80, X, p, SYN | ACK, 9, 2, 1000, 0, List.of())));
        assertEquals(Time.s(7440), tcpDeadline(p), "established 2 h 4 min");
        out(Pkts.tcpBytes(A, 40000, R1, 80, ACK, 2, 10, 1000, 0, List.of()));
        assertEquals(Time.s(7440), tcpDeadline(p));
        out(Pkts.tcpBytes(A, 40000, R1, 80, FIN | ACK, 2, 10, 1000, 0, List.of()));
        assertEquals(Time.s(7440), tcpDeadline(p), "one FIN: still open the other way");
        in(Pkts.tcpBytes(R1, 80, X, p, FIN | ACK, 10, 3, 1000, 0, List.of()));
        assertEquals(Time.s(240), tcpDeadline(p), "FINs both ways: transitory");
        nat.poll(now + Time.s(240));
        assertEquals(0, nat.mappings());
        // an RST makes an established session transitory at once
        byte[] syn2 = Pkts.tcpBytes(A, 40001, R1, 80, SYN, 1, 0, 1000, 0, List.of());
        out(syn2);
        int p2 = key(syn2).src().port();
        in(Pkts.tcpBytes(R1, 80, X, p2, SYN | ACK, 9, 2, 1000, 0, List.of()));
        now += Time.s(1000);
        in(Pkts.tcpBytes(R1, 80, X, p2, RST, 10, 0, 0, 0, List.of()));
        assertEquals(Time.s(240), tcpDeadline(p2));
        nat.poll(now + Time.s(240));
        assertEquals(0, nat.mappings(), "the earlier 2 h 4 min deadline did not keep it");
    }

    @Test void icmpEchoIdentifiersAreMappedAndLastSixtySeconds() {
        byte[] req = Pkts.icmpBytes(A, R1, new IcmpRepr.EchoRequest(77, 1, new byte[] {9}));
        assertEquals(Action.TRANSLATED, out(req));
        assertEquals(77, key(req).src().port(), "identifier preserved");
        byte[] reqB = Pkts.icmpBytes(B, R1, new IcmpRepr.EchoRequest(77, 1, new byte[] {9}));
        out(reqB);
        int idB = key(reqB).src().port();
        assertNotEquals(77, idB);
        byte[] reply = Pkts.icmpBytes(R1, X, new IcmpRepr.EchoReply(idB, 1, new byte[] {9}));
        assertEquals(Action.TRANSLATED, in(reply));
        assertArrayEquals(Pkts.icmpBytes(R1, B, new IcmpRepr.EchoReply(77, 1, new byte[] {9})), reply);
        assertEquals(Action.UNCHANGED, in(Pkts.icmpBytes(R1, X, new IcmpRepr.EchoRequest(5, 1, new byte[0]))), "a ping to the NAT");
        nat.poll(now + Time.s(60) - 1);
        assertEquals(2, nat.mappings());
        nat.poll(now + Time.s(60));
        assertEquals(0, nat.mappings(), "RFC 5508 REQ-1: 60 s");
    }

    /** An ICMP error quoting the whole datagram (so its transport checksum is in the quote too). */
    static byte[] errorQuotingAll(String from, String to, byte[] dgram) {
        return Pkts.icmpBytes(from, to, new IcmpRepr.DestinationUnreachable(3, 0, dgram.clone()));
    }

    static void assertQuoteChecksumsVerify(byte[] err) {
        int q = 20 + 8;
        int qhl = (err[q] & 0xf) * 4;
        assertEquals(0, Checksum.compute(err, q, qhl), "quoted IP header checksum");
        Packet quoted = Packet.parse(err, q, err.length - q, true).value(); // whole datagram: its UDP/TCP checksum verified
        assertTrue(quoted.ip().totalLength() > 0);
    }

    @Test void icmpErrorsFromOutsideAreTranslatedInsideAndOut() {
        byte[] dgram = Pkts.udpBytes(B, 5000, R1, 53, 12);
        udpOut(A, 5000, R1, 53); // A holds 5000: B:5000 maps elsewhere
        assertEquals(Action.TRANSLATED, out(dgram));
        // R1's port unreachable about the translated datagram, addressed to X
        byte[] err = errorQuotingAll(R1, X, dgram);
        assertEquals(Action.TRANSLATED, in(err));
        Packet e = Pkts.parse(err); // outer IP and ICMP checksums verified
        assertEquals(ip(B), e.dst());
        assertEquals(new FlowKey(UDP, new Endpoint(ip(B), 5000), new Endpoint(ip(R1), 53)), e.quotedKey().orElseThrow());
        assertQuoteChecksumsVerify(err);
        // byte for byte the error B would have got without NAT
        assertArrayEquals(errorQuotingAll(R1, B, Pkts.udpBytes(B, 5000, R1, 53, 12)), err);
        // the usual short quote (header + 8 bytes) and a router's time exceeded
        byte[] dgram2 = Pkts.udpBytes(B, 5000, R1, 53, 12);
        out(dgram2);
        byte[] te = Pkts.icmpBytes("192.0.2.254", X, new IcmpRepr.TimeExceeded(0, IcmpRepr.quote(dgram2, 0, dgram2.length)));
        assertEquals(Action.TRANSLATED, in(te));
        assertEquals(5000, Pkts.parse(te).quotedKey().orElseThrow().src().port());
        assertEquals(ip(B), Pkts.parse(te).dst());
        assertEquals(2, counters.get("nat.icmp_errors"));
        // about no mapping: left alone (the host's own)
        byte[] stray = errorQuotingAll(R1, X, Pkts.udpBytes(X, 1, R1, 53, 4));
        assertEquals(Action.UNCHANGED, in(stray));
    }

    @Test void icmpErrorsAboutEchoAndTcpAreTranslated() {
        byte[] req = Pkts.icmpBytes(B, R1, new IcmpRepr.EchoRequest(77, 1, new byte[4]));
        out(Pkts.icmpBytes(A, R1, new IcmpRepr.EchoRequest(77, 1, new byte[4]))); // A holds id 77
        out(req);
        byte[] err = Pkts.icmpBytes("192.0.2.254", X, new IcmpRepr.TimeExceeded(0, req.clone()));
        assertEquals(Action.TRANSLATED, in(err));
        assertArrayEquals(Pkts.icmpBytes("192.0.2.254", B, new IcmpRepr.TimeExceeded(0,
                Pkts.icmpBytes(B, R1, new IcmpRepr.EchoRequest(77, 1, new byte[4])))), err);
        byte[] syn = Pkts.tcpBytes(B, 40000, R1, 80, SYN, 5, 0, 100, 0, List.of());
        out(Pkts.tcpBytes(A, 40000, R1, 80, SYN, 5, 0, 100, 0, List.of())); // A holds 40000
        out(syn);
        byte[] unreach = errorQuotingAll(R1, X, syn);
        assertEquals(Action.TRANSLATED, in(unreach));
        assertQuoteChecksumsVerify(unreach);
        assertArrayEquals(errorQuotingAll(R1, B, Pkts.tcpBytes(B, 40000, R1, 80, SYN, 5, 0, 100, 0, List.of())), unreach);
    }

    @Test void portForwardsAndErrorsFromTheInternalServer() {
        use(config.withForwards(List.of(new NatConfig.PortForward(TCP, 8080, new Endpoint(ip(B), 80)),
                new NatConfig.PortForward(UDP, 5353, new Endpoint(ip(B), 53)))));
        byte[] syn = Pkts.tcpBytes(R2, 33333, X, 8080, SYN, 1, 0, 1000, 0, List.of());
        assertEquals(Action.TRANSLATED, in(syn), "any remote may reach a forward");
        assertArrayEquals(Pkts.tcpBytes(R2, 33333, B, 80, SYN, 1, 0, 1000, 0, List.of()), syn);
        byte[] synAck = Pkts.tcpBytes(B, 80, R2, 33333, SYN | ACK, 7, 2, 1000, 0, List.of());
        assertEquals(Action.TRANSLATED, out(synAck));
        assertArrayEquals(Pkts.tcpBytes(X, 8080, R2, 33333, SYN | ACK, 7, 2, 1000, 0, List.of()), synAck);
        // B answers a UDP datagram to its forward with port unreachable: the error leaves as X's
        byte[] dns = Pkts.udpBytes(R1, 4444, X, 5353, 10);
        in(dns);
        byte[] err = errorQuotingAll(B, R1, dns);
        assertEquals(Action.TRANSLATED, out(err));
        assertArrayEquals(errorQuotingAll(X, R1, Pkts.udpBytes(R1, 4444, X, 5353, 10)), err);
        assertEquals(0, nat.mappings(), "forwards are not dynamic mappings");
        nat.poll(now + Time.s(100_000));
        assertTrue(nat.byExternal(TCP, 8080).isPresent(), "forwards never expire");
        // a dynamic mapping never takes a forwarded port
        byte[] t = Pkts.tcpBytes(A, 8080, R1, 80, SYN, 1, 0, 1000, 0, List.of());
        out(t);
        assertNotEquals(8080, key(t).src().port());
    }

    @Test void hairpinningShowsEachInsideHostTheOthersExternalEndpoint() {
        use(config.withFiltering(Filtering.ENDPOINT_INDEPENDENT, Filtering.ENDPOINT_INDEPENDENT));
        int pb = udpOut(B, 6000, R1, 3478); // B learnt its external endpoint X:pb (e.g. from STUN)
        byte[] toB = Pkts.udpBytes(A, 7000, X, pb, 8);
        assertEquals(Action.HAIRPINNED, in(toB, "lan"));
        int pa = nat.byInternal(UDP, new Endpoint(ip(A), 7000)).orElseThrow().external().port();
        assertArrayEquals(Pkts.udpBytes(X, pa, B, 6000, 8), toB, "B sees A's external endpoint");
        byte[] back = Pkts.udpBytes(B, 6000, X, pa, 8);
        assertEquals(Action.HAIRPINNED, in(back, "lan"));
        assertArrayEquals(Pkts.udpBytes(X, pb, A, 7000, 8), back);
        assertEquals(2, counters.get("nat.hairpinned"));
    }

    @Test void hairpinnedPacketsAreFilteredLikeOutsideOnes() {
        use(config.withFiltering(Filtering.ADDRESS_AND_PORT_DEPENDENT, Filtering.ADDRESS_AND_PORT_DEPENDENT));
        int pb = udpOut(B, 6000, R1, 3478);
        assertEquals(Action.FILTERED, in(Pkts.udpBytes(A, 7000, X, pb, 8), "lan"));
        int pa = nat.byInternal(UDP, new Endpoint(ip(A), 7000)).orElseThrow().external().port();
        // A's attempt punched a hole in its own mapping (as an outbound packet does): B gets through,
        // and having sent to A's external endpoint, opens B's mapping for A
        assertEquals(Action.HAIRPINNED, in(Pkts.udpBytes(B, 6000, X, pa, 8), "lan"));
        assertEquals(Action.HAIRPINNED, in(Pkts.udpBytes(A, 7000, X, pb, 8), "lan"));
        assertEquals(Action.FILTERED, in(Pkts.udpBytes("10.0.0.4", 7000, X, pb, 8), "lan"), "a third host is still filtered");
    }

    @Test void portExhaustionAndAFullTableAreCountedAndRecover() {
        use(config.withPorts(new PortRange(20000, 20009), false));
        for (int i = 0; i < 10; i++) udpOut(A, 30000 + i, R1, 53);
        byte[] eleventh = Pkts.udpBytes(A, 30010, R1, 53, 4);
        byte[] copy = eleventh.clone();
        assertEquals(Action.PORT_EXHAUSTED, out(eleventh));
        assertArrayEquals(copy, eleventh, "not rewritten");
        assertEquals(1, counters.get("nat.port_exhausted"));
        nat.poll(now + Time.s(300));
        assertEquals(0, nat.mappings());
        assertEquals(Action.TRANSLATED, out(eleventh), "ports free again after expiry");

        use(config.withLimits(3, 2));
        for (int i = 0; i < 3; i++) udpOut(A, 40000 + i, R1, 53);
        assertEquals(Action.TABLE_FULL, out(Pkts.udpBytes(A, 40003, R1, 53, 4)));
        assertEquals(1, counters.get("nat.table_full"));
        // sessions per mapping are bounded too: the oldest remote goes
        udpOut(A, 40000, R2, 53);
        udpOut(A, 40000, "198.51.100.3", 53);
        assertEquals(2, nat.byInternal(UDP, new Endpoint(ip(A), 40000)).orElseThrow().sessions());
        assertEquals(1, counters.get("nat.sessions.evicted"));
    }

    @Test void packetsNotForThisNatAreLeftAlone() {
        byte[] b = Pkts.udpBytes(A, 5000, R1, 53, 4);
        byte[] copy = b.clone();
        assertEquals(Action.UNCHANGED, nat.outbound(Pkts.parse(b), "lan2", now));
        assertEquals(Action.UNCHANGED, nat.inbound(Pkts.parse(Pkts.udpBytes(R1, 53, "203.0.113.9", 5000, 4)), "wan", now));
        use(config.withInternal(List.of(new Prefix(ip("10.9.0.0"), 16))));
        assertEquals(Action.UNCHANGED, out(b), "source outside the internal prefixes");
        assertTrue(Arrays.equals(copy, b));
    }
}
