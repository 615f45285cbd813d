package org.netstack4j.tcp;

import java.util.Arrays;
import org.netstack4j.tcp.seqnum.Seq;

/**
 * MSG_EOR (Linux's eor mark, tcp_skb_can_collapse): the sequence numbers where a record the
 * application ended lies, each the one after its last byte. No segment, first transmission or
 * retransmission, carries bytes of two records; a segment ending a record carries PSH, and one
 * with more data queued behind it is not held by Nagle or cork (Linux sends every skb but the
 * last with TCP_NAGLE_PUSH). Marks leave once acknowledged; there is at most one per queued
 * byte, so the send buffer bounds them.
 */
final class Records {
    /** {@link TcpConnection#endRecord}: a record ends after the bytes queued so far. */
    static void end(TcpConnection c) {
        if (c.sendBuf.isEmpty()) return;
        Rare r = Rare.of(c);
        if (r.records == null) r.records = new Records();
        r.records.mark(Seq.add(c.sndBufSeq, c.sendBuf.size()));
    }

    /** The marks in sequence order: ends[head .. head + count), in a ring. */
    private int[] ends = new int[4];
    private int head, count;

    /** Marks the end of a record at {@code end} (after the last mark: records are queued in order). */
    void mark(int end) {
        if (count > 0 && last() == end) return;
        if (count == ends.length) {
            int[] n = new int[ends.length * 2];
            for (int i = 0; i < count; i++) n[i] = ends[(head + i) % ends.length];
            ends = n;
            head = 0;
        }
        ends[(head + count) % ends.length] = end;
        count++;
    }

    private int last() { return ends[(head + count - 1) % ends.length]; }

    /** Forgets the marks at or before {@code una} (acknowledged). */
    void ackedUpTo(int una) {
        while (count > 0 && !Seq.gt(ends[head], una)) {
            head = (head + 1) % ends.length;
            count--;
        }
    }

    /** How much of [seq, seq + len) one segment may carry: up to the first record end after {@code seq}. */
    long limit(int seq, long len) {
        for (int i = 0; i < count; i++) {
            int e = ends[(head + i) % ends.length];
            if (Seq.gt(e, seq)) return Math.min(len, Seq.sub(e, seq));
        }
        return len;
    }

    /** Whether a record ends at {@code seq}. */
    boolean endsAt(int seq) {
        for (int i = 0; i < count; i++) if (ends[(head + i) % ends.length] == seq) return true;
        return false;
    }

    boolean isEmpty() { return count == 0; }

    @Override public String toString() {
        int[] m = new int[count];
        for (int i = 0; i < count; i++) m[i] = ends[(head + i) % ends.length];
        return "Records" + Arrays.toString(m);
    }
}
