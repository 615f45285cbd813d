/**
 * The deterministic network simulator: stacks and simulated links driven in virtual time.
 * Time jumps straight to the next deadline, so idle hours cost nothing; the same seed gives
 * the same run, byte for byte and nanosecond for nanosecond. Nothing here may read a clock,
 * sleep, start a thread, or use an unseeded random source.
 */
package org.netstack4j.sim;
