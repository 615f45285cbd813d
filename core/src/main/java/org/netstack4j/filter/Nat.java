package org.netstack4j.filter;

import java.util.BitSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import org.netstack4j.time.Pollable;
import org.netstack4j.time.Time;
import org.netstack4j.trace.Counters;
import org.netstack4j.wire.IcmpRepr;
import org.netstack4j.wire.Icmpv6Repr;
import org.netstack4j.wire.Ipv4Repr;
import org.netstack4j.wire.Ipv6Address;
import org.netstack4j.wire.Ipv6Repr;
import org.netstack4j.wire.TcpRepr;

/**
 * Network address translation for one external interface: source NAT (masquerade) with
 * endpoint-independent mapping and a choice of filtering (RFC 4787 REQ-1, REQ-8; TCP RFC 5382),
 * ICMP query identifier mapping (RFC 5508 3), translation of ICMP errors and the datagram they
 * quote (RFC 5508 7), hairpinning (RFC 4787 REQ-9, RFC 5382 REQ-8), and destination NAT (port
 * forwards as static mappings). Datagrams are rewritten in place by {@link NatRewrite}.
 *
 * <p>A mapping binds an internal endpoint (address, port or ICMP identifier) to an external port,
 * the same whatever remote it talks to (endpoint-independent mapping). It remembers the remotes it
 * sent to as sessions, each with its own idle timer: UDP {@link NatConfig#udpTimeout()}, ICMP
 * {@link NatConfig#icmpTimeout()}, TCP established (SYN seen both ways) 2 h 4 min else transitory
 * 4 min (RFC 5382 REQ-5). A mapping ends with its last session. The internal port is kept when
 * free (port preservation); ports below 1024 map below 1024 (RFC 4787 REQ-3); the table is
 * bounded, and exhaustion of ports or of the table is counted, never thrown.
 *
 * <p>One NAT translates one family, its external address's: with an IPv6 address it is stateful
 * NAT66 as Linux's ip6tables MASQUERADE does it, the same mappings, filtering and timeouts over
 * TCP, UDP and ICMPv6 echo identifiers, and ICMPv6 errors translated by RFC 5508 7's rules
 * (the quoted packet and the outer address; ICMPv6's checksum covers its pseudo-header).
 *
 * <p>The IP layer calls {@link #inbound} at pre-routing and {@link #outbound} at post-routing.
 * Counters (under "nat."): out.translated, in.translated, hairpinned, filtered, icmp_errors,
 * port_exhausted, table_full, mappings.created, mappings.expired, sessions.evicted.
 */
public final class Nat implements Pollable {
    /** What a hook did with a datagram. */
    public enum Action {
        /** Not for this NAT: pass it on untouched (e.g. to the host itself, or another interface). */
        UNCHANGED,
        /** Rewritten in place. */
        TRANSLATED,
        /** Internal to internal through the external address: both endpoints rewritten. */
        HAIRPINNED,
        /** A mapping exists but its filtering refuses this remote: drop. */
        FILTERED,
        /** No external port left: drop. */
        PORT_EXHAUSTED,
        /** The mapping table is full: drop. */
        TABLE_FULL
    }

    /** One binding of an internal endpoint to an external one. */
    public static final class Mapping {
        private final int protocol;
        private final Endpoint internal;
        private final Endpoint external;
        private final boolean permanent;
        final LinkedHashMap<Endpoint, Session> sessions = new LinkedHashMap<>();
        long queuedAt = Long.MIN_VALUE;

        Mapping(int protocol, Endpoint internal, Endpoint external, boolean permanent) {
            this.protocol = protocol;
            this.internal = internal;
            this.external = external;
            this.permanent = permanent;
        }

        public int protocol() { return protocol; }
        public Endpoint internal() { return internal; }
        public Endpoint external() { return external; }
        /** A port forward: never expires, open to every remote. */
        public boolean permanent() { return permanent; }
        public int sessions() { return sessions.size(); }
        /** When the last session expires unless refreshed. */
        public long deadline() {
            long d = Long.MIN_VALUE;
            for (Session s : sessions.values()) d = Math.max(d, s.deadline);
            return d;
        }

        @Override public String toString() {
            return Ipv4Repr.protocolName(protocol) + " " + internal + " <-> " + external + (permanent ? " [forward]" : "")
                    + ", " + sessions.size() + " sessions";
        }
    }

