package org.netstack4j.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.netstack4j.filter.Pkts.tcp;
import static org.netstack4j.wire.TcpRepr.ACK;
import static org.netstack4j.wire.TcpRepr.FIN;
import static org.netstack4j.wire.TcpRepr.PSH;
import static org.netstack4j.wire.TcpRepr.RST;
import static org.netstack4j.wire.TcpRepr.SYN;

import org.junit.jupiter.api.Test;
import org.netstack4j.time.Time;
import org.netstack4j.trace.Counters;
import org.netstack4j.wire.IcmpRepr;
import org.netstack4j.wire.TcpOption;

/** Connection tracking as packet conversations between client C (10.0.0.1:40000) and server S (192.0.2.9:80), virtual time. */
class ConnTrackTest {
    static final String C = "10.0.0.1", S = "192.0.2.9";
    static final int CP = 40000, SP = 80, CISN = 1000, SISN = 5000;

    final Counters counters = new Counters();
    ConnTrack ct = new ConnTrack(ConnTrackConfig.defaults(), counters);
    long now = Time.s(100);

    ConnTrack.Result send(Packet p) {
        ConnTrack.Result r = ct.track(p, now);
        if (r.needsConfirm()) assertTrue(ct.confirm(r, now));
        return r;
    }

    Packet c2s(int flags, int seq, int ack, int plen) { return tcp(C, CP, S, SP, flags, seq, ack, 65535, plen); }
    Packet s2c(int flags, int seq, int ack, int plen) { return tcp(S, SP, C, CP, flags, seq, ack, 65535, plen); }

    Connection conn() { return ct.lookup(c2s(ACK, 0, 0, 0).key()).orElseThrow(); }

    void assertTimeout(long expected) { assertEquals(expected, conn().deadline() - now); }

    /** Handshake: C seq 1000, S seq 5000; returns with both at seq ISN + 1. */
    void established() {
        assertEquals(CtState.NEW, send(c2s(SYN, CISN, 0, 0)).state());
        assertEquals(TcpCtState.SYN_SENT, conn().tcpState());
        assertTimeout(Time.s(120));
        ConnTrack.Result r = send(s2c(SYN | ACK, SISN, CISN + 1, 0));
        assertEquals(CtState.ESTABLISHED, r.state());
        assertEquals(Direction.REPLY, r.direction());
        assertEquals(TcpCtState.SYN_RECV, conn().tcpState());
        assertTimeout(Time.s(60));
        assertEquals(CtState.ESTABLISHED, send(c2s(ACK, CISN + 1, SISN + 1, 0)).state());
        assertEquals(TcpCtState.ESTABLISHED, conn().tcpState());
        assertTimeout(Time.s(432_000));
        assertTrue(conn().assured());
    }

    @Test void everyStateOfAnOrderlyCloseWithLinuxTimeouts() {
        established();
        assertEquals(CtState.ESTABLISHED, send(c2s(PSH | ACK, CISN + 1, SISN + 1, 100)).state());
        assertTimeout(Time.s(300)); // data unacknowledged: nf_conntrack_tcp_timeout_unacknowledged
        send(s2c(ACK, SISN + 1, CISN + 101, 0));
        assertTimeout(Time.s(432_000));
        send(c2s(FIN | ACK, CISN + 101, SISN + 1, 0));
        assertEquals(TcpCtState.FIN_WAIT, conn().tcpState());
        assertTimeout(Time.s(120));
        send(s2c(ACK, SISN + 1, CISN + 102, 0));
        assertEquals(TcpCtState.CLOSE_WAIT, conn().tcpState());
        assertTimeout(Time.s(60));
        send(s2c(FIN | ACK, SISN + 1, CISN + 102, 0));
        assertEquals(TcpCtState.LAST_ACK, conn().tcpState());
        assertTimeout(Time.s(30));
        send(c2s(ACK, CISN + 102, SISN + 2, 0));
        assertEquals(TcpCtState.TIME_WAIT, conn().tcpState());
        assertTimeout(Time.s(120));
        // TIME_WAIT expires at 120 s, not a nanosecond earlier
        ct.poll(now + Time.s(120) - 1);
        assertEquals(1, ct.size());
        ct.poll(now + Time.s(120));
        assertEquals(0, ct.size());
        assertEquals(1, counters.get("ct.expired"));
    }

