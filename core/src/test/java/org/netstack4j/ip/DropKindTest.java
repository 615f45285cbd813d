package org.netstack4j.ip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.netstack4j.ip.IpStackTest.ethIp;
import static org.netstack4j.ip.IpStackTest.ipHeader;
import static org.netstack4j.ip.TwoHosts.IP_A;
import static org.netstack4j.ip.TwoHosts.IP_B;
import static org.netstack4j.ip.TwoHosts.MAC_A;
import static org.netstack4j.ip.TwoHosts.MAC_B;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.netstack4j.trace.DropReason;
import org.netstack4j.trace.TraceEvent;
import org.netstack4j.wire.EthernetRepr;

/** IP-layer drops carry a DropReason; malformed datagrams are sorted by the parser's kind. */
class DropKindTest {

    @Test void malformedDatagramsAreSortedByKind() {
        TwoHosts h = TwoHosts.ethernet();
        byte[] good = ethIp(MAC_B, MAC_A, ipHeader(IP_A, IP_B, 200, 4), new byte[4]);
        byte[] badSum = good.clone();
        badSum[EthernetRepr.HEADER_LENGTH + 10] ^= 0x55;
        h.link.b.inject(0, badSum);
        byte[] badVersion = good.clone();
        badVersion[EthernetRepr.HEADER_LENGTH] = 0x65;
        h.link.b.inject(0, badVersion);
        h.link.b.inject(0, java.util.Arrays.copyOf(good, EthernetRepr.HEADER_LENGTH + 12));
        h.link.b.inject(0, new byte[5]);
        List<DropReason> ip = TwoHosts.drops(h.tb, "ipv4").stream().map(TraceEvent.Drop::kind).toList();
        assertEquals(List.of(DropReason.CHECKSUM, DropReason.BAD_HEADER, DropReason.TRUNCATED), ip);
        assertEquals(List.of(DropReason.TRUNCATED), TwoHosts.drops(h.tb, "ethernet").stream().map(TraceEvent.Drop::kind).toList());
        assertEquals(1, h.cb.get("ipv4.in.drop.bad_checksum"));
        assertEquals(2, h.cb.get("ipv4.in.drop.malformed"));
    }

    @Test void aDatagramForAnotherHostIsNotForUs() {
        TwoHosts h = TwoHosts.ethernet();
        h.link.b.inject(0, ethIp(MAC_B, MAC_A, ipHeader(IP_A, org.netstack4j.wire.Ipv4Address.parse("10.0.0.9"), 200, 4), new byte[4]));
        TraceEvent.Drop d = TwoHosts.drops(h.tb, "ipv4").getFirst();
        assertEquals(DropReason.NOT_FOR_US, d.kind());
        assertEquals("not for us (no forwarding)", d.reason());
    }
}
