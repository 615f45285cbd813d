package org.netstack4j.filter;

import static org.netstack4j.filter.TcpCtState.CLOSE;
import static org.netstack4j.filter.TcpCtState.CLOSE_WAIT;
import static org.netstack4j.filter.TcpCtState.ESTABLISHED;
import static org.netstack4j.filter.TcpCtState.FIN_WAIT;
import static org.netstack4j.filter.TcpCtState.IGNORE;
import static org.netstack4j.filter.TcpCtState.INVALID;
import static org.netstack4j.filter.TcpCtState.LAST_ACK;
import static org.netstack4j.filter.TcpCtState.NONE;
import static org.netstack4j.filter.TcpCtState.SYN_RECV;
import static org.netstack4j.filter.TcpCtState.SYN_SENT;
import static org.netstack4j.filter.TcpCtState.SYN_SENT2;
import static org.netstack4j.filter.TcpCtState.TIME_WAIT;

import org.netstack4j.filter.Connection.Window;
import org.netstack4j.wire.TcpOption;
import org.netstack4j.wire.TcpRepr;

/**
 * TCP connection tracking: Linux nf_conntrack_proto_tcp's state table and its window tracking
 * after Guido van Rooij, "Real Stateful TCP Packet Filtering in IP Filter" (2000). Per direction
 * the tracker keeps td_end (highest seq + len sent), td_maxend (highest ack + window the receiver
 * offered), td_maxwin (largest window) and td_scale; a segment passes when
 * <pre>
 *   I.   seq &lt;= sender.td_maxend                          (not beyond what was offered)
 *   II.  seq + len &gt;= sender.td_end - receiver.td_maxwin   (not older than a window)
 *   III. sack &lt;= receiver.td_end                          (acks nothing unsent)
 *   IV.  sack &gt;= receiver.td_end - MAXACKWINDOW           (acks nothing too old)
 * </pre>
 * Sequence numbers compare modulo 2^32 with {@link #before}/{@link #after} (this package may not
 * import tcp.Seq).
 */
final class TcpTracking {
    private TcpTracking() {}

    /** The segment's row in the table, from its flags (Linux get_conntrack_index). */
    enum Kind {
        SYN, SYNACK, FIN, ACK, RST, NONE;

        static Kind of(int flags) {
            if ((flags & TcpRepr.RST) != 0) return RST;
            if ((flags & TcpRepr.SYN) != 0) return (flags & TcpRepr.ACK) != 0 ? SYNACK : SYN;
            if ((flags & TcpRepr.FIN) != 0) return FIN;
            if ((flags & TcpRepr.ACK) != 0) return ACK;
            return NONE;
        }
    }

    /** What one segment did to its connection. */
    enum Outcome { ACCEPTED, IGNORED, INVALID_STATE, OUT_OF_WINDOW, INVALID_RST, REOPEN, RESET_UNREPLIED }

    private static final TcpCtState sNO = NONE, sSS = SYN_SENT, sSR = SYN_RECV, sES = ESTABLISHED, sFW = FIN_WAIT,
            sCW = CLOSE_WAIT, sLA = LAST_ACK, sTW = TIME_WAIT, sCL = CLOSE, sS2 = SYN_SENT2, sIV = INVALID, sIG = IGNORE;

    /**
     * [direction][kind][old state] -> new state, Linux's tcp_conntracks. Columns:
     * sNO, sSS, sSR, sES, sFW, sCW, sLA, sTW, sCL, sS2. E.g. ORIGINAL syn in TIME_WAIT -> SYN_SENT
     * (reopen, RFC 1122 4.2.2.13); REPLY synack in SYN_SENT -> SYN_RECV; ACK in LAST_ACK -> TIME_WAIT.
     */
    private static final TcpCtState[][][] TABLE = {
        { // ORIGINAL
            /* syn    */ {sSS, sSS, sIG, sIG, sIG, sIG, sIG, sSS, sSS, sS2},
            /* synack */ {sIV, sIV, sSR, sIV, sIV, sIV, sIV, sIV, sIV, sSR},
            /* fin    */ {sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV},
            /* ack    */ {sES, sIV, sES, sES, sCW, sCW, sTW, sTW, sCL, sIV},
            /* rst    */ {sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL},
            /* none   */ {sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV},
        },
        { // REPLY
            /* syn    */ {sIV, sS2, sIV, sIV, sIV, sIV, sIV, sSS, sIV, sS2},
            /* synack */ {sIV, sSR, sIG, sIG, sIG, sIG, sIG, sIG, sIG, sSR},
            /* fin    */ {sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV},
            /* ack    */ {sIV, sIG, sSR, sES, sCW, sCW, sTW, sTW, sCL, sIG},
            /* rst    */ {sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL},
            /* none   */ {sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV},
        },
    };

