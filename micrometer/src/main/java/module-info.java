/**
 * Micrometer metrics of a netstack4j stack: {@link org.netstack4j.micrometer.NetstackMetrics} is
 * a {@code MeterBinder} exposing the stack's counters and gauges with bounded tag cardinality.
 */
module org.netstack4j.micrometer {
    requires transitive org.netstack4j.core;
    requires transitive micrometer.core;

    exports org.netstack4j.micrometer;
}
