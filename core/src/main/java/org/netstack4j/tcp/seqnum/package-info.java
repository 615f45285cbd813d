/**
 * Sequence numbers (RFC 9293 3.4): modulo-2^32 arithmetic ({@link org.netstack4j.tcp.seqnum.Seq})
 * and sets of sequence ranges ({@link org.netstack4j.tcp.seqnum.Assembler}: the receiver's
 * out-of-order ranges, the sender's SACK scoreboard). The leaf that {@code tcp},
 * {@code tcp.recovery} and {@code tcp.cc} share (gVisor's seqnum); imports nothing of theirs.
 */
package org.netstack4j.tcp.seqnum;
