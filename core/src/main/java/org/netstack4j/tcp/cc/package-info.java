/**
 * Congestion control (RFC 5681, RFC 6582, RFC 3042, RFC 6928): one small interface and one
 * short file per algorithm, formulas as comments. Pure arithmetic on windows: no timers, no IO.
 */
package org.netstack4j.tcp.cc;
