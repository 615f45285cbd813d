package org.netstack4j.tcp.recovery;

import static org.netstack4j.time.Time.NEVER;

import org.netstack4j.tcp.cc.CongestionControl;
import org.netstack4j.tcp.seqnum.Assembler;
import org.netstack4j.tcp.seqnum.Seq;
import org.netstack4j.wire.TcpOption;
import org.netstack4j.wire.TcpRepr;

/**
 * Loss recovery with SACK (gVisor's sack_recovery.go): the RFC 2018 scoreboard of what the peer
 * holds above SND.UNA; RFC 6675 duplicate ACKs (new SACKed bytes), pipe and IsLost, the start of
 * a recovery by IsLost(HighACK + 1) (5 (b)) and the resending of lost holes (NextSeg rule 1)
 * inside NewReno's recovery (RFC 6582, {@link FastRecovery}); and, as configured, Proportional
 * Rate Reduction (RFC 6937), the undo of a recovery that D-SACKs show to have been spurious
 * (RFC 2883 4.2), early retransmit (RFC 5827) and the tail loss probe (RFC 8985 7).
 * With {@link Rack} (RACK-TLP, RFC 8985) losses are found by time instead of by IsLost and
 * duplicate ACKs: its marks start the recovery, choose the holes resent, and leave pipe; the
 * reordering timer takes the early retransmit timer's place, and a loss the tail loss probe
 * repaired reduces cwnd (RFC 8985 7.4).
 */
public final class SackRecovery extends RenoRecovery {
    /**
     * A fast recovery that D-SACKs may show to have been spurious (RFC 2883 4.2, RFC 3708's idea;
     * Linux tcp_try_undo_recovery): cwnd and ssthresh from before it, where it began, and how
     * many of its retransmitted segments the peer has not reported as duplicates.
     */
    private static final class Undo {
        final long priorCwnd, priorSsthresh;
        final int marker;
        int retransLeft;

        Undo(long priorCwnd, long priorSsthresh, int marker) {
            this.priorCwnd = priorCwnd;
            this.priorSsthresh = priorSsthresh;
            this.marker = marker;
        }
    }

    /** 0: off; 1: RFC 5827 early retransmit; 2: the delayed form (Mitigation A.3). */
    private final int earlyRetransmit;
    private final boolean proportionalRateReduction, dsackUndo, tailLossProbe;
    private final Rack rack;      // RACK-TLP (RFC 8985), else null: RFC 6675 IsLost and duplicate ACKs
    private TcpRepr ackSeg;       // the ACK being processed (RACK reads its SACK blocks)
    // RFC 8985 7.4 (Linux tcp_process_tlp_ack): a probe that resent data awaits the verdict on
    // its episode: an ACK beyond tlpCheckSeq without a D-SACK means it repaired a loss
    private boolean tlpCheck, tlpDsacked, sackGrew;
    private int tlpCheckSeq;

    private Assembler sackedByPeer = Assembler.EMPTY; // the scoreboard (RFC 2018): ranges above SND.UNA the peer holds
    private boolean holdNewData;  // set for one event after a hole was resent for a duplicate ACK
    private Prr prr;              // RFC 6937 state of the current fast recovery, else null
    private Undo undo;            // what a D-SACK undo of the current fast recovery restores, else null
    // RFC 8985 7: the start of the last new segment sent, and the probe's episode (one probe
    // until SND.UNA passes tlpHighSeq)
    private int lastSegStart;
    private boolean tlpOutstanding, tlpRearm;
    private int tlpHighSeq;
    // the ACK being processed (ackArrives): what it started from
    private int unaBefore;
    private long sackedBefore, cwndBefore, ssthreshBefore;
    private boolean recoveryBefore;

    public SackRecovery(RecoverySender snd, CongestionControl cc, RecoveryCounters counters, int iss, int earlyRetransmit,
                        boolean proportionalRateReduction, boolean dsackUndo, boolean tailLossProbe, boolean rack) {
        super(snd, cc, counters, iss);
        this.rack = rack ? new Rack() : null;
        this.earlyRetransmit = earlyRetransmit;
        this.proportionalRateReduction = proportionalRateReduction;
        this.dsackUndo = dsackUndo;
        this.tailLossProbe = tailLossProbe;
    }