    @Test void everyHandshakeStateExpiresOnItsOwnTimeout() {
        send(c2s(SYN, CISN, 0, 0));
        assertEquals(Time.s(120), ct.pollAt() - now);
        ct.poll(now + Time.s(119));
        assertEquals(1, ct.size());
        // a retransmitted SYN refreshes the timer
        now += Time.s(119);
        assertEquals(CtState.NEW, send(c2s(SYN, CISN, 0, 0)).state());
        ct.poll(now + Time.s(119));
        assertEquals(1, ct.size());
        send(s2c(SYN | ACK, SISN, CISN + 1, 0));
        ct.poll(now + Time.s(60));
        assertEquals(0, ct.size(), "SYN_RECV lasts 60 s");
    }

    @Test void simultaneousCloseGoesFinWaitToLastAckToTimeWait() {
        established();
        send(c2s(FIN | ACK, CISN + 1, SISN + 1, 0));
        assertEquals(TcpCtState.FIN_WAIT, conn().tcpState());
        send(s2c(FIN | ACK, SISN + 1, CISN + 1, 0)); // crossed: it has not seen our FIN yet
        assertEquals(TcpCtState.LAST_ACK, conn().tcpState());
        assertTimeout(Time.s(30));
        send(c2s(ACK, CISN + 2, SISN + 2, 0));
        assertEquals(TcpCtState.TIME_WAIT, conn().tcpState());
        send(s2c(ACK, SISN + 2, CISN + 2, 0));
        assertEquals(TcpCtState.TIME_WAIT, conn().tcpState());
    }

    @Test void afterOurOwnRstANewSynReopensButAPeersRstLeavesTheSynIgnored() {
        established();
        send(c2s(RST, CISN + 1, 0, 0)); // the client aborts
        assertEquals(TcpCtState.CLOSE, conn().tcpState());
        ConnTrack.Result r = send(c2s(SYN, CISN + 50_000, 0, 0));
        assertEquals(CtState.NEW, r.state());
        assertEquals(TcpCtState.SYN_SENT, conn().tcpState());
        // a fresh flow the server resets: the client's next SYN is not a reopen (Linux: ignored)
        ct = new ConnTrack(ConnTrackConfig.defaults(), counters);
        established();
        send(s2c(RST, SISN + 1, 0, 0));
        assertEquals(TcpCtState.CLOSE, conn().tcpState());
        send(c2s(SYN, CISN + 50_000, 0, 0));
        assertEquals(TcpCtState.CLOSE, conn().tcpState());
        assertEquals(1, counters.get("ct.ignored"));
    }

    @Test void simultaneousOpenGoesThroughSynSent2() {
        send(c2s(SYN, CISN, 0, 0));
        send(s2c(SYN, SISN, 0, 0));
        assertEquals(TcpCtState.SYN_SENT2, conn().tcpState());
        send(c2s(SYN | ACK, CISN, SISN + 1, 0));
        assertEquals(TcpCtState.SYN_RECV, conn().tcpState());
    }

    @Test void anAckBeforeTheSynAckIsInvalidAndChangesNothing() {
        send(c2s(SYN, CISN, 0, 0));
        assertEquals(CtState.INVALID, ct.track(c2s(ACK, CISN + 1, SISN + 1, 0), now).state());
        assertEquals(TcpCtState.SYN_SENT, conn().tcpState());
        assertEquals(1, counters.get("ct.invalid.tcp_state"));
        // a FIN from the server before its SYN,ACK too
        assertEquals(CtState.INVALID, ct.track(s2c(FIN | ACK, SISN, CISN + 1, 0), now).state());
    }

    @Test void synAnsweredByRstForgetsTheConnection() {
        send(c2s(SYN, CISN, 0, 0));
        ConnTrack.Result r = ct.track(s2c(RST | ACK, 0, CISN + 1, 0), now);
        assertEquals(CtState.ESTABLISHED, r.state()); // the RST itself passes (it answers our SYN)
        assertEquals(0, ct.size());
    }

    @Test void exactRstClosesAndTheCloseStateLastsTenSeconds() {
        established();
        send(s2c(RST, SISN + 1, 0, 0));
        assertEquals(TcpCtState.CLOSE, conn().tcpState());
        assertTimeout(Time.s(10));
    }

    @Test void blindOutOfWindowRstDoesNotKillATrackedFlow() {
        established();
        for (int seq : new int[] {SISN + 1 + 10_000_000, SISN - 10_000_000, 0x7000_0000, 0xdead_beef}) {
            ConnTrack.Result r = ct.track(s2c(RST, seq, 0, 0), now);
            assertEquals(CtState.INVALID, r.state(), "seq " + Integer.toUnsignedString(seq));
            assertEquals(TcpCtState.ESTABLISHED, conn().tcpState());
        }
        // in window but not the expected number: kept for the challenge ACK (RFC 5961 3.2)
        assertEquals(CtState.ESTABLISHED, ct.track(s2c(RST, SISN + 1 + 1000, 0, 0), now).state());
        assertEquals(TcpCtState.ESTABLISHED, conn().tcpState());
        // and the flow goes on
        assertEquals(CtState.ESTABLISHED, send(c2s(PSH | ACK, CISN + 1, SISN + 1, 10)).state());
    }

