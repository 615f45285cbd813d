package org.netstack4j.lab;

import static org.netstack4j.time.Time.ms;
import static org.netstack4j.time.Time.s;

import java.util.ArrayList;
import java.util.List;

import org.netstack4j.tcp.TcpState;
import org.netstack4j.tcp.TcpTimer;
import org.netstack4j.trace.DropReason;
import org.netstack4j.trace.FourTuple;
import org.netstack4j.trace.TimerAction;
import org.netstack4j.trace.TraceEvent;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.TcpOption;
import org.netstack4j.wire.TcpRepr;

/**
 * Hand-built traces of two hosts, as the TCP layer would trace them: client 10.0.0.1:49152,
 * server 10.0.0.2:80, 10 ms one-way latency, realistic ISNs (the client's above 2^31, to check
 * unsigned printing).
 */
final class Fixtures {
    private Fixtures() {}

    static final Ipv4Address C = Ipv4Address.parse("10.0.0.1"), S = Ipv4Address.parse("10.0.0.2");
    static final int CP = 49152, SP = 80;
    static final long X = 3_456_789_012L, Y = 1_103_577_431L;
    static final FourTuple CONN_C = new FourTuple(C, CP, S, SP), CONN_S = new FourTuple(S, SP, C, CP);

    record Trace(List<TraceEvent> client, List<TraceEvent> server) {}

    static TcpRepr c2s(long seq, Long ack, int flags, int win, List<TcpOption> opts) {
        return new TcpRepr(CP, SP, (int) seq, ack == null ? 0 : (int) (long) ack, flags, win, 0, opts);
    }

    static TcpRepr s2c(long seq, Long ack, int flags, int win, List<TcpOption> opts) {
        return new TcpRepr(SP, CP, (int) seq, ack == null ? 0 : (int) (long) ack, flags, win, 0, opts);
    }

    static final class Host {
        final List<TraceEvent> ev = new ArrayList<>();
        final FourTuple conn;
        final Ipv4Address me, peer;

        Host(FourTuple conn, Ipv4Address me, Ipv4Address peer) {
            this.conn = conn;
            this.me = me;
            this.peer = peer;
        }

        Host out(long t, TcpRepr tcp, int len) { ev.add(TraceEvent.Segment.of(t, false, me, peer, tcp, len)); return this; }

        Host in(long t, TcpRepr tcp, int len) { ev.add(TraceEvent.Segment.of(t, true, peer, me, tcp, len)); return this; }

        /** from/to as RFC 9293 names them ("SYN-SENT"). */
        Host state(long t, String from, String to, String cause) {
            ev.add(new TraceEvent.StateChange<>(t, conn, tcpState(from), tcpState(to), cause));
            return this;
        }

        /** name and action as traces print them ("delayed-ACK", "set"). */
        Host timer(long t, String name, String action, long deadline) {
            ev.add(new TraceEvent.Timer<>(t, conn, named(TcpTimer.values(), name), named(TimerAction.values(), action), deadline));
            return this;
        }
    }

    static TcpState tcpState(String rfcName) {
        for (TcpState s : TcpState.values()) if (s.rfcName().equals(rfcName)) return s;
        throw new IllegalArgumentException(rfcName);
    }

    /** The constant whose toString() is text. */
    static <E extends Enum<E>> E named(E[] values, String text) {
        for (E e : values) if (e.toString().equals(text)) return e;
        throw new IllegalArgumentException(text);
    }

    static final int SYN = TcpRepr.SYN, ACK = TcpRepr.ACK, FIN = TcpRepr.FIN, PSH = TcpRepr.PSH;

