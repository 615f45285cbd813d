package org.netstack4j.ip;

import java.util.List;
import org.netstack4j.ip.Ipv6AddressState.State;
import org.netstack4j.time.Time;
import org.netstack4j.trace.DropReason;
import org.netstack4j.wire.EthernetRepr;
import org.netstack4j.wire.Icmpv6Repr;
import org.netstack4j.wire.Ipv6Address;
import org.netstack4j.wire.Ipv6Repr;
import org.netstack4j.wire.MacAddress;
import org.netstack4j.wire.NdOption;

/**
 * Neighbor Discovery for a host (RFC 4861) and stateless address autoconfiguration (RFC 4862):
 * address resolution with a {@link NeighborCache6} per Ethernet interface (solicitations to
 * the solicited-node group, packets held while INCOMPLETE, NUD's DELAY and PROBE), answers to
 * solicitations for our addresses (S and O flags), duplicate address detection (a tentative
 * address, an NS from ::, and a conflict makes the address DUPLICATE, never used), and router
 * advertisements: SLAAC addresses from prefixes with the A flag, the default route, the MTU.
 */
final class Ndp {
    /** RFC 4862 5.1 DupAddrDetectTransmits default. */
    static final int DEFAULT_DAD_TRANSMITS = 1;
    /** RFC 4861 10: host constants for router solicitation. */
    static final long MAX_RTR_SOLICITATION_DELAY_NS = Time.s(1);
    static final long RTR_SOLICITATION_INTERVAL_NS = Time.s(4);
    static final int MAX_RTR_SOLICITATIONS = 3;

    private final IpStack stack;
    private final Ipv6Counters c;
    private final IpTrace trace;
    private final long secret;
    private Ipv6 ipv6;
    private Icmpv6 icmpv6;
    private Ethernet ethernet;
    int dadTransmits = DEFAULT_DAD_TRANSMITS;
    /** RFC 4862 5.5.3 (e): the two hours below which an unauthenticated RA cannot cut a valid lifetime. */
    static final long TWO_HOURS_NS = Time.s(7200);
    /** The default router (RFC 4861 6.3.4: its route goes when the router lifetime runs out), or null. */
    private Ipv6Address defaultRouter;
    private long routerExpires = Time.NEVER;
    /** On-link prefixes learnt from RAs (RFC 4861 6.3.4), each removed when its valid lifetime ends. */
    private final List<OnLinkPrefix> onLinkPrefixes = new java.util.ArrayList<>();

    private static final class OnLinkPrefix {
        final Ipv6Address prefix;
        final int length;
        long expires;

        OnLinkPrefix(Ipv6Address prefix, int length, long expires) {
            this.prefix = prefix;
            this.length = length;
            this.expires = expires;
        }
    }

    /** A lifetime in seconds from an RA as the time it ends: all ones is infinity (RFC 4861 4.6.2). */
    private static long until(long now, long lifetimeS) { return lifetimeS == 0xffff_ffffL ? Time.NEVER : now + Time.s(lifetimeS); }

    /** The random delays before a first router solicitation (its own generator: no other draw moves). */
    private final java.util.SplittableRandom rsRandom;

    Ndp(IpStack stack, Ipv6Counters c, IpTrace trace, long secret) {
        this.stack = stack;
        this.c = c;
        this.trace = trace;
        this.secret = secret;
        this.rsRandom = new java.util.SplittableRandom(secret ^ 0x52535F44454C4159L);
    }

    void wire(Ipv6 ipv6, Icmpv6 icmpv6, Ethernet ethernet) {
        this.ipv6 = ipv6;
        this.icmpv6 = icmpv6;
        this.ethernet = ethernet;
    }

    // ------------------------------------------------------------------ addresses and DAD

    /** Enables IPv6 on the link with its RFC 7217 link-local address (tentative until DAD is done). */
    Ipv6Link enable(Link link) {
        boolean fresh = ipv6.of(link) == null;
        Ipv6Link l6 = ipv6.enable(link);
        if (fresh) addAddress(l6, Ipv6Link.stableAddress(Ipv6Link.LINK_LOCAL_PREFIX, link.iface.name(), 0, secret), 64);
        return l6;
    }