    @Test void windowTrackingAcceptsInWindowAndRejectsOutOfWindowSegments() {
        established();
        // in window: anywhere up to what the server offered (its window 65535 from ack CISN + 1)
        assertEquals(CtState.ESTABLISHED, send(c2s(PSH | ACK, CISN + 1, SISN + 1, 1000)).state());
        assertEquals(CtState.ESTABLISHED, send(c2s(PSH | ACK, CISN + 1 + 60_000, SISN + 1, 500)).state(), "out of order, in window");
        // I: beyond td_maxend
        assertEquals(CtState.INVALID, ct.track(c2s(PSH | ACK, CISN + 1 + 200_000, SISN + 1, 100), now).state());
        // II: older than a window before td_end
        assertEquals(CtState.INVALID, ct.track(c2s(PSH | ACK, CISN - 200_000, SISN + 1, 100), now).state());
        // III: the server acknowledges data the client never sent
        assertEquals(CtState.INVALID, ct.track(s2c(ACK, SISN + 1, CISN + 1 + 100_000, 0), now).state());
        // IV: acknowledges something far too old
        assertEquals(CtState.INVALID, ct.track(s2c(ACK, SISN + 1, CISN - 100_000, 0), now).state());
        assertEquals(4, counters.get("ct.invalid.out_of_window"));
        // a valid ACK still passes
        assertEquals(CtState.ESTABLISHED, send(s2c(ACK, SISN + 1, CISN + 1 + 60_500, 0)).state());
    }

    @Test void windowScaleWidensTheAcceptableRange() {
        send(tcp(C, CP, S, SP, SYN, CISN, 0, 65535, 0, new TcpOption.WindowScale(7)));
        send(tcp(S, SP, C, CP, SYN | ACK, SISN, CISN + 1, 65535, 0, new TcpOption.WindowScale(7)));
        send(tcp(C, CP, S, SP, ACK, CISN + 1, SISN + 1, 1000, 0));
        send(tcp(S, SP, C, CP, ACK, SISN + 1, CISN + 1, 1000, 0)); // window 1000 << 7 = 128000
        assertEquals(CtState.ESTABLISHED, send(tcp(C, CP, S, SP, ACK, CISN + 1 + 120_000, SISN + 1, 1000, 100)).state());
        // without the option on both sides the same segment would be beyond the window
        ConnTrack other = new ConnTrack(ConnTrackConfig.defaults(), new Counters());
        for (Packet p : new Packet[] {tcp(C, CP, S, SP, SYN, CISN, 0, 65535, 0, new TcpOption.WindowScale(7)),
                tcp(S, SP, C, CP, SYN | ACK, SISN, CISN + 1, 65535, 0),
                tcp(C, CP, S, SP, ACK, CISN + 1, SISN + 1, 1000, 0), tcp(S, SP, C, CP, ACK, SISN + 1, CISN + 1, 1000, 0)}) {
            ConnTrack.Result r = other.track(p, now);
            if (r.needsConfirm()) other.confirm(r, now);
        }
        assertEquals(CtState.INVALID, other.track(tcp(C, CP, S, SP, ACK, CISN + 1 + 120_000, SISN + 1, 1000, 100), now).state());
    }

    @Test void retransmissionsShortenTheTimeout() {
        established();
        Packet data = c2s(PSH | ACK, CISN + 1, SISN + 1, 100);
        for (int i = 0; i < 4; i++) send(data);
        assertTimeout(Time.s(300));
    }

    @Test void aNewSynReopensATimeWaitConnection() {
        established();
        send(c2s(FIN | ACK, CISN + 1, SISN + 1, 0));
        send(s2c(FIN | ACK, SISN + 1, CISN + 2, 0));
        send(c2s(ACK, CISN + 2, SISN + 2, 0));
        assertEquals(TcpCtState.TIME_WAIT, conn().tcpState());
        ConnTrack.Result r = send(c2s(SYN, CISN + 100_000, 0, 0));
        assertEquals(CtState.NEW, r.state());
        assertEquals(TcpCtState.SYN_SENT, conn().tcpState());
        assertEquals(1, ct.size());
    }

