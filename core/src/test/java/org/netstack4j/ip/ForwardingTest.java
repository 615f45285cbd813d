package org.netstack4j.ip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.netstack4j.device.Medium;
import org.netstack4j.trace.Counters;
import org.netstack4j.wire.Checksum;
import org.netstack4j.wire.IcmpRepr;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv4Repr;
import org.netstack4j.wire.Parsed;

/**
 * A router R between A (10.1.0.2, link 1, MTU 1500) and B (10.2.0.2, link 2, MTU 576), all on
 * bare-IP {@link TestLink}s: what R sends for crafted datagrams, byte by byte.
 */
class ForwardingTest {
    static final Ipv4Address A = Ipv4Address.parse("10.1.0.2"), RA = Ipv4Address.parse("10.1.0.1"),
            RB = Ipv4Address.parse("10.2.0.1"), B = Ipv4Address.parse("10.2.0.2");

    final TestLink l1 = new TestLink(Medium.IP, 1500), l2 = new TestLink(Medium.IP, 576);
    final Counters cr = new Counters(), cb = new Counters();
    final IpStack a = new IpStack(null, new Counters(), 1), r = new IpStack(null, cr, 2), b = new IpStack(null, cb, 3);
    long now;

    ForwardingTest() {
        a.addInterface(new IpInterface("a0", l1.a, null, A, 24));
        r.addInterface(new IpInterface("ra", l1.b, null, RA, 24));
        r.addInterface(new IpInterface("rb", l2.a, null, RB, 24));
        b.addInterface(new IpInterface("b0", l2.b, null, B, 24));
        a.setDefaultGateway(RA);
        b.setDefaultGateway(RB);
        r.setForwarding(true);
    }

    void settle() {
        for (int i = 0; i < 100; i++) if (l1.drain(now) + l2.drain(now) == 0) return;
    }

    static byte[] datagram(Ipv4Address src, Ipv4Address dst, int ttl, boolean df, int payload) {
        Ipv4Repr ip = new Ipv4Repr(0, 0x1234, df, false, 0, ttl, Ipv4Repr.PROTO_UDP, src, dst, new byte[0], payload);
        byte[] p = new byte[ip.totalLength()];
        ip.emit(p, 0);
        for (int i = ip.headerLength(); i < p.length; i++) p[i] = (byte) i;
        return p;
    }

    static Ipv4Repr parse(byte[] p) { return ((Parsed.Ok<Ipv4Repr>) Ipv4Repr.parse(p, 0, p.length)).value(); }

    static IcmpRepr icmp(byte[] p) {
        Ipv4Repr ip = parse(p);
        assertEquals(Ipv4Repr.PROTO_ICMP, ip.protocol());
        return ((Parsed.Ok<IcmpRepr>) IcmpRepr.parse(p, ip.headerLength(), ip.payloadLength())).value();
    }

    @Test void offByDefault() {
        IpStack host = new IpStack(null, new Counters(), 9);
        assertFalse(host.forwarding());
    }

    /** The received array is the stack's (FrameSink) and transmit takes it over: forwarded in it, no copy. */
    @Test void forwardsInTheArrayItCameInButCopiesAFrameWithBytesAround() {
        byte[] in = datagram(A, B, 64, true, 100);
        l1.b.inject(now, in);
        assertTrue(l2.b.inbox.peekLast() == in, "sent in the received array"); // (sent holds copies; the wire the array)
        assertEquals(63, parse(in).ttl());
        // the datagram inside a bigger array (trailing bytes): a copy of just the datagram
        byte[] padded = java.util.Arrays.copyOf(datagram(A, B, 64, true, 100), 130);
        l1.b.inject(now, padded);
        byte[] out = l2.b.inbox.peekLast();
        assertFalse(out == padded);
        assertEquals(120, out.length);
        assertEquals(63, parse(out).ttl());
        assertEquals(64, padded[8]);
    }

    @Test void forwardsWithTtlOneLowerAndAValidChecksum() {
        l1.b.inject(now, datagram(A, B, 64, true, 100));
        byte[] out = l2.a.sent.getFirst();
        Ipv4Repr ip = parse(out); // parse checks the header checksum
        assertEquals(63, ip.ttl());
        byte[] in = datagram(A, B, 64, true, 100);
        for (int i = 20; i < in.length; i++) assertEquals(in[i], out[i]);
        assertEquals(1, cr.get("ipv4.fwd.datagrams"));
        assertEquals(1, cr.get("ipv4.fwd.ra.in"));
        assertEquals(1, cr.get("ipv4.fwd.rb.out"));
    }

