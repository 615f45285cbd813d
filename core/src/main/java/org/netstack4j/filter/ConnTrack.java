package org.netstack4j.filter;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import org.netstack4j.time.Pollable;
import org.netstack4j.time.Time;
import org.netstack4j.trace.Counters;
import org.netstack4j.wire.IcmpRepr;
import org.netstack4j.wire.Icmpv6Repr;
import org.netstack4j.wire.Ipv4Repr;

/**
 * The connection tracking table: every packet is classified NEW, ESTABLISHED, RELATED or INVALID
 * against the flows seen so far, as Linux's nf_conntrack does. TCP follows both peers through
 * {@link TcpCtState} and checks their windows ({@link TcpTracking}); UDP flows are unreplied,
 * replied, then assured (a "stream") once packets still flow 2 s after creation; ICMP echo is
 * tracked by identifier; ICMP errors quoting a tracked flow are RELATED; other protocols by
 * addresses alone. IPv6 the same way (ICMPv6 echo by identifier, ICMPv6 errors RELATED).
 *
 * <p>Two steps, as in Linux: {@link #track} classifies a packet and, for the first packet of a
 * flow, prepares a connection that is stored only by {@link #confirm} once the firewall accepted
 * the packet, so dropped packets leave no state. The table holds at most
 * {@link ConnTrackConfig#maxEntries()} connections; a confirm into a full table evicts the oldest
 * connection that is unassured or closing (Linux early_drop) or, with none, fails and is counted.
 * Idle connections expire by {@link #poll}. Counters (under "ct."): inserted, early_drop,
 * insert_failed, expired, deleted, invalid (and invalid.*), related, ignored.
 */
public final class ConnTrack implements Pollable {
    /** The verdict on one packet: its state, direction and connection (absent only for INVALID without one). */
    public record Result(CtState state, Direction direction, Optional<Connection> connection) {
        static Result invalid() { return new Result(CtState.INVALID, Direction.ORIGINAL, Optional.empty()); }
        /** A NEW flow's first packet: {@link ConnTrack#confirm} stores the connection. */
        public boolean needsConfirm() { return connection.isPresent() && !connection.get().confirmed; }
    }

    private record Due(long at, Connection c) {}

    /** Both keys of every connection. */
    private final Map<FlowKey, Connection> table = new HashMap<>();
    private final LinkedHashSet<Connection> evictable = new LinkedHashSet<>();
    private final PriorityQueue<Due> expiry = new PriorityQueue<>((a, b) -> Long.compare(a.at, b.at));
    private final ConnTrackConfig config;
    private final Counters.Counter inserted, earlyDrop, insertFailed, expired, deleted, invalid, related, ignored,
            invalidState, invalidWindow, invalidRst, invalidUnrelated;
    private int size, highWater;

    public ConnTrack(ConnTrackConfig config, Counters counters) {
        this.config = config;
        inserted = counters.counter("ct.inserted");
        earlyDrop = counters.counter("ct.early_drop");
        insertFailed = counters.counter("ct.insert_failed");
        expired = counters.counter("ct.expired");
        deleted = counters.counter("ct.deleted");
        invalid = counters.counter("ct.invalid");
        related = counters.counter("ct.related");
        ignored = counters.counter("ct.ignored");
        invalidState = counters.counter("ct.invalid.tcp_state");
        invalidWindow = counters.counter("ct.invalid.out_of_window");
        invalidRst = counters.counter("ct.invalid.rst");
        invalidUnrelated = counters.counter("ct.invalid.no_flow");
    }

    public ConnTrackConfig config() { return config; }

    /** Connections stored (nf_conntrack_count). */
    public int size() { return size; }

    /** The most connections ever stored at once (never above {@link ConnTrackConfig#maxEntries()}). */
    public int highWater() { return highWater; }

    /** The connection a key belongs to, in either direction. */
    public Optional<Connection> lookup(FlowKey key) { return Optional.ofNullable(table.get(key)); }

