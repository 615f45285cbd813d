/**
 * The TCP engine (RFC 9293): a sans-IO state machine per connection plus a demultiplexing
 * {@link org.netstack4j.tcp.TcpLayer}. A connection is its control block and RFC 9293 3.10
 * events ({@link org.netstack4j.tcp.TcpConnection}), a sender and a receiver, and a loss
 * recovery from {@code tcp.recovery} over a congestion control from {@code tcp.cc}; it sees
 * the layer only through {@code ConnectionContext}. Packages below this one never import it.
 * Time comes in as {@code long now} (ns), segments leave through
 * {@link org.netstack4j.tcp.TcpOutput}, timers are deadlines reported by pollAt().
 * Built for many connections (DESIGN.md 10): the layer keeps connections with an armed timer in
 * a min-heap by deadline (pollAt O(1), poll touches only due ones) and demultiplexes through a
 * keyed open-addressing table; an idle ESTABLISHED connection holds no buffers, assembler or
 * congestion state (about 400 heap bytes, see IdleFootprint in the tests).
 * Must never read a clock, sleep, start a thread, do IO, or compare sequence numbers
 * outside {@link org.netstack4j.tcp.seqnum.Seq}.
 */
package org.netstack4j.tcp;