    /**
     * Starts router solicitation on the link (RFC 4861 6.3.7): the first solicitation after a
     * random delay in [0, MAX_RTR_SOLICITATION_DELAY] from the next poll, then one every
     * RTR_SOLICITATION_INTERVAL up to MAX_RTR_SOLICITATIONS, until a router advertises.
     */
    void solicitRouters(Ipv6Link l6) {
        if (l6.soliciting) return;
        l6.soliciting = true;
        l6.rsSent = 0;
        l6.rsDeadline = Long.MIN_VALUE;
    }

    /** Adds an address; DAD runs from the next poll (RFC 4862 5.4) unless dadTransmits is 0 or the link is not Ethernet. */
    void addAddress(Ipv6Link l6, Ipv6Address a, int prefixLength) {
        if (l6.find(a) != null) return;
        boolean dad = dadTransmits > 0 && l6.link.ethernet;
        Ipv6Link.Addr x = new Ipv6Link.Addr(a, prefixLength, dad ? State.TENTATIVE : State.PREFERRED);
        x.dadDeadline = dad ? Long.MIN_VALUE : Time.NEVER;
        l6.addresses.add(x);
        if (!a.isLinkLocal() && prefixLength < 128)
            stack.routes().add(new RoutingTable.Route6(a, prefixLength, null, l6.link.iface));
    }

    private void duplicate(long now, Ipv6Link l6, Ipv6Link.Addr x, String why) {
        x.state = State.DUPLICATE;
        x.dadDeadline = Time.NEVER;
        c.dadDuplicates.increment();
        trace.drop(now, "nd", DropReason.BAD_ADDRESS, "duplicate address detected (RFC 4862 5.4.5): " + why,
                x.address + " on " + l6.link.iface.name() + " not used");
    }

    // ------------------------------------------------------------------ input

    void input(long now, Ipv6Link l6, Ipv6Repr ip, Icmpv6Repr msg) {
        // RFC 4861 6.1, 7.1: ND messages must come with hop limit 255 (never forwarded) and on an interface
        if (l6 == null || ip.hopLimit() != 255) {
            c.ndInDropBadHopLimit.increment();
            trace.drop(now, "nd", DropReason.BAD_HEADER, l6 == null ? "ND message not from a link" : "hop limit " + ip.hopLimit() + ", not 255", msg.toString());
            return;
        }
        switch (msg) {
            case Icmpv6Repr.NeighborSolicitation ns -> solicitation(now, l6, ip, ns);
            case Icmpv6Repr.NeighborAdvertisement na -> advertisement(now, l6, ip, na);
            case Icmpv6Repr.RouterAdvertisement ra -> routerAdvertisement(now, l6, ip, ra);
            default -> c.icmpInOther.increment(); // RS (6.2.6: hosts discard), redirects: not acted on
        }
    }

    /** RFC 4861 7.2.3 and RFC 4862 5.4.3. */
    private void solicitation(long now, Ipv6Link l6, Ipv6Repr ip, Icmpv6Repr.NeighborSolicitation ns) {
        c.ndInNs.increment();
        boolean fromUnspecified = ip.src().isUnspecified();
        MacAddress slla = sourceLinkLayer(ns.options());
        // RFC 4861 7.1.1: from :: only to a solicited-node group and without a source link-layer address
        if (ns.target().isMulticast() || fromUnspecified && (slla != null || !isSolicitedNode(ip.dst()))) {
            c.ndInDropInvalid.increment();
            trace.drop(now, "nd", DropReason.BAD_HEADER, "invalid neighbor solicitation (RFC 4861 7.1.1)", ns.toString());
            return;
        }
        Ipv6Link.Addr x = l6.find(ns.target());
        if (x == null || x.state == State.DUPLICATE) return; // not ours: silently discarded
        if (x.state == State.TENTATIVE) {
            // RFC 4862 5.4.3: another node doing DAD for the same address: ours is a duplicate
            if (fromUnspecified) duplicate(now, l6, x, "neighbor solicitation from :: for it");
            return;
        }
        if (!fromUnspecified && slla != null && l6.neighbors != null) {
            List<byte[]> waiting = l6.neighbors.learn(now, ip.src(), slla);
            for (byte[] f : waiting) ethernet.transmit(now, l6.link, slla, EthernetRepr.ETHERTYPE_IPV6, f);
        }
        // RFC 4861 7.2.4: answer; to all-nodes without S for a DAD probe, else to the source with S; O set
        Ipv6Address to = fromUnspecified ? Ipv6Link.ALL_NODES : ip.src();
        List<NdOption> opts = l6.link.ethernet ? List.of(new NdOption.TargetLinkLayerAddress(l6.link.iface.mac())) : List.of();
        c.ndOutNa.increment();
        if (trace.enabled()) trace.note(now, "nd", ns.target() + " is-at " + (l6.link.ethernet ? l6.link.iface.mac() : "(no link layer)") + " to " + to);
        icmpv6.sendNd(now, l6, ns.target(), to, new Icmpv6Repr.NeighborAdvertisement(false, !fromUnspecified, true, ns.target(), opts));
    }

