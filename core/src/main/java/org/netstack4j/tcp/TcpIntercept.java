package org.netstack4j.tcp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import org.netstack4j.tcp.seqnum.Seq;
import org.netstack4j.time.Time;
import org.netstack4j.trace.Counters.Counter;
import org.netstack4j.trace.DropReason;
import org.netstack4j.trace.FourTuple;
import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.IpMeta;
import org.netstack4j.wire.TcpRepr;

/**
 * TCP flow interception, the tun2socks core ({@link TcpLayer#intercept}): a SYN that no
 * connection or listener takes (on an intercepting interface, to ANY address and port, see
 * {@code IpStack.setIntercept}) is held, and the application gets it as a {@link HeldSyn} with
 * the original 4-tuple <em>before</em> anything is answered. It decides:
 * {@link HeldSyn#accept} (the SYN,ACK goes out only now; typically once its upstream connect
 * succeeded), or {@link HeldSyn#refuse} with a RST ("connection refused" at the client at once),
 * an ICMP destination unreachable, or silence. Answering inside {@link Handler#onSyn} is an
 * immediate accept.
 *
 * <p>A held SYN costs one small entry until the answer. Bounded and counted
 * ({@code tcp.intercept.*}): at most {@link Config#maxPending} held SYNs, each answered with
 * {@link Config#onTimeout} after {@link Config#pendingTimeoutNs}; at most {@link Config#maxFlows}
 * intercepted connections alive (held or accepted and not yet CLOSED); a SYN over either limit is
 * answered with {@link Config#onLimit}. The client's retransmitted SYNs while held are absorbed,
 * and its RST forgets the held SYN. Accepted connections then live by TCP's own timers.
 */
public final class TcpIntercept {
    /** How a flow is refused: RST, an ICMP destination unreachable of some kind, or nothing at all. */
    public enum Refusal { RESET, NETWORK_UNREACHABLE, HOST_UNREACHABLE, PORT_UNREACHABLE, ADMIN_PROHIBITED, DROP }

    /** The limits and what happens at them. */
    public record Config(int maxPending, long pendingTimeoutNs, int maxFlows, Refusal onTimeout, Refusal onLimit) {
        public Config {
            if (maxPending < 1) throw new IllegalArgumentException("maxPending must be >= 1: " + maxPending);
            if (maxFlows < 1) throw new IllegalArgumentException("maxFlows must be >= 1: " + maxFlows);
            if (pendingTimeoutNs <= 0) throw new IllegalArgumentException("pending timeout must be > 0");
            Objects.requireNonNull(onTimeout, "onTimeout");
            Objects.requireNonNull(onLimit, "onLimit");
        }

        /**
         * 1024 held SYNs, answered within 30 s (a client's connect gives up after about two
         * minutes, Linux tcp_syn_retries 6), 16384 flows; a RST when the answer is late, and a
         * silent drop over a limit (the client's SYN retransmission tries again, as with a full
         * listen queue).
         */
        public static Config defaults() { return new Config(1024, Time.s(30), 16384, Refusal.RESET, Refusal.DROP); }
    }

    /** The application's side; called on the stack's thread. */
    @FunctionalInterface
    public interface Handler {
        /** A new flow: answer it now or later with {@link HeldSyn#accept} or {@link HeldSyn#refuse}. */
        void onSyn(long now, HeldSyn syn);
    }

    /** Sends the ICMP destination unreachable for a refusal (the IP layer's job; see {@code Host}). */
    @FunctionalInterface
    public interface IcmpSender {
        /** {@code meta}: the client's packet (client to original destination); {@code tcpHeader}: the SYN's header bytes. */
        void unreachable(long now, IpMeta meta, byte[] tcpHeader, Refusal why);
    }

    /** A SYN waiting for the application's answer. Use it on the stack's thread. */
    public final class HeldSyn {
        private final IpMeta meta;
        private final TcpRepr syn;
        private final FourTuple key;
        private final long heldAt;
        private boolean answered;