    static TcpCtState next(Direction dir, Kind kind, TcpCtState old) {
        if (old.ordinal() > SYN_SENT2.ordinal()) throw new IllegalArgumentException("not a connection state: " + old);
        return TABLE[dir.ordinal()][kind.ordinal()][old.ordinal()];
    }

    static boolean before(int a, int b) { return a - b < 0; }
    static boolean after(int a, int b) { return a - b > 0; }

    /** The first segment of a connection: may it start one, and with which window data (Linux tcp_new)? */
    static boolean start(Connection c, TcpRepr th, int payloadLength, boolean loose) {
        TcpCtState s = next(Direction.ORIGINAL, Kind.of(th.flags()), NONE);
        if (s == INVALID) return false;
        Window sender = c.window(Direction.ORIGINAL), receiver = c.window(Direction.REPLY);
        int end = th.seq() + th.sequenceLength(payloadLength);
        if (s == SYN_SENT) {
            sender.end = sender.maxEnd = end;
            sender.maxWin = Math.max(th.window(), 1);
            readOptions(th, sender);
            return true;
        }
        if (!loose) return false;
        // An ACK of a connection we have not seen open (nf_conntrack_tcp_loose): take the windows
        // from this segment and be liberal, since the window scales are unknown.
        sender.end = end;
        sender.maxWin = Math.max(th.window(), 1);
        sender.maxEnd = end + sender.maxWin;
        sender.flags = receiver.flags = Window.SACK_PERM | Window.BE_LIBERAL;
        return true;
    }

    /** A segment of a tracked connection (Linux nf_conntrack_tcp_packet); updates state and windows. */
    static Outcome segment(Connection c, Direction dir, TcpRepr th, int payloadLength, ConnTrackConfig cfg) {
        TcpCtState old = c.tcpState;
        Kind kind = Kind.of(th.flags());
        TcpCtState next = next(dir, kind, old);
        Window sender = c.window(dir), receiver = c.window(dir.opposite());
        switch (next) {
            case SYN_SENT -> {
                if (old == TIME_WAIT || old == CLOSE) {
                    // RFC 1122 4.2.2.13: a SYN may reopen a closed connection. Linux lets it when the
                    // connection was closed with FINs or by our own RST; otherwise it is ignored.
                    if (((sender.flags | receiver.flags) & Window.CLOSE_INIT) != 0
                            || (c.lastDir == dir && c.lastKind == Kind.RST)) return Outcome.REOPEN;
                    remember(c, dir, kind, th, payloadLength);
                    return Outcome.IGNORED;
                }
            }
            case IGNORE -> {
                if (kind == Kind.SYNACK && c.lastKind == Kind.SYN && c.lastDir != dir && th.ack() == c.lastEnd) {
                    // The SYN,ACK answers the SYN ignored just before: the peers opened a new
                    // connection on the tuple of one we still hold (a port reused after a close we
                    // missed). Start over from that SYN, as Linux does.
                    Window opener = c.window(c.lastDir);
                    opener.end = opener.maxEnd = c.lastEnd;
                    opener.maxWin = Math.max(c.lastWin, 1);
                    opener.scale = c.lastScale;
                    opener.flags = c.lastOptionFlags;
                    opener.maxAck = 0;
                    Window answerer = c.window(dir);
                    answerer.end = answerer.maxEnd = answerer.maxWin = answerer.maxAck = answerer.scale = 0;
                    answerer.flags = 0;
                    old = SYN_SENT;
                    next = SYN_RECV;
                    c.assured = false;
                    break;
                }
                // a SYN in a later state, a retransmitted SYN,ACK: may be valid or not, the
                // receiver will answer with a RST or an ACK that tells; pass it, change nothing
                remember(c, dir, kind, th, payloadLength);
                return Outcome.IGNORED;
            }
            case INVALID -> { return Outcome.INVALID_STATE; }
            case CLOSE -> {
                if (kind == Kind.RST && receiver.has(Window.MAXACK_SET) && c.lastKind != Kind.SYN) {
                    int seq = th.seq();
                    boolean established = old == ESTABLISHED;
                    if (!(seq == 0 && !established)) { // seq 0 without ESTABLISHED: the answer to a SYN
                        // RFC 5961 3.2: a RST must carry exactly the next expected sequence number
                        if (before(seq, receiver.maxAck)) return Outcome.INVALID_RST;
                        boolean exact = seq == receiver.maxAck
                                || (c.lastKind == Kind.ACK && c.lastDir == dir && seq == c.lastEnd); // RST after a data train
                        if (established && !exact) next = old; // in window, not exact: keep the flow for a challenge ACK
                    }
                }
            }
            case NONE, SYN_RECV, ESTABLISHED, FIN_WAIT, CLOSE_WAIT, LAST_ACK, TIME_WAIT, SYN_SENT2 -> { }
        }
        if (!inWindow(c, dir, old, th, payloadLength, cfg.tcpBeLiberal())) return Outcome.OUT_OF_WINDOW;
        if (old != next && next == FIN_WAIT) sender.flags |= Window.CLOSE_INIT;
        c.tcpState = next;
        if (!c.seenReply && kind == Kind.RST) return Outcome.RESET_UNREPLIED; // only a RST came back: no connection
        if (!c.assured && c.seenReply && (old == SYN_RECV || old == ESTABLISHED) && next == ESTABLISHED) c.assured = true;
        return Outcome.ACCEPTED;
    }