    /** Handshake, 100 bytes lost once and retransmitted on RTO, delayed ACK, half-close, four waves, 2MSL. */
    static Trace handshakeAndTeardown() {
        Host c = new Host(CONN_C, C, S), sv = new Host(CONN_S, S, C);
        List<TcpOption> synOpts = List.of(new TcpOption.Mss(1460), new TcpOption.SackPermitted(),
                new TcpOption.Timestamps(1000, 0), new TcpOption.Nop(), new TcpOption.WindowScale(7));
        List<TcpOption> synAckOpts = List.of(new TcpOption.Mss(1460), new TcpOption.SackPermitted(),
                new TcpOption.Timestamps(5000, 1000), new TcpOption.Nop(), new TcpOption.WindowScale(7));
        sv.state(0, "CLOSED", "LISTEN", "user LISTEN");

        TcpRepr syn = c2s(X, null, SYN, 64240, synOpts);
        c.state(ms(1), "CLOSED", "SYN-SENT", "user OPEN").out(ms(1), syn, 0).timer(ms(1), "RTO", "set", ms(1001));
        TcpRepr synAck = s2c(Y, X + 1, SYN | ACK, 65160, synAckOpts);
        sv.in(ms(11), syn, 0).state(ms(11), "LISTEN", "SYN-RECEIVED", "rcv SYN").out(ms(11), synAck, 0)
                .timer(ms(11), "RTO", "set", ms(1011));
        TcpRepr ack3 = c2s(X + 1, Y + 1, ACK, 502, List.of());
        c.in(ms(21), synAck, 0).timer(ms(21), "RTO", "cancel", 0).state(ms(21), "SYN-SENT", "ESTABLISHED", "rcv SYN,ACK")
                .out(ms(21), ack3, 0);
        sv.in(ms(31), ack3, 0).timer(ms(31), "RTO", "cancel", 0).state(ms(31), "SYN-RECEIVED", "ESTABLISHED", "rcv ACK of SYN");

        TcpRepr data = c2s(X + 1, Y + 1, PSH | ACK, 502, List.of());
        c.out(ms(40), data, 100).timer(ms(40), "RTO", "set", ms(240));       // lost
        c.timer(ms(240), "RTO", "fired", 0).out(ms(240), data, 100).timer(ms(240), "RTO", "set", ms(640));
        sv.in(ms(250), data, 100).timer(ms(250), "delayed-ACK", "set", ms(290));
        TcpRepr dataAck = s2c(Y + 1, X + 101, ACK, 509, List.of());
        sv.timer(ms(290), "delayed-ACK", "fired", 0).out(ms(290), dataAck, 0);
        c.in(ms(300), dataAck, 0).timer(ms(300), "RTO", "cancel", 0);

        TcpRepr fin1 = c2s(X + 101, Y + 1, FIN | ACK, 502, List.of());
        c.state(ms(400), "ESTABLISHED", "FIN-WAIT-1", "user CLOSE").out(ms(400), fin1, 0).timer(ms(400), "RTO", "set", ms(600));
        TcpRepr ack2 = s2c(Y + 1, X + 102, ACK, 509, List.of());
        sv.in(ms(410), fin1, 0).state(ms(410), "ESTABLISHED", "CLOSE-WAIT", "rcv FIN").out(ms(410), ack2, 0);
        c.in(ms(420), ack2, 0).timer(ms(420), "RTO", "cancel", 0).state(ms(420), "FIN-WAIT-1", "FIN-WAIT-2", "rcv ACK of FIN");

        TcpRepr late = s2c(Y + 1, X + 102, PSH | ACK, 509, List.of());
        sv.out(ms(500), late, 50).timer(ms(500), "RTO", "set", ms(700));
        TcpRepr lateAck = c2s(X + 102, Y + 51, ACK, 502, List.of());
        c.in(ms(510), late, 50).out(ms(510), lateAck, 0);
        sv.in(ms(520), lateAck, 0).timer(ms(520), "RTO", "cancel", 0);

        TcpRepr fin3 = s2c(Y + 51, X + 102, FIN | ACK, 509, List.of());
        sv.state(ms(600), "CLOSE-WAIT", "LAST-ACK", "user CLOSE").out(ms(600), fin3, 0).timer(ms(600), "RTO", "set", ms(800));
        TcpRepr ack4 = c2s(X + 102, Y + 52, ACK, 502, List.of());
        c.in(ms(610), fin3, 0).state(ms(610), "FIN-WAIT-2", "TIME-WAIT", "rcv FIN").out(ms(610), ack4, 0)
                .timer(ms(610), "2MSL", "set", ms(610) + s(60));
        sv.in(ms(620), ack4, 0).timer(ms(620), "RTO", "cancel", 0).state(ms(620), "LAST-ACK", "CLOSED", "rcv ACK of FIN");
        c.timer(ms(610) + s(60), "2MSL", "fired", 0).state(ms(610) + s(60), "TIME-WAIT", "CLOSED", "2MSL timeout");
        return new Trace(c.ev, sv.ev);
    }