    @Test void aSynAckAnsweringAnIgnoredSynStartsTheConnectionOver() {
        established();
        // the client reuses the port with a new ISN while we still hold the old connection
        int isn2 = 0x7000_0000;
        ConnTrack.Result r = send(c2s(SYN, isn2, 0, 0));
        assertEquals(TcpCtState.ESTABLISHED, conn().tcpState(), "ignored: may be valid or not");
        assertEquals(1, counters.get("ct.ignored"));
        assertEquals(CtState.ESTABLISHED, r.state());
        // the server accepts it: resync from that SYN
        assertEquals(CtState.ESTABLISHED, send(s2c(SYN | ACK, 0x1234, isn2 + 1, 0)).state());
        assertEquals(TcpCtState.SYN_RECV, conn().tcpState());
        assertFalse(conn().assured());
        send(c2s(ACK, isn2 + 1, 0x1235, 0));
        assertEquals(TcpCtState.ESTABLISHED, conn().tcpState());
        assertTrue(conn().assured());
        assertEquals(CtState.ESTABLISHED, send(c2s(PSH | ACK, isn2 + 1, 0x1235, 100)).state(), "the new sequence space is tracked");
        assertEquals(CtState.INVALID, ct.track(c2s(PSH | ACK, CISN + 1, SISN + 1, 100), now).state(), "the old one is not");
    }

    @Test void aSynAckThatAnswersNoIgnoredSynIsIgnored() {
        established();
        assertEquals(CtState.ESTABLISHED, send(s2c(SYN | ACK, SISN, CISN + 1, 0)).state()); // a late retransmission
        assertEquals(TcpCtState.ESTABLISHED, conn().tcpState());
        assertEquals(1, counters.get("ct.ignored"));
    }

    @Test void looseModePicksUpAnEstablishedFlowStrictModeDoesNot() {
        ConnTrack.Result r = send(c2s(ACK, CISN + 1, SISN + 1, 10));
        assertEquals(CtState.NEW, r.state());
        assertEquals(TcpCtState.ESTABLISHED, conn().tcpState());
        assertEquals(CtState.ESTABLISHED, send(s2c(ACK, SISN + 1, CISN + 11, 0)).state());
        ConnTrack strict = new ConnTrack(ConnTrackConfig.defaults().withTcpLoose(false), new Counters());
        assertEquals(CtState.INVALID, strict.track(c2s(ACK, CISN + 1, SISN + 1, 10), now).state());
        assertEquals(CtState.INVALID, strict.track(c2s(RST, CISN + 1, 0, 0), now).state());
    }

    @Test void droppedNewPacketsLeaveNoState() {
        ConnTrack.Result r = ct.track(c2s(SYN, CISN, 0, 0), now);
        assertEquals(CtState.NEW, r.state());
        assertTrue(r.needsConfirm());
        assertEquals(0, ct.size());
        assertEquals(CtState.NEW, ct.track(c2s(SYN, CISN, 0, 0), now).state());
    }

    @Test void udpIsUnrepliedThenRepliedThenAStream() {
        Packet out = Pkts.udp(C, 5353, S, 53, 20), back = Pkts.udp(S, 53, C, 5353, 40);
        assertEquals(CtState.NEW, send(out).state());
        assertEquals(CtState.NEW, send(out).state(), "still unreplied");
        assertEquals(Time.s(30), ct.lookup(out.key()).orElseThrow().deadline() - now);
        ConnTrack.Result r = send(back);
        assertEquals(CtState.ESTABLISHED, r.state());
        assertEquals(Direction.REPLY, r.direction());
        Connection c = ct.lookup(out.key()).orElseThrow();
        assertTrue(c.seenReply());
        assertFalse(c.assured());
        assertEquals(Time.s(30), c.deadline() - now);
        now += Time.s(3);
        assertEquals(CtState.ESTABLISHED, send(out).state());
        assertTrue(c.assured());
        assertEquals(Time.s(120), c.deadline() - now);
        assertEquals(2, c.packets(Direction.ORIGINAL) - 1);
        assertEquals(1, c.packets(Direction.REPLY));
        ct.poll(now + Time.s(120));
        assertEquals(0, ct.size());
    }

    @Test void icmpEchoIsTrackedByIdentifier() {
        assertEquals(CtState.NEW, send(Pkts.echoRequest(C, S, 77, 1)).state());
        assertEquals(CtState.ESTABLISHED, send(Pkts.echoReply(S, C, 77, 1)).state());
        assertEquals(CtState.INVALID, ct.track(Pkts.echoReply(S, C, 78, 1), now).state(), "a reply to no request");
        assertEquals(CtState.INVALID, ct.track(Pkts.echoRequest(S, C, 77, 1), now).state(), "a request in the reply direction");
        assertEquals(Time.s(30), ct.pollAt() - now);
        ct.poll(now + Time.s(30));
        assertEquals(0, ct.size());
    }

