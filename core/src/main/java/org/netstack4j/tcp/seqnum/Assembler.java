package org.netstack4j.tcp.seqnum;

import java.util.ArrayList;
import java.util.List;
import org.netstack4j.wire.TcpOption;

/**
 * Out-of-order ranges received beyond rcv.nxt, as [left, right) sequence ranges sorted by
 * sequence. The bytes themselves live in the receive ring past its committed end; this only
 * tracks which ones are present. Bounded by a maximum number of ranges (the bytes are bounded by
 * the advertised window). Also remembers which range changed most recently, for SACK
 * (RFC 2018 4: the first block reports the most recently received segment).
 */
public final class Assembler {
    private static final class Range {
        int left, right;
        long stamp;
        Range(int l, int r, long s) { left = l; right = r; stamp = s; }
    }

    private final int maxRanges;
    private static final List<Range> NONE = List.of();

    private List<Range> ranges = NONE; // a list only while ranges exist: an idle connection holds none (DESIGN.md 10)
    private long clock;
    // RFC 2883: the duplicate the next ACK reports as its first SACK block (Linux rx_opt.dsack and
    // duplicate_sack[0]); dsackLeft == dsackRight: none
    private int dsackLeft, dsackRight;

    public Assembler(int maxRanges) { this.maxRanges = maxRanges; }

    /**
     * Holds no range and takes none (maxRanges 0: {@link #add} refuses): the shared stand-in for
     * connections that never saw a hole; they get their own assembler on the first one.
     */
    public static final Assembler EMPTY = new Assembler(0);

    public boolean isEmpty() { return ranges.isEmpty(); }

    private void releaseIfEmpty() { if (ranges.isEmpty()) ranges = NONE; }

    public int rangeCount() { return ranges.size(); }

    /** The SACK blocks the next ACK would report if room allowed: the ranges and a pending D-SACK. */
    public int sackBlockCount() { return ranges.size() + (hasDsack() ? 1 : 0); }

    /** Adds [left, right); false if it would need more ranges than allowed (caller drops it). */
    public boolean add(int left, int right) {
        if (!Seq.lt(left, right)) return true;
        long stamp = ++clock;
        int i = 0;
        while (i < ranges.size() && Seq.lt(ranges.get(i).right, left)) i++;
        // ranges[i] is the first whose right >= left: merge every range overlapping or touching
        int j = i;
        int l = left, r = right;
        while (j < ranges.size() && Seq.le(ranges.get(j).left, r)) {
            Range x = ranges.get(j);
            l = Seq.min(l, x.left);
            r = Seq.max(r, x.right);
            j++;
        }
        if (j == i && ranges.size() >= maxRanges) return false;
        if (ranges == NONE) ranges = new ArrayList<>(4);
        for (int k = j - 1; k >= i; k--) ranges.remove(k);
        ranges.add(i, new Range(l, r, stamp));
        return true;
    }

    /**
     * rcv.nxt moved to {@code rcvNxt}: if the first range starts at or before it, removes that
     * range and returns its right edge (the new rcv.nxt); otherwise returns rcvNxt.
     */
    public int advance(int rcvNxt) {
        int next = rcvNxt;
        while (!ranges.isEmpty() && Seq.le(ranges.get(0).left, next)) {
            next = Seq.max(next, ranges.get(0).right);
            ranges.remove(0);
        }
        releaseIfEmpty();
        return next;
    }

    /** The last sequence number held (exclusive), or {@code fallback} when empty. */
    public int highest(int fallback) { return ranges.isEmpty() ? fallback : ranges.get(ranges.size() - 1).right; }

    /**
     * Up to max SACK blocks: a pending D-SACK block first (RFC 2883 4.1; it is reported once, so
     * this consumes it), then the ranges, the most recently changed first (RFC 2018 4).
     */
    public List<TcpOption.SackBlock> sackBlocks(int max) {
        List<TcpOption.SackBlock> out = new ArrayList<>();
        if (hasDsack() && max > 0) {
            out.add(new TcpOption.SackBlock(dsackLeft, dsackRight));
            dsackRight = dsackLeft;
        }
        List<Range> copy = new ArrayList<>(ranges);
        copy.sort((a, b) -> Long.compare(b.stamp, a.stamp));
        for (int k = 0; k < copy.size() && out.size() < max; k++) out.add(new TcpOption.SackBlock(copy.get(k).left, copy.get(k).right));
        return out;
    }

    /** Drops a pending D-SACK block. */
    public void forgetDuplicate() { if (hasDsack()) dsackRight = dsackLeft; }

    /** A D-SACK block waits for the next ACK. */
    public boolean hasDsack() { return dsackLeft != dsackRight; }

    /** RFC 2883 4.1: [left, right) arrived again; the next ACK reports it first (replaces a pending one, Linux tcp_dsack_set). */
    public void duplicate(int left, int right) {
        if (!Seq.lt(left, right)) return;
        dsackLeft = left;
        dsackRight = right;
    }

    /**
     * Another duplicate of the same segment (Linux tcp_dsack_extend): the pending block grows
     * when [left, right) touches it; without one, [left, right) becomes it.
     */
    public void duplicateToo(int left, int right) {
        if (!hasDsack()) {
            duplicate(left, right);
        } else if (Seq.le(left, dsackRight) && Seq.le(dsackLeft, right)) {
            dsackLeft = Seq.min(dsackLeft, left);
            dsackRight = Seq.max(dsackRight, right);
        }
    }

    /**
     * The lowest part of [left, right) already held in a range, as {left, right} of the overlap,
     * or null when none of it is (RFC 2883 4.1.2, 4.1.3: the duplicate part of a segment).
     */
    public int[] firstOverlap(int left, int right) {
        for (Range r : ranges) {
            if (!Seq.lt(r.left, right)) break;
            if (Seq.gt(r.right, left)) return new int[] {Seq.max(r.left, left), Seq.min(r.right, right)};
        }
        return null;
    }

    public void clear() {
        ranges = NONE;
        forgetDuplicate();
    }

    /** Forgets everything below {@code seq} (ranges end there or are trimmed to start there). */
    public void discardBelow(int seq) {
        while (!ranges.isEmpty() && Seq.le(ranges.get(0).right, seq)) ranges.remove(0);
        if (!ranges.isEmpty() && Seq.lt(ranges.get(0).left, seq)) ranges.get(0).left = seq;
        releaseIfEmpty();
    }

    /** Bytes held in ranges above {@code seq}. */
    public long bytesAbove(int seq) {
        long n = 0;
        for (Range r : ranges) if (Seq.gt(r.right, seq)) n += Seq.sub(r.right, Seq.max(r.left, seq));
        return n;
    }

    /** The right edge of the range holding {@code seq}, or seq itself if no range holds it. */
    public int endOfRangeHolding(int seq) {
        for (Range r : ranges) {
            if (Seq.gt(r.left, seq)) break;
            if (Seq.lt(seq, r.right)) return r.right;
        }
        return seq;
    }

    /** The left edge of the first range starting after {@code seq}, or {@code fallback}. */
    public int nextLeftAfter(int seq, int fallback) {
        for (Range r : ranges) if (Seq.gt(r.left, seq)) return r.left;
        return fallback;
    }
}
