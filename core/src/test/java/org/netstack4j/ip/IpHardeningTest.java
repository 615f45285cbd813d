package org.netstack4j.ip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.netstack4j.ip.TwoHosts.IP_A;
import static org.netstack4j.ip.TwoHosts.IP_B;
import static org.netstack4j.ip.TwoHosts.MAC_A;
import static org.netstack4j.ip.TwoHosts.MAC_B;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.netstack4j.device.Medium;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv4Repr;

/** RFC 6864 / 7739 Identification per destination; RFC 791 options validated on input. */
class IpHardeningTest {
    static final Ipv4Address IP_C = Ipv4Address.parse("10.0.0.3");

    private static int id(byte[] packet) { return (packet[4] & 0xff) << 8 | (packet[5] & 0xff); }

    private static Ipv4Address dst(byte[] packet) { return Ipv4Address.read(packet, 16); }

    @Test void twoDestinationsSeeIndependentIdSequences() {
        TwoHosts h = new TwoHosts(Medium.IP, 1500);
        byte[] p = new byte[10];
        // 3 to B, 5 to C, 3 to B, interleaved: each destination's IDs step by one, whatever goes elsewhere
        for (int i = 0; i < 3; i++) h.a.send(h.now, IP_A, IP_B, Ipv4Repr.PROTO_UDP, -1, p, 0, p.length);
        for (int i = 0; i < 5; i++) h.a.send(h.now, IP_A, IP_C, Ipv4Repr.PROTO_UDP, -1, p, 0, p.length);
        for (int i = 0; i < 3; i++) h.a.send(h.now, IP_A, IP_B, Ipv4Repr.PROTO_UDP, -1, p, 0, p.length);
        List<Integer> toB = new ArrayList<>(), toC = new ArrayList<>();
        for (byte[] f : h.link.a.sent) (dst(f).equals(IP_B) ? toB : toC).add(id(f));
        assertEquals(6, toB.size());
        assertEquals(5, toC.size());
        for (int i = 1; i < toB.size(); i++) assertEquals((toB.get(0) + i) & 0xffff, toB.get(i), "B's IDs: " + toB);
        for (int i = 1; i < toC.size(); i++) assertEquals((toC.get(0) + i) & 0xffff, toC.get(i), "C's IDs: " + toC);
        // the starts are keyed hashes, not one counter: B cannot tell how much went to C
        assertNotEquals((toB.get(2) + 1) & 0xffff, toC.get(0));
        assertNotEquals(toB.get(0), toC.get(0));
    }

    @Test void theIdStartDependsOnTheSecret() {
        IpIdGenerator one = new IpIdGenerator(1), two = new IpIdGenerator(2);
        int same = 0;
        for (int i = 1; i <= 50; i++) {
            Ipv4Address d = Ipv4Address.of(192, 0, 2, i);
            if (one.next(IP_A, d, 6) == two.next(IP_A, d, 6)) same++;
        }
        assertTrue(same <= 2, "IDs under two secrets agree " + same + " times in 50");
    }

    private static byte[] withOptions(byte[] options) {
        Ipv4Repr ip = new Ipv4Repr(0, 1, false, false, 0, 64, 200, IP_A, IP_B, options, 4);
        return IpStackTest.ethIp(MAC_B, MAC_A, ip, new byte[4]);
    }

    @Test void malformedOptionsAreDroppedAndCounted() {
        TwoHosts h = TwoHosts.ethernet();
        List<String> got = new ArrayList<>();
        h.b.setProtocolHandler(200, (now, ip, buf, off, len) -> got.add("delivered"));
        byte[][] bad = {
            {(byte) 130, 1, 0, 0},            // length 1 < 2
            {(byte) 130, 0, 0, 0},            // length 0
            {1, 1, 1, (byte) 130},            // no length octet at the end
            {(byte) 130, 9, 0, 0, 0, 0, 0, 0}, // runs past the 8 option bytes
            {7, 7, 3, 0, 0, 0, 0, 0},         // Record Route with pointer 3 < 4
            {68, 8, 4, 0, 0, 0, 0, 0},        // Timestamp with pointer 4 < 5
            {7, 2, 0, 0},                     // Record Route without room for a pointer
        };
        for (byte[] o : bad) h.link.b.inject(0, withOptions(o));
        assertEquals(bad.length, h.cb.get("ipv4.in.drop.bad_options"));
        assertEquals(bad.length, h.cb.get("ipv4.in.hdr_errors"));
        assertTrue(got.isEmpty());
        assertEquals(bad.length, TwoHosts.drops(h.tb, "ipv4").size());

        // well-formed options pass: NOPs, End of Option List with garbage after it, Record Route
        h.link.b.inject(0, withOptions(new byte[] {1, 1, 1, 1}));
        h.link.b.inject(0, withOptions(new byte[] {0, 99, 99, 99}));
        h.link.b.inject(0, withOptions(new byte[] {1, 7, 7, 4, 0, 0, 0, 0}));
        assertEquals(3, got.size());
        assertEquals(bad.length, h.cb.get("ipv4.in.drop.bad_options"));
    }