    @Test void incrementalChecksumMatchesARecomputation() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int n = 0; n < 10_000; n++) {
            Ipv4Repr ip = new Ipv4Repr(rnd.nextInt(256), rnd.nextInt(65536), rnd.nextBoolean(), false, 0,
                    1 + rnd.nextInt(255), rnd.nextInt(256), new Ipv4Address(rnd.nextInt()), new Ipv4Address(rnd.nextInt()),
                    new byte[0], rnd.nextInt(100));
            byte[] h = new byte[ip.totalLength()];
            ip.emit(h, 0);
            Forwarding.decrementTtl(h, 0);
            assertEquals(0, Checksum.finish(Checksum.sum(0, h, 0, 20)), "header checksum after the update: " + ip);
            assertEquals(ip.ttl() - 1, h[8] & 0xff);
        }
    }

    @Test void ttlOneGivesTimeExceededFromTheIncomingInterface() {
        byte[] p = datagram(A, B, 1, false, 40);
        l1.b.inject(now, p);
        assertTrue(l2.a.sent.isEmpty());
        byte[] err = l1.b.sent.getFirst();
        assertEquals(RA, parse(err).src());
        assertEquals(A, parse(err).dst());
        IcmpRepr.TimeExceeded te = assertInstanceOf(IcmpRepr.TimeExceeded.class, icmp(err));
        assertEquals(0, te.code());
        assertEquals(B, Icmp.parseQuoted(te.data()).dst());
        assertEquals(1, cr.get("ipv4.fwd.drop.ttl_exceeded"));
    }

    @Test void noRouteGivesNetUnreachable() {
        l1.b.inject(now, datagram(A, Ipv4Address.parse("10.99.0.1"), 64, false, 40));
        IcmpRepr.DestinationUnreachable du = assertInstanceOf(IcmpRepr.DestinationUnreachable.class, icmp(l1.b.sent.getFirst()));
        assertEquals(IcmpRepr.CODE_NET_UNREACHABLE, du.code());
        assertEquals(1, cr.get("ipv4.fwd.drop.no_route"));
    }

    @Test void dontFragmentAndTooBigGivesFragmentationNeededWithTheNextHopMtu() {
        l1.b.inject(now, datagram(A, B, 64, true, 1000));
        assertTrue(l2.a.sent.isEmpty());
        IcmpRepr.DestinationUnreachable du = assertInstanceOf(IcmpRepr.DestinationUnreachable.class, icmp(l1.b.sent.getFirst()));
        assertEquals(IcmpRepr.CODE_FRAGMENTATION_NEEDED, du.code());
        assertEquals(576, du.nextHopMtu());
        assertEquals(1, cr.get("ipv4.fwd.drop.frag_needed"));
    }

    @Test void dontFragmentClearIsFragmentedAndReassembledAtB() {
        UdpSocket sink = b.udpBind(Ipv4Address.ANY, 9);
        UdpSocket src = a.udpBind(Ipv4Address.ANY, 0);
        byte[] data = new byte[1400];
        for (int i = 0; i < data.length; i++) data[i] = (byte) (i * 7);
        assertTrue(src.sendTo(now, B, 9, data, 0, data.length));
        settle();
        assertEquals(3, l2.a.sent.size(), "1408 bytes of UDP in fragments of 552");
        int total = 0;
        for (byte[] f : l2.a.sent) {
            Ipv4Repr ip = parse(f);
            assertTrue(f.length <= 576);
            assertEquals(63, ip.ttl());
            total += ip.payloadLength();
        }
        assertEquals(1408, total);
        UdpDatagram d = sink.receive();
        assertArrayEquals(data, d.data());
        assertEquals(63, d.ip().ttl(), "TTL seen at B");
        assertEquals(1, cr.get("ipv4.fwd.fragmented"));
        assertEquals(3, cr.get("ipv4.fwd.frag_creates"));
    }

    @Test void fragmentOfAFragmentKeepsOffsetAndMoreFragments() {
        // the first half of a datagram (MF set) is split again: every piece keeps MF
        Ipv4Repr ip = new Ipv4Repr(0, 77, false, true, 0, 64, Ipv4Repr.PROTO_UDP, A, B, new byte[0], 1000);
        byte[] p = new byte[ip.totalLength()];
        ip.emit(p, 0);
        l1.b.inject(now, p);
        List<Ipv4Repr> pieces = new ArrayList<>();
        for (byte[] f : l2.a.sent) pieces.add(parse(f));
        assertEquals(2, pieces.size());
        assertTrue(pieces.get(0).moreFragments() && pieces.get(1).moreFragments());
        assertEquals(552, pieces.get(1).fragmentOffset());
    }

    @Test void martianSourcesAndDestinationsAreNotForwarded() {
        for (String s : new String[] {"127.0.0.1", "0.1.2.3", "169.254.1.1", "240.0.0.1"}) {
            l1.b.inject(now, datagram(Ipv4Address.parse(s), B, 64, false, 20));
        }
        l1.b.inject(now, datagram(A, Ipv4Address.parse("169.254.9.9"), 64, false, 20));
        // B's subnet's directed broadcast: taken as a broadcast to R itself, not forwarded (RFC 1812 5.3.5.2 default)
        l1.b.inject(now, datagram(A, Ipv4Address.parse("10.2.0.255"), 64, false, 20));
        assertTrue(l2.a.sent.isEmpty());
        assertEquals(5, cr.get("ipv4.fwd.drop.martian"));
    }

    @Test void notSentBackOutOfAPointToPointInterface() {
        l1.b.inject(now, datagram(A, Ipv4Address.parse("10.1.0.7"), 64, false, 20));
        assertEquals(1, cr.get("ipv4.fwd.drop.same_interface"));
        assertTrue(l2.a.sent.isEmpty());
    }

    @Test void copiedOptionsOnly() {
        // NOP (not copied), record route type 7 (not copied, len 3), loose source route 0x83 (copied, len 3), EOL
        byte[] opts = {1, 7, 3, 0, (byte) 0x83, 3, 0, 0};
        assertArrayEquals(new byte[] {(byte) 0x83, 3, 0, 0}, Forwarding.copiedOptions(opts));
    }

    @Test void errorsAreRateLimited() {
        for (int i = 0; i < IpStack.ICMP_ERROR_BURST + 10; i++) l1.b.inject(now, datagram(A, B, 1, false, 20));
        assertEquals(IpStack.ICMP_ERROR_BURST, l1.b.sent.size());
        assertEquals(10, cr.get("icmp.out.rate_limited"));
    }
}
