package org.netstack4j.trace;

/** What happened to a timer ({@link TraceEvent.Timer}); {@link #toString()} is the lower-case word traces show. */
public enum TimerAction {
    SET("set"), CANCEL("cancel"), FIRED("fired");

    private final String word;

    TimerAction(String word) { this.word = word; }

    @Override public String toString() { return word; }
}