    /**
     * RFC 1122 3.2.2.5 / RFC 792: a datagram with malformed options is answered with a Parameter
     * Problem whose pointer names the faulty octet of the quoted header (type octet for a bad
     * length, pointer octet for a bad pointer), and none about a broadcast.
     */
    @Test void malformedOptionsGetAParameterProblemWithThePointer() {
        TwoHosts h = TwoHosts.ethernet();
        h.link.b.inject(0, withOptions(new byte[] {1, (byte) 130, 9, 0, 0, 0, 0, 0})); // length 9 runs past: type octet at 21
        h.link.b.inject(0, withOptions(new byte[] {7, 7, 3, 0, 0, 0, 0, 0}));        // Record Route pointer 3: octet 22
        h.settle();
        assertEquals(2, h.cb.get("icmp.out.parm_probs"));
        assertEquals(2, h.ca.get("icmp.in.other"));
        List<int[]> got = new ArrayList<>(); // {type, code, pointer, quoted source's first octet}
        for (byte[] f : h.link.b.sent) {
            if (f.length < 14 + 20 + 8 || (f[12] & 0xff) != 0x08 || f[13] != 0 || f[14 + 9] != 1) continue; // IPv4, ICMP
            int icmp = 14 + (f[14] & 0xf) * 4;
            got.add(new int[] {f[icmp] & 0xff, f[icmp + 1] & 0xff, f[icmp + 4] & 0xff, f[icmp + 8 + 12] & 0xff});
        }
        assertEquals(2, got.size());
        assertArrayEquals(new int[] {12, 0, 21, 10}, got.get(0));
        assertArrayEquals(new int[] {12, 0, 22, 10}, got.get(1));
        assertEquals(21, new Ipv4Repr(0, 1, false, false, 0, 64, 6, IP_A, IP_B, new byte[] {1, (byte) 130, 9, 0}, 0).optionsProblemPointer());
        assertEquals(25, new Ipv4Repr(0, 1, false, false, 0, 64, 6, IP_A, IP_B, new byte[] {1, 1, 1, 1, 7, 2, 0, 0}, 0).optionsProblemPointer(),
                "Record Route without room for a pointer: its length octet");
        assertEquals(-1, Ipv4Repr.of(IP_A, IP_B, 6, 64, 0).optionsProblemPointer());

        // to the broadcast address: dropped and counted, never answered
        Ipv4Repr bcast = new Ipv4Repr(0, 2, false, false, 0, 64, 200, IP_A, Ipv4Address.parse("10.0.0.255"),
                new byte[] {(byte) 130, 1, 0, 0}, 4);
        h.link.b.inject(0, IpStackTest.ethIp(MAC_B, MAC_A, bcast, new byte[4]));
        h.settle();
        assertEquals(3, h.cb.get("ipv4.in.drop.bad_options"));
        assertEquals(2, h.cb.get("icmp.out.parm_probs"));
    }

    @Test void optionsProblemNamesTheFault() {
        Ipv4Repr ip = new Ipv4Repr(0, 1, false, false, 0, 64, 6, IP_A, IP_B, new byte[] {(byte) 130, 9, 0, 0, 0, 0, 0, 0}, 0);
        assertTrue(ip.optionsProblem().contains("runs past the header"), ip.optionsProblem());
        assertNull(Ipv4Repr.of(IP_A, IP_B, 6, 64, 0).optionsProblem());
    }
}
