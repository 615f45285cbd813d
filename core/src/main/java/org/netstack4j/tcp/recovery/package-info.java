/**
 * Loss recovery (RFC 5681 3.2, RFC 6582, RFC 6675, RFC 6937, RFC 2883, RFC 5827, RFC 8985 7)
 * behind one interface, {@link org.netstack4j.tcp.recovery.LossRecovery}: how a sender counts
 * duplicate ACKs, keeps the SACK scoreboard, decides what is lost and what to resend, and sizes
 * the window while it recovers. It drives {@code tcp.cc} and acts through
 * {@link org.netstack4j.tcp.recovery.RecoverySender}; it imports nothing of {@code tcp} (which
 * sits above it). Sans-IO: timers are deadlines the connection keeps.
 */
package org.netstack4j.tcp.recovery;
