package org.netstack4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.netstack4j.tcp.TcpState;
import org.netstack4j.trace.FourTuple;
import org.netstack4j.trace.TraceEvent;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.TcpRepr;

/** What {@link RstWatch} counts as a reset (a test failure) and what as a late RST after a clean close. */
class RstWatchTest {
    private static final Ipv4Address US = Ipv4Address.parse("10.213.15.2"), KERNEL = Ipv4Address.parse("10.213.15.1");

    private static TraceEvent.Segment rst(int peerPort) {
        return TraceEvent.Segment.of(0, false, US, KERNEL, new TcpRepr(7015, peerPort, 1, 0, TcpRepr.RST, 0, 0, List.of()), 0);
    }

    private static TraceEvent change(int peerPort, TcpState from, TcpState to) {
        return change(peerPort, from, to, "test");
    }

    private static TraceEvent change(int peerPort, TcpState from, TcpState to, String cause) {
        return new TraceEvent.StateChange<>(0, new FourTuple(US, 7015, KERNEL, peerPort), from, to, cause);
    }

    @Test
    void aRstAfterOurFinWasAcknowledgedIsLate() {
        // the run TunShardsTest failed on: LAST-ACK, the FIN sent again after a stall, the kernel's
        // TIME-WAIT acknowledges both, the second ACK finds only the listener and gets a RST
        RstWatch w = new RstWatch();
        w.event(change(47530, TcpState.CLOSE_WAIT, TcpState.LAST_ACK));
        w.event(change(47530, TcpState.LAST_ACK, TcpState.CLOSED, "rcv ACK of FIN"));
        w.event(rst(47530));
        assertEquals(0, w.resets());
        assertEquals(1, w.late());
    }

    @Test
    void aRstAfterTimeWaitIsLate() {
        RstWatch w = new RstWatch();
        w.event(change(40000, TcpState.FIN_WAIT_2, TcpState.TIME_WAIT));
        w.event(rst(40000));
        assertEquals(0, w.resets());
        assertEquals(1, w.late());
    }

    @Test
    void aRstForAConnectionInUseOrUnknownIsAReset() {
        RstWatch w = new RstWatch();
        w.event(change(40001, TcpState.SYN_RECEIVED, TcpState.ESTABLISHED));
        w.event(rst(40001)); // e.g. its owner aborted it
        w.event(rst(40002)); // e.g. a shard that never had it: a segment not steered to its owner
        w.event(change(40003, TcpState.ESTABLISHED, TcpState.CLOSED)); // closed by a RST or an abort: not clean
        w.event(rst(40003));
        w.event(change(40004, TcpState.LAST_ACK, TcpState.CLOSED, "rcv RST")); // our FIN never acknowledged
        w.event(rst(40004));
        assertEquals(4, w.resets());
        assertEquals(0, w.late());
        String story = w.resetsSince(1);
        assertTrue(story.contains(":40002,") && story.contains(":40003,") && !story.contains(":40001,"), story);
        assertTrue(story.contains("from=ESTABLISHED, to=CLOSED"), story);
    }
}
