/**
 * A host: one complete stack (IP layer with its interfaces, TCP on top) behind a single
 * {@link org.netstack4j.time.Pollable}, so the simulator, the real-time runtime and the lab
 * drive it the same way. Sans-IO like the layers it joins: it never reads a clock.
 */
package org.netstack4j.host;
