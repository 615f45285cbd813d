/**
 * JDK Flight Recorder events from a netstack4j stack ({@link org.netstack4j.jfr.NetstackJfr}).
 * Reads the core's trace events and nothing else; never changes what the stack does.
 */
package org.netstack4j.jfr;
