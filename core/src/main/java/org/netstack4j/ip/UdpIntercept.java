package org.netstack4j.ip;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import org.netstack4j.time.Time;
import org.netstack4j.trace.Counters.Counter;
import org.netstack4j.trace.DropReason;
import org.netstack4j.wire.IpAddress;
import org.netstack4j.wire.IpMeta;
import org.netstack4j.wire.Ipv4Repr;
import org.netstack4j.wire.UdpRepr;

/**
 * UDP flow interception (the gateway's half for UDP, {@link IpStack#interceptUdp}): datagrams
 * to another host that no bound socket takes become {@link Session}s, one per client endpoint
 * (address and port), whatever the destination. That is RFC 4787's endpoint-independent
 * mapping (REQ-1): a client socket talking to several servers is one session, so the
 * application relays it through one upstream socket, and answers from any server are sent back
 * to the client from that server's address and port ({@link Session#send}), as a full-cone NAT
 * would.
 *
 * <p>Bounded: at most {@link Config#maxSessions} sessions (a datagram that would open one more is
 * dropped and counted); a session idle (no datagram either way) for {@link Config#idleTimeoutNs}
 * ends ({@link Handler#onClosed}). RFC 4787 REQ-5: the mapping timer MUST NOT expire in less than
 * two minutes (the default); REQ-6: it is refreshed by outbound traffic, and here by inbound too.
 * Nothing is buffered here: each datagram goes to the handler as it arrives.
 */
public final class UdpIntercept {
    /** The limits: sessions at once and the idle timeout (RFC 4787 REQ-5: at least 2 min by default). */
    public record Config(int maxSessions, long idleTimeoutNs) {
        public Config {
            if (maxSessions < 1) throw new IllegalArgumentException("maxSessions must be >= 1: " + maxSessions);
            if (idleTimeoutNs <= 0) throw new IllegalArgumentException("idle timeout must be > 0");
        }

        public static Config defaults() { return new Config(4096, Time.s(120)); }
    }

    /** The application's side; called on the stack's thread. */
    public interface Handler {
        /** A client endpoint sent its first datagram: a new session (its datagram follows in {@link #onDatagram}). */
        void onSession(long now, Session s);

        /** A datagram of the session's client to {@code dst:dstPort} (the original destination); {@code data} is the application's. */
        void onDatagram(long now, Session s, IpAddress dst, int dstPort, byte[] data);

        /** The session ended: idle timeout, {@link Session#close} or the interceptor turned off. */
        default void onClosed(long now, Session s, String reason) {}
    }

    private record Key(IpAddress address, int port) {}

    /** One client endpoint's flow. Use it on the stack's thread. */
    public final class Session {
        private final Key key;
        private final int ifaceIndex;
        private final long createdAt;
        private long lastActive;
        private boolean closed;
        /** Free for the application (its upstream socket, say). */
        public Object attachment;

        private Session(Key key, int ifaceIndex, long now) {
            this.key = key;
            this.ifaceIndex = ifaceIndex;
            this.createdAt = now;
            this.lastActive = now;
        }

        public IpAddress clientAddress() { return key.address; }
        public int clientPort() { return key.port; }
        /** The interface the client's first datagram arrived on ({@link IpMeta#ifaceIndex}). */
        public int ifaceIndex() { return ifaceIndex; }
        public long createdAt() { return createdAt; }
        public long lastActive() { return lastActive; }
        public boolean isClosed() { return closed; }

        /**
         * Sends data[off .. off+len) to the client from {@code from:fromPort} (the server that
         * answered: the client sees it come from the address it sent to). Refreshes the session.
         * False if the session is closed or IP dropped it (no route, too long; counted there).
         */
        public boolean send(long now, IpAddress from, int fromPort, byte[] data, int off, int len) {
            Objects.requireNonNull(from, "from");
            Objects.checkFromIndexSize(off, len, data.length);
            if (closed) return false;
            if (fromPort <= 0 || fromPort > 65535) throw new IllegalArgumentException("bad port " + fromPort);
            if (len > UdpSocket.MAX_PAYLOAD) {
                tooLong.increment();
                return false;
            }
            touch(now);
            out.increment();
            return stack.send(now, from, key.address, Ipv4Repr.PROTO_UDP, 0, IpMeta.DEFAULT_TTL, false, UdpRepr.HEADER_LENGTH + len,
                    (buf, at) -> new UdpRepr(fromPort, key.port).emit(from, key.address, buf, at, data, off, len));
        }

