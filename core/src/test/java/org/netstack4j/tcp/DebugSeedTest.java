package org.netstack4j.tcp;

import java.util.ArrayDeque;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.netstack4j.time.Time;
import org.netstack4j.trace.TraceEvent;

class DebugSeedTest {
    @Test void debug() {
        long seed = Long.getLong("dseed", 24);
        ArrayDeque<String> last = new ArrayDeque<>();
        TcpTwoLayerTest.debugTracer = e -> {
            String s = switch (e) {
                case TraceEvent.Segment g -> String.format("%d %s %s %s seq %s ack %s win %d len %d %s", e.time() / 1000000, g.in() ? "IN " : "OUT", g.connection(),
                        TcpLayer.flags(g.tcp().flags()), Seq.str(g.tcp().seq()), Seq.str(g.tcp().ack()), g.tcp().window(), g.payloadLength(), g.tcp().options());
                default -> e.time() / 1000000 + " " + e;
            };
            last.add(s);
            if (last.size() > 400) last.removeFirst();
        };
        SplittableRandom r = new SplittableRandom(seed * 1_000_003);
        TcpTwoLayerTest.Faults f = new TcpTwoLayerTest.Faults(r.nextDouble(0, 0.05), r.nextDouble(0, 0.03), r.nextDouble(0, 0.2),
                Time.ms(1 + r.nextInt(30)), Time.ms(1 + r.nextInt(20)));
        TcpConfig cfg = TcpConfig.defaults();
        if (seed % 4 == 1) cfg = cfg.toBuilder().timestamps(false).build();
        if (seed % 4 == 2) cfg = cfg.toBuilder().sack(false).windowScale(false).build();
        if (seed % 5 == 3) cfg = cfg.toBuilder().noDelay(true).delayedAckNs(0).build();
        try {
            TcpTwoLayerTest.run(seed, 1 << 20, f, cfg, Time.s(3600));
        } catch (Throwable t) {
            System.out.println("FAILED " + t.getMessage());
        }
        TcpTwoLayerTest.debugTracer = org.netstack4j.trace.Tracer.NONE;
        last.forEach(System.out::println);
    }
}
