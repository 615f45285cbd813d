package org.netstack4j.filter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.netstack4j.filter.Pkts.ip;
import static org.netstack4j.wire.TcpRepr.ACK;
import static org.netstack4j.wire.TcpRepr.PSH;
import static org.netstack4j.wire.TcpRepr.RST;
import static org.netstack4j.wire.TcpRepr.SYN;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.netstack4j.time.Time;
import org.netstack4j.trace.Counters;
import org.netstack4j.wire.IcmpRepr;

/**
 * A router as the IP layer will drive the hooks: lan 10.0.0.1/24, wan 203.0.113.1 with
 * masquerade, a stateful rule set. Each datagram goes pre-routing, a route lookup (local, lan or
 * wan), the input or forward chain, post-routing.
 */
class NetfilterTest {
    static final String A = "10.0.0.2", X = "203.0.113.1", R = "198.51.100.1", LAN_IP = "10.0.0.1";
    static final String RULES = """
            chain input policy drop
            accept state established,related
            accept icmp type echo-request
            reject with tcp-reset tcp in wan to port 22
            chain forward policy drop
            drop state invalid
            accept state established,related
            accept in lan out wan
            """;

    final Counters counters = new Counters();
    Netfilter nf = new Netfilter(FirewallTest.load(RULES), ConnTrackConfig.defaults(),
            List.of(NatConfig.masquerade("wan", ip(X))), Map.of("lan", ip(LAN_IP), "wan", ip(X)), counters);
    long now = Time.s(5);

    /** Where a datagram ended: "local", "lan", "wan", or the outcome that stopped it. */
    record Hop(String where, byte[] bytes, Netfilter.Outcome outcome) {}

    Hop receive(byte[] b, String in) {
        Netfilter.Outcome o = nf.preRouting(b, 0, b.length, in, now);
        if (!(o instanceof Netfilter.Outcome.Pass)) return new Hop("pre", b, o);
        Packet p = Pkts.parse(b);
        boolean local = p.dst().equals(ip(X)) || p.dst().equals(ip(LAN_IP));
        String out = local ? "" : new Prefix(ip("10.0.0.0"), 24).contains(p.dst()) ? "lan" : "wan";
        o = nf.filter(local ? Chain.INPUT : Chain.FORWARD, b, 0, b.length, in, out, now);
        if (!(o instanceof Netfilter.Outcome.Pass)) return new Hop("filter", b, o);
        if (local) return new Hop("local", b, o);
        o = nf.postRouting(b, 0, b.length, out, now);
        if (!(o instanceof Netfilter.Outcome.Pass)) return new Hop("post", b, o);
        Pkts.parse(b); // every checksum still right
        return new Hop(out, b, o);
    }

    static byte[] tcp(String s, int sp, String d, int dp, int flags, int seq, int ack, int plen) {
        return Pkts.tcpBytes(s, sp, d, dp, flags, seq, ack, 1000, plen, List.of());
    }

    @Test void aMasqueradingStatefulRouter() {
        // A opens a connection to R: out by wan as X
        Hop h = receive(tcp(A, 40000, R, 80, SYN, 100, 0, 0), "lan");
        assertEquals("wan", h.where);
        assertArrayEquals(tcp(X, 40000, R, 80, SYN, 100, 0, 0), h.bytes);
        h = receive(tcp(R, 80, X, 40000, SYN | ACK, 900, 101, 0), "wan");
        assertEquals("lan", h.where);
        assertArrayEquals(tcp(R, 80, A, 40000, SYN | ACK, 900, 101, 0), h.bytes);
        assertEquals("wan", receive(tcp(A, 40000, R, 80, ACK, 101, 901, 0), "lan").where);
        assertEquals("wan", receive(tcp(A, 40000, R, 80, PSH | ACK, 101, 901, 100), "lan").where);
        assertEquals("lan", receive(tcp(R, 80, X, 40000, PSH | ACK, 901, 201, 500), "wan").where);
        Connection c = nf.conntrack().lookup(Pkts.parse(tcp(A, 40000, R, 80, ACK, 0, 0, 0)).key()).orElseThrow();
        assertEquals(TcpCtState.ESTABLISHED, c.tcpState());

        // a blind RST through the mapping: INVALID, dropped, the flow lives on
        h = receive(tcp(R, 80, X, 40000, RST, 0x5eed_0000, 0, 0), "wan");
        assertEquals("filter", h.where);
        assertEquals("line 6: drop state invalid", assertInstanceOf(Netfilter.Outcome.Drop.class, h.outcome).reason());
        assertEquals(TcpCtState.ESTABLISHED, c.tcpState());
        assertEquals("lan", receive(tcp(R, 80, X, 40000, PSH | ACK, 1401, 201, 10), "wan").where);

        // unsolicited inbound: to the router itself, no mapping; the input policy drops it
        h = receive(tcp("192.0.2.66", 5555, X, 8080, SYN, 1, 0, 0), "wan");
        assertEquals("input policy", ((Netfilter.Outcome.Drop) h.outcome).reason());
        // ssh is rejected with a reset from X
        h = receive(tcp("192.0.2.66", 5555, X, 22, SYN, 1, 0, 0), "wan");
        byte[] rst = assertInstanceOf(Netfilter.Outcome.Reject.class, h.outcome).answer();
        assertArrayEquals(Pkts.tcpBytes(X, 22, "192.0.2.66", 5555, RST | ACK, 0, 2, 0, 0, List.of()), rst);
        // pings to the router pass the input chain
        assertEquals("local", receive(Pkts.icmpBytes(R, X, new IcmpRepr.EchoRequest(1, 1, new byte[4])), "wan").where);
        // nothing from wan to lan unless it belongs to a flow
        assertEquals("forward policy", ((Netfilter.Outcome.Drop) receive(tcp(R, 80, A, 40001, ACK, 1, 1, 0), "wan").outcome).reason());
    }