    @Override public long cwndRoom(long flight) {
        // with PRR (RFC 6937), cwnd = pipe + sndcnt: measure the flight as pipe against cwnd
        return prr != null && inRecovery() ? fr.window() - pipe() : sendWindow() - flight;
    }

    /** With RACK, Linux's lost_out; without, 0 (RFC 6675 IsLost is recomputed, never marked). */
    @Override public int lostSegments() { return rack != null ? rack.lostSegments(snd.mss()) : 0; }
    /** With RACK, Linux's retrans_out; without, 0. */
    @Override public int retransmittedInFlight() { return rack != null ? rack.retransmittedInFlight(snd.mss()) : 0; }
    @Override public int reordering() { return rack != null ? rack.reordering() : DUP_THRESH; }

    /** SACKed bytes above SND.UNA. */
    @Override public long sackedBytes() { return sackedByPeer.isEmpty() ? 0 : sackedByPeer.bytesAbove(snd.sndUna()); }
    @Override public boolean holdsNewData() { return holdNewData; }
    @Override public int skipSacked(int seq) { return sackedByPeer.endOfRangeHolding(seq); }
    @Override public int sackedFrom(int seq, int end) { return sackedByPeer.nextLeftAfter(seq, end); }

    @Override public boolean ackArrives(TcpRepr seg, int ack, long segWnd) {
        holdNewData = false;
        unaBefore = snd.sndUna();
        sackedBefore = proportionalRateReduction ? sackedBytes() : 0;
        recoveryBefore = inRecovery();
        // what a D-SACK undo would restore; only read when undo is configured (every ACK passes here)
        cwndBefore = dsackUndo ? fr.window() : 0;
        ssthreshBefore = dsackUndo || rack != null ? fr.ssthresh() : 0;
        if (rack != null) {
            ackSeg = seg;
            cwndBefore = fr.window();
        }
        sackGrew = recordSackBlocks(seg, ack);
        return sackGrew;
    }

    /**
     * RFC 2018: remember which data above SEG.ACK the peer reports holding, so that resending
     * after a timeout skips it. Blocks at or below SEG.ACK (D-SACK, RFC 2883) or beyond what we
     * sent are ignored. Returns whether the blocks covered bytes not SACKed before (which makes
     * the ACK a duplicate ACK in the sense of RFC 6675 2).
     */
    private boolean recordSackBlocks(TcpRepr seg, int ack) {
        boolean grew = false;
        for (TcpOption o : seg.options()) {
            if (!(o instanceof TcpOption.Sack sack)) continue;
            if (undo != null && !sack.blocks().isEmpty()) countDuplicate(sack.blocks().get(0), ack);
            if (rack != null && isDsack(sack, ack)) {
                rack.dsackReceived(snd.sndUna(), snd.sndMax());
                if (tlpCheck) tlpDsacked = true;
            }
            int sndMax = snd.sndMax();
            for (TcpOption.SackBlock b : sack.blocks()) {
                if (!Seq.lt(b.left(), b.right()) || !Seq.gt(b.right(), ack) || Seq.gt(b.right(), sndMax)) continue;
                if (sackedByPeer == Assembler.EMPTY) sackedByPeer = new Assembler(32);
                long before = sackedByPeer.bytesAbove(ack);
                sackedByPeer.add(Seq.max(b.left(), ack), b.right());
                grew |= sackedByPeer.bytesAbove(ack) > before;
            }
        }
        return grew;
    }

    /**
     * RFC 2883 4: a first block at or below SEG.ACK reports a duplicate; one of this recovery's
     * retransmissions (at or above where it began, below HighRxt) is then known to have been
     * unnecessary.
     */
    private void countDuplicate(TcpOption.SackBlock d, int ack) {
        if (Seq.lt(d.left(), d.right()) && Seq.le(d.right(), ack) && Seq.ge(d.left(), undo.marker) && Seq.le(d.right(), highRxt))
            undo.retransLeft -= Math.ceilDiv(Seq.sub(d.right(), d.left()), snd.mss());
    }

