package org.netstack4j.lab;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

import org.netstack4j.tcp.TcpState;
import org.netstack4j.tcp.TcpTimer;
import org.netstack4j.trace.FourTuple;
import org.netstack4j.trace.TraceEvent;
import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.TcpOption;
import org.netstack4j.wire.TcpRepr;

/**
 * Builds a {@link LabRun} from what two hosts traced. Arrows come from outgoing segments; an
 * outgoing segment the peer never traced as incoming is drawn as lost. Matching: each incoming
 * segment is paired with the latest not-yet-paired outgoing segment of the peer that has the same
 * header (ports, seq, ack, flags, window, urgent pointer, options) and payload length and was sent
 * no later than it arrived; so a lost original followed by a delivered retransmission is drawn
 * as exactly that.
 */
public final class TraceConverter {
    private TraceConverter() {}

    public static final String CLIENT = "client";
    public static final String SERVER = "server";

    /** Hosts "client" (left) and "server" (right), with {@link Narration} explanations added. */
    public static LabRun convert(String scenario, List<TraceEvent> clientEvents, List<TraceEvent> serverEvents) {
        return convert(scenario, CLIENT, clientEvents, SERVER, serverEvents, true);
    }

    /**
     * For a single trace shared by both hosts (one Tracer for the whole simulation): splits it by
     * address and converts. Segments, state changes and timers go by the local address of their
     * connection; drops and notes (free text, no connection) by an address named in their text,
     * else to the host of the event before them.
     */
    public static LabRun convertShared(String scenario, List<TraceEvent> all,
                                       IpAddress client, IpAddress server) {
        List<TraceEvent> c = new ArrayList<>(), s = new ArrayList<>();
        boolean lastClient = true;
        String ca = client.toString(), sa = server.toString();
        for (TraceEvent e : all) {
            Boolean isClient = switch (e) {
                case TraceEvent.Segment seg -> localIs(seg.connection(), client, server);
                case TraceEvent.StateChange<?> sc -> localIs(sc.connection(), client, server);
                case TraceEvent.Timer<?> t -> localIs(t.connection(), client, server);
                case TraceEvent.Retransmit r -> localIs(r.connection(), client, server);
                case TraceEvent.Drop d -> mentions(d.reason() + " " + d.summary(), ca, sa);
                case TraceEvent.Note n -> mentions(n.text(), ca, sa);
                case TraceEvent.Relay r -> null; // a device's, not a host's: drawn by the multi-lane ladder
            };
            boolean toClient = isClient == null ? lastClient : isClient;
            (toClient ? c : s).add(e);
            lastClient = toClient;
        }
        return convert(scenario, c, s);
    }

    private static Boolean localIs(FourTuple connection, IpAddress client, IpAddress server) {
        if (connection == null) return null;
        IpAddress local = connection.localAddress();
        return local.equals(client) ? Boolean.TRUE : local.equals(server) ? Boolean.FALSE : null;
    }

    private static Boolean mentions(String text, String client, String server) {
        if (text == null) return null;
        boolean c = text.matches("(?s).*(?<![\\d.])" + java.util.regex.Pattern.quote(client) + "(?![\\d]).*");
        boolean s = text.matches("(?s).*(?<![\\d.])" + java.util.regex.Pattern.quote(server) + "(?![\\d]).*");
        return c == s ? null : c;
    }

    /** General form: any host names, narration optional. */
    public static LabRun convert(String scenario, String leftHost, List<TraceEvent> leftEvents,
                                 String rightHost, List<TraceEvent> rightEvents, boolean narrate) {
        Objects.requireNonNull(leftEvents);
        Objects.requireNonNull(rightEvents);
        List<Sorted> all = new ArrayList<>();
        List<Sorted> leftSorted = side(leftHost, rightHost, 0, leftEvents);
        List<Sorted> rightSorted = side(rightHost, leftHost, 1, rightEvents);
        all.addAll(unsent(pair(leftSorted, rightEvents), leftHost, rightHost, 1));
        all.addAll(unsent(pair(rightSorted, leftEvents), rightHost, leftHost, 0));
        all.addAll(leftSorted);
        all.addAll(rightSorted);
        all.sort(Comparator.comparingLong((Sorted s) -> s.time).thenComparingInt(s -> s.reactive ? 1 : 0)
                .thenComparingInt(s -> s.hostIndex).thenComparingInt(s -> s.index));
        List<LabEvent> events = new ArrayList<>(all.size());
        for (Sorted s : all) events.add(s.finish());
        LabRun run = new LabRun(scenario, List.of(leftHost, rightHost), events);
        return narrate ? Narration.annotate(run) : run;
    }