    @Test void icmpErrorsAboutATrackedFlowAreRelated() {
        byte[] dgram = Pkts.udpBytes(C, 5353, S, 53, 20);
        send(Pkts.parse(dgram));
        // from the server itself, and from a router on the way
        for (String from : new String[] {S, "198.51.100.1"}) {
            ConnTrack.Result r = ct.track(Pkts.parse(Pkts.unreachableBytes(from, C, IcmpRepr.CODE_PORT_UNREACHABLE, dgram)), now);
            assertEquals(CtState.RELATED, r.state());
            assertEquals(Direction.REPLY, r.direction());
        }
        // about an untracked flow, or sent to someone other than the quoted sender
        byte[] other = Pkts.udpBytes(C, 5354, S, 53, 20);
        assertEquals(CtState.INVALID, ct.track(Pkts.parse(Pkts.unreachableBytes(S, C, 3, other)), now).state());
        assertEquals(CtState.INVALID, ct.track(Pkts.parse(Pkts.unreachableBytes(S, "10.0.0.99", 3, dgram)), now).state());
        // about a TCP flow and an echo
        send(c2s(SYN, CISN, 0, 0));
        byte[] syn = Pkts.tcpBytes(C, CP, S, SP, SYN, CISN, 0, 65535, 0, java.util.List.of());
        assertEquals(CtState.RELATED, ct.track(Pkts.parse(Pkts.unreachableBytes(S, C, 1, syn)), now).state());
        send(Pkts.echoRequest(C, S, 9, 1));
        byte[] echo = Pkts.icmpBytes(C, S, new IcmpRepr.EchoRequest(9, 1, new byte[8]));
        assertEquals(CtState.RELATED, ct.track(Pkts.parse(Pkts.icmpBytes("198.51.100.1", C,
                new IcmpRepr.TimeExceeded(0, IcmpRepr.quote(echo, 0, echo.length)))), now).state());
        assertEquals(3 + 1, counters.get("ct.related"));
    }

    @Test void theTableStaysWithinItsBoundUnderAFloodOfNewFlows() {
        ct = new ConnTrack(ConnTrackConfig.defaults().withMaxEntries(100), counters);
        established(); // assured: early drop spares it
        for (int i = 0; i < 10_000; i++) {
            ConnTrack.Result r = ct.track(tcp("203.0.113." + (i % 250 + 1), 1024 + i, S, SP, SYN, i * 7919, 0, 1000, 0), now);
            assertEquals(CtState.NEW, r.state());
            assertTrue(ct.confirm(r, now));
            assertTrue(ct.size() <= 100);
        }
        assertEquals(100, ct.size());
        assertEquals(TcpCtState.ESTABLISHED, conn().tcpState(), "the assured flow survived");
        assertEquals(10_000 - 99, counters.get("ct.early_drop"));
        // the oldest unassured went first: the newest 99 are there
        for (int i = 10_000 - 99; i < 10_000; i++)
            assertTrue(ct.lookup(tcp("203.0.113." + (i % 250 + 1), 1024 + i, S, SP, SYN, 0, 0, 1000, 0).key()).isPresent());
    }

    @Test void aTableFullOfAssuredFlowsRefusesNewOnesAndCountsIt() {
        ct = new ConnTrack(ConnTrackConfig.defaults().withMaxEntries(1), counters);
        established();
        ConnTrack.Result r = ct.track(tcp("203.0.113.1", 1, S, SP, SYN, 1, 0, 1000, 0), now);
        assertFalse(ct.confirm(r, now));
        assertEquals(1, counters.get("ct.insert_failed"));
        assertEquals(1, ct.size());
    }

    @Test void staleQueueEntriesDoNotExpireARefreshedConnection() {
        established();
        // data then ack: the timer goes 300 s, then 5 days; the 300 s entry must not expire it
        send(c2s(PSH | ACK, CISN + 1, SISN + 1, 100));
        send(s2c(ACK, SISN + 1, CISN + 101, 0));
        ct.poll(now + Time.s(301));
        assertEquals(1, ct.size());
        // an RST shortens it to 10 s
        send(s2c(RST, SISN + 1, 0, 0));
        ct.poll(now + Time.s(10));
        assertEquals(0, ct.size());
    }
}