    /** A snapshot of the stored connections. */
    public List<Connection> connections() {
        List<Connection> out = new ArrayList<>(size);
        for (Map.Entry<FlowKey, Connection> e : table.entrySet())
            if (e.getKey().equals(e.getValue().original())) out.add(e.getValue());
        return out;
    }

    /** Classifies one packet and updates its connection's state, windows and timer. */
    public Result track(Packet p, long now) {
        if (p.isIcmpError()) return related(p);
        FlowKey key = p.key();
        Connection c = table.get(key);
        if (c == null) return start(p, key, now);
        Direction dir = key.equals(c.original()) ? Direction.ORIGINAL : Direction.REPLY;
        Result r = update(c, dir, p, now);
        if (r == REOPEN) {
            remove(c);
            deleted.increment();
            return start(p, key, now);
        }
        return r;
    }

    /** Stores the connection of a NEW packet the filter accepted; false (drop it) if the table is full of assured flows. */
    public boolean confirm(Result r, long now) {
        if (!r.needsConfirm()) return true;
        Connection c = r.connection().get();
        if (table.containsKey(c.original()) || table.containsKey(c.reply())) return true; // two first packets: the first one's entry stays
        if (size >= config.maxEntries() && !earlyDrop()) {
            insertFailed.increment();
            return false;
        }
        c.confirmed = true;
        table.put(c.original(), c);
        table.put(c.reply(), c);
        size++;
        highWater = Math.max(highWater, size);
        inserted.increment();
        if (!c.assured) evictable.add(c);
        schedule(c);
        return true;
    }

    /** Forgets a connection (e.g. the application closed it); true if it was stored. */
    public boolean delete(Connection c) {
        if (table.get(c.original()) != c) return false;
        remove(c);
        deleted.increment();
        return true;
    }

    @Override public long pollAt() {
        Due d = expiry.peek();
        return d == null ? Time.NEVER : d.at;
    }

    @Override public void poll(long now) {
        Due d;
        while ((d = expiry.peek()) != null && d.at <= now) {
            expiry.poll();
            Connection c = d.c;
            if (d.at != c.queuedAt || table.get(c.original()) != c) continue; // a stale entry
            if (c.deadline > now) {
                c.queuedAt = c.deadline;
                expiry.add(new Due(c.deadline, c));
            } else {
                remove(c);
                expired.increment();
            }
        }
    }

    // ---- internals -------------------------------------------------------------------------

    /** Marker (compared by identity) from update to track: the SYN reopens a closed connection. */
    private static final Result REOPEN = Result.invalid();

    private Result start(Packet p, FlowKey key, long now) {
        Connection c = new Connection(key, now);
        switch (p.transport()) {
            case Packet.Transport.Tcp(var th, int plen) -> {
                if (!TcpTracking.start(c, th, plen, config.tcpLoose())) return invalid(invalidState);
            }
            case Packet.Transport.Icmp(IcmpRepr m) -> {
                if (!(m instanceof IcmpRepr.EchoRequest)) return invalid(invalidUnrelated); // a reply to nothing, or an unknown type
            }
            case Packet.Transport.Icmp6(Icmpv6Repr m) -> {
                if (!(m instanceof Icmpv6Repr.EchoRequest)) return invalid(invalidUnrelated);
            }
            case Packet.Transport.Udp u -> { }
            case Packet.Transport.Other o -> { }
        }
        Result r = update(c, Direction.ORIGINAL, p, now);
        return r == REOPEN ? invalid(invalidState) : r;
    }