        /** Ends the session now ({@link Handler#onClosed} is called). */
        public void close(long now) { end(now, this, "closed by the application"); }

        private void touch(long now) {
            lastActive = Math.max(lastActive, now);
            sessions.get(key); // access order: the least recently active session comes first
        }

        @Override public String toString() { return "udp session " + key.address + ":" + key.port; }
    }

    private final IpStack stack;
    private final Config config;
    private final Handler handler;
    private final IpTrace trace;
    private final LinkedHashMap<Key, Session> sessions = new LinkedHashMap<>(16, 0.75f, true);
    private final Counter opened, in, out, idleTimeouts, sessionLimit, closedCount, tooLong;

    UdpIntercept(IpStack stack, IpCounters c, IpTrace trace, Config config, Handler handler) {
        this.stack = stack;
        this.trace = trace;
        this.config = config == null ? Config.defaults() : config;
        this.handler = Objects.requireNonNull(handler, "handler");
        opened = c.named("udp.intercept.sessions");
        in = c.named("udp.intercept.datagrams_in");
        out = c.named("udp.intercept.datagrams_out");
        idleTimeouts = c.named("udp.intercept.idle_timeouts");
        sessionLimit = c.named("udp.intercept.drop.session_limit");
        closedCount = c.named("udp.intercept.closed");
        tooLong = c.named("udp.intercept.drop.too_long");
    }

    public Config config() { return config; }

    /** Sessions open now. */
    public int sessionCount() { return sessions.size(); }

    /** A snapshot of the open sessions, least recently active first. */
    public List<Session> sessions() { return List.copyOf(sessions.values()); }

    /** A datagram no socket took, to another host: always taken here (delivered, or dropped and counted). */
    void input(long now, IpMeta meta, int srcPort, int dstPort, byte[] data, String ip) {
        Key k = new Key(meta.src(), srcPort);
        Session s = sessions.get(k);
        if (s == null) {
            if (sessions.size() >= config.maxSessions()) {
                sessionLimit.increment();
                trace.drop(now, "udp", DropReason.QUEUE_FULL, "intercept: session limit (" + config.maxSessions() + ") reached", ip);
                return;
            }
            s = new Session(k, meta.ifaceIndex(), now);
            sessions.put(k, s);
            opened.increment();
            handler.onSession(now, s);
            if (s.closed) return;
        }
        s.touch(now);
        in.increment();
        handler.onDatagram(now, s, meta.dst(), dstPort, data);
    }

    /** When the least recently active session times out ({@link Time#NEVER}: none open). */
    public long nextDeadline() {
        if (sessions.isEmpty()) return Time.NEVER;
        return sessions.values().iterator().next().lastActive + config.idleTimeoutNs();
    }

    void timers(long now) {
        List<Session> expired = new ArrayList<>();
        for (Iterator<Session> it = sessions.values().iterator(); it.hasNext(); ) {
            Session s = it.next();
            if (s.lastActive + config.idleTimeoutNs() > now) break;
            expired.add(s);
        }
        for (Session s : expired) {
            idleTimeouts.increment();
            end(now, s, "idle timeout");
        }
    }

    /** Ends every session (the interceptor is being replaced or turned off). */
    void closeAll(long now) {
        for (Session s : List.copyOf(sessions.values())) end(now, s, "interception turned off");
    }

    private void end(long now, Session s, String reason) {
        if (s.closed) return;
        s.closed = true;
        sessions.remove(s.key);
        closedCount.increment();
        handler.onClosed(now, s, reason);
    }
}
