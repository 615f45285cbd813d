package org.netstack4j.lab.scenario;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.netstack4j.lab.LabEvent;
import org.netstack4j.lab.LabRun;
import org.netstack4j.lab.Narration;
import org.netstack4j.lab.TraceConverter;

/** Runs a scenario and turns both hosts' traces, plus the story's notes, into one annotated {@link LabRun}. */
public final class LabRunner {
    private LabRunner() {}

    public static LabRun run(Scenario scenario, ScenarioOptions options) {
        return toLabRun(scenario.run(options));
    }

    public static LabRun toLabRun(Scenario.Result result) {
        LabRun converted = Narration.annotate(TraceConverter.convert(result.scenario(), result.client(), result.server()));
        List<LabEvent> events = new ArrayList<>(converted.events());
        for (Scenario.Note n : result.notes())
            events.add(new LabEvent.Explanation(n.time(), n.host(), "story", n.en(), n.zh(), null));
        // Stable sort: a story's note follows the stack events of the same instant.
        events.sort(Comparator.comparingLong(LabEvent::timeNs));
        return new LabRun(converted.scenario(), converted.hosts(), events);
    }
}
