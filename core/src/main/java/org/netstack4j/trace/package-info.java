/** Observability: trace events, tracers and counters. Nothing here changes protocol behaviour. */
package org.netstack4j.trace;