    /** The idle timeout after a segment: the state's, shortened for retransmissions and unacknowledged data. */
    static long timeout(Connection c, ConnTrackConfig cfg) {
        long t = cfg.tcpTimeout(c.tcpState);
        if (c.retrans >= cfg.tcpMaxRetrans()) t = Math.min(t, cfg.tcpTimeoutMaxRetrans());
        else if (c.seen[0].has(Window.DATA_UNACKNOWLEDGED) || c.seen[1].has(Window.DATA_UNACKNOWLEDGED))
            t = Math.min(t, cfg.tcpUnacknowledged());
        return t;
    }

    private static void remember(Connection c, Direction dir, Kind kind, TcpRepr th, int payloadLength) {
        c.lastDir = dir;
        c.lastKind = kind;
        c.lastSeq = th.seq();
        c.lastEnd = th.seq() + th.sequenceLength(payloadLength);
        c.lastWin = th.window();
        if (kind == Kind.SYN) { // kept for a resync by the SYN,ACK that may answer it
            Window w = new Window();
            readOptions(th, w);
            c.lastScale = w.scale;
            c.lastOptionFlags = w.flags;
        }
    }

    private static void readOptions(TcpRepr th, Window w) {
        w.scale = 0;
        w.flags &= ~(Window.WSCALE | Window.SACK_PERM);
        for (TcpOption o : th.options()) {
            switch (o) {
                case TcpOption.WindowScale ws -> { w.scale = Math.min(ws.shift(), 14); w.flags |= Window.WSCALE; } // RFC 7323 2.3
                case TcpOption.SackPermitted sp -> w.flags |= Window.SACK_PERM;
                default -> { }
            }
        }
    }

    private static int highestSack(TcpRepr th, int ack) {
        int sack = ack;
        TcpOption.Sack s = th.option(TcpOption.Sack.class);
        if (s != null) for (TcpOption.SackBlock b : s.blocks()) if (after(b.right(), sack)) sack = b.right();
        return sack;
    }

    private static int maxAckWindow(Window sender) {
        return Integer.compareUnsigned(sender.maxWin, 66000) > 0 ? sender.maxWin : 66000;
    }

