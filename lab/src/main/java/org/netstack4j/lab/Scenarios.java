package org.netstack4j.lab;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import org.netstack4j.device.Medium;
import org.netstack4j.ip.IpInterface;
import org.netstack4j.ip.IpStack;
import org.netstack4j.sim.LinkConfig;
import org.netstack4j.sim.SimLink;
import org.netstack4j.sim.Simulator;
import org.netstack4j.tcp.TcpConfig;
import org.netstack4j.tcp.TcpConnection;
import org.netstack4j.tcp.TcpEventListener;
import org.netstack4j.tcp.TcpLayer;
import org.netstack4j.tcp.TcpListener;
import org.netstack4j.time.Time;
import org.netstack4j.trace.Counters;
import org.netstack4j.trace.TraceEvent;
import org.netstack4j.trace.Tracer;
import org.netstack4j.wire.Ipv4Address;
import org.netstack4j.wire.Ipv4Repr;
import org.netstack4j.wire.MacAddress;
import org.netstack4j.wire.Parsed;
import org.netstack4j.wire.TcpRepr;

/**
 * The seed scenarios of {@code netstack4j demo NAME}, run on the real stack in the simulator:
 * two hosts (client 10.0.0.1, server 10.0.0.2:80), each an IpStack with a TcpLayer, on one
 * simulated link of 10 ms one-way latency, in virtual time. A scenario may lose one chosen
 * segment on the link (the arrow stops with an X) and tune each side's TcpConfig. Everything is
 * deterministic: fixed seeds, no clock.
 */
public final class Scenarios {
    private Scenarios() {}

    public static final Ipv4Address CLIENT = Ipv4Address.parse("10.0.0.1"), SERVER = Ipv4Address.parse("10.0.0.2");
    public static final int PORT = 80;
    static final long LATENCY = Time.ms(10);

    /** Which segment the link loses: the first one of {@code fromClient}'s side matching this test. */
    @FunctionalInterface
    interface Loss {
        /** finSeen: the sender has already received the peer's FIN. */
        boolean lose(TcpRepr seg, int len, boolean finSeen);
    }

    /** A scenario: configs, what the applications do, and one optional loss. */
    record Spec(String name, String en, String zh, UnaryOperator<TcpConfig.Builder> client,
                UnaryOperator<TcpConfig.Builder> server, boolean listen, int clientBytes, long clientCloseAt,
                long serverCloseDelay, int serverBytesAfterFin, long serverReadAt, boolean fromClient, Loss loss) {}

    private static final Map<String, Spec> SPECS = new LinkedHashMap<>();

    private static void add(Spec s) { SPECS.put(s.name(), s); }

    private static final UnaryOperator<TcpConfig.Builder> SAME = b -> b;

