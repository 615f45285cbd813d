package org.netstack4j.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.netstack4j.tcp.seqnum.Seq;
import org.netstack4j.wire.TcpOption;
import org.netstack4j.wire.TcpRepr;

/** SYN cookies (RFC 4987 3.6, Linux's encoding): sent when the SYN queue is full, checked on the ACK. */
class SynCookiesTest {
    static final int S = TcpRepr.SYN, A = TcpRepr.ACK, R = TcpRepr.RST;

    private static TcpConfig cookies(Hardening.SynCookieMode mode) {
        return TcpConfig.defaults().withLimits(lm -> lm.withSynQueueLimit(1)).withHardening(Hardening.defaults().withSynCookies(mode));
    }

    /** Fills the listener's one-slot SYN queue from another port, then leaves the harness on CLIENT_PORT. */
    private static TcpHarness fullQueue(TcpConfig cfg) {
        TcpHarness h = new TcpHarness(cfg).listening();
        h.remotePort = 60001;
        h.inject(S, 0, 0);
        assertEquals(S | A, h.next().tcp().flags());
        assertEquals(1, h.listener.halfOpen());
        h.remotePort = TcpHarness.CLIENT_PORT;
        return h;
    }

    private static <T extends TcpOption> T option(TcpRepr t, Class<T> kind) {
        for (TcpOption o : t.options()) if (kind.isInstance(o)) return kind.cast(o);
        return null;
    }

    /** The cookie SYN,ACK: takes its ISS as the harness's iss. */
    private static TcpRepr cookieSynAck(TcpHarness h) {
        TcpHarness.Out sa = h.next();
        assertEquals(S | A, sa.tcp().flags());
        assertEquals(TcpHarness.PEER_ISS + 1, sa.tcp().ack());
        h.iss = sa.tcp().seq();
        return sa.tcp();
    }

    @Test void fullQueueAnswersWithACookieAndTheAckRestoresEveryOption() {
        TcpHarness h = fullQueue(cookies(Hardening.SynCookieMode.WHEN_FULL));
        h.peerSynOptions = List.of(new TcpOption.Mss(1400), new TcpOption.WindowScale(9), new TcpOption.SackPermitted(),
                new TcpOption.Timestamps(5000, 0));
        h.inject(S, 0, 0);
        TcpRepr sa = cookieSynAck(h);
        assertEquals(1, h.counters.get("tcp.syncookies.sent"));
        assertEquals(1, h.listener.halfOpen(), "a cookie keeps no state");
        assertEquals(1, h.layer.connectionCount());
        assertEquals(7, option(sa, TcpOption.WindowScale.class).shift());
        assertNotNull(option(sa, TcpOption.SackPermitted.class));
        TcpOption.Timestamps ts = option(sa, TcpOption.Timestamps.class);
        assertEquals(5000, ts.tsEcr());
        // the peer's shift and SACK ride in the low six bits of our TSval
        SynCookies.TsOptions hidden = SynCookies.options(ts.tsVal(), h.layer.timestampOffset(TcpHarness.LOCAL, TcpHarness.REMOTE));
        assertEquals(9, hidden.wscale());
        assertTrue(hidden.sack());

        h.peerOptions = List.of(TcpOption.NOP, TcpOption.NOP, new TcpOption.Timestamps(5001, ts.tsVal()));
        h.inject(A, 1, 1, "hello".getBytes());
        assertEquals(1, h.counters.get("tcp.syncookies.valid"));
        TcpConnection c = h.listener.accept();
        assertNotNull(c, "the cookie ACK completes the handshake");
        TcpStatus st = c.status();
        assertEquals(TcpState.ESTABLISHED, st.state());
        assertEquals(1300 - 12, st.effectiveMss(), "MSS from the table (1300 <= 1400), less the timestamps");
        assertEquals(9, st.sndWscale());
        assertEquals(7, st.rcvWscale());
        assertTrue(st.timestamps());
        assertTrue(st.sack());
        assertEquals(5, c.readable(), "data on the cookie ACK is taken");
        assertEquals(h.iss + 1, st.sndUna());
        h.advance(200);
        TcpHarness.Out ack = h.next(); // the data is acknowledged (delayed ACK), with timestamps
        assertEquals(TcpHarness.PEER_ISS + 6, ack.tcp().ack());
        assertEquals(5001, option(ack.tcp(), TcpOption.Timestamps.class).tsEcr());
        // the connection's own TSvals follow the cookie's: never behind it
        assertTrue(Seq.ge(option(ack.tcp(), TcpOption.Timestamps.class).tsVal(), ts.tsVal()));
    }