    private Result update(Connection c, Direction dir, Packet p, long now) {
        long timeout;
        switch (p.transport()) {
            case Packet.Transport.Tcp(var th, int plen) -> {
                TcpTracking.Outcome o = TcpTracking.segment(c, dir, th, plen, config);
                switch (o) {
                    case ACCEPTED -> timeout = TcpTracking.timeout(c, config);
                    case IGNORED -> {
                        ignored.increment();
                        account(c, dir, p);
                        return classify(c, dir);
                    }
                    case INVALID_STATE -> { return invalid(invalidState); }
                    case OUT_OF_WINDOW -> { return invalid(invalidWindow); }
                    case INVALID_RST -> { return invalid(invalidRst); }
                    case REOPEN -> { return REOPEN; }
                    case RESET_UNREPLIED -> {
                        Result r = classify(c, dir);
                        if (c.confirmed) {
                            remove(c);
                            deleted.increment();
                        }
                        return r;
                    }
                    default -> throw new IllegalStateException("unreachable: " + o);
                }
            }
            case Packet.Transport.Udp u -> {
                // Linux nf_conntrack_udp_packet: replied and still active 2 s after creation -> a stream
                if (c.seenReply && now - c.created() > Time.s(2)) {
                    timeout = config.udpStream();
                    if (!c.assured) assure(c);
                } else {
                    timeout = config.udp();
                }
            }
            case Packet.Transport.Icmp(IcmpRepr m) -> {
                boolean fits = dir == Direction.ORIGINAL ? m instanceof IcmpRepr.EchoRequest : m instanceof IcmpRepr.EchoReply;
                if (!fits) return invalid(invalidUnrelated);
                timeout = config.icmp();
            }
            case Packet.Transport.Icmp6(Icmpv6Repr m) -> {
                boolean fits = dir == Direction.ORIGINAL ? m instanceof Icmpv6Repr.EchoRequest : m instanceof Icmpv6Repr.EchoReply;
                if (!fits) return invalid(invalidUnrelated);
                timeout = config.icmp();
            }
            case Packet.Transport.Other o -> timeout = config.generic();
        }
        Result r = classify(c, dir);
        account(c, dir, p);
        if (dir == Direction.REPLY) c.seenReply = true;
        if (c.confirmed) {
            if (!c.assured || c.tcpState.closing()) evictable.add(c);
            else evictable.remove(c);
        }
        c.deadline = now + timeout;
        if (c.confirmed) schedule(c);
        return r;
    }

    private static Result classify(Connection c, Direction dir) {
        CtState s = dir == Direction.REPLY || c.seenReply ? CtState.ESTABLISHED : CtState.NEW;
        return new Result(s, dir, Optional.of(c));
    }

    private static void account(Connection c, Direction dir, Packet p) {
        c.packets[dir.ordinal()]++;
        c.bytes[dir.ordinal()] += p.length();
    }

    private void assure(Connection c) {
        c.assured = true;
        evictable.remove(c);
    }

    private Result related(Packet p) {
        Optional<FlowKey> q = p.quotedKey();
        if (q.isEmpty()) return invalid(invalidUnrelated);
        Connection c = table.get(q.get());
        // RFC 1812 4.3.2.3 / Linux nf_conntrack_inet_error: the error goes back to the quoted
        // datagram's sender, so its destination must be the quoted source
        if (c == null || !p.dst().equals(q.get().src().address())) return invalid(invalidUnrelated);
        related.increment();
        Direction quotedDir = q.get().equals(c.original()) ? Direction.ORIGINAL : Direction.REPLY;
        return new Result(CtState.RELATED, quotedDir.opposite(), Optional.of(c));
    }

    private Result invalid(Counters.Counter why) {
        invalid.increment();
        why.increment();
        return Result.invalid();
    }

    private boolean earlyDrop() {
        Iterator<Connection> it = evictable.iterator();
        if (!it.hasNext()) return false;
        Connection victim = it.next();
        remove(victim);
        earlyDrop.increment();
        return true;
    }

    private void schedule(Connection c) {
        if (c.deadline < c.queuedAt || c.queuedAt == Long.MIN_VALUE) {
            c.queuedAt = c.deadline;
            expiry.add(new Due(c.deadline, c));
        }
    }

    private void remove(Connection c) {
        if (table.remove(c.original()) == c) {
            table.remove(c.reply());
            size--;
        }
        evictable.remove(c);
        c.queuedAt = Long.MIN_VALUE; // its queue entries are stale now
    }
}