    /** RFC 4861 7.2.5 and RFC 4862 5.4.4. */
    private void advertisement(long now, Ipv6Link l6, Ipv6Repr ip, Icmpv6Repr.NeighborAdvertisement na) {
        c.ndInNa.increment();
        if (na.target().isMulticast() || ip.dst().isMulticast() && na.solicited()) {
            c.ndInDropInvalid.increment();
            trace.drop(now, "nd", DropReason.BAD_HEADER, "invalid neighbor advertisement (RFC 4861 7.1.2)", na.toString());
            return;
        }
        Ipv6Link.Addr x = l6.find(na.target());
        if (x != null) {
            if (x.state == State.TENTATIVE) duplicate(now, l6, x, "neighbor advertisement for it from " + ip.src());
            else if (x.state == State.PREFERRED)
                trace.drop(now, "nd", DropReason.BAD_ADDRESS, "address conflict: " + ip.src() + " advertises our address", na.toString());
            return;
        }
        if (l6.neighbors == null) return;
        MacAddress tlla = null;
        for (NdOption o : na.options()) if (o instanceof NdOption.TargetLinkLayerAddress t) tlla = t.address();
        List<byte[]> waiting = l6.neighbors.advertised(now, na.target(), tlla, na.solicited(), na.override());
        if (trace.enabled() && tlla != null) trace.note(now, "nd", na.target() + " is-at " + tlla + (na.solicited() ? " (solicited)" : ""));
        for (byte[] f : waiting) ethernet.transmit(now, l6.link, tlla, EthernetRepr.ETHERTYPE_IPV6, f);
    }

    /** RFC 4861 6.3.4 and RFC 4862 5.5.3: default route, MTU, SLAAC addresses from prefixes with A. */
    private void routerAdvertisement(long now, Ipv6Link l6, Ipv6Repr ip, Icmpv6Repr.RouterAdvertisement ra) {
        c.ndInRa.increment();
        // RFC 4861 6.1.2: the source must be link-local
        if (!ip.src().isLinkLocal()) {
            c.ndInDropInvalid.increment();
            trace.drop(now, "nd", DropReason.BAD_ADDRESS, "router advertisement from a non link-local source", ra.toString());
            return;
        }
        MacAddress slla = sourceLinkLayer(ra.options());
        if (slla != null && l6.neighbors != null) l6.neighbors.learn(now, ip.src(), slla);
        if (l6.rsDeadline != Time.NEVER && ra.routerLifetime() > 0) {
            // RFC 4861 6.3.7: a valid RA with a non-zero router lifetime ends the solicitations
            l6.rsDeadline = Time.NEVER;
            trace.note(now, "nd", "router " + ip.src() + " found after " + l6.rsSent + " router solicitation(s)");
        }
        stack.routes().remove6(Ipv6Address.ANY, 0);
        defaultRouter = null;
        routerExpires = Time.NEVER;
        if (ra.routerLifetime() > 0) {
            stack.routes().add(new RoutingTable.Route6(Ipv6Address.ANY, 0, ip.src(), l6.link.iface));
            defaultRouter = ip.src();
            routerExpires = now + Time.s(ra.routerLifetime()); // RFC 4861 4.2: at most 9000 s, no infinity
        }
        for (NdOption o : ra.options()) {
            switch (o) {
                case NdOption.Mtu m -> {
                    // RFC 4861 6.3.4: only within [1280, the link's MTU]
                    if (m.mtu() >= Ipv6Repr.MIN_MTU && m.mtu() <= l6.link.iface.mtu()) l6.mtu = (int) m.mtu();
                }
                case NdOption.PrefixInformation p -> {
                    if (p.prefix().isLinkLocal()) continue; // RFC 4862 5.5.3 (b)
                    if (p.onLink() && p.prefixLength() <= 128) onLinkPrefix(now, l6, p);
                    // RFC 4862 5.5.3 (c, d): preferred <= valid, and a 64-bit interface id needs a /64
                    if (!p.autonomous() || p.preferredLifetime() > p.validLifetime() || p.validLifetime() == 0 || p.prefixLength() != 64) continue;
                    Ipv6Address a = Ipv6Link.stableAddress(p.prefix(), l6.link.iface.name(), 0, secret);
                    Ipv6Link.Addr x = l6.find(a);
                    if (x == null) {
                        c.slaacAddresses.increment();
                        trace.note(now, "nd", "SLAAC address " + a + "/64 from router " + ip.src());
                        addAddress(l6, a, 64);
                        x = l6.find(a);
                        x.slaac = true;
                        x.preferredUntil = until(now, p.preferredLifetime());
                        x.validUntil = until(now, p.validLifetime());
                    } else if (x.slaac) {
                        refreshLifetimes(now, x, p);
                    }
                }
                default -> { }
            }
        }
    }

