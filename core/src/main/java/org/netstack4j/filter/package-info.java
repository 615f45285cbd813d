/**
 * Packet filtering as data: the hooks the IP layer calls ({@link org.netstack4j.filter.Netfilter}),
 * connection tracking ({@link org.netstack4j.filter.ConnTrack}), firewall
 * rules and their text format ({@link org.netstack4j.filter.RuleSet}, {@link org.netstack4j.filter.Firewall}),
 * and network address translation ({@link org.netstack4j.filter.Nat}, {@link org.netstack4j.filter.NatRewrite}).
 *
 * <p>The IP layer consults these at fixed points, netfilter's hooks kept small. In order, for a
 * datagram it forwards: pre-routing {@code nat.inbound} (destination NAT, un-masquerading of
 * replies, hairpinning), then {@code conntrack.track} and the {@code forward} (or {@code input})
 * chain of the firewall, then {@code conntrack.confirm} for an accepted NEW flow, then post-routing
 * {@code nat.outbound} (source NAT / masquerade, replies of port forwards). So the tracker and the
 * rules always see the inside addresses. Everything runs on whole datagrams: fragments are
 * reassembled first, as Linux's nf_defrag does before conntrack.
 *
 * <p>Must never: do IO, read a clock (time comes in as {@code now}, expiry through
 * {@code pollAt()/poll(now)}), throw on untrusted bytes (bad input is a value and a counter), or
 * import {@code tcp}, {@code ip}, {@code socket} or {@code runtime}: it may use {@code wire},
 * {@code trace} and {@code time} only, so the IP layer can call it from any hook.
 */
package org.netstack4j.filter;
