/**
 * The real-time runtime: one event-loop thread that drives a sans-IO stack with the system's
 * monotonic clock, reader threads for devices that can only be read by blocking (TUN), and
 * {@link org.netstack4j.runtime.Signal}, the one way other threads wait for the loop.
 * This is the only package in {@code core} that may read the system clock, park or start a
 * thread. It must never contain protocol logic: the stack it drives decides everything.
 */
package org.netstack4j.runtime;