    /** RFC 4861 6.3.4: a prefix is on-link for its valid lifetime; 0 times it out at once. Routes of configured addresses are left alone. */
    private void onLinkPrefix(long now, Ipv6Link l6, NdOption.PrefixInformation p) {
        Ipv6Address prefix = Ipv6Link.mask(p.prefix(), p.prefixLength());
        OnLinkPrefix known = null;
        for (OnLinkPrefix o : onLinkPrefixes) if (o.length == p.prefixLength() && o.prefix.equals(prefix)) known = o;
        if (known != null) {
            if (p.validLifetime() == 0) expirePrefix(now, known);
            else known.expires = until(now, p.validLifetime());
            return;
        }
        if (p.validLifetime() == 0 || stack.routes().bestMatch6Exact(prefix, p.prefixLength()) != null) return;
        stack.routes().add(new RoutingTable.Route6(prefix, p.prefixLength(), null, l6.link.iface));
        onLinkPrefixes.add(new OnLinkPrefix(prefix, p.prefixLength(), until(now, p.validLifetime())));
    }

    /** The connected route {@link #addAddress} made for a removed address, unless another address or an RA still makes the prefix on-link. */
    private void dropPrefixRouteOf(Ipv6Link.Addr gone) {
        Ipv6Address prefix = Ipv6Link.mask(gone.address, gone.prefixLength);
        for (OnLinkPrefix o : onLinkPrefixes) if (o.length == gone.prefixLength && o.prefix.equals(prefix)) return;
        for (Ipv6Link l : ipv6.links())
            for (Ipv6Link.Addr x : l.addresses)
                if (x.prefixLength == gone.prefixLength && Ipv6Link.inPrefix(x.address, prefix, gone.prefixLength)) return;
        stack.routes().remove6(prefix, gone.prefixLength);
    }

    private void expirePrefix(long now, OnLinkPrefix o) {
        onLinkPrefixes.remove(o);
        stack.routes().remove6(o.prefix, o.length);
        trace.note(now, "nd", "prefix " + o.prefix + "/" + o.length + " no longer on-link (valid lifetime over)");
    }

    /**
     * RFC 4862 5.5.3 (e), an RA for the prefix of a SLAAC address we have: the preferred lifetime
     * is taken as is (a deprecated address is preferred again); the valid lifetime only when it
     * is over two hours or longer than what is left, else the address keeps at most two hours
     * (so a forged RA cannot take an address away at once).
     */
    private void refreshLifetimes(long now, Ipv6Link.Addr x, NdOption.PrefixInformation p) {
        x.preferredUntil = until(now, p.preferredLifetime());
        if (x.state == State.DEPRECATED && x.preferredUntil > now) x.state = State.PREFERRED;
        long received = until(now, p.validLifetime());
        long remaining = x.validUntil == Time.NEVER ? Long.MAX_VALUE : x.validUntil - now;
        if (received == Time.NEVER || Time.s(p.validLifetime()) > TWO_HOURS_NS || Time.s(p.validLifetime()) > remaining) x.validUntil = received;
        else if (remaining > TWO_HOURS_NS) x.validUntil = now + TWO_HOURS_NS;
        // else: two hours or less left, kept as is
    }

    private static MacAddress sourceLinkLayer(List<NdOption> options) {
        for (NdOption o : options) if (o instanceof NdOption.SourceLinkLayerAddress s) return s.address();
        return null;
    }

    private static boolean isSolicitedNode(Ipv6Address a) {
        return a.high() == 0xff02_0000_0000_0000L && (a.low() >>> 24) == 0x0000_0001_ffL;
    }

