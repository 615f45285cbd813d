package org.netstack4j.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.netstack4j.time.Time;
import org.netstack4j.trace.Counters;
import org.netstack4j.trace.TraceEvent;
import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.TcpOption;
import org.netstack4j.wire.TcpRepr;

/**
 * One TcpLayer talking to a scripted peer. Sequence numbers in {@link #inject} and
 * {@link #expect} are relative, like Wireshark's: ours to our ISS, the peer's to its ISS
 * ({@link #PEER_ISS}). Time is virtual: {@link #advance} runs every timer due on the way.
 */
final class TcpHarness {
    static final Ipv4Address LOCAL = Ipv4Address.parse("10.0.0.1");
    static final Ipv4Address REMOTE = Ipv4Address.parse("10.0.0.2");
    static final int LOCAL_PORT = 40000, REMOTE_PORT = 80, SERVER_PORT = 80, CLIENT_PORT = 50000;
    static final int PEER_ISS = 1_000_000_000;

    static final int S = TcpRepr.SYN, A = TcpRepr.ACK, F = TcpRepr.FIN, R = TcpRepr.RST, P = TcpRepr.PSH;

    record Out(long time, IpAddress src, IpAddress dst, TcpRepr tcp, byte[] payload) {
        int len() { return payload.length; }
    }

    /** What the listener saw, in order. */
    static final class Events implements TcpEventListener {
        final List<String> log = new ArrayList<>();
        TcpError closedWith;
        boolean closed;
        @Override public void onEstablished(TcpConnection c) { log.add("established"); }
        @Override public void onReadable(TcpConnection c) { log.add("readable"); }
        @Override public void onWritable(TcpConnection c) { log.add("writable"); }
        @Override public void onRemoteClosed(TcpConnection c) { log.add("remote-closed"); }
        @Override public void onClosed(TcpConnection c, TcpError e) { log.add("closed " + e); closed = true; closedWith = e; }
    }

    final TcpConfig cfg;
    final Counters counters = new Counters();
    final List<TraceEvent> trace = new ArrayList<>();
    final ArrayDeque<Out> out = new ArrayDeque<>();
    final TcpLayer layer;
    final Events events = new Events();
    long now = Time.s(1000);
    TcpConnection conn;
    TcpListener listener;
    int iss;
    int peerIss = PEER_ISS;
    int peerWindow = 65535;
    List<TcpOption> peerSynOptions = List.of(new TcpOption.Mss(1460));
    List<TcpOption> peerOptions = List.of();
    int localPort = LOCAL_PORT, remotePort = REMOTE_PORT;

    TcpHarness() { this(TcpConfig.defaults()); }

    TcpHarness(TcpConfig cfg) {
        this.cfg = cfg;
        this.layer = new TcpLayer(cfg, (t, src, dst, tcp, p, off, len) ->
                out.add(new Out(t, src, dst, tcp, Arrays.copyOfRange(p, off, off + len))), trace::add, counters, 42);
    }

    // ---- segments ----

    TcpRepr seg(int flags, int relSeq, int relAck) {
        List<TcpOption> opts = (flags & S) != 0 ? peerSynOptions : peerOptions;
        return new TcpRepr(remotePort, localPort, peerIss + relSeq, (flags & A) != 0 ? iss + relAck : 0, flags,
                peerWindow, 0, opts);
    }

    void inject(int flags, int relSeq, int relAck) { inject(seg(flags, relSeq, relAck), new byte[0]); }

    void inject(int flags, int relSeq, int relAck, byte[] data) { inject(seg(flags, relSeq, relAck), data); }

    /** Delivers one segment as a burst of its own (its coalesced ACK, if any, goes out with it). */
    void inject(TcpRepr t, byte[] data) {
        layer.segmentArrives(now, REMOTE, LOCAL, t, data, 0, data.length);
        layer.endBatch(now);
    }

    /** Pops the next segment we sent and checks flags (exactly), relative seq/ack and payload length. */
    Out expect(int flags, int relSeq, int relAck, int len) {
        Out o = out.pollFirst();
        assertNotNull(o, "expected " + TcpRepr.flagLetters(flags) + " seq " + relSeq + " ack " + relAck + " len " + len + " but nothing was sent");
        String got = describe(o);
        assertEquals(TcpRepr.flagLetters(flags), TcpRepr.flagLetters(o.tcp().flags()), "flags of " + got);
        assertEquals(relSeq, o.tcp().seq() - iss, "seq of " + got);
        if ((flags & A) != 0) assertEquals(relAck, o.tcp().ack() - peerIss, "ack of " + got);
        assertEquals(len, o.len(), "length of " + got);
        return o;
    }

