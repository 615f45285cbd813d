package org.netstack4j.lab;

import java.util.List;
import java.util.Objects;
import org.netstack4j.tcp.TcpState;

/**
 * A scenario's merged, time-ordered events for two hosts (hosts.get(0) is drawn on the left,
 * the "client"; hosts.get(1) on the right, the "server").
 */
public record LabRun(String scenario, List<String> hosts, List<LabEvent> events) {
    public LabRun {
        Objects.requireNonNull(scenario);
        hosts = List.copyOf(hosts);
        if (hosts.size() != 2) throw new IllegalArgumentException("a lab run has exactly two hosts: " + hosts);
        events = List.copyOf(events);
    }

    public String left() { return hosts.get(0); }

    public String right() { return hosts.get(1); }

    public String peer(String host) { return host.equals(left()) ? right() : left(); }

    /**
     * The initial send sequence number of host: seq of its first SYN, else its first segment's
     * seq, else 0. Used for --relative-seq.
     */
    public long isn(String host) {
        Long first = null;
        for (LabEvent e : events) {
            if (e instanceof LabEvent.Segment s && s.from().equals(host)) {
                if (s.has("SYN")) return s.seq();
                if (first == null) first = s.seq();
            }
        }
        return first == null ? 0 : first;
    }

    /**
     * The state host is in before its first traced change (CLOSED when it never changes). A first
     * change CLOSED -> SYN_RECEIVED is a connection born from a listener (RFC 9293 3.3.2: SYN-RECEIVED
     * is entered from LISTEN or SYN-SENT only), so the host is shown in LISTEN.
     */
    public TcpState initialState(String host) {
        for (LabEvent e : events) {
            if (e instanceof LabEvent.State st && st.host().equals(host))
                return st.from() == TcpState.CLOSED && st.to() == TcpState.SYN_RECEIVED ? TcpState.LISTEN : st.from();
        }
        return TcpState.CLOSED;
    }

    /** Segments only, in order. */
    public List<LabEvent.Segment> segments() {
        return events.stream().filter(e -> e instanceof LabEvent.Segment)
                .map(e -> (LabEvent.Segment) e).toList();
    }
}