        private HeldSyn(IpMeta meta, TcpRepr syn, FourTuple key, long now) {
            this.meta = meta;
            this.syn = syn;
            this.key = key;
            this.heldAt = now;
        }

        public IpAddress clientAddress() { return meta.src(); }
        public int clientPort() { return syn.srcPort(); }
        /** The address the client connects to: the one this flow must be relayed to. */
        public IpAddress originalAddress() { return meta.dst(); }
        public int originalPort() { return syn.dstPort(); }
        /** The packet's metadata (interface index, TTL, traffic class). */
        public IpMeta meta() { return meta; }
        public long heldAt() { return heldAt; }
        /** Still waiting for an answer (not answered, timed out or reset by the client). */
        public boolean isPending() { return !answered; }

        /**
         * Accepts the flow: the connection (as the client's destination, to the client) is
         * created in SYN-RECEIVED and the SYN,ACK goes out now; {@code l} hears
         * {@code onEstablished} when the client's ACK arrives. Null when it is no longer pending
         * (timed out, reset by the client, answered already) or the TCP layer has no room (then
         * the client gets a RST); both counted.
         */
        public TcpConnection accept(long now, TcpEventListener l) {
            if (!take()) {
                late.increment();
                return null;
            }
            if (layer.connectionLimitReached() || layer.memoryExhausted()
                    || layer.find(meta.dst(), syn.dstPort(), meta.src(), syn.srcPort()) != null) {
                noRoom.increment();
                answer(now, this, Refusal.RESET);
                return null;
            }
            TcpConnection c = layer.newConnection(now, meta.dst(), syn.dstPort(), meta.src(), syn.srcPort(), null,
                    l == null ? TcpEventListener.NONE : l, layer.config());
            Rare.of(c).intercept = TcpIntercept.this; // told when the connection reaches CLOSED
            live++;
            accepted.increment();
            c.passiveOpen(now, syn);
            return c;
        }

        /** Refuses the flow; false (counted) when it was no longer pending. */
        public boolean refuse(long now, Refusal how) {
            Objects.requireNonNull(how, "how");
            if (!take()) {
                late.increment();
                return false;
            }
            answer(now, this, how);
            return true;
        }

        private boolean take() {
            if (answered) return false;
            answered = true;
            held.remove(key, this);
            return true;
        }

        @Override public String toString() {
            return "held SYN " + meta.src() + ":" + syn.srcPort() + " > " + meta.dst() + ":" + syn.dstPort();
        }
    }

    private final TcpLayer layer;
    private final Config config;
    private final Handler handler;
    private final IcmpSender icmp;
    /** Held SYNs in arrival order, so also in deadline order (one timeout for all). */
    private final LinkedHashMap<FourTuple, HeldSyn> held = new LinkedHashMap<>();
    /** Accepted intercepted connections not yet CLOSED. */
    private int live;
    private final Counter syns, accepted, refusedRst, refusedIcmp, refusedDrop, retransmittedSyns, clientResets,
            timeouts, pendingLimit, flowLimit, late, noRoom;

    TcpIntercept(TcpLayer layer, Config config, Handler handler, IcmpSender icmp) {
        this.layer = layer;
        this.config = config == null ? Config.defaults() : config;
        this.handler = Objects.requireNonNull(handler, "handler");
        this.icmp = icmp;
        var c = layer.counters();
        syns = c.counter("tcp.intercept.syns");
        accepted = c.counter("tcp.intercept.accepted");
        refusedRst = c.counter("tcp.intercept.refused.rst");
        refusedIcmp = c.counter("tcp.intercept.refused.icmp");
        refusedDrop = c.counter("tcp.intercept.refused.drop");
        retransmittedSyns = c.counter("tcp.intercept.syn_retransmits");
        clientResets = c.counter("tcp.intercept.client_resets");
        timeouts = c.counter("tcp.intercept.pending_timeouts");
        pendingLimit = c.counter("tcp.intercept.limit.pending");
        flowLimit = c.counter("tcp.intercept.limit.flows");
        late = c.counter("tcp.intercept.late_answers");
        noRoom = c.counter("tcp.intercept.no_room");
    }

