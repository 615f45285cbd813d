package org.netstack4j.device;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.netstack4j.trace.RelayAction;
import org.netstack4j.trace.TraceEvent;
import org.netstack4j.time.Time;
import org.netstack4j.wire.MacAddress;

/** The hub's and bridge's Relay trace events: one per frame and per table change, with the ports. */
class BridgeTraceTest {
    static final MacAddress A = new MacAddress(0x02_00_00_00_00_01L), B = new MacAddress(0x02_00_00_00_00_02L);

    /** A port whose far end is a test: frames the device sends out are counted; inject() sends one in. */
    static final class Port implements Device {
        FrameSink sink = FrameSink.DISCARD;
        int out;
        @Override public Medium medium() { return Medium.ETHERNET; }
        @Override public int mtu() { return 1500; }
        @Override public void transmit(long now, byte[] frame) { out++; }
        @Override public void attach(FrameSink s) { sink = s; }
        void inject(long now, MacAddress dst, MacAddress src) {
            byte[] f = new byte[60];
            dst.write(f, 0);
            src.write(f, 6);
            sink.receive(now, f);
        }
    }

    static List<String> actions(List<TraceEvent> ev) {
        List<String> out = new ArrayList<>();
        for (TraceEvent e : ev) {
            TraceEvent.Relay r = (TraceEvent.Relay) e;
            out.add(r.action() + " " + r.inPort() + (r.outPorts().isEmpty() ? "" : "->" + r.outPorts()));
        }
        return out;
    }

    @Test void bridgeReportsLearningFloodingForwardingFilteringAndAgeing() {
        List<TraceEvent> ev = new ArrayList<>();
        Bridge br = new Bridge("sw0", Bridge.Config.DEFAULT, ev::add);
        Port[] p = {new Port(), new Port(), new Port()};
        for (Port x : p) br.addPort(x);
        p[0].inject(0, B, A);                 // A unknown: learned; B unknown: flooded
        p[1].inject(1, A, B);                 // B learned; A known: forwarded to port 0
        p[0].inject(2, A, A);                 // A to itself, same port: filtered
        assertEquals(List.of("LEARNED 0", "FLOODED 0->[1, 2]", "LEARNED 1", "FORWARDED 1->[0]", "FILTERED 0"),
                actions(ev));
        ev.clear();
        br.poll(Time.s(301));
        assertEquals(2, ev.size());
        assertEquals(RelayAction.AGED, ((TraceEvent.Relay) ev.get(0)).action());
        assertEquals("Relay[time=1, sw0 FORWARDED 02:00:00:00:00:02 > 02:00:00:00:00:01 (60 bytes) from port 1 to ports [0]]",
                new TraceEvent.Relay(1, "sw0", RelayAction.FORWARDED, 1, List.of(0), B, A, 60).toString());
    }

    @Test void hubReportsEveryRepeat() {
        List<TraceEvent> ev = new ArrayList<>();
        Hub hub = new Hub("hub0", ev::add);
        Port[] p = {new Port(), new Port(), new Port()};
        for (Port x : p) hub.addPort(x);
        p[2].inject(0, A, B);
        assertEquals(List.of("REPEATED 2->[0, 1]"), actions(ev));
        assertEquals(1, p[0].out);
        assertEquals(1, p[1].out);
    }
}