    /** A data segment (ACK set, PSH not checked) at relSeq with len bytes. */
    Out expectData(int relSeq, int relAck, int len) {
        Out o = out.pollFirst();
        assertNotNull(o, "expected data seq " + relSeq + " len " + len + " but nothing was sent");
        String got = describe(o);
        assertEquals(A, o.tcp().flags() & ~P, "flags of " + got);
        assertEquals(relSeq, o.tcp().seq() - iss, "seq of " + got);
        assertEquals(relAck, o.tcp().ack() - peerIss, "ack of " + got);
        assertEquals(len, o.len(), "length of " + got);
        return o;
    }

    Out next() {
        Out o = out.pollFirst();
        assertNotNull(o, "expected a segment, nothing was sent");
        return o;
    }

    void expectNothing() {
        if (!out.isEmpty()) fail("expected nothing sent, got " + describe(out.peekFirst()));
    }

    String describe(Out o) {
        return "[" + TcpRepr.flagLetters(o.tcp().flags()) + "] seq " + (o.tcp().seq() - iss) + " ack " + (o.tcp().ack() - peerIss)
                + " win " + o.tcp().window() + " len " + o.len() + " opts " + o.tcp().options();
    }

    /** Runs all timers due up to now + ms, then sets now to that time. */
    void advance(long ms) { advanceNs(Time.ms(ms)); }

    void advanceNs(long ns) {
        long target = now + ns;
        while (true) {
            long at = layer.pollAt();
            if (at > target) break;
            now = Math.max(now, at);
            layer.poll(now);
        }
        now = target;
    }

    // ---- fixtures (each leaves the output queue empty) ----

    TcpHarness synSent() {
        conn = layer.connect(now, LOCAL, localPort, REMOTE, remotePort, events);
        Out syn = next();
        assertEquals(S, syn.tcp().flags());
        iss = syn.tcp().seq();
        assertEquals(TcpState.SYN_SENT, conn.state());
        return this;
    }

    TcpHarness established() {
        synSent();
        inject(S | A, 0, 1);
        expect(A, 1, 1, 0);
        assertEquals(TcpState.ESTABLISHED, conn.state());
        return this;
    }

    /** Passive open on SERVER_PORT: the peer is the client. */
    TcpHarness listening() {
        localPort = SERVER_PORT;
        remotePort = CLIENT_PORT;
        listener = layer.listen(now, Ipv4Address.ANY, SERVER_PORT, 8, l -> {});
        return this;
    }

    TcpHarness synReceived() {
        listening();
        inject(S, 0, 0);
        Out sa = next();
        assertEquals(S | A, sa.tcp().flags());
        iss = sa.tcp().seq();
        assertEquals(peerIss + 1, sa.tcp().ack());
        return this;
    }

    TcpHarness passiveEstablished() {
        synReceived();
        inject(A, 1, 1);
        conn = listener.accept();
        assertNotNull(conn, "accept after the handshake");
        conn.setListener(events);
        assertEquals(TcpState.ESTABLISHED, conn.state());
        expectNothing();
        return this;
    }

    TcpHarness finWait1() {
        established();
        conn.close(now);
        expect(F | A, 1, 1, 0);
        assertEquals(TcpState.FIN_WAIT_1, conn.state());
        return this;
    }

    TcpHarness finWait2() {
        finWait1();
        inject(A, 1, 2);
        assertEquals(TcpState.FIN_WAIT_2, conn.state());
        expectNothing();
        return this;
    }

    TcpHarness timeWait() {
        finWait2();
        inject(F | A, 1, 2);
        expect(A, 2, 2, 0);
        assertEquals(TcpState.TIME_WAIT, conn.state());
        return this;
    }

    TcpHarness closeWait() {
        established();
        inject(F | A, 1, 1);
        expect(A, 1, 2, 0);
        assertEquals(TcpState.CLOSE_WAIT, conn.state());
        return this;
    }

    TcpHarness lastAck() {
        closeWait();
        conn.close(now);
        expect(F | A, 1, 2, 0);
        assertEquals(TcpState.LAST_ACK, conn.state());
        return this;
    }

    // ---- helpers ----

    static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) (i * 31 + seed);
        return b;
    }

    int send(byte[] b) { return conn.send(now, b, 0, b.length); }

    byte[] readAll() {
        byte[] buf = new byte[1 << 20];
        int n = conn.receive(now, buf, 0, buf.length);
        return Arrays.copyOf(buf, Math.max(n, 0));
    }

    long rtoMs() { return conn.status().rtoNs() / 1_000_000; }

    List<TraceEvent.StateChange<?>> stateChanges() {
        List<TraceEvent.StateChange<?>> l = new ArrayList<>();
        for (TraceEvent e : trace) if (e instanceof TraceEvent.StateChange<?> s) l.add(s);
        return l;
    }

    boolean dropped(String key) { return counters.get("tcp.drop." + key) > 0; }

    void assertClosed(TcpError error) {
        assertEquals(TcpState.CLOSED, conn.state());
        assertTrue(events.closed, "onClosed called");
        assertEquals(error, events.closedWith);
        assertFalse(layer.connections().contains(conn), "forgotten by the layer");
    }
}
