/**
 * Netty on netstack4j. The Netty event loop is the stack's own {@link org.netstack4j.runtime.EventLoop}:
 * channel work runs while holding that loop, so handlers, promises and the TCP layer share one
 * thread of control and channel operations call the TCP layer directly (no locks, no handoff).
 * Stack callbacks never run pipeline code re-entrantly: they queue a task on the loop.
 */
package org.netstack4j.netty;