    /** RFC 2883 4: the first block is a D-SACK if at or below SEG.ACK or inside the second block. */
    private static boolean isDsack(TcpOption.Sack sack, int ack) {
        if (sack.blocks().isEmpty()) return false;
        TcpOption.SackBlock d = sack.blocks().get(0);
        if (!Seq.lt(d.left(), d.right())) return false;
        if (Seq.le(d.right(), ack)) return true;
        if (sack.blocks().size() < 2) return false;
        TcpOption.SackBlock b = sack.blocks().get(1);
        return Seq.ge(d.left(), b.left()) && Seq.le(d.right(), b.right());
    }

    @Override boolean partialAckResends() { return rack == null; }

    @Override public long sndUnaAdvanced(int from, int to) {
        long before = sackedByPeer.isEmpty() ? 0 : sackedByPeer.bytesAbove(from);
        sackedByPeer.discardBelow(to);
        return before == 0 ? 0 : before - sackedByPeer.bytesAbove(to);
    }

    @Override public void ackedUpTo(int sndUna, boolean outstanding) {
        dupAcks = 0;
        if (outstanding) tlpRearm = true;
        if (tlpOutstanding && !Seq.lt(sndUna, tlpHighSeq)) tlpOutstanding = false;
    }

    @Override public void duplicateAck(long now) {
        dupAcks++;
        counters.dupAcks().increment();
        if (rack != null) {
            // RACK: the count of duplicates starts nothing (ackProcessed marks losses by time)
            if (inRecovery() && prr == null && retransmitNextHole(now)) holdNewData = true;
            return;
        }
        if (!fastRetransmit(now, dupAcks, counters.fastRetransmits(), unaBefore, cwndBefore, ssthreshBefore)
                && inRecovery() && prr == null && retransmitNextHole(now)) {
            holdNewData = true; // this duplicate ACK's share of the window went to the hole
        }
    }

    @Override public void ackProcessed(long now) {
        if (rack != null) {
            rackAck(now);
            return;
        }
        if (earlyRetransmit > 0) {
            // RFC 5827 (Mitigation A.3 for the delayed form): any ACK restarts the delay
            snd.cancelEarlyRetransmit();
            if (earlyRetransmitDue()) {
                if (earlyRetransmit == 1) earlyRetransmit(now);
                else snd.armEarlyRetransmit(now + Math.max(snd.srtt() / 4, 2_000_000L));
            }
        }
        int una = snd.sndUna();
        if (!inRecovery() && Seq.gt(snd.sndNxt(), una) && sackedByPeer.bytesAbove(una) > 2L * snd.mss()) {
            // RFC 6675 5 (b): IsLost(HighACK + 1) starts loss recovery without waiting for three
            // pure duplicate ACKs (which a peer sending data of its own never produces).
            if (fastRetransmit(now, 3, counters.fastRetransmits(), unaBefore, cwndBefore, ssthreshBefore))
                counters.sackRecoveries().increment();
        }
        if (prr != null || undo != null) recoveryAck(now);
    }

    /**
     * RFC 8985 6.2 on an ACK: RACK learns what it delivered, marks what is lost by now, arms
     * the reordering timer for what may still arrive; a loss starts a fast recovery (the first
     * lost segment resent at once, RFC 8985 6.2 step 5 with RFC 6675's recovery). Then the
     * recovery's ACK processing (PRR) as without RACK.
     */
    private void rackAck(long now) {
        boolean wasInRecovery = recoveryBefore;
        rack.ackReceived(now, snd.sndUna(), sackBlocks(ackSeg), snd.mss());
        ackSeg = null;
        if (tlpCheck) tlpVerdict(now);
        if (wasInRecovery && !inRecovery()) rack.recoveryEnded();
        // With PRR the fast retransmit is part of the sndcnt of the ACK that starts the recovery,
        // not sent on top of it. RFC 6937 3: prr_out counts every transmission in recovery,
        // retransmissions too, and sndcnt is computed on every ACK, this one the first; RFC 9937
        // (6937's successor) adds "if prr_out is 0 and SndCnt is 0, SndCnt = SMSS". Linux:
        // tcp_fastretrans_alert marks and enters recovery, tcp_cwnd_reduction sets cwnd = in_flight
        // + max(sndcnt, prr_out ? 0 : 1) ("Force a fast retransmit upon entering fast recovery"),
        // then tcp_xmit_recovery sends the lost segments within it, so one segment SACKed sends
        // one retransmission, not two.
        boolean started = rackDetectLoss(now, false);
        if (prr != null || undo != null) recoveryAck(now);
        if (started && prr != null && prr.prrOut() == 0) {
            // this ACK delivered nothing (recoveryAck left cwnd alone): the fast retransmit alone
            retransmitNextHole(now);
            fr.setRecoveryWindow(pipe());
        }
    }

