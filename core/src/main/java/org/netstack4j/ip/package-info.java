/**
 * The IPv4 layer: interfaces, Ethernet framing, ARP (RFC 826), IPv4 input/output with
 * fragmentation and reassembly (RFC 791, RFC 815), ICMP (RFC 792) and UDP (RFC 768), one class
 * per protocol ({@code Ethernet}, {@code Arp}, {@code Ipv4}, {@code Icmp}, {@code Udp}) behind
 * {@link org.netstack4j.ip.IpStack}. Transports get an {@link org.netstack4j.wire.IpMeta} per
 * packet and name addresses as {@link org.netstack4j.wire.IpAddress}; this package never
 * imports {@code tcp} (nor tcp this one: {@code host} joins them).
 * Sans-IO and single-threaded like the rest of the core: time comes in as {@code now},
 * timers are deadlines reported through {@code pollAt()}. It must never throw on bytes
 * from the network (bad input is dropped, counted and traced), and every queue and cache
 * here has a documented bound.
 */
package org.netstack4j.ip;
