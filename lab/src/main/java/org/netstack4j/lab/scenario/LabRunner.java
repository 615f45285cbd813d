package org.netstack4j.lab.scenario;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.netstack4j.lab.LabEvent;
import org.netstack4j.lab.LabRun;
import org.netstack4j.lab.Narration;
import org.netstack4j.lab.TraceConverter;
import org.netstack4j.wire.TcpRepr;

/**
 * Runs a scenario and turns both hosts' traces, plus the story's notes, into one annotated
 * {@link LabRun} whose segments carry the frames the link carried.
 */
public final class LabRunner {
    private LabRunner() {}

    public static LabRun run(Scenario scenario, ScenarioOptions options) {
        return toLabRun(scenario.run(options));
    }

    public static LabRun toLabRun(Scenario.Result result) {
        LabRun plain = TraceConverter.convert(result.scenario(), TraceConverter.CLIENT, result.client(),
                TraceConverter.SERVER, result.server(), false);
        // Frames go on before the explanations, which point at the segment objects they explain.
        LabRun converted = Narration.annotate(withFrames(plain, result.frames()));
        List<LabEvent> events = new ArrayList<>(converted.events());
        for (Scenario.Note n : result.notes())
            events.add(new LabEvent.Explanation(n.time(), n.host(), "story", n.en(), n.zh(), null));
        // Stable sort: a story's note follows the stack events of the same instant.
        events.sort(Comparator.comparingLong(LabEvent::timeNs));
        return new LabRun(converted.scenario(), converted.hosts(), events);
    }

    /**
     * Gives each segment of run (which has no explanations yet) the frame that carried it: the
     * first unused frame its sender sent at its send time with the same header and length; for a
     * copy the network delivered without a send, the frame its receiver took at that time; else
     * the latest earlier frame of the sender that matches (the network's copy of it).
     */
    static LabRun withFrames(LabRun run, List<Scenario.Frame> frames) {
        if (frames.isEmpty()) return run;
        List<Frames.Tcp> parsed = new ArrayList<>(frames.size());
        for (Scenario.Frame f : frames) parsed.add(Frames.tcp(f.bytes()));
        boolean[] used = new boolean[frames.size()];
        List<LabEvent> out = new ArrayList<>(run.events().size());
        for (LabEvent e : run.events()) {
            if (!(e instanceof LabEvent.Segment s)) {
                out.add(e);
                continue;
            }
            int found = -1;
            for (int i = 0; i < frames.size() && found < 0; i++) {
                Scenario.Frame f = frames.get(i);
                if (!used[i] && f.timeNs() == s.timeNs() && f.sent() && f.host().equals(s.from()) && same(parsed.get(i), s)) found = i;
            }
            for (int i = 0; i < frames.size() && found < 0; i++) {
                Scenario.Frame f = frames.get(i);
                if (!used[i] && f.timeNs() == s.timeNs() && !f.sent() && f.host().equals(s.to()) && same(parsed.get(i), s)) found = i;
            }
            for (int i = frames.size() - 1; i >= 0 && found < 0; i--) {
                Scenario.Frame f = frames.get(i);
                if (f.timeNs() <= s.timeNs() && f.sent() && f.host().equals(s.from()) && same(parsed.get(i), s)) found = i;
            }
            if (found >= 0) {
                used[found] = true;
                out.add(s.withFrame(frames.get(found).bytes()));
            } else {
                out.add(s);
            }
        }
        return new LabRun(run.scenario(), run.hosts(), out);
    }

    private static boolean same(Frames.Tcp t, LabEvent.Segment s) {
        if (t == null || t.payloadLength() != s.len() || Integer.toUnsignedLong(t.tcp().seq()) != s.seq()) return false;
        if (!LabEvent.flagNames(t.tcp().flags()).equals(s.flags())) return false;
        if (s.ack() != null && Integer.toUnsignedLong(t.tcp().ack()) != s.ack()) return false;
        TcpRepr h = s.tcp();
        return h == null || h.srcPort() == t.tcp().srcPort() && h.dstPort() == t.tcp().dstPort() && h.window() == t.tcp().window();
    }
}