    /**
     * RFC 8985 7.4 as Linux decides it (tcp_process_tlp_ack): a D-SACK of the probe, or a pure
     * duplicate ACK at the episode's end, means the original arrived too: no loss. An ACK beyond
     * the episode's end without either means the probe repaired a loss: cwnd is reduced once,
     * without a recovery.
     */
    private void tlpVerdict(long now) {
        int una = snd.sndUna();
        if (tlpDsacked) {
            tlpCheck = false;
        } else if (Seq.gt(una, tlpCheckSeq)) {
            tlpCheck = false;
            if (!inRecovery()) {
                fr.cc().onCongestionEvent(Seq.sub(snd.sndMax(), unaBefore), now);
                fr.cc().setCwnd(fr.cc().ssthresh());
                counters.tailLossProbeRecoveries().increment();
            }
        } else if (una == unaBefore && una == tlpCheckSeq && !sackGrew) {
            tlpCheck = false;
        }
    }

    private static java.util.List<TcpOption.SackBlock> sackBlocks(TcpRepr seg) {
        if (seg != null) for (TcpOption o : seg.options()) if (o instanceof TcpOption.Sack sack) return sack.blocks();
        return java.util.List.of();
    }

    /**
     * RACK_detect_loss_and_arm_timer (RFC 8985 6.2 step 5, 6.3); a loss starts a recovery, with
     * the fast retransmit if {@code fastRetransmit} or without PRR (else the caller sends it).
     * Returns whether one started.
     */
    private boolean rackDetectLoss(long now, boolean fastRetransmit) {
        long timeout = rack.detectLoss(now, rack.reoWnd(inRecovery(), snd.srtt()));
        snd.cancelEarlyRetransmit();
        if (timeout > 0) snd.armEarlyRetransmit(now + timeout);
        if (rack.newlyLost() == 0 || inRecovery() || !Seq.gt(snd.sndMax(), snd.sndUna())) return false;
        if (!startRecovery(now, 0, counters.rackRecoveries(), unaBefore, cwndBefore, ssthreshBefore)) return false;
        // the fast retransmit: the first segment RACK marked lost (with PRR on an ACK: see rackAck)
        if (fastRetransmit || prr == null) retransmitNextHole(now);
        return true;
    }

    /**
     * RFC 5827 3.2 with SACK: fewer than four segments outstanding, all but one of them SACKed,
     * nothing retransmitted yet and no new data that could be sent instead.
     */
    private boolean earlyRetransmitDue() {
        int una = snd.sndUna(), max = snd.sndMax();
        if (inRecovery() || !Seq.gt(max, una) || snd.retries() > 0 || snd.unsent() > 0 || sackedByPeer.isEmpty())
            return false;
        long out = Math.ceilDiv((long) Seq.sub(max, una), snd.mss());
        long sacked = Math.ceilDiv(sackedByPeer.bytesAbove(una), snd.mss());
        return sacked >= 1 && out < 4 && out == sacked + 1;
    }

    private void earlyRetransmit(long now) {
        long cwnd = fr.window(), ssthresh = fr.ssthresh();
        if (fastRetransmit(now, 3, counters.earlyRetransmits(), snd.sndUna(), cwnd, ssthresh) && prr != null)
            fr.setRecoveryWindow(pipe()); // nothing delivered yet: sndcnt 0 until the next ACK
    }