    /** A converted event (segments still waiting for their arrival time) with its sort key. */
    private static final class Sorted {
        final long time;
        final boolean reactive;
        final int hostIndex;
        final int index;
        LabEvent event;
        TraceEvent.Segment out; // outgoing segment not yet finished
        String from, to;
        long arrival = -1;
        boolean matched;

        Sorted(long time, boolean reactive, int hostIndex, int index) {
            this.time = time;
            this.reactive = reactive;
            this.hostIndex = hostIndex;
            this.index = index;
        }

        LabEvent finish() {
            if (event != null) return event;
            TcpRepr t = out.tcp();
            return new LabEvent.Segment(out.time(), from, to, LabEvent.flagNames(t.flags()),
                    Integer.toUnsignedLong(t.seq()), t.has(TcpRepr.ACK) ? Integer.toUnsignedLong(t.ack()) : null,
                    out.payloadLength(), t.window(), !matched, matched ? arrival : -1, optionsSummary(t.options()), t);
        }
    }

    private static List<Sorted> side(String host, String peer, int hostIndex, List<TraceEvent> in) {
        List<Sorted> out = new ArrayList<>();
        long groupTime = Long.MIN_VALUE;
        boolean sawIncoming = false;
        for (int i = 0; i < in.size(); i++) {
            TraceEvent e = in.get(i);
            if (e.time() != groupTime) {
                groupTime = e.time();
                sawIncoming = false;
            }
            // Events at the same instant after an incoming segment are reactions to it: they sort
            // after the other host's spontaneous events of that instant.
            if (e instanceof TraceEvent.Segment s && s.in()) {
                sawIncoming = true;
                continue;
            }
            // the resent segment is drawn from its own Segment event; the ladder marks it already
            if (e instanceof TraceEvent.Retransmit) continue;
            Sorted so = new Sorted(e.time(), sawIncoming, hostIndex, i);
            switch (e) {
                case TraceEvent.Segment s -> {
                    so.out = s;
                    so.from = host;
                    so.to = peer;
                }
                case TraceEvent.StateChange<?> sc -> so.event = new LabEvent.State(sc.time(), host,
                        tcpState(sc.from()), tcpState(sc.to()), sc.cause() == null ? "" : sc.cause());
                case TraceEvent.Timer<?> t -> so.event = new LabEvent.Timer(t.time(), host, tcpTimer(t.name()),
                        t.action(), t.deadline());
                case TraceEvent.Drop d -> so.event = new LabEvent.Note(d.time(), host,
                        "drop (" + d.layer() + "): " + d.reason()
                                + (d.summary() == null || d.summary().isEmpty() ? "" : " [" + d.summary() + "]"),
                        // the packet as the stack summarised it, quoted: the variable part of the sentence
                        Zh.drop(d.layer(), d.kind(), d.summary() == null || d.summary().isEmpty() ? "" : "“" + d.summary() + "”"));
                case TraceEvent.Note n -> so.event = new LabEvent.Note(n.time(), host,
                        (n.layer() == null || n.layer().isEmpty() ? "" : n.layer() + ": ") + n.text(),
                        (n.layer() == null || n.layer().isEmpty() ? "" : Zh.layer(n.layer()) + "：") + Zh.note(n.layer(), n.text()));
                case TraceEvent.Relay r -> so.event = new LabEvent.Note(r.time(), host, r.toString());
                case TraceEvent.Retransmit r -> throw new AssertionError("skipped above");
            }
            out.add(so);
        }
        return out;
    }

    /**
     * Segments that arrived without a send to pair with: copies the network made (a duplicate, or
     * an old segment delivered late). They are drawn at their arrival, from the host whose address
     * they carry; with nothing to mark them lost, they count as delivered.
     */
    private static List<Sorted> unsent(List<TraceEvent.Segment> unpaired, String sender, String receiver, int receiverIndex) {
        List<Sorted> out = new ArrayList<>();
        int index = Integer.MAX_VALUE - unpaired.size();
        for (TraceEvent.Segment in : unpaired) {
            Sorted so = new Sorted(in.time(), false, receiverIndex, index++);
            TcpRepr t = in.tcp();
            so.event = new LabEvent.Segment(in.time(), sender, receiver, LabEvent.flagNames(t.flags()),
                    Integer.toUnsignedLong(t.seq()), t.has(TcpRepr.ACK) ? Integer.toUnsignedLong(t.ack()) : null,
                    in.payloadLength(), t.window(), false, in.time(), optionsSummary(t.options()), t);
            out.add(so);
        }
        return out;
    }