    static final class Session {
        static final int SYN_OUT = 1, SYN_IN = 2, FIN_OUT = 4, FIN_IN = 8, RST = 16;
        long deadline;
        int flags;
    }

    private record InKey(int protocol, Endpoint internal) {
        // written out, like FlowKey's: the generated record methods are slow on the per-packet lookup
        @Override public boolean equals(Object o) {
            return o instanceof InKey k && protocol == k.protocol && internal.equals(k.internal);
        }
        @Override public int hashCode() { return internal.hashCode() * 31 + protocol; }
    }

    private record ExKey(int protocol, int port) {
        @Override public boolean equals(Object o) { return o instanceof ExKey k && protocol == k.protocol && port == k.port; }
        @Override public int hashCode() { return port * 31 + protocol; }
    }
    private record Due(long at, Mapping m) {}

    private final NatConfig cfg;
    /** NAT66: the external address is IPv6, only IPv6 is translated. */
    private final boolean v6;
    private final Map<InKey, Mapping> byInternal = new HashMap<>();
    private final Map<ExKey, Mapping> byExternal = new HashMap<>();
    private final BitSet[] used = {new BitSet(65536), new BitSet(65536), new BitSet(65536)}; // TCP, UDP, ICMP
    private final PriorityQueue<Due> expiry = new PriorityQueue<>((a, b) -> Long.compare(a.at, b.at));
    private final Counters.Counter outTranslated, inTranslated, hairpinned, filtered, icmpErrors, portExhausted, tableFull,
            created, expired, sessionsEvicted;
    private long rng;
    private int dynamic;

    public Nat(NatConfig cfg, Counters counters) {
        this.cfg = cfg;
        this.v6 = cfg.external() instanceof Ipv6Address;
        this.rng = cfg.seed() == 0 ? 0x9e3779b97f4a7c15L : cfg.seed();
        outTranslated = counters.counter("nat.out.translated");
        inTranslated = counters.counter("nat.in.translated");
        hairpinned = counters.counter("nat.hairpinned");
        filtered = counters.counter("nat.filtered");
        icmpErrors = counters.counter("nat.icmp_errors");
        portExhausted = counters.counter("nat.port_exhausted");
        tableFull = counters.counter("nat.table_full");
        created = counters.counter("nat.mappings.created");
        expired = counters.counter("nat.mappings.expired");
        sessionsEvicted = counters.counter("nat.sessions.evicted");
        for (NatConfig.PortForward f : cfg.forwards()) {
            ExKey ek = new ExKey(f.protocol(), f.externalPort());
            if (byExternal.containsKey(ek)) throw new IllegalArgumentException("two forwards of " + ek);
            Mapping m = new Mapping(f.protocol(), f.internal(), new Endpoint(cfg.external(), f.externalPort()), true);
            byExternal.put(ek, m);
            byInternal.put(new InKey(f.protocol(), f.internal()), m);
            used[index(f.protocol())].set(f.externalPort());
        }
    }

    public NatConfig config() { return cfg; }

    /** Dynamic mappings in the table (port forwards not counted). */
    public int mappings() { return dynamic; }

    public Optional<Mapping> byInternal(int protocol, Endpoint internal) {
        return Optional.ofNullable(byInternal.get(new InKey(protocol, internal)));
    }

    public Optional<Mapping> byExternal(int protocol, int port) {
        return Optional.ofNullable(byExternal.get(new ExKey(protocol, port)));
    }

    /**
     * Post-routing: a datagram leaving by {@code outIface}. From an internal source to the
     * external interface, its source becomes the mapping's external endpoint (created if needed);
     * an ICMP error an internal host sends about a translated flow has the quoted datagram and its
     * own source translated back (RFC 5508 7.2). {@code p} describes the datagram before; its bytes
     * change in place.
     */
    public Action outbound(Packet p, String outIface, long now) {
        if (p.isIpv6() != v6 || !outIface.equals(cfg.externalIface())) return Action.UNCHANGED; // the other family's
        if (p.isIcmpError()) return outboundError(p);
        if (!translatable(p)) return Action.UNCHANGED;
        FlowKey k = p.key();
        if (k.src().address().equals(cfg.external()) || !isInternal(k.src().address())) return Action.UNCHANGED;
        Mapping m = byInternal.get(new InKey(k.protocol(), k.src()));
        if (m == null) {
            if (!(isEcho(p, true) || !isIcmp(k.protocol()))) return Action.UNCHANGED; // an echo reply from inside: only port forwards
            Object r = create(k.protocol(), k.src(), now);
            if (r instanceof Action a) return a;
            m = (Mapping) r;
        }
        touch(m, remoteKey(k.protocol(), k.dst()), true, tcpFlags(p), now);
        NatRewrite.rewrite(p, true, m.external());
        outTranslated.increment();
        return Action.TRANSLATED;
    }