    @Override public void earlyRetransmitTimeout(long now) {
        if (rack == null) {
            if (earlyRetransmitDue()) earlyRetransmit(now);
            return;
        }
        // RFC 8985 6.3, the reordering timer (Linux tcp_rack_reo_timeout): mark what is lost by
        // now; a new recovery sends its first lost segment; one running resends within its window
        unaBefore = snd.sndUna();
        cwndBefore = fr.window();
        ssthreshBefore = fr.ssthresh();
        boolean inRecoveryBefore = inRecovery();
        if (rackDetectLoss(now, true)) {
            if (prr != null) fr.setRecoveryWindow(pipe()); // nothing delivered: sndcnt 0 until the next ACK
        } else if (inRecoveryBefore && rack.newlyLost() > 0) {
            while (pipe() < fr.window() && retransmitNextHole(now)) { }
        }
    }

    /**
     * SACK-assisted recovery (the NextSeg rule 1 of RFC 6675 4, inside NewReno's window): during
     * fast recovery a duplicate ACK may resend the next hole below the highest SACKed byte that
     * was not yet resent in this recovery and that IsLost() deems lost, instead of new data. Returns whether it sent.
     */
    private boolean retransmitNextHole(long now) {
        if (rack != null) return retransmitLost(now);
        if (sackedByPeer.isEmpty()) return false;
        int una = snd.sndUna();
        int highestSacked = sackedByPeer.highest(una);
        int start = nextLostHole(Seq.max(highRxt, una), highestSacked);
        if (start == highestSacked) return false;
        int end = sackedByPeer.nextLeftAfter(start, highestSacked);
        int len = Math.min(Math.min(snd.maxSegmentData(), Seq.sub(end, start)), Seq.sub(snd.dataEnd(), start));
        if (len <= 0) return false;
        counters.sackRetransmits().increment();
        snd.sendData(now, start, len, false);
        highRxt = Seq.add(start, len);
        return true;
    }

    /** With RACK: resends (the start of) the first segment marked lost. Returns whether it sent. */
    private boolean retransmitLost(long now) {
        int una = snd.sndUna();
        int start = rack.firstLost(una, una - 1);
        if (start == una - 1) return false;
        int end = rack.segmentEnd(start);
        boolean finSent = snd.finQueued() && Seq.gt(snd.sndMax(), snd.finSeq());
        int dataEnd = finSent ? snd.finSeq() : snd.dataEnd();
        int len = Math.max(0, Math.min(snd.maxSegmentData(), Seq.sub(Seq.min(end, dataEnd), start)));
        boolean fin = finSent && Seq.add(start, len) == snd.finSeq() && !Seq.lt(end, Seq.add(snd.finSeq(), 1));
        if (len == 0 && !fin) return false;
        counters.sackRetransmits().increment();
        snd.sendData(now, start, len, fin);
        highRxt = Seq.max(highRxt, Seq.add(start, len + (fin ? 1 : 0)));
        return true;
    }

    /**
     * Fast recovery has just begun (the fast retransmit is about to go out): with
     * proportionalRateReduction, RFC 6937 3 "on entering recovery": prr_delivered = prr_out = 0,
     * RecoverFS = SND.NXT - SND.UNA (as it was before this ACK). The ACK that started recovery
     * is then counted like every later one (recoveryAck), as Linux does. Without SACK, NewReno's
     * window inflation stays (the scoreboard has nothing to estimate pipe from). With dsackUndo,
     * also remembers cwnd and ssthresh from before the recovery, for an undo.
     */
    @Override void recoveryStarted(int unaBefore, long cwndBefore, long ssthreshBefore) {
        prr = proportionalRateReduction ? new Prr(Seq.sub(snd.sndMax(), unaBefore)) : null;
        tlpCheck = false; // RFC 8985 7.4: the recovery's reduction covers a loss the probe repaired
        undo = dsackUndo ? new Undo(cwndBefore, ssthreshBefore, snd.sndUna()) : null;
    }

