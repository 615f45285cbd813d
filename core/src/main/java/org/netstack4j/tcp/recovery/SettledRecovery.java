package org.netstack4j.tcp.recovery;

import org.netstack4j.tcp.cc.CongestionControl;
import org.netstack4j.wire.TcpRepr;

/**
 * The recovery of a connection with nothing left to send or repair (TIME-WAIT: every byte and
 * the FIN acknowledged, no recovery running): only the congestion controller, kept for the
 * connection's status. It answers as a {@link RenoRecovery} or {@link SackRecovery} outside a
 * recovery, with no duplicate ACKs and nothing SACKed, and ignores the sender's events (none
 * can come: no data is outstanding). 16 bytes instead of about 150 (SackRecovery and its
 * FastRecovery) per TIME-WAIT connection. See {@link LossRecovery#settled}.
 */
final class SettledRecovery implements LossRecovery {
    private final CongestionControl cc;

    SettledRecovery(CongestionControl cc) { this.cc = cc; }

    @Override public CongestionControl cc() { return cc; }
    @Override public long cwnd() { return cc.window(); }
    @Override public long sendWindow() { return cc.window(); }
    @Override public long cwndRoom(long flight) { return cc.window() - flight; }
    @Override public boolean inRecovery() { return false; }
    @Override public int dupAcks() { return 0; }
    @Override public long sackedBytes() { return 0; }
    @Override public int lostSegments() { return 0; }
    @Override public int retransmittedInFlight() { return 0; }
    @Override public int reordering() { return DUP_THRESH; }
    @Override public boolean holdsNewData() { return false; }
    @Override public int skipSacked(int seq) { return seq; }
    @Override public int sackedFrom(int seq, int end) { return end; }
    /** Nothing is outstanding: no ACK is a duplicate (RFC 5681 2 needs outstanding data). */
    @Override public boolean ackArrives(TcpRepr seg, int ack, long segWnd) { return false; }
    @Override public long sndUnaAdvanced(int from, int to) { return 0; }
    @Override public void newDataAcked(long now, long bytes, long flightBefore, boolean mayGrow) {}
    @Override public void ackedUpTo(int sndUna, boolean outstanding) {}
    @Override public void duplicateAck(long now) {}
    @Override public void ackProcessed(long now) {}
    @Override public void segmentSent(long now, int seq, int len, boolean fin, boolean rtx, boolean newData) {}
    @Override public void outputDone(long now) {}
    @Override public void retransmissionTimeout(long now, int retries) {}
    @Override public void earlyRetransmitTimeout(long now) {}
    @Override public void tailLossProbeTimeout(long now) {}
    @Override public void setMss(int mss) {}
}
