package org.netstack4j.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.System.Logger.Level;
import java.text.MessageFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.ResourceBundle;
import org.junit.jupiter.api.Test;
import org.netstack4j.device.FaultConfig;
import org.netstack4j.device.Medium;
import org.netstack4j.host.BulkTransfer;
import org.netstack4j.host.TwoHostNetwork;
import org.netstack4j.sim.LinkConfig;
import org.netstack4j.tcp.TcpState;
import org.netstack4j.time.Time;

/** The stack's System.Logger records, seen by a logger set on the stack. */
class LogTracerTest {
    record Rec(Level level, String message) {}

    /** A System.Logger that keeps its records; loggable from {@code min} up. */
    static final class Recording implements System.Logger {
        final List<Rec> records = new ArrayList<>();
        final Level min;
        Recording(Level min) { this.min = min; }
        @Override public String getName() { return "test"; }
        @Override public boolean isLoggable(Level level) { return level.getSeverity() >= min.getSeverity(); }
        @Override public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            if (isLoggable(level)) records.add(new Rec(level, msg));
        }
        @Override public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            if (isLoggable(level)) records.add(new Rec(level, params == null || params.length == 0 ? format : MessageFormat.format(format, params)));
        }
        List<Rec> at(Level level) { return records.stream().filter(r -> r.level() == level).toList(); }
    }

    static TraceEvent.Drop drop(long t, DropReason kind, String reason) { return new TraceEvent.Drop(t, "tcp", kind, reason, "10.0.0.1:1>10.0.0.2:2"); }

    @Test void levelsByWhatHappened() {
        Recording log = new Recording(Level.TRACE);
        LogTracer t = LogTracer.of(log, "s1", 10);
        t.event(drop(1, DropReason.QUEUE_FULL, "SYN queue full"));
        t.event(drop(2, DropReason.CHECKSUM, "bad TCP checksum"));
        t.event(drop(3, DropReason.NO_LISTENER, "no listener"));
        t.event(new TraceEvent.StateChange<>(4, new FourTuple(null, 1, null, 2), TcpState.SYN_SENT, TcpState.ESTABLISHED, "rcv SYN,ACK"));
        t.event(new TraceEvent.Retransmit(5, new FourTuple(null, 1, null, 2), 100, 1460)); // counted, not logged
        assertEquals(List.of(
                new Rec(Level.WARNING, "s1: limit hit, drop (tcp, QUEUE_FULL): SYN queue full [10.0.0.1:1>10.0.0.2:2]"),
                new Rec(Level.INFO, "s1: drop (tcp, CHECKSUM): bad TCP checksum [10.0.0.1:1>10.0.0.2:2]"),
                new Rec(Level.DEBUG, "s1: drop (tcp, NO_LISTENER): no listener [10.0.0.1:1>10.0.0.2:2]"),
                new Rec(Level.TRACE, "s1: null:1>null:2 SYN-SENT -> ESTABLISHED (rcv SYN,ACK)")), log.records);
    }

    @Test void networkTextIsEscaped() {
        Recording log = new Recording(Level.TRACE);
        LogTracer.of(log, "s", 10).event(new TraceEvent.Note(0, "http", "GET /\u001b[2J\nINFO forged line"));
        assertEquals("s: http: GET /\\x1b[2J\\x0aINFO forged line", log.records.getFirst().message());
    }

    @Test void rateLimitedPerLevelPerSecondOfStackTime() {
        Recording log = new Recording(Level.INFO);
        LogTracer t = LogTracer.of(log, "s", 3);
        for (int i = 0; i < 50; i++) t.event(drop(Time.ms(10) * i, DropReason.CHECKSUM, "bad checksum " + i)); // 0.49 s
        t.event(drop(Time.ms(100), DropReason.QUEUE_FULL, "accept queue full")); // WARNING has its own budget
        assertEquals(3, log.at(Level.INFO).size());
        assertEquals(1, log.at(Level.WARNING).size());
        t.event(drop(Time.s(5), DropReason.CHECKSUM, "bad checksum again"));
        assertEquals("s: drop (tcp, CHECKSUM): bad checksum again [10.0.0.1:1>10.0.0.2:2] (47 more INFO records suppressed before)",
                log.at(Level.INFO).getLast().message());
    }

    @Test void enabledFollowsTheLogger() {
        assertFalse(LogTracer.of(new Recording(Level.ERROR), "s", 10).enabled(), "nothing it logs is loggable: the stack builds no events");
        assertTrue(LogTracer.of(new Recording(Level.WARNING), "s", 10).enabled());
    }

    @Test void aCorruptingLinkIsLoggedAsMalformedInputWithinTheRate() {
        Recording log = new Recording(Level.INFO);
        TwoHostNetwork net = TwoHostNetwork.builder().seed(3)
                .link(LinkConfig.builder().medium(Medium.ETHERNET).latencyNs(Time.ms(2)).build())
                .tracers(null, LogTracer.of(log, "server", 5)).build();
        net.clientFaults().setConfig(FaultConfig.builder().corrupt(0.05).build());
        BulkTransfer.Result r = BulkTransfer.run(net, 1_000_000, BulkTransfer.Direction.UP, 3, Time.s(60));
        assertTrue(r.ok(), r::toString);
        List<Rec> info = log.at(Level.INFO);
        assertFalse(info.isEmpty(), "corrupted frames were dropped and logged");
        info.forEach(rec -> assertTrue(rec.message().matches("server: drop \\(\\w+, (CHECKSUM|TRUNCATED|BAD_HEADER|BAD_OPTION)\\): .*"), rec.message()));
        long malformedDrops = net.serverLog().events().stream()
                .filter(e -> e instanceof TraceEvent.Drop d && LogTracer.level(d) == Level.INFO).count();
        long seconds = net.now() / Time.s(1) + 1;
        assertTrue(info.size() <= 5 * seconds, info.size() + " records in " + seconds + " s");
        assertTrue(info.size() <= malformedDrops, info.size() + " records, " + malformedDrops + " drops");
        assertTrue(log.at(Level.DEBUG).isEmpty(), "DEBUG is off on this logger");
    }
}
