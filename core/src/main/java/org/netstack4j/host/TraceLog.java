package org.netstack4j.host;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.netstack4j.trace.TraceEvent;
import org.netstack4j.trace.Tracer;

/** A tracer that keeps every event in order, bounded so a runaway run cannot eat the heap. */
public final class TraceLog implements Tracer {
    private final List<TraceEvent> events = new ArrayList<>();
    private final int limit;
    private long dropped;

    public TraceLog() { this(1_000_000); }

    public TraceLog(int limit) { this.limit = limit; }

    @Override public void event(TraceEvent e) {
        if (events.size() < limit) events.add(e); else dropped++;
    }

    public List<TraceEvent> events() { return Collections.unmodifiableList(events); }

    /** Events not kept because the limit was reached. */
    public long dropped() { return dropped; }
}