    /**
     * Pre-routing: a datagram that came in by {@code inIface}. To the external address through a
     * mapping whose filtering admits the source, its destination becomes the internal endpoint;
     * from an internal host (hairpinning) its source is mapped too; an ICMP error quoting a
     * translated datagram is translated inside and out (RFC 5508 7.1).
     */
    public Action inbound(Packet p, String inIface, long now) {
        if (p.isIpv6() != v6) return Action.UNCHANGED;
        boolean fromOutside = inIface.equals(cfg.externalIface());
        if (p.isIcmpError()) return fromOutside ? inboundError(p, now) : Action.UNCHANGED;
        if (!translatable(p)) return Action.UNCHANGED;
        FlowKey k = p.key();
        if (!k.dst().address().equals(cfg.external())) return Action.UNCHANGED;
        if (isIcmp(k.protocol()) && !isEcho(p, false)) return Action.UNCHANGED; // a ping to the NAT itself
        Mapping m = byExternal.get(new ExKey(k.protocol(), k.dst().port()));
        if (m == null) return Action.UNCHANGED;
        Endpoint remote = k.src();
        Mapping source = null;
        if (!fromOutside) {
            // RFC 4787 REQ-9, RFC 5382 REQ-8: hairpinning. The internal sender is seen by its
            // external endpoint, as if it came from outside, and filtered as such.
            if (remote.address().equals(cfg.external()) || !isInternal(remote.address())) return Action.UNCHANGED;
            source = byInternal.get(new InKey(k.protocol(), remote));
            if (source == null) {
                Object r = create(k.protocol(), remote, now);
                if (r instanceof Action a) return a;
                source = (Mapping) r;
            }
            touch(source, remoteKey(k.protocol(), m.external()), true, tcpFlags(p), now);
            remote = source.external();
        }
        Endpoint rk = remoteKey(k.protocol(), remote);
        if (!allows(m, rk, now)) {
            filtered.increment();
            return Action.FILTERED;
        }
        touch(m, rk, false, tcpFlags(p), now);
        NatRewrite.rewrite(p, false, m.internal());
        if (source != null) {
            NatRewrite.rewrite(p, true, source.external());
            hairpinned.increment();
            return Action.HAIRPINNED;
        }
        inTranslated.increment();
        return Action.TRANSLATED;
    }

    @Override public long pollAt() {
        Due d = expiry.peek();
        return d == null ? Time.NEVER : d.at;
    }

    @Override public void poll(long now) {
        Due d;
        while ((d = expiry.peek()) != null && d.at <= now) {
            expiry.poll();
            Mapping m = d.m;
            if (d.at != m.queuedAt) continue; // stale
            long next = Long.MAX_VALUE;
            for (Iterator<Session> it = m.sessions.values().iterator(); it.hasNext(); ) {
                Session s = it.next();
                if (s.deadline <= now) it.remove();
                else next = Math.min(next, s.deadline);
            }
            if (m.sessions.isEmpty()) {
                m.queuedAt = Long.MIN_VALUE;
                if (!m.permanent) {
                    remove(m);
                    expired.increment();
                }
            } else {
                m.queuedAt = next;
                expiry.add(new Due(next, m));
            }
        }
    }

    // ---- internals -------------------------------------------------------------------------

    private Action outboundError(Packet p) {
        Optional<Quote> oq = Quote.of(p.buf(), p.l4Offset() + IcmpRepr.HEADER_LENGTH, p.l4Length() - IcmpRepr.HEADER_LENGTH);
        if (oq.isEmpty()) return Action.UNCHANGED;
        Quote q = oq.get();
        // the quoted datagram came in translated: R -> internal; it left the remote as R -> external
        Mapping m = byInternal.get(new InKey(q.protocol(), new Endpoint(q.dst(), q.dstPort())));
        if (m == null) return Action.UNCHANGED;
        NatRewrite.rewriteQuoted(p, false, m.external());
        NatRewrite.rewriteAddress(p, true, cfg.external()); // no internal address leaves (RFC 5508 7.2)
        icmpErrors.increment();
        return Action.TRANSLATED;
    }