    /**
     * RFC 6937 3 "on every ACK during recovery", after the ACK has been processed: DeliveredData
     * = change of SND.UNA + change of SACKed bytes; sndcnt from {@link Prr}; cwnd = pipe + sndcnt
     * (the sender measures the flight as pipe while PRR runs, so cwnd means what it means to
     * Linux); then lost holes are resent, and new data goes out afterwards, while pipe < cwnd.
     * On leaving recovery by this ACK, cwnd = ssthresh (RFC 6937 3, "on exiting recovery").
     */
    private void recoveryAck(long now) {
        CongestionControl cc = fr.cc();
        if (!inRecovery()) {
            if (recoveryBefore && prr != null) cc.setCwnd(cc.ssthresh());
            if (recoveryBefore && undo != null && undo.retransLeft <= 0) {
                // RFC 2883 4.2: every retransmission of this recovery came back as a duplicate, so
                // nothing was lost: the reduction is undone (Linux tcp_try_undo_recovery)
                cc.setCwnd(Math.max(cc.window(), undo.priorCwnd));
                cc.setSsthresh(Math.max(cc.ssthresh(), undo.priorSsthresh));
                counters.recoveryUndos().increment();
            }
            prr = null; // left recovery (or a timeout ended it)
            undo = null;
            return;
        }
        if (prr == null) return;
        int una = snd.sndUna();
        long delivered = Seq.sub(una, unaBefore) + sackedBytes() - sackedBefore;
        if (delivered <= 0) return; // Linux tcp_cwnd_reduction: an ACK that delivers nothing changes nothing
        long pipe = pipe();
        // RFC 6937 3.1 PRR-SSRB adds one MSS; like Linux (tcp_cwnd_reduction) and rfc6937bis only
        // on an ACK that advances SND.UNA, so that SACKs alone send one segment per segment delivered
        long sndcnt = prr.onAck(delivered, pipe, cc.ssthresh(), snd.mss(), Seq.gt(una, unaBefore));
        if (prr.prrOut() == 0) sndcnt = Math.max(sndcnt, snd.mss()); // the fast retransmit (see rackAck)
        fr.setRecoveryWindow(pipe + sndcnt);
        while (pipe() < fr.window() && retransmitNextHole(now)) { } // RFC 6675 NextSeg rule 1 first
    }

    /**
     * RFC 6675 4 SetPipe as far as this scoreboard tells: the bytes outstanding (SND.MAX -
     * SND.UNA), less those SACKed, less the holes deemed lost (IsLost: more than 2 * SMSS SACKed
     * above them) that were not resent in this recovery (at or above HighRxt). A resent lost
     * hole so counts once (its retransmission), a hole not deemed lost once (the original).
     */
    private long pipe() {
        int una = snd.sndUna();
        long outstanding = Seq.sub(snd.sndMax(), una);
        if (rack != null) return Math.max(0, outstanding - sackedBytes() - rack.lostBytes()); // RFC 8985 with RFC 6675 pipe
        if (sackedByPeer.isEmpty()) return outstanding;
        long lost = 0;
        int highestSacked = sackedByPeer.highest(una);
        for (int pos = Seq.max(highRxt, una); (pos = nextLostHole(pos, highestSacked)) != highestSacked; ) {
            int end = sackedByPeer.nextLeftAfter(pos, highestSacked);
            lost += Seq.sub(end, pos);
            pos = end;
        }
        return Math.max(0, outstanding - sackedByPeer.bytesAbove(una) - lost);
    }

    /**
     * The start of the first hole in the SACK scoreboard at or after {@code from} that RFC 6675
     * IsLost deems lost (more than (DupThresh - 1) * SMSS bytes SACKed above it), or
     * {@code highestSacked} if there is none. Holes further up have less SACKed above them, so
     * the first hole that is not lost ends the search.
     */
    private int nextLostHole(int from, int highestSacked) {
        int start = sackedByPeer.endOfRangeHolding(from);
        if (!Seq.lt(start, highestSacked) || sackedByPeer.bytesAbove(start) <= 2L * snd.mss()) return highestSacked;
        return start;
    }

    @Override public void segmentSent(long now, int seq, int len, boolean fin, boolean rtx, boolean newData) {
        if (rack != null) rack.sent(now, seq, Seq.add(seq, len + (fin ? 1 : 0)));
        if (prr != null) prr.onSent(len + (fin ? 1 : 0)); // RFC 6937 3: prr_out counts every byte sent in recovery
        if (undo != null && rtx && len > 0) undo.retransLeft += Math.ceilDiv(len, snd.mss());
        if (newData) {
            lastSegStart = seq;
            tlpRearm = true;
        }
    }

