/**
 * Wire formats: a parsed record per protocol ({@code EthernetRepr}, {@code ArpRepr},
 * {@code Ipv4Repr}, {@code IcmpRepr}, {@code UdpRepr}, {@code TcpRepr}, {@code Ipv6Repr},
 * {@code Ipv6ExtensionHeader}, {@code Icmpv6Repr} with {@code NdOption}) with parse, emit and
 * headerLength; thin zero-copy views ({@code Ipv4HeaderView}, {@code Ipv6HeaderView},
 * {@code TcpHeaderView}, {@code UdpHeaderView}); {@code Ipv6Chain}, the RFC 8200 4 walk of a
 * received IPv6 packet's extension headers into a verdict for the IP layer; the Internet
 * checksum; and a {@code Dissector} that lists every field of a frame for people.
 *
 * <p>Must never: throw on untrusted bytes (parsers return
 * {@link org.netstack4j.wire.Parsed.Malformed} with the reason and offset); keep state; do IO.
 * Constructing a record with out-of-range values is a programmer error and throws
 * IllegalArgumentException.
 */
package org.netstack4j.wire;