    /**
     * Pairs each incoming segment in peerEvents with the latest earlier matching outgoing one of
     * sent; returns the incoming segments nothing was sent for.
     */
    private static List<TraceEvent.Segment> pair(List<Sorted> sent, List<TraceEvent> peerEvents) {
        List<TraceEvent.Segment> unpaired = new ArrayList<>();
        for (TraceEvent e : peerEvents) {
            if (!(e instanceof TraceEvent.Segment in) || !in.in()) continue;
            Sorted best = null;
            // Strict match first (options included, so retransmissions with new timestamps are told
            // apart); then without options, in case the receiver's parse lists them differently.
            for (boolean strict : new boolean[] {true, false}) {
                for (Sorted s : sent) {
                    if (s.out == null || s.matched || s.time > in.time()) continue;
                    if (sameSegment(s.out, in, strict) && (best == null || s.time >= best.time)) best = s;
                }
                if (best != null) break;
            }
            if (best != null) {
                best.matched = true;
                best.arrival = in.time();
            } else {
                unpaired.add(in);
            }
        }
        return unpaired;
    }

    private static boolean sameSegment(TraceEvent.Segment a, TraceEvent.Segment b, boolean withOptions) {
        TcpRepr x = a.tcp(), y = b.tcp();
        return a.payloadLength() == b.payloadLength() && x.srcPort() == y.srcPort() && x.dstPort() == y.dstPort()
                && x.seq() == y.seq() && x.ack() == y.ack() && x.flags() == y.flags() && x.window() == y.window()
                && x.urgentPointer() == y.urgentPointer()
                && (!withOptions || meaningfulOptions(x).equals(meaningfulOptions(y)));
    }

    /** Options without NOP/EOL padding, as text (Unknown carries an array, so records won't compare). */
    private static String meaningfulOptions(TcpRepr t) {
        if (t.options() == null) return "";
        return optionsSummary(t.options().stream()
                .filter(o -> !(o instanceof TcpOption.Nop) && !(o instanceof TcpOption.EndOfList)).toList());
    }

    /** The lab's name of a traced state: the enum constant's (SYN_SENT, FIN_WAIT_1); CLOSED when there is none. */
    /** The lab draws TCP: a traced state is a TcpState (CLOSED when none is given). */
    private static TcpState tcpState(Enum<?> state) {
        if (state == null) return TcpState.CLOSED;
        if (state instanceof TcpState s) return s;
        throw new IllegalArgumentException("not a TCP state: " + state.getClass().getName() + " " + state);
    }

    private static TcpTimer tcpTimer(Enum<?> timer) {
        if (timer instanceof TcpTimer t) return t;
        throw new IllegalArgumentException("not a TCP timer: " + timer);
    }

    /** RFC name ("SYN-SENT", "FIN-WAIT-1") or enum name to the enum-style name (SYN_SENT, FIN_WAIT_1). */
    public static String stateName(String name) {
        if (name == null || name.isBlank()) return "CLOSED";
        String n = name.trim().toUpperCase(Locale.ROOT).replace('-', '_').replace(' ', '_');
        return switch (n) {
            case "SYN_RCVD", "SYN_REVD", "SYN_RECV" -> "SYN_RECEIVED";
            case "SYN_SEND" -> "SYN_SENT";
            case "FIN_WAIT1" -> "FIN_WAIT_1";
            case "FIN_WAIT2" -> "FIN_WAIT_2";
            case "ESTAB" -> "ESTABLISHED";
            default -> n;
        };
    }

    /** tcpdump-like options text: "mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7" ("" when none). */
    public static String optionsSummary(List<TcpOption> options) {
        if (options == null || options.isEmpty()) return "";
        StringBuilder sb = new StringBuilder();
        for (TcpOption o : options) {
            if (!sb.isEmpty()) sb.append(',');
            switch (o) {
                case TcpOption.EndOfList x -> sb.append("eol");
                case TcpOption.Nop x -> sb.append("nop");
                case TcpOption.Mss m -> sb.append("mss ").append(m.mss());
                case TcpOption.WindowScale w -> sb.append("wscale ").append(w.shift());
                case TcpOption.SackPermitted x -> sb.append("sackOK");
                case TcpOption.Sack s -> {
                    sb.append("sack ").append(s.blocks().size());
                    for (TcpOption.SackBlock b : s.blocks())
                        sb.append(" {").append(Integer.toUnsignedString(b.left())).append(':')
                                .append(Integer.toUnsignedString(b.right())).append('}');
                }
                case TcpOption.Timestamps t -> sb.append("TS val ").append(Integer.toUnsignedString(t.tsVal()))
                        .append(" ecr ").append(Integer.toUnsignedString(t.tsEcr()));
                case TcpOption.Unknown u -> sb.append("unknown-").append(u.kind())
                        .append(" len ").append(u.data() == null ? 0 : u.data().length);
            }
        }
        return sb.toString();
    }
}
