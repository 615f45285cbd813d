package org.netstack4j.lab.scenario;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.netstack4j.tcp.TcpConfig;
import org.netstack4j.tcp.TcpConnection;
import org.netstack4j.tcp.TcpError;
import org.netstack4j.tcp.TcpEventListener;
import org.netstack4j.tcp.TcpState;
import org.netstack4j.time.Time;
import org.netstack4j.wire.TcpRepr;

import static org.netstack4j.lab.scenario.Scenario.Stage.in;

/** The twelve seed stories, in the order of the notes. */
public final class Scenarios {
    private Scenarios() {}

    public static List<Scenario> all() {
        return List.of(new Handshake(), new Teardown(), new LostFinalAck(), new OldDuplicate(), new StaleSyn(),
                new SimultaneousOpen(), new SimultaneousClose(), new LostSyn(), new Refused(), new HalfClose(),
                new Retransmission(), new ZeroWindow());
    }

    public static Optional<Scenario> byName(String name) {
        return all().stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /** Holds the one accepted server connection. */
    static final class Accepted {
        TcpConnection conn;
    }

    /** Notes what an application saw when its connection ended. */
    static TcpEventListener closedNote(Scenario.Stage s, String host) {
        return new TcpEventListener() {
            @Override public void onClosed(TcpConnection c, TcpError error) {
                if (error == null) s.note(host, host + " application: connection closed cleanly", host + " 应用：连接正常关闭");
                else s.note(host, host + " application: error \"" + error.message() + "\"",
                        host + " 应用：错误 \"" + error.message() + "\"");
            }
        };
    }

    /** Handshake to ESTABLISHED on both sides; returns the client connection. */
    static TcpConnection handshake(Scenario.Stage s, Accepted acc, TcpEventListener clientListener) {
        s.listen(c -> acc.conn = c);
        TcpConnection c = s.connect(Scenario.SERVER_PORT, clientListener);
        s.runUntil(() -> in(c, TcpState.ESTABLISHED) && in(acc.conn, TcpState.ESTABLISHED), Time.s(120));
        return c;
    }

    static final class Handshake extends Scenario {
        @Override public String name() { return "handshake"; }
        @Override public String summary() { return "the three-way handshake: SYN, SYN+ACK, ACK; ISNs, MSS and windows exchanged"; }
        @Override public String summaryZh() { return "三次握手：SYN、SYN+ACK、ACK；交换初始序列号、MSS 与窗口"; }
        @Override protected void play(Stage s) {
            Accepted acc = new Accepted();
            handshake(s, acc, new TcpEventListener() {});
            s.runFor(s.rtt());
        }
    }

    static final class Teardown extends Scenario {
        @Override public String name() { return "teardown"; }
        @Override public String summary() { return "the four-way close: FIN, ACK, (server still sends), FIN, ACK, then 2 MSL in TIME-WAIT"; }
        @Override public String summaryZh() { return "四次挥手：FIN、ACK、（服务端仍可发送数据）、FIN、ACK，然后 TIME-WAIT 等待 2MSL"; }
        @Override protected void play(Stage s) {
            Accepted acc = new Accepted();
            TcpConnection c = handshake(s, acc, closedNote(s, "client"));
            acc.conn.setListener(new TcpEventListener() {
                @Override public void onRemoteClosed(TcpConnection srv) {
                    s.note("server", "server application reads end of stream, still has data to send (half-close)",
                            "服务端应用读到对端关闭，但仍有数据要发送（半关闭）");
                    s.after(Time.ms(50), () -> {
                        byte[] last = "last words from the server\n".getBytes(StandardCharsets.US_ASCII);
                        srv.send(s.now(), last, 0, last.length);
                    });
                    s.after(Time.ms(100), () -> srv.close(s.now()));
                }
            });
            s.after(Time.ms(10), () -> c.close(s.now()));
            s.runUntil(() -> in(c, TcpState.TIME_WAIT), Time.s(60));
            s.drain(c);
            s.runUntil(() -> in(c, TcpState.CLOSED), 2 * s.options.mslNs() + Time.s(10));
        }
    }

    static final class LostFinalAck extends Scenario {
        @Override public String name() { return "lost-final-ack"; }
        @Override public String summary() { return "the last ACK is lost: TIME-WAIT answers the retransmitted FIN (--no-time-wait: RST instead)"; }
        @Override public String summaryZh() { return "最后一个 ACK 丢失：TIME-WAIT 中的客户端重新确认重传的 FIN（--no-time-wait：回 RST）"; }
        @Override public List<String> extraFlags() { return List.of("--no-time-wait"); }
        @Override protected TcpConfig tcpConfig(ScenarioOptions o, boolean client) {
            TcpConfig base = super.tcpConfig(o, client);
            return client && o.noTimeWait() ? base.withLab(lb -> lb.withTimeWaitEnabled(false)) : base;
        }
        @Override protected void play(Stage s) {
            Accepted acc = new Accepted();
            TcpConnection c = handshake(s, acc, closedNote(s, "client"));
            TcpConnection srv = acc.conn;
            srv.setListener(closedNoteAndClose(s, srv));
            // The client's pure ACK that acknowledges the server's FIN is the fourth step: lose it once.
            s.loseFromClient(1, t -> t.pureAck() && in(srv, TcpState.LAST_ACK));
            s.after(Time.ms(10), () -> c.close(s.now()));
            s.runUntil(() -> in(srv, TcpState.CLOSED), Time.s(60));
            s.runUntil(() -> in(c, TcpState.CLOSED), 2 * s.options.mslNs() + Time.s(10));
        }

        private static TcpEventListener closedNoteAndClose(Stage s, TcpConnection srv) {
            TcpEventListener notes = closedNote(s, "server");
            return new TcpEventListener() {
                @Override public void onRemoteClosed(TcpConnection x) { s.after(Time.ms(50), () -> srv.close(s.now())); }
                @Override public void onClosed(TcpConnection x, TcpError e) { notes.onClosed(x, e); }
            };
        }
    }

    static final class Refused extends Scenario {
        @Override public String name() { return "refused"; }
        @Override public String summary() { return "a SYN to a port where nothing listens is answered with RST: \"connection refused\""; }
        @Override public String summaryZh() { return "向无人监听的端口发 SYN，对方回 RST：\"connection refused\"（连接被拒绝）"; }
        @Override protected void play(Stage s) {
            TcpConnection c = s.connect(81, closedNote(s, "client"));
            s.runUntil(() -> in(c, TcpState.CLOSED), Time.s(10));
        }
    }

    static final class LostSyn extends Scenario {
        @Override public String name() { return "lost-syn"; }
        @Override public String summary() { return "the first SYNs are lost: retransmission after the RTO, which doubles each time"; }
        @Override public String summaryZh() { return "前两个 SYN 丢失：超时重传，重传超时（RTO）每次翻倍"; }
        @Override protected void play(Stage s) {
            s.loseFromClient(2, t -> t.has(TcpRepr.SYN));
            Accepted acc = new Accepted();
            handshake(s, acc, new TcpEventListener() {});
            s.runFor(s.rtt());
        }
    }

    static final class SimultaneousOpen extends Scenario {
        @Override public String name() { return "simultaneous-open"; }
        @Override public String summary() { return "both ends send a SYN at once: SYN-SENT to SYN-RECEIVED on both sides, four segments"; }
        @Override public String summaryZh() { return "双方同时发送 SYN：两端都从 SYN-SENT 进入 SYN-RECEIVED，共四个报文段"; }
        @Override protected void play(Stage s) {
            TcpConnection a = s.client().tcp().connect(s.now(), s.clientAddress(), 5000,
                    s.serverAddress(), 6000, new TcpEventListener() {});
            TcpConnection b = s.server().tcp().connect(s.now(), s.serverAddress(), 6000,
                    s.clientAddress(), 5000, new TcpEventListener() {});
            s.runUntil(() -> in(a, TcpState.ESTABLISHED) && in(b, TcpState.ESTABLISHED), Time.s(30));
            s.runFor(s.rtt());
        }
    }

    static final class SimultaneousClose extends Scenario {
        @Override public String name() { return "simultaneous-close"; }
        @Override public String summary() { return "both ends close at once: FIN-WAIT-1 to CLOSING to TIME-WAIT on both sides"; }
        @Override public String summaryZh() { return "双方同时关闭：两端都经 FIN-WAIT-1、CLOSING 进入 TIME-WAIT"; }
        @Override protected void play(Stage s) {
            Accepted acc = new Accepted();
            TcpConnection c = handshake(s, acc, new TcpEventListener() {});
            TcpConnection srv = acc.conn;
            s.after(Time.ms(10), () -> { c.close(s.now()); srv.close(s.now()); });
            s.runUntil(() -> in(c, TcpState.CLOSED) && in(srv, TcpState.CLOSED), 2 * s.options.mslNs() + Time.s(10));
        }
    }

    static final class HalfClose extends Scenario {
        @Override public String name() { return "half-close"; }
        @Override public String summary() { return "the client sends a request and shuts its side; the server keeps sending its reply, then closes"; }
        @Override public String summaryZh() { return "半关闭：客户端发送请求后关闭发送方向，服务端继续发送响应，然后再关闭"; }
        @Override protected void play(Stage s) {
            Accepted acc = new Accepted();
            ByteCounter got = new ByteCounter();
            TcpConnection c = handshake(s, acc, new TcpEventListener() {
                @Override public void onReadable(TcpConnection x) { got.n += s.drain(x).length; }
            });
            TcpConnection srv = acc.conn;
            byte[] reply = new byte[3000];
            java.util.Arrays.fill(reply, (byte) 'r');
            srv.setListener(new TcpEventListener() {
                @Override public void onRemoteClosed(TcpConnection x) {
                    s.note("server", "server read the whole request (end of stream) and now sends a 3000-byte reply",
                            "服务端读完请求（读到对端关闭），开始发送 3000 字节的响应");
                    s.drain(x);
                    s.after(Time.ms(20), () -> x.send(s.now(), reply, 0, reply.length));
                    s.after(Time.ms(200), () -> x.close(s.now()));
                }
            });
            byte[] request = "GET /report\n".getBytes(StandardCharsets.US_ASCII);
            s.after(Time.ms(5), () -> { c.send(s.now(), request, 0, request.length); c.close(s.now()); });
            s.runUntil(() -> in(c, TcpState.TIME_WAIT) && in(srv, TcpState.CLOSED), Time.s(60));
            s.note("client", "client received " + got.n + " bytes after it had sent its FIN",
                    "客户端在发出 FIN 之后仍收到了 " + got.n + " 字节");
        }
    }

    static final class ByteCounter { long n; }

    static final class Retransmission extends Scenario {
        @Override public String name() { return "retransmission"; }
        @Override public String summary() { return "a lost data segment: fast retransmit after three duplicate ACKs; then a loss with too few ACKs waits for the RTO"; }
        @Override public String summaryZh() { return "数据段丢失：收到三个重复 ACK 后快速重传；之后一次丢失因重复 ACK 不足而等待超时重传"; }
        @Override protected TcpConfig tcpConfig(ScenarioOptions o, boolean client) {
            TcpConfig base = super.tcpConfig(o, client);
            return o.mss() > 0 ? base : base.withOptions(op -> op.withMss(1000));
        }
        @Override protected void play(Stage s) {
            Accepted acc = new Accepted();
            TcpConnection c = handshake(s, acc, new TcpEventListener() {});
            ByteCounter got = new ByteCounter();
            acc.conn.setListener(new TcpEventListener() {
                @Override public void onReadable(TcpConnection x) { got.n += s.drain(x).length; }
            });
            int mss = c.status().effectiveMss();
            byte[] burst = new byte[6 * mss];
            // Part 1: six segments in flight, the second is lost: four duplicate ACKs come back.
            int[] seen = {0};
            s.loseFromClient(1, t -> t.payloadLength() > 0 && ++seen[0] == 2);
            s.after(Time.ms(5), () -> c.send(s.now(), burst, 0, burst.length));
            s.runUntil(() -> got.n == burst.length, Time.s(30));
            s.note("lab", "part 2: only two segments in flight, the first is lost: one duplicate ACK is not enough",
                    "第二部分：只有两个报文段在途，第一个丢失：一个重复 ACK 不足以触发快速重传");
            byte[] small = new byte[2 * mss];
            s.loseFromClient(1, t -> t.payloadLength() > 0);
            s.after(Time.ms(100), () -> c.send(s.now(), small, 0, small.length));
            s.runUntil(() -> got.n == burst.length + small.length, Time.s(30));
            s.runFor(s.rtt());
        }
    }

    static final class ZeroWindow extends Scenario {
        static final int SERVER_BUFFER = 4096;
        @Override public String name() { return "zero-window"; }
        @Override public String summary() { return "a slow reader: the window closes, the sender probes with the persist timer, the window reopens"; }
        @Override public String summaryZh() { return "慢速接收方：窗口关闭为零，发送方用坚持定时器发送探测，窗口重新打开"; }
        @Override protected TcpConfig tcpConfig(ScenarioOptions o, boolean client) {
            TcpConfig base = super.tcpConfig(o, client);
            return client ? base : base.withBuffers(bf -> bf.withReceiveBufferSize(SERVER_BUFFER)).withOptions(op -> op.withWindowScale(false));
        }
        @Override protected void play(Stage s) {
            Accepted acc = new Accepted();
            TcpConnection c = handshake(s, acc, new TcpEventListener() {});
            TcpConnection srv = acc.conn;
            ByteCounter got = new ByteCounter();
            byte[] data = new byte[3 * SERVER_BUFFER];
            int[] sent = {0};
            Runnable push = () -> sent[0] += c.send(s.now(), data, sent[0], data.length - sent[0]);
            c.setListener(new TcpEventListener() {
                @Override public void onWritable(TcpConnection x) { if (sent[0] < data.length) push.run(); }
            });
            s.after(Time.ms(5), push);
            s.note("server", "the server application does not read for 3 seconds", "服务端应用 3 秒内不读取数据");
            s.after(Time.s(3), () -> {
                s.note("server", "the server application starts reading", "服务端应用开始读取");
                srv.setListener(new TcpEventListener() {
                    @Override public void onReadable(TcpConnection x) { got.n += s.drain(x).length; }
                });
                got.n += s.drain(srv).length;
            });
            s.runUntil(() -> got.n == data.length, Time.s(60));
            s.runFor(s.rtt());
        }
    }

    static final class StaleSyn extends Scenario {
        @Override public String name() { return "stale-syn"; }
        @Override public String summary() { return "an old duplicate SYN reaches the server: the client's RST stops it (--two-way: a connection nobody asked for)"; }
        @Override public String summaryZh() { return "已失效的 SYN 到达服务端：客户端回 RST，什么也不会建立（--two-way：建立了无人请求的连接）"; }
        @Override public List<String> extraFlags() { return List.of("--two-way"); }
        @Override protected TcpConfig tcpConfig(ScenarioOptions o, boolean client) {
            TcpConfig base = super.tcpConfig(o, client);
            return o.twoWay() ? base.withLab(lb -> lb.withTwoWayHandshake(true)) : base;
        }
        @Override protected void play(Stage s) {
            Accepted acc = new Accepted();
            s.listen(c -> acc.conn = c);
            // The client's SYN is held in the network (a slow path), the application gives up.
            byte[][] held = new byte[1][];
            s.net.clientFaults().setDropFilter(frame -> {
                Frames.Tcp t = Frames.tcp(frame);
                if (held[0] == null && t != null && t.has(TcpRepr.SYN)) { held[0] = frame.clone(); return true; }
                return false;
            });
            TcpConnection c = s.connect(Scenario.SERVER_PORT, new TcpEventListener() {});
            s.after(Time.ms(500), () -> {
                s.note("client", "the client application gives up (abort) before any retransmission",
                        "客户端应用中止连接，尚未重传");
                c.abort(s.now());
            });
            s.runFor(Time.s(1));
            s.note("lab", "the network finally delivers the old SYN to the server",
                    "网络终于把那个早已失效的 SYN 送到了服务端");
            s.net.clientFaults().setDropFilter(f -> false);
            s.net.clientFaults().transmit(s.now(), held[0]);
            s.runFor(Time.s(2));
            int open = s.server().tcp().connectionCount();
            s.note("server", "the server now holds " + open + " connection(s)"
                            + (open > 0 ? ", for a client that asked for nothing" : ""),
                    "服务端现在持有 " + open + " 个连接" + (open > 0 ? "，而客户端并未请求" : ""));
        }
    }

    static final class OldDuplicate extends Scenario {
        static final int CLIENT_PORT = 40000;
        @Override public String name() { return "old-duplicate"; }
        @Override public String summary() { return "a delayed segment of an old connection arrives during a new one with the same ports (--no-time-wait: it corrupts the data)"; }
        @Override public String summaryZh() { return "旧连接的延迟报文段在新连接期间到达（--no-time-wait：它破坏了新连接的数据）"; }
        @Override public List<String> extraFlags() { return List.of("--no-time-wait"); }
        /**
         * Timestamps are off, as in the notes' TCP: with RFC 7323 timestamps, PAWS would also reject
         * the old segment (its TSval is older than the new connection's), which the story notes.
         */
        @Override protected TcpConfig tcpConfig(ScenarioOptions o, boolean client) {
            TcpConfig base = super.tcpConfig(o, client).withOptions(op -> op.withTimestamps(false));
            return o.noTimeWait() ? base.withLab(lb -> lb.withTimeWaitEnabled(false)) : base;
        }
        @Override protected void play(Stage s) {
            List<TcpConnection> accepted = new ArrayList<>();
            java.io.ByteArrayOutputStream second = new java.io.ByteArrayOutputStream();
            s.listen(x -> {
                accepted.add(x);
                boolean isSecond = accepted.size() == 2;
                x.setListener(new TcpEventListener() {
                    @Override public void onReadable(TcpConnection y) {
                        byte[] b = s.drain(y);
                        if (isSecond) second.writeBytes(b);
                    }
                    @Override public void onRemoteClosed(TcpConnection y) { y.close(s.now()); }
                });
            });
            // First connection from port 40000: 200 KB of 'o'. The network keeps copies of its data
            // segments: one of them will wander in late.
            TcpConnection first = s.client().tcp().connect(s.now(), s.clientAddress(), CLIENT_PORT,
                    s.serverAddress(), Scenario.SERVER_PORT, new TcpEventListener() {});
            s.runUntil(() -> in(first, TcpState.ESTABLISHED), Time.s(30));
            byte[] old = new byte[200_000];
            java.util.Arrays.fill(old, (byte) 'o');
            List<byte[]> copies = new ArrayList<>();
            s.net.clientFaults().setDropFilter(frame -> {
                Frames.Tcp t = Frames.tcp(frame);
                if (t != null && t.payloadLength() > 0) copies.add(frame.clone());
                return false;
            });
            int[] sent = {0};
            Runnable push = () -> sent[0] += first.send(s.now(), old, sent[0], old.length - sent[0]);
            first.setListener(new TcpEventListener() {
                @Override public void onWritable(TcpConnection x) { if (sent[0] < old.length) push.run(); }
            });
            push.run();
            s.runUntil(() -> sent[0] == old.length && first.status().sndUna() == first.status().sndNxt(), Time.s(30));
            first.close(s.now());
            s.runUntil(() -> in(first, TcpState.TIME_WAIT) || in(first, TcpState.CLOSED), Time.s(30));
            s.note("client", "first connection closed; client port " + CLIENT_PORT + " is "
                    + first.state().rfcName(), "第一个连接已关闭；客户端端口 " + CLIENT_PORT + " 处于 " + first.state().rfcName());
            // A new connection: same ports if the old one is forgotten, else the stack must pick another.
            TcpConnection second0;
            try {
                second0 = s.client().tcp().connect(s.now(), s.clientAddress(), CLIENT_PORT,
                        s.serverAddress(), Scenario.SERVER_PORT, new TcpEventListener() {});
                s.note("client", "new connection reuses port " + CLIENT_PORT, "新连接复用端口 " + CLIENT_PORT);
            } catch (RuntimeException inUse) {
                s.note("client", "port " + CLIENT_PORT + " is still in TIME-WAIT: the new connection takes another port",
                        "端口 " + CLIENT_PORT + " 仍处于 TIME-WAIT：新连接使用其他端口");
                second0 = s.connect(Scenario.SERVER_PORT, new TcpEventListener() {});
            }
            TcpConnection next = second0;
            s.runUntil(() -> in(next, TcpState.ESTABLISHED) && accepted.size() >= 2
                    && in(accepted.get(1), TcpState.ESTABLISHED), Time.s(30));
            byte[] fresh = new byte[30_000];
            java.util.Arrays.fill(fresh, (byte) 'n');
            int[] sent2 = {0};
            Runnable push2 = () -> sent2[0] += next.send(s.now(), fresh, sent2[0], fresh.length - sent2[0]);
            next.setListener(new TcpEventListener() {
                @Override public void onWritable(TcpConnection x) { if (sent2[0] < fresh.length) push2.run(); }
            });
            s.net.clientFaults().setDropFilter(f -> false);
            // Of the old copies still in the network, the one that hurts: for the 4-tuple of the new
            // connection and inside the server's receive window. With TIME-WAIT the ports differ and none can hurt.
            TcpConnection srvNew = accepted.size() >= 2 ? accepted.get(1) : null;
            byte[] late = copies.isEmpty() ? null : copies.get(copies.size() / 2);
            if (srvNew != null && srvNew.remotePort() == CLIENT_PORT) {
                int rcvNxt = srvNew.status().rcvNxt();
                long wnd = srvNew.status().rcvWnd();
                for (byte[] f : copies) {
                    int seq = Frames.tcp(f).tcp().seq();
                    long ahead = Integer.toUnsignedLong(seq - rcvNxt);
                    if (ahead < wnd / 2) { late = f; break; }
                }
            }
            if (late != null) {
                Frames.Tcp t = Frames.tcp(late);
                s.note("lab", "the network delivers a late duplicate of the first connection (port "
                                + t.tcp().srcPort() + ", seq " + Integer.toUnsignedString(t.tcp().seq()) + ", " + t.payloadLength() + " bytes of 'o')",
                        "网络送达第一个连接的一个迟到的重复报文段（端口 " + t.tcp().srcPort() + "，seq "
                                + Integer.toUnsignedString(t.tcp().seq()) + "，" + t.payloadLength() + " 字节“o”）");
                s.net.clientFaults().transmit(s.now(), late);
            }
            s.after(Time.ms(1), push2);
            s.runUntil(() -> second.size() >= fresh.length, Time.s(30));
            byte[] got = second.toByteArray();
            int bad = 0, firstBad = -1, lastBad = -1;
            for (int i = 0; i < got.length; i++) {
                if (got[i] != 'n') {
                    bad++;
                    if (firstBad < 0) firstBad = i;
                    lastBad = i;
                }
            }
            if (bad == 0) {
                s.note("server", "the new connection received " + got.length + " bytes, all correct",
                        "新连接收到 " + got.length + " 字节，全部正确");
            } else {
                int from = Math.max(0, firstBad - 8), to = Math.min(got.length, firstBad + 8);
                String sample = new String(got, from, to - from, java.nio.charset.StandardCharsets.US_ASCII);
                s.note("server", "the new connection received " + got.length + " bytes, " + bad
                                + " of them from the OLD connection: bytes " + firstBad + ".." + lastBad
                                + " are 'o' where the sender wrote 'n' (around byte " + firstBad + ": \"" + sample + "\"): data corrupted",
                        "新连接收到 " + got.length + " 字节，其中 " + bad + " 字节来自旧连接：第 " + firstBad + ".." + lastBad
                                + " 字节是“o”，而发送方写的是“n”（第 " + firstBad + " 字节附近：\"" + sample + "\"）：数据被破坏");
            }
            s.note("lab", "(timestamps are off in this story; with RFC 7323 timestamps PAWS would also reject the old segment)",
                    "（本场景关闭了时间戳选项；若启用 RFC 7323 时间戳，PAWS 也会丢弃这个旧报文段）");
        }
    }
}