    // ------------------------------------------------------------------ resolution

    /** Sends an IPv6 frame to {@code nextHop} on {@code l6}, resolving it first if needed (RFC 4861 7.2.2). */
    boolean resolve(long now, Ipv6Link l6, Ipv6Address nextHop, byte[] frame) {
        MacAddress mac = l6.neighbors.lookup(now, nextHop);
        if (mac != null) {
            ethernet.transmit(now, l6.link, mac, EthernetRepr.ETHERTYPE_IPV6, frame);
            return true;
        }
        NeighborCache6.Enqueued q = l6.neighbors.enqueue(now, nextHop, frame);
        if (!q.accepted()) {
            c.ndTableFull.increment();
            trace.drop(now, "nd", DropReason.QUEUE_FULL, "neighbour cache full of INCOMPLETE entries", "packet for " + nextHop);
            return false;
        }
        if (q.dropped() != null) {
            c.ndQueueOverflow.increment();
            trace.drop(now, "nd", DropReason.QUEUE_FULL, "too many packets waiting for " + nextHop + " (limit " + NeighborCache6.MAX_QUEUE + ")",
                    "oldest waiting packet");
        }
        if (q.solicit()) solicit(now, l6, nextHop, null, frame);
        return true;
    }

    /**
     * A Neighbor Solicitation for {@code target}: multicast to its solicited-node group, or
     * unicast to {@code mac} (NUD's probes). The source is the waiting packet's when it is ours
     * (RFC 4861 7.2.2), else an address of the link.
     */
    private void solicit(long now, Ipv6Link l6, Ipv6Address target, MacAddress mac, byte[] waiting) {
        Ipv6Address src = null;
        if (waiting != null && waiting.length >= EthernetRepr.HEADER_LENGTH + Ipv6Repr.HEADER_LENGTH) {
            Ipv6Address s = Ipv6Address.read(waiting, EthernetRepr.HEADER_LENGTH + 8);
            if (l6.hasUsable(s)) src = s;
        }
        if (src == null) src = ipv6.sourceFor(l6, target);
        if (src == null) return;
        Ipv6Address dst = mac == null ? Ipv6Link.solicitedNode(target) : target;
        c.ndOutNs.increment();
        if (trace.enabled()) trace.note(now, "nd", "who-has " + target + " tell " + src + (mac == null ? "" : " (unicast probe)"));
        icmpv6.sendNd(now, l6, src, dst, new Icmpv6Repr.NeighborSolicitation(target,
                List.of(new NdOption.SourceLinkLayerAddress(l6.link.iface.mac()))));
    }

    // ------------------------------------------------------------------ router solicitation

    /** RFC 4861 6.3.7: the initial delay, each solicitation, and the end of them. */
    private void routerSolicitationTimer(long now, Ipv6Link l6) {
        if (l6.rsDeadline == Long.MIN_VALUE) {
            // delay the first one by a random time in [0, MAX_RTR_SOLICITATION_DELAY] (a link's hosts starting together do not all solicit at once)
            l6.rsDeadline = now + rsRandom.nextLong(MAX_RTR_SOLICITATION_DELAY_NS + 1);
            if (l6.rsDeadline > now) return;
        }
        if (stack.ipv6Forwarding()) {
            l6.rsDeadline = Time.NEVER; // a router does not solicit (6.3.7 is for hosts)
            return;
        }
        if (l6.rsSent >= MAX_RTR_SOLICITATIONS) {
            // an RTR_SOLICITATION_INTERVAL after the last one without an advertisement: no router here
            l6.rsDeadline = Time.NEVER;
            c.ndRsNoRouter.increment();
            trace.note(now, "nd", "no router advertisement after " + l6.rsSent + " router solicitations on " + l6.link.iface.name());
            return;
        }
        // 6.3.7: from a link-local address once DAD gave us one, with our link-layer address; else
        // from :: and then (4.1) without the source link-layer address option
        Ipv6Link.Addr ll = l6.linkLocal();
        Ipv6Address src = ll == null ? Ipv6Address.ANY : ll.address;
        List<NdOption> opts = ll != null && l6.link.ethernet ? List.of(new NdOption.SourceLinkLayerAddress(l6.link.iface.mac())) : List.of();
        l6.rsSent++;
        l6.rsDeadline = now + RTR_SOLICITATION_INTERVAL_NS;
        c.ndOutRs.increment();
        trace.note(now, "nd", "router solicitation " + l6.rsSent + " of " + MAX_RTR_SOLICITATIONS + " from " + src);
        icmpv6.sendNd(now, l6, src, Ipv6Link.ALL_ROUTERS, new Icmpv6Repr.RouterSolicitation(opts));
    }

