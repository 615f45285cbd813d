package org.netstack4j.lab.scenario;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.netstack4j.host.Host;
import org.netstack4j.host.TwoHostNetwork;
import org.netstack4j.sim.LinkConfig;
import org.netstack4j.device.Medium;
import org.netstack4j.tcp.TcpConfig;
import org.netstack4j.tcp.TcpConnection;
import org.netstack4j.tcp.TcpEventListener;
import org.netstack4j.tcp.TcpListener;
import org.netstack4j.tcp.TcpState;
import org.netstack4j.time.Time;
import org.netstack4j.trace.TraceEvent;

/**
 * One story of the notes. Subclasses act as the two applications and the network; the stacks do
 * the rest. {@link #run} returns both hosts' trace events and the story's notes.
 */
public abstract class Scenario {
    public static final int SERVER_PORT = 80;

    public abstract String name();

    /** One line for {@code demo --list}, English and Chinese. */
    public abstract String summary();

    public abstract String summaryZh();

    /** Flags beyond the common ones that this story understands ("--no-time-wait", "--two-way"). */
    public List<String> extraFlags() { return List.of(); }

    /** A note the story adds at a moment: what an application saw, or why something happened. */
    public record Note(long time, String host, String en, String zh) {}

    /** A frame a host sent ({@code sent}) or received, as its device carried it (Ethernet). */
    public record Frame(long timeNs, String host, boolean sent, byte[] bytes) {
        /** Frames are equal by content (two runs with one seed give equal results). */
        @Override public boolean equals(Object o) {
            return o instanceof Frame f && f.timeNs == timeNs && f.host.equals(host) && f.sent == sent
                    && java.util.Arrays.equals(f.bytes, bytes);
        }

        @Override public int hashCode() { return java.util.Objects.hash(timeNs, host, sent) * 31 + java.util.Arrays.hashCode(bytes); }

        @Override public String toString() { return "Frame[" + timeNs + " " + host + (sent ? " sent " : " received ") + bytes.length + " bytes]"; }
    }

    /** Both hosts' traces, the story's notes, and every frame the hosts sent and received, in order. */
    public record Result(String scenario, List<TraceEvent> client, List<TraceEvent> server, List<Note> notes,
                         long endTime, List<Frame> frames) {
        public Result {
            frames = List.copyOf(frames);
        }

        /** A result without frames (drawings only). */
        public Result(String scenario, List<TraceEvent> client, List<TraceEvent> server, List<Note> notes, long endTime) {
            this(scenario, client, server, notes, endTime, List.of());
        }
    }

    public final Result run(ScenarioOptions options) {
        LinkConfig link = LinkConfig.builder().medium(Medium.ETHERNET).latencyNs(options.latencyNs())
                .loss(options.loss()).build();
        List<Frame> frames = new ArrayList<>();
        try (TwoHostNetwork net = TwoHostNetwork.builder().seed(options.seed()).link(link)
                .clientTcp(tcpConfig(options, true)).serverTcp(tcpConfig(options, false))
                .pcap(options.pcap()).staticArp(true).ipv6(options.ipv6())
                .observeFrames((now, host, sent, bytes) -> frames.add(new Frame(now, host, sent, bytes))).build()) {
            Stage stage = new Stage(net, options);
            net.sim().add(stage.timeline);
            play(stage);
            return new Result(name(), List.copyOf(net.clientLog().events()), List.copyOf(net.serverLog().events()),
                    List.copyOf(stage.notes), net.now(), frames);
        }
    }

    /** The stack configuration of one side; stories override to change buffers or lab switches. */
    protected TcpConfig tcpConfig(ScenarioOptions o, boolean client) {
        // The textbook's delayed ACK (RFC 9293 3.8.6.3): an ACK for every second full-sized
        // segment, even for segments that reach the host in the same instant (no GRO-like
        // coalescing, TcpConfig.coalesceAcks), so the ladder shows each of them.
        TcpConfig c = TcpConfig.defaults().withTimers(tm -> tm.withMslNs(o.mslNs())).withAcks(ak -> ak.withCoalesceAcks(false));
        return o.mss() > 0 ? c.withOptions(op -> op.withMss(o.mss())) : c;
    }

    protected abstract void play(Stage s);

    /** What a story can do: act as either application, move time, and lose or hold frames. */
    protected static final class Stage {
        final TwoHostNetwork net;
        final ScenarioOptions options;
        final Timeline timeline = new Timeline();
        final List<Note> notes = new ArrayList<>();

        Stage(TwoHostNetwork net, ScenarioOptions options) {
            this.net = net;
            this.options = options;
        }

        public Host client() { return net.client(); }
        public Host server() { return net.server(); }
        public long now() { return net.now(); }
        public long rtt() { return 2 * options.latencyNs(); }

        public void note(String host, String en, String zh) { notes.add(new Note(now(), host, en, zh)); }

        public void at(long time, Runnable action) { timeline.at(time, action); }

        public void after(long delay, Runnable action) { timeline.at(now() + delay, action); }

        /** Runs until done() or timeout; a story that times out says so in a note instead of hanging. */
        public boolean runUntil(BooleanSupplier done, long timeout) {
            boolean ok = net.runUntil(done, timeout);
            if (!ok) note("lab", "the story did not reach its end within " + timeout / Time.ms(1) + " ms",
                    "在 " + timeout / Time.ms(1) + " 毫秒内未完成");
            return ok;
        }

        public void runFor(long duration) { net.runUntil(now() + duration); }

        /** The server listens on port 80; each accepted connection is handed to onAccept. */
        public TcpListener listen(Consumer<TcpConnection> onAccept) {
            return server().listen(now(), SERVER_PORT, 16, l -> {
                TcpConnection c;
                while ((c = l.accept()) != null) onAccept.accept(c);
            });
        }

        public TcpConnection connect(int port, TcpEventListener listener) {
            return client().connect(now(), serverAddress(), port, listener);
        }

        /** The server's address in this run's family (fd00::2 with {@link ScenarioOptions#ipv6}, else 10.0.0.2). */
        public org.netstack4j.wire.IpAddress serverAddress() { return net.serverAddress(); }

        public org.netstack4j.wire.IpAddress clientAddress() {
            return options.ipv6() ? TwoHostNetwork.CLIENT_ADDRESS6 : TwoHostNetwork.CLIENT_ADDRESS;
        }

        /** Loses the first n frames the client sends that match. */
        public void loseFromClient(int n, Predicate<Frames.Tcp> match) { lose(net.clientFaults(), n, match); }

        public void loseFromServer(int n, Predicate<Frames.Tcp> match) { lose(net.serverFaults(), n, match); }

        private static void lose(org.netstack4j.device.FaultInjector faults, int n, Predicate<Frames.Tcp> match) {
            int[] left = {n};
            faults.setDropFilter(frame -> {
                if (left[0] == 0) return false;
                Frames.Tcp t = Frames.tcp(frame);
                if (t != null && match.test(t)) { left[0]--; return true; }
                return false;
            });
        }

        public static boolean in(TcpConnection c, TcpState s) { return c != null && c.state() == s; }

        /** Reads everything readable, returning the bytes. */
        public byte[] drain(TcpConnection c) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            byte[] buf = new byte[16384];
            int n;
            while ((n = c.receive(now(), buf, 0, buf.length)) > 0) out.write(buf, 0, n);
            return out.toByteArray();
        }
    }
}
