/**
 * Congestion control (RFC 5681, RFC 6928, RFC 9438): one small interface and one short file per
 * algorithm, formulas as comments. Pure arithmetic on windows: no timers, no IO. Imports
 * nothing of tcp or tcp.recovery (loss recovery, which drives it, sits above it).
 */
package org.netstack4j.tcp.cc;
