/**
 * Observability: trace events, tracers and counters. Nothing here changes protocol behaviour.
 *
 * <p>Events are typed ({@link org.netstack4j.trace.TraceEvent}): connections are
 * {@link org.netstack4j.trace.FourTuple}s, drops carry a {@link org.netstack4j.trace.DropReason},
 * timers a {@link org.netstack4j.trace.TimerAction}. This package sits below the protocols: it
 * imports only {@code wire} (addresses, {@code TcpRepr}, {@code MalformedKind}), and {@code tcp}
 * imports it. So the TCP state and timer enums cannot be named here without a package cycle
 * (trace -&gt; tcp -&gt; trace); {@code StateChange} and {@code Timer} are generic over the protocol's
 * enum instead ({@code StateChange<TcpState>}, {@code Timer<TcpTimer>}). A consumer gets the
 * constant itself (compare with {@code ==}, switch on it after a type test) and, without knowing
 * the protocol, its {@code name()} and the {@code toString()} people read. Moving {@code TcpState}
 * below both packages would have renamed a public type used across every module for the sake of
 * one record; the type parameter costs nothing at the emitting side.
 */
package org.netstack4j.trace;
