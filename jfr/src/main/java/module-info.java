/**
 * JDK Flight Recorder events from a netstack4j stack: {@link org.netstack4j.jfr.NetstackJfr#tracer}
 * is a {@link org.netstack4j.trace.Tracer} that turns the core's typed trace events into JFR
 * events. A module of its own so the core keeps depending on {@code java.base} alone (Android
 * has no {@code jdk.jfr}).
 */
module org.netstack4j.jfr {
    requires transitive org.netstack4j.core;
    requires jdk.jfr;

    exports org.netstack4j.jfr;
}
