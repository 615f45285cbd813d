package org.netstack4j.ip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.netstack4j.ip.IpStackTest.ethIp;
import static org.netstack4j.ip.IpStackTest.ipHeader;
import static org.netstack4j.ip.TwoHosts.IP_A;
import static org.netstack4j.ip.TwoHosts.MAC_A;
import static org.netstack4j.ip.TwoHosts.MAC_B;

import org.junit.jupiter.api.Test;
import org.netstack4j.trace.DropReason;
import org.netstack4j.trace.TraceEvent;
import org.netstack4j.wire.Ipv4Address;

/**
 * IP-layer drops carry a DropReason beside the words (malformed input by the parser's kind:
 * IpStackTest.malformedPacketsAreCountedAndTracedNeverThrown).
 */
class DropKindTest {

    @Test void aDatagramForAnotherHostIsNotForUs() {
        TwoHosts h = TwoHosts.ethernet();
        h.link.b.inject(0, ethIp(MAC_B, MAC_A, ipHeader(IP_A, Ipv4Address.parse("10.0.0.9"), 200, 4), new byte[4]));
        TraceEvent.Drop d = TwoHosts.drops(h.tb, "ipv4").getFirst();
        assertEquals(DropReason.NOT_FOR_US, d.kind());
        assertEquals("not for us (no forwarding)", d.reason());
    }

    @Test void anUnknownProtocolIsUnsupportedAndAClosedUdpPortHasNoListener() {
        TwoHosts h = TwoHosts.ethernet();
        h.link.b.inject(0, ethIp(MAC_B, MAC_A, ipHeader(IP_A, TwoHosts.IP_B, 200, 4), new byte[4]));
        assertEquals(DropReason.UNSUPPORTED, TwoHosts.drops(h.tb, "ipv4").getFirst().kind());
        byte[] udp = new byte[12];
        new org.netstack4j.wire.UdpRepr(1, 2).emit(IP_A, TwoHosts.IP_B, udp, 0, new byte[4], 0, 4);
        h.link.b.inject(0, ethIp(MAC_B, MAC_A, ipHeader(IP_A, TwoHosts.IP_B, 17, udp.length), udp));
        assertEquals(DropReason.NO_LISTENER, TwoHosts.drops(h.tb, "udp").getFirst().kind());
    }
}
