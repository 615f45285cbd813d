package org.netstack4j.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.netstack4j.tcp.seqnum.Seq;
import org.netstack4j.time.Time;
import org.netstack4j.wire.Parsed;
import org.netstack4j.wire.TcpOption;
import org.netstack4j.wire.TcpRepr;

/**
 * Jazzer target: the TCP state machine. The input picks a configuration, the peer's SYN options
 * and a starting state (a {@link TcpHarness} fixture: every state from LISTEN to TIME-WAIT), then
 * is read as a program of steps: segments (any flags, sequence and acknowledgment numbers near
 * the connection's or anywhere, any window, options and payload size, any port), time passing,
 * application calls (send, receive, close, abort, accept) and ICMP errors. After every step:
 * nothing escaped but the API's own {@link TcpException} from application calls, every
 * connection has snd.una <= snd.nxt (modulo 2^32, {@link Seq}), non-negative windows, queues
 * within their buffers and buffer memory bounded, the table within the listener's bounds,
 * timers in the future, and every segment sent re-emits and parses.
 */
class TcpConnectionFuzzer {
    static final int MAX_STEPS = 96;

    /** Reads the fuzzer's bytes as numbers; zeros once they run out. */
    static final class Program {
        private final byte[] b;
        private int p;
        Program(byte[] b) { this.b = b; }
        boolean more() { return p < b.length; }
        int u8() { return p < b.length ? b[p++] & 0xff : 0; }
        int u16() { return u8() << 8 | u8(); }
        int i32() { return u16() << 16 | u16(); }
    }

    static TcpConfig config(int pick) {
        return switch (pick % 4) {
            case 0 -> TcpConfig.defaults();
            case 1 -> TcpConfig.linuxLike();
            case 2 -> TcpConfig.freebsdLike();
            default -> TcpConfig.defaults().withOptions(o -> o.withMss(536)).withBuffers(bf -> bf.withReceiveBufferSize(4096).withSendBufferSize(4096));
        };
    }

    @FuzzTest(maxDuration = "30s")
    void segments(byte[] data) {
        Program in = new Program(data);
        TcpHarness h = new TcpHarness(config(in.u8()));
        int synOpts = in.u8();
        List<TcpOption> syn = new ArrayList<>();
        syn.add(new TcpOption.Mss(new int[] {1460, 536, 64, 9000}[synOpts & 3]));
        if ((synOpts & 4) != 0) syn.add(new TcpOption.SackPermitted());
        if ((synOpts & 8) != 0) syn.add(new TcpOption.Timestamps(1000, 0));
        if ((synOpts & 16) != 0) syn.add(new TcpOption.WindowScale((synOpts >>> 5) * 2));
        h.peerSynOptions = syn;
        if ((synOpts & 8) != 0) h.peerOptions = List.of(new TcpOption.Timestamps(1001, 0));
        switch (in.u8() % 10) {
            case 0 -> h.synSent();
            case 1 -> h.established();
            case 2 -> h.synReceived();
            case 3 -> h.passiveEstablished();
            case 4 -> h.finWait1();
            case 5 -> h.finWait2();
            case 6 -> h.timeWait();
            case 7 -> h.closeWait();
            case 8 -> h.lastAck();
            default -> h.listening();
        }
        h.out.clear();
        for (int step = 0; step < MAX_STEPS && in.more(); step++) {
            step(h, in);
            check(h);
        }
        advance(h, 3_600_000); // an hour: every timer that will fire has fired
        check(h);
    }

    private static void step(TcpHarness h, Program in) {
        TcpConnection c = h.conn;
        int op = in.u8();
        switch (op % 10) {
            case 0, 1, 2, 3 -> segment(h, in, op >>> 4);
            case 4 -> advance(h, (long) in.u8() * new long[] {1, 50, 5000, 60_000}[(op >>> 4) & 3]);
            case 5 -> {
                byte[] b = TcpHarness.bytes(in.u8() * 97, 7);
                app(() -> { if (c != null) c.send(h.now, b, 0, b.length); });
            }
            case 6 -> {
                byte[] b = new byte[in.u16() + 1];
                app(() -> { if (c != null) c.receive(h.now, b, 0, b.length); });
            }
            case 7 -> app(() -> {
                if (c == null) return;
                switch ((op >>> 4) % 3) {
                    case 0 -> c.close(h.now);
                    case 1 -> c.abort(h.now);
                    default -> c.setKeepalive(h.now, true);
                }
            });
            case 8 -> {
                if (h.listener != null) {
                    TcpConnection a = h.listener.accept();
                    if (a != null) h.conn = a;
                }
            }
            default -> icmp(h, in, op >>> 4);
        }
    }

