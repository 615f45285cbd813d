/**
 * Linux TUN/TAP devices through java.lang.foreign (no JNI, nothing native to build), an eventfd
 * wakeup for real-time loops, and {@code ip}/netns helpers for tests and the CLI.
 * This package may touch file descriptors and run commands, but never starts threads or reads a
 * clock: time still comes in as a parameter, and the runtime decides when to wait and read.
 */
package org.netstack4j.linux;
