package org.netstack4j.tcp.recovery;

import org.netstack4j.tcp.cc.CongestionControl;
import org.netstack4j.wire.TcpRepr;

/**
 * How a sender finds and repairs lost segments (gVisor's lossRecovery seam): duplicate ACK
 * counting, fast retransmit and fast recovery with RFC 6582's recovery point ({@link FastRecovery}),
 * and with SACK the RFC 6675 scoreboard, pipe and IsLost, PRR (RFC 6937), D-SACK undo (RFC
 * 2883), early retransmit (RFC 5827) and the tail loss probe (RFC 8985 7). {@link RenoRecovery}
 * is the one without SACK, {@link SackRecovery} the one with, its losses found by duplicate
 * ACKs (RFC 6675 IsLost) or by time ({@link Rack}, RACK-TLP, RFC 8985). It drives the {@link CongestionControl}, owns the window while a recovery runs, and
 * acts through the {@link RecoverySender} of its connection. Methods are hooks on the
 * sender's events, called in the order their comments give.
 */
public interface LossRecovery {
    /** RFC 5681 DupThresh, Linux's initial tp->reordering (sysctl tcp_reordering): the reordering degree until more is seen. */
    int DUP_THRESH = 3;

    /** The congestion controller this recovery drives. */
    CongestionControl cc();

    // ---- what the sender sends with

    /** The congestion window in use: the recovery's while one runs, else the controller's cwnd. */
    long cwnd();

    /** {@link #cwnd()} plus what RFC 3042 limited transmit allows beyond it. */
    long sendWindow();

    /** What the congestion window still lets out with {@code flight} bytes outstanding (PRR: cwnd - pipe). */
    long cwndRoom(long flight);

    /** In fast recovery (RFC 6582). */
    boolean inRecovery();

    /** Consecutive duplicate ACKs (RFC 5681 2). */
    int dupAcks();

    /** Bytes above SND.UNA the peer reported holding (0 without SACK). */
    long sackedBytes();

    /** Segments marked lost and not yet SACKed or acknowledged, resent or not (Linux lost_out, tcpi_lost). */
    int lostSegments();

    /** Segments resent and still in flight (Linux retrans_out, tcpi_retrans). */
    int retransmittedInFlight();

    /** How many segments deep reordering was seen (Linux tp->reordering, tcpi_reordering): {@link #DUP_THRESH} until more is. */
    int reordering();

    /** New data waits: this event's share of the window went to a lost hole (RFC 6675 NextSeg rule 1). */
    boolean holdsNewData();

    /** Resending from {@code seq} after a timeout: where to resend from, past what the peer SACKed (RFC 2018). */
    int skipSacked(int seq);

    /** Resending [seq, end): the start of the first SACKed range inside it, else {@code end}. */
    int sackedFrom(int seq, int end);

    // ---- an acceptable ACK (RFC 9293 3.10.7.4 fifth step), in this order

    /**
     * First, before SND.UNA moves: remembers what this ACK starts from and reads its SACK
     * blocks (RFC 2018, RFC 2883). Returns whether the ACK counts as a duplicate if it carries
     * no data and does not move SND.UNA: RFC 5681 2 (the same window), or RFC 6675 2 (SACKs
     * bytes not SACKed before).
     */
    boolean ackArrives(TcpRepr seg, int ack, long segWnd);

    /** SND.UNA moved from {@code from} to {@code to}: returns the bytes newly acknowledged that SACKs had already reported. */
    long sndUnaAdvanced(int from, int to);

    /** New data acknowledged ({@code bytes} count for cwnd): grows cwnd, or ends or continues the recovery (RFC 6582 3.2 step 3). */
    void newDataAcked(long now, long bytes, long flightBefore, boolean mayGrow);

    /** After a new ACK: data is still outstanding ({@code outstanding}) or not; ends a tail loss probe episode. */
    void ackedUpTo(int sndUna, boolean outstanding);

    /** A duplicate ACK (RFC 5681 2, RFC 6675 2): fast retransmit on the third (RFC 5681 3.2). */
    void duplicateAck(long now);

    /** Last: early retransmit (RFC 5827), RFC 6675 5 (b), PRR (RFC 6937) and a D-SACK undo. */
    void ackProcessed(long now);

    // ---- sending and timers

    /** A segment went out: [seq, seq + len) and the FIN if {@code fin}; {@code rtx} when below the highest sent. */
    void segmentSent(long now, int seq, int len, boolean fin, boolean rtx, boolean newData);

    /** The sender has sent what it may for now: schedules a tail loss probe (RFC 8985 7.2); new data waits no longer. */
    void outputDone(long now);

    /** The retransmission timer fired ({@code retries} timeouts in a row): the recovery ends (RFC 6298 5, RFC 5681 3.1). */
    void retransmissionTimeout(long now, int retries);

    /** The early retransmit delay (RFC 5827 with Mitigation A.3) ran out; with RACK, its reordering timer (RFC 8985 6.3). */
    void earlyRetransmitTimeout(long now);

    /** The tail loss probe timer (RFC 8985 7.3) fired. */
    void tailLossProbeTimeout(long now);

    /** The sender MSS changed (the handshake, PMTU discovery). */
    void setMss(int mss);

    /**
     * What {@code r} shrinks to once the connection has nothing left to send or repair
     * (TIME-WAIT): only its controller, when no recovery runs, no duplicate ACK or SACKed byte
     * is counted and no reordering was measured (so every answer stays the same); else {@code r} itself.
     */
    static LossRecovery settled(LossRecovery r) {
        return r instanceof SettledRecovery || r.inRecovery() || r.dupAcks() != 0 || r.sackedBytes() != 0
                || r.reordering() != DUP_THRESH ? r : new SettledRecovery(r.cc());
    }
}