    public Config config() { return config; }

    /** SYNs waiting for an answer. */
    public int pendingCount() { return held.size(); }

    /** Intercepted flows alive: held SYNs and accepted connections not yet CLOSED. */
    public int flowCount() { return held.size() + live; }

    /**
     * A segment that no connection or listener took. Returns true when it was the interceptor's
     * (a new or retransmitted SYN, a RST of a held one); false: the closed-port rules apply.
     */
    boolean segmentArrives(long now, IpMeta meta, TcpRepr seg) {
        FourTuple key = new FourTuple(meta.dst(), seg.dstPort(), meta.src(), seg.srcPort());
        if (seg.has(TcpRepr.RST)) {
            HeldSyn h = held.remove(key);
            if (h == null) return false;
            h.answered = true; // RFC 9293 3.10.7.3: the client gave up; its reset ends the attempt
            clientResets.increment();
            return true;
        }
        if (!seg.has(TcpRepr.SYN) || seg.has(TcpRepr.ACK) || seg.has(TcpRepr.FIN)) return false;
        if (held.containsKey(key)) {
            retransmittedSyns.increment();
            layer.drop(now, DropReason.POLICY, "intercept_syn_held", "SYN retransmitted while its flow awaits the application", tracedId(key), seg, 0);
            return true;
        }
        syns.increment();
        HeldSyn h = new HeldSyn(meta, seg, key, now);
        if (held.size() >= config.maxPending()) {
            pendingLimit.increment();
            layer.drop(now, DropReason.QUEUE_FULL, "intercept_pending_limit", "intercept: " + config.maxPending() + " SYNs already held", tracedId(key), seg, 0);
            answer(now, h, config.onLimit());
            return true;
        }
        if (flowCount() >= config.maxFlows()) {
            flowLimit.increment();
            layer.drop(now, DropReason.QUEUE_FULL, "intercept_flow_limit", "intercept: " + config.maxFlows() + " flows alive", tracedId(key), seg, 0);
            answer(now, h, config.onLimit());
            return true;
        }
        held.put(key, h);
        handler.onSyn(now, h);
        return true;
    }

    private String tracedId(FourTuple key) { return layer.tracer().enabled() ? key.toString() : null; }

    long nextDeadline() {
        if (held.isEmpty()) return Time.NEVER;
        return held.values().iterator().next().heldAt + config.pendingTimeoutNs();
    }

    void timers(long now) {
        List<HeldSyn> expired = new ArrayList<>();
        for (HeldSyn h : held.values()) {
            if (h.heldAt + config.pendingTimeoutNs() > now) break;
            expired.add(h);
        }
        for (HeldSyn h : expired) {
            if (!h.take()) continue;
            timeouts.increment();
            answer(now, h, config.onTimeout());
        }
    }

    /** An accepted connection of ours reached CLOSED. */
    void closed(TcpConnection c) { live--; }

    private void answer(long now, HeldSyn h, Refusal how) {
        switch (how) {
            case RESET -> {
                refusedRst.increment();
                // RFC 9293 3.10.7.1: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>, SEG.LEN 1 for the SYN
                layer.sendRst(now, h.meta.dst(), h.syn.dstPort(), h.meta.src(), h.syn.srcPort(), 0, Seq.add(h.syn.seq(), 1), true);
            }
            case NETWORK_UNREACHABLE, HOST_UNREACHABLE, PORT_UNREACHABLE, ADMIN_PROHIBITED -> {
                refusedIcmp.increment();
                if (icmp != null) {
                    byte[] header = new byte[h.syn.headerLength()];
                    h.syn.emit(h.meta.src(), h.meta.dst(), header, 0, new byte[0], 0, 0);
                    icmp.unreachable(now, h.meta, header, how);
                }
            }
            case DROP -> refusedDrop.increment();
        }
    }
}