    /** Linux tcp_in_window: checks I-IV and, when they hold, moves the window data forward. */
    static boolean inWindow(Connection c, Direction dir, TcpCtState state, TcpRepr th, int payloadLength, boolean beLiberal) {
        Window sender = c.window(dir), receiver = c.window(dir.opposite());
        boolean syn = th.has(TcpRepr.SYN), ackFlag = th.has(TcpRepr.ACK), rst = th.has(TcpRepr.RST);
        int seq = th.seq();
        int ack = th.ack();
        int sack = receiver.has(Window.SACK_PERM) ? highestSack(th, ack) : ack;
        int win = th.window();
        int end = seq + th.sequenceLength(payloadLength);

        if (sender.maxWin == 0) {
            if (syn) { // the SYN,ACK answering a SYN, or the reply side's SYN in a simultaneous open
                sender.end = sender.maxEnd = end;
                sender.maxWin = Math.max(win, 1);
                readOptions(th, sender);
                // RFC 7323 2.2: scaling is on only if both sides sent the option
                if (!(sender.has(Window.WSCALE) && receiver.has(Window.WSCALE))) sender.scale = receiver.scale = 0;
                if (!ackFlag) return true;
            } else { // picked up midstream: take what this segment tells
                sender.end = end;
                int swin = win << sender.scale;
                sender.maxWin = swin == 0 ? 1 : swin;
                sender.maxEnd = end + sender.maxWin;
                if (receiver.maxWin == 0) receiver.end = receiver.maxEnd = sack;
            }
        } else if (((state == SYN_SENT && dir == Direction.ORIGINAL) || (state == SYN_RECV && dir == Direction.REPLY))
                && after(end, sender.end)) {
            // RFC 9293 3.4.1: a reinitialised TCP may resend its SYN with a new ISN
            sender.end = sender.maxEnd = end;
            sender.maxWin = Math.max(win, 1);
            readOptions(th, sender);
        }

        if (!ackFlag) {
            ack = sack = receiver.end; // no ACK: pretend it acknowledged what it could
        } else if (rst && ack == 0) {
            ack = sack = receiver.end; // stacks that send RST,ACK with ack 0
        }
        if (seq == end && (!rst || (seq == 0 && state == SYN_SENT))) {
            seq = end = sender.end; // no data: only the ack is checked (a RST always by its seq, bar the answer to a SYN)
        }

        boolean ok = !after(seq, sender.maxEnd)                                             // I
                && after(end, sender.end - receiver.maxWin - 1)                               // II
                && !after(sack, receiver.end)                                                 // III
                && after(sack, receiver.end - maxAckWindow(sender) - 1);                      // IV
        if (!ok && !(sender.has(Window.BE_LIBERAL) || receiver.has(Window.BE_LIBERAL) || (beLiberal && !rst)))
            return false;

        // retransmission count: the same segment again
        if (c.lastDir == dir && seq == c.lastSeq && th.ack() == c.lastAck && end == c.lastEnd && win == c.lastWin) {
            c.retrans++;
        } else {
            c.lastDir = dir;
            c.lastSeq = seq;
            c.lastAck = th.ack();
            c.lastEnd = end;
            c.lastWin = win;
            c.retrans = 0;
        }
        c.lastKind = Kind.of(th.flags());

        if (!syn) win <<= sender.scale;
        int swin = win + (sack - ack);
        if (Integer.compareUnsigned(sender.maxWin, swin) < 0) sender.maxWin = swin;
        if (after(end, sender.end)) {
            sender.end = end;
            sender.flags |= Window.DATA_UNACKNOWLEDGED;
        }
        if (ackFlag) {
            if (!sender.has(Window.MAXACK_SET)) {
                sender.maxAck = ack;
                sender.flags |= Window.MAXACK_SET;
            } else if (after(ack, sender.maxAck)) {
                sender.maxAck = ack;
            }
        }
        if (receiver.maxWin != 0 && after(end, sender.maxEnd)) receiver.maxWin += end - sender.maxEnd;
        if (after(sack + win, receiver.maxEnd - 1)) {
            receiver.maxEnd = sack + win;
            if (win == 0) receiver.maxEnd++;
        }
        if (ack == receiver.end) receiver.flags &= ~Window.DATA_UNACKNOWLEDGED;
        return true;
    }
}