    static {
        add(new Spec("handshake", "three-way handshake, 100 bytes, four-way close, TIME_WAIT for 2MSL",
                "三次握手、100 字节数据、四次挥手、TIME_WAIT 等待 2MSL",
                SAME, SAME, true, 100, Time.ms(200), Time.ms(100), 0, -1, true, null));
        add(new Spec("half-close", "the client closes first; the server still sends 300 bytes in CLOSE_WAIT",
                "客户端先关闭；服务端在 CLOSE_WAIT（半关闭）状态仍发送 300 字节",
                SAME, SAME, true, 100, Time.ms(200), Time.ms(100), 300, -1, true, null));
        add(new Spec("lost-syn", "the first SYN is lost: SYN retransmitted after the initial RTO",
                "第一次握手的 SYN 丢失：初始 RTO 超时后重传 SYN",
                SAME, SAME, true, 0, Time.ms(3000), Time.ms(100), 0, -1, true,
                (seg, len, fin) -> seg.has(TcpRepr.SYN)));
        add(new Spec("lost-data", "the first data segment is lost: retransmission on RTO",
                "第一个数据报文段丢失：重传计时器超时后重传",
                SAME, SAME, true, 100, Time.ms(2000), Time.ms(100), 0, -1, true,
                (seg, len, fin) -> len > 0));
        add(new Spec("lost-last-ack", "the fourth wave's ACK is lost: the server resends its FIN, TIME_WAIT acks it again",
                "第四次挥手的 ACK 丢失：服务端重传 FIN，处于 TIME_WAIT 的客户端再次确认（2MSL 的意义 1）",
                SAME, SAME, true, 100, Time.ms(200), Time.ms(100), 0, -1, true,
                (seg, len, fin) -> fin && len == 0 && seg.flags() == TcpRepr.ACK));
        add(new Spec("fast-retransmit", "five segments, the first lost: duplicate ACKs and fast retransmit",
                "五个报文段，第一个丢失：重复确认与快速重传",
                b -> b.mss(536).sack(false), b -> b.mss(536).sack(false), true, 5 * 536, Time.ms(1000),
                Time.ms(100), 0, -1, true, (seg, len, fin) -> len > 0));
        add(new Spec("zero-window", "the server does not read: its window closes, persist probes, then a window update",
                "服务端应用不读数据：窗口变为 0，坚持计时器发送零窗口探测，随后窗口更新",
                SAME, b -> b.receiveBufferSize(2048), true, 6000, Time.ms(4000), Time.ms(100), 0, Time.ms(2500),
                true, null));
        add(new Spec("refused", "connect to a port nobody listens on: RST (connection refused)",
                "连接没有监听的端口：收到 RST（connection refused）",
                SAME, SAME, false, 0, -1, 0, 0, -1, true, null));
        add(new Spec("two-way", "a broken server that is ESTABLISHED on the SYN alone (why two steps are not enough)",
                "故意做坏的服务端：只收到 SYN 就进入 ESTABLISHED（为什么两次握手不行）",
                SAME, b -> b.twoWayHandshake(true), true, 100, Time.ms(200), Time.ms(100), 0, -1, true, null));
        add(new Spec("no-time-wait", "TIME_WAIT switched off: the client forgets the connection at once",
                "关闭 TIME_WAIT：客户端立即丢弃连接（对照 2MSL 的意义）",
                b -> b.timeWaitEnabled(false), SAME, true, 100, Time.ms(200), Time.ms(100), 0, -1, true, null));
        add(new Spec("simultaneous-close", "both sides close at the same moment: FIN_WAIT_1 -> CLOSING -> TIME_WAIT",
                "双方同时关闭：FIN_WAIT_1 -> CLOSING -> TIME_WAIT",
                SAME, SAME, true, 0, Time.ms(200), -1, 0, -1, true, null));
    }

    /** Scenario names, in a sensible teaching order. */
    public static List<String> names() { return List.copyOf(SPECS.keySet()); }

    /** One line saying what the scenario shows. */
    public static String description(String name, Lang lang) {
        Spec s = spec(name);
        return lang.pick(s.en(), s.zh());
    }

    private static Spec spec(String name) {
        Spec s = SPECS.get(name);
        if (s == null) throw new IllegalArgumentException("unknown scenario " + name + " (known: " + String.join(", ", names()) + ")");
        return s;
    }

    /** The two hosts' traces of a scenario. */
    public record Traces(List<TraceEvent> client, List<TraceEvent> server) {}

