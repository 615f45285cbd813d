package org.netstack4j.jfr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.netstack4j.device.Medium;
import org.netstack4j.host.BulkTransfer;
import org.netstack4j.host.TwoHostNetwork;
import org.netstack4j.sim.LinkConfig;
import org.netstack4j.time.Time;
import org.netstack4j.trace.Tracer;

/** A JFR recording of a lossy simulated transfer, read back with RecordingFile. */
class JfrRecordingTest {
    static final String[] NAMES = {"netstack4j.Connect", "netstack4j.Accept", "netstack4j.Close", "netstack4j.StateChange",
            "netstack4j.Retransmission", "netstack4j.RetransmissionTimeout", "netstack4j.Drop"};

    @TempDir Path dir;

    record Run(TwoHostNetwork net, BulkTransfer.Result result, List<RecordedEvent> events) {
        long count(String name, String stack) {
            return events.stream().filter(e -> e.getEventType().getName().equals(name) && stack.equals(e.getString("stack"))).count();
        }
    }

    Run lossyTransfer(Recording r, long seed) throws Exception {
        LinkConfig link = LinkConfig.builder().medium(Medium.ETHERNET).latencyNs(Time.ms(5)).loss(0.03).build();
        TwoHostNetwork net = TwoHostNetwork.builder().seed(seed).link(link)
                .tracers(NetstackJfr.tracer("client"), NetstackJfr.tracer("server")).build();
        r.start();
        BulkTransfer.Result result = BulkTransfer.run(net, 2_000_000, BulkTransfer.Direction.UP, seed, Time.s(120));
        r.stop();
        Path file = dir.resolve("run-" + seed + ".jfr");
        r.dump(file);
        assertTrue(Files.size(file) > 0);
        return new Run(net, result, RecordingFile.readAllEvents(file));
    }

    @Test void retransmissionEventsMatchTheStacksCounters() throws Exception {
        try (Recording r = new Recording()) {
            for (String name : NAMES) r.enable(name).with("throttle", "off");
            Run run = lossyTransfer(r, 7);
            assertTrue(run.result().ok(), () -> "transfer " + run.result());
            long clientRtx = run.net().client().counters().get("tcp.retransmits");
            long serverRtx = run.net().server().counters().get("tcp.retransmits");
            assertTrue(clientRtx > 10, "the 3% lossy link made the sender retransmit: " + clientRtx);
            assertEquals(clientRtx, run.count("netstack4j.Retransmission", "client"));
            assertEquals(serverRtx, run.count("netstack4j.Retransmission", "server"));
            assertEquals(run.net().client().counters().get("tcp.timeouts"), run.count("netstack4j.RetransmissionTimeout", "client"));

            assertEquals(1, run.count("netstack4j.Connect", "client"));
            assertEquals(0, run.count("netstack4j.Accept", "client"));
            assertEquals(1, run.count("netstack4j.Accept", "server"));
            RecordedEvent connect = run.events().stream().filter(e -> e.getEventType().getName().equals("netstack4j.Connect")).findFirst().orElseThrow();
            assertTrue(connect.getString("connection").matches("10\\.0\\.0\\.1:\\d+>10\\.0\\.0\\.2:5001"), connect.getString("connection"));
            assertTrue(run.count("netstack4j.StateChange", "client") >= 4, "SYN-SENT, ESTABLISHED, FIN-WAIT-1, FIN-WAIT-2, ...");
            // the link's losses are traced by the simulator, not the hosts; the hosts drop little
            Map<String, Long> drops = run.events().stream().filter(e -> e.getEventType().getName().equals("netstack4j.Drop"))
                    .collect(Collectors.groupingBy(e -> e.getString("kind"), Collectors.counting()));
            drops.keySet().forEach(kind -> assertTrue(kind.matches("[A-Z_]+"), kind));
            RecordedEvent rtx = run.events().stream().filter(e -> e.getEventType().getName().equals("netstack4j.Retransmission")).findFirst().orElseThrow();
            assertTrue(rtx.getLong("length") > 0);
            assertTrue(rtx.getLong("stackTime") > 0, "the stack's virtual clock");
        }
    }

    @Test void throttled() throws Exception {
        try (Recording r = new Recording()) {
            r.enable("netstack4j.Retransmission").with("throttle", "1/m");
            Run run = lossyTransfer(r, 7);
            long counted = run.net().client().counters().get("tcp.retransmits");
            long recorded = run.count("netstack4j.Retransmission", "client");
            assertTrue(recorded >= 1 && recorded < counted, recorded + " recorded of " + counted);
        }
        try (Recording r = new Recording()) {
            r.enable("netstack4j.Retransmission").with("throttle", "0/s");
            Run run = lossyTransfer(r, 8);
            assertTrue(run.net().client().counters().get("tcp.retransmits") > 0);
            assertEquals(0, run.count("netstack4j.Retransmission", "client"));
        }
        jdk.jfr.EventType type = jdk.jfr.FlightRecorder.getFlightRecorder().getEventTypes().stream()
                .filter(t -> t.getName().equals("netstack4j.Retransmission")).findFirst().orElseThrow();
        assertEquals("100/s", type.getSettingDescriptors().stream().filter(d -> d.getName().equals("throttle"))
                .findFirst().orElseThrow().getDefaultValue(), "throttled by default");
    }

    @Test void noTraceEventsAreBuiltWithoutARecordingThatWantsThem() {
        Tracer t = NetstackJfr.tracer("s");
        assertFalse(t.enabled(), "no recording: the stack allocates no trace event");
        try (Recording r = new Recording()) {
            r.enable("jdk.CPULoad");
            for (String name : NAMES) r.disable(name);
            r.start();
            assertFalse(t.enabled(), "a recording with the netstack4j events off");
            r.stop();
        }
        try (Recording r = new Recording()) {
            r.enable("netstack4j.Drop");
            assertFalse(t.enabled(), "not started yet");
            r.start();
            assertTrue(t.enabled());
            assertTrue(NetstackJfr.recording());
            r.stop();
        }
        assertFalse(t.enabled());
        Tracer next = NetstackJfr.tracer("s", e -> { });
        assertTrue(next.enabled(), "an enabled next tracer keeps events coming");
    }
}