    @Test void withoutTimestampsOnlyTheMssIsOfferedAndRestored() {
        TcpHarness h = fullQueue(cookies(Hardening.SynCookieMode.WHEN_FULL));
        h.peerSynOptions = List.of(new TcpOption.Mss(1460), new TcpOption.WindowScale(9), new TcpOption.SackPermitted());
        h.inject(S, 0, 0);
        TcpRepr sa = cookieSynAck(h);
        assertEquals(List.of(new TcpOption.Mss(1460)), sa.options());
        h.inject(A, 1, 1);
        TcpConnection c = h.listener.accept();
        assertNotNull(c);
        TcpStatus st = c.status();
        assertEquals(1460, st.effectiveMss());
        assertEquals(0, st.sndWscale());
        assertEquals(0, st.rcvWscale());
        assertFalse(st.timestamps());
        assertFalse(st.sack());
    }

    @Test void mssTableRoundsDown() {
        assertEquals(536, SynCookies.MSS_TABLE[SynCookies.mssIndex(100)]);
        assertEquals(536, SynCookies.MSS_TABLE[SynCookies.mssIndex(1299)]);
        assertEquals(1300, SynCookies.MSS_TABLE[SynCookies.mssIndex(1300)]);
        assertEquals(1440, SynCookies.MSS_TABLE[SynCookies.mssIndex(1459)]);
        assertEquals(1460, SynCookies.MSS_TABLE[SynCookies.mssIndex(9000)]);
    }

    @Test void aCookieStaysValidForOneToTwoMinutesThenExpires() {
        TcpHarness h = new TcpHarness(cookies(Hardening.SynCookieMode.ALWAYS)).listening();
        // the harness starts at 1000 s: the cookie clock reads 16 until 1020 s
        h.inject(S, 0, 0);
        cookieSynAck(h);
        assertEquals(0, h.listener.halfOpen());
        h.advance(79_000); // 1079 s: clock 17, one tick old
        h.remotePort = 60002;
        h.inject(S, 0, 0); // another cookie: a flood goes on
        h.next();
        h.remotePort = TcpHarness.CLIENT_PORT;
        h.advance(6_000); // 1085 s: clock 18, two ticks old
        h.inject(A, 1, 1);
        assertEquals(1, h.counters.get("tcp.syncookies.expired"));
        assertEquals(0, h.counters.get("tcp.syncookies.valid"));
        h.expect(R, 1, 0, 0); // <SEQ=SEG.ACK><CTL=RST>, as for any ACK to LISTEN
        assertNull(h.listener.accept());
    }

    @Test void aCookieOneTickOldIsValid() {
        TcpHarness h = new TcpHarness(cookies(Hardening.SynCookieMode.ALWAYS)).listening();
        h.inject(S, 0, 0);
        cookieSynAck(h);
        h.advance(79_000);
        h.inject(A, 1, 1);
        assertEquals(1, h.counters.get("tcp.syncookies.valid"));
        assertNotNull(h.listener.accept());
    }