    private Action inboundError(Packet p, long now) {
        Optional<Quote> oq = Quote.of(p.buf(), p.l4Offset() + IcmpRepr.HEADER_LENGTH, p.l4Length() - IcmpRepr.HEADER_LENGTH);
        if (oq.isEmpty() || !p.dst().equals(cfg.external())) return Action.UNCHANGED;
        Quote q = oq.get();
        // the quoted datagram is what this NAT sent: external -> R
        if (!q.src().equals(cfg.external())) return Action.UNCHANGED;
        Mapping m = byExternal.get(new ExKey(q.protocol(), q.srcPort()));
        if (m == null) return Action.UNCHANGED;
        if (!allows(m, remoteKey(q.protocol(), new Endpoint(q.dst(), q.dstPort())), now)) {
            filtered.increment();
            return Action.FILTERED;
        }
        NatRewrite.rewriteQuoted(p, true, m.internal());
        NatRewrite.rewriteAddress(p, false, m.internal().address());
        icmpErrors.increment();
        return Action.TRANSLATED;
    }

    private boolean isInternal(org.netstack4j.wire.IpAddress a) {
        if (cfg.internal().isEmpty()) return true;
        for (Prefix x : cfg.internal()) if (x.contains(a)) return true;
        return false;
    }

    private static boolean translatable(Packet p) {
        return switch (p.transport()) {
            case Packet.Transport.Tcp t -> true;
            case Packet.Transport.Udp u -> true;
            case Packet.Transport.Icmp(IcmpRepr m) -> m instanceof IcmpRepr.EchoRequest || m instanceof IcmpRepr.EchoReply;
            case Packet.Transport.Icmp6(Icmpv6Repr m) -> m instanceof Icmpv6Repr.EchoRequest || m instanceof Icmpv6Repr.EchoReply;
            case Packet.Transport.Other o -> false;
        };
    }

    private static boolean isEcho(Packet p, boolean request) {
        return p.transport() instanceof Packet.Transport.Icmp(IcmpRepr m)
                && (request ? m instanceof IcmpRepr.EchoRequest : m instanceof IcmpRepr.EchoReply)
                || p.transport() instanceof Packet.Transport.Icmp6(Icmpv6Repr m6)
                && (request ? m6 instanceof Icmpv6Repr.EchoRequest : m6 instanceof Icmpv6Repr.EchoReply);
    }

    /** ICMP or ICMPv6: query identifiers instead of ports. */
    private static boolean isIcmp(int protocol) {
        return protocol == Ipv4Repr.PROTO_ICMP || protocol == Ipv6Repr.NH_ICMPV6;
    }

    private static int tcpFlags(Packet p) {
        return p.transport() instanceof Packet.Transport.Tcp(TcpRepr h, int plen) ? h.flags() : 0;
    }

    /** The remote as filtering sees it: ICMP replies carry the translated identifier, so only the address counts. */
    private static Endpoint remoteKey(int protocol, Endpoint remote) {
        return isIcmp(protocol) ? new Endpoint(remote.address(), 0) : remote;
    }

    private static int index(int protocol) {
        return switch (protocol) {
            case Ipv4Repr.PROTO_TCP -> 0;
            case Ipv4Repr.PROTO_UDP -> 1;
            case Ipv4Repr.PROTO_ICMP, Ipv6Repr.NH_ICMPV6 -> 2;
            default -> throw new IllegalArgumentException("no NAT for protocol " + protocol);
        };
    }

    /** A new dynamic mapping, or the Action saying why there is none. */
    private Object create(int protocol, Endpoint internal, long now) {
        if (dynamic >= cfg.maxMappings()) {
            tableFull.increment();
            return Action.TABLE_FULL;
        }
        int port = allocate(protocol, internal.port());
        if (port < 0) {
            portExhausted.increment();
            return Action.PORT_EXHAUSTED;
        }
        Mapping m = new Mapping(protocol, internal, new Endpoint(cfg.external(), port), false);
        byInternal.put(new InKey(protocol, internal), m);
        byExternal.put(new ExKey(protocol, port), m);
        used[index(protocol)].set(port);
        dynamic++;
        created.increment();
        return m;
    }

