package org.netstack4j.tcp.recovery;

/**
 * What loss recovery sees of its connection's sender and asks it to do: the send sequence
 * variables (RFC 9293 3.3.1), retransmissions, and the two timers recovery runs (the tail loss
 * probe, the early retransmit delay). Implemented by the connection.
 */
public interface RecoverySender {
    int sndUna();
    /** The next sequence number to (re)send. */
    int sndNxt();
    void setSndNxt(int seq);
    /** One past the highest sequence number sent: the RFC's SND.NXT. */
    int sndMax();
    long sndWnd();
    /** Eff.snd.MSS (RFC 9293 3.7.1). */
    int mss();
    /** The largest payload of one segment now (the MSS less the SACK blocks we carry). */
    int maxSegmentData();
    /** One past the last byte queued for sending. */
    int dataEnd();
    /** Bytes queued but never sent. */
    int unsent();
    boolean finQueued();
    int finSeq();
    /** The state lets data out (ESTABLISHED, CLOSE-WAIT, or closing with data or a FIN left). */
    boolean sendsData();
    /** Retransmission timeouts in a row for the oldest unacknowledged segment. */
    int retries();
    long srtt();
    boolean hasRttSample();

    /** Resends the segment at SND.UNA; returns the sequence space it covers. */
    int retransmitFirst(long now);
    /** Sends [seq, seq + len) from the send buffer, with the FIN after it if {@code fin}. */
    void sendData(long now, int seq, int len, boolean fin);
    /** Karn: the segment being timed was resent, its RTT sample is void. */
    void stopRttTiming();

    /** The retransmission timer's deadline, NEVER when not armed. */
    long rtoDeadline();
    /** Runs the retransmission timer from now (RFC 8985 7.3: after a probe). */
    void restartRto(long now);
    /** Arms the tail loss probe timer for {@code at}. */
    void armTailLossProbe(long now, long at);
    void cancelTailLossProbe();
    /** Arms the early retransmit delay for {@code at}. */
    void armEarlyRetransmit(long at);
    void cancelEarlyRetransmit();
}