    @Override public void outputDone(long now) {
        holdNewData = false;
        if (tlpRearm) {
            tlpRearm = false;
            scheduleTlp(now);
        }
    }

    @Override public void retransmissionTimeout(long now, int retries) {
        // RFC 2018 8: a timeout may mean the receiver reneged on SACKed data; we keep the
        // scoreboard for the first timeout (as Linux does) and clear it from the second on.
        if (retries >= 2) {
            sackedByPeer.clear();
            if (rack != null) rack.forgetSacks();
        }
        boolean wasInRecovery = inRecovery();
        if (rack != null && !wasInRecovery && retries == 1) rack.timeoutInDisorder();
        super.retransmissionTimeout(now, retries);
        if (rack != null) {
            rack.markAllLost(); // RFC 8985 6.3: everything not SACKed is resent (go-back-N from SND.UNA)
            tlpCheck = false; // the timeout's reduction covers a probe's episode (Linux tcp_enter_loss: tlp_high_seq = 0)
            if (wasInRecovery) rack.recoveryEnded();
            snd.cancelEarlyRetransmit();
        }
        prr = null; // RFC 6937 applies to fast recovery only
        undo = null;
    }

    /** RFC 8985 7.2: may a tail loss probe be scheduled now? */
    private boolean tlpAllowed() {
        return tailLossProbe && snd.sendsData() && snd.sndMax() != snd.sndUna() && !inRecovery() && snd.retries() == 0
                && !tlpOutstanding && snd.hasRttSample() && Seq.ge(snd.sndNxt(), snd.sndMax());
    }

    /**
     * RFC 8985 7.2: PTO = 2 SRTT, plus the worst-case delayed ACK (200 ms) when only one
     * segment is in flight (Linux: else 2 ms), no later than the RTO would fire.
     */
    private void scheduleTlp(long now) {
        if (!tlpAllowed()) {
            snd.cancelTailLossProbe();
            return;
        }
        long pto = 2 * snd.srtt() + (Seq.sub(snd.sndMax(), snd.sndUna()) <= snd.mss() ? 200_000_000L : 2_000_000L);
        long at = now + pto;
        long rtoAt = snd.rtoDeadline();
        if (rtoAt != NEVER) at = Math.min(at, rtoAt);
        snd.armTailLossProbe(now, at);
    }

    /**
     * RFC 8985 7.3: the probe timer fired: send one new segment if the peer's window allows
     * (cwnd notwithstanding), else the last segment sent again; then the RTO runs from now.
     */
    @Override public void tailLossProbeTimeout(long now) {
        if (!tlpAllowed()) return;
        counters.tailLossProbes().increment();
        int unsent = snd.unsent();
        int nxt = snd.sndNxt();
        long room = snd.sndWnd() - Seq.sub(nxt, snd.sndUna());
        if (unsent > 0 && room > 0) {
            int len = (int) Math.min(Math.min(unsent, snd.maxSegmentData()), room);
            boolean fin = snd.finQueued() && Seq.add(nxt, len) == snd.finSeq() && len == unsent;
            snd.sendData(now, nxt, len, fin);
            snd.setSndNxt(Seq.add(nxt, len + (fin ? 1 : 0)));
        } else {
            boolean finSent = snd.finQueued() && Seq.gt(snd.sndMax(), snd.finSeq());
            int start = Seq.max(lastSegStart, snd.sndUna());
            int dataEnd = finSent ? snd.finSeq() : snd.sndMax();
            int len = Math.max(0, Seq.sub(dataEnd, start));
            if (len == 0 && !finSent) return;
            snd.sendData(now, start, len, finSent);
            if (rack != null) {
                tlpCheck = true;
                tlpDsacked = false;
                tlpCheckSeq = snd.sndMax();
            }
        }
        tlpOutstanding = true;
        tlpHighSeq = snd.sndMax();
        tlpRearm = false;
        snd.restartRto(now);
    }
}