    @Test void icmpErrorsAboutAMasqueradedFlowComeBackRelated() {
        byte[] dns = Pkts.udpBytes(A, 5353, R, 53, 30);
        assertEquals("wan", receive(dns, "lan").where);
        byte[] err = Pkts.icmpBytes("192.0.2.254", X, new IcmpRepr.TimeExceeded(0, IcmpRepr.quote(dns, 0, dns.length)));
        Hop h = receive(err, "wan");
        assertEquals("lan", h.where);
        Packet e = Pkts.parse(h.bytes);
        assertEquals(ip(A), e.dst());
        assertEquals(Pkts.parse(Pkts.udpBytes(A, 5353, R, 53, 30)).key(), e.quotedKey().orElseThrow());
        assertEquals(1, counters.get("ct.related"));
        // the same error about nothing is dropped
        byte[] stray = Pkts.icmpBytes("192.0.2.254", A, new IcmpRepr.TimeExceeded(0,
                IcmpRepr.quote(Pkts.udpBytes(A, 9, R, 9, 4), 0, 36)));
        assertEquals("filter", receive(stray, "wan").where);
    }

    @Test void aFloodOfNewFlowsKeepsTheTableWithinItsBoundAndTheEstablishedFlowAlive() {
        nf = new Netfilter(FirewallTest.load(RULES), ConnTrackConfig.defaults().withMaxEntries(64),
                List.of(NatConfig.masquerade("wan", ip(X))), Map.of(), counters);
        receive(tcp(A, 40000, R, 80, SYN, 100, 0, 0), "lan");
        receive(tcp(R, 80, X, 40000, SYN | ACK, 900, 101, 0), "wan");
        receive(tcp(A, 40000, R, 80, ACK, 101, 901, 0), "lan");
        for (int i = 0; i < 5000; i++) {
            now += Time.ms(1);
            assertEquals("wan", receive(tcp(A, 10000 + i, "198.51.100." + (i % 200 + 2), 443, SYN, i, 0, 0), "lan").where);
            assertTrue(nf.conntrack().size() <= 64);
        }
        assertEquals("lan", receive(tcp(R, 80, X, 40000, PSH | ACK, 901, 101, 10), "wan").where, "the assured flow survived");
        assertEquals(5000 - 63, counters.get("ct.early_drop"));
        // every entry and mapping expires in the end
        nf.poll(now + Time.s(432_000));
        assertEquals(0, nf.conntrack().size());
        assertEquals(0, nf.nats().get(0).mappings());
        assertEquals(Long.MAX_VALUE, nf.pollAt());
    }

    @Test void malformedDatagramsAreDroppedAndCounted() {
        byte[] b = tcp(A, 1, R, 2, SYN, 1, 0, 0);
        b[b.length - 1] ^= 1; // breaks the TCP checksum
        b[30] ^= 0x40;
        Netfilter.Outcome o = nf.preRouting(b, 0, b.length, "lan", now);
        assertTrue(((Netfilter.Outcome.Drop) o).reason().contains("checksum"), o.toString());
        assertEquals(1, counters.get("nf.malformed"));
    }
}
