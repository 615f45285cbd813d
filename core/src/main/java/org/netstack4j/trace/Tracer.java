package org.netstack4j.trace;

/** Receives trace events. Must be cheap when nobody listens: check {@link #enabled()}. */
@FunctionalInterface
public interface Tracer {
    Tracer NONE = new Tracer() {
        @Override public void event(TraceEvent e) {}
        @Override public boolean enabled() { return false; }
    };

    void event(TraceEvent e);

    default boolean enabled() { return true; }
}
