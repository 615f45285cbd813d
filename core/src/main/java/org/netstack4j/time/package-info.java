/**
 * Time as data: nanosecond {@code long}s passed in by a runtime, never read from a clock
 * here. {@link org.netstack4j.time.Pollable} is how the core asks for attention.
 */
package org.netstack4j.time;