    @Test void forgedCookiesAreRefusedWithRst() {
        TcpHarness h = new TcpHarness(cookies(Hardening.SynCookieMode.ALWAYS)).listening();
        h.inject(S, 0, 0);
        int cookie = cookieSynAck(h).seq();
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 1000; i++) {
            int guess;
            do guess = r.nextInt(); while (guess == cookie);
            h.inject(new TcpRepr(TcpHarness.CLIENT_PORT, TcpHarness.SERVER_PORT, TcpHarness.PEER_ISS + 1, guess + 1, A, 65535, 0, List.of()),
                    new byte[0]);
            TcpHarness.Out rst = h.next();
            assertEquals(R, rst.tcp().flags());
            assertEquals(guess + 1, rst.tcp().seq());
        }
        // the right cookie with another SYN sequence number is a forgery too (an offset of a few
        // could still land on an MSS index, as in Linux: the index is added to the hash)
        h.inject(A, 1001, 1);
        h.next();
        assertEquals(1001, h.counters.get("tcp.syncookies.failed"));
        assertEquals(0, h.counters.get("tcp.syncookies.valid"));
        assertEquals(0, h.layer.connectionCount());
    }

    @Test void aTimestampEchoWithBitsWeNeverSetIsAForgery() {
        // with ECN off we never set the ECN bit in a cookie's timestamp
        TcpHarness h = new TcpHarness(cookies(Hardening.SynCookieMode.ALWAYS)
                .withOptions(o -> o.withEcn(TcpConfig.Options.ECN_OFF))).listening();
        h.peerSynOptions = List.of(new TcpOption.Mss(1460), new TcpOption.Timestamps(5000, 0));
        h.inject(S, 0, 0);
        TcpOption.Timestamps ts = option(cookieSynAck(h), TcpOption.Timestamps.class);
        h.peerOptions = List.of(new TcpOption.Timestamps(5001, ts.tsVal() | SynCookies.TS_ECN));
        h.inject(A, 1, 1);
        assertEquals(1, h.counters.get("tcp.syncookies.failed"));
        assertNull(h.listener.accept());
    }

    /** RFC 3168 6.1.1 under SYN cookies: the ECN agreement rides in the timestamp (Linux TS_OPT_ECN). */
    @Test void aCookieCarriesTheEcnAgreement() {
        TcpHarness h = new TcpHarness(cookies(Hardening.SynCookieMode.ALWAYS)).listening();
        h.peerSynOptions = List.of(new TcpOption.Mss(1460), new TcpOption.Timestamps(5000, 0));
        h.inject(S | TcpRepr.ECE | TcpRepr.CWR, 0, 0);
        TcpHarness.Out sa = h.next();
        assertEquals(S | A | TcpRepr.ECE, sa.tcp().flags(), "an ECN-setup SYN,ACK: ECE without CWR");
        h.iss = sa.tcp().seq();
        TcpOption.Timestamps ts = option(sa.tcp(), TcpOption.Timestamps.class);
        assertTrue((ts.tsVal() & SynCookies.TS_ECN) != 0);
        h.peerOptions = List.of(new TcpOption.Timestamps(5001, ts.tsVal()));
        h.inject(A, 1, 1);
        TcpConnection c = h.listener.accept();
        assertNotNull(c);
        assertTrue((c.ecnFlags & Ecn.OK) != 0, "the connection uses ECN");
    }

    @Test void ackToListenWithoutRecentCookiesIsNotChecked() {
        TcpHarness h = new TcpHarness().listening();
        h.inject(A, 1, 1);
        h.expect(R, 1, 0, 0);
        assertEquals(0, h.counters.get("tcp.syncookies.failed"));
    }

    @Test void cookiesOffDropsWhenFull() {
        TcpHarness h = fullQueue(cookies(Hardening.SynCookieMode.NEVER));
        h.inject(S, 0, 0);
        h.expectNothing();
        assertTrue(h.dropped("syn_queue_full"));
        assertEquals(0, h.counters.get("tcp.syncookies.sent"));
    }

    @Test void stackWideHalfOpenLimitSpansListeners() {
        TcpConfig cfg = TcpConfig.defaults().withHardening(Hardening.defaults().withHalfOpenLimit(2).withSynCookies(Hardening.SynCookieMode.NEVER));
        TcpHarness h = new TcpHarness(cfg).listening();
        TcpListener other = h.layer.listen(h.now, TcpHarness.LOCAL, 81, 8, l -> {});
        h.inject(S, 0, 0);
        h.localPort = 81;
        h.inject(S, 0, 0);
        h.remotePort = 60003;
        h.inject(S, 0, 0);
        assertEquals(2, h.out.size());
        assertEquals(2, h.layer.halfOpenCount());
        assertEquals(1, other.halfOpen());
        assertTrue(h.dropped("half_open_limit"));

        TcpHarness c = new TcpHarness(TcpConfig.defaults().withHardening(Hardening.defaults().withHalfOpenLimit(1))).listening();
        c.inject(S, 0, 0);
        c.remotePort = 60004;
        c.inject(S, 0, 0);
        assertEquals(1, c.counters.get("tcp.syncookies.sent"), "past the stack-wide limit: a cookie");
    }

    @Test void synAckRetriesAreShortenedWhileTheQueueIsMoreThanHalfFull() {
        TcpHarness h = new TcpHarness(TcpConfig.defaults().withLimits(lm -> lm.withSynQueueLimit(8))).listening();
        for (int p = 0; p < 8; p++) {
            h.remotePort = 61000 + p;
            h.inject(S, 0, 0);
        }
        assertEquals(8, h.listener.halfOpen());
        h.advance(6_900); // SYN,ACK retransmissions at 1 s and 3 s (2 retries)
        assertEquals(8, h.listener.halfOpen());
        h.advance(200); // third timeout at 7 s: given up while the queue is over half full
        assertEquals(4, h.listener.halfOpen());
        h.advance(60_000); // the rest, below half, get the configured 5 retries
        assertEquals(0, h.listener.halfOpen());
        assertEquals(0, h.layer.halfOpenCount());

        TcpHarness calm = new TcpHarness(TcpConfig.defaults().withLimits(lm -> lm.withSynQueueLimit(8))).listening();
        for (int p = 0; p < 4; p++) {
            calm.remotePort = 61000 + p;
            calm.inject(S, 0, 0);
        }
        calm.advance(7_100);
        assertEquals(4, calm.listener.halfOpen(), "no pressure: the configured retries");
    }

    @Test void synFinToListenIsDropped() {
        TcpHarness h = new TcpHarness().listening();
        h.inject(S | TcpRepr.FIN, 0, 0);
        h.expectNothing();
        assertTrue(h.dropped("syn_fin"));
        assertEquals(0, h.listener.halfOpen());
        assertEquals(0, h.layer.connectionCount());
    }
}