    /** Runs the scenario and returns what each host traced. */
    public static Traces trace(String name) {
        Spec spec = spec(name);
        Simulator sim = new Simulator(7);
        SimLink link = sim.link(LinkConfig.builder().latencyNs(LATENCY).medium(Medium.IP).build());
        Host client = new Host(sim, link.a(), CLIENT, 1, spec.client().apply(TcpConfig.builder()).build(),
                spec.fromClient() ? spec.loss() : null);
        Host server = new Host(sim, link.b(), SERVER, 2, spec.server().apply(TcpConfig.builder()).build(),
                spec.fromClient() ? null : spec.loss());
        TcpConnection[] serverConn = new TcpConnection[1];
        if (spec.listen()) {
            server.tcp.listen(sim.now(), SERVER, PORT, 8, l -> {
                TcpConnection c = l.accept();
                if (c == null) return;
                serverConn[0] = c;
                c.setListener(new TcpEventListener() {
                    @Override public void onReadable(TcpConnection conn) {
                        if (spec.serverReadAt() < 0 || sim.now() >= spec.serverReadAt()) drain(sim, conn);
                    }

                    @Override public void onRemoteClosed(TcpConnection conn) {
                        if (spec.serverCloseDelay() < 0) return;
                        long at = sim.now();
                        if (spec.serverBytesAfterFin() > 0)
                            sim.at(at + spec.serverCloseDelay(), () -> conn.send(sim.now(), payload(spec.serverBytesAfterFin()),
                                    0, spec.serverBytesAfterFin()));
                        long closeAt = at + spec.serverCloseDelay() * (spec.serverBytesAfterFin() > 0 ? 3 : 1);
                        sim.at(closeAt, () -> conn.close(sim.now()));
                    }
                });
                drain(sim, c);
            });
            // The listener itself traces no state; the ladder shows the passive open as the notes do.
            server.trace.add(new TraceEvent.StateChange(sim.now(), SERVER + ":" + PORT, "CLOSED", "LISTEN",
                    "user LISTEN (passive open)"));
            if (spec.serverReadAt() >= 0) sim.at(spec.serverReadAt(), () -> {
                if (serverConn[0] != null) drain(sim, serverConn[0]);
            });
        }
        sim.at(Time.ms(1), () -> {
            TcpConnection c = client.tcp.connect(sim.now(), CLIENT, 49152, SERVER, PORT, new TcpEventListener() {
                int sent;

                @Override public void onEstablished(TcpConnection conn) { push(conn); }

                @Override public void onWritable(TcpConnection conn) { push(conn); }

                @Override public void onReadable(TcpConnection conn) { drain(sim, conn); }

                private void push(TcpConnection conn) {
                    if (sent < spec.clientBytes() && conn.state() == org.netstack4j.tcp.TcpState.ESTABLISHED)
                        sent += conn.send(sim.now(), payload(spec.clientBytes() - sent), 0, spec.clientBytes() - sent);
                }
            });
            if (spec.clientCloseAt() >= 0) sim.at(spec.clientCloseAt(), () -> c.close(sim.now()));
        });
        if (spec.serverCloseDelay() < 0) // simultaneous close: the server closes at the same moment
            sim.at(spec.clientCloseAt(), () -> { if (serverConn[0] != null) serverConn[0].close(sim.now()); });
        sim.runUntilIdle(Time.s(300));
        return new Traces(List.copyOf(client.trace), List.copyOf(server.trace));
    }

    /** Runs the scenario and converts it, with explanations. */
    public static LabRun run(String name) {
        Traces t = trace(name);
        return TraceConverter.convert(name, t.client(), t.server());
    }

    private static byte[] payload(int n) {
        byte[] b = new byte[Math.max(n, 0)];
        for (int i = 0; i < b.length; i++) b[i] = (byte) ('a' + i % 26);
        return b;
    }

    private static void drain(Simulator sim, TcpConnection c) {
        byte[] buf = new byte[4096];
        while (c.readable() > 0 && c.receive(sim.now(), buf, 0, buf.length) > 0) { /* the app consumes */ }
    }

    /** One host: an IpStack and a TcpLayer glued together, tracing TCP into a list. */
    private static final class Host {
        final List<TraceEvent> trace = new ArrayList<>();
        final IpStack ip;
        final TcpLayer tcp;
        Loss loss;
        boolean finSeen;

        Host(Simulator sim, org.netstack4j.device.Device dev, Ipv4Address addr, int n, TcpConfig cfg, Loss loss) {
            this.loss = loss;
            ip = new IpStack(Tracer.NONE, new Counters(), n);
            ip.addInterface(new IpInterface("sim0", dev, new MacAddress(0x020000000000L + n), addr, 24));
            tcp = new TcpLayer(cfg, (now, src, dst, seg, p, off, len) -> {
                if (this.loss != null && this.loss.lose(seg, len, finSeen)) {
                    this.loss = null; // lost once, on the link: the peer never traces it
                    return;
                }
                byte[] buf = new byte[seg.headerLength() + len];
                int w = seg.emit(src, dst, buf, 0, p, off, len);
                ip.send(now, src, dst, Ipv4Repr.PROTO_TCP, -1, buf, 0, w);
            }, trace::add, new Counters(), 1000 + n);
            ip.setProtocolHandler(Ipv4Repr.PROTO_TCP, (now, ipr, buf, off, len) -> {
                if (TcpRepr.parse(ipr.src(), ipr.dst(), buf, off, len, true) instanceof Parsed.Ok<TcpRepr> ok) {
                    TcpRepr t = ok.value();
                    if (t.has(TcpRepr.FIN)) finSeen = true;
                    int h = t.headerLength();
                    tcp.segmentArrives(now, ipr.src(), ipr.dst(), t, buf, off + h, len - h);
                }
            });
            sim.add(ip);
            sim.add(tcp);
        }
    }
}