    /**
     * An external port (ICMP: identifier) for an internal one: the same when free (RFC 4787
     * 4.2.1 port preservation), else a free one of the same range class (REQ-3) and, with
     * portParity, the same parity, searched from a seeded random start (RFC 6056); -1 if none.
     * Only this NAT's slice of each range ({@link NatConfig#withSlice}).
     */
    private int allocate(int protocol, int internalPort) {
        BitSet u = used[index(protocol)];
        PortRange r = cfg.range(protocol, internalPort); // this NAT's slice of it (NatConfig#withSlice)
        int lo = r.lo(), hi = r.hi();
        if (internalPort >= lo && internalPort <= hi && !u.get(internalPort)) return internalPort;
        boolean parity = cfg.portParity() && !isIcmp(protocol);
        int n = hi - lo + 1;
        rng ^= rng << 13;
        rng ^= rng >>> 7;
        rng ^= rng << 17; // xorshift64
        int start = (int) Math.floorMod(rng, (long) n);
        for (int k = 0; k < n; k++) {
            int port = lo + (start + k) % n;
            if (u.get(port) || (parity && ((port ^ internalPort) & 1) != 0)) continue;
            return port;
        }
        return -1;
    }

    private boolean allows(Mapping m, Endpoint remote, long now) {
        if (m.permanent) return true;
        NatConfig.Filtering f = m.protocol == Ipv4Repr.PROTO_TCP ? cfg.tcpFiltering() : cfg.udpFiltering();
        return switch (f) {
            case ENDPOINT_INDEPENDENT -> true;
            case ADDRESS_DEPENDENT -> {
                for (Map.Entry<Endpoint, Session> e : m.sessions.entrySet())
                    if (e.getKey().address().equals(remote.address()) && e.getValue().deadline > now) yield true;
                yield false;
            }
            case ADDRESS_AND_PORT_DEPENDENT -> {
                Session s = m.sessions.get(remote);
                yield s != null && s.deadline > now;
            }
        };
    }

    private void touch(Mapping m, Endpoint remote, boolean outbound, int tcpFlags, long now) {
        Session s = m.sessions.get(remote);
        boolean fresh = s == null;
        if (fresh) {
            if (m.sessions.size() >= cfg.maxSessionsPerMapping()) {
                Iterator<Session> oldest = m.sessions.values().iterator();
                oldest.next();
                oldest.remove();
                sessionsEvicted.increment();
            }
            s = new Session();
            m.sessions.put(remote, s);
        }
        long timeout;
        switch (m.protocol) {
            case Ipv4Repr.PROTO_TCP -> {
                if ((tcpFlags & TcpRepr.SYN) != 0) s.flags |= outbound ? Session.SYN_OUT : Session.SYN_IN;
                if ((tcpFlags & TcpRepr.FIN) != 0) s.flags |= outbound ? Session.FIN_OUT : Session.FIN_IN;
                if ((tcpFlags & TcpRepr.RST) != 0) s.flags |= Session.RST;
                // RFC 5382 REQ-5: established once SYNs went both ways, transitory before and after (FINs both ways, RST)
                boolean established = (s.flags & (Session.SYN_OUT | Session.SYN_IN)) == (Session.SYN_OUT | Session.SYN_IN)
                        && (s.flags & Session.RST) == 0
                        && (s.flags & (Session.FIN_OUT | Session.FIN_IN)) != (Session.FIN_OUT | Session.FIN_IN);
                timeout = established ? cfg.tcpEstablished() : cfg.tcpTransitory();
            }
            case Ipv4Repr.PROTO_UDP -> {
                if (!(outbound || fresh || cfg.inboundRefresh())) return;
                timeout = cfg.udpTimeout();
            }
            default -> {
                if (!(outbound || fresh || cfg.inboundRefresh())) return;
                timeout = cfg.icmpTimeout();
            }
        }
        s.deadline = now + timeout;
        if (m.queuedAt == Long.MIN_VALUE || s.deadline < m.queuedAt) {
            m.queuedAt = s.deadline;
            expiry.add(new Due(s.deadline, m));
        }
    }

    private void remove(Mapping m) {
        byInternal.remove(new InKey(m.protocol, m.internal));
        byExternal.remove(new ExKey(m.protocol, m.external.port()));
        used[index(m.protocol)].clear(m.external.port());
        dynamic--;
    }
}
