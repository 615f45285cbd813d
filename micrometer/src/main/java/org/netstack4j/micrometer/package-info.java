/**
 * Micrometer metrics of a netstack4j stack ({@link org.netstack4j.micrometer.NetstackMetrics}):
 * its counters and gauges, with bounded tags. Reads the stack; never changes it.
 */
package org.netstack4j.micrometer;