    /** An application call: the API may refuse with a TcpException (connection closing, reset, ...), nothing else. */
    private static void app(Runnable call) {
        try {
            call.run();
        } catch (TcpException expected) {
            // the documented refusal of a call in the wrong state
        }
    }

    private static void segment(TcpHarness h, Program in, int variant) {
        TcpStatus st = h.conn != null ? h.conn.status() : null;
        int rcvNxt = st != null ? st.rcvNxt() : h.peerIss;
        int sndUna = st != null ? st.sndUna() : h.iss, sndNxt = st != null ? st.sndNxt() : h.iss;
        int seqMode = in.u8();
        int seq = switch (seqMode & 3) {
            case 0 -> rcvNxt + (byte) in.u8();
            case 1 -> rcvNxt + (short) in.u16();
            case 2 -> in.i32();
            default -> h.peerIss + in.u16();
        };
        int ack = switch ((seqMode >>> 2) & 3) {
            case 0 -> sndNxt + (byte) in.u8();
            case 1 -> sndUna + (short) in.u16();
            case 2 -> in.i32();
            default -> h.iss + in.u16();
        };
        int flags = in.u8();
        int window = in.u16();
        List<TcpOption> options = options(in, sndUna);
        int n = in.u8();
        int len = n <= 200 ? n : (n - 200) * 512;
        int srcPort = (variant & 7) == 7 ? in.u16() : h.remotePort;
        int dstPort = (variant & 7) == 6 ? in.u16() : h.localPort;
        TcpRepr t = new TcpRepr(srcPort, dstPort, seq, ack, flags, window, in.u8() == 0xff ? in.u16() : 0, options);
        byte[] payload = TcpHarness.bytes(len, seq);
        h.layer.segmentArrives(h.now, TcpHarness.REMOTE, TcpHarness.LOCAL, t, payload, 0, len);
        if ((variant & 8) == 0) h.layer.endBatch(h.now); // else: batched with the next one
    }

    /** Options from a bit mask: timestamps, SACK blocks near snd.una, MSS, window scale, SACK-permitted, an unknown kind. */
    private static List<TcpOption> options(Program in, int sndUna) {
        int mask = in.u8();
        List<TcpOption> o = new ArrayList<>();
        if ((mask & 1) != 0) o.add(new TcpOption.Timestamps(in.i32(), in.i32()));
        if ((mask & 2) != 0) {
            List<TcpOption.SackBlock> blocks = new ArrayList<>();
            int k = 1 + in.u8() % 3;
            for (int i = 0; i < k; i++) {
                int left = sndUna + (short) in.u16();
                blocks.add(new TcpOption.SackBlock(left, left + in.u16()));
            }
            o.add(new TcpOption.Sack(blocks));
        }
        if ((mask & 4) != 0) o.add(new TcpOption.Mss(in.u16()));
        if ((mask & 8) != 0) o.add(new TcpOption.WindowScale(in.u8()));
        if ((mask & 16) != 0) o.add(new TcpOption.SackPermitted());
        if ((mask & 32) != 0) o.add(new TcpOption.Unknown(30 + in.u8() % 200, new byte[in.u8() % 6]));
        if ((mask & 64) != 0) o.add(0, TcpOption.NOP);
        int total = 0;
        for (TcpOption x : o) total += x.length();
        while (total > TcpRepr.MAX_OPTIONS_LENGTH) total -= o.removeLast().length();
        return o;
    }

    private static void icmp(TcpHarness h, Program in, int variant) {
        TcpStatus st = h.conn != null ? h.conn.status() : null;
        int seq = (st != null ? st.sndUna() : h.iss) + (short) in.u16();
        if ((variant & 1) == 0)
            h.layer.icmpDestinationUnreachable(h.now, TcpHarness.LOCAL, TcpHarness.REMOTE, in.u8() % 16, in.u16(),
                    h.localPort, h.remotePort, seq);
        else
            h.layer.icmpTimeExceeded(h.now, TcpHarness.LOCAL, TcpHarness.REMOTE, h.localPort, h.remotePort, seq);
    }

