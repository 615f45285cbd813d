/**
 * What the stack has learnt about the paths to destinations, shared by the IP layer and the
 * transports (Linux keeps it as route exceptions): the per-destination path MTU cache. Both
 * {@code ip} and {@code tcp} may import this package; it imports neither (only {@code wire},
 * {@code time} and {@code trace}). Sans-IO like the rest of the core: time comes in as
 * {@code now}; every table here has a documented bound.
 */
package org.netstack4j.path;