    /**
     * Handshake, four 1000-byte segments with the first lost: three duplicate ACKs and a fast
     * retransmit; then the server's window closes, two persist probes; then FIN answered by FIN+ACK
     * (second and third wave in one segment) and the last ACK.
     */
    static Trace fastRetransmitZeroWindow() {
        Host c = new Host(CONN_C, C, S), sv = new Host(CONN_S, S, C);
        sv.state(0, "CLOSED", "LISTEN", "user LISTEN");
        TcpRepr syn = c2s(X, null, SYN, 64240, List.of(new TcpOption.Mss(1000)));
        c.state(ms(1), "CLOSED", "SYN-SENT", "user OPEN").out(ms(1), syn, 0);
        TcpRepr synAck = s2c(Y, X + 1, SYN | ACK, 8000, List.of(new TcpOption.Mss(1000)));
        sv.in(ms(11), syn, 0).state(ms(11), "LISTEN", "SYN-RECEIVED", "rcv SYN").out(ms(11), synAck, 0);
        TcpRepr ack3 = c2s(X + 1, Y + 1, ACK, 64240, List.of());
        c.in(ms(21), synAck, 0).state(ms(21), "SYN-SENT", "ESTABLISHED", "rcv SYN,ACK").out(ms(21), ack3, 0);
        sv.in(ms(31), ack3, 0).state(ms(31), "SYN-RECEIVED", "ESTABLISHED", "rcv ACK of SYN");
        for (int k = 0; k < 4; k++) {
            TcpRepr d = c2s(X + 1 + 1000L * k, Y + 1, ACK, 64240, List.of());
            c.out(ms(40), d, 1000);
            if (k > 0) sv.in(ms(50), d, 1000);
        }
        c.timer(ms(40), "RTO", "set", ms(1040));
        TcpRepr dup = s2c(Y + 1, X + 1, ACK, 8000, List.of());
        for (int k = 0; k < 3; k++) sv.out(ms(50), dup, 0);
        for (int k = 0; k < 3; k++) c.in(ms(60), dup, 0);
        TcpRepr again = c2s(X + 1, Y + 1, ACK, 64240, List.of());
        c.out(ms(60), again, 1000);
        sv.in(ms(70), again, 1000);
        TcpRepr closed = s2c(Y + 1, X + 4001, ACK, 0, List.of());
        sv.out(ms(70), closed, 0);
        c.in(ms(80), closed, 0).timer(ms(80), "RTO", "cancel", 0).timer(ms(80), "persist", "set", ms(280));
        TcpRepr probe = c2s(X + 4001, Y + 1, ACK, 64240, List.of());
        c.timer(ms(280), "persist", "fired", 0).out(ms(280), probe, 1).timer(ms(280), "persist", "set", ms(680));
        sv.in(ms(290), probe, 1).out(ms(290), closed, 0);
        c.in(ms(300), closed, 0);
        c.timer(ms(680), "persist", "fired", 0).out(ms(680), probe, 1);
        TcpRepr open = s2c(Y + 1, X + 4002, ACK, 4000, List.of());
        sv.in(ms(690), probe, 1).out(ms(690), open, 0);
        c.in(ms(700), open, 0).timer(ms(700), "persist", "cancel", 0);
        TcpRepr fin = c2s(X + 4002, Y + 1, FIN | ACK, 64240, List.of());
        c.state(ms(800), "ESTABLISHED", "FIN-WAIT-1", "user CLOSE").out(ms(800), fin, 0);
        TcpRepr finAck = s2c(Y + 1, X + 4003, FIN | ACK, 4000, List.of());
        sv.in(ms(810), fin, 0).state(ms(810), "ESTABLISHED", "CLOSE-WAIT", "rcv FIN")
                .state(ms(810), "CLOSE-WAIT", "LAST-ACK", "user CLOSE").out(ms(810), finAck, 0);
        TcpRepr last = c2s(X + 4003, Y + 2, ACK, 64240, List.of());
        c.in(ms(820), finAck, 0).state(ms(820), "FIN-WAIT-1", "TIME-WAIT", "rcv FIN,ACK").out(ms(820), last, 0);
        sv.in(ms(830), last, 0).state(ms(830), "LAST-ACK", "CLOSED", "rcv ACK of FIN");
        return new Trace(c.ev, sv.ev);
    }

    /** SYN to a closed port: RST,ACK back (connection refused), with a drop and a note traced. */
    static Trace refused() {
        Host c = new Host(CONN_C, C, S), sv = new Host(CONN_S, S, C);
        TcpRepr syn = c2s(X, null, SYN, 64240, List.of());
        c.state(ms(1), "CLOSED", "SYN-SENT", "user OPEN").out(ms(1), syn, 0);
        sv.in(ms(11), syn, 0);
        sv.ev.add(new TraceEvent.Drop(ms(11), "tcp", DropReason.NO_LISTENER, "no listener on port 80", "SYN \"quoted\"\tport"));
        TcpRepr rst = s2c(0, X + 1, TcpRepr.RST | ACK, 0, List.of());
        sv.out(ms(11), rst, 0);
        c.in(ms(21), rst, 0).state(ms(21), "SYN-SENT", "CLOSED", "rcv RST");
        c.ev.add(new TraceEvent.Note(ms(21), "app", "connect failed: connection refused"));
        return new Trace(c.ev, sv.ev);
    }

    static LabRun handshakeRun() {
        Trace t = handshakeAndTeardown();
        return TraceConverter.convert("handshake", t.client(), t.server());
    }
}