    // ------------------------------------------------------------------ time

    long nextDeadline() {
        long t = Time.NEVER;
        // (by index: read at every poll, so no iterator)
        List<Ipv6Link> links = ipv6.links();
        for (int i = 0; i < links.size(); i++) {
            Ipv6Link l6 = links.get(i);
            if (l6.neighbors != null) t = Math.min(t, l6.neighbors.nextDeadline());
            for (int j = 0; j < l6.addresses.size(); j++) {
                Ipv6Link.Addr x = l6.addresses.get(j);
                t = Math.min(t, Math.min(x.dadDeadline, x.lifetimeDeadline()));
            }
            t = Math.min(t, l6.rsDeadline);
        }
        for (int i = 0; i < onLinkPrefixes.size(); i++) t = Math.min(t, onLinkPrefixes.get(i).expires);
        return Math.min(t, routerExpires);
    }

    void timers(long now) {
        if (routerExpires <= now) {
            // RFC 4861 6.3.4 / 6.3.5: the router lifetime ran out: no longer a default router
            stack.routes().remove6(Ipv6Address.ANY, 0);
            trace.note(now, "nd", "default router " + defaultRouter + " expired (router lifetime over)");
            defaultRouter = null;
            routerExpires = Time.NEVER;
        }
        for (int i = onLinkPrefixes.size() - 1; i >= 0; i--) if (onLinkPrefixes.get(i).expires <= now) expirePrefix(now, onLinkPrefixes.get(i));
        List<Ipv6Link> links = ipv6.links();
        for (int i = 0; i < links.size(); i++) {
            Ipv6Link l6 = links.get(i);
            for (int j = 0; j < l6.addresses.size(); j++) {
                Ipv6Link.Addr x = l6.addresses.get(j);
                if (x.lifetimeDeadline() <= now) {
                    if (x.validUntil <= now) {
                        // RFC 4862 5.5.4: an address whose valid lifetime ran out is removed
                        l6.addresses.remove(j--);
                        trace.note(now, "nd", "SLAAC address " + x.address + " removed (valid lifetime over)");
                        dropPrefixRouteOf(x);
                        continue;
                    }
                    x.state = State.DEPRECATED; // RFC 4862 5.5.4: preferred lifetime over
                    trace.note(now, "nd", "SLAAC address " + x.address + " deprecated (preferred lifetime over)");
                }
                if (x.state != State.TENTATIVE || x.dadDeadline > now) continue;
                if (x.dadSent < dadTransmits) {
                    // RFC 4862 5.4.2: from ::, to the tentative address's solicited-node group, no options
                    x.dadSent++;
                    x.dadDeadline = now + NeighborCache6.RETRANS_TIMER_NS;
                    c.ndOutNs.increment();
                    trace.note(now, "nd", "DAD: who-has " + x.address + " (tentative)");
                    icmpv6.sendNd(now, l6, Ipv6Address.ANY, Ipv6Link.solicitedNode(x.address),
                            new Icmpv6Repr.NeighborSolicitation(x.address, List.of()));
                } else {
                    x.state = State.PREFERRED;
                    x.dadDeadline = Time.NEVER;
                    c.dadOk.increment();
                    trace.note(now, "nd", "DAD: " + x.address + " is unique, preferred");
                }
            }
            if (l6.rsDeadline <= now) routerSolicitationTimer(now, l6);
            if (l6.neighbors == null || l6.neighbors.nextDeadline() > now) continue;
            NeighborCache6.TimerWork work = l6.neighbors.timers(now);
            for (NeighborCache6.Solicit s : work.solicit()) solicit(now, l6, s.target(), s.unicastTo(), null);
            for (NeighborCache6.Failed f : work.failed()) {
                c.ndResolveFailed.increment();
                for (byte[] frame : f.queued()) {
                    c.outDropNoNeighbor.increment();
                    trace.drop(now, "nd", DropReason.NEIGHBOR_UNREACHABLE, "no neighbor advertisement from " + f.target(), "waiting packet dropped");
                }
            }
        }
    }
}
