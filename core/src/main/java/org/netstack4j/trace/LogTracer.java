package org.netstack4j.trace;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * A stack's trace events as {@link System.Logger} records: no logging dependency, the JDK routes
 * them (java.util.logging by default, SLF4J or Log4j through their {@code LoggerFinder}).
 *
 * <table class="striped">
 * <caption>Levels</caption>
 * <thead><tr><th>Level</th><th>What</th></tr></thead>
 * <tbody>
 * <tr><td>WARNING</td><td>a limit hit: a bounded queue or table full ({@link DropReason#QUEUE_FULL}:
 *     SYN and accept queues, out-of-order ranges, link queues, ARP) and reassembly giving up</td></tr>
 * <tr><td>INFO</td><td>malformed input dropped: bad checksums, truncated packets, bad headers and options</td></tr>
 * <tr><td>DEBUG</td><td>every other drop, with its reason (no listener, out of window, policy, ...)</td></tr>
 * <tr><td>TRACE</td><td>TCP state changes and the layers' notes</td></tr>
 * </tbody>
 * </table>
 *
 * <p>Device errors are not trace events: the event loop logs what a task, a poll or a device
 * reader throws at WARNING to the logger {@code org.netstack4j.runtime.EventLoop} (unless it was
 * started with a failure handler of its own).
 *
 * <p>Rate-limited: at most {@code perSecond} records per level per second of the stack's clock
 * (the events' time, so the simulator's virtual seconds); the next record after a quiet spell
 * says how many were suppressed. Text that came from the network is escaped with
 * {@link LogText#controls}, so a peer cannot forge log lines. {@link #enabled()} asks the logger
 * whether the lowest level in use is loggable; while it is, the stack builds its trace events
 * (a few small objects per packet), so leave DEBUG and TRACE off in production.
 */
public final class LogTracer implements Tracer {
    /** Records per level per second of stack time, unless told otherwise. */
    public static final int DEFAULT_PER_SECOND = 10;

    private final Logger logger;
    private final String stack;
    private final int perSecond;
    private final Map<Level, Window> windows = new EnumMap<>(Level.class);

    private static final class Window {
        long second = Long.MIN_VALUE;
        int used;
        long suppressed;
    }

    private LogTracer(Logger logger, String stack, int perSecond) {
        this.logger = Objects.requireNonNull(logger, "logger");
        this.stack = Objects.requireNonNull(stack, "stack");
        if (perSecond < 1) throw new IllegalArgumentException("perSecond must be at least 1: " + perSecond);
        this.perSecond = perSecond;
    }

    /** Records of the stack named {@code stack} to the logger "org.netstack4j", {@value #DEFAULT_PER_SECOND} a second per level. */
    public static LogTracer of(String stack) { return of(System.getLogger("org.netstack4j"), stack, DEFAULT_PER_SECOND); }

    public static LogTracer of(Logger logger, String stack, int perSecond) { return new LogTracer(logger, stack, perSecond); }

    /** The level of {@code e}, or null when it is not logged. */
    static Level level(TraceEvent e) {
        return switch (e) {
            case TraceEvent.Drop d -> switch (d.kind()) {
                case QUEUE_FULL, REASSEMBLY -> Level.WARNING;
                case CHECKSUM, TRUNCATED, BAD_HEADER, BAD_OPTION -> Level.INFO;
                case UNSUPPORTED, BAD_ADDRESS, NOT_FOR_US, NO_ROUTE, NEIGHBOR_UNREACHABLE, TOO_BIG, NO_LISTENER,
                     OUT_OF_WINDOW, CHALLENGE_ACK, TIMESTAMP, BAD_ACK, NO_ACK, UNEXPECTED, POLICY, LINK_DOWN, LOST,
                     FILTERED -> Level.DEBUG;
            };
            case TraceEvent.StateChange<?> s -> Level.TRACE;
            case TraceEvent.Note n -> Level.TRACE;
            case TraceEvent.Segment s -> null;
            case TraceEvent.Timer<?> t -> null;
            case TraceEvent.Retransmit r -> null;
            case TraceEvent.Relay r -> null;
        };
    }

    @Override public boolean enabled() { return logger.isLoggable(Level.WARNING); }

    @Override public void event(TraceEvent e) {
        Level level = level(e);
        if (level == null || !logger.isLoggable(level)) return;
        Window w = windows.computeIfAbsent(level, l -> new Window());
        long second = Math.floorDiv(e.time(), 1_000_000_000L);
        long suppressedBefore = 0;
        if (second != w.second) {
            suppressedBefore = w.suppressed;
            w.second = second;
            w.used = 0;
            w.suppressed = 0;
        }
        if (w.used >= perSecond) {
            w.suppressed++;
            return;
        }
        w.used++;
        String text = LogText.controls(text(e));
        logger.log(level, suppressedBefore == 0 ? stack + ": " + text
                : stack + ": " + text + " (" + suppressedBefore + " more " + level + " records suppressed before)");
    }

    private static String text(TraceEvent e) {
        return switch (e) {
            case TraceEvent.Drop d -> (d.kind() == DropReason.QUEUE_FULL || d.kind() == DropReason.REASSEMBLY ? "limit hit, " : "")
                    + "drop (" + d.layer() + ", " + d.kind() + "): " + d.reason()
                    + (d.summary() == null || d.summary().isEmpty() ? "" : " [" + d.summary() + "]");
            case TraceEvent.StateChange<?> s -> s.connection() + " " + s.from() + " -> " + s.to() + " (" + s.cause() + ")";
            case TraceEvent.Note n -> n.layer() + ": " + n.text();
            case TraceEvent.Segment s -> s.toString();
            case TraceEvent.Timer<?> t -> t.toString();
            case TraceEvent.Retransmit r -> r.toString();
            case TraceEvent.Relay r -> r.toString();
        };
    }
}
