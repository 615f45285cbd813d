package org.netstack4j.tcp;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.netstack4j.time.Time;

/** TcpConfig's groups: every knob has its one-line copy method, and the profiles are the data they were. */
class TcpConfigTest {

    /** The knobs of a config, group.knob to value, Hardening as one value. */
    private static Map<String, Object> knobs(TcpConfig c) throws Exception {
        Map<String, Object> m = new TreeMap<>();
        for (RecordComponent g : TcpConfig.class.getRecordComponents()) {
            Object group = g.getAccessor().invoke(c);
            if (group instanceof Hardening) { m.put(g.getName(), group); continue; }
            for (RecordComponent k : group.getClass().getRecordComponents())
                m.put(g.getName() + "." + k.getName(), k.getAccessor().invoke(group));
        }
        return m;
    }

    private static Object other(Object v) {
        return switch (v) {
            case Boolean b -> !b;
            case Integer i -> i + 1;
            case Long l -> l + 1;
            case Enum<?> e -> e.getDeclaringClass().getEnumConstants()[(e.ordinal() + 1) % e.getDeclaringClass().getEnumConstants().length];
            case OptionLayout l -> l.equals(OptionLayout.linuxLike()) ? OptionLayout.freebsdLike() : OptionLayout.linuxLike();
            default -> throw new AssertionError("no other value for " + v.getClass());
        };
    }

    @Test void everyKnobHasAWitherThatChangesItAlone() throws Exception {
        TcpConfig d = TcpConfig.defaults();
        int knobs = 0;
        for (RecordComponent g : TcpConfig.class.getRecordComponents()) {
            Record group = (Record) g.getAccessor().invoke(d);
            if (group instanceof Hardening) continue;
            for (RecordComponent k : group.getClass().getRecordComponents()) {
                String name = k.getName();
                Method w = group.getClass().getMethod("with" + Character.toUpperCase(name.charAt(0)) + name.substring(1), k.getType());
                Object v = other(k.getAccessor().invoke(group));
                Record changed = (Record) w.invoke(group, v);
                for (RecordComponent o : group.getClass().getRecordComponents())
                    assertEquals(o.getName().equals(name) ? v : o.getAccessor().invoke(group), o.getAccessor().invoke(changed), g.getName() + "." + name + " -> " + o.getName());
                knobs++;
            }
        }
        assertEquals(77, knobs);
    }

    @Test void theProfilesDifferFromTheDefaultsInTheirKnobsOnly() throws Exception {
        Map<String, Object> d = knobs(TcpConfig.defaults());
        assertEquals(1460, d.get("options.mss"));
        assertEquals(Time.ms(200), d.get("timers.minRtoNs"));
        assertEquals(true, d.get("acks.coalesceAcks"));
        Map<String, Object> linux = new TreeMap<>(Map.ofEntries(
                Map.entry("acks.quickAcks", 16), Map.entry("acks.coalesceAcks", false),
                Map.entry("quirks.resetHalfOpenOnListenerClose", false), Map.entry("quirks.ackUnsentAck", false),
                Map.entry("quirks.abortRstWithAck", true), Map.entry("quirks.linuxSendBuffer", true),
                Map.entry("quirks.pmtuDiscovery", (Object) org.netstack4j.path.PmtuDiscovery.WANT),
                Map.entry("sending.zeroWindowProbeData", false),
                Map.entry("sending.nagleMinshall", true), Map.entry("recovery.slowStartAbcLimit", 0),
                Map.entry("recovery.cwndValidation", true), Map.entry("recovery.slowStartAfterIdle", true),
                Map.entry("timers.minRtoOnVariance", true), Map.entry("recovery.tailLossProbe", true),
                Map.entry("recovery.congestionControl", TcpConfig.CongestionControlKind.CUBIC),
                Map.entry("recovery.proportionalRateReduction", true), Map.entry("recovery.dsackUndo", true),
                Map.entry("recovery.rack", true), Map.entry("timers.synLinearTimeouts", 4),
                Map.entry("buffers.maxReceiveBufferSize", 6 << 20), Map.entry("buffers.acceptWholeSegment", true),
                Map.entry("buffers.growWindow", true)));
        assertEquals(linux, diff(d, knobs(TcpConfig.linuxLike())));
        Map<String, Object> freebsd = new TreeMap<>(Map.ofEntries(
                Map.entry("options.optionLayout", OptionLayout.freebsdLike()), Map.entry("options.windowScaleShift", 6),
                Map.entry("buffers.receiveWindowPolicy", TcpConfig.ReceiveWindowPolicy.FREE_SPACE),
                Map.entry("acks.delayedAckAnySize", true), Map.entry("quirks.repeatFinOnAck", true),
                Map.entry("quirks.rstInTimeWait", false), Map.entry("quirks.resetSynAckInListen", false),
                Map.entry("quirks.resetHalfOpenOnListenerClose", false), Map.entry("quirks.abortRstWithAck", true),
                Map.entry("quirks.timeWaitIgnoresNonAck", true), Map.entry("quirks.icmpProhibitedIsHard", true),
                Map.entry("recovery.slowStartAbcLimit", 2), Map.entry("acks.coalesceAcks", false)));
        assertEquals(freebsd, diff(d, knobs(TcpConfig.freebsdLike())));
    }

    private static Map<String, Object> diff(Map<String, Object> base, Map<String, Object> c) {
        Map<String, Object> m = new TreeMap<>();
        c.forEach((k, v) -> { if (!v.equals(base.get(k))) m.put(k, v); });
        return m;
    }

    @Test void validationAndTheReceiveBufferClampStay() {
        TcpConfig d = TcpConfig.defaults();
        assertThrows(IllegalArgumentException.class, () -> d.withOptions(o -> o.withMss(70_000)));
        assertThrows(IllegalArgumentException.class, () -> d.withTimers(t -> t.withMinRtoNs(Time.s(500))));
        assertThrows(IllegalArgumentException.class, () -> d.withBuffers(b -> b.withReceiveBufferSize(1000)));
        assertThrows(IllegalArgumentException.class, () -> d.withLimits(l -> l.withEphemeralPortMin(0)));
        assertThrows(IllegalArgumentException.class, () -> d.withRecovery(r -> r.withEarlyRetransmit(3)));
        assertEquals(65535, d.withOptions(o -> o.withWindowScale(false)).buffers().receiveBufferSize());
        // several knobs of one group change together, validated once
        assertEquals(Time.s(500), d.withTimers(t -> t.withMaxRtoNs(Time.s(600)).withMinRtoNs(Time.s(500))).timers().minRtoNs());
    }
}