    /** {@link TcpHarness#advanceNs}, with a bound on the timer rounds: a timer that keeps firing at the same instant is a livelock. */
    private static void advance(TcpHarness h, long ms) {
        long target = h.now + Time.ms(ms);
        for (int rounds = 0; ; rounds++) {
            long at = h.layer.pollAt();
            if (at > target) break;
            if (rounds > 100_000) fail("timers still due after 100000 rounds at " + h.now + ": livelock");
            h.now = Math.max(h.now, at);
            h.layer.poll(h.now);
            drain(h);
        }
        h.now = target;
    }

    private static void check(TcpHarness h) {
        drain(h);
        TcpConfig cfg = h.cfg;
        assertTrue(h.layer.connectionCount() <= cfg.limits().synQueueLimit() + 8 + 2,
                () -> h.layer.connectionCount() + " connections from one peer");
        // a segment delivered as part of a burst (no endBatch yet) may leave the burst's ACK due now:
        // the driver polls before it waits (TcpLayer.pollAt); the timers themselves must be ahead
        assertTrue((h.layer.batchOpen() ? h.layer.timersAt() : h.layer.pollAt()) > h.now, () -> "a timer is due in the past after polling: pollAt "
                + h.layer.pollAt() + " timers " + h.layer.timersAt() + " now " + h.now + " " + h.layer.connections().stream().map(c -> c + " " + c.status()
                + " rto " + c.rtoAt + " persist " + c.persistAt + " delack " + c.delackAt + " tw " + c.timeWaitAt + " ka " + c.keepaliveAt).toList());
        for (TcpConnection c : h.layer.connections()) {
            TcpStatus s = c.status();
            String id = c + " " + s;
            assertTrue(Seq.le(s.sndUna(), s.sndNxt()), () -> "snd.una > snd.nxt: " + id);
            assertTrue(s.rcvWnd() >= 0 && s.sndWnd() >= 0, () -> "negative window: " + id);
            assertTrue(s.cwnd() > 0, () -> "cwnd <= 0: " + id);
            // the Linux profile's per-skb accounting (SkbQueue) lets a write open an skb while
            // sk_wmem_queued is below sk_sndbuf and fill it to the size goal, as tcp_sendmsg_locked
            // does: the queue may pass the buffer by one GSO-sized skb (found by a fuzz.sh campaign)
            int sendBound = SkbQueue.on(c) ? SkbQueue.ringCapacity(c.sendBufferSize()) : c.sendBufferSize();
            assertTrue(s.sendQueued() <= sendBound, () -> "send queue above its buffer (" + c.sendBufferSize() + ", bound "
                    + sendBound + "): " + id);
            assertTrue(s.receiveQueued() <= c.config().buffers().receiveBufferSize(), () -> "receive queue above its buffer: " + id);
            long budget = 2L * (c.sendBufferSize() + c.config().buffers().receiveBufferSize()) + 65536;
            assertTrue(c.bufferBytes() <= budget, () -> c.bufferBytes() + " buffer bytes, budget " + budget + ": " + id);
            assertTrue(s.state() != TcpState.CLOSED, () -> "a CLOSED connection is still in the table: " + id);
        }
    }

    /** Every segment sent must be one the codec can write and read back. */
    private static void drain(TcpHarness h) {
        for (TcpHarness.Out o; (o = h.out.pollFirst()) != null; ) {
            byte[] buf = new byte[o.tcp().headerLength() + o.len()];
            o.tcp().emit(o.src(), o.dst(), buf, 0, o.payload(), 0, o.len());
            Parsed<TcpRepr> p = TcpRepr.parse(o.src(), o.dst(), buf, 0, buf.length, true);
            if (!(p instanceof Parsed.Ok<TcpRepr>(TcpRepr back))) throw new AssertionError("sent an unparseable segment " + o.tcp() + ": " + p);
            // emit pads options to a multiple of 4 with zeros, which parse reads as an EOL (see TcpRepr)
            List<TcpOption> opts = back.options();
            if (!opts.isEmpty() && opts.getLast() instanceof TcpOption.EndOfList && !o.tcp().options().equals(opts))
                opts = opts.subList(0, opts.size() - 1);
            assertEquals(o.tcp().options(), opts);
            assertEquals(o.tcp().toString(), new TcpRepr(back.srcPort(), back.dstPort(), back.seq(), back.ack(), back.flags(),
                    back.window(), back.urgentPointer(), opts).toString());
            assertTrue(Arrays.equals(o.payload(), Arrays.copyOfRange(buf, back.headerLength(), buf.length)));
        }
    }
}
