/**
 * The TCP engine (RFC 9293): a sans-IO state machine per connection plus a demultiplexing
 * {@link org.netstack4j.tcp.TcpLayer}. Time comes in as {@code long now} (ns), segments leave
 * through {@link org.netstack4j.tcp.TcpOutput}, timers are deadlines reported by pollAt().
 * Must never read a clock, sleep, start a thread, do IO, or compare sequence numbers
 * outside {@link org.netstack4j.tcp.Seq}.
 */
package org.netstack4j.tcp;
