package org.netstack4j.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.netstack4j.filter.Pkts.ip;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.netstack4j.filter.Nat.Action;
import org.netstack4j.time.Time;
import org.netstack4j.trace.Counters;
import org.netstack4j.wire.IcmpRepr;
import org.netstack4j.wire.Ipv4Repr;
import org.netstack4j.wire.TcpRepr;

/**
 * NATs that share one external address, one per queue of a multi-queue router
 * ({@link NatConfig#withSlice}): their external ports and ICMP identifiers never collide, and
 * {@link NatConfig#sliceOf} names the NAT that holds a reply's mapping.
 */
class NatSliceTest {
    static final String X = "203.0.113.1", R = "198.51.100.1";
    static final int TCP = Ipv4Repr.PROTO_TCP, UDP = Ipv4Repr.PROTO_UDP, ICMP = Ipv4Repr.PROTO_ICMP;

    @Test void slicesAreContiguousDisjointAndCoverTheRange() {
        for (PortRange r : List.of(new PortRange(1024, 65535), new PortRange(1, 1023), new PortRange(0, 65535), new PortRange(5000, 5006)))
            for (int n = 1; n <= Math.min(64, r.size()); n++) {
                int next = r.lo();
                for (int i = 0; i < n; i++) {
                    PortRange s = r.slice(i, n);
                    assertEquals(next, s.lo(), r + " slice " + i + " of " + n + " starts where the last ended");
                    assertTrue(Math.abs(s.size() - r.size() / n) <= 1, "even sizes: " + s);
                    next = s.hi() + 1;
                }
                assertEquals(r.hi() + 1, next, r + " covered by " + n);
                for (int p = Math.max(0, r.lo() - 1); p <= Math.min(0xffff, r.hi() + 1); p++) {
                    int owner = r.sliceOf(p, n);
                    if (!r.contains(p)) assertEquals(-1, owner);
                    else assertTrue(r.slice(owner, n).contains(p), p + " in slice " + owner + " of " + n);
                }
            }
        assertThrows(IllegalArgumentException.class, () -> new PortRange(5000, 5002).slice(0, 4));
        assertThrows(IllegalArgumentException.class, () -> NatConfig.masquerade("wan", ip(X)).withSlice(2, 2));
    }

    /**
     * Three NATs, slices 0..2, each translating the same 300 internal endpoints (high and low
     * ports, UDP and TCP, echo identifiers), each endpoint colliding on its preferred port with its
     * twin in the other NATs: every external endpoint handed out is unique across the NATs, lies in
     * its NAT's slice, and sliceOf finds the NAT whose table translates the reply.
     */
    @Test void natsOfOneAddressNeverHandOutTheSamePort() {
        int n = 3;
        NatConfig base = NatConfig.masquerade("wan", ip(X))
                .withForwards(List.of(new NatConfig.PortForward(TCP, 8080, new Endpoint(ip("10.0.0.9"), 80))));
        List<Nat> nats = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) nats.add(new Nat(base.withSlice(i, n), new Counters()));
        Map<String, Integer> owner = new HashMap<>();
        long now = Time.s(1);
        for (int i = 0; i < n; i++) {
            Nat nat = nats.get(i);
            for (int h = 0; h < 100; h++) {
                String src = "10.0." + (1 + h / 200) + "." + (2 + h % 200);
                List<byte[]> pkts = List.of(
                        Pkts.udpBytes(src, 40000, R, 53, 8),
                        Pkts.udpBytes(src, 123, R, 123, 8),
                        Pkts.tcpBytes(src, 40000, R, 443, TcpRepr.SYN, 1, 0, 1000, 0, List.of()),
                        Pkts.icmpBytes(src, R, new IcmpRepr.EchoRequest(7, 1, new byte[] {1})));
                for (byte[] b : pkts) {
                    int internal = Pkts.parse(b).key().src().port();
                    assertEquals(Action.TRANSLATED, nat.outbound(Pkts.parse(b), "wan", now));
                    FlowKey k = Pkts.parse(b).key();
                    assertEquals(ip(X), k.src().address());
                    int port = k.src().port();
                    int proto = k.protocol();
                    assertEquals(null, owner.put(proto + "/" + port, i), "external " + proto + "/" + port + " handed out twice");
                    assertEquals(i, base.withSlice(i, n).sliceOf(proto, port), "sliceOf finds the NAT of " + port);
                    if (proto != ICMP && internal < 1024) assertTrue(port < 1024, "RFC 4787 REQ-3 within the slice: " + port);
                    // the reply finds its mapping in that NAT only
                    byte[] reply = proto == UDP ? Pkts.udpBytes(R, k.dst().port(), X, port, 8)
                            : proto == TCP ? Pkts.tcpBytes(R, 443, X, port, TcpRepr.SYN | TcpRepr.ACK, 1, 2, 1000, 0, List.of())
                            : Pkts.icmpBytes(R, X, new IcmpRepr.EchoReply(port, 1, new byte[] {1}));
                    for (int j = 0; j < n; j++)
                        assertEquals(j == i ? Action.TRANSLATED : Action.UNCHANGED, nats.get(j).inbound(Pkts.parse(reply.clone()), "wan", now),
                                "NAT " + j + " on the reply to " + proto + "/" + port);
                }
            }
        }
        assertEquals(n * 400, owner.size());
        assertEquals(-1, base.withSlice(1, n).sliceOf(TCP, 8080), "a port forward is every slice's");
    }
}
