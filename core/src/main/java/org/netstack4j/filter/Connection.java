package org.netstack4j.filter;

/**
 * One tracked connection: its key as the first packet travelled (the reply's key is
 * {@code original().reverse()}), its state, timers and per-direction accounting. Owned and
 * changed by {@link ConnTrack}; readers get a live view.
 */
public final class Connection {
    /** Per-direction TCP window data after van Rooij / Linux's ip_ct_tcp_state. */
    static final class Window {
        static final int WSCALE = 1, SACK_PERM = 2, CLOSE_INIT = 4, BE_LIBERAL = 8, DATA_UNACKNOWLEDGED = 16, MAXACK_SET = 32;
        int end;       // td_end: highest seq + len sent
        int maxEnd;    // td_maxend: highest ack + window the other side allowed
        int maxWin;    // td_maxwin: largest window seen (unsigned)
        int maxAck;    // td_maxack: highest ack sent
        int scale;     // td_scale: window scale this side announced
        int flags;

        boolean has(int f) { return (flags & f) != 0; }

        @Override public String toString() {
            return "end=" + Integer.toUnsignedString(end) + " maxend=" + Integer.toUnsignedString(maxEnd)
                    + " maxwin=" + Integer.toUnsignedString(maxWin) + " scale=" + scale;
        }
    }

    private final FlowKey original;
    private final long created;
    boolean seenReply;
    boolean assured;
    boolean confirmed;
    long deadline;
    long queuedAt = Long.MIN_VALUE; // the deadline of this connection's live entry in the expiry queue
    final long[] packets = new long[2];
    final long[] bytes = new long[2];

    // TCP only
    TcpCtState tcpState = TcpCtState.NONE;
    final Window[] seen;
    Direction lastDir;
    TcpTracking.Kind lastKind;
    int lastSeq, lastAck, lastEnd, lastWin, retrans;
    int lastScale, lastOptionFlags; // of the last ignored SYN

    Connection(FlowKey original, long now) {
        this.original = original;
        this.created = now;
        this.seen = original.protocol() == org.netstack4j.wire.Ipv4Repr.PROTO_TCP
                ? new Window[] {new Window(), new Window()} : null;
    }

    public FlowKey original() { return original; }
    public FlowKey reply() { return original.reverse(); }
    /** The key packets of this direction carry. */
    public FlowKey key(Direction d) { return d == Direction.ORIGINAL ? original : original.reverse(); }
    public long created() { return created; }
    /** When the connection expires unless a packet refreshes it. */
    public long deadline() { return deadline; }
    public boolean seenReply() { return seenReply; }
    /** Seen enough both ways that early drop spares it (Linux IPS_ASSURED). */
    public boolean assured() { return assured; }
    /** TCP state; NONE for other protocols. */
    public TcpCtState tcpState() { return tcpState; }
    public long packets(Direction d) { return packets[d.ordinal()]; }
    public long bytes(Direction d) { return bytes[d.ordinal()]; }

    Window window(Direction d) { return seen[d.ordinal()]; }

    /** conntrack -L style. */
    @Override public String toString() {
        return original + (seen != null ? " " + tcpState : "") + (seenReply ? "" : " [UNREPLIED]") + (assured ? " [ASSURED]" : "");
    }
}
