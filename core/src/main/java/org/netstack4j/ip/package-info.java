/**
 * The IPv4 layer: interfaces, Ethernet framing, ARP (RFC 826), IPv4 input/output with
 * fragmentation and reassembly (RFC 791, RFC 815), ICMP (RFC 792) and UDP (RFC 768).
 * Sans-IO and single-threaded like the rest of the core: time comes in as {@code now},
 * timers are deadlines reported through {@code pollAt()}. It must never throw on bytes
 * from the network (bad input is dropped, counted and traced), and every queue and cache
 * here has a documented bound.
 */
package org.netstack4j.ip;
